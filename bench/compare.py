#!/usr/bin/env python3
"""Compare libsmtpreply's throughput with two other ways of classifying replies.

On the same lines (bench/corpus/replies.txt unless --corpus), in one invocation:

  ours       build-bench/bench/smtpreply-bench --throughput-only (parse + classify,
             all fields; a subprocess, its "name: value" output parsed)
  sisimai    bench/sisimai-bench.pl: Sisimai::Reason->match($string), the string
             classifier of Sisimai (Debian package libsisimai-perl)
  python-re  a plain table of Python `re` patterns, one re.search per pattern per
             line until one matches (the usual hand-written classifier), timed in
             this process

Each run measures all three one after the other (interleaved, so that a noisy
machine slows them alike); --runs runs (default 5) and the medians are reported,
with the ratios ours / sisimai and ours / python-re in replies per second.

Standard library only; installs nothing.  Whatever is missing (the benchmark not
built, perl or Sisimai not installed) is named, with the command that would
provide it, and the other columns are still measured.  Exit status: 0 when all
three were measured, 1 when something was missing, 2 on a usage error.

  bench/compare.py [--bench PATH] [--corpus FILE] [--runs N] [--seconds S]
  bench/compare.py --bounces DIR [--runs N]     whole bounce mails: bench/bounce-bench beside
                                                Sisimai->make (bench/sisimai-bounce-bench.pl)
"""
import argparse
import glob
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# ---------------------------------------------------------------------------
# The Python `re` table classifier: the approach most bounce handlers take by
# hand.  First match wins; order puts specific categories before general ones.
# The text is lowercased once and the (lower-case) patterns are compiled
# without re.IGNORECASE, which is about 3x faster in CPython than IGNORECASE:
# the stronger baseline.  It is a baseline for speed, not for accuracy.
PY_RULES = [
    ("success", r"^\s*2\d\d[ -]"),
    ("user_unknown", r"user (?:unknown|not found|doesn'?t exist)"),
    ("user_unknown", r"(?:no such|unknown|invalid) (?:user|recipient|mailbox|address)"),
    ("user_unknown", r"mailbox (?:unavailable|not found|does not exist)"),
    ("user_unknown", r"recipient address rejected"),
    ("user_unknown", r"address rejected|account (?:does not exist|not found)"),
    ("user_unknown", r"does not exist|unrouteable address|not our customer"),
    ("mailbox_full", r"mailbox (?:is )?full|over ?quota|quota exceeded|exceeded storage"),
    ("mailbox_full", r"insufficient (?:system )?storage|mailbox size limit"),
    ("mailbox_disabled", r"(?:account|mailbox) (?:is )?(?:disabled|suspended|inactive|locked)"),
    ("mailbox_disabled", r"user (?:is )?(?:inactive|suspended)"),
    ("mailbox_moved", r"user has moved|\b551\b"),
    ("domain_unknown", r"domain (?:not found|does not exist|unknown)|host (?:not found|unknown)"),
    ("domain_unknown", r"no mx|name service error|unrouteable domain|no such domain"),
    ("relay_denied", r"relay(?:ing)? (?:denied|not permitted|access denied)|not permitted to relay"),
    ("relay_denied", r"unable to relay|we do not relay|relay not allowed"),
    ("auth_required", r"authentication (?:required|is required)|must (?:be )?authenticat"),
    ("auth_failed", r"\b(?:spf|dkim|dmarc)\b.*(?:fail|not pass|reject)"),
    ("auth_failed", r"unauthenticated (?:e-?mail|sender)|dmarc policy"),
    ("blocklisted", r"spamhaus|spamcop|barracuda|sorbs|\bdnsbl\b|\brbl\b|blacklist|blocklist|block list"),
    ("blocklisted", r"listed (?:on|in|at)|blocked using"),
    ("reputation", r"reputation|poor reputation|sender score"),
    ("ptr_required", r"reverse dns|\bptr\b|rdns|no reverse|hostname lookup"),
    ("rate_limited", r"too many (?:messages|connections|recipients)|rate limit|throttl"),
    ("rate_limited", r"exceeded (?:the )?(?:rate|sending) limit|try (?:again )?later.*(?:volume|rate)"),
    ("greylisted", r"grey ?listed|gray ?listed|greylisting|try again later"),
    ("virus", r"virus|malware|infected|trojan"),
    ("spam_content", r"\bspam\b|junk mail|content (?:rejected|filter)|looks like spam"),
    ("message_too_big", r"message (?:is )?too (?:big|large)|size limit|exceeds (?:the )?(?:maximum|size)"),
    ("tls_required", r"starttls|must issue a starttls|tls (?:is )?required|encryption required"),
    ("syntax", r"syntax error|malformed|invalid address|bad address syntax|line too long"),
    ("protocol", r"bad sequence|command not (?:implemented|recognized)|unrecognized command|pipelining"),
    ("sender_rejected", r"sender (?:address )?rejected|sender (?:verify|denied)|mail from.*rejected"),
    ("policy", r"policy|not accepted|rejected for policy|administrative prohibition|blocked"),
    ("policy", r"denied|refused|prohibited|not allowed"),
    ("server_error", r"internal (?:server )?error|temporary (?:local )?(?:problem|failure)|system error"),
    ("server_error", r"service (?:not )?(?:un)?available|try again|resources"),
    ("network", r"timed? ?out|connection (?:refused|reset|lost|closed)|network (?:is )?unreachable"),
    ("expired", r"retry timeout|expired|giving up|message (?:could not be delivered|delayed) for"),
    ("user_unknown", r"\b5\.1\.1\b"),
    ("mailbox_full", r"\b[45]\.2\.2\b"),
    ("domain_unknown", r"\b5\.1\.2\b|\b5\.4\.4\b"),
    ("auth_required", r"\b5\.7\.0\b|\b530\b"),
    ("policy", r"\b5\.7\.1\b"),
    ("message_too_big", r"\b5\.3\.4\b|\b552\b"),
    ("server_error", r"\b4\d\d\b|\b4\.\d\.\d+\b"),
]
PY_COMPILED = [(cat, re.compile(rx)) for cat, rx in PY_RULES]


def py_classify(text):
    text = text.lower()
    for cat, rx in PY_COMPILED:
        if rx.search(text):
            return cat
    return "unknown"


# ---------------------------------------------------------------------------

def _load_record_codec():
    """The record escapes of the binding (loaded by path: it needs no library)."""
    path = os.path.join(HERE, "..", "bindings", "python", "smtpreply", "_record.py")
    spec = importlib.util.spec_from_file_location("smtpreply_record", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_RECORD = _load_record_codec()


def unescape(s):
    """One corpus line decoded as smtpreply-bench decodes it (common/record.h)."""
    return _RECORD.unescape(s.encode("utf-8", "surrogateescape")).decode("utf-8", "surrogateescape")


def load_lines(path):
    lines = []
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line:
                lines.append(unescape(line))
    return lines


def time_python(lines, seconds):
    for s in lines:  # warm-up: compiled patterns, caches
        py_classify(s)
    passes = 0
    t0 = time.perf_counter()
    while True:
        for s in lines:
            py_classify(s)
        passes += 1
        dt = time.perf_counter() - t0
        if dt >= seconds:
            break
    return passes * len(lines) / dt


def parse_name_value(text):
    out = {}
    for line in text.splitlines():
        name, sep, value = line.partition(": ")
        if sep:
            out[name.strip()] = value.strip()
    return out


def find_bench(explicit):
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    preferred = os.path.join(ROOT, "build-bench", "bench", "smtpreply-bench")
    if os.access(preferred, os.X_OK):
        return preferred
    found = [p for p in glob.glob(os.path.join(ROOT, "build*", "bench", "smtpreply-bench"))
             if os.access(p, os.X_OK)]
    return max(found, key=os.path.getmtime) if found else None


def build_type(bench):
    """The meson buildtype of the build folder holding bench, when it can be read."""
    info = os.path.join(os.path.dirname(os.path.dirname(bench)), "meson-info", "intro-buildoptions.json")
    try:
        import json
        with open(info) as f:
            for opt in json.load(f):
                if opt.get("name") == "buildtype":
                    return opt.get("value")
    except (OSError, ValueError):
        pass
    return None


def run_ours(bench, corpus):
    p = subprocess.run([bench, corpus, "--throughput-only", "-r", "3"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        raise RuntimeError("smtpreply-bench failed (%d): %s" % (p.returncode, p.stderr.strip()))
    return parse_name_value(p.stdout)


def run_sisimai(perl, corpus):
    script = os.path.join(HERE, "sisimai-bench.pl")
    # sisimai-bench.pl sizes its own passes to about 1 s of timing.
    p = subprocess.run([perl, script, corpus], stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        raise RuntimeError("sisimai-bench.pl failed (%d): %s" % (p.returncode, p.stderr.strip()))
    return parse_name_value(p.stdout)


def fmt(v):
    return "%12.0f" % v if v is not None else "%12s" % "-"


def compare_bounces(args):
    """--bounces DIR: whole bounce mails, ours (bench/bounce-bench) beside Sisimai
    (bench/sisimai-bounce-bench.pl, Sisimai->make on each mail in memory), runs
    interleaved, medians reported."""
    bench = find_bench(args.bench)
    ours_exe = os.path.join(os.path.dirname(bench), "bounce-bench") if bench else None
    missing = []
    if not ours_exe or not os.access(ours_exe, os.X_OK):
        missing.append("ours: bounce-bench is not built (meson setup build-bench -Dbuildtype=release "
                       "&& ninja -C build-bench)")
        ours_exe = None
    perl_ok = bool(args.perl) and subprocess.run(
        [args.perl, "-MSisimai", "-e", "1"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL).returncode == 0
    if not perl_ok:
        missing.append("sisimai: perl or Sisimai is not installed (apt-get install libsisimai-perl)")
    print("mails: %s" % args.bounces)
    ours, sis = [], []
    first_ours = first_sis = None
    for r in range(args.runs):
        if ours_exe:
            p = subprocess.run([ours_exe, "--mails", args.bounces, "--throughput-only", "-r", "3"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
            o = parse_name_value(p.stdout)
            if p.returncode == 0 and "mails_per_second" in o:
                ours.append(float(o["mails_per_second"]))
                first_ours = first_ours or o
            else:
                missing.append("ours: bounce-bench failed (%d): %s" % (p.returncode, p.stderr.strip()))
                ours_exe = None
        if perl_ok:
            p = subprocess.run([args.perl, os.path.join(HERE, "sisimai-bounce-bench.pl"), args.bounces,
                                "-s", "%g" % max(args.seconds, 1.0)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
            o = parse_name_value(p.stdout)
            if p.returncode == 0 and "mails_per_second" in o:
                sis.append(float(o["mails_per_second"]))
                first_sis = first_sis or o
            else:
                missing.append("sisimai: sisimai-bounce-bench.pl failed (%d): %s"
                               % (p.returncode, p.stderr.strip()))
                perl_ok = False
        print("run %d/%d: ours %s  sisimai %s  mails/s" % (
            r + 1, args.runs, fmt(ours[-1] if ours else None), fmt(sis[-1] if sis else None)), flush=True)
    med = lambda v: statistics.median(v) if v else None
    m_ours, m_sis = med(ours), med(sis)
    print()
    print("%-10s %14s %14s %14s   %s" % ("reader", "mails/s", "min", "max", "what"))
    for name, v, what in (
            ("ours", ours, "smtp_reply_bounce_open + _next, every record classified (C, 1 thread, %s records)"
             % (first_ours or {}).get("records_per_pass", "?")),
            ("sisimai", sis, "%s: Sisimai->make(\\$mail, delivered => 1) (%s records)" % (
                (first_sis or {}).get("library", "Sisimai"), (first_sis or {}).get("records_per_pass", "?")))):
        if v:
            print("%-10s %14.0f %14.0f %14.0f   %s" % (name, med(v), min(v), max(v), what))
        else:
            print("%-10s %14s %14s %14s   %s" % (name, "missing", "", "", what))
    print()
    print("ratio ours/sisimai: %s" % ("%.1f" % (m_ours / m_sis) if m_ours and m_sis else "n/a"))
    print("ours_mails_per_second: %s" % ("%.0f" % m_ours if m_ours else "missing"))
    print("sisimai_mails_per_second: %s" % ("%.0f" % m_sis if m_sis else "missing"))
    for m in dict.fromkeys(missing):
        print("missing: %s" % m)
    return 1 if missing else 0


def main():
    ap = argparse.ArgumentParser(description="Compare libsmtpreply with Sisimai and a Python re table.")
    ap.add_argument("--bench", help="smtpreply-bench executable (default: build-bench/bench/smtpreply-bench, "
                                    "else the newest build*/bench/smtpreply-bench)")
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus", "replies.txt"))
    ap.add_argument("--runs", type=int, default=5, help="runs of each classifier; medians reported (default 5)")
    ap.add_argument("--seconds", type=float, default=1.0, help="timed seconds per python-re run (default 1)")
    ap.add_argument("--perl", default=shutil.which("perl"), help="perl interpreter (default: perl on PATH)")
    ap.add_argument("--bounces", metavar="DIR", help="compare the bounce readers on the mails under DIR "
                                                     "(../shared/corpus/bounces) instead of replies")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if args.bounces:
        return compare_bounces(args)
    if not os.path.exists(args.corpus):
        print("compare: corpus %s is missing: run bench/make-corpus.py" % args.corpus, file=sys.stderr)
        return 2

    missing = []
    bench = find_bench(args.bench)
    if not bench:
        missing.append("ours: smtpreply-bench is not built (meson setup build-bench -Dbuildtype=release "
                       "&& ninja -C build-bench), or pass --bench PATH")
    else:
        bt = build_type(bench)
        if bt and bt != "release":
            print("compare: note: %s is a %s build; figures worth keeping come from a release build"
                  % (bench, bt))
    perl_ok = False
    if not args.perl:
        missing.append("sisimai: perl is not installed (apt-get install perl)")
    else:
        try:
            rc = subprocess.run([args.perl, "-MSisimai::Reason", "-e", "1"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        except OSError as e:
            rc = None
            missing.append("sisimai: cannot run perl %s: %s" % (args.perl, e))
        if rc is None:
            pass
        elif rc != 0:
            missing.append("sisimai: the Perl module Sisimai::Reason is not installed "
                           "(apt-get install libsisimai-perl)")
        else:
            perl_ok = True

    lines = load_lines(args.corpus)
    nbytes = sum(len(s.encode("utf-8", "surrogateescape")) for s in lines)
    print("corpus: %s (%d replies, %d bytes)" % (os.path.relpath(args.corpus), len(lines), nbytes))
    print("python: %s %s" % (sys.executable, sys.version.split()[0]))
    if bench:
        print("bench: %s" % bench)

    ours, sis, pyre = [], [], []
    first_ours = first_sis = None
    for r in range(args.runs):
        if bench:
            try:
                o = run_ours(bench, args.corpus)
                ours.append(float(o["replies_per_second"]))
                first_ours = first_ours or o
            except (RuntimeError, KeyError, ValueError) as e:
                missing.append("ours: %s" % e)
                bench = None
        if perl_ok:
            try:
                s = run_sisimai(args.perl, args.corpus)
                sis.append(float(s["strings_per_second"]))
                first_sis = first_sis or s
            except (RuntimeError, KeyError, ValueError) as e:
                missing.append("sisimai: %s" % e)
                perl_ok = False
        pyre.append(time_python(lines, args.seconds))
        print("run %d/%d: ours %s  sisimai %s  python-re %s  replies/s" % (
            r + 1, args.runs, fmt(ours[-1] if ours else None), fmt(sis[-1] if sis else None),
            fmt(pyre[-1])), flush=True)

    med = lambda v: statistics.median(v) if v else None
    m_ours, m_sis, m_py = med(ours), med(sis), med(pyre)
    py_unknown = sum(1 for s in lines if py_classify(s) == "unknown")

    print()
    print("%-10s %14s %14s %14s   %s" % ("classifier", "replies/s", "min", "max", "what"))
    rows = [
        ("ours", ours, "smtp_reply_parse + smtp_reply_classify (C, 1 thread%s)" % (
            ", %s rules" % first_ours.get("rule_count", "?") if first_ours else "")),
        ("sisimai", sis, first_sis.get("classifier", "Sisimai::Reason->match") if first_sis
         else "Sisimai::Reason->match"),
        ("python-re", pyre, "lowercase, then %d re.search patterns, first match wins (%d lines left unknown)" % (
            len(PY_RULES), py_unknown)),
    ]
    for name, v, what in rows:
        if v:
            print("%-10s %14.0f %14.0f %14.0f   %s" % (name, med(v), min(v), max(v), what))
        else:
            print("%-10s %14s %14s %14s   %s" % (name, "missing", "", "", what))
    print()
    print("ratio ours/sisimai: %s" % ("%.1f" % (m_ours / m_sis) if m_ours and m_sis else "n/a"))
    print("ratio ours/python-re: %s" % ("%.1f" % (m_ours / m_py) if m_ours and m_py else "n/a"))
    # name: value lines as well, for scripts
    print("ours_replies_per_second: %s" % ("%.0f" % m_ours if m_ours else "missing"))
    print("sisimai_replies_per_second: %s" % ("%.0f" % m_sis if m_sis else "missing"))
    print("python_re_replies_per_second: %.0f" % m_py)
    if missing:
        print()
        for m in dict.fromkeys(missing):
            print("missing: %s" % m)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
