#!/usr/bin/env python3
"""Leave-one-source-out accuracy: how the classifier does on a family of replies
when the rules and the test rows written from that family are left out.

    cross-validate.py [--cc CC] [--only NAME[,NAME]] [--set margin=N ...] [--validation]
                      [--misses FILE] [--variant NAME:key=N,key=N ...]

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

--variant NAME:key=N,... scores the held-out rows again with the decision
thresholds of the generated table changed (margin, min_words, yield_below,
yield_margin, cause_below, vague_margin, vague_min_words, vague_basic: the
`smtp__model_*` and `smtp__cause_below` constants), on the same trained model:
only the table's C file is compiled again, so comparing settings of the decision
costs a compile per file instead of a training. Repeatable; each variant gets
its own total line.
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


DECISION_KEYS = {"margin": "smtp__model_margin", "min_words": "smtp__model_min_words",
                 "yield_below": "smtp__model_yield_below", "yield_margin": "smtp__model_yield_margin",
                 "cause_below": "smtp__cause_below", "vague_margin": "smtp__model_vague_margin",
                 "vague_min_words": "smtp__model_vague_min_words",
                 "vague_basic": "smtp__model_vague_basic"}


def parse_variant(text):
    name, _, sets = text.partition(":")
    values = dict(kv.split("=", 1) for kv in sets.split(",") if kv)
    for k, v in values.items():
        if k not in DECISION_KEYS or not re.fullmatch(r"-?[0-9]+", v):
            raise SystemExit("cross-validate.py: --variant %s: %s=%s is not a decision threshold" %
                             (text, k, v))
    return name, values


def build(tmp, data_dir, train_dir, cc, variants=()):
    """Generate the table and compile the CLI against it; with variants, also
    one executable per variant whose table differs only in its decision
    thresholds. Returns [exe, variant exes...]."""
    out = os.path.join(tmp, "gen")
    os.makedirs(out, exist_ok=True)
    header = os.path.join(TOP, "include", "smtpreply.h")
    table = os.path.join(out, "smtpreply-table.c")
    subprocess.run([sys.executable, os.path.join(HERE, "gen-tables.py"), "--header", header, data_dir,
                    table, os.path.join(out, "smtpreply-table.h"), "--train", train_dir], check=True)
    subprocess.run([sys.executable, os.path.join(HERE, "gen-bounce.py"), data_dir, header,
                    os.path.join(out, "smtpreply-bounce-table.c"),
                    os.path.join(out, "smtpreply-bounce-table.h")], check=True)
    flags = ["-O1", "-w", "-I" + os.path.join(TOP, "include"), "-I" + os.path.join(TOP, "lib"),
             "-I" + os.path.join(TOP, "common"), "-I" + out]
    rest = os.path.join(out, "rest.a")
    objs = []
    for i, src in enumerate([os.path.join(TOP, "lib", f) for f in LIB] +
                            [os.path.join(out, "smtpreply-bounce-table.c")] +
                            [os.path.join(TOP, f) for f in CLI]):
        obj = os.path.join(out, "o%d.o" % i)
        subprocess.run([cc] + flags + ["-c", src, "-o", obj], check=True)
        objs.append(obj)
    subprocess.run(["ar", "rcs", rest] + objs, check=True)
    with open(table, encoding="utf-8") as f:
        text = f.read()
    exes = []
    for i, (_, values) in enumerate([("", {})] + list(variants)):
        src = table
        if values:
            src = os.path.join(out, "variant%d.c" % i)
            patched = text
            for k, v in values.items():
                patched, n = re.subn(r"(\b%s = )-?[0-9]+;" % DECISION_KEYS[k], r"\g<1>%s;" % v, patched)
                if n != 1:
                    raise SystemExit("cross-validate.py: %s not found in the generated table" % k)
            with open(src, "w", encoding="utf-8") as f:
                f.write(patched)
        exe = os.path.join(tmp, "smtpreply%d" % i)
        subprocess.run([cc] + flags + [src, rest, "-o", exe, "-lm"], check=True)
        exes.append(exe)
    return exes


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
    ap.add_argument("--variant", action="append", default=[], metavar="NAME:key=N,...")
    a = ap.parse_args(argv)
    variants = [parse_variant(v) for v in a.variant]
    vtotal = [0] * len(variants)
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
            exe, *vexes = build(tmp, copy_data(tmp, name, overrides), copy_tests(tmp, name), a.cc,
                                variants)
            rows = read_rows(os.path.join(TOP, "tests", "data", name))
            res = classify(exe, [r["input"] for r in rows])
            for i, vexe in enumerate(vexes):
                vres = classify(vexe, [r["input"] for r in rows])
                vtotal[i] += sum(1 for r, x in zip(rows, vres) if x["category"] == r["category"])
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
        for (vname, values), vok in zip(variants, vtotal):
            print("  %-16s %5.1f%% (%d of %d)  %s" % ("variant " + vname, 100.0 * vok / total, vok, total,
                                                    ", ".join("%s=%s" % kv for kv in values.items())))
    if a.misses:
        with open(a.misses, "w", encoding="utf-8") as f:
            f.write("where\texpected\tgot\tevidence\trule\tinput\n")
            for name, r, x in misses:
                f.write("%s:%s\t%s\t%s\t%s\t%s\t%s\n" % (name, r.get("line", "?"), r["category"], x["category"],
                                                     x["evidence"], x.get("rule") or "", r["input"]))
    if a.validation:
        with tempfile.TemporaryDirectory() as tmp:
            exe, *vexes = build(tmp, copy_data(tmp, None, overrides), copy_tests(tmp, None), a.cc,
                                variants)
            subprocess.run([sys.executable, os.path.join(HERE, "validate.py"), "--cli", exe])
            for (vname, _), vexe in zip(variants, vexes):
                print("variant %s:" % vname, flush=True)
                subprocess.run([sys.executable, os.path.join(HERE, "validate.py"), "--cli", vexe])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
