#!/usr/bin/python3
"""Python smtplib against the sink: print str(e) and repr(e) of every exception."""
import smtplib, sys
def out(case, field, text):
    print("%s\t%s\t%s" % (case, field, text.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")))
print("#version\tpython %s" % sys.version.split()[0])
for ln in open(sys.argv[1]):
    if ln.startswith("#") or not ln.strip():
        continue
    case, port, snd, rcpt, user, stage, key = ln.rstrip("\n").split("\t")
    msg = "From: <%s>\r\nTo: <%s>\r\nSubject: client test\r\n\r\nbody\r\n" % (snd, rcpt)
    try:
        with smtplib.SMTP("127.0.0.1", int(port), timeout=3) as s:
            if user != "-":
                s.login(user + "@sink.test", "wrong-password")
            s.sendmail(snd, [rcpt], msg)
        out(case, "result", "no exception")
    except Exception as e:
        out(case, "type", type(e).__name__)
        out(case, "str", str(e))
        if repr(e) != str(e):
            out(case, "repr", repr(e))
