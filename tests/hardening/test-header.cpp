// test-header.cpp - include/smtpreply.h compiles as C++11 (-pedantic -Werror,
// see meson.build), links against the C library (extern "C") and sees the
// same struct sizes.
#include "smtpreply.h"

#include <cstdio>
#include <cstring>

int main()
{
    int bad = 0;
    if (smtp_reply_sizeof_reply() != sizeof(smtp_reply)) bad |= 1;
    if (smtp_reply_sizeof_result() != sizeof(smtp_reply_result)) bad |= 2;
    if (smtp_reply_sizeof_advice() != sizeof(smtp_reply_advice_info)) bad |= 4;
    const char reply[] = "550 5.1.1 user unknown";
    smtp_reply r;
    smtp_reply_result res;
    if (smtp_reply_classify_buf(reply, std::strlen(reply), &r, &res) != SMTP_REPLY_OK ||
        res.category != SMTP_REPLY_CAT_USER_UNKNOWN)
        bad |= 8;
    std::printf("header C++11: sizes %s, call %s\n", bad & 7 ? "DIFFER" : "agree",
                bad & 8 ? "FAILED" : "ok");
    return bad ? 1 : 0;
}
