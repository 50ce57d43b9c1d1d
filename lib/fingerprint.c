/*
 * fingerprint.c - a reply's template and its stable 64-bit hash
 * (smtp_reply_fingerprint, smtp_reply_fingerprint_raw; the grammar is in
 * smtpreply.h and the README).
 *
 * One left-to-right pass over the text, which is one or more segments (the
 * reply's line spans, or the raw bytes) read as if joined by spaces:
 *
 *  - white space and control bytes are gaps: a run of them becomes one space,
 *    none at either end;
 *  - the delimiters < > ( ) [ ] { } " ' ` , ; are written as they are, except
 *    that "<" word ">" becomes "<addr>" or "<url>" when the word is one;
 *  - every other run of bytes is a word (a placeholder such as "<n>" in the
 *    text is part of one).  Leading '#', '*', '@' and trailing '.', ':', '!',
 *    '?', '*' are written as they are, and the rest (the core) is classified as
 *    a whole; if it is nothing known it is split at '=', '&', '?' and each piece
 *    classified, then at ':', '/', '|', '\' and each piece classified.  A piece
 *    that is nothing known is written in ASCII lower case;
 *  - a month or weekday name next to a day number, a date or a time starts a
 *    date run: one "<date>" or "<time>", which takes in the date words,
 *    numbers, times and zones that follow it, separated only by spaces and
 *    single commas.
 *
 * Each byte is looked at a bounded number of times (a word by at most three
 * split levels, each classification pass O(length); the look-ahead of a date
 * run or of "<" reads one gap and one word), so time is linear.  Nothing is
 * allocated, and nothing outside the segments is read.  The hash is FNV-1a 64 of
 * the template's bytes, computed as they are produced, so it does not depend on
 * the size of the caller's buffer.
 *
 * The template of a template is itself (the fuzz target checks it).  Every
 * decision that keeps a word depends on its bytes without regard to ASCII case
 * (the base64 test looks at case, but only to replace a word), so a kept word is
 * kept again.  A placeholder in the text is read as word bytes, and a piece that
 * holds one is only split, never classified: so a template splits into the same
 * words and pieces as the text it came from, except where "<" word ">" became
 * one placeholder, which joins its neighbours into one word; no decision on a
 * piece without a placeholder depends on where its word starts or ends, only on
 * the byte before it (see code_ok()).
 */
#include <string.h>

#include "internal.h"

#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME 0x100000001b3ull

/* ---- bytes ---------------------------------------------------------------- */

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static int is_alpha(unsigned char c) { return is_upper(c) || is_lower(c); }
static int is_alnum(unsigned char c) { return is_alpha(c) || is_digit(c); }
static int is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static unsigned char lower(unsigned char c) { return is_upper(c) ? (unsigned char)(c + 32) : c; }

/* p[0..n) is s, ignoring ASCII case (s is lower case). */
static int eq_ci(const unsigned char *p, size_t n, const char *s)
{
    size_t i = 0;
    for (; i < n && s[i]; i++)
        if (lower(p[i]) != (unsigned char)s[i])
            return 0;
    return i == n && s[i] == '\0';
}

/* p[0..n) starts with s, ignoring case. */
static int prefix_ci(const unsigned char *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    return n >= k && eq_ci(p, k, s);
}

static int in_list(const unsigned char *p, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (eq_ci(p, n, *list))
            return 1;
    return 0;
}

/* The number of digits from p[i] on. */
static size_t digits_at(const unsigned char *p, size_t i, size_t n)
{
    size_t k = i;
    while (k < n && is_digit(p[k]))
        k++;
    return k - i;
}

/* ---- what a piece is --------------------------------------------------------- */

/* The kinds of piece; each but K_NONE and K_KEEP is replaced by its placeholder. */
enum kind {
    K_NONE = 0, /* nothing known: written in lower case */
    K_KEEP,     /* a reply code or an enhanced code: written as it is */
    K_N,        /* a number */
    K_UNIT,     /* a number with a unit ("30s", "10mb", "95%"): "<n>" and the unit */
    K_ADDR, K_URL, K_IPV4, K_IPV6, K_HOST, K_DATE, K_TIME, K_HEX, K_B64, K_ID,
    K_COUNT
};

static const char *const placeholder[K_COUNT] = {
    NULL, NULL, "<n>", "<n>", "<addr>", "<url>", "<ipv4>", "<ipv6>", "<host>", "<date>",
    "<time>", "<hex>", "<b64>", "<id>",
};

/* What each byte is: a gap (white space, control bytes), a delimiter, or a
 * word byte with the kinds below.  A piece's shape is the OR of its bytes'
 * kinds and its number of digits, from one pass: each test of kind_of runs only
 * when the piece holds the bytes it needs, so a plain word costs that pass. */
enum {
    S_UPPER = 1 << 0, S_LOWER = 1 << 1, S_NONHEX = 1 << 2, /* a letter g-z or G-Z */
    S_DOT = 1 << 3, S_COLON = 1 << 4, S_DASH = 1 << 5, S_AT = 1 << 6, S_SLASH = 1 << 7,
    S_SPLIT1 = 1 << 8,  /* '=', '&' or '?' */
    S_SPLIT2 = 1 << 9,  /* ':', '/', '|' or '\\' */
    S_HIGH = 1 << 10,   /* a byte >= 0x80 */
    S_OTHER = 1 << 11,  /* punctuation other than . - _ */
    S_DIGIT = 1 << 12,
    S_GAP = 1 << 13,    /* space, tab, CR, LF, other control bytes, DEL */
    S_DELIM = 1 << 14,  /* < > ( ) [ ] { } " ' ` , ; */
    S_PLACE = 1 << 15,  /* a placeholder ("<n>") is part of the word */
    S_ALPHA = S_UPPER | S_LOWER
};

/* byte_bits[c], from the rules above, as a constant expression. */
#define IS_DELIM_(c) ((c) == '<' || (c) == '>' || (c) == '(' || (c) == ')' || (c) == '[' || \
                      (c) == ']' || (c) == '{' || (c) == '}' || (c) == '"' || (c) == '\'' ||  \
                      (c) == '`' || (c) == ',' || (c) == ';')
#define BITS_(c)                                                                          \
    ((c) <= 0x20 || (c) == 0x7f ? S_GAP                                                  \
     : IS_DELIM_(c)             ? S_DELIM                                                \
     : (c) >= 'a' && (c) <= 'z' ? S_LOWER | ((c) > 'f' ? S_NONHEX : 0)                   \
     : (c) >= 'A' && (c) <= 'Z' ? S_UPPER | ((c) > 'F' ? S_NONHEX : 0)                   \
     : (c) >= '0' && (c) <= '9' ? S_DIGIT                                                \
     : (c) >= 0x80              ? S_HIGH                                                 \
     : (c) == '.'               ? S_DOT                                                  \
     : (c) == '-'               ? S_DASH                                                 \
     : (c) == '_'               ? 0                                                      \
     : (c) == ':'               ? S_COLON | S_SPLIT2 | S_OTHER                           \
     : (c) == '/'               ? S_SLASH | S_SPLIT2 | S_OTHER                           \
     : (c) == '@'               ? S_AT | S_OTHER                                         \
     : (c) == '=' || (c) == '&' || (c) == '?' ? S_SPLIT1 | S_OTHER                       \
     : (c) == '|' || (c) == '\\' ? S_SPLIT2 | S_OTHER                                    \
                                : S_OTHER)
#define B4_(c) BITS_(c), BITS_((c) + 1), BITS_((c) + 2), BITS_((c) + 3)
#define B16_(c) B4_(c), B4_((c) + 4), B4_((c) + 8), B4_((c) + 12)
#define B64_(c) B16_(c), B16_((c) + 16), B16_((c) + 32), B16_((c) + 48)

static const uint16_t byte_bits[256] = {B64_(0), B64_(64), B64_(128), B64_(192)};

static int is_gap(unsigned char c) { return (byte_bits[c] & S_GAP) != 0; }
static int is_delim(unsigned char c) { return (byte_bits[c] & S_DELIM) != 0; }

/* The length of the placeholder ("<n>", "<addr>", ...) that starts at p[i], or 0.
 * A placeholder is read as word bytes, not as delimiters and a word, and a
 * piece that holds one is never classified (only split): so in a template each
 * kept piece is read again as it was read in the text the template was made
 * from, and the template of a template is itself. */
static size_t placeholder_at(const unsigned char *p, size_t i, size_t n)
{
    enum kind a = K_NONE, b = K_NONE, c = K_NONE;
    if (p[i] != '<' || n - i < 3)
        return 0;
    switch (p[i + 1]) { /* the candidates by their first letter */
    case 'n': a = K_N; break;
    case 'a': a = K_ADDR; break;
    case 'u': a = K_URL; break;
    case 'i': a = K_IPV4; b = K_IPV6; c = K_ID; break;
    case 'h': a = K_HOST; b = K_HEX; break;
    case 'd': a = K_DATE; break;
    case 't': a = K_TIME; break;
    case 'b': a = K_B64; break;
    default: return 0;
    }
    enum kind cand[3] = {a, b, c};
    for (int k = 0; k < 3 && cand[k] != K_NONE; k++) {
        size_t l = strlen(placeholder[cand[k]]);
        if (l <= n - i && memcmp(p + i, placeholder[cand[k]], l) == 0)
            return l;
    }
    return 0;
}

struct shape {
    unsigned bits;
    size_t digits;
};

/* The end of the word that starts at p[i], and its shape. */
static size_t scan_word(const unsigned char *p, size_t i, size_t n, struct shape *sh)
{
    unsigned b = 0;
    size_t d = 0;
    while (i < n) {
        unsigned t = byte_bits[p[i]];
        if (t & (S_GAP | S_DELIM)) {
            size_t l = placeholder_at(p, i, n);
            if (l == 0)
                break;
            b |= S_OTHER | S_PLACE;
            i += l;
            continue;
        }
        b |= t;
        d += (t >> 12) & 1;
        i++;
    }
    sh->bits = b;
    sh->digits = d;
    return i;
}

static struct shape shape_of(const unsigned char *p, size_t n)
{
    struct shape sh;
    (void)scan_word(p, 0, n, &sh);
    return sh;
}

/* Top-level domains that end a host name, besides any two letters.  Part of the
 * template grammar: a change here changes templates and hashes (README). */
static const char *const tlds[] = {
    "com", "net", "org", "edu", "gov", "mil", "int", "arpa", "biz", "info", "name", "pro",
    "aero", "asia", "cat", "coop", "jobs", "mobi", "museum", "tel", "travel", "post",
    "app", "dev", "cloud", "online", "site", "xyz", "top", "club", "shop", "store", "tech",
    "email", "mail", "link", "live", "life", "world", "news", "blog", "host", "space",
    "website", "group", "agency", "digital", "network", "services", "solutions", "systems",
    "company", "global", "media", "one", "page", "zone", "pub", "icu", "vip", "work", "ltd",
    "local", "localdomain", "localhost", "lan", "home", "corp", "internal", "intranet",
    "example", "invalid", "test", "onion", NULL,
};

/* Date words: month and weekday names, time zones. */
enum dkind { D_NONE = 0, D_MONTH, D_WDAY, D_DAY, D_YEAR, D_TIME, D_DATE, D_ZONE };

struct dname {
    const char *s;
    unsigned char len, kind;
};
#define M_ D_MONTH
#define W_ D_WDAY
#define Z_ D_ZONE

/* The kind of a name (ASCII letters, any case), by its first letter: most words
 * are compared with a handful of names, not with all of them. */
static enum dkind name_kind(const unsigned char *p, size_t n)
{
    static const struct dname a[] = {{"apr", 3, M_}, {"april", 5, M_}, {"aug", 3, M_}, {"august", 6, M_},
                                     {"aest", 4, Z_}, {"aedt", 4, Z_}, {NULL, 0, 0}};
    static const struct dname b[] = {{"bst", 3, Z_}, {NULL, 0, 0}};
    static const struct dname c[] = {{"cst", 3, Z_}, {"cdt", 3, Z_}, {"cet", 3, Z_}, {"cest", 4, Z_},
                                     {NULL, 0, 0}};
    static const struct dname d[] = {{"dec", 3, M_}, {"december", 8, M_}, {NULL, 0, 0}};
    static const struct dname e[] = {{"est", 3, Z_}, {"edt", 3, Z_}, {"eet", 3, Z_}, {"eest", 4, Z_},
                                     {NULL, 0, 0}};
    static const struct dname f[] = {{"feb", 3, M_}, {"february", 8, M_}, {"fri", 3, W_},
                                     {"friday", 6, W_}, {NULL, 0, 0}};
    static const struct dname g[] = {{"gmt", 3, Z_}, {NULL, 0, 0}};
    static const struct dname h[] = {{"hkt", 3, Z_}, {NULL, 0, 0}};
    static const struct dname j[] = {{"jan", 3, M_}, {"january", 7, M_}, {"jun", 3, M_}, {"june", 4, M_},
                                     {"jul", 3, M_}, {"july", 4, M_}, {"jst", 3, Z_}, {NULL, 0, 0}};
    static const struct dname k[] = {{"kst", 3, Z_}, {NULL, 0, 0}};
    static const struct dname m[] = {{"mar", 3, M_}, {"march", 5, M_}, {"may", 3, M_}, {"mon", 3, W_},
                                     {"monday", 6, W_}, {"mst", 3, Z_}, {"mdt", 3, Z_}, {"msk", 3, Z_},
                                     {NULL, 0, 0}};
    static const struct dname nn[] = {{"nov", 3, M_}, {"november", 8, M_}, {"nzst", 4, Z_},
                                      {"nzdt", 4, Z_}, {NULL, 0, 0}};
    static const struct dname o[] = {{"oct", 3, M_}, {"october", 7, M_}, {NULL, 0, 0}};
    static const struct dname pp[] = {{"pst", 3, Z_}, {"pdt", 3, Z_}, {NULL, 0, 0}};
    static const struct dname s[] = {{"sep", 3, M_}, {"sept", 4, M_}, {"september", 9, M_}, {"sat", 3, W_},
                                     {"saturday", 8, W_}, {"sun", 3, W_}, {"sunday", 6, W_},
                                     {"sgt", 3, Z_}, {NULL, 0, 0}};
    static const struct dname t[] = {{"tue", 3, W_}, {"tues", 4, W_}, {"tuesday", 7, W_}, {"thu", 3, W_},
                                     {"thur", 4, W_}, {"thurs", 5, W_}, {"thursday", 8, W_}, {NULL, 0, 0}};
    static const struct dname u[] = {{"utc", 3, Z_}, {"ut", 2, Z_}, {NULL, 0, 0}};
    static const struct dname w[] = {{"wed", 3, W_}, {"wednesday", 9, W_}, {"wet", 3, Z_},
                                     {"west", 4, Z_}, {NULL, 0, 0}};
    static const struct dname z[] = {{"z", 1, Z_}, {NULL, 0, 0}};
    const struct dname *l;
    if (n == 0 || n > 9)
        return D_NONE;
    switch (p[0] | 0x20) {
    case 'a': l = a; break;
    case 'b': l = b; break;
    case 'c': l = c; break;
    case 'd': l = d; break;
    case 'e': l = e; break;
    case 'f': l = f; break;
    case 'g': l = g; break;
    case 'h': l = h; break;
    case 'j': l = j; break;
    case 'k': l = k; break;
    case 'm': l = m; break;
    case 'n': l = nn; break;
    case 'o': l = o; break;
    case 'p': l = pp; break;
    case 's': l = s; break;
    case 't': l = t; break;
    case 'u': l = u; break;
    case 'w': l = w; break;
    case 'z': l = z; break;
    default: return D_NONE;
    }
    for (; l->s; l++)
        if (l->len == n && eq_ci(p, n, l->s))
            return (enum dkind)l->kind;
    return D_NONE;
}
#undef M_
#undef W_
#undef Z_

/* A reply code: three digits, 200-599 (the parser reads "571" too). */
static int is_code(const unsigned char *p, size_t n)
{
    return n >= 3 && p[0] >= '2' && p[0] <= '5' && is_digit(p[1]) && is_digit(p[2]) &&
           (n == 3 || !is_digit(p[3]));
}

/* An enhanced code at p[i..]: class 2, 4 or 5, then ".d{1,3}.d{1,3}"; its end, or 0. */
static size_t enhanced_end(const unsigned char *p, size_t i, size_t n)
{
    if (i + 5 > n || (p[i] != '2' && p[i] != '4' && p[i] != '5') || p[i + 1] != '.')
        return 0;
    size_t k = i + 2, d = digits_at(p, k, n);
    if (d < 1 || d > 3 || k + d >= n || p[k + d] != '.')
        return 0;
    k += d + 1;
    d = digits_at(p, k, n);
    if (d < 1 || d > 3)
        return 0;
    return k + d;
}

/* "550", "5.1.1", or a flattened continuation "550-5.7.26": written as they are.
 * code_ok: a three-digit number may be a reply code here (see code_ok()). */
static int is_keep(const unsigned char *p, size_t n, int code_ok)
{
    if ((code_ok && n == 3 && is_code(p, n)) || enhanced_end(p, 0, n) == n)
        return 1;
    return n > 4 && is_code(p, 3) && p[3] == '-' && enhanced_end(p, 4, n) == n;
}

/* [+-]? d+ ([.-] d+)* */
static int is_number(const unsigned char *p, size_t n)
{
    size_t i = (n > 1 && (p[0] == '+' || p[0] == '-')) ? 1 : 0;
    for (;;) {
        size_t d = digits_at(p, i, n);
        if (d == 0)
            return 0;
        i += d;
        if (i == n)
            return 1;
        if (p[i] != '.' && p[i] != '-')
            return 0;
        i++;
    }
}

/* [+-]? d+ (. d+)? then 1-3 letters or one '%': the length of the number part, or 0 */
static size_t unit_split(const unsigned char *p, size_t n)
{
    size_t i = (n > 1 && (p[0] == '+' || p[0] == '-')) ? 1 : 0;
    size_t d = digits_at(p, i, n);
    if (d == 0)
        return 0;
    i += d;
    if (i + 1 < n && p[i] == '.' && is_digit(p[i + 1]))
        i += 1 + digits_at(p, i + 1, n);
    size_t num = i, letters = 0;
    if (i + 1 == n && p[i] == '%')
        return num;
    while (i < n && is_alpha(p[i]))
        i++, letters++;
    return (i == n && letters >= 1 && letters <= 3) ? num : 0;
}

/* A time at p[i..]: h{1,2}:mm(:ss(.f+)?)? then an optional zone (Z, +hh, +hhmm,
 * +hh:mm); its end, or 0. */
static size_t time_end(const unsigned char *p, size_t i, size_t n)
{
    size_t d = digits_at(p, i, n);
    if (d < 1 || d > 2 || i + d >= n || p[i + d] != ':')
        return 0;
    size_t k = i + d + 1;
    if (digits_at(p, k, n) != 2)
        return 0;
    k += 2;
    if (k + 2 < n && p[k] == ':' && digits_at(p, k + 1, n) == 2) {
        k += 3;
        if (k + 1 < n && (p[k] == '.' || p[k] == ',') && is_digit(p[k + 1]))
            k += 1 + digits_at(p, k + 1, n);
    }
    if (k < n && (p[k] == 'z' || p[k] == 'Z')) {
        k++;
    } else if (k < n && (p[k] == '+' || p[k] == '-')) {
        size_t z = digits_at(p, k + 1, n);
        if (z == 2 && k + 3 < n && p[k + 3] == ':' && digits_at(p, k + 4, n) == 2)
            k += 6;
        else if (z == 2 || z == 4)
            k += 1 + z;
    }
    return k;
}

static int is_time(const unsigned char *p, size_t n)
{
    return time_end(p, 0, n) == n;
}

/* Dates: yyyy-mm-dd (also with / or .), optionally followed by [T_] and a time;
 * dd/mm/yy(yy); dd.mm.yyyy; dd-mm-yyyy; dd-Mon-yy(yy). */
static int is_date(const unsigned char *p, size_t n)
{
    size_t a = digits_at(p, 0, n);
    if (a == 0 || a >= n)
        return 0;
    unsigned char sep = p[a];
    if (sep != '-' && sep != '/' && sep != '.')
        return 0;
    size_t k = a + 1;
    if (a == 4) {
        size_t b = digits_at(p, k, n);
        if (b < 1 || b > 2 || k + b >= n || p[k + b] != sep)
            return 0;
        k += b + 1;
        size_t c = digits_at(p, k, n);
        if (c < 1 || c > 2)
            return 0;
        k += c;
        if (k == n)
            return 1;
        return (p[k] == 'T' || p[k] == 't' || p[k] == '_') && time_end(p, k + 1, n) == n;
    }
    if (a > 2)
        return 0;
    size_t b = digits_at(p, k, n);
    if (b == 0 && sep == '-' && k + 3 < n && is_alpha(p[k]) && is_alpha(p[k + 1]) &&
        is_alpha(p[k + 2]) && p[k + 3] == '-' && name_kind(p + k, 3) == D_MONTH) {
        size_t c = digits_at(p, k + 4, n);
        return (c == 2 || c == 4) && k + 4 + c == n;
    }
    if (b < 1 || b > 2 || k + b >= n || p[k + b] != sep)
        return 0;
    k += b + 1;
    size_t c = digits_at(p, k, n);
    if (k + c != n)
        return 0;
    return c == 4 || (c == 2 && sep == '/');
}

static int is_ipv4(const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        size_t d = digits_at(p, i, n);
        if (d < 1 || d > 3)
            return 0;
        unsigned v = 0;
        for (size_t k = 0; k < d; k++)
            v = v * 10 + (unsigned)(p[i + k] - '0');
        if (v > 255)
            return 0;
        i += d;
        if (part < 3) {
            if (i >= n || p[i] != '.')
                return 0;
            i++;
        }
    }
    return i == n;
}

/* Groups of 1-4 hex digits separated by ':', at most one "::", 8 groups
 * without it and fewer with it; the last may be a dotted IPv4 address (two
 * groups).  At least two colons and one hex digit. */
static int is_ipv6(const unsigned char *p, size_t n)
{
    size_t i = 0, groups = 0, colons = 0, hexd = 0;
    int gap = 0;
    if (n < 2)
        return 0;
    if (p[0] == ':') {
        if (p[1] != ':')
            return 0;
        gap = 1;
        colons = 2;
        i = 2;
    }
    while (i < n) {
        size_t k = i;
        while (k < n && is_hex(p[k]) && k - i < 5)
            k++;
        if (k < n && p[k] == '.' && k > i) { /* the IPv4 tail */
            if (!is_ipv4(p + i, n - i))
                return 0;
            groups += 2;
            hexd++;
            i = n;
            break;
        }
        if (k == i || k - i > 4)
            return 0;
        hexd += k - i;
        groups++;
        i = k;
        if (i == n)
            break;
        if (p[i] != ':')
            return 0;
        colons++;
        i++;
        if (i < n && p[i] == ':') {
            if (gap)
                return 0;
            gap = 1;
            colons++;
            i++;
        } else if (i == n) {
            return 0; /* a single trailing colon */
        }
    }
    if (colons < 2 || hexd == 0)
        return 0;
    return gap ? groups < 8 : groups == 8;
}

/* Labels of [A-Za-z0-9_-] separated by single dots, at least two; the last is
 * two letters or one of tlds[]. */
static int is_host(const unsigned char *p, size_t n)
{
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '.') {
            if (i == start)
                return 0;
            labels++;
            start = i + 1;
            continue;
        }
        unsigned char c = p[i];
        if (!is_alnum(c) && c != '-' && c != '_')
            return 0;
    }
    if (labels < 2)
        return 0;
    size_t t = n;
    while (t > 0 && p[t - 1] != '.')
        t--;
    for (size_t i = t; i < n; i++)
        if (!is_alpha(p[i]))
            return 0;
    return n - t == 2 || in_list(p + t, n - t, tlds);
}

static int is_url(const unsigned char *p, size_t n)
{
    static const char *const schemes[] = {"http://", "https://", "ftp://", "ftps://", "www.", NULL};
    for (const char *const *s = schemes; *s; s++)
        if (prefix_ci(p, n, *s) && n > strlen(*s))
            return 1;
    const unsigned char *slash = memchr(p, '/', n);
    return slash && slash > p && is_host(p, (size_t)(slash - p));
}

/* local@domain: something on both sides of the first '@'; the local part has no
 * '=', ':' or '/' (they separate a key: "to=a@b"), except an SRS address
 * ("SRS0=hash=tt=domain=local@forwarder"); the domain starts with a letter, a
 * digit or a byte >= 0x80. */
static int is_addr(const unsigned char *p, size_t n)
{
    const unsigned char *at = memchr(p, '@', n);
    if (at == NULL || at == p || at == p + n - 1)
        return 0;
    unsigned char d = at[1];
    if (!is_alnum(d) && d < 0x80)
        return 0;
    if (prefix_ci(p, n, "srs0=") || prefix_ci(p, n, "srs1="))
        return 1;
    for (const unsigned char *q = p; q < at; q++)
        if (*q == '=' || *q == ':' || *q == '/')
            return 0;
    return 1;
}

/* Hex by its syntax: 0x and hex digits, or a UUID (8-4-4-4-12 hex digits). */
static int is_hex_syntax(const unsigned char *p, size_t n)
{
    if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        for (size_t i = 2; i < n; i++)
            if (!is_hex(p[i]))
                return 0;
        return 1;
    }
    static const size_t dash[] = {8, 13, 18, 23};
    if (n != 36)
        return 0;
    for (size_t i = 0, d = 0; i < n; i++) {
        if (d < 4 && i == dash[d]) {
            if (p[i] != '-')
                return 0;
            d++;
        } else if (!is_hex(p[i])) {
            return 0;
        }
    }
    return 1;
}

/* A hex word: 8 or more hex digits, with a digit and a letter a-f among them.
 * It is an id: a Postfix queue id is one, or all digits, and both are <id>. */
static int is_hex_id(const unsigned char *p, size_t n)
{
    size_t digit = 0, letter = 0;
    if (n < 8)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_hex(p[i]))
            return 0;
        if (is_digit(p[i]))
            digit++;
        else
            letter++;
    }
    return digit && letter;
}

/* Base64 by its syntax: 16 or more of [A-Za-z0-9+/] with a '+' or '/' among
 * them or '=' padding (at most two), and an upper case letter, a lower case
 * letter and a digit.  Mixed tokens without those are ids. */
static int is_b64(const unsigned char *p, size_t n)
{
    size_t end = n, up = 0, lo = 0, dig = 0, punct = 0;
    while (end > 0 && n - end < 2 && p[end - 1] == '=')
        end--;
    if (end < 16)
        return 0;
    for (size_t i = 0; i < end; i++) {
        unsigned char c = p[i];
        if (is_upper(c))
            up++;
        else if (is_lower(c))
            lo++;
        else if (is_digit(c))
            dig++;
        else if (c == '+' || c == '/')
            punct++;
        else
            return 0;
    }
    return up && lo && dig && (punct || end < n);
}

/* A queue id, message id or other token: [A-Za-z0-9._-] with a letter and two
 * digits, and 8 bytes or more (6 or more when 4 of them are digits). */
static int is_id(const unsigned char *p, size_t n)
{
    size_t alpha = 0, dig = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (is_alpha(c))
            alpha++;
        else if (is_digit(c))
            dig++;
        else if (c != '.' && c != '_' && c != '-')
            return 0;
    }
    return alpha && dig >= 2 && (n >= 8 || (n >= 6 && dig >= 4));
}

/* What the piece p[0..n) is, n > 0.  The order matters: a URL may hold an '@',
 * a time looks like IPv6, an enhanced code like a number, an IPv4 address like a
 * host, and a hex word like an id.  Each test runs only when the shape allows
 * it (the shape only skips tests that would fail). */
static enum kind kind_of(const unsigned char *p, size_t n, struct shape sh, int code_ok)
{
    unsigned b = sh.bits;
    unsigned char c0 = p[0] | 0x20;
    if (b & S_PLACE)
        return K_NONE;
    if (((b & S_SLASH) || ((c0 == 'h' || c0 == 'f' || c0 == 'w') && (b & (S_DOT | S_COLON)))) &&
        is_url(p, n))
        return K_URL;
    if ((b & S_AT) && is_addr(p, n))
        return K_ADDR;
    if (b & S_HIGH)
        return K_NONE;
    if (sh.digits == 0) {
        if ((b & S_COLON) && is_ipv6(p, n))
            return K_IPV6;
        if ((b & S_DOT) && is_host(p, n))
            return K_HOST;
        return K_NONE;
    }
    if (!(b & S_ALPHA) && is_keep(p, n, code_ok))
        return K_KEEP;
    if ((b & S_COLON) && is_time(p, n))
        return K_TIME;
    if ((b & S_COLON) && is_ipv6(p, n))
        return K_IPV6;
    if ((b & S_DOT) && is_ipv4(p, n))
        return K_IPV4;
    if ((b & (S_DASH | S_SLASH | S_DOT)) && is_date(p, n))
        return K_DATE;
    if (is_number(p, n)) /* ten digits or more: an id (a Postfix queue id, a time stamp) */
        return sh.digits == n && n >= 10 ? K_ID : K_N;
    if ((b & S_DASH) && is_hex_syntax(p, n))
        return K_HEX;
    if (!(b & S_ALPHA))
        return p[n - 1] == '%' && unit_split(p, n) ? K_UNIT : K_NONE;
    if (is_hex_syntax(p, n))
        return K_HEX;
    if (is_hex_id(p, n))
        return K_ID;
    if (n >= 16 && (b & S_UPPER) && (b & S_LOWER) && is_b64(p, n))
        return K_B64;
    if ((b & S_DOT) && is_host(p, n))
        return K_HOST;
    if (unit_split(p, n))
        return K_UNIT;
    if (sh.digits >= 2 && n >= 6 && is_id(p, n))
        return K_ID;
    return K_NONE;
}

/* ---- date runs ------------------------------------------------------------------ */

static enum dkind date_kind(const unsigned char *p, size_t n)
{
    if (n == 0)
        return D_NONE;
    if (is_alpha(p[0]))
        return name_kind(p, n);
    size_t d = digits_at(p, 0, n);
    if (d == n)
        return d <= 2 ? D_DAY : d == 4 ? D_YEAR : D_NONE;
    if ((p[0] == '+' || p[0] == '-') && n >= 3) {
        size_t z = digits_at(p, 1, n);
        if ((z == 4 && n == 5) || (z == 2 && n == 6 && p[3] == ':' && digits_at(p, 4, n) == 2))
            return D_ZONE;
        return D_NONE;
    }
    if (is_time(p, n))
        return D_TIME;
    if (is_date(p, n))
        return D_DATE;
    return D_NONE;
}

/* ---- the writer --------------------------------------------------------------- */

struct seg {
    const unsigned char *p;
    size_t n;
};

struct fp {
    char *dst;
    size_t cap, len;   /* dst's size; bytes produced (all of them, written or not) */
    uint64_t hash;
    int space;         /* a gap was seen: one space before the next byte */
    int run;           /* in a date run */
    int run_cal;       /* the run names a month or weekday: day numbers and years join it */
    const struct seg *seg;
    size_t nseg;
};

static void put(struct fp *f, unsigned char c)
{
    if (f->space) {
        f->space = 0;
        if (f->len) {
            if (f->len + 1 < f->cap)
                f->dst[f->len] = ' ';
            f->len++;
            f->hash = (f->hash ^ ' ') * FNV64_PRIME;
        }
    }
    if (f->len + 1 < f->cap)
        f->dst[f->len] = (char)c;
    f->len++;
    f->hash = (f->hash ^ c) * FNV64_PRIME;
}

static void put_str(struct fp *f, const char *s)
{
    while (*s)
        put(f, (unsigned char)*s++);
}

static void put_lower(struct fp *f, const unsigned char *p, size_t n)
{
    if (n == 0)
        return;
    put(f, lower(p[0])); /* the pending space, if any */
    uint64_t h = f->hash;
    size_t len = f->len;
    for (size_t i = 1; i < n; i++, len++) {
        unsigned char c = lower(p[i]);
        if (len + 1 < f->cap)
            f->dst[len] = (char)c;
        h = (h ^ c) * FNV64_PRIME;
    }
    f->len = len;
    f->hash = h;
}

static void put_uint(struct fp *f, unsigned long v)
{
    char t[24];
    int i = (int)sizeof t;
    t[--i] = '\0';
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put_str(f, t + i);
}

/* The kept words of a piece: its placeholder, or its bytes. */
static void put_piece(struct fp *f, const unsigned char *p, size_t n, enum kind k)
{
    if (k == K_UNIT) {
        size_t num = unit_split(p, n);
        put_str(f, "<n>");
        put_lower(f, p + num, n - num);
    } else if (k != K_NONE && k != K_KEEP) {
        put_str(f, placeholder[k]);
    } else {
        put_lower(f, p, n);
    }
}

static int split_at(unsigned char c, int level)
{
    if (level == 1)
        return c == '=' || c == '&' || c == '?';
    return c == ':' || c == '/' || c == '|' || c == '\\';
}

/* Leading and trailing bytes of a word or a piece, written as they are around
 * its core: the same for both, so that no decision depends on where a word ends
 * (in a template, a placeholder joins the words around it). */
static int lead_punct(unsigned char c) { return c == '#' || c == '*' || c == '@'; }
static int trail_punct(unsigned char c)
{
    return c == '.' || c == ':' || c == '!' || c == '?' || c == '*';
}

/* The byte before a piece in its word ('=', '/', ...), or 0 at the start of the
 * word's core.  A three-digit number right after '=', ':' or '/' is a value, a
 * port or a list item ("size=532", ":587", "0.1/250"), not a reply code. */
static int code_ok(unsigned char prev) { return prev != '=' && prev != ':' && prev != '/'; }

static void part(struct fp *f, const unsigned char *p, size_t n, int level, unsigned char prev);

/* A piece that is nothing known: split at this level's separators ('=', '&',
 * '?'; then ':', '/', '|', '\\') and each part done as a piece; past level 2,
 * or with no separator at any level, written in lower case.  prev: the byte
 * before the piece. */
static void split(struct fp *f, const unsigned char *p, size_t n, int level, unsigned bits,
                  unsigned char prev)
{
    if (level == 1 && !(bits & S_SPLIT1))
        level = 2;
    if (level > 2 || (level == 2 && !(bits & S_SPLIT2))) {
        put_lower(f, p, n);
        return;
    }
    size_t start = 0;
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (split_at(p[i], level)) {
            part(f, p + start, i - start, level + 1, start ? p[start - 1] : prev);
            put(f, p[i]);
            start = i + 1;
            found = 1;
        }
    }
    if (found)
        part(f, p + start, n - start, level + 1, start ? p[start - 1] : prev);
    else
        split(f, p, n, level + 1, bits, prev);
}

/* A piece: its placeholder when it is something known, else split.  sh: the
 * piece's shape, or that of a word holding it (more bits only make more tests
 * run, each of which checks the bytes themselves). */
static void part_shaped(struct fp *f, const unsigned char *p, size_t n, int level,
                        struct shape sh, unsigned char prev)
{
    enum kind k = kind_of(p, n, sh, code_ok(prev));
    if (k != K_NONE)
        put_piece(f, p, n, k);
    else
        split(f, p, n, level, sh.bits, prev);
}

static void part(struct fp *f, const unsigned char *p, size_t n, int level, unsigned char prev)
{
    size_t a = 0, b = n;
    while (a < b && lead_punct(p[a]))
        a++;
    while (b > a && trail_punct(p[b - 1]))
        b--;
    put_lower(f, p, a);
    if (b > a)
        part_shaped(f, p + a, b - a, level, shape_of(p + a, b - a), prev);
    put_lower(f, p + b, n - b);
}


static size_t word_end(const unsigned char *p, size_t i, size_t n)
{
    struct shape sh;
    return scan_word(p, i, n, &sh);
}

/* The date kind of the next word after segment si, offset i: past one gap (the
 * end of a segment is one) and, when comma is set, one ','.  D_NONE when a
 * delimiter or the end of the text comes first, or the word has leading
 * punctuation. */
static enum dkind peek_date(const struct fp *f, size_t si, size_t i, int comma)
{
    for (; si < f->nseg; si++, i = 0) {
        const unsigned char *p = f->seg[si].p;
        size_t n = f->seg[si].n;
        while (i < n) {
            if (is_gap(p[i])) {
                i++;
                continue;
            }
            if (is_delim(p[i]) && !placeholder_at(p, i, n)) {
                if (p[i] == ',' && comma) {
                    comma = 0;
                    i++;
                    continue;
                }
                return D_NONE;
            }
            size_t e = word_end(p, i, n), s = i;
            if (lead_punct(p[s]))
                return D_NONE;
            while (e > s && trail_punct(p[e - 1]))
                e--;
            return date_kind(p + s, e - s);
        }
    }
    return D_NONE;
}

static int joins_run(enum dkind d, int cal)
{
    switch (d) {
    case D_MONTH: case D_WDAY: case D_TIME: case D_DATE: case D_ZONE:
        return 1;
    case D_DAY: case D_YEAR:
        return cal;
    case D_NONE:
        return 0;
    }
    return 0;
}

/* One word w[0..n) of shape sh, followed in the text by segment si, offset after. */
static void word(struct fp *f, const unsigned char *w, size_t n, struct shape sh, size_t si,
                 size_t after)
{
    if ((sh.bits & S_COLON) && is_ipv6(w, n)) { /* before the ':' of "fe80::" goes */
        f->run = 0;
        put_str(f, placeholder[K_IPV6]);
        return;
    }
    if (n > 5 && prefix_ci(w, n, "ipv6:")) { /* "[IPv6:2001:db8::1]" */
        f->run = 0;
        put_lower(f, w, 5);
        w += 5;
        n -= 5;
    }
    size_t a = 0, b = n;
    while (a < b && lead_punct(w[a]))
        a++;
    while (b > a && trail_punct(w[b - 1]))
        b--;
    const unsigned char *core = w + a;
    size_t cn = b - a;
    if (cn > 4 && is_code(core, 3) && core[3] == '-') {
        /* a continuation line flattened into the text: "421-Service", "554-gmx.net" */
        f->run = 0;
        put_lower(f, w, a + 4);
        w = core += 4;
        n -= a + 4;
        b -= a + 4;
        cn -= 4;
        a = 0;
    }
    enum dkind d = a == 0 ? date_kind(core, cn) : D_NONE;

    if (f->run && joins_run(d, f->run_cal)) {
        f->space = 0; /* the gap before it goes with it */
        if (d == D_MONTH || d == D_WDAY)
            f->run_cal = 1;
    } else {
        f->run = 0;
        put_lower(f, w, a);
        const char *start = NULL;
        int cal = 0;
        enum dkind next = D_NONE;
        if (d == D_MONTH || d == D_WDAY || d == D_DAY)
            next = peek_date(f, si, after, d == D_WDAY);
        if (d == D_DATE) {
            start = "<date>";
        } else if (d == D_TIME) {
            start = "<time>";
        } else if ((d == D_MONTH && (next == D_DAY || next == D_YEAR)) ||
                   (d == D_WDAY && (next == D_DAY || next == D_MONTH || next == D_DATE)) ||
                   (d == D_DAY && next == D_MONTH)) {
            start = "<date>";
            cal = 1;
        }
        if (start) {
            put_str(f, start);
            f->run = 1;
            f->run_cal = cal;
        } else if (cn) {
            part_shaped(f, core, cn, 1, sh, 0);
        }
    }
    if (b < n) { /* trailing punctuation ends a run */
        put_lower(f, w + b, n - b);
        f->run = 0;
    }
}

/* "<" at p[i]: when "<word>" follows and the word is an address or a URL, write
 * the placeholder alone and return the offset after the '>'; else 0. */
static size_t angle(struct fp *f, const unsigned char *p, size_t i, size_t n)
{
    size_t e = word_end(p, i + 1, n);
    if (e == i + 1 || e >= n || p[e] != '>')
        return 0;
    const unsigned char *w = p + i + 1;
    size_t wn = e - i - 1;
    enum kind k = kind_of(w, wn, shape_of(w, wn), 1);
    if (k != K_URL && k != K_ADDR)
        return 0;
    put_str(f, placeholder[k]);
    return e + 1;
}

static void run_text(struct fp *f)
{
    for (size_t si = 0; si < f->nseg; si++) {
        const unsigned char *p = f->seg[si].p;
        size_t n = f->seg[si].n, i = 0;
        f->space = 1; /* segments are joined by a space */
        while (i < n) {
            unsigned char c = p[i];
            if (is_gap(c)) {
                f->space = 1;
                i++;
            } else if (is_delim(c) && !placeholder_at(p, i, n)) {
                size_t past;
                if (c == ',' && f->run && joins_run(peek_date(f, si, i + 1, 0), f->run_cal)) {
                    i++; /* "Mon, 23 Nov 2026": the comma goes into the run */
                    continue;
                }
                f->run = 0;
                if (c == '<' && (past = angle(f, p, i, n)) != 0) {
                    i = past;
                    continue;
                }
                put(f, c);
                i++;
            } else {
                struct shape sh;
                size_t e = scan_word(p, i, n, &sh);
                word(f, p + i, e - i, sh, si, e);
                i = e;
            }
        }
    }
}

static void finish(struct fp *f, size_t *tlen, uint64_t *hash)
{
    if (f->cap)
        f->dst[f->len < f->cap ? f->len : f->cap - 1] = '\0';
    if (tlen)
        *tlen = f->len;
    if (hash)
        *hash = f->hash;
}

static void fp_init(struct fp *f, char *dst, size_t dstsize)
{
    memset(f, 0, sizeof *f);
    f->dst = dst;
    f->cap = dst ? dstsize : 0;
    f->hash = FNV64_OFFSET;
}

/* Reset the outputs of a call that fails. */
static int fail(int err, char *dst, size_t dstsize, size_t *tlen, uint64_t *hash)
{
    if (dst && dstsize)
        dst[0] = '\0';
    if (tlen)
        *tlen = 0;
    if (hash)
        *hash = 0;
    return err;
}

/* ---- API ------------------------------------------------------------------------ */

uint32_t smtp_reply_fingerprint_version(void) { return SMTP_REPLY_FINGERPRINT_VERSION; }

size_t smtp_reply_fingerprint_bound(size_t n)
{
    return n > (SIZE_MAX - 32) / 3 ? SIZE_MAX : SMTP_REPLY_FINGERPRINT_BOUND(n);
}

int smtp_reply_fingerprint_raw(const char *buf, size_t len, char *dst, size_t dstsize,
                               size_t *tlen, uint64_t *hash)
{
    if ((buf == NULL && len > 0) || (dst == NULL && dstsize > 0))
        return fail(SMTP_REPLY_E_NULL, dst, dstsize, tlen, hash);
    struct fp f;
    struct seg s = {(const unsigned char *)buf, len};
    fp_init(&f, dst, dstsize);
    f.seg = &s;
    f.nseg = len ? 1 : 0;
    run_text(&f);
    finish(&f, tlen, hash);
    return SMTP_REPLY_OK;
}

int smtp_reply_fingerprint(const char *buf, size_t len, const smtp_reply *reply, char *dst,
                           size_t dstsize, size_t *tlen, uint64_t *hash)
{
    if (reply == NULL || (buf == NULL && len > 0) || (dst == NULL && dstsize > 0))
        return fail(SMTP_REPLY_E_NULL, dst, dstsize, tlen, hash);
    /* what classify accepts (a successful parse), with every line inside buf */
    if ((reply->code == 0 && reply->enhanced[0] == 0 && reply->nstored == 0) ||
        reply->nstored > SMTP_REPLY_MAX_LINES)
        return fail(SMTP_REPLY_E_NOT_PARSED, dst, dstsize, tlen, hash);
    struct seg segs[SMTP_REPLY_MAX_LINES];
    for (uint32_t i = 0; i < reply->nstored; i++) {
        size_t off = reply->line[i].off, l = reply->line[i].len;
        if (off > len || l > len - off)
            return fail(SMTP_REPLY_E_NOT_PARSED, dst, dstsize, tlen, hash);
        segs[i].p = (const unsigned char *)buf + off;
        segs[i].n = l;
    }
    struct fp f;
    fp_init(&f, dst, dstsize);
    if (reply->code > 0)
        put_uint(&f, (unsigned long)reply->code);
    if (reply->enhanced[0]) {
        f.space = 1;
        put_uint(&f, reply->enhanced[0]);
        put(&f, '.');
        put_uint(&f, reply->enhanced[1]);
        put(&f, '.');
        put_uint(&f, reply->enhanced[2]);
    }
    f.seg = segs;
    f.nseg = reply->nstored;
    run_text(&f);
    finish(&f, tlen, hash);
    return SMTP_REPLY_OK;
}
