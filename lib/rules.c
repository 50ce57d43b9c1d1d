/*
 * rules.c - user rules: read rule files at run time, check every row, and
 * compile them into a matcher of the same kind as the built-in one (an
 * Aho-Corasick automaton over folded bytes, and a hash table of concept terms).
 *
 * This is the one part of the library that allocates, and only while a rules
 * object is built (smtp_reply_rules_add_*, _compile); classify.c reads the
 * compiled object without allocating.  A file is added whole or not at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_PART 200u      /* bytes of one folded pattern part, as gen-tables.py */
#define MAX_PARTS 8u
#define MAX_FIELD 1024u    /* bytes of one cell */
#define MAX_FILE (64u * 1024u * 1024u)

/* One rule row, as read. */
struct smtp__urow {
    char *id;
    char *origin;          /* "file:line" */
    int disable;           /* a disable row: id names a built-in rule */
    uint8_t category, priority, options, perm, rcpt, msg, fault;
    uint32_t retry;
    uint8_t ncons;
    struct smtp__cons cons[16];
    uint8_t nparts;        /* phrase parts; 0 for a concept */
    uint8_t *part[MAX_PARTS];
    uint16_t part_len[MAX_PARTS];
    uint8_t bound[MAX_PARTS];
    uint8_t ngroups;       /* concept groups; 0 for a phrase */
    uint8_t neg;           /* the negative groups ("!a|b") */
    uint32_t *group_terms[8];
    uint32_t group_n[8];
    char *provider, *blocklist, *advice;
};

/* One advice row, as read. */
struct smtp__uadv {
    char *id, *summary, *reference, *steps[SMTP_REPLY_MAX_STEPS];
    uint8_t nsteps, actors, remove;
    char *origin;
};

/* ---- small helpers ---- */

static void set_error(smtp_reply_rules_error *err, const char *file, uint32_t line, int code,
                      const char *fmt, const char *arg)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof *err);
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->code = code;
    /* fmt is a message with one "%s" for arg: spliced by hand, not by printf */
    const char *at = strstr(fmt, "%s");
    size_t a = at ? (size_t)(at - fmt) : strlen(fmt);
    snprintf(err->message, sizeof err->message, "%.*s%s%s", (int)a, fmt, at && arg ? arg : "",
             at ? at + 2 : "");
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int is_dash(const char *s) { return s[0] == '\0' || (s[0] == '-' && s[1] == '\0'); }

/* The next comma-separated token of *p (cut in place), or NULL at the end:
 * strtok without its hidden state, so that two threads may load at once. */
static char *next_tok(char **p)
{
    char *t = *p;
    if (t == NULL || *t == '\0')
        return NULL;
    char *c = strchr(t, ',');
    if (c) {
        *c = '\0';
        *p = c + 1;
    } else {
        *p = t + strlen(t);
    }
    return t;
}

static void free_row(struct smtp__urow *r)
{
    free(r->id);
    free(r->origin);
    for (unsigned i = 0; i < MAX_PARTS; i++)
        free(r->part[i]);
    for (int i = 0; i < 8; i++)
        free(r->group_terms[i]);
    free(r->provider);
    free(r->blocklist);
    free(r->advice);
}

static void free_adv(struct smtp__uadv *a)
{
    free(a->id);
    free(a->summary);
    free(a->reference);
    free(a->origin);
    for (int i = 0; i < SMTP_REPLY_MAX_STEPS; i++)
        free(a->steps[i]);
}

/* Is b[0..n) valid UTF-8 (no overlong forms, no surrogates)? */
static int valid_utf8(const uint8_t *b, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = b[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            k = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (b[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (b[i + j] & 0x3f);
        }
        if ((k == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        i += k + 1;
    }
    return 1;
}

size_t smtp__fold_pattern(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = in[i];
        uint8_t f[2];
        int nf = 1;
        f[0] = smtp__fold[c];
        if (c >= 0xc0 && i + 1 < n && (in[i + 1] & 0xc0) == 0x80) {
            uint16_t m = 0;
            if ((unsigned)(c - SMTP__FOLD2_LEAD0) < SMTP__FOLD2_NLEADS)
                m = smtp__fold2[(c - SMTP__FOLD2_LEAD0) * 64u + (in[i + 1] & 0x3fu)];
            if (m && m < 0x100) {
                f[0] = (uint8_t)m;
            } else {
                f[0] = m ? (uint8_t)(m >> 8) : c;
                f[1] = m ? (uint8_t)(m & 0xff) : in[i + 1];
                nf = 2;
            }
            i++;
        }
        for (int k = 0; k < nf; k++) {
            if (f[k] == ' ' && (o == 0 || out[o - 1] == ' '))
                continue;
            out[o++] = f[k];
        }
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    return o;
}

/* The words of a concept term, hashed as lib/words.c hashes a reply's words. */
struct term_words {
    uint32_t hash[3];
    uint32_t n;
    int stop;
};

static void collect_word(void *ctx, const struct smtp__word *w)
{
    struct term_words *t = ctx;
    uint32_t i = smtp__model_slot(w->hash);
    while (smtp__model_feats[i].hash) {
        if (smtp__model_feats[i].hash == w->hash && smtp__feat_stop(&smtp__model_feats[i]))
            t->stop = 1;
        i = smtp__model_next_slot(i);
    }
    if (t->n < 3)
        t->hash[t->n] = w->hash;
    t->n++;
}

/* A set of strings (rule and advice ids) with a value each: open addressing,
 * grown at half full, so that checking 10,000 ids stays linear. */
struct idset {
    const char **key;
    int *val;
    uint32_t n, cap;
};

static uint32_t str_hash(const char *s)
{
    return smtp__fnv1a((const uint8_t *)s, strlen(s), 0x811C9DC5u);
}

static int idset_find(const struct idset *t, const char *k)
{
    if (t->cap == 0)
        return -1;
    for (uint32_t i = str_hash(k) & (t->cap - 1); t->key[i]; i = (i + 1) & (t->cap - 1))
        if (strcmp(t->key[i], k) == 0)
            return t->val[i];
    return -1;
}

static int idset_add(struct idset *t, const char *k, int v)
{
    if (2 * (t->n + 1) > t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 64;
        const char **nk = calloc(cap, sizeof *nk);
        int *nv = calloc(cap, sizeof *nv);
        if (nk == NULL || nv == NULL) {
            free(nk);
            free(nv);
            return -1;
        }
        for (uint32_t i = 0; i < t->cap; i++) {
            if (!t->key[i])
                continue;
            uint32_t j = str_hash(t->key[i]) & (cap - 1);
            while (nk[j])
                j = (j + 1) & (cap - 1);
            nk[j] = t->key[i];
            nv[j] = t->val[i];
        }
        free(t->key);
        free(t->val);
        t->key = nk;
        t->val = nv;
        t->cap = cap;
    }
    uint32_t i = str_hash(k) & (t->cap - 1);
    while (t->key[i])
        i = (i + 1) & (t->cap - 1);
    t->key[i] = k;
    t->val[i] = v;
    t->n++;
    return 0;
}

static void idset_free(struct idset *t)
{
    free(t->key);
    free(t->val);
    memset(t, 0, sizeof *t);
}

/* ---- reading a file ---- */

enum { COL_ID, COL_CATEGORY, COL_PRIORITY, COL_CODES, COL_PATTERN, COL_PROVIDER, COL_BLOCKLIST,
       COL_OPTIONS, COL_ADVICE, COL_SOURCE, NRULECOLS };
static const char *const rule_cols[NRULECOLS] = {"id", "category", "priority", "codes", "pattern",
                                                "provider", "blocklist", "options", "advice", "source"};
enum { ACOL_ID, ACOL_ACTORS, ACOL_REMOVE, ACOL_SUMMARY, ACOL_STEPS, ACOL_REFERENCE, NADVCOLS };
static const char *const adv_cols[NADVCOLS] = {"id", "actors", "remove", "summary", "steps", "reference"};

struct reader {
    const char *file;
    uint32_t line;
    smtp_reply_rules_error *err;
    char cell[16][MAX_FIELD + 1];
    int ncells;
};

static int fail(struct reader *rd, const char *fmt, const char *arg)
{
    set_error(rd->err, rd->file, rd->line, SMTP_REPLY_E_RULES, fmt, arg);
    return SMTP_REPLY_E_RULES;
}

/* Split a line into trimmed cells. */
static int split(struct reader *rd, const char *s, size_t n)
{
    rd->ncells = 0;
    size_t a = 0;
    for (;;) {
        size_t b = a;
        while (b < n && s[b] != '\t')
            b++;
        if (rd->ncells == 16)
            return fail(rd, "more than 16 cells%s", "");
        size_t x = a, y = b;
        while (x < y && (s[x] == ' ' || s[x] == '\r'))
            x++;
        while (y > x && (s[y - 1] == ' ' || s[y - 1] == '\r'))
            y--;
        if (y - x > MAX_FIELD)
            return fail(rd, "a cell longer than 1024 bytes%s", "");
        memcpy(rd->cell[rd->ncells], s + x, y - x);
        rd->cell[rd->ncells][y - x] = '\0';
        rd->ncells++;
        if (b >= n)
            break;
        a = b + 1;
    }
    return 0;
}

static int parse_codes(struct reader *rd, char *spec, struct smtp__urow *r)
{
    if (is_dash(spec))
        return 0;
    for (char *cur = spec, *tok; (tok = next_tok(&cur)) != NULL;) {
        while (*tok == ' ')
            tok++;
        size_t l = strlen(tok);
        while (l && tok[l - 1] == ' ')
            tok[--l] = '\0';
        for (char *c = tok; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c + 32);
        if (r->ncons == 16)
            return fail(rd, "more than 16 code constraints%s", "");
        struct smtp__cons *c = &r->cons[r->ncons];
        memset(c, 0, sizeof *c);
        if (tok[0] == '@') {
            int strict = l > 1 && tok[l - 1] == '!';
            if (strict)
                tok[--l] = '\0';
            int st = -1;
            for (int v = 1; v < smtp_reply_stage_count(); v++)
                if (strcmp(tok + 1, smtp_reply_stage_name(v)) == 0)
                    st = v;
            if (st < 0)
                return fail(rd, "bad code constraint: unknown stage '%s'", tok);
            c->kind = SMTP__CONS_STAGE;
            c->a = (uint16_t)st;
            c->b = (uint16_t)strict;
        } else if (strchr(tok, '.')) {
            unsigned v[3];
            char *p = tok;
            for (int k = 0; k < 3; k++) {
                if (*p == 'x') {
                    v[k] = k == 0 ? 0 : SMTP__ANY;
                    p++;
                } else {
                    unsigned x = 0, nd = 0;
                    while (*p >= '0' && *p <= '9' && nd < 4)
                        x = x * 10 + (unsigned)(*p++ - '0'), nd++;
                    if (nd == 0 || nd > 3)
                        return fail(rd, "bad code constraint '%s'", tok);
                    v[k] = x;
                }
                if (k < 2 && *p++ != '.')
                    return fail(rd, "bad code constraint '%s'", tok);
            }
            if (*p || (v[0] != 0 && v[0] != 2 && v[0] != 4 && v[0] != 5))
                return fail(rd, "bad code constraint '%s' (class 2, 4, 5 or x)", tok);
            c->kind = SMTP__CONS_ENH;
            c->a = (uint16_t)v[0];
            c->b = (uint16_t)v[1];
            c->c = (uint16_t)v[2];
        } else if (l == 3 && tok[0] >= '2' && tok[0] <= '5' &&
                   ((tok[1] >= '0' && tok[1] <= '9') || (tok[1] == 'x' && tok[2] == 'x')) &&
                   ((tok[2] >= '0' && tok[2] <= '9') || tok[2] == 'x')) {
            unsigned lo = 0, hi = 0;
            for (int k = 0; k < 3; k++) {
                lo = lo * 10 + (tok[k] == 'x' ? 0u : (unsigned)(tok[k] - '0'));
                hi = hi * 10 + (tok[k] == 'x' ? 9u : (unsigned)(tok[k] - '0'));
            }
            c->kind = SMTP__CONS_BASIC;
            c->a = (uint16_t)lo;
            c->b = (uint16_t)hi;
        } else if (strcmp(tok, "none") == 0) {
            /* only a text with no code at all: a client's or a log's own words */
            c->kind = SMTP__CONS_BASIC;
            c->a = 0;
            c->b = 0;
        } else {
            return fail(rd, "bad code constraint '%s' (550, 55x, 5xx, none, 5.1.1, x.7.x, @rcpt)",
                        tok);
        }
        r->ncons++;
    }
    return 0;
}

static int parse_options(struct reader *rd, char *spec, struct smtp__urow *r)
{
    r->perm = r->rcpt = r->msg = r->fault = SMTP__NONE8;
    if (is_dash(spec))
        return 0;
    for (char *cur = spec, *tok; (tok = next_tok(&cur)) != NULL;) {
        while (*tok == ' ')
            tok++;
        if (strcmp(tok, "delay") == 0) {
            r->options |= SMTP__OPT_DELAY;
            continue;
        }
        if (strcmp(tok, "side") == 0) {
            r->options |= SMTP__OPT_SIDE;
            continue;
        }
        if (strcmp(tok, "ambiguous") == 0) {
            r->options |= SMTP__OPT_AMBIGUOUS;
            continue;
        }
        if (strcmp(tok, "cause") == 0) {
            r->options |= SMTP__OPT_CAUSE;
            continue;
        }
        char *eq = strchr(tok, '=');
        if (eq == NULL)
            return fail(rd, "bad option '%s'", tok);
        *eq = '\0';
        const char *v = eq + 1;
        int found = -1;
        if (strcmp(tok, "retry") == 0) {
            char *end;
            errno = 0;
            unsigned long x = strtoul(v, &end, 10);
            if (*v == '\0' || *end || errno || x > 0xffffffffu)
                return fail(rd, "bad option retry=%s", v);
            r->retry = (uint32_t)x;
            continue;
        }
        const char *(*name)(int) = NULL;
        int (*count)(void) = NULL;
        uint8_t *dst = NULL;
        if (strcmp(tok, "perm") == 0)
            name = smtp_reply_permanence_name, count = smtp_reply_permanence_count, dst = &r->perm;
        else if (strcmp(tok, "action") == 0)
            name = smtp_reply_recipient_action_name, count = smtp_reply_recipient_action_count, dst = &r->rcpt;
        else if (strcmp(tok, "msg") == 0)
            name = smtp_reply_message_action_name, count = smtp_reply_message_action_count, dst = &r->msg;
        else if (strcmp(tok, "fault") == 0)
            name = smtp_reply_fault_name, count = smtp_reply_fault_count, dst = &r->fault;
        else
            return fail(rd, "bad option '%s' (perm, action, msg, fault, retry, delay)", tok);
        for (int k = 0; k < count(); k++)
            if (strcmp(name(k), v) == 0)
                found = k;
        if (found < 0)
            return fail(rd, "bad option value '%s'", v);
        *dst = (uint8_t)found;
    }
    return 0;
}

static int parse_pattern(struct reader *rd, const char *pat, struct smtp__urow *r)
{
    size_t n = strlen(pat);
    if (!valid_utf8((const uint8_t *)pat, n))
        return fail(rd, "the pattern has a byte that is not UTF-8%s", "");
    if (pat[0] == '~') {
        /* a concept: groups joined by '+', terms by '|' */
        const char *p = pat + 1;
        for (;;) {
            const char *gend = strchr(p, '+');
            size_t gl = gend ? (size_t)(gend - p) : strlen(p);
            if (r->ngroups == 8)
                return fail(rd, "a concept has at most 8 groups%s", "");
            while (gl && *p == ' ')
                p++, gl--;
            if (gl && *p == '!') {      /* a negative group */
                r->neg |= (uint8_t)(1u << r->ngroups);
                p++, gl--;
            }
            uint32_t *terms = NULL, nterms = 0;
            const char *t = p;
            while (t <= p + gl) {
                const char *tend = memchr(t, '|', (size_t)(p + gl - t));
                size_t tl = tend ? (size_t)(tend - t) : (size_t)(p + gl - t);
                smtp_reply fake;
                memset(&fake, 0, sizeof fake);
                fake.nstored = 1;
                fake.line[0].off = (uint32_t)(t - pat);
                fake.line[0].len = (uint32_t)tl;
                struct term_words tw = {{0, 0, 0}, 0, 0};
                smtp__words(pat, n, &fake, collect_word, &tw);
                if (tw.stop) {
                    free(terms);
                    return fail(rd, "a concept term has a stop word, which the matcher skips%s", "");
                }
                if (tw.n != 1 && tw.n != 2) {
                    free(terms);
                    return fail(rd, "a concept term must be one or two words (not digits, not glued names)%s", "");
                }
                uint32_t *nt = realloc(terms, (nterms + 1) * sizeof *terms);
                if (nt == NULL) {
                    free(terms);
                    set_error(rd->err, rd->file, rd->line, SMTP_REPLY_E_NOMEM, "out of memory%s", "");
                    return SMTP_REPLY_E_NOMEM;
                }
                terms = nt;
                terms[nterms++] = tw.n == 1 ? tw.hash[0] : smtp__mix(tw.hash[0], tw.hash[1]);
                if (!tend)
                    break;
                t = tend + 1;
            }
            r->group_terms[r->ngroups] = terms;
            r->group_n[r->ngroups] = nterms;
            r->ngroups++;
            if (!gend)
                break;
            p = gend + 1;
        }
        if (r->ngroups < 2)
            return fail(rd, "a concept needs 2 to 8 groups joined by +%s", "");
        if (r->ngroups - __builtin_popcount(r->neg) < 2)
            return fail(rd, "a concept needs at least 2 groups that are not negative (!)%s", "");
        r->options |= SMTP__OPT_CONCEPT;
        return 0;
    }
    const char *p = pat;
    for (;;) {
        const char *pend = strchr(p, '*');
        size_t pl = pend ? (size_t)(pend - p) : strlen(p);
        if (r->nparts == MAX_PARTS)
            return fail(rd, "a pattern has at most 8 parts%s", "");
        while (pl && *p == ' ')
            p++, pl--;
        while (pl && p[pl - 1] == ' ')
            pl--;
        uint8_t bound = 0;
        if (pl >= 2 && p[0] == '\\' && p[1] == 'b')
            bound |= 1, p += 2, pl -= 2;
        if (pl >= 2 && p[pl - 2] == '\\' && p[pl - 1] == 'b')
            bound |= 2, pl -= 2;
        uint8_t *f = malloc(pl + 1);
        if (f == NULL) {
            set_error(rd->err, rd->file, rd->line, SMTP_REPLY_E_NOMEM, "out of memory%s", "");
            return SMTP_REPLY_E_NOMEM;
        }
        size_t fl = smtp__fold_pattern((const uint8_t *)p, pl, f);
        size_t lead = 0;
        while (lead < fl && f[lead] == ' ')
            lead++;
        memmove(f, f + lead, fl - lead);
        fl -= lead;
        r->part[r->nparts] = f;
        if (fl == 0)
            return fail(rd, "an empty pattern part%s", "");
        if (fl > MAX_PART)
            return fail(rd, "a pattern part longer than 200 bytes%s", "");
        r->part_len[r->nparts] = (uint16_t)fl;
        r->bound[r->nparts] = bound;
        r->nparts++;
        if (!pend)
            break;
        p = pend + 1;
    }
    return 0;
}

/* The built-in rule with this id, or -1: a binary search of the table's
 * rules in id order. */
static int builtin_rule(const char *id)
{
    uint32_t lo = 0, hi = smtp__nrules;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint16_t ri = smtp__rules_by_id[mid];
        int c = strcmp(id, smtp__str(smtp__rules[ri].id));
        if (c == 0)
            return (int)ri;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

static int valid_id(const char *id)
{
    size_t l = strlen(id);
    if (l == 0 || l > 100 || !((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= '0' && id[0] <= '9')))
        return 0;
    for (size_t i = 0; i < l; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' || c == '-'))
            return 0;
    }
    return 1;
}

/* Rows read from one file, kept apart until the whole file is good. */
struct batch {
    struct smtp__urow *rows;
    uint32_t nrows, cap;
    struct smtp__uadv *adv;
    uint32_t nadv, capadv;
    struct idset ids, advids;  /* the batch's own ids */
};

static void free_batch(struct batch *b)
{
    for (uint32_t i = 0; i < b->nrows; i++)
        free_row(&b->rows[i]);
    for (uint32_t i = 0; i < b->nadv; i++)
        free_adv(&b->adv[i]);
    free(b->rows);
    free(b->adv);
    idset_free(&b->ids);
    idset_free(&b->advids);
}

static int id_taken(const smtp_reply_rules *u, const struct batch *b, const char *id, int advice)
{
    if (advice)
        return idset_find(u->adv_ids, id) >= 0 || idset_find(&b->advids, id) >= 0;
    return idset_find(u->row_ids, id) >= 0 || idset_find(&b->ids, id) >= 0;
}

static int read_rule_row(struct reader *rd, const int *col, smtp_reply_rules *u, struct batch *b)
{
    struct smtp__urow r;
    memset(&r, 0, sizeof r);
#define CELL(k) (col[k] >= 0 && col[k] < rd->ncells ? rd->cell[col[k]] : (char *)"-")
    int rc = 0;
    char origin[300];
    snprintf(origin, sizeof origin, "%s:%u", rd->file, rd->line);
    const char *id = CELL(COL_ID);
    const char *cat = CELL(COL_CATEGORY);
    if (!valid_id(id))
        return fail(rd, "bad rule id '%s' (lower-case letters, digits, . _ + -)", id);
    if (strcmp(cat, "disable") == 0) {
        if (builtin_rule(id) < 0)
            return fail(rd, "a disable row names no built-in rule: '%s'", id);
        r.disable = 1;
    } else {
        if (builtin_rule(id) >= 0)
            return fail(rd, "duplicate rule id '%s' (a built-in rule has it; disable it first, or use another id)", id);
        if (id_taken(u, b, id, 0))
            return fail(rd, "duplicate rule id '%s'", id);
        if (strcmp(cat, "-") == 0)
            r.category = SMTP__NONE8;
        else {
            int c = smtp_reply_category_from_name(cat);
            if (c < 0)
                return fail(rd, "unknown category '%s'", cat);
            r.category = (uint8_t)c;
        }
        const char *pr = CELL(COL_PRIORITY);
        char *end;
        long p = strtol(pr, &end, 10);
        if (*pr == '\0' || *end || p < 0 || p > 99)
            return fail(rd, "priority must be 0-99, not '%s'", pr);
        r.priority = (uint8_t)p;
        if ((rc = parse_codes(rd, CELL(COL_CODES), &r)) != 0)
            goto out;
        if ((rc = parse_options(rd, CELL(COL_OPTIONS), &r)) != 0)
            goto out;
        const char *pat = CELL(COL_PATTERN);
        if (is_dash(pat)) {
            rc = fail(rd, "an empty pattern%s", "");
            goto out;
        }
        if ((rc = parse_pattern(rd, pat, &r)) != 0)
            goto out;
        if ((r.options & SMTP__OPT_SIDE) && (r.category == SMTP__NONE8 || (r.options & SMTP__OPT_CONCEPT))) {
            rc = fail(rd, "a side row needs a category and a phrase%s", "");
            goto out;
        }
        if ((r.options & SMTP__OPT_CAUSE) &&
            (r.category != SMTP__NONE8 || (r.options & ~(unsigned)SMTP__OPT_CAUSE))) {
            rc = fail(rd, "a cause row is an annotation row (category -) with a phrase and no other flag%s", "");
            goto out;
        }
    }
    r.id = dup_n(id, strlen(id));
    r.origin = dup_n(origin, strlen(origin));
    r.provider = is_dash(CELL(COL_PROVIDER)) ? NULL : dup_n(CELL(COL_PROVIDER), strlen(CELL(COL_PROVIDER)));
    r.blocklist = is_dash(CELL(COL_BLOCKLIST)) ? NULL : dup_n(CELL(COL_BLOCKLIST), strlen(CELL(COL_BLOCKLIST)));
    r.advice = is_dash(CELL(COL_ADVICE)) ? NULL : dup_n(CELL(COL_ADVICE), strlen(CELL(COL_ADVICE)));
    if (!r.id || !r.origin || (!is_dash(CELL(COL_PROVIDER)) && !r.provider) ||
        (!is_dash(CELL(COL_BLOCKLIST)) && !r.blocklist) || (!is_dash(CELL(COL_ADVICE)) && !r.advice)) {
        set_error(rd->err, rd->file, rd->line, SMTP_REPLY_E_NOMEM, "out of memory%s", "");
        rc = SMTP_REPLY_E_NOMEM;
        goto out;
    }
    if (b->nrows == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 16;
        struct smtp__urow *nr = realloc(b->rows, cap * sizeof *nr);
        if (nr == NULL) {
            set_error(rd->err, rd->file, rd->line, SMTP_REPLY_E_NOMEM, "out of memory%s", "");
            rc = SMTP_REPLY_E_NOMEM;
            goto out;
        }
        b->rows = nr;
        b->cap = cap;
    }
    b->rows[b->nrows++] = r;
    if (!r.disable && idset_add(&b->ids, r.id, 0) < 0) {
        set_error(rd->err, rd->file, rd->line, SMTP_REPLY_E_NOMEM, "out of memory%s", "");
        return SMTP_REPLY_E_NOMEM;
    }
    return 0;
out:
    free_row(&r);
    return rc;
#undef CELL
}

static int read_advice_row(struct reader *rd, const int *col, smtp_reply_rules *u, struct batch *b)
{
    struct smtp__uadv a;
    memset(&a, 0, sizeof a);
#define CELL(k) (col[k] >= 0 && col[k] < rd->ncells ? rd->cell[col[k]] : (char *)"-")
    const char *id = CELL(ACOL_ID);
    if (!valid_id(id))
        return fail(rd, "bad advice id '%s'", id);
    if (id_taken(u, b, id, 1))
        return fail(rd, "duplicate advice id '%s'", id);
    char *actors = CELL(ACOL_ACTORS);
    if (!is_dash(actors)) {
        for (char *cur = actors, *tok; (tok = next_tok(&cur)) != NULL;) {
            while (*tok == ' ')
                tok++;
            int found = -1;
            for (int k = 0; k < smtp_reply_actor_count(); k++)
                if (strcmp(smtp_reply_actor_name(k), tok) == 0)
                    found = k;
            if (found < 0)
                return fail(rd, "unknown actor '%s'", tok);
            a.actors |= (uint8_t)(1u << found);
        }
    }
    const char *rm = CELL(ACOL_REMOVE);
    if (strcmp(rm, "yes") != 0 && strcmp(rm, "no") != 0)
        return fail(rd, "remove must be yes or no, not '%s'", rm);
    a.remove = rm[0] == 'y';
    if (is_dash(CELL(ACOL_SUMMARY)))
        return fail(rd, "an advice row needs a summary%s", "");
    a.id = dup_n(id, strlen(id));
    a.summary = dup_n(CELL(ACOL_SUMMARY), strlen(CELL(ACOL_SUMMARY)));
    a.reference = dup_n(CELL(ACOL_REFERENCE), is_dash(CELL(ACOL_REFERENCE)) ? 0 : strlen(CELL(ACOL_REFERENCE)));
    char origin[300];
    snprintf(origin, sizeof origin, "%s:%u", rd->file, rd->line);
    a.origin = dup_n(origin, strlen(origin));
    int nomem = !a.id || !a.summary || !a.reference || !a.origin;
    const char *st = CELL(ACOL_STEPS);
    while (!nomem && !is_dash(st) && *st) {
        const char *sep = strstr(st, " | ");
        size_t l = sep ? (size_t)(sep - st) : strlen(st);
        if (a.nsteps == SMTP_REPLY_MAX_STEPS) {
            free_adv(&a);
            return fail(rd, "more than 8 advice steps%s", "");
        }
        if (l) {
            a.steps[a.nsteps] = dup_n(st, l);
            nomem |= a.steps[a.nsteps++] == NULL;
        }
        if (!sep)
            break;
        st = sep + 3;
    }
    if (!nomem && b->nadv == b->capadv) {
        uint32_t cap = b->capadv ? b->capadv * 2 : 8;
        struct smtp__uadv *na = realloc(b->adv, cap * sizeof *na);
        if (na) {
            b->adv = na;
            b->capadv = cap;
        }
        nomem |= na == NULL;
    }
    if (nomem) {
        free_adv(&a);
        set_error(rd->err, rd->file, rd->line, SMTP_REPLY_E_NOMEM, "out of memory%s", "");
        return SMTP_REPLY_E_NOMEM;
    }
    b->adv[b->nadv++] = a;
    if (idset_add(&b->advids, a.id, 0) < 0) {
        set_error(rd->err, rd->file, rd->line, SMTP_REPLY_E_NOMEM, "out of memory%s", "");
        return SMTP_REPLY_E_NOMEM;
    }
    return 0;
#undef CELL
}

int smtp_reply_rules_new(smtp_reply_rules **out)
{
    if (out == NULL)
        return SMTP_REPLY_E_NULL;
    smtp_reply_rules *u = calloc(1, sizeof *u);
    struct idset *sets = calloc(2, sizeof *sets);
    int ok = u && sets;
    if (!ok) {
        free(sets);
        free(u);
        *out = NULL;
        return SMTP_REPLY_E_NOMEM;
    }
    u->row_ids = &sets[0];
    u->adv_ids = &sets[1];
    *out = u;
    return SMTP_REPLY_OK;
}

int smtp_reply_rules_add_buffer(smtp_reply_rules *u, const char *name, const char *buf, size_t len,
                                smtp_reply_rules_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    if (u == NULL || (buf == NULL && len > 0)) {
        set_error(err, name, 0, SMTP_REPLY_E_NULL, "a required pointer is NULL%s", "");
        return SMTP_REPLY_E_NULL;
    }
    if (u->compiled) {
        set_error(err, name, 0, SMTP_REPLY_E_RULES, "the rules object is compiled already%s", "");
        return SMTP_REPLY_E_RULES;
    }
    struct reader *rd = calloc(1, sizeof *rd);
    if (rd == NULL) {
        set_error(err, name, 0, SMTP_REPLY_E_NOMEM, "out of memory%s", "");
        return SMTP_REPLY_E_NOMEM;
    }
    rd->file = name ? name : "(buffer)";
    rd->err = err;
    struct batch b;
    memset(&b, 0, sizeof b);
    int col[NRULECOLS], acol[NADVCOLS], section = 0; /* 1 rules, 2 advice */
    int rc = 0;
    size_t p = 0;
    while (p < len && rc == 0) {
        const char *lf = memchr(buf + p, '\n', len - p);
        size_t e = lf ? (size_t)(lf - buf) : len;
        rd->line++;
        const char *s = buf + p;
        size_t n = e - p;
        p = lf ? e + 1 : len;
        if (memchr(s, '\0', n)) {
            rc = fail(rd, "a NUL byte in the line%s", "");
            break;
        }
        size_t k = 0;
        while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
            k++;
        if (k == n || s[k] == '#')
            continue;
        if ((rc = split(rd, s, n)) != 0)
            break;
        if (strcmp(rd->cell[0], "id") == 0) {
            /* a header line: it says what the rows below it are */
            int isadv = 0;
            for (int c = 0; c < rd->ncells; c++)
                isadv |= strcmp(rd->cell[c], "actors") == 0;
            int *cols = isadv ? acol : col;
            int ncols = isadv ? NADVCOLS : NRULECOLS;
            const char *const *names = isadv ? adv_cols : rule_cols;
            for (int c = 0; c < ncols; c++) {
                cols[c] = -1;
                for (int x = 0; x < rd->ncells; x++)
                    if (strcmp(rd->cell[x], names[c]) == 0)
                        cols[c] = x;
            }
            const char *need = isadv ? "summary" : "pattern";
            int needcol = isadv ? ACOL_SUMMARY : COL_PATTERN;
            if (cols[needcol] < 0 || (!isadv && (col[COL_CATEGORY] < 0 || col[COL_PRIORITY] < 0))) {
                rc = fail(rd, "the header line lacks a column (%s, category, priority)", need);
                break;
            }
            section = isadv ? 2 : 1;
            continue;
        }
        if (section == 0) {
            rc = fail(rd, "a row before the header line%s", "");
            break;
        }
        if (u->nrows + u->nadvrows + b.nrows + b.nadv >= SMTP_REPLY_RULES_MAX_ROWS) {
            rc = fail(rd, "too many rows: a rules object holds at most 10000%s", "");
            break;
        }
        rc = section == 1 ? read_rule_row(rd, col, u, &b) : read_advice_row(rd, acol, u, &b);
    }
    if (rc == 0) {
        /* the whole file is good: keep its rows */
        int ok = 1;
        if (b.nrows) {
            struct smtp__urow *nr = realloc(u->rows, (u->nrows + b.nrows) * sizeof *nr);
            ok = nr != NULL;
            if (nr)
                u->rows = nr;
        }
        struct smtp__uadv *na = NULL;
        if (ok && b.nadv) {
            na = realloc(u->advrows, (u->nadvrows + b.nadv) * sizeof *na);
            ok = na != NULL;
        }
        if (ok) {
            if (na)
                u->advrows = na;
            if (b.nrows)
                memcpy(u->rows + u->nrows, b.rows, b.nrows * sizeof *b.rows);
            if (b.nadv)
                memcpy(u->advrows + u->nadvrows, b.adv, b.nadv * sizeof *b.adv);
            for (uint32_t i = 0; i < b.nrows && ok; i++)
                if (!u->rows[u->nrows + i].disable)
                    ok = idset_add(u->row_ids, u->rows[u->nrows + i].id, 0) == 0;
            for (uint32_t i = 0; i < b.nadv && ok; i++)
                ok = idset_add(u->adv_ids, u->advrows[u->nadvrows + i].id, 0) == 0;
            u->nrows += b.nrows;
            u->nadvrows += b.nadv;
            free(b.rows);
            free(b.adv);
            idset_free(&b.ids);
            idset_free(&b.advids);
            free(rd);
            if (!ok) {
                set_error(err, name, 0, SMTP_REPLY_E_NOMEM, "out of memory%s", "");
                return SMTP_REPLY_E_NOMEM;
            }
            return SMTP_REPLY_OK;
        }
        set_error(err, rd->file, 0, SMTP_REPLY_E_NOMEM, "out of memory%s", "");
        rc = SMTP_REPLY_E_NOMEM;
    }
    free_batch(&b);
    free(rd);
    return rc;
}

int smtp_reply_rules_add_file(smtp_reply_rules *u, const char *path, smtp_reply_rules_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    if (u == NULL || path == NULL) {
        set_error(err, path, 0, SMTP_REPLY_E_NULL, "a required pointer is NULL%s", "");
        return SMTP_REPLY_E_NULL;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        set_error(err, path, 0, SMTP_REPLY_E_IO, "cannot open the file: %s", strerror(errno));
        return SMTP_REPLY_E_IO;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    int rc = SMTP_REPLY_OK;
    while (buf) {
        if (n == cap) {
            if (cap >= MAX_FILE) {
                set_error(err, path, 0, SMTP_REPLY_E_RULES, "the file is larger than 64 MiB%s", "");
                rc = SMTP_REPLY_E_RULES;
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                set_error(err, path, 0, SMTP_REPLY_E_IO, "cannot read the file: %s", strerror(errno));
                rc = SMTP_REPLY_E_IO;
            }
            break;
        }
    }
    fclose(f);
    if (buf == NULL) {
        set_error(err, path, 0, SMTP_REPLY_E_NOMEM, "out of memory%s", "");
        return SMTP_REPLY_E_NOMEM;
    }
    if (rc == SMTP_REPLY_OK)
        rc = smtp_reply_rules_add_buffer(u, path, buf, n, err);
    free(buf);
    return rc;
}

/* ---- compiling ---- */

static uint32_t pool_add(smtp_reply_rules *u, const char *s, int *nomem)
{
    if (s == NULL)
        return SMTP__NOSTR;
    size_t l = strlen(s) + 1;
    if (u->pool_len + l > u->pool_cap) {
        size_t cap = u->pool_cap ? u->pool_cap : 4096;
        while (cap < u->pool_len + l)
            cap *= 2;
        char *np = realloc(u->pool, cap);
        if (np == NULL) {
            *nomem = 1;
            return SMTP__NOSTR;
        }
        u->pool = np;
        u->pool_cap = cap;
    }
    memcpy(u->pool + u->pool_len, s, l);
    u->pool_len += l;
    return (uint32_t)(u->pool_len - l);
}

/* A trie node while the automaton is built. */
struct tnode {
    uint8_t *byte;
    uint32_t *to;
    uint32_t n, cap;
    uint32_t *out;      /* pattern parts that end here */
    uint32_t nout, capout;
};

static uint32_t child(const struct tnode *t, uint8_t c)
{
    uint32_t lo = 0, hi = t->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (t->byte[mid] == c)
            return t->to[mid];
        if (t->byte[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int push_u32(uint32_t **a, uint32_t *n, uint32_t *cap, uint32_t v)
{
    if (*n == *cap) {
        uint32_t c = *cap ? *cap * 2 : 4;
        uint32_t *na = realloc(*a, c * sizeof **a);
        if (na == NULL)
            return -1;
        *a = na;
        *cap = c;
    }
    (*a)[(*n)++] = v;
    return 0;
}

static int compile_automaton(smtp_reply_rules *u, const uint32_t *part_off)
{
    uint32_t nnodes = 1, capnodes = 64;
    struct tnode *t = calloc(capnodes, sizeof *t);
    int rc = -1;
    uint32_t *queue = NULL, *fail = NULL;
    if (t == NULL)
        return -1;
    /* insert every part's bytes (kept in the pool at part_off[]) */
    for (uint32_t pi = 0; pi < u->npats; pi++) {
        const uint8_t *s = (const uint8_t *)u->pool + part_off[pi];
        uint32_t cur = 0;
        for (uint32_t k = 0; k < u->pats[pi].len; k++) {
            uint32_t nx = child(&t[cur], s[k]);
            if (nx == 0) {
                if (nnodes == capnodes) {
                    struct tnode *nt = realloc(t, capnodes * 2 * sizeof *t);
                    if (nt == NULL)
                        goto out;
                    memset(nt + capnodes, 0, capnodes * sizeof *t);
                    t = nt;
                    capnodes *= 2;
                }
                nx = nnodes++;
                struct tnode *p = &t[cur];
                if (p->n == p->cap) {
                    uint32_t c = p->cap ? p->cap * 2 : 2;
                    uint8_t *nb = realloc(p->byte, c);
                    if (nb == NULL)
                        goto out;
                    p->byte = nb;
                    uint32_t *nto = realloc(p->to, c * sizeof *nto);
                    if (nto == NULL)
                        goto out;
                    p->to = nto;
                    p->cap = c;
                }
                uint32_t at = p->n;
                while (at > 0 && p->byte[at - 1] > s[k]) {
                    p->byte[at] = p->byte[at - 1];
                    p->to[at] = p->to[at - 1];
                    at--;
                }
                p->byte[at] = s[k];
                p->to[at] = nx;
                p->n++;
            }
            cur = nx;
        }
        if (push_u32(&t[cur].out, &t[cur].nout, &t[cur].capout, pi) < 0)
            goto out;
    }
    /* fail links in breadth-first order, and the inherited outputs */
    queue = malloc(nnodes * sizeof *queue);
    fail = calloc(nnodes, sizeof *fail);
    if (queue == NULL || fail == NULL)
        goto out;
    uint32_t qh = 0, qt = 0;
    queue[qt++] = 0;
    while (qh < qt) {
        uint32_t s = queue[qh++];
        for (uint32_t e = 0; e < t[s].n; e++) {
            uint32_t c = t[s].byte[e], nx = t[s].to[e];
            uint32_t f = 0;
            if (s != 0) {
                f = fail[s];
                while (f && child(&t[f], (uint8_t)c) == 0)
                    f = fail[f];
                f = child(&t[f], (uint8_t)c);
                if (f == nx)
                    f = 0;
            }
            fail[nx] = f;
            for (uint32_t o = 0; o < t[f].nout; o++)
                if (push_u32(&t[nx].out, &t[nx].nout, &t[nx].capout, t[f].out[o]) < 0)
                    goto out;
            queue[qt++] = nx;
        }
    }
    /* flatten */
    uint32_t nedges = 0, nouts = 0;
    for (uint32_t s = 0; s < nnodes; s++)
        nedges += t[s].n, nouts += t[s].nout;
    u->fail = fail;
    fail = NULL;
    u->nstates = nnodes;
    u->edge_start = malloc((nnodes + 1) * sizeof *u->edge_start);
    u->edge_byte = malloc(nedges + 1);
    u->edge_to = malloc((nedges + 1) * sizeof *u->edge_to);
    u->out_start = malloc((nnodes + 1) * sizeof *u->out_start);
    u->out_pat = malloc((nouts + 1) * sizeof *u->out_pat);
    if (!u->edge_start || !u->edge_byte || !u->edge_to || !u->out_start || !u->out_pat)
        goto out;
    uint32_t ne = 0, no = 0;
    for (uint32_t s = 0; s < nnodes; s++) {
        u->edge_start[s] = ne;
        if (t[s].n) { /* a leaf has no edge arrays at all */
            memcpy(u->edge_byte + ne, t[s].byte, t[s].n);
            memcpy(u->edge_to + ne, t[s].to, t[s].n * sizeof *t[s].to);
        }
        ne += t[s].n;
        u->out_start[s] = no;
        for (uint32_t o = 0; o < t[s].nout; o++)
            u->out_pat[no++] = (uint16_t)t[s].out[o];
    }
    u->edge_start[nnodes] = ne;
    u->out_start[nnodes] = no;
    rc = 0;
out:
    for (uint32_t s = 0; s < nnodes; s++) {
        free(t[s].byte);
        free(t[s].to);
        free(t[s].out);
    }
    free(t);
    free(queue);
    free(fail);
    return rc;
}

static int find_builtin_advice(const char *id)
{
    for (uint32_t i = 0; i < smtp__nadvice; i++)
        if (strcmp(smtp__str(smtp__advice[i].id), id) == 0)
            return (int)i;
    return -1;
}

int smtp_reply_rules_compile(smtp_reply_rules *u, smtp_reply_rules_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    if (u == NULL) {
        set_error(err, "", 0, SMTP_REPLY_E_NULL, "a required pointer is NULL%s", "");
        return SMTP_REPLY_E_NULL;
    }
    if (u->compiled)
        return SMTP_REPLY_OK;
    int nomem = 0;
    uint32_t nrules = 0, nparts = 0, nconcepts = 0, nterms = 0, ncons = 0;
    for (uint32_t i = 0; i < u->nrows; i++) {
        const struct smtp__urow *r = &u->rows[i];
        if (r->disable)
            continue;
        nrules++;
        nparts += r->nparts;
        ncons += r->ncons;
        if (r->ngroups) {
            nconcepts++;
            for (uint32_t g = 0; g < r->ngroups; g++)
                nterms += r->group_n[g];
        }
        /* the advice a rule names: a user record or a built-in one */
        if (r->advice) {
            int found = find_builtin_advice(r->advice) >= 0;
            for (uint32_t a = 0; a < u->nadvrows && !found; a++)
                found = strcmp(u->advrows[a].id, r->advice) == 0;
            if (!found) {
                set_error(err, r->origin, 0, SMTP_REPLY_E_RULES, "unknown advice id '%s'", r->advice);
                return SMTP_REPLY_E_RULES;
            }
        }
    }
    if (smtp__nrules + nrules >= 65535 || nparts >= 65535 || smtp__nconcepts + nconcepts >= 65535) {
        set_error(err, "", 0, SMTP_REPLY_E_RULES, "too many rules for one object%s", "");
        return SMTP_REPLY_E_RULES;
    }
    u->rules = calloc(nrules + 1, sizeof *u->rules);
    u->conss = calloc(ncons + 1, sizeof *u->conss);
    u->pats = calloc(nparts + 1, sizeof *u->pats);
    u->uses = calloc(nparts + 1, sizeof *u->uses);
    uint32_t *part_off = calloc(nparts + 1, sizeof *part_off); /* each part's bytes in the pool */
    u->concepts = calloc(nconcepts + 1, sizeof *u->concepts);
    u->terms = calloc(nterms + 1, sizeof *u->terms);
    u->disabled = calloc(smtp__nrules / 8 + 1, 1);
    u->advice = calloc(u->nadvrows + 1, sizeof *u->advice);
    if (!u->rules || !u->conss || !u->pats || !u->uses || !part_off || !u->concepts || !u->terms ||
        !u->disabled || !u->advice)
        goto nomem;
    pool_add(u, "", &nomem); /* offset 0 is the empty string */
    for (uint32_t a = 0; a < u->nadvrows; a++) {
        const struct smtp__uadv *ad = &u->advrows[a];
        struct smtp__advice *x = &u->advice[a];
        x->id = pool_add(u, ad->id, &nomem);
        x->summary = pool_add(u, ad->summary, &nomem);
        x->reference = pool_add(u, ad->reference, &nomem);
        for (uint32_t k = 0; k < ad->nsteps; k++)
            x->steps[k] = pool_add(u, ad->steps[k], &nomem);
        x->nsteps = ad->nsteps;
        x->actors = ad->actors;
        x->remove = ad->remove;
    }
    u->nadvice = u->nadvrows;
    uint32_t ri = 0, ci = 0, ti = 0, cons = 0;
    u->npats = 0;
    for (uint32_t i = 0; i < u->nrows && !nomem; i++) {
        const struct smtp__urow *r = &u->rows[i];
        if (r->disable) {
            int b = builtin_rule(r->id);
            u->disabled[b / 8] |= (uint8_t)(1u << (b % 8));
            u->active = 1;
            continue;
        }
        struct smtp__rule *x = &u->rules[ri];
        char label[420];
        snprintf(label, sizeof label, "%s (%s)", r->id, r->origin);
        x->id = pool_add(u, label, &nomem);
        x->provider = pool_add(u, r->provider, &nomem);
        x->blocklist = pool_add(u, r->blocklist, &nomem);
        x->category = r->category;
        x->priority = r->priority;
        x->nparts = r->nparts;
        x->options = r->options;
        x->perm = r->perm;
        x->rcpt = r->rcpt;
        x->msg = r->msg;
        x->fault = r->fault;
        x->ncons = r->ncons;
        x->cons_start = cons;
        x->retry = r->retry;
        for (uint32_t k = 0; k < r->ncons; k++) {
            u->conss[cons++] = r->cons[k];
            x->cons_kinds |= (uint8_t)(1u << r->cons[k].kind);
        }
        /* advice: the rule's record, else its category's */
        if (r->advice) {
            int b = find_builtin_advice(r->advice);
            for (uint32_t a = 0; a < u->nadvrows; a++)
                if (strcmp(u->advrows[a].id, r->advice) == 0)
                    b = (int)(smtp__nadvice + a);
            x->advice = (uint16_t)b;
        } else if (r->category != SMTP__NONE8) {
            x->advice = smtp__categories[r->category].advice;
        }
        uint32_t global = smtp__nrules + ri;
        for (uint32_t k = 0; k < r->nparts; k++) {
            /* each part is its own pattern (no sharing: user tables are small) */
            uint32_t pi = u->npats++;
            char *tmp = dup_n((const char *)r->part[k], r->part_len[k]);
            if (tmp == NULL)
                goto nomem;
            part_off[pi] = pool_add(u, tmp, &nomem);
            free(tmp);
            u->pats[pi].len = r->part_len[k];
            u->pats[pi].bound = r->bound[k];
            u->pats[pi].nuse = 1;
            u->pats[pi].use_start = pi;
            u->uses[pi].rule = (uint16_t)global;
            u->uses[pi].part = (uint8_t)k;
        }
        if (r->ngroups) {
            u->concepts[ci].rule = (uint16_t)global;
            u->concepts[ci].ngroups = r->ngroups;
            u->concepts[ci].neg = r->neg;
            if (r->priority > u->top_priority)
                u->top_priority = r->priority;
            for (uint32_t g = 0; g < r->ngroups; g++)
                for (uint32_t k = 0; k < r->group_n[g]; k++) {
                    u->terms[ti].concept = (uint16_t)(smtp__nconcepts + ci);
                    u->terms[ti].group = (uint8_t)g;
                    ti++;
                }
            ci++;
        }
        ri++;
    }
    if (nomem)
        goto nomem;
    u->nrules = nrules;
    u->nconcepts = nconcepts;
    u->active |= nrules > 0;
    /* the concept terms by hash: sort (hash, term) pairs, then slots */
    if (nterms) {
        struct { uint32_t hash, idx; } *byhash = malloc(nterms * sizeof *byhash);
        struct smtp__term *sorted = malloc(nterms * sizeof *sorted);
        if (byhash == NULL || sorted == NULL) {
            free(byhash);
            free(sorted);
            goto nomem;
        }
        uint32_t k = 0;
        for (uint32_t i = 0; i < u->nrows; i++) {
            const struct smtp__urow *r = &u->rows[i];
            for (uint32_t g = 0; !r->disable && g < r->ngroups; g++)
                for (uint32_t x = 0; x < r->group_n[g]; x++, k++) {
                    byhash[k].hash = r->group_terms[g][x];
                    byhash[k].idx = k;
                }
        }
        /* insertion sort by hash: load time only, and term counts are small */
        for (uint32_t i = 1; i < nterms; i++)
            for (uint32_t j = i; j > 0 && byhash[j - 1].hash > byhash[j].hash; j--) {
                uint32_t h = byhash[j].hash, d = byhash[j].idx;
                byhash[j] = byhash[j - 1];
                byhash[j - 1].hash = h;
                byhash[j - 1].idx = d;
            }
        uint32_t slots = 16;
        while (slots < 2 * nterms)
            slots *= 2;
        u->term_slots = calloc(slots, sizeof *u->term_slots);
        if (u->term_slots == NULL) {
            free(byhash);
            free(sorted);
            goto nomem;
        }
        u->nterm_slots = slots;
        for (uint32_t i = 0; i < nterms; i++)
            sorted[i] = u->terms[byhash[i].idx];
        for (uint32_t i = 0; i < nterms;) {
            uint32_t j = i;
            while (j < nterms && byhash[j].hash == byhash[i].hash)
                j++;
            uint32_t h = byhash[i].hash ? byhash[i].hash : 1, s = h & (slots - 1);
            while (u->term_slots[s].hash)
                s = (s + 1) & (slots - 1);
            u->term_slots[s].hash = h;
            u->term_slots[s].start = i;
            u->term_slots[s].n = j - i;
            i = j;
        }
        memcpy(u->terms, sorted, nterms * sizeof *sorted);
        free(byhash);
        free(sorted);
    }
    if (compile_automaton(u, part_off) < 0)
        goto nomem;
    free(part_off);
    u->patset.pats = u->pats;
    u->patset.uses = u->uses;
    u->patset.out_start = u->out_start;
    u->patset.out_pat = u->out_pat;
    u->compiled = 1;
    return SMTP_REPLY_OK;
nomem:
    free(part_off);
    set_error(err, "", 0, SMTP_REPLY_E_NOMEM, "out of memory%s", "");
    return SMTP_REPLY_E_NOMEM;
}

const struct smtp__uterm *smtp__user_term(const struct smtp_reply_rules *u, uint32_t hash)
{
    if (u == NULL || u->nterm_slots == 0)
        return NULL;
    uint32_t h = hash ? hash : 1, s = h & (u->nterm_slots - 1);
    while (u->term_slots[s].hash) {
        if (u->term_slots[s].hash == h)
            return &u->term_slots[s];
        s = (s + 1) & (u->nterm_slots - 1);
    }
    return NULL;
}

uint32_t smtp_reply_rules_count(const smtp_reply_rules *u)
{
    return u && u->compiled ? u->nrules : 0;
}

void smtp_reply_rules_free(smtp_reply_rules *u)
{
    if (u == NULL)
        return;
    for (uint32_t i = 0; i < u->nrows; i++)
        free_row(&u->rows[i]);
    for (uint32_t i = 0; i < u->nadvrows; i++)
        free_adv(&u->advrows[i]);
    free(u->rows);
    free(u->advrows);
    free(u->rules);
    free(u->conss);
    free(u->pool);
    free(u->edge_start);
    free(u->edge_byte);
    free(u->edge_to);
    free(u->fail);
    free(u->out_start);
    free(u->out_pat);
    free(u->pats);
    free(u->uses);
    free(u->concepts);
    free(u->term_slots);
    free(u->terms);
    free(u->disabled);
    free(u->advice);
    if (u->row_ids) {
        for (int k = 0; k < 2; k++)
            idset_free(&u->row_ids[k]);
        free(u->row_ids);
    }
    free(u);
}
