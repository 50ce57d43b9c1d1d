/*
 * words-dump.c - print the kept words lib/words.c finds in each line of
 * standard input, as "clause:hash" pairs (with "+hash" for a word's prefix
 * feature, when it has one), for tests/check-words.py, which holds
 * them equal to tools/words.py's.  White-box: links the static library.
 */
#define _POSIX_C_SOURCE 200809L /* getline */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void print_word(void *ctx, const struct smtp__word *w)
{
    (void)ctx;
    uint32_t ph = smtp__prefix_hash(w);
    printf(" %u:%08x", w->clause, w->hash);
    if (ph)
        printf("+%08x", ph);
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, stdin)) >= 0) {
        size_t n = (size_t)got;
        if (n && line[n - 1] == '\n')
            n--;
        smtp_reply r;
        memset(&r, 0, sizeof r);
        r.nstored = 1;
        r.line[0].len = (uint32_t)n;
        smtp__words(line, n, &r, print_word, NULL);
        printf("\n");
    }
    free(line);
    return 0;
}
