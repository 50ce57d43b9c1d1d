/*
 * sysinfo.h - what the benchmark reports about the machine and the build: the CPU,
 * the load average and the sizes of the library and its table.  Everything here is
 * optional and platform-specific, and kept out of smtpreply-bench.c for that: the
 * CPU and load come from /proc (empty elsewhere), the section sizes need <elf.h>
 * (BENCH_HAVE_ELF, from bench/meson.build), and the table's object is looked for
 * where meson keeps a library's objects.  Without them the figures read "unknown",
 * -1 or "unavailable", or are left out.
 */
#ifndef SMTPREPLY_BENCH_SYSINFO_H
#define SMTPREPLY_BENCH_SYSINFO_H

#include <stddef.h>

/* The CPU model ("" when unknown); returns out. */
const char *sysinfo_cpu(char *out, size_t size);
/* The 1, 5 and 15 minute load averages ("" when unknown); returns out. */
const char *sysinfo_load_average(char *out, size_t size);
/* Print rule_count, library_path, library_bytes, library_*_bytes, table_bytes,
 * table_bytes_method and table_object for the library file at lib ("" when
 * unknown) and the table object at table_object (NULL: look for it). */
void sysinfo_print_sizes(const char *lib, const char *table_object);

#endif
