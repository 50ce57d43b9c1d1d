/*
 * codec-tool.c - the C record codec (common/record.h) on hex-encoded arguments,
 * for tests/test-codec.py, which runs the same inputs through the Python codec.
 *
 *   codec-tool unescape|escape HEX ...   prints the result of each, in hex, one a line
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int main(int argc, char **argv)
{
    int esc = argc > 1 && strcmp(argv[1], "escape") == 0;
    if (argc < 2 || (!esc && strcmp(argv[1], "unescape") != 0)) {
        fprintf(stderr, "usage: codec-tool unescape|escape HEX ...\n");
        return 2;
    }
    for (int a = 2; a < argc; a++) {
        size_t n = strlen(argv[a]) / 2;
        char *in = malloc(n + 1), *out = malloc(2 * n + 1);
        if (in == NULL || out == NULL)
            return 1;
        for (size_t i = 0; i < n; i++) {
            int hi = hexval(argv[a][2 * i]), lo = hexval(argv[a][2 * i + 1]);
            if (hi < 0 || lo < 0) {
                fprintf(stderr, "codec-tool: not hex: %s\n", argv[a]);
                return 2;
            }
            in[i] = (char)(hi << 4 | lo);
        }
        size_t m = esc ? rec_escape(in, n, out) : rec_unescape(memcpy(out, in, n), n);
        for (size_t i = 0; i < m; i++)
            printf("%02x", (unsigned char)out[i]);
        putchar('\n');
        free(in);
        free(out);
    }
    return 0;
}
