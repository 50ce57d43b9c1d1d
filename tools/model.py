"""The word-level model of libsmtpreply: features, training and its tables.

Standard library only, deterministic: the same data gives the same weights on
every machine (fixed order, integer arithmetic, no randomness).

The model is the sum of `bags` multi-class averaged perceptrons (data/model.tsv),
each over its own fixed order of the training rows, over these features of a reply:
- every kept word of its text (tools/words.py), stemmed;
- the first `prefix` characters of every such word of at least `prefix_min`
  characters (data/model.tsv; 0 turns it off), tagged apart from the words;
- every pair of adjacent kept words within one clause (stop words are skipped
  but do not break a pair);
- its basic code ("550" and its class "5") and enhanced code ("7.1" and its
  subject "7"), so that words and codes are weighed together.
Each feature counts once per reply, however often it occurs.

It is trained at build time on the table's own rows: every test row of
tests/data (the reply and its expected category), every rule of data/rules (its
pattern, with its category and the codes it is constrained to), and the texts of
the basic and enhanced code registries. lib/words.c computes the same features
and sums the weights; the category with the highest score wins, and the gap to
the runner-up is the margin that data/model.tsv's `margin` must reach.
"""
import re

import words

CODE_TAG = 1     # the first byte of a code feature's key: it can never be a word


def code_keys(code, enh):
    """Feature keys (bytes) of a basic code (int, 0 = none) and an enhanced code
    ((class, subject, detail), class 0 = none)."""
    keys = []
    if code:
        keys.append(bytes([CODE_TAG]) + b"c%d" % code)
        keys.append(bytes([CODE_TAG]) + b"c%d" % (code // 100))
    if enh and enh[0]:
        keys.append(bytes([CODE_TAG]) + b"e%d.%d" % (enh[1], enh[2]))
        keys.append(bytes([CODE_TAG]) + b"e%d" % enh[1])
    return keys


PREFIX_TAG = 2   # the first byte of a word-prefix feature's key: never a word byte either


def prefix_key(k, prefix, prefix_min):
    """The prefix feature's key of a word's key k (bytes), or None: the first
    `prefix` characters of a key at least `prefix_min` characters long (UTF-8:
    a character starts at every byte outside 0x80-0xBF), so that "blacklisted",
    "blacklisting" and "blacklists", "authenticate" and "authentication", or
    "bloqu\xc3\xa9" and "bloquear" share a feature the model can learn once.
    0 turns it off."""
    if not prefix:
        return None
    starts = [i for i, c in enumerate(k) if not 0x80 <= c <= 0xBF]
    if len(starts) < prefix_min:
        return None
    end = starts[prefix] if len(starts) > prefix else len(k)
    return bytes([PREFIX_TAG]) + k[:end]


def feature_hashes(folded, code, enh, stop, prefix=0, prefix_min=0):
    """The feature hashes of a reply: folded text (bytes, as the matcher folds
    it), basic code, enhanced code; stop = set of stemmed stop-word hashes;
    prefix, prefix_min: the word-prefix feature (data/model.tsv)."""
    out = []
    prev = None
    prev_clause = -1
    for _s, _e, w, clause in words.tokens(folded):
        k = words.key(w)
        h = words.fnv1a(k)
        if h in stop:
            continue
        out.append(h)
        pk = prefix_key(k, prefix, prefix_min)
        if pk is not None:
            out.append(words.fnv1a(pk))
        if prev is not None and prev_clause == clause:
            out.append(words.mix(prev, h))
        prev, prev_clause = h, clause
    for k in code_keys(code, enh):
        out.append(words.fnv1a(k))
    # a feature counts once however often it occurs ("list ... list ... list")
    return list(dict.fromkeys(out))


_CODE = re.compile(rb"(?<![0-9.])([2-5][0-9][0-9])(?=[ \-:]|$)")
_ENH = re.compile(rb"(?<![0-9.])([245])\.([0-9]{1,3})\.([0-9]{1,3})(?![0-9]|\.[0-9])")
_LEAD = re.compile(rb"(?m)^[ \t]*(?:[2-5][0-9][0-9](?:[ \-:]|$))?[ \t]*(?:[245]\.[0-9]{1,3}\.[0-9]{1,3})?")


def reply_parts(raw):
    """A training reply (bytes) -> (text without codes, code, enhanced code):
    an approximation of the C parser that is good enough for training (log-line
    wrappers keep some words around the reply)."""
    m = _CODE.search(raw)
    code = int(m.group(1)) if m else 0
    if m:
        raw = raw[m.start():]
    m = _ENH.search(raw)
    enh = (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else (0, 0, 0)
    raw = re.sub(rb"\s*\(in reply to [^)]*\)\)?\s*$", b"", raw)
    text = _LEAD.sub(b" ", raw)
    text = re.sub(rb"[\r\n]+", b" ", text)
    return text, code, enh


def train_bagged(docs, categories, epochs, bags):
    """The sum of `bags` averaged perceptrons, each over its own fixed order of
    the docs (sorted by a hash of the doc and the bag's number). One
    perceptron's result depends on the order of its rows: a few more rows
    reorder the rest and flip replies far from them. Summed over several
    orders, those accidents weigh 1/bags, and a new row moves the model less.
    bags=1 is train() over the docs in their given order. Integer weights: every
    bag makes the same number of steps, so their averaged weights share one
    scale and add up."""
    if bags <= 1:
        return train(docs, categories, epochs)
    import hashlib
    ncat = len(categories)
    total = {}
    tb = [0] * ncat
    steps = 0
    # each doc's part of its sort key, made once (the key is repr((bag, sorted features, category)))
    keys = ["%r, %r)" % (sorted(f), y) for f, y in docs]
    for r in range(bags):
        ranked = sorted(range(len(docs)), key=lambda i: hashlib.sha1(
            ("(%r, " % r + keys[i]).encode()).digest())
        order = [docs[i] for i in ranked]
        w, b, t = train(order, categories, epochs)
        steps = t
        for f, row in w.items():
            acc = total.setdefault(f, [0] * ncat)
            for i in range(ncat):
                acc[i] += row[i]
        for i in range(ncat):
            tb[i] += b[i]
    return total, tb, steps * bags


def train(docs, categories, epochs):
    """Averaged multi-class perceptron. docs: list of (feature hashes, category
    index), in a fixed order. Returns {hash: {category: weight}} and biases, as
    integers scaled by the number of updates (the averaging keeps them integer)."""
    ncat = len(categories)
    w = {}        # hash -> list of weights
    u = {}        # hash -> list of (update step * delta) sums, for averaging
    b = [0] * ncat
    ub = [0] * ncat
    t = 1
    for _ in range(epochs):
        for feats, y in docs:
            score = b[:]
            for f in feats:
                row = w.get(f)
                if row is not None:
                    for k in range(ncat):
                        score[k] += row[k]
            best = max(range(ncat), key=lambda k: (score[k], -k))
            if best != y:
                for f in feats:
                    row = w.get(f)
                    if row is None:
                        row = w[f] = [0] * ncat
                        u[f] = [0] * ncat
                    row[y] += 1
                    row[best] -= 1
                    u[f][y] += t
                    u[f][best] -= t
                b[y] += 1
                b[best] -= 1
                ub[y] += t
                ub[best] -= t
            t += 1
    # averaged weight = w - u / t; scaled by t to stay integer: w * t - u
    avg = {}
    for f, row in w.items():
        a = [row[k] * t - u[f][k] for k in range(ncat)]
        if any(a):
            avg[f] = a
    bias = [b[k] * t - ub[k] for k in range(ncat)]
    return avg, bias, t


def train_logistic(docs, ncat, epochs, rate=0.5, l2=1e-5):
    """Multinomial logistic regression by AdaGrad, in a fixed order (floats are
    IEEE doubles, so the result is the same on every machine). Returns
    {hash: [weight per category]} and biases, as floats."""
    import math
    w = {}
    g2 = {}
    b = [0.0] * ncat
    for _ in range(epochs):
        for feats, y in docs:
            score = b[:]
            rows = []
            for f in feats:
                row = w.get(f)
                if row is None:
                    row = w[f] = [0.0] * ncat
                    g2[f] = [1e-8] * ncat
                rows.append((f, row))
                for k in range(ncat):
                    score[k] += row[k]
            mx = max(score)
            ex = [math.exp(v - mx) for v in score]
            z = sum(ex)
            for k in range(ncat):
                g = ex[k] / z - (1.0 if k == y else 0.0)
                if -1e-4 < g < 1e-4:
                    continue
                for f, row in rows:
                    gg = g + l2 * row[k]
                    acc = g2[f]
                    acc[k] += gg * gg
                    row[k] -= rate * gg / math.sqrt(acc[k])
                b[k] -= 0.05 * g
    return w, b

