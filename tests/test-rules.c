/*
 * test-rules.c - user rules at run time: a valid file changes the verdicts as
 * documented (new phrase and concept rules, disabled built-in rules, user
 * advice, a user row beating a built-in row of equal priority), an empty object
 * changes nothing, and every malformed file is refused whole, with its line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define HEAD "id\tcategory\tpriority\tcodes\tpattern\tprovider\tblocklist\toptions\tadvice\tsource\n"

static const char good[] =
    "# rules a site adds for replies the table does not know\n" HEAD
    "local-quota-phrase\tmailbox_full\t60\t5xx,4xx\tpostbox is stuffed\t-\t-\t-\tlocal-full\tour MX\n"
    "local-tarpit\trate_limited\t55\t4xx\tslow down cowboy\t-\t-\tretry=600\t-\tour MX\n"
    "local-concept\tpolicy\t48\t-\t~widget|gadget + forbidden|verboten\t-\t-\t-\t-\tour MX\n"
    "generic-user-unknown\tdisable\t-\t-\t-\t-\t-\t-\t-\twe read these ourselves\n"
    "local-user-unknown\tpolicy\t60\t-\tuser unknown\t-\t-\t-\t-\tour MX\n"
    "local-side-gizmo\tpolicy\t50\t-\tgizmo host\t-\t-\tside\t-\tour MX\n"
    "local-ambiguous\tuser_unknown\t60\t-\tgadget refused\t-\t-\tambiguous\t-\tour MX\n"
    "local-gizmo-held\tpolicy\t60\t-\tgizmo held\t-\t-\t-\t-\tour MX\n"
    "local-cause-owing\t-\t50\t-\towing to\t-\t-\tcause\t-\tour MX\n"
    "local-neg-concept\tpolicy\t48\t-\t~sprocket|cog + barred|banned + !museum|exhibit\t-\t-\t-\t-\tour MX\n"
    "local-client-words\tnetwork\t60\tnone\tsprocket jammed\t-\t-\t-\t-\tour client's log\n"
    "\n"
    "id\tactors\tremove\tsummary\tsteps\treference\n"
    "local-full\trecipient\tno\tThe recipient's postbox is stuffed.\tWait a day | Call them\thttps://example.org/full\n";
#define GOOD_RULES 10   /* the rows of good[] that are rules (the disable row is not) */

/* Classify text with and without the rules. */
static void both(const smtp_reply_rules *u, const char *text, smtp_reply_result *with,
                 smtp_reply_result *without)
{
    smtp_reply r;
    ck_assert_int_eq(smtp_reply_parse(text, strlen(text), 0, &r), SMTP_REPLY_OK);
    ck_assert_int_eq(smtp_reply_classify_with(u, text, strlen(text), &r, with), SMTP_REPLY_OK);
    ck_assert_int_eq(smtp_reply_classify(text, strlen(text), &r, without), SMTP_REPLY_OK);
}

struct effect {
    const char *what;
    const char *in;
    const char *category;   /* with the rules */
    const char *rule;       /* with the rules: the rule id reported */
    int unchanged;          /* the rules change nothing here: same category and rule as without */
};

static const struct effect effects[] = {
    {"a new phrase decides, and its id names the file and line", "552 5.2.2 Your postbox is stuffed",
     "mailbox_full", "local-quota-phrase (good.tsv:3)", 0},
    {"a new concept decides (words in any order within a clause)",
     "550 Gadget attachments are verboten here", "policy", "local-concept (good.tsv:5)", 0},
    {"a disabled built-in rule never matches; the user's row of the same phrase decides",
     "550 user unknown", "policy", "local-user-unknown (good.tsv:7)", 0},
    {"a retry delay from a user option", "451 4.7.1 slow down cowboy", "rate_limited",
     "local-tarpit (good.tsv:4)", 0},
    {"a side row puts a failure read as the recipient's on the side it names, and decides",
     "550 No such domain: the gizmo host", "policy", "local-side-gizmo (good.tsv:8)", 0},
    {"a side row gives way when the text names the recipient too (the built-in side row 'recipient')",
     "550 No such domain for this recipient: the gizmo host", "domain_unknown", NULL, 1},
    {"a side row alone decides nothing", "550 5.7.1 the gizmo host", "policy", NULL, 1},
    {"a phrase decides over a lower one after it when no cause row is between them",
     "550 Gizmo held: SPF authentication did not pass", "policy", "local-gizmo-held (good.tsv:10)", 0},
    {"a user cause row ('owing to'): the reason after it decides over the phrase before it",
     "550 Gizmo held owing to SPF authentication did not pass", "auth_failed", NULL, 1},
    {"a concept with a negative group holds when the clause has no term of that group",
     "550 Sprockets are barred here", "policy", "local-neg-concept (good.tsv:12)", 0},
    {"a term of the negative group vetoes the concept when it comes after the others",
     "550 Sprockets are barred from the museum", "sender_rejected", NULL, 1},
    {"a term of the negative group vetoes the concept when it comes before the others",
     "550 Museum sprockets are barred", "user_unknown", NULL, 1},
    {"a negative term in another clause vetoes nothing",
     "550 Sprockets are barred; see the museum", "policy", "local-neg-concept (good.tsv:12)", 0},
    {"the code constraint none holds for a text with no code at all", "sprocket jammed while sending",
     "network", "local-client-words (good.tsv:13)", 0},
    {"the code constraint none fails for a reply with a basic code", "451 sprocket jammed", "server_error",
     NULL, 1},
    {"the code constraint none fails for a reply with only an enhanced code", "4.3.0 sprocket jammed",
     "server_error", NULL, 1},
    {"a built-in cause row ('because') does the same for a user phrase",
     "550 Gizmo held because SPF authentication did not pass", "auth_failed", NULL, 1},
};

START_TEST(test_effects)
{
    const struct effect *e = &effects[_i];
    smtp_reply_rules *u;
    smtp_reply_rules_error err;
    ck_assert_int_eq(smtp_reply_rules_new(&u), SMTP_REPLY_OK);
    ck_assert_int_eq(smtp_reply_rules_add_buffer(u, "good.tsv", good, strlen(good), &err), SMTP_REPLY_OK);
    ck_assert_int_eq(smtp_reply_rules_compile(u, &err), SMTP_REPLY_OK);
    ck_assert_uint_eq(smtp_reply_rules_count(u), GOOD_RULES);
    smtp_reply_result with, without;
    both(u, e->in, &with, &without);
    if (e->category) {
        ck_assert_msg(strcmp(smtp_reply_category_name(with.category), e->category) == 0, "%s: %s, want %s",
                      e->what, smtp_reply_category_name(with.category), e->category);
        if (e->unchanged) {
            ck_assert_msg(with.category == without.category && strcmp(with.rule_id, without.rule_id) == 0,
                          "%s: the rules changed %s to %s", e->what, without.rule_id, with.rule_id);
        } else {
            ck_assert_msg(strcmp(with.rule_id, e->rule) == 0, "%s: rule %s, want %s", e->what,
                          with.rule_id, e->rule);
            ck_assert_msg(strcmp(with.rule_id, without.rule_id) != 0,
                          "%s: the built-in table says the same", e->what);
        }
    }
    if (_i == 0) {
        /* the user advice record, through smtp_reply_advice_with */
        smtp_reply_advice_info adv;
        ck_assert_int_eq(smtp_reply_advice_with(u, &with, &adv), SMTP_REPLY_OK);
        ck_assert_str_eq(adv.id, "local-full");
        ck_assert_uint_eq(adv.nsteps, 2);
        ck_assert_str_eq(adv.steps[1], "Call them");
        /* without the object, the category's advice */
        ck_assert_int_eq(smtp_reply_advice(&with, &adv), SMTP_REPLY_OK);
        ck_assert_str_eq(adv.id, "mailbox_full");
    }
    smtp_reply_rules_free(u);
}
END_TEST

/* The option `ambiguous` (a phrase that does not say whose address failed):
 * the recipient is dropped only when the reply names the recipient otherwise. */
static const struct {
    const char *what, *in;
    int want;   /* enum smtp_reply_recipient_action */
} ambiguous[] = {
    {"the phrase alone: review", "550 Gadget refused", SMTP_REPLY_RCPT_REVIEW},
    {"an enhanced code about the recipient's address (X.1.1): suppress", "550 5.1.1 Gadget refused",
     SMTP_REPLY_RCPT_SUPPRESS},
    {"X.1.0 (other address status, mostly the sender's): review", "550 5.1.0 Gadget refused",
     SMTP_REPLY_RCPT_REVIEW},
    {"the text names the recipient (the built-in side row 'recipient'): suppress",
     "550 Gadget refused for this recipient", SMTP_REPLY_RCPT_SUPPRESS},
    {"the RCPT stage, from Postfix's wrapper: suppress",
     "host mx.example.org[192.0.2.1] said: 550 Gadget refused (in reply to RCPT TO command)",
     SMTP_REPLY_RCPT_SUPPRESS},
    {"the MAIL stage: review",
     "host mx.example.org[192.0.2.1] said: 550 Gadget refused (in reply to MAIL FROM command)",
     SMTP_REPLY_RCPT_REVIEW},
};

START_TEST(test_ambiguous)
{
    smtp_reply_rules *u;
    smtp_reply_rules_error err;
    ck_assert_int_eq(smtp_reply_rules_new(&u), SMTP_REPLY_OK);
    ck_assert_int_eq(smtp_reply_rules_add_buffer(u, "good.tsv", good, strlen(good), &err), SMTP_REPLY_OK);
    ck_assert_int_eq(smtp_reply_rules_compile(u, &err), SMTP_REPLY_OK);
    smtp_reply_result with, without;
    both(u, ambiguous[_i].in, &with, &without);
    ck_assert_msg(strcmp(with.rule_id, "local-ambiguous (good.tsv:9)") == 0, "%s: rule %s",
                  ambiguous[_i].what, with.rule_id);
    ck_assert_msg(with.recipient_action == ambiguous[_i].want, "%s: %s", ambiguous[_i].what,
                  smtp_reply_recipient_action_name(with.recipient_action));
    smtp_reply_rules_free(u);
}
END_TEST

/* A user row of a built-in rule's exact phrase and priority wins the tie. */
START_TEST(test_equal_priority)
{
    const char *text = "550 5.7.1 <a@example.org>: Relay access denied";
    smtp_reply r;
    smtp_reply_result builtin, mine;
    ck_assert_int_eq(smtp_reply_classify_buf(text, strlen(text), &r, &builtin), SMTP_REPLY_OK);
    /* the same match span, the same priority, another category */
    char pat[256], rows[1024];
    snprintf(pat, sizeof pat, "%.*s", (int)builtin.match.len, text + builtin.match.off);
    int prio = -1;
    char got_rule[128] = "", got_cat[32] = "";
    for (int p = 0; p <= 99 && prio < 0; p++) {
        smtp_reply_rules *u;
        smtp_reply_rules_error err;
        snprintf(rows, sizeof rows, HEAD "mine\tsyntax\t%d\t-\t%s\t-\t-\t-\t-\tx\n", p, pat);
        ck_assert_int_eq(smtp_reply_rules_new(&u), SMTP_REPLY_OK);
        ck_assert_int_eq(smtp_reply_rules_add_buffer(u, "tie.tsv", rows, strlen(rows), &err), SMTP_REPLY_OK);
        ck_assert_int_eq(smtp_reply_rules_compile(u, &err), SMTP_REPLY_OK);
        ck_assert_int_eq(smtp_reply_classify_with(u, text, strlen(text), &r, &mine), SMTP_REPLY_OK);
        if (strcmp(mine.rule_id, builtin.rule_id) != 0) {
            prio = p; /* the lowest priority at which the user row wins */
            snprintf(got_rule, sizeof got_rule, "%s", mine.rule_id);
            snprintf(got_cat, sizeof got_cat, "%s", smtp_reply_category_name(mine.category));
        }
        smtp_reply_rules_free(u);
    }
    ck_assert_int_ge(prio, 0);
    /* at prio the user row wins; at prio - 1 it lost: so prio is the built-in
     * rule's own priority, and the tie went to the user */
    ck_assert_str_eq(got_rule, "mine (tie.tsv:2)");
    ck_assert_str_eq(got_cat, "syntax");
    /* and the built-in rule had exactly that priority: one lower lost */
    ck_assert_int_gt(prio, 0);
}
END_TEST

/* Every test row classifies the same with an empty rules object. */
START_TEST(test_empty_object_changes_nothing)
{
    static const char *const texts[] = {
        "550 5.1.1 <a@example.org>: Recipient address rejected: User unknown in local recipient table",
        "452 4.2.2 The email account that you tried to reach is over quota.",
        "host mx.example.org[192.0.2.1] said: 554 5.7.1 Service unavailable; Client host [192.0.2.9] "
        "blocked using zen.spamhaus.org (in reply to RCPT TO command)",
        "550 You must authenticate before sending", "Connection timed out",
    };
    smtp_reply_rules *u;
    smtp_reply_rules_error err;
    ck_assert_int_eq(smtp_reply_rules_new(&u), SMTP_REPLY_OK);
    ck_assert_int_eq(smtp_reply_rules_add_buffer(u, "empty.tsv", HEAD, strlen(HEAD), &err), SMTP_REPLY_OK);
    ck_assert_int_eq(smtp_reply_rules_compile(u, &err), SMTP_REPLY_OK);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        smtp_reply_result a, b;
        both(u, texts[i], &a, &b);
        ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "%s: results differ", texts[i]);
        both(NULL, texts[i], &a, &b);
        ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "%s: NULL rules differ", texts[i]);
    }
    smtp_reply_rules_free(u);
}
END_TEST

struct bad {
    const char *what;
    const char *rows;       /* after the header line */
    uint32_t line;
    const char *message;    /* a part of the message */
    int at_compile;         /* refused by compile rather than add */
};

static const struct bad bads[] = {
    {"an unknown category", "x1\tbogus\t50\t-\tfoo\t-\t-\t-\t-\ts\n", 2, "unknown category 'bogus'", 0},
    {"a bad code constraint", "x2\tpolicy\t50\t5y5\tfoo\t-\t-\t-\t-\ts\n", 2, "bad code constraint", 0},
    {"a bad enhanced constraint", "x3\tpolicy\t50\t5.1\tfoo\t-\t-\t-\t-\ts\n", 2, "bad code constraint", 0},
    {"an unknown stage", "x4\tpolicy\t50\t@quit\tfoo\t-\t-\t-\t-\ts\n", 2, "unknown stage", 0},
    {"an empty pattern", "x5\tpolicy\t50\t-\t-\t-\t-\t-\t-\ts\n", 2, "empty pattern", 0},
    {"an empty pattern part", "x6\tpolicy\t50\t-\tfoo* *bar\t-\t-\t-\t-\ts\n", 2, "empty pattern part", 0},
    {"a duplicate id in the file", "x7\tpolicy\t50\t-\tfoo\t-\t-\t-\t-\ts\nx7\tpolicy\t50\t-\tbar\t-\t-\t-\t-\ts\n",
     3, "duplicate rule id 'x7'", 0},
    {"the id of a built-in rule", "generic-user-unknown\tpolicy\t50\t-\tfoo\t-\t-\t-\t-\ts\n", 2,
     "a built-in rule has it", 0},
    {"a disable row naming no built-in rule", "no-such-rule\tdisable\t-\t-\t-\t-\t-\t-\t-\ts\n", 2,
     "names no built-in rule", 0},
    {"a byte that is not UTF-8", "x8\tpolicy\t50\t-\tfoo \xff bar\t-\t-\t-\t-\ts\n", 2, "not UTF-8", 0},
    {"a priority out of range", "x9\tpolicy\t100\t-\tfoo\t-\t-\t-\t-\ts\n", 2, "priority must be 0-99", 0},
    {"a bad option", "x10\tpolicy\t50\t-\tfoo\t-\t-\tperm=forever\t-\ts\n", 2, "bad option value", 0},
    {"a bad rule id", "X Y\tpolicy\t50\t-\tfoo\t-\t-\t-\t-\ts\n", 2, "bad rule id", 0},
    {"a concept term with a stop word", "x11\tpolicy\t48\t-\t~the|box + full\t-\t-\t-\t-\ts\n", 2,
     "stop word", 0},
    {"a concept with one group", "x12\tpolicy\t48\t-\t~box|crate\t-\t-\t-\t-\ts\n", 2, "2 to 8 groups", 0},
    {"a concept with one group that is not negative",
     "x18\tpolicy\t48\t-\t~box|crate + !full\t-\t-\t-\t-\ts\n", 2, "2 groups that are not negative", 0},
    {"a side row without a category", "x15\t-\t50\t-\tfoo\t-\t-\tside\t-\ts\n", 2,
     "a side row needs a category", 0},
    {"a side row with a concept", "x16\tpolicy\t48\t-\t~box|crate + full\t-\t-\tside\t-\ts\n", 2,
     "a side row needs a category", 0},
    {"a cause row with a category", "x17\tpolicy\t50\t-\tfor the reason\t-\t-\tcause\t-\ts\n", 2,
     "a cause row is an annotation row", 0},
    {"a concept term of three words", "x13\tpolicy\t48\t-\t~big red box + full\t-\t-\t-\t-\ts\n", 2,
     "one or two words", 0},
    {"a row before the header", NULL, 1, "before the header", 0},
    {"an advice row without a summary", "\nid\tactors\tremove\tsummary\tsteps\treference\na1\tsender\tno\t-\t-\t-\n", 4,
     "needs a summary", 0},
    {"an unknown advice id", "x14\tpolicy\t50\t-\tfoo\t-\t-\t-\tno-such-advice\ts\n", 0, "unknown advice id", 1},
};

START_TEST(test_bad_files)
{
    const struct bad *b = &bads[_i];
    char *buf = malloc(600000);
    if (b->rows)
        snprintf(buf, 600000, HEAD "%s", b->rows);
    else
        snprintf(buf, 600000, "x1\tpolicy\t50\t-\tfoo\t-\t-\t-\t-\ts\n" HEAD);
    smtp_reply_rules *u;
    smtp_reply_rules_error err;
    ck_assert_int_eq(smtp_reply_rules_new(&u), SMTP_REPLY_OK);
    /* a good file first: a bad one must not undo it, nor be half added */
    ck_assert_int_eq(smtp_reply_rules_add_buffer(u, "good.tsv", good, strlen(good), &err), SMTP_REPLY_OK);
    int rc = smtp_reply_rules_add_buffer(u, "bad.tsv", buf, strlen(buf), &err);
    if (!b->at_compile) {
        ck_assert_msg(rc == SMTP_REPLY_E_RULES, "%s: %s", b->what, smtp_reply_error_name(rc));
        ck_assert_str_eq(err.file, "bad.tsv");
        ck_assert_msg(err.line == b->line, "%s: line %u, want %u", b->what, err.line, b->line);
        ck_assert_msg(strstr(err.message, b->message) != NULL, "%s: message '%s'", b->what, err.message);
        ck_assert_int_eq(smtp_reply_rules_compile(u, &err), SMTP_REPLY_OK);
        ck_assert_uint_eq(smtp_reply_rules_count(u), GOOD_RULES); /* the good file's rules only */
    } else {
        ck_assert_int_eq(rc, SMTP_REPLY_OK);
        rc = smtp_reply_rules_compile(u, &err);
        ck_assert_msg(rc == SMTP_REPLY_E_RULES, "%s: %s", b->what, smtp_reply_error_name(rc));
        ck_assert_msg(strstr(err.message, b->message) != NULL, "%s: message '%s'", b->what, err.message);
        ck_assert_msg(strstr(err.file, "bad.tsv:2") != NULL, "%s: file '%s'", b->what, err.file);
        /* an object that did not compile is not used */
        smtp_reply r;
        smtp_reply_result res;
        ck_assert_int_eq(smtp_reply_parse("550 foo", 7, 0, &r), SMTP_REPLY_OK);
        ck_assert_int_eq(smtp_reply_classify_with(u, "550 foo", 7, &r, &res), SMTP_REPLY_E_RULES);
    }
    smtp_reply_rules_free(u);
    free(buf);
}
END_TEST

START_TEST(test_too_many_rows)
{
    size_t size = (size_t)(SMTP_REPLY_RULES_MAX_ROWS + 2) * 64;
    char *buf = malloc(size);
    size_t n = (size_t)snprintf(buf, size, HEAD);
    for (int i = 0; i <= SMTP_REPLY_RULES_MAX_ROWS; i++)
        n += (size_t)snprintf(buf + n, size - n, "r%d\tpolicy\t50\t-\tphrase %d\t-\t-\t-\t-\ts\n", i, i);
    smtp_reply_rules *u;
    smtp_reply_rules_error err;
    ck_assert_int_eq(smtp_reply_rules_new(&u), SMTP_REPLY_OK);
    ck_assert_int_eq(smtp_reply_rules_add_buffer(u, "big.tsv", buf, n, &err), SMTP_REPLY_E_RULES);
    ck_assert_uint_eq(err.line, SMTP_REPLY_RULES_MAX_ROWS + 2);
    ck_assert_ptr_nonnull(strstr(err.message, "too many rows"));
    ck_assert_int_eq(smtp_reply_rules_compile(u, &err), SMTP_REPLY_OK);
    ck_assert_uint_eq(smtp_reply_rules_count(u), 0);
    smtp_reply_rules_free(u);
    free(buf);
}
END_TEST

START_TEST(test_null_and_files)
{
    smtp_reply_rules *u;
    smtp_reply_rules_error err;
    ck_assert_int_eq(smtp_reply_rules_new(NULL), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_rules_new(&u), SMTP_REPLY_OK);
    ck_assert_int_eq(smtp_reply_rules_add_buffer(NULL, "x", "", 0, &err), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_rules_add_buffer(u, "x", NULL, 3, &err), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_rules_add_file(u, "/no/such/file.tsv", &err), SMTP_REPLY_E_IO);
    ck_assert_str_eq(err.file, "/no/such/file.tsv");
    ck_assert_int_eq(smtp_reply_rules_add_file(u, NULL, NULL), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_rules_compile(NULL, &err), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_rules_compile(u, NULL), SMTP_REPLY_OK);
    /* a compiled object takes no more rows */
    ck_assert_int_eq(smtp_reply_rules_add_buffer(u, "late.tsv", good, strlen(good), &err), SMTP_REPLY_E_RULES);
    ck_assert_uint_eq(smtp_reply_rules_count(NULL), 0);
    smtp_reply_rules_free(u);
    smtp_reply_rules_free(NULL);
}
END_TEST

Suite *rules_suite(void)
{
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("rules");
    tcase_add_loop_test(tc, test_effects, 0, (int)(sizeof effects / sizeof effects[0]));
    tcase_add_loop_test(tc, test_ambiguous, 0, (int)(sizeof ambiguous / sizeof ambiguous[0]));
    tcase_add_test(tc, test_equal_priority);
    tcase_add_test(tc, test_empty_object_changes_nothing);
    tcase_add_loop_test(tc, test_bad_files, 0, (int)(sizeof bads / sizeof bads[0]));
    tcase_add_test(tc, test_too_many_rows);
    tcase_add_test(tc, test_null_and_files);
    suite_add_tcase(s, tc);
    return s;
}
