/*
 * postfix-summary.c - what went wrong in a Postfix mail log.
 *
 *   postfix-summary /var/log/mail.log
 *
 * For every delivery line (one with "status=") it prints, at the end:
 *   - the bounced and deferred deliveries per category,
 *   - the addresses to suppress (the library says recipient_action == suppress:
 *     the mailbox does not exist, the domain does not exist, ...),
 *   - the remote domains that block us (category blocklisted, reputation,
 *     ptr_required or auth_failed), taken from the relay= host.
 * For every line in which our own server refused a client (smtpd's "NOQUEUE:
 * reject:" or "<queue id>: reject:", a milter's "milter-reject:", cleanup's
 * "reject: header" / "reject: body") it prints:
 *   - the rejections per SMTP stage and category,
 *   - the recipients our server said do not exist,
 *   - the client hosts it refused.
 *
 * The whole log line goes to smtp_reply_classify_buf: the library recognises the
 * Postfix formats and finds the reply inside "(host ... said: ...)" or after
 * "RCPT from host[ip]:"; it also gives the SMTP stage and the recipient address
 * the line names (res.stage, res.recipient).
 * Fixed-size tables keep the example short; a real tool would use a hash table.
 */
#include <stdio.h>
#include <string.h>

#include <smtpreply.h>

#define MAX_ITEMS 256

struct list {
    char item[MAX_ITEMS][128];
    const char *note[MAX_ITEMS];
    int n;
};

/* Add s (len bytes) unless it is there already. */
static void add(struct list *l, const char *s, size_t len, const char *note)
{
    if (len >= sizeof l->item[0])
        len = sizeof l->item[0] - 1;
    for (int i = 0; i < l->n; i++)
        if (strlen(l->item[i]) == len && memcmp(l->item[i], s, len) == 0)
            return;
    if (l->n == MAX_ITEMS)
        return;
    memcpy(l->item[l->n], s, len);
    l->item[l->n][len] = '\0';
    l->note[l->n++] = note;
}

/* The value of "key" in a Postfix log line, up to the first byte in `stop`. */
static const char *field(const char *line, const char *key, const char *stop, size_t *len)
{
    const char *p = strstr(line, key);
    if (p == NULL)
        return NULL;
    p += strlen(key);
    *len = strcspn(p, stop);
    return p;
}

/* A line in which our server refused a client: smtpd, a milter or cleanup. */
static int is_server_reject(const char *line)
{
    return (strstr(line, "/smtpd[") || strstr(line, "/cleanup[")) &&
           (strstr(line, ": reject: ") || strstr(line, ": milter-reject: "));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s MAILLOG\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }

    static struct list suppress, blockers, unknown_here, refused_clients;
    static unsigned rejected[16][64]; /* [stage][category] */
    unsigned bounced[64] = {0}, deferred[64] = {0};
    unsigned lines = 0, sent = 0, nbounced = 0, ndeferred = 0, nrejected = 0;
    char line[8192];

    while (fgets(line, sizeof line, f)) {
        lines++;
        size_t len;
        if (is_server_reject(line)) {
            smtp_reply_result res;
            if (smtp_reply_classify_buf(line, strcspn(line, "\n"), NULL, &res) != SMTP_REPLY_OK)
                continue;
            nrejected++;
            int cat = res.category >= 0 && res.category < 64 ? res.category : 0;
            int stage = res.stage >= 0 && res.stage < 16 ? res.stage : 0;
            rejected[stage][cat]++;
            /* the recipient the line names (to=<...>), when the reply says it does not exist */
            if (res.recipient.len && res.category == SMTP_REPLY_CAT_USER_UNKNOWN)
                add(&unknown_here, line + res.recipient.off, res.recipient.len, "user_unknown");
            /* "RCPT from host[ip]:" */
            size_t hlen;
            const char *client = field(line, " from ", ":;", &hlen);
            if (client && hlen && memchr(client, '[', hlen))
                add(&refused_clients, client, hlen, smtp_reply_category_name(res.category));
            continue;
        }
        const char *status = field(line, " status=", " ", &len);
        if (status == NULL)
            continue; /* connect, qmgr, removed, ... */
        int is_bounce = len == 7 && memcmp(status, "bounced", 7) == 0;
        int is_defer = len == 8 && memcmp(status, "deferred", 8) == 0;
        if (!is_bounce && !is_defer) {
            sent += len == 4 && memcmp(status, "sent", 4) == 0;
            continue;
        }

        smtp_reply_result res;
        if (smtp_reply_classify_buf(line, strcspn(line, "\n"), NULL, &res) != SMTP_REPLY_OK)
            continue;
        int cat = res.category >= 0 && res.category < 64 ? res.category : 0;
        if (is_bounce) {
            nbounced++;
            bounced[cat]++;
        } else {
            ndeferred++;
            deferred[cat]++;
        }

        /* to=<address> */
        size_t alen;
        const char *to = field(line, " to=<", ">", &alen);
        if (to && res.recipient_action == SMTP_REPLY_RCPT_SUPPRESS)
            add(&suppress, to, alen, smtp_reply_category_name(res.category));

        /* relay=host[ip]:port; its last two labels name the domain */
        size_t hlen;
        const char *host = field(line, " relay=", "[,", &hlen);
        if (host && (res.category == SMTP_REPLY_CAT_BLOCKLISTED ||
                     res.category == SMTP_REPLY_CAT_REPUTATION ||
                     res.category == SMTP_REPLY_CAT_PTR_REQUIRED ||
                     res.category == SMTP_REPLY_CAT_AUTH_FAILED) &&
            !(hlen == 4 && memcmp(host, "none", 4) == 0)) {
            const char *dom = host;
            int dots = 0;
            for (const char *p = host + hlen; p > host; p--)
                if (p[-1] == '.' && ++dots == 2) {
                    dom = p;
                    break;
                }
            add(&blockers, dom, hlen - (size_t)(dom - host), smtp_reply_category_name(res.category));
        }
    }
    fclose(f);

    printf("%u log lines: %u sent, %u bounced, %u deferred\n\n", lines, sent, nbounced, ndeferred);
    printf("%-20s %8s %8s\n", "category", "bounced", "deferred");
    for (int c = 0; c < smtp_reply_category_count() && c < 64; c++)
        if (bounced[c] || deferred[c])
            printf("%-20s %8u %8u\n", smtp_reply_category_name(c), bounced[c], deferred[c]);

    printf("\naddresses to suppress (%d):\n", suppress.n);
    for (int i = 0; i < suppress.n; i++)
        printf("  %-40s %s\n", suppress.item[i], suppress.note[i]);

    printf("\nremote domains that block us (%d):\n", blockers.n);
    for (int i = 0; i < blockers.n; i++)
        printf("  %-40s %s\n", blockers.item[i], blockers.note[i]);

    printf("\n%u rejections by our server (smtpd, milters, cleanup)\n", nrejected);
    printf("  %-10s %-20s %8s\n", "stage", "category", "count");
    for (int st = 0; st < 16 && st < smtp_reply_stage_count(); st++)
        for (int c = 0; c < smtp_reply_category_count() && c < 64; c++)
            if (rejected[st][c])
                printf("  %-10s %-20s %8u\n", smtp_reply_stage_name(st), smtp_reply_category_name(c),
                       rejected[st][c]);
    printf("\nrecipients that do not exist here (%d):\n", unknown_here.n);
    for (int i = 0; i < unknown_here.n; i++)
        printf("  %s\n", unknown_here.item[i]);
    printf("\nclient hosts refused (%d):\n", refused_clients.n);
    for (int i = 0; i < refused_clients.n; i++)
        printf("  %-40s (first: %s)\n", refused_clients.item[i], refused_clients.note[i]);
    return 0;
}
