// zlib's init functions are macros (they pass ZLIB_VERSION and sizeof(z_stream)); wrap them.
#ifndef MARKETMUX_CZLIB_SHIM_H
#define MARKETMUX_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2 is a macro: raw deflate streams use negative window bits (RFC 7692 §7.2).
static inline int mm_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

/// deflateInit2 is a macro.
static inline int mm_deflateInit2(z_streamp strm, int level, int method, int windowBits, int memLevel, int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}
#endif
