/*
 * test-bounce-limits.c - the bounce reader on hostile shapes (BOUNCES.md 4.2).
 *
 * Each row builds a mail, reads it (open, then next() to the end) with a
 * scratch of exactly smtp_reply_bounce_scratch_size(len), and checks what the
 * row says: a defined result (the return code, the flags a limit sets, the
 * number of records).  The time is printed, not judged: a test that judges
 * time fails on a loaded machine.  Rows marked "linear" are read again at half
 * the size and both times per byte are printed; a reader that went quadratic
 * on these sizes (up to 16 MB) would run for hours and hit the test's timeout,
 * and bench/bounce-bench --sizes measures the time per byte from 1 KB to 64 MB.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smtpreply.h"
#include "buf.h"

static const char HEAD[] = "From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail\n";

/* ---- the hostile shapes (scale: about how many units) ---- */

static void nested_multiparts(struct buf *b, size_t n)
{
    puts_(b, HEAD);
    puts_(b, "MIME-Version: 1.0\n");
    char t[96];
    for (size_t i = 0; i < n; i++) {
        snprintf(t, sizeof t, "Content-Type: multipart/mixed; boundary=\"b%zu\"\n\n--b%zu\n", i, i);
        puts_(b, t);
    }
    puts_(b, "Content-Type: text/plain\n\nlost@example.org\n");
}

static void base64_line(struct buf *b, size_t n)
{
    puts_(b, HEAD);
    puts_(b, "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
             "--B\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n");
    static const char chunk[] = "VGhpcyBpcyB0aGUgbWFpbCBzeXN0ZW0gYXQgaG9zdCBteC5leGFtcGxlLm5ldC4K";
    for (size_t i = 0; i < n; i += sizeof chunk - 1)
        put(b, chunk, sizeof chunk - 1);
    puts_(b, "\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\n"
             "Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\n\n--B--\n");
}

static void folded_header(struct buf *b, size_t n)
{
    puts_(b, "From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered");
    for (size_t i = 0; i < n; i++)
        puts_(b, "\n =?utf-8?Q?x?= y");
    puts_(b, "\nX-Failed-Recipients: a@example.org\n\nfailed\n");
}

static void many_recipients(struct buf *b, size_t n)
{
    puts_(b, HEAD);
    puts_(b, "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
             "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\n");
    char t[128];
    for (size_t i = 0; i < n; i++) {
        snprintf(t, sizeof t, "Final-Recipient: rfc822;u%zu@x.jp\nAction: failed\nStatus: 5.1.1\n\n",
                 i);
        puts_(b, t);
    }
    puts_(b, "--B--\n");
}

static void nuls(struct buf *b, size_t n)
{
    puts_(b, HEAD);
    puts_(b, "\n");
    char z[4096];
    memset(z, 0, sizeof z);
    for (size_t i = 0; i < n; i += sizeof z)
        put(b, z, sizeof z);
}

static void prefix_boundaries(struct buf *b, size_t n)
{
    /* the inner boundary "b" is a prefix of the outer "bb": RFC 2046 forbids it */
    puts_(b, HEAD);
    puts_(b, "Content-Type: multipart/mixed; boundary=bb\n\n");
    for (size_t i = 0; i < n; i++)
        puts_(b, "--bb\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
                 "--b--\n--bbb\n--b\n");
    puts_(b, "--bb--\n");
}

static void unclosed(struct buf *b, size_t n)
{
    puts_(b, HEAD);
    puts_(b, "Content-Type: multipart/report; boundary=U\n\n--U\nContent-Type: text/plain\n\n");
    for (size_t i = 0; i < n; i++)
        puts_(b, "<x@example.org>: host mx said: 550 5.1.1 no\n");
}

static void bad_encodings(struct buf *b, size_t n)
{
    puts_(b, HEAD);
    puts_(b, "Content-Type: multipart/mixed; boundary=E\n\n--E\nContent-Type: text/plain; charset=utf-7\n"
             "Content-Transfer-Encoding: quoted-printable\n\n");
    for (size_t i = 0; i < n; i++)
        puts_(b, "=Z=\n+AAAA-+//8= =?=?=%\n");
    puts_(b, "\n--E\nContent-Transfer-Encoding: base64\nContent-Type: text/plain\n\n");
    for (size_t i = 0; i < n; i++)
        puts_(b, "!!!=$$$===A");
    puts_(b, "=");
}

static void header_only(struct buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        puts_(b, "X-Failed-Recipients: a@example.org\n");
}

static void at_signs(struct buf *b, size_t n)
{
    /* text full of '@' and address-like runs: the address scanner must stay linear */
    puts_(b, HEAD);
    puts_(b, "\nThis message was created automatically by mail delivery software.\n\n");
    for (size_t i = 0; i < n; i++)
        puts_(b, "a@a@a@a.a@b.c.d@e@@@@ aa.bb.cc@dd@ee-ff@");
    puts_(b, "\n");
}

static void encoded_words(struct buf *b, size_t n)
{
    puts_(b, "From: x@y\nSubject: ");
    for (size_t i = 0; i < n; i++)
        puts_(b, "=?=?=?u?=?b?=?q?");
    puts_(b, "\nAuto-Submitted: auto-replied\n\nhi\n");
}

static void dashes(struct buf *b, size_t n)
{
    puts_(b, HEAD);
    puts_(b, "Content-Type: multipart/mixed; boundary=\"");
    for (size_t i = 0; i < 69; i++)
        puts_(b, "x");
    puts_(b, "\"\n\n");
    for (size_t i = 0; i < n; i++)
        puts_(b, "--xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-\n");
}

static void long_text_block(struct buf *b, size_t n)
{
    puts_(b, "From: Mail Delivery System <mailer-daemon@x>\nSubject: Mail delivery failed\n\n"
             "This message was created automatically by mail delivery software.\n\n  a@example.org\n");
    for (size_t i = 0; i < n; i++)
        puts_(b, "    SMTP error from remote mail server after RCPT TO: host x: 450 4.7.1 later\n");
}

static void many_text_recipients(struct buf *b, size_t n)
{
    puts_(b, "From: MAILER-DAEMON@x\nSubject: failure notice\n\n"
             "Hi. This is the qmail-send program at x.\n\n");
    char t[96];
    for (size_t i = 0; i < n; i++) {
        snprintf(t, sizeof t, "<r%zu@example.org>:\nRemote host said: 550 5.1.1 no\n\n", i);
        puts_(b, t);
    }
}

static void mentioned_long_line(struct buf *b, size_t n)
{
    /* an unknown format: 2,000 distinct addresses on one line, then n bytes more */
    puts_(b, "From: MAILER-DAEMON@x\nSubject: Undeliverable\n\n");
    char t[64];
    for (size_t i = 0; i < 2000; i++) {
        snprintf(t, sizeof t, "u%zu@example.org ", i);
        puts_(b, t);
    }
    for (size_t i = 0; i < n; i += 64)
        puts_(b, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    puts_(b, "\n");
}

static void dsn_long_notification(struct buf *b, size_t n)
{
    /* 1,000 DSN recipients whose human-readable text is one line of n bytes
     * naming them all at its end: each record's text lookup is bounded */
    puts_(b, HEAD);
    puts_(b, "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
             "--B\nContent-Type: text/plain\n\n");
    for (size_t i = 0; i < n; i += 64)
        puts_(b, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
    char t[96];
    for (size_t i = 0; i < 1000; i++) {
        snprintf(t, sizeof t, " <v%zu@example.org>: said 550 5.1.1 no", i);
        puts_(b, t);
    }
    puts_(b, "\n--B\nContent-Type: message/delivery-status\n\n");
    for (size_t i = 0; i < 1000; i++) {
        snprintf(t, sizeof t, "Final-Recipient: rfc822; v%zu@example.org\nAction: failed\n\n", i);
        puts_(b, t);
    }
    puts_(b, "--B--\n");
}

struct row {
    const char *what;
    void (*make)(struct buf *, size_t);
    size_t scale;
    int linear;               /* check the time per byte against half the size */
    int expect_rc;            /* SMTP_REPLY_OK or an error */
    long min_records, max_records;   /* -1: not checked */
    uint32_t flags;           /* mail flags that must be set */
};

static const struct row rows[] = {
    {"10,000 nested multiparts: the depth limit is a flag", nested_multiparts, 10000, 1,
     SMTP_REPLY_OK, -1, -1, SMTP_REPLY_BOUNCE_F_DEPTH_LIMIT},
    {"a 64 MB base64 line in the notification: decoded, linear", base64_line, 63u << 20, 0,
     SMTP_REPLY_OK, 1, 1, 0},
    {"100,000 folded header lines with encoded words", folded_header, 100000, 1, SMTP_REPLY_OK, 1, 1, 0},
    {"1,000,000 recipients in one status part", many_recipients, 1000000, 1, SMTP_REPLY_OK,
     1000000, 1000000, 0},
    {"a body of 8 MB of NUL bytes", nuls, 8u << 20, 1, SMTP_REPLY_OK, 0, 0, SMTP_REPLY_BOUNCE_F_NUL},
    {"a boundary that prefixes another, 20,000 times", prefix_boundaries, 20000, 1, SMTP_REPLY_OK,
     -1, -1, 0},
    {"no closing boundary, 200,000 lines", unclosed, 200000, 1, SMTP_REPLY_OK, -1, -1,
     SMTP_REPLY_BOUNCE_F_UNCLOSED},
    {"invalid quoted-printable, UTF-7 and base64, '=' at the very end", bad_encodings, 100000, 1,
     SMTP_REPLY_OK, -1, -1, SMTP_REPLY_BOUNCE_F_BAD_ENCODING},
    {"a mail that is only a header (100,000 fields)", header_only, 100000, 1, SMTP_REPLY_OK, 1, 1,
     SMTP_REPLY_BOUNCE_F_HEADER_ONLY},
    {"a text block of 1 MB of '@' runs", at_signs, 25000, 1, SMTP_REPLY_OK, -1, -1, 0},
    {"a Subject of 400,000 '=?' starts", encoded_words, 100000, 1, SMTP_REPLY_OK, -1, -1, 0},
    {"100,000 lines that almost match a 69-byte boundary", dashes, 100000, 1, SMTP_REPLY_OK, -1, -1, 0},
    {"one text recipient with 100,000 diagnostic lines", long_text_block, 100000, 1, SMTP_REPLY_OK,
     1, 1, 0},
    {"200,000 recipients in qmail's text", many_text_recipients, 200000, 1, SMTP_REPLY_OK, 200000,
     200000, 0},
    {"2,000 addresses on one 16 MB line of an unknown format", mentioned_long_line, 16u << 20, 1,
     SMTP_REPLY_OK, 1000, 2000, 0},
    {"1,000 DSN recipients named at the end of one 16 MB line", dsn_long_notification, 16u << 20, 1,
     SMTP_REPLY_OK, 1000, 1000, 0},
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Read a mail; returns seconds, fills rc, records and flags. */
static double read_mail(const struct buf *b, int *rc, long *records, uint32_t *flags)
{
    size_t ss = smtp_reply_bounce_scratch_size(b->n);
    char *scratch = malloc(ss);
    if (!scratch) {
        perror("malloc");
        exit(1);
    }
    smtp_reply_bounce_reader rd;
    smtp_reply_bounce mail;
    smtp_reply_bounce_rcpt r;
    double t0 = now();
    *rc = smtp_reply_bounce_open(&rd, b->p, b->n, scratch, ss, 0, &mail);
    *records = 0;
    *flags = mail.flags;
    if (*rc == SMTP_REPLY_OK)
        while (smtp_reply_bounce_next(&rd, &r) == SMTP_REPLY_BOUNCE_RECORD)
            (*records)++;
    double t = now() - t0;
    if (*rc == SMTP_REPLY_OK && *records != (long)mail.nrecipients) {
        fprintf(stderr, "records %ld != nrecipients %u\n", *records, mail.nrecipients);
        exit(1);
    }
    free(scratch);
    return t;
}

int main(void)
{
    int failed = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *w = &rows[i];
        struct buf b = {0};
        w->make(&b, w->scale);
        int rc;
        long n;
        uint32_t flags;
        double t = read_mail(&b, &rc, &n, &flags);
        int ok = rc == w->expect_rc && (w->min_records < 0 || n >= w->min_records) &&
                 (w->max_records < 0 || n <= w->max_records) && (flags & w->flags) == w->flags &&
                 !(flags & SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT);
        double per = t / (double)b.n * 1e9;
        char lin[64] = "";
        if (ok && w->linear) {
            struct buf h = {0};
            w->make(&h, w->scale / 2);
            int rc2;
            long n2;
            uint32_t f2;
            double t2 = read_mail(&h, &rc2, &n2, &f2);
            /* the half-size mail gives the same kind of result */
            if (rc2 != rc || (flags & w->flags) != (f2 & w->flags))
                ok = 0;
            snprintf(lin, sizeof lin, ", half size %.2f ns/byte", t2 / (double)h.n * 1e9);
            free(h.p);
        }
        printf("%-4s %s: %s, %ld records, %zu bytes in %.3f s (%.2f ns/byte%s)\n", ok ? "ok" : "FAIL",
               w->what, smtp_reply_error_name(rc), n, b.n, t, per, lin);
        failed |= !ok;
        free(b.p);
    }
    return failed;
}
