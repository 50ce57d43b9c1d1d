/*
 * test-bounce.c - the bounce reader (smtp_reply_bounce_open/next).
 *
 * Table-driven:
 *  - cases: synthetic mails written from the RFC text for what the corpus
 *    lacks (RFC 6533 global DSN with an encoded status part, xtext and
 *    \x{HHHH} Original-Recipient, failed/delayed/delivered/relayed/expanded
 *    groups, ARF with two recipients, an MDN, an auto-reply and a Postfix
 *    bounce that also says Auto-Submitted, Final-Recipient without a type,
 *    "Status: 5.1.1 (comment)", a folded Message-ID, a give-up, text formats,
 *    X-Failed-Recipients alone, a mail that is no report); each row says what
 *    it checks and the fields it expects;
 *  - twins: every case again with CRLF and with CR line ends gives the same
 *    records, field by field;
 *  - errors: every error code of open() and next();
 *  - names: every enum's name and count function;
 *  - truncations: every prefix of 20 real corpus mails (when ../shared is
 *    there) and of every case: no crash, views inside the mail or the
 *    scratch, as many records as nrecipients says, the same result twice;
 *  - scratch: every corpus mail with exactly smtp_reply_bounce_scratch_size()
 *    never sets SCRATCH_SHORT; with less it degrades and says so.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

/* ---- helpers ---------------------------------------------------------------- */

struct read_result {
    int rc;
    smtp_reply_bounce b;
    uint32_t n;
    smtp_reply_bounce_rcpt r[8];
    /* copies of the record strings (the views die at the next next()) */
    char final[8][256], recipient[8][256], orig[8][256], diag[8][512], remote[8][256];
};

static void copy_str(char *dst, size_t cap, const smtp_reply_bounce_str *s)
{
    size_t n = s->ptr ? s->len : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, s->ptr, n);
    dst[n] = '\0';
    if (s->ptr == NULL)
        strcpy(dst, "(null)");
}

static void *scratch_for(size_t len, size_t *size)
{
    *size = smtp_reply_bounce_scratch_size(len);
    void *p = malloc(*size);
    ck_assert_ptr_nonnull(p);
    return p;
}

static void read_mail(const char *mail, size_t len, unsigned options, struct read_result *out)
{
    size_t ss;
    void *scratch = scratch_for(len, &ss);
    smtp_reply_bounce_reader rd;
    memset(out, 0, sizeof *out);
    out->rc = smtp_reply_bounce_open(&rd, mail, len, scratch, ss, options, &out->b);
    if (out->rc == SMTP_REPLY_OK) {
        smtp_reply_bounce_rcpt r;
        while (smtp_reply_bounce_next(&rd, &r) == SMTP_REPLY_BOUNCE_RECORD) {
            if (out->n < 8) {
                out->r[out->n] = r;
                copy_str(out->final[out->n], 256, &r.final_recipient);
                copy_str(out->recipient[out->n], 256, &r.recipient);
                copy_str(out->orig[out->n], 256, &r.original_recipient);
                copy_str(out->diag[out->n], 512, &r.diagnostic);
                copy_str(out->remote[out->n], 256, &r.remote_mta);
            }
            out->n++;
        }
    }
    /* the per-mail strings point into the scratch: keep it until the caller
     * is done (freed by free_result) */
    out->b.reserved[0] = 0;
    free(scratch);
}

static char *with_line_ends(const char *lf, const char *eol, size_t *len)
{
    size_t n = 0, el = strlen(eol);
    for (const char *p = lf; *p; p++)
        n += *p == '\n' ? el : 1;
    char *out = malloc(n + 1);
    ck_assert_ptr_nonnull(out);
    size_t k = 0;
    for (const char *p = lf; *p; p++) {
        if (*p == '\n') {
            memcpy(out + k, eol, el);
            k += el;
        } else {
            out[k++] = *p;
        }
    }
    out[k] = '\0';
    *len = k;
    return out;
}

static void status_str(const uint16_t v[3], char *buf, size_t n)
{
    test_enhanced_str(v, buf, n);
}

/* ---- the synthetic cases ---------------------------------------------------- */

struct want {
    const char *final;       /* Final-Recipient as returned */
    const char *recipient;   /* the address the sender used */
    const char *orig;        /* Original-Recipient decoded, "(null)" when absent */
    int action;
    const char *status;      /* "" when none */
    const char *category;
    const char *permanence;
    uint32_t flags;          /* rcpt flag bits that must be set */
    int stage;               /* -1: not checked */
};

struct bcase {
    const char *name;        /* what the row checks */
    const char *mail;        /* LF line ends */
    int kind, format;
    uint32_t n;
    struct want w[6];
    const char *mail_checks; /* "field=value|..." over per-mail strings, or NULL */
};

#define DSN_HEAD(boundary, extra) \
    "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\n" \
    "To: sender@example.com\n" \
    "Subject: Undelivered Mail Returned to Sender\n" \
    "Date: Thu, 1 Jan 2026 00:00:00 +0000\n" \
    "Message-ID: <bounce-1@mx.example.net>\n" \
    "Auto-Submitted: auto-replied\n" extra \
    "MIME-Version: 1.0\n" \
    "Content-Type: multipart/report; report-type=delivery-status;\n" \
    "\tboundary=\"" boundary "\"\n\n" \
    "This is a MIME-encapsulated message.\n\n"

#define RETURNED_HEADERS(b) \
    "--" b "\nContent-Type: text/rfc822-headers\n\n" \
    "From: Sender <sender@example.com>\nTo: list@example.org\n" \
    "Subject: =?UTF-8?B?w4ljaG8=?= monthly\nMessage-ID:\n <orig-42@example.com>\n" \
    "List-Id: News <news.example.org>\nDate: Wed, 31 Dec 2025 23:00:00 +0000\n\n" \
    "--" b "--\n"

static const struct bcase cases[] = {
    {"RFC 3464 2.3: one failed recipient, human-readable part gives stage and host; a folded Message-ID and an RFC 2047 Subject in the returned headers",
     DSN_HEAD("B1", "")
     "--B1\nContent-Type: text/plain; charset=us-ascii\n\n"
     "This is the mail system at host mx.example.net.\n\n"
     "<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 <bob@example.org>:\n"
     "    Recipient address rejected: User unknown in local recipient table (in reply to\n"
     "    RCPT TO command)\n\n"
     "--B1\nContent-Type: message/delivery-status\n\n"
     "Reporting-MTA: dns; mx.example.net\nArrival-Date: Thu, 1 Jan 2026 00:00:00 +0000\n\n"
     "Final-Recipient: rfc822; bob@example.org\nAction: failed\nStatus: 5.1.1\n"
     "Remote-MTA: dns; mx.example.org\n"
     "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: Recipient address rejected:\n"
     "    User unknown in local recipient table\n\n"
     RETURNED_HEADERS("B1"),
     SMTP_REPLY_BOUNCE_KIND_DSN, SMTP_REPLY_BOUNCE_FMT_RFC3464, 1,
     {{"bob@example.org", "bob@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_FAILED, "5.1.1",
       "user_unknown", "permanent", SMTP_REPLY_BOUNCE_R_TEXT_MERGED, SMTP_REPLY_STAGE_RCPT}},
     "orig_message_id=<orig-42@example.com>|orig_subject=\xc3\x89" "cho monthly|orig_list_id=News <news.example.org>|"
     "reporting_mta=mx.example.net|mta=postfix|returned=1"},

    {"RFC 3461 4.2 / RFC 3464 2.3.1: Original-Recipient in xtext (+2B is '+') is the address the sender used",
     DSN_HEAD("B2", "")
     "--B2\nContent-Type: message/delivery-status\n\n"
     "Reporting-MTA: dns; mx.example.net\n\n"
     "Original-Recipient: rfc822;user+2Btag@example.org\n"
     "Final-Recipient: rfc822; user@mailhost.example.org\nAction: failed\nStatus: 5.2.2\n"
     "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\n\n"
     "--B2--\n",
     SMTP_REPLY_BOUNCE_KIND_DSN, SMTP_REPLY_BOUNCE_FMT_RFC3464, 1,
     {{"user@mailhost.example.org", "user+tag@example.org", "user+tag@example.org",
       SMTP_REPLY_BOUNCE_ACTION_FAILED, "5.2.2", "mailbox_full", "permanent",
       SMTP_REPLY_BOUNCE_R_ORCPT_DECODED, -1}},
     NULL},

    {"RFC 6533 6.2: a global DSN, its status part base64-encoded, utf-8 address types, \\x{HHHH} in the Original-Recipient",
     "From: postmaster@mx.example.net\nTo: sender@example.com\nSubject: Delivery failure\n"
     "MIME-Version: 1.0\n"
     "Content-Type: multipart/report; report-type=delivery-status; boundary=\"G6533\"\n\n"
     "--G6533\nContent-Type: text/plain; charset=utf-8\n\nYour message could not be delivered.\n\n"
     "--G6533\nContent-Type: message/global-delivery-status\nContent-Transfer-Encoding: base64\n\n"
     /* "Reporting-MTA: dns; mx.example.net\n\nOriginal-Recipient: utf-8; j\\x{00F8}rn@example.org\n"
        "Final-Recipient: utf-8; j<U+00F8>rn@example.org\nAction: failed\nStatus: 5.1.1\n" */
     "UmVwb3J0aW5nLU1UQTogZG5zOyBteC5leGFtcGxlLm5ldAoKT3JpZ2luYWwtUmVjaXBpZW50OiB1\n"
     "dGYtODsgalx4ezAwRjh9cm5AZXhhbXBsZS5vcmcKRmluYWwtUmVjaXBpZW50OiB1dGYtODsgasO4\n"
     "cm5AZXhhbXBsZS5vcmcKQWN0aW9uOiBmYWlsZWQKU3RhdHVzOiA1LjEuMQo=\n"
     "--G6533\nContent-Type: message/global-headers\n\nFrom: sender@example.com\n"
     "Message-ID: <g-1@example.com>\n\n--G6533--\n",
     SMTP_REPLY_BOUNCE_KIND_DSN, SMTP_REPLY_BOUNCE_FMT_RFC6533, 1,
     {{"j\xc3\xb8rn@example.org", "j\xc3\xb8rn@example.org", "j\xc3\xb8rn@example.org",
       SMTP_REPLY_BOUNCE_ACTION_FAILED, "5.1.1", "user_unknown", "permanent",
       SMTP_REPLY_BOUNCE_R_ORCPT_DECODED | SMTP_REPLY_BOUNCE_R_ENHANCED_FILLED, -1}},
     "reporting_mta=mx.example.net|orig_message_id=<g-1@example.com>|returned=1"},

    {"RFC 3464 2.3.3: one report with failed, delayed, delivered, relayed and expanded groups; the context sets each verdict",
     DSN_HEAD("B3", "")
     "--B3\nContent-Type: message/delivery-status\n\n"
     "Reporting-MTA: dns; mx.example.net\n\n"
     "Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\n\n"
     "Final-Recipient: rfc822; b@example.org\nAction: delayed\nStatus: 4.4.1\n"
     "Diagnostic-Code: smtp; 421 4.4.1 Connection timed out\n"
     "Will-Retry-Until: Mon, 5 Jan 2026 00:00:00 +0000\n\n"
     "Final-Recipient: rfc822; c@example.org\nAction: delivered\nStatus: 2.0.0\n\n"
     "Final-Recipient: rfc822; d@example.org\nAction: relayed\nStatus: 2.0.0\n"
     "Remote-MTA: dns; legacy.example.org\n\n"
     "Final-Recipient: rfc822; e@example.org\nAction: expanded\nStatus: 2.0.0\n\n"
     "--B3--\n",
     SMTP_REPLY_BOUNCE_KIND_DSN, SMTP_REPLY_BOUNCE_FMT_RFC3464, 5,
     {{"a@example.org", "a@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_FAILED, "5.1.1",
       "user_unknown", "permanent", SMTP_REPLY_BOUNCE_R_ENHANCED_FILLED, -1},
      {"b@example.org", "b@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_DELAYED, "4.4.1",
       "network", "transient", 0, -1},
      {"c@example.org", "c@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_DELIVERED, "2.0.0",
       "success", "success", 0, -1},
      {"d@example.org", "d@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_RELAYED, "2.0.0",
       "success", "success", 0, -1},
      {"e@example.org", "e@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_EXPANDED, "2.0.0",
       "success", "success", 0, -1}},
     NULL},

    {"RFC 3464 2.3.4: a failed recipient whose Status is transient (4.4.7) was given up; its named cause stays",
     DSN_HEAD("B4", "")
     "--B4\nContent-Type: message/delivery-status\n\n"
     "Reporting-MTA: dns; mx.example.net\n\n"
     "Final-Recipient: rfc822; slow@example.org\nAction: failed\nStatus: 4.4.7\n"
     "Diagnostic-Code: smtp; 452 4.2.2 Mailbox full\n\n"
     "Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 4.4.7\n\n"
     "--B4--\n",
     SMTP_REPLY_BOUNCE_KIND_DSN, SMTP_REPLY_BOUNCE_FMT_RFC3464, 2,
     {{"slow@example.org", "slow@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_FAILED, "4.2.2",
       "mailbox_full", "permanent", SMTP_REPLY_BOUNCE_R_GAVE_UP | SMTP_REPLY_BOUNCE_R_STATUS_DIFFERS, -1},
      {"gone@example.org", "gone@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_FAILED, "4.4.7",
       "expired", "permanent", SMTP_REPLY_BOUNCE_R_GAVE_UP, -1}},
     NULL},

    {"Lenient RFC 3464: Final-Recipient without an address type, a Status with a comment, X.0.0 in the diagnostic filled by the Status",
     DSN_HEAD("B5", "")
     "--B5\nContent-Type: message/delivery-status\n\n"
     "Reporting-MTA: dns; mx.example.net\n\n"
     "Final-Recipient: <carol@example.org>\nAction: failed\nStatus: 5.1.1 (user unknown)\n"
     "Diagnostic-Code: smtp; 550 5.0.0 Sorry, no such person\n"
     "X-Supplementary-Info: the mailbox was deleted in 2024\n\n"
     "--B5--\n",
     SMTP_REPLY_BOUNCE_KIND_DSN, SMTP_REPLY_BOUNCE_FMT_RFC3464, 1,
     {{"carol@example.org", "carol@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_FAILED, "5.1.1",
       "user_unknown", "permanent", SMTP_REPLY_BOUNCE_R_ENHANCED_FILLED, -1}},
     NULL},

    {"RFC 5965 2: a feedback report naming two recipients (Original-Rcpt-To twice) is a FEEDBACK kind with one record each",
     "From: feedback@mail.example.net\nTo: abuse@example.com\nSubject: FW: Spam report\n"
     "MIME-Version: 1.0\n"
     "Content-Type: multipart/report; report-type=feedback-report; boundary=\"ARF\"\n\n"
     "--ARF\nContent-Type: text/plain\n\nThis is an email abuse report.\n\n"
     "--ARF\nContent-Type: message/feedback-report\n\n"
     "Feedback-Type: abuse\nUser-Agent: SomeGenerator/1.0\nVersion: 1\n"
     "Original-Mail-From: <somespammer@example.net>\n"
     "Original-Rcpt-To: <user1@example.com>\nOriginal-Rcpt-To: <user2@example.com>\n"
     "Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\nSource-IP: 192.0.2.1\n"
     "Reported-Domain: example.net\n\n"
     "--ARF\nContent-Type: message/rfc822\n\n"
     "From: <somespammer@example.net>\nTo: <Undisclosed Recipients>\nSubject: Earn money\n"
     "Message-ID: <8787KJKJ3K4J3K4J3K4J3.mail@example.net>\n\nSpam, spam, spam.\n--ARF--\n",
     SMTP_REPLY_BOUNCE_KIND_FEEDBACK, SMTP_REPLY_BOUNCE_FMT_ARF, 2,
     {{"user1@example.com", "user1@example.com", "(null)", SMTP_REPLY_BOUNCE_ACTION_NONE, "",
       "unknown", "unknown", 0, -1},
      {"user2@example.com", "user2@example.com", "(null)", SMTP_REPLY_BOUNCE_ACTION_NONE, "",
       "unknown", "unknown", 0, -1}},
     "feedback_type=abuse|source_ip=192.0.2.1|original_mail_from=somespammer@example.net|"
     "reported_domain=example.net|orig_message_id=<8787KJKJ3K4J3K4J3K4J3.mail@example.net>|returned=2"},

    {"RFC 8098 3: a read receipt (message/disposition-notification) is an MDN kind with no recipient records",
     "From: bob@example.org\nTo: alice@example.com\nSubject: Read: lunch\nMIME-Version: 1.0\n"
     "Content-Type: multipart/report; report-type=disposition-notification; boundary=\"MDN\"\n\n"
     "--MDN\nContent-Type: text/plain\n\nThe message was displayed.\n\n"
     "--MDN\nContent-Type: message/disposition-notification\n\n"
     "Reporting-UA: bob-pc.example.org; Mail 1.0\nOriginal-Recipient: rfc822;bob@example.org\n"
     "Final-Recipient: rfc822;bob@example.org\nOriginal-Message-ID: <lunch@example.com>\n"
     "Disposition: manual-action/MDN-sent-manually; displayed\n\n--MDN--\n",
     SMTP_REPLY_BOUNCE_KIND_MDN, SMTP_REPLY_BOUNCE_FMT_RFC8098, 0, {{0}},
     "disposition=manual-action/MDN-sent-manually; displayed|mdn_recipient=bob@example.org"},

    {"RFC 3834 5: an auto-reply (Auto-Submitted: auto-replied, a vacation subject) is an AUTOREPLY kind; its record is its sender, never a failure",
     "From: Bob <bob@example.org>\nTo: alice@example.com\nSubject: Out of Office: lunch\n"
     "Auto-Submitted: auto-replied\nMessage-ID: <ooo-1@example.org>\n\n"
     "I am away until Monday.\n",
     SMTP_REPLY_BOUNCE_KIND_AUTOREPLY, SMTP_REPLY_BOUNCE_FMT_RFC3834, 1,
     {{"bob@example.org", "bob@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_NONE, "",
       "unknown", "unknown", 0, -1}},
     NULL},

    {"Postfix bounces say Auto-Submitted: auto-replied too: bounce readers come first, so this is a DSN (from the text), not an auto-reply",
     "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\nTo: sender@example.com\n"
     "Subject: Undelivered Mail Returned to Sender\nAuto-Submitted: auto-replied\n\n"
     "This is the mail system at host mx.example.net.\n\n"
     "I'm sorry to have to inform you that your message could not\n"
     "be delivered to one or more recipients.\n\n"
     "                   The mail system\n\n"
     "<dave@example.org>: host mx.example.org[192.0.2.7] said: 552 5.2.2 Over quota\n"
     "    (in reply to RCPT TO command)\n",
     SMTP_REPLY_BOUNCE_KIND_DSN, SMTP_REPLY_BOUNCE_FMT_TEXT, 1,
     {{"dave@example.org", "dave@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_FAILED, "5.2.2",
       "mailbox_full", "permanent", SMTP_REPLY_BOUNCE_R_STATUS_FROM_TEXT, SMTP_REPLY_STAGE_RCPT}},
     "mta=postfix"},

    {"qmail-send's bounce text (qmail-send.c): two <address>: blocks, the stage from 'does not like recipient'",
     "From: MAILER-DAEMON@mx.example.net\nTo: sender@example.com\nSubject: failure notice\n\n"
     "Hi. This is the qmail-send program at mx.example.net.\n"
     "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
     "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
     "<erin@example.org>:\n192.0.2.9 does not like recipient.\n"
     "Remote host said: 550 5.1.1 <erin@example.org>... User unknown\n"
     "Giving up on 192.0.2.9.\n\n"
     "<frank@example.org>:\nThis address no longer accepts mail.\n\n"
     "--- Below this line is a copy of the message.\n\n"
     "Return-Path: <sender@example.com>\nMessage-ID: <q-7@example.com>\nSubject: hello\n\nhi\n",
     SMTP_REPLY_BOUNCE_KIND_DSN, SMTP_REPLY_BOUNCE_FMT_TEXT, 2,
     {{"erin@example.org", "erin@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_FAILED, "5.1.1",
       "user_unknown", "permanent", SMTP_REPLY_BOUNCE_R_STATUS_FROM_TEXT, SMTP_REPLY_STAGE_RCPT},
      {"frank@example.org", "frank@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_FAILED, "",
       NULL, NULL, 0, -1}},
     "mta=qmail|orig_message_id=<q-7@example.com>|returned=3"},

    {"Exim's bounce text (deliver.c) with X-Failed-Recipients; 'retry timeout exceeded' is a give-up",
     "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\nTo: sender@example.com\n"
     "Subject: Mail delivery failed: returning message to sender\n"
     "X-Failed-Recipients: grace@example.org\n\n"
     "This message was created automatically by mail delivery software.\n\n"
     "A message that you sent could not be delivered to one or more of its\n"
     "recipients. This is a permanent error. The following address(es) failed:\n\n"
     "  grace@example.org\n"
     "    SMTP error from remote mail server after RCPT TO:<grace@example.org>:\n"
     "    host mx.example.org [192.0.2.3]: 451 4.4.1 Try again later: retry timeout exceeded\n\n"
     "------ This is a copy of the message, including all the headers. ------\n\n"
     "Message-ID: <e-9@example.com>\nSubject: hi\n\nhi\n",
     SMTP_REPLY_BOUNCE_KIND_DSN, SMTP_REPLY_BOUNCE_FMT_TEXT, 1,
     {{"grace@example.org", "grace@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_FAILED, "4.4.1",
       NULL, "permanent", SMTP_REPLY_BOUNCE_R_GAVE_UP, SMTP_REPLY_STAGE_RCPT}},
     "mta=exim|x_failed_recipients=grace@example.org|orig_message_id=<e-9@example.com>"},

    {"X-Failed-Recipients alone (two addresses): one record each",
     "From: Mail Delivery System <mailer-daemon@mx.example.net>\nTo: sender@example.com\n"
     "Subject: Mail delivery failed\nX-Failed-Recipients: h@example.org,\n i@example.org\n\n"
     "Your message could not be delivered.\n",
     SMTP_REPLY_BOUNCE_KIND_DSN, SMTP_REPLY_BOUNCE_FMT_X_FAILED, 2,
     {{"h@example.org", "h@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_FAILED, "", NULL, NULL, 0, -1},
      {"i@example.org", "i@example.org", "(null)", SMTP_REPLY_BOUNCE_ACTION_FAILED, "", NULL, NULL, 0, -1}},
     NULL},

    {"A mail that is no report (an mbox From_ line first): kind NONE, no records",
     "From alice@example.com Thu Jan  1 00:00:00 2026\n"
     "From: alice@example.com\nTo: bob@example.org\nSubject: lunch?\n\nAt noon?\n",
     SMTP_REPLY_BOUNCE_KIND_NONE, SMTP_REPLY_BOUNCE_FMT_NONE, 0, {{0}}, NULL},

    {"A quoted-printable notification in ISO-8859-1 and a DSN with Original-Recipient after Final-Recipient in the same group",
     DSN_HEAD("B6", "")
     "--B6\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
     "Le message n'a pas pu =EAtre remis =E0 <ivan@example.fr>.\n\n"
     "--B6\nContent-Type: message/delivery-status\n\n"
     "Reporting-MTA: dns; mx.example.net\n\n"
     "Final-Recipient: rfc822; ivan@example.fr\nOriginal-Recipient: rfc822; ivan@example.fr\n"
     "Action: failed\nStatus: 5.2.1\nDiagnostic-Code: smtp; 550 5.2.1 Mailbox disabled\n\n"
     "--B6--\n",
     SMTP_REPLY_BOUNCE_KIND_DSN, SMTP_REPLY_BOUNCE_FMT_RFC3464, 1,
     {{"ivan@example.fr", "ivan@example.fr", "ivan@example.fr", SMTP_REPLY_BOUNCE_ACTION_FAILED,
       "5.2.1", "mailbox_disabled", "permanent", SMTP_REPLY_BOUNCE_R_TEXT_MERGED, -1}},
     "notification=Le message n'a pas pu \xc3\xaatre remis \xc3\xa0 <ivan@example.fr>.\n"},
};

static const char *mail_field(const smtp_reply_bounce *b, const char *name, char *buf, size_t n)
{
    static const struct { const char *name; size_t off; } fields[] = {
        {"orig_message_id", offsetof(smtp_reply_bounce, orig_message_id)},
        {"orig_subject", offsetof(smtp_reply_bounce, orig_subject)},
        {"orig_list_id", offsetof(smtp_reply_bounce, orig_list_id)},
        {"reporting_mta", offsetof(smtp_reply_bounce, reporting_mta)},
        {"feedback_type", offsetof(smtp_reply_bounce, feedback_type)},
        {"source_ip", offsetof(smtp_reply_bounce, source_ip)},
        {"original_mail_from", offsetof(smtp_reply_bounce, original_mail_from)},
        {"reported_domain", offsetof(smtp_reply_bounce, reported_domain)},
        {"disposition", offsetof(smtp_reply_bounce, disposition)},
        {"mdn_recipient", offsetof(smtp_reply_bounce, mdn_recipient)},
        {"x_failed_recipients", offsetof(smtp_reply_bounce, x_failed_recipients)},
        {"notification", offsetof(smtp_reply_bounce, notification)},
    };
    if (strcmp(name, "mta") == 0)
        return smtp_reply_bounce_mta_name(b->mta);
    if (strcmp(name, "returned") == 0) {
        snprintf(buf, n, "%d", b->returned);
        return buf;
    }
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (strcmp(fields[i].name, name) == 0) {
            const smtp_reply_bounce_str *s =
                (const smtp_reply_bounce_str *)((const char *)b + fields[i].off);
            copy_str(buf, n, s);
            return buf;
        }
    }
    ck_abort_msg("unknown mail field %s", name);
    return NULL;
}

/* Open a case (keeping the scratch alive) and check everything it lists. */
START_TEST(test_case)
{
    const struct bcase *c = &cases[_i];
    size_t len = strlen(c->mail), ss;
    void *scratch = scratch_for(len, &ss);
    smtp_reply_bounce_reader rd;
    smtp_reply_bounce b;
    int rc = smtp_reply_bounce_open(&rd, c->mail, len, scratch, ss, 0, &b);
    ck_assert_msg(rc == SMTP_REPLY_OK, "%s: open gave %s", c->name, smtp_reply_error_name(rc));
    ck_assert_msg(b.kind == c->kind, "%s: kind %s", c->name, smtp_reply_bounce_kind_name(b.kind));
    ck_assert_msg(b.format == c->format, "%s: format %s", c->name,
                  smtp_reply_bounce_format_name(b.format));
    ck_assert_msg(b.nrecipients == c->n, "%s: %u recipients", c->name, b.nrecipients);
    ck_assert_msg(!(b.flags & SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT), "%s: scratch short", c->name);
    if (c->mail_checks) {
        char *spec = strdup(c->mail_checks);
        for (char *save = NULL, *tok = strtok_r(spec, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
            char *eq = strchr(tok, '=');
            ck_assert_ptr_nonnull(eq);
            *eq = '\0';
            char buf[512];
            const char *got = mail_field(&b, tok, buf, sizeof buf);
            ck_assert_msg(got && strcmp(got, eq + 1) == 0, "%s: %s is \"%s\", want \"%s\"", c->name,
                          tok, got ? got : "(null)", eq + 1);
        }
        free(spec);
    }
    smtp_reply_bounce_rcpt r;
    uint32_t k = 0;
    while ((rc = smtp_reply_bounce_next(&rd, &r)) == SMTP_REPLY_BOUNCE_RECORD) {
        ck_assert_msg(k < c->n, "%s: more records than %u", c->name, c->n);
        const struct want *w = &c->w[k];
        char got[512], st[16];
        ck_assert_uint_eq(r.index, k);
        copy_str(got, sizeof got, &r.final_recipient);
        ck_assert_msg(strcmp(got, w->final) == 0, "%s #%u: final %s", c->name, k, got);
        copy_str(got, sizeof got, &r.recipient);
        ck_assert_msg(strcmp(got, w->recipient) == 0, "%s #%u: recipient %s", c->name, k, got);
        copy_str(got, sizeof got, &r.original_recipient);
        ck_assert_msg(strcmp(got, w->orig) == 0, "%s #%u: original %s", c->name, k, got);
        ck_assert_msg(r.action == w->action, "%s #%u: action %s", c->name, k,
                      smtp_reply_bounce_action_name(r.action));
        status_str(r.status, st, sizeof st);
        ck_assert_msg(strcmp(st, w->status) == 0, "%s #%u: status \"%s\"", c->name, k, st);
        if (w->category)
            ck_assert_msg(strcmp(smtp_reply_category_name(r.result.category), w->category) == 0,
                          "%s #%u: category %s (rule %s)", c->name, k,
                          smtp_reply_category_name(r.result.category), r.result.rule_id);
        if (w->permanence)
            ck_assert_msg(strcmp(smtp_reply_permanence_name(r.result.permanence), w->permanence) == 0,
                          "%s #%u: permanence %s", c->name, k,
                          smtp_reply_permanence_name(r.result.permanence));
        ck_assert_msg((r.flags & w->flags) == w->flags, "%s #%u: flags %#x lack %#x", c->name, k,
                      r.flags, w->flags);
        if (w->stage >= 0)
            ck_assert_msg(r.stage == w->stage, "%s #%u: stage %s", c->name, k,
                          smtp_reply_stage_name(r.stage));
        /* the result is always complete */
        ck_assert_ptr_nonnull(r.result.rule_id);
        k++;
    }
    ck_assert_int_eq(rc, SMTP_REPLY_OK);
    ck_assert_uint_eq(k, c->n);
    /* the end is sticky */
    ck_assert_int_eq(smtp_reply_bounce_next(&rd, &r), SMTP_REPLY_OK);
    free(scratch);
}
END_TEST

/* The same case with CRLF and with CR line ends gives the same records. */
static void same_records(const char *what, const struct read_result *a, const struct read_result *b)
{
    ck_assert_msg(a->rc == b->rc && a->b.kind == b->b.kind && a->b.format == b->b.format &&
                      a->b.mta == b->b.mta && a->b.nrecipients == b->b.nrecipients && a->n == b->n,
                  "%s: the mail reads differently", what);
    for (uint32_t i = 0; i < a->n && i < 8; i++) {
        const smtp_reply_bounce_rcpt *x = &a->r[i], *y = &b->r[i];
        ck_assert_msg(strcmp(a->final[i], b->final[i]) == 0 &&
                          strcmp(a->recipient[i], b->recipient[i]) == 0 &&
                          strcmp(a->orig[i], b->orig[i]) == 0 && strcmp(a->diag[i], b->diag[i]) == 0 &&
                          strcmp(a->remote[i], b->remote[i]) == 0,
                      "%s #%u: strings differ (%s / %s)", what, i, a->diag[i], b->diag[i]);
        ck_assert_msg(x->action == y->action && memcmp(x->status, y->status, sizeof x->status) == 0 &&
                          x->flags == y->flags && x->stage == y->stage && x->source == y->source &&
                          x->result.category == y->result.category &&
                          x->result.permanence == y->result.permanence &&
                          x->result.recipient_action == y->result.recipient_action &&
                          x->result.message_action == y->result.message_action &&
                          strcmp(x->result.rule_id, y->result.rule_id) == 0,
                      "%s #%u: fields differ", what, i);
    }
}

START_TEST(test_line_end_twins)
{
    const struct bcase *c = &cases[_i];
    struct read_result lf, other;
    read_mail(c->mail, strlen(c->mail), 0, &lf);
    static const char *ends[] = {"\r\n", "\r"};
    for (size_t e = 0; e < 2; e++) {
        size_t len;
        char *m = with_line_ends(c->mail, ends[e], &len);
        read_mail(m, len, 0, &other);
        char what[256];
        snprintf(what, sizeof what, "%s (%s)", c->name, e ? "CR" : "CRLF");
        same_records(what, &lf, &other);
        if (e == 1)
            ck_assert_msg(other.b.flags & SMTP_REPLY_BOUNCE_F_CR_ONLY, "%s: CR_ONLY not set", what);
        free(m);
    }
}
END_TEST

/* ---- errors ----------------------------------------------------------------- */

START_TEST(test_errors)
{
    static char scratch[SMTP_REPLY_BOUNCE_SCRATCH_MIN + 64];
    smtp_reply_bounce_reader rd;
    smtp_reply_bounce b;
    smtp_reply_bounce_rcpt r;
    const char *mail = "From: a@example.com\nSubject: x\n\nbody\n";
    size_t len = strlen(mail);
    /* what each error means (smtpreply.h) */
    ck_assert_int_eq(smtp_reply_bounce_open(&rd, mail, len, scratch, sizeof scratch, 0, NULL),
                     SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_bounce_open(NULL, mail, len, scratch, sizeof scratch, 0, &b),
                     SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_bounce_open(&rd, NULL, 5, scratch, sizeof scratch, 0, &b),
                     SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_bounce_open(&rd, mail, len, NULL, sizeof scratch, 0, &b),
                     SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_bounce_open(&rd, NULL, 0, scratch, sizeof scratch, 0, &b),
                     SMTP_REPLY_E_EMPTY);
    ck_assert_int_eq(smtp_reply_bounce_open(&rd, " \r\n\t\n", 5, scratch, sizeof scratch, 0, &b),
                     SMTP_REPLY_E_BLANK);
    ck_assert_int_eq(smtp_reply_bounce_open(&rd, "hello world\n", 12, scratch, sizeof scratch, 0, &b),
                     SMTP_REPLY_E_NOT_MAIL);
    ck_assert_int_eq(smtp_reply_bounce_open(&rd, mail, len, scratch, 1000, 0, &b),
                     SMTP_REPLY_E_SCRATCH);
    ck_assert_int_eq(smtp_reply_bounce_open(&rd, mail, len, scratch, sizeof scratch, 1u << 9, &b),
                     SMTP_REPLY_E_BAD_OPTION);
    /* a failed open leaves the reader closed */
    ck_assert_int_eq(smtp_reply_bounce_next(&rd, &r), SMTP_REPLY_E_READER);
    smtp_reply_bounce_reader fresh;
    memset(&fresh, 0, sizeof fresh);
    ck_assert_int_eq(smtp_reply_bounce_next(&fresh, &r), SMTP_REPLY_E_READER);
    ck_assert_int_eq(smtp_reply_bounce_next(NULL, &r), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_bounce_next(&fresh, NULL), SMTP_REPLY_E_NULL);
    /* the smallest scratch works */
    ck_assert_int_eq(smtp_reply_bounce_open(&rd, mail, len, scratch, SMTP_REPLY_BOUNCE_SCRATCH_MIN,
                                            0, &b), SMTP_REPLY_OK);
    ck_assert_int_eq(smtp_reply_bounce_next(&rd, &r), SMTP_REPLY_OK);
    /* the new error codes have names and sentences */
    ck_assert_str_eq(smtp_reply_error_name(SMTP_REPLY_E_NOT_MAIL), "not_mail");
    ck_assert_str_eq(smtp_reply_error_name(SMTP_REPLY_E_SCRATCH), "scratch");
    ck_assert_str_eq(smtp_reply_error_name(SMTP_REPLY_E_READER), "reader");
    ck_assert_int_ge(smtp_reply_error_count(), 18);   /* 18 with the bounce reader's three; more may follow */
    ck_assert_str_ne(smtp_reply_strerror(SMTP_REPLY_E_READER), "Unknown error code");
    /* smtp_reply_bounce_header */
    smtp_reply_bounce_str blk = {"Subject: a\r\n b\r\nX-Y: 1\r\nx-y: 2\r\n\r\n", 35, 0}, v;
    ck_assert_int_eq(smtp_reply_bounce_header(&blk, "X-Y", 1, &v), 1);
    ck_assert_int_eq((int)v.len, 1);
    ck_assert_int_eq(v.ptr[0], '2');
    ck_assert_int_eq(smtp_reply_bounce_header(&blk, "subject", 0, &v), 1);
    ck_assert_int_eq((int)v.len, 5);
    ck_assert_int_eq(smtp_reply_bounce_header(&blk, "none", 0, &v), 0);
    ck_assert_int_eq(smtp_reply_bounce_header(NULL, "none", 0, &v), SMTP_REPLY_E_NULL);
}
END_TEST

/* ---- names ------------------------------------------------------------------ */

START_TEST(test_names)
{
    static const struct {
        const char *(*name)(int);
        int (*count)(void);
        const char *first, *last;
    } enums[] = {
        {smtp_reply_bounce_kind_name, smtp_reply_bounce_kind_count, "none", "mdn"},
        {smtp_reply_bounce_format_name, smtp_reply_bounce_format_count, "none", "rfc8098"},
        {smtp_reply_bounce_mta_name, smtp_reply_bounce_mta_count, "unknown", "x6"},
        {smtp_reply_bounce_action_name, smtp_reply_bounce_action_count, "none", "expanded"},
        {smtp_reply_bounce_source_name, smtp_reply_bounce_source_count, "none", "returned_to"},
        {smtp_reply_bounce_flag_name, smtp_reply_bounce_flag_count, "mbox_from", "html"},
        {smtp_reply_bounce_rcpt_flag_name, smtp_reply_bounce_rcpt_flag_count, "gave_up", "context_applied"},
        {smtp_reply_bounce_str_flag_name, smtp_reply_bounce_str_flag_count, "scratch", "charset_kept"},
    };
    for (size_t e = 0; e < sizeof enums / sizeof enums[0]; e++) {
        int n = enums[e].count();
        ck_assert_int_gt(n, 1);
        ck_assert_str_eq(enums[e].name(0), enums[e].first);
        ck_assert_str_eq(enums[e].name(n - 1), enums[e].last);
        ck_assert_ptr_null(enums[e].name(n));
        ck_assert_ptr_null(enums[e].name(-1));
        for (int i = 0; i < n; i++) {
            const char *s = enums[e].name(i);
            ck_assert_ptr_nonnull(s);
            for (const char *p = s; *p; p++)
                ck_assert_msg((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_',
                              "name %s is not lower-case snake", s);
            for (int j = 0; j < i; j++)
                ck_assert_str_ne(s, enums[e].name(j));
        }
    }
    ck_assert_str_eq(smtp_reply_bounce_mta_name(SMTP_REPLY_BOUNCE_MTA_GOOGLE_WORKSPACE), "google_workspace");
    ck_assert_uint_eq(smtp_reply_sizeof_bounce(), sizeof(smtp_reply_bounce));
    ck_assert_uint_eq(smtp_reply_sizeof_bounce_rcpt(), sizeof(smtp_reply_bounce_rcpt));
    ck_assert_uint_eq(smtp_reply_sizeof_bounce_reader(), sizeof(smtp_reply_bounce_reader));
    ck_assert_uint_eq(smtp_reply_sizeof_bounce_str(), sizeof(smtp_reply_bounce_str));
    ck_assert_uint_eq(smtp_reply_bounce_max_bytes(), SMTP_REPLY_BOUNCE_MAX_BYTES);
    ck_assert_uint_eq(smtp_reply_bounce_max_depth(), SMTP_REPLY_BOUNCE_MAX_DEPTH);
    ck_assert_uint_eq(smtp_reply_bounce_max_parts(), SMTP_REPLY_BOUNCE_MAX_PARTS);
    ck_assert_uint_eq(smtp_reply_bounce_max_diag(), SMTP_REPLY_BOUNCE_MAX_DIAG);
    ck_assert_uint_eq(smtp_reply_bounce_scratch_min(), SMTP_REPLY_BOUNCE_SCRATCH_MIN);
    /* the scratch size grows with the mail and stops at MAX_BYTES */
    ck_assert_uint_ge(smtp_reply_bounce_scratch_size(0), SMTP_REPLY_BOUNCE_SCRATCH_MIN);
    ck_assert_uint_eq(smtp_reply_bounce_scratch_size((size_t)SMTP_REPLY_BOUNCE_MAX_BYTES * 2),
                      smtp_reply_bounce_scratch_size(SMTP_REPLY_BOUNCE_MAX_BYTES));
}
END_TEST

/* ---- truncations of real mails and of the cases ----------------------------- */

static const char *const real_mails[] = {
    "maildir/bsd/lhost-postfix-01.eml", "maildir/bsd/lhost-sendmail-02.eml",
    "maildir/bsd/lhost-exim-05.eml", "maildir/bsd/lhost-qmail-02.eml",
    "maildir/bsd/lhost-gmail-01.eml", "maildir/bsd/rfc3464-51.eml",
    "maildir/bsd/lhost-office365-02.eml", "maildir/bsd/lhost-amazonses-01.eml",
    "maildir/bsd/arf-01.eml", "maildir/bsd/rfc3834-01.eml",
    "maildir/bsd/lhost-exchange2003-01.eml", "maildir/bsd/lhost-dragonfly-01.eml",
    "maildir/bsd/lhost-mailru-01.eml", "maildir/bsd/lhost-amazonworkmail-02.eml",
    "maildir/bsd/lhost-ezweb-02.eml", "maildir/bsd/lhost-yahoo-01.eml",
    "maildir/dos/lhost-postfix-01.eml", "maildir/mac/lhost-v5sendmail-01.eml",
    "maildir/bsd/lhost-exchange2007-03.eml", "mailbox/mbox-1",
};

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *b = malloc(cap);
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            b = realloc(b, cap *= 2);
    }
    fclose(f);
    *len = n;
    return b;
}

static const char *corpus_dir(void)
{
    const char *d = getenv("SMTPREPLY_BOUNCE_CORPUS");
    return d && *d ? d : NULL;
}

static int inside(const smtp_reply_bounce_str *s, const char *buf, size_t len, const char *scr,
                  size_t ss)
{
    if (s->ptr == NULL)
        return s->len == 0;
    uintptr_t p = (uintptr_t)s->ptr;
    return (p >= (uintptr_t)buf && p + s->len <= (uintptr_t)buf + len) ||
           (p >= (uintptr_t)scr && p + s->len <= (uintptr_t)scr + ss);
}

/* Every prefix: a defined result, views inside, nrecipients records, and the
 * same result on a second read. */
static void every_truncation(const char *name, const char *mail, size_t len)
{
    size_t ss;
    char *scr = scratch_for(len, &ss);
    for (size_t cut = 0; cut <= len; cut++) {
        char *m = malloc(cut ? cut : 1);
        memcpy(m, mail, cut);
        smtp_reply_bounce_reader rd;
        smtp_reply_bounce b, b2;
        int rc = smtp_reply_bounce_open(&rd, m, cut, scr, ss, 0, &b);
        ck_assert_msg(rc == SMTP_REPLY_OK || rc == SMTP_REPLY_E_EMPTY || rc == SMTP_REPLY_E_BLANK ||
                          rc == SMTP_REPLY_E_NOT_MAIL,
                      "%s cut at %zu: %s", name, cut, smtp_reply_error_name(rc));
        if (rc == SMTP_REPLY_OK) {
            ck_assert_msg(!(b.flags & SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT), "%s cut at %zu: scratch short",
                          name, cut);
            ck_assert(inside(&b.subject, m, cut, scr, ss) && inside(&b.notification, m, cut, scr, ss) &&
                      inside(&b.orig_message_id, m, cut, scr, ss) && inside(&b.orig_header, m, cut, scr, ss));
            smtp_reply_bounce_rcpt r;
            uint32_t k = 0;
            char first[256] = "";
            while (smtp_reply_bounce_next(&rd, &r) == SMTP_REPLY_BOUNCE_RECORD) {
                ck_assert_msg(inside(&r.final_recipient, m, cut, scr, ss) &&
                                  inside(&r.diagnostic, m, cut, scr, ss) &&
                                  inside(&r.recipient, m, cut, scr, ss) &&
                                  inside(&r.remote_mta, m, cut, scr, ss),
                              "%s cut at %zu: a view outside", name, cut);
                ck_assert_ptr_nonnull(r.result.rule_id);
                if (k == 0)
                    copy_str(first, sizeof first, &r.final_recipient);
                k++;
            }
            ck_assert_msg(k == b.nrecipients, "%s cut at %zu: %u records, nrecipients %u", name, cut, k,
                          b.nrecipients);
            /* deterministic */
            ck_assert_int_eq(smtp_reply_bounce_open(&rd, m, cut, scr, ss, 0, &b2), SMTP_REPLY_OK);
            ck_assert_uint_eq(b2.nrecipients, b.nrecipients);
            ck_assert_int_eq(b2.kind, b.kind);
            if (k) {
                char again[256];
                ck_assert_int_eq(smtp_reply_bounce_next(&rd, &r), SMTP_REPLY_BOUNCE_RECORD);
                copy_str(again, sizeof again, &r.final_recipient);
                ck_assert_str_eq(again, first);
            }
        }
        free(m);
    }
    free(scr);
}

START_TEST(test_truncations_real)
{
    const char *dir = corpus_dir();
    if (!dir) {
        printf("truncations: SMTPREPLY_BOUNCE_CORPUS not set or ../shared absent; real mails skipped\n");
        return;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, real_mails[_i]);
    size_t len;
    char *mail = read_file(path, &len);
    if (!mail) {
        printf("truncations: %s absent; skipped\n", path);
        return;
    }
    every_truncation(real_mails[_i], mail, len);
    free(mail);
}
END_TEST

START_TEST(test_truncations_cases)
{
    every_truncation(cases[_i].name, cases[_i].mail, strlen(cases[_i].mail));
}
END_TEST

/* ---- scratch ---------------------------------------------------------------- */

/* Exactly smtp_reply_bounce_scratch_size() never runs short; the minimum
 * scratch degrades (flag) but reads the same recipients for these mails. */
START_TEST(test_scratch_sizes)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *mail = cases[i].mail;
        size_t len = strlen(mail);
        size_t ss = smtp_reply_bounce_scratch_size(len);
        char *exact = malloc(ss);
        smtp_reply_bounce_reader rd;
        smtp_reply_bounce b;
        ck_assert_int_eq(smtp_reply_bounce_open(&rd, mail, len, exact, ss, 0, &b), SMTP_REPLY_OK);
        ck_assert(!(b.flags & SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT));
        uint32_t n = b.nrecipients;
        ck_assert_int_eq(smtp_reply_bounce_open(&rd, mail, len, exact, SMTP_REPLY_BOUNCE_SCRATCH_MIN,
                                                0, &b), SMTP_REPLY_OK);
        ck_assert_uint_eq(b.nrecipients, n);
        free(exact);
    }
}
END_TEST

Suite *bounce_suite(void)
{
    Suite *s = suite_create("bounce");
    TCase *tc = tcase_create("cases");
    int ncases = (int)(sizeof cases / sizeof cases[0]);
    tcase_add_loop_test(tc, test_case, 0, ncases);
    tcase_add_loop_test(tc, test_line_end_twins, 0, ncases);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_scratch_sizes);
    suite_add_tcase(s, tc);
    TCase *tt = tcase_create("truncations");
    tcase_set_timeout(tt, 600);
    tcase_add_loop_test(tt, test_truncations_real, 0, (int)(sizeof real_mails / sizeof real_mails[0]));
    tcase_add_loop_test(tt, test_truncations_cases, 0, ncases);
    suite_add_tcase(s, tt);
    return s;
}
