#!/usr/bin/python3
"""Build tests/captured/lines.tsv from every <dir>/rows.tsv under tests/captured/."""
import os
import sys

HEADER = "program\tversion\trole\tline\treply_sent\tcode\tenhanced\tstage\trecipient\tcase\n"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../tests/captured")
    rows = []
    for d in sorted(os.listdir(out)):
        p = os.path.join(out, d, "rows.tsv")
        if os.path.isfile(p):
            with open(p, encoding="utf-8") as fh:
                rows += [l for l in fh if l.strip()]
    with open(os.path.join(out, "lines.tsv"), "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        fh.writelines(rows)
    print("lines.tsv: %d rows" % len(rows))


if __name__ == "__main__":
    main()
