/* certfile.c - output directory, atomic file writes with an exact mode, bounded reads, base64.
 * Every write is temp file + fchmod + write + fsync + rename, so tls.key is never readable by
 * others, not even for a moment, and a server re-reading the files sees old or new, never half. */
#include "certfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

int certfile_path(char *out, size_t size, const char *dir, const char *name, struct sg_error *err)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size)
        return sg_error_set(err, "path %s/%s is too long (limit %zu bytes); use a shorter --out",
                            dir, name, size - 1);
    return 0;
}

int certfile_make_dir(const char *dir, struct sg_error *err)
{
    char path[PATH_MAX];
    size_t len = strlen(dir);
    if (len == 0)
        return sg_error_set(err, "--out is empty; give the directory for ca.crt, tls.crt and tls.key");
    if (len >= sizeof path)
        return sg_error_set(err, "--out %s is too long (limit %zu bytes)", dir, sizeof path - 1);
    memcpy(path, dir, len + 1);

    /* Walk the components left to right, creating each missing one (mkdir -p). */
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0755) == 0) {
            /* mkdir honours the umask; the contract is 0755 for what we create. */
            if (chmod(path, 0755) != 0) {
                int e = errno;
                return sg_error_set(err, "cannot set mode 0755 on directory %s: %s", path, strerror(e));
            }
        } else if (errno != EEXIST) {
            int e = errno;
            return sg_error_set(err, "cannot create directory %s: %s; check the path and permissions of --out",
                                path, strerror(e));
        }
        path[i] = saved;
    }

    struct stat st;
    if (stat(dir, &st) != 0) {
        int e = errno;
        return sg_error_set(err, "cannot use --out %s: %s", dir, strerror(e));
    }
    if (!S_ISDIR(st.st_mode))
        return sg_error_set(err, "--out %s exists but is not a directory; give a directory path", dir);
    return 0;
}

bool certfile_exists(const char *dir, const char *name)
{
    char path[PATH_MAX];
    if (certfile_path(path, sizeof path, dir, name, NULL) != 0)
        return true;
    struct stat st;
    return lstat(path, &st) == 0 || errno != ENOENT;
}

static int write_all(int fd, const unsigned char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int certfile_write(const char *dir, const char *name, const void *data, size_t len, mode_t mode,
                   struct sg_error *err)
{
    char path[PATH_MAX];
    char temp[PATH_MAX];
    char temp_name[NAME_MAX];
    snprintf(temp_name, sizeof temp_name, ".%s.XXXXXX", name);
    if (certfile_path(path, sizeof path, dir, name, err) != 0
        || certfile_path(temp, sizeof temp, dir, temp_name, err) != 0)
        return -1;

    /* mkstemp creates with O_EXCL and mode 0600, so the file is private from its first instant. */
    int fd = mkstemp(temp);
    if (fd < 0) {
        int e = errno;
        return sg_error_set(err, "cannot create a file in %s: %s; check that the directory is writable",
                            dir, strerror(e));
    }
    int failed_errno = 0;
    const char *step = NULL;
    if (fchmod(fd, mode) != 0) {
        failed_errno = errno;
        step = "set the mode of";
    } else if (write_all(fd, data, len) != 0) {
        failed_errno = errno;
        step = "write";
    } else if (fsync(fd) != 0) {
        failed_errno = errno;
        step = "flush";
    }
    if (close(fd) != 0 && step == NULL) {
        failed_errno = errno;
        step = "close";
    }
    if (step == NULL && rename(temp, path) != 0) {
        failed_errno = errno;
        step = "replace";
    }
    if (step != NULL) {
        unlink(temp);
        return sg_error_set(err, "cannot %s %s: %s", step, path, strerror(failed_errno));
    }
    return 0;
}

int certfile_read(const char *path, char **data, size_t *len, struct sg_error *err)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return sg_error_set(err, "cannot read %s: %s", path, strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return sg_error_set(err, "cannot read %s: not a regular file", path);
    }
    if (st.st_size > CERTFILE_READ_MAX) {
        close(fd);
        return sg_error_set(err, "%s is %lld bytes, larger than any certificate or key (limit %d); "
                            "is it the right file?", path, (long long)st.st_size, CERTFILE_READ_MAX);
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        close(fd);
        return sg_error_set(err, "out of memory reading %s", path);
    }
    size_t used = 0;
    for (;;) {
        if (used == (size_t)st.st_size)
            break;
        ssize_t n = read(fd, buf + used, (size_t)st.st_size - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return sg_error_set(err, "cannot read %s: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    buf[used] = '\0';
    *data = buf;
    *len = used;
    return 0;
}

char *certfile_base64(const void *data, size_t len)
{
    if (len > (size_t)INT_MAX / 2)
        return NULL;
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (out == NULL)
        return NULL;
    /* EVP_EncodeBlock writes one unbroken line and the terminating NUL. */
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}
