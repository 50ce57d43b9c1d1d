/*
 * fuzz_rules.c - the user-rules loader on arbitrary bytes: a rules buffer is
 * refused with a defined error (a named code, a line inside the input) or
 * added whole; a compiled object classifies sample replies and the input itself
 * with well-formed results; nothing leaks (the object is freed every time).
 */
#include "fuzz.h"

static const char *const samples[] = {
    "550 5.1.1 <a@example.org>: Recipient address rejected: User unknown in local recipient table",
    "452 4.2.2 The email account that you tried to reach is over quota",
    "host mx.example.org[192.0.2.1] said: 554 5.7.1 blocked using zen.spamhaus.org (in reply to RCPT TO command)",
    "550 Gadget attachments are verboten here",
    "421 slow down cowboy",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    smtp_reply_rules *u;
    smtp_reply_rules_error err;
    if (smtp_reply_rules_new(&u) != SMTP_REPLY_OK)
        return 0;
    int rc = smtp_reply_rules_add_buffer(u, "fuzz.tsv", (const char *)data, size, &err);
    FUZZ_CHECK(rc == SMTP_REPLY_OK || rc == SMTP_REPLY_E_RULES || rc == SMTP_REPLY_E_NOMEM);
    if (rc == SMTP_REPLY_E_RULES) {
        /* the line is one of the input's (or 0), the message is set */
        size_t lines = 1;
        for (size_t i = 0; i < size; i++)
            lines += data[i] == '\n';
        FUZZ_CHECK(err.line <= lines && err.message[0] != '\0' && err.code == SMTP_REPLY_E_RULES);
    }
    rc = smtp_reply_rules_compile(u, &err);
    FUZZ_CHECK(rc == SMTP_REPLY_OK || rc == SMTP_REPLY_E_RULES || rc == SMTP_REPLY_E_NOMEM);
    if (rc == SMTP_REPLY_OK) {
        for (size_t i = 0; i <= sizeof samples / sizeof samples[0]; i++) {
            const char *buf = i < sizeof samples / sizeof samples[0] ? samples[i] : (const char *)data;
            size_t len = i < sizeof samples / sizeof samples[0] ? strlen(samples[i]) : size;
            smtp_reply r;
            smtp_reply_result res;
            smtp_reply_advice_info adv;
            int prc = smtp_reply_parse(buf, len, 0, &r);
            if (prc != SMTP_REPLY_OK)
                continue;
            FUZZ_CHECK(smtp_reply_classify_with(u, buf, len, &r, &res) == SMTP_REPLY_OK);
            fuzz_check_result(buf, len, SMTP_REPLY_OK, &r, &res);
            FUZZ_CHECK(res.rule_id != NULL && strlen(res.rule_id) < 1024);
            FUZZ_CHECK(smtp_reply_advice_with(u, &res, &adv) == SMTP_REPLY_OK && adv.summary != NULL);
        }
    }
    smtp_reply_rules_free(u);
    return 0;
}
