#!/usr/bin/env python3
"""The build sees every data/rules/*.tsv file: a new, edited or removed rule file
reaches the compiled-in table without a reconfigure.

  check-rule-files.py fresh SOURCE_ROOT LIBRARY
      The table compiled into LIBRARY was generated from the data/ files as they
      are now: its smtp_reply_table_hash() equals the hash of data/ (names and
      contents of every file the generator reads, rules/*.tsv included).  When
      they differ, the message says to rebuild and, if that is not enough, to
      run meson setup --reconfigure.
  check-rule-files.py rebuild SOURCE_ROOT MESON NINJA
      In a scratch copy of the source tree: configure once and build, then add a
      rule file, edit it and remove it, and after each step check that ninja
      regenerates the table (tools/gen-tables.py's depfile names the data/rules
      folder), that the built library's rule count follows, and that a second
      ninja has nothing left to do.  Skipped (77) without meson or ninja.

Standard library only.  Exit 0 = pass, 1 = fail, 77 = skipped.
"""
import ctypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
FAILURES = []
NEW_RULE = "zz-check-rule-files"


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        FAILURES.append(what)
    return cond


def data_hash(root):
    gen = os.path.join(root, "tools", "gen-tables.py")
    return subprocess.run([sys.executable, gen, "--hash", "--train", os.path.join(root, "tests", "data"),
                           os.path.join(root, "data")], check=True,
                          stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()


def fresh(root, library):
    lib = ctypes.CDLL(library)
    lib.smtp_reply_table_hash.restype = ctypes.c_char_p
    built = lib.smtp_reply_table_hash().decode()
    now = data_hash(root)
    if not check(built == now, "the compiled-in table (%s...) is made from data/ as it is now (%s...)"
                 % (built[:12], now[:12])):
        print("The library's table was generated from other data than data/ holds now: a rule file\n"
              "was added, removed or edited after the last build.  Rebuild (ninja -C BUILD); if the\n"
              "table still differs, the build did not rerun tools/gen-tables.py: run\n"
              "    meson setup --reconfigure BUILD")


def rule_count(library):
    """smtp_reply_table_rule_count() of a library file, in a new process (a process
    cannot load a rebuilt library again under the same name)."""
    code = "import ctypes,sys; print(ctypes.CDLL(sys.argv[1]).smtp_reply_table_rule_count())"
    return int(subprocess.run([sys.executable, "-c", code, library], check=True,
                              stdout=subprocess.PIPE, universal_newlines=True).stdout)


def after_mtime(path):
    """Wait until a new file would get a later time stamp than path."""
    limit = time.time() + 3
    while time.time() < limit:
        probe = path + ".probe"
        with open(probe, "w"):
            pass
        later = os.stat(probe).st_mtime_ns > os.stat(path).st_mtime_ns
        os.unlink(probe)
        if later:
            return
        time.sleep(0.02)


def rule_row(n):
    return ("%s-%d\tuser_unknown\t60\t5xx\tzz check rule files phrase %d\t-\t-\t-\t-\t"
            "tests/check-rule-files.py\n" % (NEW_RULE, n, n))


def rebuild(root, meson, ninja):
    header = "id\tcategory\tpriority\tcodes\tpattern\tprovider\tblocklist\toptions\tadvice\tsource\n"
    with tempfile.TemporaryDirectory(prefix="smtpreply-rule-files-") as tmp:
        src, build = os.path.join(tmp, "src"), os.path.join(tmp, "build")
        shutil.copytree(root, src, ignore=shutil.ignore_patterns(
            ".git", "build*", "_build", "__pycache__", "corpus"))
        r = subprocess.run([meson, "setup", build, src, "-Dtests=disabled", "-Dexamples=false",
                            "-Dcli=false"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        if not check(r.returncode == 0, "meson setup of a scratch copy"):
            print(r.stdout[-3000:])
            return
        rules = os.path.join(src, "data", "rules")
        new_file = os.path.join(rules, NEW_RULE + ".tsv")

        def ninja_run(*args):
            return subprocess.run([ninja, "-C", build] + list(args), stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, universal_newlines=True)

        def build_all(what):
            """Build; returns the library's rule count.  ninja may rerun the generator once
            more after a new file (it records the newest input it knew of when the command
            started, and the new file's own time stamp is a little later than the folder's);
            that run must write nothing, so nothing is compiled again."""
            r = ninja_run()
            check(r.returncode == 0, "%s: ninja succeeds" % what)
            check("gen-tables" in r.stdout or "smtpreply-table" in r.stdout,
                  "%s: the generator ran (no reconfigure)" % what)
            for _ in range(2):
                if "no work to do" in ninja_run("-n").stdout:
                    break
                again = ninja_run()
                steps = re.findall(r"^\[\d+/\d+\] (.*)$", again.stdout, re.M)
                check(again.returncode == 0 and all("smtpreply-table" in s for s in steps),
                      "%s: a rerun only reruns the generator, which compiles nothing: %r"
                      % (what, steps))
            check("no work to do" in ninja_run("-n").stdout, "%s: then ninja has no work to do" % what)
            libs = [n for n in os.listdir(os.path.join(build, "lib"))
                    if re.fullmatch(r"libsmtpreply\.so\.\d+\.\d+\.\d+", n)]
            return rule_count(os.path.join(build, "lib", libs[0])) if libs else -1

        base = build_all("first build")
        check(base > 0, "first build: %d rules" % base)

        table = os.path.join(build, "lib", "smtpreply-table.c")
        after_mtime(table)
        with open(new_file, "w", encoding="utf-8") as f:
            f.write(header + rule_row(1))
        check(build_all("new rule file") == base + 1, "new rule file: %d rules" % (base + 1))

        after_mtime(table)
        with open(new_file, "a", encoding="utf-8") as f:
            f.write(rule_row(2))
        check(build_all("edited rule file") == base + 2, "edited rule file: %d rules" % (base + 2))

        after_mtime(table)
        os.unlink(new_file)
        check(build_all("removed rule file") == base, "removed rule file: back to %d rules" % base)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "fresh":
        fresh(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "rebuild":
        root, meson, ninja = sys.argv[2:]
        for tool in (meson, ninja):
            if not (os.path.isfile(tool) or shutil.which(tool)):
                print("SKIP: %s not found" % tool)
                return SKIP
        rebuild(root, meson, ninja)
    else:
        print(__doc__)
        return 2
    print("rule files: %d failures" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
