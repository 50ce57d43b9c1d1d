/*
 * test-locale.c - classification does not depend on the C locale.
 *
 * Usage: test-locale ascii    upper-case ASCII replies ("550 USER UNKNOWN",
 *                             "MAILBOX FULL", "RELAYING DENIED", ...) classify
 *                             like their lower-case forms, in the "C" locale and
 *                             in tr_TR.UTF-8, where tolower('I') is not 'i' - a
 *                             library using <ctype.h> would break there.  The
 *                             tr_TR half is skipped, with a message, when the
 *                             locale is not installed (CI generates it: see
 *                             .ci/hardening.sh).
 *        test-locale turkish  the same phrases as a Turkish-locale server writes
 *                             them, with dotted capital I (U+0130, "MAİLBOX FULL")
 *                             or dotless small i (U+0131, "relayıng denıed"),
 *                             must classify like the ASCII lower case.
 *
 * Each case compares category, rule, permanence and message action.
 */
#include "hardening.h" /* first: it sets the feature macros */

#include <locale.h>

struct pair {
    const char *lower, *variant;
};

static const struct pair ascii_pairs[] = {
    {"550 user unknown", "550 USER UNKNOWN"},
    {"550 5.1.1 user unknown", "550 5.1.1 USER UNKNOWN"},
    {"552 mailbox full", "552 MAILBOX FULL"},
    {"452 4.2.2 mailbox full", "452 4.2.2 MAILBOX FULL"},
    {"550 relaying denied", "550 RELAYING DENIED"},
    {"554 5.7.1 relaying denied", "554 5.7.1 RELAYING DENIED"},
    {"550 mailbox unavailable", "550 MAILBOX UNAVAILABLE"},
    {"550 5.7.1 message rejected as spam", "550 5.7.1 MESSAGE REJECTED AS SPAM"},
    {"421 4.7.0 try again later", "421 4.7.0 TRY AGAIN LATER"},
    {"Diagnostic-Code: smtp; 550 user unknown", "DIAGNOSTIC-CODE: SMTP; 550 USER UNKNOWN"},
    {"550 mailbox full", "550 MaIlBoX FuLl"},
};

/* U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE = C4 B0; U+0131 DOTLESS I = C4 B1 */
static const struct pair turkish_pairs[] = {
    {"550 user unknown", "550 USER UNKNOWN"}, /* no I: the baseline of the brief's set */
    {"552 mailbox full", "552 MA\xc4\xb0LBOX FULL"},
    {"552 mailbox full", "552 ma\xc4\xb1lbox full"},
    {"550 relaying denied", "550 RELAY\xc4\xb0NG DEN\xc4\xb0" "ED"},
    {"550 relaying denied", "550 relay\xc4\xb1ng den\xc4\xb1" "ed"},
    {"550 5.1.1 recipient address rejected", "550 5.1.1 REC\xc4\xb0P\xc4\xb0" "ENT ADDRESS REJECTED"},
    {"550 mailbox unavailable", "550 MA\xc4\xb0LBOX UNAVA\xc4\xb0LABLE"},
};

static void compare(const char *loc, const struct pair *p)
{
    smtp_reply_result a, b;
    int rca = smtp_reply_classify_buf(p->lower, strlen(p->lower), NULL, &a);
    int rcb = smtp_reply_classify_buf(p->variant, strlen(p->variant), NULL, &b);
    EXPECT(rca == SMTP_REPLY_OK && rcb == SMTP_REPLY_OK, "[%s] %s: parse %d / %d", loc, p->variant,
           rca, rcb);
    EXPECT(a.category == b.category && strcmp(a.rule_id, b.rule_id) == 0 &&
               a.permanence == b.permanence && a.message_action == b.message_action,
           "[%s] \"%s\" gave %s (%s) but \"%s\" gave %s (%s)", loc, p->variant,
           smtp_reply_category_name(b.category), b.rule_id, p->lower,
           smtp_reply_category_name(a.category), a.rule_id);
    /* and the lower-case form is not just "unknown": the pair tests something */
    EXPECT(a.category != SMTP_REPLY_CAT_UNKNOWN, "[%s] \"%s\" is unknown", loc, p->lower);
}

static void run(const char *loc, const struct pair *pairs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        compare(loc, &pairs[i]);
    /* the names and the error strings are plain ASCII in any locale */
    EXPECT(smtp_reply_category_from_name("user_unknown") == SMTP_REPLY_CAT_USER_UNKNOWN, "[%s]", loc);
    EXPECT(smtp_reply_category_from_name("mailbox_full") == SMTP_REPLY_CAT_MAILBOX_FULL, "[%s]", loc);
}

int main(int argc, char **argv)
{
    int turkish = argc > 1 && strcmp(argv[1], "turkish") == 0;
    const struct pair *pairs = turkish ? turkish_pairs : ascii_pairs;
    size_t n = turkish ? sizeof turkish_pairs / sizeof turkish_pairs[0]
                       : sizeof ascii_pairs / sizeof ascii_pairs[0];

    if (!setlocale(LC_ALL, "C")) {
        fprintf(stderr, "cannot set the C locale\n");
        return 1;
    }
    run("C", pairs, n);
    if (setlocale(LC_ALL, "tr_TR.UTF-8") || setlocale(LC_ALL, "tr_TR.utf8")) {
        run("tr_TR.UTF-8", pairs, n);
    } else {
        printf("SKIP the tr_TR.UTF-8 half: locale not installed (apt-get install locales; "
               "enable tr_TR.UTF-8 in /etc/locale.gen; locale-gen)\n");
    }
    /* whatever locale the suite runs under (LC_ALL=tr_TR.UTF-8 in CI) */
    if (setlocale(LC_ALL, ""))
        run("environment", pairs, n);
    return hard_summary(turkish ? "locale-turkish" : "locale-ascii");
}
