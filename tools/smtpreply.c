/*
 * smtpreply - classify SMTP replies, log lines and DSN fields from the command line.
 *
 *   smtpreply [options] [REPLY ...]
 *
 * Each REPLY argument is one record.  Without arguments, standard input is read one
 * record per line, with the escapes \r, \n, \t and \\ decoded so that a multiline
 * reply fits on one line.  With --raw, standard input is an SMTP wire stream: the
 * replies a client reads from its socket, one after another.
 *
 * Output is a readable block per record, or with --json exactly one JSON object per
 * record, one per line, in input order (rejected records included).  See smtpreply(1).
 *
 * Speed: the only allocations are the reused line buffer, the reused text buffer and
 * the provider/blocklist count tables of --summary (which grow when a new name is
 * seen, not per record).  Output goes through one 64 KiB buffer written with fwrite.
 *
 * Copyright (c) 2026 The libsmtpreply authors.  MIT licence (see COPYING).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <smtpreply.h>

#include "record.h"

#define PROG "smtpreply"
#define EXIT_USAGE 2
#define EXIT_IO 1
/* readable output shows at most this many bytes of a record's input */
#define SHOW_INPUT_MAX 400

/* ---- options ----------------------------------------------------------------- */

static struct {
    int json, raw, summary, quiet, literal;
} opt;

static int interactive; /* stdout is a terminal: flush after every record */

/* ---- output buffer ------------------------------------------------------------- */

static char obuf[1 << 16];
static size_t olen;
static int out_failed;

static void out_flush(void)
{
    if (olen && !out_failed) {
        if (fwrite(obuf, 1, olen, stdout) != olen || fflush(stdout) != 0)
            out_failed = errno ? errno : EIO;
    }
    olen = 0;
}

static void out_mem_slow(const char *s, size_t n)
{
    while (n) {
        if (olen == sizeof obuf)
            out_flush();
        size_t room = sizeof obuf - olen, k = n < room ? n : room;
        memcpy(obuf + olen, s, k);
        olen += k;
        s += k;
        n -= k;
    }
}

static inline void out_mem(const void *p, size_t n)
{
    if (n <= sizeof obuf - olen) {
        memcpy(obuf + olen, p, n);
        olen += n;
    } else
        out_mem_slow(p, n);
}

static void out_c(char c)
{
    if (olen == sizeof obuf)
        out_flush();
    obuf[olen++] = c;
}

static void out_s(const char *s) { out_mem(s, strlen(s)); }

static void out_u(unsigned long long v)
{
    char t[24];
    int i = (int)sizeof t;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    out_mem(t + i, sizeof t - (size_t)i);
}

static const char hexdig[] = "0123456789abcdef";

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), or 0 when the byte at s
 * does not start one (stray continuation, overlong form, surrogate, > U+10FFFF,
 * truncated sequence). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    unsigned lo = 0x80, hi = 0xbf;
    size_t need;
    if (c >= 0xc2 && c <= 0xdf)
        need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
    } else
        return 0;
    if (n < need + 1)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i <= need; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return need + 1;
}

/* A JSON string for any bytes: valid UTF-8 passes through (U+2028 and U+2029 are
 * escaped for JavaScript's sake), control bytes and DEL become \uXXXX (or \n, \r,
 * \t, \b, \f), and every byte that is not part of a well-formed UTF-8 sequence
 * becomes U+FFFD, written \ufffd. */
static void out_json_mem(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    out_c('"');
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] >= 0x20 && s[j] < 0x7f && s[j] != '"' && s[j] != '\\')
            j++;
        if (j > i) {
            out_mem(s + i, j - i);
            i = j;
            continue;
        }
        unsigned c = s[i];
        if (c < 0x80) {
            switch (c) {
            case '"': out_s("\\\""); break;
            case '\\': out_s("\\\\"); break;
            case '\n': out_s("\\n"); break;
            case '\r': out_s("\\r"); break;
            case '\t': out_s("\\t"); break;
            case '\b': out_s("\\b"); break;
            case '\f': out_s("\\f"); break;
            default:
                out_s("\\u00");
                out_c(hexdig[c >> 4]);
                out_c(hexdig[c & 15]);
            }
            i++;
            continue;
        }
        size_t l = utf8_len(s + i, n - i);
        if (l == 0) {
            out_s("\\ufffd");
            i++;
        } else if (l == 3 && c == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
            out_s(s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
            i += 3;
        } else {
            out_mem(s + i, l);
            i += l;
        }
    }
    out_c('"');
}

static void out_json_str(const char *s)
{
    if (s)
        out_json_mem(s, strlen(s));
    else
        out_s("null");
}

/* The library's names and advice texts are static strings that live as long as the
 * library: their JSON form is made once and then copied.  Keyed by pointer; the
 * table grows only when a string is seen for the first time. */
static struct {
    struct cached { const char *key; char *json; size_t len; } *slot;
    size_t cap, used;
} jcache;

static size_t ptr_hash(const void *p, size_t cap)
{
    uintptr_t v = (uintptr_t)p;
    v ^= v >> 17;
    v *= (uintptr_t)0x9E3779B97F4A7C15ull;
    return (size_t)(v >> 7) & (cap - 1);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL) {
        fprintf(stderr, PROG ": out of memory\n");
        exit(EXIT_IO);
    }
    return p;
}

static void out_json_static(const char *s)
{
    if (s == NULL) {
        out_s("null");
        return;
    }
    if (jcache.used * 2 >= jcache.cap) {
        size_t ncap = jcache.cap ? jcache.cap * 2 : 1024;
        struct cached *ns = xcalloc(ncap, sizeof *ns);
        for (size_t i = 0; i < jcache.cap; i++) {
            if (jcache.slot[i].key == NULL)
                continue;
            size_t h = ptr_hash(jcache.slot[i].key, ncap);
            while (ns[h].key)
                h = (h + 1) & (ncap - 1);
            ns[h] = jcache.slot[i];
        }
        free(jcache.slot);
        jcache.slot = ns;
        jcache.cap = ncap;
    }
    size_t h = ptr_hash(s, jcache.cap);
    while (jcache.slot[h].key && jcache.slot[h].key != s)
        h = (h + 1) & (jcache.cap - 1);
    struct cached *c = &jcache.slot[h];
    if (c->key == NULL) {
        /* render into the output buffer once, then keep a copy */
        size_t n = strlen(s);
        if (n > (sizeof obuf - 2) / 6) { /* might not fit in the buffer: do not cache */
            out_json_mem(s, n);
            return;
        }
        if (sizeof obuf - olen < n * 6 + 2)
            out_flush();
        size_t mark = olen;
        out_json_mem(s, n);
        c->len = olen - mark;
        c->json = xcalloc(c->len, 1);
        memcpy(c->json, obuf + mark, c->len);
        c->key = s;
        jcache.used++;
        return;
    }
    out_mem(c->json, c->len);
}

static void free_jcache(void)
{
    for (size_t i = 0; i < jcache.cap; i++)
        free(jcache.slot[i].json);
    free(jcache.slot);
}

/* Readable form of input bytes: the record syntax of standard input (\r, \n, \t,
 * \\), \xNN for other control bytes and bytes that are not valid UTF-8. */
static void out_shown(const char *p, size_t n, size_t max)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, lim = n > max ? max : n;
    while (i < lim) {
        unsigned c = s[i];
        size_t l = 1;
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out_c((char)c);
        else if (c == '\\')
            out_s("\\\\");
        else if (c == '\r')
            out_s("\\r");
        else if (c == '\n')
            out_s("\\n");
        else if (c == '\t')
            out_s("\\t");
        else if (c >= 0x80 && (l = utf8_len(s + i, n - i)) > 0)
            out_mem(s + i, l);
        else {
            l = 1;
            out_s("\\x");
            out_c(hexdig[c >> 4]);
            out_c(hexdig[c & 15]);
        }
        i += l;
    }
    if (n > max) {
        out_s(" ... (");
        out_u(n);
        out_s(" bytes)");
    }
}

/* ---- summary counts ------------------------------------------------------------- */

#define MAX_ENUM 64

struct name_count {
    const char *name; /* static string from the library: keyed by pointer */
    unsigned long long n;
};

/* Open-addressing table keyed by the (static) string pointer.  Grows only when a
 * new name is seen, so at most a few allocations per run. */
struct name_table {
    struct name_count *slot;
    size_t cap, used;
};

static void names_add(struct name_table *t, const char *name)
{
    if (name == NULL)
        return;
    if (t->used * 2 >= t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        struct name_count *ns = calloc(ncap, sizeof *ns);
        if (ns == NULL) {
            fprintf(stderr, PROG ": out of memory\n");
            exit(EXIT_IO);
        }
        for (size_t i = 0; i < t->cap; i++) {
            if (t->slot[i].name == NULL)
                continue;
            size_t h = ((uintptr_t)t->slot[i].name >> 3) & (ncap - 1);
            while (ns[h].name)
                h = (h + 1) & (ncap - 1);
            ns[h] = t->slot[i];
        }
        free(t->slot);
        t->slot = ns;
        t->cap = ncap;
    }
    size_t h = ((uintptr_t)name >> 3) & (t->cap - 1);
    while (t->slot[h].name && t->slot[h].name != name)
        h = (h + 1) & (t->cap - 1);
    if (t->slot[h].name == NULL) {
        t->slot[h].name = name;
        t->used++;
    }
    t->slot[h].n++;
}

static int by_count_then_name(const void *a, const void *b)
{
    const struct name_count *x = a, *y = b;
    if (x->name == NULL || y->name == NULL)
        return (x->name == NULL) - (y->name == NULL);
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->name, y->name);
}

static struct {
    unsigned long long records, ok, rejected;
    unsigned long long category[MAX_ENUM], permanence[MAX_ENUM], error[MAX_ENUM];
    unsigned long long recipient_action[MAX_ENUM];
    struct name_table providers, blocklists;
} stats;

static void count(int status, const smtp_reply_result *res)
{
    stats.records++;
    if (status != SMTP_REPLY_OK) {
        stats.rejected++;
        if (status <= 0 && -status < MAX_ENUM)
            stats.error[-status]++;
        return;
    }
    stats.ok++;
    if (res->category >= 0 && res->category < MAX_ENUM)
        stats.category[res->category]++;
    if (res->permanence >= 0 && res->permanence < MAX_ENUM)
        stats.permanence[res->permanence]++;
    if (res->recipient_action >= 0 && res->recipient_action < MAX_ENUM)
        stats.recipient_action[res->recipient_action]++;
    names_add(&stats.providers, res->provider);
    names_add(&stats.blocklists, res->blocklist);
}

typedef const char *(*name_fn)(int);

static void out_enum_counts(const unsigned long long *v, int n, name_fn name, int json)
{
    int first = 1;
    for (int i = 0; i < n && i < MAX_ENUM; i++) {
        if (!v[i] || !name(i))
            continue;
        if (json) {
            out_s(first ? "" : ",");
            out_json_str(name(i));
            out_c(':');
        } else {
            out_s("    ");
            out_s(name(i));
            for (size_t k = strlen(name(i)); k < 20; k++)
                out_c(' ');
        }
        out_u(v[i]);
        if (!json)
            out_c('\n');
        first = 0;
    }
}

static void out_name_counts(struct name_table *t, int json)
{
    if (t->cap)
        qsort(t->slot, t->cap, sizeof *t->slot, by_count_then_name);
    for (size_t i = 0; i < t->used; i++) {
        if (json) {
            out_s(i ? "," : "");
            out_json_str(t->slot[i].name);
            out_c(':');
        } else {
            out_s("    ");
            out_s(t->slot[i].name);
            for (size_t k = strlen(t->slot[i].name); k < 20; k++)
                out_c(' ');
        }
        out_u(t->slot[i].n);
        if (!json)
            out_c('\n');
    }
}

static const char *error_label(int i) { return smtp_reply_error_name(-i); }

static void print_summary(void)
{
    if (opt.json) {
        out_s("{\"summary\":{\"records\":");
        out_u(stats.records);
        out_s(",\"ok\":");
        out_u(stats.ok);
        out_s(",\"rejected\":");
        out_u(stats.rejected);
        out_s(",\"categories\":{");
        out_enum_counts(stats.category, smtp_reply_category_count(), smtp_reply_category_name, 1);
        out_s("},\"permanence\":{");
        out_enum_counts(stats.permanence, smtp_reply_permanence_count(), smtp_reply_permanence_name, 1);
        out_s("},\"recipient_actions\":{");
        out_enum_counts(stats.recipient_action, smtp_reply_recipient_action_count(),
                        smtp_reply_recipient_action_name, 1);
        out_s("},\"providers\":{");
        out_name_counts(&stats.providers, 1);
        out_s("},\"blocklists\":{");
        out_name_counts(&stats.blocklists, 1);
        out_s("},\"errors\":{");
        out_enum_counts(stats.error, smtp_reply_error_count(), error_label, 1);
        out_s("}}}\n");
        return;
    }
    out_s("summary: ");
    out_u(stats.records);
    out_s(" records, ");
    out_u(stats.ok);
    out_s(" classified, ");
    out_u(stats.rejected);
    out_s(" rejected\n");
    if (stats.ok) {
        out_s("  categories:\n");
        out_enum_counts(stats.category, smtp_reply_category_count(), smtp_reply_category_name, 0);
        out_s("  permanence:\n");
        out_enum_counts(stats.permanence, smtp_reply_permanence_count(), smtp_reply_permanence_name, 0);
        out_s("  recipient actions:\n");
        out_enum_counts(stats.recipient_action, smtp_reply_recipient_action_count(),
                        smtp_reply_recipient_action_name, 0);
    }
    if (stats.providers.used) {
        out_s("  providers:\n");
        out_name_counts(&stats.providers, 0);
    }
    if (stats.blocklists.used) {
        out_s("  blocklists:\n");
        out_name_counts(&stats.blocklists, 0);
    }
    if (stats.rejected) {
        out_s("  rejected:\n");
        out_enum_counts(stats.error, smtp_reply_error_count(), error_label, 0);
    }
}

/* ---- one record ------------------------------------------------------------------- */

static char *textbuf;
static size_t textcap;

/* The reply's joined text in the reused text buffer; its length in *n. */
static const char *reply_text(const char *buf, size_t len, const smtp_reply *r, size_t *n)
{
    size_t need = (size_t)r->text_len + 1;
    if (need > textcap) {
        size_t cap = textcap ? textcap : 4096;
        while (cap < need)
            cap *= 2;
        char *t = realloc(textbuf, cap);
        if (t == NULL) {
            fprintf(stderr, PROG ": out of memory\n");
            exit(EXIT_IO);
        }
        textbuf = t;
        textcap = cap;
    }
    size_t full = smtp_reply_text(buf, len, r, textbuf, textcap);
    *n = full < textcap ? full : textcap - 1;
    return textbuf;
}

static void out_enhanced(const uint16_t e[3])
{
    out_u(e[0]);
    out_c('.');
    out_u(e[1]);
    out_c('.');
    out_u(e[2]);
}

/* ,"key": for a string literal key */
#define out_json_key(k) out_mem(",\"" k "\":", sizeof(",\"" k "\":") - 1)

static void emit_json(const char *in, size_t inlen, const char *buf, size_t len, int status,
                      const smtp_reply *r, const smtp_reply_result *res,
                      const smtp_reply_advice_info *adv)
{
    int ok = status == SMTP_REPLY_OK;
    out_s("{\"input\":");
    out_json_mem(in, inlen);
    out_json_key("ok");
    out_s(ok ? "true" : "false");
    out_json_key("error");
    out_json_static(ok ? NULL : smtp_reply_error_name(status));
    out_json_key("code");
    if (ok && res->code)
        out_u((unsigned)res->code);
    else
        out_s("null");
    out_json_key("enhanced");
    if (ok && res->enhanced[0]) {
        out_c('"');
        out_enhanced(res->enhanced);
        out_c('"');
    } else
        out_s("null");
    out_json_key("text");
    if (ok) {
        size_t tn;
        const char *t = reply_text(buf, len, r, &tn);
        out_json_mem(t, tn);
    } else
        out_s("null");
    out_json_key("category");
    out_json_static(smtp_reply_category_name(res->category));
    out_json_key("permanence");
    out_json_static(smtp_reply_permanence_name(res->permanence));
    out_json_key("recipient_action");
    out_json_static(smtp_reply_recipient_action_name(res->recipient_action));
    out_json_key("message_action");
    out_json_static(smtp_reply_message_action_name(res->message_action));
    out_json_key("retry_after");
    out_u(res->retry_after);
    out_json_key("fault");
    out_json_static(smtp_reply_fault_name(res->fault));
    out_json_key("provider");
    out_json_static(res->provider);
    out_json_key("blocklist");
    out_json_static(res->blocklist);
    out_json_key("rule");
    out_json_static(ok ? res->rule_id : NULL);
    out_json_key("evidence");
    out_json_static(smtp_reply_evidence_name(res->evidence));
    out_json_key("match");
    if (ok && res->match.len && res->match.off <= len && res->match.len <= len - res->match.off)
        out_json_mem(buf + res->match.off, res->match.len);
    else
        out_s("null");
    out_json_key("enhanced_title");
    out_json_static(res->enhanced_title);
    out_json_key("stage");
    out_json_static(smtp_reply_stage_name(res->stage));
    out_json_key("wrapper");
    out_json_static(smtp_reply_wrapper_name((int)r->wrapper));
    out_json_key("lines");
    out_u(r->nlines);
    out_json_key("flags");
    out_c('[');
    int first = 1;
    for (int b = 0; b < 32; b++) {
        if (!(res->flags & (1u << b)))
            continue;
        const char *fname = smtp_reply_flag_name(b);
        out_s(first ? "" : ",");
        if (fname)
            out_json_static(fname);
        else {
            out_s("\"bit");
            out_u((unsigned)b);
            out_c('"');
        }
        first = 0;
    }
    out_c(']');
    if (!ok) { /* rejected input: no verdict to advise on */
        out_s(",\"advice\":null}\n");
        return;
    }
    out_s(",\"advice\":{\"id\":");
    out_json_static(adv->id);
    out_json_key("summary");
    out_json_static(adv->summary);
    out_json_key("steps");
    out_c('[');
    for (uint32_t i = 0; i < adv->nsteps && i < SMTP_REPLY_MAX_STEPS; i++) {
        out_s(i ? "," : "");
        out_json_static(adv->steps[i]);
    }
    out_c(']');
    out_json_key("actors");
    out_c('[');
    first = 1;
    for (int b = 0; b < smtp_reply_actor_count() && b < 32; b++) {
        if (!(adv->actors & (1u << b)))
            continue;
        out_s(first ? "" : ",");
        out_json_static(smtp_reply_actor_name(b));
        first = 0;
    }
    out_c(']');
    out_json_key("reference");
    out_json_static(adv->reference);
    out_json_key("remove_address");
    out_s(adv->remove_address ? "true" : "false");
    out_s("}}\n");
}

static void out_field(const char *label)
{
    out_s("  ");
    out_s(label);
    out_c(':');
    for (size_t k = strlen(label); k < 12; k++)
        out_c(' ');
}

static void emit_text(unsigned long long recno, const char *in, size_t inlen, int status,
                      const smtp_reply *r, const smtp_reply_result *res,
                      const smtp_reply_advice_info *adv)
{
    (void)r;
    out_s("record ");
    out_u(recno);
    out_s(": ");
    if (status != SMTP_REPLY_OK) {
        out_s("rejected: ");
        out_s(smtp_reply_error_name(status));
        out_s(" (");
        out_s(smtp_reply_strerror(status));
        out_s(")\n");
        out_field("input");
        out_shown(in, inlen, SHOW_INPUT_MAX);
        out_s("\n\n");
        return;
    }
    if (res->code)
        out_u((unsigned)res->code);
    else
        out_c('-');
    out_c(' ');
    if (res->enhanced[0])
        out_enhanced(res->enhanced);
    else
        out_c('-');
    out_c(' ');
    out_s(smtp_reply_category_name(res->category));
    out_s(" (");
    out_s(smtp_reply_permanence_name(res->permanence));
    out_s(")\n");
    out_field("input");
    out_shown(in, inlen, SHOW_INPUT_MAX);
    out_c('\n');
    out_field("recipient");
    out_s(smtp_reply_recipient_action_name(res->recipient_action));
    out_c('\n');
    out_field("message");
    out_s(smtp_reply_message_action_name(res->message_action));
    if (res->retry_after) {
        out_s(", retry after ");
        out_u(res->retry_after);
        out_s(" s");
    }
    out_c('\n');
    out_field("fault");
    out_s(smtp_reply_fault_name(res->fault));
    out_c('\n');
    out_field("advice");
    out_s(adv->summary);
    out_c('\n');
    out_field("rule");
    out_s(res->rule_id);
    out_s(" (");
    out_s(smtp_reply_evidence_name(res->evidence));
    out_s(")\n");
    if (res->provider) {
        out_field("provider");
        out_s(res->provider);
        out_c('\n');
    }
    if (res->blocklist) {
        out_field("blocklist");
        out_s(res->blocklist);
        out_c('\n');
    }
    out_c('\n');
}

static unsigned long long recno;

/* Print and count one record.  in/inlen: the record's bytes; buf/len: the buffer that
 * was parsed (spans in r and res point into it). */
static void emit(const char *in, size_t inlen, const char *buf, size_t len, int status,
                 const smtp_reply *r, const smtp_reply_result *res)
{
    smtp_reply_advice_info adv;
    recno++;
    if (opt.summary)
        count(status, res);
    if (opt.quiet)
        return;
    if (smtp_reply_advice(res, &adv) != SMTP_REPLY_OK)
        memset(&adv, 0, sizeof adv);
    if (opt.json)
        emit_json(in, inlen, buf, len, status, r, res, &adv);
    else
        emit_text(recno, in, inlen, status, r, res, &adv);
    if (interactive)
        out_flush();
}

static void classify_record(const char *buf, size_t len)
{
    smtp_reply r;
    smtp_reply_result res;
    int st = smtp_reply_classify_buf(buf, len, &r, &res);
    emit(buf, len, buf, len, st, &r, &res);
}

/* ---- input ---------------------------------------------------------------------- */

static int read_lines(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, stdin)) >= 0) {
        size_t n = (size_t)got;
        if (n && line[n - 1] == '\n') {
            n--;
            if (n && line[n - 1] == '\r') /* a file with CRLF line ends */
                n--;
        }
        if (!opt.literal)
            n = rec_unescape(line, n);
        classify_record(line, n);
        if (out_failed)
            break;
    }
    int err = ferror(stdin) ? errno : 0;
    free(line);
    if (err || ferror(stdin)) {
        fprintf(stderr, PROG ": error reading standard input: %s\n", strerror(err ? err : EIO));
        return -1;
    }
    return 0;
}

/* --raw: standard input is a wire stream of replies. */
static struct {
    char *buf;
    size_t cap, start, end;
    int eof;
} in;

/* Read more input: at least `want` more bytes unless EOF comes first. */
static int fill(size_t want)
{
    if (in.start > 0) {
        memmove(in.buf, in.buf + in.start, in.end - in.start);
        in.end -= in.start;
        in.start = 0;
    }
    size_t need = in.end + (want > 65536 ? want : 65536);
    if (need > in.cap) {
        size_t cap = in.cap ? in.cap : 65536;
        while (cap < need)
            cap *= 2;
        char *b = realloc(in.buf, cap);
        if (b == NULL) {
            fprintf(stderr, PROG ": out of memory\n");
            exit(EXIT_IO);
        }
        in.buf = b;
        in.cap = cap;
    }
    size_t got = 0;
    do {
        ssize_t k = read(STDIN_FILENO, in.buf + in.end, in.cap - in.end);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, PROG ": error reading standard input: %s\n", strerror(errno));
            return -1;
        }
        if (k == 0) {
            in.eof = 1;
            break;
        }
        in.end += (size_t)k;
        got += (size_t)k;
    } while (got < want && in.end < in.cap);
    return 0;
}

static void rejected(const char *p, size_t n, int status)
{
    smtp_reply r;
    smtp_reply_result res;
    memset(&r, 0, sizeof r);
    /* The verdict the library gives input it cannot parse (category unknown,
     * rule "none"): classifying zero bytes fails with "empty" and resets res. */
    if (smtp_reply_classify_buf(NULL, 0, NULL, &res) == SMTP_REPLY_OK)
        memset(&res, 0, sizeof res); /* not reached */
    emit(p, n, p, n, status, &r, &res);
}

static int read_raw(void)
{
    while (!out_failed) {
        size_t avail = in.end - in.start;
        if (avail == 0) {
            if (in.eof)
                break;
            if (fill(1) < 0)
                return -1;
            continue;
        }
        const char *p = in.buf + in.start;
        smtp_reply r;
        smtp_reply_result res;
        int st = smtp_reply_parse(p, avail, SMTP_REPLY_OPT_STREAM, &r);
        if (st == SMTP_REPLY_OK) {
            if (smtp_reply_classify(p, avail, &r, &res) != SMTP_REPLY_OK)
                memset(&res, 0, sizeof res);
            emit(p, r.consumed, p, avail, st, &r, &res);
            in.start += r.consumed;
            continue;
        }
        if (st == SMTP_REPLY_E_INCOMPLETE) {
            if (in.eof) {
                rejected(p, avail, st);
                in.start = in.end;
                continue;
            }
            /* a big pending reply waits for as much again, so that parsing stays
             * linear; a small one returns as soon as any byte arrives */
            if (fill(avail > 65536 ? avail / 2 : 1) < 0)
                return -1;
            continue;
        }
        /* Not a reply: report the line it starts on as rejected and go on after it. */
        const char *lf = memchr(p, '\n', avail);
        if (lf == NULL && !in.eof && st != SMTP_REPLY_E_TOO_LONG) {
            if (fill(avail > 65536 ? avail / 2 : 1) < 0)
                return -1;
            continue;
        }
        size_t n = lf ? (size_t)(lf - p) + 1 : avail;
        int st2 = smtp_reply_parse(p, n, SMTP_REPLY_OPT_STREAM, &r);
        if (st2 != SMTP_REPLY_OK && st2 != SMTP_REPLY_E_INCOMPLETE)
            st = st2; /* the line's own reason: "blank" rather than "no_code" */
        rejected(p, n, st);
        in.start += n;
    }
    free(in.buf);
    return 0;
}

/* ---- main ---------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: " PROG " [options] [REPLY ...]\n"
        "Classify SMTP replies, MTA log lines and DSN fields, and say what to do about them.\n"
        "\n"
        "Each REPLY argument is one record.  Without arguments, standard input is read\n"
        "one record per line, with \\r, \\n, \\t and \\\\ decoded (a multiline reply on one line).\n"
        "\n"
        "Options:\n"
        "  -j, --json      one JSON object per record, one per line\n"
        "  -r, --raw       read standard input as an SMTP wire stream of replies\n"
        "  -s, --summary   after the records, print counts per category and provider\n"
        "  -q, --quiet     print no record output (use with --summary)\n"
        "  -l, --literal   do not decode \\r, \\n, \\t and \\\\ escapes\n"
        "  -V, --version   print the library version, table version, rule count and hash\n"
        "  -h, --help      print this help\n"
        "\n"
        "Exit status: 0 when every record was read (rejected replies are results),\n"
        "1 on an input or output error, 2 on bad usage.  See smtpreply(1).\n");
}

static void print_version(void)
{
    if (opt.json) {
        out_s("{\"program\":\"" PROG "\",\"version\":");
        out_json_str(SMTP_REPLY_VERSION_STRING);
        out_s(",\"library_version\":");
        out_json_str(smtp_reply_version());
        out_s(",\"table_version\":");
        out_json_str(smtp_reply_table_version());
        out_s(",\"rules\":");
        out_u(smtp_reply_table_rule_count());
        out_s(",\"table_hash\":");
        out_json_str(smtp_reply_table_hash());
        out_s("}\n");
        return;
    }
    out_s(PROG " " SMTP_REPLY_VERSION_STRING " (libsmtpreply ");
    out_s(smtp_reply_version());
    out_s(")\ntable ");
    out_s(smtp_reply_table_version());
    out_s(", ");
    out_u(smtp_reply_table_rule_count());
    out_s(" rules, sha256 ");
    out_s(smtp_reply_table_hash());
    out_c('\n');
}

static int finish(int status)
{
    out_flush();
    if (fclose(stdout) != 0 && !out_failed)
        out_failed = errno ? errno : EIO;
    if (out_failed) {
        fprintf(stderr, PROG ": error writing standard output: %s\n", strerror(out_failed));
        return EXIT_IO;
    }
    return status;
}

static int bad_usage(const char *what, const char *arg)
{
    fprintf(stderr, PROG ": %s '%s'\nTry '" PROG " --help' for more information.\n", what, arg);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    static const struct { char s; const char *l; int *flag; } opts[] = {
        {'j', "json", &opt.json},       {'r', "raw", &opt.raw},
        {'s', "summary", &opt.summary}, {'q', "quiet", &opt.quiet},
        {'l', "literal", &opt.literal},
    };
    const size_t nopts = sizeof opts / sizeof opts[0];
    int help = 0, version = 0, first = argc;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            first = i + 1;
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            first = i;
            break;
        }
        if (a[1] == '-') {
            const char *name = a + 2;
            size_t k;
            if (strcmp(name, "help") == 0) { help = 1; continue; }
            if (strcmp(name, "version") == 0) { version = 1; continue; }
            for (k = 0; k < nopts && strcmp(name, opts[k].l) != 0; k++)
                ;
            if (k == nopts)
                return bad_usage("unknown option", a);
            *opts[k].flag = 1;
            continue;
        }
        for (const char *c = a + 1; *c; c++) {
            size_t k;
            if (*c == 'h') { help = 1; continue; }
            if (*c == 'V') { version = 1; continue; }
            for (k = 0; k < nopts && opts[k].s != *c; k++)
                ;
            if (k == nopts) {
                char o[3] = {'-', *c, '\0'};
                return bad_usage("unknown option", o);
            }
            *opts[k].flag = 1;
        }
    }
    if (help) {
        usage(stdout);
        return finish(0);
    }
    if (version) {
        print_version();
        return finish(0);
    }
    if (opt.raw && first < argc)
        return bad_usage("--raw reads standard input; unexpected argument", argv[first]);

    interactive = isatty(STDOUT_FILENO);

    int rc = 0;
    if (first < argc) {
        for (int i = first; i < argc && !out_failed; i++) {
            char *a = argv[i];
            size_t n = strlen(a);
            if (!opt.literal)
                n = rec_unescape(a, n);
            classify_record(a, n);
        }
    } else if (opt.raw) {
        rc = read_raw();
    } else {
        rc = read_lines();
    }
    if (opt.summary && !out_failed)
        print_summary();
    free(textbuf);
    free_jcache();
    free(stats.providers.slot);
    free(stats.blocklists.slot);
    return finish(rc < 0 ? EXIT_IO : 0);
}
