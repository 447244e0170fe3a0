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
#include <sys/mman.h>

#include "jsonarena_kernels.h"

#define ARENA_FIRST_CHUNK (64u * 1024u)
/* A Kubernetes object in compact JSON has about one value per 19 bytes and a node is 64 bytes;
 * json_arena_parse also copies the text, so 5 bytes of arena per input byte holds the tree in
 * the first chunk (measured on bench/bodies and the apiserver captures). */
#define ARENA_BYTES_PER_INPUT_BYTE 5u
#define ARENA_ALIGN 8u
/* cJSON's CJSON_NESTING_LIMIT: at most this many containers open at once. */
#define JSON_NESTING_LIMIT 1000
/* Numbers this long are copied to the arena for strtod instead of the stack. */
#define NUMBER_STACK_COPY 64

/* Chunks this big are mapped and unmapped directly: their pages go back to the system when the
 * request ends, whatever malloc's thresholds have become (and untouched pages are never resident). */
#define ARENA_MAP_MIN (256u * 1024u)

struct arena_chunk {
    struct arena_chunk *next;   /* the usable bytes follow the header */
    size_t mapped;              /* bytes mapped with mmap, header included; 0: from malloc */
};

struct json_arena {
    struct arena_chunk *chunks;   /* newest first */
    unsigned char *cur, *end;     /* the free bytes of the newest chunk */
    size_t next_size;
    size_t nodes_left;            /* values the arena may still hold (JSON_ARENA_NODES_MAX) */
    size_t node_limit_hit;        /* a parse failed for want of nodes_left */
};

static struct arena_chunk *chunk_new(size_t total)
{
    if (total < ARENA_MAP_MIN) {
        struct arena_chunk *c = malloc(total);
        if (c != NULL)
            c->mapped = 0;
        return c;
    }
    void *m = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    struct arena_chunk *c = m;
    c->mapped = total;
    return c;
}

static void chunk_delete(struct arena_chunk *c)
{
    if (c->mapped)
        munmap(c, c->mapped);
    else
        free(c);
}

_Static_assert(sizeof(struct arena_chunk) % ARENA_ALIGN == 0 && sizeof(struct json_arena) % ARENA_ALIGN == 0,
               "the first chunk holds the arena, its free bytes aligned after it");

/* A new chunk of at least n bytes (the free rest of the current one is abandoned). */
static bool arena_grow(struct json_arena *a, size_t n)
{
    size_t size = a->next_size;
    while (size < n) {
        if (size > ((size_t)-1 - sizeof(struct arena_chunk)) / 2)
            return false;
        size *= 2;
    }
    struct arena_chunk *c = chunk_new(sizeof *c + size);
    if (c == NULL)
        return false;
    c->next = a->chunks;
    a->chunks = c;
    a->cur = (unsigned char *)(c + 1);
    a->end = a->cur + size;
    a->next_size = size <= ((size_t)-1 - sizeof(struct arena_chunk)) / 2 ? size * 2 : size;
    return true;
}

static inline void *arena_alloc(struct json_arena *a, size_t n)
{
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if ((size_t)(a->end - a->cur) < n && !arena_grow(a, n))
        return NULL;
    void *p = a->cur;
    a->cur += n;
    return p;
}

struct json_arena *json_arena_create(size_t input_len)
{
    size_t size = input_len > 0 && input_len < ((size_t)-1 - 4096) / 6
                      ? ARENA_BYTES_PER_INPUT_BYTE * input_len + 4096
                      : ARENA_FIRST_CHUNK;
    /* one allocation: the first chunk, with the arena itself at its start */
    struct arena_chunk *c = chunk_new(sizeof *c + sizeof(struct json_arena) + size);
    if (c == NULL)
        return NULL;
    c->next = NULL;
    struct json_arena *a = (struct json_arena *)(void *)(c + 1);
    a->chunks = c;
    a->cur = (unsigned char *)(a + 1);
    a->end = a->cur + size;
    a->next_size = size <= ((size_t)-1 - sizeof(struct arena_chunk)) / 2 ? size * 2 : size;
    a->nodes_left = JSON_ARENA_NODES_MAX;
    a->node_limit_hit = 0;
    return a;
}

void json_arena_set_node_limit(struct json_arena *a, size_t max_nodes)
{
    a->nodes_left = max_nodes;
}

bool json_arena_node_limit_hit(const struct json_arena *a)
{
    return a->node_limit_hit != 0;
}

void json_arena_destroy(struct json_arena *a)
{
    if (a == NULL)
        return;
    struct arena_chunk *c = a->chunks;   /* the last one holds a itself */
    while (c) {
        struct arena_chunk *next = c->next;
        chunk_delete(c);
        c = next;
    }
}

/* ---- the parser ---- */

struct parser {
    struct json_arena *arena;
    const unsigned char *lim;   /* one past the last byte */
    const unsigned char *err;   /* where the text went wrong */
};

/* Records where the text went wrong; returns NULL for the caller to return. */
static void *fail_at(struct parser *ps, const unsigned char *at)
{
    ps->err = at;
    return NULL;
}

static inline unsigned char *skip_ws(unsigned char *p, const unsigned char *lim)
{
    while (p < lim && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
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

/* Decodes the escapes of the string content s..q (q is the closing quote, every backslash is
 * followed by a byte before q) in place: the output is never longer than the input, so it
 * overwrites bytes already read. NUL-terminates the result; false with ps->err at a bad escape. */
static bool unescape_in_place(struct parser *ps, unsigned char *s, const unsigned char *q)
{
    unsigned char *o = s;
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
                return false;
            }
            s += used;
            continue;
        }
        default:
            fail_at(ps, s);
            return false;
        }
        s += 2;
    }
    *o = '\0';
    return true;
}

/* The rest of parse_string, from the first stop at q that is not a closing quote: the whole
 * string is checked first (raw control characters U+0000..U+001F are errors; other bytes are
 * kept as they are), then its escapes are decoded over it. */
static unsigned char *parse_string_rest(struct parser *ps, unsigned char *q)
{
    const unsigned char *lim = ps->lim;
    unsigned char *first_escape = NULL;
    for (;;) {
        if (q >= lim)
            return fail_at(ps, q);
        if (*q == '"')
            break;
        if (*q < 0x20)
            return fail_at(ps, q);
        if (lim - q < 2)
            return fail_at(ps, lim);
        if (first_escape == NULL)
            first_escape = q;
        q += 2;   /* a backslash: skip the escaped byte, checked while decoding */
        q += string_run(q, lim);
    }
    if (first_escape == NULL)
        *q = '\0';
    else if (!unescape_in_place(ps, first_escape, q))
        return NULL;
    return q + 1;
}

/* Parses the string whose opening quote is at p, in place, so the string is p + 1: escapes are
 * decoded over it and a NUL written over the closing quote (or after the decoded bytes).
 * Returns the byte after the closing quote, or NULL with ps->err set. The common case, no
 * escape and the closing quote in the window, is inlined into the document loop. */
static ALWAYS_INLINE unsigned char *parse_string(struct parser *ps, struct stop_window *w, unsigned char *p,
                                                 const unsigned char *lim, refill_fn *const refill)
{
    unsigned char *q = p + 1;
    uintptr_t off = (uintptr_t)q - w->base;
    uint64_t m;
    if (LIKELY(off < 64 && (m = w->mask >> off) != 0)) {
        q += lowest_bit(m);   /* a stop in the window: a byte of the text */
    } else {
        q = refill(w, q, lim);
        if (q == lim)
            return parse_string_rest(ps, q);
    }
    if (LIKELY(*q == '"')) {
        *q = '\0';
        return q + 1;
    }
    return parse_string_rest(ps, q);
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
    if (copy == NULL) {
        fail_at(ps, s);
        return false;
    }
    memcpy(copy, s, n);
    copy[n] = '\0';
    char *dot = memchr(copy, '.', n);
    if (dot)
        *dot = localeconv()->decimal_point[0];
    char *after = NULL;
    *out = strtod(copy, &after);
    if (after != copy + n) {
        fail_at(ps, s);
        return false;
    }
    return true;
}

/* Parses the number at s (RFC 8259 grammar) into node as cJSON does: valuedouble is the
 * correctly rounded double (as strtod gives it), valueint its saturated int. Integers and short
 * decimals are computed exactly without strtod (one IEEE operation on exact operands). Returns
 * the byte after the number, or NULL with ps->err set. */
static unsigned char *parse_number(struct parser *ps, unsigned char *s, cJSON *node)
{
    unsigned char *p = s;
    const unsigned char *lim = ps->lim;
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
        return NULL;
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
    return p;
}

static unsigned char *parse_literal(struct parser *ps, unsigned char *p, cJSON *node, const char *word,
                                    size_t n, int type)
{
    if ((size_t)(ps->lim - p) < n || memcmp(p, word, n) != 0)
        return fail_at(ps, p);
    node->type = type;
    node->valueint = type == cJSON_True;
    return p + n;
}

static inline bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Nodes for the document loop come from a block reserved at the arena's free end (the rest of
 * its chunk, at most nodes_left nodes), so the loop keeps the bump pointer in registers. The
 * budget is counted here, per block, not per node: the loop itself stays as it was. */
static inline bool reserve_nodes(struct json_arena *a, unsigned char **cur, unsigned char **end)
{
    if (a->nodes_left == 0) {
        a->node_limit_hit = 1;
        return false;
    }
    if ((size_t)(a->end - a->cur) < sizeof(cJSON) && !arena_grow(a, 64 * sizeof(cJSON)))
        return false;
    size_t room = (size_t)(a->end - a->cur) / sizeof(cJSON);
    if (room > a->nodes_left)
        room = a->nodes_left;
    a->nodes_left -= room;
    *cur = a->cur;
    *end = a->cur + room * sizeof(cJSON);
    a->cur = *end;
    return true;
}

/* Returns the unused nodes to the budget, and their bytes when nothing was allocated after them. */
static inline void release_nodes(struct json_arena *a, unsigned char *cur, unsigned char *end)
{
    a->nodes_left += (size_t)(end - cur) / sizeof(cJSON);
    if (a->cur == end)
        a->cur = cur;
}

/* The reserved block is used up: gives it back and reserves the next. */
static bool renew_nodes(struct json_arena *a, unsigned char **nodes, unsigned char **nodes_end)
{
    release_nodes(a, *nodes, *nodes_end);
    return reserve_nodes(a, nodes, nodes_end);
}

/* The child whose next field is `link`. */
#define CHILD_BEFORE(link) ((cJSON *)(void *)(link))
_Static_assert(offsetof(cJSON, next) == 0, "CHILD_BEFORE needs next as cJSON's first field");

/* The next zeroed node of the reserved block, reserving another when it is used up. */
static ALWAYS_INLINE cJSON *take_node(struct json_arena *a, unsigned char **nodes, unsigned char **nodes_end,
                                      zero_fn *const zero)
{
    if (*nodes == *nodes_end && !renew_nodes(a, nodes, nodes_end))
        return NULL;
    cJSON *n = (cJSON *)(void *)*nodes;
    *nodes += sizeof *n;
    zero(n);
    return n;
}

/* Parses the document whose first value starts at p (whitespace skipped) and sets *end after
 * it. A state machine over an explicit stack of open containers, so nesting never recurses:
 * `value` parses one value into `node` (a container is opened and left for `first_member`),
 * `after_value` expects a comma or the container's closing bracket, `closed` finishes a
 * container (cJSON keeps the first child's prev at the last child), `key` and `element` add
 * the next child of an object or an array. Whitespace is skipped where it is found, one byte
 * per turn: the apiserver sends compact JSON.
 *
 * When `bracketed`, the caller has seen that the last byte of the text that is not whitespace,
 * bracket_end[-1], is '}' or ']': then every byte the loop peeks at outside strings, numbers and
 * literals has a byte after it until that bracket is consumed, so peeking needs no bounds check.
 * Consuming it (in `closed`) with containers still open means the text ended early: the error
 * is at lim, after the trailing whitespace, as in the checked loop. Strings, numbers and
 * literals check lim themselves either way. */
static ALWAYS_INLINE cJSON *parse_document_loop(struct parser *ps, unsigned char *p, unsigned char **end,
                                                const bool bracketed, const unsigned char *bracket_end,
                                                refill_fn *const refill, zero_fn *const zero)
{
    const unsigned char *lim = ps->lim;
    cJSON *open[JSON_NESTING_LIMIT];
    int depth = 0;
    /* Where the next child of the innermost open container is linked: &container->child, or
     * &last->next of its last child so far (next is cJSON's first field, so link is that child
     * itself). */
    cJSON **link = NULL;
    unsigned char close = 0;   /* container's closing bracket: '}' for an object */
    unsigned char c;
    unsigned char *nodes = NULL, *nodes_end = NULL;
    struct stop_window window;
    stop_window_init(&window, p, lim);
    cJSON *root = take_node(ps->arena, &nodes, &nodes_end, zero), *node = root;
    if (root == NULL)
        return NULL;

/* The byte at p, or 0 at the end of the text: 0 is an error everywhere a byte is peeked. */
#define PEEK(p) (bracketed || (p) < lim ? *(p) : 0)

value:
    c = PEEK(p);
    if (c == '"') {
        node->type = cJSON_String;
        node->valuestring = (char *)p + 1;
        p = parse_string(ps, &window, p, lim, refill);
        goto after_value;
    }
    switch (c) {
    case ' ': case '\t': case '\n': case '\r':
        p++;
        goto value;
    case '{':
        if (UNLIKELY(depth >= JSON_NESTING_LIMIT))
            goto fail;
        close = '}';
        node->type = cJSON_Object;
        open[depth++] = node;
        link = &node->child;
        p++;
        if (LIKELY(PEEK(p) == '"'))
            goto key_quote;
        goto first_member;
    case '[':
        if (UNLIKELY(depth >= JSON_NESTING_LIMIT))
            goto fail;
        close = ']';
        node->type = cJSON_Array;
        open[depth++] = node;
        link = &node->child;
        p++;
        goto first_member;
    case 't':
        p = parse_literal(ps, p, node, "true", 4, cJSON_True);
        break;
    case 'f':
        p = parse_literal(ps, p, node, "false", 5, cJSON_False);
        break;
    case 'n':
        p = parse_literal(ps, p, node, "null", 4, cJSON_NULL);
        break;
    case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
        if (bracketed) {
            /* a short integer, the commonest number (ports, counts): every digit is followed
             * by a byte, at worst the closing bracket */
            unsigned char *s = p;
            uint64_t v = (uint64_t)(c - '0');
            while ((unsigned)(*++p - '0') <= 9 && p - s < 15)
                v = v * 10 + (uint64_t)(*p - '0');
            c = *p;
            if ((unsigned)(c - '0') > 9 && c != '.' && (c | 0x20) != 'e') {
                node->type = cJSON_Number;
                node->valuedouble = (double)v;   /* exact: v < 10^15 */
                node->valueint = v >= INT_MAX ? INT_MAX : (int)v;
                goto after_value;
            }
            p = s;
        }
        p = parse_number(ps, p, node);
        break;
    case '-': case '0':
        p = parse_number(ps, p, node);
        break;
    default:
        goto fail;
    }

after_value:
    if (p == NULL)
        goto failed;
    if (depth == 0)
        goto done;
after_member:
    c = PEEK(p);
    if (c == ',') {
        p++;
        if (close == '}')
            goto key;
        goto element;
    }
    if (c == close) {
        p++;
        goto closed;
    }
    if (UNLIKELY(!is_ws(c)))
        goto fail;
    p++;
    goto after_member;

first_member:
    c = PEEK(p);
    if (c == close) {
        p++;
        goto closed;
    }
    if (is_ws(c)) {
        p++;
        goto first_member;
    }
    if (close == '}')
        goto key;
    goto element;

closed:
    node = open[--depth];   /* the container closed */
    if (node->child)   /* the first child's prev is the last child */
        node->child->prev = CHILD_BEFORE(link);
    link = &node->next;
    if (depth == 0)
        goto done;
    if (bracketed && UNLIKELY(p == bracket_end)) {
        p = (unsigned char *)lim;
        goto fail;
    }
    if (open[depth - 1]->type == cJSON_Object) {
        close = '}';
        if (PEEK(p) == ',') {   /* the next member of the parent */
            p++;
            goto key;
        }
    } else {
        close = ']';
    }
    goto after_member;

key:
    c = PEEK(p);
    if (UNLIKELY(c != '"')) {
        if (!is_ws(c))
            goto fail;
        p++;
        goto key;
    }
key_quote:   /* p at the key's opening quote */
    node = take_node(ps->arena, &nodes, &nodes_end, zero);
    if (node == NULL)
        goto fail;
    node->prev = CHILD_BEFORE(link);   /* for the first child, corrected in `closed` */
    *link = node;
    link = &node->next;
    node->string = (char *)p + 1;
    p = parse_string(ps, &window, p, lim, refill);
    if (p == NULL)
        goto failed;
    while ((c = PEEK(p)) != ':') {
        if (!is_ws(c))
            goto fail;
        p++;
    }
    p++;
    /* a string value straight away, the commonest member */
    if (PEEK(p) != '"')
        goto value;
    node->type = cJSON_String;
    node->valuestring = (char *)p + 1;
    p = parse_string(ps, &window, p, lim, refill);
    if (p == NULL)
        goto failed;
    c = PEEK(p);
    if (c == ',') {
        p++;
        goto key;
    }
    if (c == '}') {
        p++;
        goto closed;
    }
    goto after_member;

element:
    node = take_node(ps->arena, &nodes, &nodes_end, zero);
    if (node == NULL)
        goto fail;
    node->prev = CHILD_BEFORE(link);   /* for the first child, corrected in `closed` */
    *link = node;
    link = &node->next;
    goto value;

fail:
    ps->err = p;
failed:
    release_nodes(ps->arena, nodes, nodes_end);
    return NULL;
done:
    release_nodes(ps->arena, nodes, nodes_end);
    *end = p;
    return root;
#undef PEEK
}

#undef CHILD_BEFORE

/* The loop for a text ending in a closing bracket (and maybe whitespace), compiled for AVX2 and
 * for any x86-64, and the loop for any other text. */
static cJSON *parse_bracketed_document(struct parser *ps, unsigned char *p, unsigned char **end,
                                       const unsigned char *bracket_end)
{
    return parse_document_loop(ps, p, end, true, bracket_end, refill_window_sse2_inline, zero_node);
}

#if JSONARENA_AVX2
KERNEL_AVX2 static cJSON *
parse_bracketed_document_avx2(struct parser *ps, unsigned char *p, unsigned char **end,
                              const unsigned char *bracket_end)
{
    return parse_document_loop(ps, p, end, true, bracket_end, refill_window_avx2_inline, zero_node_avx2);
}
#endif

static cJSON *parse_checked_document(struct parser *ps, unsigned char *p, unsigned char **end)
{
    return parse_document_loop(ps, p, end, false, NULL, next_stop_refill, zero_node);
}

static cJSON *parse_document(struct parser *ps, unsigned char *p, unsigned char **end)
{
    const unsigned char *t = ps->lim;
    while (t > p && is_ws(t[-1]))
        t--;
    if (t > p && (t[-1] == '}' || t[-1] == ']')) {
#if JSONARENA_AVX2
        if (kernels_have_avx2())
            return parse_bracketed_document_avx2(ps, p, end, t);
#endif
        return parse_bracketed_document(ps, p, end, t);
    }
    return parse_checked_document(ps, p, end);
}

cJSON *json_arena_parse_insitu(struct json_arena *arena, char *text, size_t len, const char **end)
{
    struct parser ps = {.arena = arena, .lim = (const unsigned char *)text + len,
                        .err = (const unsigned char *)text};
    unsigned char *p = (unsigned char *)text, *after = NULL;
    /* cJSON skips a UTF-8 byte order mark when more than four bytes follow its start. */
    if (len > 4 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    p = skip_ws(p, ps.lim);
    cJSON *root = len > 0 ? parse_document(&ps, p, &after) : NULL;
    if (end)
        *end = (const char *)(root ? after : ps.err);
    return root;
}

cJSON *json_arena_parse(struct json_arena *arena, const char *text, size_t len, const char **end)
{
    char *copy = len > 0 ? arena_alloc(arena, len) : NULL;
    if (copy == NULL) {
        if (end)
            *end = text;
        return NULL;
    }
    memcpy(copy, text, len);
    const char *copy_end = copy;
    cJSON *root = json_arena_parse_insitu(arena, copy, len, &copy_end);
    if (end)
        *end = text + (copy_end - copy);
    return root;
}
