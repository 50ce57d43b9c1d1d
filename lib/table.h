/*
 * table.h - layout of the compiled-in table (internal, not installed).
 *
 * tools/gen-tables.py writes smtpreply-table.c from data/; this header is the
 * contract between that generated file and the C code that reads it.
 */
#ifndef SMTPREPLY_TABLE_H
#define SMTPREPLY_TABLE_H

#include <stdint.h>

#include "smtpreply-table.h" /* generated: smtp__state_t, smtp__edge_index_t */

/* Byte fold used by the matcher: ASCII upper -> lower, white space -> ' '.
 * Anything else maps to itself. */
extern const uint8_t smtp__fold[256];
/* Two-byte UTF-8 letters, indexed (lead - SMTP__FOLD2_LEAD0) * 64 + (continuation & 0x3f):
 * 0 = kept as they are, < 0x100 = the ASCII letter they fold to (É, é, İ -> e, e, i),
 * else (lead << 8 | continuation) of the letter they fold to (П -> п, Ł -> ł). */
extern const uint16_t smtp__fold2[];
/* A byte 0xC0-0xFF not followed by a UTF-8 continuation byte, read as ISO-8859-1,
 * indexed (byte - 0xC0): the ASCII letter it folds to (0xE9 'é' -> 'e'), or 0 to keep it. */
extern const uint8_t smtp__fold1[64];
/* Byte -> matcher alphabet class (after folding); 0 = a byte no pattern uses. */
extern const uint8_t smtp__cls[256];
/* 1 for the classes of ASCII letters and digits (each has a class of its own). */
extern const uint8_t smtp__cls_word[];
/* 1 for ASCII letters and digits (word characters for \b). */
extern const uint8_t smtp__word[256];

/* ---- Aho-Corasick automaton over the pattern parts ---- */
extern const uint32_t smtp__ac_nstates;
/* Transitions are plain state numbers; out_id[s] is 0 when state s recognises
 * no pattern, else its output number (see out_start below).
 * DFA rows for the states whose id < smtp__ac_ndense (the shallow ones), with a
 * column for each class below smtp__ac_ndclasses (the classes of ASCII bytes):
 * next = dense[s * ndclasses + cls].  The other classes (bytes >= 0x80) follow
 * the goto edges and fail links of smtp__ac_nodes from any state. */
extern const uint32_t smtp__ac_ndense;
extern const uint32_t smtp__ac_ndclasses;
extern const smtp__state_t smtp__ac_dense[];
/* The root's next state on each class without a dense column:
 * root_wide[cls - ndclasses] (classes below smtp__ac_nstates' ncls). */
extern const smtp__state_t smtp__ac_root_wide[];
extern const smtp__state_t smtp__ac_out_id[];
/* A node per state.  The deep states are numbered in depth-first order so that
 * a state's first child is the next state: cls0 is the class of that first
 * goto edge, or 0xFF (0x7F in the wrapper automaton, whose bit 7 marks outputs)
 * for a deep state without children, a class no byte has (class 0, the bytes
 * no pattern uses, is fed like any other); a shallow state has cls0 0, never
 * compared on an ASCII class (its row covers them) and below every wide class.  The further edges of the states of a block of
 * 2^SMTP__AC_EDGE_SHIFT states lie together from edges[edge_base[s >> SHIFT]]:
 * a state's start (more - 1) past that, up to the edge marked last; more 0 is
 * none.  Only the edges a step takes from the node are there: a shallow
 * state's on the classes without a dense column.  On no edge, follow fail (a
 * plain state id, always shallower). */
struct smtp__node {
    smtp__state_t fail;
    uint8_t  cls0;     /* class of the first edge (a deep state's, to s + 1) */
    uint8_t  more;     /* 0 none, else 1 + the first further edge's offset in its block */
};
struct smtp__edge {
    smtp__state_t to;
    uint8_t  cls;
    uint8_t  last;     /* 1 on a state's last further edge */
};
extern const struct smtp__node smtp__ac_nodes[];
extern const smtp__edge_index_t smtp__ac_edge_base[];
extern const struct smtp__edge smtp__ac_edges[];
/* Parser byte flags: 1 byte >= 0x80, 2 NUL, 4 other control byte, 8 line feed. */
extern const uint8_t smtp__byte_flags[256];
/* Patterns recognised in the states of output number k (own and inherited
 * through fail links): out_start[k] .. out_start[k+1] index into out_pat[]
 * (number 0, no outputs, has none). */
extern const uint32_t smtp__ac_out_start[];
extern const uint16_t smtp__ac_out_pat[];

/* A pattern part: a literal string the automaton finds. */
struct smtp__pat {
    uint16_t len;         /* folded length in bytes */
    uint8_t  bound;       /* bit 0: \b before, bit 1: \b after */
    uint8_t  nuse;        /* uses[] entries */
    uint32_t use_start;   /* index into smtp__uses */
};
/* One use of a pattern part by a rule. */
struct smtp__use {
    uint16_t rule;
    uint8_t  part;        /* 0-based part index within the rule */
    uint8_t  pad;
};
extern const uint32_t smtp__npats;
extern const struct smtp__pat smtp__pats[];
extern const struct smtp__use smtp__uses[];

/* A code constraint alternative. */
enum { SMTP__CONS_BASIC = 1, SMTP__CONS_ENH = 2, SMTP__CONS_STAGE = 3 };
#define SMTP__ANY 0xffffu
struct smtp__cons {
    uint8_t  kind;        /* SMTP__CONS_* */
    uint8_t  pad;
    uint16_t a, b, c;     /* basic: a..b range; enh: class a (0 any), subject b, detail c (ANY);
                             stage: a = stage value, b = 1 when the stage must be known */
};
extern const struct smtp__cons smtp__conss[];

/* Option bits of a rule. */
/* DELAY: a retry delay follows the phrase; CONCEPT: a `~` pattern; SIDE: the
 * phrase names whose address or host failed (data/README.md, "Side rows");
 * AMBIGUOUS: the phrase does not say whose address failed ("address rejected"),
 * so it suppresses only when the reply names the recipient otherwise. */
enum { SMTP__OPT_DELAY = 1, SMTP__OPT_CONCEPT = 2, SMTP__OPT_SIDE = 4, SMTP__OPT_AMBIGUOUS = 8,
       SMTP__OPT_CAUSE = 16 };
#define SMTP__NONE8 0xffu
/* Rules below this priority lose to an informative enhanced code. */
#define SMTP__WEAK_PRIORITY 30

/* All strings are offsets into smtp__strings (SMTP__NOSTR for none). */
extern const char smtp__strings[];
extern const uint32_t smtp__strings_size;
#define SMTP__NOSTR 0xffffffffu
static inline const char *smtp__str(uint32_t off)
{
    return off == SMTP__NOSTR ? (const char *)0 : smtp__strings + off;
}

struct smtp__rule {
    uint32_t id;
    uint32_t provider;      /* SMTP__NOSTR when none */
    uint32_t blocklist;     /* SMTP__NOSTR when none */
    uint8_t  category;      /* SMTP__NONE8 for annotation-only rows */
    uint8_t  priority;
    uint8_t  nparts;
    uint8_t  options;       /* SMTP__OPT_* */
    uint8_t  perm;          /* SMTP__NONE8 or enum smtp_reply_permanence */
    uint8_t  rcpt;          /* SMTP__NONE8 or recipient action */
    uint8_t  msg;           /* SMTP__NONE8 or message action */
    uint8_t  fault;         /* SMTP__NONE8 or fault */
    uint8_t  ncons;
    uint8_t  cons_kinds;    /* bit (1 << kind) for each kind present */
    uint16_t advice;        /* index into smtp__advice */
    uint32_t cons_start;
    uint32_t retry;         /* default retry_after seconds, 0 none */
};
extern const uint32_t smtp__nrules;
extern const struct smtp__rule smtp__rules[];
/* Rule indexes in the byte order of the rules' ids (strcmp order). */
extern const uint16_t smtp__rules_by_id[];

struct smtp__category {
    uint32_t name;
    uint8_t fault;
    uint8_t default_perm;
    uint8_t perm_rcpt, perm_msg, temp_rcpt, temp_msg;
    uint16_t advice;
};
extern const uint32_t smtp__ncategories;
extern const struct smtp__category smtp__categories[];

struct smtp__enh {
    uint16_t subject, detail;
    uint8_t  category;
    uint8_t  vague;        /* sent for refusals of every kind (data/enhanced-codes.tsv) */
    uint32_t title;
    uint32_t id;           /* rule id reported, e.g. "enhanced-X.1.1" */
};
extern const uint32_t smtp__nenh;
extern const struct smtp__enh smtp__enh[];   /* sorted by (subject, detail) */

struct smtp__basic {
    uint16_t code;
    uint8_t  category;
    uint32_t text;
    uint32_t id;           /* "basic-550" */
};
extern const uint32_t smtp__nbasic;
extern const struct smtp__basic smtp__basic[]; /* sorted by code */

struct smtp__advice {
    uint32_t id;
    uint32_t summary;
    uint32_t reference;
    uint32_t steps[8];
    uint8_t nsteps;
    uint8_t actors;
    uint8_t remove;
};
extern const uint32_t smtp__nadvice;
extern const struct smtp__advice smtp__advice[];

/* Time units for delay rows: a word and its seconds. */
struct smtp__unit { uint32_t word; uint32_t seconds; };
extern const uint32_t smtp__nunits;
extern const struct smtp__unit smtp__units[];

/* The texts of data/wrappers.tsv (markers, stage, recipient, code and enhanced
 * field texts) and the texts the markers' starts and ends look for (kind AUX),
 * found by their own small automaton, laid out as the phrase automaton: the
 * states whose id < smtp__wr_ndense (the shallow ones) have dense rows,
 * v = wr_dense[s * wr_nclasses + wr_cls[byte]] is (next << 1) | 1 when next
 * has outputs or is a deep state, else next << 1; a deep state steps by its
 * node in smtp__wr_nodes (struct smtp__node above, the first child the next
 * state, further edges from smtp__wr_edge_base[s >> SMTP__WR_EDGE_SHIFT], then
 * the fail link; bit 7 of a node's cls0 is set when the state has outputs,
 * SMTP__WR_OUT_BIT).  Every class has a dense column (the texts are ASCII).  The
 * format is in the header of data/wrappers.tsv; tools/gen-tables.py
 * (load_wrappers, emit_wrappers) writes these rows. */
enum { SMTP__WK_MARKER = 0, SMTP__WK_STAGE = 1, SMTP__WK_RCPT = 2, SMTP__WK_CODE = 3,
       SMTP__WK_ENH = 4, SMTP__WK_AUX = 5 };
/* where a marker's region starts: right after it, at it, at the first code,
 * after the next word, after the first start_arg text */
enum { SMTP__WS_AT = 0, SMTP__WS_MARKER = 1, SMTP__WS_CODE = 2, SMTP__WS_WORD = 3,
       SMTP__WS_AFTER = 4 };
/* where it ends: at the enclosing region's end, the line's end, the folded
 * field's end, before the first / last of the end_arg texts */
enum { SMTP__WE_NONE = 0, SMTP__WE_LINE = 1, SMTP__WE_FIELD = 2, SMTP__WE_FIRST = 3,
       SMTP__WE_LAST = 4 };
#define SMTP__WF_ESC 1u          /* line breaks written as \n / \r\n escapes */
#define SMTP__WF_CODE_BEFORE 2u  /* the basic code is the 3 digits before the text */
struct smtp__wrap {
    uint16_t len;
    uint8_t  kind;      /* SMTP__WK_* */
    uint8_t  wrapper;   /* enum smtp_reply_wrapper (markers) */
    uint8_t  rank;      /* 1 wins anywhere, 2 earliest wins, 3 last resort (markers) */
    uint8_t  stage;     /* enum smtp_reply_stage (stage rows; a marker's own) */
    uint8_t  start;     /* SMTP__WS_* (markers) */
    uint8_t  end;       /* SMTP__WE_* (markers) */
    uint8_t  flags;     /* SMTP__WF_* (markers) */
    uint8_t  nend;      /* end texts in end_arg */
    uint16_t code;      /* the basic code its log line omits, 0 none (markers) */
    uint16_t start_arg; /* the AUX row of the after: text */
    uint16_t end_arg[3];/* the AUX rows of the first: / last: texts */
};
extern const uint8_t smtp__wr_cls[256];
extern const uint32_t smtp__wr_nstates;
extern const uint32_t smtp__wr_nclasses;
#define SMTP__WR_OUT_BIT 0x80u
extern const uint32_t smtp__wr_ndense;
extern const uint16_t smtp__wr_dense[];
extern const struct smtp__node smtp__wr_nodes[];
extern const smtp__edge_index_t smtp__wr_edge_base[];
extern const struct smtp__edge smtp__wr_edges[];
extern const uint16_t smtp__wr_out_start[];
extern const uint16_t smtp__wr_out[];
extern const uint32_t smtp__nwraps;
extern const struct smtp__wrap smtp__wraps[];
#define SMTP__MAX_WRAPS 256

/* ---- the word model (tools/model.py, data/model.tsv) ---- */
/* Feature slots, open addressing with linear probing on (hash & (nslots - 1));
 * hash 0 is an empty slot.  There are nslots + 1 of them: the last one only
 * ends the offsets.  A slot holds running offsets, the number of weights and of
 * concept terms of the slots before it: its own weights are
 * smtp__model_w[w .. next slot's w), its concept terms
 * smtp__concept_terms[c & ~SMTP__FEAT_STOP .. next slot's c & ~SMTP__FEAT_STOP).
 * SMTP__FEAT_STOP in c marks a stop word (skipped; never part of a pair). */
#define SMTP__FEAT_STOP 0x8000u
struct smtp__feat {
    uint32_t hash;
    uint16_t w;
    uint16_t c;
};
static inline int smtp__feat_stop(const struct smtp__feat *f) { return (f->c & SMTP__FEAT_STOP) != 0; }
static inline uint32_t smtp__feat_w(const struct smtp__feat *f) { return f->w; }
static inline uint32_t smtp__feat_nw(const struct smtp__feat *f) { return (uint32_t)f[1].w - f->w; }
static inline uint32_t smtp__feat_c(const struct smtp__feat *f) { return f->c & ~SMTP__FEAT_STOP; }
static inline uint32_t smtp__feat_nc(const struct smtp__feat *f)
{
    return (uint32_t)(f[1].c & ~SMTP__FEAT_STOP) - (f->c & ~SMTP__FEAT_STOP);
}
/* A concept rule (a row of data/rules whose pattern starts with "~"): the rule it
 * is, how many groups of terms it has, and which of them are negative. It holds
 * in a clause that has a term of every other group and none of a negative one. */
struct smtp__concept {
    uint16_t rule;
    uint8_t  ngroups;
    uint8_t  neg;        /* the negative groups ("!a|b"): a term of one vetoes the clause */
};
/* A term of a concept: which concept, which group it belongs to. */
struct smtp__term {
    uint16_t concept;
    uint8_t  group;
};
extern const struct smtp__concept smtp__concepts[];
extern const uint32_t smtp__nconcepts;
extern const struct smtp__term smtp__concept_terms[];
/* The highest priority of a concept rule: a phrase rule at or above it cannot be beaten. */
extern const uint32_t smtp__concept_top_priority;
/* The weights of the features: weight * 2^SMTP__MODEL_CAT_BITS + category, the
 * category in the low bits (a constant of the generated header; gen-tables.py
 * checks that every weight fits).  The weight is the value shifted right, an
 * arithmetic shift: GCC, Clang and MSVC shift a negative int so. */
extern const uint32_t smtp__model_nslots;
extern const struct smtp__feat smtp__model_feats[];
extern const int16_t smtp__model_w[];
/* Open addressing over any number of slots (not a power of two, so that the
 * table grows with the features instead of doubling): a hash's home slot is
 * its hash scaled to the slot count (a multiply and a shift), the next slot
 * after the last is the first (tools/gen-tables.py model_slot). */
static inline uint32_t smtp__model_slot(uint32_t h)
{
    return (uint32_t)(((uint64_t)h * smtp__model_nslots) >> 32);
}
static inline uint32_t smtp__model_next_slot(uint32_t i)
{
    return i + 1 == smtp__model_nslots ? 0 : i + 1;
}
static inline uint32_t smtp__w_cat(int16_t v) { return (uint32_t)v & ((1u << SMTP__MODEL_CAT_BITS) - 1u); }
static inline int32_t smtp__w_value(int16_t v) { return (int32_t)v >> SMTP__MODEL_CAT_BITS; }
extern const int16_t smtp__model_bias[];   /* per category */
extern const int32_t smtp__model_margin;   /* the lead the best category needs to decide */
extern const int32_t smtp__model_min_words; /* what its words (not its codes) must give it */
/* A rule below this priority gives way to the model when the model picks another
 * category by at least smtp__model_yield_margin. */
extern const uint32_t smtp__model_yield_below;
/* A rule below this priority gives way to one that matched after a cause row
 * ("because", "due to"), when that one is not a weak word (data/model.tsv). */
extern const uint32_t smtp__cause_below;
extern const int32_t smtp__model_yield_margin;
/* The word-prefix feature: the first smtp__model_prefix bytes of an ASCII word
 * key at least smtp__model_prefix_min bytes long (0: none; tools/model.py). */
extern const uint32_t smtp__model_prefix;
/* The model's thresholds (instead of margin and min_words) when the reply's
 * enhanced code is a vague one. */
extern const int32_t smtp__model_vague_margin;
extern const int32_t smtp__model_vague_min_words;
extern const uint32_t smtp__model_vague_basic; /* and without an enhanced code */
extern const uint32_t smtp__model_prefix_min;

extern const char smtp__table_version[];
extern const char smtp__table_hash[];

#endif
