#!/usr/bin/python3
"""Collect one MTA run of the capture lab into tests/captured/ and index its interesting lines.

Inputs (in --run): server.jsonl (server_cases.py), server.log / client.log (raw MTA logs of the
two roles, or --server-log/--client-log), submitted.jsonl (submit.py), sink-events.jsonl and
sink-spool/ (sink.py).  Outputs: <out>/<mta>/*.log, <out>/<mta>/server-sessions.txt,
<out>/<mta>/client-sink-transcript.txt, <out>/bounces/<mta>-<case>[-delay].eml and
<out>/<mta>/rows.tsv (rows of lines.tsv; merge.py builds lines.tsv from all rows.tsv files).
"""
import argparse
import email
import email.policy
import json
import os
import re
import shutil
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))

# Per-MTA knowledge: which log lines are interesting, how to find the queue id of a line, and
# which lines report a successful delivery.
MTA = {
    "postfix": {
        "server": r"reject:|NOQUEUE|warning: (?!(restriction|not owned|not set-gid|.*SASL:.*mech))|too many|lost connection|timeout after|improper|authentication failed|hold:|discard:",
        "client": r"status=|notification:",
        "qid": r"postfix/[\w/-]+\[\d+\]: ([0-9A-F]{6,}):",
        "success": r"status=sent",
        "accept_qid": r"queued as ([0-9A-F]+)",
    },
    "exim": {
        "server": r"rejected|refused|H=.*(?:closed|dropped|lost)|SMTP (?:protocol|command|syntax|call)|unexpected disconnection|too many|Authentication failed|authenticator failed|incomplete transaction|no MAIL|synchronization error|TLS|message too big|Rejected",
        "client": r" (?:\*\*|==|=>|->|<=) | Completed|retry time|Frozen|Unfrozen|defer|error|expired|timeout|Connection refused",
        "qid": r"^\S+ \S+ (?:\[\d+\] )?([0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4})\b",
        "success": r" => ",
        "accept_qid": r"id=(\S+)",
    },
    "sendmail": {
        "server": r"reject=|ruleset=|lost input channel|timeout|did not issue|Possible SMTP RCPT flood|too many|Authentication|STARTTLS|SYSERR|DSN:|Message is too large|size|Bad|protocol error|unknown command|Access denied|denied",
        "client": r"stat=|DSN:|return to sender|postmaster notify|Cannot send|Warning:",
        "qid": r"sm-mta\[\d+\]: ([0-9A-Za-z]{14}):|sendmail\[\d+\]: ([0-9A-Za-z]{14}):",
        "success": r"stat=Sent",
        "accept_qid": r"([0-9A-Za-z]{14}) Message accepted",
    },
    "opensmtpd": {
        "server": r"failed-command|result=|Rejected|rejected|smtp-in: |authentication|TLS|too large|Temporary failure|Permanent failure|protocol error|timeout",
        "client": r"delivery|result=|bounce|expire",
        "qid": r"evpid=([0-9a-f]{16})|msgid=([0-9a-f]{8})|\b([0-9a-f]{16}) (?:smtp|mta)",
        "success": r"result=Ok",
        "accept_qid": r"2\.0\.0 ([0-9a-f]{8}) Message accepted",
    },
}

ENH_RE = re.compile(r"^[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})\b")


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def code_enh(reply):
    """(code, enhanced) of a raw reply, '-' when none."""
    if not reply or not re.match(r"^[245]\d\d([ -]|$)", reply):
        return "-", "-"
    last = reply.split("\r\n")[-1]
    m = ENH_RE.match(last) or ENH_RE.match(reply)
    return reply[:3], (m.group(1) if m else "-")


def load_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(l) for l in fh if l.strip()]


def sink_table():
    t = {}
    with open(os.path.join(TOOLS, "sink-replies.tsv"), encoding="utf-8") as fh:
        for ln in fh:
            if ln.strip() and not ln.startswith("#"):
                c = ln.rstrip("\n").split("\t")
                t[c[0]] = c[2].replace("\\r\\n", "\r\n")
    return t


def row(prog, ver, role, line, reply, stage, rcpt, case, code=None, enh=None):
    if role == "bounce" and not mentions(line, reply) and not re.match(r"(Action|Status):", line, re.I):
        reply = ""
    c, e = code_enh(reply)
    return "\t".join([prog, ver, role, esc(line), esc(reply) if reply else "-", code or c, enh or e,
                      stage or "-", rcpt or "-", case])


# ------------------------------------------------------------------------------- server role
def server_rows(mta, ver, sessions, cfg, outdir):
    rows, pat = [], re.compile(cfg["server"])
    with open(os.path.join(outdir, "server-sessions.txt"), "w", encoding="utf-8") as tr:
        for s in sessions:
            if "skipped" in s:
                tr.write("## %s: skipped (%s)\n\n" % (s["case"], s["skipped"]))
                continue
            tr.write("## %s (listener %s, port %d)\n" % (s["case"], s["listener"], s["port"]))
            for r in s["replies"]:
                if r["cmd"] != "CONNECT":
                    tr.write("C: %s\n" % r["cmd"])
                for l in r["reply"].split("\r\n"):
                    tr.write("S: %s\n" % l)
            tr.write("\n")
            key = s["reply"] or {}
            reply = key.get("reply", "")
            if reply.startswith("("):
                reply = ""
            stage = key.get("stage", "-")
            # ground-truth recipient: the RCPT this reply answers, or the last RCPT before it
            rcpt = "-"
            for r in s["replies"]:
                if r["cmd"].startswith("RCPT TO:"):
                    rcpt = r["cmd"][8:].strip("<>")
                if r is key:
                    break
            if stage in ("connect", "helo", "mail", "auth", "starttls") and not key.get("cmd", "").startswith("RCPT"):
                rcpt = "-"
            if reply:
                rows.append(row(mta, ver, "server-reply", reply, reply, stage, rcpt, s["case"]))
            for logname, lines in s["logs"].items():
                for l in lines:
                    if pat.search(l):
                        rows.append(row(mta, ver, "server", l, reply, stage, rcpt, s["case"]))
    return rows


# ------------------------------------------------------------------------------- client role
def client_rows(mta, ver, cases, events, loglines, cfg, table):
    rows = []
    pat, succ, qre = re.compile(cfg["client"]), re.compile(cfg["success"]), re.compile(cfg["qid"])
    aq = re.compile(cfg["accept_qid"])
    qid_case, by_rcpt, by_sender = {}, {}, {}
    for c in cases:
        by_rcpt[c["rcpt"].lower()] = c
        by_sender[c["sender"].lower()] = c
        m = aq.search(c.get("accepted", ""))
        if m:
            qid_case[m.group(1)] = c
    # the sink's real replies, per recipient: scripted decisions and 250 acceptances
    decided, saved = {}, {}
    for e in events:
        if e.get("event") == "decision" and e.get("rcpt"):
            decided.setdefault(e["rcpt"].lower(), e["reply"])
        if e.get("event") == "decision" and e.get("stage") == "mail" and e.get("sender"):
            decided.setdefault("mail:" + e["sender"].lower(), e["reply"])
        if e.get("event") == "decision" and e.get("stage") in ("connect", "helo"):
            decided.setdefault("profile:" + e.get("profile", ""), e["reply"])
        if e.get("event") == "saved":
            for r in e["rcpts"]:
                saved[r.lower()] = "250 2.0.0 Ok: queued as %s" % e["file"][:-4]
    for l in loglines:
        if not pat.search(l):
            continue
        case, m = None, qre.search(l)
        qid = next((g for g in m.groups() if g), None) if m else None
        for addr in re.findall(r"<([^<>@\s]+@[^<>\s]+)>", l):
            if addr.lower() in by_rcpt:
                case = by_rcpt[addr.lower()]
                break
        if case is None and qid and qid in qid_case:
            case = qid_case[qid]
        if case is None:
            for addr in re.findall(r"<([^<>@\s]+@[^<>\s]+)>", l):
                if addr.lower() in by_sender and re.search(r"from=<|F=<|\bfrom <", l) and not re.search(r"to=<%s>|=> %s" % (re.escape(addr), re.escape(addr)), l):
                    case = by_sender[addr.lower()]
                    break
        if case is None:
            continue
        if qid and qid not in qid_case and re.search(re.escape(case["rcpt"]), l, re.I):
            qid_case[qid] = case
        reply = scripted_reply(case, decided, table)
        stage = case["stage"]
        if not mentions(l, reply):
            reply = ""   # this line reports no reply of the sink (e.g. a retry or expiry line)
        if succ.search(l):
            reply, stage = saved.get(case["rcpt"].lower(), "250 2.0.0 Ok"), "eod"
        rows.append(row(mta, ver, "client", l, reply, stage, case["rcpt"], case["case"]))
    return rows


def mentions(text, reply):
    """True when text quotes (the start of) the reply's first line."""
    if not reply:
        return False
    first = re.sub(r"^[245]\d\d[ -]([245]\.\d+\.\d+ )?", "", reply.split("\r\n")[0])
    probe = " ".join(first.split())[:24]
    return probe in " ".join(text.split())


def scripted_reply(case, decided, table):
    key = case["key"]
    if key == "-":
        return ""
    if case["stage"] == "mail":
        r = decided.get("mail:" + case["sender"].lower()) or table.get(key, "")
    elif case["stage"] in ("connect", "helo"):
        r = decided.get("profile:" + key) or table.get(key, "")
    else:
        r = decided.get(case["rcpt"].lower()) or table.get(key, "")
    return "" if r in ("STALL", "DROP") else r


# ------------------------------------------------------------------------------- bounces
def bounce_rows(mta, ver, path, case, reply, table_stage, rcpt):
    rows = []
    raw = open(path, "rb").read()
    text = raw.decode("utf-8", "replace")
    # DSN fields, kept exactly (with their folding)
    for m in re.finditer(r"^(Action|Status|Diagnostic-Code|Remote-MTA|Final-Recipient|X-Postfix-Sender|Reporting-MTA):[^\n]*(?:\n[ \t][^\n]*)*", text, re.M | re.I):
        fld = m.group(0).rstrip("\r")
        if fld.split(":")[0].lower() in ("action", "status", "diagnostic-code"):
            rows.append(row(mta, ver, "bounce", fld.replace("\r\n", "\n").replace("\n", "\r\n"), reply, table_stage, rcpt, case))
    # human-readable paragraphs (kept whole, with their line breaks) and transcript lines that
    # carry the remote reply
    body = text.replace("\r\n", "\n")
    body = body.split("\n\n", 1)[1] if "\n\n" in body else body
    want = re.compile(r"(host \S+ said:|said: [245]\d\d|refused to talk|Connection refused|timed out|"
                      r"lost connection|SMTP error from remote|retry timeout exceeded|all hosts .* failing|"
                      r"Unrouteable|Deferred:|Remote host said|\bstat=|result=|[245]\d\d[ -][245]\.\d+\.\d+ |"
                      r"^\s*[245]\d\d[ -])", re.M)
    for para in re.split(r"\n[ \t]*\n", body):
        if re.search(r"^(Action|Status|Diagnostic-Code|Content-|Reporting-MTA|Final-Recipient|Received|Return-Path|Subject|Message-ID|From|To|Date|X-)", para, re.M):
            continue
        if re.search(r"^\s*(<<<|>>>)", para, re.M):
            for l in para.split("\n"):
                if re.match(r"^\s*(<<<|>>>|\.\.\. while talking)", l):
                    rows.append(row(mta, ver, "bounce", l, reply, table_stage, rcpt, case))
            continue
        if want.search(para) and len(para) < 3000:
            rows.append(row(mta, ver, "bounce", para.strip("\n"), reply, table_stage, rcpt, case))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mta", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--debversion", default="")
    ap.add_argument("--run", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--log", action="append", default=[], help="extra raw log file to keep (NAME=PATH)")
    a = ap.parse_args()
    cfg, table = MTA[a.mta], sink_table()
    outdir = os.path.join(a.out, a.mta)
    bdir = os.path.join(a.out, "bounces")
    os.makedirs(outdir, exist_ok=True)
    os.makedirs(bdir, exist_ok=True)
    for f in os.listdir(outdir):
        os.unlink(os.path.join(outdir, f))
    for f in os.listdir(bdir):
        if f.startswith(a.mta + "-"):
            os.unlink(os.path.join(bdir, f))
    ver = a.version + (" (Debian %s)" % a.debversion if a.debversion else "")

    for name in ("server.log", "client.log"):
        p = os.path.join(a.run, name)
        if os.path.exists(p):
            shutil.copy(p, os.path.join(outdir, name))
    for spec in a.log:
        name, _, p = spec.partition("=")
        if os.path.exists(p):
            shutil.copy(p, os.path.join(outdir, name))

    rows = server_rows(a.mta, ver, load_jsonl(os.path.join(a.run, "server.jsonl")), cfg, outdir)

    cases = load_jsonl(os.path.join(a.run, "submitted.jsonl"))
    events = load_jsonl(os.path.join(a.run, "sink-events.jsonl"))
    loglines = []
    for name in ["client.log"] + [s.partition("=")[0] for s in a.log if "client" in s.partition("=")[0]]:
        p = os.path.join(outdir, name)
        if os.path.exists(p):
            loglines += open(p, encoding="utf-8", errors="replace").read().splitlines()
    rows += client_rows(a.mta, ver, cases, events, loglines, cfg, table)

    # the sink's view of the client role (what the MTA sent, what the sink answered)
    with open(os.path.join(outdir, "client-sink-transcript.txt"), "w", encoding="utf-8") as tr:
        for e in events:
            if "dir" in e:
                tr.write("%s %s %s: %s\n" % (e["t"], e["sid"], e["dir"], e["line"]))
            elif e.get("event") in ("connect", "close", "saved", "stall"):
                tr.write("%s %s -- %s %s\n" % (e["t"], e.get("sid", ""), e["event"],
                                               e.get("file", e.get("why", e.get("peer", "")))))

    # bounce mails: the sink saved them under the envelope sender's local part
    by_local = {}
    for c in cases:
        by_local[c["sender"].split("@")[0].lower()] = c
    spool = os.path.join(a.run, "sink-spool")
    decided = {}
    for e in events:
        if e.get("event") == "decision" and e.get("rcpt"):
            decided.setdefault(e["rcpt"].lower(), e["reply"])
        if e.get("event") == "decision" and e.get("stage") == "mail":
            decided.setdefault("mail:" + e["sender"].lower(), e["reply"])
        if e.get("event") == "decision" and e.get("stage") in ("connect", "helo"):
            decided.setdefault("profile:" + e.get("profile", ""), e["reply"])
    nb = 0
    for f in sorted(os.listdir(spool)) if os.path.isdir(spool) else []:
        local = f[5:-4]
        c = by_local.get(local)
        if c is None:
            continue
        body = open(os.path.join(spool, f), "rb").read()
        kind = "-delay" if re.search(rb"Action:\s*delayed", body, re.I) else ""
        name = "%s-%s%s" % (a.mta, c["case"], kind)
        dest = os.path.join(bdir, name + ".eml")
        n = 2
        while os.path.exists(dest):
            dest = os.path.join(bdir, "%s-%d.eml" % (name, n))
            n += 1
        shutil.copy(os.path.join(spool, f), dest)
        nb += 1
        rows += bounce_rows(a.mta, ver, dest, c["case"] + kind, scripted_reply(c, decided, table), c["stage"], c["rcpt"])

    with open(os.path.join(outdir, "rows.tsv"), "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(r + "\n")
    roles = {}
    for r in rows:
        roles[r.split("\t")[2]] = roles.get(r.split("\t")[2], 0) + 1
    print("%s: %d rows %s, %d bounce mails" % (a.mta, len(rows), json.dumps(roles), nb))
    os.system("%s %s %s" % (sys.executable, os.path.join(TOOLS, "merge.py"), a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
