/*
 * test-corpus.c - agreement with a reference classifier on real bounce data.
 *
 *   test-corpus CORPUS.tsv MAP.tsv DISAGREEMENTS.tsv MIN_PERMILLE [--list]
 *
 * Runs every row of ../shared/corpus/sisimai-dev.tsv (real diagnostic strings,
 * column 1 decoded with the record escapes of common/record.h,
 * with the reason Sisimai gave after reading the whole bounce), maps Sisimai's
 * reason to the categories that agree with it (MAP.tsv), and prints agreement
 * per reason.  Fails when
 *   - agreement on the judged rows falls below MIN_PERMILLE (per mille), or
 *   - a row disagrees that DISAGREEMENTS.tsv does not list with our category
 *     (every disagreement carries a one-line judgement of who is right).
 * --list prints the current disagreements in DISAGREEMENTS.tsv form.
 * Exits 77 (skipped) when the corpus is absent.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "smtpreply.h"
#include "rows.h"

#define MAX_REASONS 64

struct reason {
    char name[32];
    char cats[256];
    int judged;
    int rows, agree;
};

static struct reason reasons[MAX_REASONS];
static int nreasons;

struct listed {
    int line;
    char ours[64];
};
static struct listed *listed;
static int nlisted;


static int in_list(const char *list, const char *word)
{
    size_t wl = strlen(word);
    for (const char *p = list; *p;) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l == wl && strncmp(p, word, l) == 0)
            return 1;
        if (!c)
            break;
        p = c + 1;
    }
    return 0;
}

/* Call row(cells...) for each data row of a TSV file with a header line;
 * comment and blank lines are skipped.  Returns -1 when the file cannot be read. */
static int each_row(const char *path, void (*row)(char *line))
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    int header = 1;
    while (getline(&line, &cap, f) > 0) {
        test_rows_chomp(line);
        if (!line[0] || line[0] == '#')
            continue;
        if (header) {
            header = 0;
            continue;
        }
        row(line);
    }
    free(line);
    fclose(f);
    return 0;
}

static void map_row(char *line)
{
    char *p = line, *name = test_rows_cell(&p), *cats = test_rows_cell(&p), *judged = test_rows_cell(&p);
    if (!name || !cats || !judged || nreasons == MAX_REASONS)
        return;
    struct reason *r = &reasons[nreasons++];
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->cats, sizeof r->cats, "%s", cats);
    r->judged = strcmp(judged, "yes") == 0;
}

static void listed_row(char *line)
{
    char *p = line, *ln = test_rows_cell(&p), *reason = test_rows_cell(&p), *ours = test_rows_cell(&p);
    (void)reason;
    if (!ln || !ours)
        return;
    listed = realloc(listed, (size_t)(nlisted + 1) * sizeof *listed);
    listed[nlisted].line = atoi(ln);
    snprintf(listed[nlisted].ours, sizeof listed[nlisted].ours, "%s", ours);
    nlisted++;
}

static const char *listed_as(int line)
{
    for (int i = 0; i < nlisted; i++)
        if (listed[i].line == line)
            return listed[i].ours;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s CORPUS MAP DISAGREEMENTS MIN_PERMILLE [--list]\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        printf("corpus %s not found: skipped\n", argv[1]);
        return 77;
    }
    if (each_row(argv[2], map_row) != 0) {
        fprintf(stderr, "cannot read %s\n", argv[2]);
        return 1;
    }
    (void)each_row(argv[3], listed_row);
    int min = atoi(argv[4]);
    int list = argc > 5 && strcmp(argv[5], "--list") == 0;

    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, unlisted = 0, stale = 0, total = 0, agree = 0;
    static char buf[1 << 16];
    if (list)
        printf("line\treason\tours\tjudgement\tdiagnostic\n");
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        if (lineno == 1)
            continue;
        test_rows_chomp(line);
        char *p = line, *diag = test_rows_cell(&p);
        char *cols[7];
        for (int i = 0; i < 7; i++)
            cols[i] = test_rows_cell(&p);
        const char *reason = cols[3];
        if (!diag || !reason)
            continue;
        if (strlen(diag) >= sizeof buf)
            continue;
        size_t len = strlen(diag);
        memcpy(buf, diag, len);
        len = rec_unescape(buf, len);
        smtp_reply_result res;
        int rc = smtp_reply_classify_buf(buf, len, NULL, &res);
        const char *ours = rc == SMTP_REPLY_OK ? smtp_reply_category_name(res.category)
                                               : smtp_reply_error_name(rc);
        struct reason *r = NULL;
        for (int i = 0; i < nreasons; i++)
            if (strcmp(reasons[i].name, reason) == 0)
                r = &reasons[i];
        if (!r || !r->judged)
            continue;
        r->rows++;
        total++;
        if (in_list(r->cats, ours)) {
            r->agree++;
            agree++;
            if (listed_as(lineno)) {
                printf("note: line %d now agrees (%s); remove it from the disagreements file\n", lineno, ours);
                stale++;
            }
            continue;
        }
        const char *was = listed_as(lineno);
        if (list)
            printf("%d\t%s\t%s\t%s\t%s\n", lineno, reason, ours, "?", diag);
        else if (!was || strcmp(was, ours) != 0) {
            printf("UNLISTED line %d: sisimai %s, ours %s (rule %s)%s%s: %s\n", lineno, reason, ours,
                   rc == SMTP_REPLY_OK ? res.rule_id : "-", was ? ", listed as " : "", was ? was : "",
                   diag);
            unlisted++;
        }
    }
    free(line);
    fclose(f);
    if (list)
        return 0;

    printf("\n%-16s %6s %6s %8s\n", "reason", "rows", "agree", "percent");
    for (int i = 0; i < nreasons; i++) {
        if (!reasons[i].judged || reasons[i].rows == 0)
            continue;
        printf("%-16s %6d %6d %7.1f%%\n", reasons[i].name, reasons[i].rows, reasons[i].agree,
               100.0 * reasons[i].agree / reasons[i].rows);
    }
    int permille = total ? (int)(1000LL * agree / total) : 0;
    printf("%-16s %6d %6d %7.1f%%\n", "all judged", total, agree, total ? 100.0 * agree / total : 0.0);
    printf("disagreements: %d (unlisted: %d, listed but now agreeing: %d)\n", total - agree, unlisted, stale);
    int ok = permille >= min && unlisted == 0;
    printf("%d passed, %d failed\n", ok ? 1 : 0, ok ? 0 : 1);
    if (permille < min)
        printf("FAIL: agreement %d per mille is below the floor %d\n", permille, min);
    return ok ? 0 : 1;
}
