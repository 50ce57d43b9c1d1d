/* batch.c - many inputs in one call, for bindings whose every call is costly. */
#include "internal.h"

int smtp_reply_classify_many(const char *const *bufs, const size_t *lens, size_t n,
                             smtp_reply *replies, smtp_reply_result *results, int *status)
{
    if (n == 0)
        return SMTP_REPLY_OK;
    if (bufs == NULL || lens == NULL || results == NULL || status == NULL)
        return SMTP_REPLY_E_NULL;
    for (size_t i = 0; i < n; i++)
        status[i] = smtp_reply_classify_buf(bufs[i], lens[i], replies ? &replies[i] : NULL,
                                            &results[i]);
    return SMTP_REPLY_OK;
}
