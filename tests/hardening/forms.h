/*
 * forms.h - the texts of data/wrappers.tsv, for the hardening tests that build
 * hostile inputs around every form the unwrapper knows (issue 12).
 *
 * Header-only, like hardening.h.  forms_load() reads every row of the file (kind
 * marker, stage, recipient, code, enhanced) and the texts its markers' start and
 * end look for (after:T, first:T1|T2, last:...), decoded as tools/gen-tables.py
 * decodes them (\s a space, \\ a backslash).  The test then knows every form by
 * the same data as the library: a row added to wrappers.tsv is covered with no
 * change here.
 */
#ifndef SMTPREPLY_FORMS_H
#define SMTPREPLY_FORMS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORMS_MAX 1024
#define FORM_TEXT_MAX 128

struct form {
    char kind[12];             /* marker, stage, recipient, code, enhanced, aux */
    char text[FORM_TEXT_MAX];  /* decoded */
    size_t len;
    int line;                  /* its line in wrappers.tsv */
};

struct forms {
    struct form v[FORMS_MAX];
    size_t n;
};

static void forms_add(struct forms *f, const char *kind, const char *cell, size_t n, int line)
{
    if (f->n >= FORMS_MAX || n == 0)
        return;
    struct form *x = &f->v[f->n];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < FORM_TEXT_MAX; i++) {
        if (cell[i] == '\\' && i + 1 < n && (cell[i + 1] == 's' || cell[i + 1] == '\\')) {
            x->text[o++] = cell[i + 1] == 's' ? ' ' : '\\';
            i++;
        } else {
            x->text[o++] = cell[i];
        }
    }
    x->text[o] = '\0';
    x->len = o;
    x->line = line;
    snprintf(x->kind, sizeof x->kind, "%s", kind);
    for (size_t k = 0; k < f->n; k++) /* each text once */
        if (f->v[k].len == o && memcmp(f->v[k].text, x->text, o) == 0)
            return;
    f->n++;
}

/* Column c (0-based) of a tab-separated line: its start and length, or -1. */
static int forms_cell(const char *line, int c, const char **s, size_t *n)
{
    const char *p = line;
    for (int i = 0; i < c; i++) {
        p = strchr(p, '\t');
        if (!p)
            return -1;
        p++;
    }
    const char *e = p;
    while (*e && *e != '\t' && *e != '\n' && *e != '\r')
        e++;
    *s = p;
    *n = (size_t)(e - p);
    return 0;
}

/* Returns 0, or -1 after a message (the file cannot be read or holds no row). */
static int forms_load(const char *path, struct forms *f)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        perror(path);
        return -1;
    }
    char line[4096];
    int ln = 0, header = 1;
    f->n = 0;
    while (fgets(line, sizeof line, fp)) {
        ln++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (header) { /* the column names */
            header = 0;
            continue;
        }
        const char *k, *t, *st, *en;
        size_t kn, tn, stn, enn;
        if (forms_cell(line, 0, &k, &kn) || forms_cell(line, 1, &t, &tn) || kn >= 12)
            continue;
        char kind[12];
        memcpy(kind, k, kn);
        kind[kn] = '\0';
        forms_add(f, kind, t, tn, ln);
        if (strcmp(kind, "marker") != 0)
            continue;
        if (!forms_cell(line, 3, &st, &stn) && stn > 6 && !strncmp(st, "after:", 6))
            forms_add(f, "aux", st + 6, stn - 6, ln);
        if (!forms_cell(line, 4, &en, &enn)) {
            size_t skip = enn > 6 && !strncmp(en, "first:", 6) ? 6 : enn > 5 && !strncmp(en, "last:", 5) ? 5 : 0;
            const char *a = en + skip, *e = en + enn;
            while (skip && a < e) {
                const char *bar = memchr(a, '|', (size_t)(e - a));
                const char *z = bar ? bar : e;
                forms_add(f, "aux", a, (size_t)(z - a), ln);
                a = z + 1;
            }
        }
    }
    fclose(fp);
    if (f->n == 0) {
        fprintf(stderr, "%s: no rows\n", path);
        return -1;
    }
    return 0;
}

/* data/wrappers.tsv: argv[i] when given, else $SMTPREPLY_WRAPPERS, else the
 * path as seen from the source tree. */
static const char *forms_path(int argc, char **argv, int i)
{
    if (argc > i)
        return argv[i];
    const char *e = getenv("SMTPREPLY_WRAPPERS");
    return e && *e ? e : "data/wrappers.tsv";
}

#endif
