/*
 * fuzz_invariants.c - properties that relate calls to each other.
 *
 *  - whole-text parse and classify of the same bytes are deterministic
 *    (two calls, on two copies at different addresses, give equal results);
 *  - spans inside the input, consumed <= length, text_len == smtp_reply_text(),
 *    category name round-trips through smtp_reply_category_from_name, every
 *    enum field below its count (fuzz.h);
 *  - stream mode on the prefixes of the input (every one up to 256 bytes,
 *    then a sample: line ends, every 64th, just past a complete reply, the
 *    whole), each copied to an exact-size
 *    heap block so that AddressSanitizer catches a read past the prefix:
 *    when the whole input holds a complete reply of C bytes, every shorter
 *    prefix is E_INCOMPLETE and every prefix of C bytes or more gives the
 *    same reply; a prefix never yields a reply the full input does not;
 *  - the incremental stream parser (smtp_reply_parse_stream), fed the same
 *    prefixes in steps whose sizes come from the input, answers at every step
 *    what smtp_reply_parse answers on that prefix, and examines a bounded
 *    number of bytes per byte fed.
 */
#include "fuzz.h"

/* Compare the fields of two replies that describe the same bytes. */
static int reply_equal(const smtp_reply *a, const smtp_reply *b)
{
    if (a->code != b->code || memcmp(a->enhanced, b->enhanced, sizeof a->enhanced) != 0 ||
        a->stage != b->stage || a->flags != b->flags || a->wrapper != b->wrapper ||
        a->consumed != b->consumed || a->reply.off != b->reply.off ||
        a->reply.len != b->reply.len || a->code_span.off != b->code_span.off ||
        a->code_span.len != b->code_span.len || a->enhanced_span.off != b->enhanced_span.off ||
        a->enhanced_span.len != b->enhanced_span.len || a->nlines != b->nlines ||
        a->nstored != b->nstored || a->text_len != b->text_len)
        return 0;
    for (uint32_t i = 0; i < a->nstored && i < SMTP_REPLY_MAX_LINES; i++)
        if (a->line[i].off != b->line[i].off || a->line[i].len != b->line[i].len)
            return 0;
    return 1;
}

/* Results of the same bytes at two addresses: equal except the string
 * pointers, which are static and so must be identical too. */
#define MAX_PREFIXES 2048u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *a = fuzz_dup(data, size), *b = fuzz_dup(data, size);
    smtp_reply ra, rb;
    smtp_reply_result xa, xb;

    /* determinism of whole-text parse + classify */
    int rca = smtp_reply_classify_buf(a, size, &ra, &xa);
    int rcb = smtp_reply_classify_buf(b, size, &rb, &xb);
    fuzz_check_parse(a, size, 0, rca, &ra);
    fuzz_check_result(a, size, rca, &ra, &xa);
    FUZZ_CHECK(rca == rcb && reply_equal(&ra, &rb) && fuzz_result_equal(&xa, &xb));
    FUZZ_CHECK(smtp_reply_category_from_name(smtp_reply_category_name(xa.category)) == xa.category);
    FUZZ_CHECK(smtp_reply_text(a, size, &ra, NULL, 0) == ra.text_len);
    /* NO_UNWRAP is deterministic as well */
    rca = smtp_reply_parse(a, size, SMTP_REPLY_OPT_NO_UNWRAP, &ra);
    rcb = smtp_reply_parse(b, size, SMTP_REPLY_OPT_NO_UNWRAP, &rb);
    FUZZ_CHECK(rca == rcb && reply_equal(&ra, &rb));

    /* stream mode on the full input and on every prefix */
    smtp_reply full;
    int frc = smtp_reply_parse(a, size, SMTP_REPLY_OPT_STREAM, &full);
    fuzz_check_parse(a, size, SMTP_REPLY_OPT_STREAM, frc, &full);
    size_t limit = size < MAX_PREFIXES ? size : MAX_PREFIXES;
    smtp_reply_stream st;
    smtp_reply_stream_init(&st);
    int st_done = 0;   /* the incremental parse has answered other than "incomplete" */
    size_t st_calls = 0, st_next = 1;
    for (size_t n = 0; n <= limit; n++) {
        /* The one-shot parse of every prefix is quadratic in the input, which made
         * this the slowest target (about 50 executions per second): it parses
         * every prefix up to 256 bytes, and past that those that end at or next
         * to a line break, every 64th, the prefixes just past a complete reply,
         * and the whole; the incremental parser is still fed every prefix its
         * steps reach, each copied to its own exact-size block. */
        int incremental = n > 0 && !st_done && n == st_next;
        int line_end = n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r' ||
                                 (n < size && (data[n] == '\n' || data[n] == '\r')));
        int sampled = n <= 256 || line_end || n % 64 == 0 || n == limit ||
                      (frc == SMTP_REPLY_OK && n >= full.consumed && n <= full.consumed + 8);
        if (!sampled && !incremental)
            continue;
        char *p = fuzz_dup(data, n);
        smtp_reply pr;
        int prc = SMTP_REPLY_E_INCOMPLETE;
        if (sampled) {
            prc = smtp_reply_parse(n ? p : NULL, n, SMTP_REPLY_OPT_STREAM, &pr);
            fuzz_check_parse(p, n, SMTP_REPLY_OPT_STREAM, prc, &pr);
            if (n == 0) {
                FUZZ_CHECK(prc == SMTP_REPLY_E_EMPTY);
            } else if (frc == SMTP_REPLY_OK) {
                if (n < full.consumed)
                    FUZZ_CHECK(prc == SMTP_REPLY_E_INCOMPLETE);
                else
                    FUZZ_CHECK(prc == SMTP_REPLY_OK && reply_equal(&pr, &full));
            } else if (prc == SMTP_REPLY_OK) {
                /* a reply complete in a prefix is complete in the whole */
                FUZZ_CHECK(!"a prefix parsed but the full input did not");
            }
        }
        if (incremental) {
            smtp_reply ir;
            int irc = smtp_reply_parse_stream(&st, p, n, &ir);
            st_calls++;
            if (sampled) {
                FUZZ_CHECK(irc == prc && reply_equal(&ir, &pr));
            } else if (frc == SMTP_REPLY_OK) {
                /* not sampled: n is short of the reply or just past the
                 * sampled prefixes after it */
                FUZZ_CHECK(n < full.consumed ? irc == SMTP_REPLY_E_INCOMPLETE
                                             : irc == SMTP_REPLY_OK && reply_equal(&ir, &full));
            } else {
                FUZZ_CHECK(irc != SMTP_REPLY_OK);
            }
            FUZZ_CHECK(st.examined <= 3 * (uint64_t)n + 10 * st_calls);
            st_done = irc != SMTP_REPLY_E_INCOMPLETE && irc != SMTP_REPLY_E_BLANK;
            st_next = n + 1 + data[n - 1] % 4; /* steps of 1 to 4 bytes */
        }
        if (sampled && prc == SMTP_REPLY_OK && (n == full.consumed || n == limit)) {
            /* the same reply each time past full.consumed: classified once there
             * and once at the end */
            smtp_reply_result pres;
            FUZZ_CHECK(smtp_reply_classify(p, n, &pr, &pres) == SMTP_REPLY_OK);
            fuzz_check_result(p, n, SMTP_REPLY_OK, &pr, &pres);
        }
        free(p);
    }
    free(a);
    free(b);
    return 0;
}
