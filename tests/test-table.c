#define _POSIX_C_SOURCE 200809L
/*
 * test-table.c - every row of the tests/data TSV files: a real reply and what the
 * library must say about it (category, and optional key=value checks).
 * The folder comes from $SMTPREPLY_TEST_DATA (set by meson).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

struct row {
    char file[64];
    int line;
    char *input;
    char *category;
    char *expect;
};

static struct row *rows;
static size_t nrows, cap;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_file(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t l;
    int lineno = 0, header = 1;
    while ((l = getline(&line, &lcap, f)) > 0) {
        lineno++;
        while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
            line[--l] = '\0';
        if (l == 0 || line[0] == '#')
            continue;
        if (header) {
            header = 0;
            continue;
        }
        char *cells[4] = {NULL, NULL, NULL, NULL};
        char *p = line;
        for (int i = 0; i < 4 && p; i++) {
            cells[i] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = '\0';
        }
        if (!cells[1])
            continue;
        if (nrows == cap) {
            cap = cap ? cap * 2 : 256;
            rows = realloc(rows, cap * sizeof *rows);
        }
        struct row *r = &rows[nrows++];
        snprintf(r->file, sizeof r->file, "%s", name);
        r->line = lineno;
        r->input = strdup(cells[0]);
        r->category = strdup(cells[1]);
        r->expect = strdup(cells[2] ? cells[2] : "-");
    }
    free(line);
    fclose(f);
}

static void load_rows(void)
{
    const char *dir = getenv("SMTPREPLY_TEST_DATA");
    if (!dir)
        dir = "tests/data";
    DIR *d = opendir(dir);
    if (!d)
        return;
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".tsv") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_names);
    for (size_t i = 0; i < n; i++) {
        load_file(dir, names[i]);
        free(names[i]);
    }
}

static const char *name_of(const char *key, const smtp_reply_result *res, char *tmp, size_t tsz)
{
    if (!strcmp(key, "perm"))
        return smtp_reply_permanence_name(res->permanence);
    if (!strcmp(key, "rcpt"))
        return smtp_reply_recipient_action_name(res->recipient_action);
    if (!strcmp(key, "msg"))
        return smtp_reply_message_action_name(res->message_action);
    if (!strcmp(key, "fault"))
        return smtp_reply_fault_name(res->fault);
    if (!strcmp(key, "rule"))
        return res->rule_id;
    if (!strcmp(key, "provider"))
        return res->provider ? res->provider : "-";
    if (!strcmp(key, "blocklist"))
        return res->blocklist ? res->blocklist : "-";
    if (!strcmp(key, "evidence"))
        return smtp_reply_evidence_name(res->evidence);
    if (!strcmp(key, "stage"))
        return smtp_reply_stage_name(res->stage);
    if (!strcmp(key, "retry")) {
        snprintf(tmp, tsz, "%u", res->retry_after);
        return tmp;
    }
    if (!strcmp(key, "code")) {
        snprintf(tmp, tsz, "%d", res->code);
        return tmp;
    }
    if (!strcmp(key, "enh")) {
        snprintf(tmp, tsz, "%u.%u.%u", res->enhanced[0], res->enhanced[1], res->enhanced[2]);
        return tmp;
    }
    return NULL;
}

START_TEST(test_row)
{
    const struct row *r = &rows[_i];
    static char buf[1 << 16];
    size_t len = test_unescape(r->input, buf, sizeof buf);
    smtp_reply reply;
    smtp_reply_result res;
    int rc = smtp_reply_classify_buf(buf, len, &reply, &res);
    ck_assert_msg(rc == SMTP_REPLY_OK, "%s:%d: parse failed (%s): %s", r->file, r->line,
                  smtp_reply_error_name(rc), r->input);
    const char *got = smtp_reply_category_name(res.category);
    ck_assert_msg(strcmp(got, r->category) == 0, "%s:%d: category %s (rule %s), want %s: %s",
                  r->file, r->line, got, res.rule_id, r->category, r->input);
    if (strcmp(r->expect, "-") == 0 || r->expect[0] == '\0')
        return;
    char exp[1024];
    snprintf(exp, sizeof exp, "%s", r->expect);
    for (char *tok = strtok(exp, ","); tok; tok = strtok(NULL, ",")) {
        while (*tok == ' ')
            tok++;
        char *eq = strchr(tok, '=');
        ck_assert_msg(eq != NULL, "%s:%d: bad expect %s", r->file, r->line, tok);
        *eq = '\0';
        char tmp[64];
        const char *v = name_of(tok, &res, tmp, sizeof tmp);
        ck_assert_msg(v != NULL, "%s:%d: unknown expect key %s", r->file, r->line, tok);
        ck_assert_msg(strcmp(v, eq + 1) == 0, "%s:%d: %s is %s, want %s (rule %s): %s", r->file,
                      r->line, tok, v, eq + 1, res.rule_id, r->input);
    }
    /* every verdict has advice */
    smtp_reply_advice_info adv;
    ck_assert_int_eq(smtp_reply_advice(&res, &adv), 0);
    ck_assert(adv.summary && adv.summary[0]);
}
END_TEST

START_TEST(test_rows_present)
{
    ck_assert_msg(nrows > 0, "no test rows found: set SMTPREPLY_TEST_DATA");
}
END_TEST

Suite *table_suite(void)
{
    load_rows();
    Suite *s = suite_create("table");
    TCase *tc = tcase_create("rows");
    tcase_add_test(tc, test_rows_present);
    tcase_add_loop_test(tc, test_row, 0, (int)nrows);
    suite_add_tcase(s, tc);
    return s;
}
