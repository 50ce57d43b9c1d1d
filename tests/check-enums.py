#!/usr/bin/env python3
"""Each enum has one source, include/smtpreply.h; every other place must agree.

Usage: check-enums.py SOURCE_ROOT LIBRARY

For every enum of the header (read by tools/gen-tables.py's reader, which also
feeds the table generator), checks:
  - its values run 0, 1, ... (errors 0, -1, ...; flags and actors are the bits
    1 << 0, 1 << 1, ...) with no gap;
  - lib/names.c, through the built LIBRARY: smtp_reply_<kind>_name gives each
    constant's name (the constant without its prefix, in lower case), the count
    function gives the number of constants, and the value after the last has no
    name;
  - the Python binding: its enum classes, FLAG_NAMES, and the constants of
    _lib.py (options, status codes, limits);
  - data/categories.tsv: the same names with the same values, in order.
Standard library only.  Exit 0 = pass, 1 = fail.
"""
import ctypes
import importlib.util
import os
import re
import sys

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL: " + what)
    return cond


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def header_define(text, name):
    m = re.search(r"#define\s+%s\s+(\d+)" % name, text)
    return int(m.group(1)) if m else None


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    root, library = sys.argv[1], sys.argv[2]
    header = os.path.join(root, "include", "smtpreply.h")
    gen = load(os.path.join(root, "tools", "gen-tables.py"), "gen_tables")
    enums = gen.read_header_enums(header)
    with open(header, encoding="utf-8") as f:
        header_text = f.read()

    # kind of the C name/count functions -> enum, and how values relate to indexes
    kinds = {"error": "smtp_reply_error", "category": "smtp_reply_category",
             "permanence": "smtp_reply_permanence", "recipient_action": "smtp_reply_recipient_action",
             "message_action": "smtp_reply_message_action", "fault": "smtp_reply_fault",
             "evidence": "smtp_reply_evidence", "stage": "smtp_reply_stage",
             "wrapper": "smtp_reply_wrapper", "actor": "smtp_reply_actor", "flag": "smtp_reply_flag"}
    bits = {"smtp_reply_actor", "smtp_reply_flag", "smtp_reply_option"}
    named = set(kinds.values()) | {"smtp_reply_option"}
    # the bounce reader's enums (lib/bounce-names.c): their constants share
    # "SMTP_REPLY_BOUNCE_", and a name is the constant without the word after
    # it too (SMTP_REPLY_BOUNCE_MTA_GOOGLE_WORKSPACE is "google_workspace")
    bounce_kinds = {"bounce_kind": "smtp_reply_bounce_kind", "bounce_format": "smtp_reply_bounce_format",
                    "bounce_mta": "smtp_reply_bounce_mta", "bounce_action": "smtp_reply_bounce_action",
                    "bounce_source": "smtp_reply_bounce_source", "bounce_flag": "smtp_reply_bounce_flag",
                    "bounce_rcpt_flag": "smtp_reply_bounce_rcpt_flag",
                    "bounce_str_flag": "smtp_reply_bounce_str_flag"}
    for enum in list(enums):
        if enum.startswith("smtp_reply_bounce_"):
            enums[enum] = [(n.split("_", 1)[1], v) for n, v in enums[enum]]
    bits |= {"smtp_reply_bounce_flag", "smtp_reply_bounce_rcpt_flag", "smtp_reply_bounce_str_flag",
             "smtp_reply_bounce_option"}
    named |= set(bounce_kinds.values()) | {"smtp_reply_bounce_option"}
    check(set(enums) == named, "the header's enums are %s (a new enum needs a name function "
          "and a line here)" % sorted(enums))

    def index_value(enum, i):
        return (1 << i) if enum in bits else (-i if enum == "smtp_reply_error" else i)

    for enum, consts in enums.items():
        values = [v for _, v in consts]
        check(values == [index_value(enum, i) for i in range(len(values))],
              "%s: values run without a gap from 0: %r" % (enum, values))

    # lib/names.c and lib/bounce-names.c through the library
    lib = ctypes.CDLL(library)
    for kind, enum in list(kinds.items()) + list(bounce_kinds.items()):
        name_fn = getattr(lib, "smtp_reply_%s_name" % kind)
        name_fn.restype, name_fn.argtypes = ctypes.c_char_p, [ctypes.c_int]
        count = getattr(lib, "smtp_reply_%s_count" % kind)()
        consts = enums.get(enum, [])
        check(count == len(consts), "smtp_reply_%s_count() is %d, the header has %d"
              % (kind, count, len(consts)))
        for i, (name, value) in enumerate(consts):
            arg = value if kind == "error" else i
            got = name_fn(arg)
            check(got is not None and got.decode() == name,
                  "smtp_reply_%s_name(%d) is %r, the header's constant says %r" % (kind, arg, got, name))
        past = -len(consts) if kind == "error" else len(consts)
        got = name_fn(past)
        check(got is None or (kind == "error" and got == b"unknown_error"),
              "smtp_reply_%s_name(%d), past the last value, has no name (got %r)" % (kind, past, got))

    # the Python binding, against the library just checked
    os.environ["SMTPREPLY_LIBRARY"] = library
    sys.path.insert(0, os.path.join(root, "bindings", "python"))
    import smtpreply
    from smtpreply import _lib
    classes = {"category": smtpreply.Category, "permanence": smtpreply.Permanence,
               "recipient_action": smtpreply.RecipientAction, "message_action": smtpreply.MessageAction,
               "fault": smtpreply.Fault, "evidence": smtpreply.Evidence, "stage": smtpreply.Stage,
               "wrapper": smtpreply.Wrapper, "actor": smtpreply.Actor}
    check(set(_lib.ENUM_KINDS) == set(kinds) - {"error"},
          "_lib.ENUM_KINDS is every named enum but errors: %r" % (_lib.ENUM_KINDS,))
    for kind, cls in classes.items():
        want = [(n.upper(), v) for n, v in enums[kinds[kind]]]
        got = [(m.name, m.value) for m in cls]
        check(got == want, "smtpreply.%s is %r, the header says %r" % (cls.__name__, got, want))
    check(list(smtpreply.FLAG_NAMES) == [n for n, _ in enums["smtp_reply_flag"]],
          "smtpreply.FLAG_NAMES in bit order")
    errors = dict(enums["smtp_reply_error"])
    options = dict(enums["smtp_reply_option"])
    for what, got, want in (("_lib.OK", _lib.OK, errors.get("ok")),
                            ("_lib.E_INCOMPLETE", _lib.E_INCOMPLETE, errors.get("incomplete")),
                            ("_lib.OPT_STREAM", _lib.OPT_STREAM, options.get("stream")),
                            ("_lib.OPT_NO_UNWRAP", _lib.OPT_NO_UNWRAP, options.get("no_unwrap")),
                            ("_lib.MAX_LINES", _lib.MAX_LINES,
                             header_define(header_text, "SMTP_REPLY_MAX_LINES")),
                            ("_lib.MAX_STEPS", _lib.MAX_STEPS,
                             header_define(header_text, "SMTP_REPLY_MAX_STEPS"))):
        check(got == want, "%s is %r, the header says %r" % (what, got, want))
    for name in sorted(errors):
        check(smtpreply.error_name(errors[name]) == name, "smtpreply.error_name(%d)" % errors[name])

    # data/categories.tsv (the generator refuses a mismatch too)
    rows = []
    with open(os.path.join(root, "data", "categories.tsv"), encoding="utf-8") as f:
        lines = [l.rstrip("\n").split("\t") for l in f if l.strip() and not l.startswith("#")]
    for cells in lines[1:]:
        rows.append((cells[0], int(cells[1])))
    check(rows == enums["smtp_reply_category"],
          "data/categories.tsv names and values are the header's, in order")

    print("enums: %d enums, %d constants checked, %d failures"
          % (len(enums), sum(len(c) for c in enums.values()), len(FAILURES)))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
