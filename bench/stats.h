/*
 * stats.h - the median every benchmark here reports (header-only).
 */
#ifndef SMTPREPLY_BENCH_STATS_H
#define SMTPREPLY_BENCH_STATS_H

#include <stdlib.h>

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n), n > 0; sorts v in place (v[0] is then the minimum and
 * v[n - 1] the maximum). */
static inline double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

#endif
