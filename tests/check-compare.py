#!/usr/bin/env python3
"""A smoke run of bench/compare.py, which no other test runs: one short run of the
reply comparison (ours beside the Python re table) and one of the bounce comparison
(ours beside Sisimai when it is installed), each of which must exit 0 and print its
figures and ratio.  No figure is judged: a benchmark reports, a test asserts that
it still runs.  The bounce part skips when ../shared/corpus/bounces is absent.

    check-compare.py COMPARE_PY SMTPREPLY_BENCH [BOUNCES_DIR]
"""
import os
import subprocess
import sys

SKIP = 77


def run(argv):
    p = subprocess.run([sys.executable] + argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, timeout=600)
    return p.returncode, p.stdout


def main():
    compare, bench = sys.argv[1], sys.argv[2]
    bounces = sys.argv[3] if len(sys.argv) > 3 else None
    failures = []
    rc, out = run([compare, "--bench", bench, "--runs", "1", "--seconds", "0.2",
                   "--no-hyperscan", "--no-sisimai", "--no-python"])
    if rc != 0 or "ours_per_second:" not in out or "ratio ours/python-re:" not in out:
        failures.append("replies: exit %d\n%s" % (rc, out[-2000:]))
    skipped = not bounces or not os.path.isdir(bounces)
    if not skipped:
        rc, out = run([compare, "--bench", bench, "--bounces", bounces, "--runs", "1"])
        if rc != 0 or "ours_mails_per_second: missing" in out or "ours_mails_per_second:" not in out:
            failures.append("bounces: exit %d\n%s" % (rc, out[-2000:]))
    for f in failures:
        print("FAIL compare.py %s" % f)
    if failures:
        return 1
    print("compare.py: the reply comparison ran%s" % (
        "; the bounce comparison skipped (no %s)" % bounces if skipped else " and so did the bounce comparison"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
