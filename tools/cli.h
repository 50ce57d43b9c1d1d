/*
 * cli.h - what the parts of the smtpreply tool share: its options, the user rules
 * of --rules, and the record writers of smtpreply.c that the --mail reader
 * (mail.c) and the rules checker (userrules.c) use too.  The tool is one process
 * with one set of options: these are its globals.
 */
#ifndef SMTPREPLY_CLI_H
#define SMTPREPLY_CLI_H

#include <stddef.h>
#include <stdint.h>

#include <smtpreply.h>

#define PROG "smtpreply"
#define EXIT_USAGE 2
#define EXIT_IO 1
/* --summary counts enum values below this (the library's enums are far smaller) */
#define CLI_MAX_ENUM 64
/* readable output shows at most this many bytes of a record's input */
#define SHOW_INPUT_MAX 400

struct cli_options {
    int json, raw, summary, quiet, literal;
    int group, weak;   /* --group, --weak: records counted into groups (group.c) */
    size_t max_groups; /* --max-groups */
};
extern struct cli_options opt;
extern int interactive;              /* stdout is a terminal: flush after every record */
extern smtp_reply_rules *user_rules; /* --rules: compiled before the first record, or NULL */

/* smtpreply.c: an enhanced code as X.Y.Z; input bytes as a record with its escapes
 * (at most max bytes, then the length); the members of a record's JSON object (in
 * a --mail record, mail set, the mail's own keys stand instead of the reply's). */
void out_enhanced(const uint16_t e[3]);
void out_shown(const char *p, size_t n, size_t max);
void json_members(const char *in, size_t inlen, const char *buf, size_t len, int status,
                  const smtp_reply *r, const smtp_reply_result *res,
                  const smtp_reply_advice_info *adv, int mail);
/* --summary: its JSON object {"summary": {...}} opened and closed (nothing in
 * readable output), around the counts below. */
void summary_begin(void);
void summary_end(void);
/* --summary: the nonzero counts v[0..n) (n <= CLI_MAX_ENUM) of an enum, in the library's order, named
 * by name(): {"key": {"name": count, ...}} in JSON, or when shown a "  label:"
 * line and a line per name. */
void summary_enum(const char *key, const char *label, int shown, const unsigned long long *v, int n,
                  const char *(*name)(int));

/* mail.c, --mail: read the file at path ("-": standard input) as one mail, or as
 * an mbox of mails when it starts with a "From " line, and print a record per
 * recipient (an unreadable file or mail is an error record, counted); then the
 * counts of --summary. */
void mail_read_file(const char *path);
void mail_summary(void);

/* userrules.c, --rules and --check-rules: add a rules file to user_rules and
 * compile them (-1 after a message naming the file, line and fault on standard
 * error); --sample: print the records of a file whose verdict the rules change. */
int rules_load(const char *path);
int rules_compile(void);
int rules_check_sample(const char *path);

#endif
