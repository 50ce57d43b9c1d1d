/* tests.h - shared by the Check suites. */
#ifndef SMTPREPLY_TESTS_H
#define SMTPREPLY_TESTS_H

#include <check.h>
#include <stddef.h>

#include "smtpreply.h"

Suite *parse_suite(void);
Suite *table_suite(void);
Suite *api_suite(void);
Suite *unwrap_suite(void);

/* Decode the \r \n \t \\ escapes of a test row into out; returns the length. */
size_t test_unescape(const char *in, char *out, size_t outsize);

#endif
