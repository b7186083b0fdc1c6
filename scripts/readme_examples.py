#!/usr/bin/env python3
"""Reruns the README's command examples and compares their output with what the README shows.

`make readme-check` runs it after a release build. Every fenced block of README.md (then of docs/*.md, in name order)
whose lines start with `$ ` is a
sequence of steps: a command (continued on the next lines while a line ends with a backslash) and the output
shown under it, up to the next `$ `. Each command runs with bash in one scratch directory shared by all blocks (in
README order, so `peergrid history` sees the runs before it), with `.build/release` first on PATH, `/tmp/` in
commands and outputs mapped to the scratch directory's `tmp/`, and the repository's Datasets, Tests, Benchmarks and
scripts linked into it. Written output goes to the scratch directory only. OpenBLAS runs one thread and the `Zen` kernels
(`OPENBLAS_CORETYPE`, which the README's figures were recorded with; they need AVX2) unless the environment sets
others: the LSTM, TCN and DQN examples and the forecasts behind the market example round differently under other
kernels (on an AVX-512 machine OpenBLAS picks `Cooperlake` or `SkylakeX`, and six examples then differ).

Compared after masking what legitimately changes from run to run: durations (`0.014 s`, `48.3 s`, `5 ms`, JSON
`*_seconds`, a table's `fit s` or `total s` column, a CSV's `seconds` column), timestamps of this year's runs, hex
digests of 16 or more digits (keys, hashes, signatures), and runs of spaces (column widths follow the masked
values). Numbers agree within a relative 1e-6, and numbers below 1e-9 in size (a solver's zero gap) all agree. A
shown line `...` stands for any number of lines. A step shown without output is run and must exit 0. A step whose
command is abbreviated (`...`), a comment, or needs something outside a build (a cluster, MPI; numpy for the Python
replays, from `Benchmarks/.venv` when `make bench-setup` made it) is listed as skipped with the reason, never
silently.

    python3 scripts/readme_examples.py [--only LINE|docs/NAME.md:LINE[,...]] [--bin DIR] [--keep]
    python3 scripts/readme_examples.py --self-test

`--only` runs the blocks that hold those lines (a command's line, as this script prints it: a bare number is a README
line, `docs/NAME.md:LINE` one of that file). The blocks
before them are not run, so a step that reads a file an earlier block wrote may then fail. Exit status: 0 when
every step that ran matches, 1 otherwise; 2 for a bad option. `--bin` runs another build's `peergrid` (the tests run
the `solve` and ledger blocks with the build under test). `--self-test` checks the masking and matching rules on
fixed cases, and which steps are skipped for a missing Python package, without running anything.
"""
import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The OpenBLAS kernels the README's outputs were recorded with (see the docstring).
RECORDED_KERNELS = "Zen"

# Commands that cannot run from a plain release build, with the reason printed for each.
NEEDS_MORE = [
    (re.compile(r"^(snakemake|cat /tmp/snk)"), "needs Snakemake (make slurm-test and the batch tests cover the cluster paths)"),
    (re.compile(r"^make "), "a make target, not a command example"),
    (re.compile(r"mpirun"), "needs an MPI launch (the Agents MPI tests cover it)"),
]
NEEDS_NUMPY = re.compile(r"^python3 Benchmarks/")

DURATION = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[-+]?\d+)? ?(?:ms|s)\b")
JSON_SECONDS = re.compile(r'("[a-z_]*seconds"\s*:\s*)[-+0-9.eE]+')
NOW = re.compile(r"20(?:2[5-9]|[3-9]\d)-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
HEX = re.compile(r"\b[0-9a-f]{16,}\b")
TIMED_TABLE = re.compile(r"\b(fit|total) s$")
TRAILING_NUMBER = re.compile(r"-?\d+(?:\.\d+)?$")
NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")


def mask_timed_columns(lines):
    """The last column of a table headed `... fit s` or `... total s` is a duration; so is a `total s` row, and a CSV
    column named `seconds`."""
    out, timed, csv_column = [], False, None
    for line in lines:
        fields = line.split(",")
        if "seconds" in fields:
            csv_column = (len(fields), fields.index("seconds"))
        elif csv_column and len(fields) == csv_column[0]:
            fields[csv_column[1]] = "<time>"
            line = ",".join(fields)
        if TIMED_TABLE.search(line):
            timed = True
        elif not line.strip():
            timed = False
        elif line.startswith("total s "):
            line = "total s <time>"
        elif timed:
            line = TRAILING_NUMBER.sub("<time>", line)
        out.append(line)
    return out


def same_line(a, b):
    """Equal, or equal token by token with numbers within a relative 1e-6 (another CPU's last digits), numbers below
    1e-9 in size (a solver's zero gap: 3.1e-16 on one machine, 0.0e+00 on another) all equal."""
    if a == b:
        return True
    ta, tb = re.split(r"([ ,(){}\[\]=:;/])", a), re.split(r"([ ,(){}\[\]=:;/])", b)
    if len(ta) != len(tb):
        return False
    for x, y in zip(ta, tb):
        if x == y:
            continue
        if not (NUMBER.match(x) and NUMBER.match(y)):
            return False
        u, v = float(x), float(y)
        if not (abs(u - v) <= 1e-6 * max(abs(u), abs(v)) or max(abs(u), abs(v)) < 1e-9):
            return False
    return True


def normalize(line, scratch):
    line = line.replace(scratch + "/tmp/", "/tmp/").rstrip()
    line = JSON_SECONDS.sub(r"\1<s>", line)
    line = NOW.sub("<now>", line)
    line = HEX.sub("<hex>", line)
    line = DURATION.sub("<time>", line)
    return re.sub(r"\s+", " ", line).strip()


def blocks(readme):
    """Yields (first line number, last line number, [(command line number, command, [shown output lines])]) per
    example block."""
    lines = open(readme, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("```"):
            i += 1
            continue
        start, i = i + 1, i + 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append((i + 1, lines[i]))
            i += 1
        i += 1
        if not body or not body[0][1].startswith("$ "):
            continue
        steps, k = [], 0
        while k < len(body):
            number, text = body[k]
            command = text[2:]
            while command.endswith("\\") and k + 1 < len(body):
                k += 1
                command = command[:-1] + " " + body[k][1].strip()
            k += 1
            shown = []
            while k < len(body) and not body[k][1].startswith("$ "):
                shown.append(body[k][1])
                k += 1
            while shown and not shown[-1].strip():
                shown.pop()
            steps.append((number, command, shown))
        yield start, i, steps


def documents():
    """Yields (label, first line, last line, steps) for every example block of README.md, then of docs/*.md in name
    order (the README's blocks run first, so the docs may read files they wrote)."""
    for start, end, steps in blocks(os.path.join(ROOT, "README.md")):
        yield "README", start, end, steps
    docs = os.path.join(ROOT, "docs")
    for name in sorted(os.listdir(docs)) if os.path.isdir(docs) else []:
        if name.endswith(".md"):
            for start, end, steps in blocks(os.path.join(docs, name)):
                yield "docs/" + name, start, end, steps


def matches(shown, got):
    """Shown lines against the output, `...` matching any run of lines (greedy search with backtracking)."""
    def go(a, b):
        if a == len(shown):
            return b == len(got)
        if shown[a] == "...":
            return any(go(a + 1, c) for c in range(b, len(got) + 1))
        return b < len(got) and same_line(shown[a], got[b]) and go(a + 1, b + 1)
    return go(0, 0)


# Packages the Python replays may import at their top level; a step whose script imports one that python3 lacks is
# skipped with its name (statsforecast is imported only for `--reference`, below).
THIRD_PARTY = ("numpy", "pandas", "scipy", "statsmodels", "statsforecast", "sklearn", "torch", "pymarket", "pulp", "highspy")


def script_imports(command):
    """The top-level imports (module roots) of the `python3 Benchmarks/X.py` script a command runs; empty when none."""
    match = re.match(r"^python3 (Benchmarks/\S+\.py)", command)
    path = os.path.join(ROOT, match.group(1)) if match else None
    if not path or not os.path.isfile(path):
        return []
    names = []
    with open(path) as f:
        for line in f:
            m = re.match(r"^(?:import|from)\s+([A-Za-z_]\w*)", line)
            if m:
                names.append(m.group(1))
            if line.startswith("import ") and "," in line:
                names += [part.split()[0].split(".")[0] for part in line[len("import "):].split(",")[1:] if part.strip()]
    return names


def skip_reason(command, modules):
    """Why a step is not run (None: it is). `modules` holds the Python packages the scratch PATH's python3 has."""
    if NEEDS_NUMPY.search(command) and "numpy" not in modules:
        return "needs numpy: make bench-setup makes Benchmarks/.venv, which this script then uses"
    for name in script_imports(command):
        if name in THIRD_PARTY and name not in modules:
            return "needs %s: make bench-setup makes Benchmarks/.venv, which this script then uses" % name
    if NEEDS_NUMPY.search(command) and "--reference" in command and "statsforecast" not in modules:
        return "needs statsforecast: make bench-setup makes Benchmarks/.venv, which this script then uses"
    if command.startswith("#"):
        return "a comment: the steps after it depend on a manual change"
    if "..." in command:
        return "abbreviated in the README"
    for pattern, reason in NEEDS_MORE:
        if pattern.search(command):
            return reason
    return None


def self_test():
    """The comparison rules on fixed cases: what must match and what must not. Returns the failures."""
    n = lambda lines: [normalize(x, "/s") for x in mask_timed_columns(lines)]  # noqa: E731
    cases = [
        (["time      read 0.001 s, solve 0.020 s"], ["time      read 0.004 s, solve 1.5 s"], True),
        (["cost      47.2603   gap 3.1e-16"], ["cost   47.2603 gap 0.0e+00"], True),
        (["2000-08-28T00:00:00Z,21788.9222375053"], ["2000-08-28T00:00:00Z,21788.922147129004"], True),
        (["cost      47.2603"], ["cost      47.2604"], False),
        (["market 44 trades"], ["market 45 trades"], False),
        (["a", "...", "z"], ["a", "b", "c", "z"], True),
        (["a", "..."], ["a"], True),
        (["a", "z"], ["a", "b", "z"], False),
        (["a"], ["a", "extra"], False),
        (["model  MAE  fit s", "arima 335.57 35.556"], ["model  MAE  fit s", "arima 335.57 3.535"], True),
        (["model  MAE  fit s", "arima 335.57 35.556"], ["model  MAE  fit s", "arima 335.58 35.556"], False),
        (["iteration,gap,seconds", "1,0.3,0.007"], ["iteration,gap,seconds", "1,0.3,0.005"], True),
        (["iteration,gap,seconds", "1,0.3,0.007"], ["iteration,gap,seconds", "1,0.4,0.007"], False),
        (["signed 2026-12-01T19:59:12Z root 1993d3c465f0c70cb0cd"], ["signed 2027-01-02T01:02:03Z root aaaabbbbccccdddd0000"], True),
        (["from 2000-06-05T00:00:00Z"], ["from 2000-06-06T00:00:00Z"], False),
        (["wrote /tmp/s/schedule.csv"], ["wrote /s/tmp/s/schedule.csv"], True),
    ]
    failures = []
    for shown, got, expected in cases:
        if matches(n(shown), n(got)) != expected:
            failures.append("%r against %r: expected %s" % (shown, got, "a match" if expected else "a difference"))
    skips = [
        ("python3 Benchmarks/x.py f.csv", set(), "needs numpy"),
        ("python3 Benchmarks/x.py f.csv", {"numpy"}, None),
        ("python3 Benchmarks/x.py f.csv --reference d.csv:y:48", {"numpy"}, "needs statsforecast"),
        ("python3 Benchmarks/x.py f.csv --reference d.csv:y:48", {"numpy", "statsforecast"}, None),
        ("python3 Benchmarks/dshw_replica.py f.csv", {"numpy"}, "needs pandas"),
        ("python3 Benchmarks/dshw_replica.py f.csv", {"numpy", "pandas", "scipy"}, None),
    ]
    for command, modules, expected in skips:
        reason = skip_reason(command, modules)
        if (reason or "").split(":")[0] != (expected or ""):
            failures.append("%r with %s: skip reason %r, expected %r" % (command, sorted(modules), reason, expected))
    return failures


def prepare(scratch, bin_dir):
    for name in ["Datasets", "Tests", "Benchmarks", "scripts"]:
        os.symlink(os.path.join(ROOT, name), os.path.join(scratch, name))
    os.makedirs(os.path.join(scratch, "tmp"))
    env = dict(os.environ)
    env["PATH"] = bin_dir + os.pathsep + env["PATH"]
    venv = os.path.join(ROOT, "Benchmarks", ".venv", "bin")
    if os.path.isdir(venv):
        env["PATH"] = venv + os.pathsep + env["PATH"]
    env["TMPDIR"] = os.path.join(scratch, "tmp")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OPENBLAS_CORETYPE", RECORDED_KERNELS)
    return env


def run_step(command, scratch, env):
    command = command.replace("/tmp/", scratch + "/tmp/")
    done = subprocess.run(["bash", "-c", command], cwd=scratch, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=1800)
    return (done.stdout.rstrip("\n").split("\n") if done.stdout.strip() else []), done.returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="line numbers of the blocks to run, comma-separated: README lines, or docs/NAME.md:LINE")
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"), help="the directory of peergrid")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--self-test", action="store_true", help="check the comparison rules and stop")
    args = parser.parse_args()
    if args.self_test:
        failures = self_test()
        print("\n".join(failures) or "self-test: every comparison rule holds")
        sys.exit(1 if failures else 0)
    only = None
    if args.only:
        only = {}
        for item in args.only.split(","):
            label, _, number = item.rpartition(":")
            try:
                only.setdefault(label or "README", set()).add(int(number))
            except ValueError:
                parser.error("--only takes line numbers (README) or FILE:LINE (docs/NAME.md) separated by commas, got %r" % args.only)
        for label in only:
            if label != "README" and not (label.startswith("docs/") and os.path.isfile(os.path.join(ROOT, label))):
                parser.error("--only names %r, which is neither README nor a file docs/NAME.md" % label)
    bin_dir = os.path.abspath(args.bin)
    if not os.access(os.path.join(bin_dir, "peergrid"), os.X_OK):
        parser.error("%s/peergrid is missing or not executable (make release builds it)" % bin_dir)
    scratch = tempfile.mkdtemp(prefix="peergrid-readme-")
    env = prepare(scratch, bin_dir)
    modules = {m for m in THIRD_PARTY
               if subprocess.run(["python3", "-c", "import " + m], env=env, capture_output=True).returncode == 0}
    counts = {"match": 0, "differ": 0, "ran": 0, "skipped": 0}
    try:
        for label, start, end, steps in documents():
            if only is not None and not any(start <= line <= end for line in only.get(label, ())):
                continue
            stopped = None
            for number, command, shown in steps:
                reason = stopped or skip_reason(command, modules)
                if reason:
                    if command.startswith("#"):
                        stopped = "after a manual step (line %d)" % number
                    counts["skipped"] += 1
                    print("skip    %s:%d  %s  (%s)" % (label, number, command[:70], reason))
                    continue
                began = time.monotonic()
                got, status = run_step(command, scratch, env)
                seconds = time.monotonic() - began
                if not shown and status != 0:
                    counts["differ"] += 1
                    print("DIFFER  %s:%d  %s  (%.1f s; exit %d, the file shows no output)" % (label, number, command[:70], seconds, status))
                    for line in got[-10:]:
                        print("        " + line)
                    continue
                if not shown:
                    counts["ran"] += 1
                    print("ran     %s:%d  %s  (%.1f s; the file shows no output)" % (label, number, command[:70], seconds))
                    continue
                want = [normalize(x, scratch) for x in mask_timed_columns(shown)]
                have = [normalize(x, scratch) for x in mask_timed_columns(got)]
                if matches(want, have):
                    counts["match"] += 1
                    print("match   %s:%d  %s  (%.1f s)" % (label, number, command[:70], seconds))
                else:
                    counts["differ"] += 1
                    print("DIFFER  %s:%d  %s  (%.1f s)" % (label, number, command[:70], seconds))
                    for line in difflib.unified_diff(want, have, "README", "now", lineterm="", n=1):
                        print("        " + line)
    finally:
        if args.keep:
            print("scratch directory kept: " + scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print("%(match)d match, %(differ)d differ, %(ran)d ran without shown output, %(skipped)d skipped" % counts)
    sys.exit(1 if counts["differ"] else 0)


if __name__ == "__main__":
    main()
