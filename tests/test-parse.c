/*
 * test-parse.c - the RFC 5321 reply grammar: codes, enhanced codes, text spans,
 * flags, errors, stream framing, every truncation, hostile sizes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define F(x) SMTP_REPLY_F_##x
#define NA ((size_t)-1)

struct parse_row {
    const char *what;      /* what the row checks */
    const char *in;
    unsigned opts;
    int rc;
    int code;
    const char *enh;       /* "5.1.1", "" for none, NULL: do not check */
    uint32_t set;          /* flags that must be set */
    uint32_t clear;        /* flags that must not be set */
    const char *text;      /* joined text, NULL: do not check */
    size_t consumed;       /* NA: do not check */
};

static const struct parse_row rows[] = {
    {"single line with enhanced code",
     "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown\r\n", 0, 0, 550,
     "5.1.1", 0, F(NO_BASIC_CODE) | F(BARE_LF) | F(NO_FINAL_LINE),
     "<bob@example.com>: Recipient address rejected: User unknown", 71},
    {"Gmail multiline, repeated enhanced codes are removed from the text",
     "550-5.7.26 This mail is unauthenticated, which poses a security risk to the\r\n"
     "550-5.7.26 sender and Gmail users, and has been blocked.\r\n"
     "550 5.7.26 https://support.google.com/mail/answer/81126#authentication - gsmtp\r\n",
     0, 0, 550, "5.7.26", 0, F(ENHANCED_MISMATCH) | F(CODE_MISMATCH),
     "This mail is unauthenticated, which poses a security risk to the sender and Gmail "
     "users, and has been blocked. https://support.google.com/mail/answer/81126#authentication - gsmtp",
     NA},
    {"bare LF line ends are accepted and flagged", "550-first\n550 second\n", 0, 0, 550, "",
     F(BARE_LF), 0, "first second", 21},
    {"bare code without text", "421\r\n", 0, 0, 421, "", F(EMPTY_TEXT), 0, "", 5},
    {"no line break at the end of a whole text", "250 OK", 0, 0, 250, "", 0, F(NO_FINAL_LINE), "OK", 6},
    {"missing final line in a whole text is a flag", "550-5.7.1 first\r\n550-5.7.1 second\r\n", 0, 0,
     550, "5.7.1", F(NO_FINAL_LINE), 0, "first second", NA},
    {"codes that differ between lines", "550-a\r\n551 b\r\n", 0, 0, 550, "", F(CODE_MISMATCH), 0, "a b", NA},
    {"enhanced class disagreeing with the basic code", "451 5.7.3 STARTTLS is required\r\n", 0, 0, 451,
     "5.7.3", F(CLASS_MISMATCH), 0, "STARTTLS is required", NA},
    {"different enhanced codes on two lines", "550-5.1.1 a\r\n550 5.2.2 b\r\n", 0, 0, 550, "5.1.1",
     F(ENHANCED_MISMATCH), 0, "a b", NA},
    {"second digit over 5 is accepted with a flag", "570 odd\r\n", 0, 0, 570, "", F(NONSTANDARD_CODE), 0,
     "odd", NA},
    {"qmail's (#5.1.1) is found inside the text",
     "Sorry, no mailbox here by that name. (#5.1.1)", 0, 0, 0, "5.1.1",
     F(NO_BASIC_CODE) | F(ENHANCED_INLINE), 0, "Sorry, no mailbox here by that name. (#5.1.1)", NA},
    {"Exchange's #5.7.1 after the code", "550 #5.7.1 Your access to submit messages to this e-mail system has been rejected.",
     0, 0, 550, "5.7.1", F(ENHANCED_INLINE), 0, NULL, NA},
    {"enhanced code alone, no basic code", "5.1.1 User unknown", 0, 0, 0, "5.1.1", F(NO_BASIC_CODE), 0,
     "User unknown", NA},
    {"text alone is classifiable", "Mailbox full", 0, 0, 0, "", F(NO_BASIC_CODE), 0, "Mailbox full", NA},
    {"an IPv4 address is not a status code", "10.1.2.3 refused to talk to me", 0, 0, 0, "",
     F(NO_BASIC_CODE), 0, NULL, NA},
    {"a version number is not a status code", "550 Sendmail 5.7.1.100 rejected", 0, 0, 550, "", 0,
     F(ENHANCED_INLINE), NULL, NA},
    {"one token between the basic and the enhanced code (Barracuda's cuda_nsu)",
     "550 cuda_nsu 5.4.1 <a@example.com>: Recipient address rejected: Access denied", 0, 0, 550,
     "5.4.1", F(ENHANCED_INLINE), 0, NULL, NA},
    {"a code after one token counts only with the basic code's class", "550 Mailbox 4.2.2 full", 0, 0,
     550, "", 0, F(ENHANCED_INLINE), NULL, NA},
    {"a four-part number is not a status code", "550 5.7.1.100 blocked", 0, 0, 550, "", 0, 0,
     "5.7.1.100 blocked", NA},
    {"class 3 is not an enhanced class", "550 3.1.1 odd", 0, 0, 550, "", 0, 0, "3.1.1 odd", NA},
    {"subject of four digits is not an enhanced code", "550 5.1234.1 odd", 0, 0, 550, "", 0, 0, NULL, NA},
    {"8-bit bytes are flagged", "550 Benutzer \xc3\xbc unbekannt\r\n", 0, 0, 550, "", F(8BIT), 0, NULL, NA},
    {"control bytes are flagged", "550 a\x01 b\r\n", 0, 0, 550, "", F(CONTROL), 0, NULL, NA},
    {"continuation line without a code", "550-first\r\nsecond\r\n550 third\r\n", 0, 0, 550, "",
     F(LINE_WITHOUT_CODE), 0, "first second third", NA},
    {"leading white space before a whole text", "\r\n  550 5.1.1 gone\r\n", 0, 0, 550, "5.1.1", 0, 0,
     "gone", NA},
    {"a second reply after the first is flagged", "550 a\r\n250 b\r\n", 0, 0, 550, "",
     F(SEVERAL_REPLIES), 0, "a", 7},
    {"an indented line after the final line is folded text, not a new reply",
     "550 5.2.1 The email account that you tried to reach is\n    disabled.", 0, 0, 550, "5.2.1", 0,
     F(SEVERAL_REPLIES) | F(LINE_WITHOUT_CODE), "The email account that you tried to reach is disabled.", NA},
    {"a fold inside a Postfix log line's reply",
     "postfix/smtp[1]: A1: to=<a@b.example>, status=bounced (host b.example[192.0.2.1] said: 550 The mailbox\n"
     "    is no longer active (in reply to RCPT TO command))",
     0, 0, 550, "", F(UNWRAPPED), F(SEVERAL_REPLIES), "The mailbox is no longer active", NA},
    {"indented lines of a multiline reply in a bounce keep their codes out of the text",
     "  550-5.1.1 The account does not exist. Please try\n  550-5.1.1 double-checking the address\n"
     "  550 5.1.1 for typos\n",
     0, 0, 550, "5.1.1", 0, F(LINE_WITHOUT_CODE) | F(CODE_MISMATCH),
     "The account does not exist. Please try double-checking the address for typos", NA},
    {"a fold stops at an unindented line",
     "550 first\n  second\nthird\n", 0, 0, 550, "", F(SEVERAL_REPLIES), 0, "first second", 19},
    {"an indented code after the final line is another reply, not a fold",
     "550 first\n  250 ok\n", 0, 0, 550, "", F(SEVERAL_REPLIES), 0, "first", 10},
    {"a stream does not fold: the final line ends the reply",
     "550 first\r\n  second\r\n", SMTP_REPLY_OPT_STREAM, 0, 550, "", 0, 0, "first", 11},

    {"empty input", "", 0, SMTP_REPLY_E_EMPTY, 0, NULL, 0, 0, NULL, NA},
    {"a bare newline", "\r\n", 0, SMTP_REPLY_E_BLANK, 0, NULL, 0, 0, NULL, NA},
    {"only white space", " \t \n ", 0, SMTP_REPLY_E_BLANK, 0, NULL, 0, 0, NULL, NA},
    {"two digits", "55", 0, SMTP_REPLY_E_SHORT_CODE, 0, NULL, 0, 0, NULL, NA},
    {"two digits and text", "55 no", 0, SMTP_REPLY_E_SHORT_CODE, 0, NULL, 0, 0, NULL, NA},
    {"four digits that end the input", "5555", 0, SMTP_REPLY_E_LONG_CODE, 0, NULL, 0, 0, NULL, NA},
    {"four digits", "5500 no", 0, SMTP_REPLY_E_LONG_CODE, 0, NULL, 0, 0, NULL, NA},
    {"class 6", "600 no such class", 0, SMTP_REPLY_E_BAD_CLASS, 0, NULL, 0, 0, NULL, NA},
    {"class 1", "150 Opening BINARY mode data connection", 0, SMTP_REPLY_E_BAD_CLASS, 0, NULL, 0, 0, NULL, NA},
    {"a date at the start of a log line is not a code", "3/09/2016 7:58:27 PM Delivery failed: mailbox full",
     0, 0, 0, "", F(NO_BASIC_CODE), 0, NULL, NA},
    {"an ISO timestamp at the start of a log line is not a code",
     "2026-11-23T10:00:00 mx postfix/smtp[1]: connect to mx.example.com[192.0.2.1]:25: Connection refused",
     0, 0, 0, "", F(NO_BASIC_CODE), 0, NULL, NA},
    {"a three-digit address at the start is not a code", "192.0.2.1 does not like recipient", 0, 0, 0,
     "", F(NO_BASIC_CODE), 0, NULL, NA},
    {"a number with a unit is a short code", "5 minutes", 0, SMTP_REPLY_E_SHORT_CODE, 0, NULL, 0, 0, NULL, NA},
    {"code glued to text", "550x no", 0, SMTP_REPLY_E_BAD_SEPARATOR, 0, NULL, 0, 0, NULL, NA},
    {"HTML page", "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", 0, SMTP_REPLY_E_HTML, 0,
     NULL, 0, 0, NULL, NA},
    {"HTML page in stream mode", "<html>", SMTP_REPLY_OPT_STREAM, SMTP_REPLY_E_HTML, 0, NULL, 0, 0, NULL, NA},
    {"punctuation only", "--- !!! ---", 0, SMTP_REPLY_E_NO_CODE, 0, NULL, 0, 0, NULL, NA},
    {"text without a code in stream mode", "hello there\r\n", SMTP_REPLY_OPT_STREAM,
     SMTP_REPLY_E_NO_CODE, 0, NULL, 0, 0, NULL, NA},
    {"mostly control bytes", "\x01\x02\x03\x04\x05" "ab", 0, SMTP_REPLY_E_BINARY, 0, NULL, 0, 0, NULL, NA},
    {"unknown option bits", "250 ok\r\n", 1u << 30, SMTP_REPLY_E_BAD_OPTION, 0, NULL, 0, 0, NULL, NA},

    {"stream: a complete reply", "250 OK\r\n", SMTP_REPLY_OPT_STREAM, 0, 250, "", 0, 0, "OK", 8},
    {"stream: the final line break has not arrived", "250 OK", SMTP_REPLY_OPT_STREAM,
     SMTP_REPLY_E_INCOMPLETE, 0, NULL, 0, 0, NULL, NA},
    {"stream: only continuation lines so far", "250-mx.example.com\r\n250-PIPELINING\r\n",
     SMTP_REPLY_OPT_STREAM, SMTP_REPLY_E_INCOMPLETE, 0, NULL, 0, 0, NULL, NA},
    {"stream: consumed stops at the end of the first reply",
     "250-mx.example.com\r\n250 SIZE 1000\r\n354 go ahead\r\n", SMTP_REPLY_OPT_STREAM, 0, 250, "", 0,
     F(SEVERAL_REPLIES), "mx.example.com SIZE 1000", 35},
    {"stream: a code cut short is incomplete, not an error", "55", SMTP_REPLY_OPT_STREAM,
     SMTP_REPLY_E_INCOMPLETE, 0, NULL, 0, 0, NULL, NA},
    {"stream: a short code with a line break is an error", "55\r\n", SMTP_REPLY_OPT_STREAM,
     SMTP_REPLY_E_SHORT_CODE, 0, NULL, 0, 0, NULL, NA},
    {"stream: a code inside a continuation line's text does not end the reply",
     "250-mx.example.com ESMTP service, 250 messages max\r\n250 OK\r\n", SMTP_REPLY_OPT_STREAM, 0, 250,
     "", 0, F(FLATTENED), "mx.example.com ESMTP service, 250 messages max OK", 60},
    {"stream: a blank line is not a reply", "\r\n", SMTP_REPLY_OPT_STREAM, SMTP_REPLY_E_BLANK, 0,
     NULL, 0, 0, NULL, NA},
};

static void check_row(const struct parse_row *row, size_t len)
{
    smtp_reply r;
    memset(&r, 0xa5, sizeof r); /* every field must be reset */
    int rc = smtp_reply_parse(row->in, len, row->opts, &r);
    ck_assert_msg(rc == row->rc, "%s: rc %s, want %s", row->what, smtp_reply_error_name(rc),
                  smtp_reply_error_name(row->rc));
    if (rc != SMTP_REPLY_OK) {
        ck_assert_msg(r.code == 0 && r.flags == 0 && r.nstored == 0 && r.consumed == 0,
                      "%s: outputs not reset on error", row->what);
        return;
    }
    ck_assert_msg(r.code == row->code, "%s: code %d, want %d", row->what, r.code, row->code);
    if (row->enh) {
        char e[32];
        test_enhanced_str(r.enhanced, e, sizeof e);
        ck_assert_msg(strcmp(e, row->enh) == 0, "%s: enhanced %s, want %s", row->what, e, row->enh);
    }
    ck_assert_msg((r.flags & row->set) == row->set, "%s: flags %#x lack %#x", row->what, r.flags, row->set);
    ck_assert_msg((r.flags & row->clear) == 0, "%s: flags %#x have %#x", row->what, r.flags,
                  r.flags & row->clear);
    if (row->text) {
        char t[1024];
        size_t tl = smtp_reply_text(row->in, len, &r, t, sizeof t);
        ck_assert_msg(strcmp(t, row->text) == 0, "%s: text [%s], want [%s]", row->what, t, row->text);
        ck_assert_uint_eq(tl, strlen(row->text));
        ck_assert_uint_eq(r.text_len, tl);
    }
    if (row->consumed != NA)
        ck_assert_msg(r.consumed == row->consumed, "%s: consumed %zu, want %zu", row->what,
                      r.consumed, row->consumed);
    ck_assert(r.consumed <= len);
    for (uint32_t i = 0; i < r.nstored; i++)
        ck_assert(r.line[i].off <= len && r.line[i].len <= len - r.line[i].off);
}

START_TEST(test_rows)
{
    const struct parse_row *row = &rows[_i];
    size_t len = strlen(row->in);
    /* copy to an exact-size heap block so that ASan sees any over-read */
    char *copy = malloc(len ? len : 1);
    memcpy(copy, row->in, len);
    struct parse_row tmp = *row;
    tmp.in = copy;
    check_row(&tmp, len);
    free(copy);
}
END_TEST

/* Real multiline replies: in stream mode every proper prefix is incomplete and
 * never read past; the whole is complete and consumed entirely. */
static const char *const multiline[] = {
    "550-5.7.26 This mail is unauthenticated, which poses a security risk to the\r\n"
    "550-5.7.26 sender and Gmail users, and has been blocked. The sender must\r\n"
    "550-5.7.26 authenticate with at least one of SPF or DKIM. For this message,\r\n"
    "550-5.7.26 DKIM checks did not pass and SPF check for [example.com] did not\r\n"
    "550 5.7.26 pass with ip: [192.0.2.1]. gsmtp\r\n",
    "250-mx.example.com Hello [192.0.2.1]\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n"
    "250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n",
    "421-4.7.0 [192.0.2.1      15] Our system has detected an unusual rate of\r\n"
    "421-4.7.0 unsolicited mail originating from your IP address. To protect our\r\n"
    "421 4.7.0 users from spam, mail sent from your IP address has been temporarily rate limited.\r\n",
};

START_TEST(test_every_truncation)
{
    const char *full = multiline[_i];
    size_t len = strlen(full);
    for (size_t cut = 0; cut <= len; cut++) {
        char *buf = malloc(cut ? cut : 1);
        memcpy(buf, full, cut);
        smtp_reply r;
        int rc = smtp_reply_parse(buf, cut, SMTP_REPLY_OPT_STREAM, &r);
        if (cut == 0)
            ck_assert_int_eq(rc, SMTP_REPLY_E_EMPTY);
        else if (cut < len)
            ck_assert_msg(rc == SMTP_REPLY_E_INCOMPLETE, "prefix %zu of %zu: %s", cut, len,
                          smtp_reply_error_name(rc));
        else {
            ck_assert_int_eq(rc, SMTP_REPLY_OK);
            ck_assert_uint_eq(r.consumed, len);
        }
        /* whole-text mode never fails on a non-empty prefix of a real reply */
        rc = smtp_reply_parse(buf, cut, 0, &r);
        if (cut >= 3)
            ck_assert_msg(rc == SMTP_REPLY_OK, "whole prefix %zu: %s", cut, smtp_reply_error_name(rc));
        free(buf);
    }
}
END_TEST

START_TEST(test_stream_of_replies)
{
    const char *wire = "220 mx.example.com ESMTP\r\n250-mx.example.com\r\n250 PIPELINING\r\n"
                       "250 2.1.0 Ok\r\n550 5.1.1 <a@example.com>: Recipient address rejected\r\n"
                       "354 End data with <CR><LF>.<CR><LF>\r\n";
    const int codes[] = {220, 250, 250, 550, 354};
    size_t len = strlen(wire), off = 0;
    for (size_t i = 0; i < 5; i++) {
        smtp_reply r;
        ck_assert_int_eq(smtp_reply_parse(wire + off, len - off, SMTP_REPLY_OPT_STREAM, &r), 0);
        ck_assert_int_eq(r.code, codes[i]);
        off += r.consumed;
    }
    ck_assert_uint_eq(off, len);
}
END_TEST

/* Inputs for the incremental stream parser: real replies, stream errors, white
 * space, a 250 inside a continuation line, a code split across reads. */
static const char *const stream_inputs[] = {
    "220 mx.example.com ESMTP\r\n250-mx.example.com\r\n250 PIPELINING\r\n",
    "550-5.7.1 first\r\n550-5.7.1 250 second\r\n550 5.7.1 third\r\n",
    "550-first\r\nsecond\r\n550 third\r\n",
    "421\r\n",
    "  \r\n\t250 ok\r\n",
    "\r\n\r\n",
    "5501 too long\r\n",
    "55 short\r\n",
    "650 bad class\r\n",
    "550x bad separator\r\n",
    "<html><body>\r\n",
    "hello\r\n",
    "550-a\n550 b\n250 next\n",
};

/* Feed s byte by byte (chunk bytes at a time) to smtp_reply_parse_stream: at every
 * length its answer and its reply are smtp_reply_parse's on the same prefix
 * (stream mode), until the first answer that is not "incomplete". */
static void check_incremental(const char *s, size_t len, size_t chunk)
{
    smtp_reply_stream st;
    smtp_reply_stream_init(&st);
    for (size_t have = chunk < len ? chunk : len;; have = have + chunk < len ? have + chunk : len) {
        smtp_reply a, b;
        int ra = smtp_reply_parse_stream(&st, s, have, &a);
        int rb = smtp_reply_parse(s, have, SMTP_REPLY_OPT_STREAM, &b);
        ck_assert_msg(ra == rb, "%.20s... at %zu of %zu (chunk %zu): incremental %s, whole %s", s, have,
                      len, chunk, smtp_reply_error_name(ra), smtp_reply_error_name(rb));
        ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "%.20s... at %zu: replies differ", s, have);
        if (ra != SMTP_REPLY_E_INCOMPLETE && ra != SMTP_REPLY_E_BLANK)
            break;
        if (have == len)
            break;
    }
}

START_TEST(test_incremental_equals_whole)
{
    const char *s = stream_inputs[_i];
    size_t chunks[] = {1, 2, 3, 7, 64};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++)
        check_incremental(s, strlen(s), chunks[c]);
}
END_TEST

START_TEST(test_incremental_stream_of_replies)
{
    const char *wire = "220 mx.example.com ESMTP\r\n250-mx.example.com\r\n250 PIPELINING\r\n"
                       "250 2.1.0 Ok\r\n550 5.1.1 <a@example.com>: Recipient address rejected\r\n"
                       "354 End data with <CR><LF>.<CR><LF>\r\n";
    const int codes[] = {220, 250, 250, 550, 354};
    size_t len = strlen(wire), start = 0, have = 0, got = 0;
    smtp_reply_stream st;
    smtp_reply_stream_init(&st);
    while (have < len) {
        have += 3; /* three bytes arrive */
        if (have > len)
            have = len;
        for (;;) {
            smtp_reply r;
            int rc = smtp_reply_parse_stream(&st, wire + start, have - start, &r);
            if (rc == SMTP_REPLY_E_INCOMPLETE || (rc == SMTP_REPLY_E_EMPTY && have == start))
                break;
            ck_assert_int_eq(rc, SMTP_REPLY_OK);
            ck_assert_int_lt(got, 5);
            ck_assert_int_eq(r.code, codes[got++]);
            start += r.consumed;
        }
    }
    ck_assert_uint_eq(got, 5);
    ck_assert_uint_eq(start, len);
}
END_TEST

/* The denial of service of issue 10: a long reply dripped one byte at a time.
 * The work is counted in bytes examined, not in seconds: it must stay a small
 * multiple of the reply's length (rescanning from byte 0 on every arrival would
 * examine about len * len / 2 bytes). */
START_TEST(test_incremental_is_linear)
{
    size_t len = 1u << 20, n = 0;
    char *buf = malloc(len + 64);
    if (_i == 0) {
        /* 1 MB of short continuation lines, then the final line */
        while (n + 12 <= len) {
            memcpy(buf + n, "550-a b c d\n", 12);
            n += 12;
        }
    } else {
        /* one 1 MB line */
        memcpy(buf, "550 ", 4);
        memset(buf + 4, 'x', len - 4);
        n = len;
    }
    memcpy(buf + n, "550 end\r\n", 9);
    n += 9;
    smtp_reply_stream st;
    smtp_reply r;
    smtp_reply_stream_init(&st);
    int rc = SMTP_REPLY_E_INCOMPLETE;
    size_t have = 0;
    while (rc == SMTP_REPLY_E_INCOMPLETE && have < n)
        rc = smtp_reply_parse_stream(&st, buf, ++have, &r);
    ck_assert_int_eq(rc, SMTP_REPLY_OK);
    ck_assert_uint_eq(have, n); /* complete exactly when the final line break arrives */
    ck_assert_uint_eq(r.consumed, have);
    ck_assert_msg(st.examined <= 3 * (uint64_t)have, "examined %llu bytes for %zu",
                  (unsigned long long)st.examined, have);
    free(buf);
}
END_TEST

START_TEST(test_incremental_null_arguments)
{
    smtp_reply_stream st;
    smtp_reply r;
    smtp_reply_stream_init(&st);
    smtp_reply_stream_init(NULL);
    ck_assert_int_eq(smtp_reply_parse_stream(NULL, "250 ok\r\n", 8, &r), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_parse_stream(&st, "250 ok\r\n", 8, NULL), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_parse_stream(&st, NULL, 0, &r), SMTP_REPLY_E_EMPTY);
    ck_assert_int_eq(smtp_reply_parse_stream(&st, NULL, 3, &r), SMTP_REPLY_E_NULL);
    /* a buffer shorter than what the state has seen starts a new stream */
    ck_assert_int_eq(smtp_reply_parse_stream(&st, "550-a\r\n550", 10, &r), SMTP_REPLY_E_INCOMPLETE);
    ck_assert_int_eq(smtp_reply_parse_stream(&st, "250 ok\r\n", 8, &r), SMTP_REPLY_OK);
    ck_assert_int_eq(r.code, 250);
    ck_assert_uint_eq(smtp_reply_sizeof_stream(), sizeof(smtp_reply_stream));
}
END_TEST

START_TEST(test_null_arguments)
{
    smtp_reply r;
    ck_assert_int_eq(smtp_reply_parse(NULL, 0, 0, &r), SMTP_REPLY_E_EMPTY);
    ck_assert_int_eq(smtp_reply_parse(NULL, 5, 0, &r), SMTP_REPLY_E_NULL);
    ck_assert_int_eq(smtp_reply_parse("250 ok", 6, 0, NULL), SMTP_REPLY_E_NULL);
    ck_assert_uint_eq(smtp_reply_text(NULL, 0, NULL, NULL, 0), 0);
    char small[4];
    ck_assert_int_eq(smtp_reply_parse("550 five bytes", 14, 0, &r), 0);
    ck_assert_uint_eq(smtp_reply_text("550 five bytes", 14, &r, small, sizeof small), 10);
    ck_assert_str_eq(small, "fiv");
    ck_assert_uint_eq(smtp_reply_text("550 five bytes", 14, &r, NULL, 0), 10);
}
END_TEST

/* Hostile sizes: each returns promptly with a defined result. */
START_TEST(test_huge_inputs)
{
    size_t big = 1u << 20;
    char *buf = malloc(big + 16);
    smtp_reply r;
    smtp_reply_result res;

    memcpy(buf, "550 ", 4); /* a 1 MB line */
    memset(buf + 4, 'a', big - 4);
    ck_assert_int_eq(smtp_reply_parse(buf, big, 0, &r), 0);
    ck_assert(r.flags & SMTP_REPLY_F_LONG_LINE);
    ck_assert_int_eq(smtp_reply_classify(buf, big, &r, &res), 0);

    memset(buf, 0, big); /* all NUL */
    ck_assert_int_eq(smtp_reply_parse(buf, big, 0, &r), SMTP_REPLY_E_BINARY);
    ck_assert_int_eq(smtp_reply_parse(buf, big, SMTP_REPLY_OPT_STREAM, &r), SMTP_REPLY_E_NO_CODE);

    /* 100,000 continuation lines and no final line */
    size_t n = 0;
    while (n + 10 <= big && n / 10 < 100000) {
        memcpy(buf + n, "550-a b c\n", 10);
        n += 10;
    }
    ck_assert_int_eq(smtp_reply_parse(buf, n, SMTP_REPLY_OPT_STREAM, &r), SMTP_REPLY_E_INCOMPLETE);
    ck_assert_int_eq(smtp_reply_parse(buf, n, 0, &r), 0);
    ck_assert(r.flags & SMTP_REPLY_F_NO_FINAL_LINE);
    ck_assert(r.flags & SMTP_REPLY_F_LINES_TRUNCATED);
    ck_assert_uint_eq(r.nstored, SMTP_REPLY_MAX_LINES);
    ck_assert_uint_eq(r.nlines, n / 10);
    ck_assert_int_eq(smtp_reply_classify(buf, n, &r, &res), 0);
    free(buf);
}
END_TEST

START_TEST(test_over_the_byte_cap)
{
    size_t big = (size_t)SMTP_REPLY_MAX_BYTES + 100;
    char *buf = malloc(big);
    smtp_reply r;
    memcpy(buf, "550-", 4);
    memset(buf + 4, 'x', big - 4);
    ck_assert_int_eq(smtp_reply_parse(buf, big, SMTP_REPLY_OPT_STREAM, &r), SMTP_REPLY_E_TOO_LONG);
    ck_assert_int_eq(smtp_reply_parse(buf, big, 0, &r), 0);
    ck_assert(r.flags & SMTP_REPLY_F_BYTES_TRUNCATED);
    ck_assert(r.consumed <= SMTP_REPLY_MAX_BYTES);
    free(buf);
}
END_TEST

Suite *parse_suite(void)
{
    Suite *s = suite_create("parse");
    TCase *tc = tcase_create("rows");
    tcase_add_loop_test(tc, test_rows, 0, (int)(sizeof rows / sizeof rows[0]));
    tcase_add_loop_test(tc, test_every_truncation, 0, (int)(sizeof multiline / sizeof multiline[0]));
    tcase_add_test(tc, test_stream_of_replies);
    tcase_add_test(tc, test_null_arguments);
    tcase_add_loop_test(tc, test_incremental_equals_whole, 0,
                        (int)(sizeof stream_inputs / sizeof stream_inputs[0]));
    tcase_add_test(tc, test_incremental_stream_of_replies);
    tcase_add_test(tc, test_incremental_null_arguments);
    suite_add_tcase(s, tc);
    TCase *big = tcase_create("limits");
    tcase_set_timeout(big, 60);
    tcase_add_test(big, test_huge_inputs);
    tcase_add_test(big, test_over_the_byte_cap);
    tcase_add_loop_test(big, test_incremental_is_linear, 0, 2);
    suite_add_tcase(s, big);
    return s;
}
