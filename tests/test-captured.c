/*
 * test-captured.c - every captured line against its ground truth.
 *
 *   test-captured LINES.tsv JUDGED.tsv [--verbose]
 *
 * LINES.tsv is tests/captured/lines.tsv: log lines, bounce paragraphs, replies and
 * client-library error texts written by real Postfix, Exim, Sendmail and OpenSMTPD
 * and seven client libraries, with what the capture lab knows about each: the
 * reply the peer really sent, its code and enhanced code, the stage it answered
 * and the recipient it concerned (tests/captured/README.md).  For every row this
 * test classifies the line and checks five fields against that ground truth:
 *
 *   code, enhanced   the reply's codes (none when no reply was sent);
 *   stage            the stage the reply answered;
 *   recipient        the recipient address the line names;
 *   category         the category of the reply that was sent, i.e. of reply_sent
 *                    classified alone (not checked when no reply was sent).
 *
 * JUDGED.tsv lists the rows that cannot or should not match the ground truth, each
 * with its reason (a line that does not name the command or the recipient, a
 * program that logs a reply without its code, a ground truth that names another
 * reply than the one the line quotes): columns program, role, case, line (POSIX
 * extended regular expressions; * for any; the line as lines.tsv writes it) and a
 * judgement, a comma list of "field=-" (not checked) or "field=value" (this value
 * is expected instead).  Every entry must match a row.
 *
 * Prints the pass counts per program and role (and how many rows pass on the
 * ground truth as it is, and how many only as judged) and fails unless every row of the
 * roles the issue requires (server, server-reply, client, library) passes; the
 * bounce paragraphs are reported, not required.
 */
#define _POSIX_C_SOURCE 200809L
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "smtpreply.h"

enum { F_CODE, F_ENH, F_STAGE, F_RCPT, F_CAT, NFIELDS };
static const char *const field_names[NFIELDS] = {"code", "enhanced", "stage", "recipient", "category"};

struct judged {
    char *program, *role, *reason, *judgement;
    regex_t kase, line;
    int any_case, any_line;
    int skip[NFIELDS];
    char *value[NFIELDS];
    int matched;
    int lineno;
};
static struct judged *judged;
static int njudged;

struct group {
    char program[32], role[32];
    int rows, pass[NFIELDS], all, judged, exact;
};
static struct group groups[64];
static int ngroups;

static const char *const required_roles[] = {"server", "server-reply", "client", "library"};

static int required(const char *role)
{
    for (size_t i = 0; i < sizeof required_roles / sizeof required_roles[0]; i++)
        if (strcmp(role, required_roles[i]) == 0)
            return 1;
    return 0;
}

static char *cell(char **p)
{
    char *s = *p;
    if (!s)
        return NULL;
    char *t = strchr(s, '\t');
    if (t) {
        *t = '\0';
        *p = t + 1;
    } else {
        *p = NULL;
    }
    return s;
}

static void chomp(char *s)
{
    size_t l = strlen(s);
    while (l && (s[l - 1] == '\n' || s[l - 1] == '\r'))
        s[--l] = '\0';
}

static int field_index(const char *name)
{
    for (int f = 0; f < NFIELDS; f++)
        if (strcmp(field_names[f], name) == 0)
            return f;
    return -1;
}

static int read_judged(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot read %s\n", path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, header = 1, bad = 0;
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        chomp(line);
        if (!line[0] || line[0] == '#')
            continue;
        if (header) {
            header = 0;
            continue;
        }
        char *p = line, *c[6];
        for (int i = 0; i < 6; i++)
            c[i] = cell(&p);
        if (!c[5] || !c[5][0]) {
            fprintf(stderr, "%s:%d: six columns (program role case line judgement reason)\n", path, lineno);
            bad = 1;
            continue;
        }
        judged = realloc(judged, (size_t)(njudged + 1) * sizeof *judged);
        struct judged *j = &judged[njudged++];
        memset(j, 0, sizeof *j);
        j->lineno = lineno;
        j->program = strdup(c[0]);
        j->role = strdup(c[1]);
        j->judgement = strdup(c[4]);
        j->reason = strdup(c[5]);
        j->any_case = strcmp(c[2], "*") == 0;
        j->any_line = strcmp(c[3], "*") == 0;
        if ((!j->any_case && regcomp(&j->kase, c[2], REG_EXTENDED | REG_NOSUB) != 0) ||
            (!j->any_line && regcomp(&j->line, c[3], REG_EXTENDED | REG_NOSUB) != 0)) {
            fprintf(stderr, "%s:%d: bad regular expression\n", path, lineno);
            bad = 1;
            continue;
        }
        char *js = strdup(c[4]), *save = NULL;
        for (char *t = strtok_r(js, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(t, '=');
            int fi = eq ? (*eq = '\0', field_index(t)) : -1;
            if (fi < 0) {
                fprintf(stderr, "%s:%d: bad judgement %s\n", path, lineno, t);
                bad = 1;
                break;
            }
            if (strcmp(eq + 1, "-") == 0)
                j->skip[fi] = 1;
            else
                j->value[fi] = strdup(eq + 1);
        }
        free(js);
    }
    free(line);
    fclose(f);
    return bad ? -1 : 0;
}

static struct group *group_of(const char *program, const char *role)
{
    for (int i = 0; i < ngroups; i++)
        if (strcmp(groups[i].program, program) == 0 && strcmp(groups[i].role, role) == 0)
            return &groups[i];
    if (ngroups == (int)(sizeof groups / sizeof groups[0]))
        return NULL;
    struct group *g = &groups[ngroups++];
    memset(g, 0, sizeof *g);
    snprintf(g->program, sizeof g->program, "%s", program);
    snprintf(g->role, sizeof g->role, "%s", role);
    return g;
}

static int by_name(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    int c = strcmp(x->program, y->program);
    return c ? c : strcmp(x->role, y->role);
}

static void enh_str(const uint16_t e[3], char *out, size_t n)
{
    if (e[0])
        snprintf(out, n, "%u.%u.%u", e[0], e[1], e[2]);
    else
        snprintf(out, n, "-");
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s LINES.tsv JUDGED.tsv [--verbose]\n", argv[0]);
        return 2;
    }
    int verbose = argc > 3 && strcmp(argv[3], "--verbose") == 0;
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        printf("%s not found: skipped\n", argv[1]);
        return 77;
    }
    if (read_judged(argv[2]) != 0)
        return 1;

    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, failures = 0, report_failures = 0;
    static char buf[1 << 17], sent[1 << 17];
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        if (lineno == 1)
            continue;
        chomp(line);
        char *p = line, *c[10];
        for (int i = 0; i < 10; i++)
            c[i] = cell(&p);
        if (!c[9])
            continue;
        const char *program = c[0], *role = c[2], *kase = c[9];
        struct group *g = group_of(program, role);
        if (!g)
            continue;
        g->rows++;

        /* the ground truth, then what the judged rows say */
        char want[NFIELDS][320];
        int skip[NFIELDS] = {0}, is_judged = 0, judged_cat = 0;
        snprintf(want[F_CODE], sizeof want[F_CODE], "%s", strcmp(c[5], "-") ? c[5] : "0");
        snprintf(want[F_ENH], sizeof want[F_ENH], "%s", c[6]);
        snprintf(want[F_STAGE], sizeof want[F_STAGE], "%s", strcmp(c[7], "-") ? c[7] : "unknown");
        snprintf(want[F_RCPT], sizeof want[F_RCPT], "%s", c[8]);
        size_t sl = strlen(c[4]);
        int have_sent = strcmp(c[4], "-") != 0 && sl < sizeof sent;
        if (have_sent) {
            memcpy(sent, c[4], sl);
            sl = rec_unescape(sent, sl);
        } else {
            skip[F_CAT] = 1;
        }
        char raw_want[NFIELDS][320];
        int raw_skip[NFIELDS];
        memcpy(raw_want, want, sizeof want);
        memcpy(raw_skip, skip, sizeof skip);
        for (int i = 0; i < njudged; i++) {
            struct judged *j = &judged[i];
            if ((strcmp(j->program, "*") && strcmp(j->program, program)) ||
                (strcmp(j->role, "*") && strcmp(j->role, role)) ||
                (!j->any_case && regexec(&j->kase, kase, 0, NULL, 0) != 0) ||
                (!j->any_line && regexec(&j->line, c[3], 0, NULL, 0) != 0))
                continue;
            j->matched++;
            is_judged = 1;
            for (int fi = 0; fi < NFIELDS; fi++) {
                if (j->skip[fi])
                    skip[fi] = 1;
                if (j->value[fi]) {
                    snprintf(want[fi], sizeof want[fi], "%s", j->value[fi]);
                    skip[fi] = 0;
                    judged_cat |= fi == F_CAT;
                }
            }
        }

        /* what the library says */
        size_t len = strlen(c[3]);
        char got[NFIELDS][320];
        if (len >= sizeof buf)
            len = sizeof buf - 1;
        memcpy(buf, c[3], len);
        len = rec_unescape(buf, len);
        smtp_reply r;
        smtp_reply_result res;
        int rc = smtp_reply_classify_buf(buf, len, &r, &res);
        if (rc != SMTP_REPLY_OK) {
            snprintf(got[F_CODE], sizeof got[F_CODE], "error:%s", smtp_reply_error_name(rc));
            snprintf(got[F_ENH], sizeof got[F_ENH], "-");
            snprintf(got[F_STAGE], sizeof got[F_STAGE], "unknown");
            snprintf(got[F_RCPT], sizeof got[F_RCPT], "-");
            snprintf(got[F_CAT], sizeof got[F_CAT], "-");
        } else {
            snprintf(got[F_CODE], sizeof got[F_CODE], "%d", res.code);
            enh_str(res.enhanced, got[F_ENH], sizeof got[F_ENH]);
            snprintf(got[F_STAGE], sizeof got[F_STAGE], "%s", smtp_reply_stage_name(res.stage));
            if (res.recipient.len && res.recipient.len < sizeof got[F_RCPT] && res.recipient.off <= len &&
                res.recipient.len <= len - res.recipient.off)
                snprintf(got[F_RCPT], sizeof got[F_RCPT], "%.*s", (int)res.recipient.len,
                         buf + res.recipient.off);
            else
                snprintf(got[F_RCPT], sizeof got[F_RCPT], "-");
            snprintf(got[F_CAT], sizeof got[F_CAT], "%s", smtp_reply_category_name(res.category));
        }
        /* the category of the reply that was sent, read alone: at the stage the
         * line names (the stage weighs in the classifier; whether the line names
         * the right one is the stage check's business) */
        if (have_sent && !judged_cat) {
            smtp_reply sr;
            smtp_reply_result sres;
            int src = smtp_reply_parse(sent, sl, 0, &sr);
            if (src == SMTP_REPLY_OK) {
                sr.stage = (uint16_t)(rc == SMTP_REPLY_OK ? res.stage : 0);
                src = smtp_reply_classify(sent, sl, &sr, &sres);
            }
            snprintf(want[F_CAT], sizeof want[F_CAT], "%s",
                     src == SMTP_REPLY_OK ? smtp_reply_category_name(sres.category) : "unknown");
            if (!raw_skip[F_CAT])
                memcpy(raw_want[F_CAT], want[F_CAT], sizeof want[F_CAT]);
        }
        int raw_ok = 1;
        for (int fi = 0; fi < NFIELDS; fi++)
            raw_ok &= raw_skip[fi] || strcmp(got[fi], raw_want[fi]) == 0;
        int ok_all = 1;
        for (int fi = 0; fi < NFIELDS; fi++) {
            int ok = skip[fi] || strcmp(got[fi], want[fi]) == 0;
            g->pass[fi] += ok;
            if (!ok) {
                ok_all = 0;
                if (required(role) || verbose)
                    printf("%s %s:%d %s %s: %s %s, want %s\n    %.200s\n",
                           required(role) ? "FAIL" : "note", argv[1], lineno, program, kase,
                           field_names[fi], got[fi], want[fi], c[3]);
            }
        }
        g->all += ok_all;
        g->exact += raw_ok;
        g->judged += ok_all && !raw_ok;
        (void)is_judged;
        if (!ok_all) {
            if (required(role))
                failures++;
            else
                report_failures++;
        }
    }
    free(line);
    fclose(f);

    qsort(groups, (size_t)ngroups, sizeof groups[0], by_name);
    printf("\n%-15s %-13s %5s %6s %6s %6s %6s %6s %6s %7s %6s\n", "program", "role", "rows", "code",
           "enh", "stage", "rcpt", "categ", "all", "judged", "exact");
    int rows = 0, all = 0, rrows = 0, rall = 0;
    for (int i = 0; i < ngroups; i++) {
        struct group *g = &groups[i];
        printf("%-15s %-13s %5d", g->program, g->role, g->rows);
        for (int fi = 0; fi < NFIELDS; fi++)
            printf(" %6d", g->pass[fi]);
        printf(" %5.1f%% %7d %6d%s\n", 100.0 * g->all / (g->rows ? g->rows : 1), g->judged, g->exact,
               required(g->role) ? "" : "  (reported)");
        rows += g->rows;
        all += g->all;
        if (required(g->role)) {
            rrows += g->rows;
            rall += g->all;
        }
    }
    printf("required roles: %d of %d rows pass (%.1f%%); all roles: %d of %d (%.1f%%)\n", rall, rrows,
           100.0 * rall / (rrows ? rrows : 1), all, rows, 100.0 * all / (rows ? rows : 1));
    int stale = 0;
    for (int i = 0; i < njudged; i++) {
        if (!judged[i].matched) {
            printf("FAIL %s:%d matches no row: remove it\n", argv[2], judged[i].lineno);
            stale++;
        }
    }
    if (report_failures && !verbose)
        printf("%d bounce rows differ (reported, not required; --verbose lists them)\n", report_failures);
    return failures || stale ? 1 : 0;
}
