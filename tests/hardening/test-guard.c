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
 */
#include "hardening.h" /* first: it sets the feature macros */

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

int main(int argc, char **argv)
{
    struct test_rows rs;
    signal(SIGSEGV, on_fault);
    signal(SIGBUS, on_fault);
    if (test_rows_load(test_rows_dir(argc, argv), &rs) != 0)
        return 1;
    size_t max_len = 1, prefixes = 0, suffixes = 0, multiline = 0;
    for (size_t i = 0; i < rs.n; i++)
        if (rs.v[i].len > max_len)
            max_len = rs.v[i].len;
    setup_region(max_len);

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
    /* exhaustive short inputs */
    static const char alphabet[] = "0159- \r\n.:#(a";
    const size_t na = sizeof alphabet - 1;
    size_t shorts = 0;
    for (size_t len = 1; len <= 4; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= na;
        for (size_t code = 0; code < total; code++, shorts++) {
            char in[4];
            size_t c = code;
            for (size_t i = 0; i < len; i++, c /= na)
                in[i] = alphabet[c % na];
            exercise("short input", in, len);
        }
    }
    printf("%zu rows (%zu multiline), %zu prefixes, %zu suffixes, %zu short inputs, "
           "%lu calls next to guard pages\n",
           rs.n, multiline, prefixes, suffixes, shorts, calls);
    munmap(region, data_size + 2 * page);
    test_rows_free(&rs);
    return hard_summary("guard");
}
