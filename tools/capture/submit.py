#!/usr/bin/python3
"""Submit one message per client-role case (client-cases.tsv) to an MTA on 127.0.0.1:PORT.

The envelope sender is snd-<case>@sink.test (or <sink rule key>@sink.test for MAIL-stage cases),
so that every bounce the MTA generates reaches the sink and is saved under the case's name.
"""
import argparse
import json
import smtplib
import sys
import time


def cases(path):
    with open(path, encoding="utf-8") as fh:
        for ln in fh:
            if ln.strip() and not ln.startswith("#"):
                case, rcpt, stage, key, outcome = ln.rstrip("\n").split("\t")[:5]
                yield {"case": case, "rcpt": rcpt, "stage": stage, "key": key, "outcome": outcome}


def sender_for(c, mta):
    if c["stage"] == "mail":
        return "%s@sink.test" % c["key"]
    return "snd-%s-%s@sink.test" % (mta, c["case"])


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--mta", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only")
    ap.add_argument("--pause", type=float, default=0, help="seconds to wait after each message")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else None
    with open(a.out, "w", encoding="utf-8") as out:
        for c in cases(a.cases):
            if only and c["case"] not in only:
                continue
            snd = sender_for(c, a.mta)
            msg = ("From: Capture Lab <%s>\r\nTo: <%s>\r\nSubject: capture %s via %s\r\n"
                   "Message-ID: <%s.%s.%d@capture.test>\r\nDate: %s\r\n\r\n"
                   "Client-role test message for case %s.\r\n"
                   % (snd, c["rcpt"], c["case"], a.mta, c["case"], a.mta, int(time.time()),
                      time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()), c["case"]))
            rec = dict(c, sender=snd, t=round(time.time(), 3))
            try:
                with smtplib.SMTP("127.0.0.1", a.port, timeout=30) as s:
                    s.ehlo("submit.capture.test")
                    s.mail(snd)
                    code, resp = s.rcpt(c["rcpt"])
                    if code >= 400:
                        raise smtplib.SMTPRecipientsRefused({c["rcpt"]: (code, resp)})
                    code, resp = s.data(msg.encode())
                    rec["accepted"] = "%d %s" % (code, resp.decode("utf-8", "replace"))
            except smtplib.SMTPException as e:
                rec["error"] = repr(e)
            out.write(json.dumps(rec) + "\n")
            time.sleep(a.pause)
            print("  submitted %-30s %s" % (c["case"], rec.get("accepted", rec.get("error"))[:80]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
