"""smtpreply.fingerprint: the pinned rows of tests/fingerprint/pinned.tsv (the
same templates and hashes as from C), the error model of classify, the accepted
input types, exact bytes through surrogateescape, and 8 threads at once."""
from __future__ import annotations

import os
import threading
import unittest
from typing import Dict, List, NamedTuple

import _support
import smtpreply
from smtpreply import Fingerprint, ReplyError

USER_UNKNOWN = "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown"
POSTFIX_LOG = (
    "Nov 23 02:12:01 mx1 postfix/smtp[1234]: 4F1A2B3C4D: to=<bob@example.com>, "
    "relay=mx.example.com[192.0.2.1]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, "
    "status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <bob@example.com>: "
    "Recipient address rejected: User unknown in local recipient table "
    "(in reply to RCPT TO command))")


def fnv1a64(b: bytes) -> int:
    h = 0xcbf29ce484222325
    for c in b:
        h = ((h ^ c) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


class Pinned(NamedTuple):
    where: str
    raw: bool
    input: bytes
    template: bytes
    hash: int
    what: str


def pinned_rows() -> List[Pinned]:
    path = os.environ.get("SMTPREPLY_FINGERPRINT_ROWS") or os.path.join(
        _support.SOURCE_ROOT, "tests", "fingerprint", "pinned.tsv")
    rows: List[Pinned] = []
    header = True
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip(b"\r\n")
            if not line or line.startswith(b"#"):
                continue
            if header:
                header = False
                continue
            mode, inp, tmpl, h, what = line.split(b"\t")
            rows.append(Pinned("pinned.tsv:%d" % n, mode == b"raw", smtpreply.unescape(inp),
                               smtpreply.unescape(tmpl), int(h, 16), what.decode()))
    return rows


class TestPinned(unittest.TestCase):
    def test_pinned_rows(self) -> None:
        rows = pinned_rows()
        self.assertGreaterEqual(len(rows), 40)
        for row in rows:
            with self.subTest(row=row.where, what=row.what):
                fp = smtpreply.fingerprint(row.input, raw=row.raw)
                self.assertEqual(fp.template.encode("utf-8", "surrogateescape"), row.template)
                self.assertEqual(fp.hash, row.hash)
                self.assertEqual(fnv1a64(row.template), row.hash)

    def test_version(self) -> None:
        self.assertEqual(smtpreply.fingerprint_version(), 1)


class TestFingerprint(unittest.TestCase):
    def test_reply(self) -> None:
        fp = smtpreply.fingerprint(USER_UNKNOWN)
        self.assertIsInstance(fp, Fingerprint)
        template, h = fp  # a (template, hash) pair
        self.assertEqual(template, "550 5.1.1 <addr>: recipient address rejected: user unknown")
        self.assertEqual(h, fnv1a64(template.encode()))
        self.assertEqual(fp.template, template)
        self.assertEqual(fp.hash, h)

    def test_log_line_is_unwrapped(self) -> None:
        fp = smtpreply.fingerprint(POSTFIX_LOG)
        self.assertEqual(fp.template, "550 5.1.1 <addr>: recipient address rejected: user "
                                      "unknown in local recipient table")
        other = POSTFIX_LOG.replace("bob@example.com", "alice@example.org").replace(
            "02:12:01", "23:59:59").replace("4F1A2B3C4D", "9E8D7C6B5A")
        self.assertEqual(smtpreply.fingerprint(other), fp)
        raw = smtpreply.fingerprint(POSTFIX_LOG, raw=True)
        self.assertTrue(raw.template.startswith("<date> mx1 postfix/smtp[<n>]: <id>: to=<addr>"))
        self.assertEqual(smtpreply.fingerprint(other, raw=True), raw)

    def test_errors_raise_as_classify(self) -> None:
        for data, name in (("", "empty"), (b"\r\n  ", "blank"), ("5500 x", "long_code")):
            with self.subTest(data=data):
                with self.assertRaises(ReplyError) as cm:
                    smtpreply.fingerprint(data)
                self.assertEqual(cm.exception.name, name)
                with self.assertRaises(ReplyError) as cm2:
                    smtpreply.classify(data)
                self.assertEqual(cm2.exception.code, cm.exception.code)
                # the raw form takes any bytes
                self.assertIsInstance(smtpreply.fingerprint(data, raw=True), Fingerprint)
        self.assertEqual(smtpreply.fingerprint("", raw=True), ("", 0xcbf29ce484222325))
        self.assertEqual(smtpreply.fingerprint(b"\r\n  ", raw=True).template, "")

    def test_types(self) -> None:
        want = smtpreply.fingerprint(USER_UNKNOWN)
        for data in (USER_UNKNOWN.encode(), bytearray(USER_UNKNOWN.encode()),
                     memoryview(USER_UNKNOWN.encode())):
            self.assertEqual(smtpreply.fingerprint(data), want)
        for bad in (None, 550, ["550"]):
            with self.assertRaises(TypeError):
                smtpreply.fingerprint(bad)  # type: ignore[arg-type]

    def test_exact_bytes(self) -> None:
        data = b"550 5.1.1 M\xc3\xbcller \xff\xfe unknown\x00 <x@example.com>"
        fp = smtpreply.fingerprint(data, raw=True)
        b = fp.template.encode("utf-8", "surrogateescape")
        self.assertEqual(b, b"550 5.1.1 m\xc3\xbcller \xff\xfe unknown <addr>")
        self.assertEqual(fp.hash, fnv1a64(b))
        # a template is its own template, as str and as bytes
        self.assertEqual(smtpreply.fingerprint(fp.template, raw=True), fp)
        self.assertEqual(smtpreply.fingerprint(b, raw=True), fp)

    def test_every_row(self) -> None:
        n = 0
        for row in _support.table_rows():
            with self.subTest(row=row.where):
                fp = smtpreply.fingerprint(row.input, raw=True)
                self.assertEqual(smtpreply.fingerprint(fp.template, raw=True), fp)
                try:
                    parsed = smtpreply.fingerprint(row.input)
                except ReplyError:
                    continue
                self.assertEqual(parsed.hash, fnv1a64(parsed.template.encode(
                    "utf-8", "surrogateescape")))
                self.assertEqual(smtpreply.fingerprint(parsed.template, raw=True), parsed)
                n += 1
        if not n:
            self.skipTest("no rows in tests/data")


class TestThreads(unittest.TestCase):
    def test_same_from_8_threads(self) -> None:
        inputs = [row.input for row in _support.table_rows()][:600] or [USER_UNKNOWN.encode()]
        want: Dict[bytes, Fingerprint] = {x: smtpreply.fingerprint(x, raw=True) for x in inputs}
        bad: List[bytes] = []

        def work() -> None:
            for x in inputs:
                if smtpreply.fingerprint(x, raw=True) != want[x]:
                    bad.append(x)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(bad, [])


if __name__ == "__main__":
    unittest.main()
