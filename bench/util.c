/*
 * util.c - the benchmarks' shared helpers (util.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "record.h"

const char *bench_prog = "bench";

void bench_die(const char *what, const char *arg)
{
    fprintf(stderr, "%s: %s%s\n", bench_prog, what, arg ? arg : "");
    exit(2);
}

void *bench_xrealloc(void *p, size_t n)
{
    if ((p = realloc(p, n ? n : 1)) == NULL)
        bench_die("out of memory", NULL);
    return p;
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_wall_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

uint64_t bench_cpu_ns(void)
{
#ifdef CLOCK_THREAD_CPUTIME_ID
    return clock_ns(CLOCK_THREAD_CPUTIME_ID);
#else
    return clock_ns(CLOCK_MONOTONIC);
#endif
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

void rset_add(struct rset *s, const char *p, size_t len)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->off = bench_xrealloc(s->off, s->cap * sizeof *s->off);
        s->len = bench_xrealloc(s->len, s->cap * sizeof *s->len);
    }
    if (s->datalen + len + 1 > s->datacap) {
        while (s->datalen + len + 1 > s->datacap)
            s->datacap = s->datacap ? s->datacap * 2 : 65536;
        s->data = bench_xrealloc(s->data, s->datacap);
    }
    memcpy(s->data + s->datalen, p, len);
    s->off[s->n] = s->datalen;
    s->len[s->n++] = len;
    s->datalen += len;
    s->data[s->datalen++] = '\0';
    s->bytes += len;
}

void rset_free(struct rset *s)
{
    free(s->data);
    free(s->off);
    free(s->len);
    memset(s, 0, sizeof *s);
}

void rset_load(struct rset *s, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        bench_die("cannot open ", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t l;
    while ((l = getline(&line, &cap, f)) > 0) {
        while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
            l--;
        if (l > 0)
            rset_add(s, line, rec_unescape(line, (size_t)l));
    }
    free(line);
    fclose(f);
    if (s->n == 0)
        bench_die("no records in ", path);
}
