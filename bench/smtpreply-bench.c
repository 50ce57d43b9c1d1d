/*
 * smtpreply-bench.c - how fast libsmtpreply classifies replies, and what that costs.
 *
 *   smtpreply-bench [FILE] [-n PASSES] [-r ROUNDS] [-t THREADS] [-w WARMUP]
 *                   [--library PATH] [--table-object PATH] [--quick] [--check]
 *
 * FILE holds one reply per line with the record escapes of the CLI and the test
 * tables (common/record.h); the default is bench/corpus/replies.txt.
 *
 * "Classifying a reply" is smtp_reply_parse (whole-text mode with unwrapping,
 * options 0, as smtp_reply_classify_buf does) followed by smtp_reply_classify,
 * which fills every field of the result.  The program prints one "name: value"
 * line per figure (see bench/README.md for what each one means).  Times come
 * from clock_gettime(CLOCK_MONOTONIC); nothing here asserts a time.
 *
 * The floor is one scalar pass over the same bytes that lowercases them into
 * a scratch buffer through a 256-entry table.  It is compiled without loop
 * vectorisation (optimize("no-tree-vectorize") on GCC, a loop pragma on clang)
 * and its output is read back into a sink, so the compiler can neither drop
 * nor vectorise it.  Classification and floor are timed in the same rounds,
 * one after the other; medians are reported.
 *
 * Allocations are counted by malloc/calloc/realloc/free wrappers defined in
 * this executable (they interpose the C library's, and forward to it through
 * dlsym(RTLD_NEXT)); counting is switched on only around the timed
 * classification loops.  A self-check at start-up proves the wrappers see
 * calls; when they do not (sanitizers, valgrind, static libc), the figure is
 * printed as "unavailable".
 *
 * --check runs one quick pass and exits 1 if classification allocated, 77
 * (skipped) if allocations cannot be counted: a behaviour test, not a timing.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "smtpreply.h"

#ifndef BENCH_DEFAULT_CORPUS
#define BENCH_DEFAULT_CORPUS "bench/corpus/replies.txt"
#endif

/* ---- allocation counting -------------------------------------------------- */

static volatile int count_allocs;     /* 1 only around timed classification */
static unsigned long alloc_calls;     /* updated atomically */

#ifndef BENCH_NO_MALLOC_HOOK
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int resolving;

/* dlsym may itself call calloc before real_calloc is known: serve those few
 * requests from a static arena that is never freed. */
static unsigned char boot_arena[8192] __attribute__((aligned(16)));
static size_t boot_used;

static void *boot_alloc(size_t n)
{
    /* a 16-byte header keeps the block's size, for realloc */
    size_t need = 16 + ((n + 15) & ~(size_t)15);
    if (n > sizeof boot_arena || boot_used + need > sizeof boot_arena)
        return NULL;
    unsigned char *p = boot_arena + boot_used;
    memcpy(p, &n, sizeof n);
    boot_used += need;
    return p + 16;
}

static int in_boot(const void *p)
{
    return (const unsigned char *)p >= boot_arena &&
           (const unsigned char *)p < boot_arena + sizeof boot_arena;
}

static void resolve(void)
{
    if (real_malloc || resolving)
        return;
    resolving = 1;
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    resolving = 0;
    if (!real_malloc || !real_calloc || !real_realloc || !real_free) {
        static const char msg[] = "smtpreply-bench: cannot find the C library's malloc\n";
        ssize_t w = write(2, msg, sizeof msg - 1);
        (void)w;
        abort();
    }
}

static void note_alloc(void)
{
    if (count_allocs)
        __atomic_add_fetch(&alloc_calls, 1, __ATOMIC_RELAXED);
}

void *malloc(size_t n)
{
    if (!real_malloc) {
        if (resolving)
            return boot_alloc(n);
        resolve();
    }
    note_alloc();
    return real_malloc(n);
}

void *calloc(size_t n, size_t m)
{
    if (!real_calloc) {
        if (resolving) {
            if (m && n > SIZE_MAX / m)
                return NULL;
            return boot_alloc(n * m); /* static arena: already zero */
        }
        resolve();
    }
    note_alloc();
    return real_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
    if (!real_realloc)
        resolve();
    note_alloc();
    if (p && in_boot(p)) {
        size_t had;
        memcpy(&had, (unsigned char *)p - 16, sizeof had);
        void *q = real_malloc(n);
        if (q)
            memcpy(q, p, n < had ? n : had);
        return q;
    }
    return real_realloc(p, n);
}

void free(void *p)
{
    if (!p || in_boot(p))
        return;
    if (!real_free)
        resolve();
    real_free(p);
}
#endif /* BENCH_NO_MALLOC_HOOK */

/* Returns 1 when the wrappers see allocations (a call through a pointer the
 * compiler cannot see through, and one made inside the C library). */
static int alloc_hook_works(void)
{
#ifdef BENCH_NO_MALLOC_HOOK
    return 0;
#else
    /* Kept in volatile globals so that no compiler elides the pair. */
    static void *volatile kept_a;
    static char *volatile kept_b;
    static const char *volatile text = "smtpreply";
    void *(*volatile m)(size_t) = malloc;
    unsigned long before = alloc_calls;
    count_allocs = 1;
    kept_a = m(32);
    kept_b = strdup(text);
    count_allocs = 0;
    unsigned long seen = alloc_calls - before;
    free(kept_a);
    free(kept_b);
    alloc_calls = before;
    return seen == 2;
#endif
}

/* ---- clock, medians ------------------------------------------------------- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of the calling thread: unlike the wall clock it does not count time
 * the thread spent preempted by other work on a busy machine. */
static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* First line of a /proc file that starts with key (or the first line when key
 * is ""), value part only; "" when unreadable. */
static const char *proc_value(const char *path, const char *key, char *out, size_t outsize)
{
    FILE *f = fopen(path, "r");
    out[0] = '\0';
    if (!f)
        return out;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, strlen(key)) != 0)
            continue;
        char *v = key[0] ? strchr(line, ':') : line;
        if (!v)
            continue;
        if (key[0])
            v++;
        while (*v == ' ' || *v == '\t')
            v++;
        v[strcspn(v, "\n")] = '\0';
        snprintf(out, outsize, "%s", v);
        break;
    }
    fclose(f);
    return out;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2), noreturn))
#endif
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "smtpreply-bench: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

/* ---- a set of replies ----------------------------------------------------- */

struct rset {
    char *data;
    size_t *off, *len;
    size_t n, cap, bytes, datalen, datacap;
};

static void rset_add(struct rset *s, const char *p, size_t len)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->off = realloc(s->off, s->cap * sizeof *s->off);
        s->len = realloc(s->len, s->cap * sizeof *s->len);
        if (!s->off || !s->len)
            die("%s", "out of memory");
    }
    if (s->datalen + len + 1 > s->datacap) {
        while (s->datalen + len + 1 > s->datacap)
            s->datacap = s->datacap ? s->datacap * 2 : 65536;
        s->data = realloc(s->data, s->datacap);
        if (!s->data)
            die("%s", "out of memory");
    }
    memcpy(s->data + s->datalen, p, len);
    s->off[s->n] = s->datalen;
    s->len[s->n] = len;
    s->datalen += len;
    s->data[s->datalen++] = '\0';
    s->bytes += len;
    s->n++;
}

static void rset_free(struct rset *s)
{
    free(s->data);
    free(s->off);
    free(s->len);
    memset(s, 0, sizeof *s);
}

static void load_corpus(const char *path, struct rset *s)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open corpus %s (make it with bench/make-corpus.py)", path);
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
        die("corpus %s holds no replies", path);
}

/* ---- the measured work ---------------------------------------------------- */

static volatile uint64_t sink;

static uint64_t classify_pass(const struct rset *s, smtp_reply *rep, smtp_reply_result *res,
                              size_t *errors)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < s->n; i++) {
        const char *b = s->data + s->off[i];
        size_t len = s->len[i];
        if (smtp_reply_parse(b, len, 0, rep) != SMTP_REPLY_OK) {
            if (errors)
                (*errors)++;
            continue;
        }
        if (smtp_reply_classify(b, len, rep, res) == SMTP_REPLY_OK)
            acc += (uint64_t)res->category + res->match.off;
    }
    return acc;
}

static const unsigned char *lower_table(void)
{
    static unsigned char t[256];
    for (int i = 0; i < 256; i++)
        t[i] = (unsigned char)(i >= 'A' && i <= 'Z' ? i + 32 : i);
    return t;
}

static const unsigned char *lower_tab;
static unsigned char *scratch;

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((noinline, optimize("no-tree-vectorize")))
#elif defined(__clang__)
__attribute__((noinline))
#endif
static void lower_bytes(const unsigned char *src, size_t n, unsigned char *dst)
{
    const unsigned char *t = lower_tab;
#if defined(__clang__)
#pragma clang loop vectorize(disable) interleave(disable)
#endif
    for (size_t i = 0; i < n; i++)
        dst[i] = t[src[i]];
}

static uint64_t floor_pass(const struct rset *s)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < s->n; i++) {
        size_t len = s->len[i];
        lower_bytes((const unsigned char *)s->data + s->off[i], len, scratch);
        acc += scratch[len - 1];
    }
    return acc;
}

/* FNV-1a over the result, rule id text included: a fingerprint of what the
 * library said about the whole corpus, to tell that an optimisation changed
 * nothing.  Computed outside the timed loops. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 1099511628211u;
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "", 1);
}

static uint64_t result_checksum(const struct rset *s, size_t *errors, size_t *unknown)
{
    smtp_reply rep;
    smtp_reply_result res;
    uint64_t h = 14695981039346656037u;
    *errors = *unknown = 0;
    for (size_t i = 0; i < s->n; i++) {
        const char *b = s->data + s->off[i];
        int rc = smtp_reply_parse(b, s->len[i], 0, &rep);
        int32_t v[12] = {rc};
        if (rc == SMTP_REPLY_OK && smtp_reply_classify(b, s->len[i], &rep, &res) == SMTP_REPLY_OK) {
            int32_t w[12] = {rc, res.category, res.permanence, res.recipient_action,
                             res.message_action, res.fault, res.evidence, res.stage,
                             (int32_t)res.retry_after, res.code, (int32_t)res.flags,
                             (int32_t)(res.enhanced[0] * 1000000 + res.enhanced[1] * 1000 +
                                       res.enhanced[2])};
            memcpy(v, w, sizeof v);
            h = fnv(h, v, sizeof v);
            h = fnv(h, &res.match, sizeof res.match);
            h = fnv_str(h, res.rule_id);
            h = fnv_str(h, res.provider);
            h = fnv_str(h, res.blocklist);
            h = fnv_str(h, res.enhanced_title);
            if (res.category == SMTP_REPLY_CAT_UNKNOWN)
                (*unknown)++;
        } else {
            (*errors)++;
            h = fnv(h, v, sizeof v);
        }
    }
    return h;
}

/* ---- ELF section sizes ---------------------------------------------------- */

struct elf_sizes {
    int ok;
    uint64_t alloc, text, rodata, relro, reloc, data;
};

static struct elf_sizes elf_sections(const char *path)
{
    struct elf_sizes z = {0, 0, 0, 0, 0, 0, 0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return z;
    Elf64_Ehdr eh;
    Elf64_Shdr *sh = NULL;
    char *names = NULL;
    if (fread(&eh, sizeof eh, 1, f) != 1 || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr) ||
        eh.e_shnum == 0 || eh.e_shstrndx >= eh.e_shnum)
        goto out;
    sh = calloc(eh.e_shnum, sizeof *sh);
    if (!sh || fseek(f, (long)eh.e_shoff, SEEK_SET) != 0 ||
        fread(sh, sizeof *sh, eh.e_shnum, f) != eh.e_shnum)
        goto out;
    Elf64_Shdr *ns = &sh[eh.e_shstrndx];
    names = calloc(1, ns->sh_size + 1);
    if (!names || fseek(f, (long)ns->sh_offset, SEEK_SET) != 0 ||
        fread(names, 1, ns->sh_size, f) != ns->sh_size)
        goto out;
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        const char *nm = sh[i].sh_name < ns->sh_size ? names + sh[i].sh_name : "";
        uint64_t sz = sh[i].sh_size;
        if (!(sh[i].sh_flags & SHF_ALLOC))
            continue;
        z.alloc += sz;
        if (strcmp(nm, ".text") == 0)
            z.text += sz;
        else if (strncmp(nm, ".rodata", 7) == 0)
            z.rodata += sz;
        else if (strncmp(nm, ".data.rel.ro", 12) == 0)
            z.relro += sz;
        else if (strncmp(nm, ".rela", 5) == 0)
            z.reloc += sz;
        else if (strncmp(nm, ".data", 5) == 0 || strcmp(nm, ".bss") == 0)
            z.data += sz;
    }
    z.ok = 1;
out:
    free(names);
    free(sh);
    fclose(f);
    return z;
}

/* The libsmtpreply shared object this process has mapped. */
static int loaded_library(char *out, size_t outsize)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return 0;
    char line[PATH_MAX + 256];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char *p = strchr(line, '/');
        if (!p || !strstr(p, "libsmtpreply"))
            continue;
        p[strcspn(p, "\n")] = '\0';
        snprintf(out, outsize, "%s", p);
        found = 1;
    }
    fclose(f);
    return found;
}

/* Meson keeps a shared library's objects in "<library file>.p/"; the table's
 * object is the one whose name holds "smtpreply-table". */
static int find_table_object(const char *lib, char *out, size_t outsize)
{
    char dir[PATH_MAX + 8];
    snprintf(dir, sizeof dir, "%s.p", lib);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (strstr(e->d_name, "smtpreply-table") && l > 2 && strcmp(e->d_name + l - 2, ".o") == 0) {
            snprintf(out, outsize, "%s/%s", dir, e->d_name);
            found = 1;
        }
    }
    closedir(d);
    return found;
}

/* ---- threads -------------------------------------------------------------- */

struct worker {
    pthread_t tid;
    const struct rset *s;
    pthread_barrier_t *bar;
    int passes;
    uint64_t acc;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    smtp_reply rep;
    smtp_reply_result res;
    pthread_barrier_wait(w->bar);
    for (int p = 0; p < w->passes; p++)
        w->acc += classify_pass(w->s, &rep, &res, NULL);
    return NULL;
}

/* Wall time for T threads each running `passes` passes over s. */
static uint64_t run_threads(const struct rset *s, int nthreads, int passes)
{
    struct worker *w = calloc((size_t)nthreads, sizeof *w);
    pthread_barrier_t bar;
    if (!w || pthread_barrier_init(&bar, NULL, (unsigned)nthreads + 1) != 0)
        die("%s", "cannot start threads");
    for (int i = 0; i < nthreads; i++) {
        w[i].s = s;
        w[i].bar = &bar;
        w[i].passes = passes;
        if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0)
            die("%s", "cannot start threads");
    }
    /* Count only what the workers do between the barrier and their end: the
     * stacks and thread set-up are allocated before the barrier. */
    count_allocs = 1;
    uint64_t t0 = now_ns();
    pthread_barrier_wait(&bar);
    for (int i = 0; i < nthreads; i++)
        pthread_join(w[i].tid, NULL);
    uint64_t t1 = now_ns();
    count_allocs = 0;
    for (int i = 0; i < nthreads; i++)
        sink += w[i].acc;
    pthread_barrier_destroy(&bar);
    free(w);
    return t1 - t0;
}

/* ---- inputs of chosen sizes ----------------------------------------------- */

/* Corpus text as one line: replies joined by a space, line breaks blanked. */
static void fill_text(const struct rset *c, char *dst, size_t n, size_t *cursor)
{
    size_t k = 0, i = *cursor;
    while (k < n) {
        const char *p = c->data + c->off[i % c->n];
        size_t l = c->len[i % c->n];
        for (size_t j = 0; j < l && k < n; j++)
            dst[k++] = (p[j] == '\r' || p[j] == '\n') ? ' ' : p[j];
        if (k < n)
            dst[k++] = ' ';
        i++;
    }
    *cursor = i;
}

/* One reply of about `size` bytes: "550 5.7.1 " and corpus text, one line. */
static void make_long_line(struct rset *out, const struct rset *c, size_t size)
{
    char *b = malloc(size + 2);
    if (!b)
        die("%s", "out of memory");
    size_t cur = 0;
    memcpy(b, "550 5.7.1 ", 10);
    fill_text(c, b + 10, size - 10, &cur);
    rset_add(out, b, size);
    free(b);
}

/* One multiline reply of `lines` lines, each "550-5.7.26 " and one of these
 * texts (from a real Gmail reply, no reply codes inside, so the parser takes
 * the whole input as one reply), the last line "550 5.7.26 ...". */
static const char *const many_texts[] = {
    "This mail has been blocked because the sender is unauthenticated.",
    "Gmail requires all senders to authenticate with either SPF or DKIM.",
    "",
    " Authentication results:",
    " DKIM = did not pass",
    " SPF [example.org] with ip: [192.0.2.25] = did not pass",
    " To mitigate this issue, please visit Gmail's authentication guide",
    "for instructions on setting up authentication:",
};

static void make_many_lines(struct rset *out, size_t lines)
{
    size_t cap = lines * 96 + 32, k = 0;
    char *b = malloc(cap);
    if (!b)
        die("%s", "out of memory");
    for (size_t i = 0; i < lines; i++) {
        const char *t = many_texts[i % (sizeof many_texts / sizeof many_texts[0])];
        k += (size_t)snprintf(b + k, cap - k, "550%c5.7.26 %s\r\n", i + 1 < lines ? '-' : ' ', t);
    }
    rset_add(out, b, k);
    free(b);
}

/* What the parser made of the single big input in s, for the record: the
 * status, how much of the input the reply took and how many lines it saw. */
static const char *first_status(const struct rset *s, char *out, size_t outsize)
{
    smtp_reply rep;
    if (s->n == 0)
        return "empty";
    int rc = smtp_reply_parse(s->data + s->off[0], s->len[0], 0, &rep);
    snprintf(out, outsize, "%s, consumed %zu of %zu bytes, %u lines", smtp_reply_error_name(rc),
             rc == SMTP_REPLY_OK ? rep.consumed : (size_t)0, s->len[0],
             rc == SMTP_REPLY_OK ? rep.nlines : 0u);
    return out;
}

/* Median ns per byte of classifying s: 3 batches, each repeated for at least
 * min_ns (and at least once). */
static double measure_ns_per_byte(const struct rset *s, uint64_t min_ns)
{
    smtp_reply rep;
    smtp_reply_result res;
    double v[3];
    sink += classify_pass(s, &rep, &res, NULL); /* warm */
    for (int b = 0; b < 3; b++) {
        uint64_t reps = 0, t0 = now_ns(), t;
        count_allocs = 1;
        do {
            sink += classify_pass(s, &rep, &res, NULL);
            reps++;
            t = now_ns() - t0;
        } while (t < min_ns);
        count_allocs = 0;
        v[b] = (double)t / ((double)reps * (double)s->bytes);
    }
    return median(v, 3);
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
            "      --library PATH   library file whose size to report (default: the\n"
            "                       libsmtpreply this process loaded, from /proc/self/maps)\n"
            "      --table-object PATH  object file of the generated table (default: found\n"
            "                       beside the loaded library in its meson .p folder)\n"
            "      --throughput-only  only the corpus throughput and floor (no size\n"
            "                       series, no threads): what bench/compare.py runs\n"
            "      --quick          short run: one round, small batches (for smoke tests)\n"
            "      --check          quick run that exits 1 if classification allocated,\n"
            "                       77 if allocations cannot be counted here\n"
            "  -h, --help\n",
            BENCH_DEFAULT_CORPUS);
}

int main(int argc, char **argv)
{
    const char *corpus = BENCH_DEFAULT_CORPUS, *libopt = NULL, *tableopt = NULL;
    int passes = 0, rounds = 5, nthreads = 2, warmup = 3, quick = 0, check = 0, tponly = 0;
    static const struct option longopts[] = {
        {"passes", required_argument, NULL, 'n'}, {"rounds", required_argument, NULL, 'r'},
        {"threads", required_argument, NULL, 't'}, {"warmup", required_argument, NULL, 'w'},
        {"library", required_argument, NULL, 'L'}, {"table-object", required_argument, NULL, 'T'},
        {"quick", no_argument, NULL, 'q'}, {"check", no_argument, NULL, 'c'},
        {"throughput-only", no_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "n:r:t:w:h", longopts, NULL)) != -1) {
        switch (o) {
        case 'n': passes = atoi(optarg); if (passes < 1) die("bad -n %s", optarg); break;
        case 'r': rounds = atoi(optarg); if (rounds < 1) die("bad -r %s", optarg); break;
        case 't': nthreads = atoi(optarg); if (nthreads < 1 || nthreads > 256) die("bad -t %s", optarg); break;
        case 'w': warmup = atoi(optarg); if (warmup < 0) die("bad -w %s", optarg); break;
        case 'L': libopt = optarg; break;
        case 'T': tableopt = optarg; break;
        case 'q': quick = 1; break;
        case 'P': tponly = 1; break;
        case 'c': check = quick = 1; break;
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
        rounds = 1;
        warmup = 1;
        if (!passes)
            passes = 1;
    }

    char load_at_start[128];
    proc_value("/proc/loadavg", "", load_at_start, sizeof load_at_start);
    {   /* keep the 1, 5 and 15 minute averages */
        char *sp = strchr(load_at_start, ' ');
        if (sp && (sp = strchr(sp + 1, ' ')) != NULL && (sp = strchr(sp + 1, ' ')) != NULL)
            *sp = '\0';
    }
    int hook = alloc_hook_works();
    if (check && !hook) {
        printf("allocations: unavailable (malloc wrappers not active in this build or under this tool)\n");
        return 77;
    }

    struct rset c = {0};
    load_corpus(corpus, &c);
    size_t maxlen = 0;
    for (size_t i = 0; i < c.n; i++)
        if (c.len[i] > maxlen)
            maxlen = c.len[i];
    lower_tab = lower_table();
    scratch = malloc(maxlen + 16 > (1u << 20) + 16 ? maxlen + 16 : (1u << 20) + 16);
    if (!scratch)
        die("%s", "out of memory");

    smtp_reply rep;
    smtp_reply_result res;

    /* What the library says, for the record (untimed). */
    size_t perr, unknown;
    uint64_t csum = result_checksum(&c, &perr, &unknown);

    for (int i = 0; i < warmup; i++) {
        sink += classify_pass(&c, &rep, &res, NULL);
        sink += floor_pass(&c);
    }

    /* Size the rounds: about 1.5 s of classification in all.  The pass time is
     * the least of three, so that one preemption does not shrink the run. */
    uint64_t t0, one_pass = UINT64_MAX, one_floor = UINT64_MAX;
    for (int k = 0; k < 3; k++) {
        t0 = now_ns();
        sink += classify_pass(&c, &rep, &res, NULL);
        uint64_t d = now_ns() - t0;
        if (d < one_pass)
            one_pass = d;
        t0 = now_ns();
        sink += floor_pass(&c);
        d = now_ns() - t0;
        if (d < one_floor)
            one_floor = d;
    }
    if (one_pass == 0)
        one_pass = 1;
    if (one_floor == 0)
        one_floor = 1;
    if (!passes) {
        double n = 1.5e9 / rounds / (double)one_pass;
        passes = n < 1 ? 1 : (int)(n + 0.5);
    }
    /* The floor is much cheaper: give each floor round at least 50 ms (or as
     * many passes as the classification round, whichever is more). */
    int fpasses = (int)(50e6 / (double)one_floor + 0.5);
    if (quick)
        fpasses = 1;
    if (fpasses < passes)
        fpasses = passes;

    double *cls = calloc((size_t)rounds, sizeof *cls), *flo = calloc((size_t)rounds, sizeof *flo);
    double *ratio = calloc((size_t)rounds, sizeof *ratio);
    double *clscpu = calloc((size_t)rounds, sizeof *clscpu);
    double *flocpu = calloc((size_t)rounds, sizeof *flocpu);
    if (!cls || !flo || !ratio || !clscpu || !flocpu)
        die("%s", "out of memory");
    for (int r = 0; r < rounds; r++) {
        /* alternate the order so that neither always runs first */
        for (int k = 0; k < 2; k++) {
            if ((k == 0) == (r % 2 == 0)) {
                uint64_t a = now_ns(), ac = cpu_ns();
                count_allocs = 1;
                for (int p = 0; p < passes; p++)
                    sink += classify_pass(&c, &rep, &res, NULL);
                count_allocs = 0;
                cls[r] = (double)(now_ns() - a) / ((double)passes * (double)c.bytes);
                clscpu[r] = (double)(cpu_ns() - ac) / ((double)passes * (double)c.bytes);
            } else {
                uint64_t a = now_ns(), ac = cpu_ns();
                for (int p = 0; p < fpasses; p++)
                    sink += floor_pass(&c);
                flo[r] = (double)(now_ns() - a) / ((double)fpasses * (double)c.bytes);
                flocpu[r] = (double)(cpu_ns() - ac) / ((double)fpasses * (double)c.bytes);
            }
        }
        ratio[r] = cls[r] / flo[r];
    }
    double cls_min = cls[0], cls_max = cls[0];
    for (int r = 1; r < rounds; r++) {
        if (cls[r] < cls_min) cls_min = cls[r];
        if (cls[r] > cls_max) cls_max = cls[r];
    }
    double nspb = median(cls, rounds), fnspb = median(flo, rounds);
    double nspb_cpu = median(clscpu, rounds), fnspb_cpu = median(flocpu, rounds);
    double round_ratio = median(ratio, rounds);
    double ns_per_reply = nspb * (double)c.bytes / (double)c.n;

    /* The main figures first, so that a reader sees them even if a later part fails. */
    char pv[512];
    printf("cpu: %s\n", proc_value("/proc/cpuinfo", "model name", pv, sizeof pv));
    printf("online_cpus: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    printf("load_average_at_start: %s\n", load_at_start);
    printf("corpus: %s\n", corpus);
    printf("library_version: %s\n", smtp_reply_version());
    printf("table_version: %s\n", smtp_reply_table_version());
    printf("replies: %zu\n", c.n);
    printf("bytes: %zu\n", c.bytes);
    printf("parse_errors: %zu\n", perr);
    printf("unknown_category: %zu\n", unknown);
    printf("result_checksum: %016llx\n", (unsigned long long)csum);
    printf("rounds: %d\n", rounds);
    printf("passes: %d\n", passes);
    printf("floor_passes: %d\n", fpasses);
    printf("replies_per_second: %.0f\n", 1e9 / ns_per_reply);
    printf("mb_per_second: %.2f\n", 1e3 / nspb);
    printf("ns_per_reply: %.1f\n", ns_per_reply);
    printf("ns_per_byte: %.3f\n", nspb);
    printf("ns_per_byte_min: %.3f\n", cls_min);
    printf("ns_per_byte_max: %.3f\n", cls_max);
    printf("ns_per_byte_cpu: %.3f\n", nspb_cpu);
    printf("floor_ns_per_byte: %.4f\n", fnspb);
    printf("ratio_to_floor: %.1f\n", nspb / fnspb);
    printf("ratio_to_floor_rounds_median: %.1f\n", round_ratio);
    printf("floor_ns_per_byte_cpu: %.4f\n", fnspb_cpu);
    printf("ratio_to_floor_cpu: %.1f\n", nspb_cpu / fnspb_cpu);
    fflush(stdout);

    if (!tponly) {
        /* Cost by input size. */
        uint64_t batch = quick ? 1000000u : 60000000u;
        struct rset shortr = {0}, typical = {0}, kb1 = {0}, kb64 = {0}, mb1 = {0}, lines = {0};
        for (size_t i = 0; i < c.n; i++) {
            if (c.len[i] <= 48)
                rset_add(&shortr, c.data + c.off[i], c.len[i]);
            else if (c.len[i] >= 64 && c.len[i] <= 256)
                rset_add(&typical, c.data + c.off[i], c.len[i]);
        }
        make_long_line(&kb1, &c, 1024);
        make_long_line(&kb64, &c, 64 * 1024);
        make_long_line(&mb1, &c, 1024 * 1024);
        make_many_lines(&lines, 10000);
        printf("short_replies: %zu\n", shortr.n);
        printf("short_bytes_avg: %.1f\n", shortr.n ? (double)shortr.bytes / shortr.n : 0.0);
        printf("ns_per_byte_short: %.3f\n", shortr.n ? measure_ns_per_byte(&shortr, batch) : 0.0);
        printf("typical_replies: %zu\n", typical.n);
        printf("typical_bytes_avg: %.1f\n", typical.n ? (double)typical.bytes / typical.n : 0.0);
        printf("ns_per_byte_typical: %.3f\n", typical.n ? measure_ns_per_byte(&typical, batch) : 0.0);
        printf("ns_per_byte_1kb: %.3f\n", measure_ns_per_byte(&kb1, batch));
        printf("ns_per_byte_64kb: %.3f\n", measure_ns_per_byte(&kb64, batch));
        printf("ns_per_byte_1mb: %.3f\n", measure_ns_per_byte(&mb1, batch));
        printf("ns_per_byte_10000_lines: %.3f\n", measure_ns_per_byte(&lines, batch));
        printf("lines_10000_bytes: %zu\n", lines.bytes);
        char st[128];
        printf("parse_1kb: %s\n", first_status(&kb1, st, sizeof st));
        printf("parse_64kb: %s\n", first_status(&kb64, st, sizeof st));
        printf("parse_1mb: %s\n", first_status(&mb1, st, sizeof st));
        printf("parse_10000_lines: %s\n", first_status(&lines, st, sizeof st));
        fflush(stdout);
        rset_free(&shortr);
        rset_free(&typical);
        rset_free(&kb1);
        rset_free(&kb64);
        rset_free(&mb1);
        rset_free(&lines);

        /* Threads: 1 thread, then T threads, the same passes each, 3 times. */
        int tpasses = passes;
        if (!quick && (double)one_pass * tpasses < 3e8) /* ~0.3 s per thread run */
            tpasses = (int)(3e8 / (double)one_pass + 0.5);
        int treps = quick ? 1 : 3;
        double th1[3], thT[3], spd[3];
        for (int k = 0; k < treps; k++) {
            uint64_t w1 = run_threads(&c, 1, tpasses);
            uint64_t wT = nthreads > 1 ? run_threads(&c, nthreads, tpasses) : w1;
            th1[k] = (double)tpasses * (double)c.n * 1e9 / (double)w1;
            thT[k] = (double)nthreads * tpasses * (double)c.n * 1e9 / (double)wT;
            spd[k] = thT[k] / th1[k];
        }
        printf("threads: %d\n", nthreads);
        printf("threads_passes: %d\n", tpasses);
        printf("replies_per_second_1_thread: %.0f\n", median(th1, treps));
        printf("replies_per_second_threads: %.0f\n", median(thT, treps));
        printf("threads_speedup: %.2f\n", median(spd, treps));
    }
    if (hook)
        printf("allocations: %lu\n", alloc_calls);
    else
        printf("allocations: unavailable\n");

    /* Sizes. */
    char libpath[PATH_MAX] = "", tabpath[PATH_MAX + 64] = "";
    if (libopt)
        snprintf(libpath, sizeof libpath, "%s", libopt);
    else
        loaded_library(libpath, sizeof libpath);
    struct stat st;
    long long lib_bytes = (libpath[0] && stat(libpath, &st) == 0) ? (long long)st.st_size : -1;
    struct elf_sizes le = libpath[0] ? elf_sections(libpath) : (struct elf_sizes){0, 0, 0, 0, 0, 0, 0};
    const char *table_method = "unavailable";
    long long table_bytes = -1;
    if (tableopt)
        snprintf(tabpath, sizeof tabpath, "%s", tableopt);
    else if (libpath[0])
        find_table_object(libpath, tabpath, sizeof tabpath);
    struct elf_sizes te = tabpath[0] ? elf_sections(tabpath) : (struct elf_sizes){0, 0, 0, 0, 0, 0, 0};
    if (te.ok) {
        table_bytes = (long long)te.alloc;
        table_method = "table-object";
    } else if (le.ok) {
        table_bytes = (long long)(le.rodata + le.relro);
        table_method = "library-rodata";
    }
    printf("rule_count: %u\n", smtp_reply_table_rule_count());
    printf("library_path: %s\n", libpath[0] ? libpath : "unknown");
    printf("library_bytes: %lld\n", lib_bytes);
    if (le.ok) {
        printf("library_text_bytes: %llu\n", (unsigned long long)le.text);
        printf("library_rodata_bytes: %llu\n", (unsigned long long)le.rodata);
        printf("library_relro_bytes: %llu\n", (unsigned long long)le.relro);
        printf("library_reloc_bytes: %llu\n", (unsigned long long)le.reloc);
    }
    printf("table_bytes: %lld\n", table_bytes);
    printf("table_bytes_method: %s\n", table_method);
    if (te.ok)
        printf("table_object: %s\n", tabpath);
    {
        char load_end[128];
        proc_value("/proc/loadavg", "", load_end, sizeof load_end);
        char *sp = strchr(load_end, ' ');
        if (sp && (sp = strchr(sp + 1, ' ')) != NULL && (sp = strchr(sp + 1, ' ')) != NULL)
            *sp = '\0';
        printf("load_average_at_end: %s\n", load_end);
    }

    free(cls);
    free(flo);
    free(ratio);
    free(clscpu);
    free(flocpu);
    free(scratch);
    size_t nreplies = c.n;
    rset_free(&c);
    if (check && hook && alloc_calls != 0) {
        fprintf(stderr, "smtpreply-bench: FAIL: %lu allocations while classifying "
                        "(smtpreply.h promises none)\n", alloc_calls);
        return 1;
    }
    if (check)
        fprintf(stderr, "smtpreply-bench: ok: %zu corpus replies and the size series "
                        "classified with 0 allocations\n", nreplies);
    return 0;
}
