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
 *
 * The whole log line goes to smtp_reply_classify_buf: the library recognises the
 * Postfix format and finds the remote server's reply inside "(host ... said: ...)".
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

    static struct list suppress, blockers;
    unsigned bounced[64] = {0}, deferred[64] = {0};
    unsigned lines = 0, sent = 0, nbounced = 0, ndeferred = 0;
    char line[8192];

    while (fgets(line, sizeof line, f)) {
        lines++;
        size_t len;
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
    return 0;
}
