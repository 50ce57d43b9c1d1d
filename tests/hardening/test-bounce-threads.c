/*
 * test-bounce-threads.c - the bounce reader from several threads at once.
 *
 *   test-bounce-threads SEED_DIR [BOUNCE_CORPUS_DIR]
 *
 * Every mail of the directories is read once in the main thread (a checksum
 * of its records), then by 4 threads at once, each with its own reader and
 * scratch, three times over; every thread must get the main thread's
 * checksums.  Run it under ThreadSanitizer with a -Db_sanitize=thread build
 * (clean when this was written; .ci/hardening.sh's tsan step runs only the
 * 'threads' test so far).
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "smtpreply.h"

struct mail {
    char *p;
    size_t n;
    uint64_t sum;
};
static struct mail *mails;
static size_t nmails;

static void add(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n < 0 || n > (1 << 20)) {
        fclose(f);
        return;
    }
    char *b = malloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, f);
    fclose(f);
    mails = realloc(mails, (nmails + 1) * sizeof *mails);
    mails[nmails++] = (struct mail){b, got, 0};
}

static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strstr(e->d_name, ".tsv") || strstr(e->d_name, ".md") ||
            strncmp(e->d_name, "LICENSE", 7) == 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            walk(path);
        else if (S_ISREG(st.st_mode))
            add(path);
    }
    closedir(d);
}

static uint64_t read_sum(const struct mail *m, char *scratch, size_t ss)
{
    smtp_reply_bounce_reader rd;
    smtp_reply_bounce b;
    smtp_reply_bounce_rcpt r;
    int rc = smtp_reply_bounce_open(&rd, m->p, m->n, scratch, ss, 0, &b);
    if (rc != SMTP_REPLY_OK)
        return (uint64_t)(unsigned)rc;
    uint64_t sum = (uint64_t)b.kind * 7u + (uint64_t)b.mta * 131u + b.nrecipients;
    while (smtp_reply_bounce_next(&rd, &r) == SMTP_REPLY_BOUNCE_RECORD) {
        sum = sum * 1000003u + (uint64_t)r.result.category * 31u + r.status[1] * 7u + r.status[2] +
              r.final_recipient.len + r.diagnostic.len * 3u + (uint64_t)r.action;
        for (uint32_t i = 0; i < r.final_recipient.len; i++)
            sum = sum * 31u + (unsigned char)r.final_recipient.ptr[i];
    }
    return sum;
}

static size_t max_len;
static int bad;

static void *worker(void *arg)
{
    (void)arg;
    size_t ss = smtp_reply_bounce_scratch_size(max_len);
    char *scratch = malloc(ss);
    for (int round = 0; round < 3 && scratch; round++)
        for (size_t i = 0; i < nmails; i++)
            if (read_sum(&mails[i], scratch, ss) != mails[i].sum)
                __atomic_store_n(&bad, 1, __ATOMIC_RELAXED);
    free(scratch);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SEED_DIR [BOUNCE_CORPUS_DIR]\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        walk(argv[i]);
    if (nmails == 0) {
        fprintf(stderr, "no mails\n");
        return 1;
    }
    for (size_t i = 0; i < nmails; i++)
        if (mails[i].n > max_len)
            max_len = mails[i].n;
    size_t ss = smtp_reply_bounce_scratch_size(max_len);
    char *scratch = malloc(ss);
    for (size_t i = 0; i < nmails; i++)
        mails[i].sum = read_sum(&mails[i], scratch, ss);
    free(scratch);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    printf("bounce-threads: %zu mails, 4 threads x 3 rounds: %s\n", nmails,
           bad ? "DIFFERENT RESULTS" : "the same results");
    return bad;
}
