#!/usr/bin/python3
"""Drive an MTA in its server role with Python smtplib sessions (capture lab).

Reads server-cases.tsv, runs each case against 127.0.0.1:<port of its listener>, records every
reply exactly as received (all lines, CRLF-joined) and the log lines the MTA wrote during the
case (new bytes in each --log file, after the logs have settled), and writes one JSON object per
case to --out.
"""

import argparse
import json
import os
import smtplib
import socket
import ssl
import sys
import time

STAGE = {"EHLO": "helo", "HELO": "helo", "MAIL": "mail", "RCPT": "rcpt", "DATA": "data",
         "EOD": "eod", "AUTH": "auth", "STARTTLS": "starttls", "CONNECT": "connect", "QUIT": "-",
         "RAW": "-"}


class RecordingSMTP(smtplib.SMTP):
    """smtplib.SMTP that keeps the raw lines of the last reply."""

    def getreply(self):
        if self.file is None:
            self.file = self.sock.makefile("rb")
        raw = []
        while True:
            try:
                line = self.file.readline(smtplib._MAXLINE + 1)
            except OSError as e:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed: " + str(e))
            if not line:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            raw.append(line.decode("utf-8", "replace").rstrip("\r\n"))
            if len(line) < 4 or line[3:4] != b"-":
                break
        self.last_raw = "\r\n".join(raw)
        try:
            code = int(raw[-1][:3])
        except ValueError:
            code = -1
        return code, "\n".join(r[4:] for r in raw).encode()


def message(kind, sender, rcpt):
    hdr = ("From: <%s>\r\nTo: <%s>\r\nDate: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
           "Message-ID: <capture-%d@client.example.org>\r\n" % (sender, rcpt, int(time.time() * 1000)))
    subject, body = "capture lab test message", "This is a test message of the capture lab.\r\n"
    if kind == "spamsubject":
        subject = "CAPTURE-SPAM-TEST cheap pills"
    elif kind == "virus":
        body = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$CAPTURE-VIRUS-SIGNATURE-TEST-FILE!$H+H*\r\n"
    elif kind == "big":
        body = ("0123456789" * 7 + "\r\n") * 1500  # ~108 KB
    return (hdr + "Subject: %s\r\n\r\n" % subject + body).encode()


def log_sizes(logs):
    return {p: (os.path.getsize(p) if os.path.exists(p) else 0) for p in logs}


def settle(logs, since, quiet=0.6, limit=4.0):
    """Wait until no log grows for `quiet` seconds (at most `limit`), return the new lines."""
    end, last, sizes = time.time() + limit, time.time(), log_sizes(logs)
    while time.time() < end:
        time.sleep(0.15)
        now = log_sizes(logs)
        if now != sizes:
            sizes, last = now, time.time()
        elif time.time() - last >= quiet:
            break
    out = {}
    for p in logs:
        if not os.path.exists(p):
            continue
        with open(p, "rb") as fh:
            fh.seek(since.get(p, 0))
            data = fh.read()
        out[os.path.basename(p)] = [l for l in data.decode("utf-8", "replace").split("\n") if l]
    return out


def run_case(host, port, steps, timeout, tls_ctx):
    replies, held = [], []
    s = None

    def rec(cmd, code, raw):
        replies.append({"cmd": cmd, "stage": STAGE.get(cmd.split()[0].upper(), "-"),
                        "code": code, "reply": raw})

    def connect():
        c = RecordingSMTP(timeout=timeout)
        c.last_raw = ""
        try:
            code, _ = c.connect(host, port)
        except smtplib.SMTPServerDisconnected as e:
            rec("CONNECT", None, "(disconnected: %s)" % e)
            return None
        rec("CONNECT", code, c.last_raw)
        return c

    try:
        for step in [x.strip() for x in steps.split(";") if x.strip()]:
            verb, _, arg = step.partition(" ")
            verb = verb.lower()
            if verb == "hold":
                c = connect()
                if c is not None:
                    held.append(c)
                continue
            if s is None:
                s = connect()
                if s is None:
                    break
            if verb in ("ehlo", "helo"):
                code, _ = s.docmd(verb.upper(), arg)
                rec(verb.upper() + " " + arg, code, s.last_raw)
            elif verb == "mail":
                code, _ = s.docmd("MAIL FROM:" + arg)
                rec("MAIL FROM:" + arg, code, s.last_raw)
                s._capture_sender = arg.split()[0].strip("<>")
            elif verb == "rcpt":
                code, _ = s.docmd("RCPT TO:" + arg)
                rec("RCPT TO:" + arg, code, s.last_raw)
            elif verb == "data":
                code, _ = s.docmd("DATA")
                rec("DATA", code, s.last_raw)
                if code == 354:
                    msg = message(arg, getattr(s, "_capture_sender", "sender@client.example.org"),
                                  "alice@capture.test")
                    s.send(smtplib._quote_periods(msg) + b"\r\n.\r\n")
                    code, _ = s.getreply()
                    rec("EOD", code, s.last_raw)
            elif verb == "auth":
                user, _, pw = arg.partition(" ")
                import base64
                tok = base64.b64encode(("\0%s\0%s" % (user, pw)).encode()).decode()
                code, _ = s.docmd("AUTH PLAIN " + tok)
                rec("AUTH PLAIN " + tok, code, s.last_raw)
            elif verb == "starttls":
                code, _ = s.docmd("STARTTLS")
                rec("STARTTLS", code, s.last_raw)
                if code == 220:
                    s.sock = tls_ctx.wrap_socket(s.sock, server_hostname=None)
                    s.file = None
            elif verb == "raw":
                code, _ = s.docmd(arg)
                rec("RAW " + arg, code, s.last_raw)
            elif verb == "quit":
                code, _ = s.docmd("QUIT")
                rec("QUIT", code, s.last_raw)
                s.close()
                s = None
    except smtplib.SMTPServerDisconnected as e:
        rec("(connection)", None, "(disconnected: %s)" % e)
    except (socket.timeout, OSError) as e:
        rec("(connection)", None, "(error: %r)" % e)
    finally:
        for c in held + ([s] if s else []):
            try:
                c.close()
            except Exception:
                pass
    return replies


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--mta", required=True)
    ap.add_argument("--port", action="append", required=True, metavar="LISTENER=PORT")
    ap.add_argument("--log", action="append", default=[])
    ap.add_argument("--out", required=True)
    ap.add_argument("--timeout", type=float, default=15)
    ap.add_argument("--only", help="comma-separated case names")
    a = ap.parse_args()
    ports = dict(p.split("=") for p in a.port)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    only = set(a.only.split(",")) if a.only else None
    n = 0
    with open(a.cases, encoding="utf-8") as fh, open(a.out, "w", encoding="utf-8") as out:
        for ln in fh:
            if not ln.strip() or ln.startswith("#"):
                continue
            case, listener, steps, mtas = ln.rstrip("\n").split("\t")[:4]
            if mtas != "*" and a.mta not in mtas.split(","):
                continue
            if only and case not in only:
                continue
            if listener not in ports:
                out.write(json.dumps({"case": case, "skipped": "no %s listener" % listener}) + "\n")
                continue
            since = log_sizes(a.log)
            t0 = time.time()
            replies = run_case("127.0.0.1", int(ports[listener]), steps, a.timeout, ctx)
            logs = settle(a.log, since)
            bad = [r for r in replies if r["code"] is None or r["code"] >= 400]
            key = bad[0] if bad else (replies[-1] if replies else None)
            out.write(json.dumps({"case": case, "listener": listener, "port": int(ports[listener]),
                                  "steps": steps, "t": round(t0, 3), "replies": replies,
                                  "reply": key, "logs": logs}, ensure_ascii=False) + "\n")
            out.flush()
            n += 1
            print("  %-28s %s" % (case, (key or {}).get("reply", "-").split("\r\n")[-1][:100]))
    print("server cases run: %d" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
