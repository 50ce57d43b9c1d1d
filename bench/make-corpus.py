#!/usr/bin/env python3
"""Build bench/corpus/replies.txt, the benchmark's default corpus.

One reply per line, with the record escapes of the CLI and the test tables
(\\r \\n \\t \\\\; common/record.h), taken from

  1. column 1 ("diagnostic") of ../shared/corpus/sisimai-dev.tsv (header skipped), then
  2. column 1 ("input") of tests/data/*.tsv in file-name order (lines starting with
     '#', blank lines and each file's header row skipped).

Exact duplicates are dropped (the first occurrence is kept), so that the
benchmark does not time the same reply twice; the order is otherwise the input
order, so the output is deterministic for the same inputs.

Usage:
  bench/make-corpus.py [--sisimai PATH] [--tests DIR] [-o OUT]   write the corpus
  bench/make-corpus.py --check                                  exit 1 if OUT is stale

Standard library only.
"""
import argparse
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load_record_codec():
    """The test-table reader of the binding (loaded by path: it needs no library)."""
    path = os.path.join(ROOT, "bindings", "python", "smtpreply", "_record.py")
    spec = importlib.util.spec_from_file_location("smtpreply_record", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


RECORD = load_record_codec()


def read_column1(path, comments):
    return [cells[0] for _, cells in RECORD.table_rows(path, comments) if cells[0].strip()]


def build(sisimai, tests):
    lines = []
    sources = []
    if sisimai:
        got = read_column1(sisimai, comments=False)
        lines += got
        sources.append((sisimai, len(got)))
    for path in RECORD.table_files(tests):
        got = read_column1(path, comments=True)
        lines += got
        sources.append((path, len(got)))
    seen = set()
    out = []
    for line in lines:
        if line not in seen:
            seen.add(line)
            out.append(line)
    return out, sources


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sisimai", default=os.path.join(ROOT, "..", "shared", "corpus", "sisimai-dev.tsv"),
                    help="the Sisimai development corpus (default: ../shared/corpus/sisimai-dev.tsv)")
    ap.add_argument("--tests", default=os.path.join(ROOT, "tests", "data"),
                    help="folder of test tables (default: tests/data)")
    ap.add_argument("-o", "--output", default=os.path.join(HERE, "corpus", "replies.txt"))
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 when the output differs from what would be written")
    args = ap.parse_args()

    if not os.path.exists(args.sisimai):
        sys.exit("make-corpus: %s is missing (it lives in the shared/ folder beside the repository); "
                 "pass --sisimai PATH" % args.sisimai)
    if not os.path.isdir(args.tests):
        sys.exit("make-corpus: %s is not a folder" % args.tests)

    lines, sources = build(args.sisimai, args.tests)
    text = "".join(line + "\n" for line in lines).encode("utf-8", "surrogateescape")

    if args.check:
        try:
            with open(args.output, "rb") as f:
                old = f.read()
        except OSError:
            old = None
        if old != text:
            print("make-corpus: %s is stale; run bench/make-corpus.py" % args.output)
            return 1
        print("make-corpus: %s is up to date (%d replies)" % (args.output, len(lines)))
        return 0

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(text)
    os.replace(tmp, args.output)
    for path, n in sources:
        print("  %5d rows  %s" % (n, os.path.relpath(path, ROOT)))
    print("make-corpus: wrote %s: %d distinct replies, %d bytes" % (
        os.path.relpath(args.output, ROOT), len(lines), len(text)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
