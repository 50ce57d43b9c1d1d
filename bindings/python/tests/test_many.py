"""smtpreply.classify_many (one call into the library for many lines) and the
lazy results: every field of every tests/data row is what classify() gives,
and a result whose fields are converted on first read behaves like one built
with every field."""
from __future__ import annotations

import copy
import dataclasses
import pickle
import threading
import unittest
from typing import Any, Dict, Iterator, List

import _support
import smtpreply
from smtpreply import Category, ReplyError, Result

USER_UNKNOWN = b"550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown"
GMAIL_5726 = (b"550-5.7.26 This mail is unauthenticated, which poses a security risk to the\r\n"
              b"550-5.7.26 sender and Gmail users, and has been blocked. The sender must\r\n"
              b"550 5.7.26 authenticate with at least one of SPF or DKIM.")


def every_field(obj: Any) -> Dict[str, Any]:
    """Every dataclass field, compare=False ones included (Result._raw,
    Reply.text_bytes), the nested Reply too; each value with its type, so that
    an IntEnum member cannot pass for another enum's member of equal value."""
    out: Dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        out[f.name] = every_field(v) if dataclasses.is_dataclass(v) else (type(v), v)
    return out


def outcome(data: smtpreply.BytesLike) -> Any:
    try:
        return every_field(smtpreply.classify(data))
    except ReplyError as e:
        return ("error", e.code, e.name)


def outcome_of(x: Any) -> Any:
    return ("error", x.code, x.name) if isinstance(x, ReplyError) else every_field(x)


def inputs() -> List[bytes]:
    rows = [row.input for row in _support.table_rows()]
    # rejected inputs among the rows
    return rows + [b"", b"\r\n  ", b"5500 x", b"<html><body>550 x</body></html>"] + [GMAIL_5726]


class TestClassifyMany(unittest.TestCase):
    maxDiff = None

    def test_every_row_every_field_as_single_calls(self) -> None:
        data = inputs()
        self.assertGreater(len(data), 100)
        want = [outcome(d) for d in data]
        for kind, batch in (("bytes", data),
                            ("str", [d.decode("utf-8", "surrogateescape") for d in data])):
            got = [outcome_of(x) for x in smtpreply.classify_many(batch, errors="return")]
            self.assertEqual(len(got), len(want))
            for i, (g, w) in enumerate(zip(got, want)):
                self.assertEqual(g, w, "%s input %d: %r" % (kind, i, data[i][:60]))

    def test_without_the_c_batch_function(self) -> None:
        """A library older than smtp_reply_classify_many: one call per line, same results."""
        data = inputs()
        want = [outcome_of(x) for x in smtpreply.classify_many(data, errors="return")]
        saved = smtpreply._classify_many
        smtpreply._classify_many = None
        try:
            got = [outcome_of(x) for x in smtpreply.classify_many(data, errors="return")]
            with self.assertRaises(ReplyError) as cm:
                smtpreply.classify_many([USER_UNKNOWN, b""])
            self.assertEqual((cm.exception.index, cm.exception.name), (1, "empty"))
        finally:
            smtpreply._classify_many = saved
        self.assertEqual(got, want)

    def test_errors(self) -> None:
        data = [USER_UNKNOWN, b"", GMAIL_5726, b"5500 x"]
        with self.assertRaises(ReplyError) as cm:
            smtpreply.classify_many(data)
        self.assertEqual((cm.exception.index, cm.exception.name), (1, "empty"))
        out = smtpreply.classify_many(data, errors="return")
        self.assertIs(out[0].category, Category.USER_UNKNOWN)
        self.assertIsInstance(out[1], ReplyError)
        self.assertEqual((out[1].name, out[1].index), ("empty", None))
        self.assertIs(out[2].category, Category.AUTH_FAILED)
        self.assertEqual(out[3].name, "long_code")
        with self.assertRaises(ValueError):
            smtpreply.classify_many(data, errors="ignore")
        with self.assertRaises(TypeError):
            smtpreply.classify_many([USER_UNKNOWN, 550])  # type: ignore[list-item]

    def test_any_iterable_and_any_input_type(self) -> None:
        def gen() -> Iterator[smtpreply.BytesLike]:
            yield USER_UNKNOWN
            yield USER_UNKNOWN.decode()
            yield bytearray(USER_UNKNOWN)
            yield memoryview(USER_UNKNOWN)
        out = smtpreply.classify_many(gen())
        self.assertEqual(len(out), 4)
        want = smtpreply.classify(USER_UNKNOWN)
        for r in out:
            self.assertEqual(r, want)
            self.assertEqual(every_field(r), every_field(want))
        self.assertEqual(smtpreply.classify_many([]), [])
        self.assertEqual(smtpreply.classify_many(()), [])
        self.assertEqual(len(smtpreply.classify_many((USER_UNKNOWN,) * 3)), 3)

    def test_threads_agree(self) -> None:
        data = inputs()
        want = [outcome_of(x) for x in smtpreply.classify_many(data, errors="return")]
        got: List[Any] = [None] * 4
        errors: List[BaseException] = []

        def run(k: int) -> None:
            try:
                got[k] = [outcome_of(x) for x in smtpreply.classify_many(data, errors="return")]
            except BaseException as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        for k in range(4):
            self.assertEqual(got[k], want, "thread %d" % k)


class TestLazyResults(unittest.TestCase):
    def test_fields_are_converted_when_read(self) -> None:
        for r in (smtpreply.classify(USER_UNKNOWN), smtpreply.classify_many([USER_UNKNOWN])[0]):
            self.assertEqual(sorted(vars(r)), ["_buf", "_s"])
            self.assertIs(r.category, Category.USER_UNKNOWN)
            self.assertEqual(sorted(vars(r)), ["_buf", "_s", "category"])
            self.assertIs(r.category, r.category)
            reply = r.reply
            self.assertIs(r.reply, reply)
            self.assertEqual(sorted(vars(reply)), ["_buf", "_r"])
            self.assertEqual(reply.code, 550)

    def test_bytes_are_not_copied(self) -> None:
        data = bytes(USER_UNKNOWN)
        r = smtpreply.classify(data)
        self.assertIs(vars(r)["_buf"], data)
        self.assertIs(vars(smtpreply.classify_many([data])[0])["_buf"], data)
        # a bytearray may change after the call: the result reads its own copy
        ba = bytearray(USER_UNKNOWN)
        r = smtpreply.classify(ba)
        ba[:] = b"x" * len(ba)
        self.assertIn(b"user unknown", r.match.lower())
        self.assertEqual(r.reply.raw, USER_UNKNOWN)

    def test_lazy_equals_eager(self) -> None:
        for data in (USER_UNKNOWN, GMAIL_5726):
            lazy = smtpreply.classify(data)
            fresh = smtpreply.classify(data)
            # a Result built the way the binding built it before: every field given
            reply = smtpreply.Reply(**{f.name: getattr(fresh.reply, f.name)
                                       for f in dataclasses.fields(smtpreply.Reply)})
            values = {f.name: getattr(fresh, f.name) for f in dataclasses.fields(Result)}
            values["reply"] = reply
            eager = Result(**values)
            self.assertEqual(lazy, eager)
            self.assertEqual(eager, lazy)
            self.assertEqual(hash(lazy), hash(eager))
            self.assertEqual(repr(lazy), repr(eager))
            self.assertEqual(every_field(lazy), every_field(eager))
            self.assertEqual(smtpreply.advice(lazy), smtpreply.advice(eager))
            self.assertEqual(dataclasses.asdict(lazy), dataclasses.asdict(eager))

    def test_frozen_copy_pickle_replace(self) -> None:
        r = smtpreply.classify(GMAIL_5726)
        with self.assertRaises(dataclasses.FrozenInstanceError):
            r.category = Category.SUCCESS  # type: ignore[misc]
        with self.assertRaises(dataclasses.FrozenInstanceError):
            r.reply.code = 1  # type: ignore[misc]
        for other in (copy.copy(smtpreply.classify(GMAIL_5726)),
                      copy.deepcopy(smtpreply.classify(GMAIL_5726)),
                      pickle.loads(pickle.dumps(smtpreply.classify(GMAIL_5726)))):
            self.assertEqual(other, r)
            self.assertEqual(every_field(other), every_field(r))
            self.assertEqual(smtpreply.advice(other), smtpreply.advice(r))
        p = smtpreply.parse(b"250-mx.example.com\r\n250 8BITMIME\r\n", stream=True)
        self.assertEqual(pickle.loads(pickle.dumps(p)), p)
        changed = dataclasses.replace(smtpreply.classify(GMAIL_5726), rule="x")
        self.assertEqual(changed.rule, "x")
        self.assertEqual(changed.category, r.category)

    def test_class_attributes_are_not_defaults(self) -> None:
        with self.assertRaises(AttributeError):
            Result.category  # noqa: B018
        self.assertIn("category", {f.name for f in dataclasses.fields(Result)})


if __name__ == "__main__":
    unittest.main()
