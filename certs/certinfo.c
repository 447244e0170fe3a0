/* certinfo.c - --check, --ca-bundle and --secret-manifest: inspecting and exporting DIR's files.
 * Everything printed is validated first (a caBundle that is not a certificate, or a Secret whose
 * key does not match its certificate, fails here rather than in the apiserver's TLS handshake). */
#include "certinfo.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "certfile.h"
#include "certgen.h"

#define SECONDS_PER_DAY 86400

/* Floor division, so a certificate that expired an hour ago has -1 days left, not 0. */
static long long days_between(time_t from, time_t to)
{
    long long seconds = (long long)(to - from);
    return seconds >= 0 ? seconds / SECONDS_PER_DAY : -((-seconds + SECONDS_PER_DAY - 1) / SECONDS_PER_DAY);
}

enum certinfo_status certinfo_check(const char *path, time_t now, FILE *out, struct sg_error *err)
{
    X509 *cert;
    if (certgen_load_cert(path, &cert, err) != 0)
        return CERTINFO_INVALID;
    time_t not_before, not_after;
    if (certgen_time_to_unix(X509_get0_notBefore(cert), &not_before) != 0
        || certgen_time_to_unix(X509_get0_notAfter(cert), &not_after) != 0) {
        X509_free(cert);
        ERR_clear_error();
        sg_error_set(err, "%s: cannot read the certificate's validity dates", path);
        return CERTINFO_INVALID;
    }

    char subject[1024], issuer[1024], names[CERTGEN_NAMES_TEXT_MAX], from[32], until[32];
    certgen_describe_subject(X509_get_subject_name(cert), subject, sizeof subject);
    certgen_describe_subject(X509_get_issuer_name(cert), issuer, sizeof issuer);
    certgen_describe_names(cert, names, sizeof names);
    certgen_format_time(not_before, from, sizeof from);
    certgen_format_time(not_after, until, sizeof until);
    X509_free(cert);

    long long days_left = days_between(now, not_after);
    enum certinfo_status status;
    char verdict[128];
    if (now < not_before) {
        status = CERTINFO_INVALID;
        snprintf(verdict, sizeof verdict, "not yet valid (starts %s; check the clock)", from);
    } else if (not_after <= now) {
        status = CERTINFO_INVALID;
        snprintf(verdict, sizeof verdict, "EXPIRED; issue a new one");
    } else if (not_after - now <= (time_t)CERTINFO_WARN_DAYS * SECONDS_PER_DAY) {
        status = CERTINFO_EXPIRING;
        snprintf(verdict, sizeof verdict, "expires within %d days; rotate it", CERTINFO_WARN_DAYS);
    } else {
        status = CERTINFO_VALID;
        snprintf(verdict, sizeof verdict, "ok");
    }
    fprintf(out, "certificate: %s\n", path);
    fprintf(out, "subject:     %s\n", subject);
    fprintf(out, "issuer:      %s\n", issuer);
    fprintf(out, "names:       %s\n", names);
    fprintf(out, "not before:  %s\n", from);
    fprintf(out, "not after:   %s\n", until);
    fprintf(out, "days left:   %lld\n", days_left);
    fprintf(out, "status:      %s\n", verdict);
    return status;
}

/* Reads DIR/NAME after checking it parses as what it claims to be. */
static int read_checked(const char *dir, const char *name, bool is_key, char **data, size_t *length,
                        struct sg_error *err)
{
    char path[PATH_MAX];
    if (certfile_path(path, sizeof path, dir, name, err) != 0)
        return -1;
    if (!certfile_exists(dir, name))
        return sg_error_set(err, "%s not found; create it first with schemagate-certs --out %s "
                            "[--service NAME --namespace NS]", path, dir);
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    int rc = is_key ? certgen_load_key(path, &key, err) : certgen_load_cert(path, &cert, err);
    X509_free(cert);
    EVP_PKEY_free(key);
    if (rc != 0)
        return -1;
    return certfile_read(path, data, length, err);
}

static void free_secret(char *data, size_t length)
{
    if (data != NULL)
        OPENSSL_cleanse(data, length);
    free(data);
}

int certinfo_print_ca_bundle(const char *dir, FILE *out, struct sg_error *err)
{
    char *pem;
    size_t length;
    if (read_checked(dir, "ca.crt", false, &pem, &length, err) != 0)
        return -1;
    char *encoded = certfile_base64(pem, length);
    free(pem);
    if (encoded == NULL)
        return sg_error_set(err, "out of memory encoding %s/ca.crt", dir);
    fprintf(out, "%s\n", encoded);
    free(encoded);
    return 0;
}

/* tls.key must match tls.crt and tls.crt must be signed by ca.crt, or the Secret is useless. */
static int check_pair(const char *dir, struct sg_error *err)
{
    char cert_path[PATH_MAX], key_path[PATH_MAX], ca_path[PATH_MAX];
    if (certfile_path(cert_path, sizeof cert_path, dir, "tls.crt", err) != 0
        || certfile_path(key_path, sizeof key_path, dir, "tls.key", err) != 0
        || certfile_path(ca_path, sizeof ca_path, dir, "ca.crt", err) != 0)
        return -1;
    X509 *cert = NULL, *ca = NULL;
    EVP_PKEY *key = NULL;
    int rc = -1;
    if (certgen_load_cert(cert_path, &cert, err) != 0 || certgen_load_key(key_path, &key, err) != 0
        || certgen_load_cert(ca_path, &ca, err) != 0)
        goto done;
    if (X509_check_private_key(cert, key) != 1) {
        sg_error_set(err, "%s does not belong to %s; issue a fresh pair with schemagate-certs --out %s",
                     key_path, cert_path, dir);
        goto done;
    }
    if (X509_verify(cert, X509_get0_pubkey(ca)) != 1) {
        sg_error_set(err, "%s was not signed by %s; issue a fresh serving certificate with "
                     "schemagate-certs --out %s", cert_path, ca_path, dir);
        goto done;
    }
    rc = 0;
done:
    ERR_clear_error();
    X509_free(cert);
    X509_free(ca);
    EVP_PKEY_free(key);
    return rc;
}

int certinfo_print_secret_manifest(const char *dir, const char *name, const char *namespace_name,
                                   FILE *out, struct sg_error *err)
{
    if (certgen_check_subdomain(name, "--secret-manifest", err) != 0
        || certgen_check_label(namespace_name, "--namespace", err) != 0)
        return -1;
    static const char *const files[] = { "tls.crt", "tls.key", "ca.crt" };
    enum { FILE_COUNT = sizeof files / sizeof files[0] };
    char *data[FILE_COUNT] = { NULL, NULL, NULL };
    size_t lengths[FILE_COUNT] = { 0, 0, 0 };
    char *encoded[FILE_COUNT] = { NULL, NULL, NULL };
    int rc = -1;
    for (size_t i = 0; i < FILE_COUNT; i++) {
        if (read_checked(dir, files[i], i == 1, &data[i], &lengths[i], err) != 0)
            goto done;
        if ((encoded[i] = certfile_base64(data[i], lengths[i])) == NULL) {
            sg_error_set(err, "out of memory encoding %s/%s", dir, files[i]);
            goto done;
        }
    }
    if (check_pair(dir, err) != 0)
        goto done;
    fprintf(out,
            "# schemagate serving certificate for the existing-Secret install mode.\n"
            "# Holds a private key: apply it, do not commit it unencrypted.\n"
            "apiVersion: v1\n"
            "kind: Secret\n"
            "metadata:\n"
            "  name: %s\n"
            "  namespace: %s\n"
            "  labels:\n"
            "    app.kubernetes.io/name: schemagate\n"
            "    app.kubernetes.io/managed-by: schemagate-certs\n"
            "type: kubernetes.io/tls\n"
            "data:\n"
            "  tls.crt: %s\n"
            "  tls.key: %s\n"
            "  ca.crt: %s\n",
            name, namespace_name, encoded[0], encoded[1], encoded[2]);
    rc = 0;
done:
    for (size_t i = 0; i < FILE_COUNT; i++) {
        free_secret(data[i], lengths[i]);
        free_secret(encoded[i], encoded[i] ? strlen(encoded[i]) : 0);
    }
    return rc;
}
