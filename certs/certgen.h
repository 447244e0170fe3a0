/* certgen.h - issuing schemagate's TLS files: a CA and an ECDSA P-256 serving certificate.
 * The library half of schemagate-certs (the CLI in schemagate_certs.c is a thin user of it);
 * OpenSSL libcrypto only, every object freed, every failure a sentence in a struct sg_error. */
#ifndef SCHEMAGATE_CERTGEN_H
#define SCHEMAGATE_CERTGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "error.h"

#define CERTGEN_MAX_NAMES 100         /* per kind (DNS, IP); far more than any webhook needs */
#define CERTGEN_DNS_NAME_MAX 253
#define CERTGEN_DEFAULT_DAYS 365
#define CERTGEN_MAX_DAYS 3650
#define CERTGEN_CA_DAYS 3650          /* 10 years: the caBundle outlives many serving certs */
#define CERTGEN_BACKDATE_SECONDS 300  /* notBefore slack for nodes whose clocks run behind */
#define CERTGEN_NAMES_TEXT_MAX 4096

/* The subjectAltNames of a serving certificate, in the order given; CN is the first DNS name. */
struct certgen_names {
    char dns[CERTGEN_MAX_NAMES][CERTGEN_DNS_NAME_MAX + 1];
    size_t dns_count;
    unsigned char ip[CERTGEN_MAX_NAMES][16];
    size_t ip_length[CERTGEN_MAX_NAMES];  /* 4 (IPv4) or 16 (IPv6) */
    size_t ip_count;
};

struct certgen_outcome {
    bool ca_created;                      /* false: the CA already in DIR signed the cert */
    time_t ca_not_after;
    time_t cert_not_after;
    char names_text[CERTGEN_NAMES_TEXT_MAX];  /* "DNS:a, IP:127.0.0.1" */
};

void certgen_names_init(struct certgen_names *names);
/* A DNS name (optionally "*." wildcard); stored lower-case, duplicates ignored. */
int certgen_names_add_dns(struct certgen_names *names, const char *name, struct sg_error *err);
/* An IPv4 or IPv6 address in text form; duplicates ignored. */
int certgen_names_add_ip(struct certgen_names *names, const char *address, struct sg_error *err);
/* SERVICE.NAMESPACE.svc, SERVICE.NAMESPACE.svc.cluster.local, SERVICE.NAMESPACE, SERVICE. */
int certgen_names_add_service(struct certgen_names *names, const char *service,
                              const char *namespace_name, struct sg_error *err);
/* The names of schemagate's default install plus localhost and 127.0.0.1. */
int certgen_names_add_defaults(struct certgen_names *names, struct sg_error *err);
bool certgen_names_empty(const struct certgen_names *names);

/* Checks a Kubernetes object name: a DNS-1123 label (namespaces) or subdomain (Secrets). WHAT
 * names the flag for the message. */
int certgen_check_label(const char *value, const char *what, struct sg_error *err);
int certgen_check_subdomain(const char *value, const char *what, struct sg_error *err);

/* Writes DIR/tls.crt and DIR/tls.key for NAMES, valid DAYS days, signed by the CA in DIR/ca.crt +
 * DIR/ca.key when both exist, else by a new CA written there first. Creates DIR when missing. */
int certgen_issue(const char *dir, const struct certgen_names *names, int days,
                  struct certgen_outcome *outcome, struct sg_error *err);

/* Loading PEM files; the caller frees the result. Encrypted keys are refused, never prompted for. */
int certgen_load_cert(const char *path, X509 **cert, struct sg_error *err);
int certgen_load_key(const char *path, EVP_PKEY **key, struct sg_error *err);

/* "DNS:a, DNS:b, IP:127.0.0.1" from the certificate's subjectAltName ("(none)" without one). */
void certgen_describe_names(const X509 *cert, char *out, size_t size);
/* The certificate's subject in RFC 2253 form ("CN=..."). */
void certgen_describe_subject(const X509_NAME *name, char *out, size_t size);
int certgen_time_to_unix(const ASN1_TIME *time, time_t *out);
/* "2026-11-20T10:02:11Z"; OUT holds at least 32 bytes. */
void certgen_format_time(time_t when, char *out, size_t size);

/* Fills ERR with "<what>: <OpenSSL's reason>" and clears OpenSSL's error queue. */
int certgen_openssl_error(struct sg_error *err, const char *what);

#endif
