/*
 * read-bounce.c - read bounce mails and print one JSON object per recipient.
 *
 *   read-bounce [--standard] FILE...
 *
 * Each FILE is one mail.  For each recipient record the line holds the file,
 * what the mail is (kind, format, mta), the recipient's fields and the
 * classification of its diagnostic; a mail with no recipient record prints
 * one line with "recipient": null, and a mail the reader refuses one line with
 * "ok": false and the error.  The output is JSON (one object per line) for any
 * input bytes.  The test suite and tests/bounce-agreement.py use it; the
 * smtpreply CLI gains a --mail mode on the same API later.
 *
 * The scratch buffer is sized with smtp_reply_bounce_scratch_size() for each
 * mail: the reader itself never allocates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smtpreply.h>

static void json_str(const char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (p == NULL) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"' || c == '\\') {
            putchar('\\');
            putchar(c);
        } else if (c < 0x20 || c == 0x7f) {
            printf("\\u00%c%c", hex[c >> 4], hex[c & 15]);
        } else if (c < 0x80) {
            putchar(c);
        } else {
            /* copy a valid UTF-8 sequence, else write U+FFFD */
            size_t l = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
            size_t k = 1;
            while (l && k < l && i + k < n && ((unsigned char)p[i + k] & 0xc0) == 0x80)
                k++;
            if (l && k == l) {
                fwrite(p + i, 1, l, stdout);
                i += l - 1;
            } else {
                fputs("\\ufffd", stdout);
            }
        }
    }
    putchar('"');
}

static void key_str(const char *key, const smtp_reply_bounce_str *s)
{
    printf(",\"%s\":", key);
    json_str(s->ptr, s->len);
}

static void key_name(const char *key, const char *name)
{
    printf(",\"%s\":", key);
    json_str(name, name ? strlen(name) : 0);
}

static void enhanced(const char *key, const uint16_t v[3])
{
    if (v[0])
        printf(",\"%s\":\"%u.%u.%u\"", key, v[0], v[1], v[2]);
    else
        printf(",\"%s\":null", key);
}

static void flags(const char *key, uint32_t bits, const char *(*name)(int))
{
    printf(",\"%s\":[", key);
    int first = 1;
    for (int i = 0; i < 32; i++) {
        if (!(bits & (1u << i)))
            continue;
        const char *s = name(i);
        printf("%s\"%s\"", first ? "" : ",", s ? s : "?");
        first = 0;
    }
    putchar(']');
}

static void mail_fields(const char *file, const smtp_reply_bounce *b)
{
    fputs("{\"file\":", stdout);
    json_str(file, strlen(file));
    fputs(",\"ok\":true", stdout);
    key_name("kind", smtp_reply_bounce_kind_name(b->kind));
    key_name("format", smtp_reply_bounce_format_name(b->format));
    key_name("mta", smtp_reply_bounce_mta_name(b->mta));
    printf(",\"nrecipients\":%u", b->nrecipients);
    flags("mail_flags", b->flags, smtp_reply_bounce_flag_name);
    key_str("message_id", &b->orig_message_id);
    key_str("orig_subject", &b->orig_subject);
    key_str("orig_from", &b->orig_from);
    key_str("reporting_mta", &b->reporting_mta);
    key_str("feedback_type", &b->feedback_type);
}

static int read_one(const char *file, unsigned options)
{
    FILE *f = fopen(file, "rb");
    if (f == NULL) {
        perror(file);
        return 1;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf == NULL) {
        fprintf(stderr, "%s: out of memory\n", file);
        return 1;
    }
    size_t ssize = smtp_reply_bounce_scratch_size(len);
    void *scratch = malloc(ssize);
    if (scratch == NULL) {
        free(buf);
        fprintf(stderr, "%s: out of memory\n", file);
        return 1;
    }
    smtp_reply_bounce_reader rd;
    smtp_reply_bounce b;
    smtp_reply_bounce_rcpt r;
    int rc = smtp_reply_bounce_open(&rd, buf, len, scratch, ssize, options, &b);
    if (rc != SMTP_REPLY_OK) {
        fputs("{\"file\":", stdout);
        json_str(file, strlen(file));
        printf(",\"ok\":false,\"error\":\"%s\",\"recipient\":null}\n", smtp_reply_error_name(rc));
        free(scratch);
        free(buf);
        return 0;
    }
    int n = 0;
    while ((rc = smtp_reply_bounce_next(&rd, &r)) == SMTP_REPLY_BOUNCE_RECORD) {
        mail_fields(file, &b);
        printf(",\"index\":%u", r.index);
        key_str("recipient", &r.recipient);
        key_str("final_recipient", &r.final_recipient);
        key_str("original_recipient", &r.original_recipient);
        key_name("action", smtp_reply_bounce_action_name(r.action));
        key_name("source", smtp_reply_bounce_source_name(r.source));
        enhanced("status", r.status);
        key_str("remote_mta", &r.remote_mta);
        key_str("diagnostic_type", &r.diagnostic_type);
        key_str("diagnostic", &r.diagnostic);
        key_name("stage", smtp_reply_stage_name(r.stage));
        printf(",\"gave_up\":%s", (r.flags & SMTP_REPLY_BOUNCE_R_GAVE_UP) ? "true" : "false");
        flags("flags", r.flags, smtp_reply_bounce_rcpt_flag_name);
        printf(",\"code\":%d", r.result.code);
        enhanced("enhanced", r.result.enhanced);
        key_name("category", smtp_reply_category_name(r.result.category));
        key_name("permanence", smtp_reply_permanence_name(r.result.permanence));
        key_name("recipient_action", smtp_reply_recipient_action_name(r.result.recipient_action));
        key_name("message_action", smtp_reply_message_action_name(r.result.message_action));
        key_name("rule", r.result.rule_id);
        fputs("}\n", stdout);
        n++;
    }
    if (n == 0) {
        mail_fields(file, &b);
        fputs(",\"recipient\":null}\n", stdout);
    }
    free(scratch);
    free(buf);
    return rc < 0;
}

int main(int argc, char **argv)
{
    unsigned options = 0;
    int bad = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--standard") == 0) {
            options |= SMTP_REPLY_BOUNCE_OPT_STANDARD;
            continue;
        }
        files++;
        bad |= read_one(argv[i], options);
    }
    if (files == 0) {
        fprintf(stderr, "usage: %s [--standard] FILE...\n", argv[0]);
        return 2;
    }
    return bad;
}
