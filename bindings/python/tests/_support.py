"""Shared helpers for the smtpreply tests.

The tests import the package from $PYTHONPATH (meson sets it to bindings/python)
or, when run by hand, from the folder above this one; the library comes from
$SMTPREPLY_LIBRARY (meson sets it to the freshly built one) or the usual search.
"""
from __future__ import annotations

import os
import sys
from typing import Iterator, List, NamedTuple

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
    """The TSV/CLI escapes: \\r \\n \\t \\\\ (a backslash before anything else is dropped)."""
    from smtpreply.__main__ import unescape as unesc
    return unesc(s.encode("utf-8"))


class Row(NamedTuple):
    where: str
    input: bytes
    category: str
    expect: str


def table_rows() -> List[Row]:
    """Every row of tests/data/*.tsv (header and # comments skipped)."""
    d = test_data_dir()
    rows: List[Row] = []
    if not os.path.isdir(d):
        return rows
    for name in sorted(f for f in os.listdir(d) if f.endswith(".tsv")):
        with open(os.path.join(d, name), encoding="utf-8", newline="") as f:
            header = True
            for lineno, line in enumerate(f, 1):
                line = line.rstrip("\r\n")
                if not line or line.startswith("#"):
                    continue
                if header:
                    header = False
                    continue
                cells = line.split("\t")
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
