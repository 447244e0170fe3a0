/* simd.h - 16 bytes of text at a time, for scans that look for a few byte patterns: a vector
 * of 16 bytes (GCC/Clang vector extensions, so SSE2 on x86-64, NEON on arm64 and plain code
 * elsewhere, all from the same source), its lane masks, and the window walk over a text. The
 * comparisons are the language's own: (v == 'p') is a simd_mask, & | combine masks. */
#ifndef SCHEMAGATE_SIMD_H
#define SCHEMAGATE_SIMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SIMD_WIDTH 16

typedef unsigned char simd_bytes __attribute__((vector_size(SIMD_WIDTH)));
typedef signed char simd_mask __attribute__((vector_size(SIMD_WIDTH)));   /* lanes 0 or -1 */

/* The 16 bytes at p (any alignment). */
static inline simd_bytes simd_load(const char *p)
{
    simd_bytes v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* A vector of 16 c's. */
static inline simd_bytes simd_splat(unsigned char c)
{
    return (simd_bytes){c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c};
}

/* Whether any lane of m is set. */
static inline bool simd_any(simd_mask m)
{
    uint64_t lo, hi;
    memcpy(&lo, &m, sizeof lo);
    memcpy(&hi, (const char *)&m + sizeof lo, sizeof hi);
    return (lo | hi) != 0;
}

/* The lanes of m as two integers of 8 lanes each: lanes 0..7, then 8..15 (simd_first_lane
 * reads them). */
static inline void simd_halves(simd_mask m, uint64_t half[2])
{
    memcpy(half, &m, 2 * sizeof half[0]);
}

/* Of 8 lanes read as one integer, the first set one (lane 0 is the first byte in memory) and
 * the integer's bits that lane occupies (clear them to find the next). */
static inline size_t simd_first_lane(uint64_t lanes, uint64_t *bits)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    size_t lane = (size_t)__builtin_clzll(lanes) / 8;
    *bits = UINT64_C(0xff) << (56 - lane * 8);
#else
    size_t lane = (size_t)__builtin_ctzll(lanes) / 8;
    *bits = UINT64_C(0xff) << (lane * 8);
#endif
    return lane;
}

/* Window starts for a text of `len` >= `reach` bytes, when a window reads `reach` bytes
 * (SIMD_WIDTH, or one more when a lane also looks at the next byte): every SIMD_WIDTH bytes,
 * the last one moved back to end at the text's end (overlapping the one before), so every
 * lane position [0, len - reach + SIMD_WIDTH) is covered and nothing past the end is read.
 * A shorter text needs another path (a zero-padded copy, or byte by byte). Start at 0;
 * SIZE_MAX means done. */
static inline size_t simd_next(size_t at, size_t len, size_t reach)
{
    if (at + reach >= len)
        return SIZE_MAX;
    at += SIMD_WIDTH;
    return at + reach <= len ? at : len - reach;
}

#endif
