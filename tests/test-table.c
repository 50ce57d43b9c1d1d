/*
 * test-table.c - every row of the tests/data TSV files: a real reply and what the
 * library must say about it (category, and optional key=value checks).
 * The folder comes from $SMTPREPLY_TEST_DATA (set by meson); rows.c reads it.
 */
#include <stdio.h>
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

Suite *table_suite(void)
{
    (void)test_rows_load(test_rows_dir(0, NULL), &rows);
    Suite *s = suite_create("table");
    TCase *tc = tcase_create("rows");
    tcase_add_test(tc, test_rows_present);
    tcase_add_loop_test(tc, test_row, 0, (int)rows.n);
    suite_add_tcase(s, tc);
    return s;
}
