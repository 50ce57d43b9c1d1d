/*
 * userrules.c - smtpreply --rules, --check-rules and --sample: user rule files
 * compiled into user_rules with the library's loader, their errors reported as
 * file:line: fault, and a sample's records whose verdict the rules change.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <smtpreply.h>

#include "cli.h"
#include "output.h"
#include "record.h"

/* Add a rules file to user_rules; on an error, say where and why on stderr. */
int rules_load(const char *path)
{
    smtp_reply_rules_error err;
    if (user_rules == NULL && smtp_reply_rules_new(&user_rules) != SMTP_REPLY_OK) {
        fprintf(stderr, PROG ": out of memory\n");
        return -1;
    }
    if (smtp_reply_rules_add_file(user_rules, path, &err) != SMTP_REPLY_OK) {
        if (err.line)
            fprintf(stderr, PROG ": %s:%u: %s\n", err.file, err.line, err.message);
        else
            fprintf(stderr, PROG ": %s: %s\n", err.file, err.message);
        return -1;
    }
    return 0;
}

int rules_compile(void)
{
    smtp_reply_rules_error err;
    if (user_rules && smtp_reply_rules_compile(user_rules, &err) != SMTP_REPLY_OK) {
        fprintf(stderr, PROG ": %s: %s\n", err.file[0] ? err.file : "rules", err.message);
        return -1;
    }
    return 0;
}

/* --check-rules with --sample: classify each record of the sample with and
 * without the rules, and print the records whose verdict changes. */
int rules_check_sample(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
        return EXIT_IO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long long n = 0, changed = 0;
    while ((got = getline(&line, &cap, f)) >= 0) {
        size_t len = (size_t)got;
        if (len && line[len - 1] == '\n')
            len--;
        if (!opt.literal)
            len = rec_unescape(line, len);
        n++;
        smtp_reply r;
        smtp_reply_result a, b;
        if (smtp_reply_parse(line, len, 0, &r) != SMTP_REPLY_OK)
            continue;
        if (smtp_reply_classify(line, len, &r, &a) != SMTP_REPLY_OK ||
            smtp_reply_classify_with(user_rules, line, len, &r, &b) != SMTP_REPLY_OK)
            continue;
        if (a.category == b.category && strcmp(a.rule_id, b.rule_id) == 0 &&
            a.recipient_action == b.recipient_action)
            continue;
        changed++;
        outf("%s:%llu: %s (%s) -> %s (%s): ", path, n, smtp_reply_category_name(a.category), a.rule_id,
             smtp_reply_category_name(b.category), b.rule_id);
        out_shown(line, len, SHOW_INPUT_MAX);
        outf("\n");
    }
    free(line);
    fclose(f);
    outf("%s: %llu records, %llu changed by the rules\n", path, n, changed);
    return 0;
}
