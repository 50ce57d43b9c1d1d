/*
 * bounce-names.c - names, counts, limits and sizes of the bounce reader's API.
 *
 * Each name function is a switch without a default: label, so the compiler
 * (-Wswitch) flags a value that has no name yet.  Names are the enum constant
 * without its prefix, in lower case (SMTP_REPLY_BOUNCE_MTA_GOOGLE_WORKSPACE is
 * "google_workspace"); tests/test-bounce.c checks that rule.
 */
#include "smtpreply.h"

static const char *bounce_kind_str(enum smtp_reply_bounce_kind v)
{
    switch (v) {
    case SMTP_REPLY_BOUNCE_KIND_NONE: return "none";
    case SMTP_REPLY_BOUNCE_KIND_DSN: return "dsn";
    case SMTP_REPLY_BOUNCE_KIND_FEEDBACK: return "feedback";
    case SMTP_REPLY_BOUNCE_KIND_AUTOREPLY: return "autoreply";
    case SMTP_REPLY_BOUNCE_KIND_MDN: return "mdn";
    }
    return (const char *)0;
}
const char *smtp_reply_bounce_kind_name(int v)
{
    return v >= 0 && v < 5 ? bounce_kind_str((enum smtp_reply_bounce_kind)v) : (const char *)0;
}
int smtp_reply_bounce_kind_count(void) { return 5; }

static const char *bounce_format_str(enum smtp_reply_bounce_format v)
{
    switch (v) {
    case SMTP_REPLY_BOUNCE_FMT_NONE: return "none";
    case SMTP_REPLY_BOUNCE_FMT_RFC3464: return "rfc3464";
    case SMTP_REPLY_BOUNCE_FMT_RFC6533: return "rfc6533";
    case SMTP_REPLY_BOUNCE_FMT_DSN_TEXT: return "dsn_text";
    case SMTP_REPLY_BOUNCE_FMT_TEXT: return "text";
    case SMTP_REPLY_BOUNCE_FMT_X_FAILED: return "x_failed";
    case SMTP_REPLY_BOUNCE_FMT_ARF: return "arf";
    case SMTP_REPLY_BOUNCE_FMT_RFC3834: return "rfc3834";
    case SMTP_REPLY_BOUNCE_FMT_RFC8098: return "rfc8098";
    }
    return (const char *)0;
}
const char *smtp_reply_bounce_format_name(int v)
{
    return v >= 0 && v < 9 ? bounce_format_str((enum smtp_reply_bounce_format)v) : (const char *)0;
}
int smtp_reply_bounce_format_count(void) { return 9; }

static const char *bounce_mta_str(enum smtp_reply_bounce_mta v)
{
    switch (v) {
    case SMTP_REPLY_BOUNCE_MTA_UNKNOWN: return "unknown";
    case SMTP_REPLY_BOUNCE_MTA_POSTFIX: return "postfix";
    case SMTP_REPLY_BOUNCE_MTA_SENDMAIL: return "sendmail";
    case SMTP_REPLY_BOUNCE_MTA_EXIM: return "exim";
    case SMTP_REPLY_BOUNCE_MTA_QMAIL: return "qmail";
    case SMTP_REPLY_BOUNCE_MTA_EXCHANGE2003: return "exchange2003";
    case SMTP_REPLY_BOUNCE_MTA_EXCHANGE: return "exchange";
    case SMTP_REPLY_BOUNCE_MTA_OFFICE365: return "office365";
    case SMTP_REPLY_BOUNCE_MTA_OUTLOOK: return "outlook";
    case SMTP_REPLY_BOUNCE_MTA_GMAIL: return "gmail";
    case SMTP_REPLY_BOUNCE_MTA_GOOGLE_WORKSPACE: return "google_workspace";
    case SMTP_REPLY_BOUNCE_MTA_GOOGLE_GROUPS: return "google_groups";
    case SMTP_REPLY_BOUNCE_MTA_YAHOO: return "yahoo";
    case SMTP_REPLY_BOUNCE_MTA_AOL: return "aol";
    case SMTP_REPLY_BOUNCE_MTA_AMAZON_SES: return "amazon_ses";
    case SMTP_REPLY_BOUNCE_MTA_AMAZON_WORKMAIL: return "amazon_workmail";
    case SMTP_REPLY_BOUNCE_MTA_OPENSMTPD: return "opensmtpd";
    case SMTP_REPLY_BOUNCE_MTA_COURIER: return "courier";
    case SMTP_REPLY_BOUNCE_MTA_MESSAGING_SERVER: return "messaging_server";
    case SMTP_REPLY_BOUNCE_MTA_POWERMTA: return "powermta";
    case SMTP_REPLY_BOUNCE_MTA_DRAGONFLY: return "dragonfly";
    case SMTP_REPLY_BOUNCE_MTA_MAILRU: return "mailru";
    case SMTP_REPLY_BOUNCE_MTA_YANDEX: return "yandex";
    case SMTP_REPLY_BOUNCE_MTA_V5SENDMAIL: return "v5sendmail";
    case SMTP_REPLY_BOUNCE_MTA_NOTES: return "notes";
    case SMTP_REPLY_BOUNCE_MTA_DOMINO: return "domino";
    case SMTP_REPLY_BOUNCE_MTA_MCAFEE: return "mcafee";
    case SMTP_REPLY_BOUNCE_MTA_MXLOGIC: return "mxlogic";
    case SMTP_REPLY_BOUNCE_MTA_MESSAGELABS: return "messagelabs";
    case SMTP_REPLY_BOUNCE_MTA_BARRACUDA: return "barracuda";
    case SMTP_REPLY_BOUNCE_MTA_EZWEB: return "ezweb";
    case SMTP_REPLY_BOUNCE_MTA_KDDI: return "kddi";
    case SMTP_REPLY_BOUNCE_MTA_BIGLOBE: return "biglobe";
    case SMTP_REPLY_BOUNCE_MTA_GMX: return "gmx";
    case SMTP_REPLY_BOUNCE_MTA_EINSUNDEINS: return "einsundeins";
    case SMTP_REPLY_BOUNCE_MTA_ZOHO: return "zoho";
    case SMTP_REPLY_BOUNCE_MTA_ACTIVEHUNTER: return "activehunter";
    case SMTP_REPLY_BOUNCE_MTA_MAILFOUNDRY: return "mailfoundry";
    case SMTP_REPLY_BOUNCE_MTA_IMAIL: return "imail";
    case SMTP_REPLY_BOUNCE_MTA_MFILTER: return "mfilter";
    case SMTP_REPLY_BOUNCE_MTA_FML: return "fml";
    case SMTP_REPLY_BOUNCE_MTA_VERIZON: return "verizon";
    case SMTP_REPLY_BOUNCE_MTA_SURFCONTROL: return "surfcontrol";
    case SMTP_REPLY_BOUNCE_MTA_INTERSCAN: return "interscan";
    case SMTP_REPLY_BOUNCE_MTA_MAILMARSHAL: return "mailmarshal";
    case SMTP_REPLY_BOUNCE_MTA_APACHE_JAMES: return "apache_james";
    case SMTP_REPLY_BOUNCE_MTA_SENDGRID: return "sendgrid";
    case SMTP_REPLY_BOUNCE_MTA_FACEBOOK: return "facebook";
    case SMTP_REPLY_BOUNCE_MTA_AMAVIS: return "amavis";
    case SMTP_REPLY_BOUNCE_MTA_BIGFOOT: return "bigfoot";
    case SMTP_REPLY_BOUNCE_MTA_MAIL_LOCAL: return "mail_local";
    case SMTP_REPLY_BOUNCE_MTA_X1: return "x1";
    case SMTP_REPLY_BOUNCE_MTA_X2: return "x2";
    case SMTP_REPLY_BOUNCE_MTA_X3: return "x3";
    case SMTP_REPLY_BOUNCE_MTA_X4: return "x4";
    case SMTP_REPLY_BOUNCE_MTA_X5: return "x5";
    case SMTP_REPLY_BOUNCE_MTA_X6: return "x6";
    }
    return (const char *)0;
}
const char *smtp_reply_bounce_mta_name(int v)
{
    return v >= 0 && v < 57 ? bounce_mta_str((enum smtp_reply_bounce_mta)v) : (const char *)0;
}
int smtp_reply_bounce_mta_count(void) { return 57; }

static const char *bounce_action_str(enum smtp_reply_bounce_action v)
{
    switch (v) {
    case SMTP_REPLY_BOUNCE_ACTION_NONE: return "none";
    case SMTP_REPLY_BOUNCE_ACTION_FAILED: return "failed";
    case SMTP_REPLY_BOUNCE_ACTION_DELAYED: return "delayed";
    case SMTP_REPLY_BOUNCE_ACTION_DELIVERED: return "delivered";
    case SMTP_REPLY_BOUNCE_ACTION_RELAYED: return "relayed";
    case SMTP_REPLY_BOUNCE_ACTION_EXPANDED: return "expanded";
    }
    return (const char *)0;
}
const char *smtp_reply_bounce_action_name(int v)
{
    return v >= 0 && v < 6 ? bounce_action_str((enum smtp_reply_bounce_action)v) : (const char *)0;
}
int smtp_reply_bounce_action_count(void) { return 6; }

static const char *bounce_source_str(enum smtp_reply_bounce_source v)
{
    switch (v) {
    case SMTP_REPLY_BOUNCE_SRC_NONE: return "none";
    case SMTP_REPLY_BOUNCE_SRC_DSN: return "dsn";
    case SMTP_REPLY_BOUNCE_SRC_DSN_TEXT: return "dsn_text";
    case SMTP_REPLY_BOUNCE_SRC_TEXT: return "text";
    case SMTP_REPLY_BOUNCE_SRC_X_FAILED: return "x_failed";
    case SMTP_REPLY_BOUNCE_SRC_ARF: return "arf";
    case SMTP_REPLY_BOUNCE_SRC_AUTOREPLY: return "autoreply";
    case SMTP_REPLY_BOUNCE_SRC_RETURNED_TO: return "returned_to";
    }
    return (const char *)0;
}
const char *smtp_reply_bounce_source_name(int v)
{
    return v >= 0 && v < 8 ? bounce_source_str((enum smtp_reply_bounce_source)v) : (const char *)0;
}
int smtp_reply_bounce_source_count(void) { return 8; }

static const char *bounce_flag_str(enum smtp_reply_bounce_flag v)
{
    switch (v) {
    case SMTP_REPLY_BOUNCE_F_MBOX_FROM: return "mbox_from";
    case SMTP_REPLY_BOUNCE_F_CR_ONLY: return "cr_only";
    case SMTP_REPLY_BOUNCE_F_MIXED_EOL: return "mixed_eol";
    case SMTP_REPLY_BOUNCE_F_NO_BOUNDARY: return "no_boundary";
    case SMTP_REPLY_BOUNCE_F_UNCLOSED: return "unclosed";
    case SMTP_REPLY_BOUNCE_F_DEPTH_LIMIT: return "depth_limit";
    case SMTP_REPLY_BOUNCE_F_PARTS_LIMIT: return "parts_limit";
    case SMTP_REPLY_BOUNCE_F_BYTES_TRUNCATED: return "bytes_truncated";
    case SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT: return "scratch_short";
    case SMTP_REPLY_BOUNCE_F_BAD_ENCODING: return "bad_encoding";
    case SMTP_REPLY_BOUNCE_F_FORWARDED: return "forwarded";
    case SMTP_REPLY_BOUNCE_F_DSN_MALFORMED: return "dsn_malformed";
    case SMTP_REPLY_BOUNCE_F_NO_RECIPIENT: return "no_recipient";
    case SMTP_REPLY_BOUNCE_F_X_FAILED_DIFFERS: return "x_failed_differs";
    case SMTP_REPLY_BOUNCE_F_CHARSET_KEPT: return "charset_kept";
    case SMTP_REPLY_BOUNCE_F_NUL: return "nul";
    case SMTP_REPLY_BOUNCE_F_HEADER_ONLY: return "header_only";
    case SMTP_REPLY_BOUNCE_F_HTML: return "html";
    }
    return (const char *)0;
}
const char *smtp_reply_bounce_flag_name(int bit)
{
    return bit >= 0 && bit < 18 ? bounce_flag_str((enum smtp_reply_bounce_flag)(1u << bit)) : (const char *)0;
}
int smtp_reply_bounce_flag_count(void) { return 18; }

static const char *bounce_rcpt_flag_str(enum smtp_reply_bounce_rcpt_flag v)
{
    switch (v) {
    case SMTP_REPLY_BOUNCE_R_GAVE_UP: return "gave_up";
    case SMTP_REPLY_BOUNCE_R_STATUS_FROM_TEXT: return "status_from_text";
    case SMTP_REPLY_BOUNCE_R_DIAG_FROM_TEXT: return "diag_from_text";
    case SMTP_REPLY_BOUNCE_R_STATUS_DIFFERS: return "status_differs";
    case SMTP_REPLY_BOUNCE_R_ORCPT_DECODED: return "orcpt_decoded";
    case SMTP_REPLY_BOUNCE_R_TEXT_MERGED: return "text_merged";
    case SMTP_REPLY_BOUNCE_R_ENHANCED_FILLED: return "enhanced_filled";
    case SMTP_REPLY_BOUNCE_R_STAGE_FROM_TEXT: return "stage_from_text";
    case SMTP_REPLY_BOUNCE_R_CONTEXT_APPLIED: return "context_applied";
    }
    return (const char *)0;
}
const char *smtp_reply_bounce_rcpt_flag_name(int bit)
{
    return bit >= 0 && bit < 9 ? bounce_rcpt_flag_str((enum smtp_reply_bounce_rcpt_flag)(1u << bit)) : (const char *)0;
}
int smtp_reply_bounce_rcpt_flag_count(void) { return 9; }

static const char *bounce_str_flag_str(enum smtp_reply_bounce_str_flag v)
{
    switch (v) {
    case SMTP_REPLY_BOUNCE_S_SCRATCH: return "scratch";
    case SMTP_REPLY_BOUNCE_S_TRUNCATED: return "truncated";
    case SMTP_REPLY_BOUNCE_S_8BIT: return "8bit";
    case SMTP_REPLY_BOUNCE_S_CHARSET_KEPT: return "charset_kept";
    }
    return (const char *)0;
}
const char *smtp_reply_bounce_str_flag_name(int bit)
{
    return bit >= 0 && bit < 4 ? bounce_str_flag_str((enum smtp_reply_bounce_str_flag)(1u << bit)) : (const char *)0;
}
int smtp_reply_bounce_str_flag_count(void) { return 4; }

size_t smtp_reply_sizeof_bounce(void) { return sizeof(smtp_reply_bounce); }
size_t smtp_reply_sizeof_bounce_rcpt(void) { return sizeof(smtp_reply_bounce_rcpt); }
size_t smtp_reply_sizeof_bounce_reader(void) { return sizeof(smtp_reply_bounce_reader); }
size_t smtp_reply_sizeof_bounce_str(void) { return sizeof(smtp_reply_bounce_str); }
