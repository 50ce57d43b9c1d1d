/*
 * test-threads.c - the library is thread-safe and reentrant.
 *
 * Every real reply of the tests/data TSV files is parsed and classified once on the
 * main thread; then 8 threads classify all of them at once, several passes
 * each, each thread starting at a different row, and every field of every
 * reply, result and advice record must equal the single-thread one.  Run
 * under ThreadSanitizer by .ci/hardening.sh.
 */
#include "hardening.h" /* first: it sets the feature macros */

#include <pthread.h>

#define NTHREADS 8
#define PASSES 4

struct expect {
    int rc;
    smtp_reply reply;
    smtp_reply_result res;
    smtp_reply_advice_info adv;
    char text[256];
};

static struct test_rows rs;
static struct expect *want;

static void compute(const struct test_row *row, struct expect *e)
{
    memset(e, 0, sizeof *e);
    e->rc = smtp_reply_classify_buf(row->input, row->len, &e->reply, &e->res);
    if (smtp_reply_advice(&e->res, &e->adv) != SMTP_REPLY_OK)
        e->adv.id = NULL;
    (void)smtp_reply_text(row->input, row->len, &e->reply, e->text, sizeof e->text);
}

static int same(const struct expect *a, const struct expect *b)
{
    const smtp_reply_result *x = &a->res, *y = &b->res;
    if (a->rc != b->rc || memcmp(&a->reply, &b->reply, sizeof a->reply) != 0)
        return 0;
    if (x->category != y->category || x->permanence != y->permanence ||
        x->recipient_action != y->recipient_action || x->message_action != y->message_action ||
        x->fault != y->fault || x->evidence != y->evidence || x->stage != y->stage ||
        x->retry_after != y->retry_after || x->code != y->code ||
        memcmp(x->enhanced, y->enhanced, sizeof x->enhanced) != 0 || x->flags != y->flags ||
        x->rule_id != y->rule_id || x->provider != y->provider || x->blocklist != y->blocklist ||
        x->enhanced_title != y->enhanced_title || x->match.off != y->match.off ||
        x->match.len != y->match.len || x->advice_index != y->advice_index)
        return 0;
    if (memcmp(&a->adv, &b->adv, sizeof a->adv) != 0)
        return 0;
    return strcmp(a->text, b->text) == 0;
}

struct job {
    int id;
    unsigned long compared, mismatched;
    size_t first_bad;
};

static void *worker(void *arg)
{
    struct job *j = arg;
    struct expect got;
    for (int pass = 0; pass < PASSES; pass++) {
        for (size_t k = 0; k < rs.n; k++) {
            size_t i = (k + (size_t)j->id * rs.n / NTHREADS) % rs.n;
            compute(&rs.v[i], &got);
            j->compared++;
            if (!same(&got, &want[i])) {
                if (j->mismatched++ == 0)
                    j->first_bad = i;
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (test_rows_load(test_rows_dir(argc, argv), &rs) != 0)
        return 1;
    want = calloc(rs.n, sizeof *want);
    if (!want)
        return 1;
    for (size_t i = 0; i < rs.n; i++)
        compute(&rs.v[i], &want[i]);

    pthread_t th[NTHREADS];
    struct job jobs[NTHREADS];
    for (int t = 0; t < NTHREADS; t++) {
        jobs[t] = (struct job){t, 0, 0, 0};
        EXPECT(pthread_create(&th[t], NULL, worker, &jobs[t]) == 0, "pthread_create %d", t);
    }
    unsigned long total = 0;
    for (int t = 0; t < NTHREADS; t++) {
        pthread_join(th[t], NULL);
        total += jobs[t].compared;
        EXPECT(jobs[t].mismatched == 0, "thread %d: %lu of %lu results differ, first %s", t,
               jobs[t].mismatched, jobs[t].compared, rs.v[jobs[t].first_bad].where);
    }
    EXPECT(total == (unsigned long)NTHREADS * PASSES * rs.n, "compared %lu", total);
    printf("%d threads x %d passes x %zu rows = %lu classifications compared\n", NTHREADS, PASSES,
           rs.n, total);
    free(want);
    test_rows_free(&rs);
    return hard_summary("threads");
}
