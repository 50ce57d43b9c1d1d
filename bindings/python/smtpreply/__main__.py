"""python3 -m smtpreply [--json] [REPLY ...]

Classify each REPLY argument, or each line of standard input when there is none.
A record's escapes \\r, \\n, \\t and \\\\ are decoded first, and any other backslash
is kept (smtpreply.unescape, the codec of the C tool); an empty line is a record
too, rejected as empty.  --json prints one JSON object per record: the same keys,
in the same order, with the same values as the C tool's smtpreply --json
(tests/cli/test_cli.py holds the two equal).  Exit status: 0 when every record was
read (rejected replies are results, not failures), 2 on a usage error.
"""
from __future__ import annotations

import argparse
import codecs
import json
import sys
from typing import Any, Dict, Iterable, Iterator, List, Optional, TextIO, Tuple

from . import (FLAG_NAMES, Advice, Category, Evidence, Fault, MessageAction, Permanence,
               RecipientAction, ReplyError, Result, Stage, Wrapper, advice, classify,
               rule_count, table_version, unescape, version)


def _stdin_inputs(stream: Any) -> Iterator[bytes]:
    for raw in stream:
        line = raw[:-1] if raw.endswith(b"\n") else raw
        if line.endswith(b"\r"):
            line = line[:-1]
        yield unescape(line)


def _arg_bytes(arg: str) -> bytes:
    # Arguments reach Python decoded with surrogateescape; get the original bytes back.
    return arg.encode("utf-8", "surrogateescape")


def _one_replacement_per_byte(e: UnicodeError) -> Tuple[str, int]:
    if not isinstance(e, UnicodeDecodeError):
        raise e
    return "\ufffd", e.start + 1


codecs.register_error("smtpreply-bytewise", _one_replacement_per_byte)


def json_text(data: bytes) -> str:
    """Bytes as the C tool's JSON strings read them: well-formed UTF-8 kept, and
    every other byte one U+FFFD (bytes.decode's "replace" would give one U+FFFD
    for a whole broken sequence)."""
    return data.decode("utf-8", "smtpreply-bytewise")


def _enhanced_str(t: Optional[Tuple[int, int, int]]) -> Optional[str]:
    return "%d.%d.%d" % t if t else None


_FLAG_BIT = {name: bit for bit, name in enumerate(FLAG_NAMES)}


def _flag_bit(name: str) -> int:
    return _FLAG_BIT[name] if name in _FLAG_BIT else int(name[3:])  # "bit21"


def record(data: bytes) -> Dict[str, Any]:
    """The JSON object for one input: the keys, order and values of the C tool's
    --json (smtpreply(1), JSON OUTPUT)."""
    rec: Dict[str, Any] = {"input": json_text(data)}
    try:
        res: Optional[Result] = classify(data)
        err: Optional[str] = None
    except ReplyError as e:
        res, err = None, e.name
    rec["ok"] = res is not None
    rec["error"] = err
    if res is None:
        rec.update({
            "code": None, "enhanced": None, "text": None,
            "category": str(Category(0)), "permanence": str(Permanence(0)),
            "recipient_action": str(RecipientAction(0)), "message_action": str(MessageAction(0)),
            "retry_after": 0, "fault": str(Fault(0)), "provider": None, "blocklist": None,
            "rule": None, "evidence": str(Evidence(0)), "match": None, "enhanced_title": None,
            "stage": str(Stage(0)), "wrapper": str(Wrapper(0)), "recipient": None, "lines": 0,
            "flags": [],
            "advice": None,
        })
        return rec
    adv: Advice = advice(res)
    rec.update({
        "code": res.code,
        "enhanced": _enhanced_str(res.enhanced),
        "text": json_text(res.reply.text_bytes),
        "category": str(res.category),
        "permanence": str(res.permanence),
        "recipient_action": str(res.recipient_action),
        "message_action": str(res.message_action),
        "retry_after": res.retry_after or 0,
        "fault": str(res.fault),
        "provider": res.provider,
        "blocklist": res.blocklist,
        "rule": res.rule,
        "evidence": str(res.evidence),
        "match": json_text(res.match) if res.match else None,
        "enhanced_title": res.enhanced_title,
        "stage": str(res.stage),
        "wrapper": str(res.reply.wrapper),
        "recipient": res.recipient,
        "lines": res.reply.nlines,
        "flags": sorted(res.flags, key=_flag_bit),
        "advice": {
            "id": adv.id,
            "summary": adv.summary,
            "steps": list(adv.steps),
            "actors": [str(a) for a in sorted(adv.actors)],
            "reference": adv.reference,
            "remove_address": adv.remove_address,
        },
    })
    return rec


def _print_text(rec: Dict[str, Any], out: TextIO) -> None:
    def row(key: str, value: Any) -> None:
        out.write("%-18s%s\n" % (key + ":", "-" if value in (None, "", []) else value))

    row("input", rec["input"])
    if not rec["ok"]:
        row("error", rec["error"])
        out.write("\n")
        return
    code = " ".join(str(x) for x in (rec["code"], rec["enhanced"]) if x)
    if rec["enhanced_title"]:
        code += " (%s)" % rec["enhanced_title"]
    row("code", code)
    row("text", rec["text"])
    for key in ("category", "permanence", "recipient_action", "message_action",
                "retry_after", "fault", "provider", "blocklist", "rule", "evidence",
                "stage", "recipient"):
        row(key, rec[key])
    row("flags", ",".join(rec["flags"]))
    adv = rec["advice"]
    row("advice", adv["id"])
    row("summary", adv["summary"])
    for i, step in enumerate(adv["steps"], 1):
        out.write("  %d. %s\n" % (i, step))
    row("actors", ",".join(adv["actors"]))
    row("reference", adv["reference"])
    row("remove_address", "yes" if adv["remove_address"] else "no")
    out.write("\n")


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python3 -m smtpreply",
        description="Classify SMTP replies (arguments, or lines of standard input with "
                    "\\r \\n \\t \\\\ escapes).")
    ap.add_argument("--json", action="store_true", help="one JSON object per reply")
    ap.add_argument("--version", action="store_true", help="print the library versions")
    ap.add_argument("replies", nargs="*", metavar="REPLY")
    args = ap.parse_args(argv)
    out = sys.stdout
    if args.version:
        out.write("libsmtpreply %s, table %s (%d rules)\n"
                  % (version(), table_version(), rule_count()))
        return 0
    inputs: Iterable[bytes]
    if args.replies:
        inputs = (unescape(_arg_bytes(a)) for a in args.replies)
    else:
        inputs = _stdin_inputs(sys.stdin.buffer)
    status = 0
    for data in inputs:
        rec = record(data)
        if args.json:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        else:
            _print_text(rec, out)
    out.flush()
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(1)
