/* jsonarena_kernels.h - the architecture-specific kernels of the JSON parser, for jsonarena.c
 * (its only includer) to inline: static functions, each with SSE2, AVX2 (picked at run time)
 * and portable code; -DJSONARENA_NO_AVX2 keeps to SSE2, -DJSONARENA_NO_SIMD to the portable
 * code (the Makefile's test_jsonarena_sse2 and test_jsonarena_portable). What the parser uses:
 *   string_run            where a string's plain bytes end ('"', '\\' or a control character)
 *   struct stop_window    the 64-byte window of stops the document loop looks strings up in:
 *                         stop_window_init, lowest_bit, and a refill_fn for a lookup the
 *                         window does not answer (refill_window_sse2_inline and
 *                         refill_window_avx2_inline to inline into a loop compiled for that
 *                         instruction set, next_stop_refill picking at run time)
 *   zero_fn               zero_node, zero_node_avx2
 *   JSONARENA_AVX2        whether the AVX2 kernels exist; KERNEL_AVX2 compiles a function for
 *                         AVX2, kernels_have_avx2() says whether the CPU runs it
 *   ALWAYS_INLINE, POINTER_INLINE, LIKELY, UNLIKELY */
#ifndef SCHEMAGATE_JSONARENA_KERNELS_H
#define SCHEMAGATE_JSONARENA_KERNELS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

/* The kernels this build has. JSONARENA_SSE2: 16 bytes at a time with SSE2 (every x86-64;
 * -DJSONARENA_NO_SIMD tests the portable path), else 8 with bit tricks. JSONARENA_AVX2: the
 * stop windows and node zeroing also compiled for AVX2 (KERNEL_AVX2 functions), used where
 * kernels_have_avx2() says the CPU has it. */
#if defined(__SSE2__) && defined(__GNUC__) && !defined(JSONARENA_NO_SIMD)
#include <emmintrin.h>
#define JSONARENA_SSE2 1
#else
#define JSONARENA_SSE2 0
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(JSONARENA_NO_SIMD) && !defined(JSONARENA_NO_AVX2)
#include <immintrin.h>
#define JSONARENA_AVX2 1
#define KERNEL_AVX2 __attribute__((target("avx2")))
static inline bool kernels_have_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}
#else
#define JSONARENA_AVX2 0
#endif

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
/* for the functions the document loop and refill_window call through constant pointers (one
 * instantiation each for SSE2 and AVX2): only an optimizing compiler resolves such a call
 * before inlining */
#if defined(__OPTIMIZE__)
#define POINTER_INLINE ALWAYS_INLINE
#else
#define POINTER_INLINE inline
#endif
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define ALWAYS_INLINE inline
#define POINTER_INLINE inline
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif

#if !JSONARENA_SSE2
#define BYTES_ONES UINT64_C(0x0101010101010101)
#define BYTES_HIGHS UINT64_C(0x8080808080808080)

/* Non-zero when one of the 8 bytes at p is '"', '\\' or a control character (the classic
 * "has zero byte" / "has byte less than" bit tricks; exact as a yes/no answer). */
static inline uint64_t has_string_stop(const unsigned char *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof x);
    uint64_t quote = x ^ (BYTES_ONES * '"');
    uint64_t backslash = x ^ (BYTES_ONES * '\\');
    return (((quote - BYTES_ONES) & ~quote) | ((backslash - BYTES_ONES) & ~backslash) |
            ((x - BYTES_ONES * 0x20) & ~x)) & BYTES_HIGHS;
}
#endif

#if JSONARENA_SSE2
/* The stops ('"', '\\' or a control character) among the 16 bytes at s, as a bit mask (bit i
 * for s[i]). c < 0x20 || c == '"' is (c ^ 0x02) <= 0x20: the XOR maps 0x00..0x1F onto itself,
 * '"' (0x22) onto 0x20 and 0x20 onto 0x22. */
static ALWAYS_INLINE unsigned stops16_sse2(const unsigned char *s)
{
    const __m128i flip = _mm_set1_epi8(0x02), space = _mm_set1_epi8(0x20);
    const __m128i backslash = _mm_set1_epi8('\\');
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i y = _mm_xor_si128(x, flip);
    return (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(y, space), y), _mm_cmpeq_epi8(x, backslash)));
}
#endif

/* How many bytes from q on are plain string content: the count up to the first '"', '\\' or
 * control character, or up to lim; never reads at or past lim. */
static ALWAYS_INLINE size_t string_run(const unsigned char *q, const unsigned char *lim)
{
    const unsigned char *s = q;
#if JSONARENA_SSE2
    for (; lim - s >= 16; s += 16) {
        unsigned mask = stops16_sse2(s);
        if (mask != 0)
            return (size_t)(s - q) + (size_t)__builtin_ctz(mask);
    }
#else
    for (; lim - s >= 8; s += 8) {
        /* borrows only run towards higher bytes, so the lowest flag is a real stop (in memory
         * order on little-endian; elsewhere the byte loop below finds it) */
        uint64_t stop = has_string_stop(s);
        if (stop != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            s += (size_t)__builtin_ctzll(stop) / 8;
#endif
            break;
        }
    }
#endif
    while (s < lim && *s != '"' && *s != '\\' && *s >= 0x20)
        s++;
    return (size_t)(s - q);
}

/* The stops ('"', '\\' or a control character) among the 64 bytes at s, as a bit mask (bit i for
 * s[i]): with SSE2, or byte by byte. */
static POINTER_INLINE uint64_t stops_at_sse2(const unsigned char *s)
{
#if JSONARENA_SSE2
    uint64_t m0 = stops16_sse2(s), m1 = stops16_sse2(s + 16), m2 = stops16_sse2(s + 32), m3 = stops16_sse2(s + 48);
    return m0 | m1 << 16 | m2 << 32 | m3 << 48;
#else
    uint64_t mask = 0;
    for (int i = 0; i < 64; i++)
        mask |= (uint64_t)(s[i] == '"' || s[i] == '\\' || s[i] < 0x20) << i;
    return mask;
#endif
}

#if JSONARENA_AVX2
/* flip, space and backslash of stops16_sse2, 32 bytes each */
static const unsigned char avx2_stop_bytes[3][32] __attribute__((aligned(32))) = {
    {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2},
    {32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32,
     32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32},
    {92, 92, 92, 92, 92, 92, 92, 92, 92, 92, 92, 92, 92, 92, 92, 92,
     92, 92, 92, 92, 92, 92, 92, 92, 92, 92, 92, 92, 92, 92, 92, 92},
};

/* stops_at_sse2, 32 bytes per step, for functions compiled for AVX2. */
KERNEL_AVX2 static POINTER_INLINE uint64_t stops_at_avx2(const unsigned char *s)
{
    /* loaded from memory where used (the compiler would otherwise build them with broadcasts
     * on every refill) */
    const __m256i *k = (const __m256i *)(const void *)avx2_stop_bytes;
    __asm__("" : "+r"(k));
    const __m256i flip = _mm256_load_si256(k), space = _mm256_load_si256(k + 1);
    const __m256i backslash = _mm256_load_si256(k + 2);
    __m256i x0 = _mm256_loadu_si256((const __m256i *)(const void *)s);
    __m256i x1 = _mm256_loadu_si256((const __m256i *)(const void *)(s + 32));
    __m256i y0 = _mm256_xor_si256(x0, flip), y1 = _mm256_xor_si256(x1, flip);
    __m256i s0 = _mm256_or_si256(_mm256_cmpeq_epi8(_mm256_min_epu8(y0, space), y0),
                                 _mm256_cmpeq_epi8(x0, backslash));
    __m256i s1 = _mm256_or_si256(_mm256_cmpeq_epi8(_mm256_min_epu8(y1, space), y1),
                                 _mm256_cmpeq_epi8(x1, backslash));
    return (uint64_t)(unsigned)_mm256_movemask_epi8(s0) | (uint64_t)(unsigned)_mm256_movemask_epi8(s1) << 32;
}
#endif

/* The index of the lowest set bit of m (m != 0). */
static inline size_t lowest_bit(uint64_t m)
{
#if defined(__GNUC__) && defined(__x86_64__)
    uint64_t i;
    /* __builtin_ctzll's answer without the sign extension GCC adds after it (an instruction
     * per string) */
    __asm__("bsfq %1, %0" : "=r"(i) : "rm"(m) : "cc");
    return i;
#elif defined(__GNUC__)
    return (unsigned)__builtin_ctzll(m);
#else
    size_t i = 0;
    for (; (m & 1) == 0; m >>= 1)
        i++;
    return i;
#endif
}

/* Where the strings of a document stop, 64 bytes at a time: most keys and values are shorter
 * than that, so one window serves several strings and a string costs a shift and a bit scan.
 * The window [base, base + 64) lies inside the text (for a text shorter than 64 bytes it covers
 * the whole text, its mask only the text's bytes). Strings are parsed front to back and
 * rewritten only behind the next lookup, so a mask stays true for the bytes still to scan.
 * Addresses are integers here so that base + 64 may lie past the text. */
struct stop_window {
    uintptr_t base;
    uint64_t mask;
};

static void stop_window_init(struct stop_window *w, const unsigned char *start, const unsigned char *lim)
{
    size_t len = (size_t)(lim - start);
    w->base = (uintptr_t)start;
    if (len >= 64) {
        w->mask = stops_at_sse2(start);
        return;
    }
    unsigned char pad[64] = {0};
    memcpy(pad, start, len);
    w->mask = stops_at_sse2(pad) & ((UINT64_C(1) << len) - 1);
}

/* The byte at address a of the text that ref points into. */
static inline unsigned char *text_at(unsigned char *ref, uintptr_t a)
{
    return a >= (uintptr_t)ref ? ref + (a - (uintptr_t)ref) : ref - ((uintptr_t)ref - a);
}

/* The first stop at or after q (q <= lim), or lim when there is none, for a q the window does
 * not answer: q lies outside it, or it has no stop from q on. `stops` is stops_at_sse2 or
 * stops_at_avx2 (inlined: the function is instantiated for each). */
static ALWAYS_INLINE unsigned char *refill_window(struct stop_window *w, unsigned char *q,
                                                  const unsigned char *lim,
                                                  uint64_t (*const stops)(const unsigned char *))
{
    const uintptr_t end = (uintptr_t)lim;
    uintptr_t at = (uintptr_t)q;
    if (at - w->base < 64)
        at = w->base + 64;   /* nothing from q to the end of the window */
    for (; at < end && end - at >= 64; at += 64) {
        uint64_t m = stops(text_at(q, at));
        w->base = at;
        w->mask = m;
        if (m != 0)
            return text_at(q, at + lowest_bit(m));
    }
    if (at >= end)
        return text_at(q, end);
    /* fewer than 64 bytes left of a longer text (a shorter one is one window from the start):
     * the last window ends at lim and starts before q */
    w->base = end - 64;
    w->mask = stops(text_at(q, w->base));
    uint64_t m = w->mask >> (at - w->base);
    return text_at(q, m != 0 ? at + lowest_bit(m) : end);
}

static unsigned char *refill_window_sse2(struct stop_window *w, unsigned char *q, const unsigned char *lim)
{
    return refill_window(w, q, lim, stops_at_sse2);
}

/* refill_window with SSE2, inlined into the SSE2 bracketed document loop. */
static POINTER_INLINE unsigned char *refill_window_sse2_inline(struct stop_window *w, unsigned char *q,
                                                              const unsigned char *lim)
{
    return refill_window(w, q, lim, stops_at_sse2);
}

#if JSONARENA_AVX2
/* refill_window with AVX2, inlined into the AVX2 document loop. */
KERNEL_AVX2 static POINTER_INLINE unsigned char *
refill_window_avx2_inline(struct stop_window *w, unsigned char *q, const unsigned char *lim)
{
    return refill_window(w, q, lim, stops_at_avx2);
}

KERNEL_AVX2 static unsigned char *
refill_window_avx2(struct stop_window *w, unsigned char *q, const unsigned char *lim)
{
    return refill_window(w, q, lim, stops_at_avx2);
}
#endif

/* refill_window with AVX2 where the CPU has it (same answers, half the steps). */
static unsigned char *next_stop_refill(struct stop_window *w, unsigned char *q, const unsigned char *lim)
{
#if JSONARENA_AVX2
    if (kernels_have_avx2())
        return refill_window_avx2(w, q, lim);
#endif
    return refill_window_sse2(w, q, lim);
}

/* refill_window_sse2, refill_window_avx2_inline or next_stop_refill */
typedef unsigned char *refill_fn(struct stop_window *w, unsigned char *q, const unsigned char *lim);

/* Zeroes a node: memset, or two 32-byte stores in the AVX2 loop. */
typedef void zero_fn(cJSON *n);

static POINTER_INLINE void zero_node(cJSON *n)
{
    memset(n, 0, sizeof *n);
}

#if JSONARENA_AVX2
_Static_assert(sizeof(cJSON) == 64, "zero_node_avx2 zeroes 64 bytes");

KERNEL_AVX2 static POINTER_INLINE void zero_node_avx2(cJSON *n)
{
    _mm256_storeu_si256((__m256i *)(void *)n, _mm256_setzero_si256());
    _mm256_storeu_si256((__m256i *)(void *)n + 1, _mm256_setzero_si256());
}
#endif

#endif
