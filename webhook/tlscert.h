/* tlscert.h - the serving certificate and key for TLS, re-read when the files change.
 * Kubelet updates Secret volumes by swapping a symlink, cert-manager rotates before expiry:
 * each TLS handshake uses the newest pair that loaded and matched, never a half-written one. */
#ifndef SCHEMAGATE_TLSCERT_H
#define SCHEMAGATE_TLSCERT_H

#include <time.h>

#include <gnutls/abstract.h>

#include "error.h"

/* Loads the pair and makes it the process's serving certificate. One per process. */
int tlscert_open(const char *cert_file, const char *key_file, struct sg_error *err);
void tlscert_close(void);

/* Re-reads the files if they changed (at most once a second). Returns 1 when a new pair was
 * loaded, 0 when nothing changed, -1 (with err) when the new files do not load: the old pair
 * then stays in use. One caller (the server's main loop) so that every reload is reported. */
int tlscert_refresh(struct sg_error *err);

/* notAfter of the certificate in use (0 when none). */
time_t tlscert_not_after(void);

/* The GnuTLS certificate callback for MHD_OPTION_HTTPS_CERT_CALLBACK. */
int tlscert_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                     const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                     gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey);

#endif
