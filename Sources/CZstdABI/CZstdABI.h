// The two structs of libzstd's streaming API, as zstd.h declares them (stable since zstd 1.0).
// Only the layout is declared here: nothing links libzstd. CorpusIngest loads libzstd.so.1 with
// dlopen at first use, so a machine without the -dev package still builds, and one without
// the library still reads every other corpus.
#ifndef TREEINSTRUCT_CZSTDABI_H
#define TREEINSTRUCT_CZSTDABI_H

#include <stddef.h>

typedef struct ZSTD_inBuffer_s {
    const void *src;
    size_t size;
    size_t pos;
} ZSTD_inBuffer;

typedef struct ZSTD_outBuffer_s {
    void *dst;
    size_t size;
    size_t pos;
} ZSTD_outBuffer;

#endif
