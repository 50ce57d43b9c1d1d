/*
 * test-header.c - include/smtpreply.h compiles alone as strict C99
 * (-std=c99 -pedantic -Werror -Wall -Wextra: see meson.build) and its sizes
 * agree with the library's.
 */
#include "smtpreply.h"

#include <stdio.h>

int main(void)
{
    int bad = 0;
    if (smtp_reply_sizeof_reply() != sizeof(smtp_reply)) bad |= 1;
    if (smtp_reply_sizeof_result() != sizeof(smtp_reply_result)) bad |= 2;
    if (smtp_reply_sizeof_advice() != sizeof(smtp_reply_advice_info)) bad |= 4;
    if (smtp_reply_version_number() != SMTP_REPLY_VERSION_NUMBER) bad |= 8;
    printf("header C99: sizes %s, version %s\n", bad & 7 ? "DIFFER" : "agree",
           bad & 8 ? "DIFFERS" : "agrees");
    return bad ? 1 : 0;
}
