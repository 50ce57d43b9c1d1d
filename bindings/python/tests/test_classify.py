"""smtpreply.classify and smtpreply.advice: real replies, every row of
tests/data/*.tsv, and the same results from 8 threads as from one."""
from __future__ import annotations

import dataclasses
import threading
import unittest
from typing import Any, Callable, Dict, List, Tuple

import _support
import smtpreply
from smtpreply import (Actor, Category, Evidence, Fault, MessageAction, Permanence,
                       RecipientAction, ReplyError, Stage)

GMAIL_5726 = (
    "550-5.7.26 This mail is unauthenticated, which poses a security risk to the\r\n"
    "550-5.7.26 sender and Gmail users, and has been blocked. The sender must\r\n"
    "550 5.7.26 authenticate with at least one of SPF or DKIM.")

USER_UNKNOWN = "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown"


class TestClassify(unittest.TestCase):
    def test_gmail_5726_is_auth_failed(self) -> None:
        r = smtpreply.classify(GMAIL_5726)
        self.assertIs(r.category, Category.AUTH_FAILED)
        self.assertIs(r.permanence, Permanence.PERMANENT)
        self.assertIs(r.recipient_action, RecipientAction.KEEP)
        self.assertIs(r.message_action, MessageAction.FIX_SENDER)
        self.assertEqual(r.code, 550)
        self.assertEqual(r.enhanced, (5, 7, 26))
        self.assertEqual(r.enhanced_title, "Multiple authentication checks failed")
        self.assertTrue(r.rule)
        self.assertEqual(r.reply.nlines, 3)

    def test_user_unknown_is_suppressed(self) -> None:
        r = smtpreply.classify(USER_UNKNOWN)
        self.assertIs(r.category, Category.USER_UNKNOWN)
        self.assertEqual(str(r.category), "user_unknown")
        self.assertIs(r.recipient_action, RecipientAction.SUPPRESS)
        self.assertIs(r.message_action, MessageAction.NEVER)
        self.assertIs(r.permanence, Permanence.PERMANENT)
        self.assertIs(r.fault, Fault.RECIPIENT)
        self.assertIsNone(r.retry_after)
        self.assertIsNone(r.provider)
        self.assertIsNone(r.blocklist)
        self.assertEqual(r.enhanced_title, "Bad destination mailbox address")
        # the match is a copy of the input bytes that decided, at the span's place
        off, n = r.match_span
        self.assertEqual(USER_UNKNOWN.encode()[off:off + n], r.match)
        self.assertIn(b"user unknown", r.match.lower())
        self.assertEqual(r.match_text, r.match.decode())
        a = smtpreply.advice(r)
        self.assertTrue(a.remove_address)
        self.assertIs(a.recipient_action, RecipientAction.SUPPRESS)
        self.assertIs(a.message_action, MessageAction.NEVER)

    def test_postfix_log_line(self) -> None:
        line = ("Nov 23 02:12:01 mx1 postfix/smtp[1234]: 4F1A2B3C4D: to=<bob@example.com>, "
                "relay=mx.example.com[192.0.2.1]:25, delay=1.2, status=bounced (host "
                "mx.example.com[192.0.2.1] said: 550 5.1.1 <bob@example.com>: Recipient "
                "address rejected: User unknown in local recipient table (in reply to "
                "RCPT TO command))")
        r = smtpreply.classify(line)
        self.assertIs(r.category, Category.USER_UNKNOWN)
        self.assertIs(r.stage, Stage.RCPT)
        self.assertIn("unwrapped", r.flags)
        self.assertEqual(r.code, 550)

    def test_postfix_log_line_with_dsn_field(self) -> None:
        """A real Postfix log line carries "dsn=5.1.1," before "status=": the reply
        is the one after "said:", not a Sendmail "dsn=" field."""
        line = ("Nov 23 02:12:01 mx1 postfix/smtp[1234]: 4F1A2B3C4D: to=<bob@example.com>, "
                "relay=mx.example.com[192.0.2.1]:25, delay=1.2, delays=0.1/0/0.5/0.6, "
                "dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 "
                "<bob@example.com>: Recipient address rejected: User unknown in local "
                "recipient table (in reply to RCPT TO command))")
        r = smtpreply.classify(line)
        self.assertIs(r.category, Category.USER_UNKNOWN)
        self.assertEqual((r.code, r.stage), (550, Stage.RCPT))
        self.assertIn("unwrapped", r.flags)
        self.assertEqual(r.reply.raw, b"550 5.1.1 <bob@example.com>: Recipient address "
                                      b"rejected: User unknown in local recipient table")
        self.assertEqual(r.recipient, "bob@example.com")  # the to=<...> field
        self.assertIsNone(smtpreply.classify(r.reply.raw).recipient)  # a bare reply names none

    def test_success(self) -> None:
        r = smtpreply.classify("250 2.0.0 Ok: queued as 4F1A2B3C4D")
        self.assertIs(r.category, Category.SUCCESS)
        self.assertIs(r.permanence, Permanence.SUCCESS)
        self.assertIs(r.fault, Fault.NONE)

    def test_errors_raise(self) -> None:
        cases: List[Tuple[smtpreply.BytesLike, str]] = [
            ("", "empty"), (b"\r\n  ", "blank"), ("5500 x", "long_code")]
        for data, name in cases:
            with self.subTest(data=data):
                with self.assertRaises(ReplyError) as cm:
                    smtpreply.classify(data)
                self.assertEqual(cm.exception.name, name)
                self.assertLess(cm.exception.code, 0)

    def test_str_and_bytes_give_equal_results(self) -> None:
        want = smtpreply.classify(USER_UNKNOWN.encode())
        variants: List[smtpreply.BytesLike] = [USER_UNKNOWN, bytearray(USER_UNKNOWN.encode()),
                                               memoryview(USER_UNKNOWN.encode())]
        for data in variants:
            self.assertEqual(smtpreply.classify(data), want)
            self.assertEqual(smtpreply.advice(smtpreply.classify(data)), smtpreply.advice(want))

    def test_invalid_utf8(self) -> None:
        r = smtpreply.classify(b"550 5.1.1 <bob@example.com>: User unknown \xc3\x28 \xff")
        self.assertIs(r.category, Category.USER_UNKNOWN)
        self.assertIn("8bit", r.flags)
        self.assertIn("\ufffd", r.reply.text)

    def test_result_is_frozen_and_typed(self) -> None:
        r = smtpreply.classify(USER_UNKNOWN)
        with self.assertRaises(dataclasses.FrozenInstanceError):
            r.category = Category.SUCCESS  # type: ignore[misc]
        self.assertIsInstance(r.evidence, Evidence)
        self.assertIsInstance(r.reply, smtpreply.Reply)
        self.assertNotIn("_raw", repr(r))

    def test_retry_after(self) -> None:
        rows = [row for row in _support.table_rows() if "retry=" in row.expect]
        if not rows:
            self.skipTest("no row with retry= in tests/data")
        for row in rows:
            want = dict(kv.split("=", 1) for kv in row.expect.split(","))["retry"]
            r = smtpreply.classify(row.input)
            self.assertEqual(r.retry_after or 0, int(want), row.where)
            self.assertEqual(smtpreply.advice(r).retry_after, r.retry_after, row.where)


class TestAdvice(unittest.TestCase):
    def test_fields(self) -> None:
        for text in (USER_UNKNOWN, GMAIL_5726, "452 4.2.2 Mailbox full",
                     "421 4.7.0 Try again later, closing connection."):
            with self.subTest(text=text[:30]):
                r = smtpreply.classify(text)
                a = smtpreply.advice(r)
                self.assertEqual(a, r.advice())
                self.assertTrue(a.id)
                self.assertTrue(a.summary)
                self.assertIsInstance(a.steps, tuple)
                self.assertTrue(all(isinstance(s, str) and s for s in a.steps))
                self.assertLessEqual(len(a.steps), 8)
                self.assertTrue(a.actors)
                self.assertTrue(all(isinstance(x, Actor) for x in a.actors))
                self.assertIsInstance(a.remove_address, bool)
                self.assertIs(a.message_action, r.message_action)
                self.assertIs(a.recipient_action, r.recipient_action)
                self.assertEqual(a.retry_after, r.retry_after)

    def test_needs_a_result(self) -> None:
        with self.assertRaises(TypeError):
            smtpreply.advice("550 5.1.1 User unknown")  # type: ignore[arg-type]


# expect key -> how to read it from a Result (tests/data/README.md)
EXPECT: Dict[str, Callable[[smtpreply.Result], Any]] = {
    "perm": lambda r: str(r.permanence),
    "rcpt": lambda r: str(r.recipient_action),
    "msg": lambda r: str(r.message_action),
    "fault": lambda r: str(r.fault),
    "rule": lambda r: r.rule,
    "provider": lambda r: r.provider or "-",
    "blocklist": lambda r: r.blocklist or "-",
    "retry": lambda r: str(r.retry_after or 0),
    "code": lambda r: str(r.code or 0),
    "enh": lambda r: r.enhanced_str or "-",
    "stage": lambda r: str(r.stage),
    "evidence": lambda r: str(r.evidence),
    "to": lambda r: r.recipient or "-",
    "wrapper": lambda r: str(r.reply.wrapper),
}


class TestTableRows(unittest.TestCase):
    """Each row of tests/data/*.tsv (the C suite's table) through the binding:
    input column 1 unescaped, expected category column 2, checks column 3."""

    maxDiff = None

    def test_rows(self) -> None:
        rows = _support.table_rows()
        if not rows:
            self.skipTest("no tests/data folder at %s" % _support.test_data_dir())
        failures: List[str] = []
        for row in rows:
            try:
                r = smtpreply.classify(row.input)
            except ReplyError as e:
                failures.append("%s: %s" % (row.where, e))
                continue
            if str(r.category) != row.category:
                failures.append("%s: category %s, want %s" % (row.where, r.category,
                                                             row.category))
            if row.expect.strip() in ("", "-"):
                continue
            for kv in row.expect.split(","):
                key, _, want = kv.strip().partition("=")
                if key not in EXPECT:
                    failures.append("%s: unknown expect key %r" % (row.where, key))
                    continue
                got = EXPECT[key](r)
                if got != want:
                    failures.append("%s: %s=%s, want %s" % (row.where, key, got, want))
        self.assertGreater(len(rows), 100)
        self.assertEqual(failures, [], "%d of %d rows" % (len(failures), len(rows)))


class TestThreads(unittest.TestCase):
    def test_eight_threads_agree_with_sequential(self) -> None:
        inputs = ([row.input for row in _support.table_rows()]
                  or [USER_UNKNOWN.encode(), GMAIL_5726.encode()])
        inputs = (inputs * (2000 // len(inputs) + 1))[:2000]

        def work(data: bytes) -> Any:
            try:
                r = smtpreply.classify(data)
                return (r, smtpreply.advice(r))
            except ReplyError as e:
                return ("error", e.code)

        want = [work(d) for d in inputs]
        got: List[List[Any]] = [[] for _ in range(8)]
        errors: List[BaseException] = []
        barrier = threading.Barrier(8)

        def run(k: int) -> None:
            try:
                barrier.wait()
                # each thread walks the list from a different starting point
                n = len(inputs)
                order = [(k * n // 8 + i) % n for i in range(n)]
                out = [None] * n
                for i in order:
                    out[i] = work(inputs[i])
                got[k] = out
            except BaseException as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=run, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        for k in range(8):
            self.assertEqual(got[k], want, "thread %d" % k)


if __name__ == "__main__":
    unittest.main()
