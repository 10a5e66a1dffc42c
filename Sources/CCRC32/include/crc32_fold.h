// Carry-less-multiply folding for CRC-32/IEEE (reflected 0xEDB88320), used by VenueKit's CRC32.
#ifndef MARKETMUX_CRC32_FOLD_H
#define MARKETMUX_CRC32_FOLD_H
#include <stddef.h>
#include <stdint.h>

// Folding constants: bit-reflected remainders, shifted left by one (see crc32_fold.c); exported
// so that the tests can recompute them from the polynomial.
/// x^(128+32) mod P: multiplies the first 8 bytes when folding by 16 bytes.
#define MM_CRC32_FOLD1_LO 0x1751997d0ULL
/// x^(128-32) mod P: multiplies the last 8 bytes when folding by 16 bytes.
#define MM_CRC32_FOLD1_HI 0x0ccaa009eULL
/// x^(512+32) mod P: first 8 bytes, folding by 64 bytes (four lanes in parallel).
#define MM_CRC32_FOLD4_LO 0x154442bd4ULL
/// x^(512-32) mod P: last 8 bytes, folding by 64 bytes.
#define MM_CRC32_FOLD4_HI 0x1c6e41596ULL

/// 1 if this CPU has PCLMULQDQ (and SSE4.1), so `mm_crc32_fold` may be called; 0 otherwise.
int mm_crc32_fold_supported(void);

/// Folds `blocks` (>= 1) 16-byte blocks at `data`, fed to a CRC-32 whose raw register (the
/// pre-inverted running value) is `reg`, into 16 bytes at `out` such that feeding `out` to a
/// register of 0 gives the same register as feeding `data` to `reg`. Call only when
/// `mm_crc32_fold_supported()` returned 1.
void mm_crc32_fold(uint32_t reg, const uint8_t *data, size_t blocks, uint8_t out[16]);
#endif
