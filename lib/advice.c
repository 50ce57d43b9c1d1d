/* advice.c - static advice records, chosen by rule or category. */
#include <string.h>

#include "internal.h"

int smtp_reply_advice(const smtp_reply_result *res, smtp_reply_advice_info *adv)
{
    if (adv == NULL)
        return SMTP_REPLY_E_NULL;
    memset(adv, 0, sizeof *adv);
    if (res == NULL)
        return SMTP_REPLY_E_NULL;
    uint32_t idx = res->advice_index;
    if (idx >= smtp__nadvice) {
        /* not from smtp_reply_classify: fall back to the category's record */
        int c = res->category;
        if (c < 0 || (uint32_t)c >= smtp__ncategories)
            c = SMTP_REPLY_CAT_UNKNOWN;
        idx = smtp__categories[c].advice;
    }
    const struct smtp__advice *a = &smtp__advice[idx];
    adv->id = smtp__str(a->id);
    adv->summary = smtp__str(a->summary);
    adv->reference = smtp__str(a->reference);
    adv->nsteps = a->nsteps;
    for (uint32_t i = 0; i < a->nsteps && i < SMTP_REPLY_MAX_STEPS; i++)
        adv->steps[i] = smtp__str(a->steps[i]);
    adv->actors = a->actors;
    adv->remove_address = a->remove && res->recipient_action == SMTP_REPLY_RCPT_SUPPRESS;
    adv->message_action = res->message_action;
    adv->retry_after = res->retry_after;
    adv->recipient_action = res->recipient_action;
    return SMTP_REPLY_OK;
}
