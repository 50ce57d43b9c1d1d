/*
 * test-unwrap.c - every input form users hold replies in: DSN fields, MTA log
 * lines, NDR text, flattened and nested replies, diagnostics without a reply.
 * Each row checks the reply found inside (code, enhanced code, text), the
 * wrapper, the SMTP stage and the category.
 */
#include <stdio.h>
#include <string.h>

#include "tests.h"

struct unwrap_row {
    const char *what;
    const char *in;
    int wrapper;
    int stage;
    int code;
    const char *enh;      /* "" none */
    const char *text;     /* joined text; NULL: do not check */
    int category;
    uint32_t flags;       /* must be set */
};

#define W(x) SMTP_REPLY_WRAP_##x
#define S(x) SMTP_REPLY_STAGE_##x
#define C(x) SMTP_REPLY_CAT_##x

static const struct unwrap_row rows[] = {
    {"raw reply passes through", "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table",
     W(NONE), S(UNKNOWN), 550, "5.1.1", NULL, C(USER_UNKNOWN), 0},
    {"Postfix log line, bounced, Gmail's flattened multiline reply",
     "Nov 23 10:00:00 mx postfix/smtp[1234]: 4F2A1: to=<bob@example.com>, "
     "relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, "
     "status=bounced (host gmail-smtp-in.l.google.com[142.250.1.27] said: 550-5.1.1 The email account "
     "that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email "
     "address for typos or 550-5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser "
     "a1si123 - gsmtp (in reply to RCPT TO command))",
     W(POSTFIX), S(RCPT), 550, "5.1.1",
     "The email account that you tried to reach does not exist. Please try double-checking the "
     "recipient's email address for typos or unnecessary spaces. "
     "https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp",
     C(USER_UNKNOWN), SMTP_REPLY_F_UNWRAPPED | SMTP_REPLY_F_FLATTENED},
    {"Postfix log line, sent",
     "Nov 23 10:00:00 mx postfix/smtp[1]: 4F2A1: to=<bob@gmail.com>, relay=gmail-smtp-in.l.google.com"
     "[142.250.1.27]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK 1700000000 a1si123 - gsmtp)",
     W(POSTFIX), S(EOD), 250, "2.0.0", "OK 1700000000 a1si123 - gsmtp", C(SUCCESS), 0},
    {"Postfix bounce text (host ... said: ... in reply to end of DATA)",
     "host mx.example.org[192.0.2.1] said: 552 5.3.4 Message size exceeds fixed limit (in reply to end of DATA command)",
     W(POSTFIX), S(EOD), 552, "5.3.4", "Message size exceeds fixed limit", C(MESSAGE_TOO_BIG), 0},
    {"Postfix deferred: no reply, connection timed out",
     "Nov 23 10:00:00 mx postfix/smtp[1234]: 4F2A1: to=<bob@example.com>, relay=none, delay=30, "
     "delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to mx.example.com[192.0.2.1]:25: Connection timed out)",
     W(POSTFIX), S(CONNECT), 0, "4.4.1", "connect to mx.example.com[192.0.2.1]:25: Connection timed out",
     C(NETWORK), 0},
    {"Postfix: the server refused to talk (a greeting, or a 421 to EHLO: no single stage)",
     "host mx.example.net[203.0.113.7] refused to talk to me: 554 5.7.1 Service unavailable; Client host "
     "[192.0.2.25] blocked using zen.spamhaus.org",
     W(POSTFIX), S(UNKNOWN), 0, NULL, NULL, C(BLOCKLISTED), 0},
    {"Exim: after RCPT TO, with a host",
     "SMTP error from remote mail server after RCPT TO:<bob@example.com>: host mx.example.com "
     "[192.0.2.1]: 550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
     W(EXIM), S(RCPT), 550, "5.1.1", NULL, C(USER_UNKNOWN), 0},
    {"Exim: after end of data",
     "SMTP error from remote mail server after end of data: 552 5.2.2 Mailbox full",
     W(EXIM), S(EOD), 552, "5.2.2", "Mailbox full", C(MAILBOX_FULL), 0},
    {"Exim: a reply that arrived after a protocol error (sisimai-dev:251)",
     "Remote protocol error: Connection reset by peer during result wait with example.edu: 550 Your "
     "E-Mail is redundant. You cannot send E-Mail to yourself (shironeko@example.jp).",
     W(EXIM), S(UNKNOWN), 550, "", NULL, C(POLICY), SMTP_REPLY_F_UNWRAPPED},
    {"Exim: a protocol error with no reply is a network failure",
     "Remote protocol error: Connection reset by peer", W(EXIM), S(UNKNOWN), 0, "", NULL, C(NETWORK),
     SMTP_REPLY_F_NO_REPLY},
    {"qmail: Remote host said",
     "Remote host said: 550 5.1.1 <bob@example.com>... User unknown", W(QMAIL), S(UNKNOWN), 550,
     "5.1.1", "<bob@example.com>... User unknown", C(USER_UNKNOWN), 0},
    {"qmail's local text with (#5.1.1)", "Sorry, no mailbox here by that name. (#5.1.1)", W(NONE),
     S(UNKNOWN), 0, "5.1.1", NULL, C(USER_UNKNOWN), SMTP_REPLY_F_ENHANCED_INLINE},
    {"Sendmail log fields: dsn= and stat=",
     "Nov 23 10:00:00 mx sendmail[1234]: 2ANA0001: to=<bob@example.com>, delay=00:00:01, "
     "xdelay=00:00:01, mailer=esmtp, pri=120321, relay=mx.example.com. [192.0.2.1], dsn=5.1.1, stat=User unknown",
     W(SENDMAIL), S(UNKNOWN), 0, "5.1.1", NULL, C(USER_UNKNOWN), 0},
    {"Sendmail transcript: <<< reply after >>> RCPT To",
     "... while talking to mx.example.com.:\n>>> RCPT To:<bob@example.com>\n<<< 550 5.1.1 <bob@example.com>... User unknown",
     W(SENDMAIL), S(RCPT), 550, "5.1.1", "<bob@example.com>... User unknown", C(USER_UNKNOWN), 0},
    {"Exchange NDR: Remote Server returned",
     "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'", W(EXCHANGE),
     S(UNKNOWN), 550, "5.1.1", "RESOLVER.ADR.RecipNotFound; not found", C(USER_UNKNOWN), 0},
    {"Exchange 2007 NDR: #550 ... ##",
     "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##rfc822;bob@example.com", W(EXCHANGE),
     S(UNKNOWN), 550, "5.1.1", "RESOLVER.ADR.RecipNotFound; not found", C(USER_UNKNOWN), 0},
    {"DSN Diagnostic-Code with a folded continuation line",
     "Action: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.example.com\r\n"
     "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.com>: Recipient address rejected:\r\n"
     "    User unknown in local recipient table\r\nLast-Attempt-Date: Mon, 23 Nov 2026 10:00:00 +0000",
     W(DSN), S(UNKNOWN), 550, "5.1.1", NULL, C(USER_UNKNOWN), 0},
    {"DSN Diagnostic-Code of type X-Postfix: no reply",
     "Diagnostic-Code: X-Postfix; connect to mx.example.com[192.0.2.1]:25: Connection refused",
     W(DSN), S(CONNECT), 0, "", "connect to mx.example.com[192.0.2.1]:25: Connection refused",
     C(NETWORK), SMTP_REPLY_F_NO_REPLY},
    {"a wrapper inside a wrapper: a DSN field holding Postfix's bounce text",
     "Diagnostic-Code: smtp; host mx.example.net[192.0.2.1] said: 550 5.1.1 <a@example.org>: Recipient "
     "address rejected: User unknown (in reply to RCPT TO command)",
     W(DSN), S(RCPT), 550, "5.1.1", "<a@example.org>: Recipient address rejected: User unknown",
     C(USER_UNKNOWN), 0},
    {"a wrapped reply's own text does not set the stage (as for a bare reply)",
     "<<< 452 4.2.2 Mailbox full, try after RCPT TO again later", W(SENDMAIL), S(UNKNOWN), 452,
     "4.2.2", NULL, C(MAILBOX_FULL), 0},
    {"DSN Status field alone", "Status: 5.2.2", W(DSN), S(UNKNOWN), 0, "5.2.2", "", C(MAILBOX_FULL), 0},
    {"a multiline reply flattened onto one line",
     "550-5.7.26 This mail is unauthenticated, which poses a security risk to the 550-5.7.26 sender and "
     "Gmail users, and has been blocked. 550 5.7.26 https://support.google.com/mail/answer/81126 - gsmtp",
     W(NONE), S(UNKNOWN), 550, "5.7.26",
     "This mail is unauthenticated, which poses a security risk to the sender and Gmail users, and has "
     "been blocked. https://support.google.com/mail/answer/81126 - gsmtp",
     C(AUTH_FAILED), SMTP_REPLY_F_FLATTENED},
    {"a nested reply: the specific inner code beats the generic outer one",
     "554 5.0.0 < #5.1.10 smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup>",
     W(NONE), S(UNKNOWN), 554, "5.1.10", NULL, C(USER_UNKNOWN), SMTP_REPLY_F_ENHANCED_INLINE},
    {"the stage changes nothing when the wrapper does not say it", "452 4.5.3 Too many recipients",
     W(NONE), S(UNKNOWN), 452, "4.5.3", "Too many recipients", C(RATE_LIMITED), 0},
};

START_TEST(test_unwrap_rows)
{
    const struct unwrap_row *row = &rows[_i];
    size_t len = strlen(row->in);
    smtp_reply r;
    smtp_reply_result res;
    int rc = smtp_reply_classify_buf(row->in, len, &r, &res);
    ck_assert_msg(rc == 0, "%s: %s", row->what, smtp_reply_error_name(rc));
    ck_assert_msg((int)r.wrapper == row->wrapper, "%s: wrapper %s, want %s", row->what,
                  smtp_reply_wrapper_name((int)r.wrapper), smtp_reply_wrapper_name(row->wrapper));
    ck_assert_msg(r.stage == row->stage, "%s: stage %s, want %s", row->what,
                  smtp_reply_stage_name(r.stage), smtp_reply_stage_name(row->stage));
    ck_assert_msg(res.stage == row->stage, "%s: result stage", row->what);
    if (row->code >= 0 && !(row->code == 0 && row->enh == NULL))
        ck_assert_msg(r.code == row->code, "%s: code %d, want %d", row->what, r.code, row->code);
    if (row->enh) {
        char e[32];
        test_enhanced_str(r.enhanced, e, sizeof e);
        ck_assert_msg(strcmp(e, row->enh) == 0, "%s: enhanced %s, want %s", row->what, e, row->enh);
    }
    if (row->text) {
        char t[2048];
        smtp_reply_text(row->in, len, &r, t, sizeof t);
        ck_assert_msg(strcmp(t, row->text) == 0, "%s: text [%s], want [%s]", row->what, t, row->text);
    }
    ck_assert_msg(res.category == row->category, "%s: category %s (rule %s), want %s", row->what,
                  smtp_reply_category_name(res.category), res.rule_id,
                  smtp_reply_category_name(row->category));
    ck_assert_msg((r.flags & row->flags) == row->flags, "%s: flags %#x lack %#x", row->what, r.flags,
                  row->flags);
    if (row->wrapper != SMTP_REPLY_WRAP_NONE)
        ck_assert(r.flags & SMTP_REPLY_F_UNWRAPPED);
}
END_TEST

/* Turning unwrapping off leaves the text as it is. */
START_TEST(test_no_unwrap_option)
{
    const char *in = "Remote host said: 550 5.1.1 <bob@example.com>... User unknown";
    smtp_reply r;
    ck_assert_int_eq(smtp_reply_parse(in, strlen(in), SMTP_REPLY_OPT_NO_UNWRAP, &r), 0);
    ck_assert_int_eq(r.code, 0);
    ck_assert_uint_eq(r.wrapper, SMTP_REPLY_WRAP_NONE);
    ck_assert(!(r.flags & SMTP_REPLY_F_UNWRAPPED));
}
END_TEST

Suite *unwrap_suite(void)
{
    Suite *s = suite_create("unwrap");
    TCase *tc = tcase_create("forms");
    tcase_add_loop_test(tc, test_unwrap_rows, 0, (int)(sizeof rows / sizeof rows[0]));
    tcase_add_test(tc, test_no_unwrap_option);
    suite_add_tcase(s, tc);
    return s;
}
