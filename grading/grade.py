"""Autograder with hidden checks.

    python -m grading.grade submission.ipynb [--chapter rates] [--out report]
                            [--timeout 900] [--cell-timeout 300]

1. The checks of the chapter (``ibias_lib.exercises.<chapter>.CHECKS``) are imported here,
   in the grader's process, before anything of the submission runs.
2. The submission's code cells (outputs and kernelspec ignored) run in a fresh ``python3``
   kernel driven by ``grading/_execute.py`` in a separate process group, under a wall-clock
   limit (both process groups are killed when it is exceeded) and a per-cell limit (the kernel
   is interrupted and the next cell runs); errors in cells do not stop the run, and outputs
   are capped.
3. A cell appended by the grader writes the graded variables to a JSON file as plain data:
   numbers, strings, lists, tuples, dicts, and numeric numpy arrays as (dtype, shape, list).
   Anything else is recorded as unsupported. The grader decodes this with ``json`` (never
   ``pickle``), rebuilds numpy arrays, and calls its own check functions on the values.
   Whatever the submission does to ``ibias_lib.exercises``, ``Check``, numpy or builtins in
   its kernel, it can only change the values it hands in, never how they are judged.
4. The score report is written as ``<out>.json`` and ``<out>.txt``.

Each exercise is all or nothing: the points of its ``Check`` if the check passes, else 0.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import json
import os
import pkgutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import nbformat
import numpy as np

import ibias_lib.exercises as exercises
from ibias_lib.exercises import ExerciseError

HERE = Path(__file__).resolve().parent
MAX_SUBMISSION_BYTES = 50_000_000
MAX_VALUES_BYTES = 64_000_000
MAX_EXPORT_ITEMS = 2_000_000          # numbers exported in total over all graded variables
CHECK_SECONDS = 60


# --------------------------------------------------------------------------- the export cell
_EXPORT = r'''
def _ibias_grader_export(names, path, budget):
    import json
    try:
        import numpy as np
    except BaseException:
        np = None
    left = [budget]

    def unsupported(what):
        return {"__unsupported__": str(what)[:200]}

    def enc(v, depth=0):
        if depth > 8:
            return unsupported("nested too deeply")
        t = type(v)
        if v is None or t is bool:
            return v
        if t is str:
            return v if len(v) <= 10_000 else unsupported("a very long string")
        if t is int:
            return v if abs(v) < 2 ** 63 else float(v)
        if t is float:
            return v
        if np is not None and isinstance(v, np.ndarray):
            if v.dtype.kind in "biuf" and v.size <= left[0]:
                left[0] -= v.size
                return {"__ndarray__": v.ravel().tolist(), "dtype": v.dtype.str,
                        "shape": list(v.shape)}
            return unsupported(f"array of dtype {v.dtype} and size {v.size}")
        if np is not None and isinstance(v, np.generic) and v.dtype.kind in "biuf":
            return {"__npscalar__": v.item(), "dtype": v.dtype.str}
        if t in (list, tuple):
            if len(v) > left[0]:
                return unsupported(f"{t.__name__} of length {len(v)}")
            left[0] -= len(v)
            items = [enc(x, depth + 1) for x in v]
            return items if t is list else {"__tuple__": items}
        if t is dict and all(type(k) is str for k in v) and len(v) <= left[0]:
            left[0] -= len(v)
            return {"__dict__": {k: enc(x, depth + 1) for k, x in v.items()}}
        return unsupported(t.__name__)

    out = {}
    g = globals()
    for n in names:
        if n not in g:
            out[n] = {"__missing__": True}
            continue
        try:
            out[n] = enc(g[n])
        except BaseException as exc:
            out[n] = unsupported(f"could not be exported ({type(exc).__name__})")
    with open(path, "w") as f:
        json.dump(out, f)


_ibias_grader_export(@ARGS@)
'''


class Unreadable:
    """A graded variable the grader could not take over (missing, or not plain data)."""

    def __init__(self, why):
        self.why = why

    def __repr__(self):
        return f"<{self.why}>"


def _decode(obj):
    if "__missing__" in obj:
        return Unreadable("not defined")
    if "__unsupported__" in obj:
        return Unreadable(f"not plain data: {str(obj['__unsupported__'])[:200]}")
    if "__tuple__" in obj:
        return tuple(obj["__tuple__"])
    if "__dict__" in obj:
        return dict(obj["__dict__"])
    if "__ndarray__" in obj or "__npscalar__" in obj:
        try:
            dtype = np.dtype(str(obj["dtype"]))
            if dtype.kind not in "biuf":
                raise ValueError(dtype)
            if "__npscalar__" in obj:
                return dtype.type(obj["__npscalar__"])
            shape = tuple(int(s) for s in obj["shape"])
            return np.asarray(obj["__ndarray__"], dtype=dtype).reshape(shape)
        except Exception:  # noqa: BLE001
            return Unreadable("a malformed array")
    return obj


def read_values(path, names):
    """The graded variables from the export file, as plain Python/numpy values."""
    path = Path(path)
    if not path.exists():
        return {n: Unreadable("not available (the notebook did not run to its end)")
                for n in names}
    if path.stat().st_size > MAX_VALUES_BYTES:
        return {n: Unreadable("not available (exported values too large)") for n in names}
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"),
                          object_hook=_decode)
    except Exception:  # noqa: BLE001
        data = {}
    if not isinstance(data, dict):
        data = {}
    return {n: data.get(n, Unreadable("not available (export failed)")) for n in names}


# --------------------------------------------------------------------------- helpers
def chapter_modules():
    return sorted(i.name for i in pkgutil.iter_modules(exercises.__path__))


def infer_chapter(path, nb=None):
    """The chapter of a submission: its ``ibias.chapter`` metadata, else its file name
    (``linear_rates.ipynb`` -> ``rates``). Pass ``--chapter`` to be sure."""
    mods = chapter_modules()
    meta = (nb or {}).get("metadata", {}).get("ibias", {}) if nb is not None else {}
    if isinstance(meta, dict) and meta.get("chapter") in mods:
        return meta["chapter"]
    stem = Path(path).stem
    hits = [m for m in mods if stem == m or stem.endswith("_" + m) or stem.startswith(m + "_")
            or f"_{m}_" in stem]
    return max(hits, key=len) if hits else None


def _library_fingerprint():
    h = hashlib.sha256()
    for p in sorted(Path(exercises.__file__).parent.glob("*.py")):
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def _head(path, n=1_000_000):
    with open(path, "rb") as f:
        return f.read(n).decode("utf-8", "replace")


def _tail(path, n=2000):
    with open(path, "rb") as f:
        f.seek(max(0, os.path.getsize(path) - n))
        return f.read(n).decode("utf-8", "replace")


def _kill_group(pgid):
    if not pgid or pgid == os.getpgrp():
        return
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        os.killpg(pgid, signal.SIGKILL)


@contextlib.contextmanager
def _time_limit(seconds):
    """SIGALRM-based limit for a check in the grader (only in the main thread)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def handler(signum, frame):
        raise TimeoutError(f"check took longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run_check(check, value):
    """``(passed, message)`` for one check on one value, in this process."""
    if isinstance(value, Unreadable):
        return False, f"answer variable {value.why}."
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"), _time_limit(CHECK_SECONDS):
            warnings.simplefilter("ignore")
            msg = check.check(value)
        return True, str(msg if msg is not None else "correct")[:1000]
    except ExerciseError as exc:
        return False, str(exc)[:1000]
    except Exception as exc:  # noqa: BLE001 - a malformed answer, not a grader failure
        return False, f"the answer could not be checked ({type(exc).__name__}: {str(exc)[:300]})"


# --------------------------------------------------------------------------- execution
def execute(nb_path, values_path, workdir, *, timeout, cell_timeout, max_output=1_000_000):
    """Run the notebook at ``nb_path`` in a separate process group; return diagnostics."""
    status_path, pid_path = workdir / "status.json", workdir / "kernel.json"
    log_path = workdir / "runner.log"
    run_dir = workdir / "cwd"
    run_dir.mkdir()
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, str(HERE / "_execute.py"), str(nb_path), str(status_path),
           str(pid_path), "--cell-timeout", str(cell_timeout), "--max-output", str(max_output),
           "--cwd", str(run_dir)]
    t0 = time.monotonic()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=run_dir, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
        state = "finished"
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            state = "timeout"
        finally:
            kernel = {}
            with contextlib.suppress(Exception):
                kernel = json.loads(_head(pid_path, 10_000))
            pgid = kernel.get("pgid") if isinstance(kernel, dict) else None
            _kill_group(pgid if isinstance(pgid, int) else None)
            _kill_group(proc.pid)
            proc.wait()
    info = {"status": state, "seconds": round(time.monotonic() - t0, 2),
            "returncode": proc.returncode, "cell_errors": [], "output_dropped": False}
    try:
        st = json.loads(_head(status_path))
        info["cell_errors"] = [{k: str(e.get(k, ""))[:300] for k in ("cell", "ename", "evalue")}
                               for e in st.get("errors", [])[:50]]
        info["output_dropped"] = bool(st.get("output_dropped"))
        if state == "timeout" and isinstance(st.get("running"), int):
            info["cell_errors"].append({"cell": str(st["running"]), "ename": "Timeout",
                                        "evalue": f"still running at the {timeout:g} s limit"})
        if st.get("dead_kernel"):
            info["status"] = "kernel died"
    except Exception:  # noqa: BLE001
        if state == "finished":
            info["status"] = "runner failed"
            with contextlib.suppress(Exception):
                info["log_tail"] = _tail(log_path)
    return info


def grade(submission, chapter=None, *, timeout=900.0, cell_timeout=None, workdir=None):
    """Grade one submitted notebook; return the report as a dict."""
    submission = Path(submission)
    t0 = time.monotonic()
    fingerprint = _library_fingerprint()
    report = {"submission": str(submission), "chapter": chapter, "score": 0, "max_score": 0,
              "exercises": [], "execution": {"status": "not run"}, "warnings": []}
    nb = None
    try:
        if submission.stat().st_size > MAX_SUBMISSION_BYTES:
            raise ValueError("file too large")
        nb = nbformat.read(str(submission), as_version=4)
    except Exception as exc:  # noqa: BLE001
        report["execution"] = {"status": f"unreadable notebook ({type(exc).__name__})"}
    chapter = chapter or infer_chapter(submission, nb)
    report["chapter"] = chapter
    if chapter not in chapter_modules():
        raise SystemExit(f"unknown chapter {chapter!r}; pass --chapter (one of: "
                         f"{', '.join(chapter_modules())})")
    checks = dict(getattr(importlib.import_module(f"{exercises.__name__}.{chapter}"),
                          "CHECKS", {}))
    names = list(dict.fromkeys(c.variable for c in checks.values()))
    report["max_score"] = sum(c.points for c in checks.values())

    values = {n: Unreadable("not available (the notebook could not be read)") for n in names}
    if nb is not None:
        with tempfile.TemporaryDirectory(prefix="ibias-grade-", dir=workdir) as tmp:
            tmp = Path(tmp)
            values_path = tmp / "values.json"
            run = nbformat.v4.new_notebook()
            run.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                          "language": "python"}
            for cell in nb.cells:
                if cell.get("cell_type") == "code" and isinstance(cell.get("source"), str):
                    c = nbformat.v4.new_code_cell(cell.source)
                    tags = cell.get("metadata", {}).get("tags", [])
                    if isinstance(tags, list) and "skip-execution" in tags:
                        c.metadata["tags"] = ["skip-execution"]
                    run.cells.append(c)
            run.cells.append(nbformat.v4.new_code_cell(_EXPORT.replace(
                "@ARGS@", f"{names!r}, {str(values_path)!r}, {MAX_EXPORT_ITEMS!r}")))
            nb_path = tmp / "submission.ipynb"
            nbformat.write(run, str(nb_path))
            report["execution"] = execute(
                nb_path, values_path, tmp, timeout=timeout,
                cell_timeout=cell_timeout or min(timeout, 300))
            values = read_values(values_path, names)

    for label, chk in checks.items():
        passed, message = run_check(chk, values[chk.variable])
        earned = chk.points if passed else 0
        report["score"] += earned
        report["exercises"].append({"label": label, "variable": chk.variable,
                                    "points": earned, "max_points": chk.points,
                                    "status": "passed" if passed else "failed",
                                    "message": message})
    if _library_fingerprint() != fingerprint:
        report["warnings"].append("ibias_lib/exercises changed on disk while the submission ran "
                                  "(the checks used were loaded before; inspect the tree)")
    report["seconds"] = round(time.monotonic() - t0, 2)
    return report


def format_report(r):
    ex = r.get("execution", {})
    lines = [f"Submission: {r['submission']}",
             f"Chapter:    {r['chapter']} (checks from ibias_lib.exercises.{r['chapter']})",
             f"Execution:  {ex.get('status')}"
             + (f" in {ex['seconds']} s" if "seconds" in ex else "")
             + (f", {len(ex.get('cell_errors', []))} cell error(s)" if ex.get("cell_errors") else "")
             + (", output truncated" if ex.get("output_dropped") else ""),
             f"Score:      {r['score']:g} / {r['max_score']:g}", ""]
    width = max([len(e["label"]) for e in r["exercises"]] + [8])
    for e in r["exercises"]:
        lines.append(f"{e['label']:<{width}}  {e['points']:g}/{e['max_points']:g}  "
                     f"{e['status']:<6}  {e['message']}")
    for e in ex.get("cell_errors", []):
        lines.append(f"  cell {e['cell']}: {e['ename']}: {e['evalue'][:200]}")
    for w in r.get("warnings", []):
        lines.append(f"WARNING: {w}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Grade a submitted chapter notebook with the "
                                 "hidden checks of ibias_lib.exercises.")
    ap.add_argument("submission")
    ap.add_argument("--chapter", help="chapter module in ibias_lib/exercises (default: from the "
                    "notebook's metadata or file name)")
    ap.add_argument("--out", help="report prefix: writes <out>.json and <out>.txt "
                    "(default: next to the submission, <name>.grade.*)")
    ap.add_argument("--timeout", type=float, default=900, help="wall-clock limit, seconds")
    ap.add_argument("--cell-timeout", type=float, default=None,
                    help="per-cell limit, seconds (default min(timeout, 300))")
    args = ap.parse_args(argv)
    report = grade(args.submission, args.chapter, timeout=args.timeout,
                   cell_timeout=args.cell_timeout)
    out = Path(args.out) if args.out else Path(args.submission).with_suffix(".grade")
    out.parent.mkdir(parents=True, exist_ok=True)
    Path(f"{out}.json").write_text(json.dumps(report, indent=2) + "\n")
    text = format_report(report)
    Path(f"{out}.txt").write_text(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
