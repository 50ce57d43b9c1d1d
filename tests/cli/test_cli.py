#!/usr/bin/env python3
"""Tests of the smtpreply command-line tool and of the example programs.

Run by meson test (tests/cli/meson.build) as

    test_cli.py GROUP --cli PATH [--examples DIR] [--data DIR] [--rows DIR]
                     [--python-path DIR --library PATH]

where GROUP is one of the names in GROUPS below.  Standard library only; works
with any Python 3.7+.  Every check runs the real program on real replies and
fails with a message naming the case.  Exit 0 = pass, 1 = fail, 77 = skipped.
"""
import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys

SKIP = 77

# ---------------------------------------------------------------------------
# real replies (sources in tests/data/*.tsv)

GMAIL_NO_USER = ("550-5.1.1 The email account that you tried to reach does not exist. Please try\\r\\n"
                 "550-5.1.1 double-checking the recipient's email address for typos or\\r\\n"
                 "550-5.1.1 unnecessary spaces. Learn more at\\r\\n"
                 "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp")
GMAIL_UNAUTH = ("550-5.7.26 This mail has been blocked because the sender is unauthenticated.\\r\\n"
                "550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.\\r\\n"
                "550-5.7.26\\r\\n550-5.7.26  Authentication results:\\r\\n"
                "550-5.7.26  DKIM = did not pass\\r\\n"
                "550-5.7.26  SPF [example.org] with ip: [203.0.113.25] = did not pass\\r\\n"
                "550-5.7.26\\r\\n"
                "550-5.7.26  To mitigate this issue, please visit Gmail's authentication guide\\r\\n"
                "550-5.7.26 for instructions on setting up authentication:\\r\\n"
                "550 5.7.26  https://support.google.com/mail/answer/81126#authentication a1si123 - gsmtp")
POSTFIX_LOCAL = ("550 5.1.1 <kijitora@example.co.jp>: Recipient address rejected: "
                 "User unknown in local recipient table")
SPAMHAUS = ("554 5.7.1 Service unavailable; Client host [203.0.113.25] blocked using "
            "zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.25")
GREYLIST = "451 4.7.1 Greylisting in action, please come back later"
POSTFIX_LOG = ("Nov 23 06:20:34 mail postfix/smtp[21905]: 4YA1C33abcD8eF3: to=<info@kleinbetrieb.de>, "
               "relay=mail.kleinbetrieb.de[198.51.100.20]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=5.1.1, "
               "status=bounced (host mail.kleinbetrieb.de[198.51.100.20] said: 550 5.1.1 "
               "<info@kleinbetrieb.de>: Recipient address rejected: User unknown in virtual mailbox "
               "table (in reply to RCPT TO command))")
DSN_FIELD = "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full"

# the keys every --json object has, with the JSON types allowed for each
KEYS = {
    "input": (str,), "ok": (bool,), "error": (str, type(None)), "code": (int, type(None)),
    "enhanced": (str, type(None)), "text": (str, type(None)), "category": (str,),
    "permanence": (str,), "recipient_action": (str,), "message_action": (str,),
    "retry_after": (int,), "fault": (str,), "provider": (str, type(None)),
    "blocklist": (str, type(None)), "rule": (str, type(None)), "evidence": (str,),
    "enhanced_title": (str, type(None)), "stage": (str,), "recipient": (str, type(None)),
    "flags": (list,), "advice": (dict, type(None)),
}
ADVICE_KEYS = {"id": (str,), "summary": (str,), "steps": (list,), "actors": (list,),
               "reference": (str,), "remove_address": (bool,)}

# ---------------------------------------------------------------------------
# helpers

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL: " + what)
    return cond


def run(argv, stdin=b"", **kw):
    p = subprocess.run(argv, input=stdin if not isinstance(stdin, int) else None,
                       stdin=stdin if isinstance(stdin, int) else None,
                       stdout=kw.pop("stdout", subprocess.PIPE), stderr=subprocess.PIPE,
                       timeout=kw.pop("timeout", 120), **kw)
    return p.returncode, p.stdout, p.stderr


def _load_record_codec():
    """The record escapes, from the binding's codec (loaded by path: it needs no library)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python",
                        "smtpreply", "_record.py")
    spec = importlib.util.spec_from_file_location("smtpreply_record", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


RECORD = _load_record_codec()
unescape = RECORD.unescape  # the CLI decodes \r \n \t \\ and keeps any other backslash


def expected_json_text(b):
    """What the CLI promises for arbitrary bytes: well-formed UTF-8 sequences kept,
    every other byte replaced by U+FFFD (one per byte).  Independent of the C code:
    uses Python's strict decoder on each candidate sequence."""
    out, i = [], 0
    while i < len(b):
        for n in (1, 2, 3, 4):
            try:
                ch = b[i:i + n].decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                out.append(ch)
                i += n
                break
        else:
            out.append("\ufffd")
            i += 1
    return "".join(out)


def parse_json_lines(out, case):
    """Each output line must be valid UTF-8 and one valid JSON object."""
    objs = []
    if not check(out.endswith(b"\n") or out == b"", case + ": output ends with a newline"):
        return objs
    for n, line in enumerate(out.split(b"\n")[:-1], 1):
        try:
            obj = json.loads(line.decode("utf-8"))  # strict: raw control chars are errors
        except (UnicodeDecodeError, ValueError) as e:
            check(False, "%s: line %d is not valid JSON/UTF-8: %s: %r" % (case, n, e, line[:200]))
            continue
        check(isinstance(obj, dict), "%s: line %d is an object" % (case, n))
        objs.append(obj)
    return objs


def check_schema(obj, case):
    for k, types in KEYS.items():
        if not check(k in obj, "%s: key %s present" % (case, k)):
            continue
        check(isinstance(obj[k], types), "%s: %s has type %s, got %r" % (case, k, types, obj[k]))
    if isinstance(obj.get("advice"), dict):
        for k, types in ADVICE_KEYS.items():
            check(isinstance(obj["advice"].get(k), types), "%s: advice.%s type" % (case, k))
        check(all(isinstance(s, str) and s for s in obj["advice"].get("steps", [])),
              "%s: advice.steps are strings" % case)
    check(obj.get("ok") == (obj.get("error") is None), "%s: ok iff error is null" % case)
    # a verdict has a deciding rule and advice; rejected input has neither
    check(isinstance(obj.get("rule"), str) == bool(obj.get("ok")), "%s: rule iff ok" % case)
    check(isinstance(obj.get("advice"), dict) == bool(obj.get("ok")), "%s: advice iff ok" % case)
    if obj.get("enhanced") is not None:
        check(re.match(r"^[245]\.\d{1,3}\.\d{1,3}$", obj["enhanced"]) is not None,
              "%s: enhanced looks like 5.1.1: %r" % (case, obj["enhanced"]))
    check(all(isinstance(f, str) for f in obj.get("flags", [])), "%s: flags are names" % case)


def read_rows(rows_dir):
    """(input-as-escaped, expected category, file:line) from tests/data/*.tsv."""
    rows = []
    for path in RECORD.table_files(rows_dir):
        for n, cols in RECORD.table_rows(path):
            if len(cols) >= 2:
                rows.append((cols[0].encode("utf-8", "surrogateescape"), cols[1],
                             "%s:%d" % (os.path.basename(path), n)))
    return rows


def wire(transcript):
    """The server's bytes of a transcript: every "S: " line with CRLF."""
    with open(transcript, "rb") as f:
        return b"".join(l[3:].rstrip(b"\r\n") + b"\r\n" for l in f if l.startswith(b"S: "))

# ---------------------------------------------------------------------------
# groups


def t_json(a):
    """--json over tricky input: valid JSON per line, one object per record, in order."""
    big = (POSTFIX_LOCAL.encode() + b" ") * (100 * 1024 // (len(POSTFIX_LOCAL) + 1) + 1)
    cases = [
        # name, stdin, records (before escape decoding)
        ("real replies", "\n".join([POSTFIX_LOCAL, GMAIL_NO_USER, SPAMHAUS]).encode() + b"\n",
         [POSTFIX_LOCAL.encode(), GMAIL_NO_USER.encode(), SPAMHAUS.encode()]),
        ("empty lines are records", b"\n" + POSTFIX_LOCAL.encode() + b"\n\n\n" + GREYLIST.encode() + b"\n",
         [b"", POSTFIX_LOCAL.encode(), b"", b"", GREYLIST.encode()]),
        ("last line without newline", POSTFIX_LOCAL.encode() + b"\n" + GREYLIST.encode(),
         [POSTFIX_LOCAL.encode(), GREYLIST.encode()]),
        ("CRLF line ends", POSTFIX_LOCAL.encode() + b"\r\n" + GREYLIST.encode() + b"\r\n",
         [POSTFIX_LOCAL.encode(), GREYLIST.encode()]),
        ("invalid UTF-8", b"550 5.7.1 bad \xff\xfe, \xc3\x28, \xe2\x82, \xed\xa0\x80, \xf4\x90\x80\x80, "
         b"\xc0\xaf, \x80 end\n", None),
        ("valid UTF-8 passes", "550 5.1.1 Benutzer unbekannt: M\u00fcller \u7528\u6237\u4e0d\u5b58\u5728 "
         "\U0001F600\n".encode(), None),
        ("NUL bytes", b"550 5.1.1 user\x00unknown\x00\n\x00\n", None),
        ("control bytes", b"550 5.7.1 \x01\x02\x1b[31mred\x7f\x08\x0c\x1f ctrl\n", None),
        ("escapes decode", b"550-5.7.26 line one\\r\\n550 5.7.26 line two\\t- gsmtp\n", None),
        ("escaped backslash", b"550 5.1.1 a\\\\r stays, \\x41 \\q kept, trailing \\\n", None),
        ("U+2028 and U+2029", "550 5.1.1 sep\u2028ara\u2029tors\n".encode(), None),
        ("blank and binary", b"   \t  \n" + bytes(range(1, 10)) * 20 + b"\n", None),
        ("100 KB line", big + b"\n", [big]),
        ("only newlines", b"\n\n\n", [b"", b"", b""]),
        ("no input", b"", []),
        ("DSN field and log line", (DSN_FIELD + "\n" + POSTFIX_LOG + "\n").encode(), None),
    ]
    for name, stdin, records in cases:
        if records is None:
            records = stdin.split(b"\n")
            if records and records[-1] == b"":
                records.pop()
        rc, out, err = run([a.cli, "--json"], stdin)
        check(rc == 0, "%s: exit status 0, got %d (%r)" % (name, rc, err))
        objs = parse_json_lines(out, name)
        check(len(objs) == len(records), "%s: %d objects for %d records" % (name, len(objs), len(records)))
        for i, (obj, rec) in enumerate(zip(objs, records)):
            case = "%s record %d" % (name, i + 1)
            check_schema(obj, case)
            if rec.endswith(b"\r"):  # the CLI drops one CR before the LF
                rec = rec[:-1]
            want = expected_json_text(unescape(rec))
            check(obj.get("input") == want, "%s: input %r != %r" % (case, obj.get("input")[:80],
                                                                    want[:80]))
            if rec.strip() == b"":
                check(obj.get("ok") is False and obj.get("error") in ("empty", "blank"),
                      "%s: an empty/blank record is rejected, got %r" % (case, obj.get("error")))
    # byte-level promises about the encoding
    rc, out, _ = run([a.cli, "-j"], "550 5.1.1 M\u00fcller \U0001F600\n".encode())
    check("M\u00fcller \U0001F600".encode() in out, "valid UTF-8 is written as is, not escaped")
    rc, out, _ = run([a.cli, "-j"], b"550 5.1.1 a\x00b\xffc\x1b\n")
    check(b"a\\u0000b\\ufffdc\\u001b" in out, "NUL, invalid byte, ESC written as \\u0000 \\ufffd \\u001b")
    check(not re.search(rb"[\x00-\x1f\x7f]", out.rstrip(b"\n")), "no raw control bytes in JSON output")
    rc, out, _ = run([a.cli, "-j"], "x\u2028y\n".encode())
    check(b"x\\u2028y" in out, "U+2028 is escaped")
    # the classification of the real replies
    rc, out, _ = run([a.cli, "-j"], "\n".join([POSTFIX_LOCAL, GMAIL_UNAUTH, SPAMHAUS, GREYLIST,
                                               DSN_FIELD, POSTFIX_LOG]).encode() + b"\n")
    objs = parse_json_lines(out, "real")
    want = [  # category, code, enhanced, provider, blocklist, lines, recipient_action
        ("user_unknown", 550, "5.1.1", None, None, 1, "suppress"),
        ("auth_failed", 550, "5.7.26", "google", None, 10, "keep"),
        ("blocklisted", 554, "5.7.1", None, "spamhaus-zen", 1, "keep"),
        ("greylisted", 451, "4.7.1", None, None, 1, "keep"),
        ("mailbox_full", 552, "5.2.2", None, None, 1, None),
        ("user_unknown", 550, "5.1.1", None, None, 1, "suppress"),
    ]
    check(len(objs) == len(want), "real: %d objects" % len(objs))
    for i, (obj, w) in enumerate(zip(objs, want)):
        got = (obj["category"], obj["code"], obj["enhanced"], obj["provider"], obj["blocklist"],
               obj["lines"], obj["recipient_action"] if w[6] else None)
        check(got == w, "real reply %d: got %r, want %r" % (i + 1, got, w))
    if len(objs) == 6:
        check(objs[1]["text"].startswith("This mail has been blocked because"), "text has no codes")
        check("unwrapped" in objs[4]["flags"] and objs[4]["wrapper"] == "dsn", "DSN field unwrapped")
        check("unwrapped" in objs[5]["flags"] and objs[5]["wrapper"] == "postfix",
              "Postfix log line unwrapped")
        check(objs[5]["stage"] == "rcpt", "stage from '(in reply to RCPT TO command)'")
        check(objs[0]["advice"]["remove_address"] is True and objs[0]["rule"] != "none",
              "user unknown: remove_address and a rule")
        check(objs[0]["enhanced_title"] == "Bad destination mailbox address", "IANA title of 5.1.1")
        check(objs[0]["match"] and objs[0]["match"] in objs[0]["input"], "match is part of the input")
        check(objs[3]["retry_after"] >= 0 and objs[3]["permanence"] == "transient", "greylist transient")


def t_order(a):
    """Every real reply of tests/data in one run: one object per line, in input order,
    and the category the table expects (the CLI adds nothing and loses nothing)."""
    rows = read_rows(a.rows)
    if not rows:
        print("no rows in %s" % a.rows)
        return SKIP
    rc, out, err = run([a.cli, "--json"], b"\n".join(r[0] for r in rows) + b"\n")
    check(rc == 0, "exit status 0 (%r)" % err[:200])
    objs = parse_json_lines(out, "rows")
    check(len(objs) == len(rows), "%d objects for %d rows" % (len(objs), len(rows)))
    bad = 0
    for obj, (inp, cat, where) in zip(objs, rows):
        check_schema(obj, where)
        check(obj["input"] == expected_json_text(unescape(inp)), "%s: input in order" % where)
        if obj["category"] != cat:
            bad += 1
            check(False, "%s: category %s, table says %s" % (where, obj["category"], cat))
    print("%d rows, %d disagree with the table" % (len(rows), bad))


def t_exit(a):
    """Exit statuses: 2 on bad usage, 0 with rejected records, 1 on I/O errors."""
    cases = [
        # name, argv, stdin, status, stdout must match, stderr must match
        ("unknown long option", ["--bogus"], b"", 2, rb"^$", rb"unknown option '--bogus'"),
        ("unknown short option", ["-x"], b"", 2, rb"^$", rb"unknown option '-x'"),
        ("unknown option in a cluster", ["-jx"], b"", 2, rb"^$", rb"'-x'"),
        ("--raw with arguments", ["--raw", POSTFIX_LOCAL], b"", 2, rb"^$", rb"--raw"),
        ("only rejected records", ["-j"], b"\n\n   \n", 0, rb"\"ok\":false", rb"^$"),
        ("rejected arguments", ["", "55", "hello"], b"", 0, rb"rejected: empty", rb"^$"),
        ("--help", ["--help"], b"", 0, rb"Usage: smtpreply", rb"^$"),
        ("-h wins over other options", ["-j", "-h"], b"", 0, rb"Usage: smtpreply", rb"^$"),
        ("--version", ["--version"], b"", 0, rb"^smtpreply ", rb"^$"),
        ("-- ends options", ["-j", "--", "-550 dash first"], b"", 0, rb"\"input\":\"-550 dash first\"",
         rb"^$"),
        ("a lone - is a record", ["-j", "-"], b"", 0, rb"\"input\":\"-\"", rb"^$"),
        ("arguments, not stdin", ["-j", POSTFIX_LOCAL], b"550 5.7.1 not read\n", 0, rb"user_unknown",
         rb"^$"),
    ]
    for name, argv, stdin, status, out_re, err_re in cases:
        rc, out, err = run([a.cli] + argv, stdin)
        check(rc == status, "%s: exit status %d, got %d" % (name, status, rc))
        check(re.search(out_re, out) is not None, "%s: stdout %r matches %r" % (name, out[:120], out_re))
        check(re.search(err_re, err) is not None, "%s: stderr %r matches %r" % (name, err[:120], err_re))
    # I/O errors: a directory as standard input, /dev/full as standard output
    for argv in ([a.cli], [a.cli, "--raw"]):
        fd = os.open(os.path.dirname(os.path.abspath(a.cli)), os.O_RDONLY)
        try:
            rc, out, err = run(argv, fd)
        finally:
            os.close(fd)
        check(rc == 1, "%s: unreadable stdin gives 1, got %d" % (argv[1:], rc))
        check(b"error reading" in err, "%s: read error reported: %r" % (argv[1:], err))
    if os.path.exists("/dev/full"):
        with open("/dev/full", "wb") as full:
            rc, _, err = run([a.cli, "-j"], (POSTFIX_LOCAL + "\n").encode() * 1000, stdout=full)
        check(rc == 1, "stdout /dev/full gives 1, got %d" % rc)
        check(b"error writing" in err, "write error reported: %r" % err)
    else:
        print("no /dev/full: write error case skipped")


def t_raw(a):
    """--raw on wire streams: replies split by RFC 5321 framing, consumed bytes in order."""
    stream = wire(os.path.join(a.data, "transcript.txt"))
    codes = [220, 250, 250, 250, 550, 452, 354, 550, 221]
    cases = [
        # name, stdin, expected (code or error name) per record
        ("transcript", stream, codes),
        ("trailing incomplete reply", stream + b"250-mx.example.com\r\n250-SIZE", codes + ["incomplete"]),
        ("partial code at the end", stream + b"55", codes + ["incomplete"]),
        ("blank line and junk between replies",
         b"220 mx.example.com ESMTP\r\n\r\nhello there\r\n250 2.0.0 OK\r\n", [220, "blank", "no_code", 250]),
        ("bare LF line ends", b"250-a\n250 b\n550 5.1.1 no\n", [250, 550]),
        ("empty stream", b"", []),
        ("escapes are not decoded", b"550 5.1.1 a\\r\\n\r\n", [550]),
        ("many replies across read boundaries", stream * 500, codes * 500),
    ]
    for name, stdin, want in cases:
        rc, out, err = run([a.cli, "--raw", "--json"], stdin)
        check(rc == 0, "%s: exit 0, got %d (%r)" % (name, rc, err[:200]))
        objs = parse_json_lines(out, name)
        got = [o["code"] if o["ok"] else o["error"] for o in objs]
        check(got == want, "%s: records %r, want %r" % (name, got[:20], want[:20]))
        # nothing lost, nothing repeated: the inputs add up to the stream
        joined = "".join(o["input"] for o in objs)
        check(joined == expected_json_text(stdin), "%s: inputs concatenate to the stream" % name)
        for o in objs:
            check_schema(o, name)
    rc, out, _ = run([a.cli, "--raw", "-j"], stream)
    objs = parse_json_lines(out, "transcript detail")
    if len(objs) == 9:
        check(objs[1]["lines"] == 8 and objs[7]["lines"] == 10, "EHLO has 8 lines, the 5.7.26 reply 10")
        check(objs[4]["category"] == "user_unknown" and objs[7]["category"] == "auth_failed",
              "Gmail 5.1.1 and 5.7.26 classified")
        check(objs[7]["enhanced"] == "5.7.26" and objs[7]["provider"] == "google", "Gmail 5.7.26 reply")
        check(all(o["input"].endswith("\r\n") for o in objs), "each record keeps its CRLF")
    # readable output in raw mode
    rc, out, _ = run([a.cli, "--raw"], stream + b"250-x")
    check(out.count(b"\nrecord ") + out.startswith(b"record ") == 10, "readable --raw: 10 records")
    check(b"rejected: incomplete" in out, "readable --raw: incomplete reported")


def t_summary(a):
    """--summary counts, readable and JSON."""
    lines = [POSTFIX_LOCAL, GMAIL_NO_USER, POSTFIX_LOG, GMAIL_UNAUTH, SPAMHAUS, "", "   "]
    stdin = "\n".join(lines).encode() + b"\n"
    rc, out, _ = run([a.cli, "--json", "--summary"], stdin)
    check(rc == 0, "exit 0")
    objs = parse_json_lines(out, "summary")
    check(len(objs) == len(lines) + 1, "one object per record plus the summary")
    if objs:
        s = objs[-1].get("summary")
        check(list(objs[-1].keys()) == ["summary"], "the last object has only the summary key")
        if check(isinstance(s, dict), "summary object"):
            want = {"records": 7, "ok": 5, "rejected": 2,
                    "categories": {"user_unknown": 3, "auth_failed": 1, "blocklisted": 1},
                    "providers": {"google": 2}, "blocklists": {"spamhaus-zen": 1},
                    "errors": {"empty": 1, "blank": 1}}
            for k, v in want.items():
                check(s.get(k) == v, "summary %s = %r, want %r" % (k, s.get(k), v))
            check(sum(s.get("permanence", {}).values()) == 5, "permanence counts add up")
            check(s.get("recipient_actions", {}).get("suppress") == 3, "3 suppress")
    rc, out, _ = run([a.cli, "-sjq"], stdin)
    objs = parse_json_lines(out, "summary quiet")
    check(len(objs) == 1 and "summary" in objs[0], "-sjq prints only the summary")
    rc, out, _ = run([a.cli, "-s"], stdin)
    text = out.decode("utf-8", "replace")
    check("summary: 7 records, 5 classified, 2 rejected" in text, "readable summary line")
    check(re.search(r"^\s+user_unknown\s+3$", text, re.M) is not None, "readable category count")
    check(re.search(r"^\s+google\s+2$", text, re.M) is not None, "readable provider count")
    rc, out, _ = run([a.cli, "-s", "--raw", "-q"], wire(os.path.join(a.data, "transcript.txt")))
    check(b"summary: 9 records, 9 classified, 0 rejected" in out, "summary with --raw: %r" % out[:80])
    rc, out, _ = run([a.cli, "-sj"], b"")
    objs = parse_json_lines(out, "empty summary")
    check(len(objs) == 1 and objs[0].get("summary", {}).get("records") == 0, "summary of no input")


def t_version(a):
    """--version: program and library versions, table version, rule count, hash."""
    rc, out, err = run([a.cli, "--version"])
    check(rc == 0, "exit 0")
    m = re.match(rb"^smtpreply (\d+\.\d+\.\d+) \(libsmtpreply (\d+\.\d+\.\d+)\)\n"
                 rb"table (\S+), (\d+) rules, sha256 ([0-9a-f]{64})\n$", out)
    if check(m is not None, "version text format: %r" % out):
        check(int(m.group(4)) > 0, "rule count > 0")
    rc, out, _ = run([a.cli, "--version", "--json"])
    objs = parse_json_lines(out, "version json")
    if check(len(objs) == 1, "one JSON object") and m:
        v = objs[0]
        check(v.get("version") == m.group(1).decode() and v.get("library_version") == m.group(2).decode(),
              "versions agree")
        check(v.get("table_version") == m.group(3).decode() and v.get("rules") == int(m.group(4))
              and v.get("table_hash") == m.group(5).decode(), "table version, rules, hash agree")
    rc2, out2, _ = run([a.cli, "-V"])
    check(rc2 == 0 and out2 == run([a.cli, "--version"])[1], "-V is --version")


def t_readable(a):
    """The default output: category, verdicts, advice, rule, provider/blocklist."""
    rc, out, _ = run([a.cli, POSTFIX_LOCAL, GMAIL_UNAUTH, SPAMHAUS, "", "451 4.7.1 try again in 5 minutes"])
    text = out.decode("utf-8", "replace")
    check(rc == 0, "exit 0")
    for pat in [r"^record 1: 550 5\.1\.1 user_unknown \(permanent\)$",
                r"^  recipient:\s+suppress$", r"^  message:\s+never$", r"^  advice:\s+\S",
                r"^  rule:\s+\S+ \(\w+\)$",
                r"^record 2: 550 5\.7\.26 auth_failed \(permanent\)$", r"^  provider:\s+google$",
                r"^  input:\s+550-5\.7\.26 This mail .*\\r\\n550-5\.7\.26 Gmail",
                r"^record 3: 554 5\.7\.1 blocklisted ", r"^  blocklist:\s+spamhaus-zen$",
                r"^record 4: rejected: empty ", r"^record 5: 451 .* \(transient\)$",
                r"^  message:\s+\w+, retry after 300 s$"]:
        check(re.search(pat, text, re.M) is not None, "readable output has /%s/" % pat)
    check(text.count("\nrecord ") + text.startswith("record ") == 5, "5 records")
    big = "550 5.1.1 " + "x" * 5000
    rc, out, _ = run([a.cli, big])
    check(b"... (5010 bytes)" in out and len(out) < 3000, "long input shortened in readable output")
    rc, out, _ = run([a.cli], b"550 5.1.1 a\xffb\x01c\n")
    check(b"a\\xffb\\x01c" in out, "invalid and control bytes shown as \\xNN: %r" % out[:200])


def t_literal(a):
    """Escapes are decoded in arguments and stdin unless --literal."""
    rec = "550-5.7.26 one\\r\\n550 5.7.26 two - gsmtp"
    for argv, stdin in (([rec], b""), ([], rec.encode() + b"\n")):
        rc, out, _ = run([a.cli, "-j"] + argv, stdin)
        o = parse_json_lines(out, "decoded")
        check(len(o) == 1 and o[0]["lines"] == 2 and o[0]["input"] == unescape(rec.encode()).decode(),
              "decoded %s: 2 lines" % ("argument" if argv else "stdin"))
        rc, out, _ = run([a.cli, "-j", "--literal"] + argv, stdin)
        o = parse_json_lines(out, "literal")
        check(len(o) == 1 and o[0]["input"] == rec, "--literal keeps %s as is" % (
            "argument" if argv else "stdin"))


def t_examples(a):
    """The example programs on the sample data in examples/data."""
    ex = lambda name: os.path.join(a.examples, name)
    # classify-one
    rc, out, _ = run([ex("classify-one"), POSTFIX_LOCAL])
    text = out.decode()
    check(rc == 0, "classify-one: exit 0")
    for pat in [r"^code:\s+550 5\.1\.1$", r"^category:\s+user_unknown \(permanent\)$",
                r"^recipient:\s+suppress$", r"^because of:\s+\".*User unknown.*\"$",
                r"^  1\. \S", r"^see: \S"]:
        check(re.search(pat, text, re.M) is not None, "classify-one output has /%s/" % pat)
    rc, out, _ = run([ex("classify-one"), unescape(GMAIL_UNAUTH.encode()).decode()])
    check(rc == 0 and b"auth_failed" in out and b"provider:    google" in out,
          "classify-one on the multiline Gmail reply")
    rc, out, _ = run([ex("classify-one"), ""])
    check(rc == 1 and b"not a reply: empty" in out, "classify-one rejects empty input")
    rc, _, _ = run([ex("classify-one")])
    check(rc == 2, "classify-one without an argument: usage")

    # stream-client: same replies whatever the read size
    transcript = os.path.join(a.data, "transcript.txt")
    want = ["220 success, 1 line", "250 success, 8 lines", "250 2.1.0 success, 1 line",
            "250 2.1.5 success, 1 line", "550 5.1.1 user_unknown, 4 lines",
            "452 4.2.2 mailbox_full, 3 lines", "354 success, 1 line",
            "550 5.7.26 auth_failed, 10 lines", "221 2.0.0 success, 1 line"]
    total = len(wire(transcript))
    for chunk in ("7", "1", "3", "512", "100000"):
        rc, out, _ = run([ex("stream-client"), transcript, chunk])
        text = out.decode()
        check(rc == 0, "stream-client %s: exit 0" % chunk)
        got = re.findall(r"^reply \d+ after read \d+: (.*), \d+ bytes$", text, re.M)
        check(got == want, "stream-client %s bytes: replies %r" % (chunk, got))
        m = re.search(r"^9 replies from (\d+) bytes in (\d+) reads of %s bytes \((\d+) times incomplete, "
                      r"(\d+) bytes examined\)$" % chunk, text, re.M)
        if check(m is not None, "stream-client %s: final line" % chunk):
            check(int(m.group(1)) == total, "stream-client read all %d bytes" % total)
            check((int(m.group(3)) > 0) == (int(chunk) < total), "incomplete seen iff reads are partial")
            # each byte is looked at a bounded number of times, whatever the read size
            check(int(m.group(4)) <= 3 * total + 10 * int(m.group(2)),
                  "stream-client %s: %s bytes examined for %d" % (chunk, m.group(4), total))
    rc, out, _ = run([ex("stream-client"), os.path.join(a.data, "maillog")])
    check(rc == 0 and b"0 replies from 0 bytes" in out, "stream-client on a file with no S: lines")

    # postfix-summary
    rc, out, _ = run([ex("postfix-summary"), os.path.join(a.data, "maillog")])
    text = out.decode()
    check(rc == 0, "postfix-summary: exit 0")
    m = re.search(r"^(\d+) log lines: (\d+) sent, (\d+) bounced, (\d+) deferred$", text, re.M)
    if check(m is not None, "postfix-summary: totals line"):
        n, sent, bounced, deferred = map(int, m.groups())
        with open(os.path.join(a.data, "maillog"), "rb") as f:
            log = f.read().splitlines()
        check(n == len(log), "all %d lines read" % len(log))
        for word, count in (("sent", sent), ("bounced", bounced), ("deferred", deferred)):
            check(count == sum(1 for l in log if b" status=%s " % word.encode() in l),
                  "%s count matches the log" % word)
        table = re.findall(r"^(\w+)\s+(\d+)\s+(\d+)$", text, re.M)
        check(sum(int(b) for _, b, _ in table) == bounced and sum(int(d) for _, _, d in table) == deferred,
              "category table adds up to bounced and deferred")
        check(("user_unknown", "5", "0") in table, "5 user_unknown bounces: %r" % table)
    sup = set(re.findall(r"^  (\S+@\S+)\s+\w+$", text, re.M))
    must = {"no.such.user.4711@gmail.com", "b.keller@example-corp.de", "old.account.2009@yahoo.com",
            "info@kleinbetrieb.de", "former.employee@bigfirm.example", "sales@exmaple.com"}
    never = {"alice.martin@gmail.com", "anna@example.net", "tom.baker@gmail.com", "chris@example.info",
             "ops@slow-host.example", "finance@example-shop.com", "lisa@web.de"}
    check(must <= sup, "suppressed addresses include %r (got %r)" % (must - sup, sup))
    check(not (never & sup), "never suppressed: %r" % (never & sup))
    blk = text.split("remote domains that block us", 1)[-1]
    doms = set(re.findall(r"^  (\S+)\s+(?:blocklisted|reputation|ptr_required|auth_failed)$", blk, re.M))
    must = {"google.com", "outlook.com", "comcast.net", "icloud.com", "gmx.net", "strict-corp.example",
            "spamfilter.example", "yahoodns.net"}
    never = {"kleinbetrieb.de", "example.net", "example.info", "none"}
    check(must <= doms, "blocking domains include %r (got %r)" % (must - doms, doms))
    check(not (never & doms), "never blocking: %r" % (never & doms))
    # server-side reject lines (issue 12): real Postfix 3.7 lines of tests/captured/postfix/server.log
    with open(os.path.join(a.data, "maillog"), "rb") as f:
        nrej = sum(1 for l in f.read().splitlines()
                   if (b"/smtpd[" in l or b"/cleanup[" in l) and (b": reject: " in l or b": milter-reject: " in l))
    m = re.search(r"^(\d+) rejections by our server", text, re.M)
    check(m is not None and int(m.group(1)) == nrej and nrej > 0,
          "postfix-summary: %d server-side rejections counted" % nrej)
    rej = text.split("rejections by our server", 1)[-1]
    rows = set(re.findall(r"^  (\w+)\s+(\w+)\s+(\d+)$", rej, re.M))
    for row in (("rcpt", "user_unknown", "1"), ("rcpt", "relay_denied", "1"), ("mail", "message_too_big", "1"),
                ("rcpt", "blocklisted", "1"), ("eod", "spam_content", "1")):
        check(row in rows, "server rejections: %r in %r" % (row, rows))
    check(re.search(r"^recipients that do not exist here \(1\):\n  nosuchuser@capture\.test$", text, re.M)
          is not None, "the recipient the server said does not exist")
    check(re.search(r"^  unknown\[127\.0\.0\.1\]\s+\(first: ", text, re.M) is not None,
          "the client host refused")


def t_python(a):
    """python3 -m smtpreply --json and smtpreply --json: the same objects (keys, key order
    and values) for the same records, arguments and standard input alike, every test row
    and tricky bytes included: the two tools share one schema."""
    if not a.python_path or not a.library:
        print("no --python-path/--library")
        return SKIP
    env = dict(os.environ, PYTHONPATH=a.python_path, SMTPREPLY_LIBRARY=a.library,
               PYTHONDONTWRITEBYTECODE="1")
    py = [sys.executable, "-m", "smtpreply", "--json"]
    tricky = [
        b"550 a\\qb\\0c", b"550 5.1.1 a\\\\r stays, \\x41 kept, trailing \\", b"",
        b"   \t ", b"550-5.7.26 one\\r\\n550 5.7.26 two - gsmtp",
        b"550 5.7.1 bad \xff\xfe, \xc3\x28, \xe2\x82, \xed\xa0\x80, \xf4\x90\x80\x80, \xc0\xaf end",
        b"550 5.1.1 user\x00unknown", b"550 5.7.1 \x01\x1b[31mred\x7f\x08\x0c ctrl",
        "550 5.1.1 sep\u2028ara\u2029tors M\u00fcller \u7528\u6237 \U0001F600".encode(),
        b"5500 too long", b"hello", b"<html><body>550</body></html>",
        (POSTFIX_LOCAL + " ").encode() * 300,
        DSN_FIELD.encode(), POSTFIX_LOG.encode(), GMAIL_UNAUTH.encode(), SPAMHAUS.encode(),
    ]
    rows = [r[0] for r in read_rows(a.rows)] if a.rows else []
    stdin = b"\n".join(tricky + rows) + b"\n" + b"550 5.1.1 crlf line\r\n" + b"no final newline"
    rc_c, out_c, err_c = run([a.cli, "--json"], stdin)
    rc_p, out_p, err_p = run(py, stdin, env=env)
    check(rc_c == 0 and rc_p == 0, "stdin: both exit 0 (C %d, Python %d: %r)" % (rc_c, rc_p, err_p[-300:]))
    c_objs, p_objs = parse_json_lines(out_c, "C stdin"), parse_json_lines(out_p, "Python stdin")
    check(len(c_objs) == len(p_objs) == len(tricky) + len(rows) + 2,
          "stdin: one object per record (C %d, Python %d)" % (len(c_objs), len(p_objs)))
    differ = 0
    for i, (c, p) in enumerate(zip(c_objs, p_objs)):
        if list(c.items()) != list(p.items()):
            differ += 1
            if differ <= 5:
                keys = [k for k in c if c.get(k) != p.get(k)] or "key order %r / %r" % (list(c), list(p))
                check(False, "stdin record %d: C and Python differ in %s: %r" % (
                    i + 1, keys, [(c.get(k), p.get(k)) for k in keys][:3] if isinstance(keys, list) else ""))
    check(differ == 0, "stdin: %d of %d records differ" % (differ, len(c_objs)))
    args = [b.decode("utf-8", "surrogateescape") for b in tricky if b"\x00" not in b]
    rc_c, out_c, _ = run([a.cli, "--json"] + args)
    rc_p, out_p, err_p = run(py + args, env=env)
    c_objs, p_objs = parse_json_lines(out_c, "C args"), parse_json_lines(out_p, "Python args")
    check(len(c_objs) == len(args) and [list(o.items()) for o in c_objs] == [list(o.items()) for o in p_objs],
          "arguments: the same %d objects (Python: %r)" % (len(args), err_p[-300:]))
    print("%d records on stdin and %d arguments compared" % (len(tricky) + len(rows) + 2, len(args)))


RULES_HEAD = "id\tcategory\tpriority\tcodes\tpattern\tprovider\tblocklist\toptions\tadvice\tsource\n"


def t_rules(a):
    """--rules adds rules and disables built-in ones; --check-rules validates a
    file (exit 0 / 1, the file and line of the error on stderr); --sample shows
    what a file changes."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        good = os.path.join(tmp, "local.tsv")
        with open(good, "w") as f:
            f.write(RULES_HEAD + "local-stuffed\tmailbox_full\t60\t-\tpostbox is stuffed\t-\t-\t-\t-\tour MX\n"
                    "generic-user-unknown\tdisable\t-\t-\t-\t-\t-\t-\t-\twe read these ourselves\n")
        bad = os.path.join(tmp, "bad.tsv")
        with open(bad, "w") as f:
            f.write(RULES_HEAD + "fine\tpolicy\t50\t-\tfoo\t-\t-\t-\t-\ts\nx\tbogus\t50\t-\tfoo\t-\t-\t-\t-\ts\n")
        rc, out, _ = run([a.cli, "--json", "--rules", good, "552 Your postbox is stuffed", "550 user unknown"])
        objs = [json.loads(l) for l in out.decode().splitlines()]
        check(rc == 0 and len(objs) == 2, "--rules: two records")
        if len(objs) == 2:
            check(objs[0]["category"] == "mailbox_full" and objs[0]["rule"] == "local-stuffed (%s:2)" % good,
                  "--rules: a user rule decides and names its file and line (%r)" % objs[0]["rule"])
            check(objs[1]["rule"] != "generic-user-unknown", "--rules: a disabled built-in rule does not match")
        rc, out, _ = run([a.cli, "--json", "552 Your postbox is stuffed"])
        check(json.loads(out)["rule"] != "local-stuffed (%s:2)" % good, "without --rules the built-in table decides")
        rc, out, err = run([a.cli, "--check-rules", bad])
        check(rc == 1, "--check-rules: exit 1 on a bad file (got %d)" % rc)
        check(("%s:3: unknown category 'bogus'" % bad).encode() in err,
              "--check-rules: the file, the line and the reason on stderr (%r)" % err)
        rc, out, err = run([a.cli, "--rules", bad, "550 foo"])
        check(rc == 2 and b"unknown category" in err, "--rules with a bad file: exit 2 with the reason")
        sample = os.path.join(tmp, "sample.txt")
        with open(sample, "w") as f:
            f.write("552 Your postbox is stuffed\n550 user unknown\n250 ok\n")
        rc, out, _ = run([a.cli, "--check-rules", good, "--sample", sample])
        text = out.decode()
        check(rc == 0 and "valid, 1 rules" in text, "--check-rules: exit 0 and the rule count (%r)" % text)
        check("3 records, 2 changed by the rules" in text and "-> mailbox_full (local-stuffed" in text,
              "--sample: the records the rules change (%r)" % text)
        rc, _, err = run([a.cli, "--sample", sample])
        check(rc == 2, "--sample without --check-rules is bad usage")
        rc, _, err = run([a.cli, "--rules", os.path.join(tmp, "missing.tsv"), "550 x"])
        check(rc == 2 and b"missing.tsv" in err, "--rules with a missing file: exit 2 and its name")
    return 0


MAIL_KEYS = ("file", "mail", "kind", "format", "mta", "recipient", "final_recipient", "original_recipient",
             "action", "status", "remote_mta", "diagnostic_type", "diagnostic", "stage", "gave_up",
             "message_id", "ok", "code", "enhanced", "category", "permanence", "recipient_action",
             "message_action", "retry_after", "rule", "evidence", "advice")


def t_mail(a):
    """--mail: one JSON object per recipient record with the documented keys; a
    mail with no record still prints one object; an unreadable file prints ok:
    false; an mbox is read as its mails in order; --summary counts."""
    import tempfile
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    bounces = os.path.join(top, "tests", "captured", "bounces")
    one = os.path.join(bounces, "postfix-rcpt-550-511.eml")
    if not os.path.exists(one):
        one = sorted(os.path.join(bounces, f) for f in os.listdir(bounces) if f.startswith("postfix-"))[0]
    rc, out, _ = run([a.cli, "--mail", "--json", one])
    objs = [json.loads(l) for l in out.decode().splitlines()]
    check(rc == 0 and len(objs) >= 1, "--mail: a record for a Postfix bounce")
    for o in objs:
        missing = [k for k in MAIL_KEYS if k not in o]
        check(not missing, "--mail --json: keys present (missing %s)" % missing)
        check(o.get("file") == one and o.get("mail") == 0 and o.get("kind") == "dsn", "--mail: file, mail, kind")
        check(o.get("recipient") and "@" in o["recipient"], "--mail: the recipient")
    with tempfile.TemporaryDirectory() as tmp:
        notb = os.path.join(tmp, "hello.eml")
        with open(notb, "w") as f:
            f.write("From: a@example.org\nTo: b@example.org\nSubject: hello\n\nJust a note.\n")
        rc, out, _ = run([a.cli, "--mail", "--json", notb])
        objs = [json.loads(l) for l in out.decode().splitlines()]
        check(len(objs) == 1 and objs[0]["recipient"] is None and objs[0]["kind"] == "none",
              "--mail: a mail that is no report prints one object, recipient null, its kind (%r)" % objs)
        rc, out, _ = run([a.cli, "--mail", "--json", os.path.join(tmp, "missing.eml")])
        objs = [json.loads(l) for l in out.decode().splitlines()]
        check(len(objs) == 1 and objs[0]["ok"] is False and objs[0]["error"], "--mail: an unreadable file, ok false")
        mbox = os.path.join(tmp, "two.mbox")
        with open(mbox, "wb") as f:
            for path in (one, notb):
                f.write(b"From MAILER-DAEMON Thu Dec  3 10:00:00 2026\n")
                f.write(open(path, "rb").read())
                f.write(b"\n")
        rc, out, _ = run([a.cli, "--mail", "--json", mbox])
        objs = [json.loads(l) for l in out.decode().splitlines()]
        check(sorted({o["mail"] for o in objs}) == [0, 1], "--mail: an mbox is read as its mails in order")
        check(objs[-1]["kind"] == "none" and objs[0]["kind"] == "dsn", "--mail: the mbox's mails in order")
        rc, out, _ = run([a.cli, "--mail", "--summary", "--quiet", mbox, notb])
        text = out.decode()
        check("summary: 3 mails" in text and "kinds:" in text and "categories:" in text,
              "--mail --summary counts mails, kinds, actions, categories (%r)" % text)
        rc, out, _ = run([a.cli, "--mail", "--json"], stdin=open(one, "rb").read())
        objs = [json.loads(l) for l in out.decode().splitlines()]
        check(objs and objs[0]["file"] == "-", "--mail reads standard input without a FILE, file '-'")
    return 0


GROUPS = {"json": t_json, "order": t_order, "exit": t_exit, "raw": t_raw, "summary": t_summary,
          "version": t_version, "readable": t_readable, "literal": t_literal, "examples": t_examples,
          "python": t_python, "rules": t_rules, "mail": t_mail}


def t_operator_loop(a):
    """The README's operator loop on the capture lab's real server logs (it keeps
    the README's example true): --group --weak lists Postfix's 'ignored: no SASL
    support' and 'mail_stream_cleanup: close error' warnings as weak groups;
    examples/data/local-rules.tsv is valid, and its --sample changes exactly the
    lines that hold those texts, each to server_error by a rule of that file; with
    --rules, those groups leave the weak list and no other group does."""
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    cap = os.path.join(top, "tests", "captured")
    logs = [os.path.join(cap, m, "server.log") for m in ("exim", "opensmtpd", "postfix", "sendmail")]
    logs.append(os.path.join(cap, "exim", "server-rejectlog.log"))
    data = b"".join(open(p, "rb").read() for p in logs)
    rules = os.path.join(top, "examples", "data", "local-rules.tsv")
    texts = ("ignored: no sasl support", "mail_stream_cleanup: close error")

    def weak(extra):
        rc, out, _ = run([a.cli] + extra + ["--group", "--weak", "--json"], stdin=data)
        check(rc == 0, "--group --weak %r: exit 0" % extra)
        return {g["template"] for g in (json.loads(l) for l in out.decode().splitlines())
                if "template" in g}

    before, after = weak([]), weak(["--rules", rules])
    ours = {t for t in before if t.endswith(texts)}
    for t in texts:
        check(any(x.endswith(t) for x in before), "before the rules, a weak group ends %r" % t)
        check(not any(x.endswith(t) for x in after), "with the rules, no weak group ends %r" % t)
    check(before - after == ours and after <= before,
          "the rules take exactly their %d groups off the weak list (%d -> %d)" % (len(ours), len(before), len(after)))
    sample = os.path.join(os.environ.get("TMPDIR", "/tmp"), "smtpreply-loop-%d.txt" % os.getpid())
    with open(sample, "wb") as f:
        f.write(data)
    try:
        rc, out, _ = run([a.cli, "--check-rules", rules, "--sample", sample])
    finally:
        os.unlink(sample)
    text = out.decode()
    lines = [l for l in data.decode("utf-8", "replace").splitlines() if l.lower().endswith(texts)]
    changed = [l for l in text.splitlines() if " -> " in l]
    check(rc == 0 and "valid, 2 rules" in text, "--check-rules: the example file is valid (%r)" % text[:200])
    check(len(changed) == len(lines) and ("%d changed by the rules" % len(lines)) in text,
          "--sample: the %d lines with those texts change (%d listed)" % (len(lines), len(changed)))
    check(all("-> server_error (local-" in l for l in changed), "--sample: each to server_error by a local rule")
    return 0


GROUPS["operator-loop"] = t_operator_loop


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("group", choices=sorted(GROUPS))
    ap.add_argument("--cli", required=True)
    ap.add_argument("--examples")
    ap.add_argument("--data", help="examples/data")
    ap.add_argument("--rows", help="tests/data")
    ap.add_argument("--python-path", help="bindings/python (for python3 -m smtpreply)")
    ap.add_argument("--library", help="the built libsmtpreply.so for the binding")
    a = ap.parse_args()
    if a.group == "examples" and not a.examples:
        print("examples not built")
        return SKIP
    status = GROUPS[a.group](a)
    if status == SKIP:
        return SKIP
    print("%s: %s" % (a.group, "%d failure(s)" % len(FAILURES) if FAILURES else "ok"))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
