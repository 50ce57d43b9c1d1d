/*
 * smtpreply.h - parse, classify and advise on SMTP replies.
 *
 * libsmtpreply reads what an SMTP server answered ("550 5.1.1 <bob@example.com>:
 * Recipient address rejected: User unknown", a multiline "550-5.7.26 ...", a DSN
 * Diagnostic-Code field or an MTA log line) and says what the reply is, why the
 * message failed, whether the failure is permanent and what to do about it.
 *
 * Design rules that every function follows:
 *  - Input is (buf, len): no NUL terminator is needed and no byte past len is read.
 *  - Nothing allocates.  Results live in caller-owned structs; text is returned as
 *    spans (offset + length) into the caller's buffer or as pointers to static,
 *    read-only strings that live as long as the library is loaded.
 *  - There is no global mutable state: every function is thread-safe and reentrant.
 *  - Enum values never change meaning; new values are only ever appended.  Every
 *    enum but the option bits has a name function (and a count function for
 *    bindings).
 *  - 0 is success; negative values are errors (enum smtp_reply_error).
 *
 * Copyright (c) 2026 The libsmtpreply authors.  MIT licence (see COPYING).
 */
#ifndef SMTPREPLY_H
#define SMTPREPLY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(SMTPREPLY_BUILDING)
#  define SMTP_REPLY_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#  define SMTP_REPLY_API __attribute__((visibility("default")))
#else
#  define SMTP_REPLY_API
#endif

#if defined(__GNUC__) || defined(__clang__)
#  define SMTP_REPLY_WUR __attribute__((warn_unused_result))
#else
#  define SMTP_REPLY_WUR
#endif

/* ---- versions --------------------------------------------------------------- */

/** Release version of the header; smtp_reply_version() gives the library's.
 *  It must equal project(version:) in meson.build, which checks it. */
#define SMTP_REPLY_VERSION_MAJOR 0
#define SMTP_REPLY_VERSION_MINOR 1
#define SMTP_REPLY_VERSION_PATCH 0
#define SMTP_REPLY_STR_(x) #x
#define SMTP_REPLY_XSTR_(x) SMTP_REPLY_STR_(x)
/** "MAJOR.MINOR.PATCH", e.g. "0.1.0". */
#define SMTP_REPLY_VERSION_STRING SMTP_REPLY_XSTR_(SMTP_REPLY_VERSION_MAJOR) "." \
    SMTP_REPLY_XSTR_(SMTP_REPLY_VERSION_MINOR) "." SMTP_REPLY_XSTR_(SMTP_REPLY_VERSION_PATCH)
#define SMTP_REPLY_VERSION_NUMBER \
    ((SMTP_REPLY_VERSION_MAJOR << 16) | (SMTP_REPLY_VERSION_MINOR << 8) | SMTP_REPLY_VERSION_PATCH)

/** Library release version, e.g. "0.1.0". */
SMTP_REPLY_API const char *smtp_reply_version(void);
/** (major << 16) | (minor << 8) | patch of the loaded library. */
SMTP_REPLY_API uint32_t smtp_reply_version_number(void);
/** Version of the compiled-in table (the data/ files), e.g. "2026.11.23". */
SMTP_REPLY_API const char *smtp_reply_table_version(void);
/** Number of rules (rows of data/rules) in the compiled-in table. */
SMTP_REPLY_API uint32_t smtp_reply_table_rule_count(void);
/** Hex SHA-256 of the data files the table was generated from. */
SMTP_REPLY_API const char *smtp_reply_table_hash(void);

/* ---- limits ----------------------------------------------------------------- */

/** Lines of one reply whose text is recorded; later lines are counted and
 *  flagged (SMTP_REPLY_F_LINES_TRUNCATED) but not classified. */
#define SMTP_REPLY_MAX_LINES 64
/** Bytes of input examined.  Past this a whole-text parse keeps the prefix and
 *  sets SMTP_REPLY_F_BYTES_TRUNCATED; a stream parse fails with
 *  SMTP_REPLY_E_TOO_LONG if no complete reply ends within it. */
#define SMTP_REPLY_MAX_BYTES (16u * 1024u * 1024u)
/** RFC 5321 4.5.3.1.5: a reply line is at most 512 octets including CRLF. */
#define SMTP_REPLY_LINE_LIMIT 512
/** Most advice steps in one record. */
#define SMTP_REPLY_MAX_STEPS 8

SMTP_REPLY_API uint32_t smtp_reply_max_lines(void);
SMTP_REPLY_API uint32_t smtp_reply_max_bytes(void);
SMTP_REPLY_API uint32_t smtp_reply_line_limit(void);
SMTP_REPLY_API uint32_t smtp_reply_max_steps(void);

/* ---- errors ----------------------------------------------------------------- */

enum smtp_reply_error {
    SMTP_REPLY_OK               =   0,
    SMTP_REPLY_E_INCOMPLETE     =  -1, /* stream parse: the final line has not arrived */
    SMTP_REPLY_E_NULL           =  -2, /* a required pointer is NULL */
    SMTP_REPLY_E_EMPTY          =  -3, /* zero bytes of input */
    SMTP_REPLY_E_BLANK          =  -4, /* only white space and line breaks */
    SMTP_REPLY_E_NO_CODE        =  -5, /* no reply code and no text worth reading */
    SMTP_REPLY_E_SHORT_CODE     =  -6, /* fewer than three digits, e.g. "55" */
    SMTP_REPLY_E_LONG_CODE      =  -7, /* more than three digits, e.g. "5500" */
    SMTP_REPLY_E_BAD_CLASS      =  -8, /* first digit not 2-5, e.g. "600", "150" */
    SMTP_REPLY_E_BAD_SEPARATOR  =  -9, /* code not followed by SP, '-' or end of line */
    SMTP_REPLY_E_HTML           = -10, /* an HTML document, not a reply */
    SMTP_REPLY_E_TOO_LONG       = -11, /* stream parse: no reply ends within MAX_BYTES */
    SMTP_REPLY_E_BINARY         = -12, /* mostly NUL or control bytes */
    SMTP_REPLY_E_BAD_OPTION     = -13, /* unknown option bits */
    SMTP_REPLY_E_NOT_PARSED     = -14  /* classify given a reply that did not parse */
};

/** Short stable name of an error or status code ("ok", "incomplete", "empty", ...);
 *  "unknown_error" for values that are not in the enum. Never NULL. */
SMTP_REPLY_API const char *smtp_reply_error_name(int err);
/** One-sentence English description of an error code. Never NULL. */
SMTP_REPLY_API const char *smtp_reply_strerror(int err);
/** Number of error codes, counting SMTP_REPLY_OK: they are 0 down to 1 - count. */
SMTP_REPLY_API int smtp_reply_error_count(void);

/* ---- parse ------------------------------------------------------------------ */

/** Options for smtp_reply_parse. */
enum smtp_reply_option {
    /** The input is a wire stream read from a socket: a reply must start with a
     *  three-digit code, is complete only when its final line and line break have
     *  arrived (else SMTP_REPLY_E_INCOMPLETE), and no wrapper (log line, DSN
     *  field) is looked for.  Without this option the input is taken as a whole
     *  text: a missing final line is a flag, not an error. */
    SMTP_REPLY_OPT_STREAM  = 1u << 0,
    /** Do not look for a reply inside a log line, DSN field or NDR text. */
    SMTP_REPLY_OPT_NO_UNWRAP = 1u << 1
};

/** Anomaly flags: what a strict reader would complain about. */
enum smtp_reply_flag {
    SMTP_REPLY_F_NO_BASIC_CODE     = 1u << 0,  /* text without a three-digit code */
    SMTP_REPLY_F_CODE_MISMATCH     = 1u << 1,  /* lines carry different basic codes */
    SMTP_REPLY_F_CLASS_MISMATCH    = 1u << 2,  /* enhanced class != basic first digit */
    SMTP_REPLY_F_LONG_LINE         = 1u << 3,  /* a line over 512 octets */
    SMTP_REPLY_F_8BIT              = 1u << 4,  /* bytes >= 0x80 */
    SMTP_REPLY_F_NUL               = 1u << 5,  /* NUL bytes */
    SMTP_REPLY_F_NO_FINAL_LINE     = 1u << 6,  /* ended on a "NNN-" continuation line */
    SMTP_REPLY_F_EMPTY_TEXT        = 1u << 7,  /* a code with no text at all */
    SMTP_REPLY_F_NONSTANDARD_CODE  = 1u << 8,  /* second digit > 5 (RFC 5321 4.2.1) */
    SMTP_REPLY_F_LINES_TRUNCATED   = 1u << 9,  /* more than SMTP_REPLY_MAX_LINES lines */
    SMTP_REPLY_F_BYTES_TRUNCATED   = 1u << 10, /* input longer than SMTP_REPLY_MAX_BYTES */
    SMTP_REPLY_F_ENHANCED_INLINE   = 1u << 11, /* enhanced code found inside the text, e.g. "(#5.1.1)" */
    SMTP_REPLY_F_ENHANCED_MISMATCH = 1u << 12, /* lines carry different enhanced codes */
    SMTP_REPLY_F_BARE_LF           = 1u << 13, /* line ended by LF without CR */
    SMTP_REPLY_F_UNWRAPPED         = 1u << 14, /* the reply was found inside a log line, DSN or NDR */
    SMTP_REPLY_F_CONTROL           = 1u << 15, /* control bytes other than TAB, CR, LF, NUL */
    SMTP_REPLY_F_LINE_WITHOUT_CODE = 1u << 16, /* a later line does not start with the code */
    SMTP_REPLY_F_FLATTENED         = 1u << 17, /* a multiline reply written on one line */
    SMTP_REPLY_F_SEVERAL_REPLIES   = 1u << 18, /* whole-text input holds more than one reply */
    SMTP_REPLY_F_NO_REPLY          = 1u << 19  /* a diagnostic with no reply in it (e.g. "Connection timed out") */
};

/** The SMTP stage a reply answered, when the input says so. */
enum smtp_reply_stage {
    SMTP_REPLY_STAGE_UNKNOWN = 0,
    SMTP_REPLY_STAGE_CONNECT = 1,   /* greeting / banner */
    SMTP_REPLY_STAGE_HELO    = 2,   /* HELO or EHLO */
    SMTP_REPLY_STAGE_MAIL    = 3,   /* MAIL FROM */
    SMTP_REPLY_STAGE_RCPT    = 4,   /* RCPT TO */
    SMTP_REPLY_STAGE_DATA    = 5,   /* the DATA command */
    SMTP_REPLY_STAGE_EOD     = 6,   /* end of data, after the final dot */
    SMTP_REPLY_STAGE_AUTH    = 7,
    SMTP_REPLY_STAGE_STARTTLS = 8
};

/** What held the reply in the input. */
enum smtp_reply_wrapper {
    SMTP_REPLY_WRAP_NONE     = 0,   /* a raw reply */
    SMTP_REPLY_WRAP_DSN      = 1,   /* Diagnostic-Code / Status field */
    SMTP_REPLY_WRAP_POSTFIX  = 2,
    SMTP_REPLY_WRAP_EXIM     = 3,
    SMTP_REPLY_WRAP_QMAIL    = 4,
    SMTP_REPLY_WRAP_SENDMAIL = 5,
    SMTP_REPLY_WRAP_EXCHANGE = 6,
    SMTP_REPLY_WRAP_OTHER    = 7    /* "said:", "reply:", "smtp;" and similar */
};

/** An offset and length into the buffer that was parsed. */
typedef struct smtp_reply_span {
    uint32_t off;
    uint32_t len;
} smtp_reply_span;

/** A parsed reply.  Caller-owned; smtp_reply_parse resets every field. */
typedef struct smtp_reply {
    int32_t  code;             /* basic reply code 200-599; 0 when the input has none */
    uint16_t enhanced[3];      /* class, subject, detail; class 0 when none was found */
    uint16_t stage;            /* enum smtp_reply_stage */
    uint32_t flags;            /* enum smtp_reply_flag bits */
    uint32_t wrapper;          /* enum smtp_reply_wrapper */
    size_t   consumed;         /* bytes of input this reply used (incl. final line break) */
    smtp_reply_span reply;     /* the reply proper within the input */
    smtp_reply_span code_span; /* where the basic code was read (len 0 if none) */
    smtp_reply_span enhanced_span; /* where the enhanced code was read (len 0 if none) */
    uint32_t nlines;           /* lines seen, even past SMTP_REPLY_MAX_LINES */
    uint32_t nstored;          /* lines recorded in line[] */
    uint32_t text_len;         /* length of the joined text (smtp_reply_text) */
    uint32_t reserved0;
    smtp_reply_span line[SMTP_REPLY_MAX_LINES]; /* each line's text, codes removed */
    uint32_t reserved[8];
} smtp_reply;

/**
 * Parse one reply from buf[0..len).
 *
 * Finds the basic code, the enhanced status code (at the start of the text,
 * inline as "(#5.1.1)" / "#5.7.1", after one token as in "550 cuda_nsu 5.4.1" when
 * its class is the basic code's, or alone as in "5.1.1 User unknown"), the text
 * of each line and the anomaly flags.  Without SMTP_REPLY_OPT_STREAM the input is
 * a whole text, and a reply inside a log line or DSN field is unwrapped first.
 *
 * Returns SMTP_REPLY_OK, SMTP_REPLY_E_INCOMPLETE (stream mode only) or another
 * negative smtp_reply_error.  On every return *reply is fully reset, and on
 * SMTP_REPLY_OK reply->consumed tells how many bytes to skip to reach the next
 * reply of a stream.  NULL buf with len 0 gives SMTP_REPLY_E_EMPTY; NULL buf
 * with len > 0 or NULL reply gives SMTP_REPLY_E_NULL.  Never allocates; time is
 * linear in min(len, SMTP_REPLY_MAX_BYTES).
 */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_parse(const char *buf, size_t len, unsigned options, smtp_reply *reply);

/** State of an incremental stream parse (smtp_reply_parse_stream).  Caller-owned;
 *  all zero (or smtp_reply_stream_init) is the start of a stream. */
typedef struct smtp_reply_stream {
    size_t   scanned;     /* bytes of the current reply examined so far */
    size_t   line_start;  /* offset of the current reply's unfinished line */
    uint64_t examined;    /* bytes examined by all calls since init: linear in the bytes fed */
    uint32_t started;     /* 1 once the reply code at the start has been checked */
    uint32_t reserved[5];
} smtp_reply_stream;

/** Reset *st to the start of a stream.  NULL is ignored. */
SMTP_REPLY_API void smtp_reply_stream_init(smtp_reply_stream *st);

/**
 * Parse one reply from a socket stream, resuming where the last call stopped.
 *
 * buf[0..len) holds the bytes received so far from the first byte of the
 * current reply; each call's buffer must start with the previous call's bytes
 * (append what recv() returned and call again).  Returns SMTP_REPLY_E_INCOMPLETE
 * until the reply's final line and its line break have arrived, having examined
 * only the bytes that are new since the last call; then parses the reply once,
 * exactly as smtp_reply_parse(buf, len, SMTP_REPLY_OPT_STREAM, reply) would, and
 * returns its result.  After any return other than SMTP_REPLY_E_INCOMPLETE (and
 * SMTP_REPLY_E_BLANK: only white space so far, which keeps what was examined)
 * the state is reset for the next reply, which starts at buf + reply->consumed.
 * A reply dripped one byte at a time therefore costs time linear in its length
 * (st->examined counts the bytes examined), where calling smtp_reply_parse on
 * each arrival rescans from byte 0.  A buffer shorter than the state has seen
 * is taken as a new stream.  NULL st or reply gives SMTP_REPLY_E_NULL; NULL buf
 * with len 0 gives SMTP_REPLY_E_EMPTY.  Never allocates.
 */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_parse_stream(smtp_reply_stream *st, const char *buf, size_t len, smtp_reply *reply);

/**
 * Write the reply's text (lines without codes, joined by one space) to dst as a
 * NUL-terminated string, truncated to dstsize - 1 bytes.  Returns the full length
 * of the joined text (as snprintf does), so a return >= dstsize means truncation.
 * dst may be NULL when dstsize is 0.  buf must be the buffer that was parsed.
 */
SMTP_REPLY_API size_t
smtp_reply_text(const char *buf, size_t len, const smtp_reply *reply, char *dst, size_t dstsize);

/* ---- classify --------------------------------------------------------------- */

/** Why the message failed.  Values are stable; names are smtp_reply_category_name(). */
enum smtp_reply_category {
    SMTP_REPLY_CAT_UNKNOWN          = 0,  /* "unknown": nothing explains the reply */
    SMTP_REPLY_CAT_SUCCESS          = 1,  /* "success": 2xx, accepted */
    SMTP_REPLY_CAT_USER_UNKNOWN     = 2,  /* "user_unknown": no such mailbox */
    SMTP_REPLY_CAT_MAILBOX_FULL     = 3,  /* "mailbox_full": over quota */
    SMTP_REPLY_CAT_MAILBOX_DISABLED = 4,  /* "mailbox_disabled": exists but suspended/inactive */
    SMTP_REPLY_CAT_MAILBOX_MOVED    = 5,  /* "mailbox_moved": user has moved (251/551) */
    SMTP_REPLY_CAT_DOMAIN_UNKNOWN   = 6,  /* "domain_unknown": no such domain / no MX */
    SMTP_REPLY_CAT_RELAY_DENIED     = 7,  /* "relay_denied": server will not relay */
    SMTP_REPLY_CAT_AUTH_REQUIRED    = 8,  /* "auth_required": SMTP AUTH needed or failed */
    SMTP_REPLY_CAT_AUTH_FAILED      = 9,  /* "auth_failed": SPF, DKIM, DMARC or ARC failed */
    SMTP_REPLY_CAT_BLOCKLISTED      = 10, /* "blocklisted": on a named DNSBL / block list */
    SMTP_REPLY_CAT_REPUTATION       = 11, /* "reputation": blocked for reputation, no list named */
    SMTP_REPLY_CAT_PTR_REQUIRED     = 12, /* "ptr_required": reverse DNS missing or mismatched */
    SMTP_REPLY_CAT_RATE_LIMITED     = 13, /* "rate_limited": too many messages/connections/recipients */
    SMTP_REPLY_CAT_GREYLISTED       = 14, /* "greylisted": try again later */
    SMTP_REPLY_CAT_SPAM_CONTENT     = 15, /* "spam_content": content judged to be spam */
    SMTP_REPLY_CAT_VIRUS            = 16, /* "virus": malware found */
    SMTP_REPLY_CAT_POLICY           = 17, /* "policy": local policy refused the message */
    SMTP_REPLY_CAT_MESSAGE_TOO_BIG  = 18, /* "message_too_big" */
    SMTP_REPLY_CAT_SYNTAX           = 19, /* "syntax": malformed address, header or command */
    SMTP_REPLY_CAT_PROTOCOL         = 20, /* "protocol": bad sequence, unsupported command */
    SMTP_REPLY_CAT_TLS_REQUIRED     = 21, /* "tls_required": STARTTLS / encryption needed */
    SMTP_REPLY_CAT_SENDER_REJECTED  = 22, /* "sender_rejected": the envelope sender refused */
    SMTP_REPLY_CAT_SERVER_ERROR     = 23, /* "server_error": remote server fault */
    SMTP_REPLY_CAT_NETWORK          = 24, /* "network": connection failed / timed out / DNS */
    SMTP_REPLY_CAT_EXPIRED          = 25  /* "expired": gave up after retrying */
};

enum smtp_reply_permanence {
    SMTP_REPLY_PERM_UNKNOWN   = 0,
    SMTP_REPLY_PERM_SUCCESS   = 1,
    SMTP_REPLY_PERM_TRANSIENT = 2,
    SMTP_REPLY_PERM_PERMANENT = 3
};

/** What to do with the recipient address. */
enum smtp_reply_recipient_action {
    SMTP_REPLY_RCPT_KEEP     = 0, /* nothing wrong with the address */
    SMTP_REPLY_RCPT_SUPPRESS = 1, /* the address is dead: stop sending to it */
    SMTP_REPLY_RCPT_REVIEW   = 2  /* probably a problem with the address; look before suppressing */
};

/** What to do with the message. */
enum smtp_reply_message_action {
    SMTP_REPLY_MSG_NONE        = 0, /* delivered; nothing to do */
    SMTP_REPLY_MSG_RETRY       = 1, /* retry on the normal queue schedule */
    SMTP_REPLY_MSG_RETRY_LATER = 2, /* retry, but wait (retry_after when the text says how long) */
    SMTP_REPLY_MSG_FIX_SENDER  = 3, /* retry only after fixing the sender's setup or content */
    SMTP_REPLY_MSG_NEVER       = 4  /* do not retry */
};

/** Whose fault it is. */
enum smtp_reply_fault {
    SMTP_REPLY_FAULT_UNKNOWN   = 0,
    SMTP_REPLY_FAULT_RECIPIENT = 1,
    SMTP_REPLY_FAULT_SENDER    = 2,
    SMTP_REPLY_FAULT_CONTENT   = 3,
    SMTP_REPLY_FAULT_REMOTE    = 4, /* the remote server */
    SMTP_REPLY_FAULT_NETWORK   = 5,
    SMTP_REPLY_FAULT_NONE      = 6  /* success */
};

/** What decided the category. */
enum smtp_reply_evidence {
    SMTP_REPLY_EVIDENCE_NONE          = 0,
    SMTP_REPLY_EVIDENCE_PROVIDER_RULE = 1, /* a provider-specific table rule */
    SMTP_REPLY_EVIDENCE_TEXT_PHRASE   = 2, /* a generic phrase rule */
    SMTP_REPLY_EVIDENCE_ENHANCED_CODE = 3, /* the enhanced status code's registry entry */
    SMTP_REPLY_EVIDENCE_BASIC_CODE    = 4, /* the basic reply code alone */
    SMTP_REPLY_EVIDENCE_WORDS         = 5  /* the word-level model: no rule matched, the words
                                              (and codes) weighed together decided; `match` is
                                              the word or pair that weighed most */
};

/** Who has to act (bit set). */
enum smtp_reply_actor {
    SMTP_REPLY_ACTOR_SENDER          = 1u << 0,
    SMTP_REPLY_ACTOR_SENDER_ADMIN    = 1u << 1,
    SMTP_REPLY_ACTOR_RECIPIENT       = 1u << 2,
    SMTP_REPLY_ACTOR_RECIPIENT_ADMIN = 1u << 3
};

/** The verdict on one reply.  Caller-owned; smtp_reply_classify resets every field. */
typedef struct smtp_reply_result {
    int32_t  category;         /* enum smtp_reply_category */
    int32_t  permanence;       /* enum smtp_reply_permanence */
    int32_t  recipient_action; /* enum smtp_reply_recipient_action */
    int32_t  message_action;   /* enum smtp_reply_message_action */
    int32_t  fault;            /* enum smtp_reply_fault */
    int32_t  evidence;         /* enum smtp_reply_evidence */
    int32_t  stage;            /* enum smtp_reply_stage, from the parsed reply */
    uint32_t retry_after;      /* seconds to wait before retrying; 0 when not stated */
    int32_t  code;             /* basic code, 0 when none */
    uint16_t enhanced[3];      /* enhanced code (class 0 when none) */
    uint16_t reserved0;
    uint32_t flags;            /* the parse flags */
    const char *rule_id;       /* id of the deciding rule; never NULL */
    const char *provider;      /* provider the reply identifies ("google"), or NULL */
    const char *blocklist;     /* block list the reply names ("spamhaus-zen"), or NULL */
    const char *enhanced_title;/* IANA title of the enhanced code, or NULL */
    smtp_reply_span match;     /* the input bytes that decided (code or phrase) */
    uint32_t advice_index;     /* internal: the advice record; use smtp_reply_advice() */
    uint32_t reserved[7];
} smtp_reply_result;

/**
 * Classify a parsed reply.  buf/len must be the buffer given to smtp_reply_parse.
 * A pure function: the same input gives the same result.  Returns SMTP_REPLY_OK,
 * SMTP_REPLY_E_NULL (a NULL reply or result, or NULL buf with len > 0) or
 * SMTP_REPLY_E_NOT_PARSED (*reply was not filled by a successful smtp_reply_parse:
 * no code, no enhanced code and no line, or more lines than SMTP_REPLY_MAX_LINES).
 * On every return except a NULL result, *result is reset first (category unknown,
 * rule "none").  Never allocates; time is linear in the reply's text.
 */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_classify(const char *buf, size_t len, const smtp_reply *reply,
                    smtp_reply_result *result);

/**
 * Parse (whole-text mode, with unwrapping) and classify in one call.  Returns the
 * parse status; on error *result is reset to category unknown.  reply may be NULL
 * when the caller does not need it.
 */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_classify_buf(const char *buf, size_t len, smtp_reply *reply,
                        smtp_reply_result *result);

/* ---- advise ----------------------------------------------------------------- */

/** What to do about a reply.  Every string is static and never NULL except
 *  steps[i] for i >= nsteps. */
typedef struct smtp_reply_advice_info {
    const char *id;            /* advice record id: a category name or a rule's own */
    const char *summary;       /* one sentence */
    const char *steps[SMTP_REPLY_MAX_STEPS]; /* ordered concrete steps */
    uint32_t nsteps;
    uint32_t actors;           /* enum smtp_reply_actor bits: who must act */
    int32_t  message_action;   /* enum smtp_reply_message_action (from the result) */
    uint32_t retry_after;      /* seconds (from the result), 0 when not stated */
    int32_t  recipient_action; /* enum smtp_reply_recipient_action (from the result) */
    int32_t  remove_address;   /* 1 when the address should be removed from lists */
    const char *reference;     /* RFC section or provider documentation URL */
    uint32_t reserved[4];
} smtp_reply_advice_info;

/** Fill *advice for a classification result.  Returns SMTP_REPLY_OK or
 *  SMTP_REPLY_E_NULL. */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_advice(const smtp_reply_result *result, smtp_reply_advice_info *advice);

/* ---- fingerprints ----------------------------------------------------------- */

/*
 * A fingerprint is a reply's template and a 64-bit hash of it: the same server
 * message sent about a thousand recipients has one template, so a log groups
 * into one line per message.  The template is the text in ASCII lower case with
 * the parts that vary replaced by placeholders; the words and the codes stay.
 *
 *   template    = [code SP] [enhanced SP] text   ; smtp_reply_fingerprint
 *               / text                           ; smtp_reply_fingerprint_raw
 *   code        = the basic code, e.g. "550"; enhanced = e.g. "5.1.1"
 *   text        = tokens; a run of white space or control bytes (NUL included)
 *                 is one SP; no SP at either end; the lines of a reply are
 *                 joined by SP
 *   token       = placeholder / delimiter / literal
 *   delimiter   = < > ( ) [ ] { } " ' ` , ;      ; written as they are
 *   literal     = the other bytes in ASCII lower case (bytes >= 0x80 as they
 *                 are), among them enhanced codes ("5.1.1"), three-digit reply
 *                 codes 200-599 except right after '=', ':' or '/' (a value, a
 *                 port: "size=<n>", ":<n>") and flattened continuations
 *                 ("550-5.7.26", "421-service")
 *   placeholder = "<addr>"  an e-mail address, bare or in <...>, SRS included
 *               / "<url>"   http://, https://, ftp://, www. or host/path, query
 *                           included, bare or in <...>
 *               / "<ipv4>" / "<ipv6>"                  ("IPv6:" is kept)
 *               / "<host>"  a dotted host name whose last label is two letters
 *                           or a common top-level domain (lib/fingerprint.c)
 *               / "<date>"  a date, or a run of date words: "Nov 23 06:20:34",
 *                           "Mon, 23 Nov 2026 06:20:34 +0000", "2026-11-23T06:20:34Z"
 *               / "<time>"  a time and its zone: "06:20:34", "10:30+01:00"
 *               / "<id>"    an opaque token: a queue or message id, a hex word
 *                           (8 or more hex digits with a digit and a letter), a
 *                           number of 10 or more digits, letters with 2 or more
 *                           digits and '.', '-', '_' (8 bytes or more, or 6 with 4
 *                           digits): one class, so that an id which is now hex,
 *                           now digits only, gives one template
 *               / "<hex>"   hex by its syntax: 0x..., or a UUID 8-4-4-4-12
 *               / "<b64>"   base64 by its syntax: 16 or more bytes with '+', '/'
 *                           or '=' padding, upper and lower case and a digit
 *               / "<n>"     any other number ("48211", "0.5", "-0700"); a number
 *                           with a unit keeps the unit: "<n>s", "<n>mb", "<n>%"
 *
 * A word (bytes between white space and delimiters) is classified whole; when
 * it is nothing known it is split at '=', '&' and '?', then at ':', '/', '|' and
 * '\', and each part is classified: "relay=mx.example.com" is "relay=<host>".
 * Leading '#', '*', '@' and trailing '.', ':', '!', '?', '*' stay around a word
 * or a part.  A placeholder in the input is read as part of its word, and a part
 * holding one is not classified.  Example: "550 5.1.1 <bob@example.com>: Recipient address
 * rejected" gives "550 5.1.1 <addr>: recipient address rejected".
 *
 * The hash is FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3)
 * of the whole template's bytes, whatever the size of dst.  Templates and hashes
 * do not change between releases unless SMTP_REPLY_FINGERPRINT_VERSION changes
 * (and the README says so).  The template of a template is itself, and
 * smtp_reply_fingerprint_raw of a one-line reply "550 5.1.1 text" gives what
 * smtp_reply_fingerprint of its parse gives.
 *
 * Both functions write the template to dst as a NUL-terminated string cut to
 * dstsize - 1 bytes, store its full length in *template_len (as snprintf does:
 * template_len >= dstsize means it was cut) and its hash in *hash.  dst may be
 * NULL when dstsize is 0; template_len and hash may be NULL.  The template is at
 * most SMTP_REPLY_FINGERPRINT_BOUND(n) bytes, n being len for the raw form and
 * the reply's text_len for the parsed one.  Never allocates; time is linear in
 * the bytes read; nothing outside buf[0..len) is read.  On an error dst holds
 * "" and *template_len and *hash are 0.
 */
#define SMTP_REPLY_FINGERPRINT_VERSION 1
#define SMTP_REPLY_FINGERPRINT_BOUND(n) (3 * (size_t)(n) + 32)

/** The version of the template grammar and hash: 1. */
SMTP_REPLY_API uint32_t smtp_reply_fingerprint_version(void);

/**
 * The fingerprint of a parsed reply: its code, enhanced code and the text of its
 * stored lines (those past SMTP_REPLY_MAX_LINES are not read).  buf/len must be
 * the buffer given to smtp_reply_parse.  Returns SMTP_REPLY_OK, SMTP_REPLY_E_NULL
 * (NULL reply, NULL buf with len > 0, NULL dst with dstsize > 0) or
 * SMTP_REPLY_E_NOT_PARSED (what smtp_reply_classify refuses, or a line span
 * outside buf).
 */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_fingerprint(const char *buf, size_t len, const smtp_reply *reply,
                       char *dst, size_t dstsize, size_t *template_len, uint64_t *hash);

/**
 * The fingerprint of any bytes taken as one text (a log line, a reply that did
 * not parse).  Empty or blank input gives the empty template.  Returns
 * SMTP_REPLY_OK, or SMTP_REPLY_E_NULL for NULL buf with len > 0 or NULL dst with
 * dstsize > 0.
 */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_fingerprint_raw(const char *buf, size_t len,
                           char *dst, size_t dstsize, size_t *template_len, uint64_t *hash);

/* ---- names, counts and sizes (for bindings) --------------------------------- */

/* Each *_name returns the stable lower-case name, or NULL for a value out of
 * range.  Each *_from_name returns the value, or -1 for an unknown name (NULL
 * included).  Each *_count is the number of values: they run 0..count-1, except
 * for actors and flags, whose name functions take the bit index 0..count-1 of the
 * value (smtp_reply_actor_name(1) is "sender_admin", SMTP_REPLY_ACTOR_SENDER_ADMIN
 * = 1u << 1).  Errors have their own functions, above. */
SMTP_REPLY_API const char *smtp_reply_category_name(int category);
SMTP_REPLY_API int smtp_reply_category_from_name(const char *name);
SMTP_REPLY_API int smtp_reply_category_count(void);
SMTP_REPLY_API const char *smtp_reply_permanence_name(int permanence);
SMTP_REPLY_API int smtp_reply_permanence_count(void);
SMTP_REPLY_API const char *smtp_reply_recipient_action_name(int action);
SMTP_REPLY_API int smtp_reply_recipient_action_count(void);
SMTP_REPLY_API const char *smtp_reply_message_action_name(int action);
SMTP_REPLY_API int smtp_reply_message_action_count(void);
SMTP_REPLY_API const char *smtp_reply_fault_name(int fault);
SMTP_REPLY_API int smtp_reply_fault_count(void);
SMTP_REPLY_API const char *smtp_reply_evidence_name(int evidence);
SMTP_REPLY_API int smtp_reply_evidence_count(void);
SMTP_REPLY_API const char *smtp_reply_stage_name(int stage);
SMTP_REPLY_API int smtp_reply_stage_count(void);
SMTP_REPLY_API const char *smtp_reply_wrapper_name(int wrapper);
SMTP_REPLY_API int smtp_reply_wrapper_count(void);
SMTP_REPLY_API const char *smtp_reply_actor_name(int actor_bit_index);
SMTP_REPLY_API int smtp_reply_actor_count(void);
/** Name of one flag bit index (0 = SMTP_REPLY_F_NO_BASIC_CODE), NULL for a bit
 *  that names no flag. */
SMTP_REPLY_API const char *smtp_reply_flag_name(int bit_index);
SMTP_REPLY_API int smtp_reply_flag_count(void);

/** IANA title of an enhanced status code ("Bad destination mailbox address" for
 *  5.1.1; the class digit is ignored), or NULL when the registry has no entry. */
SMTP_REPLY_API const char *smtp_reply_enhanced_title(int cls, int subject, int detail);

SMTP_REPLY_API size_t smtp_reply_sizeof_reply(void);
SMTP_REPLY_API size_t smtp_reply_sizeof_result(void);
SMTP_REPLY_API size_t smtp_reply_sizeof_advice(void);
SMTP_REPLY_API size_t smtp_reply_sizeof_stream(void);

#ifdef __cplusplus
}
#endif

#endif /* SMTPREPLY_H */
