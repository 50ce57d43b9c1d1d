/*
 * buf.h - a growing byte buffer the hardening tests build hostile inputs in.
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

#endif
