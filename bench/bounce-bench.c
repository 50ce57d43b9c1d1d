/*
 * bounce-bench.c - how fast the bounce reader reads mails, and that it never
 * allocates.
 *
 *   bounce-bench [--mails DIR] [--sizes] [--throughput-only] [-r ROUNDS] [--check]
 *
 * --mails DIR (default ../shared/corpus/bounces): every file under DIR but
 *   *.tsv, *.md and LICENSE* is read into memory first; then each round reads
 *   every mail (smtp_reply_bounce_open, then smtp_reply_bounce_next to the end:
 *   every recipient parsed and classified) for about a second of this thread's
 *   CPU time; the median round gives mails per second and ns per byte.
 * --sizes: ns per byte for one mail of 1 KB, 64 KB, 1 MB, 16 MB and 64 MB, in
 *   two shapes: a DSN returning a large message (what big bounces are: the
 *   reader walks the returned part's boundaries only), and a DSN whose
 *   human-readable text is that large (every line scanned for markers and
 *   addresses).  Flat ns/byte from 1 KB to 64 MB is the linearity check.
 * --throughput-only: the mails only (for bench/compare.py).
 * --check: one pass over the mails and the sizes up to 1 MB with allocation
 *   counting; exits 1 if the reader allocated, 77 (skipped) when the counting
 *   wrappers cannot see allocations (sanitizers, valgrind).
 *
 * Output: "name: value" lines.  Allocation counting, as in smtpreply-bench.c:
 * the library is linked statically with the linker's --wrap=malloc (and calloc,
 * realloc, free; common/alloc-count.h), and calls are counted while counting is
 * on (only around the reader's calls).
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "smtpreply.h"
#include "util.h"

#ifndef BOUNCE_BENCH_DEFAULT_MAILS
#define BOUNCE_BENCH_DEFAULT_MAILS "../shared/corpus/bounces"
#endif

/* ---- allocation counting ---------------------------------------------------- */

#ifdef BENCH_ALLOC_COUNT
#include "alloc-count.h"
#define count_allocs alloc_counting
static int alloc_hook_works(void) { return alloc_count_works(); }
static unsigned long allocations(void) { return alloc_count(); }
#else
static volatile int count_allocs;
static int alloc_hook_works(void) { return 0; }
static unsigned long allocations(void) { return 0; }
#endif

/* ---- mails ------------------------------------------------------------------ */

struct mail {
    char *p;
    size_t n;
};
static struct mail *mails;
static size_t nmails, cap_mails, total_bytes, max_len;

static void add_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
        fclose(f);
        return;
    }
    size_t n = (size_t)st.st_size;
    char *b = malloc(n ? n : 1);
    if (!b || fread(b, 1, n, f) != n) {
        fclose(f);
        free(b);
        return;
    }
    fclose(f);
    if (nmails == cap_mails) {
        cap_mails = cap_mails ? cap_mails * 2 : 1024;
        mails = realloc(mails, cap_mails * sizeof *mails);
    }
    mails[nmails++] = (struct mail){b, n};
    total_bytes += n;
    if (n > max_len)
        max_len = n;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strstr(e->d_name, ".tsv") || strstr(e->d_name, ".md") ||
            strncmp(e->d_name, "LICENSE", 7) == 0)
            continue;
        names = realloc(names, (nn + 1) * sizeof *names);
        names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof *names, by_name);
    for (size_t i = 0; i < nn; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            add_dir(path);
        else if (S_ISREG(st.st_mode))
            add_file(path);
        free(names[i]);
    }
    free(names);
}

/* ---- reading ---------------------------------------------------------------- */

static char *scratch;
static size_t scratch_size;
static volatile uint64_t sink;

static uint64_t read_mail(const char *p, size_t n)
{
    smtp_reply_bounce_reader rd;
    smtp_reply_bounce b;
    smtp_reply_bounce_rcpt r;
    uint64_t recs = 0;
    if (smtp_reply_bounce_open(&rd, p, n, scratch, scratch_size, 0, &b) != SMTP_REPLY_OK)
        return 0;
    while (smtp_reply_bounce_next(&rd, &r) == SMTP_REPLY_BOUNCE_RECORD) {
        sink += (uint64_t)r.result.category + r.status[1];
        recs++;
    }
    return recs;
}

/* CPU time of this thread in seconds: on a shared machine it counts what the
 * reader used, not the time other tenants held the core (the wall clock would). */
static double now(void) { return (double)bench_cpu_ns() * 1e-9; }

/* One round: all mails, repeated until about `seconds`; returns mails/s. */
static double round_mails(double seconds, uint64_t *records)
{
    double t0 = now(), t;
    uint64_t done = 0, recs = 0;
    do {
        count_allocs = 1;
        for (size_t i = 0; i < nmails; i++)
            recs += read_mail(mails[i].p, mails[i].n);
        count_allocs = 0;
        done += nmails;
        t = now() - t0;
    } while (t < seconds);
    *records = recs / (done / nmails);
    return (double)done / t;
}

/* ---- synthetic sizes --------------------------------------------------------- */

static void append(char **p, size_t *n, size_t *cap, const char *s, size_t l)
{
    if (*n + l > *cap) {
        *cap = (*n + l) * 2;
        *p = realloc(*p, *cap);
    }
    memcpy(*p + *n, s, l);
    *n += l;
}
#define APPEND(s) append(&m, &n, &cap, s, strlen(s))

/* shape 0: a returned message of `size` bytes; shape 1: a notification of `size` */
static char *make_mail(int shape, size_t size, size_t *len)
{
    char *m = NULL;
    size_t n = 0, cap = 0;
    APPEND("From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\nTo: sender@example.com\n"
           "Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
           "Content-Type: multipart/report; report-type=delivery-status;\n boundary=\"BB\"\n\n"
           "--BB\nContent-Type: text/plain\n\nThis is the mail system at host mx.example.net.\n\n"
           "<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 <bob@example.org>:\n"
           "    Recipient address rejected: User unknown (in reply to RCPT TO command)\n");
    static const char line[] = "The quick brown fox jumps over the lazy dog, again and again and again.\n";
    if (shape == 1)
        while (n < size)
            append(&m, &n, &cap, line, sizeof line - 1);
    APPEND("\n--BB\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
           "Final-Recipient: rfc822; bob@example.org\nAction: failed\nStatus: 5.1.1\n"
           "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown\n\n"
           "--BB\nContent-Type: message/rfc822\n\nFrom: sender@example.com\nTo: bob@example.org\n"
           "Subject: big\nMessage-ID: <big@example.com>\nMIME-Version: 1.0\n"
           "Content-Type: multipart/mixed; boundary=inner\n\n--inner\nContent-Type: application/pdf\n"
           "Content-Transfer-Encoding: base64\n\n");
    static const char b64[] = "JVBERi0xLjcKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29kZT4+\n";
    if (shape == 0)
        while (n < size)
            append(&m, &n, &cap, b64, sizeof b64 - 1);
    APPEND("--inner--\n\n--BB--\n");
    *len = n;
    return m;
}

int main(int argc, char **argv)
{
    const char *dir = BOUNCE_BENCH_DEFAULT_MAILS;
    int check = 0, sizes = 0, only = 0, rounds = 5;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mails") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--check") == 0)
            check = 1;
        else if (strcmp(argv[i], "--sizes") == 0)
            sizes = 1;
        else if (strcmp(argv[i], "--throughput-only") == 0)
            only = 1;
        else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--mails DIR] [--sizes] [--throughput-only] [-r ROUNDS] [--check]\n",
                    argv[0]);
            return 2;
        }
    }
    if (rounds < 1)
        rounds = 1;
    add_dir(dir);
    int hook = alloc_hook_works();
    if (check && !hook) {
        printf("allocations: unavailable (malloc wrappers not active in this build or under this tool)\n");
        return 77;
    }
    if (nmails == 0 && !sizes && !check) {
        fprintf(stderr, "bounce-bench: no mails under %s\n", dir);
        return 77;
    }
    scratch_size = smtp_reply_bounce_scratch_size(max_len > (64u << 20) ? (64u << 20) : max_len);
    if (sizes || check)
        scratch_size = smtp_reply_bounce_scratch_size(check ? (1u << 20) + 4096 : (64u << 20) + 65536);
    scratch = malloc(scratch_size);
    if (!scratch) {
        perror("malloc");
        return 1;
    }
    printf("library: %s\n", smtp_reply_version());
    printf("mails: %zu\n", nmails);
    printf("mail_bytes: %zu\n", total_bytes);
    printf("scratch_bytes: %zu\n", scratch_size);

    if (check) {
        uint64_t recs = 0;
        count_allocs = 1;
        for (size_t i = 0; i < nmails; i++)
            recs += read_mail(mails[i].p, mails[i].n);
        count_allocs = 0;
        static const size_t sz[] = {1024, 65536, 1u << 20};
        for (int shape = 0; shape < 2; shape++) {
            for (size_t k = 0; k < 3; k++) {
                size_t len;
                char *m = make_mail(shape, sz[k], &len);
                count_allocs = 1;
                recs += read_mail(m, len);
                count_allocs = 0;
                free(m);
            }
        }
        printf("records: %llu\n", (unsigned long long)recs);
        printf("allocations: %lu\n", allocations());
        return allocations() ? 1 : 0;
    }

    if (nmails) {
        double *v = malloc((size_t)rounds * sizeof *v);
        uint64_t recs = 0;
        round_mails(0.2, &recs);   /* warm-up */
        for (int r = 0; r < rounds; r++)
            v[r] = round_mails(1.0, &recs);
        double med = bench_median(v, rounds);
        printf("records_per_pass: %llu\n", (unsigned long long)recs);
        printf("mails_per_second: %.0f\n", med);
        printf("mails_per_second_min: %.0f\n", v[0]);
        printf("mails_per_second_max: %.0f\n", v[rounds - 1]);
        printf("ns_per_mail: %.0f\n", 1e9 / med);
        printf("ns_per_byte: %.2f\n", 1e9 / med / ((double)total_bytes / (double)nmails));
        printf("allocations: %s\n", hook ? (allocations() ? "NONZERO" : "0") : "unavailable");
        if (hook && allocations())
            printf("allocation_calls: %lu\n", allocations());
        free(v);
    }
    if (sizes && !only) {
        static const struct { const char *name; size_t n; } sz[] = {
            {"1k", 1024}, {"64k", 65536}, {"1m", 1u << 20}, {"16m", 16u << 20},
            {"64m", (64u << 20) - 65536},   /* all of it within SMTP_REPLY_BOUNCE_MAX_BYTES */
        };
        static const char *shape_name[] = {"returned", "text"};
        for (int shape = 0; shape < 2; shape++) {
            for (size_t k = 0; k < sizeof sz / sizeof sz[0]; k++) {
                size_t len;
                char *m = make_mail(shape, sz[k].n, &len);
                /* repeat to about 0.3 s, at least 3 times; best of 3 rounds */
                double best = 1e30;
                for (int r = 0; r < 3; r++) {
                    double t0 = now(), t;
                    uint64_t reps = 0;
                    do {
                        count_allocs = 1;
                        sink += read_mail(m, len);
                        count_allocs = 0;
                        reps++;
                        t = now() - t0;
                    } while (t < 0.3 || reps < 3);
                    double per = t / (double)reps / (double)len * 1e9;
                    if (per < best)
                        best = per;
                }
                printf("ns_per_byte_%s_%s: %.3f\n", shape_name[shape], sz[k].name, best);
                free(m);
            }
        }
        printf("allocations_sizes: %s\n", hook ? (allocations() ? "NONZERO" : "0") : "unavailable");
    }
    free(scratch);
    return hook && allocations() ? 1 : 0;
}
