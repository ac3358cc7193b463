// The system zlib, for reading gzip corpora. zlib.h and libz are present wherever Swift builds.
#ifndef TREEINSTRUCT_CZLIB_H
#define TREEINSTRUCT_CZLIB_H

#include <zlib.h>

// inflateInit2 is a macro (it passes the header's version and struct size), which Swift cannot call.
static inline int CZlib_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

#endif
