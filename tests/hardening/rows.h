/*
 * rows.h - shared by the hardening tests: read the real replies of
 * the tests/data TSV files (column 1, unescaped as the CLI reads it) and a few checks.
 * Header-only (static functions) so each test stays one file.
 */
#ifndef HARDENING_ROWS_H
#define HARDENING_ROWS_H

#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1 /* MAP_ANONYMOUS */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpreply.h"

struct row {
    char *buf;   /* unescaped input, exact size (NUL added after len for printing) */
    size_t len;
    char where[96]; /* file:line */
};

struct rows {
    struct row *v;
    size_t n, cap;
};

static int hard_failures;
static unsigned long hard_checks;

#define EXPECT(cond, ...)                                                                  \
    do {                                                                                   \
        hard_checks++;                                                                     \
        if (!(cond)) {                                                                     \
            hard_failures++;                                                               \
            if (hard_failures <= 30) {                                                     \
                fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond);          \
                fprintf(stderr, __VA_ARGS__);                                              \
                fputc('\n', stderr);                                                       \
            }                                                                              \
        }                                                                                  \
    } while (0)

static inline size_t hard_unescape(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            char c = s[i + 1];
            if (c == 'r' || c == 'n' || c == 't' || c == '\\') {
                out[o++] = c == 'r' ? '\r' : c == 'n' ? '\n' : c == 't' ? '\t' : '\\';
                i++;
                continue;
            }
        }
        out[o++] = s[i];
    }
    return o;
}

static inline int hard_cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read every *.tsv under dir; exits 1 when none is found. */
static inline void hard_load_rows(const char *dir, struct rows *rs)
{
    memset(rs, 0, sizeof *rs);
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        exit(1);
    }
    char *names[256];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && nn < 256) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".tsv") == 0)
            names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof names[0], hard_cmp_name);
    for (size_t f = 0; f < nn; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[f]);
        FILE *fp = fopen(path, "r");
        if (!fp) {
            perror(path);
            exit(1);
        }
        char *line = NULL;
        size_t lcap = 0;
        ssize_t got;
        unsigned lineno = 0;
        while ((got = getline(&line, &lcap, fp)) >= 0) {
            lineno++;
            char *tab = memchr(line, '\t', (size_t)got);
            size_t n = tab ? (size_t)(tab - line) : (size_t)got;
            while (!tab && n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                n--;
            if (n == 0 || (lineno == 1 && n == 5 && memcmp(line, "input", 5) == 0))
                continue;
            if (rs->n == rs->cap) {
                rs->cap = rs->cap ? rs->cap * 2 : 256;
                rs->v = realloc(rs->v, rs->cap * sizeof *rs->v);
                if (!rs->v)
                    exit(1);
            }
            struct row *r = &rs->v[rs->n++];
            r->buf = malloc(n + 1);
            if (!r->buf)
                exit(1);
            r->len = hard_unescape(line, n, r->buf);
            r->buf[r->len] = '\0';
            snprintf(r->where, sizeof r->where, "%s:%u", names[f], lineno);
        }
        free(line);
        fclose(fp);
        free(names[f]);
    }
    if (rs->n == 0) {
        fprintf(stderr, "no rows found in %s\n", dir);
        exit(1);
    }
}

static inline void hard_free_rows(struct rows *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        free(rs->v[i].buf);
    free(rs->v);
    memset(rs, 0, sizeof *rs);
}

static inline const char *hard_data_dir(int argc, char **argv)
{
    if (argc > 1)
        return argv[1];
    const char *d = getenv("SMTPREPLY_TEST_DATA");
    if (!d) {
        fprintf(stderr, "usage: %s DATA-DIR (or set SMTPREPLY_TEST_DATA)\n", argv[0]);
        exit(2);
    }
    return d;
}

static inline int hard_span_in(smtp_reply_span s, size_t len)
{
    return (uint64_t)s.off + s.len <= (uint64_t)len;
}

/* Status is a known value and an OK reply's spans stay inside the input. */
static inline void hard_check_reply(const char *what, size_t len, int rc, const smtp_reply *r)
{
    EXPECT(rc <= 0 && rc > -smtp_reply_error_count(), "%s: status %d", what, rc);
    if (rc != SMTP_REPLY_OK)
        return;
    EXPECT(r->consumed > 0 && r->consumed <= len, "%s: consumed %zu of %zu", what, r->consumed, len);
    EXPECT(hard_span_in(r->reply, len), "%s: reply span", what);
    EXPECT(r->nstored <= SMTP_REPLY_MAX_LINES, "%s: nstored %u", what, r->nstored);
    for (uint32_t i = 0; i < r->nstored && i < SMTP_REPLY_MAX_LINES; i++)
        EXPECT(hard_span_in(r->line[i], len), "%s: line %u span", what, i);
    EXPECT(hard_span_in(r->code_span, len) && hard_span_in(r->enhanced_span, len), "%s: code spans",
           what);
}

static inline void hard_check_result(const char *what, size_t len, const smtp_reply_result *res)
{
    EXPECT(res->category >= 0 && res->category < smtp_reply_category_count(), "%s: category %d",
           what, res->category);
    EXPECT(res->rule_id != NULL, "%s: rule_id NULL", what);
    EXPECT(res->match.len == 0 || hard_span_in(res->match, len), "%s: match span", what);
}

static inline int hard_summary(const char *name)
{
    printf("%s: %lu checks, %d failed\n", name, hard_checks, hard_failures);
    return hard_failures ? 1 : 0;
}

#endif
