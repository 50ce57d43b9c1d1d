/*
 * output.h - buffered standard output and the JSON writer of the command-line tool
 * (tools/smtpreply.c), kept apart so that every output of the tool, present or
 * future (records, --summary, a new mode's report), is written the same way.
 *
 * Output collects in one 64 KiB buffer written to standard output with fwrite;
 * out_failed holds the errno of the first failed write (nothing more is written).
 *
 * JSON: values are written in order and the writer places the commas.  An object is
 * j_open('{'), then j_key("literal") or j_name(string) before each member's value,
 * then j_close('}'); closing the outermost value ends the line (JSON Lines).  Every
 * string is valid JSON whatever its bytes: valid UTF-8 passes through (U+2028 and
 * U+2029 escaped), control bytes and DEL are escaped, and each byte that is not
 * part of a well-formed UTF-8 sequence becomes U+FFFD.
 */
#ifndef SMTPREPLY_OUTPUT_H
#define SMTPREPLY_OUTPUT_H

#include <stddef.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define OUT_PRINTF __attribute__((format(printf, 1, 2)))
#define OUT_NORETURN __attribute__((noreturn))
#else
#define OUT_PRINTF
#define OUT_NORETURN
#endif

/* The name in messages ("smtpreply: out of memory"). */
extern const char *out_program;
extern int out_failed;

/* The one out-of-memory path: a message on standard error, then exit status 1. */
OUT_NORETURN void out_of_memory(void);
/* p, grown to hold at least need items of size bytes (*cap doubles from min). */
void *out_grow(void *p, size_t *cap, size_t need, size_t size, size_t min);

void out_flush(void);
void out_mem_slow(const void *p, size_t n);

/* The buffer, for the inline fast paths below (the JSON writer calls them for
 * every few bytes). */
extern char out_buf[1 << 16];
extern size_t out_len;

static inline void out_mem(const void *p, size_t n)
{
    if (n <= sizeof out_buf - out_len) {
        memcpy(out_buf + out_len, p, n);
        out_len += n;
    } else {
        out_mem_slow(p, n);
    }
}

static inline void out_c(char c)
{
    if (out_len == sizeof out_buf)
        out_flush();
    out_buf[out_len++] = c;
}

void out_s(const char *s);
void out_u(unsigned long long v);
/* printf into the output, for short formatted pieces (at most 255 bytes). */
OUT_PRINTF void outf(const char *fmt, ...);

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), or 0 when the byte at s
 * does not start one (stray continuation, overlong form, surrogate, > U+10FFFF,
 * truncated sequence). */
size_t utf8_len(const unsigned char *s, size_t n);

/* The writer's state (for the inline functions below). */
struct json_state {
    int depth, after_key;
    unsigned char more[16]; /* a value was written at this depth */
};
extern struct json_state out_json;

/* Before each value: the comma, if one is due.  Callers use it before a value they
 * write themselves with out_*. */
static inline void j_sep(void)
{
    if (out_json.after_key)
        out_json.after_key = 0;
    else if (out_json.more[out_json.depth])
        out_c(',');
    out_json.more[out_json.depth] = 1;
}

void j_open(char c);                 /* '{' or '[' */
void j_close(char c);                /* '}' or ']' */
void j_raw(const char *s);           /* a value as it is: true, false, null, a number */
void j_uint(unsigned long long v);
void j_str(const char *p, size_t n); /* any bytes */
/* A string of the library (a name, rule id or advice text, which are static: their
 * JSON form is made once and then copied from a small cache), or null for NULL. */
void j_static(const char *s);

/* The key of the next member: j_key("literal"), or j_name(any string). */
void j_name(const char *name);
static inline void j_key_(const char *quoted_colon, size_t n)
{
    j_sep();
    out_mem(quoted_colon, n);
    out_json.after_key = 1;
}
#define j_key(literal) j_key_("\"" literal "\":", sizeof "\"" literal "\":" - 1)

/* Members whose key is a literal, or a string */
#define J_RAW(key, literal) (j_key(key), j_raw(literal))
#define J_UINT(key, v) (j_key(key), j_uint(v))
#define J_STATIC(key, s) (j_key(key), j_static(s))
#define J_NAME_UINT(name, v) (j_name(name), j_uint(v))

#endif
