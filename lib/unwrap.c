/*
 * unwrap.c - find the reply inside whatever holds it.
 *
 * Users hold replies in many wrappers: DSN fields ("Diagnostic-Code: smtp; 550
 * ..."), MTA log lines (Postfix "host X said: 550 ... (in reply to RCPT TO
 * command)", Exim "SMTP error from remote mail server after RCPT TO:<a@b>: 550
 * ...", qmail "Remote host said: 550 ...", Sendmail "dsn=5.1.1, stat=User
 * unknown" and "<<< 550 ..."), and Exchange NDR text ("Remote Server returned
 * '550 5.1.1 ...'").  This file knows those input formats (their punctuation and
 * field names); it knows nothing about what a reply means.  A raw reply passes
 * straight through.
 *
 * Every search is a bounded forward scan over [0, len): linear, no recursion.
 */
#include <string.h>

#include "internal.h"

static unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Case-insensitive search for needle (lower case) in b[from, to). */
static size_t find(const char *b, size_t from, size_t to, const char *needle)
{
    size_t nl = strlen(needle);
    if (to < nl)
        return (size_t)-1;
    for (size_t i = from; i + nl <= to; i++) {
        if (lower((unsigned char)b[i]) != (unsigned char)needle[0])
            continue;
        size_t k = 1;
        while (k < nl && lower((unsigned char)b[i + k]) == (unsigned char)needle[k])
            k++;
        if (k == nl)
            return i;
    }
    return (size_t)-1;
}

/* Input formats: a marker that precedes the reply, the wrapper it tells, and
 * how the reply region ends. */
enum { END_NONE, END_POSTFIX, END_QUOTE, END_PAREN, END_HASHES, END_FIELD };
static const struct marker {
    const char *text;
    uint8_t wrapper;
    uint8_t end;
} markers[] = {
    {"diagnostic-code:", SMTP_REPLY_WRAP_DSN, END_FIELD},
    {"remote server returned '", SMTP_REPLY_WRAP_EXCHANGE, END_QUOTE},
    {"remote host said:", SMTP_REPLY_WRAP_QMAIL, END_NONE},
    {"said:", SMTP_REPLY_WRAP_POSTFIX, END_POSTFIX},
    {"smtp error from remote mail server after ", SMTP_REPLY_WRAP_EXIM, END_NONE},
    {"smtp error from remote mailer after ", SMTP_REPLY_WRAP_EXIM, END_NONE},
    {"<<< ", SMTP_REPLY_WRAP_SENDMAIL, END_NONE},
    {"reply: ", SMTP_REPLY_WRAP_SENDMAIL, END_NONE},
    {"dsn=", SMTP_REPLY_WRAP_SENDMAIL, END_NONE},
    {"status=deferred (", SMTP_REPLY_WRAP_POSTFIX, END_PAREN},
    {"status=bounced (", SMTP_REPLY_WRAP_POSTFIX, END_PAREN},
    {"status=undeliverable (", SMTP_REPLY_WRAP_POSTFIX, END_PAREN},
    {"status=expired, returned to sender (", SMTP_REPLY_WRAP_POSTFIX, END_PAREN},
    {"smtp;", SMTP_REPLY_WRAP_OTHER, END_NONE},
    {"status:", SMTP_REPLY_WRAP_DSN, END_FIELD},
};

/* Phrases of the wrappers that name the SMTP command a reply answered. */
static const struct stage_phrase {
    const char *text;
    uint8_t stage;
} stage_phrases[] = {
    {"in reply to end of data", SMTP_REPLY_STAGE_EOD},
    {"after end of data", SMTP_REPLY_STAGE_EOD},
    {"in reply to rcpt to", SMTP_REPLY_STAGE_RCPT},
    {"after rcpt to", SMTP_REPLY_STAGE_RCPT},
    {">>> rcpt to", SMTP_REPLY_STAGE_RCPT},
    {"in reply to mail from", SMTP_REPLY_STAGE_MAIL},
    {"after mail from", SMTP_REPLY_STAGE_MAIL},
    {">>> mail from", SMTP_REPLY_STAGE_MAIL},
    {"in reply to data", SMTP_REPLY_STAGE_DATA},
    {"after data", SMTP_REPLY_STAGE_DATA},
    {">>> data", SMTP_REPLY_STAGE_DATA},
    {"in reply to ehlo", SMTP_REPLY_STAGE_HELO},
    {"in reply to helo", SMTP_REPLY_STAGE_HELO},
    {"in reply to lhlo", SMTP_REPLY_STAGE_HELO},
    {"after ehlo", SMTP_REPLY_STAGE_HELO},
    {"after helo", SMTP_REPLY_STAGE_HELO},
    {">>> ehlo", SMTP_REPLY_STAGE_HELO},
    {">>> helo", SMTP_REPLY_STAGE_HELO},
    {"in reply to starttls", SMTP_REPLY_STAGE_STARTTLS},
    {"after starttls", SMTP_REPLY_STAGE_STARTTLS},
    {"in reply to auth", SMTP_REPLY_STAGE_AUTH},
    {"after auth", SMTP_REPLY_STAGE_AUTH},
    {"after initial connection", SMTP_REPLY_STAGE_CONNECT},
    {"while receiving the initial server greeting", SMTP_REPLY_STAGE_CONNECT},
    {"refused to talk to me", SMTP_REPLY_STAGE_CONNECT},
    {"after connect", SMTP_REPLY_STAGE_CONNECT},
    {"connect to ", SMTP_REPLY_STAGE_CONNECT},
};

/* Where does a reply code ("550 " / "550-") or enhanced code start in [p, end)? */
static size_t next_code(const char *buf, size_t p, size_t end)
{
    const unsigned char *b = (const unsigned char *)buf;
    for (size_t i = p; i + 3 <= end; i++) {
        if (b[i] < '2' || b[i] > '5')
            continue;
        if (i > p && (is_digit(b[i - 1]) || b[i - 1] == '.' || b[i - 1] == '[' ||
                      (lower(b[i - 1]) >= 'a' && lower(b[i - 1]) <= 'z')))
            continue;
        if (is_digit(b[i + 1]) && is_digit(b[i + 2]) &&
            (i + 3 == end || b[i + 3] == ' ' || b[i + 3] == '-' || b[i + 3] == '\r' ||
             b[i + 3] == '\n'))
            return i;
        uint16_t v[3];
        if (b[i + 1] == '.' && smtp__read_enhanced(buf, i, end, v))
            return i;
    }
    return (size_t)-1;
}

static uint32_t find_stage(const char *buf, size_t from, size_t to)
{
    size_t best = (size_t)-1;
    uint32_t stage = SMTP_REPLY_STAGE_UNKNOWN;
    for (size_t i = 0; i < SMTP__ARRAY_SIZE(stage_phrases); i++) {
        size_t at = find(buf, from, to, stage_phrases[i].text);
        if (at < best) {
            best = at;
            stage = stage_phrases[i].stage;
        }
    }
    return stage;
}

void smtp__unwrap(const char *buf, size_t len, struct smtp__unwrapped *u)
{
    const unsigned char *b = (const unsigned char *)buf;
    u->start = 0;
    u->end = len;
    u->wrapper = SMTP_REPLY_WRAP_NONE;
    u->stage = SMTP_REPLY_STAGE_UNKNOWN;

    size_t p = 0;
    while (p < len && (b[p] == ' ' || b[p] == '\t' || b[p] == '\r' || b[p] == '\n'))
        p++;
    /* A raw reply: starts with a code ("#550 ..." is Exchange's NDR form). */
    size_t q = p < len && b[p] == '#' ? p + 1 : p;
    if (q + 3 <= len && b[q] >= '2' && b[q] <= '5' && is_digit(b[q + 1]) && is_digit(b[q + 2])) {
        if (q > p) {
            u->start = q;
            u->wrapper = SMTP_REPLY_WRAP_EXCHANGE;
            size_t h = find(buf, q, len, " ##");
            if (h != (size_t)-1)
                u->end = h;
        }
        u->stage = find_stage(buf, u->end, len);
        return;
    }

    /* A Diagnostic-Code field wins wherever it is; otherwise the earliest
     * marker; a bare "Status:" field only when there is nothing else. */
    const size_t nm = SMTP__ARRAY_SIZE(markers);
    const struct marker *m = NULL;
    size_t at = find(buf, p, len, markers[0].text);
    if (at != (size_t)-1) {
        m = &markers[0];
    } else {
        for (size_t i = 1; i + 1 < nm; i++) {
            size_t f = find(buf, p, len, markers[i].text);
            if (f < at) {
                at = f;
                m = &markers[i];
            }
        }
        if (m == NULL && (at = find(buf, p, len, markers[nm - 1].text)) != (size_t)-1)
            m = &markers[nm - 1];
    }
    if (m == NULL) {
        u->stage = find_stage(buf, p, len);
        return;
    }
    size_t s = at + strlen(m->text), e = len;
    switch (m->end) {
    case END_FIELD: {
        /* "Diagnostic-Code: smtp; 550 ...", folded onto indented lines */
        size_t nl = s;
        while (nl < len) {
            while (nl < len && b[nl] != '\n')
                nl++;
            if (nl + 1 < len && (b[nl + 1] == ' ' || b[nl + 1] == '\t')) {
                nl++;
                continue;
            }
            break;
        }
        e = nl;
        size_t semi = s;
        while (semi < e && b[semi] != ';' && b[semi] != '\n' && semi - s < 32)
            semi++;
        if (semi < e && b[semi] == ';')
            s = semi + 1;
        break;
    }
    case END_QUOTE: {
        size_t last = (size_t)-1;
        for (size_t i = s; i < len; i++)
            if (b[i] == '\'')
                last = i;
        if (last != (size_t)-1)
            e = last;
        break;
    }
    case END_PAREN: {
        size_t last = (size_t)-1;
        for (size_t i = s; i < len; i++)
            if (b[i] == ')')
                last = i;
        if (last != (size_t)-1)
            e = last;
        /* "host X said: 550 ..." inside the parentheses */
        size_t said = find(buf, s, e, "said:");
        if (said != (size_t)-1)
            s = said + 5;
        size_t irt = find(buf, s, e, " (in reply to ");
        if (irt != (size_t)-1)
            e = irt;
        break;
    }
    case END_POSTFIX: {
        size_t irt = find(buf, s, len, " (in reply to ");
        if (irt != (size_t)-1)
            e = irt;
        break;
    }
    default:
        break;
    }
    if (m->wrapper == SMTP_REPLY_WRAP_EXIM || m->wrapper == SMTP_REPLY_WRAP_SENDMAIL) {
        /* Exim names the command, an address and maybe a host before the reply */
        size_t c = next_code(buf, s, e);
        if (c != (size_t)-1 && m->wrapper == SMTP_REPLY_WRAP_EXIM)
            s = c;
    }
    while (s < e && (b[s] == ' ' || b[s] == '\t' || b[s] == '\'' || b[s] == '"'))
        s++;
    if (s < e && b[s] == '#' && s + 1 < e && is_digit(b[s + 1]))
        s++;
    u->start = s;
    u->end = e;
    u->wrapper = m->wrapper;
    /* the stage is named outside the reply: before it or after it */
    u->stage = find_stage(buf, e, len);
    if (u->stage == SMTP_REPLY_STAGE_UNKNOWN)
        u->stage = find_stage(buf, p, s);
}
