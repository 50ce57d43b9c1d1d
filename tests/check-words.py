#!/usr/bin/env python3
"""The C tokenizer (lib/words.c) and the Python one (tools/words.py) find the
same words, with the same clause numbers and hashes (and the same word-prefix
feature hashes, data/model.tsv), on every test row, every
rule pattern and (when ../shared is there) the Sisimai strings; and a few
hand-made lines that exercise the edge cases: addresses, host names, URLs,
identifiers, long words, two-byte letters, clause marks.  Only UTF-8 lines are
compared: the Python side reads the table's own rows, which are UTF-8 (the C
side's ISO-8859-1 reading has its rows in the api suite's fold tests).

Usage: check-words.py WORDS_DUMP TOP_DIR
The word model is trained by the Python side and read by the C side: if they
disagreed, the table's weights would not apply to the words the library sees.
"""
import importlib.util
import os
import subprocess
import sys

EDGE = [
    b"550 5.1.1 <this-local-part-does-not-exist@example.com>: User unknown",
    b"Mailbox full; see https://support.example.com/mail/?p=OverQuota#x for help.",
    b"mx.example.org said: 550 user_unknown (RESOLVER.ADR.RecipNotFound)",
    b"Benutzer \xc3\xbcberschreitet das Kontingent. Bo\xc3\xaete pleine",
    b"\xd0\x9f\xd0\xbe\xd1\x87\xd1\x82\xd0\xbe\xd0\xb2\xd1\x8b\xd0\xb9 \xd1\x8f\xd1\x89\xd0\xb8\xd0\xba",
    b"a" * 70 + b" supercalifragilisticexpialidociously-long-words-and-more-words-here",
    b"rejected: blocked. Not allowed! Why? (policy) [x] {y} \"quoted\" 'single' a|b",
    b"e-mail address@ domain @ alone, user@, @host",
    # CJK characters are words of their own, beside an address and full-width marks
    "\u60a8\u53d1\u9001\u5230\u201cwang.fang@example.cn\u201d\u7684\u90ae\u4ef6\u65e0\u6cd5\u6295\u9012\uff0c"
    "\u56e0\u4e3a\u8be5\u6536\u4ef6\u4eba\u5e76\u4e0d\u5b58\u5728\uff01 \u30e1\u30fc\u30eb\u30dc\u30c3\u30af\u30b9abc"
    "\u5168 \uba54\uc77c\ud568\uc744".encode("utf-8"),
    b"one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    b"seventeen eighteen@example.org",
]


def main(argv):
    dump, top = argv[1], argv[2]
    sys.path.insert(0, os.path.join(top, "tools"))
    import words
    spec = importlib.util.spec_from_file_location("gt", os.path.join(top, "tools", "gen-tables.py"))
    gt = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gt)
    import model
    settings, _stop = gt.load_model_settings(os.path.join(top, "data"))

    def prefix(k):
        pk = model.prefix_key(k, settings.get("prefix", 0), settings.get("prefix_min", 0))
        return "" if pk is None else "+%08x" % words.fnv1a(pk)
    lines = list(EDGE)
    for folder in (os.path.join(top, "tests", "data"), os.path.join(top, "data", "rules")):
        for name in sorted(os.listdir(folder)):
            if name.endswith(".tsv"):
                with open(os.path.join(folder, name), "rb") as f:
                    col = 0 if "tests" in folder else 4   # a test row's input, a rule's pattern
                    lines += [l.split(b"\t")[col] for l in f.read().split(b"\n")
                              if l and not l.startswith(b"#") and l.count(b"\t") >= col]
    shared = os.path.join(top, "..", "shared", "corpus", "sisimai-dev.tsv")
    if os.path.exists(shared):
        with open(shared, "rb") as f:
            lines += [l.split(b"\t")[0] for l in f.read().split(b"\n")[1:] if l]
    lines = [l.replace(b"\r", b" ") for l in lines]
    def utf8(b):
        try:
            b.decode("utf-8")
            return True
        except UnicodeDecodeError:
            return False
    lines = [l for l in lines if utf8(l)]
    out = subprocess.run([dump], input=b"".join(l + b"\n" for l in lines), stdout=subprocess.PIPE,
                         check=True).stdout.decode().split("\n")
    bad = 0
    for i, l in enumerate(lines):
        folded = gt.fold(l.decode("utf-8"))
        want = "".join(" %d:%08x%s" % (c, words.fnv1a(words.key(w)), prefix(words.key(w)))
                       for _s, _e, w, c in words.tokens(folded))
        if out[i] != want:
            bad += 1
            if bad <= 5:
                print("differ: %r\n  C:      %s\n  Python: %s" % (l[:120], out[i][:200], want[:200]))
    print("words: %d lines, %d differ" % (len(lines), bad))
    print("%d passed, %d failed" % (len(lines) - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
