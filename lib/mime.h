/*
 * mime.h - the mail layer of the bounce reader (internal, not installed).
 *
 * Lines with any line ends, header fields, Content-Type, an iterative MIME walk
 * into a fixed part table, base64 / quoted-printable / RFC 2047 decoding and a
 * few charsets to UTF-8.  Everything works on (buf, len), never reads past len,
 * never allocates (output goes to caller-given buffers) and is linear in its
 * input.
 */
#ifndef SMTPREPLY_MIME_H
#define SMTPREPLY_MIME_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "smtpreply.h"

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define SMTP__MIME_SSE2 1
#endif

/* A view of text: into the mail or into the scratch. */
typedef struct smtp__txt {
    const char *p;
    size_t n;
} smtp__txt;

/* ---- lines ---- */

/* The line that starts at i: returns the offset of its line break (LF, CRLF or
 * CR; n when the text ends first) and sets *next to the start of the next line. */
size_t smtp__eol(const char *b, size_t i, size_t n, size_t *next);

/* Bit k of the result: b[base + k] is a CR or a LF (base + k < end). */
static inline uint64_t smtp__breaks64(const char *b, size_t base, size_t end)
{
    uint64_t m = 0;
    size_t k = 0;
#ifdef SMTP__MIME_SSE2
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    if (base + 64 <= end) {
        const __m128i *q = (const __m128i *)(const void *)(b + base);
        __m128i v0 = _mm_loadu_si128(q), v1 = _mm_loadu_si128(q + 1);
        __m128i v2 = _mm_loadu_si128(q + 2), v3 = _mm_loadu_si128(q + 3);
        uint64_t m0 = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v0, lf), _mm_cmpeq_epi8(v0, cr)));
        uint64_t m1 = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v1, lf), _mm_cmpeq_epi8(v1, cr)));
        uint64_t m2 = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v2, lf), _mm_cmpeq_epi8(v2, cr)));
        uint64_t m3 = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v3, lf), _mm_cmpeq_epi8(v3, cr)));
        return m0 | m1 << 16 | m2 << 32 | m3 << 48;
    }
    for (; base + k + 16 <= end; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + base + k));
        m |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, lf),
                                                                _mm_cmpeq_epi8(v, cr)))
             << k;
    }
    if (base + k < end && end >= 16) {
        /* the last bytes: the 16 that end at end (b[0..end) is there), the
         * bits of those from base + k on */
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + end - 16));
        unsigned t = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, lf),
                                                              _mm_cmpeq_epi8(v, cr)));
        return m | (uint64_t)(t >> (base + k - (end - 16))) << k;
    }
#endif
    for (; k < 64 && base + k < end; k++)
        m |= (uint64_t)(b[base + k] == '\n' || b[base + k] == '\r') << k;
    return m;
}

/* Where a field name that starts at i ends: the first byte in [i, e) that is
 * ':', a control byte, white space, DEL or >= 0x80 (e when none is). */
static inline size_t smtp__name_end(const char *b, size_t i, size_t e)
{
#ifdef SMTP__MIME_SSE2
    /* 16 bytes at a time: most names end in the first 16 */
    const __m128i colon = _mm_set1_epi8(':'), del = _mm_set1_epi8(0x7f),
                  bang = _mm_set1_epi8('!');
    while (i + 16 <= e) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        /* signed: bytes >= 0x80 are negative, so "< '!'" takes them too */
        __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, colon), _mm_cmpeq_epi8(v, del)),
                                    _mm_cmplt_epi8(v, bang));
        unsigned m = (unsigned)_mm_movemask_epi8(stop);
        if (m)
            return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
#endif
    while (i < e && b[i] != ':' && (unsigned char)b[i] > ' ' && (unsigned char)b[i] < 0x7f)
        i++;
    return i;
}

/* The value that starts at i: its end (that of its last continuation line)
 * and, in *next, where the field after it starts (the start of a line that
 * is no continuation, of a blank line, or end).  The line breaks of 64 bytes
 * a step, so a folded field costs a few operations per line. */
static inline size_t smtp__value_end(const char *b, size_t i, size_t end, size_t *next, int *folded)
{
    size_t base = i;
    *folded = 0;
    uint64_t m = smtp__breaks64(b, base, end);
    for (;;) {
        while (m == 0) {
            base += 64;
            if (base >= end) {
                *next = end;
                return end;
            }
            m = smtp__breaks64(b, base, end);
        }
        size_t p = base + (size_t)__builtin_ctzll(m), s = p + 1;
        if (b[p] == '\r' && s < end && b[s] == '\n')
            s++;
        if (s >= end || !(b[s] == ' ' || b[s] == '\t')) {
            *next = s;
            return p;
        }
        /* a continuation, unless only white space follows (a blank line) */
        size_t k = s;
        while (k < end && (b[k] == ' ' || b[k] == '\t'))
            k++;
        if (k >= end || b[k] == '\n' || b[k] == '\r') {
            *next = s;
            return p;
        }
        *folded = 1;
        if (k - base >= 64) {
            base = k;
            m = smtp__breaks64(b, base, end);
        } else {
            m &= ~0ull << (k - base);
        }
    }
}

/* Lines read one after the other, their breaks found 64 bytes at a time (a
 * bit mask kept between lines): a short line costs a few operations, not a
 * search of its own. */
struct smtp__lines {
    const char *b;
    size_t n;
    size_t base;             /* the mask's first byte */
    uint64_t m;              /* smtp__breaks64(b, base, n) */
};

static inline void smtp__lines_init(struct smtp__lines *l, const char *b, size_t n, size_t pos)
{
    l->b = b;
    l->n = n;
    l->base = pos;
    l->m = pos < n ? smtp__breaks64(b, pos, n) : 0;
}

/* smtp__eol for the line at pos (at or after the previous line asked for). */
static inline size_t smtp__lines_eol(struct smtp__lines *l, size_t pos, size_t *next)
{
    const char *b = l->b;
    size_t n = l->n;
    if (pos >= n) {
        *next = n;
        return n;
    }
    if (pos - l->base >= 64 || pos < l->base) {
        l->base = pos;
        l->m = smtp__breaks64(b, pos, n);
    }
    uint64_t m = l->m & (~0ull << (pos - l->base));
    while (m == 0) {
        if (l->base + 64 >= n) {
            *next = n;
            return n;
        }
        l->base += 64;
        l->m = m = smtp__breaks64(b, l->base, n);
    }
    size_t p = l->base + (size_t)__builtin_ctzll(m), s = p + 1;
    if (b[p] == '\r' && s < n && b[s] == '\n')
        s++;
    *next = s;
    return p;
}

/* ASCII case-insensitive: the n bytes at s equal the lower-case literal lit. */
int smtp__ieq(const char *s, size_t n, const char *lit);
/* ASCII case-insensitive prefix test. */
int smtp__iprefix(const char *s, size_t n, const char *lit);

/* ---- header fields ---- */

struct smtp__field {
    size_t name, name_len;  /* the field name */
    size_t val, val_end;    /* the value: after the colon and leading white space, to the
                               end of its last continuation line (line breaks inside) */
    int folded;             /* it has continuation lines (else no line break inside) */
};

/* Read the field at *pos of the header block that ends by end.  Returns 1 with
 * *f filled and *pos at the next field; 0 at the end of the block: *pos is then
 * after the blank line that ends it, or at the first line that is neither a
 * field nor a continuation (a body without the blank line), or end. */
int smtp__next_field(const char *b, size_t end, size_t *pos, struct smtp__field *f);

/* smtp__next_field inline, for a loop over the fields of a header: the usual
 * line (a name, a colon, the value and its continuation lines) here, the
 * rest (an empty or blank line, a leading continuation, the end) by the call. */
/* The field whose line starts at i (a byte that is neither a line break nor
 * white space): 1 with *f filled and *pos at the next field, or 0 with *pos at
 * i when the line is not a field (the body starts there).  Both field readers
 * end here. */
static inline int smtp__field_at(const char *b, size_t i, size_t end, size_t *pos,
                                 struct smtp__field *f)
{
    /* (name_end stops at a line break: the line's end is not needed yet) */
    size_t c = smtp__name_end(b, i, end), nl = c - i, d = c;
    while (d < end && (b[d] == ' ' || b[d] == '\t'))
        d++;
    if (nl == 0 || nl > 200 || d >= end || b[d] != ':') {
        *pos = i;
        return 0;
    }
    f->name = i;
    f->name_len = nl;
    d++;
    while (d < end && (b[d] == ' ' || b[d] == '\t'))
        d++;
    f->val = d;
    f->val_end = smtp__value_end(b, d, end, pos, &f->folded);
    return 1;
}

static inline int smtp__next_field_inline(const char *b, size_t end, size_t *pos,
                                          struct smtp__field *f)
{
    size_t i = *pos;
    if (i >= end || b[i] == '\n' || b[i] == '\r' || b[i] == ' ' || b[i] == '\t')
        return smtp__next_field(b, end, pos, f);
    return smtp__field_at(b, i, end, pos, f);
}

/* w (bytes of s) equals l (bytes of lit, lower case ASCII), the letters of l
 * matching either case of w. */
static inline int smtp__ieq_word(uint64_t w, uint64_t l)
{
    /* 0x80 in each byte of lit that is 'a'..'z' (no carries: lit is ASCII) */
    uint64_t letter = (l + 0x1f1f1f1f1f1f1f1full) & ~(l + 0x0505050505050505ull) &
                      0x8080808080808080ull;
    return (w | letter >> 2) == l;
}

/* smtp__ieq when lit has n bytes (its length was tested): 8 bytes a step, the
 * last bytes by one load that overlaps the step before (an equality test per
 * byte: a byte tested twice is the same test), a short name by two such
 * loads of 4 or 2 bytes. */
static inline int smtp__ieq_n(const char *s, const char *lit, size_t n)
{
    uint64_t a = 0, l = 0;
    if (n >= 8) {
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            memcpy(&a, s + i, 8);
            memcpy(&l, lit + i, 8);
            if (!smtp__ieq_word(a, l))
                return 0;
        }
        if (i == n)
            return 1;
        memcpy(&a, s + n - 8, 8);
        memcpy(&l, lit + n - 8, 8);
        return smtp__ieq_word(a, l);
    }
    if (n >= 4) {
        uint32_t a0, a1, l0, l1;
        memcpy(&a0, s, 4);
        memcpy(&a1, s + n - 4, 4);
        memcpy(&l0, lit, 4);
        memcpy(&l1, lit + n - 4, 4);
        return smtp__ieq_word((uint64_t)a0 << 32 | a1, (uint64_t)l0 << 32 | l1);
    }
    if (n >= 2) {
        uint16_t a0, a1, l0, l1;
        memcpy(&a0, s, 2);
        memcpy(&a1, s + n - 2, 2);
        memcpy(&l0, lit, 2);
        memcpy(&l1, lit + n - 2, 2);
        return smtp__ieq_word((uint64_t)a0 << 16 | a1, (uint64_t)l0 << 16 | l1);
    }
    if (n == 1) {
        a = (unsigned char)s[0];
        l = (unsigned char)lit[0];
        return smtp__ieq_word(a, l);
    }
    return 1;
}

/* The field's name equals lit (lower case, no colon), case-insensitively.
 * Inline: for a literal the length test is a constant, and most names fail it. */
static inline int smtp__field_is(const char *b, const struct smtp__field *f, const char *lit)
{
    return f->name_len == strlen(lit) && smtp__ieq_n(b + f->name, lit, f->name_len);
}

/* Copy v[0..n) to dst unfolded: each line break with the white space around it
 * becomes one space, leading and trailing white space is dropped.  Writes at
 * most cap bytes; returns the length and sets *trunc when cut. */
size_t smtp__unfold(const char *v, size_t n, char *dst, size_t cap, int *trunc);
/* The same, also giving where each line after the first starts in the output
 * (its first byte; the first max of them in starts, their number in
 * *nstarts).  starts may be NULL when max is 0. */
size_t smtp__unfold_lines(const char *v, size_t n, char *dst, size_t cap, int *trunc,
                          uint32_t *starts, uint32_t *nstarts, uint32_t max);

/* ---- Content-Type and friends ---- */

enum smtp__mtype {
    SMTP__MT_NONE = 0,          /* no Content-Type: text/plain by default */
    SMTP__MT_TEXT_PLAIN,
    SMTP__MT_TEXT_HTML,
    SMTP__MT_TEXT_OTHER,
    SMTP__MT_MULTIPART,
    SMTP__MT_MSG_RFC822,        /* message/rfc822 */
    SMTP__MT_MSG_GLOBAL,        /* message/global (RFC 6532) */
    SMTP__MT_MSG_PARTIAL,
    SMTP__MT_HEADERS,           /* text/rfc822-headers, message/global-headers */
    SMTP__MT_DSN,               /* message/delivery-status */
    SMTP__MT_GLOBAL_DSN,        /* message/global-delivery-status (RFC 6533) */
    SMTP__MT_FEEDBACK,          /* message/feedback-report (RFC 5965) */
    SMTP__MT_MDN,               /* message/disposition-notification (RFC 8098) */
    SMTP__MT_OTHER
};

enum smtp__msub { SMTP__MS_OTHER = 0, SMTP__MS_REPORT, SMTP__MS_ALTERNATIVE, SMTP__MS_MIXED };

enum smtp__cte { SMTP__CTE_IDENTITY = 0, SMTP__CTE_BASE64, SMTP__CTE_QP };

enum smtp__charset {
    SMTP__CS_NONE = 0,   /* not stated */
    SMTP__CS_UTF8,       /* utf-8, utf8, and the misspelling uft-8 */
    SMTP__CS_ASCII,
    SMTP__CS_LATIN1,     /* iso-8859-1 */
    SMTP__CS_LATIN9,     /* iso-8859-15 */
    SMTP__CS_CP1252,     /* windows-1252 */
    SMTP__CS_UTF7,       /* utf-7, unicode-1-1-utf-7 */
    SMTP__CS_OTHER       /* kept as it is, flagged */
};

enum smtp__rtype { SMTP__RT_NONE = 0, SMTP__RT_DSN, SMTP__RT_FEEDBACK, SMTP__RT_MDN, SMTP__RT_OTHER };

struct smtp__ctype {
    uint8_t type;        /* enum smtp__mtype */
    uint8_t sub;         /* enum smtp__msub, for multipart */
    uint8_t charset;     /* enum smtp__charset */
    uint8_t report;      /* enum smtp__rtype: report-type= of multipart/report */
    smtp__txt boundary;  /* view into the value; n 0 when absent */
};

/* Parse a Content-Type value (folded as written). */
void smtp__parse_ctype(const char *v, size_t n, struct smtp__ctype *ct);
/* A Content-Transfer-Encoding value. */
int smtp__parse_cte(const char *v, size_t n);
/* A charset name. */
int smtp__charset_id(const char *s, size_t n);

/* ---- the MIME walk ---- */

struct smtp__part {
    uint32_t hdr, hdr_end;     /* header block (hdr_end: start of the body) */
    uint32_t body, body_end;   /* body, without the line break before a boundary */
    uint16_t parent;           /* index of the parent part; SMTP__NO_PART for the top */
    uint8_t depth;             /* multipart nesting (the top is 0) */
    uint8_t type, sub, cte, charset, report;
    uint8_t in_message;        /* 1 for the header of a message/rfc822 body */
    uint8_t pad[3];
};
#define SMTP__NO_PART 0xffffu

struct smtp__walk {
    struct smtp__part *parts;  /* caller's table */
    uint32_t cap;              /* its size (SMTP_REPLY_BOUNCE_MAX_PARTS) */
    uint32_t nparts;
    uint32_t depth;            /* deepest nesting seen */
    uint32_t flags;            /* SMTP_REPLY_BOUNCE_F_* (NO_BOUNDARY, UNCLOSED, DEPTH_LIMIT, PARTS_LIMIT) */
};

/* Walk the mail whose header block starts at hdr (b[0..n) is the whole mail).
 * parts[0] is the mail itself; each part of a multipart follows in order;
 * the header block of a message/rfc822 (or message/global, text/rfc822-headers)
 * body is a part of its own with in_message set (hdr and body_end only: its
 * fields are not read, the caller reads that header itself), and nothing
 * inside a returned message is walked. */
void smtp__mime_walk(const char *b, size_t n, size_t hdr, struct smtp__walk *w);
/* The same, when the caller has read the top header already: top from
 * smtp__part_from_header, bnd its Content-Type's boundary. */
void smtp__mime_walk_top(const char *b, size_t n, const struct smtp__part *top, smtp__txt bnd,
                         struct smtp__walk *w);
void smtp__part_from_header(const char *b, size_t n, size_t hdr, size_t body,
                            const struct smtp__ctype *ct, int have_ct, int cte,
                            struct smtp__part *p);

/* ---- decoding ---- */

/* Base64: skips characters outside the alphabet (line breaks), stops at '='.
 * Sets SMTP_REPLY_BOUNCE_F_BAD_ENCODING in *flags for anything odd.  Writes at
 * most cap bytes (decoding never grows: cap >= n always suffices). */
size_t smtp__b64_decode(const char *s, size_t n, char *dst, size_t cap, uint32_t *flags);
/* Quoted-printable: soft line breaks with any line end; invalid '=' kept. */
size_t smtp__qp_decode(const char *s, size_t n, char *dst, size_t cap, uint32_t *flags);
/* Convert from a charset to UTF-8 (3 * n always suffices).  UTF-8, ASCII,
 * unstated and unknown charsets are copied as they are (unknown ones set
 * SMTP_REPLY_BOUNCE_F_CHARSET_KEPT when the text has bytes >= 0x80 or an
 * ESC, as ISO-2022-JP does). */
size_t smtp__to_utf8(int cs, const char *s, size_t n, char *dst, size_t cap, uint32_t *flags);
/* Does converting from cs change these bytes? (0 for pure ASCII in any
 * supported charset, and for every UTF-8 / unknown charset). */
int smtp__needs_conversion(int cs, const char *s, size_t n);

/* Decode RFC 2047 encoded words in an unfolded header value (B and Q, in the
 * charsets smtp__to_utf8 converts; words in other charsets are left as
 * written, with SMTP_REPLY_BOUNCE_F_CHARSET_KEPT).  White space between two
 * encoded words is dropped.  Output is at most 3 * n bytes. */
size_t smtp__decode_words(const char *s, size_t n, char *dst, size_t cap, uint32_t *flags);

/* Reduce HTML to text in place: tags removed (block tags become line breaks),
 * <style>, <script> and <head> dropped, a few entities decoded.  Returns the
 * new length (never more than n). */
size_t smtp__html_text(char *s, size_t n);

#endif
