/*
 * record.h - the record escapes: one codec for the command-line tool, the test
 * tables (the .tsv files of tests/data), the benchmark corpus and the tests.  Internal: it is
 * not part of libsmtpreply and not installed.
 *
 * A record is one line of text.  So that a multiline reply fits on one line, four
 * two-byte escapes stand for bytes:
 *
 *     \r  carriage return (0x0D)    \n  line feed (0x0A)
 *     \t  tab (0x09)                \\  one backslash
 *
 * Every other backslash is an ordinary byte: a backslash before any other byte
 * ("\q", "\0", "\x41", a backslash before a UTF-8 letter) is kept together with
 * that byte, and a backslash at the end of the record is kept.  Decoding reads
 * left to right, so "\\r" is a backslash followed by the letter r.  Every other
 * byte, NUL and bytes that are not UTF-8 included, stands for itself.
 *
 * bindings/python/smtpreply/_record.py is the same codec in Python;
 * tests/test-codec.py holds the two to the same bytes.
 */
#ifndef SMTPREPLY_RECORD_H
#define SMTPREPLY_RECORD_H

#include <stddef.h>

/* Decode the escapes of s[0..n) in place; returns the decoded length (<= n). */
size_t rec_unescape(char *s, size_t n);

/* Encode in[0..n) into out, which must hold 2 * n bytes; returns the length.
 * rec_unescape gives back the input for any bytes. */
size_t rec_escape(const char *in, size_t n, char *out);

/* The letter that follows the backslash in the escape of byte c ('r', 'n', 't'
 * or '\\'), or 0 when c stands for itself. */
int rec_escape_letter(unsigned char c);

#endif
