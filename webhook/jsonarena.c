/* jsonarena.c - a strict single-pass JSON parser that builds a cJSON tree in a bump arena.
 * The tree is exactly what cJSON 1.7.15 builds for the same text (tests/unit/test_jsonarena.c
 * checks it against cJSON), so every cJSON reader works on it; no value is malloc'd or freed. */
#include "jsonarena.h"

#include <float.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_FIRST_CHUNK (64u * 1024u)
/* A Kubernetes object in compact JSON has about one value per 19 bytes; a node is 64 bytes and
 * strings take at most their input length, so 5 bytes of arena per input byte holds the tree
 * in the first chunk (measured on bench/bodies and the apiserver captures). */
#define ARENA_BYTES_PER_INPUT_BYTE 5u
#define ARENA_ALIGN 8u
/* cJSON's CJSON_NESTING_LIMIT: at most this many containers open at once. */
#define JSON_NESTING_LIMIT 1000
/* Numbers this long are copied to the arena for strtod instead of the stack. */
#define NUMBER_STACK_COPY 64

struct arena_chunk {
    struct arena_chunk *next;
    size_t size;   /* usable bytes after the header */
    size_t used;
};

struct json_arena {
    struct arena_chunk *chunks;   /* newest first */
    size_t next_size;
};

static size_t header_size(void)
{
    return (sizeof(struct arena_chunk) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

static inline void *arena_alloc(struct json_arena *a, size_t n)
{
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    struct arena_chunk *c = a->chunks;
    if (c == NULL || c->size - c->used < n) {
        size_t size = a->next_size;
        while (size < n)
            size *= 2;
        c = malloc(header_size() + size);
        if (c == NULL)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->chunks;
        a->chunks = c;
        a->next_size = size * 2;
    }
    void *p = (char *)c + header_size() + c->used;
    c->used += n;
    return p;
}

struct json_arena *json_arena_create(size_t input_len)
{
    struct json_arena *a = calloc(1, sizeof *a);
    if (a)
        a->next_size = input_len > 0 && input_len < ((size_t)-1 - 4096) / 6
                           ? ARENA_BYTES_PER_INPUT_BYTE * input_len + 4096
                           : ARENA_FIRST_CHUNK;
    return a;
}

void json_arena_destroy(struct json_arena *a)
{
    if (a == NULL)
        return;
    struct arena_chunk *c = a->chunks;
    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

/* ---- the parser ---- */

struct parser {
    struct json_arena *arena;
    const unsigned char *p;     /* next byte */
    const unsigned char *lim;   /* one past the last byte */
    const unsigned char *err;   /* where the text went wrong */
};

static bool fail_at(struct parser *ps, const unsigned char *at)
{
    ps->err = at;
    return false;
}

static void skip_ws(struct parser *ps)
{
    const unsigned char *p = ps->p;
    while (p < ps->lim && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    ps->p = p;
}

static cJSON *new_node(struct parser *ps)
{
    cJSON *n = arena_alloc(ps->arena, sizeof *n);
    if (n)
        memset(n, 0, sizeof *n);
    return n;
}

static int hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The four hex digits at s (s + 4 <= lim checked by the caller), or -1. */
static long hex4(const unsigned char *s)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(s[i]);
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

static unsigned char *put_utf8(unsigned char *out, unsigned long cp)
{
    if (cp < 0x80) {
        *out++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *out++ = (unsigned char)(0xC0 | cp >> 6);
        *out++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *out++ = (unsigned char)(0xE0 | cp >> 12);
        *out++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *out++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *out++ = (unsigned char)(0xF0 | cp >> 18);
        *out++ = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        *out++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *out++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    return out;
}

/* Decodes the \u escape at s (s[0] == '\\', s[1] == 'u') up to lim (the closing quote) into out.
 * Returns the bytes consumed (6, or 12 for a surrogate pair) or 0 when the escape is invalid:
 * bad hex, U+0000 (cJSON strings are C strings), or an unpaired surrogate (cJSON rejects those
 * too). */
static size_t decode_u_escape(const unsigned char *s, const unsigned char *lim, unsigned char **out)
{
    if (lim - s < 6)
        return 0;
    long first = hex4(s + 2);
    if (first <= 0 || (first >= 0xDC00 && first <= 0xDFFF))
        return 0;
    if (first < 0xD800 || first > 0xDBFF) {
        *out = put_utf8(*out, (unsigned long)first);
        return 6;
    }
    if (lim - s < 12 || s[6] != '\\' || s[7] != 'u')
        return 0;
    long second = hex4(s + 8);
    if (second < 0xDC00 || second > 0xDFFF)
        return 0;
    *out = put_utf8(*out, 0x10000 + (((unsigned long)first & 0x3FF) << 10 | ((unsigned long)second & 0x3FF)));
    return 12;
}

#define BYTES_ONES UINT64_C(0x0101010101010101)
#define BYTES_HIGHS UINT64_C(0x8080808080808080)

/* Non-zero when one of the 8 bytes at p is '"', '\\' or a control character (the classic
 * "has zero byte" / "has byte less than" bit tricks; exact as a yes/no answer). */
static uint64_t has_string_stop(const unsigned char *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof x);
    uint64_t quote = x ^ (BYTES_ONES * '"');
    uint64_t backslash = x ^ (BYTES_ONES * '\\');
    return (((quote - BYTES_ONES) & ~quote) | ((backslash - BYTES_ONES) & ~backslash) |
            ((x - BYTES_ONES * 0x20) & ~x)) & BYTES_HIGHS;
}

/* Index of the first byte has_string_stop flagged: borrows only run towards higher bytes, so
 * the lowest flag is a real one (in memory order on little-endian; elsewhere byte 0 is safe,
 * the byte loop after it finds the stop). */
static size_t first_flagged_byte(uint64_t flags)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return (size_t)__builtin_ctzll(flags) / 8;
#else
    (void)flags;
    return 0;
#endif
}

/* Parses the string starting at the opening quote ps->p into a NUL-terminated arena copy.
 * Raw control characters (U+0000..U+001F) are errors; other bytes are copied as they are. */
static char *parse_string(struct parser *ps)
{
    const unsigned char *start = ps->p + 1;
    const unsigned char *q = start;
    bool escaped = false;
    for (;;) {
        for (uint64_t stop; ps->lim - q >= 8; q += 8) {
            if ((stop = has_string_stop(q)) != 0) {
                q += first_flagged_byte(stop);
                break;
            }
        }
        while (q < ps->lim && *q != '"' && *q != '\\' && *q >= 0x20)
            q++;
        if (q >= ps->lim) {
            fail_at(ps, q);
            return NULL;
        }
        if (*q == '"')
            break;
        if (*q < 0x20) {
            fail_at(ps, q);
            return NULL;
        }
        if (ps->lim - q < 2) {
            fail_at(ps, ps->lim);
            return NULL;
        }
        escaped = true;   /* a backslash: skip the escaped byte, checked while decoding */
        q += 2;
    }
    size_t n = (size_t)(q - start);
    unsigned char *out = arena_alloc(ps->arena, n + 1);
    if (out == NULL) {
        fail_at(ps, start - 1);
        return NULL;
    }
    if (!escaped) {
        memcpy(out, start, n);
        out[n] = '\0';
        ps->p = q + 1;
        return (char *)out;
    }
    unsigned char *o = out;
    const unsigned char *s = start;
    while (s < q) {
        if (*s != '\\') {
            *o++ = *s++;
            continue;
        }
        unsigned char c = s[1];
        switch (c) {
        case '"': case '\\': case '/': *o++ = c; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            size_t used = decode_u_escape(s, q, &o);
            if (used == 0) {
                fail_at(ps, s);
                return NULL;
            }
            s += used;
            continue;
        }
        default:
            fail_at(ps, s);
            return NULL;
        }
        s += 2;
    }
    *o = '\0';
    ps->p = q + 1;
    return (char *)out;
}

static const double exact_powers_of_ten[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* strtod of the number text s..e, whose grammar is already checked. cJSON swaps '.' for the
 * locale's decimal point before strtod; so do we (the server runs in the "C" locale). */
static bool number_by_strtod(struct parser *ps, const unsigned char *s, const unsigned char *e, double *out)
{
    size_t n = (size_t)(e - s);
    char stack[NUMBER_STACK_COPY];
    char *copy = n < sizeof stack ? stack : arena_alloc(ps->arena, n + 1);
    if (copy == NULL)
        return fail_at(ps, s);
    memcpy(copy, s, n);
    copy[n] = '\0';
    char *dot = memchr(copy, '.', n);
    if (dot)
        *dot = localeconv()->decimal_point[0];
    char *after = NULL;
    *out = strtod(copy, &after);
    if (after != copy + n)
        return fail_at(ps, s);
    return true;
}

/* Parses the number at ps->p (RFC 8259 grammar) into node as cJSON does: valuedouble is the
 * correctly rounded double (as strtod gives it), valueint its saturated int. Integers and short
 * decimals are computed exactly without strtod (one IEEE operation on exact operands). */
static bool parse_number(struct parser *ps, cJSON *node)
{
    const unsigned char *s = ps->p, *p = s, *lim = ps->lim;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    if (p >= lim || *p < '0' || *p > '9')
        return fail_at(ps, p);
    uint64_t mant = 0;
    bool exact = true;   /* mant holds every digit and is at most 2^53 */
    int exp10 = 0;
    if (*p == '0') {
        p++;
        if (p < lim && *p >= '0' && *p <= '9')
            return fail_at(ps, p);   /* leading zero */
    } else {
        for (; p < lim && *p >= '0' && *p <= '9'; p++) {
            if (mant < (UINT64_C(1) << 53) / 10)
                mant = mant * 10 + (uint64_t)(*p - '0');
            else
                exact = false;
        }
    }
    if (p < lim && *p == '.') {
        p++;
        if (p >= lim || *p < '0' || *p > '9')
            return fail_at(ps, p);
        for (; p < lim && *p >= '0' && *p <= '9'; p++) {
            if (mant < (UINT64_C(1) << 53) / 10) {
                mant = mant * 10 + (uint64_t)(*p - '0');
                exp10--;
            } else {
                exact = false;
            }
        }
    }
    if (p < lim && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < lim && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        if (p >= lim || *p < '0' || *p > '9')
            return fail_at(ps, p);
        int e = 0;
        for (; p < lim && *p >= '0' && *p <= '9'; p++)
            if (e < 100000)
                e = e * 10 + (*p - '0');
        exp10 += eneg ? -e : e;
    }
    double d;
    if (exact && mant == 0) {
        d = 0.0;
    } else if (exact && exp10 >= 0 && exp10 <= 22 && FLT_EVAL_METHOD == 0) {
        d = (double)mant * exact_powers_of_ten[exp10];
    } else if (exact && exp10 < 0 && exp10 >= -22 && FLT_EVAL_METHOD == 0) {
        d = (double)mant / exact_powers_of_ten[-exp10];
    } else {
        exact = false;
        d = 0.0;
    }
    if (!exact && !number_by_strtod(ps, s, p, &d))
        return false;
    if (exact && neg)
        d = -d;
    node->type = cJSON_Number;
    node->valuedouble = d;
    if (d >= INT_MAX)
        node->valueint = INT_MAX;
    else if (d <= (double)INT_MIN)
        node->valueint = INT_MIN;
    else
        node->valueint = (int)d;
    ps->p = p;
    return true;
}

static bool parse_literal(struct parser *ps, cJSON *node, const char *word, size_t n, int type)
{
    if ((size_t)(ps->lim - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail_at(ps, ps->p);
    node->type = type;
    node->valueint = type == cJSON_True;
    ps->p += n;
    return true;
}

/* Appends a new child to the container (cJSON keeps the first child's prev at the last one). */
static cJSON *add_child(struct parser *ps, cJSON *container)
{
    cJSON *n = new_node(ps);
    if (n == NULL)
        return NULL;
    cJSON *head = container->child;
    if (head == NULL) {
        container->child = n;
    } else {
        head->prev->next = n;
        n->prev = head->prev;
    }
    container->child->prev = n;
    return n;
}

/* After a comma or an object's opening brace: the member's key, the colon, and whitespace. */
static bool parse_key(struct parser *ps, cJSON *member)
{
    if (ps->p >= ps->lim || *ps->p != '"')
        return fail_at(ps, ps->p);
    member->string = parse_string(ps);
    if (member->string == NULL)
        return false;
    skip_ws(ps);
    if (ps->p >= ps->lim || *ps->p != ':')
        return fail_at(ps, ps->p);
    ps->p++;
    skip_ws(ps);
    return true;
}

/* Parses one value into node. Containers are opened here (pushed on open[]) and filled by
 * the loop in parse_document, so nesting never recurses. */
static bool parse_value(struct parser *ps, cJSON *node, cJSON **open, int *depth)
{
    if (ps->p >= ps->lim)
        return fail_at(ps, ps->p);
    switch (*ps->p) {
    case '{':
    case '[':
        if (*depth >= JSON_NESTING_LIMIT)
            return fail_at(ps, ps->p);
        node->type = *ps->p == '{' ? cJSON_Object : cJSON_Array;
        open[(*depth)++] = node;
        ps->p++;
        skip_ws(ps);
        return true;
    case '"':
        node->type = cJSON_String;
        node->valuestring = parse_string(ps);
        return node->valuestring != NULL;
    case 't':
        return parse_literal(ps, node, "true", 4, cJSON_True);
    case 'f':
        return parse_literal(ps, node, "false", 5, cJSON_False);
    case 'n':
        return parse_literal(ps, node, "null", 4, cJSON_NULL);
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return parse_number(ps, node);
        return fail_at(ps, ps->p);
    }
}

static cJSON *parse_document(struct parser *ps)
{
    cJSON *open[JSON_NESTING_LIMIT];
    int depth = 0;
    cJSON *root = new_node(ps);
    if (root == NULL || !parse_value(ps, root, open, &depth))
        return NULL;
    bool fresh = true;   /* the innermost open container was just opened */
    while (depth > 0) {
        cJSON *c = open[depth - 1];
        bool object = c->type == cJSON_Object;
        if (ps->p >= ps->lim) {
            fail_at(ps, ps->p);
            return NULL;
        }
        if (*ps->p == (object ? '}' : ']')) {
            ps->p++;
            depth--;
            fresh = false;
            if (depth > 0)
                skip_ws(ps);
            continue;
        }
        if (!fresh) {
            if (*ps->p != ',') {
                fail_at(ps, ps->p);
                return NULL;
            }
            ps->p++;
            skip_ws(ps);
        }
        cJSON *item = add_child(ps, c);
        if (item == NULL) {
            fail_at(ps, ps->p);
            return NULL;
        }
        int before = depth;
        if ((object && !parse_key(ps, item)) || !parse_value(ps, item, open, &depth))
            return NULL;
        fresh = depth > before;
        if (!fresh)
            skip_ws(ps);
    }
    return root;
}

cJSON *json_arena_parse(struct json_arena *arena, const char *text, size_t len, const char **end)
{
    struct parser ps = {.arena = arena, .p = (const unsigned char *)text,
                        .lim = (const unsigned char *)text + len};
    ps.err = ps.p;
    /* cJSON skips a UTF-8 byte order mark when more than four bytes follow its start. */
    if (len > 4 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        ps.p += 3;
    skip_ws(&ps);
    cJSON *root = len > 0 ? parse_document(&ps) : NULL;
    if (end)
        *end = (const char *)(root ? ps.p : ps.err);
    return root;
}
