#!/usr/bin/env python3
"""Score the classifier on the validation set (tests/validation/*.tsv).

    validate.py --cli build/tools/smtpreply [--set DIR] [--misses] [--floor PCT] [--max-suppress PCT]

Every row is a real reply from a source that no rule or test row cites, labelled
by a reader before the classifier was run (see tests/validation/README.md). The
script runs the CLI once over all rows (--json) and reports:

- accuracy: the share of rows whose category is the label, overall, per kind
  (server: a real server sent it; software: a program's default text) and per file;
- false suppress: among the rows labelled as a failure that is not the recipient's
  fault (every category but success and the recipient's own: user_unknown,
  mailbox_full, mailbox_disabled, mailbox_moved, domain_unknown), the share whose
  recipient verdict is `suppress` -- telling a sender to drop a valid address;
- the evidence that decided the rows, and the most common confusions (--misses
  lists every miss).

With --floor / --max-suppress it exits 1 when accuracy falls below, or false
suppress rises above, the given percentage (the `validation` meson test).
"""
import argparse
import collections
import json
import os
import subprocess
import sys

RECIPIENT_FAULT = {"user_unknown", "mailbox_full", "mailbox_disabled", "mailbox_moved",
                   "domain_unknown"}


def read_rows(path):
    """The rows of one TSV file with a header line, as dicts with their "line"."""
    rows = []
    header = None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if header is None:
                header = cells
                continue
            row = dict(zip(header, cells))
            row["line"] = lineno
            rows.append(row)
    return rows


def read_set(folder):
    """The rows of every .tsv file of folder, each with its "file" and "line"."""
    rows = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".tsv"):
            for row in read_rows(os.path.join(folder, name)):
                row["file"] = name
                rows.append(row)
    return rows


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--cli", required=True, help="the smtpreply program")
    ap.add_argument("--set", default=os.path.join(here, "..", "tests", "validation"))
    ap.add_argument("--misses", action="store_true", help="list every miss")
    ap.add_argument("--floor", type=float, help="fail below this accuracy (percent)")
    ap.add_argument("--max-suppress", type=float, help="fail above this false-suppress rate (percent)")
    a = ap.parse_args(argv)

    rows = read_set(a.set)
    if not rows:
        print("validation: no rows in %s" % a.set)
        return 77
    # the inputs are escaped as the CLI reads them (one record per line)
    stdin = "".join(r["input"] + "\n" for r in rows).encode("utf-8")
    out = subprocess.run([a.cli, "--json"], input=stdin, stdout=subprocess.PIPE, check=True).stdout
    results = [json.loads(l) for l in out.decode("utf-8").splitlines() if not l.startswith('{"summary"')]
    if len(results) != len(rows):
        print("validation: %d results for %d rows" % (len(results), len(rows)))
        return 1

    ok = collections.Counter()
    n = collections.Counter()
    evid = collections.Counter()
    evid_ok = collections.Counter()
    conf = collections.Counter()
    sup_n = sup_bad = 0
    misses = []
    for r, res in zip(rows, results):
        got = res.get("category") or "unknown"
        want = r["category"]
        right = got == want
        for key in ("all", "kind:" + r.get("kind", "?"), "file:" + r["file"]):
            n[key] += 1
            ok[key] += right
        e = res.get("evidence") or "none"
        evid[e] += 1
        evid_ok[e] += right
        if not right:
            conf[(want, got)] += 1
            misses.append((r, res))
        if want != "success" and want not in RECIPIENT_FAULT:
            sup_n += 1
            if res.get("recipient_action") == "suppress":
                sup_bad += 1
                if right:
                    misses.append((r, res))

    def pct(a_, b_):
        return 100.0 * a_ / b_ if b_ else 0.0

    acc = pct(ok["all"], n["all"])
    fs = pct(sup_bad, sup_n)
    print("validation: %d rows from %s" % (n["all"], os.path.relpath(a.set)))
    print("accuracy: %.1f%% (%d of %d)" % (acc, ok["all"], n["all"]))
    for key in sorted(k for k in n if k != "all"):
        print("  %-22s %5.1f%% (%d of %d)" % (key, pct(ok[key], n[key]), ok[key], n[key]))
    print("false suppress: %.2f%% (%d of %d failures that are not the recipient's fault)"
          % (fs, sup_bad, sup_n))
    print("decided by:")
    for e, c in evid.most_common():
        print("  %-14s %4d rows, %5.1f%% right" % (e, c, pct(evid_ok[e], c)))
    print("most common confusions (label -> ours):")
    for (w, g), c in conf.most_common(12):
        print("  %3d  %s -> %s" % (c, w, g))
    if a.misses:
        print("misses:")
        for r, res in misses:
            print("  %s:%d  %s -> %s [%s, %s, %s]  %s" % (
                r["file"], r["line"], r["category"], res.get("category"), res.get("evidence"),
                res.get("rule"), res.get("recipient_action"), r["input"][:150]))
    status = 0
    if a.floor is not None and acc < a.floor:
        print("FAIL: accuracy %.1f%% is below the floor %.1f%%" % (acc, a.floor))
        status = 1
    if a.max_suppress is not None and fs > a.max_suppress:
        print("FAIL: false suppress %.2f%% is above %.2f%%" % (fs, a.max_suppress))
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
