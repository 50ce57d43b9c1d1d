/*
 * replay.c - run a fuzz target's LLVMFuzzerTestOneInput over files, without
 * libFuzzer.  Used by `meson test` so every target and its checks run on each
 * build with any compiler: usage `replay FILE-OR-DIR...`.
 *
 * Each file is read into a heap block of exactly its size (so that
 * AddressSanitizer, when enabled, catches reads past the end), and given to
 * the target.  Fails when a check aborts, and when no input was found at all
 * (a missing corpus must not pass silently).
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long replayed;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    size_t cap = 4096, n = 0;
    unsigned char *tmp = malloc(cap);
    if (!tmp) {
        fclose(f);
        return 1;
    }
    size_t got;
    while ((got = fread(tmp + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *bigger = realloc(tmp, cap * 2);
            if (!bigger) {
                free(tmp);
                fclose(f);
                return 1;
            }
            tmp = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    /* exact-size copy: one byte past the input is outside the allocation */
    unsigned char *exact = malloc(n ? n : 1);
    if (!exact) {
        free(tmp);
        return 1;
    }
    memcpy(exact, tmp, n);
    free(tmp);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    replayed++;
    return 0;
}

static int run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    DIR *d = opendir(path);
    if (!d) {
        perror(path);
        return 1;
    }
    int bad = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t l = strlen(path) + strlen(e->d_name) + 2;
        char *full = malloc(l);
        if (!full) {
            bad = 1;
            break;
        }
        snprintf(full, l, "%s/%s", path, e->d_name);
        bad |= run_path(full);
        free(full);
    }
    closedir(d);
    return bad;
}

int main(int argc, char **argv)
{
    int bad = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE-OR-DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        bad |= run_path(argv[i]);
    /* the empty input too: every target must accept it */
    LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
    printf("%s: replayed %lu inputs\n", argv[0], replayed);
    if (replayed == 0) {
        fprintf(stderr, "no input found: the corpus is missing\n");
        return 1;
    }
    return bad;
}
