"""smtpreply.parse: fields of real replies, stream mode, rejected input and the
accepted input types."""
from __future__ import annotations

import dataclasses
import unittest
from typing import List

import _support  # noqa: F401  (import path)
import smtpreply
from smtpreply import Incomplete, ReplyError, Stage, Wrapper

GMAIL_5726 = (
    b"550-5.7.26 This mail is unauthenticated, which poses a security risk to the\r\n"
    b"550-5.7.26 sender and Gmail users, and has been blocked. The sender must\r\n"
    b"550 5.7.26 authenticate with at least one of SPF or DKIM.\r\n")

POSTFIX_LOG = (
    "Nov 23 02:12:01 mx1 postfix/smtp[1234]: 4F1A2B3C4D: to=<bob@example.com>, "
    "relay=mx.example.com[192.0.2.1]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, "
    "status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <bob@example.com>: "
    "Recipient address rejected: User unknown in local recipient table "
    "(in reply to RCPT TO command))")


class TestParse(unittest.TestCase):
    def test_gmail_multiline(self) -> None:
        r = smtpreply.parse(GMAIL_5726)
        self.assertEqual(r.code, 550)
        self.assertEqual(r.enhanced, (5, 7, 26))
        self.assertEqual(r.enhanced_str, "5.7.26")
        self.assertEqual(r.nlines, 3)
        self.assertEqual(r.lines, (
            "This mail is unauthenticated, which poses a security risk to the",
            "sender and Gmail users, and has been blocked. The sender must",
            "authenticate with at least one of SPF or DKIM."))
        self.assertEqual(r.text, " ".join(r.lines))
        self.assertEqual(r.flags, frozenset())
        self.assertIs(r.wrapper, Wrapper.NONE)
        self.assertEqual(r.consumed, len(GMAIL_5726))
        self.assertTrue(GMAIL_5726.startswith(r.raw))

    def test_postfix_log_line_unwraps(self) -> None:
        r = smtpreply.parse(POSTFIX_LOG)
        self.assertEqual(r.code, 550)
        self.assertEqual(r.enhanced, (5, 1, 1))
        self.assertIs(r.wrapper, Wrapper.POSTFIX)
        self.assertIs(r.stage, Stage.RCPT)
        self.assertIn("unwrapped", r.flags)
        self.assertEqual(r.raw, b"550 5.1.1 <bob@example.com>: Recipient address rejected: "
                                b"User unknown in local recipient table")
        self.assertEqual(r.text, "<bob@example.com>: Recipient address rejected: "
                                 "User unknown in local recipient table")

    def test_no_unwrap_option(self) -> None:
        s = "host mx.example.com[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)"
        self.assertIs(smtpreply.parse(s).wrapper, Wrapper.POSTFIX)
        r = smtpreply.parse(s, unwrap=False)
        self.assertIs(r.wrapper, Wrapper.NONE)
        self.assertNotIn("unwrapped", r.flags)

    def test_stream_consumed_walks_replies(self) -> None:
        data = b"250-mx.example.com\r\n250-PIPELINING\r\n250 8BITMIME\r\n550 5.1.1 No such user\r\n"
        first = smtpreply.parse(data, stream=True)
        self.assertEqual(first.code, 250)
        self.assertEqual(first.lines, ("mx.example.com", "PIPELINING", "8BITMIME"))
        second = smtpreply.parse(data[first.consumed:], stream=True)
        self.assertEqual(second.code, 550)
        self.assertEqual(second.enhanced, (5, 1, 1))
        self.assertEqual(first.consumed + second.consumed, len(data))

    def test_stream_incomplete(self) -> None:
        for partial in (b"250-mx.example.com\r\n", b"550 5.1.1 No such", b"55"):
            with self.subTest(partial=partial):
                with self.assertRaises(Incomplete) as cm:
                    smtpreply.parse(partial, stream=True)
                self.assertIsInstance(cm.exception, ReplyError)
                self.assertIsInstance(cm.exception, ValueError)
                self.assertEqual(cm.exception.code, -1)
                self.assertEqual(cm.exception.name, "incomplete")

    def test_whole_text_missing_final_line_is_a_flag(self) -> None:
        r = smtpreply.parse(b"250-mx.example.com\r\n")
        self.assertIn("no_final_line", r.flags)

    def test_rejected_input(self) -> None:
        # (input, stream, error name, error code) - names from smtp_reply_error_name
        cases = [
            (b"", False, "empty", -3),
            (b"", True, "empty", -3),
            (b"  \r\n \t", False, "blank", -4),
            (b"55 too short", False, "short_code", -6),
            (b"5500 too long", False, "long_code", -7),
            (b"600 bad class", False, "bad_class", -8),
            (b"550x hello", True, "bad_separator", -9),
            (b"<html><body>Not Found</body></html>", False, "html", -10),
            (b"\x00\x00\x00\x01\x02\x00\x00", False, "binary", -12),
            (b"hello world", True, "no_code", -5),
        ]
        for data, stream, name, code in cases:
            with self.subTest(data=data, stream=stream):
                with self.assertRaises(ReplyError) as cm:
                    smtpreply.parse(data, stream=stream)
                self.assertNotIsInstance(cm.exception, Incomplete)
                self.assertEqual(cm.exception.name, name)
                self.assertEqual(cm.exception.code, code)
                self.assertIn(name, str(cm.exception))

    def test_str_and_bytes_like_agree(self) -> None:
        text = "550 5.1.1 <bob@example.com>: Benutzer unbekannt / utilisateur inconnu é"
        want = smtpreply.parse(text.encode("utf-8"))
        variants: List[smtpreply.BytesLike] = [text, text.encode(), bytearray(text.encode()),
                                               memoryview(text.encode())]
        for data in variants:
            with self.subTest(type=type(data).__name__):
                self.assertEqual(smtpreply.parse(data), want)
        self.assertEqual(want.text, text[10:])
        self.assertIn("8bit", want.flags)

    def test_invalid_utf8_is_replaced_not_raised(self) -> None:
        r = smtpreply.parse(b"550 5.1.1 User unknown \xff\xfe caf\xc3\xa9")
        self.assertEqual(r.text, "User unknown \ufffd\ufffd caf\u00e9")
        self.assertIn("8bit", r.flags)
        self.assertEqual(r.raw, b"550 5.1.1 User unknown \xff\xfe caf\xc3\xa9")

    def test_surrogateescaped_str_round_trips(self) -> None:
        raw = b"550 5.1.1 User unknown \xff"
        r = smtpreply.parse(raw.decode("utf-8", "surrogateescape"))
        self.assertEqual(r.raw, raw)

    def test_nul_bytes_are_passed_through(self) -> None:
        r = smtpreply.parse(b"550 5.1.1 User\x00 unknown")
        self.assertIn("nul", r.flags)
        self.assertEqual(r.code, 550)

    def test_copy_of_mutable_input(self) -> None:
        buf = bytearray(b"550 5.1.1 User unknown")
        r = smtpreply.parse(buf)
        buf[:] = b"X" * len(buf)  # the Reply owns copies, not views of buf
        self.assertEqual(r.raw, b"550 5.1.1 User unknown")
        self.assertEqual(r.text, "User unknown")

    def test_wrong_type(self) -> None:
        for bad in (None, 550, ["550 x"]):
            with self.subTest(bad=bad):
                with self.assertRaises(TypeError):
                    smtpreply.parse(bad)  # type: ignore[arg-type]

    def test_reply_is_frozen(self) -> None:
        r = smtpreply.parse("250 OK")
        with self.assertRaises(dataclasses.FrozenInstanceError):
            r.code = 550  # type: ignore[misc]
        self.assertIsNone(r.enhanced)
        self.assertIsNone(smtpreply.parse("User unknown").code)


if __name__ == "__main__":
    unittest.main()
