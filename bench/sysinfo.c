/* sysinfo.c - the machine and the build, for the benchmark (see sysinfo.h). */
#define _POSIX_C_SOURCE 200809L
#include "sysinfo.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef BENCH_HAVE_ELF
#include <dirent.h>
#include <elf.h>
#endif

#include "smtpreply.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* First line of a /proc file that starts with key (or the first line when key
 * is ""), value part only, at most `words` words; "" when unreadable (not Linux). */
static const char *proc_value(const char *path, const char *key, int words, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    char line[512];
    out[0] = '\0';
    while (f && fgets(line, sizeof line, f)) {
        char *v = key[0] ? strchr(line, ':') : line;
        if (strncmp(line, key, strlen(key)) != 0 || !v)
            continue;
        v += key[0] ? 1 : 0;
        v += strspn(v, " \t");
        v[strcspn(v, "\n")] = '\0';
        for (char *sp = v; words > 0 && (sp = strchr(sp, ' ')) != NULL; sp++)
            if (--words == 0)
                *sp = '\0';
        snprintf(out, size, "%s", v);
        break;
    }
    if (f)
        fclose(f);
    return out;
}

const char *sysinfo_cpu(char *out, size_t size)
{
    return proc_value("/proc/cpuinfo", "model name", 0, out, size);
}

const char *sysinfo_load_average(char *out, size_t size)
{
    return proc_value("/proc/loadavg", "", 3, out, size);
}

struct elf_sizes {
    int ok;
    uint64_t alloc, text, rodata, relro, reloc;
};

/* The allocated sections of a 64-bit ELF file, by kind (ok 0 without <elf.h>). */
static struct elf_sizes elf_sections(const char *path)
{
    struct elf_sizes z = {0, 0, 0, 0, 0, 0};
#ifdef BENCH_HAVE_ELF
    FILE *f = path[0] ? fopen(path, "rb") : NULL;
    Elf64_Ehdr eh;
    Elf64_Shdr *sh = NULL;
    char *names = NULL;
    if (!f || fread(&eh, sizeof eh, 1, f) != 1 || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr) ||
        eh.e_shnum == 0 || eh.e_shstrndx >= eh.e_shnum)
        goto out;
    sh = calloc(eh.e_shnum, sizeof *sh);
    if (!sh || fseek(f, (long)eh.e_shoff, SEEK_SET) != 0 || fread(sh, sizeof *sh, eh.e_shnum, f) != eh.e_shnum)
        goto out;
    Elf64_Shdr *ns = &sh[eh.e_shstrndx];
    names = calloc(1, ns->sh_size + 1);
    if (!names || fseek(f, (long)ns->sh_offset, SEEK_SET) != 0 ||
        fread(names, 1, ns->sh_size, f) != ns->sh_size)
        goto out;
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        const char *nm = sh[i].sh_name < ns->sh_size ? names + sh[i].sh_name : "";
        if (!(sh[i].sh_flags & SHF_ALLOC))
            continue;
        z.alloc += sh[i].sh_size;
        z.text += strcmp(nm, ".text") == 0 ? sh[i].sh_size : 0;
        z.rodata += strncmp(nm, ".rodata", 7) == 0 ? sh[i].sh_size : 0;
        z.relro += strncmp(nm, ".data.rel.ro", 12) == 0 ? sh[i].sh_size : 0;
        z.reloc += strncmp(nm, ".rela", 5) == 0 ? sh[i].sh_size : 0;
    }
    z.ok = 1;
out:
    free(names);
    free(sh);
    if (f)
        fclose(f);
#else
    (void)path;
#endif
    return z;
}

/* Meson keeps a library's objects in "<library file>.p/"; the table's object is
 * the one whose name holds "smtpreply-table".  "" when there is none (an installed
 * library, another build tool, no <elf.h> to read it with). */
static void find_table_object(const char *lib, char *out, size_t outsize)
{
    out[0] = '\0';
#ifdef BENCH_HAVE_ELF
    char dir[PATH_MAX + 8];
    snprintf(dir, sizeof dir, "%s.p", lib);
    DIR *d = lib[0] ? opendir(dir) : NULL;
    struct dirent *e;
    while (d && !out[0] && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (strstr(e->d_name, "smtpreply-table") && l > 2 && strcmp(e->d_name + l - 2, ".o") == 0)
            snprintf(out, outsize, "%s/%s", dir, e->d_name);
    }
    if (d)
        closedir(d);
#else
    (void)lib;
    (void)outsize;
#endif
}

void sysinfo_print_sizes(const char *libpath, const char *tableopt)
{
    char tabpath[PATH_MAX + 64];
    struct stat st;
    long long lib_bytes = libpath[0] && stat(libpath, &st) == 0 ? (long long)st.st_size : -1;
    struct elf_sizes le = elf_sections(libpath);
    if (tableopt)
        snprintf(tabpath, sizeof tabpath, "%s", tableopt);
    else
        find_table_object(libpath, tabpath, sizeof tabpath);
    struct elf_sizes te = elf_sections(tabpath);
    printf("rule_count: %u\n", smtp_reply_table_rule_count());
    printf("library_path: %s\n", libpath[0] ? libpath : "unknown");
    printf("library_bytes: %lld\n", lib_bytes);
    if (le.ok) {
        printf("library_text_bytes: %llu\n", (unsigned long long)le.text);
        printf("library_rodata_bytes: %llu\n", (unsigned long long)le.rodata);
        printf("library_relro_bytes: %llu\n", (unsigned long long)le.relro);
        printf("library_reloc_bytes: %llu\n", (unsigned long long)le.reloc);
    }
    printf("table_bytes: %lld\n", te.ok ? (long long)te.alloc : le.ok ? (long long)(le.rodata + le.relro) : -1);
    printf("table_bytes_method: %s\n", te.ok ? "table-object" : le.ok ? "library-rodata" : "unavailable");
    if (te.ok)
        printf("table_object: %s\n", tabpath);
}
