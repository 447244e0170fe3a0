/* certgen.c - the CA, the serving certificate, and the names they carry.
 * Names are validated when added, so certgen_issue only sees good input; the CA in the output
 * directory is reused when present so that rotating the serving cert never changes caBundle. */
#include "certgen.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "certfile.h"

#define CERTGEN_LABEL_MAX 63
#define SECONDS_PER_DAY 86400

/* ---------------------------------------------------------------- errors and time */

int certgen_openssl_error(struct sg_error *err, const char *what)
{
    char reason[256] = "no detail from OpenSSL";
    unsigned long code = ERR_peek_last_error();
    if (code != 0)
        ERR_error_string_n(code, reason, sizeof reason);
    ERR_clear_error();
    return sg_error_set(err, "%s: %s", what, reason);
}

int certgen_time_to_unix(const ASN1_TIME *time, time_t *out)
{
    struct tm tm;
    if (ASN1_TIME_to_tm(time, &tm) != 1)
        return -1;
    *out = timegm(&tm);
    return 0;
}

void certgen_format_time(time_t when, char *out, size_t size)
{
    struct tm tm;
    if (gmtime_r(&when, &tm) == NULL || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, size, "(unrepresentable time)");
}

/* ---------------------------------------------------------------- names */

static bool is_ip_address(const char *text)
{
    unsigned char bytes[16];
    return inet_pton(AF_INET, text, bytes) == 1 || inet_pton(AF_INET6, text, bytes) == 1;
}

/* A DNS-1123 label: 1-63 of [a-z0-9-], starting and ending alphanumeric. UPPER allows A-Z too. */
static bool is_label(const char *text, size_t length, bool upper)
{
    if (length == 0 || length > CERTGEN_LABEL_MAX)
        return false;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (upper && c >= 'A' && c <= 'Z');
        if (!alnum && !(c == '-' && i > 0 && i + 1 < length))
            return false;
    }
    return true;
}

/* Dot-separated labels, each valid, at most 253 characters in all. */
static bool is_dotted_labels(const char *text, bool upper)
{
    size_t length = strlen(text);
    if (length == 0 || length > CERTGEN_DNS_NAME_MAX)
        return false;
    const char *label = text;
    for (;;) {
        const char *dot = strchr(label, '.');
        size_t label_length = dot ? (size_t)(dot - label) : strlen(label);
        if (!is_label(label, label_length, upper))
            return false;
        if (dot == NULL)
            return true;
        label = dot + 1;
    }
}

int certgen_check_label(const char *value, const char *what, struct sg_error *err)
{
    if (is_label(value, strlen(value), false))
        return 0;
    return sg_error_set(err, "%s '%s' is not a valid Kubernetes name: use 1-63 lower-case letters, digits "
                        "and '-', starting and ending with a letter or digit", what, value);
}

int certgen_check_subdomain(const char *value, const char *what, struct sg_error *err)
{
    if (is_dotted_labels(value, false))
        return 0;
    return sg_error_set(err, "%s '%s' is not a valid Kubernetes name: use lower-case letters, digits, '-' "
                        "and '.', at most 253 characters, e.g. schemagate-tls", what, value);
}

void certgen_names_init(struct certgen_names *names)
{
    memset(names, 0, sizeof *names);
}

bool certgen_names_empty(const struct certgen_names *names)
{
    return names->dns_count == 0 && names->ip_count == 0;
}

int certgen_names_add_dns(struct certgen_names *names, const char *name, struct sg_error *err)
{
    if (name[0] == '\0')
        return sg_error_set(err, "--dns is empty; give a host name such as --dns schemagate.example.com");
    if (is_ip_address(name))
        return sg_error_set(err, "--dns %s is an IP address; give it as --ip %s", name, name);
    size_t length = strlen(name);
    if (name[length - 1] == '.')
        return sg_error_set(err, "--dns %s ends with a dot; certificates carry names without the trailing "
                            "dot, give --dns %.*s", name, (int)(length - 1), name);
    /* A wildcard is only valid as the whole left-most label of a name with at least two more. */
    const char *rest = strncmp(name, "*.", 2) == 0 ? name + 2 : name;
    if (!is_dotted_labels(rest, true))
        return sg_error_set(err, "--dns '%s' is not a valid DNS name: use labels of 1-63 letters, digits and "
                            "'-' (not at either end) separated by dots, at most 253 characters; "
                            "a wildcard is only allowed as a leading '*.'", name);
    if (rest != name && strchr(rest, '.') == NULL)
        return sg_error_set(err, "--dns %s: a wildcard needs at least two labels after '*.', "
                            "e.g. *.example.com", name);

    char lower[CERTGEN_DNS_NAME_MAX + 1];
    if (length >= sizeof lower)
        return sg_error_set(err, "--dns %s is longer than %d characters", name, CERTGEN_DNS_NAME_MAX);
    for (size_t i = 0; i <= length; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    for (size_t i = 0; i < names->dns_count; i++)
        if (strcmp(names->dns[i], lower) == 0)
            return 0;
    if (names->dns_count == CERTGEN_MAX_NAMES)
        return sg_error_set(err, "too many DNS names (limit %d); drop some --dns", CERTGEN_MAX_NAMES);
    memcpy(names->dns[names->dns_count++], lower, length + 1);
    return 0;
}

int certgen_names_add_ip(struct certgen_names *names, const char *address, struct sg_error *err)
{
    unsigned char bytes[16];
    size_t length;
    if (inet_pton(AF_INET, address, bytes) == 1)
        length = 4;
    else if (inet_pton(AF_INET6, address, bytes) == 1)
        length = 16;
    else
        return sg_error_set(err, "--ip '%s' is not an IPv4 or IPv6 address; give e.g. --ip 10.0.0.5 or "
                            "--ip fd00::5 (no port, prefix length or zone; host names go in --dns)",
                            address);
    for (size_t i = 0; i < names->ip_count; i++)
        if (names->ip_length[i] == length && memcmp(names->ip[i], bytes, length) == 0)
            return 0;
    if (names->ip_count == CERTGEN_MAX_NAMES)
        return sg_error_set(err, "too many IP addresses (limit %d); drop some --ip", CERTGEN_MAX_NAMES);
    memcpy(names->ip[names->ip_count], bytes, length);
    names->ip_length[names->ip_count++] = length;
    return 0;
}

int certgen_names_add_service(struct certgen_names *names, const char *service,
                              const char *namespace_name, struct sg_error *err)
{
    if (certgen_check_label(service, "--service", err) != 0
        || certgen_check_label(namespace_name, "--namespace", err) != 0)
        return -1;
    /* The apiserver dials SERVICE.NAMESPACE.svc, so it goes first and becomes the CN. */
    static const char *const suffixes[] = { ".svc", ".svc.cluster.local", "" };
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char name[CERTGEN_DNS_NAME_MAX + 2];
        int n = snprintf(name, sizeof name, "%s.%s%s", service, namespace_name, suffixes[i]);
        if (n < 0 || (size_t)n >= sizeof name)
            return sg_error_set(err, "--service %s --namespace %s makes a DNS name longer than %d characters",
                                service, namespace_name, CERTGEN_DNS_NAME_MAX);
        if (certgen_names_add_dns(names, name, err) != 0)
            return -1;
    }
    return certgen_names_add_dns(names, service, err);
}

int certgen_names_add_defaults(struct certgen_names *names, struct sg_error *err)
{
    if (certgen_names_add_dns(names, "schemagate.schemagate-system.svc", err) != 0
        || certgen_names_add_dns(names, "schemagate.schemagate-system.svc.cluster.local", err) != 0
        || certgen_names_add_dns(names, "localhost", err) != 0
        || certgen_names_add_ip(names, "127.0.0.1", err) != 0)
        return -1;
    return 0;
}

/* ---------------------------------------------------------------- describing certificates */

void certgen_describe_subject(const X509_NAME *name, char *out, size_t size)
{
    snprintf(out, size, "(unreadable)");
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return;
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        char *data = NULL;
        long length = BIO_get_mem_data(bio, &data);
        snprintf(out, size, "%.*s", (int)(length > INT_MAX ? INT_MAX : length), data ? data : "");
    }
    BIO_free(bio);
    ERR_clear_error();
}

static void append_text(char *out, size_t size, size_t *used, const char *text)
{
    if (*used >= size)
        return;
    int n = snprintf(out + *used, size - *used, "%s%s", *used > 0 ? ", " : "", text);
    if (n > 0)
        *used += (size_t)n;
}

void certgen_describe_names(const X509 *cert, char *out, size_t size)
{
    snprintf(out, size, "(none)");
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    if (names == NULL) {
        ERR_clear_error();
        return;
    }
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        char text[CERTGEN_DNS_NAME_MAX + 16];
        int type;
        const ASN1_STRING *value = GENERAL_NAME_get0_value(name, &type);
        const unsigned char *data = ASN1_STRING_get0_data(value);
        int length = ASN1_STRING_length(value);
        char address[INET6_ADDRSTRLEN];
        if (type == GEN_DNS)
            snprintf(text, sizeof text, "DNS:%.*s", length, (const char *)data);
        else if (type == GEN_IPADD && length == 4 && inet_ntop(AF_INET, data, address, sizeof address))
            snprintf(text, sizeof text, "IP:%s", address);
        else if (type == GEN_IPADD && length == 16 && inet_ntop(AF_INET6, data, address, sizeof address))
            snprintf(text, sizeof text, "IP:%s", address);
        else if (type == GEN_EMAIL || type == GEN_URI)
            snprintf(text, sizeof text, "%s:%.*s", type == GEN_EMAIL ? "email" : "URI", length,
                     (const char *)data);
        else
            snprintf(text, sizeof text, "(other name)");
        append_text(out, size, &used, text);
    }
    if (used == 0)
        snprintf(out, size, "(none)");
    GENERAL_NAMES_free(names);
}

/* ---------------------------------------------------------------- loading */

static int no_passphrase(char *buf, int size, int rwflag, void *userdata)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)userdata;
    return -1;
}

/* Reads the first PEM certificate (CERT set) or private key (KEY set) from PATH. The file is read
 * whole and parsed from memory so that a key's bytes can be wiped afterwards. */
static int load_pem(const char *path, X509 **cert, EVP_PKEY **key, struct sg_error *err)
{
    char *data;
    size_t length;
    if (certfile_read(path, &data, &length, err) != 0)
        return -1;
    bool loaded = false;
    BIO *bio = BIO_new_mem_buf(data, (int)length);
    if (bio != NULL && cert != NULL)
        loaded = (*cert = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) != NULL;
    else if (bio != NULL)
        loaded = (*key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)) != NULL;
    BIO_free(bio);
    OPENSSL_cleanse(data, length);
    free(data);
    if (loaded)
        return 0;
    ERR_clear_error();
    if (cert != NULL)
        return sg_error_set(err, "%s holds no readable PEM certificate (expected a block starting "
                            "\"-----BEGIN CERTIFICATE-----\"); is it the right file?", path);
    return sg_error_set(err, "%s holds no readable PEM private key (encrypted keys are not "
                        "supported); is it the right file?", path);
}

int certgen_load_cert(const char *path, X509 **cert, struct sg_error *err)
{
    *cert = NULL;
    return load_pem(path, cert, NULL, err);
}

int certgen_load_key(const char *path, EVP_PKEY **key, struct sg_error *err)
{
    *key = NULL;
    return load_pem(path, NULL, key, err);
}

/* ---------------------------------------------------------------- building certificates */

static EVP_PKEY *new_p256_key(struct sg_error *err)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    if (key == NULL)
        certgen_openssl_error(err, "cannot generate an ECDSA P-256 key");
    return key;
}

static int set_random_serial(X509 *cert, struct sg_error *err)
{
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return certgen_openssl_error(err, "cannot get random bytes for the certificate serial number");
    BIGNUM *serial = BN_bin2bn(bytes, sizeof bytes, NULL);
    if (serial == NULL)
        return certgen_openssl_error(err, "cannot build the certificate serial number");
    /* RFC 5280 wants a positive serial; zero has probability 2^-128 but costs one line. */
    if (BN_is_zero(serial) && BN_one(serial) != 1) {
        BN_free(serial);
        return certgen_openssl_error(err, "cannot build the certificate serial number");
    }
    int ok = BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) != NULL;
    BN_free(serial);
    return ok ? 0 : certgen_openssl_error(err, "cannot set the certificate serial number");
}

static int add_extension(X509 *cert, X509V3_CTX *ctx, int nid, const char *value, struct sg_error *err)
{
    char what[128];
    snprintf(what, sizeof what, "cannot add the %s extension (%s)", OBJ_nid2ln(nid), value);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    if (extension == NULL)
        return certgen_openssl_error(err, what);
    int ok = X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
    return ok == 1 ? 0 : certgen_openssl_error(err, what);
}

static int push_name(GENERAL_NAMES *list, int type, const void *data, size_t length)
{
    GENERAL_NAME *name = GENERAL_NAME_new();
    ASN1_STRING *value = type == GEN_DNS ? ASN1_IA5STRING_new() : ASN1_OCTET_STRING_new();
    if (name == NULL || value == NULL || ASN1_STRING_set(value, data, (int)length) != 1) {
        GENERAL_NAME_free(name);
        ASN1_STRING_free(value);
        return -1;
    }
    GENERAL_NAME_set0_value(name, type, value);
    if (sk_GENERAL_NAME_push(list, name) <= 0) {
        GENERAL_NAME_free(name);
        return -1;
    }
    return 0;
}

/* Built as GENERAL_NAMEs rather than an "DNS:a,IP:b" config string, so no name is ever parsed. */
static int add_subject_alt_names(X509 *cert, const struct certgen_names *names, struct sg_error *err)
{
    GENERAL_NAMES *list = sk_GENERAL_NAME_new_null();
    int rc = list == NULL ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < names->dns_count; i++)
        rc = push_name(list, GEN_DNS, names->dns[i], strlen(names->dns[i]));
    for (size_t i = 0; rc == 0 && i < names->ip_count; i++)
        rc = push_name(list, GEN_IPADD, names->ip[i], names->ip_length[i]);
    if (rc == 0 && X509_add1_ext_i2d(cert, NID_subject_alt_name, list, 0, X509V3_ADD_DEFAULT) != 1)
        rc = -1;
    GENERAL_NAMES_free(list);
    return rc == 0 ? 0 : certgen_openssl_error(err, "cannot add the subjectAltName extension");
}

/* A v3 certificate for KEY with subject CN=COMMON_NAME, valid from 5 minutes ago for DAYS days,
 * issued by ISSUER (NULL: self-issued). Extensions and the signature are the caller's. */
static X509 *new_certificate(EVP_PKEY *key, const char *common_name, const X509_NAME *issuer, int days,
                             struct sg_error *err)
{
    X509 *cert = X509_new();
    if (cert == NULL) {
        certgen_openssl_error(err, "cannot allocate a certificate");
        return NULL;
    }
    X509_NAME *subject = X509_get_subject_name(cert);
    if (X509_set_version(cert, X509_VERSION_3) != 1
        || X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, (const unsigned char *)common_name,
                                      -1, -1, 0) != 1
        || X509_set_issuer_name(cert, issuer != NULL ? issuer : subject) != 1
        || X509_gmtime_adj(X509_getm_notBefore(cert), -CERTGEN_BACKDATE_SECONDS) == NULL
        || X509_time_adj_ex(X509_getm_notAfter(cert), days, 0, NULL) == NULL
        || X509_set_pubkey(cert, key) != 1) {
        certgen_openssl_error(err, "cannot fill in the certificate");
        X509_free(cert);
        return NULL;
    }
    if (set_random_serial(cert, err) != 0) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

static X509 *new_ca_certificate(EVP_PKEY *ca_key, struct sg_error *err)
{
    /* A per-CA suffix (as kube-ca@<time>) tells an old caBundle from a new one at a glance. */
    char common_name[64];
    snprintf(common_name, sizeof common_name, "schemagate-ca@%lld", (long long)time(NULL));
    X509 *ca = new_certificate(ca_key, common_name, NULL, CERTGEN_CA_DAYS, err);
    if (ca == NULL)
        return NULL;
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca, ca, NULL, NULL, 0);
    if (add_extension(ca, &ctx, NID_basic_constraints, "critical,CA:TRUE", err) != 0
        || add_extension(ca, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign", err) != 0
        || add_extension(ca, &ctx, NID_subject_key_identifier, "hash", err) != 0) {
        X509_free(ca);
        return NULL;
    }
    if (X509_sign(ca, ca_key, EVP_sha256()) <= 0) {
        certgen_openssl_error(err, "cannot sign the CA certificate");
        X509_free(ca);
        return NULL;
    }
    return ca;
}

static X509 *new_serving_certificate(EVP_PKEY *key, const struct certgen_names *names, int days,
                                     X509 *ca, EVP_PKEY *ca_key, struct sg_error *err)
{
    char address[INET6_ADDRSTRLEN] = "";
    const char *common_name = names->dns_count > 0 ? names->dns[0] : address;
    if (names->dns_count == 0)
        inet_ntop(names->ip_length[0] == 4 ? AF_INET : AF_INET6, names->ip[0], address, sizeof address);

    X509 *cert = new_certificate(key, common_name, X509_get_subject_name(ca), days, err);
    if (cert == NULL)
        return NULL;
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca, cert, NULL, NULL, 0);
    /* ECDSA keys sign, they never encipher, so keyEncipherment is deliberately absent. The AKID
     * falls back to issuer + serial for a reused CA that has no subjectKeyIdentifier. */
    if (add_extension(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE", err) != 0
        || add_extension(cert, &ctx, NID_key_usage, "critical,digitalSignature", err) != 0
        || add_extension(cert, &ctx, NID_ext_key_usage, "serverAuth", err) != 0
        || add_extension(cert, &ctx, NID_subject_key_identifier, "hash", err) != 0
        || add_extension(cert, &ctx, NID_authority_key_identifier, "keyid,issuer", err) != 0
        || add_subject_alt_names(cert, names, err) != 0) {
        X509_free(cert);
        return NULL;
    }
    if (X509_sign(cert, ca_key, EVP_sha256()) <= 0) {
        certgen_openssl_error(err, "cannot sign the serving certificate with the CA key");
        X509_free(cert);
        return NULL;
    }
    return cert;
}

/* ---------------------------------------------------------------- writing */

static int write_pem(const char *dir, const char *name, X509 *cert, EVP_PKEY *key, struct sg_error *err)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return certgen_openssl_error(err, "cannot allocate a memory buffer");
    /* PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted. */
    int ok = key != NULL ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)
                         : PEM_write_bio_X509(bio, cert);
    if (ok != 1) {
        BIO_free(bio);
        return certgen_openssl_error(err, "cannot encode PEM");
    }
    char *data = NULL;
    long length = BIO_get_mem_data(bio, &data);
    int rc = certfile_write(dir, name, data, (size_t)length, key != NULL ? 0600 : 0644, err);
    if (key != NULL)
        OPENSSL_cleanse(data, (size_t)length);
    BIO_free(bio);
    return rc;
}

/* ---------------------------------------------------------------- the CA in DIR */

static int load_existing_ca(const char *dir, X509 **ca, EVP_PKEY **ca_key, struct sg_error *err)
{
    char cert_path[PATH_MAX];
    char key_path[PATH_MAX];
    if (certfile_path(cert_path, sizeof cert_path, dir, "ca.crt", err) != 0
        || certfile_path(key_path, sizeof key_path, dir, "ca.key", err) != 0)
        return -1;
    if (certgen_load_cert(cert_path, ca, err) != 0)
        return -1;
    if (certgen_load_key(key_path, ca_key, err) != 0)
        return -1;
    if (X509_check_private_key(*ca, *ca_key) != 1) {
        ERR_clear_error();
        return sg_error_set(err, "%s does not belong to %s; restore the matching pair, or move both away "
                            "to create a new CA (the caBundle changes then)", key_path, cert_path);
    }
    if (X509_check_ca(*ca) != 1)
        return sg_error_set(err, "%s is not a CA certificate (no basicConstraints CA:TRUE with "
                            "keyCertSign); move ca.crt and ca.key away to create a new CA", cert_path);
    if (X509_cmp_current_time(X509_get0_notAfter(*ca)) <= 0)
        return sg_error_set(err, "the CA in %s has expired; move ca.crt and ca.key away to create a new CA "
                            "and update the webhook's caBundle", cert_path);
    return 0;
}

static int create_ca(const char *dir, X509 **ca, EVP_PKEY **ca_key, struct sg_error *err)
{
    *ca_key = new_p256_key(err);
    if (*ca_key == NULL)
        return -1;
    *ca = new_ca_certificate(*ca_key, err);
    if (*ca == NULL)
        return -1;
    /* The key goes first: ca.crt present means the pair is complete. */
    if (write_pem(dir, "ca.key", NULL, *ca_key, err) != 0 || write_pem(dir, "ca.crt", *ca, NULL, err) != 0)
        return -1;
    return 0;
}

/* The serving certificate must not outlive the CA that vouches for it. */
static int check_within_ca(const char *dir, X509 *ca, X509 *cert, int days, struct sg_error *err)
{
    time_t ca_end, cert_end;
    if (certgen_time_to_unix(X509_get0_notAfter(ca), &ca_end) != 0
        || certgen_time_to_unix(X509_get0_notAfter(cert), &cert_end) != 0)
        return sg_error_set(err, "cannot read the validity of the CA in %s/ca.crt", dir);
    if (cert_end <= ca_end)
        return 0;
    char ca_text[32];
    certgen_format_time(ca_end, ca_text, sizeof ca_text);
    long long fits = (long long)(ca_end - time(NULL)) / SECONDS_PER_DAY;
    return sg_error_set(err, "the CA in %s/ca.crt expires %s, before a serving certificate valid for %d days "
                        "would; use --days %lld or less, or move ca.crt and ca.key away to create a new CA "
                        "(the caBundle changes then)", dir, ca_text, days, fits < 1 ? 1 : fits);
}

int certgen_issue(const char *dir, const struct certgen_names *names, int days,
                  struct certgen_outcome *outcome, struct sg_error *err)
{
    memset(outcome, 0, sizeof *outcome);
    if (certgen_names_empty(names))
        return sg_error_set(err, "no names for the serving certificate; give --dns, --ip or --service");
    if (days < 1 || days > CERTGEN_MAX_DAYS)
        return sg_error_set(err, "--days %d is out of range; give 1 to %d", days, CERTGEN_MAX_DAYS);
    if (certfile_make_dir(dir, err) != 0)
        return -1;

    bool has_cert = certfile_exists(dir, "ca.crt");
    bool has_key = certfile_exists(dir, "ca.key");
    if (has_cert != has_key)
        return sg_error_set(err, "%s/%s exists without %s/%s; schemagate-certs reuses a CA only as a pair. "
                            "Add the missing file, or move %s away to create a new CA",
                            dir, has_cert ? "ca.crt" : "ca.key", dir, has_cert ? "ca.key" : "ca.crt",
                            has_cert ? "ca.crt" : "ca.key");

    X509 *ca = NULL;
    EVP_PKEY *ca_key = NULL;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    int rc = -1;
    if ((has_cert ? load_existing_ca(dir, &ca, &ca_key, err) : create_ca(dir, &ca, &ca_key, err)) != 0)
        goto done;
    outcome->ca_created = !has_cert;
    if ((key = new_p256_key(err)) == NULL)
        goto done;
    if ((cert = new_serving_certificate(key, names, days, ca, ca_key, err)) == NULL)
        goto done;
    if (check_within_ca(dir, ca, cert, days, err) != 0)
        goto done;
    if (write_pem(dir, "tls.key", NULL, key, err) != 0 || write_pem(dir, "tls.crt", cert, NULL, err) != 0)
        goto done;
    if (certgen_time_to_unix(X509_get0_notAfter(ca), &outcome->ca_not_after) != 0
        || certgen_time_to_unix(X509_get0_notAfter(cert), &outcome->cert_not_after) != 0) {
        sg_error_set(err, "cannot read back the validity of the new certificates in %s", dir);
        goto done;
    }
    certgen_describe_names(cert, outcome->names_text, sizeof outcome->names_text);
    rc = 0;
done:
    X509_free(cert);
    EVP_PKEY_free(key);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return rc;
}
