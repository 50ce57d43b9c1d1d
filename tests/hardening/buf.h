/*
 * buf.h - a growing byte buffer the hardening tests build hostile inputs in, and
 * the exhaustive short strings the guard-page tests feed.
 * Header-only, like hardening.h.
 */
#ifndef HARDENING_BUF_H
#define HARDENING_BUF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing byte buffer for building hostile inputs (exits on out of memory). */
struct buf {
    char *p;
    size_t n, cap;
};

static inline void put(struct buf *b, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap : 4096;
        while (c < b->n + n)
            c *= 2;
        b->p = realloc(b->p, c);
        if (!b->p) {
            perror("realloc");
            exit(1);
        }
        b->cap = c;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}
static inline void puts_(struct buf *b, const char *s) { put(b, s, strlen(s)); }

/* Every string of 1 to 4 bytes over alphabet (the bytes a reader branches on),
 * each passed to fn; returns how many. */
static inline size_t each_short_string(const char *alphabet, void (*fn)(const char *what, const char *in,
                                                                        size_t len))
{
    const size_t na = strlen(alphabet);
    size_t shorts = 0;
    for (size_t len = 1; len <= 4; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= na;
        for (size_t code = 0; code < total; code++, shorts++) {
            char in[4];
            size_t c = code;
            for (size_t i = 0; i < len; i++, c /= na)
                in[i] = alphabet[c % na];
            fn("short input", in, len);
        }
    }
    return shorts;
}

#endif
