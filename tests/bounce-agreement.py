#!/usr/bin/env python3
"""Agreement of the bounce reader with Sisimai on the dev bounce mails.

    bounce-agreement.py READ_BOUNCE CORPUS_DIR MAP.tsv MAP5.tsv DISAGREEMENTS.tsv FLOORS [--list]

READ_BOUNCE is examples/read-bounce (one JSON object per recipient record);
CORPUS_DIR is ../shared/corpus/bounces (the mails, files.tsv, dev.tsv with Sisimai
4.25's rows and dev-sisimai5.tsv with Sisimai 5's); MAP.tsv maps Sisimai 4.25's
reasons to our categories (tests/corpus/sisimai-map.tsv, shared with the
sisimai-agreement test), MAP5.tsv the reasons only Sisimai 5 has.  FLOORS is
"recipients,status,category" in per mille.

Fields, each reported as agree / compared:
  recipients  per mail with Sisimai rows: our set of final recipients (lower case)
              equals Sisimai 4.25's set, or Sisimai 5's (Sisimai 4.25 reads no
              DragonFly mail and no CR-only mail: a CR-only mail is expected to give
              its LF twin's rows, as files.tsv says)
  status      per Sisimai row with a real status (not Sisimai's invented X.0.9NN):
              our status for that recipient equals it (either version's)
  category    per Sisimai row whose reason is judged in MAP.tsv: our category is
              one the map allows for the reason (either version's)
  cr-twins    per CR-only mail: our records equal its LF twin's, field by field

Every disagreement must be listed in DISAGREEMENTS.tsv (file, field, sisimai,
ours, judgement); the test fails on an unlisted one and when a field falls below
its floor, and it reports listed rows that now agree (remove them).  --list
prints the current disagreements in that file's form (judgements "TODO").
Exits 77 (skipped) when CORPUS_DIR is absent.
"""
import csv
import json
import os
import re
import subprocess
import sys

csv.field_size_limit(1 << 24)


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        lines = [l for l in f if not l.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_map(path):
    m = {}
    for r in read_tsv(path):
        m[r["reason"]] = (set(r["categories"].split(",")) - {"-"}, r["judged"] == "yes")
    return m


def addr_of(d):
    """The recipient compared with Sisimai's: the Final-Recipient, or the address
    the sender used when the Final-Recipient is no address (an Exim pipe or file)."""
    f = d["final_recipient"] or ""
    return (f if "@" in f else (d["recipient"] or f)).lower()


def invented(status):
    return bool(re.fullmatch(r"[245]\.0\.9\d\d", status or ""))


def main(argv):
    listing = "--list" in argv
    argv = [a for a in argv if a != "--list"]
    if len(argv) != 7:
        sys.stderr.write(__doc__)
        return 2
    exe, corpus, map_path, map5_path, dis_path, floors = argv[1:]
    if not os.path.isfile(os.path.join(corpus, "dev.tsv")):
        print("bounce-agreement: %s is absent: skipped" % corpus)
        return 77
    floors = [int(x) for x in floors.split(",")]
    files = read_tsv(os.path.join(corpus, "files.tsv"))
    rows4, rows5 = {}, {}
    for r in read_tsv(os.path.join(corpus, "dev.tsv")):
        rows4.setdefault(r["file"], []).append(r)
    for r in read_tsv(os.path.join(corpus, "dev-sisimai5.tsv")):
        rows5.setdefault(r["file"], []).append(r)
    rmap = load_map(map_path)
    rmap.update({k: v for k, v in load_map(map5_path).items() if k not in rmap})

    names = [f["file"] for f in files]
    out = subprocess.run([exe] + names, cwd=corpus, stdout=subprocess.PIPE, check=False)
    if out.returncode not in (0, 1):
        print("bounce-agreement: %s failed (%d)" % (exe, out.returncode))
        return 1
    ours = {}
    for line in out.stdout.decode("utf-8").splitlines():
        d = json.loads(line)
        ours.setdefault(d["file"], [])
        if d.get("recipient") is not None:
            ours[d["file"]].append(d)

    expect_of = {}
    for f in files:
        name = f["file"]
        src = f["twin"] if f["lineends"] == "cr" and f["twin"] else name
        expect_of[name] = (rows4.get(src, []), rows5.get(src, []))

    dis = []   # (file, field, sisimai, ours)
    stats = {k: [0, 0] for k in ("recipients", "status", "category", "cr-twins")}
    for f in files:
        name = f["file"]
        r4, r5 = expect_of[name]
        mine = ours.get(name, [])
        my_set = sorted({addr_of(d) for d in mine})
        if r4 or r5:
            stats["recipients"][1] += 1
            s4 = sorted({r["recipient"].lower() for r in r4})
            s5 = sorted({r["recipient"].lower() for r in r5})
            if my_set in (s4, s5) and my_set:
                stats["recipients"][0] += 1
            else:
                dis.append((name, "recipients", " ".join(s4 or s5), " ".join(my_set) or "-"))
        by_rcpt = {}
        for d in mine:
            by_rcpt.setdefault(addr_of(d), d)
        seen = set()
        for r in r4 or r5:
            rc = r["recipient"].lower()
            if rc in seen:
                continue
            seen.add(rc)
            alt = [x for x in (r5 if r4 else []) if x["recipient"].lower() == rc]
            d = by_rcpt.get(rc)
            statuses = {x["deliverystatus"] for x in [r] + alt
                        if x["deliverystatus"] and not invented(x["deliverystatus"])}
            if statuses:
                stats["status"][1] += 1
                got = d["status"] if d else None
                if got in statuses:
                    stats["status"][0] += 1
                else:
                    dis.append((name, "status:" + rc, "|".join(sorted(statuses)), got or "-"))
            judged = [(x["reason"], rmap[x["reason"]][0]) for x in [r] + alt
                      if x["reason"] in rmap and rmap[x["reason"]][1]]
            if judged and (r4 and r["reason"] in rmap and rmap[r["reason"]][1] or not r4):
                stats["category"][1] += 1
                got = d["category"] if d else None
                if any(got in cats for _, cats in judged):
                    stats["category"][0] += 1
                else:
                    dis.append((name, "category:" + rc, "|".join(sorted({x for x, _ in judged})),
                                got or "-"))
        if f["lineends"] == "cr" and f["twin"]:
            stats["cr-twins"][1] += 1
            def norm(ds):
                # the line-end flags of the mail differ by definition
                return [{k: (v if k != "mail_flags" else
                             [x for x in v if x not in ("cr_only", "mixed_eol")])
                         for k, v in d.items() if k != "file"} for d in ds]
            if norm(mine) == norm(ours.get(f["twin"], [])):
                stats["cr-twins"][0] += 1
            else:
                dis.append((name, "cr-twin", f["twin"], "differs" if mine else "no records"))

    if listing:
        print("file\tfield\tsisimai\tours\tjudgement")
        for d in dis:
            print("\t".join(d) + "\tTODO")
        return 0

    listed = {}
    if os.path.exists(dis_path):
        for r in read_tsv(dis_path):
            listed[(r["file"], r["field"])] = r
    failed = False
    print("agreement with Sisimai on %d dev mails (%s):" % (len(files), corpus))
    for i, k in enumerate(("recipients", "status", "category")):
        a, n = stats[k]
        pm = 1000 * a // n if n else 1000
        ok = pm >= floors[i]
        failed |= not ok
        print("  %-10s %4d / %4d  %5.1f%%  (floor %.1f%%)%s" % (
            k, a, n, 100.0 * a / n if n else 100, floors[i] / 10, "" if ok else "  BELOW THE FLOOR"))
    a, n = stats["cr-twins"]
    print("  %-10s %4d / %4d  (every CR-only mail must read like its LF twin)" % ("cr-twins", a, n))
    failed |= a != n
    new = [d for d in dis if (d[0], d[1]) not in listed]
    now_agree = [k for k in listed if k not in {(d[0], d[1]) for d in dis}]
    for d in dis:
        l = listed.get((d[0], d[1]))
        mark = "listed" if l else "NEW"
        print("  %-6s %s %s: sisimai %s, ours %s%s" % (mark, d[0], d[1], d[2], d[3],
                                                       (" -- " + l["judgement"]) if l else ""))
    for k in now_agree:
        print("  agrees now (remove from %s): %s %s" % (os.path.basename(dis_path), k[0], k[1]))
    if new:
        print("%d disagreement(s) not listed in %s" % (len(new), dis_path))
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
