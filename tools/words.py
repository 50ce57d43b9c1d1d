"""The word tokenizer of libsmtpreply, in Python (standard library only).

lib/words.c does exactly the same in C; tests/test-words.c and the generator's
self-check hold the two equal. A token is a maximal run of word bytes (ASCII
letters and digits after folding, and bytes >= 0x80) in the folded text, except
that a character from U+3000 to U+9FFF (is_cjk_lead) is a token of its own.

Folding is the matcher's (gen-tables.fold): ASCII lower case and the two-byte
letters of fold_char. What the model and the concept rules see of a token:

- it is dropped when it has a digit, is one byte long, or is glued to a
  neighbour by a character that makes it part of an address, host name, path,
  URL or identifier ("bob@example.com", "mx.example.com", "a/b", "x=y", "user_id");
- otherwise it is stemmed (stem()) and looked up in the vocabulary.

Clause boundaries (". ", ";", ":", "!", "?", "(", ")", "<", ">", "[", "]", a
line break) end a run of adjacent words: bigrams and concept clauses never
cross them.
"""

# Characters that glue the token next to them into a larger name.
GLUE_ALWAYS = set(b"@/=_\\%&?#~+")
# '.' and ':' glue only when a word byte follows them on the far side
# ("mx.example", "https://"), not at the end of a sentence ("disabled.").
GLUE_BEFORE_WORD = set(b".:")
# Characters that end a clause (a line break counts as well).
CLAUSE = set(b".;:!?()<>[]{}\"|\r\n")


def is_word(c):
    return (97 <= c <= 122) or (48 <= c <= 57) or c >= 0x80


def is_cjk_lead(c):
    """The first byte of a character from U+3000 to U+9FFF (CJK punctuation,
    kana, ideographs): scripts written without spaces. Each such character is a
    word of its own, so that the model's words and word pairs are characters and
    character pairs ("\u4e0d\u5b58\u5728": not + exist) rather than whole sentences.
    Hangul, which Korean writes with spaces, keeps its words."""
    return 0xE3 <= c <= 0xE9


def stem(w):
    """A light, deterministic English suffix stripper (bytes -> bytes).

    Rules, in order; n is len(w):
      1. "sses" -> "ss"; "ies" -> "y" (n > 4); "xes"/"ches"/"shes"/"sses" -> drop "es";
         else a final "s" after neither "s", "u" nor "i" is dropped (n > 3);
      2. "ied" -> "y" (n > 4); "ing" dropped (n > 5); "ed" dropped (n > 4);
      3. a final "e" is dropped (n > 4).
    """
    if any(c >= 0x80 for c in w):
        return w
    n = len(w)
    if w.endswith(b"sses"):
        w = w[:-2]
    elif n > 4 and w.endswith(b"ies"):
        w = w[:-3] + b"y"
    elif w.endswith(b"xes") or w.endswith(b"ches") or w.endswith(b"shes"):
        w = w[:-2]
    elif n > 3 and w.endswith(b"s") and w[-2:-1] not in (b"s", b"u", b"i"):
        w = w[:-1]
    n = len(w)
    if n > 4 and w.endswith(b"ied"):
        w = w[:-3] + b"y"
    elif n > 5 and w.endswith(b"ing"):
        w = w[:-3]
    elif n > 4 and w.endswith(b"ed"):
        w = w[:-2]
    n = len(w)
    if n > 4 and w.endswith(b"e"):
        w = w[:-1]
    return w


WORD_MAX = 48


def key(w):
    """What a kept word is looked up by: its stem, or for a word longer than
    WORD_MAX bytes, its first WORD_MAX bytes as they are."""
    return w[:WORD_MAX] if len(w) > WORD_MAX else stem(w)


def fnv1a(data, h=0x811C9DC5):
    for c in data:
        h ^= c
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def mix(a, b):
    """The hash of a bigram from the hashes of its two words."""
    h = ((a * 0x9E3779B1) & 0xFFFFFFFF) ^ b
    h ^= h >> 15
    h = (h * 0x85EBCA77) & 0xFFFFFFFF
    h ^= h >> 13
    return h


RUN_DELIMITERS = set(b" <>()[]\"',;")
RUN_MAX = 16


def tokens(folded):
    """Yield (start, end, word_bytes, clause_index) for the kept words of folded
    text (bytes), in order. Offsets are into `folded`.

    Words wait for the end of their run (the bytes between two RUN_DELIMITERS)
    and are dropped when the run holds an '@' (an address); a run of more than
    RUN_MAX kept words passes its first ones on as they come (lib/words.c)."""
    n = len(folded)
    i = 0
    clause = 0
    run = []
    at = False

    def run_byte(c):
        nonlocal at, run
        out = []
        if c == 64:                      # '@'
            at = True
        elif c in RUN_DELIMITERS:
            if not at:
                out = run
            run = []
            at = False
        return out

    while i < n:
        c = folded[i]
        if not is_word(c):
            yield from run_byte(c)
            if c in CLAUSE and not (c in GLUE_BEFORE_WORD and i + 1 < n and is_word(folded[i + 1])):
                clause += 1
            i += 1
            continue
        s = i
        digit = False
        if is_cjk_lead(c):
            # one CJK character: its lead and up to two continuation bytes
            i += 1
            while i < n and i - s < 3 and 0x80 <= folded[i] <= 0xBF:
                i += 1
        else:
            while i < n and is_word(folded[i]) and not is_cjk_lead(folded[i]):
                if 48 <= folded[i] <= 57:
                    digit = True
                i += 1
        e = i
        if digit or e - s < 2:
            continue
        before = folded[s - 1] if s > 0 else 32
        after = folded[e] if e < n else 32
        after2 = folded[e + 1] if e + 1 < n else 32
        if before in GLUE_ALWAYS or after in GLUE_ALWAYS:
            continue
        if before in GLUE_BEFORE_WORD and s >= 2 and is_word(folded[s - 2]):
            continue
        if after in GLUE_BEFORE_WORD and is_word(after2):
            continue
        if after == 58 and after2 == 47:     # "https:/"
            continue
        if len(run) == RUN_MAX:
            yield from run
            run = []
        run.append((s, e, folded[s:e], clause))
    if not at:
        yield from run
