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

typedef void (*each_fn)(const char *what, const char *in, size_t len);

static inline size_t len_upto(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

/* Every sequence of 1 to 4 of the nt strings tok (each at most 15 bytes),
 * concatenated and passed to fn as `what`; returns how many. */
static inline size_t each_sequence(const char *const *tok, size_t nt, const char *what, each_fn fn)
{
    size_t count = 0;
    for (size_t len = 1; len <= 4; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= nt;
        for (size_t code = 0; code < total; code++, count++) {
            char in[64];
            size_t c = code, n = 0;
            for (size_t i = 0; i < len; i++, c /= nt) {
                size_t l = len_upto(tok[c % nt], 15);
                memcpy(in + n, tok[c % nt], l);
                n += l;
            }
            fn(what, in, n);
        }
    }
    return count;
}

/* Every string of 1 to 4 bytes over alphabet (at most 64 bytes: the bytes a
 * reader branches on), each passed to fn; returns how many. */
static inline size_t each_short_string(const char *alphabet, each_fn fn)
{
    char one[64][2];
    const char *tok[64];
    size_t na = len_upto(alphabet, 64);
    for (size_t i = 0; i < na; i++) {
        one[i][0] = alphabet[i];
        one[i][1] = '\0';
        tok[i] = one[i];
    }
    return each_sequence(tok, na, "short input", fn);
}

#endif
