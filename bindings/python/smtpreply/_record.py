"""The record escapes of the command-line tools and the test tables.

A record is one line of text.  So that a multiline reply fits on one line, four
two-byte escapes stand for bytes: ``\\r`` (carriage return), ``\\n`` (line feed),
``\\t`` (tab) and ``\\\\`` (one backslash).  Every other backslash is an ordinary
byte: a backslash before any other byte (``\\q``, ``\\0``, ``\\x41``) is kept
together with that byte, and a backslash at the end of the record is kept.
Decoding reads left to right, so ``\\\\r`` is a backslash and the letter r.

This is the Python twin of common/record.c; tests/test-codec.py holds the two to
the same bytes.  The module needs nothing but the standard library and does not
load libsmtpreply, so scripts may load it by path.  Also exported by the package as
``smtpreply.escape`` and ``smtpreply.unescape``.
"""
from __future__ import annotations

import os
from typing import Iterator, List, Tuple

_DECODE = {ord("r"): 0x0D, ord("n"): 0x0A, ord("t"): 0x09, ord("\\"): 0x5C}
_ENCODE = {v: k for k, v in _DECODE.items()}


def unescape(data: bytes) -> bytes:
    """Decode the escapes of one record."""
    if b"\\" not in data:
        return bytes(data)
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b == 0x5C and i + 1 < n and data[i + 1] in _DECODE:
            out.append(_DECODE[data[i + 1]])
            i += 2
        else:
            out.append(b)
            i += 1
    return bytes(out)


def escape(data: bytes) -> bytes:
    """Encode bytes as one record; ``unescape(escape(b)) == b`` for any bytes."""
    out = bytearray()
    for b in data:
        if b in _ENCODE:
            out += b"\\" + bytes((_ENCODE[b],))
        else:
            out.append(b)
    return bytes(out)


def table_rows(path: str, comments: bool = True) -> Iterator[Tuple[int, List[str]]]:
    """(line number, cells) of each data row of a TSV test table such as
    tests/data/*.tsv: blank lines and, when ``comments``, lines starting with '#'
    are skipped, and so is the header (the first other line).  Cells are str
    (undecodable bytes kept with surrogateescape); the first is still escaped."""
    header = True
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or (comments and line.startswith("#")):
                continue
            if header:
                header = False
                continue
            yield lineno, line.split("\t")


def table_files(folder: str) -> List[str]:
    """The *.tsv files of a folder, in name order (the order every reader uses)."""
    return [os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n.endswith(".tsv")]
