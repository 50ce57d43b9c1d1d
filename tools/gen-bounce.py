#!/usr/bin/env python3
"""Generate the bounce reader's compiled-in tables from data/.

    gen-bounce.py DATA_DIR HEADER OUTPUT.c [OUTPUT.h]   write lib's smtpreply-bounce-table.c (and .h)
    gen-bounce.py --check DATA_DIR HEADER      validate the data only, print a summary
    gen-bounce.py --formats DATA_DIR HEADER    print the formats as a Markdown table

DATA_DIR/bounce-formats.tsv holds the markers of the MTA text formats and of
the other report kinds; DATA_DIR/bounce-context.tsv how a report's context
changes a recipient's classification; HEADER is include/smtpreply.h, the one
source of the MTA, action and stage names (its enums).  See data/README.md.

Standard library only.  The output is deterministic: rows in file order, no
timestamps, no absolute paths.  This script is separate from gen-tables.py on
purpose (the classifier's generator changes on its own schedule); its matcher
is a small Aho-Corasick automaton of its own.
"""
import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tsvdata import DataError, aho_corasick, emit_array, fold_ascii, read_tsv, trie  # noqa: E402  (tools/tsvdata.py)


KINDS = {"begin": 1, "end": 2, "label": 3, "stage": 4, "detect": 5, "gave-up": 6,
         "autoreply": 7, "not-autoreply": 8, "feedback": 9, "host": 10, "skip": 11, "reply": 12, "bounce": 13}
WHERE = {"body": 1, "from": 2, "subject": 3, "message-id": 4, "received": 5, "x-mailer": 6,
         "status": 7, "diag": 8, "to": 9, "header": 10}
# which "where" each kind may use
KIND_WHERE = {
    "begin": {"body"}, "end": {"body"}, "label": {"body"}, "skip": {"body"},
    "stage": {"body", "diag"}, "host": {"body", "diag"}, "gave-up": {"diag"},
    "detect": {"body", "from", "subject", "message-id", "received", "x-mailer", "status", "header", "to"},
    "autoreply": {"subject", "header"}, "not-autoreply": {"from", "subject", "to"},
    "feedback": {"subject", "from", "header", "body"},
    "reply": {"diag"},
    "bounce": {"from", "subject"},
}
PERM = {"unknown": 0, "success": 1, "transient": 2, "permanent": 3}
RCPT = {"keep": 0, "suppress": 1, "review": 2}
MSG = {"none": 0, "retry": 1, "retry_later": 2, "fix_sender": 3, "never": 4}
NONE8 = 0xFF
MAX_TEXT = 200
MAX_MTA = 64            # lib/bounce.c SMTP__MAX_MTA: the vote array's size
DENSE_DEPTH = 14        # states this close to the root get a full row of transitions (fewer
                        # when their rows would pass the 16-bit offsets: build())

# condition / effect codes shared with lib/bounce-table.h
PRED = {"none": 1, "any": 2, "x.0.0": 3, "specific": 4}
NEED = {"phrase=gave-up": 1, "flag=gave-up": 2, "stage=none": 4, "context-stage=any": 8,
        "parsed=no": 16, "parsed=yes": 32, "diagnostic=none": 64}
SET = {"enhanced=status": 1, "stage=context": 2, "flag=gave-up": 4, "reply=drop": 8}


def enum_values(header_text, enum_name, prefix):
    """name (lower case, prefix removed) -> value of one enum of the header."""
    m = re.search(r"enum\s+%s\s*\{(.*?)\};" % re.escape(enum_name), header_text, re.S)
    if not m:
        raise DataError(f"smtpreply.h has no enum {enum_name}")
    out = {}
    for name, value in re.findall(r"\b%s(\w+)\s*=\s*(\d+)" % re.escape(prefix), m.group(1)):
        out[name.lower()] = int(value)
    if not out:
        raise DataError(f"enum {enum_name} has no {prefix}* values")
    return out


def fold(s):
    """The matcher's fold: ASCII lower case, each run of white space -> one space."""
    return fold_ascii(s.encode("utf-8"))


def load(data_dir, header_path):
    with open(header_path, encoding="utf-8") as f:
        header_text = f.read()
    mtas = enum_values(header_text, "smtp_reply_bounce_mta", "SMTP_REPLY_BOUNCE_MTA_")
    actions = enum_values(header_text, "smtp_reply_bounce_action", "SMTP_REPLY_BOUNCE_ACTION_")
    stages = enum_values(header_text, "smtp_reply_stage", "SMTP_REPLY_STAGE_")
    cats = {}
    for lineno, r in read_tsv(os.path.join(data_dir, "categories.tsv"), ["name", "value"]):
        cats[r["name"]] = int(r["value"])

    fpath = os.path.join(data_dir, "bounce-formats.tsv")
    rows = []
    seen = set()
    for lineno, r in read_tsv(fpath, ["mta", "kind", "where", "text", "value", "source"]):
        where = f"bounce-formats.tsv:{lineno}"
        kind = r["kind"]
        if kind not in KINDS:
            raise DataError(f"{where}: unknown kind {kind!r} (one of {', '.join(KINDS)})")
        if r["where"] not in KIND_WHERE[kind]:
            raise DataError(f"{where}: kind {kind} cannot look at {r['where']!r} "
                            f"(one of {', '.join(sorted(KIND_WHERE[kind]))})")
        mta = r["mta"]
        if mta == "-":
            mta_v = 0
        elif mta in mtas:
            mta_v = mtas[mta]
            if mta_v >= MAX_MTA:
                raise DataError(f"{where}: MTA value {mta_v} >= {MAX_MTA}: raise SMTP__MAX_MTA in "
                                f"lib/bounce.c and MAX_MTA here")
        else:
            raise DataError(f"{where}: MTA {mta!r} is not in enum smtp_reply_bounce_mta "
                            f"of smtpreply.h (add it there first)")
        if kind in ("begin", "detect") and mta_v == 0 and kind == "detect":
            raise DataError(f"{where}: a detect row must name an MTA")
        text = r["text"]
        anchored = 0
        if text.startswith("^"):
            anchored = 1
            text = text[1:]
        if text.startswith("\\^"):
            text = text[1:]
        if r["where"] in ("header", "status"):
            anchored = 1    # a field name: matched at the start of the field / line
        ftext = fold(text)
        if not ftext or ftext == b" ":
            raise DataError(f"{where}: empty text")
        if len(ftext) > MAX_TEXT:
            raise DataError(f"{where}: text longer than {MAX_TEXT} bytes")
        value = 0
        v = r["value"]
        if kind == "begin":
            if v not in actions or v == "none":
                raise DataError(f"{where}: a begin row's value is an action (failed, delayed, ...)")
            value = actions[v]
        elif kind == "stage":
            if v not in stages or v == "unknown":
                raise DataError(f"{where}: a stage row's value is a stage (rcpt, data, ...)")
            value = stages[v]
        elif v != "-":
            raise DataError(f"{where}: value must be '-' for kind {kind}")
        if not r["source"] or r["source"] == "-":
            raise DataError(f"{where}: every row names its source")
        key = (ftext, kind, r["where"], mta_v)
        if key in seen:
            raise DataError(f"{where}: duplicate row")
        seen.add(key)
        rows.append(dict(mta=mta, mta_v=mta_v, kind=kind, where=r["where"], text=ftext,
                         anchored=anchored, value=value, source=r["source"], line=lineno))

    cpath = os.path.join(data_dir, "bounce-context.tsv")
    ctx = []
    for lineno, r in read_tsv(cpath, ["id", "phase", "when", "then", "source"]):
        where = f"bounce-context.tsv:{lineno}"
        if r["phase"] not in ("before", "after"):
            raise DataError(f"{where}: phase is before or after")
        c = dict(id=r["id"], phase=0 if r["phase"] == "before" else 1, status=0, reply=0,
                 status_class=0, reply_class=0, need=0, set=0, category=NONE8, perm=NONE8,
                 rcpt=NONE8, msg=NONE8, actions=0, categories=0, line=lineno)
        if r["when"] != "*":
            for cond in r["when"].split("&"):
                cond = cond.strip()
                if cond in NEED:
                    c["need"] |= NEED[cond]
                    continue
                if "=" not in cond:
                    raise DataError(f"{where}: bad condition {cond!r}")
                k, vals = cond.split("=", 1)
                for val in vals.split("|"):
                    if k == "action":
                        if val not in actions:
                            raise DataError(f"{where}: unknown action {val!r}")
                        c["actions"] |= 1 << actions[val]
                    elif k in ("status", "reply-enhanced"):
                        key = "status" if k == "status" else "reply"
                        if val in PRED:
                            if c[key]:
                                raise DataError(f"{where}: one {k} test per row")
                            c[key] = PRED[val]
                        elif re.fullmatch(r"class[245]", val):
                            c[key + "_class"] |= 1 << int(val[5])
                        else:
                            raise DataError(f"{where}: bad {k} value {val!r}")
                    elif k == "reply-class":
                        if val not in ("2", "3", "4", "5"):
                            raise DataError(f"{where}: bad reply-class {val!r}")
                        c["reply_class"] |= 1 << int(val)
                    elif k == "category":
                        if val not in cats:
                            raise DataError(f"{where}: unknown category {val!r}")
                        c["categories"] |= 1 << cats[val]
                    else:
                        raise DataError(f"{where}: unknown condition {cond!r}")
        for eff in r["then"].split(","):
            eff = eff.strip()
            if eff in SET:
                c["set"] |= SET[eff]
                continue
            if "=" not in eff:
                raise DataError(f"{where}: bad effect {eff!r}")
            k, val = eff.split("=", 1)
            table = {"category": cats, "perm": PERM, "rcpt": RCPT, "msg": MSG}.get(k)
            if table is None or val not in table:
                raise DataError(f"{where}: bad effect {eff!r}")
            c[k] = table[val]
        if c["phase"] == 0 and (c["category"] != NONE8 or c["perm"] != NONE8 or
                                c["rcpt"] != NONE8 or c["msg"] != NONE8 or c["categories"]):
            raise DataError(f"{where}: a before row can only fill the enhanced code or the stage")
        if c["phase"] == 1 and c["set"] & (SET["enhanced=status"] | SET["stage=context"] |
                                           SET["reply=drop"]):
            raise DataError(f"{where}: enhanced=status, stage=context and reply=drop are before effects")
        if not r["source"] or r["source"] == "-":
            raise DataError(f"{where}: every row names its source")
        ctx.append(c)

    h = hashlib.sha256()
    for name in ("bounce-formats.tsv", "bounce-context.tsv"):
        with open(os.path.join(data_dir, name), "rb") as f:
            h.update(name.encode() + b"\0" + f.read() + b"\0")
    return dict(rows=rows, ctx=ctx, mtas=mtas, hash=h.hexdigest())


ANCHOR = 256            # the virtual byte fed before a text: anchored rows start with it


def build(pats):
    """Aho-Corasick over the rows' texts: classes, goto (sparse), fail, outputs.

    pats is a list of (folded text, anchored).  An anchored row is the text
    after a virtual start-of-text class, so it matches only at the start of
    what is scanned (no count of the bytes fed is needed); the matcher starts
    in that class's state (start).  A run of white space is one space: every
    state entered by a space, and start, stays where it is on another one (a
    self-loop instead of a branch per byte in the matcher)."""
    used = sorted({b for p, _ in pats for b in p})
    cls = [0] * 257
    for i, b in enumerate(used):
        cls[b] = i + 1
    cls[ANCHOR] = len(used) + 1
    ncls = len(used) + 2
    seqs = [([ANCHOR] if a else []) + list(p) for p, a in pats]
    goto, depth, term = trie(seqs, cls)
    # renumber in breadth-first order: the shallow states come first, and those
    # up to DENSE_DEPTH (as many of them as fit, below) get full rows (a step is one
    # load there)
    order = [0]
    for st in order:
        order.extend(t for c, t in sorted(goto[st].items()))
    goto, depth, fail, out, delta = aho_corasick(goto, depth, term, order)
    n = len(goto)
    start = goto[0].get(cls[ANCHOR], 0)
    sp = cls[32]
    last = [None] * n      # the class that enters each state
    for s in range(n):
        for c, t in goto[s].items():
            last[t] = c
    selfsp = [last[s] == sp or s == start for s in range(n)]
    for s in range(n):
        if selfsp[s] and sp in goto[s]:
            raise DataError("a folded text with two spaces in a row")

    def step(s, c):
        return s if c == sp and selfsp[s] else delta(s, c)
    row = ncls + (ncls & 1)    # even: bit 0 of a dense entry tells a slow step
    # the first states (breadth first: the shallow ones) up to DENSE_DEPTH, as
    # many as have rows whose offsets fit 16 bits (a dense entry is the next
    # row's offset): the deepest full level and a part of the next one
    ndense = min(sum(1 for d in depth if d <= DENSE_DEPTH), (1 << 16) // row)
    if any(depth[s] > DENSE_DEPTH for s in range(ndense)) or start >= ndense:
        raise DataError("the dense states are not the first ones")
    # a step's value: slow when next has outputs or is sparse (the matcher's
    # fast loop tests one bit), then (next << 1) | 1; else next * row, the
    # offset of next's row (even: the fast loop adds the class and loads)
    slow = [1 if out[t] or t >= ndense else 0 for t in range(n)]
    if ndense * row > 1 << 16 or n << 1 >= 1 << 16:
        raise DataError("marker automaton too large for 16-bit steps")

    def enc(t):
        return (t << 1) | 1 if slow[t] else t * row
    dense = [enc(step(s, c)) if c < ncls else 0 for s in range(ndense) for c in range(row)]
    edges = []
    for s in range(n):
        e = sorted(goto[s].items())
        if selfsp[s]:
            e = sorted(e + [(sp, s)])
        edges.append(e)
    anch = [0] * n
    if start:
        todo = [start]
        for s in todo:
            anch[s] = 1
            todo.extend(goto[s].values())
    return dict(cls=cls, ncls=ncls, row=row, goto=goto, fail=fail, out=out, ndense=ndense,
                dense=dense, edges=edges, slow=slow, enc=enc, start=start, anch=anch)


MAX_BIGRAMS = 4         # byte pairs a where's prefilter tests (lib/bounce-table.h)
FREQ = b"etaoinsrhldcumfpgwybvkxjqz"
# what Received and X-Mailer fields say most days: a pair seen here is a poor
# prefilter (it would pass nearly every field)
TYPICAL = fold_ascii(
    b"from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.org (Postfix) with "
    b"ESMTPS id 4ABC123 for <user@example.org>; Mon, 7 Dec 2026 12:00:00 +0000 (UTC) "
    b"(envelope-from <list@example.net>) (qmail 12345 invoked by uid 89) (using TLSv1.3 "
    b"with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) by smtp.example.net (8.15.2/8.15.2) "
    b"with ESMTP id; (Exim 4.94) (version=TLS1_2 cipher=ECDHE-RSA-AES128-GCM-SHA256 verify=NO) "
    b"Microsoft SMTP Server id 15.20.1234.5 via Frontend Transport; Microsoft Outlook 16.0 "
    b"Apple Mail (2.3445) PHPMailer 6.1.4 (https://github.com/PHPMailer/PHPMailer)")


def rarity(a, b):
    """How rarely the folded byte pair shows in a header value (a guess:
    unseen in TYPICAL first, then English letter frequency, then the
    punctuation of addresses and host names); it only decides which pair a
    prefilter tests, never a result."""
    def one(c):
        if c in FREQ:
            return FREQ.index(c)
        return 10 if c in b".-@:<>()" else 20
    return (bytes([a, b]) not in TYPICAL, one(a) + one(b))


def generate(d):
    rows = d["rows"]
    ac = build([(r["text"], r["anchored"]) for r in rows])
    n = len(ac["goto"])
    out = ["/* Generated by tools/gen-bounce.py from data/bounce-formats.tsv and",
           " * data/bounce-context.tsv.  Do not edit. */",
           "#include <stdint.h>",
           '#include "bounce-table.h"', ""]
    if n >= 1 << 15:
        raise DataError("marker automaton too large (%d states)" % n)
    emit_array(out, "uint8_t", "smtp__bf_cls", ac["cls"][:256])
    # the class of each raw byte after folding (ASCII upper case to lower, the
    # white space bytes to ' '): one load per byte in the matcher
    def fold_byte(b):
        if 65 <= b <= 90:
            return b + 32
        return 32 if b in (9, 10, 11, 12, 13) else b
    emit_array(out, "uint8_t", "smtp__bf_fcls", [ac["cls"][fold_byte(b)] for b in range(256)])
    out.append(f"const uint8_t smtp__bf_space_cls = {ac['cls'][32]};")
    # the folded first bytes of the header / status rows: a field or line that
    # starts with another byte is not scanned for them
    for where, name in (("header", "smtp__bf_first_header"), ("status", "smtp__bf_first_status")):
        first = [0] * 256
        for r in rows:
            if r["where"] == where:
                first[r["text"][0]] = 1
        emit_array(out, "uint8_t", name, first)
    # the name lengths of the header rows ("name:" at the start of a field): a
    # field whose name has another length is not scanned for them (all bits
    # when a row names no field)
    # (the status rows likewise: a line at whose offset k there is no ':' for
    # any of their k is not scanned)
    for where, name in (("header", "smtp__bf_header_name_lens"), ("status", "smtp__bf_status_colons")):
        lens = 0
        for r in rows:
            if r["where"] == where:
                k = r["text"].find(b":")
                lens |= 1 << k if 0 < k < 64 and b" " not in r["text"][:k] else (1 << 64) - 1
        out.append("const uint64_t %s = 0x%016xull;" % (name, lens))
    counts = [0] * 16
    for r in rows:
        counts[WHERE[r["where"]]] += 1
    emit_array(out, "uint16_t", "smtp__bf_where_rows", counts)
    # a where with few rows (received, x-mailer): a pair of adjacent bytes of
    # each row, so a field without any of them is not scanned (bytes OR 0x20:
    # a match in either case passes; other bytes may pass too, then the scan
    # decides)
    nbig, big = [0xFF] * 16, [0] * (16 * MAX_BIGRAMS)
    for where, w in WHERE.items():
        if where not in ("from", "subject", "message-id", "received", "x-mailer", "to"):
            continue        # (the fields read_header scans with scan_markers)
        pairs = set()
        for r in rows:
            if r["where"] != where:
                continue
            cand = [(rarity(a, b), a | 0x20, b | 0x20)
                    for a, b in zip(r["text"], r["text"][1:]) if a != 32 and b != 32]
            if not cand:
                pairs = None
                break
            _, a, b = max(cand)
            pairs.add(a | b << 8)
        if pairs and len(pairs) <= MAX_BIGRAMS:
            nbig[w] = len(pairs)
            for k, v in enumerate(sorted(pairs)):
                big[w * MAX_BIGRAMS + k] = v
    emit_array(out, "uint8_t", "smtp__bf_where_nbigram", nbig)
    emit_array(out, "uint16_t", "smtp__bf_where_bigram", big)
    out.append(f"const uint32_t smtp__bf_nclasses = {ac['ncls']};")
    out.append(f"const uint32_t smtp__bf_nstates = {n};")
    out.append(f"const uint32_t smtp__bf_ndense = {ac['ndense']};")
    out.append(f"const uint32_t smtp__bf_row = {ac['row']};")
    emit_array(out, "uint16_t", "smtp__bf_dense", ac["dense"], 24)
    emit_array(out, "uint8_t", "smtp__bf_anchored", ac["anch"])
    states, edges, outs = [], [], []
    for s in range(n):
        e0 = len(edges)
        edges.extend(ac["edges"][s])
        o0 = len(outs)
        outs.extend(ac["out"][s])
        states.append((ac["fail"][s], e0, len(edges) - e0, o0, len(outs) - o0))
    out.append("const struct smtp__bf_state smtp__bf_states[] = {")
    for st in states:
        out.append("    {%d, %d, %d, %d, %d}," % st)
    out.append("};")
    out.append("const struct smtp__bf_edge smtp__bf_edges[] = {")
    for c, t in edges or [(0, 0)]:
        out.append("    {%d, %d}," % (ac["enc"](t), c))
    out.append("};")
    emit_array(out, "uint16_t", "smtp__bf_out", outs)
    # per state in one word: its first edge (the only one of most sparse
    # states) and whether it has outputs: a step along a matching marker
    # is one load
    one = []
    for s in range(n):
        e = ac["edges"][s]
        c, t = e[0] if e else (0xff, 0)
        if s >= ac["ndense"] and e and not ac["slow"][t]:
            raise DataError("an edge of a sparse state leads to a fast one")
        one.append(ac["enc"](t) << 9 | (1 if ac["out"][s] else 0) << 8 | c)
    emit_array(out, "uint32_t", "smtp__bf_one", one)
    out.append("const struct smtp__bf_row smtp__bf_rows[] = {")
    for r in rows:
        out.append("    {%d, %d, %d, %d, %d, %d}, /* %s:%d */" % (
            len(r["text"]), KINDS[r["kind"]], WHERE[r["where"]], r["mta_v"], r["value"],
            r["anchored"], "bounce-formats.tsv", r["line"]))
    out.append("};")
    out.append(f"const uint32_t smtp__bf_nrows = {len(rows)};")
    # the MTAs in the order their first row comes: the vote's tie order
    order = []
    for r in rows:
        if r["mta_v"] and r["mta_v"] not in order:
            order.append(r["mta_v"])
    emit_array(out, "uint8_t", "smtp__bf_mta_order", order or [0])
    out.append(f"const uint32_t smtp__bf_nmtas = {len(order)};")
    out.append("const struct smtp__bc_rule smtp__bc_rules[] = {")
    for c in d["ctx"]:
        out.append("    {%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %uu, %uu}, /* %s */" % (
            c["phase"], c["status"], c["reply"], c["status_class"], c["reply_class"], c["need"],
            c["set"], c["category"], c["perm"], c["rcpt"], c["msg"], c["actions"],
            c["categories"], c["id"]))
    if not d["ctx"]:
        out.append("    {0},")
    out.append("};")
    out.append(f"const uint32_t smtp__bc_nrules = {len(d['ctx'])};")
    out.append(f'const char smtp__bounce_table_hash[] = "{d["hash"]}";')
    out.append("")
    return "\n".join(out)


def generate_header(d):
    """The automaton's shape as constants, so the matcher's loads need no
    multiplication by a variable."""
    ac = build([(r["text"], r["anchored"]) for r in d["rows"]])
    return "\n".join([
        "/* Generated by tools/gen-bounce.py.  Do not edit. */",
        "#ifndef SMTPREPLY_BOUNCE_TABLE_SHAPE_H",
        "#define SMTPREPLY_BOUNCE_TABLE_SHAPE_H",
        "#define SMTP__BF_NDENSE %du" % ac["ndense"],
        "#define SMTP__BF_ROW %du      /* dense row width: the classes, rounded up to even */" % ac["row"],
        "#define SMTP__BF_START %du    /* the state after the start of a text */" % ac["start"],
        "#endif", ""])


def formats_markdown(d):
    """The text formats, one line per MTA, in file order (ranked by frequency)."""
    order, info = [], {}
    for r in d["rows"]:
        if r["mta"] == "-":
            continue
        if r["mta"] not in info:
            order.append(r["mta"])
            info[r["mta"]] = {"begin": [], "detect": [], "end": []}
        if r["kind"] in info[r["mta"]]:
            info[r["mta"]][r["kind"]].append(r["text"].decode("utf-8", "replace"))
    lines = ["| rank | MTA | begins with | detected by | rows |", "|---:|---|---|---|---:|"]
    for i, m in enumerate(order, 1):
        nrows = sum(1 for r in d["rows"] if r["mta"] == m)
        b = "; ".join("`%s`" % t for t in info[m]["begin"][:2]) or "-"
        det = "; ".join("`%s`" % t for t in info[m]["detect"][:2]) or "-"
        lines.append(f"| {i} | {m} | {b} | {det} | {nrows} |")
    return "\n".join(lines)


def main(argv):
    try:
        if len(argv) == 4 and argv[1] in ("--check", "--formats"):
            d = load(argv[2], argv[3])
            if argv[1] == "--formats":
                print(formats_markdown(d))
                return 0
            kinds = {}
            for r in d["rows"]:
                kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
            print("format rows: %d (%s)" % (len(d["rows"]), ", ".join(
                "%s %d" % kv for kv in sorted(kinds.items()))))
            print("MTAs with rows: %d" % len({r["mta"] for r in d["rows"] if r["mta"] != "-"}))
            print("context rows: %d" % len(d["ctx"]))
            return 0
        if len(argv) not in (4, 5):
            sys.stderr.write(__doc__)
            return 2
        d = load(argv[1], argv[2])
        outputs = [(argv[3], generate(d))]
        if len(argv) == 5:
            outputs.append((argv[4], generate_header(d)))
    except (DataError, OSError) as e:
        sys.stderr.write(f"gen-bounce: {e}\n")
        return 1
    for path, text in outputs:
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
