/*
 * test-limits.c - hostile sizes and shapes return a defined result or error.
 *
 * For each case the input is built in a heap block of exactly its size, then
 * parsed whole, parsed as a stream and classified (classify_buf); the test
 * prints what each returned and checks it against the case's expectation:
 * a known status, spans inside the input, and the specific status, flags and
 * counters the header promises for that shape.
 */
#include "hardening.h"

static void repeat(struct buf *b, const char *s, size_t times)
{
    for (size_t i = 0; i < times; i++)
        puts_(b, s);
}
static void fill(struct buf *b, int c, size_t n)
{
    if (b->n + n > b->cap) {
        b->p = realloc(b->p, b->n + n);
        if (!b->p)
            exit(1);
        b->cap = b->n + n;
    }
    memset(b->p + b->n, c, n);
    b->n += n;
}

/* Exact-size copy of b, so that a read past the end is a heap overflow. */
static char *exact(const struct buf *b)
{
    char *p = malloc(b->n ? b->n : 1);
    if (!p)
        exit(1);
    memcpy(p, b->p, b->n);
    return p;
}

struct outcome {
    int whole, stream, classify;
    smtp_reply w, s;
    smtp_reply_result res;
};

static void run(const char *name, struct buf *b, struct outcome *o)
{
    char *p = exact(b);
    o->whole = smtp_reply_parse(p, b->n, 0, &o->w);
    hard_check_reply(name, b->n, o->whole, &o->w);
    o->stream = smtp_reply_parse(p, b->n, SMTP_REPLY_OPT_STREAM, &o->s);
    hard_check_reply(name, b->n, o->stream, &o->s);
    o->classify = smtp_reply_classify_buf(p, b->n, NULL, &o->res);
    hard_check_result(name, b->n, &o->res);
    EXPECT(o->classify == o->whole, "%s: classify_buf %d vs parse %d", name, o->classify, o->whole);
    EXPECT(smtp_reply_text(p, b->n, &o->w, NULL, 0) == o->w.text_len, "%s: text_len", name);
    printf("%-34s %9zu bytes: whole %-12s (code %d, lines %u/%u, flags %#x), stream %-12s, "
           "category %s\n",
           name, b->n, smtp_reply_error_name(o->whole), o->w.code, o->w.nstored, o->w.nlines,
           o->w.flags, smtp_reply_error_name(o->stream),
           smtp_reply_category_name(o->res.category));
    free(p);
    free(b->p);
    memset(b, 0, sizeof *b);
}

int main(void)
{
    struct buf b = {0};
    struct outcome o;
    const size_t MB = 1024 * 1024;

    /* 1 MB one-line reply */
    puts_(&b, "550 5.1.1 ");
    fill(&b, 'x', MB);
    puts_(&b, " user unknown\r\n");
    run("1 MB single line", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK && o.w.code == 550 && (o.w.flags & SMTP_REPLY_F_LONG_LINE),
           "1 MB: whole");
    EXPECT(o.stream == SMTP_REPLY_OK && o.s.consumed == MB + 10 + 15, "1 MB: stream consumed %zu",
           o.s.consumed);

    /* 1 MB of 500-byte lines, all continuations but the last */
    for (size_t i = 0; i < MB / 500; i++) {
        puts_(&b, "452-4.2.2 ");
        fill(&b, 'q', 488);
        puts_(&b, "\r\n");
    }
    puts_(&b, "452 4.2.2 mailbox full\r\n");
    run("1 MB of 500-byte lines", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK && o.w.nlines == MB / 500 + 1 && o.w.nstored == SMTP_REPLY_MAX_LINES &&
               (o.w.flags & SMTP_REPLY_F_LINES_TRUNCATED) && !(o.w.flags & SMTP_REPLY_F_LONG_LINE),
           "1 MB lines: whole");
    EXPECT(o.stream == SMTP_REPLY_OK && o.s.nlines == o.w.nlines, "1 MB lines: stream");

    /* 100,000 lines */
    repeat(&b, "550-5.1.1 line\r\n", 99999);
    puts_(&b, "550 5.1.1 user unknown\r\n");
    run("100,000 lines", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK && o.w.nlines == 100000 && o.w.nstored == SMTP_REPLY_MAX_LINES &&
               (o.w.flags & SMTP_REPLY_F_LINES_TRUNCATED),
           "100k lines: whole nlines %u", o.w.nlines);
    EXPECT(o.stream == SMTP_REPLY_OK && o.s.consumed == 99999 * 16 + 24, "100k lines: stream");

    /* 100,000 empty lines after a code: blank text */
    puts_(&b, "550 ");
    repeat(&b, "\n", 100000);
    run("code then 100,000 line breaks", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK && o.w.code == 550, "empty lines: whole");
    EXPECT(o.stream == SMTP_REPLY_OK && o.s.consumed == 5, "empty lines: stream consumed %zu",
           o.s.consumed);

    /* all NUL bytes */
    fill(&b, 0, 65536);
    run("64 KiB of NUL", &b, &o);
    EXPECT(o.whole < 0 && o.stream < 0, "NUL: must be an error");
    EXPECT(o.whole == SMTP_REPLY_E_BINARY, "NUL: whole %s", smtp_reply_error_name(o.whole));
    EXPECT(o.stream == SMTP_REPLY_E_NO_CODE, "NUL: stream %s", smtp_reply_error_name(o.stream));
    EXPECT(o.res.category == SMTP_REPLY_CAT_UNKNOWN, "NUL: category");

    /* a code then NULs */
    puts_(&b, "550 ");
    fill(&b, 0, 65536);
    run("code then 64 KiB of NUL", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK && (o.w.flags & SMTP_REPLY_F_NUL), "code+NUL: whole");
    EXPECT(o.stream == SMTP_REPLY_E_INCOMPLETE, "code+NUL: stream %s", smtp_reply_error_name(o.stream));

    /* continuations with no final line */
    repeat(&b, "550-5.1.1 more\r\n", 100000);
    run("100,000 continuations, no final", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK && (o.w.flags & SMTP_REPLY_F_NO_FINAL_LINE), "no final: whole");
    EXPECT(o.stream == SMTP_REPLY_E_INCOMPLETE, "no final: stream %s", smtp_reply_error_name(o.stream));

    /* bare "550-" lines */
    repeat(&b, "550-", 100000);
    run("100,000 x \"550-\" on one line", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK && (o.w.flags & SMTP_REPLY_F_NO_FINAL_LINE), "550-: whole");
    EXPECT(o.stream == SMTP_REPLY_E_INCOMPLETE, "550-: stream");
    repeat(&b, "550-\n", 100000);
    run("100,000 x \"550-\\n\"", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK && (o.w.flags & SMTP_REPLY_F_NO_FINAL_LINE), "550-\\n: whole");
    EXPECT(o.stream == SMTP_REPLY_E_INCOMPLETE, "550-\\n: stream");
    fill(&b, '-', MB);
    run("1 MB of '-'", &b, &o);
    EXPECT(o.whole < 0 || o.w.code == 0, "dashes: whole");
    EXPECT(o.stream == SMTP_REPLY_E_NO_CODE, "dashes: stream %s", smtp_reply_error_name(o.stream));

    /* wrappers nested 10,000 deep */
    puts_(&b, "Diagnostic-Code: smtp; ");
    for (int i = 0; i < 10000; i++) {
        char h[48];
        snprintf(h, sizeof h, "host h%d.example.net said: ", i);
        puts_(&b, h);
    }
    puts_(&b, "550 5.1.1 user unknown");
    run("wrappers nested 10,000 deep", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK && (o.w.flags & SMTP_REPLY_F_UNWRAPPED) &&
               o.w.wrapper == SMTP_REPLY_WRAP_DSN,
           "nested: whole");
    EXPECT(o.stream == SMTP_REPLY_E_NO_CODE, "nested: stream");
    repeat(&b, "status=bounced (", 10000);
    puts_(&b, "550 5.1.1 user unknown");
    repeat(&b, ")", 10000);
    run("status=bounced ( x 10,000", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK || o.whole == SMTP_REPLY_E_NO_CODE, "bounced nest: whole %s",
           smtp_reply_error_name(o.whole));
    repeat(&b, "Remote Server returned '", 10000);
    puts_(&b, "550 5.1.1 user unknown");
    repeat(&b, "'", 10000);
    run("Remote Server returned ' x 10,000", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK || o.whole == SMTP_REPLY_E_NO_CODE, "quote nest: whole %s",
           smtp_reply_error_name(o.whole));

    /* '(' and '#': 1 MB of '(' after a code once took 13 s (the inline
     * enhanced-code search rescanned for both marks at every stop) */
    puts_(&b, "550 ");
    fill(&b, '(', MB);
    run("550 + 1 MB of '('", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK && o.w.code == 550 && o.w.enhanced[0] == 0, "parens: whole");
    fill(&b, '(', 10000);
    run("10,000 '('", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_E_NO_CODE, "parens alone: whole %s", smtp_reply_error_name(o.whole));
    puts_(&b, "550 ");
    fill(&b, '#', 10000);
    puts_(&b, "5.1.1");
    run("550 + 10,000 '#' + 5.1.1", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK && o.w.enhanced[0] == 5 && o.w.enhanced[1] == 1 &&
               (o.w.flags & SMTP_REPLY_F_ENHANCED_INLINE),
           "hashes: whole enhanced %u.%u.%u", o.w.enhanced[0], o.w.enhanced[1], o.w.enhanced[2]);
    fill(&b, '#', 10000);
    run("10,000 '#'", &b, &o);
    EXPECT(o.whole < 0, "hashes alone: whole %s", smtp_reply_error_name(o.whole));
    repeat(&b, "(#", 10000);
    run("10,000 \"(#\"", &b, &o);
    EXPECT(o.whole < 0, "(# alone: whole %s", smtp_reply_error_name(o.whole));
    puts_(&b, "550 ");
    repeat(&b, "(#5.", MB / 4);
    run("550 + 1 MB of \"(#5.\"", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK && o.w.enhanced[0] == 0, "(#5. : whole");

    /* more than SMTP_REPLY_MAX_BYTES */
    size_t big = (size_t)smtp_reply_max_bytes() + 100;
    puts_(&b, "550 5.1.1 ");
    fill(&b, 'y', big);
    run("MAX_BYTES + 110, one line", &b, &o);
    EXPECT(o.whole == SMTP_REPLY_OK && (o.w.flags & SMTP_REPLY_F_BYTES_TRUNCATED) &&
               o.w.consumed <= smtp_reply_max_bytes(),
           "max bytes: whole consumed %zu", o.w.consumed);
    EXPECT(o.stream == SMTP_REPLY_E_TOO_LONG, "max bytes: stream %s", smtp_reply_error_name(o.stream));

    return hard_summary("limits");
}
