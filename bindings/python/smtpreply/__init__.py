"""Parse, classify and advise on SMTP server replies (a ctypes binding of libsmtpreply).

>>> import smtpreply
>>> r = smtpreply.classify("550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown")
>>> str(r.category), str(r.recipient_action)
('user_unknown', 'suppress')
>>> smtpreply.advice(r).summary  # doctest: +SKIP

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
import enum
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, NamedTuple, Optional, Tuple, Type, Union, cast

from . import _lib
from ._record import escape, unescape

__all__ = [
    "parse", "classify", "advice", "fingerprint", "fingerprint_version", "Fingerprint",
    "Reply", "Result", "Advice", "ReplyError", "Incomplete",
    "Category", "Permanence", "RecipientAction", "MessageAction", "Fault", "Evidence",
    "Stage", "Wrapper", "Actor", "FLAG_NAMES", "version", "version_number",
    "table_version", "rule_count", "table_hash", "enhanced_title", "error_name",
    "strerror", "library_path", "BytesLike", "LibEnum", "escape", "unescape", "__version__",
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


def _flag_set(bits: int) -> FrozenSet[str]:
    return frozenset(FLAG_NAMES[i] if i < len(FLAG_NAMES) else "bit%d" % i
                     for i in range(32) if bits & (1 << i))


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
    ``name`` its stable name (smtp_reply_error_name: "empty", "no_code", ...)."""

    def __init__(self, code: int) -> None:
        self.code: int = code
        self.name: str = error_name(code)
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
    surrogateescape-decoded text go back to their original bytes)."""
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


# ---- results -----------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
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
    text_bytes: bytes = field(default=b"", repr=False, compare=False)

    @property
    def enhanced_str(self) -> Optional[str]:
        """The enhanced code as "5.1.1", or None."""
        return "%d.%d.%d" % self.enhanced if self.enhanced else None


def _reply_from(buf: bytes, r: _lib.ReplyStruct) -> Reply:
    dst = ctypes.create_string_buffer(r.text_len + 1)
    full = _L.smtp_reply_text(buf, len(buf), ctypes.byref(r), dst, len(dst))
    if full > r.text_len:  # cannot happen per the API; never return a cut text silently
        dst = ctypes.create_string_buffer(full + 1)
        _L.smtp_reply_text(buf, len(buf), ctypes.byref(r), dst, len(dst))
    return Reply(
        code=r.code or None,
        enhanced=_enhanced(r.enhanced),
        text=_decode(dst.raw[:full]),
        lines=tuple(_decode(_span(buf, r.line[i])) for i in range(r.nstored)),
        flags=_flag_set(r.flags),
        stage=_enum_or_int(Stage, r.stage),
        wrapper=_enum_or_int(Wrapper, r.wrapper),
        consumed=int(r.consumed),
        nlines=int(r.nlines),
        raw=_span(buf, r.reply),
        text_bytes=dst.raw[:full],
    )


def _cstr(p: Optional[bytes]) -> Optional[str]:
    return None if p is None else p.decode("utf-8", "replace")


@dataclass(frozen=True)
class Result:
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
    _raw: bytes = field(default=b"", repr=False, compare=False)

    @property
    def match_text(self) -> str:
        return _decode(self.match)

    @property
    def enhanced_str(self) -> Optional[str]:
        return "%d.%d.%d" % self.enhanced if self.enhanced else None

    def advice(self) -> "Advice":
        return advice(self)


def _result_from(buf: bytes, reply: Reply, s: _lib.ResultStruct) -> Result:
    return Result(
        category=_enum_or_int(Category, s.category),
        permanence=_enum_or_int(Permanence, s.permanence),
        recipient_action=_enum_or_int(RecipientAction, s.recipient_action),
        message_action=_enum_or_int(MessageAction, s.message_action),
        retry_after=s.retry_after or None,
        fault=_enum_or_int(Fault, s.fault),
        evidence=_enum_or_int(Evidence, s.evidence),
        rule=_cstr(s.rule_id) or "",
        provider=_cstr(s.provider),
        blocklist=_cstr(s.blocklist),
        enhanced_title=_cstr(s.enhanced_title),
        code=s.code or None,
        enhanced=_enhanced(s.enhanced),
        stage=_enum_or_int(Stage, s.stage),
        flags=_flag_set(s.flags),
        match=_span(buf, s.match),
        match_span=(s.match.off, s.match.len),
        reply=reply,
        _raw=bytes(s),  # only static-string pointers: valid while the library is loaded
    )


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
    return _reply_from(buf, r)


def classify(data: BytesLike) -> Result:
    """Parse (whole text, unwrapping log lines and DSN fields) and classify one
    reply.  Raises :class:`ReplyError` when the input is rejected."""
    buf = _to_bytes(data)
    r = _lib.ReplyStruct()
    s = _lib.ResultStruct()
    rc = _L.smtp_reply_classify_buf(buf, len(buf), ctypes.byref(r), ctypes.byref(s))
    if rc != _lib.OK:
        _raise_for(rc)
    return _result_from(buf, _reply_from(buf, r), s)


def advice(result: Result) -> Advice:
    """The advice record for a :class:`Result` returned by :func:`classify`."""
    if not isinstance(result, Result) or len(result._raw) != ctypes.sizeof(_lib.ResultStruct):
        raise TypeError("smtpreply.advice() needs a Result from smtpreply.classify()")
    s = _lib.ResultStruct.from_buffer_copy(result._raw)
    a = _lib.AdviceStruct()
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

    # SMTP_REPLY_FINGERPRINT_BOUND: 3 bytes per input byte and 32; a larger
    # template (not per the API) is fetched again whole rather than cut
    dst = call(3 * (len(buf) if raw else r.text_len) + 33)
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
