/*
 * smtpreply - classify SMTP replies, log lines and DSN fields from the command line.
 * Usage, input, output and exit status: smtpreply(1), tools/smtpreply.1.
 *
 * How it is laid out, so that a new mode or option stays small:
 *  - an option is a row of longopts[] and a case in main();
 *  - a reader (arguments, lines, --raw) hands each record to classify_record() or
 *    emit(); a new input mode is one more reader;
 *  - emit() counts each record for --summary and writes it readable or as JSON, or
 *    with --group adds it to its group (group.c, which prints the groups at the end);
 *  - --mail reads whole bounce mails (mail.c) and --rules, --check-rules and
 *    --sample load and check user rule files (userrules.c); what the parts share
 *    (the options, the user rules, the record writers) is declared in cli.h;
 *  - all JSON goes through the writer of output.h (j_*), which places the commas and
 *    escapes the strings; python3 -m smtpreply writes the same objects (the test
 *    cli-python holds them equal).
 * Output goes through one 64 KiB buffer (output.c, with the JSON writer).  The only
 * allocations are the reused line, text and input buffers, the JSON cache, the
 * --summary counts and the --group table; when one fails the tool stops in
 * out_of_memory(), its one out-of-memory path.
 *
 * Copyright (c) 2026 The libsmtpreply authors.  MIT licence (see COPYING).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <smtpreply.h>

#include "cli.h"
#include "group.h"
#include "output.h"
#include "record.h"

struct cli_options opt;
int interactive;
smtp_reply_rules *user_rules;

void out_enhanced(const uint16_t e[3])
{
    out_u(e[0]);
    out_c('.');
    out_u(e[1]);
    out_c('.');
    out_u(e[2]);
}

/* ---- readable input ------------------------------------------------------------ */

/* Input bytes as a record with its escapes (\r, \n, \t, \\), \xNN for other control
 * bytes and bytes that are not valid UTF-8; at most max bytes, then the length. */
void out_shown(const char *p, size_t n, size_t max)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, lim = n > max ? max : n;
    while (i < lim) {
        unsigned c = s[i];
        int e = rec_escape_letter((unsigned char)c);
        size_t l = c >= 0x80 ? utf8_len(s + i, n - i) : 1;
        if (e) {
            out_c('\\');
            out_c((char)e);
        } else if (c >= 0x20 && c < 0x7f) {
            out_c((char)c);
        } else if (c >= 0x80 && l > 0) {
            out_mem(s + i, l);
        } else {
            l = 1;
            outf("\\x%02x", c);
        }
        i += l;
    }
    if (n > max)
        outf(" ... (%zu bytes)", n);
}

/* ---- summary counts --------------------------------------------------------------- */


/* Counts per provider or block list: the names are static strings of the library,
 * so they are compared by pointer, in a short array (the table names a few dozen
 * of each, and a log shows fewer). */
struct tally {
    struct name_count { const char *name; unsigned long long n; } *v;
    size_t used, cap;
};

static void tally_add(struct tally *t, const char *name)
{
    if (name == NULL)
        return;
    size_t i = 0;
    while (i < t->used && t->v[i].name != name)
        i++;
    if (i == t->used) {
        t->v = out_grow(t->v, &t->cap, t->used + 1, sizeof *t->v, 32);
        t->v[t->used++] = (struct name_count){name, 0};
    }
    t->v[i].n++;
}

static int by_count_then_name(const void *a, const void *b)
{
    const struct name_count *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->name, y->name);
}

static struct {
    unsigned long long records, ok, rejected;
    unsigned long long category[CLI_MAX_ENUM], permanence[CLI_MAX_ENUM], error[CLI_MAX_ENUM];
    unsigned long long recipient_action[CLI_MAX_ENUM];
    struct tally providers, blocklists;
} stats;

static void count_in(unsigned long long *v, int i)
{
    if (i >= 0 && i < CLI_MAX_ENUM)
        v[i]++;
}

static void count(int status, const smtp_reply_result *res)
{
    stats.records++;
    if (status != SMTP_REPLY_OK) {
        stats.rejected++;
        count_in(stats.error, -status);
        return;
    }
    stats.ok++;
    count_in(stats.category, res->category);
    count_in(stats.permanence, res->permanence);
    count_in(stats.recipient_action, res->recipient_action);
    tally_add(&stats.providers, res->provider);
    tally_add(&stats.blocklists, res->blocklist);
}

/* A group of counts: {"key": {"name": count, ...}} in JSON (always), or when shown
 * a "  label:" line and a "    name   count" line per name. */
static void summary_group(const char *key, const char *label, int shown,
                          const struct name_count *v, size_t n)
{
    if (opt.json) {
        j_name(key);
        j_open('{');
    } else if (shown) {
        outf("  %s:\n", label);
    }
    for (size_t i = 0; i < n && (opt.json || shown); i++) {
        if (opt.json)
            J_NAME_UINT(v[i].name, v[i].n);
        else
            outf("    %-20s%llu\n", v[i].name, v[i].n);
    }
    if (opt.json)
        j_close('}');
}

/* The counts of an enum, in the library's order. */
void summary_enum(const char *key, const char *label, int shown,
                         const unsigned long long *v, int n, const char *(*name)(int))
{
    struct name_count items[CLI_MAX_ENUM];
    size_t k = 0;
    for (int i = 0; i < n && i < CLI_MAX_ENUM; i++)
        if (v[i] && name(i))
            items[k++] = (struct name_count){name(i), v[i]};
    summary_group(key, label, shown, items, k);
}

/* Providers and block lists, by falling count. */
static void summary_names(const char *key, struct tally *t)
{
    if (t->used)
        qsort(t->v, t->used, sizeof *t->v, by_count_then_name);
    summary_group(key, key, t->used > 0, t->v, t->used);
}

static const char *error_label(int i) { return smtp_reply_error_name(-i); }

void summary_begin(void)
{
    if (opt.json) {
        j_open('{');
        j_key("summary");
        j_open('{');
    }
}

void summary_end(void)
{
    if (opt.json) {
        j_close('}');
        j_close('}');
    }
}

static void print_summary(void)
{
    summary_begin();
    if (opt.json) {
        J_UINT("records", stats.records);
        J_UINT("ok", stats.ok);
        J_UINT("rejected", stats.rejected);
    } else {
        outf("summary: %llu records, %llu classified, %llu rejected\n", stats.records, stats.ok,
             stats.rejected);
    }
    int ok = stats.ok > 0;
    summary_enum("categories", "categories", ok, stats.category, smtp_reply_category_count(),
                 smtp_reply_category_name);
    summary_enum("permanence", "permanence", ok, stats.permanence, smtp_reply_permanence_count(),
                 smtp_reply_permanence_name);
    summary_enum("recipient_actions", "recipient actions", ok, stats.recipient_action,
                 smtp_reply_recipient_action_count(), smtp_reply_recipient_action_name);
    summary_names("providers", &stats.providers);
    summary_names("blocklists", &stats.blocklists);
    summary_enum("errors", "rejected", stats.rejected > 0, stats.error, smtp_reply_error_count(),
                 error_label);
    summary_end();
}

/* ---- one record -------------------------------------------------------------------- */

static char *textbuf;
static size_t textcap;

/* The reply's joined text in the reused text buffer; its length in *n. */
static const char *reply_text(const char *buf, size_t len, const smtp_reply *r, size_t *n)
{
    textbuf = out_grow(textbuf, &textcap, (size_t)r->text_len + 1, 1, 4096);
    size_t full = smtp_reply_text(buf, len, r, textbuf, textcap);
    *n = full < textcap ? full : textcap - 1;
    return textbuf;
}

/* The record as one JSON object; python3 -m smtpreply writes the same keys in the
 * same order (bindings/python/smtpreply/__main__.py). */
/* The members of a record's object; in a --mail record (mail set), the mail's
 * own input, stage and recipient keys stand instead of the reply's. */
void json_members(const char *in, size_t inlen, const char *buf, size_t len, int status,
                         const smtp_reply *r, const smtp_reply_result *res,
                         const smtp_reply_advice_info *adv, int mail)
{
    int ok = status == SMTP_REPLY_OK;
    size_t tn = 0;
    const char *text = ok ? reply_text(buf, len, r, &tn) : NULL;
    int match = ok && res->match.len && res->match.off <= len && res->match.len <= len - res->match.off;
    if (!mail) {
        j_key("input");
        j_str(in, inlen);
    }
    J_RAW("ok", ok ? "true" : "false");
    J_STATIC("error", ok ? NULL : smtp_reply_error_name(status));
    j_key("code");
    if (ok && res->code)
        j_uint((unsigned)res->code);
    else
        j_raw("null");
    j_key("enhanced");
    if (ok && res->enhanced[0]) {
        j_sep();
        out_c('"');
        out_enhanced(res->enhanced);
        out_c('"');
    } else
        j_raw("null");
    j_key("text");
    text ? j_str(text, tn) : j_raw("null");
    J_STATIC("category", smtp_reply_category_name(res->category));
    J_STATIC("permanence", smtp_reply_permanence_name(res->permanence));
    J_STATIC("recipient_action", smtp_reply_recipient_action_name(res->recipient_action));
    J_STATIC("message_action", smtp_reply_message_action_name(res->message_action));
    J_UINT("retry_after", res->retry_after);
    J_STATIC("fault", smtp_reply_fault_name(res->fault));
    J_STATIC("provider", res->provider);
    J_STATIC("blocklist", res->blocklist);
    J_STATIC("rule", ok ? res->rule_id : NULL);
    J_STATIC("evidence", smtp_reply_evidence_name(res->evidence));
    j_key("match");
    match ? j_str(buf + res->match.off, res->match.len) : j_raw("null");
    J_STATIC("enhanced_title", res->enhanced_title);
    if (!mail)
        J_STATIC("stage", smtp_reply_stage_name(res->stage));
    J_STATIC("wrapper", smtp_reply_wrapper_name((int)r->wrapper));
    if (!mail) {
        j_key("recipient");
        if (ok && res->recipient.len && res->recipient.off <= len &&
            res->recipient.len <= len - res->recipient.off)
            j_str(buf + res->recipient.off, res->recipient.len);
        else
            j_raw("null");
    }
    J_UINT("lines", r->nlines);
    j_key("flags");
    j_open('[');
    for (int b = 0; b < 32; b++) {
        if (!(res->flags & (1u << b)))
            continue;
        if (smtp_reply_flag_name(b)) {
            j_static(smtp_reply_flag_name(b));
        } else { /* a flag newer than this tool's library */
            j_sep();
            outf("\"bit%d\"", b);
        }
    }
    j_close(']');
    j_key("advice");
    if (ok) { /* rejected input has no verdict to advise on */
        j_open('{');
        J_STATIC("id", adv->id);
        J_STATIC("summary", adv->summary);
        j_key("steps");
        j_open('[');
        for (uint32_t i = 0; i < adv->nsteps && i < SMTP_REPLY_MAX_STEPS; i++)
            j_static(adv->steps[i]);
        j_close(']');
        j_key("actors");
        j_open('[');
        for (int b = 0, nb = smtp_reply_actor_count(); b < nb && b < 32; b++)
            if (adv->actors & (1u << b))
                j_static(smtp_reply_actor_name(b));
        j_close(']');
        J_STATIC("reference", adv->reference);
        J_RAW("remove_address", adv->remove_address ? "true" : "false");
        j_close('}');
    } else
        j_raw("null");
}

static void emit_json(const char *in, size_t inlen, const char *buf, size_t len, int status,
                      const smtp_reply *r, const smtp_reply_result *res,
                      const smtp_reply_advice_info *adv)
{
    j_open('{');
    json_members(in, inlen, buf, len, status, r, res, adv, 0);
    j_close('}');
}

/* "  label:      " then the value and a line break (value NULL: the caller writes
 * the value and the line break). */
static void out_field(const char *label, const char *value)
{
    out_s("  ");
    out_s(label);
    out_c(':');
    for (size_t k = strlen(label); k < 12; k++)
        out_c(' ');
    if (value) {
        out_s(value);
        out_c('\n');
    }
}

static void emit_text(unsigned long long recno, const char *in, size_t inlen, const char *buf,
                      size_t len, int status, const smtp_reply_result *res,
                      const smtp_reply_advice_info *adv)
{
    out_s("record ");
    out_u(recno);
    out_s(": ");
    if (status != SMTP_REPLY_OK) {
        out_s("rejected: ");
        out_s(smtp_reply_error_name(status));
        out_s(" (");
        out_s(smtp_reply_strerror(status));
        out_s(")\n");
        out_field("input", NULL);
        out_shown(in, inlen, SHOW_INPUT_MAX);
        out_s("\n\n");
        return;
    }
    if (res->code)
        out_u((unsigned)res->code);
    else
        out_c('-');
    out_c(' ');
    if (res->enhanced[0])
        out_enhanced(res->enhanced);
    else
        out_c('-');
    out_c(' ');
    out_s(smtp_reply_category_name(res->category));
    out_s(" (");
    out_s(smtp_reply_permanence_name(res->permanence));
    out_s(")\n");
    out_field("input", NULL);
    out_shown(in, inlen, SHOW_INPUT_MAX);
    out_c('\n');
    out_field("recipient", smtp_reply_recipient_action_name(res->recipient_action));
    if (res->recipient.len && res->recipient.off <= len && res->recipient.len <= len - res->recipient.off) {
        out_field("address", NULL);
        out_shown(buf + res->recipient.off, res->recipient.len, SHOW_INPUT_MAX);
        out_c('\n');
    }
    out_field("message", NULL);
    out_s(smtp_reply_message_action_name(res->message_action));
    if (res->retry_after) {
        out_s(", retry after ");
        out_u(res->retry_after);
        out_s(" s");
    }
    out_c('\n');
    out_field("fault", smtp_reply_fault_name(res->fault));
    out_field("advice", adv->summary);
    out_field("rule", NULL);
    out_s(res->rule_id);
    out_s(" (");
    out_s(smtp_reply_evidence_name(res->evidence));
    out_s(")\n");
    if (res->provider)
        out_field("provider", res->provider);
    if (res->blocklist)
        out_field("blocklist", res->blocklist);
    out_c('\n');
}

static unsigned long long recno;

/* Print and count one record.  in/inlen: the record's bytes; buf/len: the buffer that
 * was parsed (spans in r and res point into it). */
static void emit(const char *in, size_t inlen, const char *buf, size_t len, int status,
                 const smtp_reply *r, const smtp_reply_result *res)
{
    smtp_reply_advice_info adv;
    recno++;
    if (opt.summary)
        count(status, res);
    if (opt.group) {
        group_add(in, inlen, buf, len, status, r, res);
        return;
    }
    if (opt.quiet)
        return;
    if (smtp_reply_advice_with(user_rules, res, &adv) != SMTP_REPLY_OK)
        memset(&adv, 0, sizeof adv);
    if (opt.json)
        emit_json(in, inlen, buf, len, status, r, res, &adv);
    else
        emit_text(recno, in, inlen, buf, len, status, res, &adv);
    if (interactive)
        out_flush();
}

static void classify_record(char *buf, size_t len)
{
    smtp_reply r;
    smtp_reply_result res;
    if (!opt.literal)
        len = rec_unescape(buf, len);
    int st = smtp_reply_parse(buf, len, 0, &r);
    if (st == SMTP_REPLY_OK)
        st = smtp_reply_classify_with(user_rules, buf, len, &r, &res);
    else if (smtp_reply_classify_buf(NULL, 0, NULL, &res) == SMTP_REPLY_OK)
        memset(&res, 0, sizeof res); /* not reached: zero bytes only reset res to "unknown" */
    emit(buf, len, buf, len, st, &r, &res);
}

/* ---- readers: arguments, lines, --raw ------------------------------------------------ */

static int read_lines(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((errno = 0, got = getline(&line, &cap, stdin)) >= 0) {
        size_t n = (size_t)got;
        if (n && line[n - 1] == '\n') {
            n--;
            if (n && line[n - 1] == '\r') /* a file with CRLF line ends */
                n--;
        }
        classify_record(line, n);
        if (out_failed)
            break;
    }
    int err = errno;
    free(line);
    if (ferror(stdin)) {
        fprintf(stderr, PROG ": error reading standard input: %s\n", strerror(err ? err : EIO));
        return -1;
    }
    if (got < 0 && err == ENOMEM)
        out_of_memory();
    return 0;
}

/* --raw: standard input is a wire stream of replies. */
static struct {
    char *buf;
    size_t cap, start, end;
    int eof;
} in;

/* Read more input: at least `want` more bytes unless EOF comes first. */
static int fill(size_t want)
{
    if (in.start > 0) {
        memmove(in.buf, in.buf + in.start, in.end - in.start);
        in.end -= in.start;
        in.start = 0;
    }
    in.buf = out_grow(in.buf, &in.cap, in.end + (want > 65536 ? want : 65536), 1, 65536);
    size_t got = 0;
    do {
        ssize_t k = read(STDIN_FILENO, in.buf + in.end, in.cap - in.end);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, PROG ": error reading standard input: %s\n", strerror(errno));
            return -1;
        }
        if (k == 0) {
            in.eof = 1;
            break;
        }
        in.end += (size_t)k;
        got += (size_t)k;
    } while (got < want && in.end < in.cap);
    return 0;
}

static void rejected(const char *p, size_t n, int status)
{
    smtp_reply r;
    smtp_reply_result res;
    memset(&r, 0, sizeof r);
    /* The verdict the library gives input it cannot parse (category unknown,
     * rule "none"): classifying zero bytes fails with "empty" and resets res. */
    if (smtp_reply_classify_buf(NULL, 0, NULL, &res) == SMTP_REPLY_OK)
        memset(&res, 0, sizeof res); /* not reached */
    emit(p, n, p, n, status, &r, &res);
}

static int read_raw(void)
{
    smtp_reply_stream ss; /* how far the parser has looked at the pending reply */
    smtp_reply_stream_init(&ss);
    while (!out_failed) {
        size_t avail = in.end - in.start;
        if (avail == 0) {
            if (in.eof)
                break;
            if (fill(1) < 0)
                return -1;
            continue;
        }
        const char *p = in.buf + in.start;
        smtp_reply r;
        smtp_reply_result res;
        int st = smtp_reply_parse_stream(&ss, p, avail, &r);
        if (st == SMTP_REPLY_OK) {
            if (smtp_reply_classify_with(user_rules, p, avail, &r, &res) != SMTP_REPLY_OK)
                memset(&res, 0, sizeof res);
            emit(p, r.consumed, p, avail, st, &r, &res);
            in.start += r.consumed;
            continue;
        }
        if (st == SMTP_REPLY_E_INCOMPLETE) {
            if (in.eof) {
                rejected(p, avail, st);
                in.start = in.end;
                continue;
            }
            /* the stream parser resumes where it stopped: any new byte will do */
            if (fill(1) < 0)
                return -1;
            continue;
        }
        /* Not a reply: report the line it starts on as rejected and go on after it. */
        const char *lf = memchr(p, '\n', avail);
        if (lf == NULL && !in.eof && st != SMTP_REPLY_E_TOO_LONG) {
            if (fill(avail > 65536 ? avail / 2 : 1) < 0)
                return -1;
            continue;
        }
        size_t n = lf ? (size_t)(lf - p) + 1 : avail;
        int st2 = smtp_reply_parse(p, n, SMTP_REPLY_OPT_STREAM, &r);
        if (st2 != SMTP_REPLY_OK && st2 != SMTP_REPLY_E_INCOMPLETE)
            st = st2; /* the line's own reason: "blank" rather than "no_code" */
        rejected(p, n, st);
        in.start += n;
        smtp_reply_stream_init(&ss); /* the next reply starts elsewhere */
    }
    return 0;
}

/* ---- main -------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: " PROG " [options] [REPLY ...]\n"
        "Classify SMTP replies, MTA log lines and DSN fields, and say what to do about them.\n"
        "\n"
        "Each REPLY argument is one record.  Without arguments, standard input is read\n"
        "one record per line, with \\r, \\n, \\t and \\\\ decoded (a multiline reply on one line).\n"
        "\n"
        "Options:\n"
        "  -j, --json      one JSON object per record, one per line\n"
        "  -r, --raw       read standard input as an SMTP wire stream of replies\n"
        "  -s, --summary   after the records, print counts per category and provider\n"
        "  -q, --quiet     print no record output (use with --summary)\n"
        "  -g, --group     group the records by the template of their reply, largest first\n"
        "      --weak      with --group: only the groups decided by the code alone, the word\n"
        "                  model or nothing (evidence basic_code, words, none; or unknown)\n"
        "      --max-groups=N  with --group: keep at most N groups (default 10000)\n"
        "  -l, --literal   do not decode \\r, \\n, \\t and \\\\ escapes\n"
        "  -m, --mail      read each argument (or standard input) as a whole bounce mail, or an\n"
        "                  mbox of them, and print one record per recipient\n"
        "      --rules FILE        add the rules of FILE to the built-in table (repeatable)\n"
        "      --check-rules FILE  check a rules file and exit: 0 valid, 1 not\n"
        "      --sample FILE       with --check-rules: show what the rules change on FILE's records\n"
        "  -V, --version   print the library version, table version, rule count and hash\n"
        "  -h, --help      print this help\n"
        "\n"
        "Exit status: 0 when every record was read (rejected replies are results),\n"
        "1 on an input or output error, 2 on bad usage.  See smtpreply(1).\n");
}

static void print_version(void)
{
    if (opt.json) {
        j_open('{');
        J_STATIC("program", PROG);
        J_STATIC("version", SMTP_REPLY_VERSION_STRING);
        J_STATIC("library_version", smtp_reply_version());
        J_STATIC("table_version", smtp_reply_table_version());
        J_UINT("rules", smtp_reply_table_rule_count());
        J_STATIC("table_hash", smtp_reply_table_hash());
        j_close('}');
        return;
    }
    outf(PROG " " SMTP_REPLY_VERSION_STRING " (libsmtpreply %s)\ntable %s, %u rules, sha256 %s\n",
         smtp_reply_version(), smtp_reply_table_version(), smtp_reply_table_rule_count(),
         smtp_reply_table_hash());
}

static int finish(int status)
{
    out_flush();
    if (fclose(stdout) != 0 && !out_failed)
        out_failed = errno ? errno : EIO;
    if (out_failed) {
        fprintf(stderr, PROG ": error writing standard output: %s\n", strerror(out_failed));
        return EXIT_IO;
    }
    return status;
}

static int bad_usage(const char *what, const char *arg)
{
    fprintf(stderr, PROG ": %s '%s'\nTry '" PROG " --help' for more information.\n", what, arg);
    return EXIT_USAGE;
}

/* A long option as typed (up to any "=value") is not the whole name: getopt_long
 * takes abbreviations, this tool does not (a new option would make them ambiguous). */
static int abbreviated(const char *tok, const char *name)
{
    size_t n = strcspn(tok + 2, "=");
    return strlen(name) != n || strncmp(tok + 2, name, n) != 0;
}

int main(int argc, char **argv)
{
    /* A new option: a row here (with its short letter in the getopt_long string, or
     * a value above 255 for a long-only one) and a case in the switch below. */
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},    {"raw", no_argument, NULL, 'r'},
        {"summary", no_argument, NULL, 's'}, {"quiet", no_argument, NULL, 'q'},
        {"literal", no_argument, NULL, 'l'}, {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},    {"mail", no_argument, NULL, 'm'},
        {"rules", required_argument, NULL, 256},
        {"check-rules", required_argument, NULL, 257}, {"sample", required_argument, NULL, 258},
        {"group", no_argument, NULL, 'g'},   {"weak", no_argument, NULL, 259},
        {"max-groups", required_argument, NULL, 260},
        {NULL, 0, NULL, 0},
    };
    int help = 0, version = 0, mail = 0;
    const char *check = NULL, *sample = NULL;

    opterr = 0; /* the messages are ours */
    for (;;) {
        int at = optind, idx = -1;
        /* "+": options end at the first record; ":": a missing argument gives ':' */
        int c = getopt_long(argc, argv, "+:jrsqlVhmg", longopts, &idx);
        if (c == -1)
            break;
        const char *tok = at < argc ? argv[at] : "";
        char shortopt[3] = {'-', (char)optopt, '\0'};
        const char *name = strncmp(tok, "--", 2) == 0 ? tok : shortopt;
        if (c == ':')
            return bad_usage("option needs an argument", name);
        if (c == '?' || (idx >= 0 && abbreviated(tok, longopts[idx].name)))
            return bad_usage("unknown option", name);
        switch (c) {
        case 'j': opt.json = 1; break;
        case 'r': opt.raw = 1; break;
        case 's': opt.summary = 1; break;
        case 'q': opt.quiet = 1; break;
        case 'l': opt.literal = 1; break;
        case 'V': version = 1; break;
        case 'h': help = 1; break;
        case 'm': mail = 1; break;
        case 256:
            if (rules_load(optarg) < 0)
                return EXIT_USAGE;
            break;
        case 257:
            check = optarg;
            break;
        case 258: sample = optarg; break;
        case 'g': opt.group = 1; break;
        case 259: opt.weak = 1; break;
        case 260: {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-' || v < 1 || v > GROUP_MAX_LIMIT)
                return bad_usage("--max-groups needs a number from 1 to 10000000, not", optarg);
            opt.max_groups = (size_t)v;
            break;
        }
        default: return bad_usage("unknown option", name);
        }
    }
    if (help) {
        usage(stdout);
        return finish(0);
    }
    if (version) {
        print_version();
        return finish(0);
    }
    if (opt.raw && optind < argc)
        return bad_usage("--raw reads standard input; unexpected argument", argv[optind]);
    if (!opt.group && (opt.weak || opt.max_groups))
        return bad_usage("this option needs --group:", opt.weak ? "--weak" : "--max-groups");
    if (sample && !check)
        return bad_usage("--sample goes with --check-rules", sample);
    if (check) {
        /* exit 1 on any error in the file (or the --rules files with it) */
        if (rules_load(check) < 0 || rules_compile() < 0) {
            smtp_reply_rules_free(user_rules);
            return finish(1);
        }
        outf("%s: valid, %u rules with the other --rules files\n", check,
             smtp_reply_rules_count(user_rules));
        int src = sample ? rules_check_sample(sample) : 0;
        smtp_reply_rules_free(user_rules);
        return finish(src);
    }
    if (rules_compile() < 0) {
        smtp_reply_rules_free(user_rules);
        return EXIT_USAGE;
    }
    if (mail && opt.group) { /* the mail reader writes its own records, not through emit() */
        smtp_reply_rules_free(user_rules);
        return bad_usage("--mail reads mails; it does not go with", "--group");
    }
    if (opt.group)
        group_init(opt.max_groups ? opt.max_groups : GROUP_MAX_DEFAULT);

    interactive = isatty(STDOUT_FILENO);
    if (mail) {
        if (opt.raw)
            return bad_usage("--mail reads mails; it does not go with", "--raw");
        for (int i = optind; i < argc && !out_failed; i++)
            mail_read_file(argv[i]);
        if (optind == argc)
            mail_read_file("-");
        if (opt.summary && !out_failed)
            mail_summary();
        smtp_reply_rules_free(user_rules);
        return finish(0);
    }
    int rc = 0;
    for (int i = optind; i < argc && !out_failed; i++) /* the arguments, */
        classify_record(argv[i], strlen(argv[i]));
    if (optind == argc) { /* or else standard input */
        if (opt.group && !opt.raw) { /* bounded memory: lines are cut at GROUP_RECORD_MAX */
            rc = group_read_lines(stdin, classify_record);
            if (rc < 0)
                fprintf(stderr, PROG ": error reading standard input: %s\n", strerror(errno));
        } else {
            rc = opt.raw ? read_raw() : read_lines();
        }
    }
    if (opt.group && !out_failed)
        group_print(opt.json, opt.weak, out_shown);
    if (opt.summary && !out_failed)
        print_summary();
    free(textbuf);
    free(in.buf);
    free(stats.providers.v);
    free(stats.blocklists.v);
    smtp_reply_rules_free(user_rules);
    if (opt.group)
        group_free();
    return finish(rc < 0 ? EXIT_IO : 0);
}
