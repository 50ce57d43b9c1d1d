/*
 * group.c - smtpreply --group (see group.h and smtpreply(1), GROUPS).
 *
 * Each record's template comes from smtp_reply_fingerprint on its parse, or from
 * smtp_reply_fingerprint_raw on its bytes when it did not parse.  Groups are
 * found by the template's 64-bit hash in an open-addressing table of twice
 * their maximum number (the stored template is compared too, so two templates
 * whose hashes collide stay apart).  The first record of a group is its example:
 * its category, evidence, rule and bytes are kept; later records only count,
 * and count as "differing" when their category is another.
 */
#include "group.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

struct group {
    uint64_t hash;
    unsigned long long count, differing, first; /* first: the example's record number */
    char *tmpl, *example;
    size_t tmpl_len, tmpl_full, example_len, example_full;
    int status, category, evidence;
    const char *rule;
};

static struct {
    struct group *v;
    size_t n, vcap, max;
    uint32_t *slot; /* index + 1 of a group, 0 when empty */
    size_t nslots;  /* a power of two, at least 2 * max */
    unsigned long long records, dropped, cut;
    char tmpl[GROUP_TEMPLATE_KEEP + 1];
} g;

void group_init(size_t max_groups)
{
    memset(&g, 0, sizeof g);
    g.max = max_groups;
    g.nslots = 16;
    while (g.nslots < 2 * max_groups)
        g.nslots *= 2;
    g.slot = calloc(g.nslots, sizeof *g.slot);
    if (g.slot == NULL)
        out_of_memory();
}

static char *keep(const char *p, size_t n)
{
    char *c = malloc(n + 1);
    if (c == NULL)
        out_of_memory();
    memcpy(c, p, n);
    c[n] = '\0';
    return c;
}

void group_add(const char *in, size_t inlen, const char *buf, size_t len, int status,
               const smtp_reply *r, const smtp_reply_result *res)
{
    size_t tl = 0;
    uint64_t h = 0;
    int ok = status == SMTP_REPLY_OK &&
             smtp_reply_fingerprint(buf, len, r, g.tmpl, sizeof g.tmpl, &tl, &h) == SMTP_REPLY_OK;
    if (!ok && smtp_reply_fingerprint_raw(in, inlen, g.tmpl, sizeof g.tmpl, &tl, &h) != SMTP_REPLY_OK)
        return; /* not reached: only NULL pointers fail */
    size_t stored = tl < sizeof g.tmpl ? tl : sizeof g.tmpl - 1;
    int category = status == SMTP_REPLY_OK ? res->category : SMTP_REPLY_CAT_UNKNOWN;
    g.records++;

    size_t i = (size_t)(h ^ (h >> 29)) & (g.nslots - 1);
    for (; g.slot[i]; i = (i + 1) & (g.nslots - 1)) {
        struct group *x = &g.v[g.slot[i] - 1];
        if (x->hash == h && x->tmpl_full == tl && x->tmpl_len == stored &&
            memcmp(x->tmpl, g.tmpl, stored) == 0) {
            x->count++;
            x->differing += category != x->category;
            return;
        }
    }
    if (g.n == g.max) {
        g.dropped++;
        return;
    }
    g.v = out_grow(g.v, &g.vcap, g.n + 1, sizeof *g.v, 1024);
    struct group *x = &g.v[g.n++];
    size_t ex = inlen < GROUP_EXAMPLE_KEEP ? inlen : GROUP_EXAMPLE_KEEP;
    *x = (struct group){
        .hash = h, .count = 1, .first = g.records,
        .tmpl = keep(g.tmpl, stored), .tmpl_len = stored, .tmpl_full = tl,
        .example = keep(in, ex), .example_len = ex, .example_full = inlen,
        .status = status, .category = category,
        .evidence = status == SMTP_REPLY_OK ? res->evidence : SMTP_REPLY_EVIDENCE_NONE,
        .rule = status == SMTP_REPLY_OK ? res->rule_id : NULL,
    };
    g.slot[i] = (uint32_t)g.n;
}

/* Decided by the code alone, by the word model, or by nothing. */
static int weak(const struct group *x)
{
    return x->status != SMTP_REPLY_OK || x->category == SMTP_REPLY_CAT_UNKNOWN ||
           x->evidence == SMTP_REPLY_EVIDENCE_BASIC_CODE ||
           x->evidence == SMTP_REPLY_EVIDENCE_WORDS || x->evidence == SMTP_REPLY_EVIDENCE_NONE;
}

static int by_count(const void *a, const void *b)
{
    const struct group *x = *(const struct group *const *)a, *y = *(const struct group *const *)b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return x->first < y->first ? -1 : x->first > y->first;
}

static void out_hash(uint64_t h)
{
    static const char hex[] = "0123456789abcdef";
    for (int s = 60; s >= 0; s -= 4)
        out_c(hex[(h >> s) & 15]);
}

static void print_json(const struct group *x)
{
    j_open('{');
    j_key("template");
    j_str(x->tmpl, x->tmpl_len);
    j_key("hash");
    j_sep();
    out_c('"');
    out_hash(x->hash);
    out_c('"');
    J_UINT("count", x->count);
    J_STATIC("category", smtp_reply_category_name(x->category));
    J_STATIC("evidence", smtp_reply_evidence_name(x->evidence));
    J_STATIC("rule", x->rule);
    J_STATIC("error", x->status == SMTP_REPLY_OK ? NULL : smtp_reply_error_name(x->status));
    J_UINT("differing", x->differing);
    J_UINT("template_bytes", x->tmpl_full);
    j_key("example");
    j_str(x->example, x->example_len);
    J_UINT("example_bytes", x->example_full);
    j_close('}');
}

/* At most SHOW_MAX bytes of what was kept, then the full length if more. */
#define SHOW_MAX 400
static void show(void (*shown)(const char *p, size_t n, size_t max), const char *p, size_t kept,
                 size_t full)
{
    size_t n = kept < SHOW_MAX ? kept : SHOW_MAX;
    shown(p, n, n);
    if (full > n)
        outf(" ... (%zu bytes)", full);
}

/* "  label:      " as the record output writes its fields */
static void field(const char *label)
{
    out_s("  ");
    out_s(label);
    out_c(':');
    for (size_t k = strlen(label); k < 12; k++)
        out_c(' ');
}

static void print_text(size_t rank, const struct group *x,
                       void (*shown)(const char *p, size_t n, size_t max))
{
    outf("group %zu: %llu record%s, ", rank, x->count, x->count == 1 ? "" : "s");
    if (x->status != SMTP_REPLY_OK) {
        out_s("rejected: ");
        out_s(smtp_reply_error_name(x->status));
    } else {
        out_s(smtp_reply_category_name(x->category));
        out_s(" (");
        out_s(smtp_reply_evidence_name(x->evidence));
        out_c(')');
    }
    out_c('\n');
    field("template");
    if (x->tmpl_full == 0)
        out_s("(empty)");
    show(shown, x->tmpl, x->tmpl_len, x->tmpl_full);
    out_c('\n');
    field("hash");
    out_hash(x->hash);
    out_c('\n');
    if (x->rule) {
        field("rule");
        out_s(x->rule);
        out_c('\n');
    }
    if (x->differing) {
        field("differing");
        outf("%llu of these records have another category\n", x->differing);
    }
    field("example");
    show(shown, x->example, x->example_len, x->example_full);
    out_s("\n\n");
}

void group_print(int json, int only_weak, void (*shown)(const char *p, size_t n, size_t max))
{
    const struct group **order = malloc((g.n ? g.n : 1) * sizeof *order);
    if (order == NULL)
        out_of_memory();
    for (size_t i = 0; i < g.n; i++)
        order[i] = &g.v[i];
    qsort(order, g.n, sizeof *order, by_count);
    size_t shown_groups = 0;
    unsigned long long shown_records = 0;
    for (size_t i = 0; i < g.n; i++) {
        if (only_weak && !weak(order[i]))
            continue;
        shown_groups++;
        shown_records += order[i]->count;
        if (json)
            print_json(order[i]);
        else
            print_text(shown_groups, order[i], shown);
    }
    free(order);
    if (!json) {
        if (only_weak)
            outf("%zu weak groups of %zu (%llu of %llu records): decided by basic_code, words "
                 "or none, or unknown\n", shown_groups, g.n, shown_records, g.records);
        else
            outf("%zu groups from %llu records\n", g.n, g.records);
    }
    char note[512];
    note[0] = '\0';
    if (g.dropped)
        snprintf(note, sizeof note, "note: the group table is full (%zu groups, --max-groups): %llu "
                 "records with other templates were not grouped\n", g.max, g.dropped);
    if (g.cut) {
        size_t l = strlen(note);
        snprintf(note + l, sizeof note - l, "note: %llu records longer than %u bytes were cut "
                 "to their first %u bytes\n", g.cut, GROUP_RECORD_MAX, GROUP_RECORD_MAX);
    }
    if (note[0]) {
        if (!json)
            out_s(note);
        out_flush();
        fprintf(stderr, "%s: %s", out_program, note);
    }
}

void group_free(void)
{
    for (size_t i = 0; i < g.n; i++) {
        free(g.v[i].tmpl);
        free(g.v[i].example);
    }
    free(g.v);
    free(g.slot);
    memset(&g, 0, sizeof g);
}

int group_read_lines(FILE *f, void (*record)(char *p, size_t n))
{
    static char chunk[1 << 16];
    char *line = NULL;
    size_t cap = 0, n = 0;
    int cut = 0, any = 0;
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        size_t i = 0;
        any = 1;
        while (i < got) {
            char *lf = memchr(chunk + i, '\n', got - i);
            size_t end = lf ? (size_t)(lf - chunk) : got, take = end - i;
            if (n + take > GROUP_RECORD_MAX) {
                take = GROUP_RECORD_MAX - n;
                cut = 1;
            }
            line = out_grow(line, &cap, n + take + 1, 1, 4096);
            memcpy(line + n, chunk + i, take);
            n += take;
            if (!lf) {
                i = got;
                continue;
            }
            if (n && line[n - 1] == '\r' && !cut)
                n--;
            g.cut += cut;
            record(line, n);
            n = 0;
            cut = 0;
            i = end + 1;
            if (out_failed)
                break;
        }
        if (out_failed)
            break;
    }
    if (ferror(f)) {
        int err = errno;
        free(line);
        errno = err ? err : EIO;
        return -1;
    }
    if (any && (n || cut) && !out_failed) { /* a last line without a line feed */
        if (n && line[n - 1] == '\r' && !cut)
            n--;
        g.cut += cut;
        record(line, n);
    }
    free(line);
    return 0;
}
