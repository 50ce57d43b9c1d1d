/*
 * lex.c - the enhanced status code reader every reader in lib/ shares (see lex.h).
 */
#include "lex.h"

size_t smtp__read_enhanced(const char *buf, size_t i, size_t n, uint16_t v[3])
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t p = i;
    unsigned part[3] = {0, 0, 0};

    if (i > 0 && (smtp__digit(b[i - 1]) || b[i - 1] == '.'))
        return 0;
    if (p >= n || (b[p] != '2' && b[p] != '4' && b[p] != '5'))
        return 0;
    part[0] = (unsigned)(b[p] - '0');
    p++;
    for (int k = 1; k < 3; k++) {
        size_t d = 0;
        if (p >= n || b[p] != '.')
            return 0;
        p++;
        while (p < n && smtp__digit(b[p]) && d < 4) {
            part[k] = part[k] * 10 + (unsigned)(b[p] - '0');
            p++;
            d++;
        }
        if (d == 0 || d > 3)
            return 0;
    }
    /* "5.7.1.100" is a version number or an address, not a status code */
    if (p < n && b[p] == '.' && p + 1 < n && smtp__digit(b[p + 1]))
        return 0;
    v[0] = (uint16_t)part[0];
    v[1] = (uint16_t)part[1];
    v[2] = (uint16_t)part[2];
    return p - i;
}
