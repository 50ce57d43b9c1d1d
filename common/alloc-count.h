/*
 * alloc-count.h - count the allocations made by code linked into the program.
 *
 * alloc-count.c defines __wrap_malloc, __wrap_calloc, __wrap_realloc and
 * __wrap_free; a program linked with
 *     -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc -Wl,--wrap=free
 * (the linker of GNU binutils, gold or lld) sends every call to these functions
 * made by its own objects and by the static libraries it links - libsmtpreply.a
 * included - through them.  Calls made inside a shared library (the C library's
 * own, say) are not seen.  common/meson.build defines alloc_count_dep (not found
 * when the linker has no --wrap).  Used by the no-allocations test and the
 * benchmark's "allocations" figure.
 */
#ifndef SMTPREPLY_ALLOC_COUNT_H
#define SMTPREPLY_ALLOC_COUNT_H

/* Calls are counted while this is 1 (from any thread). */
extern volatile int alloc_counting;

/* malloc, calloc and realloc calls counted so far (free is not counted). */
unsigned long alloc_count(void);

/* 1 when the wrappers see a malloc made through a function pointer and a realloc
 * (a self-check of the link). */
int alloc_count_works(void);

#endif
