"""Low-level ctypes layer: find and load libsmtpreply, mirror its structs and
declare the prototype of every C function the binding calls.

Nothing here is public API; use the names exported by :mod:`smtpreply`.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import sys
from ctypes import (POINTER, Structure, c_char, c_char_p, c_int, c_int32, c_size_t,
                    c_uint, c_uint16, c_uint32, c_uint64)
from typing import Any, Dict, List, Optional, Tuple

ENV_VAR = "SMTPREPLY_LIBRARY"
SONAME = "libsmtpreply.so.0"
# The library major version this binding is written for: the major of its own
# version (pyproject.toml), which tests/check-versions.py holds to meson.build's.
VERSION_MAJOR = 0

# Limits from smtpreply.h that size the structs below.  They are part of the
# ABI; the sizeof check at import catches a library built with other values.
MAX_LINES = 64
MAX_STEPS = 8

# enum smtp_reply_option
OPT_STREAM = 1 << 0
OPT_NO_UNWRAP = 1 << 1

# enum smtp_reply_error values the binding treats specially
OK = 0
E_INCOMPLETE = -1


class Span(Structure):
    """struct smtp_reply_span"""
    _fields_ = [("off", c_uint32), ("len", c_uint32)]


class ReplyStruct(Structure):
    """struct smtp_reply"""
    _fields_ = [
        ("code", c_int32),
        ("enhanced", c_uint16 * 3),
        ("stage", c_uint16),
        ("flags", c_uint32),
        ("wrapper", c_uint32),
        ("consumed", c_size_t),
        ("reply", Span),
        ("code_span", Span),
        ("enhanced_span", Span),
        ("nlines", c_uint32),
        ("nstored", c_uint32),
        ("text_len", c_uint32),
        ("reserved0", c_uint32),
        ("line", Span * MAX_LINES),
        ("recipient", Span),
        ("reserved", c_uint32 * 6),
    ]


class ResultStruct(Structure):
    """struct smtp_reply_result"""
    _fields_ = [
        ("category", c_int32),
        ("permanence", c_int32),
        ("recipient_action", c_int32),
        ("message_action", c_int32),
        ("fault", c_int32),
        ("evidence", c_int32),
        ("stage", c_int32),
        ("retry_after", c_uint32),
        ("code", c_int32),
        ("enhanced", c_uint16 * 3),
        ("reserved0", c_uint16),
        ("flags", c_uint32),
        ("rule_id", c_char_p),
        ("provider", c_char_p),
        ("blocklist", c_char_p),
        ("enhanced_title", c_char_p),
        ("match", Span),
        ("advice_index", c_uint32),
        ("recipient", Span),
        ("reserved", c_uint32 * 5),
    ]


class AdviceStruct(Structure):
    """struct smtp_reply_advice_info"""
    _fields_ = [
        ("id", c_char_p),
        ("summary", c_char_p),
        ("steps", c_char_p * MAX_STEPS),
        ("nsteps", c_uint32),
        ("actors", c_uint32),
        ("message_action", c_int32),
        ("retry_after", c_uint32),
        ("recipient_action", c_int32),
        ("remove_address", c_int32),
        ("reference", c_char_p),
        ("reserved", c_uint32 * 4),
    ]


class RulesErrorStruct(Structure):
    """struct smtp_reply_rules_error"""
    _fields_ = [
        ("file", ctypes.c_char * 256),
        ("line", c_uint32),
        ("code", c_int32),
        ("message", ctypes.c_char * 256),
    ]


# Enum families with a <kind>_name(int) / <kind>_count() pair in the C API.
ENUM_KINDS = ("category", "permanence", "recipient_action", "message_action", "fault",
              "evidence", "stage", "wrapper", "actor", "flag")

# name -> (restype, argtypes) for every function the binding calls.
_PROTOTYPES: Dict[str, Tuple[Any, List[Any]]] = {
    "smtp_reply_version": (c_char_p, []),
    "smtp_reply_version_number": (c_uint32, []),
    "smtp_reply_table_version": (c_char_p, []),
    "smtp_reply_table_rule_count": (c_uint32, []),
    "smtp_reply_table_hash": (c_char_p, []),
    "smtp_reply_max_lines": (c_uint32, []),
    "smtp_reply_max_steps": (c_uint32, []),
    "smtp_reply_error_name": (c_char_p, [c_int]),
    "smtp_reply_strerror": (c_char_p, [c_int]),
    "smtp_reply_error_count": (c_int, []),
    "smtp_reply_parse": (c_int, [c_char_p, c_size_t, c_uint, POINTER(ReplyStruct)]),
    "smtp_reply_text": (c_size_t, [c_char_p, c_size_t, POINTER(ReplyStruct),
                                   POINTER(c_char), c_size_t]),
    "smtp_reply_classify": (c_int, [c_char_p, c_size_t, POINTER(ReplyStruct),
                                    POINTER(ResultStruct)]),
    "smtp_reply_classify_buf": (c_int, [c_char_p, c_size_t, POINTER(ReplyStruct),
                                        POINTER(ResultStruct)]),
    "smtp_reply_advice": (c_int, [POINTER(ResultStruct), POINTER(AdviceStruct)]),
    "smtp_reply_enhanced_title": (c_char_p, [c_int, c_int, c_int]),
    "smtp_reply_sizeof_reply": (c_size_t, []),
    "smtp_reply_sizeof_result": (c_size_t, []),
    "smtp_reply_sizeof_advice": (c_size_t, []),
    "smtp_reply_fingerprint_version": (c_uint32, []),
    "smtp_reply_fingerprint_bound": (c_size_t, [c_size_t]),
    "smtp_reply_fingerprint": (c_int, [c_char_p, c_size_t, POINTER(ReplyStruct), POINTER(c_char),
                                       c_size_t, POINTER(c_size_t), POINTER(c_uint64)]),
    "smtp_reply_fingerprint_raw": (c_int, [c_char_p, c_size_t, POINTER(c_char), c_size_t,
                                           POINTER(c_size_t), POINTER(c_uint64)]),
}
for _kind in ENUM_KINDS:
    _PROTOTYPES["smtp_reply_%s_name" % _kind] = (c_char_p, [c_int])
    _PROTOTYPES["smtp_reply_%s_count" % _kind] = (c_int, [])

# Functions newer than the first release: declared when the library has them,
# None when it does not (the binding then does their work another way).
_OPTIONAL: Dict[str, Tuple[Any, List[Any]]] = {
    "smtp_reply_rules_new": (c_int, [POINTER(ctypes.c_void_p)]),
    "smtp_reply_rules_add_file": (c_int, [ctypes.c_void_p, c_char_p, POINTER(RulesErrorStruct)]),
    "smtp_reply_rules_add_buffer": (c_int, [ctypes.c_void_p, c_char_p, c_char_p, c_size_t,
                                            POINTER(RulesErrorStruct)]),
    "smtp_reply_rules_compile": (c_int, [ctypes.c_void_p, POINTER(RulesErrorStruct)]),
    "smtp_reply_rules_free": (None, [ctypes.c_void_p]),
    "smtp_reply_rules_count": (c_uint32, [ctypes.c_void_p]),
    "smtp_reply_classify_with": (c_int, [ctypes.c_void_p, c_char_p, c_size_t, POINTER(ReplyStruct),
                                         POINTER(ResultStruct)]),
    "smtp_reply_advice_with": (c_int, [ctypes.c_void_p, POINTER(ResultStruct), POINTER(AdviceStruct)]),
    "smtp_reply_classify_many": (c_int, [POINTER(c_char_p), POINTER(c_size_t), c_size_t,
                                         POINTER(ReplyStruct), POINTER(ResultStruct),
                                         POINTER(c_int)]),
}


def _candidates() -> List[Tuple[str, str]]:
    """(how, path-or-name) pairs to try, in order."""
    env = os.environ.get(ENV_VAR)
    if env:
        # An explicit choice is never silently replaced by another library.
        return [("$" + ENV_VAR, env)]
    out: List[Tuple[str, str]] = []
    here = os.path.dirname(os.path.abspath(__file__))
    beside = sorted(glob.glob(os.path.join(here, "libsmtpreply.so*")),
                    key=lambda p: (os.path.basename(p) != SONAME, p))
    if sys.platform == "darwin":
        beside += sorted(glob.glob(os.path.join(here, "libsmtpreply*.dylib")))
    elif sys.platform == "win32":
        beside += sorted(glob.glob(os.path.join(here, "*smtpreply*.dll")))
    if not beside:
        out.append(("beside the package", os.path.join(here, "libsmtpreply.so*")))
    out += [("beside the package", p) for p in beside]
    found = ctypes.util.find_library("smtpreply")
    if found:
        out.append(("find_library('smtpreply')", found))
    else:
        out.append(("find_library('smtpreply')", "(not found)"))
    out.append(("system soname", SONAME))
    return out


def load() -> ctypes.CDLL:
    """Load libsmtpreply or raise OSError naming every place that was tried."""
    tried: List[str] = []
    for how, path in _candidates():
        if not path or path == "(not found)" or "*" in path:
            tried.append("%s: %s" % (how, path if path else "(empty)"))
            continue
        try:
            return ctypes.CDLL(path)  # path is never None or empty here
        except OSError as e:
            tried.append("%s: %s (%s)" % (how, path, e))
    raise OSError("smtpreply: cannot load the libsmtpreply shared library; tried:\n  "
                  + "\n  ".join(tried)
                  + "\nInstall libsmtpreply, or set %s to the path of libsmtpreply.so.0."
                  % ENV_VAR)


class Functions:
    """The declared functions of the loaded library, and nothing else: calling a
    function without a prototype in _PROTOTYPES is an AttributeError, not a call
    with ctypes' default int conversions.  A function of _OPTIONAL that the
    library does not export is None."""

    def __init__(self, cdll: ctypes.CDLL) -> None:
        self._name: str = cdll._name
        for name, (restype, argtypes) in _PROTOTYPES.items():
            try:
                fn = getattr(cdll, name)
            except AttributeError:
                raise ImportError("smtpreply: %s does not export %s(); is it libsmtpreply "
                                  "and recent enough?" % (cdll._name, name)) from None
            fn.restype = restype
            fn.argtypes = argtypes
            setattr(self, name, fn)
        for name, (restype, argtypes) in _OPTIONAL.items():
            fn = getattr(cdll, name, None)
            if fn is not None:
                fn.restype = restype
                fn.argtypes = argtypes
            setattr(self, name, fn)

    def __getattr__(self, name: str) -> Any:  # only reached for undeclared names
        raise AttributeError("smtpreply: %s() has no declared prototype in _lib.py" % name)


def _check_sizes(lib: Any) -> None:
    for cname, struct in (("reply", ReplyStruct), ("result", ResultStruct),
                          ("advice", AdviceStruct)):
        want = getattr(lib, "smtp_reply_sizeof_" + cname)()
        have = ctypes.sizeof(struct)
        if want != have:
            raise ImportError(
                "smtpreply: struct size mismatch for smtp_reply_%s: the library at %s says "
                "%d bytes, the binding's ctypes mirror is %d bytes; the binding and the "
                "library do not match" % (cname if cname != "advice" else "advice_info",
                                          lib._name, want, have))
    if lib.smtp_reply_max_lines() != MAX_LINES or lib.smtp_reply_max_steps() != MAX_STEPS:
        raise ImportError("smtpreply: the library at %s was built with other limits "
                          "(max_lines %d, max_steps %d) than the binding (%d, %d)"
                          % (lib._name, lib.smtp_reply_max_lines(),
                             lib.smtp_reply_max_steps(), MAX_LINES, MAX_STEPS))
    major = lib.smtp_reply_version_number() >> 16
    if major != VERSION_MAJOR:
        raise ImportError("smtpreply: the library at %s is version %s; this binding is "
                          "for %d.x" % (lib._name, lib.smtp_reply_version().decode(),
                                        VERSION_MAJOR))


def enum_names(lib: Any, kind: str) -> List[str]:
    """The library's names for one enum family, in value (or bit-index) order."""
    count = getattr(lib, "smtp_reply_%s_count" % kind)()
    name_fn = getattr(lib, "smtp_reply_%s_name" % kind)
    names = []
    for i in range(count):
        raw: Optional[bytes] = name_fn(i)
        if raw is None:
            raise ImportError("smtpreply: smtp_reply_%s_name(%d) is NULL although "
                              "the count is %d" % (kind, i, count))
        names.append(raw.decode("ascii"))
    return names


def open_library() -> Functions:
    funcs = Functions(load())
    _check_sizes(funcs)
    return funcs


#: the declared functions (use these); lib._name is the path it was loaded from
lib: Any = open_library()
path: str = lib._name
