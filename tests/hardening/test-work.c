/*
 * test-work.c - finding the reply inside a wrapper is linear: work counted in
 * bytes examined, not in seconds (issue 12).
 *
 * For every text of data/wrappers.tsv (each form's markers, the texts that name a
 * stage, a recipient or a code, and the texts a marker's region starts after or
 * ends at) hostile shapes are built at 4 KB, 64 KB and 256 KB: the text repeated,
 * the text then ": " repeated (a code looked for after every ':'), the text then
 * one unbalanced '<' or '"' and a huge field, the text and a reply repeated (a
 * reply inside a reply inside a reply ...), the text and a folded line
 * repeated; and every text of the file one after the other, repeated.
 * smtp__unwrap (lib/unwrap.c) counts the bytes it examines in u.examined; the
 * test checks that count against the bound internal.h states, per input byte,
 * and that the count per byte does not grow with the size (no rescans).  The
 * 64 KB inputs are also parsed and classified whole: a defined result, spans
 * inside the input.
 */
#include "hardening.h"
#include "forms.h"
#include "internal.h"

struct buf {
    char *p;
    size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap : 4096;
        while (c < b->n + n)
            c *= 2;
        b->p = realloc(b->p, c);
        if (!b->p)
            exit(1);
        b->cap = c;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}
static void puts_(struct buf *b, const char *s) { put(b, s, strlen(s)); }

/* pre once, then unit until the buffer holds size bytes (cut there) */
static void build(struct buf *b, const char *pre, size_t pn, const char *unit, size_t un, size_t size)
{
    b->n = 0;
    put(b, pre, pn < size ? pn : size);
    while (b->n < size && un > 0)
        put(b, unit, un < size - b->n ? un : size - b->n);
}

/* The bound internal.h states per input byte (SMTP__UNWRAP_PASSES automaton
 * passes and two region scans at each level); the constant covers the bounded
 * reads (an address of at most 320 bytes after each of at most 64 recipient
 * texts). */
#define PER_BYTE SMTP__UNWRAP_PER_BYTE
#define CONSTANT (64u * (320u + FORM_TEXT_MAX))

static double worst_ratio[3];
static size_t cases;

static void run(const char *what, const struct form *f, const struct buf *b, int size_index,
                double *ratio)
{
    struct smtp__unwrapped u;
    smtp__unwrap(b->p, b->n, &u);
    cases++;
    EXPECT(u.examined <= (uint64_t)PER_BYTE * b->n + CONSTANT,
           "%s (wrappers.tsv:%d \"%s\"), %zu bytes: %llu bytes examined, bound %llu", what,
           f ? f->line : 0, f ? f->text : "all", b->n, (unsigned long long)u.examined,
           (unsigned long long)((uint64_t)PER_BYTE * b->n + CONSTANT));
    EXPECT(u.start <= u.end && u.end <= b->n, "%s: region %zu..%zu of %zu", what, (size_t)u.start,
           (size_t)u.end, b->n);
    EXPECT(hard_span_in(u.recipient, b->n), "%s: recipient span", what);
    double r = b->n ? (double)u.examined / (double)b->n : 0;
    *ratio = r;
    if (r > worst_ratio[size_index])
        worst_ratio[size_index] = r;
    if (size_index == 1) { /* the whole way, at 64 KB */
        smtp_reply reply;
        smtp_reply_result res;
        int rc = smtp_reply_classify_buf(b->p, b->n, &reply, &res);
        hard_check_reply(what, b->n, rc, &reply);
        hard_check_result(what, b->n, &res);
        if (rc == SMTP_REPLY_OK)
            EXPECT(hard_span_in(reply.recipient, b->n) && hard_span_in(res.recipient, b->n),
                   "%s: recipient spans", what);
    }
}

static const size_t sizes[3] = {4096, 65536, 262144};

/* One shape at the three sizes; the count per byte may not grow with the size
 * (64 KB against 256 KB: a rescan of the text would show as a fourfold count). */
static void shape(const char *what, const struct form *f, const char *pre, size_t pn, const char *unit,
                  size_t un)
{
    static struct buf b;
    double r[3];
    for (int s = 0; s < 3; s++) {
        build(&b, pre, pn, unit, un, sizes[s]);
        run(what, f, &b, s, &r[s]);
    }
    EXPECT(r[2] <= r[1] + 0.5, "%s (wrappers.tsv:%d \"%s\"): %.2f bytes examined per byte at 64 KB, "
           "%.2f at 256 KB", what, f ? f->line : 0, f ? f->text : "all", r[1], r[2]);
}

int main(int argc, char **argv)
{
    static struct forms forms;
    if (forms_load(forms_path(argc, argv, 1), &forms) != 0)
        return 1;
    struct buf t = {0}, all = {0};
    for (size_t i = 0; i < forms.n; i++) {
        const struct form *f = &forms.v[i];
        char pre[FORM_TEXT_MAX + 8];
        size_t pl = f->len;
        memcpy(pre, f->text, pl);

        shape("text repeated", f, "", 0, f->text, f->len);
        shape("text, then ': ' repeated", f, pre, pl, ": ", 2);
        memcpy(pre + pl, "<", 1);
        shape("text, '<' and a huge field", f, pre, pl + 1, "a", 1);
        memcpy(pre + pl, "\"", 1);
        shape("text, '\"' and a huge field", f, pre, pl + 1, "x ", 2);
        t.n = 0;
        put(&t, f->text, f->len);
        puts_(&t, "550 5.1.1 <bob@example.com>: ");
        shape("(text and a reply) repeated: replies nested", f, "", 0, t.p, t.n);
        t.n = 0;
        put(&t, f->text, f->len);
        puts_(&t, "(\"'<[\n ");
        shape("(text, open quotes and brackets, a folded line) repeated", f, "", 0, t.p, t.n);

        put(&all, f->text, f->len);
        puts_(&all, " bob@example.com ");
    }
    shape("every text of wrappers.tsv, repeated", NULL, "", 0, all.p, all.n);
    printf("%zu texts of wrappers.tsv, %zu inputs; worst bytes examined per byte: %.2f at 4 KB, "
           "%.2f at 64 KB, %.2f at 256 KB (bound %d)\n",
           forms.n, cases, worst_ratio[0], worst_ratio[1], worst_ratio[2], PER_BYTE);
    free(t.p);
    free(all.p);
    return hard_summary("work");
}
