/*
 * work.c - the inputs and the measured work of smtpreply-bench: a pass of parse
 * + classify over a set of replies (with or without user rules), the floor (one
 * table-lowercasing pass over the same bytes), the result checksum, and the
 * long inputs of the size series.  See smtpreply-bench.c for what is timed.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpreply.h"
#include "util.h"
#include "work.h"

#ifndef BENCH_ALLOC_COUNT
volatile int alloc_counting; /* no --wrap: nothing counts */
#endif

/* ---- inputs ---------------------------------------------------------------- */

/* One reply of about `size` bytes: "550 5.7.1 " and corpus text joined by spaces,
 * line breaks blanked, on one line. */
void make_long_line(struct rset *out, const struct rset *c, size_t size)
{
    char *b = bench_xrealloc(NULL, size);
    memcpy(b, "550 5.7.1 ", 10);
    for (size_t k = 10, i = 0; k < size; i++) {
        const char *p = c->data + c->off[i % c->n];
        for (size_t j = 0, l = c->len[i % c->n]; j < l && k < size; j++)
            b[k++] = (p[j] == '\r' || p[j] == '\n') ? ' ' : p[j];
        if (k < size)
            b[k++] = ' ';
    }
    rset_add(out, b, size);
    free(b);
}

/* One multiline reply of `lines` lines, each "550-5.7.26 " and one of these
 * texts (from a real Gmail reply, no reply codes inside, so the parser takes
 * the whole input as one reply), the last line "550 5.7.26 ...". */
void make_many_lines(struct rset *out, size_t lines)
{
    static const char *const texts[] = {
        "This mail has been blocked because the sender is unauthenticated.",
        "Gmail requires all senders to authenticate with either SPF or DKIM.",
        "",
        " Authentication results:",
        " DKIM = did not pass",
        " SPF [example.org] with ip: [192.0.2.25] = did not pass",
        " To mitigate this issue, please visit Gmail's authentication guide",
        "for instructions on setting up authentication:",
    };
    size_t cap = lines * 96 + 32, k = 0;
    char *b = bench_xrealloc(NULL, cap);
    for (size_t i = 0; i < lines; i++)
        k += (size_t)snprintf(b + k, cap - k, "550%c5.7.26 %s\r\n", i + 1 < lines ? '-' : ' ',
                              texts[i % (sizeof texts / sizeof texts[0])]);
    rset_add(out, b, k);
    free(b);
}

/* ---- the measured work ---------------------------------------------------- */

volatile uint64_t bench_sink;

/* One pass of parse + classify over the corpus, with user rules when u is not
 * NULL (smtp_reply_classify_with). */
uint64_t classify_pass_with(const struct rset *s, const smtp_reply_rules *u)
{
    smtp_reply rep;
    smtp_reply_result res;
    uint64_t acc = 0;
    for (size_t i = 0; i < s->n; i++) {
        const char *b = s->data + s->off[i];
        if (smtp_reply_parse(b, s->len[i], 0, &rep) == SMTP_REPLY_OK &&
            (u ? smtp_reply_classify_with(u, b, s->len[i], &rep, &res)
               : smtp_reply_classify(b, s->len[i], &rep, &res)) == SMTP_REPLY_OK)
            acc += (uint64_t)res.category + res.match.off;
    }
    return acc;
}

uint64_t classify_pass(const struct rset *s) { return classify_pass_with(s, NULL); }

static unsigned char lower_tab[256];
static unsigned char *scratch;

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((noinline, optimize("no-tree-vectorize")))
#elif defined(__clang__)
__attribute__((noinline))
#endif
static void lower_bytes(const unsigned char *src, size_t n, unsigned char *dst)
{
    const unsigned char *t = lower_tab;
#if defined(__clang__)
#pragma clang loop vectorize(disable) interleave(disable)
#endif
    for (size_t i = 0; i < n; i++)
        dst[i] = t[src[i]];
}

void floor_init(size_t maxlen)
{
    for (int i = 0; i < 256; i++)
        lower_tab[i] = (unsigned char)(i >= 'A' && i <= 'Z' ? i + 32 : i);
    scratch = bench_xrealloc(NULL, maxlen + 16);
}

void floor_free(void)
{
    free(scratch);
    scratch = NULL;
}

uint64_t floor_pass(const struct rset *s)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < s->n; i++) {
        lower_bytes((const unsigned char *)s->data + s->off[i], s->len[i], scratch);
        acc += scratch[s->len[i] - 1];
    }
    return acc;
}

/* FNV-1a over the result, rule id text included: a fingerprint of what the
 * library said about the whole corpus, to tell that an optimisation changed
 * nothing.  Computed outside the timed loops. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 1099511628211u;
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "", 1);
}

uint64_t result_checksum(const struct rset *s, size_t *errors, size_t *unknown)
{
    smtp_reply rep;
    smtp_reply_result res;
    uint64_t h = 14695981039346656037u;
    *errors = *unknown = 0;
    for (size_t i = 0; i < s->n; i++) {
        const char *b = s->data + s->off[i];
        int rc = smtp_reply_parse(b, s->len[i], 0, &rep);
        int32_t v[12] = {rc};
        if (rc == SMTP_REPLY_OK && smtp_reply_classify(b, s->len[i], &rep, &res) == SMTP_REPLY_OK) {
            int32_t w[12] = {rc, res.category, res.permanence, res.recipient_action,
                             res.message_action, res.fault, res.evidence, res.stage,
                             (int32_t)res.retry_after, res.code, (int32_t)res.flags,
                             (int32_t)(res.enhanced[0] * 1000000 + res.enhanced[1] * 1000 +
                                       res.enhanced[2])};
            memcpy(v, w, sizeof v);
            h = fnv(h, v, sizeof v);
            h = fnv(h, &res.match, sizeof res.match);
            h = fnv_str(h, res.rule_id);
            h = fnv_str(h, res.provider);
            h = fnv_str(h, res.blocklist);
            h = fnv_str(h, res.enhanced_title);
            *unknown += res.category == SMTP_REPLY_CAT_UNKNOWN;
        } else {
            (*errors)++;
            h = fnv(h, v, sizeof v);
        }
    }
    return h;
}

/* Median ns per byte of classifying s: 3 batches, each repeated for at least
 * min_ns (and at least once). */
double measure_ns_per_byte(const struct rset *s, uint64_t min_ns)
{
    double v[3];
    bench_sink += classify_pass(s); /* warm */
    for (int b = 0; b < 3; b++) {
        uint64_t reps = 0, t0 = bench_wall_ns(), t;
        alloc_counting = 1;
        do {
            bench_sink += classify_pass(s);
            reps++;
            t = bench_wall_ns() - t0;
        } while (t < min_ns);
        alloc_counting = 0;
        v[b] = (double)t / ((double)reps * (double)s->bytes);
    }
    return bench_median(v, 3);
}

/* What the parser made of the single big input in s, for the record: the
 * status, how much of the input the reply took and how many lines it saw. */
const char *first_status(const struct rset *s, char *out, size_t outsize)
{
    smtp_reply rep;
    int rc = smtp_reply_parse(s->data + s->off[0], s->len[0], 0, &rep);
    snprintf(out, outsize, "%s, consumed %zu of %zu bytes, %u lines", smtp_reply_error_name(rc),
             rc == SMTP_REPLY_OK ? rep.consumed : (size_t)0, s->len[0],
             rc == SMTP_REPLY_OK ? rep.nlines : 0u);
    return out;
}
