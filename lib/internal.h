/* internal.h - shared between the library's source files (not installed). */
#ifndef SMTPREPLY_INTERNAL_H
#define SMTPREPLY_INTERNAL_H

#include "smtpreply.h"
#include "table.h"
#include "lex.h" /* byte classes, smtp__read_enhanced */

#define SMTP__ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* A branch that is rarely taken (a hint for the hot loops; no effect elsewhere). */
#if defined(__GNUC__) || defined(__clang__)
#define SMTP__RARELY(x) __builtin_expect(!!(x), 0)
#else
#define SMTP__RARELY(x) (x)
#endif

/* Where unwrapping found the reply inside a larger text, and what the text
 * around it says. */
struct smtp__unwrapped {
    size_t start;        /* offset of the reply (or diagnostic text) */
    size_t end;          /* end of the region to parse (exclusive) */
    uint32_t wrapper;    /* enum smtp_reply_wrapper */
    uint32_t stage;      /* enum smtp_reply_stage */
    uint32_t esc;        /* the region writes line breaks as \n or \r\n escapes */
    int32_t code;        /* a basic code the wrapper gives (0 none): for a region without one */
    smtp_reply_span code_span;     /* its digits (len 0: implied by the wrapper text) */
    uint16_t enhanced[3];          /* an enhanced code the wrapper gives (class 0 none) */
    smtp_reply_span enhanced_span;
    smtp_reply_span recipient;     /* the recipient address it names (len 0 none) */
    uint64_t examined;   /* bytes examined: at most SMTP__UNWRAP_PER_BYTE per input byte,
                            plus the bounded address reads */
};
/* Automaton passes of smtp__unwrap: one over the text, one per wrapper level
 * (at most 4 deep) and one after the reply. */
#define SMTP__UNWRAP_PASSES 6
/* The work bound per input byte: the passes, and at each of the 4 levels at most
 * two scans of its region (to its end: line, field; to its start: code, word).
 * tests/hardening/test-work.c holds smtp__unwrap to it (the worst shape found
 * there examines 13 bytes per byte). */
#define SMTP__UNWRAP_PER_BYTE (SMTP__UNWRAP_PASSES + 2 * 4)

/* Find the reply inside a log line, DSN field, NDR text or a client library's
 * error text (unwrap.c), knowing the forms only by data/wrappers.tsv.  Fills *u;
 * u->start == 0, u->end == len and wrapper NONE for a raw reply.  Linear: each
 * byte is examined a bounded number of times (u->examined counts them). */
void smtp__unwrap(const char *buf, size_t len, struct smtp__unwrapped *u);


/* A kept word of a reply's text (words.c). */
struct smtp__word {
    uint32_t off, end;     /* its bytes in the input */
    uint32_t clause;       /* index of its clause: words in one clause share it */
    uint32_t hash;         /* FNV-1a of its folded, stemmed bytes */
    uint32_t len;          /* length of text */
    const uint8_t *text;   /* its folded, stemmed bytes (valid during the call) */
};
typedef void (*smtp__word_fn)(void *ctx, const struct smtp__word *w);
/* The hash of a word's prefix feature (data/model.tsv prefix, prefix_min;
 * tools/model.py prefix_key), or 0 when it has none. */
uint32_t smtp__prefix_hash(const struct smtp__word *w);

/* Call fn for each kept word of the reply's text (its line spans, joined by a
 * space), in order.  One pass, no allocation. */
void smtp__words(const char *buf, size_t len, const smtp_reply *r, smtp__word_fn fn, void *ctx);
uint32_t smtp__fnv1a(const uint8_t *p, size_t n, uint32_t h);
/* The hash of a word pair, from the two words' hashes. */
uint32_t smtp__mix(uint32_t a, uint32_t b);

/* What the word model says about a reply (words.c). */
#define SMTP__MAX_CATEGORIES 64
#define SMTP__MAX_CONCEPTS 1024      /* gen-tables.py allows no more */
#define SMTP__MAX_CONCEPT_HITS 16
/* A concept rule whose groups were all found in one clause. */
struct smtp__concept_hit {
    uint32_t rule;
    smtp_reply_span span;    /* from its first term to its last */
};
struct smtp__model_out {
    uint32_t nhits;
    struct smtp__concept_hit hits[SMTP__MAX_CONCEPT_HITS];
    int32_t score[SMTP__MAX_CATEGORIES]; /* per category, in the table's scaled units */
    int32_t wscore[SMTP__MAX_CATEGORIES]; /* the part of score that words and pairs gave */
    int category;            /* the best category */
    int32_t margin;          /* its lead over the runner-up */
    uint32_t nwords;         /* kept words that are not stop words */
    smtp_reply_span word;    /* the word or pair that weighed most for the best category */
};
/* With skip NULL, the model's view of the whole reply: its words, its codes and
 * the categories' biases.  With a skip span, only the words outside it (no
 * bias, no codes): what the rest of the reply says beside a rule's match. */
void smtp__model(const char *buf, size_t len, const smtp_reply *r, const smtp_reply_span *skip,
                 const struct smtp_reply_rules *user, struct smtp__model_out *out);
/* The enhanced code's registry entry when it can explain a failure (the code,
 * else its subject's X.n.0 entry; NULL for a success, an unknown entry or no
 * 4.x.x/5.x.x code): what a code-decided classification reports, and whether
 * the code is vague (lib/classify.c). */
const struct smtp__enh *smtp__failure_entry(const smtp_reply *reply);

/* ---- user rules (rules.c): compiled at load time, read by classify.c ---- */

struct idset;

/* Where a table's pattern parts and their automaton outputs live: the built-in
 * table's, or a user rules object's (classify.c's emit() reads either).
 * out_start is indexed by output number: the built-in automaton's
 * smtp__ac_out_id of a state, the user automaton's state itself. */
struct smtp__patset {
    const struct smtp__pat *pats;
    const struct smtp__use *uses;
    const uint32_t *out_start;
    const uint16_t *out_pat;
};

/* A user concept term slot: open addressing on the term's hash. */
struct smtp__uterm {
    uint32_t hash;     /* 0: empty */
    uint32_t start;    /* first of its terms in terms[] */
    uint32_t n;
};

struct smtp_reply_rules {
    /* ids: the object's rule rows', its advice rows' (rules.c; one allocation at
     * row_ids); a built-in rule's id is found in the table (smtp__rules_by_id) */
    struct idset *row_ids, *adv_ids;
    /* gathered by smtp_reply_rules_add_*: the rows, not yet compiled */
    struct smtp__urow *rows;
    uint32_t nrows, cap_rows;
    struct smtp__uadv *advrows;
    uint32_t nadvrows, cap_advrows;
    int compiled;
    int active;                       /* compiled with a rule or a disable row */
    /* compiled: rule i of the object has the global index smtp__nrules + i */
    uint32_t nrules;
    struct smtp__rule *rules;         /* string fields are offsets into pool */
    struct smtp__cons *conss;
    char *pool;
    size_t pool_len, pool_cap;
    /* the automaton over folded bytes: goto edges sorted by byte, fail links */
    uint32_t nstates;
    uint32_t *edge_start;             /* nstates + 1 */
    uint8_t *edge_byte;
    uint32_t *edge_to;
    uint32_t *fail;
    uint32_t *out_start;              /* nstates + 1 */
    uint16_t *out_pat;
    struct smtp__pat *pats;
    uint32_t npats;
    struct smtp__use *uses;
    struct smtp__patset patset;
    /* concept rules: their concept index is smtp__nconcepts + i */
    struct smtp__concept *concepts;
    uint32_t nconcepts;
    struct smtp__uterm *term_slots;   /* a power of two of them */
    uint32_t nterm_slots;
    struct smtp__term *terms;
    uint32_t top_priority;            /* of a user concept */
    /* built-in rules this object disables: one bit per rule */
    uint8_t *disabled;
    /* advice records; record i has the index smtp__nadvice + i */
    struct smtp__advice *advice;
    uint32_t nadvice;
};

/* The user concept terms of a word or pair hash, or NULL. */
const struct smtp__uterm *smtp__user_term(const struct smtp_reply_rules *u, uint32_t hash);

/* Fold a pattern as the matcher folds text (ASCII and two-byte letters to lower
 * case, accents off, white space runs to one space), into out (at least n bytes).
 * Returns the folded length. */
size_t smtp__fold_pattern(const uint8_t *in, size_t n, uint8_t *out);

#endif
