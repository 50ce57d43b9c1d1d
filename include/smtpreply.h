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
    SMTP_REPLY_E_NOT_PARSED     = -14, /* classify given a reply that did not parse */
    SMTP_REPLY_E_NOT_MAIL       = -15, /* bounce reader: no header block at the start of the mail */
    SMTP_REPLY_E_SCRATCH        = -16, /* bounce reader: scratch smaller than SMTP_REPLY_BOUNCE_SCRATCH_MIN */
    SMTP_REPLY_E_READER         = -17, /* bounce reader: next() on a reader that is not open */
    SMTP_REPLY_E_RULES          = -18, /* user rules: a row is invalid (the error says where and why) */
    SMTP_REPLY_E_NOMEM          = -19, /* user rules: memory ran out while loading or compiling */
    SMTP_REPLY_E_IO             = -20  /* user rules: a file could not be read */
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
    SMTP_REPLY_WRAP_OTHER    = 7,   /* "said:", "reply:", "smtp;" and similar */
    SMTP_REPLY_WRAP_OPENSMTPD = 8,  /* OpenSMTPD log: result="...", stat="..." */
    SMTP_REPLY_WRAP_LIBRARY  = 9,   /* an SMTP client library's error text (smtplib, nodemailer,
                                       PHPMailer, JavaMail, .NET, Symfony, Go, Ruby, Perl) */
    SMTP_REPLY_WRAP_COURIER  = 10,  /* Courier log: "id=...,from=<s>,addr=<r>: 550 ..." */
    SMTP_REPLY_WRAP_DOVECOT  = 11   /* Dovecot LMTP/LDA log */
};

/** An offset and length into the buffer that was parsed. */
typedef struct smtp_reply_span {
    uint32_t off;
    uint32_t len;
} smtp_reply_span;

/** A parsed reply.  Caller-owned; smtp_reply_parse resets every field. */
typedef struct smtp_reply {
    /* The basic code: 200-599, 0 when the input has none.  When the reply's text has
     * no code but its wrapper does, the wrapper's: the digits beside it (smtplib's
     * "(550, b'...')", PHPMailer's "SMTP code: 550"), or the code the program sends
     * when its log line shows none (Exim logs an ACL reject without its 550); the
     * span is then the digits, or empty at the wrapper text. */
    int32_t  code;
    /* class, subject, detail; class 0 when none was found.  When the reply region
     * has no code at all, a wrapper's status field gives it (Postfix and Sendmail
     * dsn=, PHPMailer "Additional SMTP info:"). */
    uint16_t enhanced[3];
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
    /* The recipient address the wrapper names (len 0 when it names none): the
     * address of "to=<bob@example.com>", Exim's "** bob@example.com", "RCPT
     * TO:<bob@example.com>", smtplib's {'bob@example.com': ...}, without its
     * angle brackets.  Only text around the reply counts, never the reply's own
     * text, so a bare reply has none; a diagnostic that holds no reply (Postfix
     * "Illegal address syntax from h in RCPT command: <a@b>") may name it in its
     * own words.  Its bytes may lie outside `reply`, always inside the input.
     * Added in 0.1 in place of reserved[0..1]. */
    smtp_reply_span recipient;
    uint32_t reserved[6];
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
    smtp_reply_span recipient; /* the parsed reply's recipient span (len 0: none named);
                                  added in place of reserved[0..1] */
    uint32_t reserved[5];
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

/* ---- user rules: add and disable rules at run time, without rebuilding -------- */

/** A set of user rules, compiled at load time.  Opaque; caller-owned through
 *  smtp_reply_rules_new / smtp_reply_rules_free.  Building it allocates; using
 *  it (smtp_reply_classify_with) does not, and a compiled object may be shared
 *  by any number of threads. */
typedef struct smtp_reply_rules smtp_reply_rules;

/** Documented limits of one rules object. */
#define SMTP_REPLY_RULES_MAX_ROWS 10000    /* rule, disable and advice rows together */

/** Where and why a rules file was refused. */
typedef struct smtp_reply_rules_error {
    char     file[256];    /* the file name (or the name given with a buffer) */
    uint32_t line;         /* 1-based line of the offending row, 0 when none */
    int32_t  code;         /* SMTP_REPLY_E_RULES, _E_IO, _E_NOMEM or _E_NULL */
    char     message[256]; /* what is wrong: "unknown category 'x'", ... */
} smtp_reply_rules_error;

/** A new, empty rules object in *out.  Returns SMTP_REPLY_OK, SMTP_REPLY_E_NULL
 *  or SMTP_REPLY_E_NOMEM. */
SMTP_REPLY_API SMTP_REPLY_WUR int smtp_reply_rules_new(smtp_reply_rules **out);

/** Add the rows of a rules file (the format of the files in data/rules: a header line
 *  `id category priority codes pattern provider blocklist options advice source`
 *  and rule rows; a row whose category is `disable` disables the built-in rule
 *  named in its id column; after a header line `id actors remove summary steps
 *  reference`, advice rows as in data/advice.tsv).  All of the file's rows are
 *  added, or none: on an error *err names the file, the line and what is wrong
 *  and the object is unchanged.  Returns SMTP_REPLY_OK, SMTP_REPLY_E_RULES,
 *  SMTP_REPLY_E_IO, SMTP_REPLY_E_NOMEM or SMTP_REPLY_E_NULL.  err may be NULL. */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_rules_add_file(smtp_reply_rules *rules, const char *path, smtp_reply_rules_error *err);

/** The same for rows held in memory, buf[0..len); name is used in errors and
 *  in the rule source ("name:line"). */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_rules_add_buffer(smtp_reply_rules *rules, const char *name, const char *buf, size_t len,
                            smtp_reply_rules_error *err);

/** Check the rows against each other (duplicate ids, advice ids) and build the
 *  matcher.  Call once, after the last add; the object is then read-only.
 *  Returns SMTP_REPLY_OK, SMTP_REPLY_E_RULES (with *err), SMTP_REPLY_E_NOMEM or
 *  SMTP_REPLY_E_NULL. */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_rules_compile(smtp_reply_rules *rules, smtp_reply_rules_error *err);

/** Free a rules object (NULL is ignored). */
SMTP_REPLY_API void smtp_reply_rules_free(smtp_reply_rules *rules);

/** Rules (rule rows, disables excluded) in a compiled object; 0 for NULL. */
SMTP_REPLY_API uint32_t smtp_reply_rules_count(const smtp_reply_rules *rules);

/**
 * smtp_reply_classify with the user rules as well as the built-in table.
 * A user rule competes with the built-in rules under the same precedence, and
 * beats a built-in rule of equal priority; disabled built-in rules never
 * match.  The result's rule_id of a user rule reads "id (file:line)".  NULL
 * rules (or an empty object) classifies exactly as smtp_reply_classify.
 * Returns what smtp_reply_classify returns, or SMTP_REPLY_E_RULES for an object
 * that was not compiled.  Never allocates; thread-safe on a shared object.
 */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_classify_with(const smtp_reply_rules *rules, const char *buf, size_t len,
                         const smtp_reply *reply, smtp_reply_result *result);

/** smtp_reply_advice for a result of smtp_reply_classify_with: a user rule's
 *  advice record comes from the rules object. */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_advice_with(const smtp_reply_rules *rules, const smtp_reply_result *result,
                       smtp_reply_advice_info *advice);

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

/** SMTP_REPLY_FINGERPRINT_BOUND(n) as a function, for bindings: a dst of this
 * many bytes always holds the whole template of n bytes of text, with its NUL.
 * Saturates at SIZE_MAX. */
SMTP_REPLY_API size_t smtp_reply_fingerprint_bound(size_t n);

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

/* ---- batches ---------------------------------------------------------------- */

/**
 * Parse and classify n inputs in one call.  For each i < n, status[i] and
 * results[i] receive exactly what
 *     smtp_reply_classify_buf(bufs[i], lens[i], replies ? &replies[i] : NULL, &results[i])
 * returns and fills: input i is bufs[i][0..lens[i]), in whole-text mode with
 * unwrapping, and a rejected input gets its negative status and a result reset to
 * category unknown.  replies may be NULL when the caller does not need the parsed
 * replies.  The inputs are independent: a rejected one does not stop the others.
 * This is for bindings, where crossing into C costs more than classifying a reply
 * (the Python binding's classify_many passes a whole list in one call).
 *
 * Returns SMTP_REPLY_OK, or SMTP_REPLY_E_NULL when n > 0 and bufs, lens, results
 * or status is NULL (then nothing is written).  n == 0 returns SMTP_REPLY_OK and
 * reads no array.  Never allocates; thread-safe like the calls it makes.
 */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_classify_many(const char *const *bufs, const size_t *lens, size_t n,
                         smtp_reply *replies, smtp_reply_result *results, int *status);

/* ---- bounce mails ------------------------------------------------------------ */

/*
 * The bounce reader takes one whole mail - a non-delivery report (RFC 3464 /
 * RFC 6533 DSN or an MTA's text format), a feedback report (RFC 5965), an
 * auto-reply (RFC 3834) or a read receipt (RFC 8098) - and returns what the
 * mail is and, one record at a time, every recipient it reports on, with the
 * reply in its diagnostic parsed and classified as smtp_reply_classify() does,
 * in the report's context (a delayed recipient is kept, a failure after
 * retries is flagged as given up, the DSN Status fills a missing enhanced code).
 *
 * Memory: the caller gives the mail (buf, len) and a scratch buffer; nothing is
 * allocated.  smtp_reply_bounce_scratch_size(len) is a size that always
 * suffices; less (down to SMTP_REPLY_BOUNCE_SCRATCH_MIN) works and sets
 * SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT when something could not be decoded.
 * Text comes back as smtp_reply_bounce_str views into the mail or the scratch:
 * valid while both buffers live and are not changed.  A recipient record's
 * views into the scratch (flag SMTP_REPLY_BOUNCE_S_SCRATCH) are valid until the
 * next smtp_reply_bounce_next() call on the same reader; the per-mail views
 * until the reader is opened again.
 *
 * Work: linear in len, whatever the bytes (no recursion; MIME depth and part
 * counts are limited, and the limits are flags, not errors).  Line ends may be
 * LF, CRLF or CR, mixed: a mail reads the same with any of them.
 */

/** Bytes of a mail examined; past this the rest is ignored (SMTP_REPLY_BOUNCE_F_BYTES_TRUNCATED). */
#define SMTP_REPLY_BOUNCE_MAX_BYTES (64u * 1024u * 1024u)
/** Nested multiparts walked (SMTP_REPLY_BOUNCE_F_DEPTH_LIMIT past it). */
#define SMTP_REPLY_BOUNCE_MAX_DEPTH 8
/** MIME parts indexed (SMTP_REPLY_BOUNCE_F_PARTS_LIMIT past it). */
#define SMTP_REPLY_BOUNCE_MAX_PARTS 128
/** Bytes of one unfolded diagnostic kept in a record (SMTP_REPLY_BOUNCE_S_TRUNCATED past it). */
#define SMTP_REPLY_BOUNCE_MAX_DIAG 8192
/** Smallest scratch accepted (SMTP_REPLY_E_SCRATCH below it). */
#define SMTP_REPLY_BOUNCE_SCRATCH_MIN 65536

SMTP_REPLY_API uint32_t smtp_reply_bounce_max_bytes(void);
SMTP_REPLY_API uint32_t smtp_reply_bounce_max_depth(void);
SMTP_REPLY_API uint32_t smtp_reply_bounce_max_parts(void);
SMTP_REPLY_API uint32_t smtp_reply_bounce_max_diag(void);
SMTP_REPLY_API uint32_t smtp_reply_bounce_scratch_min(void);

/** A piece of text: ptr is NULL and len 0 when the field is absent. */
typedef struct smtp_reply_bounce_str {
    const char *ptr;
    uint32_t len;
    uint32_t flags;   /* enum smtp_reply_bounce_str_flag bits */
} smtp_reply_bounce_str;

/** Bits of smtp_reply_bounce_str.flags. */
enum smtp_reply_bounce_str_flag {
    SMTP_REPLY_BOUNCE_S_SCRATCH   = 1u << 0, /* the text is in the scratch (decoded, unfolded or converted) */
    SMTP_REPLY_BOUNCE_S_TRUNCATED = 1u << 1, /* cut at a limit or for lack of scratch */
    SMTP_REPLY_BOUNCE_S_8BIT      = 1u << 2, /* holds bytes >= 0x80 */
    SMTP_REPLY_BOUNCE_S_CHARSET_KEPT = 1u << 3 /* in a charset that was not converted to UTF-8 (ISO-2022-JP, ...) */
};

/** What the mail is. */
enum smtp_reply_bounce_kind {
    SMTP_REPLY_BOUNCE_KIND_NONE      = 0, /* not a report: no recipients */
    SMTP_REPLY_BOUNCE_KIND_DSN       = 1, /* a delivery status report: failure, delay or success */
    SMTP_REPLY_BOUNCE_KIND_FEEDBACK  = 2, /* RFC 5965 feedback report (complaint, opt-out) */
    SMTP_REPLY_BOUNCE_KIND_AUTOREPLY = 3, /* RFC 3834 auto-reply (vacation, out of office) */
    SMTP_REPLY_BOUNCE_KIND_MDN       = 4  /* RFC 8098 read receipt: recognised, no recipient records */
};

/** How the mail was read. */
enum smtp_reply_bounce_format {
    SMTP_REPLY_BOUNCE_FMT_NONE      = 0,
    SMTP_REPLY_BOUNCE_FMT_RFC3464   = 1, /* a message/delivery-status part */
    SMTP_REPLY_BOUNCE_FMT_RFC6533   = 2, /* a message/global-delivery-status part */
    SMTP_REPLY_BOUNCE_FMT_DSN_TEXT  = 3, /* DSN fields written into a text part, no status part */
    SMTP_REPLY_BOUNCE_FMT_TEXT      = 4, /* an MTA's text format (data/bounce-formats.tsv) */
    SMTP_REPLY_BOUNCE_FMT_X_FAILED  = 5, /* only the X-Failed-Recipients header */
    SMTP_REPLY_BOUNCE_FMT_ARF       = 6, /* RFC 5965 (or a provider's complaint format) */
    SMTP_REPLY_BOUNCE_FMT_RFC3834   = 7, /* auto-reply headers */
    SMTP_REPLY_BOUNCE_FMT_RFC8098   = 8  /* a message/disposition-notification part */
};

/** Who wrote the mail, when it shows (data/bounce-formats.tsv names these). */
enum smtp_reply_bounce_mta {
    SMTP_REPLY_BOUNCE_MTA_UNKNOWN          = 0,
    SMTP_REPLY_BOUNCE_MTA_POSTFIX          = 1,
    SMTP_REPLY_BOUNCE_MTA_SENDMAIL         = 2,
    SMTP_REPLY_BOUNCE_MTA_EXIM             = 3,
    SMTP_REPLY_BOUNCE_MTA_QMAIL            = 4,
    SMTP_REPLY_BOUNCE_MTA_EXCHANGE2003     = 5,
    SMTP_REPLY_BOUNCE_MTA_EXCHANGE         = 6,  /* Exchange 2007 and later, on premises */
    SMTP_REPLY_BOUNCE_MTA_OFFICE365        = 7,
    SMTP_REPLY_BOUNCE_MTA_OUTLOOK          = 8,  /* Outlook.com / Hotmail */
    SMTP_REPLY_BOUNCE_MTA_GMAIL            = 9,
    SMTP_REPLY_BOUNCE_MTA_GOOGLE_WORKSPACE = 10,
    SMTP_REPLY_BOUNCE_MTA_GOOGLE_GROUPS    = 11,
    SMTP_REPLY_BOUNCE_MTA_YAHOO            = 12,
    SMTP_REPLY_BOUNCE_MTA_AOL              = 13,
    SMTP_REPLY_BOUNCE_MTA_AMAZON_SES       = 14,
    SMTP_REPLY_BOUNCE_MTA_AMAZON_WORKMAIL  = 15,
    SMTP_REPLY_BOUNCE_MTA_OPENSMTPD        = 16,
    SMTP_REPLY_BOUNCE_MTA_COURIER          = 17,
    SMTP_REPLY_BOUNCE_MTA_MESSAGING_SERVER = 18, /* Oracle / Sun Java System Messaging Server */
    SMTP_REPLY_BOUNCE_MTA_POWERMTA         = 19,
    SMTP_REPLY_BOUNCE_MTA_DRAGONFLY        = 20, /* DragonFly Mail Agent (dma) */
    SMTP_REPLY_BOUNCE_MTA_MAILRU           = 21,
    SMTP_REPLY_BOUNCE_MTA_YANDEX           = 22,
    SMTP_REPLY_BOUNCE_MTA_V5SENDMAIL       = 23, /* Sendmail before DSNs (version 5) */
    SMTP_REPLY_BOUNCE_MTA_NOTES            = 24, /* Lotus Notes */
    SMTP_REPLY_BOUNCE_MTA_DOMINO           = 25, /* IBM Domino */
    SMTP_REPLY_BOUNCE_MTA_MCAFEE           = 26,
    SMTP_REPLY_BOUNCE_MTA_MXLOGIC          = 27,
    SMTP_REPLY_BOUNCE_MTA_MESSAGELABS      = 28,
    SMTP_REPLY_BOUNCE_MTA_BARRACUDA        = 29,
    SMTP_REPLY_BOUNCE_MTA_EZWEB            = 30, /* au by KDDI, EZweb */
    SMTP_REPLY_BOUNCE_MTA_KDDI             = 31,
    SMTP_REPLY_BOUNCE_MTA_BIGLOBE          = 32,
    SMTP_REPLY_BOUNCE_MTA_GMX              = 33,
    SMTP_REPLY_BOUNCE_MTA_EINSUNDEINS      = 34, /* 1&1 */
    SMTP_REPLY_BOUNCE_MTA_ZOHO             = 35,
    SMTP_REPLY_BOUNCE_MTA_ACTIVEHUNTER     = 36,
    SMTP_REPLY_BOUNCE_MTA_MAILFOUNDRY      = 37,
    SMTP_REPLY_BOUNCE_MTA_IMAIL            = 38, /* Ipswitch IMail Server */
    SMTP_REPLY_BOUNCE_MTA_MFILTER          = 39,
    SMTP_REPLY_BOUNCE_MTA_FML              = 40,
    SMTP_REPLY_BOUNCE_MTA_VERIZON          = 41,
    SMTP_REPLY_BOUNCE_MTA_SURFCONTROL      = 42,
    SMTP_REPLY_BOUNCE_MTA_INTERSCAN        = 43, /* Trend Micro InterScan MSS */
    SMTP_REPLY_BOUNCE_MTA_MAILMARSHAL      = 44,
    SMTP_REPLY_BOUNCE_MTA_APACHE_JAMES     = 45,
    SMTP_REPLY_BOUNCE_MTA_SENDGRID         = 46,
    SMTP_REPLY_BOUNCE_MTA_FACEBOOK         = 47,
    SMTP_REPLY_BOUNCE_MTA_AMAVIS           = 48,
    SMTP_REPLY_BOUNCE_MTA_BIGFOOT          = 49,
    SMTP_REPLY_BOUNCE_MTA_MAIL_LOCAL       = 50, /* mail.local(8) */
    SMTP_REPLY_BOUNCE_MTA_X1               = 51, /* unnamed MTAs known by their text alone, */
    SMTP_REPLY_BOUNCE_MTA_X2               = 52, /* numbered as Sisimai numbers them */
    SMTP_REPLY_BOUNCE_MTA_X3               = 53,
    SMTP_REPLY_BOUNCE_MTA_X4               = 54,
    SMTP_REPLY_BOUNCE_MTA_X5               = 55,
    SMTP_REPLY_BOUNCE_MTA_X6               = 56
};

/** The DSN Action of a recipient (RFC 3464 2.3.3). */
enum smtp_reply_bounce_action {
    SMTP_REPLY_BOUNCE_ACTION_NONE      = 0, /* not stated (an auto-reply, a feedback report) */
    SMTP_REPLY_BOUNCE_ACTION_FAILED    = 1,
    SMTP_REPLY_BOUNCE_ACTION_DELAYED   = 2,
    SMTP_REPLY_BOUNCE_ACTION_DELIVERED = 3,
    SMTP_REPLY_BOUNCE_ACTION_RELAYED   = 4,
    SMTP_REPLY_BOUNCE_ACTION_EXPANDED  = 5
};

/** Where a recipient record came from. */
enum smtp_reply_bounce_source {
    SMTP_REPLY_BOUNCE_SRC_NONE        = 0,
    SMTP_REPLY_BOUNCE_SRC_DSN         = 1, /* a field group of the status part */
    SMTP_REPLY_BOUNCE_SRC_DSN_TEXT    = 2, /* DSN fields in a text part */
    SMTP_REPLY_BOUNCE_SRC_TEXT        = 3, /* an address in an MTA's text */
    SMTP_REPLY_BOUNCE_SRC_X_FAILED    = 4, /* the X-Failed-Recipients header */
    SMTP_REPLY_BOUNCE_SRC_ARF         = 5, /* Original-Rcpt-To or Removal-Recipient of a feedback report */
    SMTP_REPLY_BOUNCE_SRC_AUTOREPLY   = 6, /* the sender of an auto-reply */
    SMTP_REPLY_BOUNCE_SRC_RETURNED_TO = 7  /* the To: of the returned message (no other address found) */
};

/** Anomalies of the mail (bits of smtp_reply_bounce.flags); never fatal. */
enum smtp_reply_bounce_flag {
    SMTP_REPLY_BOUNCE_F_MBOX_FROM       = 1u << 0,  /* a leading mbox "From " line was skipped */
    SMTP_REPLY_BOUNCE_F_CR_ONLY         = 1u << 1,  /* line ends are CR alone */
    SMTP_REPLY_BOUNCE_F_MIXED_EOL       = 1u << 2,  /* line ends of more than one kind */
    SMTP_REPLY_BOUNCE_F_NO_BOUNDARY     = 1u << 3,  /* a multipart without a usable boundary: read as text */
    SMTP_REPLY_BOUNCE_F_UNCLOSED        = 1u << 4,  /* a multipart's closing boundary is missing */
    SMTP_REPLY_BOUNCE_F_DEPTH_LIMIT     = 1u << 5,  /* multiparts nested deeper than MAX_DEPTH */
    SMTP_REPLY_BOUNCE_F_PARTS_LIMIT     = 1u << 6,  /* more than MAX_PARTS parts */
    SMTP_REPLY_BOUNCE_F_BYTES_TRUNCATED = 1u << 7,  /* longer than MAX_BYTES */
    SMTP_REPLY_BOUNCE_F_SCRATCH_SHORT   = 1u << 8,  /* something was not decoded for lack of scratch */
    SMTP_REPLY_BOUNCE_F_BAD_ENCODING    = 1u << 9,  /* invalid base64, quoted-printable or UTF-7, decoded leniently */
    SMTP_REPLY_BOUNCE_F_FORWARDED       = 1u << 10, /* the report was read inside a forwarded message */
    SMTP_REPLY_BOUNCE_F_DSN_MALFORMED   = 1u << 11, /* a DSN field group lacks Final-Recipient, Action or Status */
    SMTP_REPLY_BOUNCE_F_NO_RECIPIENT    = 1u << 12, /* recognised as a report, but no recipient found */
    SMTP_REPLY_BOUNCE_F_X_FAILED_DIFFERS = 1u << 13, /* X-Failed-Recipients names other addresses than the report */
    SMTP_REPLY_BOUNCE_F_CHARSET_KEPT    = 1u << 14, /* text in a charset that is not converted (see S_CHARSET_KEPT) */
    SMTP_REPLY_BOUNCE_F_NUL             = 1u << 15, /* NUL bytes */
    SMTP_REPLY_BOUNCE_F_HEADER_ONLY     = 1u << 16, /* the mail ends inside its header block */
    SMTP_REPLY_BOUNCE_F_HTML            = 1u << 17  /* the notification was HTML, read as text */
};

/** Facts about one recipient record (bits of smtp_reply_bounce_rcpt.flags). */
enum smtp_reply_bounce_rcpt_flag {
    SMTP_REPLY_BOUNCE_R_GAVE_UP          = 1u << 0, /* the MTA gave up after retrying (expired, or failed on a 4xx) */
    SMTP_REPLY_BOUNCE_R_STATUS_FROM_TEXT = 1u << 1, /* status is the diagnostic's enhanced code, not the Status field */
    SMTP_REPLY_BOUNCE_R_DIAG_FROM_TEXT   = 1u << 2, /* the diagnostic is the human-readable text, not a Diagnostic-Code */
    SMTP_REPLY_BOUNCE_R_STATUS_DIFFERS   = 1u << 3, /* the Status field and the diagnostic's enhanced code differ */
    SMTP_REPLY_BOUNCE_R_ORCPT_DECODED    = 1u << 4, /* Original-Recipient had xtext or \x{HHHH} escapes */
    SMTP_REPLY_BOUNCE_R_TEXT_MERGED      = 1u << 5, /* the human-readable part had a block for this recipient */
    SMTP_REPLY_BOUNCE_R_ENHANCED_FILLED  = 1u << 6, /* the classification used the Status as the enhanced code */
    SMTP_REPLY_BOUNCE_R_STAGE_FROM_TEXT  = 1u << 7, /* the stage came from the text around the diagnostic */
    SMTP_REPLY_BOUNCE_R_CONTEXT_APPLIED  = 1u << 8  /* the report's context changed the classification */
};

/** What the mail says as a whole.  Caller-owned; smtp_reply_bounce_open() resets every field. */
typedef struct smtp_reply_bounce {
    int32_t  kind;                   /* enum smtp_reply_bounce_kind */
    int32_t  format;                 /* enum smtp_reply_bounce_format */
    int32_t  mta;                    /* enum smtp_reply_bounce_mta */
    uint32_t flags;                  /* enum smtp_reply_bounce_flag bits */
    uint32_t nrecipients;            /* records smtp_reply_bounce_next() will return */
    uint32_t nfailed, ndelayed, nother; /* of those, by action (other: delivered, relayed, expanded, none) */
    uint32_t nparts;                 /* MIME parts indexed */
    uint32_t depth;                  /* deepest multipart nesting seen */
    uint32_t skipped;                /* bytes before the header block (mbox From_ line, blank lines) */
    int32_t  returned;               /* the original message: 0 absent, 1 headers only, 2 whole message, 3 copy in the text */
    /* the mail's own header (unfolded; RFC 2047 words decoded in subject, from and to) */
    smtp_reply_bounce_str from, to, subject, date, message_id, auto_submitted, x_failed_recipients;
    /* RFC 3464 per-message fields */
    smtp_reply_bounce_str reporting_mta, received_from_mta, dsn_gateway, arrival_date, envelope_id;
    /* the returned original message's header */
    smtp_reply_bounce_str orig_message_id, orig_from, orig_to, orig_subject, orig_date, orig_list_id,
                          orig_return_path;
    smtp_reply_bounce_str orig_header;   /* its whole header block, for smtp_reply_bounce_header() */
    /* RFC 5965 feedback report, RFC 8098 read receipt */
    smtp_reply_bounce_str feedback_type, user_agent, source_ip, original_mail_from, reported_domain;
    smtp_reply_bounce_str disposition, mdn_recipient;
    smtp_reply_bounce_str notification;  /* the human-readable part, decoded to UTF-8 where possible */
    uint32_t reserved[16];
} smtp_reply_bounce;

/** One recipient.  Caller-owned; smtp_reply_bounce_next() resets every field. */
typedef struct smtp_reply_bounce_rcpt {
    uint32_t index;                  /* 0, 1, ... in the order of the report */
    int32_t  action;                 /* enum smtp_reply_bounce_action */
    int32_t  source;                 /* enum smtp_reply_bounce_source */
    int32_t  stage;                  /* enum smtp_reply_stage: from the diagnostic, else the text around it */
    uint16_t status[3];              /* the enhanced code of the recipient's fate: the diagnostic's own, else the
                                        Status field (also when the diagnostic's is X.0.0); class 0 when the
                                        mail has none (never invented) */
    uint16_t dsn_status[3];          /* the Status field alone; class 0 when absent */
    uint32_t flags;                  /* enum smtp_reply_bounce_rcpt_flag bits */
    smtp_reply_bounce_str recipient;          /* the address the sender used: Original-Recipient if any, else final */
    smtp_reply_bounce_str final_recipient;    /* Final-Recipient (or the address in the text), no type, no <> */
    smtp_reply_bounce_str final_type;         /* its address type: rfc822, utf-8, ... */
    smtp_reply_bounce_str original_recipient; /* Original-Recipient, xtext and \x{HHHH} decoded */
    smtp_reply_bounce_str remote_mta;         /* Remote-MTA host (or the host the text names) */
    smtp_reply_bounce_str diagnostic_type;    /* smtp, x-unix, x-postfix, ... */
    smtp_reply_bounce_str diagnostic;         /* Diagnostic-Code text unfolded, else the recipient's text block */
    smtp_reply_bounce_str status_text;        /* the Status field as written, comment included */
    smtp_reply_bounce_str last_attempt_date, will_retry_until, final_log_id;
    int32_t  parse_rc;               /* smtp_reply_parse() of the diagnostic: SMTP_REPLY_OK or why not */
    uint32_t reserved1;
    smtp_reply reply;                /* the parsed diagnostic; spans are offsets into diagnostic.ptr */
    smtp_reply_result result;        /* its classification with the report's context applied */
    uint32_t reserved[8];
} smtp_reply_bounce_rcpt;

/** Reader state, caller-allocated (a stack variable is fine).  Opaque. */
typedef struct smtp_reply_bounce_reader {
    uint64_t opaque[8];
} smtp_reply_bounce_reader;

/** Options for smtp_reply_bounce_open(). */
enum smtp_reply_bounce_option {
    /** Only the standards: RFC 3464/6533 status parts, RFC 5965, RFC 8098 and
     *  RFC 3834; no MTA text formats, no X-Failed-Recipients. */
    SMTP_REPLY_BOUNCE_OPT_STANDARD    = 1u << 0,
    /** Do not parse and classify diagnostics (parse_rc is SMTP_REPLY_E_NOT_PARSED,
     *  result is reset). */
    SMTP_REPLY_BOUNCE_OPT_NO_CLASSIFY = 1u << 1
};

/** smtp_reply_bounce_next() filled a record. */
#define SMTP_REPLY_BOUNCE_RECORD 1

/** A scratch size that always suffices for a mail of len bytes (a fixed part
 *  plus four bytes per byte of the mail, up to SMTP_REPLY_BOUNCE_MAX_BYTES). */
SMTP_REPLY_API size_t smtp_reply_bounce_scratch_size(size_t len);

/**
 * Read the mail's structure and per-mail fields into *out and prepare *rd to
 * iterate over its recipients.  scratch must stay valid and unchanged while
 * the reader is used.  Returns SMTP_REPLY_OK (also for a mail that is not a
 * report: kind NONE, no recipients), SMTP_REPLY_E_NULL (rd, out or scratch is
 * NULL, or buf is NULL with len > 0), SMTP_REPLY_E_EMPTY (len 0),
 * SMTP_REPLY_E_BLANK (only white space), SMTP_REPLY_E_NOT_MAIL (the first line
 * is not a header field), SMTP_REPLY_E_SCRATCH or SMTP_REPLY_E_BAD_OPTION.  On
 * every return *out is reset first; on an error the reader is left closed.
 */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_bounce_open(smtp_reply_bounce_reader *rd, const char *buf, size_t len,
                       void *scratch, size_t scratch_size, unsigned options,
                       smtp_reply_bounce *out);

/**
 * Fill *rcpt with the next recipient.  Returns SMTP_REPLY_BOUNCE_RECORD (1),
 * SMTP_REPLY_OK (0) when there are no more, SMTP_REPLY_E_NULL, or
 * SMTP_REPLY_E_READER when rd was never opened or its open failed.  *rcpt is
 * reset on every call.
 */
SMTP_REPLY_API SMTP_REPLY_WUR int
smtp_reply_bounce_next(smtp_reply_bounce_reader *rd, smtp_reply_bounce_rcpt *rcpt);

/**
 * Find the index-th (0-based) field called name (case-insensitive, without
 * the colon) in a header block such as orig_header, and point *value at its
 * raw value (folded as written, leading white space skipped).  Returns 1 when
 * found, 0 when not, SMTP_REPLY_E_NULL for NULL arguments.
 */
SMTP_REPLY_API int
smtp_reply_bounce_header(const smtp_reply_bounce_str *block, const char *name, size_t index,
                         smtp_reply_bounce_str *value);

/* Names ("dsn", "rfc3464", "postfix", "failed", "text", ...); NULL out of range. */
SMTP_REPLY_API const char *smtp_reply_bounce_kind_name(int kind);
SMTP_REPLY_API int smtp_reply_bounce_kind_count(void);
SMTP_REPLY_API const char *smtp_reply_bounce_format_name(int format);
SMTP_REPLY_API int smtp_reply_bounce_format_count(void);
SMTP_REPLY_API const char *smtp_reply_bounce_mta_name(int mta);
SMTP_REPLY_API int smtp_reply_bounce_mta_count(void);
SMTP_REPLY_API const char *smtp_reply_bounce_action_name(int action);
SMTP_REPLY_API int smtp_reply_bounce_action_count(void);
SMTP_REPLY_API const char *smtp_reply_bounce_source_name(int source);
SMTP_REPLY_API int smtp_reply_bounce_source_count(void);
/* Names of flag bit indexes; NULL past the last. */
SMTP_REPLY_API const char *smtp_reply_bounce_flag_name(int bit_index);
SMTP_REPLY_API int smtp_reply_bounce_flag_count(void);
SMTP_REPLY_API const char *smtp_reply_bounce_rcpt_flag_name(int bit_index);
SMTP_REPLY_API int smtp_reply_bounce_rcpt_flag_count(void);
SMTP_REPLY_API const char *smtp_reply_bounce_str_flag_name(int bit_index);
SMTP_REPLY_API int smtp_reply_bounce_str_flag_count(void);

SMTP_REPLY_API size_t smtp_reply_sizeof_bounce(void);
SMTP_REPLY_API size_t smtp_reply_sizeof_bounce_rcpt(void);
SMTP_REPLY_API size_t smtp_reply_sizeof_bounce_reader(void);
SMTP_REPLY_API size_t smtp_reply_sizeof_bounce_str(void);

#ifdef __cplusplus
}
#endif

#endif /* SMTPREPLY_H */
