#!/usr/bin/env python3
"""Generate libsmtpreply's compiled-in table from the data/ folder.

    gen-tables.py [--header H] [--depfile D] DATA_DIR OUTPUT.c [OUTPUT.h]
                                    write the table (and its types)
    gen-tables.py --check [--header H] DATA_DIR
                                    validate the data only and print a summary: the
                                    number of rules, codes, advice records and states
    gen-tables.py --hash DATA_DIR   print the hash a table made from DATA_DIR would carry

Every *.tsv file in DATA_DIR/rules is read, in name order.  The depfile names the
files read and the DATA_DIR/rules folder itself, whose time stamp changes when a
file is added or removed, so that ninja reruns the generator for a new rule file
without a reconfigure (lib/meson.build).

The enum values and names the data uses (categories, verdicts, faults, stages,
wrappers, actors) are read from the public header H (include/smtpreply.h by
default), and data/categories.tsv must match its enum smtp_reply_category.

--train TESTS_DIR names the folder of test rows (tests/data) the word model is
trained on, besides the rules and the code registries; without it the model
learns from those alone. The test rows are then part of the table's hash and of
the depfile.

Standard library only. The output is deterministic: the same data gives the same
bytes (rows in file-name then line order, no timestamps, no absolute paths).
See data/README.md for the file formats.
"""
import argparse
import hashlib
import os
import unicodedata
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model  # noqa: E402  (tools/model.py)
import words  # noqa: E402  (tools/words.py)
from tsvdata import DataError, aho_corasick, emit_array, fold_ascii, read_tsv as _read_tsv, trie  # noqa: E402

# The enums come from include/smtpreply.h (read_header_enums), the one source of
# their values and names: name -> value, filled by set_enums().
PERM = RCPT = MSG = FAULT = STAGE = ACTORS = WRAP = CATEGORY_ENUM = {}
NONE8 = 0xFF
ANY = 0xFFFF
MAX_PART = 200          # longest pattern part (the matcher keeps a 256-byte window)
MAX_STEPS = 8
DENSE_DEPTH = 4         # states up to this depth get full DFA rows (ASCII columns) ...
DENSE_MIN_PATS = 3      # ... those at it when at least this many patterns pass through
                        # them: 1,136 rows of 120 bytes where all 1,751 states up to depth 4
                        # took 210 KB, for 0.1% more instructions (issue 15)
WR_DENSE_DEPTH = 6      # all states up to this depth of the wrapper automaton (lib/unwrap.c): 370 of its
                        # 2,372 states (40 KB of rows where full rows took 256 KB); a
                        # deeper state costs unwrap.c about four times a row's step


_ENUM_VALUE = re.compile(r"(-?\d+)[uU]?(?:\s*<<\s*(\d+))?")


def read_header_enums(path):
    """The enums of smtpreply.h: {"smtp_reply_stage": [("unknown", 0), ...], ...},
    in the header's order.  A constant's name is the library's name for it: the
    constant without its enum's prefix (the "SMTP_REPLY_<WORD>_" most of its
    constants share, or else "SMTP_REPLY_"), in lower case: SMTP_REPLY_PERM_TRANSIENT
    is "transient", SMTP_REPLY_OK is "ok", SMTP_REPLY_F_8BIT is "8bit"."""
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/|//[^\n]*", " ", f.read(), flags=re.S)
    enums = {}
    for m in re.finditer(r"\benum\s+(smtp_reply_\w+)\s*\{(.*?)\}", text, re.S):
        consts, value = [], -1
        for item in m.group(2).split(","):
            name, _, expr = (x.strip() for x in item.partition("="))
            if not name:
                continue
            if expr:
                v = _ENUM_VALUE.fullmatch(expr)
                if not v:
                    raise DataError(f"{path}: enum {m.group(1)}: cannot read {item.strip()!r}")
                value = int(v.group(1)) << int(v.group(2) or 0)
            else:
                value += 1
            consts.append((name, value))
        words = {}
        for name, _ in consts:
            w = re.match(r"SMTP_REPLY_[A-Z0-9]+_", name)
            if w:
                words[w.group(0)] = words.get(w.group(0), 0) + 1
        prefix = max(words, key=words.get) if words else "SMTP_REPLY_"
        enums[m.group(1)] = [((n[len(prefix):] if n.startswith(prefix) else n[len("SMTP_REPLY_"):]).lower(), v)
                             for n, v in consts]
    return enums


def set_enums(header):
    """Read the enums the data files name from the header."""
    global PERM, RCPT, MSG, FAULT, STAGE, ACTORS, WRAP, CATEGORY_ENUM
    e = read_header_enums(header)
    need = ["smtp_reply_permanence", "smtp_reply_recipient_action", "smtp_reply_message_action",
            "smtp_reply_fault", "smtp_reply_stage", "smtp_reply_actor", "smtp_reply_wrapper",
            "smtp_reply_category"]
    missing = [n for n in need if n not in e]
    if missing:
        raise DataError(f"{header}: no enum {', '.join(missing)}")
    PERM, RCPT, MSG, FAULT, STAGE, ACTORS, WRAP, CATEGORY_ENUM = (dict(e[n]) for n in need)
    # a stage constraint or stage phrase names a real stage
    STAGE = {k: v for k, v in STAGE.items() if v != 0}


def read_tsv(path, required):
    """data/'s rows: a short row's missing cells read '-'."""
    return _read_tsv(path, required, pad=True)


def dash(v):
    return "" if v in ("", "-") else v


# Two-byte UTF-8 letters the matcher folds: sequences whose lead byte is in
# [FOLD2_LEAD0, FOLD2_LEAD0 + FOLD2_NLEADS), i.e. U+00C0..U+047F (Latin-1 letters,
# Latin Extended-A and -B, Greek, Cyrillic).
FOLD2_LEAD0 = 0xC3
FOLD2_NLEADS = 15


def fold_char(ch):
    """The matcher's fold of one non-ASCII character, or None to keep it.
    Latin letters lose their case and accents (É, é -> e; Ł -> ł; İ, ı -> i),
    Greek and Cyrillic letters their case (П -> п), and Cyrillic ё is е."""
    cp = ord(ch)
    if not 0xC0 <= cp < 0xC0 + FOLD2_NLEADS * 64:
        return None
    if cp == 0x131:
        return "i"
    if cp <= 0x24F:
        base = unicodedata.normalize("NFD", ch)[0]
        if base.isascii() and base.isalpha():
            return base.lower()
    low = ch.lower()
    if len(low) != 1 or not 0x80 <= ord(low) < 0x800:
        return None
    if low in ("\u0451", "\u0450"):         # ё, ѐ -> е
        low = "\u0435"
    return None if low == ch else low


def fold(s):
    """The matcher's fold: the letters of fold_char, ASCII lower case, white
    space runs -> one space."""
    return fold_ascii("".join(fold_char(ch) or ch for ch in s).encode("utf-8"))


def c_str(s):
    if s is None:
        return "NULL"
    b = s.encode("utf-8") if isinstance(s, str) else s
    out = ['"']
    for ch in b:
        if ch in (34, 92):
            out.append("\\" + chr(ch))
        elif 32 <= ch < 127 and ch != 63:  # avoid trigraphs with '?'
            out.append(chr(ch))
        else:
            out.append("\\%03o" % ch)
    out.append('"')
    return "".join(out)


def parse_codes(spec, where):
    """codes column -> list of (kind, a, b, c)."""
    cons = []
    if not dash(spec):
        return cons
    for tok in spec.split(","):
        tok = tok.strip().lower()
        if not tok:
            continue
        if tok.startswith("@"):
            strict = tok.endswith("!")
            name = tok[1:-1] if strict else tok[1:]
            if name not in STAGE:
                raise DataError(f"{where}: unknown stage {tok}")
            cons.append((3, STAGE[name], 1 if strict else 0, 0))
        elif "." in tok:
            parts = tok.split(".")
            if len(parts) != 3:
                raise DataError(f"{where}: bad enhanced constraint {tok}")
            vals = []
            for i, p in enumerate(parts):
                if p == "x":
                    vals.append(0 if i == 0 else ANY)
                elif p.isdigit() and len(p) <= 3:
                    vals.append(int(p))
                else:
                    raise DataError(f"{where}: bad enhanced constraint {tok}")
            if vals[0] not in (0, 2, 4, 5):
                raise DataError(f"{where}: enhanced class must be 2, 4, 5 or x: {tok}")
            cons.append((2, vals[0], vals[1], vals[2]))
        elif tok == "none":
            cons.append((1, 0, 0, 0))     # only a text with no code at all
        elif re.fullmatch(r"[2-5][0-9x][0-9x]", tok):
            lo = int(tok.replace("x", "0"))
            hi = int(tok.replace("x", "9"))
            if "x" in tok[1:2] and tok[2] != "x":
                raise DataError(f"{where}: use 5xx or 55x, not {tok}")
            cons.append((1, lo, hi, 0))
        else:
            raise DataError(f"{where}: bad code constraint {tok!r}")
    return cons


def parse_pattern(pat, where):
    """pattern -> list of (folded bytes, bound bits)."""
    parts = []
    for raw in pat.split("*"):
        bound = 0
        s = raw.strip(" ")
        if s.startswith("\\b"):
            bound |= 1
            s = s[2:]
        if s.endswith("\\b"):
            bound |= 2
            s = s[:-2]
        if "\\b" in s:
            raise DataError(f"{where}: \\b only at the start or end of a part")
        f = fold(s).strip(b" ")
        if not f:
            raise DataError(f"{where}: empty pattern part in {pat!r}")
        if len(f) > MAX_PART:
            raise DataError(f"{where}: pattern part longer than {MAX_PART} bytes")
        parts.append((f, bound))
    if len(parts) > 8:
        raise DataError(f"{where}: more than 8 parts")
    return parts


def parse_concept(spec, where, stop):
    """A concept pattern ("~mailbox|inbox|account + full|over quota") -> (list
    of groups, mask of the negative groups). Each group is a sorted list of term
    hashes: a one-word term is the hash of its stem, a two-word term the pair
    hash of its two stems (tools/words.py; stop words are left out, as the
    matcher skips them). A group written "!a|b" is negative: the concept does
    not hold in a clause that has one of its terms."""
    groups = []
    neg = 0
    for g in spec.split("+"):
        g = g.strip()
        if g.startswith("!"):
            neg |= 1 << len(groups)
            g = g[1:]
        terms = set()
        for alt in g.split("|"):
            alt = alt.strip()
            if not alt:
                raise DataError(f"{where}: empty term in concept {spec!r}")
            hs = []
            for _s, _e, w, _c in words.tokens(fold(alt)):
                h = words.fnv1a(words.key(w))
                if h in stop:
                    raise DataError(f"{where}: concept term {alt!r} has a stop word ({w.decode()}), "
                                    "which the matcher skips: leave it out")
                hs.append(h)
            if len(hs) == 1:
                terms.add(hs[0])
            elif len(hs) == 2:
                terms.add(words.mix(hs[0], hs[1]))
            else:
                raise DataError(f"{where}: concept term {alt!r} must be one or two words "
                                "(not stop words, digits or glued names)")
        groups.append(sorted(terms))
    if not 2 <= len(groups) <= 8:
        raise DataError(f"{where}: a concept needs 2 to 8 groups joined by +")
    if len(groups) - bin(neg).count("1") < 2:
        raise DataError(f"{where}: a concept needs at least 2 groups that are not negative (!)")
    return groups, neg


def load(data_dir, train_dir=None):
    files = []
    cats = read_tsv(os.path.join(data_dir, "categories.tsv"),
                    ["name", "value", "fault", "default_perm", "perm_rcpt", "perm_msg",
                     "temp_rcpt", "temp_msg"])
    files.append("categories.tsv")
    categories = {}
    for ln, r in cats:
        v = int(r["value"])
        if v in [c["value"] for c in categories.values()]:
            raise DataError(f"categories.tsv:{ln}: value {v} reused")
        categories[r["name"]] = dict(r, value=v)
    values = sorted(c["value"] for c in categories.values())
    if values != list(range(len(values))):
        raise DataError("categories.tsv: values must be 0..N-1")
    for name, c in categories.items():
        if CATEGORY_ENUM.get(name) != c["value"]:
            raise DataError(f"categories.tsv: {name} = {c['value']}, but smtpreply.h has "
                            + (f"SMTP_REPLY_CAT_{name.upper()} = {CATEGORY_ENUM[name]}"
                               if name in CATEGORY_ENUM else f"no SMTP_REPLY_CAT_{name.upper()}"))
    for name in CATEGORY_ENUM:
        if name not in categories:
            raise DataError(f"categories.tsv: no row for SMTP_REPLY_CAT_{name.upper()} of smtpreply.h")
    cat_by_value = sorted(categories.values(), key=lambda c: c["value"])

    def cat(name, where, allow_none=False):
        if allow_none and name == "-":
            return NONE8
        if name not in categories:
            raise DataError(f"{where}: unknown category {name!r}")
        return categories[name]["value"]

    # advice
    advice = []
    advice_ids = {}
    path = os.path.join(data_dir, "advice.tsv")
    if os.path.exists(path):
        files.append("advice.tsv")
        for ln, r in read_tsv(path, ["id", "actors", "remove", "summary", "steps", "reference"]):
            where = f"advice.tsv:{ln}"
            if r["id"] in advice_ids:
                raise DataError(f"{where}: duplicate advice id {r['id']}")
            actors = 0
            for a in dash(r["actors"]).split(","):
                a = a.strip()
                if a:
                    if a not in ACTORS:
                        raise DataError(f"{where}: unknown actor {a}")
                    actors |= ACTORS[a]
            steps = [s.strip() for s in dash(r["steps"]).split(" | ") if s.strip()]
            if len(steps) > MAX_STEPS:
                raise DataError(f"{where}: more than {MAX_STEPS} steps")
            if r["remove"] not in ("yes", "no"):
                raise DataError(f"{where}: remove must be yes or no")
            advice_ids[r["id"]] = len(advice)
            advice.append(dict(id=r["id"], summary=r["summary"], steps=steps, actors=actors,
                               remove=1 if r["remove"] == "yes" else 0,
                               reference=dash(r["reference"])))
    # every category needs advice: add a placeholder for any missing one (reported by --check)
    missing_advice = []
    for c in cat_by_value:
        if c["name"] not in advice_ids:
            missing_advice.append(c["name"])
            advice_ids[c["name"]] = len(advice)
            advice.append(dict(id=c["name"], summary=c["description"] + ".", steps=[],
                               actors=0, remove=0, reference=""))

    # enhanced codes
    enh = {}
    path = os.path.join(data_dir, "enhanced-codes.tsv")
    if os.path.exists(path):
        files.append("enhanced-codes.tsv")
        for ln, r in read_tsv(path, ["code", "title", "category", "reference"]):
            where = f"enhanced-codes.tsv:{ln}"
            vague = r.get("vague", "-")
            if vague not in ("yes", "-"):
                raise DataError(f"{where}: vague must be yes or -: {vague!r}")
            m = re.fullmatch(r"[Xx]\.(\d{1,3})\.(\d{1,3})", r["code"])
            if not m:
                raise DataError(f"{where}: code must be X.S.D: {r['code']!r}")
            key = (int(m.group(1)), int(m.group(2)))
            if key in enh:
                raise DataError(f"{where}: duplicate {r['code']}")
            enh[key] = dict(title=r["title"], category=cat(r["category"], where),
                            id="enhanced-X.%d.%d" % key, vague=int(vague == "yes"))

    basic = {}
    path = os.path.join(data_dir, "basic-codes.tsv")
    if os.path.exists(path):
        files.append("basic-codes.tsv")
        for ln, r in read_tsv(path, ["code", "category", "text", "reference"]):
            where = f"basic-codes.tsv:{ln}"
            if not re.fullmatch(r"[2-5]\d\d", r["code"]):
                raise DataError(f"{where}: bad code {r['code']!r}")
            code = int(r["code"])
            if code in basic:
                raise DataError(f"{where}: duplicate {code}")
            basic[code] = dict(category=cat(r["category"], where), text=r["text"],
                               id="basic-%d" % code)

    units = []
    path = os.path.join(data_dir, "units.tsv")
    files.append("units.tsv")
    for ln, r in read_tsv(path, ["word", "seconds"]):
        units.append((r["word"].lower(), int(r["seconds"])))
    units.sort()

    wrappers = load_wrappers(data_dir)
    files.append("wrappers.tsv")

    _, stop_words = load_model_settings(data_dir)
    stop = {words.fnv1a(w) for w in stop_words}
    rules = []
    rule_ids = set()
    rdir = os.path.join(data_dir, "rules")
    for name in sorted(os.listdir(rdir)):
        if not name.endswith(".tsv"):
            continue
        files.append("rules/" + name)
        for ln, r in read_tsv(os.path.join(rdir, name),
                              ["id", "category", "priority", "codes", "pattern", "provider",
                               "blocklist", "options", "advice", "source"]):
            where = f"rules/{name}:{ln}"
            rid = r["id"]
            if not re.fullmatch(r"[a-z0-9][a-z0-9._+-]*", rid):
                raise DataError(f"{where}: bad rule id {rid!r}")
            if rid in rule_ids:
                raise DataError(f"{where}: duplicate rule id {rid}")
            rule_ids.add(rid)
            if not dash(r["source"]):
                raise DataError(f"{where}: rule {rid} has no source")
            prio = int(r["priority"])
            if not 0 <= prio <= 99:
                raise DataError(f"{where}: priority out of 0-99")
            opts = dict(perm=NONE8, rcpt=NONE8, msg=NONE8, fault=NONE8, retry=0, options=0)
            for o in dash(r["options"]).split(","):
                o = o.strip()
                if not o:
                    continue
                if o == "delay":
                    opts["options"] |= 1
                    continue
                if o == "side":
                    opts["options"] |= 4      # SMTP__OPT_SIDE
                    continue
                if o == "ambiguous":
                    opts["options"] |= 8      # SMTP__OPT_AMBIGUOUS
                    continue
                if o == "cause":
                    opts["options"] |= 16     # SMTP__OPT_CAUSE
                    continue
                k, _, v = o.partition("=")
                table = {"perm": PERM, "action": RCPT, "msg": MSG, "fault": FAULT}.get(k)
                if k == "retry" and v.isdigit():
                    opts["retry"] = int(v)
                elif table is not None and v in table:
                    opts[{"action": "rcpt"}.get(k, k)] = table[v]
                else:
                    raise DataError(f"{where}: bad option {o!r}")
            adv = dash(r["advice"])
            category = cat(r["category"], where, allow_none=True)
            if opts["options"] & 4 and (category == NONE8 or r["pattern"].startswith("~")):
                raise DataError(f"{where}: a side row needs a category and a phrase")
            if opts["options"] & 16 and (category != NONE8 or r["pattern"].startswith("~") or
                                         opts["options"] & ~16):
                raise DataError(f"{where}: a cause row is an annotation row (category -) with a "
                                f"phrase and no other flag")
            if adv:
                if adv not in advice_ids:
                    raise DataError(f"{where}: unknown advice id {adv!r}")
                adv_index = advice_ids[adv]
            elif category != NONE8:
                adv_index = advice_ids[cat_by_value[category]["name"]]
            else:
                adv_index = 0
            if r["pattern"].startswith("~"):
                opts["options"] |= 2      # SMTP__OPT_CONCEPT
            rules.append(dict(id=rid, category=category, priority=prio,
                              cons=parse_codes(r["codes"], where),
                              parts=[] if r["pattern"].startswith("~")
                              else parse_pattern(r["pattern"], where),
                              concept=parse_concept(r["pattern"][1:], where, stop)
                              if r["pattern"].startswith("~") else None,
                              concept_text=r["pattern"][1:] if r["pattern"].startswith("~") else None,
                              provider=dash(r["provider"]).lower() or None,
                              blocklist=dash(r["blocklist"]).lower() or None,
                              advice=adv_index, **opts))
    if len(rules) >= 65535:
        raise DataError("too many rules")
    with open(os.path.join(data_dir, "VERSION"), encoding="utf-8") as f:
        version = f.read().strip()
    files.append("VERSION")
    files += ["model.tsv", "stopwords.tsv"]
    h = hashlib.sha256()
    for name in sorted(files):
        with open(os.path.join(data_dir, name), "rb") as f:
            h.update(name.encode() + b"\0" + f.read() + b"\0")
    # the word model is trained on the test rows too: they are part of the table's identity
    for name in sorted(os.listdir(train_dir)) if train_dir else []:
        if name.endswith(".tsv"):
            with open(os.path.join(train_dir, name), "rb") as f:
                h.update(b"train/" + name.encode() + b"\0" + f.read() + b"\0")
    return dict(wrappers=wrappers, categories=cat_by_value, advice=advice, advice_ids=advice_ids, enh=enh,
                basic=basic, rules=rules, units=units, version=version,
                hash=h.hexdigest(), missing_advice=missing_advice, files=sorted(files),
                train_files=sorted(n for n in os.listdir(train_dir) if n.endswith(".tsv")) if train_dir else [])


# ---- data/wrappers.tsv: the forms that hold a reply (lib/unwrap.c) ----------------

# Kinds, starts, ends and option bits of struct smtp__wrap (lib/table.h).
WRAP_KINDS = {"marker": 0, "stage": 1, "recipient": 2, "code": 3, "enhanced": 4}
WRAP_KIND_AUX = 5          # a text a marker's start or end looks for
WRAP_STARTS = {"-": 0, "marker": 1, "code": 2, "word": 3}   # after:T is 4
WRAP_START_AFTER = 4
WRAP_ENDS = {"-": 0, "none": 0, "line": 1, "field": 2}      # first: 3, last: 4
WRAP_END_FIRST, WRAP_END_LAST = 3, 4
WRAP_OPT_ESC, WRAP_OPT_CODE_BEFORE = 1, 2
MAX_WRAPS = 256            # SMTP__MAX_WRAPS
MAX_END_ALTS = 3


def wrap_text(cell, where):
    """A wrappers.tsv text: \\s is a space (cells are trimmed), \\\\ a backslash;
    folded as the wrapper automaton folds the input (ASCII lower case, white space
    as a space)."""
    out, i = [], 0
    while i < len(cell):
        c = cell[i]
        if c == "\\" and i + 1 < len(cell) and cell[i + 1] in "s\\":
            out.append(" " if cell[i + 1] == "s" else "\\")
            i += 2
            continue
        out.append(c)
        i += 1
    text = "".join(out)
    if not text or not text.isascii():
        raise DataError(f"{where}: a text must be non-empty ASCII")
    text = text.lower().replace("\t", " ")
    if len(text) > 200:
        raise DataError(f"{where}: text longer than 200 bytes")
    return text.encode()


def load_wrappers(data_dir):
    """The rows of data/wrappers.tsv (format in its header), then the texts the
    markers' start and end look for (kind WRAP_KIND_AUX), each once."""
    path = os.path.join(data_dir, "wrappers.tsv")
    rows = []
    aux = {}

    def aux_index(text):
        if text not in aux:
            aux[text] = len(aux)
        return ("aux", aux[text])

    for ln, r in read_tsv(path, ["kind", "text", "wrapper", "start", "end", "rank", "stage",
                                 "options", "source"]):
        where = f"wrappers.tsv:{ln}"
        kind = r["kind"]
        if kind not in WRAP_KINDS:
            raise DataError(f"{where}: kind must be one of {', '.join(WRAP_KINDS)}")
        if not dash(r["source"]):
            raise DataError(f"{where}: no source")
        w = dict(text=wrap_text(r["text"], where), kind=WRAP_KINDS[kind], wrapper=0, rank=0,
                 stage=0, start=0, start_arg=None, end=0, end_args=[], flags=0, code=0)
        if dash(r["stage"]):
            if r["stage"] not in STAGE:
                raise DataError(f"{where}: unknown stage {r['stage']}")
            w["stage"] = STAGE[r["stage"]]
        elif kind == "stage":
            raise DataError(f"{where}: a stage row needs a stage")
        if kind != "marker":
            if any(dash(r[c]) for c in ("wrapper", "start", "end", "rank", "options")):
                raise DataError(f"{where}: only a marker has a wrapper, start, end, rank or options")
            if kind != "stage" and w["stage"]:
                raise DataError(f"{where}: a {kind} row has no stage")
            rows.append(w)
            continue
        if r["wrapper"] not in WRAP or r["wrapper"] == "none":
            raise DataError(f"{where}: unknown wrapper {r['wrapper']!r}")
        w["wrapper"] = WRAP[r["wrapper"]]
        if r["rank"] not in ("1", "2", "3"):
            raise DataError(f"{where}: rank must be 1, 2 or 3")
        w["rank"] = int(r["rank"])
        st = r["start"]
        if st.startswith("after:"):
            w["start"] = WRAP_START_AFTER
            w["start_arg"] = aux_index(wrap_text(st[len("after:"):], where))
        elif st in WRAP_STARTS:
            w["start"] = WRAP_STARTS[st]
        else:
            raise DataError(f"{where}: bad start {st!r}")
        en = r["end"]
        if en.startswith("first:") or en.startswith("last:"):
            w["end"] = WRAP_END_FIRST if en.startswith("first:") else WRAP_END_LAST
            alts = en.split(":", 1)[1].split("|")
            if not 1 <= len(alts) <= MAX_END_ALTS:
                raise DataError(f"{where}: 1 to {MAX_END_ALTS} end texts")
            w["end_args"] = [aux_index(wrap_text(a, where)) for a in alts]
        elif en in WRAP_ENDS:
            w["end"] = WRAP_ENDS[en]
        else:
            raise DataError(f"{where}: bad end {en!r}")
        for opt in (o.strip() for o in dash(r["options"]).split(",") if o.strip()):
            if opt == "esc":
                w["flags"] |= WRAP_OPT_ESC
            elif opt == "code=before":
                w["flags"] |= WRAP_OPT_CODE_BEFORE
            elif re.fullmatch(r"code=[2-5]\d\d", opt):
                w["code"] = int(opt[5:])
            else:
                raise DataError(f"{where}: unknown option {opt!r}")
        rows.append(w)
    base = len(rows)
    for text, i in sorted(aux.items(), key=lambda kv: kv[1]):
        rows.append(dict(text=text, kind=WRAP_KIND_AUX, wrapper=0, rank=0, stage=0, start=0,
                         start_arg=None, end=0, end_args=[], flags=0, code=0))

    def resolve(ref):
        return base + ref[1]
    for w in rows:
        w["start_arg"] = resolve(w["start_arg"]) if w["start_arg"] else 0
        w["end_args"] = [resolve(a) for a in w["end_args"]]
    if len(rows) > MAX_WRAPS:
        raise DataError(f"wrappers.tsv: {len(rows)} texts with the start and end texts, at most {MAX_WRAPS}")
    return rows


def emit_wrappers(out, wr, fold_tab):
    """The wrapper texts' own small automaton (dense rows for the states up to
    WR_DENSE_DEPTH, nodes for the deeper ones) and their rows.  Returns its class
    count, dense state count and edge block shift (constants of the generated
    header for unwrap.c's loops)."""
    wac = build_automaton([w["text"] for w in wr], WR_DENSE_DEPTH)
    if wac["n"] >= 32768:
        raise DataError("wrapper automaton too large")
    if wac["ndcls"] != wac["ncls"]:
        raise DataError("internal: a wrapper text has a byte >= 0x80")
    emit_array(out, "uint8_t", "smtp__wr_cls", [wac["cls"][fold_tab[b]] for b in range(256)])
    out.append(f"const uint32_t smtp__wr_nstates = {wac['n']};")
    out.append(f"const uint32_t smtp__wr_nclasses = {wac['ncls']};")
    out.append(f"const uint32_t smtp__wr_ndense = {wac['ndense']};")
    # the shallow states' rows: (next << 1) | 1 when next has outputs or is a
    # deep state (the fast loop of unwrap.c leaves on either)
    stop = [1 if wac["out"][t] or t >= wac["ndense"] else 0 for t in range(wac["n"])]
    emit_array(out, "uint16_t", "smtp__wr_dense", [(t << 1) | stop[t] for t in wac["dense"]], 24)
    shift, _ = emit_nodes(out, "smtp__wr", wac, out_bit=True)
    wostart, wout = [], []
    for st in range(wac["n"]):
        wostart.append(len(wout))
        wout.extend(wac["out"][st])
    wostart.append(len(wout))
    emit_array(out, "uint16_t", "smtp__wr_out_start", wostart)
    emit_array(out, "uint16_t", "smtp__wr_out", wout)
    out.append("const struct smtp__wrap smtp__wraps[] = {")
    for w in wr:
        ends = (w["end_args"] + [0] * MAX_END_ALTS)[:MAX_END_ALTS]
        out.append("    {%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, {%s}}," % (
            len(w["text"]), w["kind"], w["wrapper"], w["rank"], w["stage"], w["start"], w["end"],
            w["flags"], len(w["end_args"]), w["code"], w["start_arg"], ", ".join(map(str, ends))))
    out.append("};")
    out.append(f"const uint32_t smtp__nwraps = {len(wr)};")
    return wac["ncls"], wac["ndense"], shift


def emit_nodes(out, prefix, ac, enc=lambda t: t, out_bit=False):
    """The nodes, edge bases and edges of an automaton (prefix smtp__ac or
    smtp__wr; layout in lib/table.h, struct smtp__node).  With out_bit, bit 7 of
    a node's cls0 marks a state with outputs (the classes must be below 128).
    Returns the block shift and the further edges."""
    # A deep state without children has cls0 NOCHILD, a class no byte has, so
    # that no step takes its "first child" (s + 1, another state's): class 0,
    # the bytes no pattern uses, is fed like any other.
    nochild = 0x7F if out_bit else 0xFF
    if ac["ncls"] > nochild:
        raise DataError("internal: too many classes for the node's cls0 (%d, at most %d)"
                        % (ac["ncls"], nochild))
    # A node per state: its fail link, the class of its first edge (a deep
    # state's first child is the next state; a deep state without children has
    # NOCHILD; a shallow state has class 0 here, never compared, as its row has
    # the ASCII classes and its wide classes are above 0) and where its further
    # edges start: the edges of the states of a block of 2^shift states lie
    # together from <prefix>_edge_base[block], a state's at (more - 1) past it,
    # up to the edge marked last.  Only the edges a step can take from the node
    # are kept: a shallow state's on the classes without a dense column.
    node_edges = []
    for s in range(ac["n"]):
        edges = sorted(ac["goto"][s].items())
        if s < ac["ndense"]:
            node_edges.append((0, [(c, t) for c, t in edges if c >= ac["ndcls"]]))
            continue
        if edges and edges[0][1] != s + 1:
            raise DataError("internal: deep state %d's first child is %d, not %d" % (s, edges[0][1], s + 1))
        node_edges.append((edges[0][0] if edges else nochild, edges[1:]))
    shift = 10
    while True:
        ok = True
        for blk in range(0, ac["n"], 1 << shift):
            k = 0
            for c0, more in node_edges[blk:blk + (1 << shift)]:
                if more and k + 1 > 255:
                    ok = False
                k += len(more)
        if ok or shift == 0:
            break
        shift -= 1
    if not ok:
        raise DataError("internal: too many edges for the automaton's 8-bit edge offsets")
    out.append(f"const struct smtp__node {prefix}_nodes[] = {{")
    extra, base = [], []
    for s, (c0, more) in enumerate(node_edges):
        if s % (1 << shift) == 0:
            base.append(len(extra))
        if out_bit and ac["out"][s]:
            c0 |= 0x80
        out.append("    {%d, %d, %d}," % (ac["fail"][s], c0, len(extra) - base[-1] + 1 if more else 0))
        extra.extend((c, t, int(i == len(more) - 1)) for i, (c, t) in enumerate(more))
    out.append("};")
    emit_array(out, "smtp__edge_index_t", f"{prefix}_edge_base", base)
    out.append(f"const struct smtp__edge {prefix}_edges[] = {{")
    for c, t, last in extra or [(0, 0, 1)]:
        out.append("    {%d, %d, %d}," % (enc(t), c, last))
    out.append("};")
    return shift, extra


def build_automaton(pats, dense_depth=None):
    """Aho-Corasick over the folded pattern byte strings (list of bytes).  The
    states with dense rows are those up to dense_depth, or by default those
    above DENSE_DEPTH and those at it that DENSE_MIN_PATS patterns pass through."""
    # every ASCII letter, digit and the space get a class of their own, so that a
    # class tells whether its bytes are word characters (for \b)
    used = sorted({b for p in pats for b in p} | set(b"abcdefghijklmnopqrstuvwxyz0123456789 "))
    cls = [0] * 256
    for i, b in enumerate(used):
        cls[b] = i + 1
    ncls = len(used) + 1
    goto, depth, term = trie(pats, cls)
    if dense_depth is None:
        dense_depth, min_pats = DENSE_DEPTH, DENSE_MIN_PATS
    else:
        min_pats = 0
    # the patterns that pass through each state (a trie's children come after it)
    npats = [len(t) for t in term]
    for s in range(len(goto) - 1, -1, -1):
        for t in goto[s].values():
            npats[s] += npats[t]
    # Shallow states get dense rows: those above dense_depth, and those at it
    # that at least min_pats patterns pass through (a set closed under parents).
    def dense(s):
        return depth[s] < dense_depth or (depth[s] == dense_depth and npats[s] >= min_pats)
    # Renumbering: the shallow states first, in BFS order; then the deep ones in
    # depth-first preorder, so that a deep state's first child is always the
    # next number (the matcher steps along a chain with s + 1 instead of a
    # dependent load).
    bfs = [0]
    for s in bfs:
        for c in sorted(goto[s]):
            if dense(goto[s][c]):
                bfs.append(goto[s][c])
    order = list(bfs)
    for s in bfs:
        stack = [goto[s][c] for c in sorted(goto[s], reverse=True) if not dense(goto[s][c])]
        while stack:
            t = stack.pop()
            order.append(t)
            stack.extend(goto[t][c] for c in sorted(goto[t], reverse=True))
    assert len(order) == len(goto)
    goto, depth, fail, out, delta = aho_corasick(goto, depth, term, order)
    n = len(goto)
    ndense = len(bfs)

    # the dense rows have a column for each class of ASCII bytes only (classes
    # follow byte order, so these are 0 .. ndcls - 1); bytes >= 0x80 are rare in
    # replies and take the goto/fail path, which keeps the rows half as wide
    ndcls = 1 + sum(1 for b in used if b < 0x80)
    dense = []
    for s in range(ndense):
        dense.extend(delta(s, c) for c in range(ndcls))
    return dict(cls=cls, ncls=ncls, ndcls=ndcls, goto=goto, fail=fail, out=out, n=n, ndense=ndense,
                dense=dense)


def unescape_row(s):
    """A test row's input: \\r, \\n, \\t and \\\\ escapes decoded (tests/data/README.md)."""
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in "rnt\\":
            out.append({"r": "\r", "n": "\n", "t": "\t", "\\": "\\"}[s[i + 1]])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def load_model_settings(data_dir):
    settings = {}
    for ln, r in read_tsv(os.path.join(data_dir, "model.tsv"), ["key", "value"]):
        if not r["value"].lstrip("-").isdigit():
            raise DataError(f"model.tsv:{ln}: value must be an integer")
        settings[r["key"]] = int(r["value"])
    for k in ("epochs", "scale", "prune", "margin", "min_words", "yield_below", "yield_margin"):
        if k not in settings:
            raise DataError(f"model.tsv: no {k}")
    stop = []
    for ln, r in read_tsv(os.path.join(data_dir, "stopwords.tsv"), ["word"]):
        stop.append(words.stem(fold(r["word"])))
    return settings, stop


def concept_texts(spec, how):
    """Training texts for a concept rule (model.tsv concept_rows): 1, one text of
    all its positive terms; 2, one text per term of its largest group, the n-th
    term of each positive group side by side, so every term is seen with a term
    of each other group (the model learns the concept's synonyms)."""
    groups = [[t.strip() for t in g.split("|")] for g in (g.strip() for g in spec.split("+"))
              if not g.startswith("!")]
    if how == 1:
        return [" ".join(t for g in groups for t in g)]
    n = max(len(g) for g in groups)
    return [" ".join(g[i % len(g)] for g in groups) for i in range(n)]


def training_rows(d, train_dir, concept_rows=0):
    """(folded text, code, enhanced, category index, where) of every training row,
    in a fixed order: test rows, rules, basic codes, enhanced codes."""
    cats = {c["name"]: c["value"] for c in d["categories"]}
    rows = []
    if train_dir:
        for name in sorted(os.listdir(train_dir)):
            if not name.endswith(".tsv"):
                continue
            for ln, r in read_tsv(os.path.join(train_dir, name), ["input", "category"]):
                if r["category"] not in cats:
                    raise DataError(f"{name}:{ln}: unknown category {r['category']!r}")
                raw = unescape_row(r["input"]).encode("utf-8", "surrogateescape")
                text, code, enh = model.reply_parts(raw)
                rows.append((fold(text.decode("utf-8", "replace")), code, enh, cats[r["category"]],
                             f"tests/data/{name}:{ln}"))
    for r in d["rules"]:
        if r["category"] == NONE8:
            continue
        code, enh = 0, (0, 0, 0)
        basic = [c for c in r["cons"] if c[0] == 1]
        if len(basic) == 1 and basic[0][1] == basic[0][2]:
            code = basic[0][1]
        ehs = [c for c in r["cons"] if c[0] == 2]
        if len(ehs) == 1 and ehs[0][1] and ehs[0][2] != ANY and ehs[0][3] != ANY:
            enh = ehs[0][1:4]
        if r.get("concept_text") is not None and concept_rows:
            for t in concept_texts(r["concept_text"], concept_rows):
                rows.append((fold(t), code, enh, r["category"], "rule " + r["id"]))
            continue
        text = b" . ".join(f for f, _ in r["parts"])
        rows.append((text, code, enh, r["category"], "rule " + r["id"]))
    for code, b in sorted(d["basic"].items()):
        rows.append((fold(b["text"]), code, (0, 0, 0), b["category"], f"basic {code}"))
    for (subj, det), e in sorted(d["enh"].items()):
        if e["category"] == cats["unknown"]:
            continue
        rows.append((fold(e["title"]), 0, (5, subj, det), e["category"], f"enhanced X.{subj}.{det}"))
    return rows


def build_model(d, data_dir, train_dir):
    """Train the word model and lay out its tables (see tools/model.py)."""
    settings, stop_words = load_model_settings(data_dir)
    stop = {words.fnv1a(w) for w in stop_words}
    rows = training_rows(d, train_dir, settings.get("concept_rows", 0))
    pre, pre_min = settings.get("prefix", 0), settings.get("prefix_min", 0)
    docs = [(model.feature_hashes(text, code, enh, stop, pre, pre_min), cat)
            for text, code, enh, cat, _ in rows]
    ncat = len(d["categories"])
    if settings.get("logistic", 0):
        weights, bias = model.train_logistic(docs, ncat, settings["epochs"])
        # a feature adds to every category alike when its weights are shifted by
        # their mean: the argmax and the margins do not change, and most weights
        # end near zero, where pruning drops them
        weights = {h: [v - sum(row) / ncat for v in row] for h, row in weights.items()}
        peak = max([abs(v) for row in weights.values() for v in row] + [abs(v) for v in bias] + [1e-9])
        scale = settings["scale"]

        def q(v):
            return int(round(v * scale / peak))
    else:
        weights, bias, _ = model.train_bagged(docs, list(range(ncat)), settings["epochs"],
                                              settings.get("bags", 1))
        peak = max([abs(v) for row in weights.values() for v in row] + [abs(v) for v in bias] + [1])
        scale = settings["scale"]

        def q(v):
            return (v * scale + (peak // 2 if v >= 0 else -(peak // 2))) // peak

    feats = {}
    for h, row in weights.items():
        ws = [(k, q(v)) for k, v in enumerate(row) if abs(q(v)) >= settings["prune"]]
        if ws:
            feats[h] = ws
    for h in stop:
        if h not in feats:
            feats[h] = None          # a stop word: skipped, never a pair
    # concept rules: each term is a feature slot too, listing (concept, group)
    concepts = []
    terms = {}
    for ri, r in enumerate(d["rules"]):
        if r.get("concept") is None:
            continue
        ci = len(concepts)
        groups, neg = r["concept"]
        concepts.append((ri, len(groups), neg))
        for gi, group in enumerate(groups):
            for h in group:
                if h in stop:
                    raise DataError(f"rule {r['id']}: a concept term is a stop word")
                terms.setdefault(h, []).append((ci, gi))
    if len(concepts) > 1024:
        raise DataError("more than 1024 concept rules")
    for h in terms:
        if h not in feats:
            feats[h] = []
    # open addressing, linear probing; hash 0 marks an empty slot. At most
    # seven eighths full, in steps of 1,024 slots (8 KB): the home slot is the
    # hash scaled to the slot count (model_slot, lib/table.h smtp__model_slot),
    # so the count need not be a power of two and the table grows with the
    # features. (It was a power of two until 2026-12-07: at 14,336 features the
    # 16,384 slots doubled to 32,768, 131 KB more for a few probes fewer.)
    nslots = 1024
    while nslots * 7 < 8 * len(feats) + 8:
        nslots += 1024
    slots = [None] * nslots
    for h in sorted(feats):
        if h == 0:
            raise DataError("internal: a feature hashes to 0")
        i = model_slot(h, nslots)
        while slots[i] is not None:
            i = i + 1 if i + 1 < nslots else 0
        slots[i] = h
    return dict(settings=settings, slots=slots, feats=feats, bias=[q(v) for v in bias],
                stop_words=stop_words, nrows=len(rows), ncat=ncat, concepts=concepts, terms=terms,
                concept_top=max([d["rules"][ri]["priority"] for ri, _, _ in concepts] + [0]))


def model_slot(h, nslots):
    """The home slot of a feature hash (lib/table.h smtp__model_slot)."""
    return (h * nslots) >> 32


def model_weight_bits(ncat):
    """How a weight of the model is stored: (category bits, limit) of its int16_t
    (lib/table.h, smtp__model_w): weight * 2^bits + category, -limit <= weight < limit."""
    bits = max(1, (ncat - 1).bit_length())
    return bits, 1 << (15 - bits)


def emit_model(out, m):
    """The model's tables as C (layout in lib/table.h)."""
    fw = []
    ct = []
    entries = []
    bits, limit = model_weight_bits(m["ncat"])
    # a slot holds the number of weights and of concept terms of the slots before
    # it (running offsets): its own are those up to the next slot's, so that an
    # empty slot costs its hash and two counts (8 bytes) and no field is wasted
    for h in m["slots"] + [None]:
        ws = m["feats"][h] if h is not None else []
        tl = m["terms"].get(h, []) if h is not None else []
        if len(fw) >= 1 << 16 or len(ct) >= 1 << 15:
            raise DataError("internal: model table too large for its 16-bit offsets (lib/table.h)")
        if ws is None:
            entries.append("{%du, %d, %d | SMTP__FEAT_STOP}" % (h, len(fw), len(ct)))
            continue
        entries.append("{%du, %d, %d}" % (h or 0, len(fw), len(ct)))
        for k, v in ws:
            if not -limit <= v < limit:
                raise DataError(f"model weight {v} does not fit the table's {16 - bits}-bit weights "
                                "(data/model.tsv scale)")
            fw.append(v * (1 << bits) + k)
        ct.extend(tl)
    out.append(f"const uint32_t smtp__model_nslots = {len(m['slots'])};")
    out.append("const struct smtp__feat smtp__model_feats[] = {")
    for i in range(0, len(entries), 6):
        out.append("    " + ", ".join(entries[i:i + 6]) + ",")
    out.append("};")
    emit_array(out, "int16_t", "smtp__model_w", fw or [0])
    emit_array(out, "int16_t", "smtp__model_bias", m["bias"])
    out.append("const struct smtp__concept smtp__concepts[] = {")
    for ri, ng, neg in m["concepts"] or [(0, 0, 0)]:
        out.append("    {%d, %d, %d}," % (ri, ng, neg))
    out.append("};")
    out.append(f"const uint32_t smtp__nconcepts = {len(m['concepts'])};")
    out.append("const struct smtp__term smtp__concept_terms[] = {")
    for i in range(0, max(len(ct), 1), 8):
        out.append("    " + ", ".join("{%d, %d}" % t for t in (ct[i:i + 8] or [(0, 0)])) + ",")
    out.append("};")
    out.append(f"const uint32_t smtp__concept_top_priority = {m['concept_top']};")
    out.append(f"const int32_t smtp__model_margin = {m['settings']['margin']};")
    out.append(f"const int32_t smtp__model_min_words = {m['settings']['min_words']};")
    out.append(f"const uint32_t smtp__model_yield_below = {m['settings']['yield_below']};")
    out.append(f"const int32_t smtp__model_yield_margin = {m['settings']['yield_margin']};")
    out.append(f"const uint32_t smtp__cause_below = {m['settings'].get('cause_below', 0)};")
    out.append(f"const uint32_t smtp__model_prefix = {m['settings'].get('prefix', 0)};")
    vm = m['settings'].get('vague_margin', m['settings']['margin'])
    vw = m['settings'].get('vague_min_words', m['settings']['min_words'])
    out.append(f"const int32_t smtp__model_vague_margin = {vm};")
    out.append(f"const int32_t smtp__model_vague_min_words = {vw};")
    out.append(f"const uint32_t smtp__model_vague_basic = {m['settings'].get('vague_basic', 0)};")
    out.append(f"const uint32_t smtp__model_prefix_min = {m['settings'].get('prefix_min', 0)};")


def generate(d):
    rules = d["rules"]
    # unique pattern parts keyed by (bytes, bound)
    pat_index = {}
    pat_list = []
    uses = {}
    for ri, r in enumerate(rules):
        for pi, (f, bound) in enumerate(r["parts"]):
            key = (f, bound)
            if key not in pat_index:
                pat_index[key] = len(pat_list)
                pat_list.append(key)
                uses[key] = []
            uses[key].append((ri, pi))
    if len(pat_list) >= 65535:
        raise DataError("too many pattern parts")
    # the automaton works on distinct byte strings; a string with several bound
    # variants reports each variant
    strings = sorted({f for f, _ in pat_list})
    sidx = {s: i for i, s in enumerate(strings)}
    ac = build_automaton(strings)
    variants = {}
    for k, (f, bound) in enumerate(pat_list):
        variants.setdefault(sidx[f], []).append(k)

    out = ["/* Generated by tools/gen-tables.py from data/. Do not edit. */",
           "#include <stddef.h>", '#include "table.h"', ""]
    fold_tab = []
    for b in range(256):
        if 65 <= b <= 90:
            fold_tab.append(b + 32)
        elif b in (9, 10, 11, 12, 13):
            fold_tab.append(32)
        else:
            fold_tab.append(b)
    emit_array(out, "uint8_t", "smtp__fold", fold_tab)
    # two-byte letters: (lead - FOLD2_LEAD0) * 64 + (continuation & 0x3f) ->
    # 0 (kept), an ASCII byte, or (lead << 8 | continuation) of the folded letter
    fold2 = []
    for lead in range(FOLD2_LEAD0, FOLD2_LEAD0 + FOLD2_NLEADS):
        for cont in range(0x80, 0xC0):
            ch = bytes([lead, cont]).decode("utf-8")
            f = fold_char(ch)
            if f is None:
                fold2.append(0)
            else:
                e = f.encode("utf-8")
                fold2.append(e[0] if len(e) == 1 else e[0] << 8 | e[1])
    emit_array(out, "uint16_t", "smtp__fold2", fold2)
    # a byte 0xC0-0xFF that does not start a two-byte UTF-8 sequence is read as
    # ISO-8859-1 (older servers send 8-bit replies so): the ASCII letter its
    # letter folds to, or 0 to keep the byte
    fold1 = []
    for b in range(0xC0, 0x100):
        f = fold_char(chr(b))
        fold1.append(ord(f) if f is not None and f.isascii() else 0)
    emit_array(out, "uint8_t", "smtp__fold1", fold1)
    emit_array(out, "uint8_t", "smtp__cls", [ac["cls"][fold_tab[b]] for b in range(256)])
    cls_word = [0] * ac["ncls"]
    for b in b"abcdefghijklmnopqrstuvwxyz0123456789":
        cls_word[ac["cls"][b]] = 1
    emit_array(out, "uint8_t", "smtp__cls_word", cls_word)
    emit_array(out, "uint8_t", "smtp__word",
               [1 if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122) else 0 for b in range(256)])
    out.append(f"const uint32_t smtp__ac_nstates = {ac['n']};")
    out.append(f"const uint32_t smtp__ac_ndense = {ac['ndense']};")
    out.append(f"const uint32_t smtp__ac_ndclasses = {ac['ndcls']};")
    # Transitions are plain state numbers.  Whether a state has outputs, and
    # which, is its output number in smtp__ac_out_id (0: none): one load and a
    # test in the matcher's inner loop, and only the states with outputs (a
    # twelfth of them) have an entry in smtp__ac_out_start.
    # The state type: 16 bits while the states fit, else 32 (see generate_header).
    wide = ac["n"] >= 65536 or os.environ.get("SMTPREPLY_WIDE_STATES") == "1"
    out_states = [t for t in range(ac["n"]) if ac["out"][t]]
    out_num = {t: k + 1 for k, t in enumerate(out_states)}
    emit_array(out, "smtp__state_t", "smtp__ac_out_id", [out_num.get(t, 0) for t in range(ac["n"])], 24)
    enc = lambda t: t
    emit_array(out, "smtp__state_t", "smtp__ac_dense", [enc(t) for t in ac["dense"]], 24)
    # the root's transitions on the classes without a dense column (bytes >= 0x80):
    # a step that fails back to the root looks its class up here instead of
    # searching the root's many goto edges
    emit_array(out, "smtp__state_t", "smtp__ac_root_wide",
               [enc(ac["goto"][0].get(c, 0)) for c in range(ac["ndcls"], ac["ncls"])] or [0], 24)
    ac["edge_shift"], extra = emit_nodes(out, "smtp__ac", ac, enc)
    # byte flags for the parser: 1 8-bit, 2 NUL, 4 other control, 8 line feed
    bflags = []
    for b in range(256):
        f = 0
        if b >= 0x80:
            f = 1
        elif b == 0:
            f = 2
        elif b == 10:
            f = 8
        elif (b < 0x20 and b not in (9, 13)) or b == 0x7f:
            f = 4
        bflags.append(f)
    emit_array(out, "uint8_t", "smtp__byte_flags", bflags)
    # out_start is indexed by output number: number 0 (no outputs) has none
    ostart, opat = [0], []
    for s in out_states:
        ostart.append(len(opat))
        for si in ac["out"][s]:
            opat.extend(variants[si])
    ostart.append(len(opat))
    emit_array(out, "uint32_t", "smtp__ac_out_start", ostart)
    emit_array(out, "uint16_t", "smtp__ac_out_pat", opat)

    out.append(f"const uint32_t smtp__npats = {len(pat_list)};")
    out.append("const struct smtp__pat smtp__pats[] = {")
    use_rows = []
    for key in pat_list:
        f, bound = key
        u = uses[key]
        if len(u) > 255:
            raise DataError(f"pattern {f!r} used by more than 255 rules")
        out.append(f"    {{{len(f)}, {bound}, {len(u)}, {len(use_rows)}}}, /* {c_str(f)[1:-1][:40].replace('*/', '* /')} */")
        use_rows.extend(u)
    out.append("};")
    out.append("const struct smtp__use smtp__uses[] = {")
    for ri, pi in use_rows or [(0, 0)]:
        out.append(f"    {{{ri}, {pi}, 0}},")
    out.append("};")

    # Every string of the table lives in one pool and is referred to by its
    # offset: no pointers, so no relocations when the library is loaded.
    pool = bytearray(b"\0")   # offset 0 is the empty string; NOSTR is "none"
    pool_index = {}

    def S(x):
        if x is None:
            return 0xFFFFFFFF
        bx = x.encode("utf-8")
        if bx not in pool_index:
            pool_index[bx] = len(pool)
            pool.extend(bx + b"\0")
        return pool_index[bx]

    cons_rows = []
    out.append("const struct smtp__rule smtp__rules[] = {")
    for r in rules:
        kinds = 0
        for c in r["cons"]:
            kinds |= 1 << c[0]
        out.append("    {%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d}," % (
            S(r["id"]), S(r["provider"]), S(r["blocklist"]), r["category"],
            r["priority"], len(r["parts"]), r["options"], r["perm"], r["rcpt"], r["msg"],
            r["fault"], len(r["cons"]), kinds, r["advice"], len(cons_rows), r["retry"]))
        cons_rows.extend(r["cons"])
    if not rules:
        out.append("    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},")
    out.append("};")
    out.append(f"const uint32_t smtp__nrules = {len(rules)};")
    # the rules in the byte order of their ids, for the user-rules loader's
    # lookup of a built-in id (a binary search, nothing built at run time)
    if len(rules) >= 1 << 16:
        raise DataError("more than 65535 rules")
    emit_array(out, "uint16_t", "smtp__rules_by_id",
               sorted(range(len(rules)), key=lambda i: rules[i]["id"].encode()))
    out.append("const struct smtp__cons smtp__conss[] = {")
    for c in cons_rows or [(0, 0, 0, 0)]:
        out.append("    {%d, 0, %d, %d, %d}," % c)
    out.append("};")

    out.append("const struct smtp__category smtp__categories[] = {")
    for c in d["categories"]:
        out.append("    {%d, %d, %d, %d, %d, %d, %d, %d}," % (
            S(c["name"]), FAULT[c["fault"]], PERM[c["default_perm"]], RCPT[c["perm_rcpt"]],
            MSG[c["perm_msg"]], RCPT[c["temp_rcpt"]], MSG[c["temp_msg"]],
            d["advice_ids"][c["name"]]))
    out.append("};")
    out.append(f"const uint32_t smtp__ncategories = {len(d['categories'])};")

    out.append("const struct smtp__enh smtp__enh[] = {")
    for (s, dd), e in sorted(d["enh"].items()):
        out.append("    {%d, %d, %d, %d, %d, %d}," % (s, dd, e["category"], e["vague"],
                                                      S(e["title"]), S(e["id"])))
    if not d["enh"]:
        out.append("    {0, 0, 0, 0, 0, 0},")
    out.append("};")
    out.append(f"const uint32_t smtp__nenh = {len(d['enh'])};")
    out.append("const struct smtp__basic smtp__basic[] = {")
    for code, b in sorted(d["basic"].items()):
        out.append("    {%d, %d, %d, %d}," % (code, b["category"], S(b["text"]), S(b["id"])))
    if not d["basic"]:
        out.append("    {0, 0, 0, 0},")
    out.append("};")
    out.append(f"const uint32_t smtp__nbasic = {len(d['basic'])};")

    out.append("const struct smtp__advice smtp__advice[] = {")
    for a in d["advice"]:
        steps = ", ".join(str(S(s)) for s in a["steps"]) or "0"
        out.append("    {%d, %d, %d, {%s}, %d, %d, %d}," % (
            S(a["id"]), S(a["summary"]), S(a["reference"]), steps,
            len(a["steps"]), a["actors"], a["remove"]))
    out.append("};")
    out.append(f"const uint32_t smtp__nadvice = {len(d['advice'])};")
    out.append("const struct smtp__unit smtp__units[] = {")
    for w, s in d["units"]:
        out.append(f"    {{{S(w)}, {s}}},")
    out.append("};")
    out.append(f"const uint32_t smtp__nunits = {len(d['units'])};")
    ac["wr_ncls"], ac["wr_ndense"], ac["wr_edge_shift"] = emit_wrappers(out, d["wrappers"], fold_tab)
    if d.get("model"):
        emit_model(out, d["model"])
    ac["model_bits"] = model_weight_bits(len(d["categories"]))
    out.append("const char smtp__strings[] =")
    for i in range(0, len(pool), 64):
        out.append("    " + c_str(bytes(pool[i:i + 64])))
    out.append(";")
    out.append(f"const uint32_t smtp__strings_size = {len(pool)};")
    out.append(f"const char smtp__table_version[] = {c_str(d['version'])};")
    out.append(f"const char smtp__table_hash[] = {c_str(d['hash'])};")
    out.append("")
    ac["wide"] = wide or len(extra) >= 65536 or len(out_states) >= 65535
    return "\n".join(out), ac


def generate_header(ac):
    """The generated table's types: 16-bit state numbers while they fit."""
    t = "uint32_t" if ac["wide"] else "uint16_t"
    return "\n".join([
        "/* Generated by tools/gen-tables.py from data/. Do not edit. */",
        "#ifndef SMTPREPLY_TABLE_TYPES_H",
        "#define SMTPREPLY_TABLE_TYPES_H",
        "#include <stdint.h>",
        "/* A state number of the phrase automaton and an edge index. */",
        "typedef %s smtp__state_t;" % t,
        "typedef %s smtp__edge_index_t;" % t,
        "/* two-byte UTF-8 letters folded by the matcher: lead bytes [LEAD0, LEAD0 + NLEADS) */",
        "#define SMTP__FOLD2_LEAD0 0x%X" % FOLD2_LEAD0,
        "#define SMTP__FOLD2_NLEADS %d" % FOLD2_NLEADS,
        "/* the phrase automaton's shape, as constants for the matcher's inner loop */",
        "#define SMTP__AC_NDENSE %du" % ac["ndense"],
        "#define SMTP__AC_NDCLASSES %du" % ac["ndcls"],
        "#define SMTP__AC_CLS_SPACE %du /* the class of the space */" % ac["cls"][32],
        "/* the states of a block of 2^SHIFT share a base in smtp__ac_edge_base */",
        "#define SMTP__AC_EDGE_SHIFT %du" % ac["edge_shift"],
        "/* the wrapper automaton's row width (smtp__wr_nclasses), for unwrap.c's loop */",
        "#define SMTP__WR_NCLASSES %du" % ac["wr_ncls"],
        "#define SMTP__WR_NDENSE %du /* its states with dense rows */" % ac["wr_ndense"],
        "#define SMTP__WR_EDGE_SHIFT %du" % ac["wr_edge_shift"],
        "/* a weight of the word model: weight * 2^CAT_BITS + category (smtp__model_w) */",
        "#define SMTP__MODEL_CAT_BITS %du" % ac["model_bits"][0],
        "#endif",
        ""])


def main(argv):
    ap = argparse.ArgumentParser(prog="gen-tables.py", description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="validate the data only and print a summary (the rule count, ...)")
    ap.add_argument("--header", help="the public header whose enums the data names "
                    "(default: DATA_DIR/../include/smtpreply.h)")
    ap.add_argument("--depfile", help="also write a Makefile-style depfile naming every file "
                    "read and the data/rules folder, so that a build tool reruns the generator "
                    "when a rule file is edited, added or removed")
    ap.add_argument("--hash", action="store_true",
                    help="print the table hash of DATA_DIR (smtp_reply_table_hash() of a table "
                    "generated from it now) and exit")
    ap.add_argument("--train", metavar="TESTS_DIR",
                    help="the test rows (tests/data) the word model is trained on")
    ap.add_argument("data_dir", metavar="DATA_DIR")
    ap.add_argument("outputs", metavar="OUTPUT", nargs="*", help="OUTPUT.c [OUTPUT.h]")
    a = ap.parse_args(argv[1:])
    only = a.check or a.hash
    if (only and a.outputs) or (not only and len(a.outputs) not in (1, 2)):
        ap.print_usage(sys.stderr)
        return 2
    header = a.header or os.path.join(a.data_dir, "..", "include", "smtpreply.h")
    try:
        set_enums(header)
        d = load(a.data_dir, a.train)
        if a.hash:
            print(d["hash"])
            return 0
        d["model"] = build_model(d, a.data_dir, a.train)
        text, ac = generate(d)
    except (DataError, OSError) as e:
        sys.stderr.write(f"gen-tables: {e}\n")
        return 1
    if a.check:
        print(f"rules: {len(d['rules'])}")
        print(f"enhanced codes: {len(d['enh'])}")
        print(f"basic codes: {len(d['basic'])}")
        print(f"advice records: {len(d['advice'])}")
        print(f"automaton: {ac['n']} states, {ac['ncls']} classes ({ac['ndcls']} with dense columns), "
              f"{ac['ndense']} dense")
        m = d["model"]
        print(f"word model: {len(m['feats'])} features and stop words, "
              f"{sum(len(w) for w in m['feats'].values() if w)} weights, trained on {m['nrows']} rows")
        if d["missing_advice"]:
            print("categories without advice: " + ", ".join(d["missing_advice"]))
            return 1
        return 0
    outputs = [(a.outputs[0], text)]
    if len(a.outputs) == 2:
        outputs.append((a.outputs[1], generate_header(ac)))
    if a.depfile:
        here = os.path.dirname(os.path.abspath(__file__))
        read = [header, os.path.join(here, "words.py"), os.path.join(here, "model.py")]
        read += [os.path.join(a.data_dir, f) for f in d["files"]]
        read.append(os.path.join(a.data_dir, "rules"))  # its mtime changes when a file comes or goes
        if a.train:
            read += [os.path.join(a.train, f) for f in d["train_files"]]
            read.append(a.train)
        outputs.append((a.depfile, "%s: %s\n" % (
            depfile_escape(a.outputs[0]), " \\\n  ".join(depfile_escape(os.path.abspath(p)) for p in read))))
    for path, content in outputs:
        write_if_changed(path, content)
    return 0


def write_if_changed(path, content):
    """Write content to path, unless it holds it already: an output left untouched
    keeps its time stamp, so that (with ninja's restat) nothing downstream is
    compiled again when the generator reruns for nothing (an editor's scratch file
    in data/rules changes the folder's time stamp too)."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            if f.read() == content:
                return
    except OSError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(content)
    os.replace(tmp, path)


def depfile_escape(path):
    """A path as a Makefile-style depfile (ninja, make) reads it."""
    return path.replace(" ", "\\ ").replace("#", "\\#").replace("$", "$$")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
