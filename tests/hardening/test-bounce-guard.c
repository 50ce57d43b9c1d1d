/*
 * test-bounce-guard.c - the bounce reader reads no byte outside its mail and
 * writes no byte outside its scratch.
 *
 *   test-bounce-guard SEED_DIR [BOUNCE_CORPUS_DIR]
 *
 * Every mail of SEED_DIR (fuzz/corpus-bounce) and, when given and present,
 * every mail under BOUNCE_CORPUS_DIR (../shared/corpus/bounces), and every
 * prefix of the first few of them, is read (open, then next() until the end)
 * four ways: the mail ending right at a PROT_NONE page, the mail starting
 * right after one, and in both cases with a scratch of exactly
 * smtp_reply_bounce_scratch_size(len) bytes that ends at a PROT_NONE page, then
 * with SMTP_REPLY_BOUNCE_SCRATCH_MIN bytes that start right after one.  An
 * over-read or over-write crashes the test (SIGSEGV) and names the input.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smtpreply.h"

struct guarded {
    char *base;       /* [guard][data][guard] */
    size_t page, size;
};

static void guarded_init(struct guarded *g, size_t max)
{
    g->page = (size_t)sysconf(_SC_PAGESIZE);
    g->size = (max + g->page - 1) / g->page * g->page + g->page;
    g->base = mmap(NULL, g->size + 2 * g->page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g->base == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    if (mprotect(g->base, g->page, PROT_NONE) || mprotect(g->base + g->page + g->size, g->page, PROT_NONE)) {
        perror("mprotect");
        exit(1);
    }
}

static char *at_end(struct guarded *g, size_t len) { return g->base + g->page + g->size - len; }
static char *at_start(struct guarded *g) { return g->base + g->page; }

static const char *cur_name;
static size_t cur_len;

static void on_fault(int sig)
{
    static const char msg[] = "\nbounce-guard: FAULT (access outside the mail or the scratch) on ";
    (void)!write(2, msg, sizeof msg - 1);
    if (cur_name)
        (void)!write(2, cur_name, strlen(cur_name));
    char num[32];
    int n = snprintf(num, sizeof num, " (%zu bytes)\n", cur_len);
    (void)!write(2, num, (size_t)n);
    signal(sig, SIG_DFL);
    raise(sig);
}

static struct guarded mailg, scrg;
static unsigned long reads;

static void read_one(const char *mail, size_t len, char *scratch, size_t ss)
{
    smtp_reply_bounce_reader rd;
    smtp_reply_bounce b;
    smtp_reply_bounce_rcpt r;
    if (smtp_reply_bounce_open(&rd, mail, len, scratch, ss, 0, &b) != SMTP_REPLY_OK)
        return;
    uint32_t n = 0;
    volatile unsigned sink = 0;
    while (smtp_reply_bounce_next(&rd, &r) == SMTP_REPLY_BOUNCE_RECORD) {
        /* touch every byte of every view */
        const smtp_reply_bounce_str *v[] = {&r.final_recipient, &r.diagnostic, &r.recipient,
                                            &r.remote_mta, &r.original_recipient};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            for (uint32_t k = 0; k < v[i]->len; k++)
                sink += (unsigned char)v[i]->ptr[k];
        n++;
    }
    if (n != b.nrecipients) {
        fprintf(stderr, "bounce-guard: %s: %u records, nrecipients %u\n", cur_name, n, b.nrecipients);
        exit(1);
    }
    reads++;
}

static void exercise(const char *name, const char *src, size_t len)
{
    size_t ss = smtp_reply_bounce_scratch_size(len);
    cur_name = name;
    cur_len = len;
    for (int where = 0; where < 2; where++) {
        char *m = where == 0 ? at_end(&mailg, len) : at_start(&mailg);
        memmove(m, src, len);
        read_one(m, len, at_end(&scrg, ss), ss);
        read_one(m, len, at_start(&scrg), SMTP_REPLY_BOUNCE_SCRATCH_MIN);
    }
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc(n > 0 ? (size_t)n : 1);
    *len = n > 0 ? fread(b, 1, (size_t)n, f) : 0;
    fclose(f);
    return b;
}

static unsigned long files, prefixes_done;

static void walk(const char *dir, int prefixes)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char **names = NULL;
    size_t nn = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (nn + 1) * sizeof *names);
        names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    for (size_t i = 0; i < nn; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk(path, prefixes);
        } else if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && !strstr(names[i], ".tsv") &&
                   strncmp(names[i], "LICENSE", 7) != 0 && !strstr(names[i], ".md")) {
            size_t len;
            char *m = slurp(path, &len);
            if (m && len <= (1u << 20)) {
                exercise(path, m, len);
                files++;
                if (prefixes && prefixes_done < 12) {
                    prefixes_done++;
                    for (size_t cut = 0; cut < len; cut++)
                        exercise(path, m, cut);
                }
            }
            free(m);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SEED_DIR [BOUNCE_CORPUS_DIR]\n", argv[0]);
        return 2;
    }
    signal(SIGSEGV, on_fault);
    signal(SIGBUS, on_fault);
    guarded_init(&mailg, 1u << 20);
    guarded_init(&scrg, smtp_reply_bounce_scratch_size(1u << 20));
    walk(argv[1], 1);
    if (argc > 2)
        walk(argv[2], 1);
    printf("bounce-guard: %lu mails (%lu with every prefix), %lu reads, no access outside\n",
           files, prefixes_done, reads);
    return files ? 0 : 1;
}
