/*
 * test-noalloc.c - parse and classify never allocate (smtpreply.h: "Nothing
 * allocates").
 *
 * Linked with the static library and -Wl,--wrap=malloc (and calloc, realloc,
 * free; common/alloc-count.h), so that every allocation the library's code makes
 * is counted.  With counting on, every row of tests/data goes through
 * smtp_reply_parse (whole text, without unwrapping, as a stream), smtp_reply_classify,
 * smtp_reply_classify_buf, smtp_reply_text and smtp_reply_advice and the name
 * functions, and then in batches of 16 through smtp_reply_classify_many; so do a
 * 1 MB reply, a 10,000-line reply and every prefix of a multiline reply in stream
 * mode.  The count must stay 0.  A self-check first
 * proves that the wrappers see calls at all.
 */
#include "hardening.h" /* first: it sets the feature macros */

#include "alloc-count.h"

static unsigned long calls;
static int sink; /* the status codes, so that none is ignored */

static void everything(const char *b, size_t n)
{
    static const unsigned modes[] = {0, SMTP_REPLY_OPT_NO_UNWRAP, SMTP_REPLY_OPT_STREAM};
    smtp_reply r;
    smtp_reply_result res;
    smtp_reply_advice_info adv;
    char text[512];
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        if (smtp_reply_parse(b, n, modes[m], &r) == SMTP_REPLY_OK) {
            (void)smtp_reply_text(b, n, &r, text, sizeof text);
            if (smtp_reply_classify(b, n, &r, &res) == SMTP_REPLY_OK)
                sink |= smtp_reply_advice(&res, &adv);
        }
    }
    int rc = smtp_reply_classify_buf(b, n, &r, &res);
    sink |= smtp_reply_advice(&res, &adv);
    (void)smtp_reply_error_name(rc);
    (void)smtp_reply_category_name(res.category);
    (void)smtp_reply_category_from_name(smtp_reply_category_name(res.category));
    (void)smtp_reply_enhanced_title(res.enhanced[0], res.enhanced[1], res.enhanced[2]);
    calls++;
}

static char *repeat(const char *head, const char *line, size_t times, const char *tail, size_t *n)
{
    size_t hl = strlen(head), ll = strlen(line), tl = strlen(tail);
    char *b = malloc(hl + ll * times + tl);
    if (b == NULL)
        exit(1);
    memcpy(b, head, hl);
    for (size_t i = 0; i < times; i++)
        memcpy(b + hl + i * ll, line, ll);
    memcpy(b + hl + ll * times, tail, tl);
    *n = hl + ll * times + tl;
    return b;
}

int main(int argc, char **argv)
{
    struct test_rows rs;
    if (!alloc_count_works()) {
        fprintf(stderr, "the --wrap allocation wrappers see no calls: the test cannot count\n");
        return 1;
    }
    if (test_rows_load(test_rows_dir(argc, argv), &rs) != 0)
        return 1;
    size_t big_n, lines_n;
    char *big = repeat("550 5.7.1 ", "blocked using zen.spamhaus.org; mailbox full ", 24000, "", &big_n);
    char *lines = repeat("", "550-5.7.26 This mail has been blocked because the sender is unauthenticated.\r\n",
                         10000, "550 5.7.26 gsmtp\r\n", &lines_n);

    unsigned long before = alloc_count();
    alloc_counting = 1;
    for (size_t i = 0; i < rs.n; i++)
        everything(rs.v[i].input, rs.v[i].len);
    for (size_t i = 0; i < rs.n; i += 16) {
        enum { BATCH = 16 };
        const char *bufs[BATCH];
        size_t lens[BATCH];
        smtp_reply replies[BATCH];
        smtp_reply_result results[BATCH];
        int status[BATCH];
        size_t k = 0;
        for (; k < BATCH && i + k < rs.n; k++) {
            bufs[k] = rs.v[i + k].input;
            lens[k] = rs.v[i + k].len;
        }
        sink |= smtp_reply_classify_many(bufs, lens, k, replies, results, status);
        sink |= smtp_reply_classify_many(bufs, lens, k, NULL, results, status);
    }
    everything(big, big_n);
    everything(lines, lines_n);
    for (size_t k = 0; k <= 4000; k++) /* a stream parse of each prefix of a long reply */
        everything(lines, k);
    alloc_counting = 0;
    unsigned long seen = alloc_count() - before;

    EXPECT(seen == 0, "%lu allocations while parsing and classifying", seen);
    printf("%zu rows, a %zu-byte reply, a 10,000-line reply and 4001 prefixes: %lu inputs, "
           "%lu allocations\n", rs.n, big_n, calls, seen);
    free(big);
    free(lines);
    test_rows_free(&rs);
    return hard_summary("no-allocations");
}
