#!/usr/bin/env python3
"""Write the seed corpus of fuzz_bounce.

    make-bounce-corpus.py OUT_DIR [SHARED_BOUNCES_DIR]

Writes synthetic seed mails (one file each, named by the SHA-1 of its bytes, as
fuzz/corpus/ is) to OUT_DIR: the report shapes the reader knows (RFC 3464 and
6533 DSNs, ARF, MDN, auto-reply, MTA texts, X-Failed-Recipients) and hostile
shapes (nested and unclosed multiparts, broken base64 and quoted-printable,
folded headers, NULs, CR-only and mixed line ends).  The checked-in
fuzz/corpus-bounce/ was made with it.  With SHARED_BOUNCES_DIR
(../shared/corpus/bounces) it also copies the dev bounce mails, for a fuzzing
campaign's working corpus: those mails are not checked in (their licence asks
to keep the licence with every copy; the replay test reads them in place).
"""
import hashlib
import os
import shutil
import sys

DSN = (b"From: MAILER-DAEMON@mx.example.net\nTo: s@example.com\nSubject: Undelivered Mail\n"
       b"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status;\n"
       b" boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\n"
       b"<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 unknown\n"
       b"    (in reply to RCPT TO command)\n\n--B\nContent-Type: message/delivery-status\n\n"
       b"Reporting-MTA: dns; mx.example.net\n\nOriginal-Recipient: rfc822;b+2Bx@example.org\n"
       b"Final-Recipient: rfc822; bob@example.org\nAction: failed\nStatus: 5.1.1 (gone)\n"
       b"Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>:\n    User unknown\n\n"
       b"Final-Recipient: rfc822; c@example.org\nAction: delayed\nStatus: 4.4.1\n\n"
       b"--B\nContent-Type: text/rfc822-headers\n\nMessage-ID:\n <m@example.com>\n"
       b"Subject: =?UTF-8?B?w4ljaG8=?= x\n\n--B--\n")

GLOBAL = (b"From: postmaster@mx.example.net\nSubject: Delivery failure\nMIME-Version: 1.0\n"
          b"Content-Type: multipart/report; report-type=delivery-status; boundary=G\n\n"
          b"--G\nContent-Type: message/global-delivery-status\nContent-Transfer-Encoding: base64\n\n"
          b"UmVwb3J0aW5nLU1UQTogZG5zOyBteC5leGFtcGxlLm5ldAoKT3JpZ2luYWwtUmVjaXBpZW50OiB1\n"
          b"dGYtODsgalx4ezAwRjh9cm5AZXhhbXBsZS5vcmcKRmluYWwtUmVjaXBpZW50OiB1dGYtODsgasO4\n"
          b"cm5AZXhhbXBsZS5vcmcKQWN0aW9uOiBmYWlsZWQKU3RhdHVzOiA1LjEuMQo=\n--G--\n")

ARF = (b"From: fbl@example.net\nSubject: report\nMIME-Version: 1.0\n"
       b"Content-Type: multipart/report; report-type=feedback-report; boundary=A\n\n"
       b"--A\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nVersion: 1\n"
       b"Original-Rcpt-To: <u1@example.com>\nOriginal-Rcpt-To: <u2@example.com>\n\n"
       b"--A\nContent-Type: message/rfc822\n\nFrom: x@example.net\nTo: u1@example.com\n\nspam\n--A--\n")

MDN = (b"From: b@example.org\nSubject: Read\nMIME-Version: 1.0\n"
       b"Content-Type: multipart/report; report-type=disposition-notification; boundary=M\n\n"
       b"--M\nContent-Type: message/disposition-notification\n\nFinal-Recipient: rfc822;b@example.org\n"
       b"Disposition: manual-action/MDN-sent-manually; displayed\n\n--M--\n")

AUTO = (b"From: Bob <bob@example.org>\nSubject: Out of Office: x\nAuto-Submitted: auto-replied\n\n"
        b"Away.\n")

QMAIL = (b"From: MAILER-DAEMON@mx.example.net\nSubject: failure notice\n\n"
         b"Hi. This is the qmail-send program at mx.example.net.\n\n<e@example.org>:\n"
         b"192.0.2.9 does not like recipient.\nRemote host said: 550 5.1.1 unknown\n\n"
         b"--- Below this line is a copy of the message.\n\nMessage-ID: <q@example.com>\n\nhi\n")

EXIM = (b"From: Mail Delivery System <Mailer-Daemon@mx.example.net>\n"
        b"Subject: Mail delivery failed\nX-Failed-Recipients: g@example.org\n\n"
        b"This message was created automatically by mail delivery software.\n\n"
        b"  g@example.org\n    SMTP error from remote mail server after RCPT TO:<g@example.org>:\n"
        b"    host mx [192.0.2.3]: 451 4.4.1 retry timeout exceeded\n\n"
        b"------ This is a copy of the message, including all the headers. ------\n\nSubject: hi\n\n")

XFR = (b"From: mailer-daemon@mx.example.net\nSubject: Mail delivery failed\n"
       b"X-Failed-Recipients: h@example.org,\n i@example.org\n\nfailed\n")

QP = (b"From: MAILER-DAEMON@x\nSubject: Undeliverable\nMIME-Version: 1.0\n"
      b"Content-Type: multipart/mixed; boundary=Q\n\n--Q\nContent-Type: text/plain; charset=iso-8859-1\n"
      b"Content-Transfer-Encoding: quoted-printable\n\nDelivery has failed to these recipients or groups:=\n"
      b"\n=E9t=E9@example.fr\n=ZZ broken =\n--Q\nContent-Type: text/plain; charset=unicode-1-1-utf-7\n\n"
      b"+AOkA6Q- +-\n--Q--\n")


def nested(depth):
    head = b"From: MAILER-DAEMON@x\nSubject: Returned mail\nMIME-Version: 1.0\n"
    body = b""
    for i in range(depth):
        body += b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i)
    body += b"Content-Type: text/plain\n\nx@example.org\n"
    return head + body


SEEDS = [
    DSN, GLOBAL, ARF, MDN, AUTO, QMAIL, EXIM, XFR, QP,
    DSN.replace(b"\n", b"\r\n"), DSN.replace(b"\n", b"\r"), QMAIL.replace(b"\n", b"\r"),
    b"From sender@example.com Thu Jan  1 00:00:00 2026\n" + DSN,
    nested(20),
    DSN.replace(b"--B--\n", b""),                               # unclosed
    DSN.replace(b"boundary=\"B\"", b"boundary=\"\""),           # empty boundary
    b"Subject: " + b"x\n " * 200 + b"\n\nbody\n",               # many folds
    b"From: a@b\n\x00\x00\x00Final-Recipient: rfc822; z@example.org\n",
    b"Content-Type: multipart/report; boundary=Z\n\n--Z\nContent-Transfer-Encoding: base64\n"
    b"Content-Type: message/delivery-status\n\n!!!!====QUJD\n=",
    b"Subject: x\n\n",
    b"From: x@y\n",
]


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    for s in SEEDS:
        name = hashlib.sha1(s).hexdigest()
        with open(os.path.join(out, name), "wb") as f:
            f.write(s)
    if len(argv) == 3:
        for root, _, files in os.walk(argv[2]):
            for fn in sorted(files):
                if fn.endswith(".tsv") or fn.startswith("LICENSE") or fn.endswith(".md"):
                    continue
                p = os.path.join(root, fn)
                with open(p, "rb") as f:
                    data = f.read()
                shutil.copyfile(p, os.path.join(out, hashlib.sha1(data).hexdigest()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
