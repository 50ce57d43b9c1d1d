/*
 * hs-bench.c - Hyperscan finding the table's literals in the benchmark corpus:
 * an anchor for smtpreply-bench, run beside it by bench/compare.py.
 *
 *     hs-bench LITERALS CORPUS [-r ROUNDS] [-s SECONDS]
 *
 * LITERALS holds one literal per line (the distinct folded pattern parts of the
 * rule files in data/rules, which compare.py lists with tools/gen-tables.py), CORPUS one
 * reply per line; both with the record escapes of common/record.h.  Every
 * literal is compiled with hs_compile_lit_multi, HS_FLAG_CASELESS, block mode,
 * and each reply is one hs_scan whose callback counts every match and goes on.
 * That is literal finding only: no parsing, no unwrapping, no folding beyond
 * ASCII case, no \b bounds and no decision, so it is less work than what
 * smtpreply-bench times.
 *
 * Timing is as in smtpreply-bench: one warm-up pass, passes sized so that a
 * round takes about SECONDS (default 0.5), ROUNDS rounds (default 3), medians;
 * wall clock (CLOCK_MONOTONIC), and thread CPU time for the _cpu figures.
 * Output: one "name: value" per line.  Built only when libhyperscan-dev is
 * installed (meson option -Dhyperscan, auto).
 */
#define _POSIX_C_SOURCE 200809L
#include <hs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "util.h"

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
{
    (void)id, (void)from, (void)to, (void)flags;
    ++*(uint64_t *)ctx;
    return 0;
}

/* One pass over the corpus; returns the matches. */
static uint64_t pass(const hs_database_t *db, hs_scratch_t *scratch, const struct rset *c,
                     size_t *with_match)
{
    uint64_t total = 0;
    size_t hit = 0;
    for (size_t i = 0; i < c->n; i++) {
        uint64_t m = 0;
        if (hs_scan(db, c->data + c->off[i], (unsigned)c->len[i], 0, scratch, on_match, &m) != HS_SUCCESS)
            bench_die("hs_scan failed", NULL);
        total += m;
        hit += m > 0;
    }
    if (with_match)
        *with_match = hit;
    return total;
}

int main(int argc, char **argv)
{
    bench_prog = "hs-bench";
    const char *lit_path = NULL, *corpus_path = NULL;
    int rounds = 3;
    double seconds = 0.5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-r") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            puts("usage: hs-bench LITERALS CORPUS [-r ROUNDS] [-s SECONDS]");
            return 0;
        } else if (!lit_path)
            lit_path = argv[i];
        else if (!corpus_path)
            corpus_path = argv[i];
        else
            bench_die("unexpected argument ", argv[i]);
    }
    if (!lit_path || !corpus_path || rounds < 1 || rounds > 99 || !(seconds > 0))
        bench_die("usage: hs-bench LITERALS CORPUS [-r ROUNDS] [-s SECONDS]", NULL);
    if (hs_valid_platform() != HS_SUCCESS)
        bench_die("this CPU does not run Hyperscan (it needs SSSE3)", NULL);

    struct rset lits = {0}, corpus = {0};
    rset_load(&lits, lit_path);
    rset_load(&corpus, corpus_path);
    const char **litp = bench_xrealloc(NULL, lits.n * sizeof *litp);
    for (size_t i = 0; i < lits.n; i++)
        litp[i] = lits.data + lits.off[i];

    unsigned *flags = bench_xrealloc(NULL, lits.n * sizeof *flags);
    unsigned *ids = bench_xrealloc(NULL, lits.n * sizeof *ids);
    for (size_t i = 0; i < lits.n; i++) {
        flags[i] = HS_FLAG_CASELESS;
        ids[i] = (unsigned)i;
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    uint64_t c0 = bench_wall_ns();
    if (hs_compile_lit_multi(litp, flags, ids, lits.len, (unsigned)lits.n,
                             HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS)
        bench_die("hs_compile_lit_multi: ", err && err->message ? err->message : "failed");
    uint64_t compile_ns = bench_wall_ns() - c0;
    hs_scratch_t *scratch = NULL;
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS)
        bench_die("hs_alloc_scratch failed", NULL);
    size_t db_bytes = 0, scratch_bytes = 0;
    (void)hs_database_size(db, &db_bytes);
    (void)hs_scratch_size(scratch, &scratch_bytes);

    size_t with_match = 0;
    uint64_t matches = pass(db, scratch, &corpus, &with_match); /* warm-up */
    uint64_t t0 = bench_wall_ns();
    (void)pass(db, scratch, &corpus, NULL);
    double one = (double)(bench_wall_ns() - t0) / 1e9;
    long passes = (long)(seconds / (one > 1e-6 ? one : 1e-6));
    if (passes < 1)
        passes = 1;

    double *rps = bench_xrealloc(NULL, (size_t)rounds * sizeof *rps);
    double *nsb = bench_xrealloc(NULL, (size_t)rounds * sizeof *nsb);
    double *nsb_cpu = bench_xrealloc(NULL, (size_t)rounds * sizeof *nsb_cpu);
    double *rps_cpu = bench_xrealloc(NULL, (size_t)rounds * sizeof *rps_cpu);
    volatile uint64_t sink = 0;
    for (int r = 0; r < rounds; r++) {
        uint64_t w = bench_wall_ns(), c = bench_cpu_ns();
        for (long p = 0; p < passes; p++)
            sink += pass(db, scratch, &corpus, NULL);
        double wall = (double)(bench_wall_ns() - w);
        double cpu = (double)(bench_cpu_ns() - c);
        rps[r] = (double)corpus.n * (double)passes / (wall / 1e9);
        nsb[r] = wall / ((double)corpus.bytes * (double)passes);
        nsb_cpu[r] = cpu / ((double)corpus.bytes * (double)passes);
        rps_cpu[r] = (double)corpus.n * (double)passes / (cpu / 1e9);
    }

    printf("engine: hyperscan %s\n", hs_version());
    printf("literals: %zu\n", lits.n);
    printf("flags: HS_FLAG_CASELESS, block mode, every match reported\n");
    printf("compile_ms: %.1f\n", (double)compile_ns / 1e6);
    printf("database_bytes: %zu\n", db_bytes);
    printf("scratch_bytes: %zu\n", scratch_bytes);
    printf("replies: %zu\n", corpus.n);
    printf("bytes: %zu\n", corpus.bytes);
    printf("matches_per_pass: %llu\n", (unsigned long long)matches);
    printf("replies_with_a_match: %zu\n", with_match);
    printf("rounds: %d\n", rounds);
    printf("passes: %ld\n", passes);
    printf("replies_per_second: %.0f\n", bench_median(rps, rounds));
    printf("ns_per_byte: %.3f\n", bench_median(nsb, rounds));
    printf("ns_per_byte_cpu: %.3f\n", bench_median(nsb_cpu, rounds));
    printf("replies_per_cpu_second: %.0f\n", bench_median(rps_cpu, rounds));

    hs_free_scratch(scratch);
    hs_free_database(db);
    rset_free(&lits);
    rset_free(&corpus);
    free(litp);
    free(flags), free(ids), free(rps), free(nsb), free(nsb_cpu), free(rps_cpu);
    return 0;
}
