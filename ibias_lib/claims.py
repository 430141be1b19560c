"""Claims: each claim of the book as a test of its theorem, swept over seeds and sizes.

A chapter's experiment is a function ``run(seed=..., size=...)`` in
``ibias_lib.experiments.<chapter>``; the notebook calls it with ``seed=0`` and the chapter's
size, and the tests call it for every seed of the sweep. A :class:`Claim` turns the result into
a :class:`Check`: one statistic and the window the theorem allows for it. The criterion comes
from the theorem (an explicit bound with the paper's constants, or a rate measured after the
burn-in the theory sets, in a window that the wrong rate fails); what is only an observation is
marked ``kind="observation"`` and its window is stated as such.

An :class:`Experiment` groups the claims computed from one run with the sweep they are tested
on, ``sweep=(("chapter", 10), ("large", 10))``: size names and the number of seeds
(``0, 1, ...``) for each. Every experiment module defines ``EXPERIMENTS``, a tuple of them;
:func:`experiments` collects them all.

In a notebook::

    import ibias_lib as ib
    from ibias_lib.experiments import rates
    res = rates.run_rates(seed=0, size="chapter")
    ib.claims.assert_claims(rates.RATES, res)   # prints one line per claim; raises if one fails

The claims ledger (``book/claims.md``) is built from :func:`experiments` and the sweep files that
``python -m ibias_lib.claims sweep`` writes (``book/_data/claims/<experiment>.json``); ``tests/test_claims.py``
reruns the sweep, asserts every criterion and checks the file is up to date.
"""
from __future__ import annotations

import argparse
import importlib
import json
import math
import pkgutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

__all__ = ["Check", "Claim", "Experiment", "assert_claims", "evaluate", "experiments",
           "find_experiment", "load_ledger", "run_sweep", "sweep_cases", "write_ledger",
           "LEDGER_DIR"]

LEDGER_DIR = Path(__file__).resolve().parent.parent / "book" / "_data" / "claims"
KINDS = ("theorem", "observation")


@dataclass(frozen=True)
class Check:
    """The outcome of one claim on one run: ``lo <= statistic <= hi`` (either end may be
    infinite). ``note`` says what the statistic is, e.g. ``"slope over t in [1e3, 1e5]"``."""
    statistic: float
    lo: float = -math.inf
    hi: float = math.inf
    note: str = ""

    @property
    def passed(self) -> bool:
        s = float(self.statistic)
        return math.isfinite(s) and self.lo <= s <= self.hi

    def window(self) -> str:
        lo = "-inf" if self.lo == -math.inf else f"{self.lo:.4g}"
        hi = "inf" if self.hi == math.inf else f"{self.hi:.4g}"
        return f"[{lo}, {hi}]"


@dataclass(frozen=True)
class Claim:
    """One asserted claim.

    Parameters
    ----------
    key : str
        Unique id, ``"<experiment>.<name>"``, e.g. ``"rates.normalized_slope"``.
    statement : str
        The claim in words, as the chapter states it.
    source : str
        Bibliography key of the paper (``book/references.bib``), or ``""`` for the book's own.
    where : str
        Theorem, proposition or section of the paper, e.g. ``"Theorem 3.1"``.
    criterion : str
        The pass criterion in words, and where its constants come from.
    check : callable
        ``check(result) -> Check``.
    kind : {"theorem", "observation"}
        An observation is not a theorem; the text and the ledger say so.
    """
    key: str
    statement: str
    source: str
    where: str
    criterion: str
    check: Callable[[Any], Check]
    kind: str = "theorem"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Claim {self.key!r}: kind must be one of {KINDS}; got "
                             f"{self.kind!r}.")


@dataclass(frozen=True)
class Experiment:
    """A chapter's experiment and the claims read off one of its runs.

    Parameters
    ----------
    key : str
        Unique id, e.g. ``"rates"``; claim keys start with it.
    chapter : str
        The chapter's document, e.g. ``"linear/rates"`` (relative to ``book/``, no suffix).
    run : callable
        ``run(seed=int, size=str) -> result``; deterministic given its arguments.
    claims : tuple of Claim
    sweep : tuple of (size, n_seeds)
        The sizes and seed counts the tests run; seeds are ``0 .. n_seeds - 1``. The first
        entry is the size the chapter shows (with seed 0) unless ``chapter_size`` says otherwise.
    chapter_size : str, optional
    known_failures : mapping
        ``{(claim_key, size, seed): reason}``: runs on which a claim is known to fail, with the
        reason (e.g. a burn-in longer than the run). The tests require these to fail, and the
        ledger shows them.
    slow : bool
        Mark the sweep's tests ``slow`` (they still run in ``make test``).
    """
    key: str
    chapter: str
    run: Callable[..., Any]
    claims: tuple
    sweep: tuple = (("chapter", 10),)
    chapter_size: str | None = None
    known_failures: Mapping = field(default_factory=dict)
    slow: bool = False

    def __post_init__(self):
        for c in self.claims:
            if not c.key.startswith(self.key + "."):
                raise ValueError(f"claim key {c.key!r} must start with {self.key + '.'!r}")
        if not self.sweep or any(n < 1 for _, n in self.sweep):
            raise ValueError(f"Experiment {self.key!r}: sweep must list (size, n_seeds >= 1).")

    @property
    def shown_size(self) -> str:
        return self.chapter_size or self.sweep[0][0]


def evaluate(experiment: Experiment, result) -> dict:
    """``{claim_key: Check}`` for one result of ``experiment.run``."""
    out = {}
    for c in experiment.claims:
        chk = c.check(result)
        if not isinstance(chk, Check):
            raise TypeError(f"claim {c.key!r}: check must return a Check; got "
                            f"{type(chk).__name__}")
        out[c.key] = chk
    return out


def assert_claims(experiment: Experiment, result, *, quiet: bool = False) -> dict:
    """Evaluate every claim of ``experiment`` on ``result``, print one line per claim
    (statistic, window, verdict) and raise ``AssertionError`` naming each claim that fails.
    Returns ``{claim_key: Check}``."""
    checks = evaluate(experiment, result)
    failed = []
    for c in experiment.claims:
        chk = checks[c.key]
        verdict = "holds" if chk.passed else "FAILS"
        label = "" if c.kind == "theorem" else " (observation)"
        if not quiet:
            print(f"{verdict:5}  {c.key}{label}: {chk.statistic:.4g} in {chk.window()}"
                  + (f"  [{chk.note}]" if chk.note else ""))
        if not chk.passed:
            failed.append(f"{c.key}: {chk.statistic!r} not in {chk.window()} ({c.criterion})")
    if failed:
        raise AssertionError("claims not reproduced:\n  " + "\n  ".join(failed))
    return checks


def experiments() -> tuple:
    """Every registered :class:`Experiment` (the ``EXPERIMENTS`` of each module of
    ``ibias_lib.experiments``), in module order."""
    pkg = importlib.import_module("ibias_lib.experiments")
    out, keys = [], set()
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):        # __main__ is the CLI, not an experiment
            continue
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        for e in getattr(mod, "EXPERIMENTS", ()):
            if e.key in keys:
                raise RuntimeError(f"experiment key {e.key!r} registered twice")
            keys.add(e.key)
            out.append(e)
    return tuple(out)


def find_experiment(key: str) -> Experiment:
    for e in experiments():
        if e.key == key:
            return e
    raise KeyError(f"no experiment {key!r}; known: {[e.key for e in experiments()]}")


def sweep_cases(selected=None):
    """``[(experiment_key, size, seed), ...]`` of the whole sweep (or of ``selected`` keys)."""
    return [(e.key, size, seed) for e in experiments()
            if selected is None or e.key in selected
            for size, n in e.sweep for seed in range(n)]


def _run_case(case):
    key, size, seed = case
    e = find_experiment(key)
    checks = evaluate(e, e.run(seed=seed, size=size))
    return case, {k: [float(c.statistic), c.lo, c.hi, c.passed, c.note]
                  for k, c in checks.items()}


def run_sweep(selected=None, *, jobs: int = 1) -> dict:
    """Run the sweep and return the ledger data:
    ``{experiment_key: {size: {str(seed): {claim_key: [stat, lo, hi, passed, note]}}}}``."""
    cases = sweep_cases(selected)
    if jobs > 1:
        import multiprocessing as mp
        with mp.get_context("spawn").Pool(jobs) as pool:
            results = pool.map(_run_case, cases, chunksize=1)
    else:
        results = [_run_case(c) for c in cases]
    data: dict = {}
    for (key, size, seed), checks in results:
        data.setdefault(key, {}).setdefault(size, {})[str(seed)] = checks
    return data


def _json_safe(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return "inf" if obj > 0 else ("-inf" if obj < 0 else "nan")
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_json_safe(v) for v in obj]
    return obj


def from_json(obj):
    """Inverse of the float encoding used in the ledger file."""
    if obj in ("inf", "-inf", "nan"):
        return float(obj)
    if isinstance(obj, dict):
        return {k: from_json(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [from_json(v) for v in obj]
    return obj


def load_ledger(directory=LEDGER_DIR) -> dict:
    """The committed sweep results, ``{experiment_key: {size: {seed: {claim: [...]}}}}``
    (one file per experiment; experiments without a file are missing)."""
    out = {}
    for f in sorted(Path(directory).glob("*.json")):
        out[f.stem] = from_json(json.loads(f.read_text()))
    return out


def write_ledger(data, directory=LEDGER_DIR):
    """Write one ``<experiment>.json`` per experiment in ``data`` (atomically)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for key, sizes in data.items():
        path = directory / f"{key}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(_json_safe(sizes), indent=1, sort_keys=True) + "\n")
        tmp.replace(path)


def _fmt(x) -> str:
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:.3g}"


def ledger_rows(ledger=None) -> list:
    """One dict per claim for the ledger page: the claim, its chapter, source and criterion, the
    value the chapter shows (seed 0 at the chapter's size), and per swept size the seeds
    tried/passed with the min and max of the statistic. Claims missing from ``ledger`` show
    ``"not run"``."""
    ledger = load_ledger() if ledger is None else ledger
    rows = []
    for e in experiments():
        rec = ledger.get(e.key, {})
        for c in e.claims:
            shown = rec.get(e.shown_size, {}).get("0", {}).get(c.key)
            sweeps = []
            for size, n in e.sweep:
                vals = [rec.get(size, {}).get(str(s), {}).get(c.key) for s in range(n)]
                got = [v for v in vals if v is not None]
                fails = [(s, e.known_failures.get((c.key, size, s), "")) for s, v in
                         enumerate(vals) if v is not None and not v[3]]
                stats = [v[0] for v in got]
                sweeps.append(dict(size=size, tried=len(got), passed=len(got) - len(fails),
                                   lo=min(stats) if stats else math.nan,
                                   hi=max(stats) if stats else math.nan, failures=fails))
            rows.append(dict(claim=c, experiment=e, shown=shown, sweeps=sweeps))
    return rows


def ledger_markdown(ledger=None) -> str:
    """The ledger as a MyST table (rendered by the book's ``claims`` page)."""
    lines = ["| claim | chapter | source | criterion | chapter value | sweep: passed / tried, "
             "min – max |", "|---|---|---|---|---|---|"]
    notes = []
    for r in ledger_rows(ledger):
        c, e = r["claim"], r["experiment"]
        src = (f"{{cite:t}}`{c.source}`, {c.where}" if c.source else c.where or "the book")
        kind = "" if c.kind == "theorem" else " *(observation)*"
        shown = ("not run" if r["shown"] is None else
                 f"{_fmt(r['shown'][0])} in [{_fmt(r['shown'][1])}, {_fmt(r['shown'][2])}]")
        sw = []
        for s in r["sweeps"]:
            sw.append(f"{s['size']}: {s['passed']}/{s['tried']}, "
                      f"{_fmt(s['lo'])} – {_fmt(s['hi'])}")
            for seed, why in s["failures"]:
                notes.append(f"- `{c.key}` fails at size {s['size']}, seed {seed}: "
                             f"{why or 'not listed as a known failure (the tests fail)'}")
        cell = lambda t: str(t).replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{c.key}`: {cell(c.statement)}{kind} | {{doc}}`{e.chapter}` | "
                     f"{src} | {cell(c.criterion)} | {shown} | {'<br>'.join(sw)} |")
    if notes:
        lines += ["", "Runs on which a claim fails:", ""] + notes
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m ibias_lib.claims",
                                description="Run the claims sweep and write the ledger file.")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sweep", help="run experiments over their seed/size sweep")
    s.add_argument("keys", nargs="*", help="experiment keys (default: all)")
    s.add_argument("-j", "--jobs", type=int, default=1)
    s.add_argument("--out", default=str(LEDGER_DIR), help="directory of the ledger files")
    sub.add_parser("list", help="list experiments and claims")
    a = p.parse_args(argv)
    if a.cmd == "list":
        for e in experiments():
            print(f"{e.key} ({e.chapter}): sweep {e.sweep}")
            for c in e.claims:
                print(f"  {c.key} [{c.kind}] {c.criterion}")
        return 0
    data = run_sweep(a.keys or None, jobs=a.jobs)
    write_ledger(data, a.out)
    bad = [(k, s, seed, ck) for k, sizes in data.items() for s, seeds in sizes.items()
           for seed, checks in seeds.items() for ck, v in checks.items() if not v[3]]
    for b in bad:
        print("fails:", *b)
    print(f"wrote {a.out}: {len(sweep_cases(a.keys or None))} runs, {len(bad)} failing checks")
    return 0


if __name__ == "__main__":
    # run the package's module, not this __main__ copy (whose Check class the experiments
    # do not use)
    from ibias_lib.claims import main as _main
    sys.exit(_main())
