#!/usr/bin/env python3
"""The release version has one source, project(version:) in meson.build; every
other place that states it must agree.

Usage: check-versions.py VERSION SOURCE_ROOT PKGCONFIG_FILE LIBRARY

VERSION is meson.project_version().  Checks:
  - include/smtpreply.h: SMTP_REPLY_VERSION_MAJOR/MINOR/PATCH (the version
    string and number are made from them), and the built LIBRARY's
    smtp_reply_version() and smtp_reply_version_number();
  - the generated pkg-config file's Version: (meson writes it from VERSION; it
    is looked for where meson keeps it, and skipped with a note elsewhere);
  - bindings/python/pyproject.toml's version, and the major version the binding
    accepts (_lib.VERSION_MAJOR);
  - tools/smtpreply.1: the .TH line names "libsmtpreply VERSION".
Standard library only.  Exit 0 = pass, 1 = fail.
"""
import ctypes
import os
import re
import sys

FAILURES = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        FAILURES.append(what)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def find(pattern, text):
    m = re.search(pattern, text, re.M)
    return m.group(1) if m else None


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    version, root, pc, library = sys.argv[1:]
    major = version.split(".")[0]

    h = read(os.path.join(root, "include", "smtpreply.h"))
    parts = [find(r"^#define\s+SMTP_REPLY_VERSION_%s\s+(\d+)\s*$" % p, h)
             for p in ("MAJOR", "MINOR", "PATCH")]
    check(".".join(str(p) for p in parts) == version,
          "include/smtpreply.h SMTP_REPLY_VERSION_MAJOR/MINOR/PATCH are %s" % version)
    lib = ctypes.CDLL(library)
    lib.smtp_reply_version.restype = ctypes.c_char_p
    lib.smtp_reply_version_number.restype = ctypes.c_uint32
    check(lib.smtp_reply_version() == version.encode(), "smtp_reply_version() is %s" % version)
    nums = [int(x) for x in version.split(".")[:3]]
    check(lib.smtp_reply_version_number() == (nums[0] << 16 | nums[1] << 8 | nums[2]),
          "smtp_reply_version_number() is %s" % version)

    if os.path.exists(pc):
        check(find(r"^Version:\s*(\S+)", read(pc)) == version, "%s: Version: %s" % (pc, version))
    else:  # where meson keeps it is meson's business; the installed file is tested too
        print("note  %s not found: pkg-config file not checked" % pc)

    binding = os.path.join(root, "bindings", "python")
    check(find(r'^version\s*=\s*"([^"]+)"', read(os.path.join(binding, "pyproject.toml"))) == version,
          "bindings/python/pyproject.toml version = %s" % version)
    check(find(r"^VERSION_MAJOR\s*=\s*(\d+)", read(os.path.join(binding, "smtpreply", "_lib.py"))) == major,
          "bindings/python/smtpreply/_lib.py VERSION_MAJOR = %s" % major)

    th = find(r'^\.TH\s+(.*)$', read(os.path.join(root, "tools", "smtpreply.1")))
    check(th is not None and '"libsmtpreply %s"' % version in th,
          'tools/smtpreply.1 .TH names "libsmtpreply %s" (got %s)' % (version, th))

    print("versions: %d failures" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
