/*
 * mail.c - smtpreply --mail: whole bounce mails (one per file, or an mbox of them)
 * read with the library's bounce reader, one record per recipient, and the counts
 * of --summary.  The record keys follow the reply records of smtpreply.c, whose
 * json_members writes the reply's part.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smtpreply.h>

#include "cli.h"
#include "output.h"

static struct {
    unsigned long long mails, records, kinds[CLI_MAX_ENUM], actions[CLI_MAX_ENUM], categories[CLI_MAX_ENUM], errors;
} mstats;

static void mail_str(const char *key, const smtp_reply_bounce_str *v)
{
    j_name(key);
    v->ptr ? j_str(v->ptr, v->len) : j_raw("null");
}

static void mail_json(const char *file, unsigned long long idx, const smtp_reply_bounce *b,
                      const smtp_reply_bounce_rcpt *rc)
{
    j_open('{');
    j_key("file");
    j_str(file, strlen(file));
    J_UINT("mail", idx);
    J_STATIC("kind", smtp_reply_bounce_kind_name(b->kind));
    J_STATIC("format", smtp_reply_bounce_format_name(b->format));
    J_STATIC("mta", smtp_reply_bounce_mta_name(b->mta));
    mail_str("message_id", &b->orig_message_id);
    if (rc == NULL) {
        J_RAW("recipient", "null");
        J_RAW("ok", "true");
        j_close('}');
        return;
    }
    mail_str("recipient", &rc->recipient);
    mail_str("final_recipient", &rc->final_recipient);
    mail_str("original_recipient", &rc->original_recipient);
    J_STATIC("action", smtp_reply_bounce_action_name(rc->action));
    j_key("status");
    if (rc->status[0]) {
        j_sep();
        out_c('"');
        out_enhanced(rc->status);
        out_c('"');
    } else
        j_raw("null");
    mail_str("remote_mta", &rc->remote_mta);
    mail_str("diagnostic_type", &rc->diagnostic_type);
    mail_str("diagnostic", &rc->diagnostic);
    J_STATIC("stage", smtp_reply_stage_name(rc->stage));
    J_RAW("gave_up", rc->flags & SMTP_REPLY_BOUNCE_R_GAVE_UP ? "true" : "false");
    /* the reply keys: the diagnostic classified in the report's context */
    smtp_reply_advice_info adv;
    if (smtp_reply_advice_with(user_rules, &rc->result, &adv) != SMTP_REPLY_OK)
        memset(&adv, 0, sizeof adv);
    int st = rc->parse_rc == SMTP_REPLY_OK || rc->result.rule_id ? SMTP_REPLY_OK : rc->parse_rc;
    json_members(rc->diagnostic.ptr, rc->diagnostic.len, rc->diagnostic.ptr ? rc->diagnostic.ptr : "",
                 rc->diagnostic.len, st, &rc->reply, &rc->result, &adv, 1);
    j_close('}');
}

static void mail_text(const char *file, unsigned long long idx, const smtp_reply_bounce *b,
                      const smtp_reply_bounce_rcpt *rc)
{
    outf("%s", file);
    if (idx)
        outf(" #%llu", idx);
    outf(": %s (%s, %s)", smtp_reply_bounce_kind_name(b->kind), smtp_reply_bounce_format_name(b->format),
         smtp_reply_bounce_mta_name(b->mta));
    if (rc == NULL) {
        out_s(": no recipient\n");
        return;
    }
    out_s("\n  recipient:   ");
    out_mem(rc->recipient.ptr ? rc->recipient.ptr : "-", rc->recipient.ptr ? rc->recipient.len : 1);
    outf("\n  action:      %s", smtp_reply_bounce_action_name(rc->action));
    if (rc->status[0]) {
        out_s(", status ");
        out_enhanced(rc->status);
    }
    if (rc->flags & SMTP_REPLY_BOUNCE_R_GAVE_UP)
        out_s(", gave up");
    outf("\n  category:    %s (%s), recipient %s, message %s\n  rule:        %s\n",
         smtp_reply_category_name(rc->result.category), smtp_reply_permanence_name(rc->result.permanence),
         smtp_reply_recipient_action_name(rc->result.recipient_action),
         smtp_reply_message_action_name(rc->result.message_action), rc->result.rule_id);
    if (rc->diagnostic.ptr) {
        out_s("  diagnostic:  ");
        out_shown(rc->diagnostic.ptr, rc->diagnostic.len, SHOW_INPUT_MAX);
        out_c('\n');
    }
}

static void mail_error(const char *file, unsigned long long idx, const char *error)
{
    mstats.errors++;
    if (opt.quiet)
        return;
    if (opt.json) {
        j_open('{');
        j_key("file");
        j_str(file, strlen(file));
        J_UINT("mail", idx);
        J_RAW("ok", "false");
        j_key("error");
        j_str(error, strlen(error));
        J_RAW("recipient", "null");
        j_close('}');
    } else {
        outf("%s: error: %s\n", file, error);
    }
}

/* One mail: its records, or one line when it has none. */
static void read_mail(const char *file, unsigned long long idx, const char *buf, size_t len)
{
    size_t ssize = smtp_reply_bounce_scratch_size(len);
    void *scratch = malloc(ssize);
    if (scratch == NULL)
        out_of_memory();
    smtp_reply_bounce_reader rd;
    smtp_reply_bounce b;
    smtp_reply_bounce_rcpt rc;
    mstats.mails++;
    int st = smtp_reply_bounce_open(&rd, buf, len, scratch, ssize, 0, &b);
    if (st != SMTP_REPLY_OK) {
        mail_error(file, idx, smtp_reply_error_name(st));
        free(scratch);
        return;
    }
    if ((unsigned)b.kind < CLI_MAX_ENUM)
        mstats.kinds[b.kind]++;
    int n = 0;
    while (smtp_reply_bounce_next(&rd, &rc) == SMTP_REPLY_BOUNCE_RECORD) {
        n++;
        mstats.records++;
        if ((unsigned)rc.action < CLI_MAX_ENUM)
            mstats.actions[rc.action]++;
        if ((unsigned)rc.result.category < CLI_MAX_ENUM)
            mstats.categories[rc.result.category]++;
        if (!opt.quiet)
            opt.json ? mail_json(file, idx, &b, &rc) : mail_text(file, idx, &b, &rc);
        if (interactive)
            out_flush();
    }
    if (n == 0 && !opt.quiet)
        opt.json ? mail_json(file, idx, &b, NULL) : mail_text(file, idx, &b, NULL);
    free(scratch);
}

/* A file: one mail, or an mbox (it starts with a "From " line) of several. */
void mail_read_file(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        mail_error(path, 0, strerror(errno));
        return;
    }
    size_t cap = 0, len = 0;
    char *buf = NULL;
    for (;;) {
        buf = out_grow(buf, &cap, len + 65536, 1, 65536);
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad) {
        mail_error(path, 0, strerror(errno ? errno : EIO));
        free(buf);
        return;
    }
    if (len >= 5 && memcmp(buf, "From ", 5) == 0) {
        /* mbox: a mail starts at each "From " line (the first one included) */
        unsigned long long idx = 0;
        size_t start = 0;
        while (start < len) {
            size_t next = start + 5, cut = len;
            while (next < len) {
                const char *lf = memchr(buf + next, '\n', len - next);
                if (lf == NULL)
                    break;
                size_t ls = (size_t)(lf - buf) + 1;
                if (ls + 5 <= len && memcmp(buf + ls, "From ", 5) == 0) {
                    cut = ls;
                    break;
                }
                next = ls;
            }
            read_mail(path, idx++, buf + start, cut - start);
            start = cut;
        }
    } else {
        read_mail(path, 0, buf, len);
    }
    free(buf);
}

void mail_summary(void)
{
    summary_begin();
    if (opt.json) {
        J_UINT("mails", mstats.mails);
        J_UINT("records", mstats.records);
        J_UINT("errors", mstats.errors);
    } else {
        outf("summary: %llu mails, %llu recipient records, %llu unreadable\n", mstats.mails,
             mstats.records, mstats.errors);
    }
    summary_enum("kinds", "kinds", 1, mstats.kinds, smtp_reply_bounce_kind_count(),
                 smtp_reply_bounce_kind_name);
    summary_enum("actions", "actions", 1, mstats.actions, smtp_reply_bounce_action_count(),
                 smtp_reply_bounce_action_name);
    summary_enum("categories", "categories", 1, mstats.categories, smtp_reply_category_count(),
                 smtp_reply_category_name);
    summary_end();
}
