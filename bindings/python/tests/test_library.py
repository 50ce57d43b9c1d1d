"""The binding against the loaded library: versions, enums built from the
library's names, struct mirrors, and how the shared library is found."""
from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import _support
import smtpreply
from smtpreply import _lib

L = _lib.lib

# (enum class, C kind, values pinned by smtpreply.h that must keep their names)
ENUMS = [
    (smtpreply.Category, "category", {0: "unknown", 1: "success", 2: "user_unknown",
                                      9: "auth_failed", 10: "blocklisted", 25: "expired"}),
    (smtpreply.Permanence, "permanence", {0: "unknown", 1: "success", 2: "transient",
                                          3: "permanent"}),
    (smtpreply.RecipientAction, "recipient_action", {0: "keep", 1: "suppress", 2: "review"}),
    (smtpreply.MessageAction, "message_action", {0: "none", 1: "retry", 2: "retry_later",
                                                 3: "fix_sender", 4: "never"}),
    (smtpreply.Fault, "fault", {0: "unknown", 1: "recipient", 6: "none"}),
    (smtpreply.Evidence, "evidence", {0: "none", 1: "provider_rule", 4: "basic_code"}),
    (smtpreply.Stage, "stage", {0: "unknown", 4: "rcpt", 6: "eod", 8: "starttls"}),
    (smtpreply.Wrapper, "wrapper", {0: "none", 1: "dsn", 2: "postfix", 7: "other"}),
]


def lib_names(kind: str) -> list:
    """Names straight from the C functions, independently of smtpreply's own code."""
    name = getattr(L, "smtp_reply_%s_name" % kind)
    count = getattr(L, "smtp_reply_%s_count" % kind)()
    names = [name(i).decode() for i in range(count)]
    # past the end the name function returns NULL: the count is exact
    assert name(count) is None, kind
    return names


class TestInfo(unittest.TestCase):
    def test_versions(self) -> None:
        v = smtpreply.version()
        self.assertRegex(v, r"^\d+\.\d+\.\d+")
        m = re.match(r"(\d+)\.(\d+)\.(\d+)", v)
        assert m is not None
        major, minor, patch = (int(x) for x in m.groups())
        self.assertEqual(smtpreply.version_number(), (major << 16) | (minor << 8) | patch)
        self.assertEqual(smtpreply.__version__, v)
        self.assertRegex(smtpreply.table_version(), r"^\d{4}\.\d{1,2}\.\d{1,2}")
        self.assertGreater(smtpreply.rule_count(), 0)
        self.assertRegex(smtpreply.table_hash(), r"^[0-9a-f]{64}$")

    def test_loaded_library_is_the_one_asked_for(self) -> None:
        want = os.environ.get("SMTPREPLY_LIBRARY")
        if not want:
            self.skipTest("SMTPREPLY_LIBRARY not set")
        self.assertEqual(smtpreply.library_path(), want)

    def test_error_names(self) -> None:
        self.assertEqual(smtpreply.error_name(0), "ok")
        self.assertEqual(smtpreply.error_name(-1), "incomplete")
        self.assertEqual(smtpreply.error_name(-3), "empty")
        self.assertTrue(smtpreply.strerror(-3))

    def test_enhanced_title(self) -> None:
        self.assertEqual(smtpreply.enhanced_title(5, 1, 1), "Bad destination mailbox address")
        self.assertEqual(smtpreply.enhanced_title(4, 1, 1), "Bad destination mailbox address")
        self.assertIsNone(smtpreply.enhanced_title(5, 9, 999))


class TestRecordEscapes(unittest.TestCase):
    """smtpreply.escape/unescape: the record escapes of the CLI and the test tables
    (tests/test-codec.py holds them to the C codec byte for byte)."""

    def test_known_and_unknown_escapes(self) -> None:
        self.assertEqual(smtpreply.unescape(b"550-a\\r\\n550 b\\tc\\\\d"), b"550-a\r\n550 b\tc\\d")
        # any other backslash is an ordinary byte, as in the C tool
        self.assertEqual(smtpreply.unescape(b"550 a\\qb\\0c\\"), b"550 a\\qb\\0c\\")

    def test_round_trip(self) -> None:
        data = bytes(range(256)) + b"\\r\\\\"
        self.assertEqual(smtpreply.unescape(smtpreply.escape(data)), data)
        self.assertNotIn(b"\n", smtpreply.escape(data))


class TestEnums(unittest.TestCase):
    def test_enums_equal_library_names_and_counts(self) -> None:
        for cls, kind, pinned in ENUMS:
            with self.subTest(kind=kind):
                names = lib_names(kind)
                self.assertEqual(len(cls), len(names))
                self.assertEqual([m.value for m in cls], list(range(len(names))))
                self.assertEqual([m.name for m in cls], [n.upper() for n in names])
                self.assertEqual([str(m) for m in cls], names)
                self.assertEqual([m.name_str for m in cls], names)
                self.assertEqual(["{}".format(m) for m in cls], names)
                for n in names:
                    self.assertEqual(cls.from_name(n).name_str, n)
                for value, name in pinned.items():
                    self.assertEqual(cls(value).name_str, name)
                with self.assertRaises(ValueError):
                    cls.from_name("no-such-name")

    def test_category_count_and_from_name_agree_with_c(self) -> None:
        self.assertEqual(len(smtpreply.Category), L.smtp_reply_category_count())
        raw = ctypes.CDLL(smtpreply.library_path())  # own handle, own prototypes
        from_name = raw.smtp_reply_category_from_name
        from_name.restype = ctypes.c_int
        from_name.argtypes = [ctypes.c_char_p]
        for m in smtpreply.Category:
            self.assertEqual(from_name(str(m).encode()), int(m))
        self.assertEqual(from_name(b"no-such-category"), -1)

    def test_actor_is_bit_values(self) -> None:
        names = lib_names("actor")
        self.assertEqual([str(a) for a in smtpreply.Actor], names)
        self.assertEqual([int(a) for a in smtpreply.Actor], [1 << i for i in range(len(names))])
        self.assertEqual(str(smtpreply.Actor(1)), "sender")  # SMTP_REPLY_ACTOR_SENDER = 1u << 0

    def test_flag_names(self) -> None:
        self.assertEqual(list(smtpreply.FLAG_NAMES), lib_names("flag"))
        self.assertEqual(smtpreply.FLAG_NAMES[0], "no_basic_code")
        self.assertEqual(smtpreply.FLAG_NAMES[14], "unwrapped")

    def test_members_are_int_compatible(self) -> None:
        self.assertEqual(smtpreply.Category.USER_UNKNOWN, 2)
        self.assertIs(smtpreply.Category(2), smtpreply.Category.USER_UNKNOWN)
        self.assertIs(smtpreply.Category["USER_UNKNOWN"], smtpreply.Category.USER_UNKNOWN)


class TestStructs(unittest.TestCase):
    def test_sizes_equal_library(self) -> None:
        self.assertEqual(ctypes.sizeof(_lib.ReplyStruct), L.smtp_reply_sizeof_reply())
        self.assertEqual(ctypes.sizeof(_lib.ResultStruct), L.smtp_reply_sizeof_result())
        self.assertEqual(ctypes.sizeof(_lib.AdviceStruct), L.smtp_reply_sizeof_advice())
        self.assertEqual(ctypes.sizeof(_lib.Span), 8)

    def test_every_used_function_has_a_prototype(self) -> None:
        for name, (restype, argtypes) in _lib._PROTOTYPES.items():
            fn = getattr(L, name)
            self.assertEqual(fn.restype, restype, name)
            self.assertEqual(fn.argtypes, argtypes, name)

    def test_undeclared_function_is_refused(self) -> None:
        with self.assertRaises(AttributeError):
            L.smtp_reply_category_from_name  # exported, but the binding has no prototype

    def test_mismatch_is_refused(self) -> None:
        class FakeLib:
            _name = "/fake/libsmtpreply.so.0"
            smtp_reply_sizeof_reply = staticmethod(lambda: 1)
            smtp_reply_sizeof_result = staticmethod(lambda: 120)
            smtp_reply_sizeof_advice = staticmethod(lambda: 128)
        with self.assertRaises(ImportError) as cm:
            _lib._check_sizes(FakeLib)  # type: ignore[arg-type]
        msg = str(cm.exception)
        self.assertIn("smtp_reply", msg)
        self.assertIn("/fake/libsmtpreply.so.0", msg)
        self.assertIn("mismatch", msg)

    def test_raw_fields_land_where_the_library_writes_them(self) -> None:
        buf = b"550-5.1.1 first\r\n550 5.1.1 second\r\n"
        r = _lib.ReplyStruct()
        self.assertEqual(L.smtp_reply_parse(buf, len(buf), 0, ctypes.byref(r)), 0)
        self.assertEqual((r.code, tuple(r.enhanced), r.nlines, r.nstored), (550, (5, 1, 1), 2, 2))
        self.assertEqual(r.consumed, len(buf))
        self.assertEqual(buf[r.line[1].off:r.line[1].off + r.line[1].len], b"second")
        res = _lib.ResultStruct()
        self.assertEqual(L.smtp_reply_classify(buf, len(buf), ctypes.byref(r),
                                               ctypes.byref(res)), 0)
        self.assertEqual(res.code, 550)
        self.assertEqual(tuple(res.enhanced), (5, 1, 1))
        self.assertTrue(res.rule_id)
        self.assertEqual(res.enhanced_title, b"Bad destination mailbox address")


def run_python(code: str, env: dict, cwd: str = "/") -> subprocess.CompletedProcess:
    # cwd matters: "python -c" puts it first on sys.path
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


class TestLoading(unittest.TestCase):
    def test_missing_library_names_the_paths(self) -> None:
        env = _support.subprocess_env(SMTPREPLY_LIBRARY="/nonexistent/libsmtpreply.so.0")
        p = run_python("import smtpreply", env)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("OSError", p.stderr)
        self.assertIn("/nonexistent/libsmtpreply.so.0", p.stderr)
        self.assertIn("SMTPREPLY_LIBRARY", p.stderr)

    def test_library_beside_the_package_is_found(self) -> None:
        built = smtpreply.library_path()
        if not os.path.isabs(built):
            self.skipTest("loaded by soname, no file to copy")
        with tempfile.TemporaryDirectory() as tmp:
            pkg = os.path.join(tmp, "smtpreply")
            shutil.copytree(os.path.dirname(smtpreply.__file__), pkg,
                            ignore=shutil.ignore_patterns("__pycache__", "libsmtpreply.so*"))
            shutil.copy(built, os.path.join(pkg, "libsmtpreply.so.0"))
            env = dict(os.environ, PYTHONPATH=tmp)
            env.pop("SMTPREPLY_LIBRARY", None)
            p = run_python("import smtpreply; print(smtpreply.library_path()); "
                           "print(smtpreply.classify('550 5.1.1 User unknown').category)", env, tmp)
            self.assertEqual(p.returncode, 0, p.stderr)
            path, category = p.stdout.split()
            self.assertEqual(path, os.path.join(pkg, "libsmtpreply.so.0"))
            self.assertEqual(category, "user_unknown")

    def test_without_env_or_bundled_library_the_system_is_tried(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            pkg = os.path.join(tmp, "smtpreply")
            shutil.copytree(os.path.dirname(smtpreply.__file__), pkg,
                            ignore=shutil.ignore_patterns("__pycache__", "libsmtpreply.so*"))
            env = dict(os.environ, PYTHONPATH=tmp)
            env.pop("SMTPREPLY_LIBRARY", None)
            env.pop("LD_LIBRARY_PATH", None)
            p = run_python("import smtpreply; print(smtpreply.library_path())", env, tmp)
            if p.returncode == 0:
                # an installed libsmtpreply: it must not be the package folder
                self.assertFalse(p.stdout.strip().startswith(pkg), p.stdout)
            else:
                self.assertIn("OSError", p.stderr)
                for what in (os.path.join(pkg, "libsmtpreply.so*"),
                             "find_library('smtpreply')", "libsmtpreply.so.0"):
                    self.assertIn(what, p.stderr)


if __name__ == "__main__":
    unittest.main()
