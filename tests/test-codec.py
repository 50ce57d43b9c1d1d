#!/usr/bin/env python3
"""The record escapes: the C codec (common/record.c, through tests/codec-tool) and
the Python codec (bindings/python/smtpreply/_record.py) give the same bytes.

Usage: test-codec.py CODEC-TOOL

Both decode the same tricky records and encode the same byte strings, and must
agree byte for byte; each must also meet the documented behaviour (the cases
below carry the expected bytes) and give back any bytes after an escape and an
unescape.  Standard library only.  Exit 0 = pass, 1 = fail.
"""
import importlib.util
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load_python_codec():
    path = os.path.join(HERE, "..", "bindings", "python", "smtpreply", "_record.py")
    spec = importlib.util.spec_from_file_location("smtpreply_record", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# (record as written, its decoded bytes): the documented behaviour
DECODE = [
    (b"", b""),
    (b"550 5.1.1 User unknown", b"550 5.1.1 User unknown"),
    (b"550-a\\r\\n550 b", b"550-a\r\n550 b"),
    (b"tab\\there", b"tab\there"),
    (b"back\\\\slash", b"back\\slash"),
    (b"\\\\r is a backslash and r", b"\\r is a backslash and r"),
    (b"\\\\\\r", b"\\\r"),
    (b"550 a\\qb\\0c", b"550 a\\qb\\0c"),                # unknown escapes are kept
    (b"\\x41 \\u00e9 \\N \\R \\T", b"\\x41 \\u00e9 \\N \\R \\T"),
    (b"trailing \\", b"trailing \\"),
    (b"\\", b"\\"),
    (b"\\\\", b"\\"),
    (b"\\\\\\", b"\\\\"),
    (b"\\\\\\\\", b"\\\\"),
    (b"\\\xc3\xa9t\xc3\xa9", b"\\\xc3\xa9t\xc3\xa9"),    # a backslash before a UTF-8 letter
    (b"bad \\\xff\xfe bytes", b"bad \\\xff\xfe bytes"),
    (b"nul\x00inside\\n", b"nul\x00inside\n"),
    (b"\\\x00", b"\\\x00"),
    (b"raw\r\nbreaks\tstay", b"raw\r\nbreaks\tstay"),
    (b"\\r\\n\\r\\n", b"\r\n\r\n"),
    (b"\\rn\\nr\\tt", b"\rn\nr\tt"),
]
# byte strings to encode (and decode again)
ENCODE = [d for _, d in DECODE] + [r for r, _ in DECODE] + [
    bytes(range(256)), b"\\" * 7, b"\r\n" * 3 + b"\\", b"550 5.7.1 \\r literal",
]


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    tool = sys.argv[1]
    py = load_python_codec()
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)
            print("FAIL: " + what)

    def c_codec(mode, inputs):
        out = subprocess.run([tool, mode] + [b.hex() for b in inputs], check=True,
                             stdout=subprocess.PIPE).stdout.decode().split("\n")
        return [bytes.fromhex(h) for h in out[:len(inputs)]]

    records = [r for r, _ in DECODE] + ENCODE
    c_dec = c_codec("unescape", records)
    for rec, got in zip(records, c_dec):
        check(got == py.unescape(rec), "unescape %r: C %r, Python %r" % (rec, got, py.unescape(rec)))
    for (rec, want), got in zip(DECODE, c_dec):
        check(got == want, "unescape %r is %r, got %r" % (rec, want, got))
    c_enc = c_codec("escape", ENCODE)
    for data, got in zip(ENCODE, c_enc):
        check(got == py.escape(data), "escape %r: C %r, Python %r" % (data, got, py.escape(data)))
        check(b"\n" not in got and b"\r" not in got and b"\t" not in got, "escape %r is one line" % data)
    back = c_codec("unescape", c_enc)
    for data, got in zip(ENCODE, back):
        check(got == data, "C: unescape(escape(%r)) gave %r" % (data, got))
        check(py.unescape(py.escape(data)) == data, "Python: unescape(escape(%r))" % data)
    print("codec: %d records decoded, %d byte strings encoded, %d failures"
          % (len(records), len(ENCODE), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
