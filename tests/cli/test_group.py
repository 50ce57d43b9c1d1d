#!/usr/bin/env python3
"""Tests of smtpreply --group (records grouped by the fingerprint of their reply).

Run by meson test (tests/cli/meson.build) as

    test_group.py GROUP --cli PATH --data DIR --captured DIR

where GROUP is one of the names in GROUPS below; DIR are examples/data and
tests/captured.  Uses the helpers of test_cli.py (same folder).  Standard
library only.  Exit 0 = pass, 1 = fail, 77 = skipped.
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402
from test_cli import FAILURES, SKIP, check, parse_json_lines, run  # noqa: E402

GROUP_KEYS = {
    "template": (str,), "hash": (str,), "count": (int,), "category": (str,),
    "evidence": (str,), "rule": (str, type(None)), "error": (str, type(None)),
    "differing": (int,), "template_bytes": (int,), "example": (str,), "example_bytes": (int,),
}
WEAK_EVIDENCE = {"basic_code", "words", "none"}

GREYLIST = "451 4.7.1 greylisting in action, please come back later"
PF_UNKNOWN = "550 5.1.1 <addr>: recipient address rejected: user unknown in local recipient table"


def fnv1a64(b):
    h = 0xcbf29ce484222325
    for c in b:
        h = ((h ^ c) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def read(path):
    with open(path, "rb") as f:
        return f.read()


def groups_json(a, stdin=b"", extra=()):
    rc, out, err = run([a.cli, "--group", "--json"] + list(extra), stdin)
    check(rc == 0, "--group --json %s: exit 0, got %d (%r)" % (" ".join(extra), rc, err[:300]))
    return parse_json_lines(out, "group json"), err


def by_template(groups):
    return {g["template"]: g for g in groups}


def real_log(a):
    """The real logs of the capture lab: Postfix 3.7 and Exim 4.96 delivering to a sink."""
    return (read(os.path.join(a.captured, "postfix", "client.log")) +
            read(os.path.join(a.captured, "exim", "client.log")))


# ---------------------------------------------------------------------------
# groups


def t_collapse(a):
    """Per-recipient and per-retry variants of real log lines collapse into one
    template per server message; the counts add up to the records."""
    log = real_log(a)
    lines = log.split(b"\n")[:-1]
    groups, _ = groups_json(a, log)
    check(sum(g["count"] for g in groups) == len(lines), "counts add up to %d records" % len(lines))
    t = by_template(groups)
    # every line that carries the greylisting reply, from both MTAs and every retry
    grey = [l for l in lines if b"Greylisting in action, please come back later" in l and
            (b"status=deferred" in l or b"SMTP error" in l)]
    check(len(grey) >= 10, "the capture has retries of the greylisting reply (%d)" % len(grey))
    if check(GREYLIST in t, "a group for the greylisting reply"):
        check(t[GREYLIST]["count"] == len(grey), "greylisting: %d records in one group, got %d" % (
            len(grey), t[GREYLIST]["count"]))
        check(t[GREYLIST]["category"] == "greylisted", "greylisting: category of the example")
    # the Postfix reply about an unknown user, sent to several recipients
    pf = [l for l in lines if b"User unknown in local recipient table" in l and b"said:" in l]
    if check(PF_UNKNOWN in t, "a group for Postfix's user unknown reply"):
        check(t[PF_UNKNOWN]["count"] >= len(pf) and t[PF_UNKNOWN]["category"] == "user_unknown",
              "user unknown: %d records, got %r" % (len(pf), t[PF_UNKNOWN]))
    # far fewer groups than lines
    check(len(groups) * 5 < len(lines), "%d groups for %d lines" % (len(groups), len(lines)))
    print("%d real log lines -> %d groups" % (len(lines), len(groups)))

    # 1,000 recipients of one real bounce line (examples/data/maillog): another
    # recipient, queue id, pid, time and remote address each time
    line = [l for l in read(os.path.join(a.data, "maillog")).split(b"\n")
            if b"kleinbetrieb.de" in l][0].decode()
    variants = []
    for i in range(1000):
        v = line.replace("info@kleinbetrieb.de", "user%d.name@firma-%d.de" % (i, i % 37))
        v = v.replace("4YA1C33abcD8eF3", "4YA%04dXyZ%dq" % (i, i % 9))
        v = v.replace("[21905]", "[%d]" % (20000 + i)).replace("06:20:34", "%02d:%02d:%02d" % (
            i % 24, i % 60, (7 * i) % 60))
        v = v.replace("mail.kleinbetrieb.de[198.51.100.20]", "mx%d.firma-%d.de[198.51.%d.%d]" % (
            i % 3, i % 37, i % 256, (3 * i) % 256))
        variants.append(v.encode())
    groups, _ = groups_json(a, b"\n".join(variants) + b"\n")
    if check(len(groups) == 1, "1,000 recipients of one reply: 1 group, got %d" % len(groups)):
        g = groups[0]
        check(g["count"] == 1000 and g["template"] == (
            "550 5.1.1 <addr>: recipient address rejected: user unknown in virtual mailbox table"),
            "the template and count: %r" % g)
        check(g["example"] == variants[0].decode(), "the example is the first record")


def t_weak(a):
    """--weak keeps exactly the groups whose example was decided by the code alone,
    the word model or nothing (or is unknown / rejected)."""
    log = real_log(a) + read(os.path.join(a.data, "maillog"))
    every, _ = groups_json(a, log)
    weak, _ = groups_json(a, log, ["--weak"])
    want = [g for g in every if g["evidence"] in WEAK_EVIDENCE or g["category"] == "unknown"
            or g["error"] is not None]
    check(len(weak) > 0 and len(weak) < len(every), "some groups are weak, not all (%d of %d)" % (
        len(weak), len(every)))
    check([g["hash"] for g in weak] == [g["hash"] for g in want],
          "--weak is the filter of the full list, in the same order")
    for g in weak:
        check(g["evidence"] in WEAK_EVIDENCE or g["category"] == "unknown",
              "weak group decided by %s: %s" % (g["evidence"], g["template"][:80]))
    check(GREYLIST not in by_template(weak), "a phrase rule's group is not weak")
    # readable: the same groups, and the footer says how many
    rc, out, _ = run([a.cli, "--group", "--weak"], log)
    text = out.decode("utf-8", "replace")
    check(len(re.findall(r"^group \d+: ", text, re.M)) == len(weak), "readable --weak: same groups")
    m = re.search(r"^(\d+) weak groups of (\d+) \((\d+) of (\d+) records\)", text, re.M)
    if check(m is not None, "readable --weak: the footer"):
        check(int(m.group(1)) == len(weak) and int(m.group(2)) == len(every), "footer counts")


def t_json(a):
    """--group --json: one object per group with the documented keys and types,
    largest first, the hash is FNV-1a 64 of the template, the counts add up."""
    log = read(os.path.join(a.data, "maillog")) + b"\n\n550 5.1.1 x\\r\\n" + b"\n" + b"hello\n"
    nrec = log.count(b"\n")
    groups, err = groups_json(a, log)
    check(err == b"", "no note on stderr: %r" % err)
    check(len(groups) > 5, "several groups")
    for g in groups:
        for k, types in GROUP_KEYS.items():
            if check(k in g, "key %s" % k):
                check(isinstance(g[k], types), "%s has type %s: %r" % (k, types, g[k]))
        check(list(g) == list(GROUP_KEYS), "key order %r" % list(g))
        check(re.match(r"^[0-9a-f]{16}$", g["hash"]) is not None, "hash is 16 hex digits")
        check(int(g["hash"], 16) == fnv1a64(g["template"].encode()), "hash is FNV-1a 64 of %r" % (
            g["template"][:60],))
        check(g["template_bytes"] == len(g["template"].encode()), "template_bytes")
        check(g["count"] >= 1 and 0 <= g["differing"] < g["count"], "count, differing")
        check((g["error"] is None) == (g["rule"] is not None), "rule iff not rejected")
    counts = [g["count"] for g in groups]
    check(counts == sorted(counts, reverse=True), "largest first")
    check(sum(counts) == nrec, "counts add up to %d records" % nrec)
    t = by_template(groups)
    check("" in t and t[""]["error"] == "empty", "the empty line is a group of its own, rejected")
    check("550 5.1.1 x" in t and t["550 5.1.1 x"]["error"] is None,
          "escapes are decoded as without --group")
    # arguments are records too
    rc, out, _ = run([a.cli, "-g", "-j", "550 5.1.1 <a@example.com>: User unknown",
                      "550 5.1.1 <b@example.org>: User unknown"])
    g = parse_json_lines(out, "args")
    check(len(g) == 1 and g[0]["count"] == 2 and g[0]["template"] == "550 5.1.1 <addr>: user unknown",
          "two arguments, one group: %r" % g)


def t_cap(a):
    """A tiny --max-groups: the table keeps the first groups, the records with
    other templates are counted, and a note says how many, on standard error and
    (readable output) as the last line; the exit status stays 0."""
    log = real_log(a)
    nrec = log.count(b"\n")
    for cap in (1, 3):
        groups, err = groups_json(a, log, ["--max-groups=%d" % cap])
        check(len(groups) == cap, "--max-groups=%d: %d groups" % (cap, len(groups)))
        dropped = nrec - sum(g["count"] for g in groups)
        m = re.search(rb"the group table is full \((\d+) groups, --max-groups\): (\d+) records", err)
        if check(m is not None, "--max-groups=%d: a note on stderr: %r" % (cap, err)):
            check(int(m.group(1)) == cap and int(m.group(2)) == dropped,
                  "the note counts %d dropped records: %r" % (dropped, err))
    rc, out, err = run([a.cli, "--group", "--max-groups", "2"], log)
    check(rc == 0, "exit 0 with dropped groups")
    check(out.rstrip(b"\n").split(b"\n")[-1].startswith(b"note: the group table is full (2 groups"),
          "readable: the note is the last line: %r" % out[-200:])
    # no note when nothing is dropped
    rc, out, err = run([a.cli, "--group", "--max-groups=100000"], log)
    check(b"note:" not in out and err == b"", "no note when every record has its group")


def t_usage(a):
    """Option errors: --weak or --max-groups without --group, a bad number."""
    cases = [
        (["--weak"], rb"needs --group"), (["--max-groups=5"], rb"needs --group"),
        (["-g", "--max-groups=0"], rb"--max-groups"), (["-g", "--max-groups=x"], rb"--max-groups"),
        (["-g", "--max-groups=-1"], rb"--max-groups"), (["-g", "--max-groups"], rb"needs an argument"),
        (["-g", "--max-groups=20000000"], rb"--max-groups"),
        (["--mail", "--group"], rb"does not go with '--group'"),
    ]
    for argv, err_re in cases:
        rc, out, err = run([a.cli] + argv, b"")
        check(rc == 2 and re.search(err_re, err) is not None and out == b"",
              "%r: exit 2 and %r, got %d %r" % (argv, err_re, rc, err))
    rc, out, _ = run([a.cli, "--help"])
    check(b"--group" in out and b"--weak" in out and b"--max-groups" in out, "--help names them")


def t_input(a):
    """Records as the tool reads them otherwise: --raw replies, a long line cut at
    1 MiB (with a note), a last line without a line feed, CRLF line ends."""
    stream = test_cli.wire(os.path.join(a.data, "transcript.txt"))
    rc, out, _ = run([a.cli, "--raw", "--group", "--json"], stream * 3)
    groups = parse_json_lines(out, "raw")
    check(rc == 0 and sum(g["count"] for g in groups) == 27, "--raw: 27 replies grouped")
    check(any(g["template"].startswith("550 5.7.26 ") and g["count"] == 3 for g in groups),
          "--raw: the multiline Gmail reply is one group of 3")
    big = b"550 5.1.1 " + b"x" * (3 << 20)
    rc, out, err = run([a.cli, "--group", "--json"], big + b"\n550 5.1.1 y\r\n550 5.1.1 z")
    groups = parse_json_lines(out, "long")
    check(rc == 0 and sum(g["count"] for g in groups) == 3, "a 3 MB line, a CRLF line and a last "
          "line without LF: 3 records, got %r" % [g["count"] for g in groups])
    check(any(g["example_bytes"] == 1 << 20 for g in groups), "the long record was cut at 1 MiB")
    check(b"1 records longer than 1048576 bytes were cut" in err, "a note says so: %r" % err)
    check(any(g["template"] == "550 5.1.1 y" for g in groups), "the CR before the LF is dropped")


GROUPS = {"collapse": t_collapse, "weak": t_weak, "json": t_json, "cap": t_cap,
          "usage": t_usage, "input": t_input}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("group", choices=sorted(GROUPS))
    ap.add_argument("--cli", required=True)
    ap.add_argument("--data", required=True, help="examples/data")
    ap.add_argument("--captured", required=True, help="tests/captured")
    a = ap.parse_args()
    if not os.path.isdir(a.captured):
        print("no captured logs in %s" % a.captured)
        return SKIP
    status = GROUPS[a.group](a)
    if status == SKIP:
        return SKIP
    print("group-%s: %s" % (a.group, "%d failure(s)" % len(FAILURES) if FAILURES else "ok"))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
