/*
 * fuzz_unwrap.c - replies inside the wrappers users keep them in.
 *
 * The first input byte picks a wrapper (a DSN field, a Postfix / Exim / qmail /
 * Sendmail / OpenSMTPD log line, an Exchange NDR, a client library's error
 * text); the rest is put inside it, and the whole
 * is parsed (whole-text mode) and classified.  Checked:
 *  - the fuzz.h invariants on the parse and the result;
 *  - when the inside is a plain one-line reply ("550 ..." of printable ASCII
 *    without the wrappers' punctuation), the wrapped input must unwrap: parse
 *    OK, F_UNWRAPPED, the wrapper's kind, the same basic and enhanced codes, the
 *    reply span inside the inserted bytes, the recipient the wrapper names (when
 *    the table gives one), and - for wrappers that name no SMTP
 *    stage, when both parses agree on the stage - the same category, rule and
 *    permanence as the bare reply, since the wrapper "never decides the
 *    category" (lib/classify.c).
 */
#include "fuzz.h"

static const struct wrap {
    const char *pre, *post;
    uint32_t wrapper; /* expected enum smtp_reply_wrapper */
    int neutral;      /* names no stage, so classification must equal the bare reply's */
    const char *rcpt; /* the recipient the wrapper names (NULL: none checked) */
} wraps[] = {
    {"Diagnostic-Code: smtp; ", "", SMTP_REPLY_WRAP_DSN, 1, NULL},
    {"Reporting-MTA: dns; mx.example.org\r\nFinal-Recipient: rfc822; a@example.org\r\n"
     "Action: failed\r\nStatus: 5.0.0\r\nDiagnostic-Code: smtp; ",
     "\r\nLast-Attempt-Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n", SMTP_REPLY_WRAP_DSN, 1, NULL},
    {"Diagnostic-Code: SMTP; ", "\n", SMTP_REPLY_WRAP_DSN, 1, NULL},
    {"host x said: ", "", SMTP_REPLY_WRAP_POSTFIX, 1, NULL},
    {"host mx.example.net[192.0.2.1] said: ", " (in reply to RCPT TO command)",
     SMTP_REPLY_WRAP_POSTFIX, 0, NULL},
    {"status=bounced (", ")", SMTP_REPLY_WRAP_POSTFIX, 1, NULL},
    {"Jan  1 00:00:00 mx postfix/smtp[123]: 4AB: to=<a@example.org>, relay=mx.example.net"
     "[192.0.2.1]:25, delay=1, status=bounced (host mx.example.net[192.0.2.1] said: ",
     " (in reply to end of DATA command))", SMTP_REPLY_WRAP_POSTFIX, 0, NULL},
    {"status=deferred (", ")", SMTP_REPLY_WRAP_POSTFIX, 1, NULL},
    {"** a@example.org R=dnslookup T=remote_smtp: SMTP error from remote mail server after "
     "RCPT TO:<a@example.org>: ", "", SMTP_REPLY_WRAP_EXIM, 0, NULL},
    {"Remote host said: ", "", SMTP_REPLY_WRAP_QMAIL, 1, NULL},
    {"<<< ", "", SMTP_REPLY_WRAP_SENDMAIL, 1, NULL},
    {"reply: ", "", SMTP_REPLY_WRAP_SENDMAIL, 1, NULL},
    {"Remote Server returned '", "'", SMTP_REPLY_WRAP_EXCHANGE, 1, NULL},
    {"smtp; ", "", SMTP_REPLY_WRAP_OTHER, 1, NULL},
    /* issue 12: server-side log lines and client-library texts (appended: the
     * selector of the seeds above is unchanged) */
    {"Jan  1 00:00:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from h[192.0.2.1]: ",
     "; from=<s@example.org> to=<a@example.org> proto=ESMTP helo=<h>", SMTP_REPLY_WRAP_POSTFIX, 0,
     "a@example.org"},
    {"2024-01-01 00:00:00 H=h [192.0.2.1] F=<s@example.org> rejected RCPT <a@example.org>: ", "",
     SMTP_REPLY_WRAP_EXIM, 0, NULL},
    {"Jan  1 00:00:00 mx sm-mta[1]: x: ruleset=check_rcpt, arg1=<a@example.org>, relay=h [192.0.2.1], "
     "reject=", "", SMTP_REPLY_WRAP_SENDMAIL, 0, "a@example.org"},
    {"Jan  1 00:00:00 mx smtpd[1]: 1a2b smtp failed-command command=\"RCPT TO:<a@example.org>\" "
     "result=\"", "\"", SMTP_REPLY_WRAP_OPENSMTPD, 0, NULL},
    {"Can't send mail - all recipients were rejected: ", "", SMTP_REPLY_WRAP_LIBRARY, 0, NULL},
    {"Expected response code \"250\" but got code \"550\", with message \"", "\".",
     SMTP_REPLY_WRAP_LIBRARY, 0, NULL},
    {"com.sun.mail.smtp.SMTPAddressFailedException: ", "", SMTP_REPLY_WRAP_LIBRARY, 0, NULL},
    {"Net::SMTPFatalError - ", "", SMTP_REPLY_WRAP_LIBRARY, 0, NULL},
};
#define NWRAPS (sizeof wraps / sizeof wraps[0])

/* A plain one-line reply that no wrapper syntax can cut: "NNN " then printable
 * ASCII without ( ) ' " ; : # < > = \ and without a second reply code.  (A
 * backslash is an escape inside Exim's log lines and the client libraries'
 * strings: "\n" after an odd run of backslashes there is a line break, which
 * the bare reply does not have; found by the 2026-12-07 campaign.) */
static int plain_reply(const char *s, size_t n)
{
    if (n < 5 || s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '9' || s[2] < '0' ||
        s[2] > '9' || s[3] != ' ')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e || strchr("()'\";:#<>=\\", c))
            return 0;
    }
    return s[n - 1] != ' ';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const struct wrap *w = &wraps[data[0] % NWRAPS];
    const char *in = (const char *)data + 1;
    size_t inlen = size - 1;
    size_t pl = strlen(w->pre), sl = strlen(w->post), n = pl + inlen + sl;
    char *buf = (char *)malloc(n);
    FUZZ_CHECK(buf != NULL);
    memcpy(buf, w->pre, pl);
    if (inlen)
        memcpy(buf + pl, in, inlen);
    memcpy(buf + pl + inlen, w->post, sl);

    smtp_reply r;
    smtp_reply_result res;
    int rc = smtp_reply_classify_buf(buf, n, &r, &res);
    fuzz_check_parse(buf, n, 0, rc, &r);
    fuzz_check_result(buf, n, rc, &r, &res);

    if (plain_reply(in, inlen)) {
        char *bare = fuzz_dup(in, inlen);
        smtp_reply br;
        smtp_reply_result bres;
        int brc = smtp_reply_classify_buf(bare, inlen, &br, &bres);
        FUZZ_CHECK(brc == SMTP_REPLY_OK);
        FUZZ_CHECK(rc == SMTP_REPLY_OK);
        FUZZ_CHECK(r.flags & SMTP_REPLY_F_UNWRAPPED);
        FUZZ_CHECK(r.wrapper == w->wrapper);
        FUZZ_CHECK(r.code == br.code);
        FUZZ_CHECK(memcmp(r.enhanced, br.enhanced, sizeof r.enhanced) == 0);
        FUZZ_CHECK(r.reply.off >= pl && (uint64_t)r.reply.off + r.reply.len <= pl + inlen);
        FUZZ_CHECK(r.nstored == br.nstored && r.text_len == br.text_len);
        if (w->rcpt)
            FUZZ_CHECK(r.recipient.len == strlen(w->rcpt) && res.recipient.len == r.recipient.len &&
                       memcmp(buf + r.recipient.off, w->rcpt, r.recipient.len) == 0);
        /* the same reply text in the same stage: the wrapper must not change the
         * verdict (the library may read a stage from the reply's own text when
         * it is wrapped but not when it is bare; then the stages differ and the
         * verdicts may too) */
        if (w->neutral && r.stage == br.stage) {
            FUZZ_CHECK(res.category == bres.category);
            FUZZ_CHECK(res.permanence == bres.permanence);
            FUZZ_CHECK(strcmp(res.rule_id, bres.rule_id) == 0);
        }
        free(bare);
    }
    free(buf);
    return 0;
}
