#!/usr/bin/env python3
"""ABI of the shared library: what it exports and its soname.

Usage: test-abi.py LIBSMTPREPLY.so include/smtpreply.h

Checks, with binutils (nm, readelf):
  - every defined dynamic symbol starts with smtp_reply_ (the version node
    SMTPREPLY_0 of lib/smtpreply.map aside), so nothing internal leaks;
  - every function the header declares with SMTP_REPLY_API is exported, and
    nothing is exported that the header does not declare;
  - every export carries the SMTPREPLY_0 version;
  - no object but the user-rules loader (rules.c) refers to an allocation
    function (malloc, free, strdup, ...);
  - the soname is libsmtpreply.so.0.
"""
import os
import re
import shutil
import subprocess
import sys

failures = []


def check(cond, what):
    print(('ok    ' if cond else 'FAIL  ') + what)
    if not cond:
        failures.append(what)


def run(*cmd):
    # binutils translate their output: parse it in the C locale whatever LC_ALL is
    env = dict(os.environ, LC_ALL='C', LANGUAGE='C')
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, env=env,
                          universal_newlines=True).stdout


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    lib, header = sys.argv[1], sys.argv[2]
    for tool in ('nm', 'readelf'):
        if shutil.which(tool) is None:
            print('SKIP: %s not found (binutils)' % tool)
            return 77

    exported, versions, other = set(), {}, []
    for line in run('nm', '-D', '--defined-only', lib).splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        kind, name = parts[-2], parts[-1]
        base, _, ver = name.partition('@')
        ver = ver.lstrip('@')
        if kind == 'A' and not ver:  # a version node (SMTPREPLY_0)
            continue
        if base.startswith('smtp_reply_'):
            exported.add(base)
            versions[base] = ver
        else:
            other.append(name)
    check(not other, 'only smtp_reply_* symbols exported (extra: %s)' % ', '.join(other[:10]))

    with open(header, encoding='utf-8') as f:
        text = f.read()
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    declared = set(re.findall(r'SMTP_REPLY_API\b[^;{]*?\b(smtp_reply_\w+)\s*\(', text))
    check(len(declared) >= 40, '%d API functions declared in the header' % len(declared))
    missing = sorted(declared - exported)
    extra = sorted(exported - declared)
    check(not missing, 'every declared function is exported (missing: %s)' % ', '.join(missing))
    check(not extra, 'every export is declared in the header (undeclared: %s)' % ', '.join(extra))
    unversioned = sorted(n for n, v in versions.items() if v != 'SMTPREPLY_0')
    check(not unversioned, 'every export has version SMTPREPLY_0 (not: %s)' % ', '.join(unversioned[:10]))

    # "Nothing allocates" but the user-rules loader (rules.c), which allocates
    # while a rules object is built: in the static library, no other object even
    # refers to an allocator (the no-allocations test counts calls; this also
    # covers paths no input reaches)
    allocators = {'malloc', 'calloc', 'realloc', 'reallocarray', 'free', 'strdup', 'strndup',
                  'aligned_alloc', 'posix_memalign', 'memalign', 'valloc', 'asprintf', 'vasprintf'}
    static = os.path.join(os.path.dirname(lib), 'libsmtpreply.a')
    if os.path.exists(static):
        obj = None
        users = {}
        for line in run('nm', '--undefined-only', static).splitlines():
            if line.endswith(':'):
                obj = line[:-1]
            elif line.split() and line.split()[-1] in allocators:
                users.setdefault(obj, set()).add(line.split()[-1])
        others = sorted(o for o in users if not re.search(r'rules\.c\.o$', o))
        check(not others, 'only the user-rules loader refers to an allocator (others: %s)'
              % ', '.join(others))
    else:
        print('skip  no static library beside %s to check which objects allocate' % lib)

    m = re.search(r'\(SONAME\)\s+Library soname: \[([^\]]+)\]', run('readelf', '-d', lib))
    soname = m.group(1) if m else None
    check(soname == 'libsmtpreply.so.0', 'soname is libsmtpreply.so.0 (got %s)' % soname)

    print('abi: %d exports checked, %d failed' % (len(exported), len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
