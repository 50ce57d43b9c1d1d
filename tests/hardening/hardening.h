/*
 * hardening.h - shared by the hardening tests: the EXPECT macro and a few checks.
 * Header-only (static functions) so each test stays one file.  The real replies
 * of tests/data come from the one reader of the test tables, ../rows.h.
 */
#ifndef HARDENING_H
#define HARDENING_H

#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1 /* MAP_ANONYMOUS */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"
#include "smtpreply.h"

static int hard_failures;
static unsigned long hard_checks;

#define EXPECT(cond, ...)                                                                  \
    do {                                                                                   \
        hard_checks++;                                                                     \
        if (!(cond)) {                                                                     \
            hard_failures++;                                                               \
            if (hard_failures <= 30) {                                                     \
                fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond);          \
                fprintf(stderr, __VA_ARGS__);                                              \
                fputc('\n', stderr);                                                       \
            }                                                                              \
        }                                                                                  \
    } while (0)

static inline int hard_span_in(smtp_reply_span s, size_t len)
{
    return (uint64_t)s.off + s.len <= (uint64_t)len;
}

/* Status is a known value and an OK reply's spans stay inside the input. */
static inline void hard_check_reply(const char *what, size_t len, int rc, const smtp_reply *r)
{
    EXPECT(rc <= 0 && rc > -smtp_reply_error_count(), "%s: status %d", what, rc);
    if (rc != SMTP_REPLY_OK)
        return;
    EXPECT(r->consumed > 0 && r->consumed <= len, "%s: consumed %zu of %zu", what, r->consumed, len);
    EXPECT(hard_span_in(r->reply, len), "%s: reply span", what);
    EXPECT(r->nstored <= SMTP_REPLY_MAX_LINES, "%s: nstored %u", what, r->nstored);
    for (uint32_t i = 0; i < r->nstored && i < SMTP_REPLY_MAX_LINES; i++)
        EXPECT(hard_span_in(r->line[i], len), "%s: line %u span", what, i);
    EXPECT(hard_span_in(r->code_span, len) && hard_span_in(r->enhanced_span, len), "%s: code spans",
           what);
    EXPECT(hard_span_in(r->recipient, len), "%s: recipient span", what);
}

static inline void hard_check_result(const char *what, size_t len, const smtp_reply_result *res)
{
    EXPECT(res->category >= 0 && res->category < smtp_reply_category_count(), "%s: category %d",
           what, res->category);
    EXPECT(res->rule_id != NULL, "%s: rule_id NULL", what);
    EXPECT(res->match.len == 0 || hard_span_in(res->match, len), "%s: match span", what);
    EXPECT(hard_span_in(res->recipient, len), "%s: recipient span", what);
}

static inline int hard_summary(const char *name)
{
    printf("%s: %lu checks, %d failed\n", name, hard_checks, hard_failures);
    return hard_failures ? 1 : 0;
}

#endif
