/* tlscert.c - hot-reloadable TLS credentials for GnuTLS (libmicrohttpd's certificate callback).
 * A reload (by the main loop, never in a handshake, so each one is logged and the expiry metric
 * follows) builds a new immutable pair and swaps the pointer; old pairs live until shutdown. */
#include "tlscert.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gnutls/x509.h>

#define TLSCERT_CHAIN_MAX 8
#define TLSCERT_FILE_MAX (256 * 1024)

struct cert_pair {
    gnutls_pcert_st chain[TLSCERT_CHAIN_MAX];
    unsigned int chain_length;
    gnutls_privkey_t key;
    time_t not_after;
    struct cert_pair *older;    /* retired pairs, freed at shutdown */
};

struct file_stamp {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    struct timespec ctime;
};

/* The process's serving credentials: process-wide like the config, set once at start-up. */
static struct {
    pthread_mutex_t lock;
    char *cert_file;
    char *key_file;
    struct cert_pair *current;
    struct file_stamp cert_stamp;
    struct file_stamp key_stamp;
    time_t last_check;
} store = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void pair_free(struct cert_pair *p)
{
    while (p) {
        struct cert_pair *older = p->older;
        for (unsigned i = 0; i < p->chain_length; i++)
            gnutls_pcert_deinit(&p->chain[i]);
        if (p->key)
            gnutls_privkey_deinit(p->key);
        free(p);
        p = older;
    }
}

static int read_small_file(const char *path, gnutls_datum_t *out, struct sg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return sg_error_set(err, "%s: cannot open: %s", path, strerror(errno));
    unsigned char *buf = malloc(TLSCERT_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, TLSCERT_FILE_MAX + 1, f) : 0;
    bool bad = ferror(f) != 0;
    fclose(f);
    if (buf == NULL || bad || n == 0 || n > TLSCERT_FILE_MAX) {
        free(buf);
        return sg_error_set(err, "%s: %s", path, buf == NULL ? "out of memory" : n == 0 ? "file is empty"
                            : bad ? "read error" : "file is larger than 256 KiB");
    }
    buf[n] = '\0';
    out->data = buf;
    out->size = (unsigned int)n;
    return 0;
}

/* The key must belong to the first certificate: during a Secret swap a reader can briefly see
 * a new certificate with the old key. */
static bool pair_matches(struct cert_pair *p)
{
    gnutls_pubkey_t from_key = NULL;
    gnutls_datum_t a = {0}, b = {0};
    bool same = false;
    if (gnutls_pubkey_init(&from_key) == 0 &&
        gnutls_pubkey_import_privkey(from_key, p->key, 0, 0) == 0 &&
        gnutls_pubkey_export2(from_key, GNUTLS_X509_FMT_DER, &a) == 0 &&
        gnutls_pubkey_export2(p->chain[0].pubkey, GNUTLS_X509_FMT_DER, &b) == 0)
        same = a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
    gnutls_free(a.data);
    gnutls_free(b.data);
    if (from_key)
        gnutls_pubkey_deinit(from_key);
    return same;
}

static struct cert_pair *pair_load(const char *cert_file, const char *key_file, struct sg_error *err)
{
    gnutls_datum_t cert = {0}, key = {0};
    struct cert_pair *p = calloc(1, sizeof *p);
    if (p == NULL) {
        sg_error_set(err, "out of memory loading the TLS certificate");
        return NULL;
    }
    int rc;
    if (read_small_file(cert_file, &cert, err) != 0 || read_small_file(key_file, &key, err) != 0)
        goto fail;
    p->chain_length = TLSCERT_CHAIN_MAX;
    if ((rc = gnutls_pcert_list_import_x509_raw(p->chain, &p->chain_length, &cert, GNUTLS_X509_FMT_PEM, 0)) < 0) {
        p->chain_length = 0;
        sg_error_set(err, "%s: not a PEM certificate chain: %s", cert_file, gnutls_strerror(rc));
        goto fail;
    }
    if ((rc = gnutls_privkey_init(&p->key)) < 0 ||
        (rc = gnutls_privkey_import_x509_raw(p->key, &key, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
        sg_error_set(err, "%s: not a PEM private key: %s", key_file, gnutls_strerror(rc));
        goto fail;
    }
    if (!pair_matches(p)) {
        sg_error_set(err, "%s does not belong to the certificate in %s", key_file, cert_file);
        goto fail;
    }
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) == 0) {
        if (gnutls_x509_crt_import(crt, &p->chain[0].cert, GNUTLS_X509_FMT_DER) == 0)
            p->not_after = gnutls_x509_crt_get_expiration_time(crt);
        gnutls_x509_crt_deinit(crt);
    }
    free(cert.data);
    free(key.data);
    return p;
fail:
    free(cert.data);
    free(key.data);
    pair_free(p);
    return NULL;
}

static int stamp_file(const char *path, struct file_stamp *s)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->size = st.st_size;
    s->mtime = st.st_mtim;
    s->ctime = st.st_ctim;
    return 0;
}

static bool stamp_equal(const struct file_stamp *a, const struct file_stamp *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
           a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

int tlscert_open(const char *cert_file, const char *key_file, struct sg_error *err)
{
    struct cert_pair *p = pair_load(cert_file, key_file, err);
    if (p == NULL)
        return -1;
    pthread_mutex_lock(&store.lock);
    store.cert_file = strdup(cert_file);
    store.key_file = strdup(key_file);
    store.current = p;
    stamp_file(cert_file, &store.cert_stamp);
    stamp_file(key_file, &store.key_stamp);
    store.last_check = time(NULL);
    bool oom = store.cert_file == NULL || store.key_file == NULL;
    pthread_mutex_unlock(&store.lock);
    if (oom) {
        tlscert_close();
        return sg_error_set(err, "out of memory");
    }
    return 0;
}

void tlscert_close(void)
{
    pthread_mutex_lock(&store.lock);
    pair_free(store.current);
    free(store.cert_file);
    free(store.key_file);
    store.current = NULL;
    store.cert_file = store.key_file = NULL;
    pthread_mutex_unlock(&store.lock);
}

int tlscert_refresh(struct sg_error *err)
{
    /* Handshakes must never wait on a reload running in another thread. */
    if (pthread_mutex_trylock(&store.lock) != 0)
        return 0;
    int rc = 0;
    time_t now = time(NULL);
    if (store.current == NULL || now == store.last_check)
        goto out;
    store.last_check = now;
    struct file_stamp cert_now, key_now;
    if (stamp_file(store.cert_file, &cert_now) != 0 || stamp_file(store.key_file, &key_now) != 0)
        goto out;     /* mid-swap: keep serving the old pair and look again next second */
    if (stamp_equal(&cert_now, &store.cert_stamp) && stamp_equal(&key_now, &store.key_stamp))
        goto out;
    struct cert_pair *p = pair_load(store.cert_file, store.key_file, err);
    if (p == NULL) {
        rc = -1;
        goto out;
    }
    p->older = store.current;
    store.current = p;
    store.cert_stamp = cert_now;
    store.key_stamp = key_now;
    rc = 1;
out:
    pthread_mutex_unlock(&store.lock);
    return rc;
}

time_t tlscert_not_after(void)
{
    pthread_mutex_lock(&store.lock);
    time_t t = store.current ? store.current->not_after : 0;
    pthread_mutex_unlock(&store.lock);
    return t;
}

int tlscert_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                     const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                     gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey)
{
    (void)session;
    (void)req_ca_dn;
    (void)nreqs;
    (void)pk_algos;
    (void)pk_algos_length;
    pthread_mutex_lock(&store.lock);
    struct cert_pair *p = store.current;
    pthread_mutex_unlock(&store.lock);
    if (p == NULL)
        return -1;
    *pcert = p->chain;
    *pcert_length = p->chain_length;
    *pkey = p->key;
    return 0;
}
