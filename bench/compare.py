#!/usr/bin/env python3
"""Compare libsmtpreply's throughput with other ways of classifying replies, and
with anchors that make every figure a ratio measured in one run.

On the same lines (bench/corpus/replies.txt unless --corpus), in one invocation:

  ours        build-bench/bench/smtpreply-bench --throughput-only (parse + classify,
              all fields; a subprocess, its "name: value" output parsed)
  baseline    the same benchmark of another build: --baseline-build DIR (a build
              folder), or --baseline-rev REV (a git revision, built here into a
              temporary folder with -Dbuildtype=release)
  hyperscan   bench/hs-bench (built when libhyperscan-dev is installed): Hyperscan
              finding the table's literals (the distinct folded pattern parts of
              data/rules, listed with tools/gen-tables.py) in each reply; no parse,
              no decision
  sisimai     bench/sisimai-bench.pl: Sisimai::Reason->match($string), the string
              classifier of Sisimai (Debian package libsisimai-perl)
  python-re   a plain table of Python `re` patterns, one re.search per pattern per
              line until one matches (the usual hand-written classifier), timed in
              this process
  py-*        the Python binding (bindings/python) on the library of the same build,
              in a child process of this interpreter: py-single is
              smtpreply.classify(line).category for each line (str, as python-re
              gets), py-bytes the same on bytes, py-batch one
              smtpreply.classify_many(lines) per pass and .category of each,
              py-all classify() then every field of the result and of its reply;
              with a baseline, base-py-single and base-py-all are the baseline's
              binding on the baseline's library

Each run measures every column one after the other (interleaved, so that a noisy
machine slows them alike; odd runs go in reverse order); --runs runs (default 5).
Each column's median is reported, per second of wall clock and per second of CPU
time (the thread's or process's own: steadier when other tenants preempt it), and
each ratio is the median of the ratios measured within one run, in both clocks.

Standard library only; installs nothing.  Whatever is missing (the benchmark not
built, hs-bench not built, perl or Sisimai not installed) is named, with the command
that would provide it, and the other columns are still measured.  Exit status: 0
when every column asked for was measured, 1 when something was missing, 2 on a
usage error.

  bench/compare.py [--bench PATH] [--corpus FILE] [--runs N] [--seconds S] [--perl PATH]
                   [--hs-bench PATH | --no-hyperscan] [--no-python]
                   [--baseline-build DIR | --baseline-rev REV [--keep-baseline]]
  bench/compare.py --bounces DIR [--runs N]     whole bounce mails: bench/bounce-bench beside
                   [--baseline-build DIR | --baseline-rev REV]
                                                Sisimai->make (bench/sisimai-bounce-bench.pl) and,
                                                given a baseline, that build's bounce-bench
"""
import argparse
import dataclasses
import glob
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
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


def time_passes(one_pass, items, seconds):
    """Items per second, in wall clock (perf_counter) and in this thread's CPU
    time (thread_time): one warm-up pass, then whole passes until `seconds` of
    wall clock have gone by."""
    one_pass()
    passes = 0
    t0, c0 = time.perf_counter(), time.thread_time()
    while True:
        one_pass()
        passes += 1
        dt = time.perf_counter() - t0
        if dt >= seconds:
            break
    dc = time.thread_time() - c0
    return passes * items / dt, (passes * items / dc if dc > 0 else None)


def time_python(lines, seconds):
    def one_pass():
        for s in lines:
            py_classify(s)
    wall, cpu = time_passes(one_pass, len(lines), seconds)
    return {"per_second": wall, "per_cpu_second": cpu}


# ---------------------------------------------------------------------------
# The Python binding, timed in a child process (--python-worker) so that the
# binding and library of another build can be timed the same way.

PY_MODES = ("single", "bytes", "batch", "all")


def _every_field(obj):
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if dataclasses.is_dataclass(v):
            _every_field(v)


def python_worker(args):
    """Time the smtpreply package found on sys.path (PYTHONPATH) on the corpus
    and print "py_<mode>: calls per second" lines."""
    import smtpreply
    lines = load_lines(args.corpus)
    blines = [s.encode("utf-8", "surrogateescape") for s in lines]
    classify = smtpreply.classify
    ReplyError = smtpreply.ReplyError
    Result = smtpreply.Result

    def single(inputs):
        def one_pass():
            for s in inputs:
                try:
                    classify(s).category
                except ReplyError:
                    pass
        return one_pass

    def batch():
        for r in smtpreply.classify_many(lines, errors="return"):
            if type(r) is Result:
                r.category

    def every():
        for s in lines:
            try:
                _every_field(classify(s))
            except ReplyError:
                pass

    modes = {"single": single(lines), "bytes": single(blines), "all": every}
    if hasattr(smtpreply, "classify_many"):
        modes["batch"] = batch
    print("library: %s" % smtpreply.library_path())
    for mode in args.python_worker.split(","):
        if mode in modes:
            wall, cpu = time_passes(modes[mode], len(lines), args.seconds)
            print("py_%s: %.0f" % (mode, wall))
            if cpu:
                print("py_%s_cpu: %.0f" % (mode, cpu))
        else:
            print("py_%s: missing" % mode)
    return 0


def run_python_binding(source_root, library, corpus, seconds, modes):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(source_root, "bindings", "python")
    env["SMTPREPLY_LIBRARY"] = library
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "--python-worker", ",".join(modes),
                        "--corpus", corpus, "--seconds", str(seconds)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, env=env)
    if p.returncode != 0:
        raise RuntimeError("the binding of %s failed (%d): %s" % (source_root, p.returncode,
                                                                  p.stderr.strip()[-500:]))
    return parse_name_value(p.stdout)


# ---------------------------------------------------------------------------

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


def bring_up_to_date(bench, explicit):
    """Rebuild the build folder that holds bench (ours), so that the figures are
    this tree's and not those of whatever was built last: a stale build-bench
    once measured the previous code beside the baseline. An executable passed
    with --bench is taken as it is."""
    if explicit or not bench:
        return
    ninja = shutil.which("ninja") or shutil.which("samu")
    if not ninja:
        print("compare: note: no ninja on PATH; %s is measured as it was last built" % bench)
        return
    r = subprocess.run([ninja, "-C", build_dir_of(bench)], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if r.returncode != 0:
        sys.exit("compare: %s does not build:\n%s" % (build_dir_of(bench),
                                                        r.stdout.decode("utf-8", "replace")[-2000:]))
    print("compare: %s is up to date with this tree" % build_dir_of(bench))


def build_dir_of(bench):
    return os.path.dirname(os.path.dirname(os.path.abspath(bench)))


def build_type(bench):
    """The meson buildtype of the build folder holding bench, when it can be read."""
    info = os.path.join(build_dir_of(bench), "meson-info", "intro-buildoptions.json")
    try:
        with open(info) as f:
            for opt in json.load(f):
                if opt.get("name") == "buildtype":
                    return opt.get("value")
    except (OSError, ValueError):
        pass
    return None


def source_dir_of(build):
    """The source folder a meson build folder was set up from, or None."""
    try:
        with open(os.path.join(build, "meson-info", "meson-info.json")) as f:
            return json.load(f)["directories"]["source"]
    except (OSError, ValueError, KeyError):
        return None


def shared_library_of(build):
    path = os.path.join(build, "lib", "libsmtpreply.so.0")
    return path if os.path.exists(path) else None


def with_cpu_rate(o):
    """Replies per second of thread CPU time, from ns_per_byte_cpu (smtpreply-bench
    reports the per-byte figure only)."""
    try:
        o.setdefault("replies_per_cpu_second", "%.0f" % (
            float(o["replies"]) / (float(o["ns_per_byte_cpu"]) * float(o["bytes"]) / 1e9)))
    except (KeyError, ValueError, ZeroDivisionError):
        pass
    return o


def run_bench(bench, corpus):
    p = subprocess.run([bench, corpus, "--throughput-only", "-r", "3"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (bench, p.returncode, p.stderr.strip()))
    return with_cpu_rate(parse_name_value(p.stdout))


def run_sisimai(perl, corpus):
    script = os.path.join(HERE, "sisimai-bench.pl")
    # sisimai-bench.pl sizes its own passes to about 1 s of timing.
    p = subprocess.run([perl, script, corpus], stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        raise RuntimeError("sisimai-bench.pl failed (%d): %s" % (p.returncode, p.stderr.strip()))
    return parse_name_value(p.stdout)


# ---------------------------------------------------------------------------
# Hyperscan: the literals of the table, and bench/hs-bench.

def table_literals(root):
    """The distinct folded pattern parts of the rules in root/data/rules, as
    tools/gen-tables.py reads and folds them: the strings its automaton finds.
    Concept rules (words, not literals) have none."""
    path = os.path.join(root, "tools", "gen-tables.py")
    spec = importlib.util.spec_from_file_location("smtpreply_gen_tables", path)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.set_enums(os.path.join(root, "include", "smtpreply.h"))
    d = gen.load(os.path.join(root, "data"))
    try:
        return sorted({part for rule in d["rules"] for part, _bound in rule["parts"]}), len(d["rules"])
    except (KeyError, TypeError, ValueError) as e:
        raise RuntimeError("tools/gen-tables.py no longer gives rule['parts'] as (bytes, bounds) "
                           "pairs (%s): update table_literals() in bench/compare.py" % e)


def write_literals(literals, path):
    with open(path, "wb") as f:
        for lit in literals:
            f.write(_RECORD.escape(lit) + b"\n")


def find_hs_bench(explicit, bench):
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    if bench:
        p = os.path.join(os.path.dirname(os.path.abspath(bench)), "hs-bench")
        if os.access(p, os.X_OK):
            return p
    return None


def run_hs(hs_bench, literals_file, corpus):
    p = subprocess.run([hs_bench, literals_file, corpus, "-r", "3"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        raise RuntimeError("hs-bench failed (%d): %s" % (p.returncode, p.stderr.strip()))
    return parse_name_value(p.stdout)


# ---------------------------------------------------------------------------
# The baseline: a build of another revision.

def meson_options_of(src):
    try:
        with open(os.path.join(src, "meson_options.txt"), encoding="utf-8") as f:
            return set(re.findall(r"option\(\s*'([^']+)'", f.read()))
    except OSError:
        return set()


def build_revision(rev, keep):
    """Build git revision rev of this repository (release) in a temporary folder;
    returns the build folder."""
    sha = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", rev + "^{commit}"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if sha.returncode != 0:
        raise RuntimeError("git cannot find revision %r: %s" % (rev, sha.stderr.strip()))
    sha = sha.stdout.strip()
    tmp = tempfile.mkdtemp(prefix="smtpreply-baseline-%s-" % sha[:10])
    src, build = os.path.join(tmp, "src"), os.path.join(tmp, "build")
    print("baseline: building %s (%s) in %s" % (rev, sha[:12], tmp), flush=True)
    t0 = time.monotonic()
    archive = subprocess.Popen(["git", "-C", ROOT, "archive", "--format=tar", sha], stdout=subprocess.PIPE)
    with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
        tar.extractall(src)
    if archive.wait() != 0:
        raise RuntimeError("git archive %s failed" % sha)
    opts = ["-Dbuildtype=release"]
    known = meson_options_of(src)
    for name, value in (("tests", "disabled"), ("examples", "false"), ("hyperscan", "disabled")):
        if name in known:
            opts.append("-D%s=%s" % (name, value))
    for cmd in (["meson", "setup", build, src] + opts, ["meson", "compile", "-C", build]):
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        if p.returncode != 0:
            raise RuntimeError("%s failed:\n%s" % (" ".join(cmd), p.stdout[-2000:]))
    print("baseline: built in %.0f s%s" % (time.monotonic() - t0,
                                          " (kept: --baseline-build %s)" % build if keep else ""),
          flush=True)
    return tmp, build


def baseline_build_dir(args, tmpdirs, missing):
    """The build folder of --baseline-build, or of --baseline-rev built now (its
    temporary folder added to tmpdirs unless kept); None when neither is given or
    the build failed (noted in missing)."""
    if args.baseline_rev:
        try:
            tmp, build = build_revision(args.baseline_rev, args.keep_baseline)
        except (RuntimeError, OSError) as e:
            missing.append("baseline: %s" % e)
            return None
        if not args.keep_baseline:
            tmpdirs.append(tmp)
        return build
    return os.path.abspath(args.baseline_build) if args.baseline_build else None


# ---------------------------------------------------------------------------

class Column:
    """One figure measured once per run.  measure() returns the run's output as
    a name -> value dict; key names the figure (per second of wall clock) read
    from it, cpu_key the same per second of CPU time.  Columns of one group are
    measured together (one child process)."""

    def __init__(self, name, what, measure, key, cpu_key, group=None):
        self.name, self.what, self.measure, self.key, self.group = name, what, measure, key, group
        self.cpu_key = cpu_key
        self.outputs = []  # one dict per run; None when the run failed

    def values(self, key=None):
        out = []
        for o in self.outputs:
            try:
                out.append(float(o[key or self.key]) if o else None)
            except (KeyError, ValueError):
                out.append(None)
        return out

    def median(self, key=None):
        v = [x for x in self.values(key) if x is not None]
        return statistics.median(v) if v else None


def median_ratio(a, b, cpu=False):
    """Median over the runs of a/b, and the range, from runs where both were measured."""
    r = [x / y for x, y in zip(a.values(a.cpu_key if cpu else None),
                               b.values(b.cpu_key if cpu else None)) if x and y]
    return (statistics.median(r), min(r), max(r)) if r else None


def read_loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return None


def compare_bounces(args):
    """--bounces DIR: whole bounce mails, ours (bench/bounce-bench) beside Sisimai
    (bench/sisimai-bounce-bench.pl, Sisimai->make on each mail in memory) and,
    with --baseline-build or --baseline-rev, the bounce-bench of that build; runs
    interleaved, medians reported."""
    bench = find_bench(args.bench)
    bring_up_to_date(bench, args.bench)
    ours_exe = os.path.join(os.path.dirname(bench), "bounce-bench") if bench else None
    missing = []
    tmpdirs = []
    if not ours_exe or not os.access(ours_exe, os.X_OK):
        missing.append("ours: bounce-bench is not built (meson setup build-bench -Dbuildtype=release "
                       "&& ninja -C build-bench)")
        ours_exe = None
    base_build = baseline_build_dir(args, tmpdirs, missing)
    base_exe = os.path.join(base_build, "bench", "bounce-bench") if base_build else None
    if base_exe and not os.access(base_exe, os.X_OK):
        missing.append("baseline: %s is not built" % base_exe)
        base_exe = None
    perl_ok = bool(args.perl) and subprocess.run(
        [args.perl, "-MSisimai", "-e", "1"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL).returncode == 0
    if not perl_ok:
        missing.append("sisimai: perl or Sisimai is not installed (apt-get install libsisimai-perl)")
    print("mails: %s" % args.bounces)
    if base_exe:
        print("baseline: %s" % base_exe)
    ours, sis, base = [], [], []
    first_ours = first_sis = None
    def reader_run(argv, what):
        """One run of a reader's benchmark: its name-value output, or None (noted)."""
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        o = parse_name_value(p.stdout)
        if p.returncode == 0 and "mails_per_second" in o:
            return o
        missing.append("%s failed (%d): %s" % (what, p.returncode, p.stderr.strip()))
        return None

    for r in range(args.runs):
        if ours_exe:
            o = reader_run([ours_exe, "--mails", args.bounces, "--throughput-only", "-r", "3"],
                           "ours: bounce-bench")
            if o:
                ours.append(float(o["mails_per_second"]))
                first_ours = first_ours or o
            else:
                ours_exe = None
        if base_exe:
            o = reader_run([base_exe, "--mails", args.bounces, "--throughput-only", "-r", "3"],
                           "baseline: bounce-bench")
            if o:
                base.append(float(o["mails_per_second"]))
            else:
                base_exe = None
        if perl_ok:
            o = reader_run([args.perl, os.path.join(HERE, "sisimai-bounce-bench.pl"), args.bounces,
                            "-s", "%g" % max(args.seconds, 1.0)], "sisimai: sisimai-bounce-bench.pl")
            if o:
                sis.append(float(o["mails_per_second"]))
                first_sis = first_sis or o
            else:
                perl_ok = False
        last = lambda v: "%.0f" % v[-1] if v else "missing"
        print("run %d/%d: ours %s  baseline %s  sisimai %s  mails/s"
              % (r + 1, args.runs, last(ours), last(base), last(sis)), flush=True)
    for t in tmpdirs:
        shutil.rmtree(t, ignore_errors=True)
    med = lambda v: statistics.median(v) if v else None
    m_ours, m_sis, m_base = med(ours), med(sis), med(base)
    print()
    print("%-10s %14s %14s %14s   %s" % ("reader", "mails/s", "min", "max", "what"))
    for name, v, what in (
            ("ours", ours, "smtp_reply_bounce_open + _next, every record classified (C, 1 thread, %s records)"
             % (first_ours or {}).get("records_per_pass", "?")),
            ("baseline", base, "the same, built from %s" % (args.baseline_rev or args.baseline_build)),
            ("sisimai", sis, "%s: Sisimai->make(\\$mail, delivered => 1) (%s records)" % (
                (first_sis or {}).get("library", "Sisimai"), (first_sis or {}).get("records_per_pass", "?")))):
        if v:
            print("%-10s %14.0f %14.0f %14.0f   %s" % (name, med(v), min(v), max(v), what))
        else:
            print("%-10s %14s %14s %14s   %s" % (name, "missing", "", "", what))
    print()
    print("ratio ours/sisimai: %s" % ("%.1f" % (m_ours / m_sis) if m_ours and m_sis else "n/a"))
    if args.baseline_rev or args.baseline_build:
        # the median of the per-run ratios: each run measures both side by side
        rs = [a / b for a, b in zip(ours, base) if b]
        print("ratio ours/baseline: %s" % ("%.3f" % statistics.median(rs) if rs else "n/a"))
    print("ours_mails_per_second: %s" % ("%.0f" % m_ours if m_ours else "missing"))
    print("sisimai_mails_per_second: %s" % ("%.0f" % m_sis if m_sis else "missing"))
    for m in dict.fromkeys(missing):
        print("missing: %s" % m)
    return 1 if missing else 0


def main():
    ap = argparse.ArgumentParser(description="Compare libsmtpreply with Sisimai, a Python re table, "
                                 "Hyperscan on the same literals and a baseline build.")
    ap.add_argument("--bench", help="smtpreply-bench executable (default: build-bench/bench/smtpreply-bench, "
                                    "else the newest build*/bench/smtpreply-bench)")
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus", "replies.txt"))
    ap.add_argument("--runs", type=int, default=5, help="runs of each column; medians reported (default 5)")
    ap.add_argument("--seconds", type=float, default=1.0,
                    help="timed seconds per Python column per run (default 1)")
    ap.add_argument("--perl", default=shutil.which("perl"), help="perl interpreter (default: perl on PATH)")
    ap.add_argument("--hs-bench", help="hs-bench executable (default: beside smtpreply-bench)")
    ap.add_argument("--no-hyperscan", action="store_true", help="leave the Hyperscan column out")
    ap.add_argument("--no-sisimai", action="store_true", help="leave the Sisimai column out")
    ap.add_argument("--no-python", action="store_true", help="leave the Python binding columns out")
    base = ap.add_mutually_exclusive_group()
    base.add_argument("--baseline-build", metavar="DIR",
                      help="a build folder of another revision, to run beside this one")
    base.add_argument("--baseline-rev", metavar="REV",
                      help="a git revision to build (release, in a temporary folder) and run beside this one")
    ap.add_argument("--keep-baseline", action="store_true",
                    help="keep the folder --baseline-rev builds (reuse it with --baseline-build)")
    ap.add_argument("--python-worker", help=argparse.SUPPRESS)
    ap.add_argument("--bounces", metavar="DIR", help="compare the bounce readers on the mails under DIR "
                                                     "(../shared/corpus/bounces) instead of replies")
    args = ap.parse_args()
    if args.python_worker:
        return python_worker(args)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if args.keep_baseline and not args.baseline_rev:
        ap.error("--keep-baseline goes with --baseline-rev")
    if args.bounces:
        return compare_bounces(args)
    if not os.path.exists(args.corpus):
        print("compare: corpus %s is missing: run bench/make-corpus.py" % args.corpus, file=sys.stderr)
        return 2
    corpus = os.path.abspath(args.corpus)

    missing = []
    columns = []
    tmpdirs = []

    lines = load_lines(corpus)
    nbytes = sum(len(s.encode("utf-8", "surrogateescape")) for s in lines)
    print("corpus: %s (%d replies, %d bytes)" % (os.path.relpath(corpus), len(lines), nbytes))
    print("python: %s %s" % (sys.executable, sys.version.split()[0]))
    print("load_average_at_start: %s" % read_loadavg())

    # ours, and the baseline build
    bench = find_bench(args.bench)
    bring_up_to_date(bench, args.bench)
    if not bench:
        missing.append("ours: smtpreply-bench is not built (meson setup build-bench -Dbuildtype=release "
                       "&& ninja -C build-bench), or pass --bench PATH")
    else:
        bt = build_type(bench)
        if bt and bt != "release":
            print("compare: note: %s is a %s build; figures worth keeping come from a release build"
                  % (bench, bt))
        print("bench: %s" % bench)
        columns.append(Column("ours", "smtp_reply_parse + smtp_reply_classify (C, 1 thread)",
                              lambda b=bench: run_bench(b, corpus), "replies_per_second",
                              "replies_per_cpu_second"))

    base_build = baseline_build_dir(args, tmpdirs, missing)
    if base_build:
        base_bench = os.path.join(base_build, "bench", "smtpreply-bench")
        if not os.access(base_bench, os.X_OK):
            missing.append("baseline: %s is not built" % base_bench)
            base_build = None
        else:
            print("baseline: %s" % base_bench)
            bt = build_type(base_bench)
            if bt and bt != "release":
                print("compare: note: the baseline is a %s build" % bt)
            columns.append(Column("baseline", "the same, built from %s" % (args.baseline_rev or base_build),
                                  lambda b=base_bench: run_bench(b, corpus), "replies_per_second",
                                  "replies_per_cpu_second"))

    # Hyperscan on the table's literals
    if not args.no_hyperscan:
        hs_bench = find_hs_bench(args.hs_bench, bench)
        if not hs_bench:
            missing.append("hyperscan: bench/hs-bench is not built (apt-get install libhyperscan-dev, then "
                           "meson setup --reconfigure build-bench && ninja -C build-bench), or pass "
                           "--hs-bench PATH, or --no-hyperscan")
        else:
            try:
                literals, nrules = table_literals(ROOT)
                tmp = tempfile.mkdtemp(prefix="smtpreply-compare-")
                tmpdirs.append(tmp)
                lit_file = os.path.join(tmp, "literals.txt")
                write_literals(literals, lit_file)
                print("hyperscan: %s, %d literals of %d rules" % (hs_bench, len(literals), nrules))
                columns.append(Column(
                    "hyperscan", "Hyperscan finds the table's %d literals (no parse, no decision)"
                    % len(literals), lambda: run_hs(hs_bench, lit_file, corpus), "replies_per_second",
                    "replies_per_cpu_second"))
            except Exception as e:  # gen-tables.py is another program: report, go on
                missing.append("hyperscan: cannot list the table's literals: %s" % e)

    # Sisimai
    if args.no_sisimai:
        pass
    elif not args.perl:
        missing.append("sisimai: perl is not installed (apt-get install perl)")
    else:
        try:
            rc = subprocess.run([args.perl, "-MSisimai::Reason", "-e", "1"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        except OSError as e:
            rc = None
            missing.append("sisimai: cannot run perl %s: %s" % (args.perl, e))
        if rc is not None and rc != 0:
            missing.append("sisimai: the Perl module Sisimai::Reason is not installed "
                           "(apt-get install libsisimai-perl)")
        elif rc == 0:
            columns.append(Column("sisimai", "Sisimai::Reason->match",
                                  lambda: run_sisimai(args.perl, corpus), "strings_per_second",
                                  "strings_per_cpu_second"))

    columns.append(Column("python-re", "lowercase, then %d re.search patterns, first match wins" % len(PY_RULES),
                          lambda: time_python(lines, args.seconds), "per_second", "per_cpu_second"))

    # the Python binding, of this build and of the baseline: one child process
    # per build and run, timing its modes one after the other
    def binding_columns(prefix, build, modes, label):
        src, lib = source_dir_of(build), shared_library_of(build)
        if not src or not lib:
            missing.append("%spython: no source folder or lib/libsmtpreply.so.0 for the build %s"
                           % (prefix, build))
            return
        what = {
            "single": "classify(line).category for each line (str)",
            "bytes": "classify(line).category for each line (bytes)",
            "batch": "classify_many(lines), then .category of each",
            "all": "classify(line), then every field of the result and of its reply",
        }
        state = {}

        def measure(mode, first):
            if first:  # one child process times every mode; the others read its output
                state.pop("out", None)
                state["out"] = run_python_binding(src, lib, corpus, args.seconds, modes)
            if "out" not in state:
                raise RuntimeError("the binding's run failed")
            return state["out"]
        for k, m in enumerate(modes):
            columns.append(Column(prefix + "py-" + m, label + what[m],
                                  lambda m=m, k=k: measure(m, k == 0), "py_" + m, "py_%s_cpu" % m,
                                  group=prefix + "py"))

    if not args.no_python:
        if bench:
            binding_columns("", build_dir_of(bench), list(PY_MODES), "")
        if base_build:
            binding_columns("base-", base_build, ["single", "all"], "baseline: ")

    # the runs: every column once per run, in order on even runs and reversed on
    # odd ones; a group (the Python modes of one build) stays together, in order
    groups = []
    for col in columns:
        if col.group and groups and groups[-1][0].group == col.group:
            groups[-1].append(col)
        else:
            groups.append([col])
    for r in range(args.runs):
        for group in (groups if r % 2 == 0 else groups[::-1]):
            for col in group:
                try:
                    o = col.measure()
                    if o.get(col.key) in (None, "missing"):
                        raise RuntimeError("no %s in its output" % col.key)
                    col.outputs.append(o)
                except (RuntimeError, KeyError, ValueError, OSError) as e:
                    missing.append("%s: %s" % (col.name, e))
                    col.outputs.append(None)
        print("run %d/%d: %s" % (r + 1, args.runs, "  ".join(
            "%s %s" % (c.name, "%.0f" % c.values()[-1] if c.values()[-1] else "-") for c in columns)),
            flush=True)

    for tmp in tmpdirs:
        shutil.rmtree(tmp, ignore_errors=True)

    byname = {c.name: c for c in columns}
    print()
    print("%-15s %11s %11s %11s %13s   %s" % ("column", "per second", "min", "max", "per CPU sec.",
                                             "what"))
    for col in columns:
        v = [x for x in col.values() if x]
        cpu = col.median(col.cpu_key)
        if v:
            print("%-15s %11.0f %11.0f %11.0f %13s   %s" % (col.name, col.median(), min(v), max(v),
                                                         "%.0f" % cpu if cpu else "-", col.what))
        else:
            print("%-15s %11s %11s %11s %13s   %s" % (col.name, "missing", "", "", "", col.what))

    # per byte, for the C columns: medians over the runs of each run's median round
    print()
    for name in ("ours", "baseline", "hyperscan"):
        col = byname.get(name)
        if col and col.median("ns_per_byte"):
            cpu = col.median("ns_per_byte_cpu")
            print("%s: %.2f ns/byte (%s in thread CPU time)" % (
                name, col.median("ns_per_byte"), "%.2f" % cpu if cpu else "-"))

    ratios = [
        ("ours/baseline", "ours", "baseline"),
        ("ours/hyperscan", "ours", "hyperscan"),
        ("ours/sisimai", "ours", "sisimai"),
        ("ours/python-re", "ours", "python-re"),
        ("py-single/python-re", "py-single", "python-re"),
        ("py-bytes/python-re", "py-bytes", "python-re"),
        ("py-batch/python-re", "py-batch", "python-re"),
        ("py-all/python-re", "py-all", "python-re"),
        ("py-batch/py-single", "py-batch", "py-single"),
        ("py-single/base-py-single", "py-single", "base-py-single"),
        ("py-all/base-py-all", "py-all", "base-py-all"),
        ("py-batch/ours", "py-batch", "ours"),
    ]
    scripted = []
    print()
    print("ratios: the median of the ratios within each run (and their range), in wall clock and in CPU time")
    for label, a, b in ratios:
        if a in byname and b in byname:
            m = median_ratio(byname[a], byname[b])
            c = median_ratio(byname[a], byname[b], cpu=True)
            print("ratio %s: %s; cpu %s" % (label, "%.2f (runs %.2f-%.2f)" % m if m else "n/a",
                                            "%.2f (runs %.2f-%.2f)" % c if c else "n/a"))
            name = "ratio_%s" % label.replace("/", "_per_").replace("-", "_")
            if m:
                scripted.append((name, "%.3f" % m[0]))
            if c:
                scripted.append((name + "_cpu", "%.3f" % c[0]))
    if "ours" in byname and "baseline" in byname:
        sums = [c.outputs[0].get("result_checksum") if c.outputs and c.outputs[0] else None
                for c in (byname["ours"], byname["baseline"])]
        print("result_checksum: ours %s, baseline %s: %s" % (
            sums[0], sums[1], "identical answers" if sums[0] == sums[1] else "the answers differ"))
    if "hyperscan" in byname and byname["hyperscan"].outputs and byname["hyperscan"].outputs[0]:
        o = byname["hyperscan"].outputs[0]
        print("hyperscan: %s %s literals, %s matches per pass, %s of %s replies with a match" % (
            o.get("engine"), o.get("literals"), o.get("matches_per_pass"), o.get("replies_with_a_match"),
            o.get("replies")))

    # name: value lines, for scripts
    print()
    for col in columns:
        m, c = col.median(), col.median(col.cpu_key)
        print("%s_per_second: %s" % (col.name.replace("-", "_"), "%.0f" % m if m else "missing"))
        if c:
            print("%s_per_cpu_second: %.0f" % (col.name.replace("-", "_"), c))
    for name in ("ours", "baseline", "hyperscan"):
        if name in byname and byname[name].median("ns_per_byte"):
            print("%s_ns_per_byte: %.3f" % (name, byname[name].median("ns_per_byte")))
    for name, value in scripted:
        print("%s: %s" % (name, value))
    print("load_average_at_end: %s" % read_loadavg())
    if missing:
        print()
        for m in dict.fromkeys(missing):
            print("missing: %s" % m)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
