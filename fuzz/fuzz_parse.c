/*
 * fuzz_parse.c - smtp_reply_parse on arbitrary bytes, in every option
 * combination (whole text, SMTP_REPLY_OPT_STREAM, SMTP_REPLY_OPT_NO_UNWRAP),
 * checking the invariants of fuzz.h on each result, and walking the input as a
 * wire stream reply by reply (consumed must advance and stay inside).
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned opts[] = {
        0, SMTP_REPLY_OPT_STREAM, SMTP_REPLY_OPT_NO_UNWRAP,
        SMTP_REPLY_OPT_STREAM | SMTP_REPLY_OPT_NO_UNWRAP,
    };
    const char *buf = (const char *)data;
    smtp_reply r;

    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        int rc = smtp_reply_parse(buf, size, opts[i], &r);
        fuzz_check_parse(buf, size, opts[i], rc, &r);
    }
    /* unknown option bits are refused */
    FUZZ_CHECK(smtp_reply_parse(buf, size, 1u << 7, &r) == SMTP_REPLY_E_BAD_OPTION);

    /* a stream of replies: each consumed > 0, never past the end */
    size_t off = 0;
    while (off < size) {
        int rc = smtp_reply_parse(buf + off, size - off, SMTP_REPLY_OPT_STREAM, &r);
        fuzz_check_parse(buf + off, size - off, SMTP_REPLY_OPT_STREAM, rc, &r);
        if (rc != SMTP_REPLY_OK)
            break;
        FUZZ_CHECK(r.consumed > 0 && r.consumed <= size - off);
        off += r.consumed;
    }
    return 0;
}
