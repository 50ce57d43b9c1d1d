/*
 * bounce.c - read a whole bounce mail: what it is, and one record per
 * recipient it reports on (see "bounce mails" in smtpreply.h).
 *
 * open() walks the mail once (mime.c), picks the parts that matter (the status
 * part, the human-readable notification, the returned message), decodes those
 * it reads into the scratch, scans the notification once with the markers of
 * data/bounce-formats.tsv, chooses a reader and counts its records.  next()
 * runs the chosen reader one record further: a DSN field group, an address
 * block of an MTA's text, an entry of X-Failed-Recipients, a feedback report's
 * Original-Rcpt-To, or the sender of an auto-reply.  Each record's diagnostic
 * is parsed and classified with the context rows of data/bounce-context.tsv
 * applied around smtp_reply_classify().
 *
 * Memory: the reader's state lives at the start of the caller's scratch, the
 * rest is an arena for decoded text (open) and a region reused by every
 * record (next).  Nothing allocates; nothing recurses; every loop advances.
 */
#include <string.h>
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define SMTP__SSE2 1
#endif

#include "internal.h"
#include "mime.h"
#include "bounce-table.h"

#define MAGIC 0x62726472u            /* "brdr" */
#define IDX_SLOTS 1024u              /* addresses of the notification indexed for merging */
#define ADDR_MAX 512u                /* longest address read */
#define BLOCK_MAX 4096u              /* bytes of text around a DSN recipient scanned for context */
#define STR_MAX (1u << 20)           /* longest per-mail header string kept */
#define REC_SIZE (SMTP_REPLY_BOUNCE_MAX_DIAG + 3 * ADDR_MAX + BLOCK_MAX + 64)
#define FIXED_SCRATCH 65536u         /* state and record region, rounded up */
#define RCACHE 4u                    /* records the count pass keeps for next() */
#define DSN_MARKER_LINES 64u         /* lines of a DSN's text scanned for who wrote it */
#define SMTP__MAX_MTA 64             /* > the largest enum smtp_reply_bounce_mta value (gen-bounce.py checks) */

/* Where the record iteration stands: what advance() reads and moves. */
struct cursor {
    size_t cur;
    size_t line_end, line_next;  /* M_MENTIONED: the line being read */
    int in_block, cur_action;
    smtp__txt preamble;          /* M_TEXT: from the begin line to the first recipient */
};

/* where a recipient list comes from */
enum mode {
    M_NONE = 0, M_DSN, M_DSN_TEXT, M_TEXT, M_LIST, M_ARF, M_AUTOREPLY, M_MENTIONED
};

struct raw {
    int source, action;
    smtp__txt final, final_type, orig, orig_type, remote_mta, diag_type, diag, status_txt,
        last_attempt, will_retry, final_log_id;
    int diag_is_block;      /* diag is lines of text (joined), not a field value (unfolded) */
    int malformed;          /* a DSN group without Final-Recipient, Action or Status */
    smtp__txt block;        /* text around the recipient: stage, host, gave-up phrases */
};

/* A marker hit of a notification line, as scan_notification keeps it. */
struct line_hit {
    uint32_t pos;            /* the line's start */
    uint16_t row;
    uint32_t end;            /* as in struct hits: the offset after the match, in the line */
};
#define LH_CAP ((REC_SIZE - 16) / sizeof(struct line_hit))

struct state {
    uint32_t magic;
    uint32_t options;
    const smtp_reply_bounce_reader *reader;
    const char *buf;
    size_t len;
    char *arena;
    size_t arena_cap, arena_lo;
    uint32_t flags;
    int kind, format, mta;
    struct smtp__part parts[SMTP_REPLY_BOUNCE_MAX_PARTS];
    uint32_t nparts;
    smtp__txt status;        /* the status part's text */
    smtp__txt notif;         /* the notification's text */
    int notif_kept;          /* ... in a charset that was not converted */
    int exclude_split;       /* exclude[] holds the bare addresses (split_excludes), not the fields */
    size_t begin, end;       /* the text block of an MTA format within notif: [begin, end) */
    int begin_action;
    smtp__txt list;          /* M_LIST: a comma-separated address list */
    smtp__txt list_diag;     /* M_LIST: the diagnostic every entry shares */
    int list_source;
    smtp__txt autoreply;     /* M_AUTOREPLY: the sender */
    smtp__txt exclude[4];    /* M_TEXT, M_MENTIONED: the sender's and the reporter's own addresses
                                (the header values until a reader needs them: split_excludes) */
    smtp__txt xfr_one;       /* the address of an X-Failed-Recipients that names exactly one */
    /* iteration */
    int mode;
    int indexed;             /* the address index (idx_*) is built: index_text */
    size_t start;            /* where the reader starts: rewind point */
    struct cursor at;        /* where the iteration stands */
    uint32_t index;
    uint32_t ncached;        /* records in rcache (below) */
    /* the notification's addresses, for merging DSN records with their text */
    uint32_t idx_hash[IDX_SLOTS];
    uint32_t idx_line[IDX_SLOTS];
    uint32_t idx_first[IDX_SLOTS];  /* offset of the first occurrence */
    uint8_t idx_slot[IDX_SLOTS];    /* 0 free, 1 taken, 2 taken by an address alone on its line
                                       (cleared for a new index: 1 KB, not the 4 KB of hashes) */
    union {
        char rec[REC_SIZE];              /* next(): the record's decoded strings */
        /* open() (magic not set yet): the notification's marker hits, kept
         * by scan_notification for text_next; every line that starts before
         * upto is there (n hits, by line) */
        struct {
            uint32_t n;
            size_t upto;
            struct line_hit h[LH_CAP];
        } lh;
    } r;
    /* the first records of the count pass, each with the cursor after it: next()
     * takes them from here instead of reading them again (most mails have one
     * or two) */
    struct raw rcache[RCACHE];
    struct cursor rafter[RCACHE];
};

/* ---- small helpers ---------------------------------------------------------- */

/* smtp__iprefix with a literal: the length test first (a constant) */
#define IPREFIX(s, n, lit) ((n) >= sizeof(lit) - 1 && smtp__ieq_n((s), (lit), sizeof(lit) - 1))

static inline int wsp(char c) { return smtp__wsp((unsigned char)c); }
static inline int lws(char c) { return smtp__lws((unsigned char)c); }

static smtp__txt txt(const char *p, size_t n)
{
    smtp__txt t = {p, n};
    return t;
}

static smtp__txt trim(smtp__txt t)
{
    while (t.n && lws(t.p[0])) {
        t.p++;
        t.n--;
    }
    while (t.n && lws(t.p[t.n - 1]))
        t.n--;
    return t;
}

static int in_scratch(const struct state *st, const char *p)
{
    uintptr_t a = (uintptr_t)p;
    return a >= (uintptr_t)st && a < (uintptr_t)(st->arena + st->arena_cap);
}

static smtp_reply_bounce_str out_str(const struct state *st, smtp__txt t, uint32_t extra)
{
    smtp_reply_bounce_str s;
    memset(&s, 0, sizeof s);
    if (t.p == NULL)
        return s;
    s.ptr = t.p;
    s.len = (uint32_t)t.n;
    s.flags = extra;
    if (in_scratch(st, t.p))
        s.flags |= SMTP_REPLY_BOUNCE_S_SCRATCH;
    /* any byte >= 0x80?  Overlapping loads for the ends, so a short string
     * costs no loop (its length decides no branch but the size class) */
    const char *p = t.p;
    size_t n = t.n;
    uint64_t acc = 0;
#ifdef SMTP__SSE2
    if (n >= 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16)), a2 = a;
        size_t i = 0;
        /* 64 bytes a step into two accumulators (long texts: the returned
         * header, a body), then 16 */
        for (; i + 64 <= n; i += 64) {
            const __m128i *q = (const __m128i *)(const void *)(p + i);
            a = _mm_or_si128(a, _mm_or_si128(_mm_loadu_si128(q), _mm_loadu_si128(q + 1)));
            a2 = _mm_or_si128(a2, _mm_or_si128(_mm_loadu_si128(q + 2), _mm_loadu_si128(q + 3)));
        }
        for (; i + 16 <= n; i += 16)
            a = _mm_or_si128(a, _mm_loadu_si128((const __m128i *)(const void *)(p + i)));
        if (_mm_movemask_epi8(_mm_or_si128(a, a2)))
            acc = 0x80;
    } else
#endif
    if (n >= 8) {
        uint64_t w1, w2;
        size_t i = 0;
        memcpy(&w2, p + n - 8, 8);
        for (; i + 8 <= n; i += 8) {    /* (8 to 15 bytes: once; without SSE2 every length) */
            memcpy(&w1, p + i, 8);
            acc |= w1;
        }
        acc |= w2;
    } else if (n >= 4) {
        uint32_t w1, w2;
        memcpy(&w1, p, 4);
        memcpy(&w2, p + n - 4, 4);
        acc = w1 | w2;
    } else {
        for (size_t i = 0; i < n; i++)
            acc |= (unsigned char)p[i];
    }
    if (acc & 0x8080808080808080ull)
        s.flags |= SMTP_REPLY_BOUNCE_S_8BIT;
    return s;
}

/* Arena: room for n more bytes (fewer when short, flagged). */
static char *arena_take(struct state *st, size_t want, size_t *got)
{
    size_t room = st->arena_cap - st->arena_lo;
    if (want > room) {
        st->flags |= SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT;
        want = room;
    }
    *got = want;
    return st->arena + st->arena_lo;
}

static void arena_commit(struct state *st, size_t used) { st->arena_lo += used; }

/* ---- markers ---------------------------------------------------------------- */

#define SPLIT_MIN 48u      /* scan_markers: a text this long is scanned in two halves */

struct hits {
    uint32_t n;
    struct { uint16_t row; uint32_t end; } h[16];   /* end: offset after the match */
};



static inline uint8_t fold_byte(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return (uint8_t)(c + 32);
    if (c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f')
        return ' ';
    return c;
}

/* The state a step's value (a dense row's entry, an edge's) leads to: see
 * bounce-table.h for the two encodings. */
static inline uint32_t step_state(uint32_t v)
{
    return (v & 1) ? v >> 1 : v / SMTP__BF_ROW;
}

/* One step of the marker automaton from a sparse state: its goto edges, else
 * those of its failure link, down to a dense state (whose row has every
 * class).  Returns the step's value, encoded like a dense row's entry. */
static inline uint32_t sparse_step(uint32_t s, uint32_t cls)
{
    while (s >= SMTP__BF_NDENSE) {
        const struct smtp__bf_state *st = &smtp__bf_states[s];
        for (uint32_t e = st->edge, z = st->edge + st->nedge; e < z; e++)
            if (smtp__bf_edges[e].cls == cls)
                return smtp__bf_edges[e].to;
        s = st->fail;
    }
    return smtp__bf_dense[(size_t)s * SMTP__BF_ROW + cls];
}

/* Row `row`, its match ending at `end`, unless the list has it or is full. */
static inline void add_hit(struct hits *hits, uint16_t row, uint32_t end)
{
    int dup = 0;
    for (uint32_t k = 0; k < hits->n; k++)
        dup |= hits->h[k].row == row;
    if (!dup && hits->n < 16) {
        hits->h[hits->n].row = row;
        hits->h[hits->n].end = end;
        hits->n++;
    }
}

/* The rows of the given where that end at state s (end: the offset after the
 * match), each row once, at most 16, first first. */
static void add_outputs(uint32_t s, int where, size_t end, struct hits *hits)
{
    const struct smtp__bf_state *st = &smtp__bf_states[s];
    for (uint32_t o = st->out, z = st->out + st->nout; o < z; o++) {
        uint16_t row = smtp__bf_out[o];
        if (smtp__bf_rows[row].where == where)
            add_hit(hits, row, (uint32_t)end);
    }
}

/* The slow part of a scan: the step's value v (slow) entered a state with
 * outputs or a sparse one.  Collects the outputs, feeds the bytes from q
 * through sparse_step until a dense state is back (or the text ends), sets
 * *off to that state's row offset and returns where the bytes go on.  Kept out of line: the fast loop below
 * then keeps its few values in registers. */
__attribute__((noinline)) static const unsigned char *
scan_slow(uint32_t v, const unsigned char *p, const unsigned char *q, const unsigned char *end,
          int where, struct hits *hits, size_t *off)
{
    uint32_t s = v >> 1;
    for (;;) {
        uint32_t one = smtp__bf_one[s];
        if (one & 0x100)
            add_outputs(s, where, (size_t)(q - p), hits);
        if (s < SMTP__BF_NDENSE || q >= end)
            break;
        uint32_t cls = smtp__bf_fcls[*q++];
        if ((one & 0xff) == cls) {
            s = one >> 10;      /* along the first edge: to a sparse state */
            continue;
        }
        v = sparse_step(s, cls);
        s = step_state(v);
        if (!(v & 1))
            break;
    }
    *off = (size_t)s * SMTP__BF_ROW;   /* (past the table when s is sparse: q is at end then) */
    return q;
}

/* The automaton from the dense state whose row is at off, over the bytes of
 * [q, end) of a text that starts at p: the rows of where it matches go to
 * hits (after those there). */
static inline __attribute__((always_inline)) void
scan_run(const unsigned char *p, const unsigned char *q, const unsigned char *end, size_t off,
         int where, struct hits *hits)
{
    const uint16_t *dense = smtp__bf_dense;
    const uint8_t *fcls = smtp__bf_fcls;
#if defined(__GNUC__)
    /* the two tables' addresses in registers for the loop (else the compiler
     * forms them anew for every byte) */
    __asm__("" : "+r"(dense), "+r"(fcls));
#endif
    /* a dense state without outputs next: one load per byte, one bit tested,
     * and the entry is the next row's offset; two bytes a round */
    const unsigned char *last = q < end ? end - 1 : end;
    size_t slow_off;    /* (its own variable: off stays in a register) */
    while (q < last) {
        size_t v = dense[off + fcls[q[0]]];
        if (v & 1) {
            q = scan_slow((uint32_t)v, p, q + 1, end, where, hits, &slow_off);
            off = slow_off;
            continue;
        }
        off = dense[v + fcls[q[1]]];
        q += 2;
        if (off & 1) {
            q = scan_slow((uint32_t)off, p, q, end, where, hits, &slow_off);
            off = slow_off;
        }
    }
    if (q < end) {
        size_t v = dense[off + fcls[*q]];
        if (v & 1)
            scan_slow((uint32_t)v, p, q + 1, end, where, hits, &slow_off);
    }
}

/* scan_markers' two halves: a step that left the dense rows (bit 0 of v) goes
 * on in scan_slow, which returns where it stopped and the state to go on from. */
static inline __attribute__((always_inline)) const unsigned char *
leave_fast(size_t v, const unsigned char *p, const unsigned char *q, const unsigned char *end,
           int where, struct hits *h, size_t *o)
{
    if (v & 1) {
        size_t so;
        q = scan_slow((uint32_t)v, p, q, end, where, h, &so);
        *o = so;
    }
    return q;
}

/* Run the marker automaton over t (folded, white space runs as one space) and
 * collect the rows of the given where that match (at most 16, first first).
 * An anchored row must start at the first non-blank byte: the automaton
 * starts after a virtual start-of-text class that only those rows begin with,
 * and leading white space keeps it there. */
__attribute__((noinline)) static void scan_markers(smtp__txt t, int where, struct hits *hits)
{
    const unsigned char *p = (const unsigned char *)t.p;
    hits->n = 0;
    if (t.n < SPLIT_MIN) {
        scan_run(p, p, p + t.n, (size_t)SMTP__BF_START * SMTP__BF_ROW, where, hits);
        return;
    }
    /* A longer text in two halves, their automata side by side, so that the
     * latency of one's table load (each step waits for the one before)
     * overlaps the other's: the first half from the start, the second from
     * the root at m, which finds every match that begins at or after m.  The
     * first goes on past m until it is back at the root (no row begun: every
     * match that ends later begins after it); its hits are then complete up
     * to there, and the second's that end later follow them. */
    const uint16_t *dense = smtp__bf_dense;
    const uint8_t *fcls = smtp__bf_fcls;
#if defined(__GNUC__)
    __asm__("" : "+r"(dense), "+r"(fcls));
#endif
    const unsigned char *end = p + t.n, *m = p + t.n / 2, *q1 = p, *q2 = m;
    size_t o1 = (size_t)SMTP__BF_START * SMTP__BF_ROW, o2 = 0;
    struct hits h2;
    h2.n = 0;
    /* two steps of each a round, then one */
    while (q1 + 1 < m && q2 + 1 < end) {
        size_t v1 = dense[o1 + fcls[q1[0]]];
        size_t v2 = dense[o2 + fcls[q2[0]]];
        if (__builtin_expect((v1 | v2) & 1, 0)) {
            q1++;
            q2++;
        } else {
            v1 = dense[v1 + fcls[q1[1]]];
            v2 = dense[v2 + fcls[q2[1]]];
            q1 += 2;
            q2 += 2;
        }
        o1 = v1;
        o2 = v2;
        if (__builtin_expect((v1 | v2) & 1, 0)) {
            q1 = leave_fast(v1, p, q1, end, where, hits, &o1);
            q2 = leave_fast(v2, p, q2, end, where, &h2, &o2);
        }
    }
    while (q1 < m && q2 < end) {
        size_t v1 = dense[o1 + fcls[*q1++]];
        size_t v2 = dense[o2 + fcls[*q2++]];
        o1 = v1;
        o2 = v2;
        if (__builtin_expect((v1 | v2) & 1, 0)) {
            q1 = leave_fast(v1, p, q1, end, where, hits, &o1);
            q2 = leave_fast(v2, p, q2, end, where, &h2, &o2);
        }
    }
    /* the first half to m and on to the root (or the end) */
    while ((q1 < m || o1 != 0) && q1 < end) {
        size_t v1 = dense[o1 + fcls[*q1++]];
        o1 = v1;
        q1 = leave_fast(v1, p, q1, end, where, hits, &o1);
    }
    if (q1 >= end)
        return;
    if (q2 < end)
        scan_run(p, q2, end, o2, where, &h2);
    if (h2.n == 16 && hits->n < 16) {
        /* the second's list may have been full before its rows after q1: the
         * whole text again, as one */
        hits->n = 0;
        scan_run(p, p, end, (size_t)SMTP__BF_START * SMTP__BF_ROW, where, hits);
        return;
    }
    uint32_t stop = (uint32_t)(q1 - p);
    for (uint32_t k = 0; k < h2.n; k++)
        if (h2.h[k].end > stop)
            add_hit(hits, h2.h[k].row, h2.h[k].end);
}

/* The same for the rows that are all anchored (a header field's name, a
 * status line's), over the first line of t: done as soon as the automaton
 * leaves their prefixes (a few bytes into most lines). */
static void scan_anchored(smtp__txt t, int where, struct hits *hits)
{
    const unsigned char *p = (const unsigned char *)t.p;
    size_t i = 0, n = t.n;
    uint32_t s = SMTP__BF_START;
    hits->n = 0;
    while (i < n && p[i] != '\r' && p[i] != '\n') {
        uint32_t cls = smtp__bf_fcls[p[i++]], v;
        if (s < SMTP__BF_NDENSE) {
            v = smtp__bf_dense[(size_t)s * SMTP__BF_ROW + cls];
        } else {
            uint32_t one = smtp__bf_one[s];    /* most sparse states: one edge */
            v = (one & 0xff) == cls ? one >> 9 : sparse_step(s, cls);
        }
        s = step_state(v);
        if (!smtp__bf_anchored[s])
            return;
        if ((v & 1) && smtp__bf_states[s].nout)
            add_outputs(s, where, i, hits);
    }
}

/* Can a row of where be in t?  0 when where has a prefilter (bounce-table.h)
 * and t holds none of its byte pairs: then scan_markers would find none. */
static int where_may_match(smtp__txt t, int where)
{
    uint32_t nb = smtp__bf_where_nbigram[where];
    if (nb > SMTP__BF_MAX_BIGRAMS)
        return 1;
    const uint16_t *bg = &smtp__bf_where_bigram[where * SMTP__BF_MAX_BIGRAMS];
    const unsigned char *p = (const unsigned char *)t.p;
    size_t i = 0;
#ifdef SMTP__SSE2
    /* 16 pairs a round: the bytes at i and at i + 1 */
    const __m128i low = _mm_set1_epi8(0x20);
    for (; i + 17 <= t.n; i += 16) {
        __m128i a = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(p + i)), low);
        __m128i b = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(p + i + 1)), low);
        __m128i m = _mm_setzero_si128();
        for (uint32_t k = 0; k < nb; k++)
            m = _mm_or_si128(m, _mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8((char)(bg[k] & 0xff))),
                                              _mm_cmpeq_epi8(b, _mm_set1_epi8((char)(bg[k] >> 8)))));
        if (_mm_movemask_epi8(m))
            return 1;
    }
#endif
    for (; i + 1 < t.n; i++) {
        uint32_t pair = (uint32_t)(p[i] | 0x20) | (uint32_t)(p[i + 1] | 0x20) << 8;
        for (uint32_t k = 0; k < nb; k++)
            if (pair == bg[k])
                return 1;
    }
    return 0;
}

/* Does t hold a ':' at one of the offsets of the bit mask cols (always, for
 * all bits: no such filter)? */
static int colon_at_one_of(const char *t, size_t n, uint64_t cols)
{
    if (cols == ~0ull)
        return 1;
    for (; cols; cols &= cols - 1) {
        size_t k = (size_t)__builtin_ctzll(cols);
        if (k < n && t[k] == ':')
            return 1;
    }
    return 0;
}

/* The first hit of a kind, or -1. */
static int hit_of(const struct hits *h, int kind)
{
    for (uint32_t k = 0; k < h->n; k++)
        if (smtp__bf_rows[h->h[k].row].kind == kind)
            return (int)k;
    return -1;
}

/* ---- addresses -------------------------------------------------------------- */

/* Addresses in text are read in ASCII: a byte >= 0x80 next to one is the
 * surrounding text (Japanese, say), not part of it.  (DSN fields are split by
 * split_addr_value, which keeps UTF-8 addresses whole.) */
/* per byte: 1 a local-part byte (ASCII letters, digits and
 * !#$%&'*+/=?^_`{|}~.-), 2 a domain byte (letters, digits, . - _), 4 ends
 * a bare address value (white space, a line break, '(') */
static const uint8_t addr_chars[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    4, 1, 0, 1, 1, 1, 1, 1, 4, 0, 1, 1, 0, 3, 3, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 1, 0, 1,
    0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 1, 3,
    1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static inline int local_char(unsigned char c) { return addr_chars[c] & 1; }
static inline int domain_char(unsigned char c) { return addr_chars[c] >> 1 & 1; }

/* The address around the '@' at at in [lo, hi): returns 1 with its span.
 * utf8: the local part may hold bytes >= 0x80 (RFC 6531), for an address that
 * starts a line. */
static int addr_at8(const char *b, size_t lo, size_t hi, size_t at, size_t *s, size_t *e, int utf8)
{
    size_t i = at;
    while (i > lo && (local_char((unsigned char)b[i - 1]) ||
                      (utf8 && (unsigned char)b[i - 1] >= 0x80)))
        i--;
    size_t j = at + 1;
    if (j < hi && b[j] == '[') {           /* domain literal */
        while (j < hi && b[j] != ']' && j - at < 64)
            j++;
        if (j < hi && b[j] == ']')
            j++;
    } else {
        while (j < hi && domain_char((unsigned char)b[j]))
            j++;
    }
    while (i < at && b[i] == '.')
        i++;
    while (j > at + 1 && (b[j - 1] == '.' || b[j - 1] == '-'))
        j--;
    if (i == at || j <= at + 1 || j - i > ADDR_MAX)
        return 0;
    *s = i;
    *e = j;
    return 1;
}

static int addr_at(const char *b, size_t lo, size_t hi, size_t at, size_t *s, size_t *e)
{
    return addr_at8(b, lo, hi, at, s, e, 0);
}

/* The first address in [lo, hi); returns 1 with its span.  Text inside an
 * ISO-2022 two-byte run (ESC $ ... ESC ( ) is not ASCII, even where its bytes
 * look like it, so no address is read there. */
static int first_addr_jis(const char *b, size_t lo, size_t hi, size_t *s, size_t *e);

static int first_addr(const char *b, size_t lo, size_t hi, size_t *s, size_t *e)
{
    /* the common case: find each '@' with memchr; a line with an ESC takes the
     * careful path */
    size_t checked = lo;    /* [lo, checked) holds no ESC: each byte looked at once */
    for (size_t i = lo; i < hi;) {
        const char *at = memchr(b + i, '@', hi - i);
        if (at == NULL)
            return 0;
        if (memchr(b + checked, 0x1b, (size_t)(at - (b + checked))))
            return first_addr_jis(b, lo, hi, s, e);
        checked = (size_t)(at - b);
        if (addr_at(b, lo, hi, (size_t)(at - b), s, e))
            return 1;
        i = (size_t)(at - b) + 1;
    }
    return 0;
}

static int first_addr_jis(const char *b, size_t lo, size_t hi, size_t *s, size_t *e)
{
    size_t run = lo;    /* start of the current ASCII run */
    int jis = 0;
    for (size_t i = lo; i < hi; i++) {
        if (b[i] == 0x1b && i + 1 < hi) {
            if (b[i + 1] == '$')
                jis = 1;
            else if (b[i + 1] == '(') {
                jis = 0;
                run = i + 3 < hi ? i + 3 : hi;
            }
            continue;
        }
        if (b[i] != '@' || jis || i < run)
            continue;
        if (addr_at(b, run, hi, i, s, e))
            return 1;
    }
    return 0;
}

/* A line that starts with an address: white space, an optional quote or '<',
 * the address, then the end, white space or one of >:,;"' */
static int line_addr(const char *b, size_t lo, size_t hi, size_t *s, size_t *e)
{
    size_t i = lo;
    while (i < hi && wsp(b[i]))
        i++;
    if (i + 1 < hi && b[i] == '*' && wsp(b[i + 1])) {   /* a bullet: "  * addr" */
        i++;
        while (i < hi && wsp(b[i]))
            i++;
    }
    if (i < hi && (b[i] == '<' || b[i] == '"' || b[i] == '\''))
        i++;
    size_t j = i;
    while (j < hi && (local_char((unsigned char)b[j]) || (unsigned char)b[j] >= 0x80))
        j++;
    if (j >= hi || b[j] != '@' || j == i)
        return 0;
    if (!addr_at8(b, i, hi, j, s, e, 1) || *s != i)
        return 0;
    if (*e < hi && !wsp(b[*e]) && !strchr(">:,;\"'<([", b[*e]))
        return 0;
    return 1;
}

/* The first of the bytes a, b, c in p[0..n) (n when none is). */
static size_t find3(const char *p, size_t n, char a, char b, char c)
{
    size_t i = 0;
#ifdef SMTP__SSE2
    const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)), _mm_cmpeq_epi8(v, vc)));
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
#endif
    while (i < n && p[i] != a && p[i] != b && p[i] != c)
        i++;
    return i;
}

/* An address value "type; addr" or "<addr>" or "addr (comment)": the type
 * (may be empty) and the bare address, as sub-views of v. */
static void split_addr_value(smtp__txt v, smtp__txt *type, smtp__txt *addr)
{
    v = trim(v);
    type->p = NULL;
    type->n = 0;
    size_t semi = find3(v.p, v.n, ';', '@', '<');
    size_t lt = semi;       /* no '<' before it */
    if (semi < v.n && v.p[semi] == ';') {
        *type = trim(txt(v.p, semi));
        v = trim(txt(v.p + semi + 1, v.n - semi - 1));
        lt = 0;
    }
    /* <addr> */
    const char *q = lt < v.n ? memchr(v.p + lt, '<', v.n - lt) : NULL;
    lt = q ? (size_t)(q - v.p) : v.n;
    if (lt < v.n) {
        q = memchr(v.p + lt + 1, '>', v.n - lt - 1);
        size_t gt = q ? (size_t)(q - v.p) : v.n;
        if (gt > lt + 1) {
            smtp__txt a = trim(txt(v.p + lt + 1, gt - lt - 1));
            /* a source route "<@relay:user@host>" (RFC 5321 4.1.2): the mailbox */
            if (a.n && a.p[0] == '@') {
                size_t c = a.n;
                while (c > 0 && a.p[c - 1] != ':')
                    c--;
                if (c > 0)
                    a = txt(a.p + c, a.n - c);
            }
            *addr = a;
            return;
        }
    }
    /* drop a trailing comment, quotes and punctuation (an unbalanced '>') */
    size_t k = 0;
    while (k < v.n && !(addr_chars[(unsigned char)v.p[k]] & 4))
        k++;
    v.n = k;
    while (v.n && (v.p[v.n - 1] == '.' || v.p[v.n - 1] == ',' || v.p[v.n - 1] == ';' ||
                   v.p[v.n - 1] == '>'))
        v.n--;
    if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"' && memchr(v.p, '@', v.n) == NULL) {
        v.p++;
        v.n -= 2;
    }
    *addr = v;
}

/* A host name after a marker: letters, digits, '.', '-', '_'; at least one dot. */
static smtp__txt host_after(const char *b, size_t i, size_t n)
{
    while (i < n && wsp(b[i]))
        i++;
    size_t j = i;
    int dot = 0;
    while (j < n && domain_char((unsigned char)b[j]) && (unsigned char)b[j] < 0x80) {
        dot |= b[j] == '.';
        j++;
    }
    while (j > i && (b[j - 1] == '.' || b[j - 1] == '-'))
        j--;
    if (!dot || j == i)
        return txt(NULL, 0);
    return txt(b + i, j - i);
}

static uint32_t addr_hash(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= smtp__lower((unsigned char)p[i]);
        h *= 16777619u;
    }
    return h ? h : 1;
}

static int addr_eq(smtp__txt a, smtp__txt b)
{
    if (a.n != b.n)
        return 0;
    for (size_t i = 0; i < a.n; i++)
        if (smtp__lower((unsigned char)a.p[i]) != smtp__lower((unsigned char)b.p[i]))
            return 0;
    return 1;
}

/* ---- decoding a part ------------------------------------------------------- */

/* The text of part p: a view into the mail when it needs no decoding, else
 * decoded (transfer encoding, charset, HTML) into the arena. */
static smtp__txt part_text(struct state *st, const struct smtp__part *p, int html)
{
    const char *src = st->buf + p->body;
    size_t n = p->body_end > p->body ? p->body_end - p->body : 0;
    int conv = 0;
    if (p->cte == SMTP__CTE_IDENTITY) {
        conv = smtp__needs_conversion(p->charset, src, n);
        if (!conv && !html) {
            if (p->charset == SMTP__CS_OTHER) {
                uint32_t f = 0;
                for (size_t i = 0; i < n && !f; i++)
                    if ((unsigned char)src[i] >= 0x80 || src[i] == 0x1b)
                        f = SMTP_REPLY_BOUNCE_F_CHARSET_KEPT;
                st->flags |= f;
            }
            return txt(src, n);
        }
    }
    /* decode the transfer encoding at the top of the free arena, then convert
     * (or move) it down to the bottom */
    size_t room = st->arena_cap - st->arena_lo;
    size_t tmpn = n < room ? n : room;
    if (tmpn < n)
        st->flags |= SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT;
    char *tmp = st->arena + st->arena_cap - tmpn;
    size_t dn;
    if (p->cte == SMTP__CTE_BASE64)
        dn = smtp__b64_decode(src, n, tmp, tmpn, &st->flags);
    else if (p->cte == SMTP__CTE_QP)
        dn = smtp__qp_decode(src, n, tmp, tmpn, &st->flags);
    else {
        memcpy(tmp, src, tmpn);
        dn = tmpn;
    }
    char *dst = st->arena + st->arena_lo;
    size_t cap = (size_t)(tmp - dst), k;
    if (smtp__needs_conversion(p->charset, tmp, dn)) {
        /* the output stays below the decoded input: no overlap */
        k = smtp__to_utf8(p->charset, tmp, dn, dst, cap, &st->flags);
    } else {
        memmove(dst, tmp, dn);
        k = dn;
    }
    if (html)
        k = smtp__html_text(dst, k);
    arena_commit(st, k);
    return txt(dst, k);
}

/* Unfold (and decode RFC 2047 words of) a header value into the arena. */
static int has_encoded_word(const char *p, size_t n)
{
    for (const char *q = memchr(p, '=', n); q; q = memchr(q + 1, '=', (size_t)(p + n - q - 1)))
        if (q + 1 < p + n && q[1] == '?')
            return 1;
    return 0;
}

static smtp__txt header_string(struct state *st, const char *b, const struct smtp__field *f,
                               int words)
{
    size_t n = f->val_end > f->val ? f->val_end - f->val : 0;
    if (n > STR_MAX)
        n = STR_MAX;
    /* one line and nothing to decode (the common case): a view, no copy */
    int folded = f->folded;
    if (folded && n < f->val_end - f->val)      /* cut: are the breaks in what is kept? */
        folded = memchr(b + f->val, '\n', n) || memchr(b + f->val, '\r', n);
    if (!folded && (!words || !has_encoded_word(b + f->val, n)))
        return trim(txt(b + f->val, n));
    size_t got;
    char *dst = arena_take(st, words ? 4 * n : n, &got);
    int trunc = 0;
    if (!words) {
        size_t k = smtp__unfold(b + f->val, n, dst, got, &trunc);
        arena_commit(st, k);
        return txt(dst, k);
    }
    /* unfold into the upper quarter, decode words into the lower part */
    size_t q = got / 4;
    char *tmp = dst + got - q;
    size_t un = smtp__unfold(b + f->val, n, tmp, q, &trunc);
    size_t k = smtp__decode_words(tmp, un, dst, got - q, &st->flags);
    arena_commit(st, k);
    return txt(dst, k);
}

/* ---- the MTA text and the address index ------------------------------------- */

/* Index the line that names address a.  The first line wins, unless it
 * holds the address alone (a list entry: "<bob@example.org>") and a later
 * one says more ("<bob@example.org>... Deferred: Connection refused"). */
static void index_add(struct state *st, smtp__txt a, size_t line, size_t at, int alone)
{
    uint32_t h = addr_hash(a.p, a.n);
    for (uint32_t k = 0; k < 16; k++) {
        uint32_t slot = (h + k) & (IDX_SLOTS - 1);
        if (st->idx_slot[slot] == 0) {
            st->idx_hash[slot] = h;
            st->idx_line[slot] = (uint32_t)line;
            st->idx_first[slot] = (uint32_t)at;
            st->idx_slot[slot] = alone ? 2 : 1;
            return;
        }
        if (st->idx_hash[slot] == h) {
            if (st->idx_slot[slot] == 2 && !alone) {
                st->idx_line[slot] = (uint32_t)line;
                st->idx_slot[slot] = 1;
            }
            return;
        }
    }
}

/* Where the text first names a (its offset), and the line index_add chose. */
static int index_find_at(const struct state *st, smtp__txt a, size_t *line, size_t *at)
{
    uint32_t h = addr_hash(a.p, a.n);
    for (uint32_t k = 0; k < 16; k++) {
        uint32_t slot = (h + k) & (IDX_SLOTS - 1);
        if (st->idx_slot[slot] == 0)
            return 0;
        if (st->idx_hash[slot] == h) {
            *line = st->idx_line[slot];
            *at = st->idx_first[slot];
            return 1;
        }
    }
    return 0;
}

static int index_find(const struct state *st, smtp__txt a, size_t *line)
{
    size_t at;
    return index_find_at(st, a, line, &at);
}

/* Past an address that starts the line at pos ("<addr>:", "addr:"): where the
 * text after it starts, else pos. */
static size_t after_line_addr_eol(const char *b, size_t pos, size_t e, size_t next)
{
    size_t s, ae;
    if (!line_addr(b, pos, e, &s, &ae))
        return pos;
    while (ae < e && (wsp(b[ae]) || b[ae] == '>' || b[ae] == ':' || b[ae] == ','))
        ae++;
    return ae < e ? ae : next;
}

static size_t after_line_addr(const char *b, size_t pos, size_t n)
{
    size_t next, e = smtp__eol(b, pos, n, &next);
    return after_line_addr_eol(b, pos, e, next);
}

/* Does a copy of the returned message's header start at the line at pos, with
 * no end marker before it?  A Received: or Return-Path: field at the start
 * of a line, followed by another field or a continuation line. */
static int returned_header_starts(const char *b, size_t pos, size_t n)
{
    if (!IPREFIX(b + pos, n - pos, "received:") &&
        !IPREFIX(b + pos, n - pos, "return-path:"))
        return 0;
    struct smtp__field f;
    size_t p = pos;
    if (!smtp__next_field(b, n, &p, &f) || p >= n)
        return 0;
    size_t q = p;
    return smtp__next_field(b, n, &q, &f) && f.name == p;
}

/* The address index of the notification's lines before st->end: built when
 * first needed (merging DSN records with their text, the addresses an
 * unknown format names), so a mail read otherwise does not pay for it. */
static void index_text(struct state *st)
{
    if (st->indexed)
        return;
    st->indexed = 1;
    const char *b = st->notif.p;
    size_t n = st->notif.n, pos = 0;
    memset(st->idx_slot, 0, sizeof st->idx_slot);
    while (pos < st->end) {
        /* only a line with an '@' names an address: the next '@' (memchr),
         * back to the start of its line (the lines before it have none) */
        const char *at = memchr(b + pos, '@', n - pos);
        if (at == NULL)
            break;
        size_t ls = (size_t)(at - b);
        /* 8 bytes a step while none of them is a CR or a LF (the haszero
         * test may also flag a byte next to one: the byte loop decides) */
        while (ls >= pos + 8) {
            uint64_t w, x, y;
            memcpy(&w, b + ls - 8, 8);
            x = w ^ 0x0a0a0a0a0a0a0a0aull;
            y = w ^ 0x0d0d0d0d0d0d0d0dull;
            if ((((x - 0x0101010101010101ull) & ~x) | ((y - 0x0101010101010101ull) & ~y)) &
                0x8080808080808080ull)
                break;
            ls -= 8;
        }
        while (ls > pos && b[ls - 1] != '\n' && b[ls - 1] != '\r')
            ls--;
        if (ls >= st->end)
            break;
        pos = ls;
        size_t next, e = smtp__eol(b, pos, n, &next);
        size_t s, ae, from = pos;
        /* (first_addr scans forward only: the addresses of a line cost one pass) */
        while (from < e && first_addr(b, from, e, &s, &ae)) {
            int alone = from == pos && after_line_addr_eol(b, pos, e, next) == next;
            index_add(st, txt(b + s, ae - s), pos, s, alone);
            from = ae;
        }
        pos = next;
    }
}

/* One pass over the notification: the first begin marker, the end marker
 * after it, MTA votes from detect rows (the address index follows st->end:
 * index_text). */
static void scan_notification(struct state *st, uint32_t *votes, uint32_t marker_lines,
                              uint32_t vote_from)
{
    const char *b = st->notif.p;
    size_t n = st->notif.n, pos = 0;
    uint32_t line = 0;
    st->begin = st->end = n;
    st->indexed = 0;
    int found_begin = 0;
    /* the hits are kept for text_next while they fit and every line is scanned */
    struct line_hit *lh = st->r.lh.h;
    int keep = 1;
    struct smtp__lines lines;
    smtp__lines_init(&lines, b, n, 0);
    st->r.lh.n = 0;
    st->r.lh.upto = 0;
    for (; pos < n; line++) {
        /* past the lines scanned for markers, only a returned header after
         * a begin marker can end the block */
        if (line >= marker_lines && !found_begin)
            break;
        size_t next, e = smtp__lines_eol(&lines, pos, &next);
        struct hits h;
        h.n = 0;
        if (line < marker_lines)
            scan_markers(txt(b + pos, e - pos), SMTP__BW_BODY, &h);
        keep &= line < marker_lines && st->r.lh.n + h.n <= LH_CAP;
        if (keep) {
            for (uint32_t k = 0; k < h.n; k++, st->r.lh.n++) {
                lh[st->r.lh.n].pos = (uint32_t)pos;
                lh[st->r.lh.n].row = h.h[k].row;
                lh[st->r.lh.n].end = h.h[k].end;
            }
            st->r.lh.upto = next;
        }
        if (line < vote_from)
            h.n = 0;
        for (uint32_t k = 0; k < h.n; k++) {
            const struct smtp__bf_row *r = &smtp__bf_rows[h.h[k].row];
            if (r->kind == SMTP__BK_DETECT && r->mta)
                votes[r->mta]++;
        }
        int hb = hit_of(&h, SMTP__BK_BEGIN);
        if (!found_begin && hb >= 0) {
            found_begin = 1;
            st->begin = pos;
            st->begin_action = smtp__bf_rows[h.h[hb].row].value;
            if (smtp__bf_rows[h.h[hb].row].mta)
                votes[smtp__bf_rows[h.h[hb].row].mta] += 2;
        } else if (hit_of(&h, SMTP__BK_END) >= 0 ||
                   (found_begin && returned_header_starts(b, pos, n))) {
            /* the returned copy follows: stop (nothing after it is ours) */
            st->end = pos;
            break;
        }
        pos = next;
    }
    if (!found_begin)
        st->begin = n;
}

/* The recipient's block of text in the notification from the line at pos:
 * that line and the next ones up to a blank line (after some text), another
 * line that starts with an address, or BLOCK_MAX bytes. */
static smtp__txt text_block(const struct state *st, size_t pos, smtp__txt addr)
{
    const char *b = st->notif.p;
    size_t n = st->end, i = pos, last = pos;
    int lines = 0;
    if (n - pos > BLOCK_MAX)
        n = pos + BLOCK_MAX;    /* bounded work per record, however long the line */
    while (i < n && i - pos < BLOCK_MAX) {
        size_t next, e = smtp__eol(b, i, n, &next);
        size_t k = i;
        while (k < e && wsp(b[k]))
            k++;
        if (k == e) {
            if (lines > 1)
                break;
        } else {
            size_t s, ae;
            /* another recipient's line ends the block; the same address again
             * (a wrapped "<bob@...>: Recipient address rejected") does not */
            if (lines > 0 && line_addr(b, i, e, &s, &ae) && !addr_eq(txt(b + s, ae - s), addr))
                break;
            last = e;
            lines++;
        }
        i = next;
    }
    if (last - pos > BLOCK_MAX)
        last = pos + BLOCK_MAX;
    return txt(b + pos, last - pos);
}

/* Does the text start with a DSN recipient field ("Final-Recipient: ...")? */
static int dsn_field_line(smtp__txt t)
{
    static const char *const names[] = {"final-recipient:", "original-recipient:",
                                        "x-actual-recipient:", "diagnostic-code:"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (smtp__iprefix(t.p, t.n, names[i]))
            return 1;
    return 0;
}

/* ---- readers: one record each call ------------------------------------------ */

enum {
    F_OTHER = 0, F_FINAL, F_ORIG, F_ACTION, F_STATUS, F_REMOTE, F_DIAG, F_LAST, F_RETRY,
    F_LOGID, F_ACTUAL, F_PER_MESSAGE
};

static int dsn_field(const char *b, const struct smtp__field *f)
{
    /* by the name's length, then its first letter: one comparison of the
     * whole name at most */
    static const struct { const char *name; int id; } names[] = {
        {"final-recipient", F_FINAL}, {"original-recipient", F_ORIG}, {"action", F_ACTION},
        {"status", F_STATUS}, {"remote-mta", F_REMOTE}, {"diagnostic-code", F_DIAG},
        {"last-attempt-date", F_LAST}, {"will-retry-until", F_RETRY},
        {"final-log-id", F_LOGID}, {"x-actual-recipient", F_ACTUAL},
        {"reporting-mta", F_PER_MESSAGE}, {"received-from-mta", F_PER_MESSAGE},
        {"arrival-date", F_PER_MESSAGE}, {"dsn-gateway", F_PER_MESSAGE},
        {"original-envelope-id", F_PER_MESSAGE},
    };
    /* per length: up to two names (indexes + 1 into names; 0 none) */
    static const uint8_t by_len[21][2] = {
        [6] = {3, 4}, [10] = {5, 0}, [11] = {14, 0}, [12] = {9, 13}, [13] = {11, 0},
        [15] = {1, 6}, [16] = {8, 0}, [17] = {7, 12}, [18] = {2, 10}, [20] = {15, 0},
    };
    if (f->name_len >= sizeof by_len / sizeof by_len[0])
        return F_OTHER;
    unsigned char c0 = smtp__lower((unsigned char)b[f->name]);
    for (int k = 0; k < 2; k++) {
        int i = by_len[f->name_len][k];
        if (i == 0)
            break;
        if ((unsigned char)names[i - 1].name[0] == c0 &&
            smtp__ieq_n(b + f->name, names[i - 1].name, f->name_len))
            return names[i - 1].id;
    }
    return F_OTHER;
}

static int parse_action(smtp__txt v)
{
    v = trim(v);
    size_t k = 0;
    while (k < v.n && !lws(v.p[k]) && v.p[k] != '(' && v.p[k] != ';')
        k++;
    static const struct { const char *name; int a; } names[] = {
        {"failed", SMTP_REPLY_BOUNCE_ACTION_FAILED}, {"failure", SMTP_REPLY_BOUNCE_ACTION_FAILED},
        {"error", SMTP_REPLY_BOUNCE_ACTION_FAILED}, {"delayed", SMTP_REPLY_BOUNCE_ACTION_DELAYED},
        {"delivered", SMTP_REPLY_BOUNCE_ACTION_DELIVERED},
        {"deliverable", SMTP_REPLY_BOUNCE_ACTION_DELIVERED},
        {"relayed", SMTP_REPLY_BOUNCE_ACTION_RELAYED},
        {"expanded", SMTP_REPLY_BOUNCE_ACTION_EXPANDED},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (smtp__ieq(v.p, k, names[i].name))
            return names[i].a;
    return SMTP_REPLY_BOUNCE_ACTION_NONE;
}

static smtp__txt field_txt(const char *b, const struct smtp__field *f)
{
    return txt(b + f->val, f->val_end > f->val ? f->val_end - f->val : 0);
}

/* The next field of a block read field by field: 1 with *f filled; 0 when the
 * line at *pos is not a field (a blank line or a body line), with *pos past it. */
static int field_or_skip(const char *b, size_t n, size_t *pos, struct smtp__field *f)
{
    size_t before = *pos, next;
    if (smtp__next_field_inline(b, n, pos, f))
        return 1;
    if (*pos == before) {
        smtp__eol(b, before, n, &next);
        *pos = next;
    }
    return 0;
}

/* The fields of a status part as read_per_message met them (its first
 * FC_CAP steps of field_or_skip), so the count pass's dsn_next does not split
 * them again.  Lives in open()'s frame; a step not in it is split anew. */
#define FC_CAP 64u
struct fcache {
    const char *p;           /* the text it was made from: t.p, and n the bound used */
    size_t n;
    uint32_t count;
    struct {
        uint32_t before, after;  /* *pos before and after the step */
        uint32_t name, name_len, val, val_end;
        uint8_t ok, folded;      /* field_or_skip's result; the field's folded */
    } e[FC_CAP];
};

static void fc_add(struct fcache *fc, size_t before, size_t after, int ok,
                   const struct smtp__field *f)
{
    if (fc == NULL || fc->count >= FC_CAP)
        return;
    uint32_t k = fc->count++;
    fc->e[k].before = (uint32_t)before;
    fc->e[k].after = (uint32_t)after;
    fc->e[k].ok = (uint8_t)ok;
    if (ok) {
        fc->e[k].name = (uint32_t)f->name;
        fc->e[k].name_len = (uint32_t)f->name_len;
        fc->e[k].val = (uint32_t)f->val;
        fc->e[k].val_end = (uint32_t)f->val_end;
        fc->e[k].folded = (uint8_t)f->folded;
    }
}

/* field_or_skip, from the cache when it holds the step at *pos. */
static int fc_field_or_skip(const struct fcache *fc, const char *b, size_t n, size_t *pos,
                            struct smtp__field *f)
{
    if (fc && fc->p == b && fc->n == n && fc->count) {
        uint32_t lo = 0, hi = fc->count;
        while (lo < hi) {       /* the step that starts at *pos (befores increase) */
            uint32_t mid = lo + (hi - lo) / 2;
            if (fc->e[mid].before < *pos)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < fc->count && fc->e[lo].before == *pos) {
            *pos = fc->e[lo].after;
            if (!fc->e[lo].ok)
                return 0;
            f->name = fc->e[lo].name;
            f->name_len = fc->e[lo].name_len;
            f->val = fc->e[lo].val;
            f->val_end = fc->e[lo].val_end;
            f->folded = fc->e[lo].folded;
            return 1;
        }
    }
    return field_or_skip(b, n, pos, f);
}

/* The next field group with a recipient in t from *cur.  A group ends at a
 * blank line, at a line that is not a field, or where a second Final-Recipient
 * (or an Original-Recipient after the Final-Recipient) starts the next one. */
static int dsn_next(smtp__txt t, size_t *cur, size_t stop, struct raw *r, int source,
                    const struct fcache *fc)
{
    const char *b = t.p;
    size_t n = stop < t.n ? stop : t.n, pos = *cur;
    while (pos < n) {
        memset(r, 0, sizeof *r);
        r->source = source;
        int have_final = 0, have_orig = 0, have_actual = 0;
        struct smtp__field f;
        for (;;) {
            size_t before = pos;
            if (!fc_field_or_skip(fc, b, n, &pos, &f))
                break;
            int id = dsn_field(b, &f);
            /* a second recipient without a blank line before it: a repeated
             * Final-Recipient, or an Original-Recipient after a group that is
             * complete (RFC 3464 puts it first, but does not require it) */
            if ((id == F_FINAL && have_final) ||
                (id == F_ORIG && (have_orig || (have_final && r->action && r->status_txt.p)))) {
                pos = before;
                break;
            }
            smtp__txt v = field_txt(b, &f);
            switch (id) {
            case F_FINAL:
                have_final = 1;
                split_addr_value(v, &r->final_type, &r->final);
                break;
            case F_ORIG:
                have_orig = 1;
                split_addr_value(v, &r->orig_type, &r->orig);
                break;
            case F_ACTUAL:
                if (!have_actual) {
                    smtp__txt ty;
                    have_actual = 1;
                    if (!have_orig)
                        split_addr_value(v, &ty, &r->orig);
                }
                break;
            case F_ACTION:
                r->action = parse_action(v);
                break;
            case F_STATUS:
                r->status_txt = trim(v);
                break;
            case F_REMOTE: {
                smtp__txt ty;
                split_addr_value(v, &ty, &r->remote_mta);
                break;
            }
            case F_DIAG: {
                v = trim(v);
                size_t semi = 0;
                while (semi < v.n && v.p[semi] != ';' && !lws(v.p[semi]))
                    semi++;
                if (semi < v.n && v.p[semi] == ';') {
                    r->diag_type = txt(v.p, semi);
                    r->diag = trim(txt(v.p + semi + 1, v.n - semi - 1));
                } else {
                    r->diag = v;
                }
                break;
            }
            case F_LAST:
                r->last_attempt = trim(v);
                break;
            case F_RETRY:
                r->will_retry = trim(v);
                break;
            case F_LOGID:
                r->final_log_id = trim(v);
                break;
            default:
                break;
            }
        }
        if (!have_final && have_orig)
            r->final = r->orig;
        r->malformed = !have_final || r->action == SMTP_REPLY_BOUNCE_ACTION_NONE || !r->status_txt.p;
        if (r->final.n > 0) {
            *cur = pos;
            return 1;
        }
    }
    *cur = n;
    return 0;
}

/* Did scan_notification keep the hits of the line at pos?  Only while open()
 * runs: next() uses the region for its records. */
static int have_line_hits(const struct state *st, size_t pos)
{
    return st->magic != MAGIC && pos < st->r.lh.upto;
}

/* The hits scan_notification kept for the line at pos. */
static void line_hits(const struct state *st, size_t pos, struct hits *h)
{
    const struct line_hit *lh = st->r.lh.h;
    uint32_t lo = 0, hi = st->r.lh.n;
    while (lo < hi) {       /* the first hit of a line at pos or after */
        uint32_t mid = lo + (hi - lo) / 2;
        if (lh[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    h->n = 0;
    for (; lo < st->r.lh.n && lh[lo].pos == pos; lo++) {
        h->h[h->n].row = lh[lo].row;
        h->h[h->n].end = lh[lo].end;
        h->n++;
    }
}

/* The bare addresses of st->exclude (once: most mails are read without them). */
static void split_excludes(struct state *st)
{
    if (st->exclude_split)
        return;
    st->exclude_split = 1;
    for (int k = 0; k < 4; k++) {
        smtp__txt ty, v = st->exclude[k];
        st->exclude[k] = txt(NULL, 0);
        if (v.p)
            split_addr_value(v, &ty, &st->exclude[k]);
    }
}

/* The next recipient of an MTA's text block (st->begin .. st->end): a line
 * that starts with an address (or names one after a label row, or after the
 * begin marker on its own line) opens a record; the lines after it, up to the
 * next such line with another address, a begin marker or the end, are its
 * text. */
static int text_next(struct state *st, struct raw *r)
{
    split_excludes(st);
    const char *b = st->notif.p;
    size_t n = st->end;
    int open = 0;
    size_t pos = st->at.cur, ds = 0, de = 0;
    int have_text = 0;
    struct smtp__lines lines;
    smtp__lines_init(&lines, b, n, pos);
    while (pos < n) {
        size_t next, e = smtp__lines_eol(&lines, pos, &next);
        struct hits h;
        if (have_line_hits(st, pos))
            line_hits(st, pos, &h);     /* scan_notification scanned it */
        else
            scan_markers(txt(b + pos, e - pos), SMTP__BW_BODY, &h);
        int hb = hit_of(&h, SMTP__BK_BEGIN);
        if (hb >= 0) {
            if (open)
                break;
            st->at.in_block = 1;
            st->at.cur_action = smtp__bf_rows[h.h[hb].row].value;
            st->at.preamble = txt(b + pos, 0);
        }
        if (!st->at.in_block) {
            pos = next;
            continue;
        }
        size_t s = 0, ae = 0;
        int addr = 0;
        int hl = hit_of(&h, SMTP__BK_LABEL);
        if (hit_of(&h, SMTP__BK_SKIP) >= 0)
            addr = 0;
        else if (hl >= 0)     /* hit offsets are relative to the line */
            addr = first_addr(b, pos + h.h[hl].end, e, &s, &ae);
        else if (hb >= 0)
            addr = first_addr(b, pos + h.h[hb].end, e, &s, &ae);
        else if (line_addr(b, pos, e, &s, &ae)) {
            /* an address alone on its line is a recipient, unless it is the
             * sender's ("A message sent by\n  <sender>\ncould not be ...") */
            smtp__txt a = txt(b + s, ae - s);
            addr = !(st->exclude[2].n && addr_eq(a, st->exclude[2]));  /* the envelope sender */
        }
        if (addr) {
            smtp__txt a = txt(b + s, ae - s);
            if (open && !addr_eq(a, r->final))
                break;
            if (!open) {
                memset(r, 0, sizeof *r);
                r->source = SMTP_REPLY_BOUNCE_SRC_TEXT;
                r->action = st->at.cur_action ? st->at.cur_action : SMTP_REPLY_BOUNCE_ACTION_FAILED;
                r->final = a;
                r->diag_is_block = 1;
                open = 1;
                /* the rest of the address line is text; a labelled line is
                 * text whole ("SMTP:RCPT host 192.0.2.8: 553 5.3.0 <addr>...") */
                size_t ts = ae;
                if (hl >= 0) {
                    ts = pos;
                    while (ts < e && wsp(b[ts]))
                        ts++;
                }
                while (ts < e && (wsp(b[ts]) || b[ts] == '>' || b[ts] == ':' || b[ts] == ',' ||
                                  b[ts] == '.'))
                    ts++;
                if (ts < e) {
                    ds = ts;
                    de = e;
                    have_text = 1;
                }
            }
        } else if (open) {
            size_t k = pos;
            while (k < e && wsp(b[k]))
                k++;
            if (k < e) {
                if (!have_text)
                    ds = k;
                have_text = 1;
                de = e;
            }
        } else if (st->at.preamble.p && e > pos) {
            /* text before the first recipient: the reason they share */
            st->at.preamble.n = (size_t)(b + e - st->at.preamble.p);
            if (st->at.preamble.n > BLOCK_MAX)
                st->at.preamble.n = BLOCK_MAX;
        }
        pos = next;
    }
    st->at.cur = pos;
    if (!open)
        return 0;
    if (have_text)
        r->diag = txt(b + ds, de - ds);
    else if (st->at.preamble.n)
        r->diag = st->at.preamble;   /* "The user(s) account is disabled.\n<addr>": the reason comes first */
    r->block = r->diag;
    return 1;
}

/* The next address named in the notification (up to the end of the block)
 * that is not the sender's or the reporter's own and was not named before:
 * for the bounces of unknown formats.  Its text is its line and the lines
 * after it. */
static int mentioned_next(struct state *st, struct raw *r)
{
    split_excludes(st);
    const char *b = st->notif.p;
    size_t n = st->end, pos = st->at.cur;
    index_text(st);
    /* st->at.cur_action carries the offset within the line to resume from */
    while (pos < n) {
        size_t next, e;
        if (st->at.in_block) {     /* resuming within a line: its end is known */
            e = st->at.line_end;
            next = st->at.line_next;
        } else {
            e = smtp__eol(b, pos, n, &next);
        }
        size_t from = pos + (size_t)st->at.in_block, s, ae;
        st->at.in_block = 0;
        /* a message identifier looks like an address but never is one, and a
         * quoted sender field names the sender */
        if (IPREFIX(b + pos, e - pos, "message-id:") ||
            IPREFIX(b + pos, e - pos, "in-reply-to:") ||
            IPREFIX(b + pos, e - pos, "references:") ||
            IPREFIX(b + pos, e - pos, "from:") ||
            IPREFIX(b + pos, e - pos, "sender:") ||
            IPREFIX(b + pos, e - pos, "reply-to:") ||
            IPREFIX(b + pos, e - pos, "return-path:")) {
            pos = next;
            continue;
        }
        while (from < e && first_addr(b, from, e, &s, &ae)) {
            smtp__txt a = txt(b + s, ae - s);
            from = ae;
            int skip = IPREFIX(a.p, a.n, "postmaster@") ||
                       IPREFIX(a.p, a.n, "mailer-daemon@");
            for (int k = 0; k < 4; k++)
                skip |= st->exclude[k].n && addr_eq(a, st->exclude[k]);
            /* the first time the text names it (the index keeps where) */
            size_t line, at;
            if (skip || !index_find_at(st, a, &line, &at) || at != s)
                continue;
            memset(r, 0, sizeof *r);
            r->source = SMTP_REPLY_BOUNCE_SRC_TEXT;
            r->action = SMTP_REPLY_BOUNCE_ACTION_FAILED;
            r->final = a;
            r->diag_is_block = 1;
            smtp__txt blk = text_block(st, pos, a);
            size_t skipto = after_line_addr(blk.p, 0, blk.n);
            r->diag = txt(blk.p + skipto, blk.n - skipto);
            r->block = r->diag;
            st->at.cur = pos;
            st->at.in_block = (int)(ae - pos);
            st->at.line_end = e;
            st->at.line_next = next;
            return 1;
        }
        pos = next;
    }
    st->at.cur = n;
    return 0;
}

/* The next address of a comma-separated list. */
static int list_next(struct state *st, struct raw *r)
{
    const char *b = st->list.p;
    size_t n = st->list.n, pos = st->at.cur;
    while (pos < n) {
        size_t s, e;
        size_t comma = pos;
        int inq = 0, inang = 0;
        while (comma < n && (inq || inang || (b[comma] != ',' && b[comma] != ';'))) {
            if (b[comma] == '"')
                inq = !inq;
            else if (b[comma] == '<')
                inang = 1;
            else if (b[comma] == '>')
                inang = 0;
            comma++;
        }
        size_t item = pos;
        pos = comma < n ? comma + 1 : n;
        if (!first_addr(b, item, comma, &s, &e))
            continue;
        memset(r, 0, sizeof *r);
        r->source = st->list_source;
        r->action = SMTP_REPLY_BOUNCE_ACTION_FAILED;
        r->final = txt(b + s, e - s);
        r->diag = st->list_diag;
        r->diag_is_block = 1;
        r->block = st->list_diag;
        st->at.cur = pos;
        return 1;
    }
    st->at.cur = n;
    return 0;
}

/* The next Original-Rcpt-To / Removal-Recipient of a feedback report. */
static int arf_next(struct state *st, struct raw *r)
{
    const char *b = st->status.p;
    size_t n = st->status.n, pos = st->at.cur;
    struct smtp__field f;
    while (pos < n) {
        if (!field_or_skip(b, n, &pos, &f))
            continue;
        if (smtp__field_is(b, &f, "original-rcpt-to") || smtp__field_is(b, &f, "removal-recipient")) {
            memset(r, 0, sizeof *r);
            r->source = SMTP_REPLY_BOUNCE_SRC_ARF;
            smtp__txt ty;
            split_addr_value(field_txt(b, &f), &ty, &r->final);
            if (r->final.n == 0)
                continue;
            st->at.cur = pos;
            return 1;
        }
    }
    st->at.cur = n;
    return 0;
}

static int advance(struct state *st, struct raw *r, const struct fcache *fc)
{
    switch (st->mode) {
    case M_DSN:
        return dsn_next(st->status, &st->at.cur, st->status.n, r, SMTP_REPLY_BOUNCE_SRC_DSN, fc);
    case M_DSN_TEXT:
        return dsn_next(st->notif, &st->at.cur, st->end, r, SMTP_REPLY_BOUNCE_SRC_DSN_TEXT, NULL);
    case M_TEXT:
        return text_next(st, r);
    case M_LIST:
        return list_next(st, r);
    case M_ARF:
        if (arf_next(st, r))
            return 1;
        return 0;
    case M_MENTIONED:
        return mentioned_next(st, r);
    case M_AUTOREPLY:
        if (st->at.cur > 0 || st->autoreply.n == 0)
            return 0;
        st->at.cur = 1;
        memset(r, 0, sizeof *r);
        r->source = SMTP_REPLY_BOUNCE_SRC_AUTOREPLY;
        r->final = st->autoreply;
        return 1;
    default:
        return 0;
    }
}

/* Back to the first record of the current mode. */
static void rewind_records(struct state *st)
{
    st->at.cur = st->start;
    st->at.in_block = 0;
    st->at.cur_action = st->begin_action;
    st->at.preamble = txt(NULL, 0);
}

/* The next record, from the count pass's cache while it lasts. */
static int next_record(struct state *st, uint32_t index, struct raw *r)
{
    if (index < st->ncached) {
        *r = st->rcache[index];
        st->at = st->rafter[index];
        return 1;
    }
    return advance(st, r, NULL);
}

/* Count the records of the current mode (and their actions), keeping the
 * first RCACHE; rewinds. */
static uint32_t count_records(struct state *st, smtp_reply_bounce *out, const struct fcache *fc)
{
    struct raw r;
    uint32_t n = 0;
    rewind_records(st);
    st->ncached = 0;
    if (out)
        out->nfailed = out->ndelayed = out->nother = 0;
    while (advance(st, &r, fc)) {
        if (n < RCACHE) {
            st->rcache[n] = r;
            st->rafter[n] = st->at;
            st->ncached = n + 1;
        }
        n++;
        if (r.malformed && st->mode == M_DSN)
            st->flags |= SMTP_REPLY_BOUNCE_F_DSN_MALFORMED;
        if (out) {
            if (r.action == SMTP_REPLY_BOUNCE_ACTION_FAILED)
                out->nfailed++;
            else if (r.action == SMTP_REPLY_BOUNCE_ACTION_DELAYED)
                out->ndelayed++;
            else
                out->nother++;
        }
    }
    rewind_records(st);
    return n;
}

/* ---- open ------------------------------------------------------------------- */

size_t smtp_reply_bounce_scratch_size(size_t len)
{
    if (len > SMTP_REPLY_BOUNCE_MAX_BYTES)
        len = SMTP_REPLY_BOUNCE_MAX_BYTES;
    return FIXED_SCRATCH + sizeof(struct state) + 4 * len + 4096;
}

uint32_t smtp_reply_bounce_max_bytes(void) { return SMTP_REPLY_BOUNCE_MAX_BYTES; }
uint32_t smtp_reply_bounce_max_depth(void) { return SMTP_REPLY_BOUNCE_MAX_DEPTH; }
uint32_t smtp_reply_bounce_max_parts(void) { return SMTP_REPLY_BOUNCE_MAX_PARTS; }
uint32_t smtp_reply_bounce_max_diag(void) { return SMTP_REPLY_BOUNCE_MAX_DIAG; }
uint32_t smtp_reply_bounce_scratch_min(void) { return SMTP_REPLY_BOUNCE_SCRATCH_MIN; }

/* Per-message fields of a status part (all groups: some DSNs have no blank
 * line between the per-message and the first recipient group). */
static void read_per_message(struct state *st, smtp__txt t, smtp_reply_bounce *out,
                             struct fcache *fc)
{
    const char *b = t.p;
    size_t pos = 0;
    struct smtp__field f;
    if (fc) {
        fc->p = b;
        fc->n = t.n;
        fc->count = 0;
    }
    while (pos < t.n) {
        size_t before = pos;
        int ok = field_or_skip(b, t.n, &pos, &f);
        fc_add(fc, before, pos, ok, &f);
        if (!ok)
            continue;
        smtp_reply_bounce_str *dst = NULL;
        int addr = 0;
        unsigned char c0 = smtp__lower((unsigned char)b[f.name]);
#define IS(lit) (c0 == (unsigned char)(lit)[0] && smtp__field_is(b, &f, lit))
        if (IS("reporting-mta"))
            dst = &out->reporting_mta, addr = 1;
        else if (IS("received-from-mta"))
            dst = &out->received_from_mta, addr = 1;
        else if (IS("dsn-gateway"))
            dst = &out->dsn_gateway, addr = 1;
        else if (IS("arrival-date") || IS("received-date"))
            dst = &out->arrival_date;
        else if (IS("original-envelope-id"))
            dst = &out->envelope_id;
        else if (IS("feedback-type"))
            dst = &out->feedback_type;
        else if (IS("user-agent"))
            dst = &out->user_agent;
        else if (IS("source-ip"))
            dst = &out->source_ip;
        else if (IS("original-mail-from"))
            dst = &out->original_mail_from, addr = 2;
        else if (IS("reported-domain"))
            dst = &out->reported_domain;
        else if (IS("disposition"))
            dst = &out->disposition;
        else if (IS("x-original-message-id") && !out->orig_message_id.ptr)
            dst = &out->orig_message_id;
#undef IS
        if (dst == NULL || dst->ptr != NULL)
            continue;
        smtp__txt v = trim(field_txt(b, &f)), ty;
        if (addr == 1) {
            /* "dns; host.example (comment)" */
            size_t semi = 0;
            while (semi < v.n && v.p[semi] != ';')
                semi++;
            if (semi < v.n)
                v = trim(txt(v.p + semi + 1, v.n - semi - 1));
            size_t k = 0;
            while (k < v.n && !lws(v.p[k]) && v.p[k] != '(')
                k++;
            v.n = k;
        } else if (addr == 2) {
            split_addr_value(v, &ty, &v);
        } else if (memchr(v.p, '\n', v.n) || memchr(v.p, '\r', v.n)) {
            size_t got;
            char *d = arena_take(st, v.n, &got);
            int trunc;
            size_t k = smtp__unfold(v.p, v.n, d, got, &trunc);
            arena_commit(st, k);
            v = txt(d, k);
        }
        *dst = out_str(st, v, 0);
    }
}

/* The header of the mail or of the returned message: the fields we keep. */
struct header_hits {
    struct smtp__ctype ct;   /* the top header's Content-Type */
    int have_ct, cte;
    size_t end;              /* where the header block ended (the body starts) */
    uint32_t votes[SMTP__MAX_MTA];   /* per MTA */
    int autoreply, not_autoreply, feedback, bounce;
    uint32_t received;       /* Received fields scanned */
};

static void count_hit(const struct smtp__bf_row *r, struct header_hits *hh)
{
    switch (r->kind) {
    case SMTP__BK_DETECT:
        if (r->mta)
            hh->votes[r->mta]++;
        break;
    case SMTP__BK_AUTOREPLY:
        hh->autoreply = 1;
        break;
    case SMTP__BK_NOT_AUTOREPLY:
        hh->not_autoreply = 1;
        break;
    case SMTP__BK_FEEDBACK:
        hh->feedback = 1;
        break;
    case SMTP__BK_BOUNCE:
        hh->bounce = 1;
        break;
    default:
        break;
    }
}

static void read_header(struct state *st, const char *b, size_t hdr, size_t end, int returned,
                        smtp_reply_bounce *out, smtp__txt *xfr, struct header_hits *hh)
{
    struct smtp__field f;
    size_t pos = hdr;
    while (smtp__next_field_inline(b, end, &pos, &f)) {
        smtp_reply_bounce_str *dst = NULL;
        int words = 0, where = 0;
        /* the first letter first: most fields are none of these */
        unsigned char c0 = smtp__lower((unsigned char)b[f.name]);
#define IS(lit) smtp__field_is(b, &f, lit)
        switch (c0) {
        case 'm':
            if (IS("message-id"))
                dst = returned ? &out->orig_message_id : &out->message_id, where = SMTP__BW_MESSAGE_ID;
            break;
        case 'f':
            if (IS("from"))
                dst = returned ? &out->orig_from : &out->from, words = 1, where = SMTP__BW_FROM;
            break;
        case 't':
            if (IS("to"))
                dst = returned ? &out->orig_to : &out->to, words = 1, where = SMTP__BW_TO;
            break;
        case 's':
            if (IS("subject"))
                dst = returned ? &out->orig_subject : &out->subject, words = 1, where = SMTP__BW_SUBJECT;
            break;
        case 'd':
            if (IS("date"))
                dst = returned ? &out->orig_date : &out->date;
            break;
        case 'l':
            if (returned && IS("list-id"))
                dst = &out->orig_list_id;
            break;
        case 'r':
            if (returned && IS("return-path"))
                dst = &out->orig_return_path;
            else if (!returned && IS("received"))
                where = SMTP__BW_RECEIVED;
            break;
        case 'a':
            if (!returned && IS("auto-submitted"))
                dst = &out->auto_submitted;
            break;
        case 'x':
            if (!returned && IS("x-failed-recipients"))
                dst = &out->x_failed_recipients, words = 1;
            else if (!returned && IS("x-mailer"))
                where = SMTP__BW_X_MAILER;
            break;
        case 'c':
            if (!returned && !hh->have_ct && IS("content-type")) {
                smtp__parse_ctype(b + f.val, f.val_end - f.val, &hh->ct);
                hh->have_ct = 1;
            } else if (!returned && IS("content-transfer-encoding"))
                hh->cte = smtp__parse_cte(b + f.val, f.val_end - f.val);
            break;
        default:
            break;
        }
#undef IS
        if (!returned) {
            /* detect / auto-reply / feedback / bounce rows over this field */
            struct hits h;
            if (where == SMTP__BW_RECEIVED && hh->received++ >= 2)
                where = 0;   /* the newest Received fields name the bouncing MTA */
            if (where && smtp__bf_where_rows[where]) {
                /* the markers sit near the start of these fields */
                smtp__txt v = field_txt(b, &f);
                if (v.n > 160)
                    v.n = 160;
                if (where_may_match(v, where))
                    scan_markers(v, where, &h);
                else
                    h.n = 0;
                for (uint32_t k = 0; k < h.n; k++)
                    count_hit(&smtp__bf_rows[h.h[k].row], hh);
            }
            /* "name: value" (its first 80 bytes) for the header rows, when
             * the name starts like one */
            if (smtp__bf_first_header[fold_byte((unsigned char)b[f.name])] &&
                (f.name_len >= 64 || (smtp__bf_header_name_lens >> f.name_len & 1))) {
                size_t e1 = f.val_end - f.name < 80 ? f.val_end : f.name + 80;
                scan_anchored(txt(b + f.name, e1 - f.name), SMTP__BW_HEADER, &h);
                for (uint32_t k = 0; k < h.n; k++)
                    count_hit(&smtp__bf_rows[h.h[k].row], hh);
            }
        }
        if (dst == NULL || dst->ptr != NULL)
            continue;
        smtp__txt v = header_string(st, b, &f, words);
        *dst = out_str(st, v, 0);
        if (dst == &out->x_failed_recipients)
            *xfr = v;
    }
    if (returned)
        out->orig_header = out_str(st, txt(b + hdr, pos > hdr ? pos - hdr : 0), 0);
    else
        hh->end = pos;
}

/* Is this a header block? (its first line is a field) */
static int looks_like_header(const char *b, size_t pos, size_t end)
{
    struct smtp__field f;
    size_t p = pos;
    return smtp__next_field(b, end, &p, &f) && f.name == pos;
}

static int auto_submitted_says_auto(const smtp_reply_bounce *out)
{
    if (!out->auto_submitted.ptr)
        return 0;
    smtp__txt v = trim(txt(out->auto_submitted.ptr, out->auto_submitted.len));
    return IPREFIX(v.p, v.n, "auto-");   /* RFC 3834 5: anything but "no" */
}

int smtp_reply_bounce_open(smtp_reply_bounce_reader *rd, const char *buf, size_t len,
                           void *scratch, size_t scratch_size, unsigned options,
                           smtp_reply_bounce *out)
{
    if (out == NULL)
        return SMTP_REPLY_E_NULL;
    memset(out, 0, sizeof *out);
    if (rd == NULL || scratch == NULL || (buf == NULL && len > 0))
        return SMTP_REPLY_E_NULL;
    memset(rd, 0, sizeof *rd);
    if (options & ~(unsigned)(SMTP_REPLY_BOUNCE_OPT_STANDARD | SMTP_REPLY_BOUNCE_OPT_NO_CLASSIFY))
        return SMTP_REPLY_E_BAD_OPTION;
    if (len == 0)
        return SMTP_REPLY_E_EMPTY;
    /* the state, aligned, at the start of the scratch */
    uintptr_t base = (uintptr_t)scratch, aligned = (base + 15u) & ~(uintptr_t)15u;
    if (scratch_size < SMTP_REPLY_BOUNCE_SCRATCH_MIN ||
        scratch_size - (aligned - base) < sizeof(struct state) + 1024)
        return SMTP_REPLY_E_SCRATCH;
    struct state *st = (struct state *)aligned;
    /* the scalars; the part table is filled by the walk, the address index is
     * cleared by scan_notification */
    memset(st, 0, offsetof(struct state, parts));
    memset(&st->nparts, 0, offsetof(struct state, idx_hash) - offsetof(struct state, nparts));
    st->reader = rd;
    st->options = options;
    st->arena = (char *)st + sizeof *st;
    st->arena_cap = scratch_size - (aligned - base) - sizeof *st;
    if (len > SMTP_REPLY_BOUNCE_MAX_BYTES) {
        len = SMTP_REPLY_BOUNCE_MAX_BYTES;
        st->flags |= SMTP_REPLY_BOUNCE_F_BYTES_TRUNCATED;
    }
    st->buf = buf;
    st->len = len;

    /* line ends, NULs, blank input (memchr: one fast pass per byte kind) */
    {
        size_t k = 0;
        while (k < len && (lws(buf[k]) || buf[k] == '\v' || buf[k] == '\f'))
            k++;
        if (k == len)
            return SMTP_REPLY_E_BLANK;
        if (memchr(buf, '\0', len))
            st->flags |= SMTP_REPLY_BOUNCE_F_NUL;
        int lf = 0, crlf = 0, cr = 0;
        const char *p = memchr(buf, '\r', len);
        if (p == NULL) {
            lf = memchr(buf, '\n', len) != NULL;
        } else {
            /* every CR: before a LF or alone; every LF: after a CR or bare.
             * Before the first CR every LF is bare; from it on, one pass */
            size_t i = (size_t)(p - buf);
            lf = memchr(buf, '\n', i) != NULL;
            if (i + 1 < len && buf[i + 1] == '\n')
                crlf = 1;
            else
                cr = 1;
            i++;
#ifdef SMTP__SSE2
            {
                const __m128i vcr = _mm_set1_epi8('\r'), vlf = _mm_set1_epi8('\n');
                __m128i acrlf = _mm_setzero_si128(), acr = acrlf, alf = acrlf;
                for (; i + 17 <= len; i += 16) {     /* i >= 1: the byte before is there */
                    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(buf + i));
                    __m128i after = _mm_loadu_si128((const __m128i *)(const void *)(buf + i + 1));
                    __m128i before = _mm_loadu_si128((const __m128i *)(const void *)(buf + i - 1));
                    __m128i c = _mm_cmpeq_epi8(v, vcr), nl = _mm_cmpeq_epi8(after, vlf);
                    acrlf = _mm_or_si128(acrlf, _mm_and_si128(c, nl));
                    acr = _mm_or_si128(acr, _mm_andnot_si128(nl, c));
                    alf = _mm_or_si128(alf, _mm_andnot_si128(_mm_cmpeq_epi8(before, vcr),
                                                             _mm_cmpeq_epi8(v, vlf)));
                }
                crlf |= _mm_movemask_epi8(acrlf) != 0;
                cr |= _mm_movemask_epi8(acr) != 0;
                lf |= _mm_movemask_epi8(alf) != 0;
            }
#endif
            for (; i < len; i++) {
                if (buf[i] == '\r') {
                    if (i + 1 < len && buf[i + 1] == '\n')
                        crlf = 1;
                    else
                        cr = 1;
                } else if (buf[i] == '\n' && buf[i - 1] != '\r') {
                    lf = 1;
                }
            }
        }
        if (cr && !lf && !crlf)
            st->flags |= SMTP_REPLY_BOUNCE_F_CR_ONLY;
        if (lf + crlf + cr > 1)
            st->flags |= SMTP_REPLY_BOUNCE_F_MIXED_EOL;
    }
    /* an mbox From_ line and blank lines before the header */
    size_t hdr = 0;
    for (;;) {
        size_t next, e = smtp__eol(buf, hdr, len, &next);
        int blank = 1;
        for (size_t k = hdr; k < e; k++)
            blank &= wsp(buf[k]);
        if (blank && next > hdr && next < len) {
            hdr = next;
            continue;
        }
        if (e - hdr >= 5 && memcmp(buf + hdr, "From ", 5) == 0 &&
            !(st->flags & SMTP_REPLY_BOUNCE_F_MBOX_FROM)) {
            st->flags |= SMTP_REPLY_BOUNCE_F_MBOX_FROM;
            hdr = next;
            continue;
        }
        break;
    }
    if (!looks_like_header(buf, hdr, len)) {
        out->flags = st->flags;
        return SMTP_REPLY_E_NOT_MAIL;
    }
    out->skipped = (uint32_t)hdr;

    /* the mail's header (once: it also gives the top Content-Type), then
     * the structure */
    struct header_hits hh;
    memset(&hh, 0, sizeof hh);
    uint32_t *votes = hh.votes;
    smtp__txt xfr = {NULL, 0};
    read_header(st, buf, hdr, len, 0, out, &xfr, &hh);
    struct smtp__walk w;
    struct smtp__part top;
    memset(&w, 0, sizeof w);
    w.parts = st->parts;
    w.cap = SMTP_REPLY_BOUNCE_MAX_PARTS;
    smtp__part_from_header(buf, len, hdr, hh.end, &hh.ct, hh.have_ct, hh.cte, &top);
    smtp__mime_walk_top(buf, len, &top, hh.ct.boundary, &w);
    st->nparts = w.nparts;
    st->flags |= w.flags;
    if (st->parts[0].hdr_end >= len)
        st->flags |= SMTP_REPLY_BOUNCE_F_HEADER_ONLY;
    out->nparts = w.nparts;
    out->depth = w.depth;

    /* pick the parts: status, notification, returned header */
    int status_i = -1, notif_i = -1, html_i = -1, returned_i = -1;
    int multipart = st->parts[0].type == SMTP__MT_MULTIPART && st->nparts > 1;
    struct fcache fc;        /* the status part's fields, split once */
    fc.p = NULL;
    fc.n = 0;
    fc.count = 0;
    for (uint32_t i = multipart ? 1 : 0; i < st->nparts; i++) {
        const struct smtp__part *p = &st->parts[i];
        if (p->in_message) {
            if (returned_i < 0)
                returned_i = (int)i;
            continue;
        }
        switch (p->type) {
        case SMTP__MT_DSN:
        case SMTP__MT_GLOBAL_DSN:
        case SMTP__MT_FEEDBACK:
        case SMTP__MT_MDN:
            if (status_i < 0)
                status_i = (int)i;
            break;
        case SMTP__MT_HEADERS:
            if (returned_i < 0)
                returned_i = (int)i;
            break;
        case SMTP__MT_NONE:
        case SMTP__MT_TEXT_PLAIN:
            if (notif_i < 0 && p->body_end > p->body)
                notif_i = (int)i;
            break;
        case SMTP__MT_TEXT_HTML:
            if (html_i < 0 && p->body_end > p->body)
                html_i = (int)i;
            break;
        default:
            break;
        }
    }
    if (status_i >= 0) {
        const struct smtp__part *p = &st->parts[status_i];
        st->status = part_text(st, p, 0);
        read_per_message(st, st->status, out, &fc);
        struct hits h;
        /* detect rows over the status part's lines */
        size_t pos = 0;
        struct smtp__lines lines;
        smtp__lines_init(&lines, st->status.p, st->status.n, 0);
        while (pos < st->status.n) {
            size_t next, e = smtp__lines_eol(&lines, pos, &next);
            if (!smtp__bf_first_status[fold_byte((unsigned char)st->status.p[pos])] ||
                !colon_at_one_of(st->status.p + pos, e - pos, smtp__bf_status_colons)) {
                pos = next;
                continue;
            }
            if (e - pos > 80)
                e = pos + 80;
            scan_anchored(txt(st->status.p + pos, e - pos), SMTP__BW_STATUS, &h);
            for (uint32_t k = 0; k < h.n; k++)
                if (smtp__bf_rows[h.h[k].row].kind == SMTP__BK_DETECT)
                    votes[smtp__bf_rows[h.h[k].row].mta]++;
            pos = next;
        }
    }
    if (notif_i < 0 && html_i >= 0) {
        notif_i = html_i;
        st->flags |= SMTP_REPLY_BOUNCE_F_HTML;
    }
    if (notif_i >= 0)
        st->notif = part_text(st, &st->parts[notif_i], notif_i == html_i);
    else if (st->nparts == 1)   /* a multipart without a usable boundary: its body as text */
        st->notif = txt(buf + st->parts[0].body, st->parts[0].body_end - st->parts[0].body);
    else
        st->notif = txt(buf + st->parts[0].body, 0);
    /* a bounce forwarded inline with "> " quoting ("Fwd: Returned mail: ..."):
     * read the quoted text without its quote marks */
    if (out->subject.ptr && st->notif.n &&
        (IPREFIX(out->subject.ptr, out->subject.len, "fwd:") ||
         IPREFIX(out->subject.ptr, out->subject.len, "fw:"))) {
        const char *b = st->notif.p;
        size_t pos = 0, quoted = 0, got;
        while (pos < st->notif.n) {
            size_t next;
            smtp__eol(b, pos, st->notif.n, &next);
            quoted += b[pos] == '>';
            pos = next;
        }
        if (quoted >= 3) {
            char *dst = arena_take(st, st->notif.n, &got);
            size_t k = 0;
            pos = 0;
            while (pos < st->notif.n && k < got) {
                size_t next, e = smtp__eol(b, pos, st->notif.n, &next);
                size_t from = pos;
                if (from < e && b[from] == '>') {
                    from++;
                    if (from < e && b[from] == ' ')
                        from++;
                }
                size_t l = next - from;
                if (l > got - k)
                    l = got - k;
                memcpy(dst + k, b + from, l);
                k += l;
                pos = next;
            }
            arena_commit(st, k);
            st->notif = txt(dst, k);
            st->flags |= SMTP_REPLY_BOUNCE_F_FORWARDED;
        }
    }
    st->notif_kept = (st->flags & SMTP_REPLY_BOUNCE_F_CHARSET_KEPT) != 0 && notif_i >= 0 &&
                     st->parts[notif_i].charset == SMTP__CS_OTHER;
    out->notification = out_str(st, st->notif, st->notif_kept ? SMTP_REPLY_BOUNCE_S_CHARSET_KEPT : 0);
    /* A DSN's human-readable part is scanned for markers in its first lines
     * only (who wrote it says so at the top); its addresses are all indexed.
     * Without a usable status part, every line is scanned (below). */
    int dsn_part = status_i >= 0 && (st->parts[status_i].type == SMTP__MT_DSN ||
                                     st->parts[status_i].type == SMTP__MT_GLOBAL_DSN);
    uint32_t marker_lines = dsn_part ? DSN_MARKER_LINES : UINT32_MAX;
    scan_notification(st, votes, marker_lines, 0);

    /* the returned message */
    if (returned_i >= 0) {
        const struct smtp__part *p = &st->parts[returned_i];
        smtp__txt t;
        if (p->type == SMTP__MT_HEADERS && !p->in_message) {
            t = part_text(st, p, 0);
            out->returned = 1;
        } else {
            t = txt(buf + p->hdr, p->body_end > p->hdr ? p->body_end - p->hdr : 0);
            out->returned = 2;
        }
        read_header(st, t.p, 0, t.n, 1, out, &xfr, &hh);
    } else if (st->end < st->notif.n) {
        /* a copy after the end marker of an MTA's text */
        const char *b = st->notif.p;
        size_t pos, next;
        smtp__eol(b, st->end, st->notif.n, &pos);
        for (int k = 0; k < 4 && pos < st->notif.n; k++) {
            if (looks_like_header(b, pos, st->notif.n))
                break;
            smtp__eol(b, pos, st->notif.n, &next);
            pos = next;
        }
        if (pos < st->notif.n && looks_like_header(b, pos, st->notif.n)) {
            read_header(st, b, pos, st->notif.n, 1, out, &xfr, &hh);
            out->returned = 3;
        }
    }

    /* who wrote it: the most votes; ties go to the earlier MTA in the table */
    {
        uint32_t best = 0;
        int mta = 0;
        for (uint32_t i = 0; i < smtp__bf_nmtas; i++) {
            int m = smtp__bf_mta_order[i];
            if (votes[m] > best) {
                best = votes[m];
                mta = m;
            }
        }
        st->mta = mta;
    }

    /* an X-Failed-Recipients with one address: the recipient of a DSN record
     * whose Final-Recipient is a pipe or a file (Exim) */
    if (xfr.n) {
        size_t s1, e1, s2, e2;
        if (first_addr(xfr.p, 0, xfr.n, &s1, &e1) && !first_addr(xfr.p, e1, xfr.n, &s2, &e2))
            st->xfr_one = txt(xfr.p + s1, e1 - s1);
    }

    /* the sender's own addresses: never a failed recipient named in text
     * (the values here; their addresses when a text reader needs them) */
    {
        const smtp_reply_bounce_str *ex[4] = {&out->to, &out->orig_from, &out->orig_return_path,
                                              &out->from};
        for (int k = 0; k < 4; k++)
            st->exclude[k] = ex[k]->ptr ? txt(ex[k]->ptr, ex[k]->len) : txt(NULL, 0);
        st->exclude_split = 0;
    }

    /* choose the reader */
    int standard = (options & SMTP_REPLY_BOUNCE_OPT_STANDARD) != 0;
    uint32_t n = 0;
    if (status_i >= 0) {
        int t = st->parts[status_i].type;
        if (t == SMTP__MT_DSN || t == SMTP__MT_GLOBAL_DSN) {
            st->mode = M_DSN;
            st->start = 0;
            n = count_records(st, out, &fc);
            if (n) {
                st->kind = SMTP_REPLY_BOUNCE_KIND_DSN;
                st->format = t == SMTP__MT_GLOBAL_DSN ? SMTP_REPLY_BOUNCE_FMT_RFC6533
                                                      : SMTP_REPLY_BOUNCE_FMT_RFC3464;
            }
        } else if (t == SMTP__MT_FEEDBACK) {
            st->mode = M_ARF;
            st->start = 0;
            st->kind = SMTP_REPLY_BOUNCE_KIND_FEEDBACK;
            st->format = SMTP_REPLY_BOUNCE_FMT_ARF;
            n = count_records(st, out, NULL);
        } else if (t == SMTP__MT_MDN) {
            st->mode = M_NONE;
            st->kind = SMTP_REPLY_BOUNCE_KIND_MDN;
            st->format = SMTP_REPLY_BOUNCE_FMT_RFC8098;
            /* the MDN's Final-Recipient, as a per-mail field */
            struct raw r;
            size_t c = 0;
            if (dsn_next(st->status, &c, st->status.n, &r, 0, &fc))
                out->mdn_recipient = out_str(st, r.final, 0);
        }
    }
    if (st->kind == SMTP_REPLY_BOUNCE_KIND_NONE && marker_lines != UINT32_MAX) {
        /* the status part named nobody: read the whole text (its votes from
         * the lines not counted yet) */
        scan_notification(st, votes, UINT32_MAX, marker_lines);
        marker_lines = UINT32_MAX;
    }
    if (st->kind == SMTP_REPLY_BOUNCE_KIND_NONE && !standard) {
        /* DSN fields in the text */
        const char *b = st->notif.p;
        size_t pos = 0, lim = st->end;
        struct smtp__lines lines;
        smtp__lines_init(&lines, b, lim, 0);
        while (pos < lim) {
            size_t next;
            smtp__lines_eol(&lines, pos, &next);
            if (IPREFIX(b + pos, lim - pos, "final-recipient:") ||
                IPREFIX(b + pos, lim - pos, "original-recipient:"))
                break;
            pos = next;
        }
        if (pos < lim) {
            /* per-message fields just before the first recipient */
            size_t pm = pos;
            for (int k = 0; k < 8 && pm > 0; k++) {
                size_t q = pm - 1;
                while (q > 0 && b[q - 1] != '\n' && b[q - 1] != '\r')
                    q--;
                if (!IPREFIX(b + q, lim - q, "reporting-mta:") &&
                    !IPREFIX(b + q, lim - q, "arrival-date:") &&
                    !IPREFIX(b + q, lim - q, "received-from-mta:"))
                    break;
                pm = q;
            }
            smtp__txt region = txt(b + pm, lim - pm);
            if (!out->reporting_mta.ptr)
                read_per_message(st, region, out, NULL);
            st->mode = M_DSN_TEXT;
            st->start = pm;
            n = count_records(st, out, NULL);
            if (n) {
                st->kind = SMTP_REPLY_BOUNCE_KIND_DSN;
                st->format = SMTP_REPLY_BOUNCE_FMT_DSN_TEXT;
            }
        }
    }
    if (st->kind == SMTP_REPLY_BOUNCE_KIND_NONE && !standard && st->begin < st->notif.n) {
        st->mode = M_TEXT;
        st->start = st->begin;
        n = count_records(st, out, NULL);
        if (n) {
            st->kind = SMTP_REPLY_BOUNCE_KIND_DSN;
            st->format = SMTP_REPLY_BOUNCE_FMT_TEXT;
        }
    }
    int have_block = st->begin < st->notif.n;
    smtp__txt block = have_block ? txt(st->notif.p + st->begin, st->end - st->begin) : txt(NULL, 0);
    if (st->kind == SMTP_REPLY_BOUNCE_KIND_NONE && !standard && xfr.n) {
        st->mode = M_LIST;
            st->start = 0;
        st->list = xfr;
        st->list_diag = block;
        st->list_source = SMTP_REPLY_BOUNCE_SRC_X_FAILED;
        n = count_records(st, out, NULL);
        if (n) {
            st->kind = SMTP_REPLY_BOUNCE_KIND_DSN;
            st->format = have_block ? SMTP_REPLY_BOUNCE_FMT_TEXT : SMTP_REPLY_BOUNCE_FMT_X_FAILED;
        }
    }
    if (st->kind == SMTP_REPLY_BOUNCE_KIND_NONE && !standard && (have_block || hh.bounce)) {
        /* an unknown format: the addresses the text names, but the sender's */
        st->mode = M_MENTIONED;
        st->start = 0;
        n = count_records(st, out, NULL);
        if (n) {
            st->kind = SMTP_REPLY_BOUNCE_KIND_DSN;
            st->format = SMTP_REPLY_BOUNCE_FMT_TEXT;
        }
    }
    if (st->kind == SMTP_REPLY_BOUNCE_KIND_NONE && !standard && (have_block || hh.bounce) &&
        out->orig_to.ptr) {
        st->mode = M_LIST;
            st->start = 0;
        st->list = txt(out->orig_to.ptr, out->orig_to.len);
        st->list_diag = block;
        st->list_source = SMTP_REPLY_BOUNCE_SRC_RETURNED_TO;
        n = count_records(st, out, NULL);
        if (n) {
            st->kind = SMTP_REPLY_BOUNCE_KIND_DSN;
            st->format = SMTP_REPLY_BOUNCE_FMT_TEXT;
        }
    }
    if (st->kind == SMTP_REPLY_BOUNCE_KIND_FEEDBACK && n == 0 && out->orig_to.ptr) {
        st->mode = M_LIST;
            st->start = 0;
        st->list = txt(out->orig_to.ptr, out->orig_to.len);
        st->list_diag = txt(NULL, 0);
        st->list_source = SMTP_REPLY_BOUNCE_SRC_RETURNED_TO;
        n = count_records(st, out, NULL);
    }
    if (st->kind == SMTP_REPLY_BOUNCE_KIND_NONE && !standard && hh.feedback && out->orig_to.ptr) {
        st->mode = M_LIST;
            st->start = 0;
        st->list = txt(out->orig_to.ptr, out->orig_to.len);
        st->list_diag = txt(NULL, 0);
        st->list_source = SMTP_REPLY_BOUNCE_SRC_RETURNED_TO;
        n = count_records(st, out, NULL);
        st->kind = SMTP_REPLY_BOUNCE_KIND_FEEDBACK;
        st->format = SMTP_REPLY_BOUNCE_FMT_ARF;
    }
    if (st->kind == SMTP_REPLY_BOUNCE_KIND_NONE && !hh.not_autoreply &&
        (hh.autoreply || auto_submitted_says_auto(out)) && out->from.ptr) {
        smtp__txt ty, a;
        split_addr_value(txt(out->from.ptr, out->from.len), &ty, &a);
        if (a.n && memchr(a.p, '@', a.n)) {
            st->mode = M_AUTOREPLY;
            st->start = 0;
            st->autoreply = a;
            st->kind = SMTP_REPLY_BOUNCE_KIND_AUTOREPLY;
            st->format = SMTP_REPLY_BOUNCE_FMT_RFC3834;
            n = count_records(st, out, NULL);
        }
    }
    if (st->kind == SMTP_REPLY_BOUNCE_KIND_NONE) {
        st->mode = M_NONE;
        n = 0;
        out->nfailed = out->ndelayed = out->nother = 0;
    } else if (n == 0 && st->kind != SMTP_REPLY_BOUNCE_KIND_MDN) {
        st->flags |= SMTP_REPLY_BOUNCE_F_NO_RECIPIENT;
    }
    if (st->kind == SMTP_REPLY_BOUNCE_KIND_NONE && have_block)
        st->flags |= SMTP_REPLY_BOUNCE_F_NO_RECIPIENT;

    /* X-Failed-Recipients against what the report says */
    if (xfr.n && st->mode != M_LIST && n) {
        struct raw r;
        uint32_t named = 0;
        while (next_record(st, named, &r)) {
            /* is r.final in the list? (linear in the list, for at most 64 records) */
            if (named >= 64)
                break;
            named++;
            size_t pos = 0, s, e;
            int found = 0;
            while (!found && pos < xfr.n && first_addr(xfr.p, pos, xfr.n, &s, &e)) {
                found = addr_eq(txt(xfr.p + s, e - s), r.final);
                pos = e;
            }
            if (!found) {
                st->flags |= SMTP_REPLY_BOUNCE_F_X_FAILED_DIFFERS;
                break;
            }
        }
        rewind_records(st);
    }

    out->kind = st->kind;
    out->format = st->format;
    out->mta = st->mta;
    out->nrecipients = n;
    if (st->ncached > n)
        st->ncached = n;    /* a mode tried and left (or none): its records are not these */
    out->flags = st->flags;
    st->index = 0;
    st->magic = MAGIC;
    rd->opaque[0] = MAGIC;
    rd->opaque[1] = (uint64_t)(uintptr_t)st;
    return SMTP_REPLY_OK;
}

/* ---- next: one record, decoded, parsed and classified ---------------------- */

/* Original-Recipient: xtext (RFC 3461: "+HH") and RFC 6533's "\x{HHHH}". */
static size_t decode_orcpt(smtp__txt a, char *dst, size_t cap, int *changed)
{
    size_t k = 0;
    *changed = 0;
    for (size_t i = 0; i < a.n && k < cap; i++) {
        char c = a.p[i];
        if (c == '+' && i + 2 < a.n) {
            /* xtext's hex digits are upper case */
            unsigned char x1 = (unsigned char)a.p[i + 1], x2 = (unsigned char)a.p[i + 2];
            int h1 = (x1 >= 'a' && x1 <= 'f') ? -1 : smtp__hex(x1);
            int h2 = (x2 >= 'a' && x2 <= 'f') ? -1 : smtp__hex(x2);
            if (h1 >= 0 && h2 >= 0) {
                dst[k++] = (char)(h1 * 16 + h2);
                i += 2;
                *changed = 1;
                continue;
            }
        }
        if (c == '\\' && i + 3 < a.n && a.p[i + 1] == 'x' && a.p[i + 2] == '{') {
            uint32_t cp = 0;
            size_t j = i + 3, nd = 0;
            while (j < a.n && nd < 6) {
                int v = smtp__hex((unsigned char)a.p[j]);
                if (v < 0)
                    break;
                cp = cp * 16 + (uint32_t)v;
                j++;
                nd++;
            }
            if (nd > 0 && j < a.n && a.p[j] == '}' && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF) &&
                cap - k >= 4) {
                if (cp < 0x80) {
                    dst[k++] = (char)cp;
                } else if (cp < 0x800) {
                    dst[k++] = (char)(0xC0 | (cp >> 6));
                    dst[k++] = (char)(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    dst[k++] = (char)(0xE0 | (cp >> 12));
                    dst[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    dst[k++] = (char)(0x80 | (cp & 0x3F));
                } else {
                    dst[k++] = (char)(0xF0 | (cp >> 18));
                    dst[k++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                    dst[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    dst[k++] = (char)(0x80 | (cp & 0x3F));
                }
                i = j;
                *changed = 1;
                continue;
            }
        }
        dst[k++] = c;
    }
    return k;
}

#define MAX_STARTS 16u

/* Join the lines of a block (or unfold a field) with single spaces into dst;
 * starts[] receives where each source line begins in the output (the first
 * MAX_STARTS of them). */
static size_t join_block(smtp__txt t, char *dst, size_t cap, int *trunc, uint32_t *starts,
                         uint32_t *nstarts)
{
    return smtp__unfold_lines(t.p, t.n, dst, cap, trunc, starts, nstarts, MAX_STARTS);
}

/* Does text at d[i..n) start like a reply: "550 ", "550-", "5.1.1 "? */
static int reply_like(const char *d, size_t i, size_t n)
{
    if (i + 3 <= n && d[i] >= '2' && d[i] <= '5' && smtp__digit((unsigned char)d[i + 1]) &&
        smtp__digit((unsigned char)d[i + 2]) && (i + 3 == n || d[i + 3] == ' ' || d[i + 3] == '-'))
        return 1;
    uint16_t v[3];
    return smtp__read_enhanced(d, i, n, v) > 0;
}

static void shift_spans(smtp_reply *r, uint32_t off)
{
    r->reply.off += off;
    r->code_span.off += off;
    r->enhanced_span.off += off;
    for (uint32_t i = 0; i < r->nstored && i < SMTP_REPLY_MAX_LINES; i++)
        r->line[i].off += off;
    r->consumed += off;
}

/* Parse the diagnostic.  When the whole text gives no code, the reply may sit
 * after a reply marker ("The error that the other server returned was:") or at
 * the start of one of its lines: try those (at most 8), and shift the spans of
 * the first that parses with a code so they stay offsets into d. */
static int parse_diag(const char *d, size_t n, const uint32_t *starts, uint32_t nstarts,
                      const struct hits *pre, smtp_reply *reply)
{
    int rc = smtp_reply_parse(d, n, 0, reply);
    if (rc == SMTP_REPLY_OK && (reply->code || reply->enhanced[0]))
        return rc;
    uint32_t cand[8 + MAX_STARTS];
    uint32_t nc = 0;
    struct hits h;
    if (pre)
        h = *pre;       /* scan_context scanned d as one line */
    else
        scan_markers(txt(d, n), SMTP__BW_DIAG, &h);
    for (uint32_t k = 0; k < h.n && nc < 8; k++) {
        if (smtp__bf_rows[h.h[k].row].kind != SMTP__BK_REPLY)
            continue;
        uint32_t off = h.h[k].end;
        while (off < n && (wsp(d[off]) || d[off] == '[' || d[off] == '(' || d[off] == '\'' ||
                           d[off] == '"'))
            off++;
        if (off < n)
            cand[nc++] = off;
    }
    for (uint32_t k = 0; k < nstarts; k++)
        if (reply_like(d, starts[k], n))
            cand[nc++] = starts[k];
    /* a reply after a colon: "host 192.0.2.8: 553 5.3.0 ...", "ERROR_CODE :5.1.1 ..." */
    for (size_t i = 0; i < n && nc < 8 + MAX_STARTS; i++) {
        const char *colon = memchr(d + i, ':', n - i);
        if (colon == NULL)
            break;
        i = (size_t)(colon - d);
        size_t j = i + 1;
        while (j < n && (wsp(d[j]) || d[j] == '['))
            j++;
        if (j < n && reply_like(d, j, n))
            cand[nc++] = (uint32_t)j;
    }
    smtp_reply tmp;
    for (uint32_t k = 0; k < nc && k < 12; k++) {
        if (smtp_reply_parse(d + cand[k], n - cand[k], 0, &tmp) == SMTP_REPLY_OK &&
            (tmp.code || tmp.enhanced[0])) {
            *reply = tmp;
            shift_spans(reply, cand[k]);
            return SMTP_REPLY_OK;
        }
    }
    return rc;
}

static int read_status(smtp__txt t, uint16_t out[3])
{
    uint16_t v[3];
    t = trim(t);
    if (t.n == 0)
        return 0;
    size_t l = smtp__read_enhanced(t.p, 0, t.n, v);
    if (l == 0)
        return 0;
    memcpy(out, v, sizeof v);
    return 1;
}

/* Stage, host and gave-up phrases in a text.  When whole is not NULL and the
 * text is one line, its hits go there too (*have_whole set). */
static void scan_context(smtp__txt t, int *stage, smtp__txt *host, int *gave_up,
                         struct hits *whole, int *have_whole)
{
    size_t pos = 0;
    while (pos < t.n) {
        size_t next, e = smtp__eol(t.p, pos, t.n, &next);
        struct hits h;
        scan_markers(txt(t.p + pos, e - pos), SMTP__BW_DIAG, &h);
        if (whole && pos == 0 && e == t.n) {
            *whole = h;
            *have_whole = 1;
        }
        for (uint32_t k = 0; k < h.n; k++) {
            const struct smtp__bf_row *r = &smtp__bf_rows[h.h[k].row];
            if (r->kind == SMTP__BK_STAGE && *stage == 0)
                *stage = r->value;
            else if (r->kind == SMTP__BK_GAVE_UP)
                *gave_up = 1;
            else if (r->kind == SMTP__BK_HOST && host->p == NULL)
                *host = host_after(t.p + pos, h.h[k].end, e - pos);
        }
        pos = next;
    }
}

static void verdicts_for(smtp_reply_result *res, int rcpt_set, int msg_set)
{
    const struct smtp__category *cat = &smtp__categories[res->category];
    if (res->permanence == SMTP_REPLY_PERM_SUCCESS) {
        if (!rcpt_set)
            res->recipient_action = SMTP_REPLY_RCPT_KEEP;
        if (!msg_set)
            res->message_action = SMTP_REPLY_MSG_NONE;
        res->fault = SMTP_REPLY_FAULT_NONE;
        return;
    }
    int permanent = res->permanence == SMTP_REPLY_PERM_PERMANENT;
    if (!rcpt_set)
        res->recipient_action = permanent ? cat->perm_rcpt : cat->temp_rcpt;
    if (!msg_set)
        res->message_action = permanent ? cat->perm_msg : cat->temp_msg;
    res->fault = cat->fault;
}

static int pred_holds(uint8_t pred, uint8_t cls_mask, int have, const uint16_t v[3])
{
    switch (pred) {
    case SMTP__BP_NONE:
        if (have)
            return 0;
        break;
    case SMTP__BP_ANY:
        if (!have)
            return 0;
        break;
    case SMTP__BP_X00:
        if (!have || v[1] != 0 || v[2] != 0)
            return 0;
        break;
    case SMTP__BP_SPECIFIC:
        if (!have || (v[1] == 0 && v[2] == 0))
            return 0;
        break;
    default:
        break;
    }
    if (cls_mask && (!have || v[0] > 7 || !(cls_mask & (1u << v[0]))))
        return 0;
    return 1;
}

struct ctx {
    int action;
    int have_status;
    uint16_t status[3];
    int context_stage;
    int gave_up_phrase;
    int parsed;
    int have_diag;
    int gave_up;
};

static int rule_holds(const struct smtp__bc_rule *r, const struct ctx *c, const smtp_reply *reply,
                      const smtp_reply_result *res)
{
    if (r->actions && !(r->actions & (1u << c->action)))
        return 0;
    if (!pred_holds(r->status, r->status_class, c->have_status, c->status))
        return 0;
    if (r->reply || r->reply_class) {
        int have = reply->enhanced[0] != 0;
        if (!pred_holds(r->reply, 0, have, reply->enhanced))
            return 0;
        if (r->reply_class) {
            int cls = reply->code ? reply->code / 100 : reply->enhanced[0];
            if (cls <= 0 || cls > 7 || !(r->reply_class & (1u << cls)))
                return 0;
        }
    }
    if ((r->need & SMTP__BN_PHRASE_GAVE_UP) && !c->gave_up_phrase)
        return 0;
    if ((r->need & SMTP__BN_FLAG_GAVE_UP) && !c->gave_up)
        return 0;
    if ((r->need & SMTP__BN_STAGE_NONE) && reply->stage != SMTP_REPLY_STAGE_UNKNOWN)
        return 0;
    if ((r->need & SMTP__BN_CONTEXT_STAGE) && c->context_stage == 0)
        return 0;
    if ((r->need & SMTP__BN_NOT_PARSED) && c->parsed)
        return 0;
    if ((r->need & SMTP__BN_PARSED) && !c->parsed)
        return 0;
    if ((r->need & SMTP__BN_NO_DIAGNOSTIC) && c->have_diag)
        return 0;
    if (r->categories && (!res || !(r->categories & (1u << res->category))))
        return 0;
    return 1;
}

int smtp_reply_bounce_next(smtp_reply_bounce_reader *rd, smtp_reply_bounce_rcpt *rcpt)
{
    if (rcpt == NULL)
        return SMTP_REPLY_E_NULL;
    memset(rcpt, 0, sizeof *rcpt);
    if (rd == NULL)
        return SMTP_REPLY_E_NULL;
    struct state *st = (struct state *)(uintptr_t)rd->opaque[1];
    if (rd->opaque[0] != MAGIC || st == NULL || st->magic != MAGIC || st->reader != rd)
        return SMTP_REPLY_E_READER;
    struct raw r;
    if (!next_record(st, st->index, &r))
        return SMTP_REPLY_OK;

    char *rec = st->r.rec;
    size_t used = 0;
    rcpt->index = st->index++;
    rcpt->action = r.action;
    rcpt->source = r.source;
    rcpt->final_recipient = out_str(st, r.final, 0);
    rcpt->final_type = out_str(st, r.final_type, 0);
    rcpt->recipient = rcpt->final_recipient;
    if (!memchr(r.final.p, '@', r.final.n) && st->xfr_one.n)
        rcpt->recipient = out_str(st, st->xfr_one, 0);   /* "|/usr/bin/prog", "/var/mail/x" */
    if (r.orig.n) {
        int changed = 0;
        size_t k = decode_orcpt(r.orig, rec + used, 3 * ADDR_MAX, &changed);
        smtp__txt o = changed ? txt(rec + used, k) : r.orig;
        if (changed) {
            used += k;
            rcpt->flags |= SMTP_REPLY_BOUNCE_R_ORCPT_DECODED;
        }
        rcpt->original_recipient = out_str(st, o, 0);
        if (o.n && memchr(o.p, '@', o.n))
            rcpt->recipient = rcpt->original_recipient;
    }
    rcpt->diagnostic_type = out_str(st, r.diag_type, 0);
    rcpt->status_text = out_str(st, r.status_txt, 0);
    rcpt->last_attempt_date = out_str(st, r.last_attempt, 0);
    rcpt->will_retry_until = out_str(st, r.will_retry, 0);
    rcpt->final_log_id = out_str(st, r.final_log_id, 0);

    /* the recipient's block in the notification (DSN records) */
    smtp__txt block = r.block;
    if ((r.source == SMTP_REPLY_BOUNCE_SRC_DSN || r.source == SMTP_REPLY_BOUNCE_SRC_DSN_TEXT) &&
        st->notif.n) {
        size_t line;
        index_text(st);
        if (index_find(st, r.final, &line) ||
            (r.orig.n && index_find(st, r.orig, &line)) ||
            (rcpt->recipient.len && index_find(st, txt(rcpt->recipient.ptr, rcpt->recipient.len),
                                               &line))) {
            block = text_block(st, line, r.final);
            if (dsn_field_line(block)) {
                block = txt(NULL, 0);   /* DSN fields written in the text: no prose */
            } else {
                size_t skip = after_line_addr(block.p, 0, block.n);
                block = txt(block.p + skip, block.n - skip);
                rcpt->flags |= SMTP_REPLY_BOUNCE_R_TEXT_MERGED;
            }
        }
    }
    /* the diagnostic: the field unfolded, else the text */
    smtp__txt diag = r.diag;
    int from_text = 0;
    if (diag.n == 0 && block.n && r.source != SMTP_REPLY_BOUNCE_SRC_TEXT) {
        diag = block;
        from_text = 1;
    }
    size_t cap = SMTP_REPLY_BOUNCE_MAX_DIAG;
    char *dd = rec + used;
    int trunc = 0;
    uint32_t starts[MAX_STARTS], nstarts = 0;
    size_t dn = diag.n ? join_block(diag, dd, cap, &trunc, starts, &nstarts) : 0;
    used += dn;
    smtp__txt dtxt = txt(dn ? dd : NULL, dn);
    uint32_t dflags = trunc ? SMTP_REPLY_BOUNCE_S_TRUNCATED : 0;
    if ((from_text || r.diag_is_block) && st->notif_kept)
        dflags |= SMTP_REPLY_BOUNCE_S_CHARSET_KEPT;
    rcpt->diagnostic = out_str(st, dtxt, dflags);
    if ((from_text || r.diag_is_block) && dn)
        rcpt->flags |= SMTP_REPLY_BOUNCE_R_DIAG_FROM_TEXT;

    /* context from the text around */
    int cstage = 0, gave_up_phrase = 0;
    smtp__txt host = {NULL, 0};
    struct hits dhits;       /* the diagnostic's hits, for parse_diag */
    int have_dhits = 0;
    scan_context(dtxt, &cstage, &host, &gave_up_phrase, &dhits, &have_dhits);
    if (block.n && block.p != diag.p) {
        /* the block joined (its phrases may be wrapped: "(in reply to\n RCPT TO
         * command)"), after the diagnostic in the record region */
        int btrunc;
        uint32_t bst[MAX_STARTS], nbst;
        size_t room = sizeof st->r.rec - used;
        size_t bn = join_block(block, rec + used, room < BLOCK_MAX ? room : BLOCK_MAX, &btrunc, bst,
                               &nbst);
        scan_context(txt(rec + used, bn), &cstage, &host, &gave_up_phrase, NULL, NULL);
    }
    smtp__txt rm = r.remote_mta.n ? r.remote_mta : host;
    rcpt->remote_mta = out_str(st, rm, 0);

    struct ctx c;
    memset(&c, 0, sizeof c);
    c.action = r.action;
    c.have_status = read_status(r.status_txt, c.status);
    c.context_stage = cstage;
    c.gave_up_phrase = gave_up_phrase;
    c.have_diag = dn > 0;

    /* parse and classify */
    smtp_reply *reply = &rcpt->reply;
    smtp_reply_result *res = &rcpt->result;
    int parsed = 0;
    if (st->options & SMTP_REPLY_BOUNCE_OPT_NO_CLASSIFY) {
        rcpt->parse_rc = SMTP_REPLY_E_NOT_PARSED;
        (void)!smtp_reply_classify(NULL, 0, NULL, res);   /* resets res */
    } else {
        rcpt->parse_rc = dn ? parse_diag(dtxt.p, dtxt.n, starts, nstarts, have_dhits ? &dhits : NULL, reply) : SMTP_REPLY_E_EMPTY;
        parsed = rcpt->parse_rc == SMTP_REPLY_OK;
        if (!parsed)
            memset(reply, 0, sizeof *reply);
        c.parsed = parsed;
    }
    if (!(st->options & SMTP_REPLY_BOUNCE_OPT_NO_CLASSIFY)) {
        /* before: fill the enhanced code and the stage */
        for (uint32_t i = 0; i < smtp__bc_nrules; i++) {
            const struct smtp__bc_rule *cr = &smtp__bc_rules[i];
            if (cr->phase != 0 || !rule_holds(cr, &c, reply, NULL))
                continue;
            if (cr->set & SMTP__BS_DROP) {
                reply->code = 0;
                memset(reply->enhanced, 0, sizeof reply->enhanced);
                reply->code_span.len = 0;
                reply->enhanced_span.len = 0;
            }
            if ((cr->set & SMTP__BS_ENHANCED) && c.have_status) {
                memcpy(reply->enhanced, c.status, sizeof c.status);
                rcpt->flags |= SMTP_REPLY_BOUNCE_R_ENHANCED_FILLED;
            }
            if ((cr->set & SMTP__BS_STAGE) && c.context_stage) {
                reply->stage = (uint16_t)c.context_stage;
                rcpt->flags |= SMTP_REPLY_BOUNCE_R_STAGE_FROM_TEXT;
            }
        }
        int crc = smtp_reply_classify(dtxt.p ? dtxt.p : "", dtxt.n, reply, res);
        if (crc != SMTP_REPLY_OK)
            (void)!smtp_reply_classify(NULL, 0, NULL, res);
        if (crc != SMTP_REPLY_OK && reply->enhanced[0] == 0 && reply->code == 0)
            memset(reply, 0, sizeof *reply);
        /* after: the report's context */
        int changed = 0;
        for (uint32_t i = 0; i < smtp__bc_nrules; i++) {
            const struct smtp__bc_rule *cr = &smtp__bc_rules[i];
            if (cr->phase != 1 || !rule_holds(cr, &c, reply, res))
                continue;
            if (cr->set & SMTP__BS_GAVE_UP) {
                c.gave_up = 1;
                rcpt->flags |= SMTP_REPLY_BOUNCE_R_GAVE_UP;
            }
            int touched = 0;
            if (cr->category != 0xff && cr->category < smtp__ncategories) {
                res->category = cr->category;
                res->advice_index = smtp__categories[cr->category].advice;
                touched = 1;
            }
            if (cr->perm != 0xff) {
                res->permanence = cr->perm;
                touched = 1;
            }
            if (touched || cr->rcpt != 0xff || cr->msg != 0xff) {
                if (cr->rcpt != 0xff)
                    res->recipient_action = cr->rcpt;
                if (cr->msg != 0xff)
                    res->message_action = cr->msg;
                if (touched)
                    verdicts_for(res, cr->rcpt != 0xff, cr->msg != 0xff);
                changed = 1;
            }
        }
        if (changed)
            rcpt->flags |= SMTP_REPLY_BOUNCE_R_CONTEXT_APPLIED;
    }
    if (rcpt->flags & SMTP_REPLY_BOUNCE_R_GAVE_UP)
        (void)0;
    else if (c.gave_up)
        rcpt->flags |= SMTP_REPLY_BOUNCE_R_GAVE_UP;

    /* status: the reply's enhanced code (after the Status filled a missing or
     * X.0.0 one), else the Status field */
    if (c.have_status)
        memcpy(rcpt->dsn_status, c.status, sizeof c.status);
    if (reply->enhanced[0]) {
        memcpy(rcpt->status, reply->enhanced, sizeof rcpt->status);
        if (!(rcpt->flags & SMTP_REPLY_BOUNCE_R_ENHANCED_FILLED))
            rcpt->flags |= SMTP_REPLY_BOUNCE_R_STATUS_FROM_TEXT;
    } else if (c.have_status) {
        memcpy(rcpt->status, c.status, sizeof c.status);
    }
    if (c.have_status && memcmp(rcpt->status, c.status, sizeof c.status) != 0)
        rcpt->flags |= SMTP_REPLY_BOUNCE_R_STATUS_DIFFERS;
    rcpt->stage = reply->stage ? reply->stage : cstage;
    if (!reply->stage && cstage)
        rcpt->flags |= SMTP_REPLY_BOUNCE_R_STAGE_FROM_TEXT;
    (void)used;
    return SMTP_REPLY_BOUNCE_RECORD;
}

int smtp_reply_bounce_header(const smtp_reply_bounce_str *block, const char *name, size_t index,
                             smtp_reply_bounce_str *value)
{
    if (block == NULL || name == NULL || value == NULL)
        return SMTP_REPLY_E_NULL;
    memset(value, 0, sizeof *value);
    if (block->ptr == NULL || block->len == 0)
        return 0;
    size_t nl = strlen(name);
    const char *b = block->ptr;
    size_t pos = 0, seen = 0;
    struct smtp__field f;
    while (smtp__next_field(b, block->len, &pos, &f)) {
        if (f.name_len != nl)
            continue;
        size_t i = 0;
        while (i < nl && smtp__lower((unsigned char)b[f.name + i]) == smtp__lower((unsigned char)name[i]))
            i++;
        if (i != nl)
            continue;
        if (seen++ == index) {
            value->ptr = b + f.val;
            value->len = (uint32_t)(f.val_end > f.val ? f.val_end - f.val : 0);
            value->flags = block->flags & SMTP_REPLY_BOUNCE_S_SCRATCH;
            return 1;
        }
    }
    return 0;
}
