/*
 * fuzz_fingerprint.c - smtp_reply_fingerprint_raw on arbitrary bytes, and
 * smtp_reply_fingerprint on their parse (whole text, with unwrapping).  Every
 * input and every output buffer is a heap block of exactly its size, so that
 * AddressSanitizer sees a read past the input or a write past dstsize.
 *
 * For each form:
 *  - the status is OK (the parsed form: whenever the parse is);
 *  - the template fits SMTP_REPLY_FINGERPRINT_BOUND, has no NUL, no upper case
 *    ASCII, no control byte, no space at either end and no doubled space;
 *  - the hash is FNV-1a 64 of the template;
 *  - deterministic: a copy at another address gives the same template and hash;
 *  - a cut buffer (its size taken from the input) gives the same length and
 *    hash, and the template's prefix, NUL-terminated;
 *  - idempotent: smtp_reply_fingerprint_raw of the template is the template.
 */
#include "fuzz.h"

static uint64_t fnv1a64(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
    return h;
}

struct tmpl {
    char *t;
    size_t n;
    uint64_t h;
};

/* parsed == NULL: the raw form of in[0..len); else the fingerprint of *parsed. */
static int fingerprint(const char *in, size_t len, const smtp_reply *parsed, char *dst,
                       size_t cap, size_t *n, uint64_t *h)
{
    if (parsed)
        return smtp_reply_fingerprint(len ? in : NULL, len, parsed, dst, cap, n, h);
    return smtp_reply_fingerprint_raw(len ? in : NULL, len, dst, cap, n, h);
}

static struct tmpl checked(const uint8_t *data, size_t size, const smtp_reply *parsed,
                           size_t bound_of, size_t cut)
{
    struct tmpl r;
    char *in = fuzz_dup(data, size);
    size_t cap = SMTP_REPLY_FINGERPRINT_BOUND(bound_of) + 1;
    r.t = (char *)malloc(cap);
    FUZZ_CHECK(r.t != NULL);
    FUZZ_CHECK(fingerprint(in, size, parsed, r.t, cap, &r.n, &r.h) == SMTP_REPLY_OK);
    FUZZ_CHECK(r.n < cap);
    FUZZ_CHECK(strlen(r.t) == r.n);
    FUZZ_CHECK(r.h == fnv1a64(r.t, r.n));
    for (size_t i = 0; i < r.n; i++) {
        unsigned char c = (unsigned char)r.t[i];
        FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
        FUZZ_CHECK(c >= 0x20 && c != 0x7f);
        FUZZ_CHECK(c != ' ' || (i > 0 && i + 1 < r.n && r.t[i + 1] != ' '));
    }

    /* another copy, and a cut buffer of exactly `cut` bytes */
    char *other = fuzz_dup(data, size);
    char *dst = (char *)malloc(cut ? cut : 1);
    FUZZ_CHECK(dst != NULL);
    size_t n2 = 0;
    uint64_t h2 = 0;
    FUZZ_CHECK(fingerprint(other, size, parsed, cut ? dst : NULL, cut, &n2, &h2) == SMTP_REPLY_OK);
    FUZZ_CHECK(n2 == r.n && h2 == r.h);
    if (cut) {
        size_t w = r.n < cut ? r.n : cut - 1;
        FUZZ_CHECK(dst[w] == '\0' && memcmp(dst, r.t, w) == 0);
    }
    free(dst);
    free(other);
    free(in);

    /* the template of the template is itself */
    char *again = (char *)malloc(cap);
    char *tcopy = fuzz_dup(r.t, r.n);
    FUZZ_CHECK(again != NULL);
    size_t n3 = 0;
    uint64_t h3 = 0;
    FUZZ_CHECK(smtp_reply_fingerprint_raw(r.n ? tcopy : NULL, r.n, again, cap, &n3, &h3) ==
               SMTP_REPLY_OK);
    FUZZ_CHECK(n3 == r.n && h3 == r.h && memcmp(again, r.t, r.n) == 0);
    free(again);
    free(tcopy);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cut = size ? data[0] % 64 : 0;
    struct tmpl raw = checked(data, size, NULL, size, cut);
    free(raw.t);

    char *in = fuzz_dup(data, size);
    smtp_reply r;
    if (smtp_reply_parse(size ? in : NULL, size, 0, &r) == SMTP_REPLY_OK) {
        struct tmpl parsed = checked(data, size, &r, r.text_len, cut);
        free(parsed.t);
    }
    free(in);
    return 0;
}
