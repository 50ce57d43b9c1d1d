/*
 * lex.h - the byte classes every reader in lib/ shares, and the enhanced
 * status code reader.  ASCII only: a byte >= 0x80 is never a digit, a letter
 * or white space here, whatever the locale says (the <ctype.h> functions are
 * locale-dependent and undefined for negative chars).  This is the bottom
 * layer: parse.c, unwrap.c, mime.c and bounce.c use it; it uses none of them.
 */
#ifndef SMTPREPLY_LEX_H
#define SMTPREPLY_LEX_H

#include <stddef.h>
#include <stdint.h>

static inline int smtp__digit(unsigned char c) { return c >= '0' && c <= '9'; }
/* space or tab (RFC 5234 WSP) */
static inline int smtp__wsp(unsigned char c) { return c == ' ' || c == '\t'; }
/* WSP or a line break byte */
static inline int smtp__lws(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
/* the C locale's isspace(): LWS, vertical tab, form feed */
static inline int smtp__space(unsigned char c) { return smtp__lws(c) || c == '\v' || c == '\f'; }
static inline int smtp__alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static inline int smtp__alnum(unsigned char c) { return smtp__alpha(c) || smtp__digit(c); }
static inline unsigned char smtp__lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}
/* the value of a hexadecimal digit (either case), or -1 */
static inline int smtp__hex(unsigned char c)
{
    if (smtp__digit(c))
        return c - '0';
    c = smtp__lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* An RFC 3463 enhanced status code class.subject.detail at buf[i] within n
 * (class 2, 4 or 5; subject and detail of 1 to 3 digits), not preceded by a
 * digit or '.', not followed by ".digit".  Returns its length and fills v, or 0. */
size_t smtp__read_enhanced(const char *buf, size_t i, size_t n, uint16_t v[3]);

#endif
