#!/usr/bin/env python3
"""Every seed-article fix in data/advice-coverage.md points at an advice record and a
step that exist in data/advice.tsv, every seed article is covered, and every record
a rule names exists. Usage: check-advice-coverage.py DATA_DIR"""
import os
import re
import sys

data = sys.argv[1]
steps = {}
with open(os.path.join(data, "advice.tsv"), encoding="utf-8") as f:
    header = None
    for line in f:
        if line.startswith("#") or not line.strip():
            continue
        cells = line.rstrip("\n").split("\t")
        if header is None:
            header = cells
            continue
        row = dict(zip(header, cells))
        steps[row["id"]] = [s for s in row["steps"].split(" | ") if s.strip() and row["steps"] != "-"]

failures = 0
articles = set()
rows = 0
with open(os.path.join(data, "advice-coverage.md"), encoding="utf-8") as f:
    for line in f:
        m = re.match(r"\| `(\d{3}_[0-9a-f]+\.txt)` \| (.*?) \| (.*) \|$", line.strip())
        if not m:
            continue
        rows += 1
        articles.add(m.group(1)[:3])
        refs = re.findall(r"`([a-z0-9_.-]+)`: (\d+)", m.group(3))
        if not refs:
            print(f"FAIL: no advice record for: {m.group(2)}")
            failures += 1
        for rid, n in refs:
            if rid not in steps:
                print(f"FAIL: {m.group(2)}: no advice record {rid}")
                failures += 1
            elif int(n) > len(steps[rid]):
                print(f"FAIL: {m.group(2)}: {rid} has {len(steps[rid])} steps, not {n}")
                failures += 1
for a in ("000", "001", "002", "003", "004"):
    if a not in articles:
        print(f"FAIL: seed article {a} has no fix mapped")
        failures += 1
print(f"{rows} seed fixes checked against {len(steps)} advice records")
print(f"{rows - failures if failures <= rows else 0} passed, {failures} failed")
sys.exit(1 if failures else 0)
