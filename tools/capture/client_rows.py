#!/usr/bin/python3
"""Rows of lines.tsv for the client-library texts (tests/captured/clients/<library>.txt)."""
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from collect import code_enh, esc, sink_table  # noqa: E402


def main():
    cases_path, outdir, events_path = sys.argv[1:4]
    table, cases = sink_table(), {}
    for ln in open(cases_path, encoding="utf-8"):
        if ln.strip() and not ln.startswith("#"):
            c = ln.rstrip("\n").split("\t")
            cases[c[0]] = {"rcpt": c[3], "stage": c[5], "key": c[6], "sender": c[2]}
    # the replies the sink really sent, per rule key
    sent = {}
    for ln in open(events_path, encoding="utf-8"):
        e = json.loads(ln)
        if e.get("event") == "decision":
            sent.setdefault(e["key"], e["reply"])
    rows = []
    for f in sorted(os.listdir(outdir)):
        if not f.endswith(".txt"):
            continue
        lib, ver = f[:-4], "-"
        for ln in open(os.path.join(outdir, f), encoding="utf-8"):
            ln = ln.rstrip("\n")
            if ln.startswith("#version\t"):
                ver = ln.split("\t", 1)[1]
                continue
            parts = ln.split("\t", 2)
            if len(parts) < 3 or parts[0] not in cases:
                continue
            case, field, text = parts
            c = cases[case]
            if field in ("type", "class", "code", "responseCode", "command", "getReturnCode") or field.endswith(("class", "code", "getReturnCode", "[smtp_code]", "[smtp_code_ex]")):
                continue   # keep the texts, not the bare class names and numbers
            reply = sent.get(c["key"], table.get(c["key"], ""))
            if reply in ("STALL", "DROP"):
                reply = ""
            code, enh = code_enh(reply)
            # the line is the text exactly as the library gives it (already escaped in the .txt)
            rows.append("\t".join([lib, ver, "library", text, esc(reply) if reply else "-", code, enh,
                                   c["stage"], c["rcpt"] if c["stage"] in ("rcpt", "data", "eod") else "-",
                                   "%s:%s" % (case, field)]))
    with open(os.path.join(outdir, "rows.tsv"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(rows) + ("\n" if rows else ""))
    print("client libraries: %d rows" % len(rows))


if __name__ == "__main__":
    main()
