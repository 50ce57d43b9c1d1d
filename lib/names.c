/*
 * names.c - stable names of every enum value, versions, limits and sizes.
 *
 * Each name function is a switch over its enum without a default: label, so the
 * compiler (-Wswitch, an error for the library) flags an enum value that has no
 * name yet.  A value outside the enum falls through to NULL, and each count is
 * derived from the names (the values run 0..count-1, or bits 0..count-1), so a
 * new value needs only its case here.  The category names come from the table
 * (data/categories.tsv), which tools/gen-tables.py checks against smtpreply.h;
 * tests/check-enums.py compares the header's enums with these names, the Python
 * binding and data/categories.tsv.
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
    case SMTP_REPLY_E_RULES: return want_text ? "A user rules row is invalid" : "rules";
    case SMTP_REPLY_E_NOMEM: return want_text ? "Memory ran out while loading user rules" : "nomem";
    case SMTP_REPLY_E_IO: return want_text ? "A user rules file could not be read" : "io";
    }
    return NULL;
}

/* enum smtp_reply_error holds 0 down to SMTP__ERROR_MIN; values below are not
 * converted to the enum. */
#define SMTP__ERROR_MIN (-64)

const char *smtp_reply_error_name(int err)
{
    const char *s = err <= 0 && err >= SMTP__ERROR_MIN ? error_name((enum smtp_reply_error)err, 0) : NULL;
    return s ? s : "unknown_error";
}

const char *smtp_reply_strerror(int err)
{
    const char *s = err <= 0 && err >= SMTP__ERROR_MIN ? error_name((enum smtp_reply_error)err, 1) : NULL;
    return s ? s : "Unknown error code";
}

int smtp_reply_error_count(void)
{
    int n = 0;
    while (n < -SMTP__ERROR_MIN && error_name((enum smtp_reply_error)-n, 0) != NULL)
        n++;
    return n;
}

/* Number of values 0, 1, ... that have a name. */
static int count_names(const char *(*name)(int))
{
    int n = 0;
    while (n < 64 && name(n) != NULL)
        n++;
    return n;
}

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
const char *smtp_reply_permanence_name(int v) { return v >= 0 && v < 64 ? perm_name((enum smtp_reply_permanence)v) : NULL; }
int smtp_reply_permanence_count(void) { return count_names(smtp_reply_permanence_name); }

static const char *rcpt_name(enum smtp_reply_recipient_action v)
{
    switch (v) {
    case SMTP_REPLY_RCPT_KEEP: return "keep";
    case SMTP_REPLY_RCPT_SUPPRESS: return "suppress";
    case SMTP_REPLY_RCPT_REVIEW: return "review";
    }
    return NULL;
}
const char *smtp_reply_recipient_action_name(int v) { return v >= 0 && v < 64 ? rcpt_name((enum smtp_reply_recipient_action)v) : NULL; }
int smtp_reply_recipient_action_count(void) { return count_names(smtp_reply_recipient_action_name); }

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
const char *smtp_reply_message_action_name(int v) { return v >= 0 && v < 64 ? msg_name((enum smtp_reply_message_action)v) : NULL; }
int smtp_reply_message_action_count(void) { return count_names(smtp_reply_message_action_name); }

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
const char *smtp_reply_fault_name(int v) { return v >= 0 && v < 64 ? fault_name((enum smtp_reply_fault)v) : NULL; }
int smtp_reply_fault_count(void) { return count_names(smtp_reply_fault_name); }

static const char *evidence_name(enum smtp_reply_evidence v)
{
    switch (v) {
    case SMTP_REPLY_EVIDENCE_NONE: return "none";
    case SMTP_REPLY_EVIDENCE_PROVIDER_RULE: return "provider_rule";
    case SMTP_REPLY_EVIDENCE_TEXT_PHRASE: return "text_phrase";
    case SMTP_REPLY_EVIDENCE_ENHANCED_CODE: return "enhanced_code";
    case SMTP_REPLY_EVIDENCE_BASIC_CODE: return "basic_code";
    case SMTP_REPLY_EVIDENCE_WORDS: return "words";
    }
    return NULL;
}
const char *smtp_reply_evidence_name(int v) { return v >= 0 && v < 64 ? evidence_name((enum smtp_reply_evidence)v) : NULL; }
int smtp_reply_evidence_count(void) { return count_names(smtp_reply_evidence_name); }

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
const char *smtp_reply_stage_name(int v) { return v >= 0 && v < 64 ? stage_name((enum smtp_reply_stage)v) : NULL; }
int smtp_reply_stage_count(void) { return count_names(smtp_reply_stage_name); }

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
    case SMTP_REPLY_WRAP_OPENSMTPD: return "opensmtpd";
    case SMTP_REPLY_WRAP_LIBRARY: return "library";
    case SMTP_REPLY_WRAP_COURIER: return "courier";
    case SMTP_REPLY_WRAP_DOVECOT: return "dovecot";
    }
    return NULL;
}
const char *smtp_reply_wrapper_name(int v) { return v >= 0 && v < 64 ? wrapper_name((enum smtp_reply_wrapper)v) : NULL; }
int smtp_reply_wrapper_count(void) { return count_names(smtp_reply_wrapper_name); }

static const char *actor_name(enum smtp_reply_actor v)
{
    switch (v) {
    case SMTP_REPLY_ACTOR_SENDER: return "sender";
    case SMTP_REPLY_ACTOR_SENDER_ADMIN: return "sender_admin";
    case SMTP_REPLY_ACTOR_RECIPIENT: return "recipient";
    case SMTP_REPLY_ACTOR_RECIPIENT_ADMIN: return "recipient_admin";
    }
    return NULL;
}
const char *smtp_reply_actor_name(int bit) { return bit >= 0 && bit < 32 ? actor_name((enum smtp_reply_actor)(1u << bit)) : NULL; }
int smtp_reply_actor_count(void) { return count_names(smtp_reply_actor_name); }

static const char *flag_name(enum smtp_reply_flag v)
{
    switch (v) {
    case SMTP_REPLY_F_NO_BASIC_CODE: return "no_basic_code";
    case SMTP_REPLY_F_CODE_MISMATCH: return "code_mismatch";
    case SMTP_REPLY_F_CLASS_MISMATCH: return "class_mismatch";
    case SMTP_REPLY_F_LONG_LINE: return "long_line";
    case SMTP_REPLY_F_8BIT: return "8bit";
    case SMTP_REPLY_F_NUL: return "nul";
    case SMTP_REPLY_F_NO_FINAL_LINE: return "no_final_line";
    case SMTP_REPLY_F_EMPTY_TEXT: return "empty_text";
    case SMTP_REPLY_F_NONSTANDARD_CODE: return "nonstandard_code";
    case SMTP_REPLY_F_LINES_TRUNCATED: return "lines_truncated";
    case SMTP_REPLY_F_BYTES_TRUNCATED: return "bytes_truncated";
    case SMTP_REPLY_F_ENHANCED_INLINE: return "enhanced_inline";
    case SMTP_REPLY_F_ENHANCED_MISMATCH: return "enhanced_mismatch";
    case SMTP_REPLY_F_BARE_LF: return "bare_lf";
    case SMTP_REPLY_F_UNWRAPPED: return "unwrapped";
    case SMTP_REPLY_F_CONTROL: return "control";
    case SMTP_REPLY_F_LINE_WITHOUT_CODE: return "line_without_code";
    case SMTP_REPLY_F_FLATTENED: return "flattened";
    case SMTP_REPLY_F_SEVERAL_REPLIES: return "several_replies";
    case SMTP_REPLY_F_NO_REPLY: return "no_reply";
    }
    return NULL;
}
const char *smtp_reply_flag_name(int bit) { return bit >= 0 && bit < 32 ? flag_name((enum smtp_reply_flag)(1u << bit)) : NULL; }
int smtp_reply_flag_count(void) { return count_names(smtp_reply_flag_name); }
