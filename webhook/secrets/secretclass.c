/* secretclass.c - the word lists behind "credential-sounding name" and "credential value".
 * A name is a credential when its last credential word (password, token, secret, key after a
 * qualifier such as api/secret/private) is followed only by neutral words (b64, value, base);
 * anything else after it (name, file, ttl, length) makes it configuration about a credential. */
#include "secretclass.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "simd.h"

#define NAME_WORDS_MAX 24
#define NAME_WORD_MAX 40

struct name_words {
    char word[NAME_WORDS_MAX][NAME_WORD_MAX];
    size_t count;
};

static bool in_list(const char *word, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(word, *list) == 0)
            return true;
    return false;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* `list` holds lower-case words: the first byte rules most of them out before any length. */
static bool in_list_ci(const char *s, size_t len, const char *const *list)
{
    if (len == 0)
        return false;   /* no list holds "" */
    char first = (char)tolower((unsigned char)s[0]);
    for (; *list; list++)
        if ((*list)[0] == first && strlen(*list) == len && strncasecmp(s, *list, len) == 0)
            return true;
    return false;
}

/* Splits on every non-alphanumeric character and on camelCase boundaries; lower-cases. */
static void split_words(const char *name, size_t len, struct name_words *w)
{
    w->count = 0;
    size_t cur = 0;
    for (size_t i = 0; i <= len && w->count < NAME_WORDS_MAX; i++) {
        unsigned char c = i < len ? (unsigned char)name[i] : 0;
        bool alnum = c && isalnum(c);
        bool camel = alnum && i > 0 && isupper(c) && islower((unsigned char)name[i - 1]);
        if ((!alnum || camel) && cur > 0) {
            w->word[w->count][cur] = '\0';
            w->count++;
            cur = 0;
        }
        if (alnum && w->count < NAME_WORDS_MAX && cur < NAME_WORD_MAX - 1)
            w->word[w->count][cur++] = (char)tolower(c);
    }
}

/* ---- credential stems, 16 bytes at a time ---------------------------------------------- */

/* The one list of stems: the byte-pair tables, the vector test and stem_starts below are all
 * built from it. */
const char *const secretclass_stems[] = {
    "pass", "pw", "pswd", "cred", "cookie", "contrasena", "secret", "token", "key", "auth", NULL,
};
#define STEM_COUNT (sizeof secretclass_stems / sizeof secretclass_stems[0] - 1)

/* A set of stems: bit j for secretclass_stems[j]. */
typedef uint16_t stem_set;
_Static_assert(STEM_COUNT <= 16, "a stem_set holds every stem");

/* stem_first[c]: the stems whose first letter is c in either case; stem_second[c]: those whose
 * second letter is. A byte pair x, y opens the stems stem_first[x] & stem_second[y]. */
static stem_set stem_first[256], stem_second[256];

/* stem_first and stem_second, from secretclass_stems: filled once, before main runs
 * (single-threaded), and only read after. */
__attribute__((constructor)) static void stem_tables_build(void)
{
    for (size_t j = 0; j < STEM_COUNT; j++) {
        const char *stem = secretclass_stems[j];
        for (size_t k = 0; k < 2; k++) {
            stem_set *table = k == 0 ? stem_first : stem_second;
            unsigned char c = (unsigned char)stem[k];
            table[c] |= (stem_set)(1u << j);
            table[c & ~0x20u] |= (stem_set)(1u << j);   /* the upper-case letter */
        }
    }
}

/* Every name and many values go through the stem scan, so it looks at a window of 16 bytes
 * per step (simd.h) and only at the bytes of a window that may open a stem one by one. */

/* Lanes where a byte of x and the byte after it (in y) may open a stem: its first two letters
 * in either case (| 0x20 maps only a letter's two cases onto the lower-case letter). Most
 * windows have none, and then no byte of them is looked at one by one. The list is constant,
 * so the compiler unrolls these loops into comparisons with constant vectors, one per letter:
 * the stems are grouped by their first letter (a first letter seen before is skipped). */
static inline simd_mask stem_openings(simd_bytes x, simd_bytes y)
{
    x |= 0x20;
    y |= 0x20;
    simd_mask m = {0};
#pragma GCC unroll 16
    for (size_t j = 0; j < STEM_COUNT; j++) {
        const char first = secretclass_stems[j][0];
        bool seen = false;
#pragma GCC unroll 16
        for (size_t i = 0; i < j; i++)
            seen |= secretclass_stems[i][0] == first;
        if (seen)
            continue;
        simd_mask second = {0};
#pragma GCC unroll 16
        for (size_t i = j; i < STEM_COUNT; i++)
            if (secretclass_stems[i][0] == first)
                second |= y == simd_splat((unsigned char)secretclass_stems[i][1]);
        m |= (x == simd_splat((unsigned char)first)) & second;
    }
    return m;
}

/* `stem` (lower-case letters, maybe none) starts s[0..len), in any case. */
static bool stem_at(const char *s, size_t len, const char *stem)
{
    for (size_t k = 0; stem[k]; k++)
        if (k >= len || (char)(s[k] | 0x20) != stem[k])
            return false;
    return true;
}

static inline uint32_t word4(const char *s)
{
    uint32_t w;
    memcpy(&w, s, sizeof w);
    return w;
}

/* A stem starts at name[i] (in any case). The list is constant: an optimizing compiler unrolls
 * the loop into comparisons with constants, of the byte pair there and then of four bytes at
 * once (| 0x20 maps only a letter's two cases onto the lower-case letter) when the stem and
 * the text have them; unoptimized it is a plain loop over the list, with the same answers. */
static bool stem_starts(const char *name, size_t len, size_t i)
{
    const char *s = name + i;
    size_t n = len - i;   /* at least 2 */
    unsigned pair = (unsigned char)(s[0] | 0x20) | (unsigned)(unsigned char)(s[1] | 0x20) << 8;
#pragma GCC unroll 16
    for (size_t j = 0; j < STEM_COUNT; j++) {
        const char *stem = secretclass_stems[j];
        if (pair != ((unsigned char)stem[0] | (unsigned)(unsigned char)stem[1] << 8))
            continue;
        if (strlen(stem) < 4 || n < 4) {
            if (stem_at(s + 2, n - 2, stem + 2))
                return true;
        } else if ((word4(s) | 0x20202020u) == word4(stem) && stem_at(s + 4, n - 4, stem + 4)) {
            return true;
        }
    }
    return false;
}

/* The stems the byte pair at s opens. */
static inline stem_set stems_opened(const char *s)
{
    return stem_first[(unsigned char)s[0]] & stem_second[(unsigned char)s[1]];
}

/* A stem starts at one of the lanes set in `openings`: lane k of half h is name[base[h] + k]. */
static bool stem_in_lanes(const char *name, size_t len, const size_t base[2], simd_mask openings)
{
    uint64_t half[2];
    simd_halves(openings, half);
    for (size_t h = 0; h < 2; h++) {
        for (uint64_t lanes = half[h]; lanes != 0;) {
            uint64_t bits;
            size_t i = base[h] + simd_first_lane(lanes, &bits);
            lanes &= ~bits;
            if (i + 1 < len && stem_starts(name, len, i))
                return true;
        }
    }
    return false;
}

/* Every word word_kind does not call plain contains one of secretclass_stems (password words
 * contain "pass", "pw" or "pswd"; apikey contains "key"; credential "cred"; authorization
 * "auth"), and every word is a piece of the name. A name without any stem has no credential
 * word: most names (LOG_LEVEL, HTTP_PORT) are settled by this one pass, without splitting
 * them. */
/* Texts longer than two windows; kept out of line so that the short path, which most names
 * take, runs without the vector path's register saves. */
__attribute__((noinline)) static bool has_stem_windows(const char *name, size_t len)
{
    const size_t half = SIMD_WIDTH / 2;
    const size_t reach = SIMD_WIDTH + 1;   /* a lane looks at its byte and the next */
    for (size_t at = 0; at != SIZE_MAX; at = simd_next(at, len, reach)) {
        simd_mask m = stem_openings(simd_load(name + at), simd_load(name + at + 1));
        const size_t base[2] = {at, at + half};
        if (simd_any(m) && stem_in_lanes(name, len, base, m))
            return true;
    }
    return false;
}

bool secretclass_has_stem(const char *name, size_t len)
{
    if (len > 2 * SIMD_WIDTH)
        return has_stem_windows(name, len);
    /* Short texts (most names) byte pair by byte pair: below two windows that costs less than
     * assembling them and looking at their candidate lanes. */
    for (size_t i = 0; i + 1 < len; i++) {
        if (stems_opened(name + i) != 0 && stem_starts(name, len, i))
            return true;
    }
    return false;
}

enum word_kind { WORD_PLAIN, WORD_PASSWORD, WORD_SECRET, WORD_TOKEN, WORD_KEY, WORD_CREDENTIAL, WORD_AUTH };

static const char *const password_words[] = {
    "pass", "passwd", "pwd", "pw", "pword", "pswd", "passw", "dbpass", "mongopass", "smtppass",
    "rootpass", "adminpass", "userpass", "redispass", "mysqlpass", "pgpass", "passwort", "bindpw", "rootpw",
    "authtok", NULL,
};

static enum word_kind word_kind(const char *w)
{
    if (!secretclass_has_stem(w, strlen(w)))
        return WORD_PLAIN;
    /* Words naming a place or a reference are never credentials: pgpassfile, keyfile. */
    if (ends_with(w, "file") || ends_with(w, "path") || ends_with(w, "dir") || ends_with(w, "name"))
        return WORD_PLAIN;
    if (strstr(w, "password") || strstr(w, "passphrase") || strstr(w, "contrasena") || in_list(w, password_words))
        return WORD_PASSWORD;
    if (strcmp(w, "secret") == 0 || strcmp(w, "secrets") == 0 || (ends_with(w, "secret") && strlen(w) > 6) ||
        strcmp(w, "cookie") == 0)
        return WORD_SECRET;
    if (strcmp(w, "token") == 0 || strcmp(w, "tokens") == 0 || ends_with(w, "token") || strcmp(w, "apikey") == 0 ||
        ends_with(w, "apikey"))
        return WORD_TOKEN;
    if (strcmp(w, "key") == 0 || strcmp(w, "keys") == 0)
        return WORD_KEY;
    if (strcmp(w, "credential") == 0 || strcmp(w, "credentials") == 0 || strcmp(w, "creds") == 0 ||
        strcmp(w, "cred") == 0)
        return WORD_CREDENTIAL;
    if (strcmp(w, "auth") == 0 || strcmp(w, "authorization") == 0 || strcmp(w, "authtoken") == 0)
        return WORD_AUTH;
    return WORD_PLAIN;
}

/* Words that make "key" a credential when they come before it (API_KEY, SIGNING_KEY). */
static const char *const key_qualifiers[] = {
    "secret", "api", "private", "priv", "signing", "sign", "encryption", "encrypt", "crypt", "crypto",
    "master", "app", "license", "licence", "session", "hmac", "jwt", "cookie", "webhook", "service",
    "account", "storage", "sas", "ssh", "shared", "client", "auth", "cipher", "aes", "subscription",
    "admin", "root", "ingest", "deploy", "pat", "access_secret", "write", "management", "encrypted",
    "symmetric", "token", NULL,
};

/* Words that may follow the credential word without changing what the value is. */
static const char *const neutral_suffixes[] = {
    "b64", "base64", "hex", "enc", "encoded", "value", "val", "plain", "plaintext", "raw", "str",
    "string", "text", "secure", "old", "new", "current", "curr", "prev", "previous", "next", "primary",
    "secondary", "base", "key", "literal", "data", "content", "contents", NULL,
};

static bool is_number_word(const char *w)
{
    for (; *w; w++)
        if (!isdigit((unsigned char)*w))
            return false;
    return true;
}

bool secretclass_name(const char *name, size_t len)
{
    if (!secretclass_has_stem(name, len))
        return false;
    struct name_words w;
    split_words(name, len, &w);
    enum word_kind kinds[NAME_WORDS_MAX];   /* each word classified once */
    for (size_t i = 0; i < w.count; i++)
        kinds[i] = word_kind(w.word[i]);
    size_t last = NAME_WORDS_MAX;
    enum word_kind kind = WORD_PLAIN;
    for (size_t i = 0; i < w.count; i++) {
        enum word_kind k = kinds[i];
        if (k == WORD_KEY) {
            bool qualified = false;
            for (size_t j = 0; j < i && !qualified; j++)
                qualified = kinds[j] == WORD_SECRET || in_list(w.word[j], key_qualifiers);
            /* JWT_PUBLIC_KEY, STRIPE_PUBLISHABLE_KEY: public halves are not secrets. */
            if (i > 0 && (strcmp(w.word[i - 1], "public") == 0 || strcmp(w.word[i - 1], "publishable") == 0 ||
                          strcmp(w.word[i - 1], "pub") == 0))
                qualified = false;
            if (!qualified)
                continue;
        }
        if (k != WORD_PLAIN) {
            last = i;
            kind = k;
        }
    }
    if (last == NAME_WORDS_MAX)
        return false;
    for (size_t i = last + 1; i < w.count; i++)
        if (!in_list(w.word[i], neutral_suffixes) && !is_number_word(w.word[i]))
            return false;
    /* Names that point at a Secret rather than hold a value: DB_PASSWORD_SECRET_KEY,
     * passwordKey, existingSecret. */
    bool password_before = false;
    for (size_t i = 0; i < last; i++)
        if (kinds[i] == WORD_PASSWORD)
            password_before = true;
    if (password_before && (kind == WORD_SECRET || kind == WORD_KEY))
        return false;
    for (size_t i = 0; i < last; i++)
        if (strcmp(w.word[i], "existing") == 0)
            return false;
    if (last + 1 < w.count && strcmp(w.word[last + 1], "key") == 0 && kind != WORD_SECRET)
        return false;   /* passwordKey, tokenKey: the key name inside a Secret */
    return true;
}

/* One Kubernetes object name: lower-case letters, digits, "-" and ".", a letter among them,
 * alphanumeric at both ends. */
static bool object_name(const char *v, size_t n)
{
    if (n == 0 || n > 253 || !isalnum((unsigned char)v[0]) || !isalnum((unsigned char)v[n - 1]))
        return false;
    bool letter = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (islower(c))
            letter = true;
        else if (!isdigit(c) && c != '-' && c != '.')
            return false;
    }
    return letter;
}

/* `text` holds "secret" in any case: every name secretclass_names_secret accepts does (its last
 * or only word is "secret" or "secrets", a piece of the name), so this settles most names
 * without splitting them into words. */
static bool holds_secret(const char *text, size_t len)
{
    for (size_t i = 0; i + 6 <= len; i++)
        if ((text[i] | 0x20) == 's' && strncasecmp(text + i, "secret", 6) == 0)
            return true;
    return false;
}

bool secretclass_names_secret(const char *name, size_t len, const char *v, size_t n)
{
    if (!holds_secret(name, len))
        return false;
    struct name_words w;
    split_words(name, len, &w);
    if (w.count == 0)
        return false;
    const char *last = w.word[w.count - 1];
    bool plural = strcmp(last, "secrets") == 0;
    bool kube = false;
    for (size_t i = 0; i + 1 < w.count; i++)
        kube = kube || strcmp(w.word[i], "kube") == 0 || strcmp(w.word[i], "k8s") == 0 ||
               strcmp(w.word[i], "kubernetes") == 0;
    if (!(plural || (kube && strcmp(last, "secret") == 0)))
        return false;
    /* The value: one name, or a comma-separated list of them. */
    size_t names = 0;
    for (size_t s = 0; s <= n;) {
        size_t e = s;
        while (e < n && v[e] != ',')
            e++;
        size_t a = s, b = e;
        while (a < b && v[a] == ' ')
            a++;
        while (b > a && v[b - 1] == ' ')
            b--;
        if (!object_name(v + a, b - a))
            return false;
        names++;
        s = e + 1;
    }
    return names > 0;
}

bool secretclass_is_authorization(const char *name, size_t len)
{
    if (len == 13)
        return strncasecmp(name, "authorization", 13) == 0;
    return len == 19 && strncasecmp(name, "proxy-authorization", 19) == 0;
}

/* ---- values ------------------------------------------------------------------------------ */

static bool all_chars(const char *s, size_t len, const char *set)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (strchr(set, s[i]) == NULL)
            return false;
    return true;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
    if (prefix[0] != '\0' && (len == 0 || s[0] != prefix[0]))
        return false;   /* most prefixes end here, before their length is measured */
    size_t n = strlen(prefix);
    return len >= n && strncmp(s, prefix, n) == 0;
}

static bool contains(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(s + i, needle, n) == 0)
            return true;
    return false;
}

/* Whole-value placeholders: __X__, <x>, %(x)s, %s, %X%, @X@, #{x}, {x}, [[x]], ((x)), {{ x }}. */
static bool is_placeholder(const char *v, size_t n)
{
    if (n >= 5 && starts_with(v, n, "__") && v[n - 1] == '_' && v[n - 2] == '_')
        return true;
    if (n >= 3 && v[0] == '<' && v[n - 1] == '>')
        return true;
    if (n >= 4 && starts_with(v, n, "%(") && v[n - 1] == 's' && v[n - 2] == ')')
        return true;
    if (n == 2 && v[0] == '%' && strchr("sdqb", v[1]))
        return true;   /* a printf conversion: the argument is judged where printf's output is */
    if (n >= 3 && ((v[0] == '%' && v[n - 1] == '%') || (v[0] == '@' && v[n - 1] == '@')))
        return true;
    if (n >= 3 && (starts_with(v, n, "#{") || v[0] == '{') && v[n - 1] == '}')
        return true;
    if (n >= 4 && ((starts_with(v, n, "[[") && v[n - 1] == ']') || (starts_with(v, n, "((") && v[n - 1] == ')')))
        return true;
    if (contains(v, n, "{{") && contains(v, n, "}}"))
        return true;
    if (contains(v, n, "${") || contains(v, n, "$("))
        return true;
    return false;
}

static bool is_masked(const char *v, size_t n)
{
    static const char *const words[] = {
        "redacted", "<redacted>", "[redacted]", "hidden", "masked", "prompt", "none", "null", "nil", "~",
        "undefined", "unset", "n/a", "-", "--", "...", "\"\"", "''", NULL,
    };
    if (all_chars(v, n, "*") || (n >= 3 && all_chars(v, n, "xX")) || all_chars(v, n, ".") || all_chars(v, n, "#"))
        return true;
    if (starts_with(v, n, "\xe2\x80\xa2"))
        return true; /* •••• */
    return in_list_ci(v, n, words);
}

static bool is_boolean(const char *v, size_t n)
{
    static const char *const words[] = {
        "true", "false", "yes", "no", "on", "off", "y", "n", "enabled", "disabled", "enable", "disable",
        "required", "optional", "always", "never", "auto", NULL,
    };
    return in_list_ci(v, n, words);
}

static bool is_number(const char *v, size_t n)
{
    size_t i = 0;
    if (n > 0 && (v[0] == '-' || v[0] == '+'))
        i = 1;
    if (i >= n)
        return false;
    bool dot = false;
    size_t digits = 0;
    for (; i < n; i++) {
        if (v[i] == '.' && !dot) {
            dot = true;
            continue;
        }
        if (!isdigit((unsigned char)v[i]))
            return false;
        digits++;
    }
    /* A long run of digits can be a PIN-style password; counts, ports and TTLs are short. */
    return dot || digits < 6;
}

static bool is_duration(const char *v, size_t n)
{
    static const char *const units[] = {"ns", "us", "ms", "s", "m", "h", "d", "w", "y", NULL};
    size_t i = 0;
    bool any = false;
    while (i < n) {
        size_t start = i;
        while (i < n && (isdigit((unsigned char)v[i]) || v[i] == '.'))
            i++;
        if (i == start)
            return false;
        size_t u = i;
        while (i < n && isalpha((unsigned char)v[i]))
            i++;
        if (i == u || !in_list_ci(v + u, i - u, units))
            return false;
        any = true;
    }
    return any;
}

static bool is_algorithm(const char *v, size_t n)
{
    static const char *const words[] = {
        "argon2", "argon2id", "argon2i", "argon2d", "bcrypt", "scrypt", "pbkdf2", "pbkdf2_sha256",
        "pbkdf2-sha256", "pbkdf2_sha512", "sha1", "sha-1", "sha256", "sha-256", "sha384", "sha512", "sha-512",
        "md5", "hs256", "hs384", "hs512", "rs256", "rs384", "rs512", "es256", "es384", "es512", "ps256",
        "eddsa", "ed25519", "rsa", "aes", "aes128", "aes256", "aes-128-gcm", "aes-256-gcm", "aes-256-cbc",
        "hmac-sha256", "hmacsha256", "scram-sha-256", "scram-sha-1", "trust", "peer", "ident", "cert", "basic",
        "bearer", "digest", "oauth", "oauth2", "oidc", "ldap", "kerberos", "gssapi", "plain", "md5crypt",
        "sha256crypt", "sha512crypt", "mysql_native_password", "caching_sha2_password", "iam", "vault",
        "kubernetes", "aws", "gcp", "azure", "env", "file", "secret", "secretmanager", "secretsmanager",
        "keyvault", "random", "generate", "generated", "container", "application", NULL,
    };
    return in_list_ci(v, n, words);
}

/* Paths and pointers to where the secret really lives. */
static bool is_reference(const char *v, size_t n)
{
    static const char *const prefixes[] = {
        "/", "~/", "./", "../", "file:", "filesystem:", "classpath:", "vault:", "ref+", "arn:", "ENC[",
        "sops:", "sm://", "awssm:", "secretsmanager:", "secretmanager:", "azurekeyvault:", "akv:",
        "gcpsm:", "op://", "bws:", "doppler:", "env:", "secret:", "secretref:", "keyvault:", "!vault",
        "@/", "$__file{", "$__env{", "gcp:secretmanager:", "aws:secretsmanager:", "aws:ssm:", NULL,
    };
    for (const char *const *p = prefixes; *p; p++)
        if (starts_with(v, n, *p))
            return true;
    if (n > 3 && isalpha((unsigned char)v[0]) && v[1] == ':' && v[2] == '\\')
        return true; /* C:\path */
    if (contains(v, n, "://"))
        return true; /* URLs: a password inside is found by the URI detector */
    if (starts_with(v, n, "projects/") && contains(v, n, "/secrets/"))
        return true;
    /* Relative store paths such as secret/data/db or database/creds/app. */
    size_t slashes = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '/')
            slashes++;
        else if (!(islower((unsigned char)v[i]) || isdigit((unsigned char)v[i]) || strchr("_.-", v[i])))
            return false;
    }
    return slashes >= 1 && v[0] != '/' && v[n - 1] != '/';
}

/* A crypt(3) modular hash: "$ID$" with a known ID, then salt and hash ($apr1$ for Apache
 * htpasswd, $y$ yescrypt, ...). "$up3r$ecret" has no such ID: a literal. */
static bool crypt_hash(const char *v, size_t n)
{
    static const char *const ids[] = {
        "1", "2a", "2b", "2x", "2y", "5", "6", "7", "apr1", "y", "gy", "sha1", "md5", "argon2i", "argon2d",
        "argon2id", "scrypt", "pbkdf2", "pbkdf2-sha256", "pbkdf2-sha512", "bcrypt-sha256", NULL,
    };
    if (n < 8 || v[0] != '$')
        return false;
    const char *end = memchr(v + 1, '$', n - 1 < 16 ? n - 1 : 16);
    if (end == NULL || (size_t)(end - v) + 4 > n)
        return false;
    size_t idl = (size_t)(end - v - 1);
    for (const char *const *id = ids; *id; id++)
        if (strlen(*id) == idl && memcmp(v + 1, *id, idl) == 0)
            return true;
    return false;
}

/* Hashes, public keys and certificates are not credential material. */
static bool is_public_material(const char *v, size_t n)
{
    if (starts_with(v, n, "-----BEGIN") && !contains(v, n, "PRIVATE KEY"))
        return true;
    static const char *const prefixes[] = {
        "ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-", "$2a$", "$2b$", "$2y$", "$argon2", "$6$", "$5$", "$1$",
        "{SSHA}", "{SHA}", "{bcrypt}", "{noop}" /* Spring: noop prefix is plaintext, handled below */,
        "sha256:", "sha512:", "pbkdf2_sha256$", "SCRAM-SHA-256$", NULL,
    };
    if (starts_with(v, n, "{noop}"))
        return false;
    for (const char *const *p = prefixes; *p; p++)
        if (starts_with(v, n, *p))
            return true;
    if (n == 35 && starts_with(v, n, "md5") && all_chars(v + 3, 32, "0123456789abcdef"))
        return true; /* PostgreSQL md5 password hash */
    return crypt_hash(v, n);
}

/* Code that fetches the value at run time: os.environ['X'], getenv("X"), process.env.X,
 * PHP/Laravel env('X', ''). */
static bool is_code_reference(const char *v, size_t n)
{
    static const char *const prefixes[] = {
        "process.env.", "os.environ", "System.getenv", "ENV.fetch", "ENV[", "env(", "getenv(", "get_env(",
        "env_var(", NULL,
    };
    for (const char *const *p = prefixes; *p; p++)
        if (starts_with(v, n, *p))
            return true;
    size_t i = 0;
    if (n == 0 || !(isalpha((unsigned char)v[0]) || v[0] == '_'))
        return false;
    while (i < n && (isalnum((unsigned char)v[i]) || v[i] == '_' || v[i] == '.'))
        i++;
    return i < n && (v[i] == '(' || v[i] == '[') && memchr(v, '.', i) != NULL;
}

/* The whole value is "$NAME" with NAME spelled the way environment variables are (upper case,
 * digits, underscores): a variable that some later step expands. A value that merely starts
 * with "$" ("$up3rS3cret!") is a literal: outside a shell script nothing expands it, and in
 * one the judge has already followed the reference. */
static bool is_variable_name(const char *v, size_t n)
{
    if (n < 2 || v[0] != '$' || !(isupper((unsigned char)v[1]) || v[1] == '_'))
        return false;
    for (size_t i = 2; i < n; i++)
        if (!(isupper((unsigned char)v[i]) || isdigit((unsigned char)v[i]) || v[i] == '_'))
            return false;
    return true;
}

bool secretclass_slot_value(const char *v, size_t n)
{
    while (n > 0 && isspace((unsigned char)v[0]))
        v++, n--;
    while (n > 0 && isspace((unsigned char)v[n - 1]))
        n--;
    if (n == 0 || (n == 1 && !isalnum((unsigned char)v[0])))
        return false;
    return !is_placeholder(v, n) && !is_masked(v, n);
}

bool secretclass_value(const char *v, size_t n)
{
    while (n > 0 && isspace((unsigned char)v[0]))
        v++, n--;
    while (n > 0 && isspace((unsigned char)v[n - 1]))
        n--;
    if (n <= 1)
        return false;
    if (!secretclass_slot_value(v, n))
        return false;
    if (is_boolean(v, n) || is_number(v, n) || is_duration(v, n) || is_algorithm(v, n))
        return false;
    if (is_reference(v, n) || is_public_material(v, n) || is_code_reference(v, n))
        return false;
    if (is_variable_name(v, n))
        return false;   /* $VAR: an unexpanded variable */
    static const char *const option_lists[] = {"id=", "type=", "src=", "source=", "name=", "key=", NULL};
    for (const char *const *o = option_lists; *o; o++)
        if (starts_with(v, n, *o))
            return false;   /* --secret id=npm,src=/run/secrets/npm: options naming a secret */
    return true;
}

bool secretclass_default_looking(const char *v, size_t n)
{
    static const char *const words[] = {
        "changeme", "change-me", "change_me", "changeit", "password", "passw0rd", "admin", "root",
        "postgres", "mysql", "secret", "guest", "test", "example", "default", "letmein", "12345678", "123456",
        "qwerty", "pass", "sa", "user", NULL,
    };
    return in_list_ci(v, n, words);
}
