"""What the two table generators (gen-tables.py and gen-bounce.py) share: the
reader of data/'s tab-separated files and the writer of a C array.

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
