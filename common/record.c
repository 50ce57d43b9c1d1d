/* record.c - the record escapes (see record.h). */
#include "record.h"

#include <string.h>

static char decoded(char letter)
{
    switch (letter) {
    case 'r': return '\r';
    case 'n': return '\n';
    case 't': return '\t';
    case '\\': return '\\';
    default: return 0;
    }
}

size_t rec_unescape(char *s, size_t n)
{
    char *bs = memchr(s, '\\', n);
    if (bs == NULL)
        return n;
    size_t i = (size_t)(bs - s), o = i;
    while (i < n) {
        char v = s[i] == '\\' && i + 1 < n ? decoded(s[i + 1]) : 0;
        if (v) {
            s[o++] = v;
            i += 2;
        } else {
            s[o++] = s[i++];
        }
    }
    return o;
}

int rec_escape_letter(unsigned char c)
{
    switch (c) {
    case '\r': return 'r';
    case '\n': return 'n';
    case '\t': return 't';
    case '\\': return '\\';
    default: return 0;
    }
}

size_t rec_escape(const char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int l = rec_escape_letter((unsigned char)in[i]);
        if (l) {
            out[o++] = '\\';
            out[o++] = (char)l;
        } else {
            out[o++] = in[i];
        }
    }
    return o;
}
