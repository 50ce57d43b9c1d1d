/*
 * test-model.c - the word model and the codes decide as documented, checked
 * against the model's own output on every row of tests/data.
 *
 * Where no rule decides a failure (4xx/5xx), the words decide before the code
 * when their best category leads by the margin and its words give it min_words;
 * when the code is vague (an enhanced code marked vague in
 * data/enhanced-codes.tsv, or a basic code alone with vague_basic), the lower
 * vague_margin and vague_min_words apply (README, "Generalisation").  For each
 * row this test runs the model (smtp__model, the same call classify makes) and
 * checks the result against that rule:
 *
 *   - the code decided (evidence basic_code or enhanced_code): the words did not
 *     qualify, or they name the enhanced code's own category;
 *   - the words decided with the model's own category: they qualified.
 *
 * Each row is classified twice: with the built-in table, and with a user rules
 * object that disables every built-in rule, so that the words and the codes
 * decide every row (the view the held-out measurement has of a new wording).
 * The rule is checked on the model's numbers, not on categories written down for
 * a few replies, so adding rows (which retrains the model and moves its margins)
 * cannot break this test while the rule holds.  It also counts the rows where
 * the vague thresholds made the difference (the words decided at a lead below
 * the ordinary margin) and where a code was kept because the words did not
 * qualify, and fails if either count is zero: the rows must exercise both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rows.h"
#include "smtpreply.h"

struct counts {
    unsigned checked, failed, vague_low, code_kept;
};

/* Classify one row (with u, or the built-in table when u is NULL) and check the
 * rule above against the model's numbers. */
static void check(const smtp_reply_rules *u, const struct test_row *row, struct counts *c)
{
    smtp_reply r;
    smtp_reply_result res;
    if (smtp_reply_parse(row->input, row->len, 0, &r) != SMTP_REPLY_OK ||
        smtp_reply_classify_with(u, row->input, row->len, &r, &res) != SMTP_REPLY_OK)
        return;
    if (r.code < 400 || r.code > 599 || r.enhanced[0] == 2)
        return;
    int by_code = res.evidence == SMTP_REPLY_EVIDENCE_BASIC_CODE ||
                  res.evidence == SMTP_REPLY_EVIDENCE_ENHANCED_CODE;
    struct smtp__model_out m;
    smtp__model(row->input, row->len, &r, NULL, u, &m);
    int by_words = res.evidence == SMTP_REPLY_EVIDENCE_WORDS && (int)res.category == m.category;
    if (!by_code && !by_words)
        return;   /* a rule decided, or the words beside a rule's match did */
    const struct smtp__enh *e = smtp__failure_entry(&r);
    int vague = e ? e->vague : (int)smtp__model_vague_basic;
    int32_t margin = vague ? smtp__model_vague_margin : smtp__model_margin;
    int32_t min_words = vague ? smtp__model_vague_min_words : smtp__model_min_words;
    int qualifies = m.margin >= margin && m.word.len > 0 && m.wscore[m.category] >= min_words &&
                    m.category != SMTP_REPLY_CAT_UNKNOWN && m.category != SMTP_REPLY_CAT_SUCCESS;
    const char *view = u ? "without the built-in rules" : "with the built-in rules";
    c->checked++;
    if (by_code && qualifies && !(e && e->category == m.category)) {
        c->failed++;
        printf("FAIL %s, %s: the code decided (%s) though the words qualified for %s (lead %d, "
               "words %d, vague %d): %s\n", row->where, view, smtp_reply_category_name(res.category),
               smtp_reply_category_name(m.category), m.margin, m.wscore[m.category], vague, row->escaped);
    } else if (by_words && !qualifies) {
        c->failed++;
        printf("FAIL %s, %s: the words decided (%s) though they did not qualify (lead %d, words %d, "
               "vague %d): %s\n", row->where, view, smtp_reply_category_name(res.category), m.margin,
               m.wscore[m.category], vague, row->escaped);
    }
    if (by_words && vague && m.margin < smtp__model_margin)
        c->vague_low++;
    if (by_code && !qualifies && m.margin > 0 && m.wscore[m.category] > 0)
        c->code_kept++;
}

/* A user rules object that disables every built-in rule. */
static smtp_reply_rules *without_rules(void)
{
    static const char head[] = "id\tcategory\tpriority\tcodes\tpattern\tprovider\tblocklist\toptions\t"
                               "advice\tsource\n";
    size_t cap = sizeof head + (size_t)smtp__nrules * 160, n = 0;
    char *buf = malloc(cap);
    smtp_reply_rules *u = NULL;
    smtp_reply_rules_error err;
    if (buf == NULL)
        return NULL;
    n += (size_t)snprintf(buf, cap, "%s", head);
    for (uint32_t i = 0; i < smtp__nrules && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s\tdisable\t-\t-\t-\t-\t-\t-\t-\ttest-model\n",
                              smtp__str(smtp__rules[i].id));
    if (n >= cap || smtp_reply_rules_new(&u) != SMTP_REPLY_OK ||
        smtp_reply_rules_add_buffer(u, "all.tsv", buf, n, &err) != SMTP_REPLY_OK ||
        smtp_reply_rules_compile(u, &err) != SMTP_REPLY_OK) {
        printf("FAIL: cannot build the rules object that disables the built-in rules\n");
        smtp_reply_rules_free(u);
        u = NULL;
    }
    free(buf);
    return u;
}

int main(int argc, char **argv)
{
    struct test_rows rows;
    if (test_rows_load(test_rows_dir(argc, argv), &rows) != 0)
        return 1;
    smtp_reply_rules *none = without_rules();
    if (none == NULL)
        return 1;
    struct counts with = {0, 0, 0, 0}, without = {0, 0, 0, 0};
    for (size_t i = 0; i < rows.n; i++) {
        check(NULL, &rows.v[i], &with);
        check(none, &rows.v[i], &without);
    }
    printf("of %zu rows, %u with the built-in rules and %u without them were decided by the code or "
           "the words alone and checked; without them, %u were decided by the words at a lead below the "
           "ordinary margin because the code was vague, and %u kept by the code because the words did "
           "not qualify\n", rows.n, with.checked, without.checked, without.vague_low, without.code_kept);
    unsigned failed = with.failed + without.failed;
    if (without.vague_low == 0 || without.code_kept == 0) {
        printf("FAIL: the rows no longer exercise both sides of the rule\n");
        failed++;
    }
    smtp_reply_rules_free(none);
    test_rows_free(&rows);
    return failed ? 1 : 0;
}
