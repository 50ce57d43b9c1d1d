"""smtpreply.read_bounce: whole bounce mails, table-driven, with the same error
model as classify; the dev bounce mails read without error when ../shared is
there."""
from __future__ import annotations

import os
import unittest
from typing import Any, Dict, List, Tuple

import _support
import smtpreply
from smtpreply import Category, Permanence, RecipientAction, ReplyError, Stage

DSN = (
    "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\n"
    "To: sender@example.com\nSubject: Undelivered Mail Returned to Sender\n"
    "Auto-Submitted: auto-replied\nMIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
    "--B\nContent-Type: text/plain\n\nThis is the mail system at host mx.example.net.\n\n"
    "<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 <bob@example.org>:\n"
    "    Recipient address rejected: User unknown (in reply to RCPT TO command)\n\n"
    "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
    "Original-Recipient: rfc822;bob+2Blist@example.org\n"
    "Final-Recipient: rfc822; bob@example.org\nAction: failed\nStatus: 5.1.1\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: Recipient address rejected:\n"
    "    User unknown\n\n"
    "Final-Recipient: rfc822; carol@example.org\nAction: delayed\nStatus: 4.2.2\n"
    "Diagnostic-Code: smtp; 452 4.2.2 Mailbox full\n\n"
    "--B\nContent-Type: text/rfc822-headers\n\nMessage-ID: <m-1@example.com>\n"
    "Subject: =?UTF-8?B?w4ljaG8=?=\n\n--B--\n")

ARF = (
    "From: fbl@example.net\nSubject: Spam report\nMIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=feedback-report; boundary=A\n\n"
    "--A\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nVersion: 1\n"
    "Original-Rcpt-To: <u1@example.com>\nOriginal-Rcpt-To: <u2@example.com>\n\n--A--\n")

QMAIL = (
    "From: MAILER-DAEMON@mx.example.net\nSubject: failure notice\n\n"
    "Hi. This is the qmail-send program at mx.example.net.\n\n<erin@example.org>:\n"
    "192.0.2.9 does not like recipient.\nRemote host said: 550 5.1.1 <erin@example.org>... User unknown\n"
    "Giving up on 192.0.2.9.\n\n--- Below this line is a copy of the message.\n\n"
    "Message-ID: <q-7@example.com>\n\nhi\n")

AUTOREPLY = ("From: Bob <bob@example.org>\nTo: alice@example.com\nSubject: Out of Office: lunch\n"
             "Auto-Submitted: auto-replied\n\nAway until Monday.\n")

PLAIN = "From: alice@example.com\nTo: bob@example.org\nSubject: lunch?\n\nAt noon?\n"

# name, mail, {mail fields}, [per recipient: {field: value}]
CASES: List[Tuple[str, str, Dict[str, Any], List[Dict[str, Any]]]] = [
    ("RFC 3464 DSN: failed (xtext ORCPT, stage from the text) and delayed (kept)", DSN,
     {"kind": "dsn", "format": "rfc3464", "mta": "postfix", "orig_message_id": "<m-1@example.com>",
      "orig_subject": "\u00c9cho", "reporting_mta": "mx.example.net", "returned": 1},
     [{"final_recipient": "bob@example.org", "recipient": "bob+list@example.org",
       "original_recipient": "bob+list@example.org", "action": "failed", "status": (5, 1, 1),
       "category": Category.USER_UNKNOWN, "permanence": Permanence.PERMANENT,
       "recipient_action": RecipientAction.SUPPRESS, "stage": Stage.RCPT, "flag": "orcpt_decoded"},
      {"final_recipient": "carol@example.org", "action": "delayed", "status": (4, 2, 2),
       "category": Category.MAILBOX_FULL, "permanence": Permanence.TRANSIENT,
       "recipient_action": RecipientAction.KEEP}]),
    ("RFC 5965 feedback report with two recipients", ARF,
     {"kind": "feedback", "format": "arf", "feedback_type": "abuse"},
     [{"final_recipient": "u1@example.com", "source": "arf"},
      {"final_recipient": "u2@example.com", "source": "arf"}]),
    ("qmail's text bounce", QMAIL,
     {"kind": "dsn", "format": "text", "mta": "qmail", "orig_message_id": "<q-7@example.com>"},
     [{"final_recipient": "erin@example.org", "status": (5, 1, 1), "stage": Stage.RCPT,
       "category": Category.USER_UNKNOWN, "flag": "status_from_text"}]),
    ("RFC 3834 auto-reply: its sender, never a failure", AUTOREPLY,
     {"kind": "autoreply", "format": "rfc3834"},
     [{"final_recipient": "bob@example.org", "action": "none", "source": "autoreply"}]),
    ("a mail that is no report", PLAIN, {"kind": "none", "format": "none"}, []),
]


class TestReadBounce(unittest.TestCase):
    def check(self, name: str, mail: Any, fields: Dict[str, Any], rcpts: List[Dict[str, Any]]) -> None:
        b = smtpreply.read_bounce(mail)
        for k, v in fields.items():
            self.assertEqual(getattr(b, k), v, "%s: %s" % (name, k))
        self.assertEqual(len(b.recipients), len(rcpts), name)
        for i, (r, want) in enumerate(zip(b.recipients, rcpts)):
            self.assertEqual(r.index, i)
            self.assertIsInstance(r.result, smtpreply.Result)
            for k, v in want.items():
                if k == "flag":
                    self.assertIn(v, r.flags, "%s #%d" % (name, i))
                elif k in ("category", "permanence", "recipient_action"):
                    self.assertIs(getattr(r.result, k), v, "%s #%d: %s" % (name, i, k))
                else:
                    self.assertEqual(getattr(r, k), v, "%s #%d: %s" % (name, i, k))

    def test_cases(self) -> None:
        for name, mail, fields, rcpts in CASES:
            with self.subTest(name):
                self.check(name, mail, fields, rcpts)

    def test_inputs_and_line_ends(self) -> None:
        """str, bytes, bytearray and memoryview read alike, and so do CRLF and CR line ends."""
        for name, mail, fields, rcpts in CASES:
            base = smtpreply.read_bounce(mail)
            raw = mail.encode("utf-8")
            for variant in (raw, bytearray(raw), memoryview(raw), mail.replace("\n", "\r\n"),
                            mail.replace("\n", "\r")):
                b = smtpreply.read_bounce(variant)
                self.assertEqual([(r.final_recipient, r.action, r.status, r.result.category,
                                   r.diagnostic) for r in b.recipients],
                                 [(r.final_recipient, r.action, r.status, r.result.category,
                                   r.diagnostic) for r in base.recipients], name)
                self.assertEqual((b.kind, b.format, b.mta), (base.kind, base.format, base.mta))

    def test_errors_as_classify(self) -> None:
        for data, err in ((b"", "empty"), (" \r\n\t", "blank"), (b"hello world\n", "not_mail")):
            with self.assertRaises(ReplyError) as cm:
                smtpreply.read_bounce(data)
            self.assertEqual(cm.exception.name, err)
            self.assertLess(cm.exception.code, 0)
        with self.assertRaises(TypeError):
            smtpreply.read_bounce(42)  # type: ignore[arg-type]

    def test_options(self) -> None:
        # standard: the text formats are not read
        self.assertEqual(smtpreply.read_bounce(QMAIL, standard=True).recipients, ())
        b = smtpreply.read_bounce(DSN, classify=False)
        self.assertEqual(len(b.recipients), 2)
        self.assertIs(b.recipients[0].result.category, Category.UNKNOWN)
        self.assertEqual(b.recipients[0].parse_error, "not_parsed")

    def test_advice_on_a_recipient(self) -> None:
        r = smtpreply.read_bounce(DSN).recipients[0]
        a = smtpreply.advice(r.result)
        self.assertTrue(a.summary)
        self.assertTrue(a.remove_address)

    def test_names_match_the_library(self) -> None:
        from smtpreply import _bounce
        self.assertEqual(_bounce.KIND_NAMES, ("none", "dsn", "feedback", "autoreply", "mdn"))
        self.assertIn("postfix", _bounce.MTA_NAMES)
        self.assertEqual(_bounce.RCPT_FLAG_NAMES[0], "gave_up")

    def test_dev_mails(self) -> None:
        """Every dev bounce mail reads without an exception (skipped without ../shared)."""
        root = os.path.join(_support.SOURCE_ROOT, "..", "shared", "corpus", "bounces", "maildir")
        if not os.path.isdir(root):
            self.skipTest("../shared/corpus/bounces is absent")
        n = recs = 0
        for d, _, files in os.walk(root):
            for fn in files:
                with open(os.path.join(d, fn), "rb") as f:
                    data = f.read()
                try:
                    b = smtpreply.read_bounce(data)
                except ReplyError:
                    continue
                n += 1
                recs += len(b.recipients)
        self.assertGreater(n, 500)
        self.assertGreater(recs, 500)


if __name__ == "__main__":
    unittest.main()
