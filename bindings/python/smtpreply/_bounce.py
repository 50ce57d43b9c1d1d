"""The bounce reader: ``smtpreply.read_bounce(mail) -> Bounce``.

A whole bounce mail (a DSN, an MTA's text bounce, a feedback report, an
auto-reply, a read receipt) is read by the C library's
smtp_reply_bounce_open/next; every recipient record comes back with its
classification (the same :class:`smtpreply.Result` as ``classify`` gives, with
the report's context applied: a delayed recipient is kept, a failure after
retries is flagged as given up, the DSN Status fills a missing enhanced code).

Everything returned is a Python copy: nothing refers to the C buffers.  The
scratch memory the C reader needs is allocated here, per call; the C code
itself never allocates.
"""
from __future__ import annotations

import ctypes
from ctypes import (POINTER, Structure, c_char_p, c_int, c_int32, c_size_t, c_uint,
                    c_uint16, c_uint32, c_uint64, c_void_p)
from dataclasses import dataclass
from typing import Any, FrozenSet, Optional, Tuple

from . import _lib

# the same library the rest of the binding loaded (same handle: dlopen refcount)
_C = ctypes.CDLL(_lib.path)

RECORD = 1                      # SMTP_REPLY_BOUNCE_RECORD
OPT_STANDARD = 1 << 0           # enum smtp_reply_bounce_option
OPT_NO_CLASSIFY = 1 << 1


class BounceStr(Structure):
    """struct smtp_reply_bounce_str"""
    _fields_ = [("ptr", c_void_p), ("len", c_uint32), ("flags", c_uint32)]


_MAIL_STRINGS = (
    "from_", "to", "subject", "date", "message_id", "auto_submitted", "x_failed_recipients",
    "reporting_mta", "received_from_mta", "dsn_gateway", "arrival_date", "envelope_id",
    "orig_message_id", "orig_from", "orig_to", "orig_subject", "orig_date", "orig_list_id",
    "orig_return_path", "orig_header",
    "feedback_type", "user_agent", "source_ip", "original_mail_from", "reported_domain",
    "disposition", "mdn_recipient", "notification",
)


class BounceStruct(Structure):
    """struct smtp_reply_bounce"""
    _fields_ = ([("kind", c_int32), ("format", c_int32), ("mta", c_int32), ("flags", c_uint32),
                 ("nrecipients", c_uint32), ("nfailed", c_uint32), ("ndelayed", c_uint32),
                 ("nother", c_uint32), ("nparts", c_uint32), ("depth", c_uint32),
                 ("skipped", c_uint32), ("returned", c_int32)]
                + [(n, BounceStr) for n in _MAIL_STRINGS]
                + [("reserved", c_uint32 * 16)])


_RCPT_STRINGS = (
    "recipient", "final_recipient", "final_type", "original_recipient", "remote_mta",
    "diagnostic_type", "diagnostic", "status_text", "last_attempt_date", "will_retry_until",
    "final_log_id",
)


class RcptStruct(Structure):
    """struct smtp_reply_bounce_rcpt"""
    _fields_ = ([("index", c_uint32), ("action", c_int32), ("source", c_int32), ("stage", c_int32),
                 ("status", c_uint16 * 3), ("dsn_status", c_uint16 * 3), ("flags", c_uint32)]
                + [(n, BounceStr) for n in _RCPT_STRINGS]
                + [("parse_rc", c_int32), ("reserved1", c_uint32),
                   ("reply", _lib.ReplyStruct), ("result", _lib.ResultStruct),
                   ("reserved", c_uint32 * 8)])


class ReaderStruct(Structure):
    """struct smtp_reply_bounce_reader"""
    _fields_ = [("opaque", c_uint64 * 8)]


_PROTOTYPES = {
    "smtp_reply_bounce_scratch_size": (c_size_t, [c_size_t]),
    "smtp_reply_bounce_open": (c_int, [POINTER(ReaderStruct), c_char_p, c_size_t, c_void_p,
                                       c_size_t, c_uint, POINTER(BounceStruct)]),
    "smtp_reply_bounce_next": (c_int, [POINTER(ReaderStruct), POINTER(RcptStruct)]),
    "smtp_reply_sizeof_bounce": (c_size_t, []),
    "smtp_reply_sizeof_bounce_rcpt": (c_size_t, []),
    "smtp_reply_sizeof_bounce_reader": (c_size_t, []),
    "smtp_reply_sizeof_bounce_str": (c_size_t, []),
}
ENUM_KINDS = ("bounce_kind", "bounce_format", "bounce_mta", "bounce_action", "bounce_source",
              "bounce_flag", "bounce_rcpt_flag", "bounce_str_flag")
for _k in ENUM_KINDS:
    _PROTOTYPES["smtp_reply_%s_name" % _k] = (c_char_p, [c_int])
    _PROTOTYPES["smtp_reply_%s_count" % _k] = (c_int, [])


class _Functions:
    def __init__(self, cdll: ctypes.CDLL) -> None:
        for name, (restype, argtypes) in _PROTOTYPES.items():
            try:
                fn = getattr(cdll, name)
            except AttributeError:
                raise ImportError("smtpreply: %s does not export %s(): the library has no bounce "
                                  "reader (too old?)" % (cdll._name, name)) from None
            fn.restype = restype
            fn.argtypes = argtypes
            setattr(self, name, fn)


L: Any = _Functions(_C)

for _cname, _struct in (("bounce", BounceStruct), ("bounce_rcpt", RcptStruct),
                        ("bounce_reader", ReaderStruct), ("bounce_str", BounceStr)):
    _want = getattr(L, "smtp_reply_sizeof_" + _cname)()
    if _want != ctypes.sizeof(_struct):
        raise ImportError("smtpreply: struct size mismatch for smtp_reply_%s: the library says %d "
                          "bytes, the binding's mirror is %d" % (_cname, _want, ctypes.sizeof(_struct)))


def names(kind: str) -> Tuple[str, ...]:
    """The library's names of one bounce enum family, by value (or bit index)."""
    count = getattr(L, "smtp_reply_%s_count" % kind)()
    fn = getattr(L, "smtp_reply_%s_name" % kind)
    out = []
    for i in range(count):
        raw = fn(i)
        if raw is None:
            raise ImportError("smtpreply: smtp_reply_%s_name(%d) is NULL" % (kind, i))
        out.append(raw.decode("ascii"))
    return tuple(out)


KIND_NAMES = names("bounce_kind")
FORMAT_NAMES = names("bounce_format")
MTA_NAMES = names("bounce_mta")
ACTION_NAMES = names("bounce_action")
SOURCE_NAMES = names("bounce_source")
FLAG_NAMES = names("bounce_flag")
RCPT_FLAG_NAMES = names("bounce_rcpt_flag")


def _bits(v: int, table: Tuple[str, ...]) -> FrozenSet[str]:
    return frozenset(table[i] if i < len(table) else "bit%d" % i for i in range(32) if v & (1 << i))


def _text(s: BounceStr) -> Optional[str]:
    if not s.ptr:
        return None
    return ctypes.string_at(s.ptr, s.len).decode("utf-8", "replace")


def _raw(s: BounceStr) -> bytes:
    return ctypes.string_at(s.ptr, s.len) if s.ptr else b""


def _code(v: Any) -> Optional[Tuple[int, int, int]]:
    return (v[0], v[1], v[2]) if v[0] else None


@dataclass(frozen=True)
class BounceRecipient:
    """One recipient of a report (see smtp_reply_bounce_rcpt in smtpreply.h)."""

    index: int
    recipient: str                       #: the address the sender used (Original-Recipient if any)
    final_recipient: str                 #: Final-Recipient, or the address the text names
    original_recipient: Optional[str]    #: Original-Recipient, xtext decoded
    final_type: Optional[str]            #: its address type: "rfc822", "utf-8", ...
    action: str                          #: failed, delayed, delivered, relayed, expanded, none
    source: str                          #: dsn, dsn_text, text, x_failed, arf, autoreply, returned_to
    status: Optional[Tuple[int, int, int]]      #: the recipient's enhanced code (never invented)
    dsn_status: Optional[Tuple[int, int, int]]  #: the Status field alone
    status_text: Optional[str]
    remote_mta: Optional[str]
    diagnostic_type: Optional[str]
    diagnostic: Optional[str]            #: unfolded Diagnostic-Code, else the recipient's text
    stage: Any                           #: smtpreply.Stage
    last_attempt_date: Optional[str]
    will_retry_until: Optional[str]
    final_log_id: Optional[str]
    flags: FrozenSet[str]                #: gave_up, status_from_text, orcpt_decoded, ...
    parse_error: Optional[str]           #: why the diagnostic did not parse (None when it did)
    result: Any                          #: smtpreply.Result: the classification, context applied

    @property
    def gave_up(self) -> bool:
        return "gave_up" in self.flags

    @property
    def status_str(self) -> Optional[str]:
        return "%d.%d.%d" % self.status if self.status else None


@dataclass(frozen=True)
class Bounce:
    """What a mail says as a whole, and its recipients."""

    kind: str                            #: none, dsn, feedback, autoreply, mdn
    format: str                          #: rfc3464, rfc6533, dsn_text, text, x_failed, arf, rfc3834, ...
    mta: str                             #: who wrote it ("postfix", "exim", ...; "unknown")
    flags: FrozenSet[str]
    recipients: Tuple[BounceRecipient, ...]
    returned: int                        #: 0 no original, 1 its header, 2 the message, 3 a copy in the text
    fields: Tuple[Tuple[str, Optional[str]], ...]   #: every per-mail string, by name

    def __getattr__(self, name: str) -> Optional[str]:
        for k, v in self.fields:
            if k == name.rstrip("_"):
                return v
        raise AttributeError(name)

    @property
    def failed(self) -> Tuple[BounceRecipient, ...]:
        return tuple(r for r in self.recipients if r.action == "failed")


def read_bounce(data: Any, *, standard: bool = False, classify: bool = True) -> Bounce:
    """Read one bounce mail (str or bytes-like; str is encoded as UTF-8).

    ``standard=True`` reads only the standards (RFC 3464/6533, 5965, 8098,
    3834), no MTA text formats.  ``classify=False`` skips classifying the
    diagnostics (each record's ``result`` is then an unknown result).  Raises
    :class:`smtpreply.ReplyError` when the input is not a mail (``empty``,
    ``blank``, ``not_mail``), as ``classify`` does for a non-reply.
    """
    from . import _raise_for, _reply_from, _result_from, _to_bytes, Stage  # the package's own

    buf = _to_bytes(data)
    size = int(L.smtp_reply_bounce_scratch_size(len(buf)))
    scratch = ctypes.create_string_buffer(size)
    rd = ReaderStruct()
    b = BounceStruct()
    options = (OPT_STANDARD if standard else 0) | (0 if classify else OPT_NO_CLASSIFY)
    rc = L.smtp_reply_bounce_open(ctypes.byref(rd), buf, len(buf), scratch, size, options,
                                  ctypes.byref(b))
    if rc != 0:
        _raise_for(rc)
    fields = tuple((n.rstrip("_"), _text(getattr(b, n))) for n in _MAIL_STRINGS)
    recs = []
    r = RcptStruct()
    while L.smtp_reply_bounce_next(ctypes.byref(rd), ctypes.byref(r)) == RECORD:
        diag = _raw(r.diagnostic)
        reply = _reply_from(diag, r.reply)
        result = _result_from(diag, reply, r.result)
        recs.append(BounceRecipient(
            index=int(r.index),
            recipient=_text(r.recipient) or "",
            final_recipient=_text(r.final_recipient) or "",
            original_recipient=_text(r.original_recipient),
            final_type=_text(r.final_type),
            action=ACTION_NAMES[r.action],
            source=SOURCE_NAMES[r.source],
            status=_code(r.status),
            dsn_status=_code(r.dsn_status),
            status_text=_text(r.status_text),
            remote_mta=_text(r.remote_mta),
            diagnostic_type=_text(r.diagnostic_type),
            diagnostic=_text(r.diagnostic),
            stage=Stage(r.stage),
            last_attempt_date=_text(r.last_attempt_date),
            will_retry_until=_text(r.will_retry_until),
            final_log_id=_text(r.final_log_id),
            flags=_bits(r.flags, RCPT_FLAG_NAMES),
            parse_error=None if r.parse_rc == 0 else _lib.lib.smtp_reply_error_name(r.parse_rc).decode(),
            result=result,
        ))
    return Bounce(kind=KIND_NAMES[b.kind], format=FORMAT_NAMES[b.format], mta=MTA_NAMES[b.mta],
                  flags=_bits(b.flags, FLAG_NAMES), recipients=tuple(recs), returned=int(b.returned),
                  fields=fields)
