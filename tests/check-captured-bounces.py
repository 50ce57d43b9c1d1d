#!/usr/bin/env python3
"""The bounce mails real MTAs wrote (tests/captured/bounces/: Postfix, Exim,
Sendmail and OpenSMTPD delivering to the capture lab's sink, which refused
them with scripted replies) read right through `smtpreply --mail --json`:

- every mail gives at least one recipient record, and the recipient the lab
  sent to is among them;
- when the mail quotes the reply the sink sent (tests/captured/lines.tsv:
  reply_sent), that record's category is the category of that reply classified
  alone; when the MTA wrote the mail without it (a dropped or refused
  connection, a time-out, a later attempt that failed otherwise, expiry) the
  category must be one that fits: network, expired or server_error;
- a delay warning (-delay.eml) reads as action delayed, a bounce as failed.

Usage: check-captured-bounces.py SMTPREPLY TESTS_DIR [FLOOR_PERCENT]
Prints a closing line 'N passed, N failed'; exits 1 below the floor (default 100).
"""
import collections
import json
import os
import subprocess
import sys

NO_REPLY_CATEGORIES = {"network", "expired", "server_error"}

# Mails whose text does not hold what the lab knows, and what is read from them instead.
JUDGED = {
    "exim-rcpt-450-multiline-ratelimit-delay.eml":
        "Exim's delay warning quotes only the first line of Gmail's multiline 450 ('The user you are "
        "trying to contact is'): 4.2.1 alone reads as a disabled mailbox, as IANA has it",
    "exim-rcpt-drop-delay.eml":
        "Exim's delay warning names only the host ('host 127.0.0.1 [127.0.0.1]'), no reason: unknown",
}


def main(argv):
    cli, tests = argv[1], argv[2]
    floor = float(argv[3]) if len(argv) > 3 else 100.0
    truth = {}
    with open(os.path.join(tests, "captured", "lines.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(header, line.rstrip("\n").split("\t")))
            if r["role"] not in ("bounce", "client"):
                continue
            key = (r["program"].split()[0].lower(), r["case"])
            t = truth.setdefault(key, {"reply": None, "recipient": None, "stage": None})
            if r["reply_sent"] not in ("", "-") and t["reply"] is None:
                t["reply"] = r["reply_sent"].replace("\\n", "\n").replace("\\r", "\r")
            if r["recipient"] not in ("", "-") and t["recipient"] is None:
                t["recipient"] = r["recipient"]
            if r["stage"] not in ("", "-") and t["stage"] is None:
                t["stage"] = r["stage"]
    folder = os.path.join(tests, "captured", "bounces")
    ok = bad = 0
    per = collections.Counter()
    per_ok = collections.Counter()
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".eml"):
            continue
        program, case = name[:-4].split("-", 1)
        base = case
        for suffix in ("-delay-2", "-delay"):
            if base.endswith(suffix):
                base = base[:-len(suffix)]
        delay = base != case
        t = truth.get((program, case)) or truth.get((program, base))
        out = subprocess.run([cli, "--mail", "--json", os.path.join(folder, name)], stdout=subprocess.PIPE,
                             check=True).stdout.decode("utf-8")
        recs = [json.loads(l) for l in out.splitlines() if l.strip()]
        why = []
        if t is None:
            why.append("no ground truth for the case")
        else:
            mine = [r for r in recs if t["recipient"] and (r.get("recipient") or "").lower() == t["recipient"].lower()]
            if not mine:
                why.append("recipient %s not found (records: %s)" % (t["recipient"], [r.get("recipient") for r in recs]))
            else:
                r = mine[0]
                want_action = "delayed" if delay else "failed"
                if r.get("action") != want_action:
                    why.append("action %s, want %s" % (r.get("action"), want_action))
                # the reply the sink sent is in the mail only when the MTA quotes it: a
                # later attempt may have failed otherwise (the sink gone, a time-out)
                quoted = t["reply"] and t["reply"][:3] in (r.get("diagnostic") or "")
                if quoted:
                    res = json.loads(subprocess.run([cli, "--json", "--literal", t["reply"]], stdout=subprocess.PIPE,
                                                    check=True).stdout.decode("utf-8").splitlines()[0])
                    if r.get("category") != res["category"] and not (r.get("gave_up") and r.get("category") == "expired"):
                        why.append("category %s, the reply sent reads %s" % (r.get("category"), res["category"]))
                elif r.get("category") not in NO_REPLY_CATEGORIES:
                    why.append("category %s for a mail without a reply" % r.get("category"))
        per[program] += 1
        if why and name in JUDGED:
            print("judged %s: %s" % (name, JUDGED[name]))
            why = []
        if why:
            bad += 1
            print("FAIL %s: %s" % (name, "; ".join(why)))
        else:
            ok += 1
            per_ok[program] += 1
    for p in sorted(per):
        print("  %-10s %3d of %3d mails read right" % (p, per_ok[p], per[p]))
    pct = 100.0 * ok / (ok + bad) if ok + bad else 0.0
    print("captured bounces: %.1f%% (floor %.1f%%)" % (pct, floor))
    print("%d passed, %d failed" % (ok, bad))
    return 0 if pct >= floor else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
