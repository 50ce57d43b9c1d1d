/*
 * work.h - the inputs and the measured work of smtpreply-bench (work.c).
 */
#ifndef SMTPREPLY_BENCH_WORK_H
#define SMTPREPLY_BENCH_WORK_H

#include <stddef.h>
#include <stdint.h>

#include "smtpreply.h"
#include "util.h"
#ifdef BENCH_ALLOC_COUNT
#include "alloc-count.h"
#else
extern volatile int alloc_counting; /* set around the timed loops; counts nothing */
#endif

/* Where results go so that the compiler keeps the work. */
extern volatile uint64_t bench_sink;

/* One reply of about `size` bytes: "550 5.7.1 " and the texts of c joined by
 * spaces, line breaks blanked, on one line. */
void make_long_line(struct rset *out, const struct rset *c, size_t size);
/* One multiline reply of `lines` lines of a real Gmail reply's texts. */
void make_many_lines(struct rset *out, size_t lines);

/* One pass of parse (options 0) + classify over s, with the user rules u
 * (smtp_reply_classify_with) unless u is NULL; returns a value from the results. */
uint64_t classify_pass_with(const struct rset *s, const smtp_reply_rules *u);
uint64_t classify_pass(const struct rset *s);

/* The floor: one scalar pass that lowercases the bytes of s through a table
 * into a scratch buffer of maxlen bytes (floor_init first). */
void floor_init(size_t maxlen);
uint64_t floor_pass(const struct rset *s);
void floor_free(void);

/* FNV-1a over every field of every result (rule id text included), untimed:
 * what the library said about s, to tell that an optimisation changed nothing.
 * Counts the parse errors and the replies of category unknown. */
uint64_t result_checksum(const struct rset *s, size_t *errors, size_t *unknown);

/* Median ns per byte of classifying s: 3 batches of at least min_ns each. */
double measure_ns_per_byte(const struct rset *s, uint64_t min_ns);

/* What the parser made of the first record of s: its status, the bytes the
 * reply took, its lines. */
const char *first_status(const struct rset *s, char *out, size_t outsize);

#endif
