/*
 * bounce-table.h - layout of the bounce reader's compiled-in tables (internal).
 *
 * tools/gen-bounce.py writes smtpreply-bounce-table.c from
 * data/bounce-formats.tsv and data/bounce-context.tsv; this header is the
 * contract between that file and lib/bounce.c.
 */
#ifndef SMTPREPLY_BOUNCE_TABLE_H
#define SMTPREPLY_BOUNCE_TABLE_H

#include <stdint.h>

#include "smtpreply-bounce-table.h" /* generated: SMTP__BF_NDENSE, SMTP__BF_ROW */

/* ---- markers (bounce-formats.tsv) ---- */

enum {                       /* kind column */
    SMTP__BK_BEGIN = 1,      /* opens a block of recipients (value: their action) */
    SMTP__BK_END = 2,        /* the block ends: a copy of the message follows */
    SMTP__BK_LABEL = 3,      /* an address follows on the same line */
    SMTP__BK_STAGE = 4,      /* names the SMTP stage (value: enum smtp_reply_stage) */
    SMTP__BK_DETECT = 5,     /* says which MTA wrote the mail */
    SMTP__BK_GAVE_UP = 6,    /* the MTA gave up after retrying */
    SMTP__BK_AUTOREPLY = 7,  /* an auto-reply's subject prefix or header */
    SMTP__BK_NOT_AUTOREPLY = 8, /* a sender or subject that is never an auto-reply */
    SMTP__BK_FEEDBACK = 9,   /* a complaint written without message/feedback-report */
    SMTP__BK_HOST = 10,      /* the remote host's name follows */
    SMTP__BK_SKIP = 11,      /* a line inside a block that names an address but is no recipient */
    SMTP__BK_REPLY = 12,     /* the remote server's reply follows */
    SMTP__BK_BOUNCE = 13     /* a sender or subject that says the mail is a bounce */
};
enum {                       /* where column */
    SMTP__BW_BODY = 1, SMTP__BW_FROM = 2, SMTP__BW_SUBJECT = 3, SMTP__BW_MESSAGE_ID = 4,
    SMTP__BW_RECEIVED = 5, SMTP__BW_X_MAILER = 6, SMTP__BW_STATUS = 7, SMTP__BW_DIAG = 8,
    SMTP__BW_TO = 9, SMTP__BW_HEADER = 10
};

struct smtp__bf_row {
    uint16_t len;            /* folded length */
    uint8_t kind, where, mta, value, anchored;  /* anchored: at the start of a line or value
                                                   (the automaton only matches it there) */
};
struct smtp__bf_state {
    uint32_t fail;
    uint32_t edge;           /* first edge in smtp__bf_edges */
    uint32_t nedge;
    uint32_t out;            /* first output in smtp__bf_out (own and through fail links) */
    uint32_t nout;
};
struct smtp__bf_edge {
    uint32_t to;             /* the next state, encoded like a dense row's entry (below) */
    uint32_t cls;
};
/* Folded byte (ASCII lower case, white space as ' ') -> class; 0 = in no marker. */
extern const uint8_t smtp__bf_cls[256];
/* Raw byte -> class of its folded byte (smtp__bf_cls[fold(b)]); the class of ' '. */
extern const uint8_t smtp__bf_fcls[256];
extern const uint8_t smtp__bf_space_cls;
extern const uint32_t smtp__bf_nclasses;
extern const uint32_t smtp__bf_nstates;
/* States are numbered breadth-first; the first ndense (the shallow ones) have
 * full rows: v = dense[s * SMTP__BF_ROW + cls] is (next << 1) | 1 when next
 * is slow (has outputs or is not dense), else next * SMTP__BF_ROW, the offset
 * of next's row (even, so bit 0 tells the two apart and the matcher's fast
 * loop adds the next class to v as it is).  Deeper states follow their
 * goto edges, then fail links down to a dense one.  A text starts in state
 * SMTP__BF_START (after a virtual start-of-text class that begins every
 * anchored row); a state entered by a space, and the start, stays where it
 * is on another space (a run of white space is one space). */
extern const uint32_t smtp__bf_ndense;
extern const uint32_t smtp__bf_row;      /* SMTP__BF_ROW: classes rounded up to even */
extern const uint16_t smtp__bf_dense[];
/* 1 for the states of the anchored rows' prefixes: a scan for anchored rows
 * only ends when it leaves them */
extern const uint8_t smtp__bf_anchored[];
/* 1 for the folded bytes that start a header (status) row */
extern const uint8_t smtp__bf_first_header[256];
/* Bit k: a header row is "name:..." with a name of k bytes (all bits when one
 * is not): a field whose name has no such length cannot match a header row. */
extern const uint64_t smtp__bf_header_name_lens;
/* Bit k: a status row is "name:..." with its ':' at offset k (all bits when
 * one is not): a line with no ':' at any such offset cannot match one. */
extern const uint64_t smtp__bf_status_colons;
extern const uint8_t smtp__bf_first_status[256];
/* rows per where (indexed by SMTP__BW_*): a text no row looks at is not scanned */
extern const uint16_t smtp__bf_where_rows[16];
/* A prefilter for a where with few rows (received, x-mailer): each row holds
 * one of its nbigram byte pairs (a | b << 8, both ORed with 0x20), so a text
 * with none of them (compared ORed with 0x20) holds no row.  0xff: none. */
#define SMTP__BF_MAX_BIGRAMS 4
extern const uint8_t smtp__bf_where_nbigram[16];
extern const uint16_t smtp__bf_where_bigram[16 * SMTP__BF_MAX_BIGRAMS];
extern const struct smtp__bf_state smtp__bf_states[];
extern const struct smtp__bf_edge smtp__bf_edges[];
extern const uint16_t smtp__bf_out[];           /* row indexes */
/* Per state: (first edge's step value << 9) | (has outputs << 8) | first
 * edge's class (0xff: no edge).  Most sparse states have one edge, so a step
 * along a marker that matches is one load and a compare.  A sparse state's
 * edges lead to sparse states: the step value is (next << 1) | 1. */
extern const uint32_t smtp__bf_one[];
extern const struct smtp__bf_row smtp__bf_rows[];
extern const uint32_t smtp__bf_nrows;
/* The MTAs that have rows, each once, in the order of their first row (a tie
 * of votes goes to the earlier one). */
extern const uint8_t smtp__bf_mta_order[];
extern const uint32_t smtp__bf_nmtas;

/* ---- context rules (bounce-context.tsv) ---- */

enum { SMTP__BP_NONE = 1, SMTP__BP_ANY = 2, SMTP__BP_X00 = 3, SMTP__BP_SPECIFIC = 4 };
enum {                       /* need bits */
    SMTP__BN_PHRASE_GAVE_UP = 1, SMTP__BN_FLAG_GAVE_UP = 2, SMTP__BN_STAGE_NONE = 4,
    SMTP__BN_CONTEXT_STAGE = 8, SMTP__BN_NOT_PARSED = 16, SMTP__BN_PARSED = 32,
    SMTP__BN_NO_DIAGNOSTIC = 64
};
enum { SMTP__BS_ENHANCED = 1, SMTP__BS_STAGE = 2, SMTP__BS_GAVE_UP = 4, SMTP__BS_DROP = 8 };   /* set bits */

struct smtp__bc_rule {
    uint8_t phase;           /* 0 before classification, 1 after */
    uint8_t status;          /* SMTP__BP_* test of the Status field, 0 none */
    uint8_t reply;           /* SMTP__BP_* test of the reply's enhanced code, 0 none */
    uint8_t status_class;    /* bit per class the Status must have, 0 any */
    uint8_t reply_class;     /* bit per class the reply must have, 0 any */
    uint8_t need;            /* SMTP__BN_* */
    uint8_t set;             /* SMTP__BS_* */
    uint8_t category, perm, rcpt, msg;   /* 0xff: unchanged */
    uint32_t actions;        /* bit per enum smtp_reply_bounce_action, 0 any */
    uint32_t categories;     /* bit per category, 0 any */
};
extern const struct smtp__bc_rule smtp__bc_rules[];
extern const uint32_t smtp__bc_nrules;
extern const char smtp__bounce_table_hash[];

#endif
