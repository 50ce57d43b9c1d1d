/*
 * parse.c - the RFC 5321 reply grammar: lines, codes, text spans, anomaly flags.
 *
 * Knows nothing about categories.  Reads only buf[0..len), never allocates,
 * never recurses; every loop advances through the input, so time is linear.
 */
#include <string.h>
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#endif

#include "internal.h"

#define ALL_OPTIONS (SMTP_REPLY_OPT_STREAM | SMTP_REPLY_OPT_NO_UNWRAP)

/* The basic code and the enhanced code name different classes ("550 4.4.2",
 * or a wrapper's 550 beside a "dsn=4.4.2" field). */
static void mark_class_mismatch(smtp_reply *r)
{
    if (r->code && r->enhanced[0] && r->enhanced[0] != r->code / 100)
        r->flags |= SMTP_REPLY_F_CLASS_MISMATCH;
}

/* Any byte below 0x20 or at or above 0x7f in p[0..n)?  Eight bytes at a time
 * (SWAR); a "yes" may be a tab, which the exact scan then ignores. */
static int unusual_bytes(const unsigned char *p, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, p + i, 8);
        y = x ^ (ones * 0x7f);
        if (((x - ones * 0x20) & ~x & high) | (x & high) | ((y - ones) & ~y & high))
            return 1;
    }
    for (; i < n; i++)
        if (p[i] < 0x20 || p[i] >= 0x7f)
            return 1;
    return 0;
}

/* smtp__byte_flags bits (8-bit, NUL, control) as reply flags into *flags. */
static void add_byte_flags(unsigned f, uint32_t *flags)
{
    if (f & 1)
        *flags |= SMTP_REPLY_F_8BIT;
    if (f & 2)
        *flags |= SMTP_REPLY_F_NUL;
    if (f & 4)
        *flags |= SMTP_REPLY_F_CONTROL;
}

/* The byte flags of b[q..e) into *flags. */
static void or_byte_flags(const unsigned char *b, size_t q, size_t e, uint32_t *flags)
{
    unsigned f = 0;
    for (size_t i = q; i < e; i++)
        f |= smtp__byte_flags[b[i]];
    add_byte_flags(f, flags);
}

#if defined(__SSE2__) && defined(__GNUC__)
#define SMTP__LINE_SSE2 1
/* The byte flags of the bytes of p[0..16) marked in mu (bytes below 0x20 or
 * from 0x7f); high marks the bytes from 0x80, all of them 8-bit and nothing
 * else, so that a line of UTF-8 is not looked up byte by byte. */
static unsigned unusual_flags(const unsigned char *p, unsigned mu, unsigned high)
{
    unsigned f = (mu & high) ? 1u : 0u;
    for (mu &= ~high; mu; mu &= mu - 1)
        f |= smtp__byte_flags[p[__builtin_ctz(mu)]];
    return f;
}
/* The line feed at or after q (end when none), with the byte flags of the
 * bytes before it: 16 bytes a step, one pass.  A byte below 0x20 or at or
 * above 0x7f (after adding 1, a signed byte below 0x21) is the only kind
 * smtp__byte_flags marks, so only those bytes are looked up: a line of plain
 * ASCII costs its loads and two compares. */
static size_t line_end_flags(const unsigned char *b, size_t q, size_t end, uint32_t *flags)
{
    const __m128i lf = _mm_set1_epi8('\n'), one = _mm_set1_epi8(1), lim = _mm_set1_epi8(0x21);
    unsigned f = 0;
    size_t i = q;
    for (; i + 16 <= end; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        unsigned ml = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
        unsigned mu = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_add_epi8(v, one), lim));
        if (ml)
            mu &= (ml & -ml) - 1; /* the bytes before the line feed */
        if (mu)
            f |= unusual_flags(b + i, mu, (unsigned)_mm_movemask_epi8(v));
        if (ml) {
            i += (unsigned)__builtin_ctz(ml);
            goto done;
        }
    }
    if (i < end && end - q >= 16) {
        /* the last 16 bytes of the input, the ones already seen masked off */
        size_t base = end - 16;
        unsigned keep = (0xffffu << (i - base)) & 0xffffu;
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + base));
        unsigned ml = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)) & keep;
        unsigned mu = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_add_epi8(v, one), lim)) & keep;
        if (ml)
            mu &= (ml & -ml) - 1;
        if (mu)
            f |= unusual_flags(b + base, mu, (unsigned)_mm_movemask_epi8(v));
        i = ml ? base + (unsigned)__builtin_ctz(ml) : end;
    }
    for (; i < end && b[i] != '\n'; i++)
        f |= smtp__byte_flags[b[i]];
done:
    add_byte_flags(f, flags);
    return i;
}
#endif

/* Scan one line starting at q: returns the offset of its line break (or end)
 * and sets *brk to the break's length: 1 for a line feed, 2 for a "\n" escape
 * (esc: a text that writes its line breaks as escapes, as Exim's log and
 * Python's bytes repr do), 0 at the end.  ORs byte anomaly flags into *flags. */
static size_t scan_line(const unsigned char *b, size_t q, size_t end, int esc, size_t *brk,
                        uint32_t *flags)
{
#ifdef SMTP__LINE_SSE2
    if (!esc) {
        /* the line break and the flags in one pass */
        size_t e = line_end_flags(b, q, end, flags);
        *brk = e < end;
        return e;
    }
#endif
    const unsigned char *lf = memchr(b + q, '\n', end - q);
    size_t e = lf ? (size_t)(lf - b) : end;
    *brk = lf ? 1 : 0;
    if (esc) {
        /* the first backslash-n before the line feed */
        size_t i = q;
        const unsigned char *bs;
        while (i + 1 < e && (bs = memchr(b + i, '\\', e - i - 1)) != NULL) {
            i = (size_t)(bs - b);
            if (b[i + 1] == 'n') {
                e = i;
                *brk = 2;
                break;
            }
            i += 2;
        }
    }
    size_t body = e > q && b[e - 1] == '\r' ? e - 1 : e;
    if (unusual_bytes(b + q, body - q))
        or_byte_flags(b, q, e, flags);
    return e;
}

static int looks_like_html(const unsigned char *b, size_t p, size_t end)
{
    if (p >= end || b[p] != '<')
        return 0; /* every tag below starts with '<' */
    static const char *const tags[] = {"<!doctype", "<html", "<head", "<body", "<?xml", "<!--"};
    for (size_t t = 0; t < SMTP__ARRAY_SIZE(tags); t++) {
        size_t l = strlen(tags[t]);
        size_t k = 0;
        if (end - p < l)
            continue;
        while (k < l && (b[p + k] | (smtp__alpha(b[p + k]) ? 0x20 : 0)) == (unsigned char)tags[t][k])
            k++;
        if (k == l)
            return 1;
    }
    return 0;
}

/* More than half of b[p..end) NUL or control bytes (smtp__byte_flags 2 or 4)?
 * Stops once half the bytes are known to be neither. */
static int mostly_control(const unsigned char *b, size_t p, size_t end)
{
    size_t n = end - p, ctrl = 0, i = p;
#ifdef SMTP__LINE_SSE2
    /* 16 bytes a step: a byte below 0x20 other than tab, line feed and
     * carriage return, or 0x7f */
    const __m128i c1f = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f), tab = _mm_set1_epi8('\t'),
                  lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    for (; i + 16 <= end; i += 16) {
        if ((i - p - ctrl) * 2 >= n)
            return 0;
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(v, c1f), v);
        __m128i ok = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, lf)),
                                  _mm_cmpeq_epi8(v, cr));
        __m128i c = _mm_or_si128(_mm_andnot_si128(ok, low), _mm_cmpeq_epi8(v, del));
        unsigned m = (unsigned)_mm_movemask_epi8(c);
        if (m) /* (no popcnt instruction in baseline x86-64) */
            ctrl += (size_t)__builtin_popcount(m);
    }
#endif
    for (; i < end; i++) {
        if ((i - p - ctrl) * 2 >= n)
            return 0;
        ctrl += (smtp__byte_flags[b[i]] & 6) != 0;
    }
    return ctrl * 2 > n;
}

/* A word: two ASCII letters in a row, or any byte >= 0x80 (other scripts). */
static int has_word(const unsigned char *b, size_t p, size_t end)
{
    for (size_t i = p; i < end; i++)
        if (b[i] >= 0x80 || (smtp__alpha(b[i]) && i + 1 < end && smtp__alpha(b[i + 1])))
            return 1;
    return 0;
}

static void add_line(smtp_reply *r, size_t t, size_t te)
{
    if (r->nstored < SMTP_REPLY_MAX_LINES) {
        r->line[r->nstored].off = (uint32_t)t;
        r->line[r->nstored].len = (uint32_t)(te - t);
        r->nstored++;
    } else {
        r->flags |= SMTP_REPLY_F_LINES_TRUNCATED;
    }
}

/* smtp__read_enhanced, its most common answer (no class digit at i: no code)
 * given without the call. */
static inline size_t read_enhanced(const char *buf, size_t i, size_t n, uint16_t v[3])
{
    if (i >= n || (buf[i] != '2' && buf[i] != '4' && buf[i] != '5'))
        return 0;
    return smtp__read_enhanced(buf, i, n, v);
}

/* Record an enhanced code found at the start of a line's text. */
static void note_enhanced(smtp_reply *r, const uint16_t v[3], size_t at, size_t l)
{
    if (r->enhanced[0] == 0) {
        memcpy(r->enhanced, v, sizeof r->enhanced);
        r->enhanced_span.off = (uint32_t)at;
        r->enhanced_span.len = (uint32_t)l;
    } else if (memcmp(r->enhanced, v, sizeof r->enhanced) != 0) {
        r->flags |= SMTP_REPLY_F_ENHANCED_MISMATCH;
    }
}

/* The offset of the first byte c in b[i..e), e when there is none. */
static size_t next_byte(const unsigned char *b, size_t i, size_t e, int c)
{
    const unsigned char *x = i < e ? memchr(b + i, c, e - i) : NULL;
    return x ? (size_t)(x - b) : e;
}

/* Look for an enhanced code inside the text: "(#5.1.1)", "#5.7.1", "(5.1.1)". */
static void find_inline_enhanced(const char *buf, smtp_reply *r)
{
    const unsigned char *b = (const unsigned char *)buf;
    /* one token between the basic and the enhanced code, as Barracuda writes
     * it ("550 cuda_nsu 5.4.1 ..."): only with the basic code's class */
    if (r->nstored > 0 && r->code) {
        size_t s = r->line[0].off, e = s + r->line[0].len, q = s;
        while (q < e && (smtp__alpha(b[q]) || smtp__digit(b[q]) || b[q] == '_'))
            q++;
        uint16_t v[3];
        size_t l = q > s && q + 1 < e && b[q] == ' ' ? smtp__read_enhanced(buf, q + 1, e, v) : 0;
        if (l && v[0] == (uint16_t)(r->code / 100) && (q + 1 + l == e || smtp__wsp(b[q + 1 + l]))) {
            memcpy(r->enhanced, v, sizeof r->enhanced);
            r->enhanced_span.off = (uint32_t)(q + 1);
            r->enhanced_span.len = (uint32_t)l;
            r->flags |= SMTP_REPLY_F_ENHANCED_INLINE;
            return;
        }
    }
    for (uint32_t i = 0; i < r->nstored; i++) {
        size_t s = r->line[i].off, e = s + r->line[i].len;
        /* the next '#' and the next '(' (e: none left), each searched for again
         * only once p has passed it: a line is crossed once for each, however
         * many of the other it holds (searching for both at every stop took
         * time quadratic in a line of 10,000 '(') */
        size_t nh = next_byte(b, s, e, '#'), no = next_byte(b, s, e, '(');
        for (size_t p = s; p + 1 < e; p++) {
            /* jump to the next '#' or '(' */
            if (nh < p)
                nh = next_byte(b, p, e, '#');
            if (no < p)
                no = next_byte(b, p, e, '(');
            if (nh >= e && no >= e)
                break;
            p = nh < no ? nh : no;
            if (p + 1 >= e)
                break;
            size_t q = p + 1;
            if (b[p] == '(' && q < e && b[q] == '#')
                q++;
            uint16_t v[3];
            size_t l = smtp__read_enhanced(buf, q, e, v);
            if (l && !(v[1] == 0 && v[2] == 0)) {
                memcpy(r->enhanced, v, sizeof r->enhanced);
                r->enhanced_span.off = (uint32_t)q;
                r->enhanced_span.len = (uint32_t)l;
                r->flags |= SMTP_REPLY_F_ENHANCED_INLINE;
                return;
            }
        }
    }
}

/* In the text [t, te) of a "NNN-" line, find " NNN-" or " NNN " (the same
 * code) that starts the next line of a flattened reply; returns the offset of
 * the code, 0 when none.  *cont tells whether that line continues. */
static size_t find_flattened(const unsigned char *b, size_t t, size_t te, int code, int *cont)
{
    const unsigned char c0 = (unsigned char)('0' + code / 100), c1 = (unsigned char)('0' + code / 10 % 10),
                        c2 = (unsigned char)('0' + code % 10);
    for (size_t i = t + 1; i + 4 <= te; i++) {
        /* to the next byte that can start the code */
        const unsigned char *x = memchr(b + i, c0, te - 3 - i);
        if (x == NULL)
            break;
        i = (size_t)(x - b);
        if (b[i + 1] == c1 && b[i + 2] == c2 && (b[i + 3] == '-' || b[i + 3] == ' ') &&
            smtp__wsp(b[i - 1])) {
            *cont = b[i + 3] == '-';
            return i;
        }
    }
    return 0;
}

/* Parse the lines of [p, end).  coded: lines start with the reply code.
 * Returns the offset after the final line (coded) or end, and sets *final. */
static size_t parse_lines(const char *buf, size_t p, size_t end, int coded, int stream, int esc,
                          smtp_reply *r, int *final, int *final_has_lf)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t q = p;
    int folding = 0; /* after the final line of a whole text: only folded lines follow */
    *final = 0;
    *final_has_lf = 0;
    while (q < end) {
        size_t ls = q;
        /* a whole text may indent its lines ("  550-5.1.1 ..." in a bounce), and
         * a log or DSN folds a long line onto indented ones: the code, if any,
         * comes after the indentation */
        size_t cs = ls;
        if (!stream)
            while (cs < end && smtp__wsp(b[cs]))
                cs++;
        /* after the final line, the text goes on in a line that is indented
         * (a fold) or that starts with the reply's own enhanced code: a client
         * library that strips the basic codes keeps "5.7.26" on each line
         * (Go's textproto, Python's smtplib) */
        int same_enh = 0;
        if (folding && cs == ls && r->enhanced[0]) {
            uint16_t ev[3];
            size_t el0 = smtp__read_enhanced(buf, cs, end, ev);
            same_enh = el0 && memcmp(ev, r->enhanced, sizeof ev) == 0 && cs + el0 < end &&
                       smtp__wsp(b[cs + el0]);
        }
        if (folding && !same_enh &&
            (cs == ls || cs == end || b[cs] == '\r' || b[cs] == '\n' ||
             (cs + 3 < end && smtp__digit(b[cs]) && smtp__digit(b[cs + 1]) && smtp__digit(b[cs + 2]) &&
              (b[cs + 3] == ' ' || b[cs + 3] == '-'))))
            break;
        size_t brk;
        size_t e = scan_line(b, q, end, esc, &brk, &r->flags);
        int has_lf = brk != 0;
        size_t le = e;
        if (brk == 2) {
            if (le >= ls + 2 && b[le - 2] == '\\' && b[le - 1] == 'r')
                le -= 2; /* "\r\n" */
        } else if (le > ls && b[le - 1] == '\r') {
            le--;
        } else if (has_lf) {
            r->flags |= SMTP_REPLY_F_BARE_LF;
        }
        size_t next = e + brk;
        if (next - ls > SMTP_REPLY_LINE_LIMIT)
            r->flags |= SMTP_REPLY_F_LONG_LINE;
        r->nlines++;

        size_t t = ls;
        int line_coded = 0, cont = 1;
        if (coded && !folding) {
            if (cs > le)
                cs = le;
            if (le - cs >= 3 && smtp__digit(b[cs]) && smtp__digit(b[cs + 1]) && smtp__digit(b[cs + 2]) &&
                (le - cs == 3 || b[cs + 3] == ' ' || b[cs + 3] == '-' ||
                 (!stream && b[cs + 3] == ':'))) {
                int lc = (b[cs] - '0') * 100 + (b[cs + 1] - '0') * 10 + (b[cs + 2] - '0');
                line_coded = 1;
                if (lc != r->code)
                    r->flags |= SMTP_REPLY_F_CODE_MISMATCH;
                cont = le - cs > 3 && b[cs + 3] == '-';
                t = cs + 3 + (le - cs > 3 ? 1 : 0);
                while (t < le && b[t] == ':')
                    t++;
            } else {
                r->flags |= SMTP_REPLY_F_LINE_WITHOUT_CODE;
            }
        }
        while (t < le && smtp__wsp(b[t]))
            t++;
        uint16_t v[3];
        size_t el = folding && !same_enh ? 0 : read_enhanced(buf, t, le, v);
        if (el) {
            note_enhanced(r, v, t, el);
            t += el;
            while (t < le && smtp__wsp(b[t]))
                t++;
        }
        size_t te = le;
        while (te > t && smtp__space(b[te - 1]))
            te--;
        if (line_coded && cont && !stream) {
            /* a multiline reply flattened onto one line, as logs write it (never
             * on the wire, where each line ends with its line break):
             * "550-5.7.26 a 550-5.7.26 b 550 5.7.26 c" */
            size_t split;
            while ((split = find_flattened(b, t, te, r->code, &cont)) != 0) {
                size_t se = split;
                while (se > t && smtp__space(b[se - 1]))
                    se--;
                add_line(r, t, se);
                r->flags |= SMTP_REPLY_F_FLATTENED;
                t = split + 4;
                el = smtp__read_enhanced(buf, t, te, v);
                if (el) {
                    note_enhanced(r, v, t, el);
                    t += el;
                }
                while (t < te && smtp__wsp(b[t]))
                    t++;
                if (!cont)
                    break;
            }
        }
        add_line(r, t, te);
        q = next;
        if (line_coded && !cont) {
            *final = 1;
            *final_has_lf = has_lf;
            if (stream)
                break;
            folding = 1;
        } else if (folding) {
            *final_has_lf = has_lf;
        }
    }
    return q;
}

/* The recipient a wrapper names, and the codes it gives a reply whose own text lacks them (data/wrappers.tsv
 * options code=before and code=NNN, kinds code and enhanced): the basic code when
 * the reply has none; the enhanced code only when the reply region had no code at
 * all (a reply with a basic code keeps what it says: Postfix derives dsn=5.0.0
 * from a bare 550). */
static void wrapper_codes(smtp_reply *r, const struct smtp__unwrapped *u, int region_coded)
{
    r->recipient = u->recipient;
    if (r->code == 0 && u->code) {
        r->code = u->code;
        r->code_span = u->code_span;
        r->flags &= ~(uint32_t)SMTP_REPLY_F_NO_BASIC_CODE;
    }
    if (!region_coded && r->enhanced[0] == 0 && u->enhanced[0]) {
        memcpy(r->enhanced, u->enhanced, sizeof r->enhanced);
        r->enhanced_span = u->enhanced_span;
    }
}

/* The start of a stream reply, b[0..n): white space only (SMTP_REPLY_E_BLANK;
 * the bytes before `from` are known to be white space), anything else that
 * cannot start a reply (an error), the start of a code that has not fully
 * arrived (SMTP_REPLY_E_INCOMPLETE), or a code and its separator (OK).
 * Examines at most 10 bytes unless the reply starts with white space. */
static int stream_start(const unsigned char *b, size_t n, size_t from)
{
    if (smtp__space(b[0])) {
        for (size_t k = from; k < n; k++)
            if (!smtp__space(b[k]))
                return SMTP_REPLY_E_NO_CODE;
        return SMTP_REPLY_E_BLANK;
    }
    size_t k = 0;
    while (k < n && smtp__digit(b[k]) && k < 8)
        k++;
    if (k == 0)
        return looks_like_html(b, 0, n) ? SMTP_REPLY_E_HTML : SMTP_REPLY_E_NO_CODE;
    if (k < 3)
        return k == n ? SMTP_REPLY_E_INCOMPLETE : SMTP_REPLY_E_SHORT_CODE;
    if (k > 3)
        return SMTP_REPLY_E_LONG_CODE;
    if (b[0] < '2' || b[0] > '5')
        return SMTP_REPLY_E_BAD_CLASS;
    if (k < n && b[k] != ' ' && b[k] != '-' && b[k] != '\r' && b[k] != '\n')
        return SMTP_REPLY_E_BAD_SEPARATOR;
    return k == n ? SMTP_REPLY_E_INCOMPLETE : SMTP_REPLY_OK;
}

int smtp_reply_parse(const char *buf, size_t len, unsigned options, smtp_reply *r)
{
    if (r == NULL)
        return SMTP_REPLY_E_NULL;
    memset(r, 0, sizeof *r);
    if (options & ~(unsigned)ALL_OPTIONS)
        return SMTP_REPLY_E_BAD_OPTION;
    if (buf == NULL)
        return len ? SMTP_REPLY_E_NULL : SMTP_REPLY_E_EMPTY;
    if (len == 0)
        return SMTP_REPLY_E_EMPTY;

    const unsigned char *b = (const unsigned char *)buf;
    const int stream = (options & SMTP_REPLY_OPT_STREAM) != 0;
    size_t n = len;
    if (n > SMTP_REPLY_MAX_BYTES) {
        n = SMTP_REPLY_MAX_BYTES;
        if (!stream)
            r->flags |= SMTP_REPLY_F_BYTES_TRUNCATED;
    }
    size_t p = 0, end = n;
    struct smtp__unwrapped u; /* all zero: no wrapper (smtp__unwrap fills it itself) */
    if (stream || (options & SMTP_REPLY_OPT_NO_UNWRAP))
        memset(&u, 0, sizeof u);
    if (!stream) {
        while (p < end && smtp__space(b[p]))
            p++;
        if (p == end)
            return SMTP_REPLY_E_BLANK;
        if (!(options & SMTP_REPLY_OPT_NO_UNWRAP)) {
            smtp__unwrap(buf, end, &u);
            if (u.wrapper != SMTP_REPLY_WRAP_NONE || u.start != 0) {
                r->flags |= SMTP_REPLY_F_UNWRAPPED;
                r->wrapper = u.wrapper;
                p = u.start;
                end = u.end;
            }
            r->stage = (uint16_t)u.stage;
            while (p < end && smtp__space(b[p]))
                p++;
            if (p == end) {
                /* nothing inside the wrapper ("rejected RCPT <a@b>" with no
                 * text): a reply only when the wrapper gives its code */
                if (u.code == 0 && u.enhanced[0] == 0)
                    return SMTP_REPLY_E_BLANK;
                wrapper_codes(r, &u, 0);
                mark_class_mismatch(r);
                r->flags |= SMTP_REPLY_F_EMPTY_TEXT;
                if (r->code == 0)
                    r->flags |= SMTP_REPLY_F_NO_BASIC_CODE;
                r->reply.off = (uint32_t)p;
                r->consumed = n;
                r->nlines = 1; /* one empty line */
                return SMTP_REPLY_OK;
            }
        }
    } else {
        int rc = stream_start(b, n, 0);
        if (rc != SMTP_REPLY_OK && rc != SMTP_REPLY_E_INCOMPLETE)
            return rc;
    }

    /* What does the text start with? */
    size_t k = p;
    while (k < end && smtp__digit(b[k]) && k - p < 8)
        k++;
    size_t ndig = k - p;
    int coded = 0;
    /* what follows the digits: a code separator, a letter, or other punctuation */
    const int sep_next = k == end || b[k] == ' ' || b[k] == '-' || b[k] == '\r' || b[k] == '\n';
    const int alpha_next = k < end && smtp__alpha(b[k]);
    if (ndig > 0 && !stream && !sep_next && !alpha_next && !(ndig == 3 && b[k] == ':')) {
        /* "5.1.1 User unknown" (enhanced code only), or text that starts with an
         * address, a date or a number ("10.1.2.3 ...", "3/09/2016 ...",
         * "2026-11-23T10:00:00 ..."): no basic code, the text is still worth
         * reading when it has a word in it */
        uint16_t v[3];
        if (!smtp__read_enhanced(buf, p, end, v) && !has_word(b, p, end))
            return SMTP_REPLY_E_NO_CODE;
    } else if (ndig > 3 && !stream && k + 1 < end && b[k] == '-' && smtp__digit(b[k + 1])) {
        /* an ISO date at the start of a log line */
        if (!has_word(b, p, end))
            return SMTP_REPLY_E_NO_CODE;
    } else if (ndig > 0 && ndig < 3) {
        if (stream && k == end)
            return SMTP_REPLY_E_INCOMPLETE; /* the rest of the code has not arrived */
        return SMTP_REPLY_E_SHORT_CODE;
    } else if (ndig > 3) {
        return SMTP_REPLY_E_LONG_CODE;
    } else if (ndig == 3) {
        if (b[p] < '2' || b[p] > '5')
            return SMTP_REPLY_E_BAD_CLASS;
        /* logs write "550: 5.2.2 ..." too; a wire reply never does */
        if (!sep_next && (stream || b[k] != ':'))
            return SMTP_REPLY_E_BAD_SEPARATOR;
        coded = 1;
        r->code = (b[p] - '0') * 100 + (b[p + 1] - '0') * 10 + (b[p + 2] - '0');
        r->code_span.off = (uint32_t)p;
        r->code_span.len = 3;
        if (b[p + 1] > '5')
            r->flags |= SMTP_REPLY_F_NONSTANDARD_CODE;
    } else if (looks_like_html(b, p, end)) {
        return SMTP_REPLY_E_HTML;
    } else if (stream) {
        return SMTP_REPLY_E_NO_CODE;
    } else {
        /* Text without a code: worth classifying only if it has a word in it. */
        if (mostly_control(b, p, end))
            return SMTP_REPLY_E_BINARY;
        if (!has_word(b, p, end))
            return SMTP_REPLY_E_NO_CODE;
    }
    if (!coded)
        r->flags |= SMTP_REPLY_F_NO_BASIC_CODE;

    int final, final_has_lf;
    size_t q = parse_lines(buf, p, end, coded, stream, (int)u.esc, r, &final, &final_has_lf);

    if (stream) {
        if (!final || !final_has_lf) {
            if (len > n)
                return SMTP_REPLY_E_TOO_LONG;
            /* keep the outputs reset: nothing is valid until the reply is complete */
            memset(r, 0, sizeof *r);
            return SMTP_REPLY_E_INCOMPLETE;
        }
    } else {
        if (coded && !final)
            r->flags |= SMTP_REPLY_F_NO_FINAL_LINE;
        if (final) {
            size_t t = q;
            while (t < end && smtp__space(b[t]))
                t++;
            if (t < end)
                r->flags |= SMTP_REPLY_F_SEVERAL_REPLIES;
        }
    }

    /* the reply span: from its first byte to the end of its last line's text */
    size_t rend = q;
    while (rend > p && (b[rend - 1] == '\n' || b[rend - 1] == '\r'))
        rend--;
    r->reply.off = (uint32_t)p;
    r->reply.len = (uint32_t)(rend - p);
    r->consumed = stream ? q : (final ? q : n);

    /* "554 5.0.0 <#5.7.133 ...>": a generic X.0.0 defers to a specific code inside */
    if (r->enhanced[0] == 0 || (r->enhanced[1] == 0 && r->enhanced[2] == 0))
        find_inline_enhanced(buf, r);
    wrapper_codes(r, &u, coded);
    if (r->code == 0 && r->enhanced[0] == 0)
        r->flags |= SMTP_REPLY_F_NO_REPLY;
    mark_class_mismatch(r);

    uint32_t tl = 0;
    for (uint32_t i = 0; i < r->nstored; i++) {
        if (r->line[i].len == 0)
            continue;
        tl += (tl ? 1 : 0) + r->line[i].len;
    }
    r->text_len = tl;
    if (tl == 0)
        r->flags |= SMTP_REPLY_F_EMPTY_TEXT;
    return SMTP_REPLY_OK;
}

size_t smtp_reply_text(const char *buf, size_t len, const smtp_reply *r, char *dst, size_t dstsize)
{
    size_t total = 0;
    if (r == NULL || (buf == NULL && r->nstored > 0)) {
        if (dst && dstsize)
            dst[0] = '\0';
        return 0;
    }
    if (dst == NULL)
        dstsize = 0;
    for (uint32_t i = 0; i < r->nstored && i < SMTP_REPLY_MAX_LINES; i++) {
        size_t off = r->line[i].off, l = r->line[i].len;
        if (l == 0 || off > len || l > len - off)
            continue;
        if (total) {
            if (total + 1 < dstsize)
                dst[total] = ' ';
            total++;
        }
        if (total < dstsize) {
            size_t room = dstsize - 1 - total;
            if (total >= dstsize - 1)
                room = 0;
            memcpy(dst + total, buf + off, l < room ? l : room);
        }
        total += l;
    }
    if (dstsize)
        dst[total < dstsize ? total : dstsize - 1] = '\0';
    return total;
}

void smtp_reply_stream_init(smtp_reply_stream *st)
{
    if (st)
        memset(st, 0, sizeof *st);
}

size_t smtp_reply_sizeof_stream(void) { return sizeof(smtp_reply_stream); }

/* A stream line [ls, e) (e at its line feed) is a reply's final line: "NNN",
 * "NNN text" (as parse_lines reads a coded line that does not continue). */
static int final_line(const unsigned char *b, size_t ls, size_t e)
{
    size_t le = e > ls && b[e - 1] == '\r' ? e - 1 : e;
    return le - ls >= 3 && smtp__digit(b[ls]) && smtp__digit(b[ls + 1]) && smtp__digit(b[ls + 2]) &&
           (le - ls == 3 || b[ls + 3] == ' ');
}

int smtp_reply_parse_stream(smtp_reply_stream *st, const char *buf, size_t len, smtp_reply *r)
{
    if (r)
        memset(r, 0, sizeof *r);
    if (st == NULL || r == NULL)
        return SMTP_REPLY_E_NULL;
    if (buf == NULL || len == 0) {
        st->scanned = st->line_start = 0;
        st->started = 0;
        return buf == NULL && len ? SMTP_REPLY_E_NULL : SMTP_REPLY_E_EMPTY;
    }
    const unsigned char *b = (const unsigned char *)buf;
    size_t n = len < SMTP_REPLY_MAX_BYTES ? len : SMTP_REPLY_MAX_BYTES;
    if (n < st->scanned) /* not the buffer the state has seen: a new stream */
        st->scanned = st->line_start = st->started = 0;
    size_t from = st->scanned;
    int rc = SMTP_REPLY_E_INCOMPLETE;

    if (!st->started) {
        /* the code at the start; until it and its separator have arrived, or
         * while the reply is only white space, this is all there is to check */
        rc = stream_start(b, n, from);
        st->examined += (n - from) < 10 ? (n - from) : 10;
        if (rc == SMTP_REPLY_OK) {
            st->started = 1;
            rc = SMTP_REPLY_E_INCOMPLETE;
        } else if (rc == SMTP_REPLY_E_BLANK) {
            /* white space only so far: an error, as smtp_reply_parse says, but
             * a caller that waits for more pays only for the new bytes */
            st->scanned = n;
            return rc;
        } else if (rc != SMTP_REPLY_E_INCOMPLETE) {
            st->scanned = st->line_start = 0;
            return rc;
        } else {
            st->scanned = n;
            return rc;
        }
    }
    /* look for the final line among the lines completed since the last call */
    size_t i = from, ls = st->line_start;
    while (i < n) {
        const unsigned char *lf = memchr(b + i, '\n', n - i);
        if (lf == NULL)
            break;
        size_t e = (size_t)(lf - b);
        st->examined += e + 1 - i;
        if (final_line(b, ls, e)) {
            st->examined += e + 1; /* the one full parse */
            st->scanned = st->line_start = 0;
            st->started = 0;
            return smtp_reply_parse(buf, e + 1, SMTP_REPLY_OPT_STREAM, r);
        }
        ls = i = e + 1;
    }
    st->examined += n - i;
    if (len > n) {
        st->scanned = st->line_start = st->started = 0;
        return SMTP_REPLY_E_TOO_LONG;
    }
    st->scanned = n;
    st->line_start = ls;
    return rc;
}
