// CRC-32 by carry-less multiplication (the folding method of Gopal et al., "Fast CRC Computation
// for Generic Polynomials Using PCLMULQDQ Instruction", Intel, 2009), written for MarketMux.
//
// The message is kept as a 128-bit remainder-equivalent value. Folding moves it forward over the
// next 16 (or 64) bytes: its first 8 bytes (higher degree in the reflected bit order) are
// multiplied by x^(D+32) mod P and its last 8 by x^(D-32) mod P, D the distance folded in bits,
// and the products are added (XOR) to the block at that distance. The result has the same CRC
// as what it replaces. The constants are those remainders bit-reflected and shifted left by one
// (a reflected carry-less product comes out divided by x); VenueKitTests recomputes them from
// the polynomial and checks every length 0...600 against the table-driven CRC.
//
// The functions carry a `target` attribute instead of compiler flags, so the package builds
// with default flags and the caller checks the CPU at run time.
#include "crc32_fold.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

int mm_crc32_fold_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
}


__attribute__((target("pclmul,sse4.1")))
static inline __m128i fold(__m128i x, __m128i k, __m128i next) {
    __m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
    __m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

__attribute__((target("pclmul,sse4.1")))
void mm_crc32_fold(uint32_t reg, const uint8_t *data, size_t blocks, uint8_t out[16]) {
    const __m128i k1 = _mm_set_epi64x((long long)MM_CRC32_FOLD1_HI, (long long)MM_CRC32_FOLD1_LO);
    // The register enters as an XOR on the first four bytes (the CRC is linear in both).
    __m128i x = _mm_xor_si128(_mm_loadu_si128((const __m128i *)data), _mm_cvtsi32_si128((int)reg));
    size_t i = 1;
    if (blocks >= 8) {
        // Four independent chains hide the multiply's latency; then they are folded into one.
        const __m128i k4 = _mm_set_epi64x((long long)MM_CRC32_FOLD4_HI, (long long)MM_CRC32_FOLD4_LO);
        __m128i x1 = _mm_loadu_si128((const __m128i *)(data + 16));
        __m128i x2 = _mm_loadu_si128((const __m128i *)(data + 32));
        __m128i x3 = _mm_loadu_si128((const __m128i *)(data + 48));
        for (i = 4; i + 4 <= blocks; i += 4) {
            const uint8_t *p = data + 16 * i;
            x = fold(x, k4, _mm_loadu_si128((const __m128i *)p));
            x1 = fold(x1, k4, _mm_loadu_si128((const __m128i *)(p + 16)));
            x2 = fold(x2, k4, _mm_loadu_si128((const __m128i *)(p + 32)));
            x3 = fold(x3, k4, _mm_loadu_si128((const __m128i *)(p + 48)));
        }
        x = fold(x, k1, x1);
        x = fold(x, k1, x2);
        x = fold(x, k1, x3);
    }
    for (; i < blocks; i++) {
        x = fold(x, k1, _mm_loadu_si128((const __m128i *)(data + 16 * i)));
    }
    _mm_storeu_si128((__m128i *)out, x);
}

#else
// Other architectures: the table-driven CRC in Swift is used.
int mm_crc32_fold_supported(void) { return 0; }
void mm_crc32_fold(uint32_t reg, const uint8_t *data, size_t blocks, uint8_t out[16]) {
    (void)reg; (void)data; (void)blocks; (void)out;
    __builtin_trap();
}
#endif
