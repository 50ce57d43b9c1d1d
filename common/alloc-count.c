/* alloc-count.c - allocation counting through the linker's --wrap (see alloc-count.h). */
#include "alloc-count.h"

#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

volatile int alloc_counting;
static unsigned long calls;

static void note(void)
{
    if (alloc_counting)
        __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
}

void *__wrap_malloc(size_t n)
{
    note();
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
    note();
    return __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
    note();
    return __real_realloc(p, n);
}

void __wrap_free(void *p)
{
    __real_free(p);
}

unsigned long alloc_count(void)
{
    return __atomic_load_n(&calls, __ATOMIC_RELAXED);
}

int alloc_count_works(void)
{
    /* volatile, so that no compiler elides the pairs */
    static void *volatile kept_a;
    static char *volatile kept_b;
    static const char *volatile text = "smtpreply";
    void *(*volatile m)(size_t) = malloc;
    unsigned long before = alloc_count();
    int was = alloc_counting;
    alloc_counting = 1;
    kept_a = m(32);
    size_t n = strlen(text) + 1;
    if ((kept_b = realloc(NULL, n)) != NULL)
        memcpy(kept_b, text, n);
    alloc_counting = was;
    unsigned long seen = alloc_count() - before;
    free(kept_a);
    free(kept_b);
    __atomic_sub_fetch(&calls, seen, __ATOMIC_RELAXED);
    return seen == 2;
}
