/*
 * unwrap.c - find the reply inside whatever holds it.
 *
 * Users hold replies in many wrappers: DSN fields ("Diagnostic-Code: smtp; 550
 * ..."), MTA log lines (Postfix "host X said: 550 ... (in reply to RCPT TO
 * command)" and "NOQUEUE: reject: RCPT from ...", Exim "** a@b ... SMTP error
 * from remote mail server after RCPT TO:<a@b>: 550 ...", Sendmail "reply=550
 * ..., stat=...", OpenSMTPD result="550 ..."), bounce and NDR text, and the
 * error texts of SMTP client libraries (smtplib's "(550, b'5.1.1 ...')").  This
 * file knows those forms only by the rows of data/wrappers.tsv (their markers,
 * where a marker's region starts and ends, the texts that name the stage, the
 * recipient and the codes); it holds no phrase of its own and knows nothing
 * about what a reply means.  A raw reply passes straight through.
 *
 * Work: one pass of the wrapper automaton over the text; what a pass over each
 * nested wrapper's region (at most MAX_DEPTH, each inside the one before) and
 * over the text after the reply would find is read from the occurrences that
 * pass logged (a pass over the bytes again only when more occur than the log
 * holds); the other scans (line and field ends, a code, a
 * word, an address of at most MAX_ADDRESS bytes) are bounded by those regions.
 * No recursion, no allocation; u->examined counts the bytes examined.
 */
#include <string.h>

#include "internal.h"

#define NOWHERE 0xffffffffu
#define MAX_DEPTH 4
#define MAX_ADDRESS 320u   /* RFC 5321: a path is at most 256 octets */

/* First and last place each wrapper text occurs within one pass's range
 * (offsets fit 32 bits: input is at most SMTP_REPLY_MAX_BYTES), and the texts
 * that occur, in the order they first do: the questions below walk those few
 * rather than every row of the table.  first[w] and last[w] are set when bit w
 * of seen is, and only then read: a pass clears 32 bytes, not the whole table. */
struct hits {
    uint64_t seen[SMTP__MAX_WRAPS / 64];
    uint32_t first[SMTP__MAX_WRAPS];
    uint32_t last[SMTP__MAX_WRAPS];
    uint16_t id[SMTP__MAX_WRAPS];
    uint32_t n;
};

static inline int seen(const struct hits *h, uint32_t w) { return (h->seen[w / 64] >> (w % 64)) & 1; }

static void clear_hits(struct hits *h)
{
    memset(h->seen, 0, sizeof h->seen);
    h->n = 0;
}

static uint32_t nwraps(void) { return smtp__nwraps < SMTP__MAX_WRAPS ? smtp__nwraps : SMTP__MAX_WRAPS; }

/* Every occurrence the pass over the whole text met, in the order it met them
 * (at most MAX_HITS).  The automaton reports every text that ends at a byte,
 * not only the longest, so the occurrences inside a part of the text are
 * exactly what a pass over that part alone would report, in the same order: the
 * passes over a wrapper's region and over the text after the reply are walks
 * of this list instead of second passes over the bytes.  A text with more
 * occurrences than fit (full) gets those passes over its bytes, as before. */
#define MAX_HITS 128
struct hitlog {
    uint32_t n;
    int full;
    uint32_t at[MAX_HITS];
    uint16_t w[MAX_HITS];
};

/* Note text w at `at` in h (and in log when there is one). */
static inline void hit(struct hits *h, struct hitlog *log, uint32_t w, uint32_t at)
{
    if (!seen(h, w)) {
        h->seen[w / 64] |= (uint64_t)1 << (w % 64);
        h->first[w] = at;
        h->id[h->n++] = (uint16_t)w;
    }
    h->last[w] = at;
    if (log) {
        if (log->n < MAX_HITS) {
            log->at[log->n] = at;
            log->w[log->n++] = (uint16_t)w;
        } else {
            log->full = 1;
        }
    }
}

/* The entry of state t: (t << 1) | 1 when it has outputs. */
static inline uint32_t deep_entry(uint32_t t)
{
    return t << 1 | (uint32_t)(smtp__wr_nodes[t].cls0 >> 7);
}

/* One step of the wrapper automaton from a deep state s (>= SMTP__WR_NDENSE) on
 * class c: the first child is the next state, then the further edges, then the
 * fail links down to a shallow state's row.  Returns the next state's entry,
 * (next << 1) | 1 when it has outputs. */
static uint32_t deep_step(uint32_t s, uint8_t c)
{
    do {
        const struct smtp__node *nd = &smtp__wr_nodes[s];
        if ((nd->cls0 & ~SMTP__WR_OUT_BIT) == c)
            return deep_entry(s + 1);
        if (nd->more)
            for (const struct smtp__edge *e =
                     &smtp__wr_edges[smtp__wr_edge_base[s >> SMTP__WR_EDGE_SHIFT] + nd->more - 1u];;
                 e++) {
                if (e->cls == c)
                    return deep_entry(e->to); /* a child: deep too */
                if (e->last)
                    break;
            }
        s = nd->fail;
    } while (s >= SMTP__WR_NDENSE);
    uint32_t v = smtp__wr_dense[(size_t)s * SMTP__WR_NCLASSES + c];
    /* a shallow state's bit is its outputs; a deep one's is in its node */
    return (v >> 1) < SMTP__WR_NDENSE ? v : deep_entry(v >> 1);
}

/* The fast loop of run() below: shallow states by their rows from state s over
 * b[i..to), until an entry's bit says outputs or a deep state (or to). */
#define FAST_LOOP(s, i, to)                                                  \
    do {                                                                   \
        uint32_t v_ = (s) << 1;                                            \
        for (; (i) < (to); (i)++) {                                        \
            v_ = smtp__wr_dense[(size_t)v_ * SMTP__WR_NCLASSES / 2 + smtp__wr_cls[b[i]]]; \
            if (SMTP__RARELY(v_ & 1))                                      \
                break;                                                     \
        }                                                                  \
        (s) = v_ >> 1;                                                     \
    } while (0)

/* run() from deep state *sp, entered by the byte before b[i]: step by the
 * nodes until a state with outputs (the offset of the byte that entered it) or
 * back in a shallow state, and so on to to. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static size_t run_deep(const unsigned char *b, size_t i, size_t to, uint32_t *sp)
{
    uint32_t s = *sp;
    for (;;) {
        while (i < to) {
            /* along a text: the first child is the next state */
            uint32_t c0 = smtp__wr_nodes[s].cls0;
            if ((c0 & ~SMTP__WR_OUT_BIT) == smtp__wr_cls[b[i]]) {
                s++;
                if (smtp__wr_nodes[s].cls0 & SMTP__WR_OUT_BIT)
                    goto out;
                i++;
                continue;
            }
            uint32_t v = deep_step(s, smtp__wr_cls[b[i]]);
            s = v >> 1;
            if (v & 1)
                goto out;
            i++;
            if (s < SMTP__WR_NDENSE)
                break;
        }
        if (i >= to)
            break;
        FAST_LOOP(s, i, to);
        if (s < SMTP__WR_NDENSE || i >= to || (smtp__wr_nodes[s].cls0 & SMTP__WR_OUT_BIT))
            break;
        i++;
    }
out:
    *sp = s;
    return i;
}

/* Step the wrapper automaton from state *sp over b[i..to) until it enters a
 * state with outputs: returns the offset of the byte that entered it (to when
 * none did) and leaves the state in *sp.  The fast loop holds only the entry,
 * the offset and the two tables, so that they stay in registers.  An entry is
 * (state << 1) | 1 when the state has outputs or is a deep one (no dense row);
 * while the loop runs the bit is 0, the entry is even and entry * NCLASSES / 2
 * is the state's row: no shift, and the multiplication by the constant is two
 * lea instructions for 54 classes.  Deep states (a text's prefix longer than
 * gen-tables.py's WR_DENSE_DEPTH) step by their nodes (run_deep) until they
 * have outputs or fall back to a shallow state. */
static inline size_t run(const unsigned char *b, size_t i, size_t to, uint32_t *sp)
{
    uint32_t s = *sp;
    if (SMTP__RARELY(s >= SMTP__WR_NDENSE))
        return run_deep(b, i, to, sp);
    FAST_LOOP(s, i, to);
    *sp = s;
    /* the end, or a shallow state's bit: its outputs */
    if (SMTP__RARELY(s >= SMTP__WR_NDENSE) && i < to && !(smtp__wr_nodes[s].cls0 & SMTP__WR_OUT_BIT))
        return run_deep(b, i + 1, to, sp);
    return i;
}
#undef FAST_LOOP
/* One pass of the wrapper automaton over [from, to); log, when not NULL,
 * records every occurrence. */
static void scan(const char *buf, size_t from, size_t to, struct hits *h, struct hitlog *log,
                 uint64_t *examined)
{
    const unsigned char *b = (const unsigned char *)buf;
    uint32_t n = nwraps();
    clear_hits(h);
    if (log)
        log->n = log->full = 0;
    uint32_t s = 0;
    for (size_t i = run(b, from, to, &s); i < to; i = run(b, i + 1, to, &s)) {
        for (uint32_t o = smtp__wr_out_start[s]; o < smtp__wr_out_start[s + 1]; o++) {
            uint32_t w = smtp__wr_out[o];
            if (w >= n)
                continue;
            hit(h, log, w, (uint32_t)(i + 1 - smtp__wraps[w].len));
        }
    }
    *examined += to > from ? to - from : 0;
}

/* What a pass over [from, to) would find, when [from, to) lies inside the range
 * of the pass that filled log: from the log when it holds every occurrence,
 * else by a pass over the bytes. */
static void scan_part(const char *buf, size_t from, size_t to, const struct hitlog *log,
                      struct hits *h, uint64_t *examined)
{
    if (log->full) {
        scan(buf, from, to, h, NULL, examined);
        return;
    }
    clear_hits(h);
    for (uint32_t k = 0; k < log->n; k++) {
        uint32_t w = log->w[k], at = log->at[k];
        if (at >= from && at + smtp__wraps[w].len <= to)
            hit(h, NULL, w, at);
    }
}

/* The first occurrence of text w at or after `from` that ends by `to`, as far as
 * the pass that filled h tells (its first or its last occurrence). */
static uint32_t occurrence(const struct hits *h, uint32_t w, size_t from, size_t to)
{
    uint32_t len = smtp__wraps[w].len;
    if (!seen(h, w))
        return NOWHERE;
    if (h->first[w] >= from && h->first[w] + len <= to)
        return h->first[w];
    if (h->last[w] >= from && h->last[w] + len <= to)
        return h->last[w];
    return NOWHERE;
}

/* A reply code (NNN followed by a separator) or an enhanced code at b[i]. */
static int code_at(const char *buf, size_t i, size_t end)
{
    const unsigned char *b = (const unsigned char *)buf;
    if (i + 3 > end || b[i] < '2' || b[i] > '5')
        return 0;
    if (smtp__digit(b[i + 1]) && smtp__digit(b[i + 2]) &&
        (i + 3 == end || b[i + 3] == ' ' || b[i + 3] == '-' || b[i + 3] == '\r' || b[i + 3] == '\n'))
        return 1;
    uint16_t v[3];
    return b[i + 1] == '.' && smtp__read_enhanced(buf, i, end, v) != 0;
}

/* start=code: the first code that opens [s, e) (after white space) or follows a
 * ':' or '-' and white space ("H=h [ip]: 550 ...", "Net::SMTPFatalError - 550 ...");
 * NOWHERE when there is none.  One forward pass. */
static size_t seek_code(const char *buf, size_t s, size_t e, uint64_t *examined)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t i = s;
    while (i < e && smtp__lws(b[i]))
        i++;
    if (code_at(buf, i, e))
        return i;
    int state = 0; /* 1: after ':' or '-', 2: and white space after it */
    for (; i < e; i++) {
        unsigned char c = b[i];
        if (state == 2 && !smtp__lws(c) && code_at(buf, i, e)) {
            *examined += i - s;
            return i;
        }
        state = (c == ':' || c == '-') ? 1 : (state >= 1 && smtp__lws(c)) ? 2 : 0;
    }
    *examined += e - s;
    return (size_t)-1;
}

/* The end of a folded header field that starts at s: its line and the indented
 * lines after it; a "type;" prefix within 32 bytes moves *sp past it. */
static size_t field_end(const unsigned char *b, size_t *sp, size_t e, uint64_t *examined)
{
    size_t s = *sp, nl = s;
    while (nl < e) {
        while (nl < e && b[nl] != '\n')
            nl++;
        if (nl + 1 < e && (b[nl + 1] == ' ' || b[nl + 1] == '\t')) {
            nl++;
            continue;
        }
        break;
    }
    size_t semi = s;
    while (semi < nl && b[semi] != ';' && b[semi] != '\n' && semi - s < 32)
        semi++;
    if (semi < nl && b[semi] == ';')
        *sp = semi + 1;
    *examined += nl - s;
    return nl;
}

/* The region of marker m found at `at`, inside [rs, re): *sp, *ep.  h is a pass
 * over [at + len, re). */
static void region(const char *buf, const struct smtp__wrap *m, size_t at, size_t re,
                   const struct hits *h, size_t *sp, size_t *ep, uint64_t *examined)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t base = at + m->len, s = base, e = re;
    switch (m->end) {
    case SMTP__WE_LINE: {
        const unsigned char *nl = memchr(b + s, '\n', re - s);
        e = nl ? (size_t)(nl - b) : re;
        *examined += e - s;
        if (e > s && b[e - 1] == '\r')
            e--;
        break;
    }
    case SMTP__WE_FIELD:
        e = field_end(b, &s, re, examined);
        break;
    case SMTP__WE_FIRST:
    case SMTP__WE_LAST: {
        size_t best = re;
        for (uint32_t k = 0; k < m->nend && k < 3; k++) {
            uint32_t w = m->end_arg[k];
            uint32_t at2 = !seen(h, w) ? NOWHERE : m->end == SMTP__WE_FIRST ? h->first[w] : h->last[w];
            if (at2 != NOWHERE && at2 >= base && at2 + smtp__wraps[w].len <= re && at2 < best)
                best = at2;
        }
        e = best;
        break;
    }
    default:
        break;
    }
    switch (m->start) {
    case SMTP__WS_MARKER:
        s = at;
        break;
    case SMTP__WS_CODE: {
        size_t c = seek_code(buf, s, e, examined);
        if (c != (size_t)-1)
            s = c;
        break;
    }
    case SMTP__WS_WORD: {
        size_t i = s;
        while (i < e && smtp__lws(b[i]))
            i++;
        while (i < e && !smtp__lws(b[i]))
            i++;
        while (i < e && smtp__lws(b[i]))
            i++;
        *examined += i - s;
        s = i;
        break;
    }
    case SMTP__WS_AFTER: {
        uint32_t w = m->start_arg;
        uint32_t a = w < nwraps() ? occurrence(h, w, base, e) : NOWHERE;
        s = a == NOWHERE ? e : a + smtp__wraps[w].len;
        break;
    }
    default:
        break;
    }
    if (s > e)
        s = e;
    /* quotes and white space before the reply; Exchange writes "#550" */
    while (s < e && (b[s] == ' ' || b[s] == '\t' || b[s] == '\'' || b[s] == '"'))
        s++;
    if (s + 1 < e && b[s] == '#' && smtp__digit(b[s + 1]))
        s++;
    *sp = s;
    *ep = e;
}

/* start=word: the token after a marker that starts its region there must be an
 * address ("** bob@example.com R=..."), or the text is no such marker (a bounce's
 * "** Message too big **").  Bounded by MAX_ADDRESS. */
static int address_follows(const char *buf, size_t at, size_t to)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t i = at, stop = to - at > MAX_ADDRESS ? at + MAX_ADDRESS : to;
    int at_sign = 0;
    while (i < stop && (b[i] == ' ' || b[i] == '\t'))
        i++;
    size_t t = i;
    for (; i < stop && !smtp__lws(b[i]); i++)
        at_sign |= b[i] == '@';
    return at_sign && i > t && (i < stop || i == to);
}

/* The marker to apply among the hits of h within [from, to): rank 1 wherever it
 * is, else the earliest of rank 2, else (outermost only) the earliest of rank 3;
 * at one place the longer text.  *at gets its place. */
static const struct smtp__wrap *choose(const char *buf, const struct hits *h, size_t from, size_t to,
                                       int outer, size_t *at)
{
    const struct smtp__wrap *m = NULL;
    size_t where = (size_t)-1;
    for (uint32_t k = 0; k < h->n; k++) {
        const struct smtp__wrap *x = &smtp__wraps[h->id[k]];
        if (x->kind != SMTP__WK_MARKER || (x->rank == 3 && !outer))
            continue;
        uint32_t f = occurrence(h, h->id[k], from, to);
        if (f == NOWHERE || (x->start == SMTP__WS_WORD && !address_follows(buf, f + x->len, to)))
            continue;
        /* ties go to the earlier row, whatever order the texts were met in */
        if (m == NULL || x->rank < m->rank ||
            (x->rank == m->rank && (f < where || (f == where && (x->len > m->len ||
                                                                  (x->len == m->len && x < m)))))) {
            m = x;
            where = f;
        }
    }
    *at = where;
    return m;
}

/* The earliest stage text among the hits of h within [from, to). */
static uint32_t earliest_stage(const struct hits *h, size_t from, size_t to)
{
    uint32_t best = NOWHERE, bw = 0, stage = SMTP_REPLY_STAGE_UNKNOWN;
    for (uint32_t k = 0; k < h->n; k++) {
        uint32_t w = h->id[k];
        if (smtp__wraps[w].kind != SMTP__WK_STAGE)
            continue;
        uint32_t f = occurrence(h, w, from, to);
        if (f != NOWHERE && (f < best || (f == best && w < bw))) {
            best = f;
            bw = w;
            stage = smtp__wraps[w].stage;
        }
    }
    return stage;
}

/* The address after a recipient text that ends at `at` (bounded by lim):
 * inside <...> when the text ends with '<', else one token. */
static int read_address(const char *buf, size_t at, size_t lim, int angle, smtp_reply_span *out)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t i = at, stop = lim - at > MAX_ADDRESS ? at + MAX_ADDRESS : lim;
    int at_sign = 0;
    for (; i < stop; i++) {
        unsigned char c = b[i];
        if (c == '\n' || c == '\r' || c == '>' || c == '<')
            break;
        if (!angle && (c == ' ' || c == '\t' || c == ',' || c == ';' || c == '"' || c == '\'' ||
                       c == '(' || c == ')' || c == '[' || c == ']' ||
                       (c == ':' && (i + 1 == lim || smtp__lws(b[i + 1])))))
            break;
        at_sign |= c == '@';
    }
    if (angle && (i == stop || b[i] != '>'))
        return 0;
    if (!at_sign || i == at || b[at] == '@' || b[i - 1] == '@')
        return 0;
    out->off = (uint32_t)at;
    out->len = (uint32_t)(i - at);
    return 1;
}

/* The earliest text of `kind` outside the reply [s, e): before it (pass hb over
 * the text) or after it (pass ha over [e, len), NULL when e == len).  Returns its
 * place and sets *wp. */
static uint32_t outside(const struct hits *hb, const struct hits *ha, uint32_t kind, size_t s,
                        uint32_t *wp)
{
    /* a text before the reply comes before any after it (ha covers [e, len)) */
    uint32_t best = NOWHERE;
    for (int pass = 0; pass < 2; pass++) {
        const struct hits *h = pass ? ha : hb;
        for (uint32_t k = 0; h && k < h->n; k++) {
            uint32_t w = h->id[k], f = h->first[w];
            if (smtp__wraps[w].kind != kind || (!pass && f + smtp__wraps[w].len > s))
                continue;
            if (f < best || (f == best && w < *wp)) {
                best = f;
                *wp = w;
            }
        }
        if (best != NOWHERE)
            break;
    }
    return best;
}

#define MAX_CANDIDATES 64

/* The recipient: the earliest recipient text outside the reply [s, e) that is
 * followed by an address. */
static void find_recipient(const char *buf, size_t len, const struct hits *hb,
                           const struct hits *ha, size_t s, struct smtp__unwrapped *u)
{
    uint32_t pos[MAX_CANDIDATES], wid[MAX_CANDIDATES];
    uint32_t nc = 0;
    for (int pass = 0; pass < 2; pass++) {
        const struct hits *h = pass ? ha : hb;
        for (uint32_t k = 0; h && k < h->n && nc < MAX_CANDIDATES; k++) {
            uint32_t w = h->id[k], f = h->first[w];
            if (smtp__wraps[w].kind == SMTP__WK_RCPT && (pass || f + smtp__wraps[w].len <= s)) {
                pos[nc] = f;
                wid[nc++] = w;
            }
        }
    }
    /* in the order they occur, ties to the earlier row (insertion sort of a few) */
    for (uint32_t i = 1; i < nc; i++)
        for (uint32_t j = i; j > 0 && (pos[j - 1] > pos[j] || (pos[j - 1] == pos[j] && wid[j - 1] > wid[j])); j--) {
            uint32_t t = pos[j];
            pos[j] = pos[j - 1];
            pos[j - 1] = t;
            t = wid[j];
            wid[j] = wid[j - 1];
            wid[j - 1] = t;
        }
    for (uint32_t i = 0; i < nc; i++) {
        size_t a = pos[i] + smtp__wraps[wid[i]].len;
        size_t lim = pos[i] < s ? s : len;
        if (a > lim)
            continue;
        u->examined += smtp__wraps[wid[i]].len;
        if (read_address(buf, a, lim, buf[a - 1] == '<', &u->recipient)) {
            u->examined += u->recipient.len;
            return;
        }
    }
    u->recipient.off = u->recipient.len = 0;
}

void smtp__unwrap(const char *buf, size_t len, struct smtp__unwrapped *u)
{
    const unsigned char *b = (const unsigned char *)buf;
    struct hits h0, hn, ha;
    memset(u, 0, sizeof *u);
    u->end = len;

    size_t p = 0;
    while (p < len && smtp__lws(b[p]))
        p++;
    /* A raw reply: starts with a code ("#550 ..." is Exchange's NDR form). */
    size_t q = p < len && b[p] == '#' ? p + 1 : p;
    if (q + 3 <= len && b[q] >= '2' && b[q] <= '5' && smtp__digit(b[q + 1]) && smtp__digit(b[q + 2]) &&
        (q + 3 == len || b[q + 3] == ' ' || b[q + 3] == '-' || b[q + 3] == ':' || b[q + 3] == '\r' ||
         b[q + 3] == '\n')) {
        if (q > p) {
            /* "#550 5.1.1 ... ##rfc822;bob@example.com" */
            u->start = q;
            u->wrapper = SMTP_REPLY_WRAP_EXCHANGE;
            for (size_t i = q; i + 3 <= len; i++) {
                if (b[i] == ' ' && b[i + 1] == '#' && b[i + 2] == '#') {
                    u->end = i;
                    break;
                }
            }
            u->examined += u->end - q;
            scan(buf, u->end, len, &ha, NULL, &u->examined);
            u->stage = earliest_stage(&ha, u->end, len);
        }
        return;
    }

    struct hitlog log;
    scan(buf, p, len, &h0, &log, &u->examined);
    size_t at;
    const struct smtp__wrap *m = choose(buf, &h0, p, len, 1, &at);
    if (m == NULL) {
        /* no marker: the whole text is the region; a diagnostic without a reply
         * ("Illegal address syntax from h in RCPT command: <a@b>") names its
         * stage, recipient and status itself */
        u->stage = earliest_stage(&h0, p, len);
        if (!code_at(buf, p, len)) {
            uint32_t w = 0, f;
            find_recipient(buf, len, &h0, NULL, len, u);
            if ((f = outside(&h0, NULL, SMTP__WK_ENH, len, &w)) != NOWHERE) {
                size_t c = f + smtp__wraps[w].len;
                size_t l = smtp__read_enhanced(buf, c, len, u->enhanced);
                u->enhanced_span.off = (uint32_t)c;
                u->enhanced_span.len = (uint32_t)l;
                if (!l)
                    memset(u->enhanced, 0, sizeof u->enhanced);
            }
        }
        return;
    }
    u->wrapper = m->wrapper;
    /* A wrapper may hold another ("Diagnostic-Code: smtp; host X said: 550 ...",
     * Exim's "** a@b ... SMTP error from remote mail server after ..."): look
     * inside a few times at most, each region inside the one before. */
    const struct smtp__wrap *chain[MAX_DEPTH];
    size_t chain_at[MAX_DEPTH];
    int depth = 0;
    size_t s = p, e = len;
    const struct hits *hr = &h0; /* the pass that covers the final region */
    while (m != NULL && depth < MAX_DEPTH) {
        chain[depth] = m;
        chain_at[depth] = at;
        depth++;
        scan_part(buf, at + m->len, e, &log, &hn, &u->examined);
        hr = &hn;
        region(buf, m, at, e, &hn, &s, &e, &u->examined);
        if (s < e && code_at(buf, s, e))
            break; /* a reply code: found it */
        m = choose(buf, &hn, s, e, 0, &at);
    }
    u->start = s;
    u->end = e;
    for (int k = 0; k < depth; k++)
        if (chain[k]->flags & SMTP__WF_ESC)
            u->esc = 1;

    int have_after = e < len;
    if (have_after)
        scan_part(buf, e, len, &log, &ha, &u->examined);
    /* the stage is named outside the reply: after it (Postfix) or before it
     * (Exim); a diagnostic without a reply ("connect to x: Connection refused")
     * names it itself; else the marker's own */
    if (have_after)
        u->stage = earliest_stage(&ha, e, len);
    if (u->stage == SMTP_REPLY_STAGE_UNKNOWN)
        u->stage = earliest_stage(&h0, p, s);
    if (u->stage == SMTP_REPLY_STAGE_UNKNOWN && !(s < e && code_at(buf, s, e)))
        u->stage = earliest_stage(hr, s, e);
    for (int k = depth - 1; k >= 0 && u->stage == SMTP_REPLY_STAGE_UNKNOWN; k--)
        u->stage = chain[k]->stage;

    find_recipient(buf, len, &h0, have_after ? &ha : NULL, s, u);

    /* a code the wrapper gives: the digits before the innermost marker that says
     * so, else a code field outside the reply, else the code the program sends */
    for (int k = depth - 1; k >= 0 && u->code == 0; k--) {
        size_t c = chain_at[k];
        if ((chain[k]->flags & SMTP__WF_CODE_BEFORE) && c >= 3 && b[c - 3] >= '2' && b[c - 3] <= '5' &&
            smtp__digit(b[c - 2]) && smtp__digit(b[c - 1]) && !(c >= 4 && smtp__digit(b[c - 4]))) {
            u->code = (b[c - 3] - '0') * 100 + (b[c - 2] - '0') * 10 + (b[c - 1] - '0');
            u->code_span.off = (uint32_t)(c - 3);
            u->code_span.len = 3;
        }
    }
    uint32_t w = 0, f;
    if (u->code == 0 &&
        (f = outside(&h0, have_after ? &ha : NULL, SMTP__WK_CODE, s, &w)) != NOWHERE) {
        size_t c = f + smtp__wraps[w].len;
        if (c + 3 <= len && b[c] >= '2' && b[c] <= '5' && smtp__digit(b[c + 1]) && smtp__digit(b[c + 2]) &&
            (c + 3 == len || !smtp__digit(b[c + 3]))) {
            u->code = (b[c] - '0') * 100 + (b[c + 1] - '0') * 10 + (b[c + 2] - '0');
            u->code_span.off = (uint32_t)c;
            u->code_span.len = 3;
        }
    }
    for (int k = depth - 1; k >= 0 && u->code == 0; k--) {
        if (chain[k]->code) {
            u->code = chain[k]->code;
            u->code_span.off = (uint32_t)chain_at[k];
            u->code_span.len = 0;
        }
    }
    if ((f = outside(&h0, have_after ? &ha : NULL, SMTP__WK_ENH, s, &w)) != NOWHERE) {
        size_t c = f + smtp__wraps[w].len;
        size_t l = smtp__read_enhanced(buf, c, len, u->enhanced);
        if (l) {
            u->enhanced_span.off = (uint32_t)c;
            u->enhanced_span.len = (uint32_t)l;
        } else {
            memset(u->enhanced, 0, sizeof u->enhanced);
        }
    }
}
