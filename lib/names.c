/*
 * names.c - stable names of every enum value, versions, limits and sizes.
 *
 * Each name function is a switch without a default: label, so the compiler
 * (-Wswitch) flags an enum value that has no name yet.
 */
#include <string.h>

#include "internal.h"

const char *smtp_reply_version(void) { return SMTP_REPLY_VERSION_STRING; }
uint32_t smtp_reply_version_number(void) { return SMTP_REPLY_VERSION_NUMBER; }
const char *smtp_reply_table_version(void) { return smtp__table_version; }
uint32_t smtp_reply_table_rule_count(void) { return smtp__nrules; }
const char *smtp_reply_table_hash(void) { return smtp__table_hash; }

uint32_t smtp_reply_max_lines(void) { return SMTP_REPLY_MAX_LINES; }
uint32_t smtp_reply_max_bytes(void) { return SMTP_REPLY_MAX_BYTES; }
uint32_t smtp_reply_line_limit(void) { return SMTP_REPLY_LINE_LIMIT; }
uint32_t smtp_reply_max_steps(void) { return SMTP_REPLY_MAX_STEPS; }

size_t smtp_reply_sizeof_reply(void) { return sizeof(smtp_reply); }
size_t smtp_reply_sizeof_result(void) { return sizeof(smtp_reply_result); }
size_t smtp_reply_sizeof_advice(void) { return sizeof(smtp_reply_advice_info); }

static const char *error_name(enum smtp_reply_error e, int want_text)
{
    switch (e) {
    case SMTP_REPLY_OK: return want_text ? "Success" : "ok";
    case SMTP_REPLY_E_INCOMPLETE: return want_text ? "The reply's final line has not arrived yet" : "incomplete";
    case SMTP_REPLY_E_NULL: return want_text ? "A required pointer argument is NULL" : "null";
    case SMTP_REPLY_E_EMPTY: return want_text ? "The input is empty" : "empty";
    case SMTP_REPLY_E_BLANK: return want_text ? "The input holds only white space and line breaks" : "blank";
    case SMTP_REPLY_E_NO_CODE: return want_text ? "The input has no reply code and no text to classify" : "no_code";
    case SMTP_REPLY_E_SHORT_CODE: return want_text ? "The reply code has fewer than three digits" : "short_code";
    case SMTP_REPLY_E_LONG_CODE: return want_text ? "The reply code has more than three digits" : "long_code";
    case SMTP_REPLY_E_BAD_CLASS: return want_text ? "The reply code's first digit is not 2, 3, 4 or 5" : "bad_class";
    case SMTP_REPLY_E_BAD_SEPARATOR: return want_text ? "The reply code is not followed by a space, '-' or the end of the line" : "bad_separator";
    case SMTP_REPLY_E_HTML: return want_text ? "The input is an HTML document, not an SMTP reply" : "html";
    case SMTP_REPLY_E_TOO_LONG: return want_text ? "No complete reply ends within the byte limit" : "too_long";
    case SMTP_REPLY_E_BINARY: return want_text ? "The input is mostly NUL or control bytes" : "binary";
    case SMTP_REPLY_E_BAD_OPTION: return want_text ? "Unknown option bits" : "bad_option";
    case SMTP_REPLY_E_NOT_PARSED: return want_text ? "The reply given to classify was not filled by a successful parse" : "not_parsed";
    case SMTP_REPLY_E_NOT_MAIL: return want_text ? "The input does not start with a mail header block" : "not_mail";
    case SMTP_REPLY_E_SCRATCH: return want_text ? "The scratch buffer is smaller than SMTP_REPLY_BOUNCE_SCRATCH_MIN" : "scratch";
    case SMTP_REPLY_E_READER: return want_text ? "The bounce reader is not open" : "reader";
    }
    return NULL;
}

const char *smtp_reply_error_name(int err)
{
    const char *s = (err <= 0 && err > -smtp_reply_error_count()) ? error_name((enum smtp_reply_error)err, 0) : NULL;
    return s ? s : "unknown_error";
}

const char *smtp_reply_strerror(int err)
{
    const char *s = (err <= 0 && err > -smtp_reply_error_count()) ? error_name((enum smtp_reply_error)err, 1) : NULL;
    return s ? s : "Unknown error code";
}

int smtp_reply_error_count(void) { return 18; }

const char *smtp_reply_category_name(int c)
{
    if (c < 0 || (uint32_t)c >= smtp__ncategories)
        return NULL;
    return smtp__str(smtp__categories[c].name);
}

int smtp_reply_category_from_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (uint32_t i = 0; i < smtp__ncategories; i++)
        if (strcmp(smtp__str(smtp__categories[i].name), name) == 0)
            return (int)i;
    return -1;
}

int smtp_reply_category_count(void) { return (int)smtp__ncategories; }

static const char *perm_name(enum smtp_reply_permanence v)
{
    switch (v) {
    case SMTP_REPLY_PERM_UNKNOWN: return "unknown";
    case SMTP_REPLY_PERM_SUCCESS: return "success";
    case SMTP_REPLY_PERM_TRANSIENT: return "transient";
    case SMTP_REPLY_PERM_PERMANENT: return "permanent";
    }
    return NULL;
}
const char *smtp_reply_permanence_name(int v) { return v >= 0 && v < 4 ? perm_name((enum smtp_reply_permanence)v) : NULL; }
int smtp_reply_permanence_count(void) { return 4; }

static const char *rcpt_name(enum smtp_reply_recipient_action v)
{
    switch (v) {
    case SMTP_REPLY_RCPT_KEEP: return "keep";
    case SMTP_REPLY_RCPT_SUPPRESS: return "suppress";
    case SMTP_REPLY_RCPT_REVIEW: return "review";
    }
    return NULL;
}
const char *smtp_reply_recipient_action_name(int v) { return v >= 0 && v < 3 ? rcpt_name((enum smtp_reply_recipient_action)v) : NULL; }
int smtp_reply_recipient_action_count(void) { return 3; }

static const char *msg_name(enum smtp_reply_message_action v)
{
    switch (v) {
    case SMTP_REPLY_MSG_NONE: return "none";
    case SMTP_REPLY_MSG_RETRY: return "retry";
    case SMTP_REPLY_MSG_RETRY_LATER: return "retry_later";
    case SMTP_REPLY_MSG_FIX_SENDER: return "fix_sender";
    case SMTP_REPLY_MSG_NEVER: return "never";
    }
    return NULL;
}
const char *smtp_reply_message_action_name(int v) { return v >= 0 && v < 5 ? msg_name((enum smtp_reply_message_action)v) : NULL; }
int smtp_reply_message_action_count(void) { return 5; }

static const char *fault_name(enum smtp_reply_fault v)
{
    switch (v) {
    case SMTP_REPLY_FAULT_UNKNOWN: return "unknown";
    case SMTP_REPLY_FAULT_RECIPIENT: return "recipient";
    case SMTP_REPLY_FAULT_SENDER: return "sender";
    case SMTP_REPLY_FAULT_CONTENT: return "content";
    case SMTP_REPLY_FAULT_REMOTE: return "remote";
    case SMTP_REPLY_FAULT_NETWORK: return "network";
    case SMTP_REPLY_FAULT_NONE: return "none";
    }
    return NULL;
}
const char *smtp_reply_fault_name(int v) { return v >= 0 && v < 7 ? fault_name((enum smtp_reply_fault)v) : NULL; }
int smtp_reply_fault_count(void) { return 7; }

static const char *evidence_name(enum smtp_reply_evidence v)
{
    switch (v) {
    case SMTP_REPLY_EVIDENCE_NONE: return "none";
    case SMTP_REPLY_EVIDENCE_PROVIDER_RULE: return "provider_rule";
    case SMTP_REPLY_EVIDENCE_TEXT_PHRASE: return "text_phrase";
    case SMTP_REPLY_EVIDENCE_ENHANCED_CODE: return "enhanced_code";
    case SMTP_REPLY_EVIDENCE_BASIC_CODE: return "basic_code";
    }
    return NULL;
}
const char *smtp_reply_evidence_name(int v) { return v >= 0 && v < 5 ? evidence_name((enum smtp_reply_evidence)v) : NULL; }
int smtp_reply_evidence_count(void) { return 5; }

static const char *stage_name(enum smtp_reply_stage v)
{
    switch (v) {
    case SMTP_REPLY_STAGE_UNKNOWN: return "unknown";
    case SMTP_REPLY_STAGE_CONNECT: return "connect";
    case SMTP_REPLY_STAGE_HELO: return "helo";
    case SMTP_REPLY_STAGE_MAIL: return "mail";
    case SMTP_REPLY_STAGE_RCPT: return "rcpt";
    case SMTP_REPLY_STAGE_DATA: return "data";
    case SMTP_REPLY_STAGE_EOD: return "eod";
    case SMTP_REPLY_STAGE_AUTH: return "auth";
    case SMTP_REPLY_STAGE_STARTTLS: return "starttls";
    }
    return NULL;
}
const char *smtp_reply_stage_name(int v) { return v >= 0 && v < 9 ? stage_name((enum smtp_reply_stage)v) : NULL; }
int smtp_reply_stage_count(void) { return 9; }

static const char *wrapper_name(enum smtp_reply_wrapper v)
{
    switch (v) {
    case SMTP_REPLY_WRAP_NONE: return "none";
    case SMTP_REPLY_WRAP_DSN: return "dsn";
    case SMTP_REPLY_WRAP_POSTFIX: return "postfix";
    case SMTP_REPLY_WRAP_EXIM: return "exim";
    case SMTP_REPLY_WRAP_QMAIL: return "qmail";
    case SMTP_REPLY_WRAP_SENDMAIL: return "sendmail";
    case SMTP_REPLY_WRAP_EXCHANGE: return "exchange";
    case SMTP_REPLY_WRAP_OTHER: return "other";
    }
    return NULL;
}
const char *smtp_reply_wrapper_name(int v) { return v >= 0 && v < 8 ? wrapper_name((enum smtp_reply_wrapper)v) : NULL; }
int smtp_reply_wrapper_count(void) { return 8; }

const char *smtp_reply_actor_name(int bit)
{
    static const char *const names[] = {"sender", "sender_admin", "recipient", "recipient_admin"};
    return bit >= 0 && bit < 4 ? names[bit] : NULL;
}
int smtp_reply_actor_count(void) { return 4; }

const char *smtp_reply_flag_name(int bit)
{
    static const char *const names[] = {
        "no_basic_code", "code_mismatch", "class_mismatch", "long_line", "8bit", "nul",
        "no_final_line", "empty_text", "nonstandard_code", "lines_truncated",
        "bytes_truncated", "enhanced_inline", "enhanced_mismatch", "bare_lf", "unwrapped",
        "control", "line_without_code", "flattened", "several_replies", "no_reply"};
    return bit >= 0 && (size_t)bit < SMTP__ARRAY_SIZE(names) ? names[bit] : NULL;
}
int smtp_reply_flag_count(void) { return 20; }
