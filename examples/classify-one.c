/*
 * classify-one.c - classify one SMTP reply and print what to do about it.
 *
 *   classify-one '550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown'
 *
 * The argument may also be an MTA log line or a DSN "Diagnostic-Code:" field: the
 * library finds the reply inside it.  A multiline reply can be given with real line
 * breaks ($'550-5.7.26 ...\r\n550 5.7.26 ...' in bash).
 *
 * Build against an installed library:
 *   cc classify-one.c $(pkg-config --cflags --libs smtpreply) -o classify-one
 */
#include <stdio.h>
#include <string.h>

#include <smtpreply.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s 'SMTP REPLY'\n", argv[0]);
        return 2;
    }
    const char *buf = argv[1];
    size_t len = strlen(buf);

    /* 1. Parse and classify in one call.  Nothing is allocated: the results live in
     *    these two structs, and text comes back as spans into buf or static strings. */
    smtp_reply reply;
    smtp_reply_result result;
    int err = smtp_reply_classify_buf(buf, len, &reply, &result);
    if (err != SMTP_REPLY_OK) {
        printf("not a reply: %s (%s)\n", smtp_reply_error_name(err), smtp_reply_strerror(err));
        return 1;
    }

    /* 2. The verdict. */
    printf("code:        %d", (int)result.code);
    if (result.enhanced[0])
        printf(" %u.%u.%u", result.enhanced[0], result.enhanced[1], result.enhanced[2]);
    printf("\ncategory:    %s (%s)\n", smtp_reply_category_name(result.category),
           smtp_reply_permanence_name(result.permanence));
    printf("recipient:   %s\n", smtp_reply_recipient_action_name(result.recipient_action));
    printf("message:     %s", smtp_reply_message_action_name(result.message_action));
    if (result.retry_after)
        printf(" (wait %u seconds)", (unsigned)result.retry_after);
    printf("\nrule:        %s\n", result.rule_id);
    if (result.provider)
        printf("provider:    %s\n", result.provider);
    if (result.blocklist)
        printf("blocklist:   %s\n", result.blocklist);
    /* the bytes of the input that decided, e.g. "User unknown" */
    if (result.match.len)
        printf("because of:  \"%.*s\"\n", (int)result.match.len, buf + result.match.off);

    /* 3. The advice: a summary, ordered steps and a reference. */
    smtp_reply_advice_info advice;
    if (smtp_reply_advice(&result, &advice) != SMTP_REPLY_OK)
        return 1;
    printf("\n%s\n", advice.summary);
    for (uint32_t i = 0; i < advice.nsteps; i++)
        printf("  %u. %s\n", (unsigned)(i + 1), advice.steps[i]);
    printf("see: %s\n", advice.reference);
    return 0;
}
