/* internal.h - shared between the library's source files (not installed). */
#ifndef SMTPREPLY_INTERNAL_H
#define SMTPREPLY_INTERNAL_H

#include "smtpreply.h"
#include "table.h"

#define SMTP__ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Where unwrapping found the reply inside a larger text. */
struct smtp__unwrapped {
    size_t start;        /* offset of the reply (or diagnostic text) */
    size_t end;          /* end of the region to parse (exclusive) */
    uint32_t wrapper;    /* enum smtp_reply_wrapper */
    uint32_t stage;      /* enum smtp_reply_stage */
};

/* Find the reply inside a log line, DSN field or NDR text (unwrap.c).
 * Fills *u; u->start == 0, u->end == len and wrapper NONE for a raw reply. */
void smtp__unwrap(const char *buf, size_t len, struct smtp__unwrapped *u);

/* Read an enhanced status code "C.S.D" at buf[i..n): class 2/4/5, subject and
 * detail 1-3 digits, not followed by ".digit" or a digit, not preceded by a digit
 * or '.'.  Returns its length (0 when none) and fills v[3]. */
size_t smtp__read_enhanced(const char *buf, size_t i, size_t n, uint16_t v[3]);

#endif
