/* certinfo.h - reading back what schemagate-certs wrote: expiry checks, caBundle, Secret YAML.
 * These never generate anything; they read files, validate them, and print to a FILE stream, so
 * install scripts can capture stdout while status messages stay on stderr. */
#ifndef SCHEMAGATE_CERTINFO_H
#define SCHEMAGATE_CERTINFO_H

#include <stdio.h>
#include <time.h>

#include "error.h"

#define CERTINFO_WARN_DAYS 30

/* --check outcomes, which are also the process exit codes. */
enum certinfo_status {
    CERTINFO_VALID = 0,     /* valid for more than CERTINFO_WARN_DAYS days */
    CERTINFO_EXPIRING = 1,  /* valid now, expires within CERTINFO_WARN_DAYS days */
    CERTINFO_INVALID = 2,   /* expired, not yet valid, or unreadable (ERR says why) */
};

/* Prints subject, issuer, names, validity and days left of the first certificate in PATH to OUT,
 * judged at time NOW. Unreadable files return CERTINFO_INVALID with ERR filled and print nothing. */
enum certinfo_status certinfo_check(const char *path, time_t now, FILE *out, struct sg_error *err);

/* Prints base64 of DIR/ca.crt (the whole PEM file) on one line, for a webhook's caBundle. */
int certinfo_print_ca_bundle(const char *dir, FILE *out, struct sg_error *err);

/* Prints a kubernetes.io/tls Secret NAME in NAMESPACE holding DIR's tls.crt, tls.key and ca.crt,
 * after checking that the key matches the certificate and the CA signed it. */
int certinfo_print_secret_manifest(const char *dir, const char *name, const char *namespace_name,
                                   FILE *out, struct sg_error *err);

#endif
