/*
 * group.h - smtpreply --group: records grouped by the fingerprint of their reply
 * (smtp_reply_fingerprint), largest groups first.  See smtpreply(1), GROUPS.
 *
 * Memory is bounded: at most max_groups groups are kept, each with at most
 * GROUP_TEMPLATE_KEEP bytes of its template and GROUP_EXAMPLE_KEEP bytes of its
 * example; a record whose template is new once the table is full is counted as
 * dropped.  group_read_lines reads standard input one record per line with one
 * buffer of at most GROUP_RECORD_MAX bytes: a longer line is cut there (and
 * counted).
 */
#ifndef SMTPREPLY_GROUP_H
#define SMTPREPLY_GROUP_H

#include <stddef.h>
#include <stdio.h>

#include <smtpreply.h>

#define GROUP_MAX_DEFAULT 10000u
#define GROUP_MAX_LIMIT 10000000u
#define GROUP_TEMPLATE_KEEP 1000u
#define GROUP_EXAMPLE_KEEP 1000u
#define GROUP_RECORD_MAX (1u << 20)

/* Start grouping with a table of at most max_groups groups. */
void group_init(size_t max_groups);

/* Count one record: in/inlen its bytes as read, buf/len the buffer that was parsed
 * (status: the parse's; r and res valid when it is SMTP_REPLY_OK). */
void group_add(const char *in, size_t inlen, const char *buf, size_t len, int status,
               const smtp_reply *r, const smtp_reply_result *res);

/* Print the groups, largest first (--json: one object per group; weak: only the
 * groups whose example was decided by weak evidence), then the notes.  shown
 * writes input bytes readably (the CLI's escapes), at most max of them. */
void group_print(int json, int weak, void (*shown)(const char *p, size_t n, size_t max));

void group_free(void);

/* Read f one record per line (a CR before the LF is dropped) with a buffer of at
 * most GROUP_RECORD_MAX bytes, and call record on each; 0, or -1 after a read
 * error (errno set). */
int group_read_lines(FILE *f, void (*record)(char *p, size_t n));

#endif
