/* rows.c - the reader of the test tables (see rows.h). */
#define _POSIX_C_SOURCE 200809L
#include "rows.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (p == NULL) {
        fprintf(stderr, "test rows: out of memory\n");
        exit(99);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

static int is_blank(const char *s)
{
    return s[strspn(s, " \t\v\f")] == '\0';
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_file(const char *dir, const char *name, struct test_rows *rs, size_t *cap)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    char *line = NULL;
    size_t lcap = 0;
    ssize_t l;
    unsigned lineno = 0;
    int header = 1, rc = 0;
    while (rc == 0 && (l = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
            line[--l] = '\0';
        if (line[0] == '#' || is_blank(line))
            continue;
        if (header) {
            header = 0;
            continue;
        }
        char *cells[3] = {line, NULL, NULL};
        for (int i = 1; i < 3 && cells[i - 1]; i++) {
            cells[i] = strchr(cells[i - 1], '\t');
            if (cells[i])
                *cells[i]++ = '\0';
        }
        if (cells[1] == NULL) {
            fprintf(stderr, "%s:%u: a row needs an input and a category\n", path, lineno);
            rc = -1;
            break;
        }
        if (cells[2])
            cells[2][strcspn(cells[2], "\t")] = '\0';
        if (rs->n == *cap) {
            *cap = *cap ? *cap * 2 : 256;
            rs->v = xrealloc(rs->v, *cap * sizeof *rs->v);
        }
        struct test_row *r = &rs->v[rs->n++];
        snprintf(r->where, sizeof r->where, "%s:%u", name, lineno);
        r->escaped = xstrdup(cells[0]);
        r->input = xstrdup(cells[0]);
        r->len = rec_unescape(r->input, strlen(r->input));
        r->input[r->len] = '\0';
        r->category = xstrdup(cells[1]);
        r->expect = xstrdup(cells[2] && cells[2][0] ? cells[2] : "-");
    }
    free(line);
    fclose(f);
    return rc;
}

int test_rows_load(const char *dir, struct test_rows *rs)
{
    memset(rs, 0, sizeof *rs);
    DIR *d = opendir(dir);
    if (d == NULL) {
        perror(dir);
        return -1;
    }
    char **names = NULL;
    size_t nn = 0, ncap = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l <= 4 || strcmp(e->d_name + l - 4, ".tsv") != 0)
            continue;
        if (nn == ncap) {
            ncap = ncap ? ncap * 2 : 32;
            names = xrealloc(names, ncap * sizeof *names);
        }
        names[nn++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (nn)
        qsort(names, nn, sizeof *names, cmp_names);
    int rc = 0;
    for (size_t i = 0; i < nn; i++) {
        if (rc == 0)
            rc = load_file(dir, names[i], rs, &cap);
        free(names[i]);
    }
    free(names);
    if (rc == 0 && rs->n == 0) {
        fprintf(stderr, "no test rows in %s\n", dir);
        rc = -1;
    }
    if (rc != 0)
        test_rows_free(rs);
    return rc;
}

void test_rows_free(struct test_rows *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->v[i].escaped);
        free(rs->v[i].input);
        free(rs->v[i].category);
        free(rs->v[i].expect);
    }
    free(rs->v);
    memset(rs, 0, sizeof *rs);
}

const char *test_rows_dir(int argc, char **argv)
{
    if (argc > 1)
        return argv[1];
    const char *d = getenv("SMTPREPLY_TEST_DATA");
    return d ? d : "tests/data";
}

char *test_rows_cell(char **p)
{
    char *s = *p;
    if (!s)
        return NULL;
    char *t = strchr(s, '\t');
    if (t) {
        *t = '\0';
        *p = t + 1;
    } else {
        *p = NULL;
    }
    return s;
}

void test_rows_chomp(char *s)
{
    size_t l = strlen(s);
    while (l && (s[l - 1] == '\n' || s[l - 1] == '\r'))
        s[--l] = '\0';
}
