"""What the two table generators (gen-tables.py and gen-bounce.py) share: the
reader of data/'s tab-separated files, the writer of a C array, and the
Aho-Corasick construction of their phrase and marker automata.

Standard library only.
"""


class DataError(Exception):
    """A data file is wrong; the message names the file and line."""


def read_tsv(path, required, pad=False):
    """The (lineno, {column: cell}) rows of a TSV file with a header line.
    Blank lines and lines starting with '#' are skipped; cells are stripped.
    A row with more cells than the header is an error; one with fewer is an
    error too, unless pad is true (the missing cells read '-')."""
    header = None
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cells = line.split("\t")
            if header is None:
                header = [c.strip() for c in cells]
                missing = [c for c in required if c not in header]
                if missing:
                    raise DataError(f"{path}:{lineno}: header lacks {missing}")
                continue
            if pad and len(cells) < len(header):
                cells += ["-"] * (len(header) - len(cells))
            if len(cells) != len(header):
                raise DataError(f"{path}:{lineno}: {len(cells)} cells, header has {len(header)}")
            rows.append((lineno, {h: c.strip() for h, c in zip(header, cells)}))
    return rows


def emit_array(out, ctype, name, values, per_line=16):
    """Append the C definition `const ctype name[] = {...};` to the list of lines
    out (an empty array gets one 0, as C wants)."""
    out.append(f"const {ctype} {name}[] = {{")
    vals = list(values) or [0]
    for i in range(0, len(vals), per_line):
        out.append("    " + ", ".join(str(v) for v in vals[i:i + per_line]) + ",")
    out.append("};")


def trie(pats, cls):
    """The trie of the byte strings pats over the byte classes cls (a list of
    256): goto (a dict class -> state per state), depth, and term (the indexes of
    the patterns that end at each state)."""
    goto, depth, term = [dict()], [0], [[]]
    for pi, p in enumerate(pats):
        s = 0
        for b in p:
            c = cls[b]
            if c not in goto[s]:
                goto.append(dict())
                depth.append(depth[s] + 1)
                term.append([])
                goto[s][c] = len(goto) - 1
            s = goto[s][c]
        term[s].append(pi)
    return goto, depth, term


def aho_corasick(goto, depth, term, order):
    """The trie renumbered in order (a permutation of its states, root first), with
    its failure links and outputs (the patterns that end at a state or anywhere
    on its failure chain): (goto, depth, fail, out, delta), where delta(s, c) is
    the state after class c from state s."""
    new = {old: i for i, old in enumerate(order)}
    goto = [{c: new[t] for c, t in goto[old].items()} for old in order]
    depth = [depth[old] for old in order]
    out = [list(term[old]) for old in order]
    fail = [0] * len(goto)
    for s in sorted(range(len(goto)), key=lambda x: depth[x]):  # parents before children
        for c, t in sorted(goto[s].items()):
            if s:
                f = fail[s]
                while f and c not in goto[f]:
                    f = fail[f]
                fail[t] = goto[f][c] if c in goto[f] and goto[f][c] != t else 0
            out[t] = out[t] + out[fail[t]]

    def delta(s, c):
        while True:
            if c in goto[s]:
                return goto[s][c]
            if s == 0:
                return 0
            s = fail[s]
    return goto, depth, fail, out, delta


def fold_ascii(data):
    """The matchers' fold of the bytes data: ASCII upper case to lower, each run of
    white space bytes (TAB, LF, VT, FF, CR, space) to one space."""
    out = bytearray()
    for ch in data:
        if 65 <= ch <= 90:
            ch += 32
        elif ch in (9, 10, 11, 12, 13):
            ch = 32
        if ch == 32 and out and out[-1] == 32:
            continue
        out.append(ch)
    return bytes(out)
