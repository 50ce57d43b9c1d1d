"""Shared helpers for the smtpreply tests.

The tests import the package from $PYTHONPATH (meson sets it to bindings/python)
or, when run by hand, from the folder above this one; the library comes from
$SMTPREPLY_LIBRARY (meson sets it to the freshly built one) or the usual search.
"""
from __future__ import annotations

import os
import sys
from typing import List, NamedTuple

HERE = os.path.dirname(os.path.abspath(__file__))
BINDING_DIR = os.path.dirname(HERE)
SOURCE_ROOT = os.path.dirname(os.path.dirname(BINDING_DIR))

try:
    import smtpreply  # noqa: F401
except ImportError:
    sys.path.insert(0, BINDING_DIR)
    import smtpreply  # noqa: F401


def test_data_dir() -> str:
    return os.environ.get("SMTPREPLY_TEST_DATA") or os.path.join(SOURCE_ROOT, "tests", "data")


def unescape(s: str) -> bytes:
    """A test row's input: the record escapes \\r \\n \\t \\\\ decoded (smtpreply._record)."""
    return smtpreply.unescape(s.encode("utf-8", "surrogateescape"))


class Row(NamedTuple):
    where: str
    input: bytes
    category: str
    expect: str


def table_rows() -> List[Row]:
    """Every row of tests/data/*.tsv (blank lines, # comments and headers skipped)."""
    from smtpreply._record import table_files
    from smtpreply._record import table_rows as read_rows
    d = test_data_dir()
    rows: List[Row] = []
    if not os.path.isdir(d):
        return rows
    for path in table_files(d):
        name = os.path.basename(path)
        for lineno, cells in read_rows(path):
            if len(cells) < 2:
                continue
            rows.append(Row("%s:%d" % (name, lineno), unescape(cells[0]), cells[1],
                            cells[2] if len(cells) > 2 else "-"))
    return rows


def subprocess_env(**changes: str) -> dict:
    """os.environ with PYTHONPATH pointing at the binding and the given changes
    (a value of "" removes the variable)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = BINDING_DIR + (os.pathsep + env["PYTHONPATH"]
                                       if env.get("PYTHONPATH") else "")
    for k, v in changes.items():
        if v == "":
            env.pop(k, None)
        else:
            env[k] = v
    return env
