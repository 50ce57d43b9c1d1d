/* tests.h - shared by the Check suites (the test rows: rows.h). */
#ifndef SMTPREPLY_TESTS_H
#define SMTPREPLY_TESTS_H

#include <check.h>
#include <stddef.h>

#include "smtpreply.h"

Suite *parse_suite(void);
Suite *table_suite(void);
Suite *api_suite(void);
Suite *unwrap_suite(void);
Suite *rules_suite(void);
Suite *bounce_suite(void);
Suite *fingerprint_suite(void);

/* "5.1.1", or "" when the reply has no enhanced code; returns buf. */
const char *test_enhanced_str(const uint16_t enh[3], char *buf, size_t size);

#endif
