"""Parse, classify and advise on SMTP server replies (a ctypes binding of libsmtpreply).

>>> import smtpreply
>>> r = smtpreply.classify("550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown")
>>> str(r.category), str(r.recipient_action)
('user_unknown', 'suppress')
>>> smtpreply.advice(r).summary  # doctest: +SKIP
>>> [str(x.category) for x in smtpreply.classify_many(["550 5.2.2 Mailbox full", "250 Ok"])]
['mailbox_full', 'success']

A result keeps the C struct the library filled and converts each field when it
is first read, so a call costs little more than the C work; classify_many()
classifies a whole list (or any iterable) of lines in one call into the library.

The enums (Category, Permanence, RecipientAction, MessageAction, Fault, Evidence,
Stage, Wrapper, Actor) are built at import time from the loaded library's own
``smtp_reply_<kind>_name`` / ``_count`` functions, so they always match the library.
Members are upper-case (``Category.USER_UNKNOWN``); their integer value is the C
value (for Actor, the C bit value, 1 << bit index); ``str(member)`` and
``member.name_str`` give the library's lower-case name ("user_unknown"), and
``Category.from_name("user_unknown")`` goes back.

``smtpreply.fingerprint(data)`` gives a reply's template and 64-bit hash, so that
one server message about many recipients groups as one (see its docstring).

The shared library is looked for in $SMTPREPLY_LIBRARY, then beside this package
(``libsmtpreply.so*`` in the package folder), then on the system
(``ctypes.util.find_library('smtpreply')``, then the soname ``libsmtpreply.so.0``).

Every function is thread-safe: the library has no shared mutable state, and
ctypes releases the GIL during each call.
"""
from __future__ import annotations

import ctypes
import os
import dataclasses
import enum
from dataclasses import dataclass, field
from typing import (Any, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Tuple, Type,
                    Union, cast)

from . import _lib
from ._record import escape, unescape

__all__ = [
    "parse", "classify", "classify_many", "advice", "fingerprint", "fingerprint_version",
    "Fingerprint", "Reply", "Result", "Advice", "ReplyError", "Incomplete",
    "Rules", "RulesError",
    "Category", "Permanence", "RecipientAction", "MessageAction", "Fault", "Evidence",
    "Stage", "Wrapper", "Actor", "FLAG_NAMES", "version", "version_number",
    "table_version", "rule_count", "table_hash", "enhanced_title", "error_name",
    "strerror", "library_path", "BytesLike", "LibEnum", "escape", "unescape", "__version__",
    "read_bounce", "Bounce", "BounceRecipient",
]

_L = _lib.lib

BytesLike = Union[str, bytes, bytearray, memoryview]


# ---- enums -------------------------------------------------------------------


# enum class -> {value: the library's name}
_LIB_NAMES: Dict[type, Dict[int, str]] = {}


class LibEnum(enum.IntEnum):
    """Base of the enums built from the library's names.  ``str()`` and
    ``name_str`` give the library's own lower-case name."""

    @property
    def name_str(self) -> str:
        return _LIB_NAMES[type(self)][self.value]

    def __str__(self) -> str:
        return self.name_str

    def __format__(self, spec: str) -> str:
        return format(self.name_str, spec)

    @classmethod
    def from_name(cls, name: str) -> "LibEnum":
        """The member whose library name is ``name``; ValueError if none."""
        for value, lib_name in _LIB_NAMES[cls].items():
            if lib_name == name:
                return cls(value)
        raise ValueError("%r is not a %s name" % (name, cls.__name__))


def _make_enum(cls_name: str, kind: str, bits: bool = False) -> Type[LibEnum]:
    names = _lib.enum_names(_L, kind)
    values = [(1 << i) if bits else i for i in range(len(names))]
    members = [(n.upper(), v) for n, v in zip(names, values)]
    # the functional API on a member-less IntEnum subclass makes a new enum of that base
    e = cast(Type[LibEnum], LibEnum(cls_name, members,  # type: ignore[call-arg, arg-type]
                                    module=__name__, qualname=cls_name))
    _LIB_NAMES[e] = dict(zip(values, names))
    e.__doc__ = "%s values of libsmtpreply (built from smtp_reply_%s_name/_count)." % (
        cls_name, kind)
    return e


# The members exist only at run time, so to a static type checker these classes
# are Any (Category.USER_UNKNOWN type-checks); every value the API returns is
# typed as LibEnum.
Category: Any = _make_enum("Category", "category")
Permanence: Any = _make_enum("Permanence", "permanence")
RecipientAction: Any = _make_enum("RecipientAction", "recipient_action")
MessageAction: Any = _make_enum("MessageAction", "message_action")
Fault: Any = _make_enum("Fault", "fault")
Evidence: Any = _make_enum("Evidence", "evidence")
Stage: Any = _make_enum("Stage", "stage")
Wrapper: Any = _make_enum("Wrapper", "wrapper")
#: Who has to act; values are the C bit values (SENDER = 1, SENDER_ADMIN = 2, ...).
Actor: Any = _make_enum("Actor", "actor", bits=True)

#: Names of the parse flag bits, index = bit number ("no_basic_code", "8bit", ...).
FLAG_NAMES: Tuple[str, ...] = tuple(_lib.enum_names(_L, "flag"))


def _enum_or_int(cls: Type[LibEnum], value: int) -> LibEnum:
    # The enums are built from the loaded library, so every value it returns is a member.
    return cls(value)


def _members(cls: Type[LibEnum]) -> Tuple[LibEnum, ...]:
    """The members of a value enum (values 0..count-1), indexed by value."""
    return tuple(cls(i) for i in range(len(cls)))


# flag bits -> frozenset of names: replies share a few combinations
_FLAG_SETS: Dict[int, FrozenSet[str]] = {}


def _flag_set(bits: int) -> FrozenSet[str]:
    fs = _FLAG_SETS.get(bits)
    if fs is None:
        fs = frozenset(FLAG_NAMES[i] if i < len(FLAG_NAMES) else "bit%d" % i
                       for i in range(32) if bits & (1 << i))
        if len(_FLAG_SETS) < 4096:
            _FLAG_SETS[bits] = fs
    return fs


def _actor_set(bits: int) -> FrozenSet[LibEnum]:
    return frozenset(Actor(1 << i) for i in range(len(Actor)) if bits & (1 << i))


# ---- errors ------------------------------------------------------------------


def error_name(code: int) -> str:
    """Stable short name of a libsmtpreply status code ("ok", "empty", ...)."""
    return str(_L.smtp_reply_error_name(code).decode("ascii"))


def strerror(code: int) -> str:
    """One-sentence English description of a libsmtpreply status code."""
    return str(_L.smtp_reply_strerror(code).decode("utf-8", "replace"))


class ReplyError(ValueError):
    """The input was rejected.  ``code`` is the negative C status code,
    ``name`` its stable name (smtp_reply_error_name: "empty", "no_code", ...),
    ``index`` the input's position when classify_many() rejected it."""

    def __init__(self, code: int) -> None:
        self.code: int = code
        self.name: str = error_name(code)
        #: classify_many: the position of the rejected input (None elsewhere)
        self.index: Optional[int] = None
        super().__init__("%s: %s" % (self.name, strerror(code)))


class Incomplete(ReplyError):
    """Stream mode: the final line of the reply has not arrived yet."""


def _raise_for(rc: int) -> None:
    if rc == _lib.E_INCOMPLETE:
        raise Incomplete(rc)
    raise ReplyError(rc)


# ---- input -------------------------------------------------------------------


def _to_bytes(data: BytesLike) -> bytes:
    """The bytes to parse.  str is encoded as UTF-8 (lone surrogates from
    surrogateescape-decoded text go back to their original bytes).  bytes are
    used as they are: C reads the object's own buffer, and the results keep a
    reference to it.  bytearray and memoryview are copied, as they may change."""
    if isinstance(data, str):
        return data.encode("utf-8", "surrogateescape")
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)  # a private copy the C side reads from
    raise TypeError("smtpreply: expected str, bytes, bytearray or memoryview, not %s"
                    % type(data).__name__)


def _span(buf: bytes, span: _lib.Span) -> bytes:
    return buf[span.off:span.off + span.len]


def _decode(b: bytes) -> str:
    return b.decode("utf-8", "replace")


def _enhanced(arr: "ctypes.Array[ctypes.c_uint16]") -> Optional[Tuple[int, int, int]]:
    return (arr[0], arr[1], arr[2]) if arr[0] else None


def _cstr(p: Optional[bytes]) -> Optional[str]:
    return None if p is None else p.decode("utf-8", "replace")


# ---- results -----------------------------------------------------------------
#
# Reply and Result are frozen dataclasses.  One made by parse(), classify() or
# classify_many() holds only the input's bytes and the C struct the library
# filled (in its __dict__, as _buf and _r or _s).  Each field is a descriptor on
# the class (_LazyField) that converts the field from the C struct the first
# time it is read and stores the value in the instance, where later reads find
# it without calling the descriptor again.  A Reply or Result made by calling
# the class holds every field already.  Equality, hashing, repr, pickling and
# dataclasses.asdict/replace read every field, so they see exactly the values
# an eager conversion gives.  The C structs hold offsets into the input and
# pointers to the library's static strings only: nothing refers to memory
# that can go away while the result lives.


class _LazyField:
    """A field converted from the C struct on first read, then kept in the
    instance (a non-data descriptor: the instance's own value wins)."""

    __slots__ = ("name", "convert")

    def __init__(self, name: str, convert: Any) -> None:
        self.name = name
        self.convert = convert

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:  # on the class: there is no default value
            raise AttributeError(self.name)
        d = obj.__dict__
        if "_buf" not in d:
            raise AttributeError("%r object has no attribute %r" % (type(obj).__name__, self.name))
        value = self.convert(obj, d)
        d[self.name] = value
        return value


class _EnumField:
    """An enum field read from the C struct (d[key]) on first read: the same
    as _LazyField with the conversion inlined, as these are the fields most
    read (category, permanence, the verdicts)."""

    __slots__ = ("name", "key", "cfield", "members", "cls")

    def __init__(self, name: str, key: str, cfield: str, cls: Type[LibEnum]) -> None:
        self.name, self.key, self.cfield, self.cls = name, key, cfield, cls
        self.members = _members(cls)

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            raise AttributeError(self.name)
        d = obj.__dict__
        try:
            struct = d[self.key]
        except KeyError:
            raise AttributeError("%r object has no attribute %r"
                                 % (type(obj).__name__, self.name)) from None
        v = getattr(struct, self.cfield)
        members = self.members
        value = members[v] if 0 <= v < len(members) else self.cls(v)
        d[self.name] = value
        return value


def _lazy_fields(cls: Any, converters: Dict[str, Any]) -> None:
    """Install a descriptor for every field: a converter function, or an enum
    class (the C field of that name, in the struct at __dict__[key])."""
    names = [f.name for f in dataclasses.fields(cls)]
    if sorted(names) != sorted(converters):  # every field, and only fields
        raise AssertionError("smtpreply: %s converters do not match its fields" % cls.__name__)
    key = "_r" if cls is Reply else "_s"
    for name, convert in converters.items():
        if isinstance(convert, type):
            setattr(cls, name, _EnumField(name, key, name, convert))
        else:
            setattr(cls, name, _LazyField(name, convert))


class _Lazy:
    __slots__ = ()

    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]:
        # every field converted: the C struct is not pickled
        return (type(self), tuple(getattr(self, f.name) for f in dataclasses.fields(self)))


@dataclass(frozen=True)
class Reply(_Lazy):
    """One parsed reply.  Everything is a Python copy: nothing refers to the C buffer."""

    code: Optional[int]                          #: basic code 200-599, None when absent
    enhanced: Optional[Tuple[int, int, int]]     #: (class, subject, detail) or None
    text: str                                    #: lines without codes, joined by a space
    lines: Tuple[str, ...]                       #: each recorded line's text
    flags: FrozenSet[str]                        #: anomaly flag names (see FLAG_NAMES)
    stage: LibEnum                               #: Stage the reply answered
    wrapper: LibEnum                             #: Wrapper that held the reply
    consumed: int                                #: bytes of input this reply used
    nlines: int                                  #: lines seen (may exceed len(lines))
    raw: bytes                                   #: the reply proper, as bytes of the input
    #: the text's bytes (smtp_reply_text), for callers that must not lose invalid UTF-8
    text_bytes: bytes = field(default_factory=bytes, repr=False, compare=False)

    @property
    def enhanced_str(self) -> Optional[str]:
        """The enhanced code as "5.1.1", or None."""
        return "%d.%d.%d" % self.enhanced if self.enhanced else None


def _reply_text(self: Reply, d: Dict[str, Any]) -> bytes:
    buf, r = d["_buf"], d["_r"]
    size = r.text_len + 1
    dst = (ctypes.c_char * size)()  # array types are cached by ctypes; cheaper than create_string_buffer
    full = _reply_text_fn(buf, len(buf), r, dst, size)
    if full >= size:  # cannot happen per the API; never return a cut text silently
        size = full + 1
        dst = (ctypes.c_char * size)()
        _reply_text_fn(buf, len(buf), r, dst, size)
    return dst.raw[:full]


_reply_text_fn = _L.smtp_reply_text


_lazy_fields(Reply, {
    "code": lambda self, d: d["_r"].code or None,
    "enhanced": lambda self, d: _enhanced(d["_r"].enhanced),
    "text_bytes": _reply_text,
    "text": lambda self, d: _decode(self.text_bytes),
    "lines": lambda self, d: tuple(_decode(_span(d["_buf"], ln))
                                   for ln in d["_r"].line[:d["_r"].nstored]),
    "flags": lambda self, d: _flag_set(d["_r"].flags),
    "stage": Stage,
    "wrapper": Wrapper,
    "consumed": lambda self, d: int(d["_r"].consumed),
    "nlines": lambda self, d: int(d["_r"].nlines),
    "raw": lambda self, d: _span(d["_buf"], d["_r"].reply),
})

_new = object.__new__


def _lazy_reply(buf: bytes, r: _lib.ReplyStruct) -> Reply:
    reply = _new(Reply)
    d = reply.__dict__
    d["_buf"] = buf
    d["_r"] = r
    return reply


@dataclass(frozen=True)
class Result(_Lazy):
    """The verdict on one reply (see smtp_reply_result in smtpreply.h)."""

    category: LibEnum
    permanence: LibEnum
    recipient_action: LibEnum
    message_action: LibEnum
    retry_after: Optional[int]                   #: seconds, None when not stated
    fault: LibEnum
    evidence: LibEnum
    rule: str                                    #: id of the deciding rule
    provider: Optional[str]
    blocklist: Optional[str]
    enhanced_title: Optional[str]                #: IANA title of the enhanced code
    code: Optional[int]
    enhanced: Optional[Tuple[int, int, int]]
    stage: LibEnum
    flags: FrozenSet[str]
    match: bytes                                 #: input bytes that decided
    match_span: Tuple[int, int]                  #: (offset, length) of match in the input
    reply: Reply
    _raw: bytes = field(default_factory=bytes, repr=False, compare=False)
    #: the recipient address the wrapper names ("to=<bob@example.com>"), None when none
    recipient: Optional[str] = None

    @property
    def match_text(self) -> str:
        return _decode(self.match)

    @property
    def enhanced_str(self) -> Optional[str]:
        return "%d.%d.%d" % self.enhanced if self.enhanced else None

    def advice(self) -> "Advice":
        return advice(self)


def _result_reply(self: Result, d: Dict[str, Any]) -> Reply:
    """The parsed reply: classify_buf parsed the input in whole-text mode with
    unwrapping, and parse is a pure function, so parsing again gives the same."""
    buf = d["_buf"]
    r = _lib.ReplyStruct()
    rc = _L.smtp_reply_parse(buf, len(buf), 0, r)
    if rc != _lib.OK:  # cannot happen: the same call succeeded in classify
        raise RuntimeError("smtpreply: the classified input no longer parses (%s)"
                           % error_name(rc))
    return _lazy_reply(buf, r)


_lazy_fields(Result, {
    "category": Category,
    "permanence": Permanence,
    "recipient_action": RecipientAction,
    "message_action": MessageAction,
    "retry_after": lambda self, d: d["_s"].retry_after or None,
    "fault": Fault,
    "evidence": Evidence,
    "rule": lambda self, d: _cstr(d["_s"].rule_id) or "",
    "provider": lambda self, d: _cstr(d["_s"].provider),
    "blocklist": lambda self, d: _cstr(d["_s"].blocklist),
    "enhanced_title": lambda self, d: _cstr(d["_s"].enhanced_title),
    "code": lambda self, d: d["_s"].code or None,
    "enhanced": lambda self, d: _enhanced(d["_s"].enhanced),
    "stage": Stage,
    "flags": lambda self, d: _flag_set(d["_s"].flags),
    "match": lambda self, d: _span(d["_buf"], d["_s"].match),
    "match_span": lambda self, d: (d["_s"].match.off, d["_s"].match.len),
    "reply": _result_reply,
    # only static-string pointers: valid while the library is loaded
    "_raw": lambda self, d: bytes(d["_s"]),
    "recipient": lambda self, d: (_decode(_span(d["_buf"], d["_s"].recipient))
                                  if d["_s"].recipient.len else None),
})


def _lazy_result(buf: bytes, s: _lib.ResultStruct) -> Result:
    res = _new(Result)
    d = res.__dict__
    d["_buf"] = buf
    d["_s"] = s
    return res


def _reply_from(buf: bytes, r: _lib.ReplyStruct) -> Reply:
    """A Reply for a C struct another part of the binding filled (the bounce
    reader): the struct is copied, as its owner may reuse it."""
    return _lazy_reply(buf, _lib.ReplyStruct.from_buffer_copy(r))


def _result_from(buf: bytes, reply: Reply, s: _lib.ResultStruct) -> Result:
    """A Result for a C struct another part of the binding filled, with the
    reply it was classified from (kept as read, not parsed again)."""
    res = _lazy_result(buf, _lib.ResultStruct.from_buffer_copy(s))
    res.__dict__["reply"] = reply
    return res


@dataclass(frozen=True)
class Advice:
    """What to do about a classified reply."""

    id: str
    summary: str
    steps: Tuple[str, ...]
    actors: FrozenSet[LibEnum]
    reference: str
    remove_address: bool
    retry_after: Optional[int]
    message_action: LibEnum
    recipient_action: LibEnum


# ---- API ---------------------------------------------------------------------


def parse(data: BytesLike, *, stream: bool = False, unwrap: bool = True) -> Reply:
    """Parse one reply.

    ``stream=True`` reads a wire stream: the input must start with a code and the
    reply must be complete (else :class:`Incomplete`); ``Reply.consumed`` tells
    how many bytes to drop before the next reply.  ``unwrap=False`` does not look
    for a reply inside a log line or DSN field.  Raises :class:`ReplyError` when
    the input is rejected, TypeError for other types than str/bytes-like.
    """
    buf = _to_bytes(data)
    opts = (_lib.OPT_STREAM if stream else 0) | (0 if unwrap else _lib.OPT_NO_UNWRAP)
    r = _lib.ReplyStruct()
    rc = _L.smtp_reply_parse(buf, len(buf), opts, ctypes.byref(r))
    if rc != _lib.OK:
        _raise_for(rc)
    return _lazy_reply(buf, r)


_classify_buf = _L.smtp_reply_classify_buf
_classify_many = _L.smtp_reply_classify_many  # None with a library older than it
_ResultStruct = _lib.ResultStruct
_OK = _lib.OK


class RulesError(ValueError):
    """A rules file or text was refused: ``file``, ``line`` (0 when the error is
    not about one row), ``code`` (the library's error code) and ``message``."""

    def __init__(self, file: str, line: int, code: int, message: str) -> None:
        where = "%s:%d" % (file, line) if line else file
        super().__init__("%s: %s" % (where, message))
        self.file = file
        self.line = line
        self.code = code
        self.message = message


class Rules:
    """User rules, added to the built-in table at run time (README, "User rules").

    ``Rules.from_file(path, ...)`` and ``Rules.from_text(text)`` read rules files
    in the format of data/rules (rule rows, disable rows, advice rows) and
    compile them; any bad row raises :class:`RulesError` naming its file and
    line.  Pass the object to :func:`classify` (``rules=``).  A Rules object is
    read-only once built and may be shared between threads."""

    def __init__(self) -> None:
        if _L.smtp_reply_rules_new is None:
            raise RuntimeError("smtpreply: the loaded library has no user rules (too old)")
        self._p = ctypes.c_void_p()
        rc = _L.smtp_reply_rules_new(ctypes.byref(self._p))
        if rc != _lib.OK:
            raise MemoryError("smtpreply: cannot create a rules object")
        self._compiled = False

    def _check(self, rc: int, err: "_lib.RulesErrorStruct") -> None:
        if rc != _lib.OK:
            raise RulesError(err.file.decode("utf-8", "replace"), int(err.line), int(rc),
                             err.message.decode("utf-8", "replace"))

    def add_file(self, path: str) -> "Rules":
        err = _lib.RulesErrorStruct()
        self._check(_L.smtp_reply_rules_add_file(self._p, os.fsencode(path), ctypes.byref(err)), err)
        return self

    def add_text(self, text: BytesLike, name: str = "<text>") -> "Rules":
        buf = text.encode("utf-8") if isinstance(text, str) else _to_bytes(text)
        err = _lib.RulesErrorStruct()
        self._check(_L.smtp_reply_rules_add_buffer(self._p, name.encode("utf-8"), buf, len(buf),
                                                   ctypes.byref(err)), err)
        return self

    def compile(self) -> "Rules":
        err = _lib.RulesErrorStruct()
        self._check(_L.smtp_reply_rules_compile(self._p, ctypes.byref(err)), err)
        self._compiled = True
        return self

    @classmethod
    def from_file(cls, *paths: str) -> "Rules":
        r = cls()
        for p in paths:
            r.add_file(p)
        return r.compile()

    @classmethod
    def from_text(cls, text: BytesLike, name: str = "<text>") -> "Rules":
        return cls().add_text(text, name).compile()

    def __len__(self) -> int:
        return int(_L.smtp_reply_rules_count(self._p))

    def __del__(self) -> None:
        p = getattr(self, "_p", None)
        if p and _L is not None and getattr(_L, "smtp_reply_rules_free", None):
            _L.smtp_reply_rules_free(p)
            self._p = None


def classify(data: BytesLike, rules: Optional[Rules] = None) -> Result:
    """Parse (whole text, unwrapping log lines and DSN fields) and classify one
    reply.  Raises :class:`ReplyError` when the input is rejected.

    The result's fields are converted from the C result when first read; for
    bytes input the library reads the bytes object itself (no copy), and the
    result keeps a reference to it.  classify_many() classifies a list of
    lines in one call into the library."""
    t = type(data)
    buf = (data if t is bytes else data.encode("utf-8", "surrogateescape") if t is str
           else _to_bytes(data))
    s = _ResultStruct()
    if rules is not None:
        if not isinstance(rules, Rules) or not rules._compiled:
            raise TypeError("smtpreply.classify(): rules must be a compiled smtpreply.Rules")
        r = _lib.ReplyStruct()
        rc = _L.smtp_reply_parse(buf, len(buf), 0, r)
        if rc == _OK:
            rc = _L.smtp_reply_classify_with(rules._p, buf, len(buf), r, s)
        if rc != _OK:
            _raise_for(rc)
        res = _lazy_result(buf, s)
        # a user rule's id and advice live in the rules object: keep it alive
        res.__dict__["_rules"] = rules
        return res
    rc = _classify_buf(buf, len(buf), None, s)
    if rc != _OK:
        _raise_for(rc)
    return _lazy_result(buf, s)


def classify_many(data: Iterable[BytesLike], *, errors: str = "raise") -> List[Result]:
    """Classify every reply of an iterable (a list, a file's lines, a generator)
    in one call into the library: what classify() would give for each, in order.

    ``errors="raise"`` raises the :class:`ReplyError` of the first rejected
    input, with ``.index`` set to its position; ``errors="return"`` puts that
    ReplyError in the list in place of a result, and goes on.  Each element
    may be str, bytes, bytearray or memoryview, as for classify().

    The results' C structs are one array (sizeof(smtp_reply_result), 120
    bytes, per input), kept as long as any result of the batch is."""
    if errors not in ("raise", "return"):
        raise ValueError("smtpreply.classify_many: errors must be 'raise' or 'return', not %r"
                         % (errors,))
    # str and bytes inline: a call of _to_bytes costs as much as the encoding
    bufs = [d.encode("utf-8", "surrogateescape") if type(d) is str
            else d if type(d) is bytes else _to_bytes(d) for d in data]
    n = len(bufs)
    if _classify_many is None:  # an older library: one call per line
        out: List[Any] = []
        for i, buf in enumerate(bufs):
            try:
                out.append(classify(buf))
            except ReplyError as e:
                if errors == "raise":
                    e.index = i
                    raise
                out.append(e)
        return out
    if n == 0:
        return []
    # c_char_p elements point at each bytes object's own buffer, and the array
    # keeps a reference to every object while the call runs
    ptrs = (ctypes.c_char_p * n)(*bufs)
    lens = (ctypes.c_size_t * n)(*map(len, bufs))
    results = (_ResultStruct * n)()
    status = (ctypes.c_int * n)()
    rc = _classify_many(ptrs, lens, n, None, results, status)
    if rc != _OK:  # cannot happen: every array is given
        _raise_for(rc)
    out = []
    append = out.append
    new = _new
    for i, st in enumerate(status):
        if st != _OK:
            e = Incomplete(st) if st == _lib.E_INCOMPLETE else ReplyError(st)
            if errors == "raise":
                e.index = i
                raise e
            append(e)
            continue
        res = new(Result)
        d = res.__dict__
        d["_buf"] = bufs[i]
        d["_s"] = results[i]
        append(res)
    return out


def advice(result: Result) -> Advice:
    """The advice record for a :class:`Result` returned by :func:`classify`."""
    if not isinstance(result, Result):
        raise TypeError("smtpreply.advice() needs a Result from smtpreply.classify()")
    s = result.__dict__.get("_s")
    if s is None:  # a Result made by hand or unpickled: its _raw copy of the C struct
        if len(result._raw) != ctypes.sizeof(_lib.ResultStruct):
            raise TypeError("smtpreply.advice() needs a Result from smtpreply.classify()")
        s = _lib.ResultStruct.from_buffer_copy(result._raw)
    a = _lib.AdviceStruct()
    rules = result.__dict__.get("_rules")
    if rules is not None:
        rc = _L.smtp_reply_advice_with(rules._p, ctypes.byref(s), ctypes.byref(a))
    else:
        rc = _L.smtp_reply_advice(ctypes.byref(s), ctypes.byref(a))
    if rc != _lib.OK:
        _raise_for(rc)
    n = min(a.nsteps, _lib.MAX_STEPS)
    return Advice(
        id=_cstr(a.id) or "",
        summary=_cstr(a.summary) or "",
        steps=tuple(_cstr(a.steps[i]) or "" for i in range(n)),
        actors=_actor_set(a.actors),
        reference=_cstr(a.reference) or "",
        remove_address=bool(a.remove_address),
        retry_after=a.retry_after or None,
        message_action=_enum_or_int(MessageAction, a.message_action),
        recipient_action=_enum_or_int(RecipientAction, a.recipient_action),
    )


class Fingerprint(NamedTuple):
    """A reply's template and the 64-bit hash of its bytes (smtp_reply_fingerprint).

    ``template`` is decoded from UTF-8 with ``errors="surrogateescape"``, so
    ``template.encode("utf-8", "surrogateescape")`` gives back its exact bytes
    (a template keeps the input's bytes >= 0x80 as they are); ``hash`` is FNV-1a
    64 of those bytes, an int below 2**64."""

    template: str
    hash: int


def fingerprint(data: BytesLike, *, raw: bool = False) -> Fingerprint:
    """The template and hash of a reply: its text in lower case with the parts
    that vary (addresses, hosts, IPs, ids, numbers, URLs, dates) replaced by
    ``<addr>``, ``<host>``, ... and its codes kept, so that one server's message
    about a thousand recipients has one template (grammar: smtpreply.h).

    By default the input is parsed as :func:`classify` parses it (whole text,
    unwrapping log lines and DSN fields) and the reply's code, enhanced code and
    text are fingerprinted; rejected input raises :class:`ReplyError`.  With
    ``raw=True`` the bytes themselves are fingerprinted as one text: any input is
    accepted.  TypeError for other types than str/bytes-like.  Templates and
    hashes do not change between releases unless :func:`fingerprint_version`
    does."""
    buf = _to_bytes(data)
    n = ctypes.c_size_t()
    h = ctypes.c_uint64()
    r = _lib.ReplyStruct()
    if not raw:
        rc = _L.smtp_reply_parse(buf, len(buf), 0, ctypes.byref(r))
        if rc != _lib.OK:
            _raise_for(rc)

    def call(cap: int) -> "ctypes.Array[ctypes.c_char]":
        dst = ctypes.create_string_buffer(cap)
        if raw:
            rc = _L.smtp_reply_fingerprint_raw(buf, len(buf), dst, cap, ctypes.byref(n),
                                               ctypes.byref(h))
        else:
            rc = _L.smtp_reply_fingerprint(buf, len(buf), ctypes.byref(r), dst, cap,
                                           ctypes.byref(n), ctypes.byref(h))
        if rc != _lib.OK:
            _raise_for(rc)
        return dst

    # smtp_reply_fingerprint_bound (SMTP_REPLY_FINGERPRINT_BOUND); a larger
    # template (not per the API) is fetched again whole rather than cut
    dst = call(_L.smtp_reply_fingerprint_bound(len(buf) if raw else r.text_len))
    if n.value >= len(dst):
        dst = call(n.value + 1)
    return Fingerprint(dst.raw[:n.value].decode("utf-8", "surrogateescape"), int(h.value))


def fingerprint_version() -> int:
    """The version of the template grammar and hash (SMTP_REPLY_FINGERPRINT_VERSION)."""
    return int(_L.smtp_reply_fingerprint_version())


def enhanced_title(cls: int, subject: int, detail: int) -> Optional[str]:
    """IANA title of an enhanced status code (the class digit is ignored), or None."""
    return _cstr(_L.smtp_reply_enhanced_title(cls, subject, detail))


def version() -> str:
    """Release version of the loaded library, e.g. "0.1.0"."""
    return str(_L.smtp_reply_version().decode("ascii"))


def version_number() -> int:
    """(major << 16) | (minor << 8) | patch of the loaded library."""
    return int(_L.smtp_reply_version_number())


def table_version() -> str:
    """Version of the library's compiled-in table, e.g. "2026.11.23"."""
    return str(_L.smtp_reply_table_version().decode("ascii"))


def rule_count() -> int:
    """Number of rules in the compiled-in table."""
    return int(_L.smtp_reply_table_rule_count())


def table_hash() -> str:
    """Hex SHA-256 of the data files the table was generated from."""
    return str(_L.smtp_reply_table_hash().decode("ascii"))


def library_path() -> str:
    """Path or name the shared library was loaded from."""
    return _lib.path


__version__ = version()

# The bounce reader (whole bounce mails): see _bounce.py.
from ._bounce import Bounce, BounceRecipient, read_bounce  # noqa: E402
