/*
 * util.h - what the three benchmarks share (smtpreply-bench, hs-bench,
 * bounce-bench): their messages, clocks, median, and a set of records read
 * from a file of escaped lines.  Nothing here times or asserts anything.
 */
#ifndef SMTPREPLY_BENCH_UTIL_H
#define SMTPREPLY_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The name in messages ("hs-bench: ..."); each program sets it first. */
extern const char *bench_prog;

/* "PROG: what arg" on standard error, then exit status 2. */
void bench_die(const char *what, const char *arg);
/* realloc, or bench_die("out of memory"). */
void *bench_xrealloc(void *p, size_t n);

/* The monotonic wall clock, and the CPU time of the calling thread (which does
 * not count the time the thread was preempted on a busy machine), in ns. */
uint64_t bench_wall_ns(void);
uint64_t bench_cpu_ns(void);

/* The median of v[0..n), n > 0; sorts v in place (v[0] is then the minimum and
 * v[n - 1] the maximum). */
double bench_median(double *v, int n);

/* Records one after the other in data, each followed by a NUL: record i is
 * data + off[i], len[i] bytes. */
struct rset {
    char *data;
    size_t *off, *len;
    size_t n, cap, bytes, datalen, datacap;
};
void rset_add(struct rset *s, const char *p, size_t len);
void rset_free(struct rset *s);
/* Every non-empty line of the file at path, with the record escapes of
 * common/record.h decoded; an empty set or an unreadable file is fatal. */
void rset_load(struct rset *s, const char *path);

#endif
