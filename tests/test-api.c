/*
 * test-api.c - the public API's promises: enum values pinned, names round-trip,
 * every error has a name, NULL handling, advice for every category, table
 * identity, classification precedence and verdict rules on real replies.
 */
#include <stdio.h>
#include <string.h>

#include "tests.h"

/* The ABI: these numbers never change meaning. */
START_TEST(test_enum_values_pinned)
{
    static const struct { const char *name; int value; } cats[] = {
        {"unknown", 0}, {"success", 1}, {"user_unknown", 2}, {"mailbox_full", 3},
        {"mailbox_disabled", 4}, {"mailbox_moved", 5}, {"domain_unknown", 6},
        {"relay_denied", 7}, {"auth_required", 8}, {"auth_failed", 9}, {"blocklisted", 10},
        {"reputation", 11}, {"ptr_required", 12}, {"rate_limited", 13}, {"greylisted", 14},
        {"spam_content", 15}, {"virus", 16}, {"policy", 17}, {"message_too_big", 18},
        {"syntax", 19}, {"protocol", 20}, {"tls_required", 21}, {"sender_rejected", 22},
        {"server_error", 23}, {"network", 24}, {"expired", 25},
    };
    ck_assert_int_eq(smtp_reply_category_count(), 26);
    for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++) {
        ck_assert_str_eq(smtp_reply_category_name(cats[i].value), cats[i].name);
        ck_assert_int_eq(smtp_reply_category_from_name(cats[i].name), cats[i].value);
    }
    ck_assert_int_eq(SMTP_REPLY_CAT_EXPIRED, 25);
    ck_assert_int_eq(SMTP_REPLY_PERM_PERMANENT, 3);
    ck_assert_int_eq(SMTP_REPLY_RCPT_REVIEW, 2);
    ck_assert_int_eq(SMTP_REPLY_MSG_NEVER, 4);
    ck_assert_int_eq(SMTP_REPLY_FAULT_NONE, 6);
    ck_assert_int_eq(SMTP_REPLY_EVIDENCE_BASIC_CODE, 4);
    ck_assert_int_eq(SMTP_REPLY_STAGE_STARTTLS, 8);
    ck_assert_int_eq(SMTP_REPLY_WRAP_OTHER, 7);
    ck_assert_int_eq(SMTP_REPLY_E_NOT_PARSED, -14);
    ck_assert_uint_eq(SMTP_REPLY_F_NO_REPLY, 1u << 19);
}
END_TEST

START_TEST(test_names_complete)
{
    static const struct {
        const char *(*name)(int);
        int (*count)(void);
    } enums[] = {
        {smtp_reply_category_name, smtp_reply_category_count},
        {smtp_reply_permanence_name, smtp_reply_permanence_count},
        {smtp_reply_recipient_action_name, smtp_reply_recipient_action_count},
        {smtp_reply_message_action_name, smtp_reply_message_action_count},
        {smtp_reply_fault_name, smtp_reply_fault_count},
        {smtp_reply_evidence_name, smtp_reply_evidence_count},
        {smtp_reply_stage_name, smtp_reply_stage_count},
        {smtp_reply_wrapper_name, smtp_reply_wrapper_count},
        {smtp_reply_actor_name, smtp_reply_actor_count},
        {smtp_reply_flag_name, smtp_reply_flag_count},
    };
    for (size_t e = 0; e < sizeof enums / sizeof enums[0]; e++) {
        int n = enums[e].count();
        ck_assert_int_gt(n, 0);
        for (int v = 0; v < n; v++) {
            const char *s = enums[e].name(v);
            ck_assert_msg(s && s[0], "enum %zu value %d has no name", e, v);
            for (int w = 0; w < v; w++)
                ck_assert_msg(strcmp(s, enums[e].name(w)) != 0, "enum %zu: duplicate name %s", e, s);
        }
        ck_assert_ptr_null(enums[e].name(n));
        ck_assert_ptr_null(enums[e].name(-1));
    }
    ck_assert_int_eq(smtp_reply_category_from_name(NULL), -1);
    ck_assert_int_eq(smtp_reply_category_from_name("no_such"), -1);
    ck_assert_int_eq(smtp_reply_flag_count(), 20);
}
END_TEST

START_TEST(test_errors_named)
{
    int n = smtp_reply_error_count();
    ck_assert_int_eq(n, 21);
    for (int e = 0; e > -n; e--) {
        ck_assert_str_ne(smtp_reply_error_name(e), "unknown_error");
        ck_assert_str_ne(smtp_reply_strerror(e), "Unknown error code");
    }
    ck_assert_str_eq(smtp_reply_error_name(SMTP_REPLY_E_INCOMPLETE), "incomplete");
    ck_assert_str_eq(smtp_reply_error_name(-n), "unknown_error");
    ck_assert_str_eq(smtp_reply_error_name(1), "unknown_error");
    ck_assert_str_eq(smtp_reply_strerror(-1000), "Unknown error code");
}
END_TEST

START_TEST(test_null_handling)
{
    smtp_reply r;
    smtp_reply_result res;
    smtp_reply_advice_info adv;
    ck_assert_int_eq(smtp_reply_classify("x", 1, NULL, &res), SMTP_REPLY_E_NULL);
    ck_assert_str_eq(res.rule_id, "none");
    ck_assert_int_eq(smtp_reply_classify("x", 1, &r, NULL), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_classify_buf(NULL, 0, NULL, &res), SMTP_REPLY_E_EMPTY);
    ck_assert_int_eq(res.category, SMTP_REPLY_CAT_UNKNOWN);
    ck_assert_int_eq(smtp_reply_classify_buf("550 x", 5, NULL, NULL), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_advice(NULL, &adv), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_advice(&res, NULL), SMTP_REPLY_E_NULL);
    /* a reply that never parsed cannot be classified */
    memset(&r, 0, sizeof r);
    ck_assert_int_eq(smtp_reply_classify("", 0, &r, &res), SMTP_REPLY_E_NOT_PARSED);
}
END_TEST

START_TEST(test_classify_many_null_handling)
{
    const char *bufs[2] = {"550 5.1.1 User unknown", NULL};
    size_t lens[2] = {22, 0};
    smtp_reply_result res[2];
    int status[2] = {1, 1};
    ck_assert_int_eq(smtp_reply_classify_many(NULL, NULL, 0, NULL, NULL, NULL), SMTP_REPLY_OK);
    ck_assert_int_eq(smtp_reply_classify_many(NULL, lens, 2, NULL, res, status), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_classify_many(bufs, NULL, 2, NULL, res, status), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_classify_many(bufs, lens, 2, NULL, NULL, status), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_classify_many(bufs, lens, 2, NULL, res, NULL), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(status[0], 1); /* nothing written */
    /* a NULL input of length 0 is rejected as empty, as by smtp_reply_classify_buf */
    ck_assert_int_eq(smtp_reply_classify_many(bufs, lens, 2, NULL, res, status), SMTP_REPLY_OK);
    ck_assert_int_eq(status[0], SMTP_REPLY_OK);
    ck_assert_int_eq(res[0].category, SMTP_REPLY_CAT_USER_UNKNOWN);
    ck_assert_int_eq(status[1], SMTP_REPLY_E_EMPTY);
    ck_assert_int_eq(res[1].category, SMTP_REPLY_CAT_UNKNOWN);
    ck_assert_str_eq(res[1].rule_id, "none");
}
END_TEST

START_TEST(test_advice_for_every_category)
{
    for (int c = 0; c < smtp_reply_category_count(); c++) {
        smtp_reply_result res;
        memset(&res, 0, sizeof res);
        res.category = c;
        res.advice_index = 0xffffffffu; /* not from classify: falls back to the category */
        smtp_reply_advice_info adv;
        ck_assert_int_eq(smtp_reply_advice(&res, &adv), 0);
        ck_assert_str_eq(adv.id, smtp_reply_category_name(c));
        ck_assert_msg(adv.summary && strlen(adv.summary) > 10, "category %s: no summary",
                      smtp_reply_category_name(c));
        ck_assert_msg(adv.nsteps >= 1 && adv.nsteps <= SMTP_REPLY_MAX_STEPS, "category %s: %u steps",
                      smtp_reply_category_name(c), adv.nsteps);
        for (uint32_t i = 0; i < adv.nsteps; i++)
            ck_assert(adv.steps[i] && adv.steps[i][0]);
        ck_assert(adv.reference != NULL);
    }
}
END_TEST

START_TEST(test_table_identity)
{
    ck_assert_uint_gt(smtp_reply_table_rule_count(), 100);
    ck_assert_uint_eq(strlen(smtp_reply_table_hash()), 64);
    ck_assert(strlen(smtp_reply_table_version()) >= 8);
    ck_assert_str_eq(smtp_reply_version(), SMTP_REPLY_VERSION_STRING);
    ck_assert_uint_eq(smtp_reply_version_number(), SMTP_REPLY_VERSION_NUMBER);
    ck_assert_uint_eq(smtp_reply_sizeof_reply(), sizeof(smtp_reply));
    ck_assert_uint_eq(smtp_reply_sizeof_result(), sizeof(smtp_reply_result));
    ck_assert_uint_eq(smtp_reply_sizeof_advice(), sizeof(smtp_reply_advice_info));
    ck_assert_uint_eq(smtp_reply_max_lines(), SMTP_REPLY_MAX_LINES);
    ck_assert_uint_eq(smtp_reply_max_bytes(), SMTP_REPLY_MAX_BYTES);
    ck_assert_uint_eq(smtp_reply_line_limit(), SMTP_REPLY_LINE_LIMIT);
    ck_assert_uint_eq(smtp_reply_max_steps(), SMTP_REPLY_MAX_STEPS);
    ck_assert_str_eq(smtp_reply_enhanced_title(5, 1, 1), "Bad destination mailbox address");
    ck_assert_str_eq(smtp_reply_enhanced_title(4, 1, 1), "Bad destination mailbox address");
    ck_assert_ptr_null(smtp_reply_enhanced_title(3, 1, 1));
    ck_assert_ptr_null(smtp_reply_enhanced_title(5, 9, 999));
}
END_TEST

/* Verdict rules on real replies: each row says what it checks. */
struct verdict_row {
    const char *what;
    const char *in;
    int category, perm, rcpt, msg, evidence;
};

static const struct verdict_row verdicts[] = {
    {"a text rule beats the enhanced code (552 5.1.1 ... mailbox full)",
     "552 5.1.1 <a@example.com>... Mailbox full", SMTP_REPLY_CAT_MAILBOX_FULL, -1, -1, -1,
     SMTP_REPLY_EVIDENCE_TEXT_PHRASE},
    {"a text rule beats the enhanced code (550 5.1.1 ... too many recipients)",
     "550 5.1.1 too many recipients this hour", SMTP_REPLY_CAT_RATE_LIMITED, SMTP_REPLY_PERM_TRANSIENT,
     SMTP_REPLY_RCPT_KEEP, -1, -1},
    {"the enhanced code beats the basic code", "550 5.1.1 <nobody@example.com>",
     SMTP_REPLY_CAT_USER_UNKNOWN, SMTP_REPLY_PERM_PERMANENT, SMTP_REPLY_RCPT_SUPPRESS,
     SMTP_REPLY_MSG_NEVER, SMTP_REPLY_EVIDENCE_ENHANCED_CODE},
    {"the basic code alone decides when nothing else does", "552 ", SMTP_REPLY_CAT_MAILBOX_FULL, -1,
     -1, -1, SMTP_REPLY_EVIDENCE_BASIC_CODE},
    {"a 4xx reply is transient and keeps the address", "450 4.2.1 <a@example.com>: user unknown",
     SMTP_REPLY_CAT_USER_UNKNOWN, SMTP_REPLY_PERM_TRANSIENT, SMTP_REPLY_RCPT_KEEP, -1, -1},
    {"a 2xx reply is a success whatever its text", "250 2.1.5 Ok, but mailbox full soon",
     SMTP_REPLY_CAT_SUCCESS, SMTP_REPLY_PERM_SUCCESS, SMTP_REPLY_RCPT_KEEP, SMTP_REPLY_MSG_NONE, -1},
    {"a block of the sender's IP never suppresses the recipient",
     "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
     SMTP_REPLY_CAT_BLOCKLISTED, SMTP_REPLY_PERM_PERMANENT, SMTP_REPLY_RCPT_KEEP,
     SMTP_REPLY_MSG_FIX_SENDER, -1},
    {"550 greylisting is transient: text wins over the code",
     "550 5.7.1 Greylisted, please try again later", SMTP_REPLY_CAT_GREYLISTED,
     SMTP_REPLY_PERM_TRANSIENT, SMTP_REPLY_RCPT_KEEP, -1, -1},
    {"a phrase at the start of a later line is matched",
     "550-5.7.1 <a@example.com>:\r\n550 5.7.1 Sender verify failed", SMTP_REPLY_CAT_SENDER_REJECTED,
     SMTP_REPLY_PERM_PERMANENT, -1, -1, -1},
    {"a phrase broken across two lines is matched (the line break is one space)",
     "550-5.1.1 <a@example.com>: Recipient address rejected: User\r\n550 5.1.1 unknown in local recipient table",
     SMTP_REPLY_CAT_USER_UNKNOWN, -1, -1, -1, -1},
    {"a failure code with a class-2 enhanced code is never a success", "550 2.0.0 hmm",
     SMTP_REPLY_CAT_USER_UNKNOWN, SMTP_REPLY_PERM_PERMANENT, -1, SMTP_REPLY_MSG_NEVER,
     SMTP_REPLY_EVIDENCE_BASIC_CODE},
    {"a failure whose enhanced code means success (X.1.5) is not a success",
     "501 5.1.5 odd", -1, SMTP_REPLY_PERM_PERMANENT, -1, -1, SMTP_REPLY_EVIDENCE_BASIC_CODE},
    {"no code, no known phrase: unknown", "something odd happened", SMTP_REPLY_CAT_UNKNOWN, -1, -1,
     -1, SMTP_REPLY_EVIDENCE_NONE},
    /* vague codes (data/enhanced-codes.tsv, data/model.tsv vague_*): where the code that would
     * decide says little (5.7.1, sent with refusals of every kind, or a basic code alone), the
     * words decide however narrow their lead. tests/test-model.c checks that rule on the model's
     * own numbers over every test row; the rows here are examples whose words are far from the
     * line (a retrain on new rows moves narrow leads: "550 Please come back in 5 minutes" and
     * "550 5.7.1 certificate expired" were examples until one did), so the words here would
     * decide at the ordinary margin too; the vague thresholds themselves are test-model's.
     * "451 Destinatario errato" was the example here until the model's lead on those two
     * Italian words fell to 32 after a retrain: the model knows few words of other languages. */
    {"the words decide over a basic code alone (451)", "451 Inbox storage allowance used up",
     -1, SMTP_REPLY_PERM_TRANSIENT, SMTP_REPLY_RCPT_KEEP, -1, SMTP_REPLY_EVIDENCE_WORDS},
    {"with the basic code alone, one vague word is still too little for the words",
     "550 Rejected", SMTP_REPLY_CAT_USER_UNKNOWN, -1, SMTP_REPLY_RCPT_REVIEW, -1,
     SMTP_REPLY_EVIDENCE_BASIC_CODE},
};

START_TEST(test_verdicts)
{
    const struct verdict_row *v = &verdicts[_i];
    smtp_reply_result res;
    ck_assert_int_eq(smtp_reply_classify_buf(v->in, strlen(v->in), NULL, &res), 0);
    /* a 4xx/5xx reply is never a success, whatever else it says */
    if (res.code >= 400)
        ck_assert_msg(res.category != SMTP_REPLY_CAT_SUCCESS && res.message_action != SMTP_REPLY_MSG_NONE,
                      "%s: a failure read as success", v->what);
    ck_assert_msg(v->category < 0 || res.category == v->category, "%s: %s (rule %s)", v->what,
                  smtp_reply_category_name(res.category), res.rule_id);
    if (v->perm >= 0)
        ck_assert_msg(res.permanence == v->perm, "%s: permanence %s", v->what,
                      smtp_reply_permanence_name(res.permanence));
    if (v->rcpt >= 0)
        ck_assert_msg(res.recipient_action == v->rcpt, "%s: recipient %s", v->what,
                      smtp_reply_recipient_action_name(res.recipient_action));
    if (v->msg >= 0)
        ck_assert_msg(res.message_action == v->msg, "%s: message %s", v->what,
                      smtp_reply_message_action_name(res.message_action));
    if (v->evidence >= 0)
        ck_assert_msg(res.evidence == v->evidence, "%s: evidence %s", v->what,
                      smtp_reply_evidence_name(res.evidence));
    ck_assert(res.match.off + res.match.len <= strlen(v->in));
}
END_TEST

/* Folding of two-byte letters: Latin case and accents, Cyrillic case. Each
 * row: the input, the rule that must decide (NULL: none may), and the exact
 * matched text. */
struct fold_row {
    const char *what, *in, *rule, *match;
};

static const struct fold_row folds[] = {
    {"an accented capital matches the unaccented pattern (boite du destinataire pleine)",
     "550 5.2.2 BOÎTE DU DESTINATAIRE PLEINE", "i18n-fr-boite-pleine", "BOÎTE DU DESTINATAIRE PLEINE"},
    {"an unaccented reply matches an accented pattern (boîte aux lettres ...)",
     "550 5.2.2 La boite aux lettres du destinataire est pleine", "i18n-fr-bal-pleine",
     "boite aux lettres du destinataire est pleine"},
    {"an umlaut capital folds (EMPFÄNGERS)", "552 POSTFACH DES EMPFÄNGERS IST VOLL",
     "i18n-de-postfach-voll", "POSTFACH DES EMPFÄNGERS IST VOLL"},
    {"a folded letter at the very end of a match stays whole in the span",
     "550 Nessun utente simile in questo indirizzÒ", "i18n-it-nessun-utente",
     "Nessun utente simile in questo indirizzÒ"},
    {"Turkish dotted capital I is an i", "550 5.1.1 UTİLİSATEUR İNCONNU", "i18n-fr-utilisateur-inconnu",
     "UTİLİSATEUR İNCONNU"},
    {"Cyrillic capitals fold (ПОЧТОВЫЙ ЯЩИК ПОЛУЧАТЕЛЯ ПЕРЕПОЛНЕН)",
     "ПОЧТОВЫЙ ЯЩИК ПОЛУЧАТЕЛЯ ПЕРЕПОЛНЕН", "i18n-ru-exchange-mailbox-full",
     "ПОЧТОВЫЙ ЯЩИК ПОЛУЧАТЕЛЯ ПЕРЕПОЛНЕН"},
    {"mixed-case Cyrillic folds, and a match may end on a folded two-byte letter",
     "Почтовый Ящик Получателя ПереполнеН", "i18n-ru-exchange-mailbox-full",
     "Почтовый Ящик Получателя ПереполнеН"},
    {"Cyrillic ё matches е (the pattern has е)", "адрес не найдён или не принимает входящие письма",
     "i18n-ru-gmail-address-not-found", "не найдён или не принимает входящие письма"},
    {"ISO-8859-1 bytes (not UTF-8) fold too: Bo\\xeete (0xEE i-circumflex)",
     "550 5.2.2 Bo\xeete du destinataire pleine", "i18n-fr-boite-pleine",
     "Bo\xeete du destinataire pleine"},
    {"ISO-8859-1 capital A-umlaut (0xC4) at the end of a word, then a space",
     "550 POSTFACH DES EMPF\xc4NGERS IST VOLL", "i18n-de-postfach-voll", "POSTFACH DES EMPF\xc4NGERS IST VOLL"},
    {"a lone 0xC3 is ISO-8859-1 'A-tilde', an a: BOaTE is not BOITE, no match",
     "550 BO\xc3TE DU DESTINATAIRE PLEINE", NULL, NULL},
    {"a lead byte at the end of the text is left alone",
     "550 boite du destinataire pleine \xc3", "i18n-fr-boite-pleine", "boite du destinataire pleine"},
};

START_TEST(test_fold)
{
    const struct fold_row *f = &folds[_i];
    smtp_reply_result res;
    ck_assert_int_eq(smtp_reply_classify_buf(f->in, strlen(f->in), NULL, &res), 0);
    if (f->rule == NULL) {
        ck_assert_msg(res.rule_id == NULL || strncmp(res.rule_id, "i18n-", 5) != 0, "%s: rule %s",
                      f->what, res.rule_id);
        return;
    }
    ck_assert_msg(res.rule_id && strcmp(res.rule_id, f->rule) == 0, "%s: rule %s", f->what,
                  res.rule_id ? res.rule_id : "(none)");
    ck_assert_msg(res.match.len == strlen(f->match) &&
                      memcmp(f->in + res.match.off, f->match, res.match.len) == 0,
                  "%s: matched '%.*s'", f->what, (int)res.match.len, f->in + res.match.off);
}
END_TEST

START_TEST(test_retry_after)
{
    const char *in = "450 4.7.1 Greylisted, try again in 5 minutes";
    smtp_reply_result res;
    ck_assert_int_eq(smtp_reply_classify_buf(in, strlen(in), NULL, &res), 0);
    ck_assert_int_eq(res.category, SMTP_REPLY_CAT_GREYLISTED);
    ck_assert_uint_eq(res.retry_after, 300);
    smtp_reply_advice_info adv;
    ck_assert_int_eq(smtp_reply_advice(&res, &adv), 0);
    ck_assert_uint_eq(adv.retry_after, 300);
}
END_TEST

START_TEST(test_classify_is_pure)
{
    const char *in = "550-5.7.26 Unauthenticated email from example.com is not accepted due to\r\n"
                     "550 5.7.26 domain's DMARC policy. gsmtp\r\n";
    smtp_reply r;
    smtp_reply_result a, b;
    ck_assert_int_eq(smtp_reply_parse(in, strlen(in), 0, &r), 0);
    ck_assert_int_eq(smtp_reply_classify(in, strlen(in), &r, &a), 0);
    ck_assert_int_eq(smtp_reply_classify(in, strlen(in), &r, &b), 0);
    ck_assert_mem_eq(&a, &b, sizeof a);
    ck_assert_int_eq(a.category, SMTP_REPLY_CAT_AUTH_FAILED);
    ck_assert_str_eq(a.provider, "google");
}
END_TEST

Suite *api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_add_test(tc, test_enum_values_pinned);
    tcase_add_test(tc, test_names_complete);
    tcase_add_test(tc, test_errors_named);
    tcase_add_test(tc, test_null_handling);
    tcase_add_test(tc, test_classify_many_null_handling);
    tcase_add_test(tc, test_advice_for_every_category);
    tcase_add_test(tc, test_table_identity);
    tcase_add_loop_test(tc, test_verdicts, 0, (int)(sizeof verdicts / sizeof verdicts[0]));
    tcase_add_loop_test(tc, test_fold, 0, (int)(sizeof folds / sizeof folds[0]));
    tcase_add_test(tc, test_retry_after);
    tcase_add_test(tc, test_classify_is_pure);
    suite_add_tcase(s, tc);
    return s;
}
