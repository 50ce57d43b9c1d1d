/*
 * test-guard.c - no function reads outside (buf, len).
 *
 * Each input is copied so that it ends exactly at a PROT_NONE page (a read of
 * buf[len] faults), and again so that it starts exactly after one (a read of
 * buf[-1] faults).  Inputs: every real reply of the tests/data TSV files, every prefix
 * (truncation) of each of them - all prefixes of the multiline ones, which
 * exercise continuation handling - every suffix of the multiline ones, and
 * every string of 1 to 4 bytes over an alphabet of the bytes the parser
 * branches on (digits, separators, line breaks, '.', ':', '#', '(', a letter),
 * which reaches every "k == end" edge of the code and separator logic.
 * Each is parsed whole, NO_UNWRAP and stream, the stream result classified,
 * classify_buf, smtp_reply_text and smtp_reply_advice called.  An over-read
 * crashes the test (SIGSEGV); the returned spans are also checked.
 *
 * Every form the unwrapper knows (issue 12), by the texts of data/wrappers.tsv
 * (argv[2]; forms.h): each text alone, followed by an open quote or bracket, a
 * code, an address, an escaped line break or itself, and every prefix of the text
 * followed by an address and a reply (each truncation of the form).  And every
 * log line or client-library text of tests/data (the rows that expect a
 * wrapper=): with its reply replaced by the whole line three times (a reply
 * inside a reply inside a reply), with each quote or bracket deleted and each
 * doubled (unbalanced), and with a 32 KB field opened after its first '<', '"',
 * '(' and '='.
 */
#include "hardening.h" /* first: it sets the feature macros */
#include "forms.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

static char *region;   /* [guard][data ... ][guard] */
static size_t page, data_size;

static void setup_region(size_t max_len)
{
    page = (size_t)sysconf(_SC_PAGESIZE);
    data_size = (max_len + page - 1) / page * page + page;
    region = mmap(NULL, data_size + 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                  -1, 0);
    if (region == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    if (mprotect(region, page, PROT_NONE) != 0 ||
        mprotect(region + page + data_size, page, PROT_NONE) != 0) {
        perror("mprotect");
        exit(1);
    }
}

/* where == 0: the input ends at the guard page; 1: it starts right after one */
static const char *place(const char *src, size_t len, int where)
{
    char *dst = where == 0 ? region + page + data_size - len : region + page;
    memmove(dst, src, len);
    return dst;
}

static unsigned long calls;

/* On a fault, say which input was being read (async-signal-safe: write only). */
static const char *cur_what, *cur_buf;
static size_t cur_len;

static void say(const char *s, size_t n) { (void)!write(2, s, n); }

static void on_fault(int sig)
{
    static const char hex[] = "0123456789abcdef";
    static const char msg[] = "\nguard: FAULT (read outside the input) on ";
    say(msg, sizeof msg - 1);
    if (cur_what)
        say(cur_what, strlen(cur_what));
    say(": \"", 3);
    for (size_t i = 0; cur_buf && i < cur_len && i < 2000; i++) {
        unsigned char c = (unsigned char)cur_buf[i];
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
            say((const char *)&c, 1);
        } else {
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            say(e, 4);
        }
    }
    say("\"\n", 2);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void exercise(const char *what, const char *src, size_t len)
{
    for (int where = 0; where < 2; where++) {
        const char *b = place(src, len, where);
        cur_what = what;
        cur_buf = b;
        cur_len = len;
        smtp_reply r;
        smtp_reply_result res;
        smtp_reply_advice_info adv;
        static const unsigned opts[] = {0, SMTP_REPLY_OPT_NO_UNWRAP, SMTP_REPLY_OPT_STREAM};
        for (size_t o = 0; o < 3; o++) {
            int rc = smtp_reply_parse(b, len, opts[o], &r);
            hard_check_reply(what, len, rc, &r);
            char text[64];
            size_t tl = smtp_reply_text(b, len, &r, text, sizeof text);
            EXPECT(tl == r.text_len, "%s: text_len %zu vs %u", what, tl, r.text_len);
            if (rc == SMTP_REPLY_OK) {
                EXPECT(smtp_reply_classify(b, len, &r, &res) == SMTP_REPLY_OK, "%s: classify", what);
                hard_check_result(what, len, &res);
                EXPECT(smtp_reply_advice(&res, &adv) == SMTP_REPLY_OK, "%s: advice", what);
            }
            calls += 4;
        }
        int rc = smtp_reply_classify_buf(b, len, &r, &res);
        hard_check_reply(what, len, rc, &r);
        hard_check_result(what, len, &res);
        EXPECT(smtp_reply_advice(&res, &adv) == SMTP_REPLY_OK, "%s: advice", what);
        calls += 2;
    }
}

#define HUGE_FIELD 32768u

/* scratch for the built inputs */
static char *scratch;
static size_t scratch_cap;

static char *room(size_t n)
{
    if (n > scratch_cap) {
        scratch = realloc(scratch, n);
        if (!scratch)
            exit(1);
        scratch_cap = n;
    }
    return scratch;
}

static size_t forms_inputs, line_inputs;

/* Each text of data/wrappers.tsv in hostile company. */
static void exercise_forms(const struct forms *fs)
{
    static const char *const after[] = {
        "", "<", "\"", "'", "(", "[", "{", "550", "550 5.1.1", " bob@example.com", "<bob@example.com",
        "\\r\\n", "\n ", ": ", "=", NULL};
    static const char tail[] = "<bob@example.com>: 550 5.1.1 \"x\" (in reply to RCPT TO command)";
    for (size_t i = 0; i < fs->n; i++) {
        const struct form *f = &fs->v[i];
        char what[FORM_TEXT_MAX + 32];
        snprintf(what, sizeof what, "wrappers.tsv:%d %s", f->line, f->text);
        for (size_t k = 0; after[k]; k++) {
            size_t an = strlen(after[k]);
            char *b = room(2 * f->len + an);
            memcpy(b, f->text, f->len);
            memcpy(b + f->len, after[k], an);
            exercise(what, b, f->len + an);
            forms_inputs++;
        }
        char *b = room(2 * f->len + sizeof tail); /* the text twice; a reply before it */
        memcpy(b, f->text, f->len);
        memcpy(b + f->len, f->text, f->len);
        exercise(what, b, 2 * f->len);
        memcpy(b, "550 5.1.1 ", 10);
        memcpy(b + 10, f->text, f->len);
        exercise(what, b, 10 + f->len);
        forms_inputs += 2;
        memcpy(b, f->text, f->len); /* every truncation of text + address + reply */
        memcpy(b + f->len, tail, sizeof tail - 1);
        for (size_t n = 1; n <= f->len + sizeof tail - 1; n++, forms_inputs++)
            exercise(what, b, n);
    }
}

/* A log line or library text (a row that expects a wrapper=) mangled. */
static void exercise_line(const struct test_row *row)
{
    const char *in = row->input;
    size_t len = row->len;
    smtp_reply r;
    /* a reply inside a reply inside a reply: the reply's place holds the line */
    if (smtp_reply_parse(in, len, 0, &r) == SMTP_REPLY_OK && (r.flags & SMTP_REPLY_F_UNWRAPPED) &&
        (size_t)r.reply.off + r.reply.len <= len) {
        size_t pre = r.reply.off, post = len - pre - r.reply.len;
        char *b = room(4 * len + 1);
        size_t n = len;
        memcpy(b, in, len);
        for (int depth = 2; depth <= 4; depth++, line_inputs++) {
            memmove(b + pre, b, n);
            memcpy(b, in, pre);
            memcpy(b + pre + n, in + pre + r.reply.len, post);
            n += pre + post;
            exercise(row->where, b, n);
        }
    }
    /* unbalanced: each quote or bracket deleted, and doubled */
    for (size_t i = 0; i < len; i++) {
        if (!strchr("\"'<>()[]{}", in[i]) || in[i] == '\0')
            continue;
        char *b = room(len + 1);
        memcpy(b, in, i);
        memcpy(b + i, in + i + 1, len - i - 1);
        exercise(row->where, b, len - 1);
        memcpy(b, in, i + 1);
        memcpy(b + i + 1, in + i, len - i);
        exercise(row->where, b, len + 1);
        line_inputs += 2;
    }
    /* a huge field opened after the first '<', '"', '(' and '=' */
    for (const char *o = "<\"(="; *o; o++) {
        const char *at = memchr(in, *o, len);
        if (!at)
            continue;
        size_t k = (size_t)(at - in) + 1;
        char *b = room(len + HUGE_FIELD);
        memcpy(b, in, k);
        memset(b + k, *o == '=' ? '5' : 'a', HUGE_FIELD);
        memcpy(b + k + HUGE_FIELD, in + k, len - k);
        exercise(row->where, b, len + HUGE_FIELD);
        line_inputs++;
    }
}

int main(int argc, char **argv)
{
    static struct forms forms;
    struct test_rows rs;
    signal(SIGSEGV, on_fault);
    signal(SIGBUS, on_fault);
    if (test_rows_load(test_rows_dir(argc, argv), &rs) != 0 ||
        forms_load(forms_path(argc, argv, 2), &forms) != 0)
        return 1;
    size_t max_len = 1, prefixes = 0, suffixes = 0, multiline = 0;
    for (size_t i = 0; i < rs.n; i++)
        if (rs.v[i].len > max_len)
            max_len = rs.v[i].len;
    /* the built inputs: a line nested 3 deep (4 times its length), a huge field */
    setup_region(4 * max_len + HUGE_FIELD + 2 * FORM_TEXT_MAX + 256);

    for (size_t i = 0; i < rs.n; i++) {
        const struct test_row *row = &rs.v[i];
        int ml = memchr(row->input, '\n', row->len) != NULL;
        multiline += ml;
        exercise(row->where, row->input, row->len);
        for (size_t n = 0; n < row->len; n++, prefixes++)
            exercise(row->where, row->input, n);
        if (ml)
            for (size_t s = 1; s < row->len; s++, suffixes++)
                exercise(row->where, row->input + s, row->len - s);
    }
    exercise_forms(&forms);
    size_t wrapped_rows = 0;
    for (size_t i = 0; i < rs.n; i++)
        if (strstr(rs.v[i].expect, "wrapper=")) {
            exercise_line(&rs.v[i]);
            wrapped_rows++;
        }
    /* exhaustive short inputs */
    size_t shorts = each_short_string("0159- \r\n.:#(a", exercise);
    printf("%zu rows (%zu multiline), %zu prefixes, %zu suffixes, %zu short inputs, "
           "%zu inputs around the %zu texts of wrappers.tsv, %zu mangled from %zu log lines, "
           "%lu calls next to guard pages\n",
           rs.n, multiline, prefixes, suffixes, shorts, forms_inputs, forms.n, line_inputs,
           wrapped_rows, calls);
    free(scratch);
    munmap(region, data_size + 2 * page);
    test_rows_free(&rs);
    return hard_summary("guard");
}
