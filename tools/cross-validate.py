#!/usr/bin/env python3
"""Leave-one-source-out accuracy: how the classifier does on a family of replies
when the rules and the test rows written from that family are left out.

    cross-validate.py [--cc CC] [--only NAME[,NAME]] [--set margin=N ...] [--validation]
                      [--misses FILE]

For each file NAME.tsv of data/rules/ that has a twin in tests/data/, the table is
generated without data/rules/NAME.tsv and with the word model trained without
tests/data/NAME.tsv; the library and the CLI are compiled against it (no meson
needed), and the rows of tests/data/NAME.tsv are classified. The accuracy over
all held-out rows says how the rules of the other files and the word model
generalise to a family they have never seen. --set key=value overrides a row of
data/model.tsv for the run (e.g. to compare margins); --validation also scores
the validation set with the full table built with the same settings; --misses
writes every held-out miss to FILE (TSV: file:line, expected, got, evidence,
rule, input), to study the kinds of failure.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from validate import read_rows  # noqa: E402  (tools/validate.py)

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def meson_files(meson_build, var):
    """The files of `var = files(...)` in a meson.build: the build's own list of
    sources, so that this script builds what meson builds."""
    with open(meson_build, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"\b%s\s*=\s*files\((.*?)\)" % re.escape(var), text, re.S)
    if not m:
        raise SystemExit("cross-validate.py: no %s = files(...) in %s" % (var, meson_build))
    return re.findall(r"'([^']+)'", m.group(1))


LIB = meson_files(os.path.join(TOP, "lib", "meson.build"), "lib_sources")
CLI = (["tools/" + f for f in meson_files(os.path.join(TOP, "tools", "meson.build"), "cli_sources")] +
       ["common/record.c"])


def build(tmp, data_dir, train_dir, cc):
    out = os.path.join(tmp, "gen")
    os.makedirs(out, exist_ok=True)
    header = os.path.join(TOP, "include", "smtpreply.h")
    subprocess.run([sys.executable, os.path.join(HERE, "gen-tables.py"), "--header", header, data_dir,
                    os.path.join(out, "smtpreply-table.c"), os.path.join(out, "smtpreply-table.h"),
                    "--train", train_dir], check=True)
    subprocess.run([sys.executable, os.path.join(HERE, "gen-bounce.py"), data_dir, header,
                    os.path.join(out, "smtpreply-bounce-table.c"),
                    os.path.join(out, "smtpreply-bounce-table.h")], check=True)
    exe = os.path.join(tmp, "smtpreply")
    subprocess.run([cc, "-O1", "-w", "-I" + os.path.join(TOP, "include"), "-I" + os.path.join(TOP, "lib"),
                    "-I" + os.path.join(TOP, "common"), "-I" + out] +
                   [os.path.join(TOP, "lib", f) for f in LIB] +
                   [os.path.join(out, "smtpreply-table.c"), os.path.join(out, "smtpreply-bounce-table.c")] +
                   [os.path.join(TOP, f) for f in CLI] + ["-o", exe, "-lm"], check=True)
    return exe


def copy_data(tmp, leave_rule, overrides):
    data = os.path.join(tmp, "data")
    shutil.copytree(os.path.join(TOP, "data"), data)
    if leave_rule:
        os.remove(os.path.join(data, "rules", leave_rule))
    if overrides:
        path = os.path.join(data, "model.tsv")
        lines = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                k = line.split("\t", 1)[0]
                lines.append(k + "\t" + overrides[k] + "\n" if k in overrides else line)
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(lines)
    return data


def copy_tests(tmp, leave):
    tests = os.path.join(tmp, "tests")
    shutil.copytree(os.path.join(TOP, "tests", "data"), tests)
    if leave:
        os.remove(os.path.join(tests, leave))
    return tests


def classify(exe, inputs):
    out = subprocess.run([exe, "--json"], input="".join(i + "\n" for i in inputs).encode(),
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    return [json.loads(l) for l in out.splitlines()]


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    ap.add_argument("--only", default="")
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--validation", action="store_true")
    ap.add_argument("--misses", metavar="FILE")
    a = ap.parse_args(argv)
    misses = []
    overrides = dict(s.split("=", 1) for s in a.set)
    names = sorted(n for n in os.listdir(os.path.join(TOP, "data", "rules"))
                   if n.endswith(".tsv") and os.path.exists(os.path.join(TOP, "tests", "data", n)))
    if a.only:
        names = [n for n in names if n[:-4] in a.only.split(",")]
    total_ok = total = 0
    print("leave-one-source-out (rules and test rows of the file left out)%s:" %
          ("" if not overrides else " with " + ", ".join(a.set)))
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            exe = build(tmp, copy_data(tmp, name, overrides), copy_tests(tmp, name), a.cc)
            rows = read_rows(os.path.join(TOP, "tests", "data", name))
            res = classify(exe, [r["input"] for r in rows])
            ok = sum(1 for r, x in zip(rows, res) if x["category"] == r["category"])
            misses += [(name, r, x) for r, x in zip(rows, res) if x["category"] != r["category"]]
            ev = {}
            for x in res:
                ev[x["evidence"]] = ev.get(x["evidence"], 0) + 1
            print("  %-16s %5.1f%% (%d of %d)  decided by %s" % (
                name, 100.0 * ok / len(rows), ok, len(rows),
                ", ".join("%s %d" % kv for kv in sorted(ev.items(), key=lambda kv: -kv[1]))))
            total_ok += ok
            total += len(rows)
    if total:
        print("  %-16s %5.1f%% (%d of %d)" % ("all", 100.0 * total_ok / total, total_ok, total))
    if a.misses:
        with open(a.misses, "w", encoding="utf-8") as f:
            f.write("where\texpected\tgot\tevidence\trule\tinput\n")
            for name, r, x in misses:
                f.write("%s:%s\t%s\t%s\t%s\t%s\t%s\n" % (name, r.get("line", "?"), r["category"], x["category"],
                                                     x["evidence"], x.get("rule") or "", r["input"]))
    if a.validation:
        with tempfile.TemporaryDirectory() as tmp:
            exe = build(tmp, copy_data(tmp, None, overrides), copy_tests(tmp, None), a.cc)
            subprocess.run([sys.executable, os.path.join(HERE, "validate.py"), "--cli", exe])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
