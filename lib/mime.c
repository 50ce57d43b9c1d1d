/*
 * mime.c - lines, header fields, MIME structure and decoding for the bounce
 * reader (see mime.h).
 *
 * Every function works on (buf, len), reads no byte past len, writes no byte
 * past the capacity it is given, allocates nothing and is linear in its input:
 * loops advance by at least one byte, and the few look-aheads (a MIME boundary,
 * an encoded word) are bounded or skip what they scanned.
 */
#include <string.h>
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define SMTP__EOL_SSE2 1
#endif

#include "lex.h"
#include "mime.h"

/* 8 bytes at a time: does the word hold a byte equal to c? (the classic
 * "has zero byte" test on w ^ c) */
static inline uint64_t has_byte(uint64_t w, unsigned char c)
{
    uint64_t x = w ^ (0x0101010101010101ull * c);
    return (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
}

/* smtp__eol's body, inlined where header fields are split (a call per line
 * cost as much as the search in a short line) */
static inline size_t eol_inline(const char *b, size_t i, size_t n, size_t *next)
{
#ifdef SMTP__EOL_SSE2
    /* 16 bytes at a time where SSE2 is there (every x86-64): a line of a
     * mail's header is crossed in a few steps */
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    while (i + 32 <= n) {      /* 32 at a time: one test for two loads */
        __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(b + i + 16));
        __m128i m0 = _mm_or_si128(_mm_cmpeq_epi8(v0, lf), _mm_cmpeq_epi8(v0, cr));
        __m128i m1 = _mm_or_si128(_mm_cmpeq_epi8(v1, lf), _mm_cmpeq_epi8(v1, cr));
        unsigned m = (unsigned)_mm_movemask_epi8(m0) | (unsigned)_mm_movemask_epi8(m1) << 16;
        if (m) {
            i += (size_t)__builtin_ctz(m);
            goto found;
        }
        i += 32;
    }
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, lf),
                                                              _mm_cmpeq_epi8(v, cr)));
        if (m) {
            i += (size_t)__builtin_ctz(m);
            goto found;
        }
        i += 16;
    }
    if (i < n && n >= 16) {
        /* the last bytes: the 16 that end at n (b[0..n) is there), from i on */
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + n - 16));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, lf),
                                                              _mm_cmpeq_epi8(v, cr)));
        m >>= i - (n - 16);
        i = m ? i + (size_t)__builtin_ctz(m) : n;
        goto found;
    }
#endif
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        if (has_byte(w, '\n') | has_byte(w, '\r'))
            break;
        i += 8;
    }
    while (i < n && b[i] != '\n' && b[i] != '\r')
        i++;
#ifdef SMTP__EOL_SSE2
found:;
#endif
    size_t e = i;
    if (i < n) {
        if (b[i] == '\r' && i + 1 < n && b[i + 1] == '\n')
            i += 2;
        else
            i++;
    }
    *next = i;
    return e;
}

size_t smtp__eol(const char *b, size_t i, size_t n, size_t *next)
{
    return eol_inline(b, i, n, next);
}


int smtp__ieq(const char *s, size_t n, const char *lit)
{
    size_t i = 0;
    for (; i < n; i++)
        if (lit[i] == '\0' || smtp__lower((unsigned char)s[i]) != (unsigned char)lit[i])
            return 0;
    return lit[i] == '\0';
}

int smtp__iprefix(const char *s, size_t n, const char *lit)
{
    size_t i = 0;
    for (; lit[i]; i++)
        if (i >= n || smtp__lower((unsigned char)s[i]) != (unsigned char)lit[i])
            return 0;
    return 1;
}

/* smtp__ieq with a literal: the length test first (a constant), most fail it */
#define IEQ(s, n, lit) ((n) == sizeof(lit) - 1 && smtp__ieq_n((s), (lit), (n)))
#define LIT(lit) lit, sizeof(lit) - 1     /* a table's name and its length */

static inline int wsp(char c) { return smtp__wsp((unsigned char)c); }
static inline int lws(char c) { return smtp__lws((unsigned char)c); }

/* ---- header fields ---------------------------------------------------------- */

/* A line of only white space (or empty) from i to e. */
static int blank_line(const char *b, size_t i, size_t e)
{
    while (i < e && wsp(b[i]))
        i++;
    return i == e;
}

int smtp__next_field(const char *b, size_t end, size_t *pos, struct smtp__field *f)
{
    size_t i = *pos;
    for (;;) {
        if (i >= end) {
            *pos = end;
            return 0;
        }
        if (b[i] == '\n' || b[i] == '\r') {     /* an empty line */
            *pos = i + 1 + (b[i] == '\r' && i + 1 < end && b[i + 1] == '\n');
            return 0;
        }
        if (wsp(b[i])) {
            size_t next, e = eol_inline(b, i, end, &next);
            if (blank_line(b, i, e)) {
                *pos = next;
                return 0;
            }
            i = next;           /* a continuation with no field before it */
            continue;
        }
        return smtp__field_at(b, i, end, pos, f);
    }
}

size_t smtp__unfold(const char *v, size_t n, char *dst, size_t cap, int *trunc)
{
    return smtp__unfold_lines(v, n, dst, cap, trunc, NULL, NULL, 0);
}

size_t smtp__unfold_lines(const char *v, size_t n, char *dst, size_t cap, int *trunc,
                          uint32_t *starts, uint32_t *nstarts, uint32_t max)
{
    size_t k = 0, i = 0;
    uint32_t ns = 0;
    int pending_space = 0;
    *trunc = 0;
    while (i < n && lws(v[i]))
        i++;
    while (i < n) {
        /* a line's bytes up to its break, copied whole */
        size_t next, e = smtp__eol(v, i, n, &next);
        if (e > i) {
            if (pending_space) {
                pending_space = 0;
                if (k > 0) {
                    if (k >= cap) {
                        *trunc = 1;
                        break;
                    }
                    dst[k++] = ' ';
                }
                if (ns < max && k < cap)
                    starts[ns++] = (uint32_t)k;
            }
            size_t l = e - i;
            if (l > cap - k) {
                memcpy(dst + k, v + i, cap - k);
                k = cap;
                *trunc = 1;
                break;
            }
            memcpy(dst + k, v + i, l);
            k += l;
        }
        if (e >= n)
            break;
        /* the break: white space before it is dropped, white space and
         * further breaks after it are skipped, one space stands for it all */
        while (k > 0 && wsp(dst[k - 1]))
            k--;
        i = e + 1;
        while (i < n && lws(v[i]))
            i++;
        pending_space = 1;
    }
    if (*trunc) {
        /* do not end inside a UTF-8 sequence */
        size_t j = k;
        while (j > 0 && ((unsigned char)dst[j - 1] & 0xc0) == 0x80 && k - j < 3)
            j--;
        if (j > 0 && (unsigned char)dst[j - 1] >= 0xc0)
            k = j - 1;
    }
    while (k > 0 && wsp(dst[k - 1]))
        k--;
    /* a line start the cut or the trim left past the end is none */
    while (ns > 0 && starts[ns - 1] >= k)
        ns--;
    if (nstarts)
        *nstarts = ns;
    return k;
}

/* ---- Content-Type ---------------------------------------------------------- */

static size_t skip_lws(const char *v, size_t i, size_t n)
{
    while (i < n && lws(v[i]))
        i++;
    return i;
}

/* Where Content-Type's tokens end, a table look-up per byte (the tests in a
 * row cost more than the rest of the parse): CT_TOKEN_END for a type, a subtype
 * or a parameter name (white space, ';', '/', '=', '"'), CT_VALUE_END for an
 * unquoted parameter value (white space, ';'). */
enum { CT_TOKEN_END = 1, CT_VALUE_END = 2 };
static const unsigned char ct_end[256] = {
    [' '] = CT_TOKEN_END | CT_VALUE_END, ['\t'] = CT_TOKEN_END | CT_VALUE_END,
    ['\r'] = CT_TOKEN_END | CT_VALUE_END, ['\n'] = CT_TOKEN_END | CT_VALUE_END,
    [';'] = CT_TOKEN_END | CT_VALUE_END,
    ['/'] = CT_TOKEN_END, ['='] = CT_TOKEN_END, ['"'] = CT_TOKEN_END,
};

static int tspecial_end(char c) { return ct_end[(unsigned char)c] & CT_TOKEN_END; }

int smtp__charset_id(const char *s, size_t n)
{
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    if (n == 0)
        return SMTP__CS_NONE;
    static const struct { const char *name; size_t len; int id; } names[] = {
        {LIT("utf-8"), SMTP__CS_UTF8}, {LIT("utf8"), SMTP__CS_UTF8}, {LIT("uft-8"), SMTP__CS_UTF8},
        {LIT("x-utf-8"), SMTP__CS_UTF8}, {LIT("us-ascii"), SMTP__CS_ASCII}, {LIT("ascii"), SMTP__CS_ASCII},
        {LIT("ansi_x3.4-1968"), SMTP__CS_ASCII}, {LIT("iso-8859-1"), SMTP__CS_LATIN1},
        {LIT("iso8859-1"), SMTP__CS_LATIN1}, {LIT("iso_8859-1"), SMTP__CS_LATIN1},
        {LIT("latin1"), SMTP__CS_LATIN1}, {LIT("latin-1"), SMTP__CS_LATIN1}, {LIT("l1"), SMTP__CS_LATIN1},
        {LIT("iso-8859-15"), SMTP__CS_LATIN9}, {LIT("iso8859-15"), SMTP__CS_LATIN9},
        {LIT("latin-9"), SMTP__CS_LATIN9}, {LIT("latin9"), SMTP__CS_LATIN9},
        {LIT("windows-1252"), SMTP__CS_CP1252}, {LIT("cp1252"), SMTP__CS_CP1252},
        {LIT("x-cp1252"), SMTP__CS_CP1252}, {LIT("utf-7"), SMTP__CS_UTF7},
        {LIT("unicode-1-1-utf-7"), SMTP__CS_UTF7}, {LIT("x-unicode-1-1-utf-7"), SMTP__CS_UTF7},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].len == n && smtp__ieq_n(s, names[i].name, n))
            return names[i].id;
    return SMTP__CS_OTHER;
}

int smtp__parse_cte(const char *v, size_t n)
{
    size_t i = skip_lws(v, 0, n), j = i;
    while (j < n && !lws(v[j]) && v[j] != ';')
        j++;
    if (IEQ(v + i, j - i, "base64"))
        return SMTP__CTE_BASE64;
    if (IEQ(v + i, j - i, "quoted-printable"))
        return SMTP__CTE_QP;
    return SMTP__CTE_IDENTITY;
}

static int media_type(const char *t, size_t tn, const char *s, size_t sn, uint8_t *sub)
{
    *sub = SMTP__MS_OTHER;
    if (IEQ(t, tn, "text")) {
        if (IEQ(s, sn, "plain"))
            return SMTP__MT_TEXT_PLAIN;
        if (IEQ(s, sn, "html"))
            return SMTP__MT_TEXT_HTML;
        if (IEQ(s, sn, "rfc822-headers") || IEQ(s, sn, "rfc822-header"))
            return SMTP__MT_HEADERS;
        if (IEQ(s, sn, "delivery-status"))
            return SMTP__MT_DSN;
        return SMTP__MT_TEXT_OTHER;
    }
    if (IEQ(t, tn, "multipart")) {
        if (IEQ(s, sn, "report"))
            *sub = SMTP__MS_REPORT;
        else if (IEQ(s, sn, "alternative"))
            *sub = SMTP__MS_ALTERNATIVE;
        else if (IEQ(s, sn, "mixed"))
            *sub = SMTP__MS_MIXED;
        return SMTP__MT_MULTIPART;
    }
    if (IEQ(t, tn, "message")) {
        static const struct { const char *name; size_t len; int id; } m[] = {
            {LIT("rfc822"), SMTP__MT_MSG_RFC822}, {LIT("global"), SMTP__MT_MSG_GLOBAL},
            {LIT("partial"), SMTP__MT_MSG_PARTIAL}, {LIT("global-headers"), SMTP__MT_HEADERS},
            {LIT("delivery-status"), SMTP__MT_DSN}, {LIT("x-delivery-status"), SMTP__MT_DSN},
            {LIT("global-delivery-status"), SMTP__MT_GLOBAL_DSN},
            {LIT("feedback-report"), SMTP__MT_FEEDBACK},
            {LIT("disposition-notification"), SMTP__MT_MDN},
            {LIT("global-disposition-notification"), SMTP__MT_MDN},
        };
        for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
            if (m[i].len == sn && smtp__ieq_n(s, m[i].name, sn))
                return m[i].id;
    }
    return SMTP__MT_OTHER;
}

/* The first byte at or after i (before n) that is c1 or c2; n when none is.
 * 8 bytes a step: a boundary or a quoted value is crossed in a few steps
 * (a byte a step cost more than the rest of the Content-Type parse). */
static size_t find2(const char *v, size_t i, size_t n, unsigned char c1, unsigned char c2)
{
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, v + i, 8);
        uint64_t m = has_byte(w, c1) | has_byte(w, c2);
        if (m) {
            /* has_byte may also flag a byte just above a match (a borrow), never
             * one below: the lowest flag (little endian: the first byte) is exact */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return i + (size_t)(__builtin_ctzll(m) >> 3);
#else
            break;
#endif
        }
        i += 8;
    }
    while (i < n && (unsigned char)v[i] != c1 && (unsigned char)v[i] != c2)
        i++;
    return i;
}

/* The end of a quoted string's content that starts at i (after its opening
 * '"'): the index of the closing '"' (n when there is none, also after a final
 * backslash); a backslash quotes the byte after it. */
static size_t quoted_end(const char *v, size_t i, size_t n)
{
    for (;;) {
        i = find2(v, i, n, '"', '\\');
        if (i >= n || v[i] == '"')
            return i;
        if (i + 1 >= n)          /* a backslash at the end: the byte-wise loop */
            return n;            /* stepped past n and was clamped to n */
        i += 2;
    }
}

void smtp__parse_ctype(const char *v, size_t n, struct smtp__ctype *ct)
{
    memset(ct, 0, sizeof *ct);
    size_t i = skip_lws(v, 0, n), t = i;
    while (i < n && !tspecial_end(v[i]))
        i++;
    size_t tn = i - t;
    i = skip_lws(v, i, n);
    size_t s = i, sn = 0;
    if (i < n && v[i] == '/') {
        s = i = skip_lws(v, i + 1, n);
        while (i < n && !tspecial_end(v[i]))
            i++;
        sn = i - s;
    }
    ct->type = (uint8_t)(tn ? media_type(v + t, tn, v + s, sn, &ct->sub) : SMTP__MT_OTHER);
    /* parameters */
    while (i < n) {
        for (;;) {
            i = find2(v, i, n, ';', '"');
            if (i >= n || v[i] == ';')
                break;
            i = quoted_end(v, i + 1, n) + 1;    /* a stray quoted string: skip it whole */
        }
        if (i >= n)
            break;
        i = skip_lws(v, i + 1, n);
        size_t pn = i;
        while (i < n && !tspecial_end(v[i]))
            i++;
        size_t pl = i - pn;
        i = skip_lws(v, i, n);
        if (i >= n || v[i] != '=')
            continue;
        i = skip_lws(v, i + 1, n);
        size_t vs, vl;
        if (i < n && v[i] == '"') {
            vs = ++i;
            i = quoted_end(v, i, n);
            vl = i - vs;
            if (i < n)
                i++;
        } else {
            vs = i;
            while (i < n && !(ct_end[(unsigned char)v[i]] & CT_VALUE_END))
                i++;
            vl = i - vs;
        }
        if (IEQ(v + pn, pl, "boundary") && ct->boundary.n == 0 && vl > 0) {
            ct->boundary.p = v + vs;
            ct->boundary.n = vl;
        } else if (IEQ(v + pn, pl, "charset") && ct->charset == SMTP__CS_NONE) {
            ct->charset = (uint8_t)smtp__charset_id(v + vs, vl);
        } else if (IEQ(v + pn, pl, "report-type")) {
            if (IEQ(v + vs, vl, "delivery-status") ||
                IEQ(v + vs, vl, "global-delivery-status"))
                ct->report = SMTP__RT_DSN;
            else if (IEQ(v + vs, vl, "feedback-report"))
                ct->report = SMTP__RT_FEEDBACK;
            else if (IEQ(v + vs, vl, "disposition-notification"))
                ct->report = SMTP__RT_MDN;
            else
                ct->report = SMTP__RT_OTHER;
        }
    }
}

/* ---- the MIME walk ---------------------------------------------------------- */

#define MAX_BOUNDARY 200u   /* RFC 2046 allows 70; longer ones are ignored */

struct open_mp {
    const char *bnd;
    size_t blen;
    uint32_t part;          /* the multipart's index, or SMTP__NO_PART past the table */
};

/* Read a part's header block at hdr; fill its type fields; returns the body start. */
static size_t read_part_header(const char *b, size_t n, size_t hdr, struct smtp__part *p,
                               smtp__txt *boundary)
{
    struct smtp__field f;
    size_t pos = hdr;
    int have_ct = 0;
    struct smtp__ctype ct;
    memset(&ct, 0, sizeof ct);
    boundary->p = NULL;
    boundary->n = 0;
    p->cte = SMTP__CTE_IDENTITY;
    while (smtp__next_field_inline(b, n, &pos, &f)) {
        if (!have_ct && smtp__field_is(b, &f, "content-type")) {
            smtp__parse_ctype(b + f.val, f.val_end - f.val, &ct);
            have_ct = 1;
        } else if (smtp__field_is(b, &f, "content-transfer-encoding")) {
            p->cte = (uint8_t)smtp__parse_cte(b + f.val, f.val_end - f.val);
        }
    }
    p->type = have_ct ? ct.type : SMTP__MT_NONE;
    p->sub = ct.sub;
    p->charset = ct.charset;
    p->report = ct.report;
    if (ct.type == SMTP__MT_MULTIPART)
        *boundary = ct.boundary;
    p->hdr = (uint32_t)hdr;
    p->hdr_end = (uint32_t)pos;
    p->body = (uint32_t)pos;
    p->body_end = (uint32_t)n;
    return pos;
}

/* Is the line [i, e) "--boundary" or "--boundary--" (then *close = 1), with
 * only white space after? */
static int is_delim(const char *b, size_t i, size_t e, const char *bnd, size_t blen, int *close)
{
    if (e - i < blen + 2 || memcmp(b + i + 2, bnd, blen) != 0)
        return 0;
    size_t k = i + 2 + blen;
    *close = 0;
    if (k + 2 <= e && b[k] == '-' && b[k + 1] == '-') {
        *close = 1;
        k += 2;
    }
    while (k < e && wsp(b[k]))
        k++;
    return k == e;
}

static uint32_t add_part(struct smtp__walk *w, const struct smtp__part *p)
{
    if (w->nparts >= w->cap) {
        w->flags |= SMTP_REPLY_BOUNCE_F_PARTS_LIMIT;
        return SMTP__NO_PART;
    }
    w->parts[w->nparts] = *p;
    return w->nparts++;
}

/* The header block of a returned message: a part of its own, [start, end)
 * as the body of the message part gives it.  Its fields are not read here:
 * the bounce reader reads that header itself (read_header), and nothing
 * looks at such a part's type, charset or transfer encoding. */
static void add_message_header(const char *b, size_t n, struct smtp__walk *w, uint32_t parent,
                               uint8_t depth, size_t start, size_t end)
{
    struct smtp__part p;
    memset(&p, 0, sizeof p);
    (void)b;
    (void)n;
    p.hdr = p.hdr_end = p.body = (uint32_t)start;
    p.parent = (uint16_t)parent;
    p.depth = depth;
    p.in_message = 1;
    p.body_end = (uint32_t)end;
    add_part(w, &p);
}

static int returned_type(uint8_t t)
{
    return t == SMTP__MT_MSG_RFC822 || t == SMTP__MT_MSG_GLOBAL || t == SMTP__MT_MSG_PARTIAL;
}

void smtp__mime_walk(const char *b, size_t n, size_t hdr, struct smtp__walk *w)
{
    struct smtp__part top;
    smtp__txt bnd;
    memset(&top, 0, sizeof top);
    read_part_header(b, n, hdr, &top, &bnd);
    smtp__mime_walk_top(b, n, &top, bnd, w);
}

void smtp__part_from_header(const char *b, size_t n, size_t hdr, size_t body,
                            const struct smtp__ctype *ct, int have_ct, int cte,
                            struct smtp__part *p)
{
    memset(p, 0, sizeof *p);
    p->type = have_ct ? ct->type : SMTP__MT_NONE;
    p->sub = ct->sub;
    p->charset = ct->charset;
    p->report = ct->report;
    p->cte = (uint8_t)cte;
    p->hdr = (uint32_t)hdr;
    p->hdr_end = p->body = (uint32_t)body;
    p->body_end = (uint32_t)n;
    (void)b;
}

/* The first q >= pos where a line starts with "--" (q == pos counts as a
 * line start), else n.  16 positions a step: the byte before, at and after
 * each (a body without such a line, base64 or text with dashes, is crossed
 * without a call per dash). */
static size_t delim_candidate(const char *b, size_t pos, size_t n)
{
    size_t q = pos;
    if (q + 1 < n && b[q] == '-' && b[q + 1] == '-')
        return q;
    q++;
#ifdef SMTP__EOL_SSE2
    const __m128i dash = _mm_set1_epi8('-'), lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    /* 32 positions a round, looked at closely only when they hold a dash
     * (q - 1 >= pos: the byte before is there) */
    for (; q + 33 <= n; q += 32) {
        __m128i a0 = _mm_loadu_si128((const __m128i *)(const void *)(b + q));
        __m128i a1 = _mm_loadu_si128((const __m128i *)(const void *)(b + q + 16));
        __m128i d0 = _mm_cmpeq_epi8(a0, dash), d1 = _mm_cmpeq_epi8(a1, dash);
        if (!_mm_movemask_epi8(_mm_or_si128(d0, d1)))
            continue;
        __m128i p0 = _mm_loadu_si128((const __m128i *)(const void *)(b + q - 1));
        __m128i p1 = _mm_loadu_si128((const __m128i *)(const void *)(b + q + 15));
        __m128i n0 = _mm_loadu_si128((const __m128i *)(const void *)(b + q + 1));
        __m128i n1 = _mm_loadu_si128((const __m128i *)(const void *)(b + q + 17));
        __m128i m0 = _mm_and_si128(_mm_and_si128(d0, _mm_cmpeq_epi8(n0, dash)),
                                   _mm_or_si128(_mm_cmpeq_epi8(p0, lf), _mm_cmpeq_epi8(p0, cr)));
        __m128i m1 = _mm_and_si128(_mm_and_si128(d1, _mm_cmpeq_epi8(n1, dash)),
                                   _mm_or_si128(_mm_cmpeq_epi8(p1, lf), _mm_cmpeq_epi8(p1, cr)));
        unsigned mm = (unsigned)_mm_movemask_epi8(m0) | (unsigned)_mm_movemask_epi8(m1) << 16;
        if (mm)
            return q + (size_t)__builtin_ctz(mm);
    }
    for (; q + 17 <= n; q += 16) {
        __m128i before = _mm_loadu_si128((const __m128i *)(const void *)(b + q - 1));
        __m128i at = _mm_loadu_si128((const __m128i *)(const void *)(b + q));
        __m128i after = _mm_loadu_si128((const __m128i *)(const void *)(b + q + 1));
        __m128i brk = _mm_or_si128(_mm_cmpeq_epi8(before, lf), _mm_cmpeq_epi8(before, cr));
        __m128i two = _mm_and_si128(_mm_cmpeq_epi8(at, dash), _mm_cmpeq_epi8(after, dash));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(brk, two));
        if (m)
            return q + (size_t)__builtin_ctz(m);
    }
#endif
    for (; q + 1 < n; q++)
        if (b[q] == '-' && b[q + 1] == '-' && (b[q - 1] == '\n' || b[q - 1] == '\r'))
            return q;
    return n;
}

void smtp__mime_walk_top(const char *b, size_t n, const struct smtp__part *topp, smtp__txt bnd,
                         struct smtp__walk *w)
{
    struct open_mp stack[SMTP_REPLY_BOUNCE_MAX_DEPTH];
    uint32_t nstack = 0;
    struct smtp__part top = *topp;
    size_t pos = top.body;

    w->nparts = 0;
    w->depth = 0;
    if (top.type != SMTP__MT_MULTIPART) {
        bnd.p = NULL;
        bnd.n = 0;
    }
    top.parent = SMTP__NO_PART;
    uint32_t ti = add_part(w, &top);
    if (top.type != SMTP__MT_MULTIPART) {
        if (returned_type(top.type) && ti != SMTP__NO_PART)
            add_message_header(b, n, w, ti, 0, pos, n);
        return;
    }
    if (bnd.n == 0 || bnd.n > MAX_BOUNDARY) {
        w->flags |= SMTP_REPLY_BOUNCE_F_NO_BOUNDARY;
        return;
    }
    stack[nstack++] = (struct open_mp){bnd.p, bnd.n, ti};
    uint32_t cur = SMTP__NO_PART;   /* the leaf part whose body is being read */
    size_t prev_eol = pos;          /* where the previous line's break starts */
    int seen_delim = 0;

    while (pos < n && nstack > 0) {
        /* only a line that starts with "--" can be a delimiter: find the next
         * one with memchr (a body without dashes, base64 say, is crossed at
         * memchr's speed) */
        size_t q = delim_candidate(b, pos, n);
        if (q >= n)
            break;
        if (q > pos) {      /* the line break before the candidate line */
            prev_eol = q - 1;
            if (prev_eol > pos && b[prev_eol] == '\n' && b[prev_eol - 1] == '\r')
                prev_eol--;
            pos = q;
        }
        size_t next, e = smtp__eol(b, pos, n, &next);
        int close = 0;
        uint32_t k = nstack;
        for (uint32_t j = nstack; j-- > 0;) {
            if (is_delim(b, pos, e, stack[j].bnd, stack[j].blen, &close)) {
                k = j;
                break;
            }
        }
        if (k == nstack) {
            prev_eol = e;
            pos = next;
            continue;
        }
        seen_delim = 1;
        /* a delimiter of stack[k]: the current part ends before this line's
         * preceding line break; inner multiparts left open end here too */
        size_t end_here = prev_eol < pos ? prev_eol : pos;
        if (cur != SMTP__NO_PART) {
            w->parts[cur].body_end = (uint32_t)end_here;
            cur = SMTP__NO_PART;
        }
        while (nstack > k + 1) {
            nstack--;
            w->flags |= SMTP_REPLY_BOUNCE_F_UNCLOSED;
            if (stack[nstack].part != SMTP__NO_PART)
                w->parts[stack[nstack].part].body_end = (uint32_t)end_here;
        }
        if (close) {
            nstack--;
            if (stack[nstack].part != SMTP__NO_PART)
                w->parts[stack[nstack].part].body_end = (uint32_t)end_here;
            prev_eol = e;
            pos = next;
            continue;
        }
        /* a new part of stack[k] */
        struct smtp__part p;
        memset(&p, 0, sizeof p);
        size_t body = read_part_header(b, n, next, &p, &bnd);
        p.parent = (uint16_t)stack[k].part;
        p.depth = (uint8_t)(k + 1);
        if (k + 1 > w->depth)
            w->depth = k + 1;
        uint32_t pi = add_part(w, &p);
        if (p.type == SMTP__MT_MULTIPART) {
            if (bnd.n == 0 || bnd.n > MAX_BOUNDARY) {
                w->flags |= SMTP_REPLY_BOUNCE_F_NO_BOUNDARY;
                cur = pi;
            } else if (nstack >= SMTP_REPLY_BOUNCE_MAX_DEPTH) {
                w->flags |= SMTP_REPLY_BOUNCE_F_DEPTH_LIMIT;
                cur = pi;
            } else {
                stack[nstack++] = (struct open_mp){bnd.p, bnd.n, pi};
            }
        } else {
            cur = pi;
        }
        prev_eol = body;
        pos = body;
    }
    if (cur != SMTP__NO_PART)
        w->parts[cur].body_end = (uint32_t)n;
    if (nstack > 0)
        w->flags |= SMTP_REPLY_BOUNCE_F_UNCLOSED;
    if (!seen_delim)
        w->flags |= SMTP_REPLY_BOUNCE_F_NO_BOUNDARY;
    /* the header blocks of returned messages (parts appended after the walk;
     * their parent says where they belong) */
    uint32_t nwalked = w->nparts;
    for (uint32_t i = 0; i < nwalked; i++) {
        const struct smtp__part *p = &w->parts[i];
        if (returned_type(p->type) && !p->in_message)
            add_message_header(b, n, w, i, (uint8_t)(p->depth + 1), p->body, p->body_end);
    }
}

/* ---- decoding --------------------------------------------------------------- */

static const int8_t b64_value[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -2, -2, -1, -1, -2, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -2, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -3, -1, -1,
    -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

size_t smtp__b64_decode(const char *s, size_t n, char *dst, size_t cap, uint32_t *flags)
{
    uint32_t acc = 0, nbits = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        /* four characters of the alphabet at a group's start: three bytes at
         * once (acc keeps the bits the byte-wise steps would: only the last
         * 24 are ever read) */
        while (nbits == 0 && i + 4 <= n && k + 3 <= cap) {
            int a = b64_value[(unsigned char)s[i]], b = b64_value[(unsigned char)s[i + 1]],
                c = b64_value[(unsigned char)s[i + 2]], d = b64_value[(unsigned char)s[i + 3]];
            if ((a | b | c | d) < 0)
                break;
            acc = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
            dst[k] = (char)(acc >> 16);
            dst[k + 1] = (char)(acc >> 8 & 0xff);
            dst[k + 2] = (char)(acc & 0xff);
            k += 3;
            i += 4;
        }
        if (i >= n)
            break;
        int v = b64_value[(unsigned char)s[i]];
        if (v >= 0) {
            acc = (acc << 6) | (uint32_t)v;
            nbits += 6;
            if (nbits >= 8) {
                nbits -= 8;
                if (k < cap)
                    dst[k++] = (char)((acc >> nbits) & 0xff);
                else
                    *flags |= SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT;
            }
        } else if (v == -3) {
            /* padding: the group ends; a later group may follow (concatenated
             * encodings) */
            acc = 0;
            nbits = 0;
        } else if (v == -1) {
            *flags |= SMTP_REPLY_BOUNCE_F_BAD_ENCODING;
        }
    }
    return k;
}

size_t smtp__qp_decode(const char *s, size_t n, char *dst, size_t cap, uint32_t *flags)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
#ifdef SMTP__EOL_SSE2
        /* 16 bytes a step, stored whole while the output has room for them,
         * kept up to the first '=' (dst and s do not overlap) */
        {
            const __m128i eq = _mm_set1_epi8('=');
            unsigned m = 0;
            while (i + 16 <= n && cap - k >= 16) {
                __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
                _mm_storeu_si128((__m128i *)(void *)(dst + k), v);
                m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, eq));
                if (m)
                    break;
                i += 16;
                k += 16;
            }
            if (m) {
                size_t run = (size_t)__builtin_ctz(m);
                i += run;
                k += run;
                goto escape;
            }
            if (i >= n)
                break;
        }
#endif
        /* the bytes up to the next '=' are copied as they are (memchr, memcpy) */
        const char *q = memchr(s + i, '=', n - i);
        size_t run = (q ? (size_t)(q - s) : n) - i;
        if (run) {
            size_t l = run < cap - k ? run : cap - k;
            memcpy(dst + k, s + i, l);
            k += l;
            if (l < run)
                *flags |= SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT;
            i += run;
            if (i >= n)
                break;
        }
#ifdef SMTP__EOL_SSE2
    escape:;
#endif
        char c = s[i];
        if (c == '=') {
            /* soft line break: '=', optional white space, a line break */
            size_t j = i + 1;
            while (j < n && wsp(s[j]))
                j++;
            if (j >= n || s[j] == '\r' || s[j] == '\n') {
                if (j < n && s[j] == '\r' && j + 1 < n && s[j + 1] == '\n')
                    j++;
                i = j;
                continue;
            }
            if (i + 2 < n && smtp__hex((unsigned char)s[i + 1]) >= 0 &&
                smtp__hex((unsigned char)s[i + 2]) >= 0) {
                c = (char)(smtp__hex((unsigned char)s[i + 1]) * 16 + smtp__hex((unsigned char)s[i + 2]));
                i += 2;
            } else {
                *flags |= SMTP_REPLY_BOUNCE_F_BAD_ENCODING;
            }
        }
        if (k < cap)
            dst[k++] = c;
        else
            *flags |= SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT;
    }
    return k;
}

/* Windows-1252 0x80-0x9F; 0 = undefined (written as U+FFFD). */
static const uint16_t cp1252_hi[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static uint32_t latin9(unsigned char c)
{
    switch (c) {
    case 0xA4: return 0x20AC;
    case 0xA6: return 0x0160;
    case 0xA8: return 0x0161;
    case 0xB4: return 0x017D;
    case 0xB8: return 0x017E;
    case 0xBC: return 0x0152;
    case 0xBD: return 0x0153;
    case 0xBE: return 0x0178;
    default: return c;
    }
}

/* Append code point cp as UTF-8; returns 0 when it does not fit. */
static int put_utf8(char *dst, size_t cap, size_t *k, uint32_t cp)
{
    char t[4];
    size_t l;
    if (cp < 0x80) {
        t[0] = (char)cp;
        l = 1;
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | (cp >> 6));
        t[1] = (char)(0x80 | (cp & 0x3F));
        l = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12));
        t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F));
        l = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18));
        t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (char)(0x80 | (cp & 0x3F));
        l = 4;
    }
    if (cap - *k < l)
        return 0;
    memcpy(dst + *k, t, l);
    *k += l;
    return 1;
}

/* UTF-7 (RFC 2152): '+' opens modified base64 of UTF-16, ended by '-' (dropped)
 * or any character outside base64; "+-" is '+'. */
static size_t utf7_to_utf8(const char *s, size_t n, char *dst, size_t cap, uint32_t *flags)
{
    size_t k = 0, i = 0;
    while (i < n) {
        char c = s[i];
        if (c != '+') {
            if (k >= cap) {
                *flags |= SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT;
                break;
            }
            dst[k++] = c;
            i++;
            continue;
        }
        i++;
        if (i < n && s[i] == '-') {
            if (k >= cap) {
                *flags |= SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT;
                break;
            }
            dst[k++] = '+';
            i++;
            continue;
        }
        uint32_t acc = 0, nbits = 0, hi = 0;
        while (i < n) {
            int v = b64_value[(unsigned char)s[i]];
            if (v < 0 || s[i] == '=')
                break;
            acc = (acc << 6) | (uint32_t)v;
            nbits += 6;
            i++;
            if (nbits >= 16) {
                nbits -= 16;
                uint32_t u = (acc >> nbits) & 0xffff;
                uint32_t cp;
                if (u >= 0xD800 && u < 0xDC00) {
                    if (hi)
                        *flags |= SMTP_REPLY_BOUNCE_F_BAD_ENCODING;
                    hi = u;
                    continue;
                }
                if (u >= 0xDC00 && u < 0xE000) {
                    if (!hi) {
                        *flags |= SMTP_REPLY_BOUNCE_F_BAD_ENCODING;
                        cp = 0xFFFD;
                    } else {
                        cp = 0x10000 + ((hi - 0xD800) << 10) + (u - 0xDC00);
                    }
                    hi = 0;
                } else {
                    if (hi)
                        *flags |= SMTP_REPLY_BOUNCE_F_BAD_ENCODING;
                    hi = 0;
                    cp = u;
                }
                if (!put_utf8(dst, cap, &k, cp)) {
                    *flags |= SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT;
                    return k;
                }
            }
        }
        if (i < n && s[i] == '-')
            i++;
    }
    return k;
}

int smtp__needs_conversion(int cs, const char *s, size_t n)
{
    switch (cs) {
    case SMTP__CS_LATIN1:
    case SMTP__CS_LATIN9:
    case SMTP__CS_CP1252: {
        /* any byte >= 0x80: 8 at a time */
        size_t i = 0;
        uint64_t acc = 0;
        for (; i + 8 <= n; i += 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            acc |= w;
        }
        for (; i < n; i++)
            acc |= (unsigned char)s[i];
        return (acc & 0x8080808080808080ull) != 0;
    }
    case SMTP__CS_UTF7:
        return memchr(s, '+', n) != NULL;
    default:
        return 0;
    }
}

size_t smtp__to_utf8(int cs, const char *s, size_t n, char *dst, size_t cap, uint32_t *flags)
{
    size_t k = 0;
    switch (cs) {
    case SMTP__CS_LATIN1:
    case SMTP__CS_LATIN9:
    case SMTP__CS_CP1252:
        for (size_t i = 0; i < n; i++) {
            /* a run of ASCII: copied whole (as far as it fits) */
            size_t j = i;
            while (j + 8 <= n) {
                uint64_t w;
                memcpy(&w, s + j, 8);
                if (w & 0x8080808080808080ull)
                    break;
                j += 8;
            }
            while (j < n && (unsigned char)s[j] < 0x80)
                j++;
            if (j > i) {
                size_t run = j - i, l = run <= cap - k ? run : cap - k;
                memcpy(dst + k, s + i, l);
                k += l;
                i += l;
                if (l < run) {      /* it did not fit */
                    *flags |= SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT;
                    break;
                }
                if (i >= n)
                    break;
            }
            unsigned char c = (unsigned char)s[i];
            uint32_t cp = c;
            if (c >= 0x80) {
                if (cs == SMTP__CS_LATIN9)
                    cp = latin9(c);
                else if (cs == SMTP__CS_CP1252 && c < 0xA0)
                    cp = cp1252_hi[c - 0x80] ? cp1252_hi[c - 0x80] : 0xFFFD;
            }
            if (!put_utf8(dst, cap, &k, cp)) {
                *flags |= SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT;
                break;
            }
        }
        return k;
    case SMTP__CS_UTF7:
        return utf7_to_utf8(s, n, dst, cap, flags);
    default:
        break;
    }
    if (cs == SMTP__CS_OTHER) {
        for (size_t i = 0; i < n; i++) {
            if ((unsigned char)s[i] >= 0x80 || s[i] == 0x1b) {
                *flags |= SMTP_REPLY_BOUNCE_F_CHARSET_KEPT;
                break;
            }
        }
    }
    k = n < cap ? n : cap;
    if (k < n)
        *flags |= SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT;
    memcpy(dst, s, k);
    return k;
}

/* ---- RFC 2047 encoded words ------------------------------------------------- */

/* Decode one word's encoded text [s, s+n) with encoding enc ('b' or 'q') from
 * charset cs into dst, through a small buffer so that the conversion may grow. */
static size_t decode_word(int cs, char enc, const char *s, size_t n, char *dst, size_t cap,
                          uint32_t *flags)
{
    char tmp[192];
    size_t k = 0, i = 0;
    while (i < n) {
        size_t t = 0;
        if (enc == 'b') {
            size_t chunk = n - i < 256 ? n - i : 256;   /* 256 base64 chars -> 192 bytes */
            t = smtp__b64_decode(s + i, chunk, tmp, sizeof tmp, flags);
            i += chunk;
        } else {
            while (i < n && t < sizeof tmp) {
                char c = s[i];
                if (c == '_') {
                    c = ' ';
                } else if (c == '=' && i + 2 < n && smtp__hex((unsigned char)s[i + 1]) >= 0 &&
                           smtp__hex((unsigned char)s[i + 2]) >= 0) {
                    c = (char)(smtp__hex((unsigned char)s[i + 1]) * 16 + smtp__hex((unsigned char)s[i + 2]));
                    i += 2;
                }
                tmp[t++] = c;
                i++;
            }
        }
        k += smtp__to_utf8(cs, tmp, t, dst + k, cap - k, flags);
    }
    return k;
}

/* An encoded word at s[i..n): fills its parts and returns its end (after
 * "?="), or 0 when there is none here; *skip says how far a failed search
 * may jump (no word can start before it). */
static size_t find_word(const char *s, size_t i, size_t n, size_t *cs0, size_t *csn, char *enc,
                        size_t *t0, size_t *tn, size_t *skip)
{
    *skip = i + 2;
    size_t j = i + 2, c = j;
    while (j < n && j - c < 64 && s[j] != '?' && !lws(s[j]))
        j++;
    if (j >= n || s[j] != '?' || j == c)
        return 0;
    *cs0 = c;
    *csn = j - c;
    if (j + 2 >= n || s[j + 2] != '?')
        return 0;
    char e = (char)smtp__lower((unsigned char)s[j + 1]);
    if (e != 'b' && e != 'q')
        return 0;
    *enc = e;
    size_t t = j + 3, k = t;
    while (k + 1 < n && !lws(s[k]) && !(s[k] == '?' && s[k + 1] == '='))
        k++;
    if (k + 1 >= n || s[k] != '?' || s[k + 1] != '=') {
        *skip = k > i + 2 ? k : i + 2;   /* no "?=" before white space: none starts before k */
        return 0;
    }
    *t0 = t;
    *tn = k - t;
    return k + 2;
}

size_t smtp__decode_words(const char *s, size_t n, char *dst, size_t cap, uint32_t *flags)
{
    size_t k = 0, i = 0;
    size_t gap_k = (size_t)-1;   /* dst length before white space that follows a word */
    while (i < n) {
        if (s[i] == '=' && i + 1 < n && s[i + 1] == '?') {
            size_t cs0, csn, t0, tn, skip;
            char enc;
            size_t end = find_word(s, i, n, &cs0, &csn, &enc, &t0, &tn, &skip);
            if (end) {
                /* the charset may carry a language: "utf-8*en" */
                size_t cl = 0;
                while (cl < csn && s[cs0 + cl] != '*')
                    cl++;
                int cs = smtp__charset_id(s + cs0, cl);
                if (cs == SMTP__CS_OTHER) {
                    *flags |= SMTP_REPLY_BOUNCE_F_CHARSET_KEPT;
                    size_t l = end - i;
                    if (l > cap - k) {
                        l = cap - k;
                        *flags |= SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT;
                    }
                    memcpy(dst + k, s + i, l);
                    k += l;
                    gap_k = (size_t)-1;
                } else {
                    if (gap_k != (size_t)-1)
                        k = gap_k;      /* white space between two words goes */
                    k += decode_word(cs, enc, s + t0, tn, dst + k, cap - k, flags);
                    gap_k = k;
                }
                i = end;
                continue;
            }
            /* not a word: copy what was scanned */
            size_t l = skip - i;
            if (l > cap - k) {
                l = cap - k;
                *flags |= SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT;
            }
            memcpy(dst + k, s + i, l);
            k += l;
            i = skip;
            gap_k = (size_t)-1;
            continue;
        }
        if (k >= cap) {
            *flags |= SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT;
            break;
        }
        if (!lws(s[i]))
            gap_k = (size_t)-1;
        dst[k++] = s[i++];
    }
    return k;
}

/* ---- HTML to text ----------------------------------------------------------- */

static int tag_is_n(const char *s, size_t n, const char *name, size_t l)
{
    return n >= l && smtp__ieq_n(s, name, l) && (n == l || !smtp__alnum((unsigned char)s[l]));
}
#define tag_is(s, n, lit) tag_is_n((s), (n), (lit), sizeof(lit) - 1)

/* Where the next byte that the HTML reduction treats specially ('<', '&', a
 * line break) is, from i (n when none is). */
static size_t html_plain_end(const char *s, size_t i, size_t n)
{
#ifdef SMTP__EOL_SSE2
    const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&'), lf = _mm_set1_epi8('\n'),
                  cr = _mm_set1_epi8('\r');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, amp)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
        unsigned b = (unsigned)_mm_movemask_epi8(m);
        if (b)
            return i + (size_t)__builtin_ctz(b);
    }
#endif
    while (i < n && s[i] != '<' && s[i] != '&' && s[i] != '\n' && s[i] != '\r')
        i++;
    return i;
}

size_t smtp__html_text(char *s, size_t n)
{
    size_t k = 0, i = 0;
    int skip = 0;   /* inside <style>, <script> or <head>: 1, 2, 3 */
    while (i < n) {
        char c = s[i];
        if (c == '<') {
            const char *gt = i + 1 < n ? memchr(s + i + 1, '>', n - i - 1) : NULL;
            size_t j = gt ? (size_t)(gt - s) : n;
            const char *t = s + i + 1;
            size_t tn = j - i - 1;
            int closing = tn > 0 && t[0] == '/';
            const char *name = closing ? t + 1 : t;
            size_t nn = closing ? tn - 1 : tn;
            if (tn >= 3 && t[0] == '!' && t[1] == '-' && t[2] == '-') {
                /* a comment runs to "-->" */
                size_t m = i + 4;
                while (m + 2 < n && !(s[m] == '-' && s[m + 1] == '-' && s[m + 2] == '>'))
                    m++;
                i = m + 3 < n ? m + 3 : n;
                continue;
            }
            /* the name's first letter first: most tags are none of these */
            unsigned char c0 = nn ? smtp__lower((unsigned char)name[0]) : 0;
#define TAG(lit) (c0 == (unsigned char)(lit)[0] && tag_is(name, nn, lit))
            if (TAG("style"))
                skip = closing ? 0 : 1;
            else if (TAG("script"))
                skip = closing ? 0 : 2;
            else if (TAG("head"))
                skip = closing ? 0 : 3;
            else if (!skip && (TAG("br") || TAG("p") || TAG("div") || TAG("tr") || TAG("li") ||
                               TAG("table") || TAG("h1") || TAG("h2") || TAG("h3") ||
                               TAG("blockquote"))) {
                if (k > 0 && s[k - 1] != '\n')
                    s[k++] = '\n';
            } else if (!skip && (TAG("td") || TAG("th"))) {
                if (k > 0 && s[k - 1] != ' ' && s[k - 1] != '\n')
                    s[k++] = ' ';
            }
#undef TAG
            i = j < n ? j + 1 : n;
            continue;
        }
        if (skip) {     /* on to the next tag */
            const char *lt = memchr(s + i, '<', n - i);
            i = lt ? (size_t)(lt - s) : n;
            continue;
        }
        if (c == '&') {
            static const struct { const char *name; char c; } ents[] = {
                {"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''},
                {"nbsp;", ' '}, {"#39;", '\''}, {"#160;", ' '},
            };
            size_t e = 0;
            for (; e < sizeof ents / sizeof ents[0]; e++) {
                size_t l = strlen(ents[e].name);
                if (n - i - 1 >= l && smtp__ieq_n(s + i + 1, ents[e].name, l)) {
                    s[k++] = ents[e].c;
                    i += 1 + l;
                    break;
                }
            }
            if (e < sizeof ents / sizeof ents[0])
                continue;
        }
        if (c == '\r' || c == '\n') {
            /* source line breaks are white space in HTML */
            if (k > 0 && s[k - 1] != ' ' && s[k - 1] != '\n')
                s[k++] = ' ';
            i++;
            continue;
        }
        if (c == '&') {     /* no entity: a byte of text */
            s[k++] = c;
            i++;
            continue;
        }
        /* a run of plain text, moved down whole */
        size_t e = html_plain_end(s, i, n);
        memmove(s + k, s + i, e - i);
        k += e - i;
        i = e;
    }
    return k;
}
