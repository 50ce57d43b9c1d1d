/*
 * fuzz_bounce.c - the bounce reader (smtp_reply_bounce_open/next) on
 * arbitrary bytes.
 *
 * Checks on every input:
 *  - with exactly smtp_reply_bounce_scratch_size(size) bytes of scratch the
 *    reader never runs short (SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT): the size
 *    function's promise;
 *  - open() returns OK or one of its documented errors, and next() then
 *    returns exactly nrecipients records, then OK, then OK again;
 *  - every view (per mail and per record) lies inside the input or the
 *    scratch, and every name function knows the values returned;
 *  - the same input gives the same records twice (determinism);
 *  - with only SMTP_REPLY_BOUNCE_SCRATCH_MIN bytes of scratch (an exact-size
 *    heap block, so ASan sees any overrun) it still returns a defined result,
 *    as it does with the STANDARD and NO_CLASSIFY options.
 * Seeds: fuzz/corpus-bounce/ (synthetic, fuzz/make-bounce-corpus.py) and, when
 * ../shared is there, the dev bounce mails (see fuzz/meson.build).
 */
#include "fuzz.h"

static int in_range(const smtp_reply_bounce_str *s, const char *buf, size_t size,
                    const char *scr, size_t ss)
{
    if (s->ptr == NULL)
        return s->len == 0;
    uintptr_t p = (uintptr_t)s->ptr;
    return (p >= (uintptr_t)buf && p + s->len <= (uintptr_t)buf + size) ||
           (p >= (uintptr_t)scr && p + s->len <= (uintptr_t)scr + ss);
}

static void check_mail(const smtp_reply_bounce *b, const char *buf, size_t size, const char *scr,
                       size_t ss)
{
    const smtp_reply_bounce_str *strs[] = {
        &b->from, &b->to, &b->subject, &b->date, &b->message_id, &b->auto_submitted,
        &b->x_failed_recipients, &b->reporting_mta, &b->received_from_mta, &b->dsn_gateway,
        &b->arrival_date, &b->envelope_id, &b->orig_message_id, &b->orig_from, &b->orig_to,
        &b->orig_subject, &b->orig_date, &b->orig_list_id, &b->orig_return_path, &b->orig_header,
        &b->feedback_type, &b->user_agent, &b->source_ip, &b->original_mail_from,
        &b->reported_domain, &b->disposition, &b->mdn_recipient, &b->notification,
    };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        FUZZ_CHECK(in_range(strs[i], buf, size, scr, ss));
    FUZZ_CHECK(smtp_reply_bounce_kind_name(b->kind) != NULL);
    FUZZ_CHECK(smtp_reply_bounce_format_name(b->format) != NULL);
    FUZZ_CHECK(smtp_reply_bounce_mta_name(b->mta) != NULL);
    FUZZ_CHECK(b->nfailed + b->ndelayed + b->nother == b->nrecipients);
    FUZZ_CHECK(b->nparts <= SMTP_REPLY_BOUNCE_MAX_PARTS);
}

static void check_rcpt(const smtp_reply_bounce_rcpt *r, const char *buf, size_t size,
                       const char *scr, size_t ss)
{
    const smtp_reply_bounce_str *strs[] = {
        &r->recipient, &r->final_recipient, &r->final_type, &r->original_recipient,
        &r->remote_mta, &r->diagnostic_type, &r->diagnostic, &r->status_text,
        &r->last_attempt_date, &r->will_retry_until, &r->final_log_id,
    };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        FUZZ_CHECK(in_range(strs[i], buf, size, scr, ss));
    FUZZ_CHECK(r->final_recipient.ptr != NULL && r->final_recipient.len > 0);
    FUZZ_CHECK(r->diagnostic.len <= SMTP_REPLY_BOUNCE_MAX_DIAG);
    FUZZ_CHECK(smtp_reply_bounce_action_name(r->action) != NULL);
    FUZZ_CHECK(smtp_reply_bounce_source_name(r->source) != NULL);
    FUZZ_CHECK(smtp_reply_stage_name(r->stage) != NULL);
    FUZZ_CHECK(smtp_reply_category_name(r->result.category) != NULL);
    FUZZ_CHECK(smtp_reply_permanence_name(r->result.permanence) != NULL);
    FUZZ_CHECK(r->result.rule_id != NULL);
    /* the parsed reply's spans are offsets into the diagnostic */
    if (r->parse_rc == SMTP_REPLY_OK) {
        FUZZ_CHECK(fuzz_span_in(r->reply.reply, r->diagnostic.len));
        for (uint32_t i = 0; i < r->reply.nstored && i < SMTP_REPLY_MAX_LINES; i++)
            FUZZ_CHECK(fuzz_span_in(r->reply.line[i], r->diagnostic.len));
    }
}

/* Read everything; returns a checksum of the records (for determinism). */
static uint64_t read_all(const char *buf, size_t size, char *scr, size_t ss, unsigned options,
                         int exact)
{
    smtp_reply_bounce_reader rd;
    smtp_reply_bounce b;
    smtp_reply_bounce_rcpt r;
    int rc = smtp_reply_bounce_open(&rd, buf, size, scr, ss, options, &b);
    FUZZ_CHECK(rc == SMTP_REPLY_OK || rc == SMTP_REPLY_E_EMPTY || rc == SMTP_REPLY_E_BLANK ||
               rc == SMTP_REPLY_E_NOT_MAIL);
    if (rc != SMTP_REPLY_OK) {
        FUZZ_CHECK(smtp_reply_bounce_next(&rd, &r) == SMTP_REPLY_E_READER);
        return (uint64_t)(unsigned)rc;
    }
    if (exact)
        FUZZ_CHECK(!(b.flags & SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT));
    check_mail(&b, buf, size, scr, ss);
    uint64_t sum = (uint64_t)b.kind * 31u + (uint64_t)b.format * 7u + b.nrecipients;
    uint32_t n = 0;
    while ((rc = smtp_reply_bounce_next(&rd, &r)) == SMTP_REPLY_BOUNCE_RECORD) {
        check_rcpt(&r, buf, size, scr, ss);
        FUZZ_CHECK(r.index == n);
        sum = sum * 1000003u + r.final_recipient.len * 131u + (uint64_t)r.result.category * 17u +
              r.status[0] * 100u + r.status[1] * 10u + r.status[2] + r.diagnostic.len;
        n++;
    }
    FUZZ_CHECK(rc == SMTP_REPLY_OK);
    FUZZ_CHECK(n == b.nrecipients);
    FUZZ_CHECK(smtp_reply_bounce_next(&rd, &r) == SMTP_REPLY_OK);
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;   /* the limits test covers big mails; keep the fuzzer fast */
    char *buf = fuzz_dup(data, size);
    size_t ss = smtp_reply_bounce_scratch_size(size);
    char *scr = (char *)malloc(ss);
    FUZZ_CHECK(scr != NULL);
    uint64_t a = read_all(buf, size, scr, ss, 0, 1);
    uint64_t b = read_all(buf, size, scr, ss, 0, 1);
    FUZZ_CHECK(a == b);
    (void)read_all(buf, size, scr, ss, SMTP_REPLY_BOUNCE_OPT_STANDARD, 1);
    (void)read_all(buf, size, scr, ss, SMTP_REPLY_BOUNCE_OPT_NO_CLASSIFY, 1);
    free(scr);
    /* the smallest scratch, in a block of exactly that size */
    char *small = (char *)malloc(SMTP_REPLY_BOUNCE_SCRATCH_MIN);
    FUZZ_CHECK(small != NULL);
    (void)read_all(buf, size, small, SMTP_REPLY_BOUNCE_SCRATCH_MIN, 0, 0);
    free(small);
    free(buf);
    return 0;
}
