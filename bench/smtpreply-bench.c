/*
 * smtpreply-bench.c - how fast libsmtpreply classifies replies, and what that costs.
 *
 *   smtpreply-bench [FILE] [-n PASSES] [-r ROUNDS] [-t THREADS] [-w WARMUP]
 *                   [--library PATH] [--table-object PATH] [--throughput-only] [--quick]
 *
 * FILE holds one reply per line with the record escapes of the CLI and the test
 * tables (common/record.h); the default is bench/corpus/replies.txt.
 *
 * "Classifying a reply" is smtp_reply_parse (whole-text mode with unwrapping,
 * options 0, as smtp_reply_classify_buf does) followed by smtp_reply_classify,
 * which fills every field of the result.  The program prints one "name: value"
 * line per figure (bench/README.md says what each one means).  Times come from
 * clock_gettime(CLOCK_MONOTONIC); nothing here asserts a time.
 *
 * The inputs and the measured work are in work.c.  The floor is one scalar
 * pass over the same bytes that lowercases them into a scratch buffer through a
 * 256-entry table, compiled without loop vectorisation and read back into a
 * sink, so that the compiler can neither drop nor vectorise it.  Classification
 * and floor are timed in the same rounds; medians are reported.
 *
 * The library is linked statically (the objects of the shared library), with the
 * linker's --wrap=malloc where it has one (common/alloc-count.h), so that the
 * "allocations" figure counts what it allocates in the timed loops (the test
 * no-allocations asserts that it is none).  sysinfo.c reports the machine and the
 * sizes; its platform-specific parts are optional, so this builds on any POSIX system.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtpreply.h"
#include "sysinfo.h"
#include "util.h"
#include "work.h"

#ifndef BENCH_DEFAULT_CORPUS
#define BENCH_DEFAULT_CORPUS "bench/corpus/replies.txt"
#endif
#ifndef BENCH_DEFAULT_LIBRARY
#define BENCH_DEFAULT_LIBRARY ""
#endif

/* ---- threads -------------------------------------------------------------- */

struct worker {
    pthread_t tid;
    const struct rset *s;
    int passes;
    uint64_t acc;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (int p = 0; p < w->passes; p++)
        w->acc += classify_pass(w->s);
    return NULL;
}

/* Wall time for T threads each running `passes` passes over s, from the start of
 * the first to the end of the last (starting a thread takes microseconds; a run,
 * a good part of a second). */
static uint64_t run_threads(const struct rset *s, int nthreads, int passes)
{
    struct worker *w = bench_xrealloc(NULL, (size_t)nthreads * sizeof *w);
    alloc_counting = 1;
    uint64_t t0 = bench_wall_ns();
    for (int i = 0; i < nthreads; i++) {
        w[i] = (struct worker){.s = s, .passes = passes};
        if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0)
            bench_die("cannot start threads", NULL);
    }
    for (int i = 0; i < nthreads; i++)
        pthread_join(w[i].tid, NULL);
    uint64_t t1 = bench_wall_ns();
    alloc_counting = 0;
    for (int i = 0; i < nthreads; i++)
        bench_sink += w[i].acc;
    free(w);
    return t1 - t0;
}

/* ---- main ----------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: smtpreply-bench [FILE] [options]\n"
            "  FILE                 one escaped reply per line (default %s)\n"
            "  -n, --passes N       passes over the corpus per round (default: sized so that\n"
            "                       all rounds of classification take about 1.5 s)\n"
            "  -r, --rounds N       rounds; medians are reported (default 5)\n"
            "  -t, --threads N      threads for the scaling figure (default 2)\n"
            "  -w, --warmup N       warm-up passes (default 3)\n"
            "      --library PATH   library file whose size to report (default: the shared\n"
            "                       library of this build, %s)\n"
            "      --table-object PATH  object file of the generated table (default: found\n"
            "                       beside the library in its meson .p folder, with <elf.h>)\n"
            "      --throughput-only  only the corpus throughput and floor (no size\n"
            "                       series, no threads): what bench/compare.py runs\n"
            "      --quick          short run: one round, small batches (for smoke tests)\n"
            "  -h, --help\n",
            BENCH_DEFAULT_CORPUS, BENCH_DEFAULT_LIBRARY[0] ? BENCH_DEFAULT_LIBRARY : "none");
}

static int number(const char *opt, const char *arg, int min, int max)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || v < min || v > max)
        bench_die(opt, arg);
    return (int)v;
}

/* The timed rounds over the corpus: N classification passes and M floor passes
 * each, one after the other (the order alternates between rounds). */
static void corpus_rounds(const struct rset *c, int rounds, int passes, int fpasses)
{
    double *v = bench_xrealloc(NULL, 5 * (size_t)rounds * sizeof *v), bytes = (double)c->bytes;
    double *cls = v, *flo = v + rounds, *ratio = v + 2 * rounds, *cls_cpu = v + 3 * rounds,
           *flo_cpu = v + 4 * rounds, lo = 1e300, hi = 0;
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < 2; k++) {
            uint64_t t = bench_wall_ns(), tc = bench_cpu_ns();
            if ((k == 0) == (r % 2 == 0)) {
                alloc_counting = 1;
                for (int p = 0; p < passes; p++)
                    bench_sink += classify_pass(c);
                alloc_counting = 0;
                cls[r] = (double)(bench_wall_ns() - t) / (passes * bytes);
                cls_cpu[r] = (double)(bench_cpu_ns() - tc) / (passes * bytes);
            } else {
                for (int p = 0; p < fpasses; p++)
                    bench_sink += floor_pass(c);
                flo[r] = (double)(bench_wall_ns() - t) / (fpasses * bytes);
                flo_cpu[r] = (double)(bench_cpu_ns() - tc) / (fpasses * bytes);
            }
        }
        ratio[r] = cls[r] / flo[r];
        lo = cls[r] < lo ? cls[r] : lo;
        hi = cls[r] > hi ? cls[r] : hi;
    }
    double nspb = bench_median(cls, rounds), fnspb = bench_median(flo, rounds);
    double nspb_cpu = bench_median(cls_cpu, rounds), fnspb_cpu = bench_median(flo_cpu, rounds);
    double ns_per_reply = nspb * bytes / (double)c->n;
    printf("replies_per_second: %.0f\nmb_per_second: %.2f\n", 1e9 / ns_per_reply, 1e3 / nspb);
    printf("ns_per_reply: %.1f\nns_per_byte: %.3f\n", ns_per_reply, nspb);
    printf("ns_per_byte_min: %.3f\nns_per_byte_max: %.3f\n", lo, hi);
    printf("ns_per_byte_cpu: %.3f\nfloor_ns_per_byte: %.4f\n", nspb_cpu, fnspb);
    printf("ratio_to_floor: %.1f\nratio_to_floor_rounds_median: %.1f\n", nspb / fnspb,
           bench_median(ratio, rounds));
    printf("floor_ns_per_byte_cpu: %.4f\nratio_to_floor_cpu: %.1f\n", fnspb_cpu, nspb_cpu / fnspb_cpu);
    fflush(stdout);
    free(v);
}

/* Cost by input size: short and typical corpus replies, one reply of 1 KB, 64 KB
 * and 1 MB, one of 10,000 lines. */
static void size_series(const struct rset *c, uint64_t batch)
{
    struct rset part[2] = {{0}}, big[4] = {{0}};
    static const char *const part_names[] = {"short", "typical"};
    static const char *const big_names[] = {"1kb", "64kb", "1mb", "10000_lines"};
    char st[160];
    for (size_t i = 0; i < c->n; i++)
        if (c->len[i] <= 48 || (c->len[i] >= 64 && c->len[i] <= 256))
            rset_add(&part[c->len[i] > 48], c->data + c->off[i], c->len[i]);
    make_long_line(&big[0], c, 1024);
    make_long_line(&big[1], c, 64 * 1024);
    make_long_line(&big[2], c, 1024 * 1024);
    make_many_lines(&big[3], 10000);
    for (int i = 0; i < 2; i++) {
        const struct rset *s = &part[i];
        printf("%s_replies: %zu\n", part_names[i], s->n);
        printf("%s_bytes_avg: %.1f\n", part_names[i], s->n ? (double)s->bytes / s->n : 0.0);
        printf("ns_per_byte_%s: %.3f\n", part_names[i], s->n ? measure_ns_per_byte(s, batch) : 0.0);
    }
    for (int i = 0; i < 4; i++)
        printf("ns_per_byte_%s: %.3f\n", big_names[i], measure_ns_per_byte(&big[i], batch));
    printf("lines_10000_bytes: %zu\n", big[3].bytes);
    for (int i = 0; i < 4; i++)
        printf("parse_%s: %s\n", big_names[i], first_status(&big[i], st, sizeof st));
    fflush(stdout);
    for (int i = 0; i < 6; i++)
        rset_free(i < 2 ? &part[i] : &big[i - 2]);
}

/* User rules: the cost of smtp_reply_classify_with beside smtp_reply_classify,
 * interleaved, with an empty rules object (which must cost nothing noticeable)
 * and with 200 phrase rules and 20 concept rules. */
static void rules_series(const struct rset *c, int passes, int rounds)
{
    static const char head[] = "id\tcategory\tpriority\tcodes\tpattern\tprovider\tblocklist\toptions\tadvice\tsource\n";
    smtp_reply_rules *empty, *some;
    smtp_reply_rules_error err;
    size_t cap = 64 * 1024, n = 0;
    char *rows = bench_xrealloc(NULL, cap);
    n += (size_t)snprintf(rows + n, cap - n, "%s", head);
    for (int i = 0; i < 200; i++)
        n += (size_t)snprintf(rows + n, cap - n, "b-%d\tpolicy\t55\t-\tlocal phrase number %d\t-\t-\t-\t-\tbench\n", i, i);
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(rows + n, cap - n, "c-%d\tpolicy\t48\t-\t~gizmo%c|widget%c + banned|refused\t-\t-\t-\t-\tbench\n",
                              i, 'a' + i, 'a' + i);
    if (smtp_reply_rules_new(&empty) != SMTP_REPLY_OK || smtp_reply_rules_compile(empty, &err) != SMTP_REPLY_OK ||
        smtp_reply_rules_new(&some) != SMTP_REPLY_OK ||
        smtp_reply_rules_add_buffer(some, "bench", rows, n, &err) != SMTP_REPLY_OK ||
        smtp_reply_rules_compile(some, &err) != SMTP_REPLY_OK)
        bench_die("rules: cannot build the rules objects: ", err.message);
    double *v = bench_xrealloc(NULL, 3 * (size_t)rounds * sizeof *v);
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < 3; k++) {
            int which = (k + r) % 3; /* rotate the order */
            const smtp_reply_rules *u = which == 0 ? NULL : which == 1 ? empty : some;
            uint64_t t = bench_cpu_ns();
            alloc_counting = 1;
            for (int p = 0; p < passes; p++)
                bench_sink += classify_pass_with(c, u);
            alloc_counting = 0;
            v[which * rounds + r] = (double)(bench_cpu_ns() - t);
        }
    }
    double base = bench_median(v, rounds);
    printf("rules_empty_cost_ratio: %.3f\n", bench_median(v + rounds, rounds) / base);
    printf("rules_200_phrases_20_concepts_cost_ratio: %.3f\n", bench_median(v + 2 * rounds, rounds) / base);
    fflush(stdout);
    free(v);
    free(rows);
    smtp_reply_rules_free(empty);
    smtp_reply_rules_free(some);
}

/* A server that drips a long multiline reply one byte at a time: the reader
 * calls smtp_reply_parse_stream after every byte.  The cost per byte must not
 * grow with the size (linear); calling smtp_reply_parse on every arrival, as
 * stream mode alone would, rescans from byte 0 (quadratic): shown at 16 KB. */
static void drip_series(void)
{
    static const size_t sizes[] = {64 * 1024, 256 * 1024, 1024 * 1024};
    static const char *const names[] = {"64kb", "256kb", "1mb"};
    size_t max = sizes[2] + 64, n;
    char *buf = bench_xrealloc(NULL, max);
    for (int k = 0; k < 4; k++) {
        size_t want = k < 3 ? sizes[k] : 16 * 1024;
        for (n = 0; n + 24 <= want; n += 24)
            memcpy(buf + n, "550-5.7.1 a slow reply\r\n", 24);
        memcpy(buf + n, "550 5.7.1 end\r\n", 15);
        n += 15;
        smtp_reply r;
        smtp_reply_stream st;
        smtp_reply_stream_init(&st);
        int rc = SMTP_REPLY_E_INCOMPLETE;
        uint64_t t0 = bench_cpu_ns();
        for (size_t have = 1; have <= n && rc == SMTP_REPLY_E_INCOMPLETE; have++)
            rc = k < 3 ? smtp_reply_parse_stream(&st, buf, have, &r)
                       : smtp_reply_parse(buf, have, SMTP_REPLY_OPT_STREAM, &r);
        uint64_t t1 = bench_cpu_ns();
        if (rc != SMTP_REPLY_OK || r.consumed != n)
            bench_die("drip: the reply did not complete", NULL);
        if (k < 3) {
            printf("drip_ns_per_byte_%s: %.2f\n", names[k], (double)(t1 - t0) / (double)n);
            if (k == 2)
                printf("drip_examined_per_byte_1mb: %.2f\n", (double)st.examined / (double)n);
        } else {
            printf("drip_rescan_ns_per_byte_16kb: %.2f\n", (double)(t1 - t0) / (double)n);
        }
    }
    fflush(stdout);
    free(buf);
}

/* Threads: 1 thread, then T threads, the same passes each, `reps` times. */
static void thread_series(const struct rset *c, int nthreads, int tpasses, int reps)
{
    double th1[3], thT[3], spd[3], n = (double)tpasses * (double)c->n * 1e9;
    for (int k = 0; k < reps; k++) {
        uint64_t w1 = run_threads(c, 1, tpasses);
        uint64_t wT = nthreads > 1 ? run_threads(c, nthreads, tpasses) : w1;
        th1[k] = n / (double)w1;
        thT[k] = nthreads * n / (double)wT;
        spd[k] = thT[k] / th1[k];
    }
    printf("threads: %d\nthreads_passes: %d\n", nthreads, tpasses);
    printf("replies_per_second_1_thread: %.0f\n", bench_median(th1, reps));
    printf("replies_per_second_threads: %.0f\n", bench_median(thT, reps));
    printf("threads_speedup: %.2f\n", bench_median(spd, reps));
}

int main(int argc, char **argv)
{
    bench_prog = "smtpreply-bench";
    const char *corpus = BENCH_DEFAULT_CORPUS, *libpath = BENCH_DEFAULT_LIBRARY, *tableopt = NULL;
    int passes = 0, rounds = 5, nthreads = 2, warmup = 3, quick = 0, tponly = 0, o;
    static const struct option longopts[] = {
        {"passes", required_argument, NULL, 'n'}, {"rounds", required_argument, NULL, 'r'},
        {"threads", required_argument, NULL, 't'}, {"warmup", required_argument, NULL, 'w'},
        {"library", required_argument, NULL, 'L'}, {"table-object", required_argument, NULL, 'T'},
        {"quick", no_argument, NULL, 'q'}, {"throughput-only", no_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    while ((o = getopt_long(argc, argv, "n:r:t:w:h", longopts, NULL)) != -1) {
        switch (o) {
        case 'n': passes = number("bad -n ", optarg, 1, INT_MAX); break;
        case 'r': rounds = number("bad -r ", optarg, 1, 1000); break;
        case 't': nthreads = number("bad -t ", optarg, 1, 256); break;
        case 'w': warmup = number("bad -w ", optarg, 0, INT_MAX); break;
        case 'L': libpath = optarg; break;
        case 'T': tableopt = optarg; break;
        case 'q': quick = 1; break;
        case 'P': tponly = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc)
        corpus = argv[optind++];
    if (optind < argc) {
        usage(stderr);
        return 2;
    }
    if (quick) {
        rounds = warmup = 1;
        passes = passes ? passes : 1;
    }
#ifdef BENCH_ALLOC_COUNT
    int counted = alloc_count_works();
#else
    int counted = 0;
#endif
    char load_start[128], pv[512];
    sysinfo_load_average(load_start, sizeof load_start);

    struct rset c = {0};
    rset_load(&c, corpus); /* no corpus? bench/make-corpus.py makes it */
    size_t maxlen = 1u << 20;
    for (size_t i = 0; i < c.n; i++)
        maxlen = c.len[i] > maxlen ? c.len[i] : maxlen;
    floor_init(maxlen);

    size_t perr, unknown; /* what the library says, for the record (untimed) */
    uint64_t csum = result_checksum(&c, &perr, &unknown);
    for (int i = 0; i < warmup; i++)
        bench_sink += classify_pass(&c) + floor_pass(&c);

    /* Size the rounds: about 1.5 s of classification in all.  The pass time is
     * the least of three, so that one preemption does not shrink the run. */
    uint64_t one_pass = UINT64_MAX, one_floor = UINT64_MAX;
    for (int k = 0; k < 3; k++) {
        uint64_t t0 = bench_wall_ns();
        bench_sink += classify_pass(&c);
        uint64_t t1 = bench_wall_ns();
        bench_sink += floor_pass(&c);
        uint64_t t2 = bench_wall_ns();
        one_pass = t1 - t0 < one_pass ? t1 - t0 : one_pass;
        one_floor = t2 - t1 < one_floor ? t2 - t1 : one_floor;
    }
    one_pass += !one_pass;
    one_floor += !one_floor;
    if (!passes) {
        double n = 1.5e9 / rounds / (double)one_pass;
        passes = n < 1 ? 1 : (int)(n + 0.5);
    }
    /* The floor is much cheaper: give each floor round at least 50 ms (or as
     * many passes as the classification round, whichever is more). */
    int fpasses = quick ? 1 : (int)(50e6 / (double)one_floor + 0.5);
    fpasses = fpasses < passes ? passes : fpasses;

    /* The main figures first, so that a reader sees them even if a later part fails. */
    printf("cpu: %s\n", sysinfo_cpu(pv, sizeof pv));
#ifdef _SC_NPROCESSORS_ONLN
    printf("online_cpus: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
#endif
    printf("load_average_at_start: %s\ncorpus: %s\n", load_start, corpus);
    printf("library_version: %s\ntable_version: %s\n", smtp_reply_version(), smtp_reply_table_version());
    printf("replies: %zu\nbytes: %zu\n", c.n, c.bytes);
    printf("parse_errors: %zu\nunknown_category: %zu\n", perr, unknown);
    printf("result_checksum: %016llx\n", (unsigned long long)csum);
    printf("rounds: %d\npasses: %d\nfloor_passes: %d\n", rounds, passes, fpasses);
    corpus_rounds(&c, rounds, passes, fpasses);
    if (!tponly) {
        size_series(&c, quick ? 1000000u : 60000000u);
        drip_series();
        rules_series(&c, passes, quick ? 1 : 5);
        int tpasses = passes;
        if (!quick && (double)one_pass * tpasses < 3e8) /* ~0.3 s per thread run */
            tpasses = (int)(3e8 / (double)one_pass + 0.5);
        thread_series(&c, nthreads, tpasses, quick ? 1 : 3);
    }
#ifdef BENCH_ALLOC_COUNT
    if (counted)
        printf("allocations: %lu\n", alloc_count());
#endif
    if (!counted)
        printf("allocations: unavailable\n");
    sysinfo_print_sizes(libpath, tableopt);
    printf("load_average_at_end: %s\n", sysinfo_load_average(pv, sizeof pv));
    floor_free();
    rset_free(&c);
    return 0;
}
