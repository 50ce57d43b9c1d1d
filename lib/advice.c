/* advice.c - static advice records, chosen by rule or category. */
#include <string.h>

#include "internal.h"

/* A string of an advice record: the table's pool, or the user object's. */
static const char *adv_str(const smtp_reply_rules *u, uint32_t off)
{
    if (u == NULL)
        return smtp__str(off);
    return off == SMTP__NOSTR ? NULL : u->pool + off;
}

int smtp_reply_advice_with(const smtp_reply_rules *rules, const smtp_reply_result *res,
                           smtp_reply_advice_info *adv)
{
    if (adv == NULL)
        return SMTP_REPLY_E_NULL;
    memset(adv, 0, sizeof *adv);
    if (res == NULL)
        return SMTP_REPLY_E_NULL;
    uint32_t idx = res->advice_index;
    const struct smtp__advice *a = NULL;
    const smtp_reply_rules *from = NULL;
    if (idx >= smtp__nadvice && rules && rules->compiled && idx - smtp__nadvice < rules->nadvice) {
        a = &rules->advice[idx - smtp__nadvice];
        from = rules;
    } else {
        if (idx >= smtp__nadvice) {
            /* not from smtp_reply_classify: fall back to the category's record */
            int c = res->category;
            if (c < 0 || (uint32_t)c >= smtp__ncategories)
                c = SMTP_REPLY_CAT_UNKNOWN;
            idx = smtp__categories[c].advice;
        }
        a = &smtp__advice[idx];
    }
    adv->id = adv_str(from, a->id);
    adv->summary = adv_str(from, a->summary);
    adv->reference = adv_str(from, a->reference);
    adv->nsteps = a->nsteps;
    for (uint32_t i = 0; i < a->nsteps && i < SMTP_REPLY_MAX_STEPS; i++)
        adv->steps[i] = adv_str(from, a->steps[i]);
    adv->actors = a->actors;
    adv->remove_address = a->remove && res->recipient_action == SMTP_REPLY_RCPT_SUPPRESS;
    adv->message_action = res->message_action;
    adv->retry_after = res->retry_after;
    adv->recipient_action = res->recipient_action;
    return SMTP_REPLY_OK;
}

int smtp_reply_advice(const smtp_reply_result *res, smtp_reply_advice_info *adv)
{
    return smtp_reply_advice_with(NULL, res, adv);
}
