"""python -m smtpreply: arguments and standard input, --json objects with the C
command-line tool's keys, exit status."""
from __future__ import annotations

import json
import subprocess
import sys
import unittest
from typing import List

import _support

KEYS = {"input", "ok", "error", "code", "enhanced", "text", "category", "permanence",
        "recipient_action", "message_action", "retry_after", "fault", "provider",
        "blocklist", "rule", "evidence", "match", "enhanced_title", "stage", "wrapper",
        "recipient", "lines", "flags", "advice"}
ADVICE_KEYS = {"id", "summary", "steps", "actors", "reference", "remove_address"}


def run(args: List[str], stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smtpreply"] + args, input=stdin,
                          env=_support.subprocess_env(), cwd="/", capture_output=True,
                          timeout=120)


class TestCli(unittest.TestCase):
    def test_json_arguments(self) -> None:
        p = run(["--json", "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown",
                 "250 2.0.0 Ok: queued as 4F1A2B3C4D"])
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.decode().splitlines()
        self.assertEqual(len(lines), 2)
        objs = [json.loads(line) for line in lines]
        for o in objs:
            self.assertEqual(set(o), KEYS)
            self.assertTrue(o["ok"])
            self.assertIsNone(o["error"])
            self.assertEqual(set(o["advice"]), ADVICE_KEYS)
            self.assertIsInstance(o["advice"]["steps"], list)
            self.assertIsInstance(o["advice"]["actors"], list)
            self.assertIsInstance(o["advice"]["remove_address"], bool)
            self.assertIsInstance(o["flags"], list)
        uu, ok = objs
        self.assertEqual((uu["code"], uu["enhanced"], uu["category"], uu["recipient_action"]),
                         (550, "5.1.1", "user_unknown", "suppress"))
        self.assertEqual(uu["text"], "<bob@example.com>: Recipient address rejected: User unknown")
        self.assertEqual(uu["enhanced_title"], "Bad destination mailbox address")
        self.assertTrue(uu["advice"]["remove_address"])
        self.assertEqual(ok["category"], "success")

    def test_stdin_lines_are_unescaped(self) -> None:
        stdin = (b"550-5.7.26 This mail is unauthenticated, which poses a security risk to the\\r\\n"
                 b"550-5.7.26 sender and Gmail users, and has been blocked. The sender must\\r\\n"
                 b"550 5.7.26 authenticate with at least one of SPF or DKIM.\n"
                 b"\n"
                 b"550 5.1.1 tab\\there back\\\\slash\r\n")
        p = run(["--json"], stdin)
        self.assertEqual(p.returncode, 0, p.stderr)
        objs = [json.loads(line) for line in p.stdout.decode().splitlines()]
        self.assertEqual(len(objs), 3)  # the empty line is a record, rejected as empty
        self.assertEqual(objs[0]["category"], "auth_failed")
        self.assertEqual(objs[0]["enhanced"], "5.7.26")
        self.assertIn("\r\n550-5.7.26 sender", objs[0]["input"])
        self.assertEqual((objs[1]["ok"], objs[1]["error"]), (False, "empty"))
        self.assertEqual(objs[2]["input"], "550 5.1.1 tab\there back\\slash")

    def test_rejected_input_sets_ok_false_and_exit_0(self) -> None:
        p = run(["--json", "5500 too long", "550 5.1.1 User unknown"])
        self.assertEqual(p.returncode, 0)  # rejected replies are results, as in the C tool
        bad, good = [json.loads(line) for line in p.stdout.decode().splitlines()]
        self.assertEqual(set(bad), KEYS)
        self.assertFalse(bad["ok"])
        self.assertEqual(bad["error"], "long_code")
        self.assertIsNone(bad["advice"])
        self.assertEqual(bad["category"], "unknown")
        self.assertTrue(good["ok"])

    def test_invalid_utf8_argument_and_line(self) -> None:
        p = run(["--json"], b"550 5.1.1 User unknown \xff\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        o = json.loads(p.stdout)
        self.assertEqual(o["category"], "user_unknown")
        self.assertIn("8bit", o["flags"])
        self.assertIn("\ufffd", o["input"])

    def test_text_output(self) -> None:
        p = run(["452 4.2.2 <bob@example.com>: Mailbox full"])
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout.decode()
        self.assertRegex(out, r"(?m)^category:\s+mailbox_full$")
        self.assertRegex(out, r"(?m)^permanence:\s+transient$")
        self.assertRegex(out, r"(?m)^summary:\s+\S")

    def test_version(self) -> None:
        p = run(["--version"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout.decode(), r"^libsmtpreply \d+\.\d+\.\d+, table \S+ \(\d+ rules\)")


if __name__ == "__main__":
    unittest.main()
