/* test-runner.c - runs one Check suite by name: test-runner parse|table|api|unwrap|rules|bounce|fingerprint */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

const char *test_enhanced_str(const uint16_t enh[3], char *buf, size_t size)
{
    if (enh[0])
        snprintf(buf, size, "%u.%u.%u", enh[0], enh[1], enh[2]);
    else if (size)
        buf[0] = '\0';
    return buf;
}

int main(int argc, char **argv)
{
    static const struct { const char *name; Suite *(*make)(void); } suites[] = {
        {"parse", parse_suite}, {"table", table_suite}, {"api", api_suite},
        {"unwrap", unwrap_suite}, {"rules", rules_suite}, {"bounce", bounce_suite},
        {"fingerprint", fingerprint_suite},
    };
    if (argc != 2) {
        fprintf(stderr, "usage: %s parse|table|api|unwrap|rules|bounce|fingerprint\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        if (strcmp(argv[1], suites[i].name) == 0) {
            SRunner *sr = srunner_create(suites[i].make());
            srunner_run_all(sr, CK_NORMAL);
            int failed = srunner_ntests_failed(sr);
            srunner_free(sr);
            return failed ? EXIT_FAILURE : EXIT_SUCCESS;
        }
    }
    fprintf(stderr, "unknown suite %s\n", argv[1]);
    return 2;
}
