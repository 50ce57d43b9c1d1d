/*
 * fuzz_classify.c - smtp_reply_classify_buf, smtp_reply_advice and
 * smtp_reply_text on arbitrary bytes: every enum in range, every name known,
 * spans inside the input, the one-call and two-call paths agree, and a
 * classification of a stream-parsed reply is as well-formed.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    smtp_reply r;
    smtp_reply_result res, res2;

    int rc = smtp_reply_classify_buf(buf, size, &r, &res);
    fuzz_check_parse(buf, size, 0, rc, &r);
    fuzz_check_result(buf, size, rc, &r, &res);

    /* the reply argument is optional and changes nothing */
    FUZZ_CHECK(smtp_reply_classify_buf(buf, size, NULL, &res2) == rc);
    FUZZ_CHECK(fuzz_result_equal(&res, &res2));

    if (rc == SMTP_REPLY_OK) {
        /* parse + classify gives what classify_buf gave */
        FUZZ_CHECK(smtp_reply_classify(buf, size, &r, &res2) == SMTP_REPLY_OK);
        FUZZ_CHECK(fuzz_result_equal(&res, &res2));
        char small[24];
        size_t tl = smtp_reply_text(buf, size, &r, small, sizeof small);
        FUZZ_CHECK(tl == r.text_len && strlen(small) <= tl);
    } else {
        /* a failed parse cannot be classified */
        FUZZ_CHECK(smtp_reply_classify(buf, size, &r, &res2) == SMTP_REPLY_E_NOT_PARSED);
    }

    /* a stream-parsed reply classifies too */
    int src = smtp_reply_parse(buf, size, SMTP_REPLY_OPT_STREAM, &r);
    if (src == SMTP_REPLY_OK) {
        FUZZ_CHECK(smtp_reply_classify(buf, size, &r, &res2) == SMTP_REPLY_OK);
        fuzz_check_result(buf, size, SMTP_REPLY_OK, &r, &res2);
        FUZZ_CHECK(res2.match.len == 0 || (uint64_t)res2.match.off + res2.match.len <= r.consumed);
    }
    return 0;
}
