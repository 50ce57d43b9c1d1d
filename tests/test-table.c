/*
 * test-table.c - every row of the tests/data TSV files: a real reply and what the
 * library must say about it (category, and optional key=value checks).
 * The folder comes from $SMTPREPLY_TEST_DATA (set by meson); rows.c reads it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"
#include "tests.h"

static struct test_rows rows;

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
    const struct test_row *r = &rows.v[_i];
    smtp_reply reply;
    smtp_reply_result res;
    int rc = smtp_reply_classify_buf(r->input, r->len, &reply, &res);
    ck_assert_msg(rc == SMTP_REPLY_OK, "%s: parse failed (%s): %s", r->where,
                  smtp_reply_error_name(rc), r->escaped);
    const char *got = smtp_reply_category_name(res.category);
    ck_assert_msg(strcmp(got, r->category) == 0, "%s: category %s (rule %s), want %s: %s",
                  r->where, got, res.rule_id, r->category, r->escaped);
    if (strcmp(r->expect, "-") == 0 || r->expect[0] == '\0')
        return;
    char exp[1024];
    snprintf(exp, sizeof exp, "%s", r->expect);
    for (char *tok = strtok(exp, ","); tok; tok = strtok(NULL, ",")) {
        while (*tok == ' ')
            tok++;
        char *eq = strchr(tok, '=');
        ck_assert_msg(eq != NULL, "%s: bad expect %s", r->where, tok);
        *eq = '\0';
        char tmp[330];
        const char *v = name_of(tok, &res, tmp, sizeof tmp);
        if (!strcmp(tok, "to")) { /* the recipient the wrapper names, - for none */
            if (res.recipient.len && res.recipient.len < sizeof tmp)
                snprintf(tmp, sizeof tmp, "%.*s", (int)res.recipient.len, r->input + res.recipient.off);
            else
                snprintf(tmp, sizeof tmp, "-");
            v = tmp;
        } else if (!strcmp(tok, "wrapper")) {
            v = smtp_reply_wrapper_name((int)reply.wrapper);
        }
        ck_assert_msg(v != NULL, "%s: unknown expect key %s", r->where, tok);
        ck_assert_msg(strcmp(v, eq + 1) == 0, "%s: %s is %s, want %s (rule %s): %s", r->where,
                      tok, v, eq + 1, res.rule_id, r->escaped);
    }
    /* every verdict has advice */
    smtp_reply_advice_info adv;
    ck_assert_int_eq(smtp_reply_advice(&res, &adv), 0);
    ck_assert(adv.summary && adv.summary[0]);
}
END_TEST

START_TEST(test_rows_present)
{
    ck_assert_msg(rows.n > 0, "no test rows found: set SMTPREPLY_TEST_DATA");
}
END_TEST

/* Field by field: padding bytes are not part of a result. */
static void assert_same_result(const char *where, const smtp_reply_result *a,
                               const smtp_reply_result *b)
{
    ck_assert_msg(a->category == b->category && a->permanence == b->permanence &&
                  a->recipient_action == b->recipient_action &&
                  a->message_action == b->message_action && a->fault == b->fault &&
                  a->evidence == b->evidence && a->stage == b->stage &&
                  a->retry_after == b->retry_after && a->code == b->code &&
                  memcmp(a->enhanced, b->enhanced, sizeof a->enhanced) == 0 &&
                  a->flags == b->flags && a->rule_id == b->rule_id &&
                  a->provider == b->provider && a->blocklist == b->blocklist &&
                  a->enhanced_title == b->enhanced_title && a->match.off == b->match.off &&
                  a->match.len == b->match.len && a->advice_index == b->advice_index,
                  "%s: the batch result differs from smtp_reply_classify_buf's", where);
}

static void assert_same_reply(const char *where, const smtp_reply *a, const smtp_reply *b)
{
    ck_assert_msg(a->code == b->code && memcmp(a->enhanced, b->enhanced, sizeof a->enhanced) == 0 &&
                  a->stage == b->stage && a->flags == b->flags && a->wrapper == b->wrapper &&
                  a->consumed == b->consumed && a->reply.off == b->reply.off &&
                  a->reply.len == b->reply.len && a->code_span.off == b->code_span.off &&
                  a->code_span.len == b->code_span.len &&
                  a->enhanced_span.off == b->enhanced_span.off &&
                  a->enhanced_span.len == b->enhanced_span.len && a->nlines == b->nlines &&
                  a->nstored == b->nstored && a->text_len == b->text_len,
                  "%s: the batch reply differs from smtp_reply_classify_buf's", where);
    for (uint32_t k = 0; k < a->nstored && k < SMTP_REPLY_MAX_LINES; k++)
        ck_assert_msg(a->line[k].off == b->line[k].off && a->line[k].len == b->line[k].len,
                      "%s: line %u of the batch reply differs", where, k);
}

/* smtp_reply_classify_many over every row (and a few rejected inputs among them)
 * gives, input by input, what smtp_reply_classify_buf gives. */
START_TEST(test_rows_in_one_batch)
{
    static const char *const bad[] = {"", "\r\n  ", "5500 x", "55"};
    const size_t nbad = sizeof bad / sizeof bad[0];
    size_t n = rows.n + nbad;
    const char **bufs = calloc(n, sizeof *bufs);
    size_t *lens = calloc(n, sizeof *lens);
    smtp_reply *replies = calloc(n, sizeof *replies);
    smtp_reply_result *results = calloc(n, sizeof *results);
    smtp_reply_result *results2 = calloc(n, sizeof *results2);
    int *status = calloc(n, sizeof *status);
    int *status2 = calloc(n, sizeof *status2);
    ck_assert(bufs && lens && replies && results && results2 && status && status2);
    for (size_t i = 0, j = 0; i < n; i++) {
        /* a rejected input every rows.n / nbad rows */
        if (j < nbad && i == j * (rows.n / nbad) + j) {
            bufs[i] = bad[j];
            lens[i] = strlen(bad[j++]);
        } else {
            bufs[i] = rows.v[i - j].input;
            lens[i] = rows.v[i - j].len;
        }
    }
    ck_assert_int_eq(smtp_reply_classify_many(bufs, lens, n, replies, results, status), 0);
    ck_assert_int_eq(smtp_reply_classify_many(bufs, lens, n, NULL, results2, status2), 0);
    size_t nrejected = 0;
    for (size_t i = 0; i < n; i++) {
        smtp_reply reply;
        smtp_reply_result res;
        int rc = smtp_reply_classify_buf(bufs[i], lens[i], &reply, &res);
        char where[64];
        snprintf(where, sizeof where, "input %zu", i);
        ck_assert_msg(status[i] == rc && status2[i] == rc, "%s: status %d and %d, want %d",
                      where, status[i], status2[i], rc);
        nrejected += rc != SMTP_REPLY_OK;
        assert_same_result(where, &results[i], &res);
        assert_same_result(where, &results2[i], &res);
        if (rc == SMTP_REPLY_OK)
            assert_same_reply(where, &replies[i], &reply);
    }
    ck_assert_uint_eq(nrejected, nbad);
    free(bufs);
    free(lens);
    free(replies);
    free(results);
    free(results2);
    free(status);
    free(status2);
}
END_TEST

Suite *table_suite(void)
{
    (void)test_rows_load(test_rows_dir(0, NULL), &rows);
    Suite *s = suite_create("table");
    TCase *tc = tcase_create("rows");
    tcase_add_test(tc, test_rows_present);
    tcase_add_loop_test(tc, test_row, 0, (int)rows.n);
    tcase_add_test(tc, test_rows_in_one_batch);
    suite_add_tcase(s, tc);
    return s;
}
