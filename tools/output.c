/* output.c - buffered standard output and the JSON writer (see output.h). */
#include "output.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void out_of_memory(void)
{
    fprintf(stderr, "%s: out of memory\n", out_program);
    exit(1);
}

void *out_grow(void *p, size_t *cap, size_t need, size_t size, size_t min)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : min;
    while (c < need)
        c *= 2;
    if ((p = realloc(p, c * size)) == NULL)
        out_of_memory();
    *cap = c;
    return p;
}

/* ---- output buffer ------------------------------------------------------------ */

char out_buf[1 << 16];
size_t out_len;
int out_failed;
const char *out_program = "smtpreply";

void out_flush(void)
{
    if (out_len && !out_failed) {
        if (fwrite(out_buf, 1, out_len, stdout) != out_len || fflush(stdout) != 0)
            out_failed = errno ? errno : EIO;
    }
    out_len = 0;
}

void out_mem_slow(const void *p, size_t n)
{
    const char *s = p;
    while (n > sizeof out_buf - out_len) {
        size_t k = sizeof out_buf - out_len;
        memcpy(out_buf + out_len, s, k);
        out_len += k;
        s += k;
        n -= k;
        out_flush();
    }
    memcpy(out_buf + out_len, s, n);
    out_len += n;
}

void out_s(const char *s) { out_mem(s, strlen(s)); }

void out_u(unsigned long long v)
{
    char t[24];
    int i = (int)sizeof t;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    out_mem(t + i, sizeof t - (size_t)i);
}

void outf(const char *fmt, ...)
{
    char t[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t, sizeof t, fmt, ap);
    va_end(ap);
    out_mem(t, n < 0 ? 0 : (size_t)n < sizeof t ? (size_t)n : sizeof t - 1);
}

size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0], lo = 0x80, hi = 0xbf;
    size_t need;
    if (c >= 0xc2 && c <= 0xdf)
        need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        lo = c == 0xe0 ? 0xa0 : lo;
        hi = c == 0xed ? 0x9f : hi;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        lo = c == 0xf0 ? 0x90 : lo;
        hi = c == 0xf4 ? 0x8f : hi;
    } else
        return 0;
    if (n < need + 1 || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i <= need; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return need + 1;
}

/* ---- JSON writer ------------------------------------------------------------- */

struct json_state out_json;

void j_open(char c)
{
    j_sep();
    out_c(c);
    out_json.more[++out_json.depth] = 0;
}

void j_close(char c)
{
    out_c(c);
    if (--out_json.depth == 0) {
        out_json.more[0] = 0;
        out_c('\n');
    }
}

void j_raw(const char *s)
{
    j_sep();
    out_s(s);
}

void j_uint(unsigned long long v)
{
    j_sep();
    out_u(v);
}

/* The letter of each two-character JSON escape (\n, \", ...); 0: none. */
static const char json_esc[128] = {['"'] = '"', ['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r',
                                   ['\t'] = 't', ['\b'] = 'b', ['\f'] = 'f'};

/* A JSON string for any bytes: valid UTF-8 passes through (U+2028 and U+2029 are
 * escaped for JavaScript's sake), control bytes and DEL become \uXXXX (or \n, \r,
 * \t, \b, \f), and every byte that is not part of a well-formed UTF-8 sequence
 * becomes U+FFFD, written \ufffd. */
static void json_string(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    out_c('"');
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] >= 0x20 && s[j] < 0x7f && s[j] != '"' && s[j] != '\\')
            j++;
        out_mem(s + i, j - i);
        if ((i = j) == n)
            break;
        unsigned c = s[i];
        size_t l = c >= 0x80 ? utf8_len(s + i, n - i) : 1;
        if (c < 0x80 && json_esc[c]) {
            out_c('\\');
            out_c(json_esc[c]);
        } else if (c < 0x80) {
            outf("\\u%04x", c);
        } else if (l == 0) {
            out_s("\\ufffd");
            l = 1;
        } else if (l == 3 && c == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
            out_s(s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
        } else {
            out_mem(s + i, l);
        }
        i += l;
    }
    out_c('"');
}

void j_str(const char *p, size_t n)
{
    j_sep();
    json_string(p, n);
}

/* The cache is direct-mapped, keyed by the string's address. */
void j_static(const char *s)
{
    static struct { const char *key; char *json; size_t len; } cache[4096];
    if (s == NULL) {
        j_raw("null");
        return;
    }
    j_sep();
    size_t n, h = ((uintptr_t)s >> 3 ^ (uintptr_t)s >> 15) & 4095;
    if (cache[h].key != s && (n = strlen(s)) <= (sizeof out_buf - 2) / 6) {
        if (sizeof out_buf - out_len < n * 6 + 2)
            out_flush();
        size_t mark = out_len;
        json_string(s, n);
        free(cache[h].json);
        cache[h].len = out_len - mark;
        if ((cache[h].json = malloc(cache[h].len)) == NULL)
            out_of_memory();
        memcpy(cache[h].json, out_buf + mark, cache[h].len);
        cache[h].key = s;
    } else if (cache[h].key == s) {
        out_mem(cache[h].json, cache[h].len);
    } else {
        json_string(s, strlen(s));
    }
}

void j_name(const char *name)
{
    j_static(name);
    out_c(':');
    out_json.after_key = 1;
}
