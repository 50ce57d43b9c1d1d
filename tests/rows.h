/*
 * rows.h - the one reader of the test tables (the .tsv files of tests/data), shared by the
 * table suite (test-table.c) and the hardening tests.
 *
 * Files are read in name order.  Blank lines and lines starting with '#' are
 * skipped everywhere, and so is each file's header line (the first other line).
 * Every other line is a row: input, category, expect, source, separated by tabs
 * (see tests/data/README.md).  The input is decoded with the record escapes of
 * common/record.h.
 */
#ifndef SMTPREPLY_TEST_ROWS_H
#define SMTPREPLY_TEST_ROWS_H

#include <stddef.h>

struct test_row {
    char where[96];   /* "file.tsv:line" */
    char *escaped;    /* column 1 as written */
    char *input;      /* column 1 decoded: len bytes, then a NUL for printing */
    size_t len;
    char *category;   /* column 2 */
    char *expect;     /* column 3, "-" when absent */
};

struct test_rows {
    struct test_row *v;
    size_t n;
};

/* Read every row under dir.  Returns 0, or -1 after a message on stderr (the
 * folder cannot be read, it holds no row, or a row has fewer than two columns). */
int test_rows_load(const char *dir, struct test_rows *rows);
void test_rows_free(struct test_rows *rows);

/* The tests/data folder: argv[1] when given, else $SMTPREPLY_TEST_DATA, else
 * "tests/data". */
const char *test_rows_dir(int argc, char **argv);

/* The next tab-separated cell of the line *p points into: cut at the tab (or
 * the end), *p moved past it (NULL after the last cell).  NULL when *p is. */
char *test_rows_cell(char **p);
/* Drop the line break (LF, CRLF) at the end of s. */
void test_rows_chomp(char *s);

#endif
