/*
 * test-guard-fingerprint.c - smtp_reply_fingerprint and smtp_reply_fingerprint_raw
 * read nothing outside (buf, len), write nothing past dstsize, and allocate
 * nothing.
 *
 * As in test-guard.c, each input is copied so that it ends exactly at a
 * PROT_NONE page (a read of buf[len] faults), and again so that it starts
 * exactly after one (a read of buf[-1] faults); the output buffer is placed the
 * same way, so a write of dst[dstsize] faults too.  Inputs: every real reply of
 * the tests/data TSV files, every prefix of each, every suffix of the multiline
 * ones; every string of 1 to 4 bytes over the bytes the fingerprinter branches
 * on; every sequence of 1 to 4 tokens that start or cut placeholders, dates,
 * URLs, addresses and codes.  Each is fingerprinted raw and, when it parses,
 * parsed, into a buffer of the bound and into cut buffers of 0, 1 and 7 bytes;
 * the lengths and hashes must agree.
 *
 * Built with the static library and the linker's --wrap=malloc (and calloc,
 * realloc, free) when the linker has it (COUNT_ALLOCS): every allocation the
 * library's code makes while fingerprinting is counted, and there must be none.
 */
#include "hardening.h" /* first: it sets the feature macros */

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef COUNT_ALLOCS
#include "alloc-count.h"
#endif

static char *region; /* [guard][data ... ][guard] */
static size_t page, data_size;

static char *guarded(size_t max_len, size_t *size)
{
    *size = (max_len + page - 1) / page * page + page;
    char *r = mmap(NULL, *size + 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    if (mprotect(r, page, PROT_NONE) != 0 || mprotect(r + page + *size, page, PROT_NONE) != 0) {
        perror("mprotect");
        exit(1);
    }
    return r;
}

static char *out_region; /* the output buffer, against its own guard page */
static size_t out_size;

/* where == 0: the input ends at the guard page; 1: it starts right after one */
static const char *place(const char *src, size_t len, int where)
{
    char *dst = where == 0 ? region + page + data_size - len : region + page;
    memmove(dst, src, len);
    return dst;
}

/* dstsize bytes that end at the output's guard page */
static char *out_buf(size_t dstsize)
{
    return out_region + page + out_size - dstsize;
}

static const char *cur_what;
static void say(const char *s) { (void)!write(2, s, strlen(s)); }
static void on_fault(int sig)
{
    say("\nguard-fingerprint: FAULT (read or write outside a buffer) on ");
    say(cur_what ? cur_what : "?");
    say("\n");
    signal(sig, SIG_DFL);
    raise(sig);
}

static unsigned long calls;

static void fingerprint_all(const char *what, const char *b, size_t len, const smtp_reply *r)
{
    size_t bound = SMTP_REPLY_FINGERPRINT_BOUND(r ? r->text_len : len);
    static const size_t cuts[] = {0, 1, 7};
    size_t full_len = 0;
    uint64_t full_hash = 0;
    int rc = r ? smtp_reply_fingerprint(b, len, r, out_buf(bound + 1), bound + 1, &full_len, &full_hash)
               : smtp_reply_fingerprint_raw(b, len, out_buf(bound + 1), bound + 1, &full_len, &full_hash);
    EXPECT(rc == SMTP_REPLY_OK, "%s: status %d", what, rc);
    EXPECT(full_len <= bound, "%s: %zu bytes over the bound %zu", what, full_len, bound);
    calls++;
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        size_t tl = 0;
        uint64_t h = 0;
        char *dst = cuts[k] ? out_buf(cuts[k]) : NULL;
        rc = r ? smtp_reply_fingerprint(b, len, r, dst, cuts[k], &tl, &h)
               : smtp_reply_fingerprint_raw(b, len, dst, cuts[k], &tl, &h);
        EXPECT(rc == SMTP_REPLY_OK && tl == full_len && h == full_hash,
               "%s: a %zu-byte buffer gives another length or hash", what, cuts[k]);
        calls++;
    }
}

static void exercise(const char *what, const char *src, size_t len)
{
    for (int where = 0; where < 2; where++) {
        const char *b = place(src, len, where);
        smtp_reply r;
        cur_what = what;
        fingerprint_all(what, len ? b : NULL, len, NULL);
        if (smtp_reply_parse(b, len, 0, &r) == SMTP_REPLY_OK)
            fingerprint_all(what, b, len, &r);
    }
}

int main(int argc, char **argv)
{
    struct test_rows rs;
    signal(SIGSEGV, on_fault);
    signal(SIGBUS, on_fault);
    page = (size_t)sysconf(_SC_PAGESIZE);
    if (test_rows_load(test_rows_dir(argc, argv), &rs) != 0)
        return 1;
#ifdef COUNT_ALLOCS
    if (!alloc_count_works()) {
        fprintf(stderr, "the --wrap allocation wrappers see no calls: the test cannot count\n");
        return 1;
    }
#endif
    size_t max_len = 64, prefixes = 0, suffixes = 0, shorts = 0, tokens = 0;
    for (size_t i = 0; i < rs.n; i++)
        if (rs.v[i].len > max_len)
            max_len = rs.v[i].len;
    region = guarded(max_len, &data_size);
    out_region = guarded(SMTP_REPLY_FINGERPRINT_BOUND(max_len) + 1, &out_size);

#ifdef COUNT_ALLOCS
    unsigned long before = alloc_count();
    alloc_counting = 1;
#endif
    for (size_t i = 0; i < rs.n; i++) {
        const struct test_row *row = &rs.v[i];
        exercise(row->where, row->input, row->len);
        for (size_t n = 0; n < row->len; n++, prefixes++)
            exercise(row->where, row->input, n);
        if (memchr(row->input, '\n', row->len))
            for (size_t s = 1; s < row->len; s++, suffixes++)
                exercise(row->where, row->input + s, row->len - s);
    }
    /* every string of 1-4 bytes over the bytes the fingerprinter branches on */
    shorts += each_short_string("05.:-@/<>[ anN,=T+%#", exercise);
    /* every sequence of 1-4 tokens that start, cut or neighbour a placeholder, a
     * date run, a URL, an address, IPv6 or a code */
    static const char *const tok[] = {"<n>", "<addr", "<ipv", ">", "Nov", "23", "10:30", ":",
                                      "::1", " ", ",", "@b", "a.com", "http://", "550-", "5.1."};
    tokens += each_sequence(tok, sizeof tok / sizeof tok[0], "token sequence", exercise);
#ifdef COUNT_ALLOCS
    alloc_counting = 0;
    unsigned long seen = alloc_count() - before;
    EXPECT(seen == 0, "%lu allocations while fingerprinting", seen);
    printf("allocations while fingerprinting: %lu\n", seen);
#endif
    printf("%zu rows, %zu prefixes, %zu suffixes, %zu short inputs, %zu token sequences: "
           "%lu calls next to guard pages\n", rs.n, prefixes, suffixes, shorts, tokens, calls);
    test_rows_free(&rs);
    return hard_summary("guard-fingerprint");
}
