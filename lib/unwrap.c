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

/* How a marker's reply region ends (data/wrappers.tsv "end"). */
enum { END_NONE = 0, END_POSTFIX = 1, END_QUOTE = 2, END_PAREN = 3, END_FIELD = 5 };
#define NOWHERE ((size_t)-1)

/* First and last place each wrapper string (marker or stage phrase) occurs:
 * one pass of the wrapper automaton over the input. */
struct hits {
    size_t first[SMTP__MAX_WRAPS];
    size_t last[SMTP__MAX_WRAPS];
};

static void scan_wrappers(const char *buf, size_t from, size_t to, struct hits *h)
{
    const unsigned char *b = (const unsigned char *)buf;
    uint32_t n = smtp__nwraps < SMTP__MAX_WRAPS ? smtp__nwraps : SMTP__MAX_WRAPS;
    for (uint32_t i = 0; i < n; i++)
        h->first[i] = h->last[i] = NOWHERE;
    uint32_t s = 0;
    for (size_t i = from; i < to; i++) {
        uint32_t v = smtp__wr_dense[(size_t)s * smtp__wr_nclasses + smtp__wr_cls[b[i]]];
        s = v >> 1;
        if (!(v & 1))
            continue;
        for (uint32_t o = smtp__wr_out_start[s]; o < smtp__wr_out_start[s + 1]; o++) {
            uint32_t w = smtp__wr_out[o];
            if (w >= n)
                continue;
            size_t at = i + 1 - smtp__wraps[w].len;
            if (h->first[w] == NOWHERE)
                h->first[w] = at;
            h->last[w] = at;
        }
    }
}

/* The earliest stage phrase inside [from, to). */
static uint32_t find_stage(const struct hits *h, size_t from, size_t to)
{
    size_t best = NOWHERE;
    uint32_t stage = SMTP_REPLY_STAGE_UNKNOWN;
    uint32_t n = smtp__nwraps < SMTP__MAX_WRAPS ? smtp__nwraps : SMTP__MAX_WRAPS;
    for (uint32_t w = 0; w < n; w++) {
        if (smtp__wraps[w].kind != 1)
            continue;
        size_t at = h->first[w] >= from ? h->first[w] : h->last[w];
        if (at == NOWHERE || at < from || at >= to)
            continue;
        if (at < best) {
            best = at;
            stage = smtp__wraps[w].stage;
        }
    }
    return stage;
}

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

/* The last c in b[s, e), or e when there is none. */
static size_t last_of(const unsigned char *b, size_t s, size_t e, unsigned char c)
{
    for (size_t i = e; i > s; i--)
        if (b[i - 1] == c)
            return i - 1;
    return e;
}

/* The reply region a marker found at `at` opens: [*s, *e), within the current
 * region's end *e. */
static void apply_marker(const char *buf, const struct smtp__wrap *m, size_t at, size_t *sp,
                         size_t *ep)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t s = at + m->len, e = *ep;
    switch (m->end) {
    case END_FIELD: {
        /* "Diagnostic-Code: smtp; 550 ...", folded onto indented lines */
        size_t nl = s;
        while (nl < e) {
            while (nl < e && b[nl] != '\n')
                nl++;
            if (nl + 1 < e && (b[nl + 1] == ' ' || b[nl + 1] == '\t')) {
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
    case END_QUOTE:
        e = last_of(b, s, e, '\'');
        break;
    case END_PAREN: {
        e = last_of(b, s, e, ')');
        /* "host X said: 550 ..." inside the parentheses */
        size_t said = find(buf, s, e, "said:");
        if (said != NOWHERE)
            s = said + 5;
        size_t irt = find(buf, s, e, " (in reply to ");
        if (irt != NOWHERE)
            e = irt;
        break;
    }
    case END_POSTFIX: {
        size_t irt = find(buf, s, e, " (in reply to ");
        if (irt != NOWHERE)
            e = irt;
        break;
    }
    default:
        break;
    }
    if (m->wrapper == SMTP_REPLY_WRAP_EXIM) {
        /* Exim names the command, an address and maybe a host before the reply */
        size_t c = next_code(buf, s, e);
        if (c != NOWHERE)
            s = c;
    }
    *sp = s < e ? s : e;
    *ep = e;
}

void smtp__unwrap(const char *buf, size_t len, struct smtp__unwrapped *u)
{
    const unsigned char *b = (const unsigned char *)buf;
    struct hits h;
    u->start = 0;
    u->end = len;
    u->wrapper = SMTP_REPLY_WRAP_NONE;
    u->stage = SMTP_REPLY_STAGE_UNKNOWN;

    size_t p = 0;
    while (p < len && (b[p] == ' ' || b[p] == '\t' || b[p] == '\r' || b[p] == '\n'))
        p++;
    /* A raw reply: starts with a code ("#550 ..." is Exchange's NDR form). */
    size_t q = p < len && b[p] == '#' ? p + 1 : p;
    if (q + 3 <= len && b[q] >= '2' && b[q] <= '5' && is_digit(b[q + 1]) && is_digit(b[q + 2]) &&
        (q + 3 == len || b[q + 3] == ' ' || b[q + 3] == '-' || b[q + 3] == ':' || b[q + 3] == '\r' ||
         b[q + 3] == '\n')) {
        if (q > p) {
            u->start = q;
            u->wrapper = SMTP_REPLY_WRAP_EXCHANGE;
            size_t hh = find(buf, q, len, " ##");
            if (hh != NOWHERE)
                u->end = hh;
            scan_wrappers(buf, u->end, len, &h);
            u->stage = find_stage(&h, u->end, len);
        }
        return;
    }

    scan_wrappers(buf, p, len, &h);
    /* Rank 1 markers win wherever they are; then the earliest rank 2 marker;
     * a rank 3 marker only when nothing else matched. */
    const struct smtp__wrap *m = NULL;
    size_t at = NOWHERE;
    uint32_t n = smtp__nwraps < SMTP__MAX_WRAPS ? smtp__nwraps : SMTP__MAX_WRAPS;
    for (uint32_t w = 0; w < n; w++) {
        const struct smtp__wrap *x = &smtp__wraps[w];
        if (x->kind != 0 || h.first[w] == NOWHERE)
            continue;
        if (m == NULL || x->rank < m->rank || (x->rank == m->rank && h.first[w] < at)) {
            at = h.first[w];
            m = x;
        }
    }
    if (m == NULL) {
        u->stage = find_stage(&h, p, len);
        return;
    }
    u->wrapper = m->wrapper;
    size_t s = p, e = len;
    /* A wrapper may hold another ("Diagnostic-Code: smtp; host X said: 550 ...");
     * look inside a few times at most: bounded, no recursion. */
    for (int depth = 0; m != NULL && depth < 4; depth++) {
        apply_marker(buf, m, at, &s, &e);
        while (s < e && (b[s] == ' ' || b[s] == '\t' || b[s] == '\'' || b[s] == '"'))
            s++;
        if (s < e && b[s] == '#' && s + 1 < e && is_digit(b[s + 1]))
            s++;
        if (s + 3 <= e && is_digit(b[s]) && is_digit(b[s + 1]) && is_digit(b[s + 2]))
            break; /* a reply code: found it */
        /* the earliest further marker inside the region */
        m = NULL;
        at = NOWHERE;
        for (uint32_t w = 0; w < n; w++) {
            const struct smtp__wrap *x = &smtp__wraps[w];
            size_t f = h.first[w] >= s ? h.first[w] : h.last[w];
            if (x->kind != 0 || x->rank != 2 || f == NOWHERE || f < s || f >= e)
                continue;
            if (f < at) {
                at = f;
                m = x;
            }
        }
    }
    u->start = s;
    u->end = e;
    /* the stage is named outside the reply: after it (Postfix) or before it (Exim) */
    u->stage = find_stage(&h, e, len);
    if (u->stage == SMTP_REPLY_STAGE_UNKNOWN)
        u->stage = find_stage(&h, p, s);
    /* a diagnostic without a reply ("connect to x: Connection refused") names
     * its stage itself; a reply's own text does not (as for a bare reply) */
    if (u->stage == SMTP_REPLY_STAGE_UNKNOWN && !(s < e && is_digit(b[s])))
        u->stage = find_stage(&h, s, e);
}
