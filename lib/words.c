/*
 * words.c - the word tokenizer, and the word-level model and concept rules
 * that read its words.
 *
 * The tokenizer folds the reply's text exactly as the matcher does (ASCII
 * lower case, two-byte Latin, Greek and Cyrillic letters, ISO-8859-1 bytes),
 * cuts it into words and keeps the words that carry meaning: a word with a
 * digit, a one-byte word, and a word glued into an address, host name, path,
 * URL or identifier are dropped.  Kept words are stemmed by a light suffix
 * stripper and hashed (FNV-1a).  tools/words.py is the same algorithm in
 * Python, used by the generator; tests/test-words.c holds the two equal.
 *
 * One left-to-right pass, a bounded look-ahead of two bytes, no allocation.
 */
#include <string.h>

#include "internal.h"

#define WORD_MAX 48u    /* longer words are hashed whole and not stemmed */

/* Byte classes of the folded text (bit flags). */
enum { K_WORD = 1, K_GLUE = 2, K_GLUE_WORD = 4, K_CLAUSE = 8, K_RUN = 16 };
#define W K_WORD
#define G K_GLUE
static const uint8_t byte_kind[256] = {
    /* 0x00-0x1f: control bytes; \n and \r end a clause (folded text has them as ' ') */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, K_CLAUSE, 0, 0, K_CLAUSE, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /*  ' '    !         "                  #  $  %  &  '       (                  )                  *  +  ,      -  .                    / */
    K_RUN, K_CLAUSE, K_CLAUSE | K_RUN, G, 0, G, G, K_RUN, K_CLAUSE | K_RUN, K_CLAUSE | K_RUN, 0, G, K_RUN, 0,
    K_GLUE_WORD | K_CLAUSE, G,
    /* 0-9 */
    W, W, W, W, W, W, W, W, W, W,
    /* :                        ;                  <                  =  >                  ?             @ */
    K_GLUE_WORD | K_CLAUSE, K_CLAUSE | K_RUN, K_CLAUSE | K_RUN, G, K_CLAUSE | K_RUN, G | K_CLAUSE, G,
    /* A-Z never occur in folded text */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* [                   \  ]                  ^  _  ` */
    K_CLAUSE | K_RUN, G, K_CLAUSE | K_RUN, 0, G, 0,
    /* a-z */
    W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
    /* {         |         }         ~  DEL */
    K_CLAUSE, K_CLAUSE, K_CLAUSE, G, 0,
    /* 0x80-0xff: bytes of other scripts are word bytes */
    W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
    W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
    W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
    W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
};
#undef W
#undef G

static inline int is_word(uint8_t c) { return byte_kind[c] & K_WORD; }
/* The first byte of a character from U+3000 to U+9FFF (CJK punctuation, kana,
 * ideographs: scripts written without spaces): each such character is a word of
 * its own (tools/words.py is_cjk_lead). */
static inline int is_cjk_lead(uint8_t c) { return c >= 0xe3 && c <= 0xe9; }

/* Characters that glue a word to its neighbour into a larger name:
 * @ / = _ \ % & ? # ~ + (tools/words.py GLUE_ALWAYS). */
static inline int glue_always(uint8_t c) { return byte_kind[c] & K_GLUE; }

/* '.' and ':' glue only when a word byte is on their far side. */
static inline int glue_before_word(uint8_t c) { return byte_kind[c] & K_GLUE_WORD; }

/* . ; : ! ? ( ) < > [ ] { } " | and line breaks end a clause (tools/words.py CLAUSE). */
static inline int clause_char(uint8_t c) { return byte_kind[c] & K_CLAUSE; }

uint32_t smtp__fnv1a(const uint8_t *p, size_t n, uint32_t h)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x01000193u;
    }
    return h;
}

uint32_t smtp__mix(uint32_t a, uint32_t b)
{
    uint32_t h = (a * 0x9E3779B1u) ^ b;
    h ^= h >> 15;
    h *= 0x85EBCA77u;
    h ^= h >> 13;
    return h;
}

static int ends(const uint8_t *w, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(w + n - k, suf, k) == 0;
}

/* The stem of an ASCII word w[0..n), in place; returns its length (see
 * tools/words.py stem() for the rules). */
static size_t stem(uint8_t *w, size_t n)
{
    if (ends(w, n, "sses"))
        n -= 2;
    else if (n > 4 && ends(w, n, "ies"))
        w[n - 3] = 'y', n -= 2;
    else if (ends(w, n, "xes") || ends(w, n, "ches") || ends(w, n, "shes"))
        n -= 2;
    else if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's' && w[n - 2] != 'u' && w[n - 2] != 'i')
        n -= 1;
    if (n > 4 && ends(w, n, "ied"))
        w[n - 3] = 'y', n -= 2;
    else if (n > 5 && ends(w, n, "ing"))
        n -= 3;
    else if (n > 4 && ends(w, n, "ed"))
        n -= 2;
    if (n > 4 && w[n - 1] == 'e')
        n -= 1;
    return n;
}

/* The folded byte stream of the reply's text: its lines joined by one space. */
struct stream {
    const uint8_t *b;
    size_t len;
    const smtp_reply *r;
    uint32_t line;     /* next line to open */
    size_t i, end;     /* position in the current line */
    int join;          /* a space is due before the next line's first byte */
    uint8_t q[2];      /* folded bytes produced but not yet returned */
    uint32_t qoff[2];
    int qn;
};

/* Fold the input at s->i into s->q (one or two bytes). */
static void fold_next(struct stream *s)
{
    const uint8_t *b = s->b;
    uint8_t c = b[s->i];
    uint32_t at = (uint32_t)s->i;
    s->qn = 1;
    s->q[0] = smtp__fold[c];
    s->qoff[0] = at;
    s->i++;
    if (c < 0xc0)
        return;
    if (s->i < s->end && (b[s->i] & 0xc0) == 0x80) {
        uint16_t m = 0;
        if ((unsigned)(c - SMTP__FOLD2_LEAD0) < SMTP__FOLD2_NLEADS)
            m = smtp__fold2[(c - SMTP__FOLD2_LEAD0) * 64u + (b[s->i] & 0x3fu)];
        if (m && m < 0x100) {
            s->q[0] = (uint8_t)m;
        } else {
            s->q[0] = m ? (uint8_t)(m >> 8) : c;
            s->q[1] = m ? (uint8_t)(m & 0xff) : b[s->i];
            s->qoff[1] = (uint32_t)s->i;
            s->qn = 2;
        }
        s->i++;
    } else if (smtp__fold1[c - 0xc0]) {
        s->q[0] = smtp__fold1[c - 0xc0];
    }
}

/* The next folded byte and its input offset; 0 at the end of the text.
 * (A NUL byte in the text is read as a space.) */
static uint8_t next_byte_slow(struct stream *s, uint32_t *off);

static inline uint8_t next_byte(struct stream *s, uint32_t *off)
{
    /* the common case: an ASCII byte of the current line */
    if (s->qn == 0 && s->i < s->end && s->b[s->i] < 0x80 && s->b[s->i]) {
        *off = (uint32_t)s->i;
        return smtp__fold[s->b[s->i++]];
    }
    return next_byte_slow(s, off);
}

static uint8_t next_byte_slow(struct stream *s, uint32_t *off)
{
    for (;;) {
        if (s->qn) {
            uint8_t c = s->q[0];
            *off = s->qoff[0];
            s->q[0] = s->q[1];
            s->qoff[0] = s->qoff[1];
            s->qn--;
            return c ? c : ' ';
        }
        if (s->i < s->end) {
            fold_next(s);
            continue;
        }
        /* open the next non-empty line */
        while (s->line < s->r->nstored && s->line < SMTP_REPLY_MAX_LINES) {
            const smtp_reply_span *sp = &s->r->line[s->line++];
            if (sp->len == 0 || sp->off > s->len || sp->len > s->len - sp->off)
                continue;
            s->i = sp->off;
            s->end = (size_t)sp->off + sp->len;
            if (s->join) {
                *off = sp->off;
                return ' ';
            }
            s->join = 1;
            break;
        }
        if (s->i >= s->end)
            return 0;
    }
}

/* A run: the bytes between two run delimiters (white space, brackets, quotes,
 * commas, semicolons).  Its kept words wait in the run buffer until the run
 * ends, and are dropped when the run holds an '@': the words of an address
 * ("<this-local-part-does-not-exist@example.com>") say nothing about the reply.
 * A run of more than RUN_MAX kept words passes its first ones on as they come. */
#define RUN_MAX 16u

struct run {
    uint32_t n;
    int at;
    struct smtp__word w[RUN_MAX];
    uint8_t text[RUN_MAX][WORD_MAX];
};

/* white space < > ( ) [ ] " ' , ; end a run (tools/words.py RUN_DELIMITERS) */
static inline int run_delimiter(uint8_t c) { return byte_kind[c] & K_RUN; }

static void run_flush(struct run *rn, smtp__word_fn fn, void *ctx)
{
    for (uint32_t i = 0; i < rn->n && !rn->at; i++)
        fn(ctx, &rn->w[i]);
    rn->n = 0;
}

/* A byte between words: it may end the run or mark it as an address. */
static inline void run_byte(struct run *rn, uint8_t c, smtp__word_fn fn, void *ctx)
{
    if (!(byte_kind[c] & K_RUN) && c != '@')
        return; /* the common case */
    if (c == '@') {
        rn->at = 1;
    } else if (run_delimiter(c)) {
        run_flush(rn, fn, ctx);
        rn->at = 0;
    }
}

static void run_word(struct run *rn, const struct smtp__word *w, smtp__word_fn fn, void *ctx)
{
    if (rn->n == RUN_MAX) {
        /* a very long run: what it has waited for goes on, as if no '@' came */
        for (uint32_t i = 0; i < rn->n; i++)
            fn(ctx, &rn->w[i]);
        rn->n = 0;
    }
    memcpy(rn->text[rn->n], w->text, w->len);
    rn->w[rn->n] = *w;
    rn->w[rn->n].text = rn->text[rn->n];
    rn->n++;
}

void smtp__words(const char *buf, size_t len, const smtp_reply *r, smtp__word_fn fn, void *ctx)
{
    struct run rn;
    rn.n = 0;
    rn.at = 0;
    struct stream s;
    memset(&s, 0, sizeof s);
    s.b = (const uint8_t *)buf;
    s.len = len;
    s.r = r;

    uint8_t w[WORD_MAX];
    struct smtp__word out;
    uint32_t clause = 0;
    uint8_t p2 = ' ', p1 = ' ';   /* the two folded bytes before the current one */
    uint8_t c;
    uint32_t off;
    /* the byte that follows a finished word is read before the word is judged;
     * the byte after that too, so the stream runs two bytes ahead */
    c = next_byte(&s, &off);
    while (c) {
        if (!is_word(c)) {
            uint32_t noff;
            uint8_t nx = next_byte(&s, &noff);
            run_byte(&rn, c, fn, ctx);
            if (clause_char(c) && !(glue_before_word(c) && nx && is_word(nx)))
                clause++;
            p2 = p1;
            p1 = c;
            c = nx;
            off = noff;
            continue;
        }
        /* a word: [start, end) in the input */
        uint8_t before = p1, before2 = p2;
        uint32_t start = off, end = off + 1;
        size_t n = 0, total = 0;
        int digit = 0;
        /* a CJK character is a word of its own: its lead and up to two
         * continuation bytes; any other word ends before one */
        int cjk = is_cjk_lead(c);
        while (c && is_word(c) &&
               (cjk ? total == 0 || (total < 3 && c >= 0x80 && c <= 0xbf) : !is_cjk_lead(c))) {
            digit |= smtp__digit(c);
            if (n < WORD_MAX)
                w[n++] = c;
            total++;
            end = off + 1;
            p2 = p1;
            p1 = c;
            c = next_byte(&s, &off);
        }
        /* a word that ends in a two-byte letter ends one byte later */
        if (end < len && (s.b[end] & 0xc0) == 0x80)
            end++;
        uint8_t after = c ? c : ' ';
        /* a CJK character ends a word at a word byte: the next word starts there */
        int at_word = c && is_word(c);
        /* the byte after `after` (when that is not a word byte) */
        uint32_t aoff = off;
        uint8_t after2 = c && !at_word ? next_byte(&s, &aoff) : ' ';
        int keep = !digit && total >= 2;
        if (keep && (glue_always(before) || glue_always(after)))
            keep = 0;
        if (keep && glue_before_word(before) && is_word(before2))
            keep = 0;
        if (keep && glue_before_word(after) && after2 && is_word(after2))
            keep = 0;
        if (keep && after == ':' && after2 == '/')
            keep = 0;
        if (keep) {
            out.off = start;
            out.end = end;
            out.clause = clause;
            out.text = w;
            /* a longer word is looked up by its first WORD_MAX bytes, unstemmed */
            int ascii = total <= WORD_MAX;
            for (size_t k = 0; k < n && ascii; k++)
                ascii = w[k] < 0x80;
            out.len = (uint32_t)(ascii ? stem(w, n) : n);
            out.hash = smtp__fnv1a(w, out.len, 0x811C9DC5u);
            run_word(&rn, &out, fn, ctx);
        }
        /* `after` was a non-word byte: process it as the loop would */
        if (c && !at_word) {
            run_byte(&rn, after, fn, ctx);
            if (clause_char(after) && !(glue_before_word(after) && after2 && is_word(after2)))
                clause++;
            p2 = p1;
            p1 = after;
            c = after2;
            off = aoff;
        }
    }
    run_flush(&rn, fn, ctx);
}

/* ---- the word model ------------------------------------------------------------ */

uint32_t smtp__prefix_hash(const struct smtp__word *w)
{
    if (!smtp__model_prefix)
        return 0;
    /* characters start at every byte outside 0x80-0xBF (tools/model.py prefix_key) */
    uint32_t chars = 0, end = w->len;
    for (uint32_t i = 0; i < w->len; i++) {
        if (w->text[i] >= 0x80 && w->text[i] <= 0xbf)
            continue;
        if (chars == smtp__model_prefix)
            end = i;
        chars++;
    }
    if (chars < smtp__model_prefix_min)
        return 0;
    static const uint8_t tag = 2; /* tools/model.py PREFIX_TAG: never a word byte */
    return smtp__fnv1a(w->text, end, smtp__fnv1a(&tag, 1, 0x811C9DC5u));
}

static const struct smtp__feat *lookup(uint32_t h)
{
    uint32_t i = smtp__model_slot(h);
    if (h == 0)
        return NULL;
    for (;;) {
        const struct smtp__feat *f = &smtp__model_feats[i];
        if (f->hash == h)
            return f;
        if (f->hash == 0)
            return NULL;
        i = smtp__model_next_slot(i);
    }
}

#define SEEN_SLOTS 128u /* features counted once per reply (past half of this, again) */

#define MAX_TOUCHED 64u  /* concepts with a term in the current clause */

struct scoring {
    struct smtp__model_out *out;
    const struct smtp_reply_rules *user; /* user concept terms, or NULL */
    uint32_t clause;                  /* the clause the concept state is about */
    uint32_t ntouched;
    /* the concepts with a term in the clause: which groups they have, where
     * their first term starts and where the term that completed them ends, and
     * whether a term of a negative group vetoed them (past MAX_TOUCHED, later
     * ones are lost) */
    struct { uint16_t concept; uint8_t mask, veto; uint32_t first, end; } touched[MAX_TOUCHED];
    uint32_t seen[SEEN_SLOTS]; /* hashes of the features counted so far (0: empty) */
    uint32_t nseen;
    smtp_reply_span skip;   /* words inside it are not counted */
    uint32_t prev;          /* hash of the previous kept word, 0 none */
    uint32_t prev_clause;
    uint32_t prev_off;      /* where the previous word starts */
    int16_t top[SMTP__MAX_CATEGORIES];   /* the largest weight each category got ... */
    smtp_reply_span top_span[SMTP__MAX_CATEGORIES]; /* ... and the words that gave it */
};

/* Has this feature been counted for the reply already?  Marks it if not. */
static int seen(struct scoring *sc, uint32_t h)
{
    if (sc->nseen >= SEEN_SLOTS / 2)
        return 0; /* a long reply: count repeats rather than grow */
    uint32_t i = h & (SEEN_SLOTS - 1);
    while (sc->seen[i]) {
        if (sc->seen[i] == h)
            return 1;
        i = (i + 1) & (SEEN_SLOTS - 1);
    }
    sc->seen[i] = h;
    sc->nseen++;
    return 0;
}

static void add(struct scoring *sc, const struct smtp__feat *f, uint32_t off, uint32_t end)
{
    if (seen(sc, f->hash))
        return;
    const int16_t *ws = &smtp__model_w[smtp__feat_w(f)];
    for (uint32_t k = 0, n = smtp__feat_nw(f); k < n; k++) {
        uint32_t cat = smtp__w_cat(ws[k]);
        int32_t w = smtp__w_value(ws[k]);
        sc->out->score[cat] += w;
        if (off < end)
            sc->out->wscore[cat] += w;
        if (w > sc->top[cat] && off < end) {
            sc->top[cat] = (int16_t)w;
            sc->top_span[cat].off = off;
            sc->top_span[cat].len = end - off;
        }
    }
}

/* The table's concept at index i, or the user object's above smtp__nconcepts. */
static const struct smtp__concept *concept_at(const struct scoring *sc, uint32_t i)
{
    if (i < smtp__nconcepts)
        return &smtp__concepts[i];
    if (sc->user && i - smtp__nconcepts < sc->user->nconcepts)
        return &sc->user->concepts[i - smtp__nconcepts];
    return NULL;
}

/* The groups a concept needs in a clause: all but its negative ones. */
static inline uint8_t concept_full(const struct smtp__concept *c)
{
    return (uint8_t)(((1u << c->ngroups) - 1u) & ~(unsigned)c->neg);
}

static void hit(struct scoring *sc, const struct smtp__concept *c, uint32_t first, uint32_t end)
{
    if (sc->out->nhits < SMTP__MAX_CONCEPT_HITS) {
        struct smtp__concept_hit *h = &sc->out->hits[sc->out->nhits++];
        h->rule = c->rule;
        h->span.off = first;
        h->span.len = end - first;
    }
}

/* The end of a clause: a concept with negative groups holds only now, when no
 * term of them can come any more. */
static void end_clause(struct scoring *sc)
{
    for (uint32_t i = 0; i < sc->ntouched; i++) {
        const struct smtp__concept *c = concept_at(sc, sc->touched[i].concept);
        if (c->neg && sc->touched[i].mask == concept_full(c) && !sc->touched[i].veto)
            hit(sc, c, sc->touched[i].first, sc->touched[i].end);
    }
    sc->ntouched = 0;
}

/* A new clause: no concept has a term in it yet. */
static void new_clause(struct scoring *sc, uint32_t clause)
{
    end_clause(sc);
    sc->clause = clause;
}

/* Concept terms terms[0..n), found at [off, end) of the input. */
static void concept_terms(struct scoring *sc, const struct smtp__term *terms, uint32_t n, uint32_t off,
                          uint32_t end)
{
    for (uint32_t k = 0; k < n; k++) {
        const struct smtp__term *t = &terms[k];
        const struct smtp__concept *c = concept_at(sc, t->concept);
        if (c == NULL)
            continue;
        uint8_t full = concept_full(c);
        uint32_t i = 0;
        while (i < sc->ntouched && sc->touched[i].concept != t->concept)
            i++;
        if (i == sc->ntouched) {
            if (i == MAX_TOUCHED)
                continue;
            sc->touched[i].concept = t->concept;
            sc->touched[i].mask = 0;
            sc->touched[i].veto = 0;
            sc->touched[i].first = off;
            sc->ntouched++;
        }
        if (c->neg >> t->group & 1u) {
            sc->touched[i].veto = 1;
            continue;
        }
        if (sc->touched[i].mask == full)
            continue; /* complete already in this clause */
        if (sc->touched[i].mask == 0 || off < sc->touched[i].first)
            sc->touched[i].first = off; /* a negative term may have come first */
        sc->touched[i].mask |= (uint8_t)(1u << t->group);
        sc->touched[i].end = end;
        if (sc->touched[i].mask == full && !c->neg)
            hit(sc, c, sc->touched[i].first, end);
    }
}

/* The concept terms of feature f (a word or a pair) found at [off, end). */
static inline void feat_terms(struct scoring *sc, const struct smtp__feat *f, uint32_t off, uint32_t end)
{
    uint32_t n = smtp__feat_nc(f);
    if (n)
        concept_terms(sc, &smtp__concept_terms[smtp__feat_c(f)], n, off, end);
}

static void score_word(void *ctx, const struct smtp__word *w)
{
    struct scoring *sc = ctx;
    const struct smtp__feat *f = lookup(w->hash);
    if (f && smtp__feat_stop(f))
        return;
    if (sc->skip.len && w->off >= sc->skip.off && w->end <= sc->skip.off + sc->skip.len) {
        sc->prev = 0; /* no pair across the skipped words */
        return;
    }
    sc->out->nwords++;
    if (w->clause != sc->clause)
        new_clause(sc, w->clause);
    if (f) {
        add(sc, f, w->off, w->end);
        feat_terms(sc, f, w->off, w->end);
    }
    uint32_t ph = smtp__prefix_hash(w);
    const struct smtp__feat *pf = ph ? lookup(ph) : NULL;
    if (pf && !smtp__feat_stop(pf))
        add(sc, pf, w->off, w->end);
    const struct smtp__uterm *ut = sc->user ? smtp__user_term(sc->user, w->hash) : NULL;
    if (ut)
        concept_terms(sc, &sc->user->terms[ut->start], ut->n, w->off, w->end);
    if (sc->prev && sc->prev_clause == w->clause) {
        uint32_t pair = smtp__mix(sc->prev, w->hash);
        const struct smtp__feat *p = lookup(pair);
        if (p && !smtp__feat_stop(p)) {
            add(sc, p, sc->prev_off, w->end);
            feat_terms(sc, p, sc->prev_off, w->end);
        }
        ut = sc->user ? smtp__user_term(sc->user, pair) : NULL;
        if (ut)
            concept_terms(sc, &sc->user->terms[ut->start], ut->n, sc->prev_off, w->end);
    }
    sc->prev = w->hash;
    sc->prev_clause = w->clause;
    sc->prev_off = w->off;
}

/* A code feature: the tag byte, a letter and digits (tools/model.py code_keys). */
static void score_code(struct scoring *sc, char kind, const unsigned *nums, int n)
{
    uint8_t key[24];
    size_t k = 0;
    key[k++] = 1;
    key[k++] = (uint8_t)kind;
    for (int i = 0; i < n; i++) {
        char digits[8];
        int nd = 0;
        unsigned v = nums[i];
        do {
            digits[nd++] = (char)('0' + v % 10);
            v /= 10;
        } while (v && nd < 7);
        if (i)
            key[k++] = '.';
        while (nd)
            key[k++] = (uint8_t)digits[--nd];
    }
    const struct smtp__feat *f = lookup(smtp__fnv1a(key, k, 0x811C9DC5u));
    if (f && !smtp__feat_stop(f))
        add(sc, f, 0, 0);
}

void smtp__model(const char *buf, size_t len, const smtp_reply *r, const smtp_reply_span *skip,
                 const struct smtp_reply_rules *user, struct smtp__model_out *out)
{
    struct scoring sc;
    uint32_t ncat = smtp__ncategories < SMTP__MAX_CATEGORIES ? smtp__ncategories : SMTP__MAX_CATEGORIES;
    /* only what is read before it is written is cleared */
    sc.out = out;
    sc.user = user;
    sc.clause = 0;
    sc.ntouched = 0;
    memset(sc.seen, 0, sizeof sc.seen);
    sc.nseen = 0;
    sc.skip.off = sc.skip.len = 0;
    sc.prev = sc.prev_clause = sc.prev_off = 0;
    memset(sc.top, 0, ncat * sizeof sc.top[0]);
    memset(sc.top_span, 0, ncat * sizeof sc.top_span[0]);
    out->nhits = 0;
    out->nwords = 0;
    if (skip)
        sc.skip = *skip;
    for (uint32_t k = 0; k < ncat; k++) {
        out->score[k] = skip ? 0 : smtp__model_bias[k];
        out->wscore[k] = 0;
    }
    smtp__words(buf, len, r, score_word, &sc);
    end_clause(&sc);
    if (skip) {
        /* only the words outside the span: no bias, no codes */
    } else if (r->code) {
        unsigned v[1] = {(unsigned)r->code};
        score_code(&sc, 'c', v, 1);
        v[0] = (unsigned)r->code / 100;
        score_code(&sc, 'c', v, 1);
    }
    if (r->enhanced[0] && !skip) {
        unsigned v[2] = {r->enhanced[1], r->enhanced[2]};
        score_code(&sc, 'e', v, 2);
        score_code(&sc, 'e', v, 1);
    }
    uint32_t best = 0, second = 1;
    if (out->score[second] > out->score[best])
        best = 1, second = 0;
    for (uint32_t k = 2; k < ncat; k++) {
        if (out->score[k] > out->score[best]) {
            second = best;
            best = k;
        } else if (out->score[k] > out->score[second]) {
            second = k;
        }
    }
    out->category = (int)best;
    out->margin = out->score[best] - out->score[second];
    out->word = sc.top_span[best];
}
