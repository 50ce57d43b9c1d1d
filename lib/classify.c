/*
 * classify.c - fold, match and decide.
 *
 * The reply's text (its line spans) is folded on the fly (ASCII lower case; the
 * case of two-byte Latin, Greek and Cyrillic letters and Latin accents; white
 * space runs as one space) and run through the Aho-Corasick automaton generated
 * from data/rules in one left-to-right pass.  Each completed rule match is
 * checked against the rule's code constraints and kept if it beats the best so
 * far (priority, then length, then table order).  Without a matching rule the
 * enhanced code's registry entry decides, then the basic code.
 *
 * All state lives on the stack in struct scan; nothing allocates.
 */
#include <string.h>

#include "internal.h"

#define RING 256u          /* > longest pattern part (gen-tables.py MAX_PART) */
#define MAX_PENDING 32u    /* matches waiting for their trailing \b check */
#define MAX_PROGRESS 32u   /* multi-part rules partly matched */
#define MAX_CANDS 16u      /* deciding matches kept for the cause rows (the strongest) */
#define NO_RULE 0xffffffffu
#define VIRTUAL 0x80000000u    /* offsets are below SMTP_REPLY_MAX_BYTES < 2^31 */

struct progress {
    uint32_t rule;
    uint32_t done;      /* parts matched so far */
    uint32_t start_off; /* input offset where part 0 started */
    uint64_t end_n;     /* fed index of the last matched part's end */
};

struct pending {
    uint32_t pat;
    uint64_t end_n;
};

struct pick {
    uint32_t rule;
    uint32_t prio;
    uint32_t off, len;
};

struct scan {
    const char *buf;
    size_t len;
    const smtp_reply *reply;
    int reply_class;           /* first digit of the basic code, else enhanced class, else 0 */
    uint64_t n;                /* bytes fed so far */
    uint8_t last;              /* class of the last byte fed */
    uint32_t ring_off[RING];   /* input offset of each recently fed byte; VIRTUAL marks the
                                  space that stands for a line break */
    uint32_t npending;
    struct pending pending[MAX_PENDING];
    uint32_t nprogress;
    struct progress progress[MAX_PROGRESS];
    struct pick best, provider, blocklist;
    struct pick side;          /* the best side row naming the sender's side or the client's host */
    uint32_t cause_from;       /* start of the first cause row's match ("because"), NO_RULE if none */
    uint32_t cause_at;         /* and its end */
    uint32_t ncands;
    struct pick cands[MAX_CANDS]; /* the strongest deciding matches, in any order: the one that
                                     decides after a cause row is among them, whether the cause
                                     row matched before it or after (a user row, scanned last) */
    int side_rcpt;             /* a side row naming the recipient's side matched */
    uint32_t delay;            /* seconds from a delay rule, 0 none */
    uint32_t delay_prio;
    uint32_t text_end;         /* end offset of the last text line */
    int context;               /* scanning wrapper text: only provider / block list count */
    const struct smtp__patset *ps;      /* the pattern parts being matched */
    const struct smtp_reply_rules *user; /* user rules, or NULL */
};

/* The built-in table's pattern parts. */
static const struct smtp__patset builtin_patset = {smtp__pats, smtp__uses, smtp__ac_out_start,
                                                   smtp__ac_out_pat};

/* Rule i: the built-in table's below smtp__nrules, the user object's above. */
static inline const struct smtp__rule *rule_at(const struct scan *sc, uint32_t i)
{
    return i < smtp__nrules ? &smtp__rules[i] : &sc->user->rules[i - smtp__nrules];
}

/* A string of rule i's table (its id, provider or block list), or NULL. */
static const char *rule_str(const struct scan *sc, uint32_t i, uint32_t off)
{
    if (i < smtp__nrules)
        return smtp__str(off);
    return off == SMTP__NOSTR ? NULL : sc->user->pool + off;
}

static int better(const struct pick *cur, uint32_t rule, uint32_t prio, uint32_t len)
{
    if (cur->rule == NO_RULE || prio > cur->prio)
        return 1;
    if (prio < cur->prio)
        return 0;
    /* a user rule beats a built-in rule of equal priority */
    if ((rule >= smtp__nrules) != (cur->rule >= smtp__nrules))
        return rule >= smtp__nrules;
    if (len != cur->len)
        return len > cur->len;
    return rule < cur->rule;
}

static int constraints_hold(const struct scan *sc, uint32_t ri, const struct smtp__rule *rule)
{
    const smtp_reply *r = sc->reply;
    const struct smtp__cons *conss = ri < smtp__nrules ? smtp__conss : sc->user->conss;
    int basic = !(rule->cons_kinds & (1u << SMTP__CONS_BASIC));
    int enh = !(rule->cons_kinds & (1u << SMTP__CONS_ENH));
    int stage = !(rule->cons_kinds & (1u << SMTP__CONS_STAGE));
    for (uint32_t i = 0; i < rule->ncons; i++) {
        const struct smtp__cons *c = &conss[rule->cons_start + i];
        switch (c->kind) {
        case SMTP__CONS_BASIC:
            if (r->code)
                basic |= r->code >= c->a && r->code <= c->b;
            else if (r->enhanced[0])
                basic |= r->enhanced[0] >= c->a / 100 && r->enhanced[0] <= c->b / 100;
            else
                /* no code at all: a class ("5xx") and "none" (0..0) pass, a
                 * code ("542") or a narrower range ("55x") does not */
                basic |= c->b - c->a >= 99 || c->b == 0;
            break;
        case SMTP__CONS_ENH:
            enh |= r->enhanced[0] && (c->a == 0 || c->a == r->enhanced[0]) &&
                   (c->b == SMTP__ANY || c->b == r->enhanced[1]) &&
                   (c->c == SMTP__ANY || c->c == r->enhanced[2]);
            break;
        case SMTP__CONS_STAGE:
            /* an unknown stage passes unless the constraint is strict ("@helo!");
             * @data covers the whole DATA phase, end of data included */
            if (r->stage == SMTP_REPLY_STAGE_UNKNOWN)
                stage |= c->b == 0;
            else
                stage |= c->a == r->stage ||
                         (c->a == SMTP_REPLY_STAGE_DATA && r->stage == SMTP_REPLY_STAGE_EOD);
            break;
        default:
            break;
        }
    }
    return basic && enh && stage;
}

/* Read "5 minutes" / "300s" / "1 hour" after a delay phrase ending at off. */
static uint32_t read_delay(const struct scan *sc, size_t off)
{
    const unsigned char *b = (const unsigned char *)sc->buf;
    size_t end = sc->text_end, p = off;
    uint64_t num = 0;
    size_t nd = 0;
    while (p < end && (b[p] == ' ' || b[p] == '\t'))
        p++;
    while (p < end && smtp__digit(b[p])) {
        if (num < 100000000u)
            num = num * 10 + (uint64_t)(b[p] - '0');
        p++;
        nd++;
    }
    if (nd == 0)
        return 0;
    while (p < end && (b[p] == ' ' || b[p] == '\t'))
        p++;
    char word[16];
    size_t wl = 0;
    while (p < end && smtp__word[b[p]] && !smtp__digit(b[p])) {
        if (wl >= sizeof word - 1)
            return 0;
        word[wl++] = (char)smtp__fold[b[p]];
        p++;
    }
    word[wl] = '\0';
    for (uint32_t i = 0; i < smtp__nunits; i++) {
        if (strcmp(smtp__str(smtp__units[i].word), word) == 0) {
            uint64_t s = num * smtp__units[i].seconds;
            return s > 0xffffffffu ? 0xffffffffu : (uint32_t)s;
        }
    }
    return 0;
}

static void consider(struct scan *sc, uint32_t ri, uint32_t off, uint32_t end_off)
{
    const struct smtp__rule *rule = rule_at(sc, ri);
    uint32_t len = end_off - off;
    if (sc->user && ri < smtp__nrules && (sc->user->disabled[ri / 8] >> (ri % 8) & 1u))
        return; /* disabled by the user rules */
    if (!constraints_hold(sc, ri, rule))
        return;
    if (rule->provider != SMTP__NOSTR && better(&sc->provider, ri, rule->priority, len))
        sc->provider = (struct pick){ri, rule->priority, off, len};
    if (rule->blocklist != SMTP__NOSTR && better(&sc->blocklist, ri, rule->priority, len))
        sc->blocklist = (struct pick){ri, rule->priority, off, len};
    if ((rule->options & SMTP__OPT_DELAY) && !sc->context &&
        (sc->delay == 0 || rule->priority > sc->delay_prio)) {
        uint32_t d = read_delay(sc, end_off);
        if (d) {
            sc->delay = d;
            sc->delay_prio = rule->priority;
        }
    }
    if ((rule->options & SMTP__OPT_CAUSE) && !sc->context) {
        if (sc->cause_at == NO_RULE) {
            sc->cause_from = off;
            sc->cause_at = end_off;
        }
        return;
    }
    if (rule->category == SMTP__NONE8 || sc->context)
        return;
    /* A 2xx/3xx reply is a success whatever its text says, unless the rule
     * was written for such codes. */
    if ((sc->reply_class == 2 || sc->reply_class == 3) &&
        !(rule->cons_kinds & (1u << SMTP__CONS_BASIC)))
        return;
    if (rule->options & SMTP__OPT_SIDE) {
        /* whose address failed: read after the decision (reattribute) */
        if (smtp__categories[rule->category].fault == SMTP_REPLY_FAULT_RECIPIENT)
            sc->side_rcpt = 1;
        else if (better(&sc->side, ri, rule->priority, len))
            sc->side = (struct pick){ri, rule->priority, off, len};
        return;
    }
    if (better(&sc->best, ri, rule->priority, len))
        sc->best = (struct pick){ri, rule->priority, off, len};
    struct pick p = {ri, rule->priority, off, len};
    if (sc->ncands < MAX_CANDS) {
        sc->cands[sc->ncands++] = p;
        return;
    }
    uint32_t worst = 0;
    for (uint32_t i = 1; i < MAX_CANDS; i++) /* the one every other beats */
        if (better(&sc->cands[i], sc->cands[worst].rule, sc->cands[worst].prio, sc->cands[worst].len))
            worst = i;
    if (better(&sc->cands[worst], ri, rule->priority, len))
        sc->cands[worst] = p;
}

/* The reason given after the first cause row ("rate limited because SPF
 * authentication didn't pass") decides over a phrase that ends before the cause
 * row, when that phrase is below smtp__cause_below and the reason is no weak
 * word and names another category.  A phrase that takes the cause row in says
 * the cause itself ("deferred due to excessive volume") and stays. */
static void apply_cause(struct scan *sc)
{
    if (sc->cause_at == NO_RULE || sc->best.rule == NO_RULE || sc->best.prio >= smtp__cause_below ||
        sc->best.off + sc->best.len > sc->cause_from)
        return;
    struct pick cause = {NO_RULE, 0, 0, 0};
    for (uint32_t i = 0; i < sc->ncands; i++) {
        const struct pick *c = &sc->cands[i];
        if (c->off >= sc->cause_at && better(&cause, c->rule, c->prio, c->len))
            cause = *c;
    }
    if (cause.rule != NO_RULE && cause.prio >= SMTP__WEAK_PRIORITY &&
        rule_at(sc, cause.rule)->category != rule_at(sc, sc->best.rule)->category)
        sc->best = cause;
}

/* A pattern part matched, ending at fed index end_n. */
static void emit(struct scan *sc, uint32_t pi, uint64_t end_n)
{
    const struct smtp__pat *pat = &sc->ps->pats[pi];
    uint64_t start_n = end_n + 1 - pat->len;
    uint32_t off = sc->ring_off[start_n % RING] & ~VIRTUAL;
    uint32_t end_off = (sc->ring_off[end_n % RING] & ~VIRTUAL) + 1;
    /* a two-byte letter folded to one ASCII letter ends one byte later */
    if (end_off < sc->len && ((unsigned char)sc->buf[end_off] & 0xc0) == 0x80)
        end_off++;
    if ((pat->bound & 1) && start_n > 0) {
        uint32_t prev = sc->ring_off[(start_n - 1) % RING];
        if (!(prev & VIRTUAL) && smtp__word[(unsigned char)sc->buf[prev]])
            return;
    }
    for (uint32_t u = 0; u < pat->nuse; u++) {
        const struct smtp__use *use = &sc->ps->uses[pat->use_start + u];
        const struct smtp__rule *rule = rule_at(sc, use->rule);
        if (rule->nparts == 1) {
            consider(sc, use->rule, off, end_off);
            continue;
        }
        struct progress *pr = NULL;
        for (uint32_t i = 0; i < sc->nprogress; i++) {
            if (sc->progress[i].rule == use->rule) {
                pr = &sc->progress[i];
                break;
            }
        }
        if (use->part == 0) {
            if (pr == NULL && sc->nprogress < MAX_PROGRESS)
                sc->progress[sc->nprogress++] = (struct progress){use->rule, 1, off, end_n};
            continue;
        }
        if (pr && pr->done == use->part && start_n > pr->end_n) {
            pr->done++;
            pr->end_n = end_n;
            if (pr->done == rule->nparts)
                consider(sc, use->rule, pr->start_off, end_off);
        }
    }
}

static void flush_pending(struct scan *sc, int boundary)
{
    for (uint32_t i = 0; boundary && i < sc->npending; i++)
        emit(sc, sc->pending[i].pat, sc->pending[i].end_n);
    sc->npending = 0;
}

/* The further edges of node nd (state s), after its first: NULL when none. */
static inline const struct smtp__edge *more_edges(const struct smtp__node *nd, uint32_t s)
{
    return &smtp__ac_edges[smtp__ac_edge_base[s >> SMTP__AC_EDGE_SHIFT] + nd->more - 1u];
}

/* A step on a class without a dense column (a byte >= 0x80): the goto edges,
 * then the fail links, down to the root, whose row for these classes is
 * smtp__ac_root_wide. */
/* The goto edge of state s on class c: 1 and its target in *to, or 0 (then
 * the caller follows s's fail link).  A deep state's first child is the next
 * state (gen-tables.py numbers them so): that step does not wait for a load;
 * a shallow state's cls0 is 0, never a class fed here. */
static inline int goto_edge(const struct smtp__node *nd, uint32_t s, uint8_t c, uint32_t *to)
{
    if (nd->cls0 == c) {
        *to = s + 1;
        return 1;
    }
    if (nd->more)
        for (const struct smtp__edge *e = more_edges(nd, s);; e++) {
            if (e->cls == c) {
                *to = e->to;
                return 1;
            }
            if (e->last)
                break;
        }
    return 0;
}

static uint32_t step_wide(uint32_t s, uint8_t c)
{
    while (s != 0) {
        const struct smtp__node *nd = &smtp__ac_nodes[s];
        uint32_t to;
        if (goto_edge(nd, s, c, &to))
            return to;
        s = nd->fail;
    }
    return smtp__ac_root_wide[c - SMTP__AC_NDCLASSES];
}

/* One automaton step from state s on the class c of an ASCII byte (a class
 * with a dense column); returns the next state. */
static inline uint32_t step_ascii(uint32_t s, uint8_t c)
{
    while (s >= SMTP__AC_NDENSE) {
        const struct smtp__node *nd = &smtp__ac_nodes[s];
        uint32_t to;
        if (goto_edge(nd, s, c, &to))
            return to;
        s = nd->fail;
    }
    return smtp__ac_dense[(size_t)s * SMTP__AC_NDCLASSES + c];
}

/* One automaton step from state s on any class c. */
static inline uint32_t step(uint32_t s, uint8_t c)
{
    return c < SMTP__AC_NDCLASSES ? step_ascii(s, c) : step_wide(s, c);
}

/* Outputs of output number k (the built-in automaton's smtp__ac_out_id of the
 * state, the user automaton's state) reached at fed index n: patterns that need
 * a word boundary after them wait for the next byte. */
static inline void outputs_of(struct scan *sc, const struct smtp__patset *ps, uint32_t k, uint64_t n)
{
    for (uint32_t a = ps->out_start[k], z = ps->out_start[k + 1]; a < z; a++) {
        uint32_t pi = ps->out_pat[a];
        if (ps->pats[pi].bound & 2) {
            if (sc->npending < MAX_PENDING)
                sc->pending[sc->npending++] = (struct pending){pi, n};
        } else {
            emit(sc, pi, n);
        }
    }
}

/* The built-in automaton's outputs (the hot path: its tables, not a pointer) and
 * the user automaton's. */
static void outputs(struct scan *sc, uint32_t k, uint64_t n) { outputs_of(sc, &builtin_patset, k, n); }
static void user_outputs(struct scan *sc, uint32_t s, uint64_t n) { outputs_of(sc, sc->ps, s, n); }

/* Feed one class (input offset at, VIRTUAL for a byte that stands for another)
 * through the automaton from state s: the body of feed_span's loop. */
#define FEED(STEP, c, at)                                          \
    do {                                                           \
        last = (c);                                                \
        if (pending) {                                             \
            sc->n = n;                                             \
            flush_pending(sc, !smtp__cls_word[last]);              \
            pending = 0;                                           \
        }                                                          \
        ring_off[n % RING] = (at);                                 \
        s = STEP(s, last);                                         \
        if (smtp__ac_out_id[s]) {                                  \
            sc->n = n + 1;                                         \
            outputs(sc, smtp__ac_out_id[s], n);                    \
            pending = sc->npending;                                \
        }                                                          \
        n++;                                                       \
    } while (0)

/* Feed the bytes buf[off, end) through the automaton from state s, folding
 * them on the way (a leading space stands for a line break when join is set).
 * The hot loop of the library: an ASCII byte takes the short path, everything
 * rare is out of it. */
static uint32_t feed_span(struct scan *sc, uint32_t s, size_t off, size_t end, int join)
{
    const unsigned char *b = (const unsigned char *)sc->buf;
    uint64_t n = sc->n;
    uint8_t last = sc->last;          /* class of the last byte fed */
    uint32_t pending = sc->npending;
    const uint8_t sp = SMTP__AC_CLS_SPACE;
    uint32_t *ring_off = sc->ring_off;
    /* the line break before this line counts as one space */
    if (join && last != sp)
        FEED(step_ascii, sp, (uint32_t)off | VIRTUAL);
    for (size_t i = off; i < end;) {
        /* the short path: ASCII bytes while no match waits for its \b check */
        for (; i < end && !pending; i++) {
            unsigned ch = b[i];
            uint8_t c = smtp__cls[ch];
            if (ch >= 0x80)
                break;
            if (c == sp && last == sp)
                continue;
            last = c;
            ring_off[n % RING] = (uint32_t)i;
            s = step_ascii(s, c);
            uint32_t k = smtp__ac_out_id[s];
            if (SMTP__RARELY(k)) {
                sc->n = n + 1;
                outputs(sc, k, n);
                pending = sc->npending;
            }
            n++;
        }
        if (i >= end)
            break;
        uint32_t at = (uint32_t)i;
        uint8_t c = smtp__cls[b[i++]];
        /* a two-byte letter that folds (É -> e, İ -> i, П -> п): see
         * smtp__fold2; a letter that folds to another two-byte letter
         * feeds its second byte as a virtual one.  A lone byte >= 0xC0
         * is read as ISO-8859-1 (smtp__fold1). */
        uint8_t vc = 0;       /* the second letter of a fold to two, fed after c */
        uint32_t vat = 0;
        int virt = 0;
        if (b[at] >= 0xc0) {
            if (i < end && (b[i] & 0xc0) == 0x80) {
                if ((unsigned)(b[at] - SMTP__FOLD2_LEAD0) < SMTP__FOLD2_NLEADS) {
                    uint16_t m = smtp__fold2[(b[at] - SMTP__FOLD2_LEAD0) * 64u + (b[i] & 0x3fu)];
                    if (m) {
                        if (m < 0x100) {
                            c = smtp__cls[m];
                        } else {
                            c = smtp__cls[m >> 8];
                            vc = smtp__cls[m & 0xff];
                            vat = (uint32_t)i;
                            virt = 1;
                        }
                        i++;
                    }
                }
            } else if (smtp__fold1[b[at] - 0xc0]) {
                /* not UTF-8: an ISO-8859-1 letter (0xE9 'é' -> 'e') */
                c = smtp__cls[smtp__fold1[b[at] - 0xc0]];
            }
        }
        if (c == sp && last == sp)
            continue;
        FEED(step, c, at);
        if (virt)
            FEED(step, vc, vat);
    }
    sc->n = n;
    sc->last = last;
    return s;
}
#undef FEED

/* Feed a separate region of the input, starting from the automaton's root. */
static void feed_region(struct scan *sc, size_t off, size_t l)
{
    if (sc->npending)
        flush_pending(sc, 1);
    sc->last = smtp__cls[' '];
    feed_span(sc, 0, off, off + l, 0);
}

/* One step of a user rules automaton over folded bytes: its goto edges
 * (sorted by byte), then its fail links. */
static uint32_t user_step(const struct smtp_reply_rules *u, uint32_t s, uint8_t c)
{
    for (;;) {
        uint32_t a = u->edge_start[s], z = u->edge_start[s + 1];
        while (a < z) {
            uint32_t mid = a + (z - a) / 2;
            if (u->edge_byte[mid] == c)
                return u->edge_to[mid];
            if (u->edge_byte[mid] < c)
                a = mid + 1;
            else
                z = mid;
        }
        if (s == 0)
            return 0;
        s = u->fail[s];
    }
}

/* Feed buf[off, end) through the user automaton, folded as feed_span folds it
 * (the same letters, one space for a run of white space or a line break). */
static uint32_t feed_user(struct scan *sc, uint32_t s, size_t off, size_t end, int join)
{
    const struct smtp_reply_rules *u = sc->user;
    const unsigned char *b = (const unsigned char *)sc->buf;
    size_t i = off;
    uint8_t q[3];
    uint32_t qat[3];
    int qn = 0;
    if (join && sc->last != ' ') {
        q[qn] = ' ';
        qat[qn++] = (uint32_t)off | VIRTUAL;
    }
    for (;;) {
        if (qn == 0) {
            if (i >= end)
                break;
            uint8_t c = b[i];
            qat[0] = (uint32_t)i++;
            q[0] = smtp__fold[c];
            qn = 1;
            if (c >= 0xc0) {
                if (i < end && (b[i] & 0xc0) == 0x80) {
                    uint16_t m = 0;
                    if ((unsigned)(c - SMTP__FOLD2_LEAD0) < SMTP__FOLD2_NLEADS)
                        m = smtp__fold2[(c - SMTP__FOLD2_LEAD0) * 64u + (b[i] & 0x3fu)];
                    if (m && m < 0x100) {
                        q[0] = (uint8_t)m;
                    } else {
                        q[0] = m ? (uint8_t)(m >> 8) : c;
                        q[1] = m ? (uint8_t)(m & 0xff) : b[i];
                        qat[1] = (uint32_t)i;
                        qn = 2;
                    }
                    i++;
                } else if (smtp__fold1[c - 0xc0]) {
                    q[0] = smtp__fold1[c - 0xc0];
                }
            }
            /* deliver in order: q[0] first */
            if (qn == 2) {
                q[2] = q[0], qat[2] = qat[0];
                q[0] = q[1], qat[0] = qat[1];
                q[1] = q[2], qat[1] = qat[2];
            }
        }
        uint8_t c = q[qn - 1];
        uint32_t at = qat[qn - 1];
        qn--;
        if (c == ' ' && sc->last == ' ')
            continue;
        sc->last = c;
        if (sc->npending)
            flush_pending(sc, !smtp__word[c]);
        sc->ring_off[sc->n % RING] = at;
        s = user_step(u, s, c);
        if (u->out_start[s + 1] > u->out_start[s]) {
            sc->n++;
            user_outputs(sc, s, sc->n - 1);
        } else {
            sc->n++;
        }
    }
    return s;
}

/* The user rules' pass over the same text and wrapper regions. */
static void scan_user(struct scan *sc)
{
    const smtp_reply *reply = sc->reply;
    sc->ps = &sc->user->patset;
    sc->n = 0;
    sc->npending = 0;
    sc->nprogress = 0;
    sc->last = ' ';
    sc->context = 0;
    uint32_t s = 0;
    for (uint32_t i = 0; i < reply->nstored; i++) {
        size_t off = reply->line[i].off, l = reply->line[i].len;
        if (l == 0 || off > sc->len || l > sc->len - off)
            continue;
        s = feed_user(sc, s, off, off + l, sc->n > 0);
    }
    flush_pending(sc, 1);
    if (reply->flags & SMTP_REPLY_F_UNWRAPPED) {
        size_t ro = reply->reply.off, re = (size_t)reply->reply.off + reply->reply.len;
        sc->context = 1;
        if (ro <= sc->len && re <= sc->len) {
            sc->last = ' ';
            feed_user(sc, 0, 0, ro, 0);
            flush_pending(sc, 1);
            sc->last = ' ';
            feed_user(sc, 0, re, sc->len, 0);
        }
        flush_pending(sc, 1);
        sc->context = 0;
    }
    sc->ps = &builtin_patset;
}

static const struct smtp__enh *find_enh(unsigned subject, unsigned detail)
{
    uint32_t lo = 0, hi = smtp__nenh;
    uint32_t key = subject << 16 | detail;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint32_t k = (uint32_t)smtp__enh[mid].subject << 16 | smtp__enh[mid].detail;
        if (k == key)
            return &smtp__enh[mid];
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const struct smtp__basic *find_basic(int code)
{
    uint32_t lo = 0, hi = smtp__nbasic;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (smtp__basic[mid].code == code)
            return &smtp__basic[mid];
        if (smtp__basic[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *smtp_reply_enhanced_title(int cls, int subject, int detail)
{
    if (cls != 2 && cls != 4 && cls != 5)
        return NULL;
    if (subject < 0 || subject > 999 || detail < 0 || detail > 999)
        return NULL;
    const struct smtp__enh *e = find_enh((unsigned)subject, (unsigned)detail);
    return e ? smtp__str(e->title) : NULL;
}

static void reset_result(smtp_reply_result *res)
{
    memset(res, 0, sizeof *res);
    res->category = SMTP_REPLY_CAT_UNKNOWN;
    res->rule_id = "none";
    res->advice_index = smtp__categories[SMTP_REPLY_CAT_UNKNOWN].advice;
}

static int perm_of_class(int cls)
{
    switch (cls) {
    case 2:
    case 3:
        return SMTP_REPLY_PERM_SUCCESS;
    case 4:
        return SMTP_REPLY_PERM_TRANSIENT;
    case 5:
        return SMTP_REPLY_PERM_PERMANENT;
    default:
        return SMTP_REPLY_PERM_UNKNOWN;
    }
}

/* The enhanced code's registry entry when it can explain a failure: an entry
 * that says nothing, or says "success" for a 4.x.x/5.x.x code (X.1.5
 * "destination address valid"), cannot. */
const struct smtp__enh *smtp__failure_entry(const smtp_reply *reply)
{
    if (reply->enhanced[0] != 4 && reply->enhanced[0] != 5)
        return NULL;
    const struct smtp__enh *e = find_enh(reply->enhanced[1], reply->enhanced[2]);
    if (e == NULL || e->category == SMTP_REPLY_CAT_UNKNOWN)
        e = find_enh(reply->enhanced[1], 0);
    if (e && (e->category == SMTP_REPLY_CAT_UNKNOWN || e->category == SMTP_REPLY_CAT_SUCCESS))
        return NULL;
    return e;
}

static void decide_by_pick(const struct scan *sc, const struct pick *p, smtp_reply_result *res)
{
    const struct smtp__rule *rule = rule_at(sc, p->rule);
    res->category = rule->category;
    res->evidence = rule->provider != SMTP__NOSTR ? SMTP_REPLY_EVIDENCE_PROVIDER_RULE
                                                  : SMTP_REPLY_EVIDENCE_TEXT_PHRASE;
    res->rule_id = rule_str(sc, p->rule, rule->id);
    res->match.off = p->off;
    res->match.len = p->len;
    res->advice_index = rule->advice;
}

/* Step 5b: a failure put on the recipient ("no MX", "invalid address") whose
 * text says the address or host is the sender's ("for your FROM address", "in
 * HELO", "while verifying"), and never the recipient's, is the side row's
 * category instead; the side row is then the deciding rule. */
static const struct smtp__rule *reattribute(const struct scan *sc, const struct smtp__rule *rule,
                                            smtp_reply_result *res)
{
    if (sc->side.rule == NO_RULE || sc->side_rcpt ||
        smtp__categories[res->category].fault != SMTP_REPLY_FAULT_RECIPIENT)
        return rule;
    decide_by_pick(sc, &sc->side, res);
    return rule_at(sc, sc->side.rule);
}

/* Decide the category (data/README.md, "Priority: which rule wins"):
 *   1. a matching rule (a weak single-word one only when the enhanced code has
 *      nothing to say);
 *   2. the word model, when its best category leads by the table's margin and
 *      a word (not only the codes) speaks for it;
 *   3. the enhanced code's registry entry, then the basic code's.
 * Fills the category, evidence, rule id, match span and advice of *res and
 * returns the deciding rule, or NULL. */
static const struct smtp__rule *decide(const char *buf, size_t len, const smtp_reply *reply,
                                       struct scan *sc, struct smtp__model_out *mp,
                                       smtp_reply_result *res)
{
    uint32_t best = sc->best.rule;
    int weak = best != NO_RULE && (*rule_at(sc, best)).priority < SMTP__WEAK_PRIORITY;
    int words_ok = sc->reply_class == 4 || sc->reply_class == 5 || sc->reply_class == 0;
    struct smtp__model_out local;
    struct smtp__model_out *mm = mp ? mp : &local;
#define m (*mm)
    if (best != NO_RULE && !weak) {
        /* a generic phrase ("not allowed", "access denied") gives way when the
         * other words of the reply say something else clearly */
        if (words_ok && (*rule_at(sc, best)).priority < smtp__model_yield_below) {
            if (!mp)
                smtp__model(buf, len, reply, NULL, sc->user, &m);
        }
        if (words_ok && (*rule_at(sc, best)).priority < smtp__model_yield_below &&
            m.category != (*rule_at(sc, best)).category && m.margin >= smtp__model_margin) {
            /* only then ask what the words beside the phrase say */
            smtp_reply_span span = {sc->best.off, sc->best.len};
            struct smtp__model_out rest;
            smtp__model(buf, len, reply, &span, NULL, &rest);
            /* the words beside the phrase, and the model as a whole, agree on
             * another category, clearly */
            if (rest.category != (*rule_at(sc, best)).category && rest.category == m.category &&
                m.margin >= smtp__model_margin &&
                rest.margin >= smtp__model_yield_margin && rest.word.len > 0 &&
                rest.category != SMTP_REPLY_CAT_UNKNOWN && rest.category != SMTP_REPLY_CAT_SUCCESS) {
                res->category = rest.category;
                res->evidence = SMTP_REPLY_EVIDENCE_WORDS;
                res->rule_id = "words";
                res->match = rest.word;
                res->advice_index = smtp__categories[res->category].advice;
                return NULL;
            }
        }
        decide_by_pick(sc, &sc->best, res);
        return rule_at(sc, best);
    }
    const struct smtp__enh *enh_entry = smtp__failure_entry(reply);
    /* class 2 means success only when the basic code agrees (or is absent):
     * "550 2.0.0 ..." is a failure with a confused enhanced code */
    if (reply->enhanced[0] == 2 && (reply->code == 0 || reply->code < 400)) {
        const struct smtp__enh *e = find_enh(reply->enhanced[1], reply->enhanced[2]);
        res->category = SMTP_REPLY_CAT_SUCCESS;
        res->evidence = SMTP_REPLY_EVIDENCE_ENHANCED_CODE;
        res->rule_id = e ? smtp__str(e->id) : "enhanced-class-2";
        res->match = reply->enhanced_span;
        res->advice_index = smtp__categories[res->category].advice;
        return NULL;
    }
    /* the words, for a failure or a reply without a code */
    if (words_ok) {
        if (!mp)
            smtp__model(buf, len, reply, NULL, sc->user, &m);
        /* a vague code (an enhanced code marked vague, "5.7.1", sent with
         * refusals of every kind; with vague_basic, a basic code alone) is a
         * last resort: the words need less to decide against it */
        int vague = enh_entry ? enh_entry->vague : smtp__model_vague_basic;
        if (m.margin >= (vague ? smtp__model_vague_margin : smtp__model_margin) && m.word.len > 0 &&
            m.wscore[m.category] >= (vague ? smtp__model_vague_min_words : smtp__model_min_words) &&
            m.category != SMTP_REPLY_CAT_UNKNOWN &&
            (m.category != SMTP_REPLY_CAT_SUCCESS || sc->reply_class == 0)) {
            if (weak && !enh_entry && m.category != (*rule_at(sc, best)).category &&
                m.margin < smtp__model_yield_margin) {
                /* a weak word that the words around it do not clearly contradict */
                decide_by_pick(sc, &sc->best, res);
                return rule_at(sc, best);
            }
            if (enh_entry && enh_entry->category == m.category) {
                /* the words agree with the enhanced code: the code is the
                 * stronger evidence */
                res->category = enh_entry->category;
                res->evidence = SMTP_REPLY_EVIDENCE_ENHANCED_CODE;
                res->rule_id = smtp__str(enh_entry->id);
                res->match = reply->enhanced_span;
            } else if (weak && (*rule_at(sc, best)).category == m.category) {
                decide_by_pick(sc, &sc->best, res);
                return rule_at(sc, best);
            } else {
                res->category = m.category;
                res->evidence = SMTP_REPLY_EVIDENCE_WORDS;
                res->rule_id = "words";
                res->match = m.word;
            }
            res->advice_index = smtp__categories[res->category].advice;
            return NULL;
        }
    }
    /* a weak single-word rule ("rejected", "blocked") does not override an
     * enhanced code that says more */
    if (weak && !enh_entry) {
        decide_by_pick(sc, &sc->best, res);
        return rule_at(sc, best);
    }
    if (enh_entry) {
        res->category = enh_entry->category;
        res->evidence = SMTP_REPLY_EVIDENCE_ENHANCED_CODE;
        res->rule_id = smtp__str(enh_entry->id);
        res->match = reply->enhanced_span;
    } else if (reply->code) {
        const struct smtp__basic *bc = find_basic(reply->code);
        res->evidence = SMTP_REPLY_EVIDENCE_BASIC_CODE;
        res->match = reply->code_span;
        if (reply->code < 400) {
            res->category = SMTP_REPLY_CAT_SUCCESS;
            res->rule_id = bc ? smtp__str(bc->id) : "basic-class-2";
        } else if (bc) {
            res->category = bc->category;
            res->rule_id = smtp__str(bc->id);
        } else {
            res->rule_id = reply->code < 500 ? "basic-class-4" : "basic-class-5";
        }
    }
    res->advice_index = smtp__categories[res->category].advice;
    return NULL;
#undef m
}

/* Step 3 of README "How a reply is classified": every phrase of the reply's
 * text (its lines, joined by a space) through the built-in automaton, the
 * wrapper around an unwrapped reply for its provider and block list only, then
 * the user rules' automaton. */
static void scan_phrases(struct scan *sc)
{
    const smtp_reply *reply = sc->reply;
    size_t len = sc->len;
    uint32_t s = 0;
    for (uint32_t i = 0; i < reply->nstored; i++) {
        size_t off = reply->line[i].off, l = reply->line[i].len;
        if (l == 0 || off > len || l > len - off)
            continue; /* a span outside the buffer: not from this buffer's parse */
        /* the line break between two lines counts as one space */
        sc->text_end = (uint32_t)(off + l);
        s = feed_span(sc, s, off, off + l, sc->n > 0);
    }
    flush_pending(sc, 1);
    /* The wrapper around an unwrapped reply ("host mx.zoho.com[...] said:")
     * can name the provider or block list, but never decides the category. */
    if (reply->flags & SMTP_REPLY_F_UNWRAPPED) {
        size_t ro = reply->reply.off, re = (size_t)reply->reply.off + reply->reply.len;
        sc->context = 1;
        if (ro <= len && re <= len) {
            feed_region(sc, 0, ro);
            feed_region(sc, re, len - re);
        }
        flush_pending(sc, 1);
        sc->context = 0;
    }
    if (sc->user && sc->user->npats)
        scan_user(sc);
}

/* Step 4: the word pass (words.c) gives the concept rules and the model that
 * decide() may need; it runs only when a concept rule or the model can still
 * change the outcome.  Returns words, or NULL when it did not run. */
static struct smtp__model_out *scan_words(struct scan *sc, struct smtp__model_out *words)
{
    uint32_t top = smtp__concept_top_priority > smtp__model_yield_below ? smtp__concept_top_priority
                                                                         : smtp__model_yield_below;
    if (sc->user && sc->user->top_priority >= top)
        top = sc->user->top_priority + 1;
    if (!(sc->reply_class == 4 || sc->reply_class == 5 || sc->reply_class == 0) ||
        (sc->best.rule != NO_RULE && rule_at(sc, sc->best.rule)->priority >= top))
        return NULL;
    smtp__model(sc->buf, sc->len, sc->reply, NULL, sc->user, words);
    for (uint32_t i = 0; i < words->nhits; i++)
        consider(sc, words->hits[i].rule, words->hits[i].span.off,
                 words->hits[i].span.off + words->hits[i].span.len);
    return words;
}

/* What the reply's wrapper named beside the reply (lib/unwrap.c, issue 12): the
 * recipient address travels with the verdict.  Kept apart from the classifier. */
static void copy_wrapper_fields(const smtp_reply *reply, smtp_reply_result *res)
{
    res->recipient = reply->recipient;
}

/* Step 6: the permanence, the verdicts and what the result names besides the
 * category. */
static void verdicts(const struct scan *sc, const struct smtp__rule *rule, smtp_reply_result *res)
{
    const smtp_reply *reply = sc->reply;
    const struct smtp__category *cat = &smtp__categories[res->category];
    int perm;
    if (rule && rule->perm != SMTP__NONE8)
        perm = rule->perm;
    else if (reply->code)
        perm = perm_of_class(reply->code / 100);
    else if (reply->enhanced[0])
        perm = perm_of_class(reply->enhanced[0]);
    else
        perm = cat->default_perm;
    res->permanence = perm;
    if (perm == SMTP_REPLY_PERM_SUCCESS) {
        res->recipient_action = SMTP_REPLY_RCPT_KEEP;
        res->message_action = SMTP_REPLY_MSG_NONE;
        res->fault = SMTP_REPLY_FAULT_NONE;
    } else {
        int permanent = perm == SMTP_REPLY_PERM_PERMANENT;
        res->recipient_action = permanent ? cat->perm_rcpt : cat->temp_rcpt;
        res->message_action = permanent ? cat->perm_msg : cat->temp_msg;
        res->fault = cat->fault;
    }
    if (rule) {
        if (rule->rcpt != SMTP__NONE8)
            res->recipient_action = rule->rcpt;
        if (rule->msg != SMTP__NONE8)
            res->message_action = rule->msg;
        if (rule->fault != SMTP__NONE8)
            res->fault = rule->fault;
    }
    /* weak evidence never tells a sender to drop an address: the basic code
     * alone, the word model, or a concept rule (words in any order) say
     * `review` at most */
    if ((res->evidence == SMTP_REPLY_EVIDENCE_BASIC_CODE || res->evidence == SMTP_REPLY_EVIDENCE_WORDS ||
         (rule && (rule->options & SMTP__OPT_CONCEPT))) &&
        res->recipient_action == SMTP_REPLY_RCPT_SUPPRESS)
        res->recipient_action = SMTP_REPLY_RCPT_REVIEW;
    /* a phrase that does not say whose address failed ("550 Address
     * rejected") drops the address only when the reply names the recipient
     * otherwise: a recipient side row in its text, an enhanced code about the
     * recipient's address (X.1.1, not X.1.0), or the RCPT stage */
    if (rule && (rule->options & SMTP__OPT_AMBIGUOUS) &&
        res->recipient_action == SMTP_REPLY_RCPT_SUPPRESS && !sc->side_rcpt &&
        reply->stage != SMTP_REPLY_STAGE_RCPT) {
        const struct smtp__enh *e = smtp__failure_entry(reply);
        if (!e || smtp__categories[e->category].fault != SMTP_REPLY_FAULT_RECIPIENT)
            res->recipient_action = SMTP_REPLY_RCPT_REVIEW;
    }
    if (sc->delay)
        res->retry_after = sc->delay;
    else if (rule && rule->retry)
        res->retry_after = rule->retry;
    if (sc->provider.rule != NO_RULE)
        res->provider = rule_str(sc, sc->provider.rule, rule_at(sc, sc->provider.rule)->provider);
    if (sc->blocklist.rule != NO_RULE)
        res->blocklist = rule_str(sc, sc->blocklist.rule, rule_at(sc, sc->blocklist.rule)->blocklist);
    res->code = reply->code;
    memcpy(res->enhanced, reply->enhanced, sizeof res->enhanced);
    res->flags = reply->flags;
    res->stage = reply->stage;
    copy_wrapper_fields(reply, res);
    if (reply->enhanced[0])
        res->enhanced_title = smtp_reply_enhanced_title(reply->enhanced[0], reply->enhanced[1],
                                                        reply->enhanced[2]);
}

static int classify_impl(const struct smtp_reply_rules *user, const char *buf, size_t len,
                         const smtp_reply *reply, smtp_reply_result *res)
{
    if (res == NULL)
        return SMTP_REPLY_E_NULL;
    reset_result(res);
    if (user && !user->compiled)
        return SMTP_REPLY_E_RULES;
    if (user && !user->active)
        user = NULL; /* an empty object: the built-in path, at its cost */
    if (reply == NULL || (buf == NULL && len > 0))
        return SMTP_REPLY_E_NULL;
    if (reply->nstored > SMTP_REPLY_MAX_LINES)
        return SMTP_REPLY_E_NOT_PARSED;
    if (reply->code == 0 && reply->enhanced[0] == 0 && reply->nstored == 0)
        return SMTP_REPLY_E_NOT_PARSED;

    struct scan sc;
    sc.buf = buf;
    sc.len = len;
    sc.reply = reply;
    sc.reply_class = reply->code ? reply->code / 100 : reply->enhanced[0];
    sc.n = 0;
    sc.last = smtp__cls[' '];
    sc.npending = 0;
    sc.nprogress = 0;
    sc.best = sc.provider = sc.blocklist = sc.side = (struct pick){NO_RULE, 0, 0, 0};
    sc.ncands = 0;
    sc.cause_from = sc.cause_at = NO_RULE;
    sc.side_rcpt = 0;
    sc.delay = sc.delay_prio = 0;
    sc.text_end = 0;
    sc.context = 0;
    sc.ps = &builtin_patset;
    sc.user = user;

    struct smtp__model_out words;
    scan_phrases(&sc);
    struct smtp__model_out *wp = scan_words(&sc, &words);
    apply_cause(&sc);
    const struct smtp__rule *rule = decide(buf, len, reply, &sc, wp, res);
    rule = reattribute(&sc, rule, res);
    verdicts(&sc, rule, res);
    return SMTP_REPLY_OK;
}

int smtp_reply_classify(const char *buf, size_t len, const smtp_reply *reply,
                        smtp_reply_result *res)
{
    return classify_impl(NULL, buf, len, reply, res);
}

int smtp_reply_classify_with(const smtp_reply_rules *rules, const char *buf, size_t len,
                             const smtp_reply *reply, smtp_reply_result *res)
{
    return classify_impl(rules, buf, len, reply, res);
}

int smtp_reply_classify_buf(const char *buf, size_t len, smtp_reply *reply,
                            smtp_reply_result *res)
{
    smtp_reply local;
    smtp_reply *r = reply ? reply : &local;
    if (res == NULL)
        return SMTP_REPLY_E_NULL;
    int rc = smtp_reply_parse(buf, len, 0, r);
    if (rc != SMTP_REPLY_OK) {
        reset_result(res);
        return rc;
    }
    return smtp_reply_classify(buf, len, r, res);
}
