/*
 * fuzz.h - shared checks for the libFuzzer targets in this folder.
 *
 * Every target defines LLVMFuzzerTestOneInput.  Built with -Dfuzzing=true and
 * CC=clang it links against libFuzzer; built any other way it links against
 * replay.c, which feeds it the checked-in corpus (fuzz/corpus/) so that the
 * targets and their checks are run by `meson test` on every build.
 *
 * A failed check prints what broke and calls abort(), which libFuzzer reports
 * as a crash (and saves the input) and which fails the replay test.
 */
#ifndef SMTPREPLY_FUZZ_H
#define SMTPREPLY_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpreply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                 \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* A check that a known, reported library bug fails.  Active by default; a
 * campaign that wants to look past it builds with -DFUZZ_SKIP_KNOWN. */
#ifdef FUZZ_SKIP_KNOWN
#define FUZZ_CHECK_KNOWN(cond) ((void)0)
#else
#define FUZZ_CHECK_KNOWN(cond) FUZZ_CHECK(cond)
#endif

/* A copy of data in a heap block of exactly size bytes (one byte for size 0,
 * never read), so that AddressSanitizer catches any read past the end. */
static inline char *fuzz_dup(const void *data, size_t size)
{
    char *p = (char *)malloc(size ? size : 1);
    FUZZ_CHECK(p != NULL);
    if (size)
        memcpy(p, data, size);
    return p;
}

/* span [off, off+len) lies inside [0, size) */
static inline int fuzz_span_in(smtp_reply_span s, size_t size)
{
    return (uint64_t)s.off + s.len <= (uint64_t)size;
}

/* span a lies inside span b */
static inline int fuzz_span_within(smtp_reply_span a, smtp_reply_span b)
{
    return a.off >= b.off && (uint64_t)a.off + a.len <= (uint64_t)b.off + b.len;
}

static inline int fuzz_known_status(int rc)
{
    return rc <= 0 && rc > -smtp_reply_error_count();
}

/* The joined text, built from the line spans as the header describes it:
 * non-empty lines joined by one space.  Returns its length; writes at most
 * cap bytes to out (out may be NULL). */
static inline size_t fuzz_join(const char *buf, const smtp_reply *r, char *out, size_t cap)
{
    size_t n = 0;
    for (uint32_t i = 0; i < r->nstored; i++) {
        if (r->line[i].len == 0)
            continue;
        if (n) {
            if (out && n < cap)
                out[n] = ' ';
            n++;
        }
        for (uint32_t k = 0; k < r->line[i].len; k++, n++)
            if (out && n < cap)
                out[n] = buf[r->line[i].off + k];
    }
    return n;
}

/* Check smtp_reply_text against the line spans, at full size and truncated. */
static inline void fuzz_check_text(const char *buf, size_t size, const smtp_reply *r)
{
    size_t tl = smtp_reply_text(buf, size, r, NULL, 0);
    FUZZ_CHECK(tl == r->text_len);
    char *want = (char *)malloc(tl + 1);
    char *got = (char *)malloc(tl + 1);
    FUZZ_CHECK(want && got);
    FUZZ_CHECK(fuzz_join(buf, r, want, tl) == tl);
    FUZZ_CHECK(smtp_reply_text(buf, size, r, got, tl + 1) == tl);
    FUZZ_CHECK(memcmp(got, want, tl) == 0 && got[tl] == '\0');
    /* truncated: a prefix, always NUL-terminated, same return value */
    for (size_t cap = 1; cap <= 9 && cap <= tl; cap += 4) {
        char *small = (char *)malloc(cap);
        FUZZ_CHECK(small != NULL);
        FUZZ_CHECK(smtp_reply_text(buf, size, r, small, cap) == tl);
        FUZZ_CHECK(memcmp(small, want, cap - 1) == 0 && small[cap - 1] == '\0');
        free(small);
    }
    free(want);
    free(got);
}

/* Every invariant of one smtp_reply_parse call that holds for any input. */
static inline void fuzz_check_parse(const char *buf, size_t size, unsigned opts, int rc,
                                    const smtp_reply *r)
{
    FUZZ_CHECK(fuzz_known_status(rc));
    FUZZ_CHECK(strcmp(smtp_reply_error_name(rc), "unknown-error") != 0);
    if (!(opts & SMTP_REPLY_OPT_STREAM))
        FUZZ_CHECK(rc != SMTP_REPLY_E_INCOMPLETE && rc != SMTP_REPLY_E_TOO_LONG);
    if (size == 0)
        FUZZ_CHECK(rc == SMTP_REPLY_E_EMPTY);
    if (rc != SMTP_REPLY_OK) {
        /* nothing from a failed parse points into the input */
        FUZZ_CHECK(r->nstored == 0 && r->consumed == 0 && r->text_len == 0 && r->code == 0);
        return;
    }
    FUZZ_CHECK(r->consumed > 0 && r->consumed <= size);
    FUZZ_CHECK(r->consumed <= smtp_reply_max_bytes());
    FUZZ_CHECK(fuzz_span_in(r->reply, size));
    FUZZ_CHECK(r->flags >> smtp_reply_flag_count() == 0);
    FUZZ_CHECK(r->wrapper < (uint32_t)smtp_reply_wrapper_count());
    FUZZ_CHECK(r->stage < (uint32_t)smtp_reply_stage_count());
    FUZZ_CHECK(r->nstored <= SMTP_REPLY_MAX_LINES);
    FUZZ_CHECK(r->nlines >= 1);
    /* what a wrapper gives (code, enhanced code, recipient) may lie outside the reply */
    const int wrapped = (r->flags & SMTP_REPLY_F_UNWRAPPED) != 0 || r->wrapper != SMTP_REPLY_WRAP_NONE;
    if (r->nlines > SMTP_REPLY_MAX_LINES)
        FUZZ_CHECK(r->flags & SMTP_REPLY_F_LINES_TRUNCATED);
    for (uint32_t i = 0; i < r->nstored; i++) {
        FUZZ_CHECK(fuzz_span_in(r->line[i], size));
        if (r->line[i].len) /* an empty line may sit past the trimmed reply end */
            FUZZ_CHECK(fuzz_span_within(r->line[i], r->reply));
    }
    if (r->code) {
        FUZZ_CHECK(r->code >= 200 && r->code <= 599);
        /* a code the wrapper implies (Exim's 550 for an ACL reject) has no digits */
        FUZZ_CHECK(r->code_span.len == 3 || (wrapped && r->code_span.len == 0));
        FUZZ_CHECK(fuzz_span_in(r->code_span, size));
        if (!wrapped)
            FUZZ_CHECK(fuzz_span_within(r->code_span, r->reply));
        const char *c = buf + r->code_span.off;
        if (r->code_span.len)
            FUZZ_CHECK((c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0') == r->code);
        FUZZ_CHECK(!(r->flags & SMTP_REPLY_F_NO_BASIC_CODE));
    } else {
        FUZZ_CHECK(r->code_span.len == 0);
        FUZZ_CHECK(r->flags & SMTP_REPLY_F_NO_BASIC_CODE);
    }
    if (r->enhanced[0]) {
        FUZZ_CHECK(r->enhanced[0] == 2 || r->enhanced[0] == 4 || r->enhanced[0] == 5);
        FUZZ_CHECK(r->enhanced[1] <= 999 && r->enhanced[2] <= 999);
        FUZZ_CHECK(r->enhanced_span.len >= 5 && fuzz_span_in(r->enhanced_span, size));
        if (!wrapped)
            FUZZ_CHECK(fuzz_span_within(r->enhanced_span, r->reply));
        /* the span reads back as the stored code */
        unsigned v[3] = {0, 0, 0}, k = 0;
        for (uint32_t i = 0; i < r->enhanced_span.len; i++) {
            char ch = buf[r->enhanced_span.off + i];
            if (ch == '.') {
                k++;
                FUZZ_CHECK(k < 3);
            } else {
                FUZZ_CHECK(ch >= '0' && ch <= '9');
                v[k] = v[k] * 10 + (unsigned)(ch - '0');
            }
        }
        FUZZ_CHECK(k == 2 && v[0] == r->enhanced[0] && v[1] == r->enhanced[1] &&
                   v[2] == r->enhanced[2]);
    } else {
        FUZZ_CHECK(r->enhanced[1] == 0 && r->enhanced[2] == 0 && r->enhanced_span.len == 0);
    }
    if (r->code && r->enhanced[0] && r->enhanced[0] != r->code / 100)
        FUZZ_CHECK(r->flags & SMTP_REPLY_F_CLASS_MISMATCH);
    FUZZ_CHECK((r->text_len == 0) == ((r->flags & SMTP_REPLY_F_EMPTY_TEXT) != 0));
    if (opts & (SMTP_REPLY_OPT_STREAM | SMTP_REPLY_OPT_NO_UNWRAP))
        FUZZ_CHECK(r->wrapper == SMTP_REPLY_WRAP_NONE && !(r->flags & SMTP_REPLY_F_UNWRAPPED));
    if (opts & SMTP_REPLY_OPT_STREAM) {
        /* a complete wire reply: starts with its code, ends with its line break */
        FUZZ_CHECK(r->code != 0 && r->code_span.off == 0 && r->reply.off == 0);
        FUZZ_CHECK(buf[r->consumed - 1] == '\n');
        FUZZ_CHECK(r->stage == SMTP_REPLY_STAGE_UNKNOWN);
        FUZZ_CHECK(!(r->flags & (SMTP_REPLY_F_NO_FINAL_LINE | SMTP_REPLY_F_SEVERAL_REPLIES |
                                 SMTP_REPLY_F_BYTES_TRUNCATED)));
    }
    /* the recipient the wrapper names: an address in the input, beside the reply */
    if (r->recipient.len) {
        FUZZ_CHECK(fuzz_span_in(r->recipient, size));
        FUZZ_CHECK(memchr(buf + r->recipient.off, '@', r->recipient.len) != NULL);
        FUZZ_CHECK(memchr(buf + r->recipient.off, '\n', r->recipient.len) == NULL);
        FUZZ_CHECK(r->recipient.off + r->recipient.len <= r->reply.off ||
                   r->recipient.off >= r->reply.off + r->reply.len || r->reply.len == 0 || !wrapped);
        FUZZ_CHECK(!(opts & (SMTP_REPLY_OPT_STREAM | SMTP_REPLY_OPT_NO_UNWRAP)));
    } else {
        FUZZ_CHECK(r->recipient.off == 0);
    }
    for (uint32_t i = 0; i < 6u; i++)
        FUZZ_CHECK(r->reserved[i] == 0);
    FUZZ_CHECK(r->reserved0 == 0);
    fuzz_check_text(buf, size, r);
}

static inline int fuzz_in_count(int v, int count) { return v >= 0 && v < count; }

/* Every invariant of a classification result and its advice. */
static inline void fuzz_check_result(const char *buf, size_t size, int rc, const smtp_reply *r,
                                     const smtp_reply_result *res)
{
    FUZZ_CHECK(fuzz_in_count(res->category, smtp_reply_category_count()));
    FUZZ_CHECK(fuzz_in_count(res->permanence, smtp_reply_permanence_count()));
    FUZZ_CHECK(fuzz_in_count(res->recipient_action, smtp_reply_recipient_action_count()));
    FUZZ_CHECK(fuzz_in_count(res->message_action, smtp_reply_message_action_count()));
    FUZZ_CHECK(fuzz_in_count(res->fault, smtp_reply_fault_count()));
    FUZZ_CHECK(fuzz_in_count(res->evidence, smtp_reply_evidence_count()));
    FUZZ_CHECK(fuzz_in_count(res->stage, smtp_reply_stage_count()));
    FUZZ_CHECK(res->rule_id != NULL);
    const char *name = smtp_reply_category_name(res->category);
    FUZZ_CHECK(name != NULL && smtp_reply_category_from_name(name) == res->category);
    if (rc != SMTP_REPLY_OK) {
        FUZZ_CHECK(res->category == SMTP_REPLY_CAT_UNKNOWN);
    } else if (r) {
        FUZZ_CHECK(res->code == r->code && res->flags == r->flags && res->stage == r->stage);
        FUZZ_CHECK(res->recipient.off == r->recipient.off && res->recipient.len == r->recipient.len);
        FUZZ_CHECK(memcmp(res->enhanced, r->enhanced, sizeof res->enhanced) == 0);
        if (r->enhanced[0])
            FUZZ_CHECK(res->enhanced_title ==
                       smtp_reply_enhanced_title(r->enhanced[0], r->enhanced[1], r->enhanced[2]));
        else
            FUZZ_CHECK(res->enhanced_title == NULL);
    }
    if (res->match.len)
        FUZZ_CHECK(fuzz_span_in(res->match, size));
    /* a 4xx or 5xx reply is never a success or "nothing to do", whatever its enhanced code says
     * (finding F1: "550 2.0.0 hmm" was classified success / msg none) */
    if (res->category == SMTP_REPLY_CAT_SUCCESS || res->permanence == SMTP_REPLY_PERM_SUCCESS ||
        res->message_action == SMTP_REPLY_MSG_NONE)
        FUZZ_CHECK_KNOWN(res->code < 400); /* 0, 2xx or 3xx */
    (void)buf;

    smtp_reply_advice_info adv;
    FUZZ_CHECK(smtp_reply_advice(res, &adv) == SMTP_REPLY_OK);
    FUZZ_CHECK(adv.id != NULL && adv.summary != NULL && adv.reference != NULL);
    FUZZ_CHECK(adv.id[0] != '\0' && adv.summary[0] != '\0');
    FUZZ_CHECK(adv.nsteps <= SMTP_REPLY_MAX_STEPS);
    for (uint32_t i = 0; i < SMTP_REPLY_MAX_STEPS; i++)
        FUZZ_CHECK((adv.steps[i] != NULL) == (i < adv.nsteps));
    FUZZ_CHECK(adv.actors >> smtp_reply_actor_count() == 0);
    FUZZ_CHECK(adv.message_action == res->message_action);
    FUZZ_CHECK(adv.retry_after == res->retry_after);
    FUZZ_CHECK(adv.recipient_action == res->recipient_action);
    FUZZ_CHECK(adv.remove_address == 0 || adv.remove_address == 1);
    if (adv.remove_address)
        FUZZ_CHECK(res->recipient_action == SMTP_REPLY_RCPT_SUPPRESS);
}

/* Field-by-field equality of two results (pointers compared as pointers: the
 * strings are static). */
static inline int fuzz_result_equal(const smtp_reply_result *a, const smtp_reply_result *b)
{
    return a->category == b->category && a->permanence == b->permanence &&
           a->recipient_action == b->recipient_action && a->message_action == b->message_action &&
           a->fault == b->fault && a->evidence == b->evidence && a->stage == b->stage &&
           a->retry_after == b->retry_after && a->code == b->code &&
           memcmp(a->enhanced, b->enhanced, sizeof a->enhanced) == 0 && a->flags == b->flags &&
           a->rule_id == b->rule_id && a->provider == b->provider && a->blocklist == b->blocklist &&
           a->enhanced_title == b->enhanced_title && a->match.off == b->match.off &&
           a->match.len == b->match.len && a->advice_index == b->advice_index &&
           a->recipient.off == b->recipient.off && a->recipient.len == b->recipient.len;
}

#endif
