"""Autograder for the graded exercises, with every submission in a bubblewrap sandbox.

    python -m grading.grade submission.ipynb --student ID [--chapter rates] [--out report]
    python -m grading.grade --batch SUBMISSIONS/ --chapter rates --out REPORTS/ [-j 2]

1. The chapter's graded exercises (``grading/graded/<chapter>.py``: statement, reference
   solution, comparison) are loaded here; the student's exercise seed is computed from the
   student id the grader is given (``--student``, or the submission's folder/file name in batch
   mode), never from anything in the notebook.
2. The submission's code cells (outputs and kernelspec ignored; its ``exercise-seed`` cell
   replaced by the grader's) run in a fresh ``python3`` kernel inside the sandbox
   (grading/sandbox.py, grading/runner.py): own PID/IPC/network/mount namespaces, the Python
   environment and ``ibias_lib`` read-only, nothing else of the machine, rlimits, a wall-clock
   limit at which the whole sandbox ends.
3. A cell appended by the grader hands the graded variables back as plain JSON over a pipe.
   The grader runs the reference solutions for the student's seed *in its own process* and
   compares (``grading.graded.judge``): the report says "correct" or "incorrect", never in
   which direction.
4. Reports are written by the grader only, atomically, refusing symlinks and non-regular files;
   batch mode writes one report per student and ``gradebook.csv``, in parallel, and goes on past
   any submission that crashes, hangs or attacks.

Each exercise is all or nothing.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import csv
import hashlib
import io
import json
import os
import re
import signal
import stat
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import nbformat
import numpy as np

from grading import graded as _graded
from grading import sandbox as _sandbox
from grading.runner import (MEMORY_MB, SandboxUnavailable, Unreadable, decode_values,  # noqa: F401
                            execute)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MAX_SUBMISSION_BYTES = 50_000_000
REFERENCE_SECONDS = 300
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")


# --------------------------------------------------------------------------- helpers
def chapter_modules():
    """Chapters with graded exercises."""
    return _graded.chapters()


def infer_chapter(path, nb=None):
    """The chapter of a submission: its ``ibias.chapter`` metadata, else its file name
    (``rates.ipynb``, ``linear_rates.ipynb`` -> ``rates``). Pass ``--chapter`` to be sure:
    a student can edit both."""
    mods = chapter_modules()
    meta = (nb or {}).get("metadata", {}).get("ibias", {}) if nb is not None else {}
    if isinstance(meta, dict) and meta.get("chapter") in mods:
        return meta["chapter"]
    stem = Path(path).stem
    hits = [m for m in mods if stem == m or stem.endswith("_" + m) or stem.startswith(m + "_")
            or f"_{m}_" in stem]
    return max(hits, key=len) if hits else None


def tree_fingerprint():
    """``{path: digest}`` of what decides grades or what the next submission imports:
    ``grading/``, ``ibias_lib/`` and the venv's import hooks (``*.pth``, ``sitecustomize``)."""
    import ibias_lib
    pkg = Path(ibias_lib.__file__).resolve().parent
    files = [*HERE.rglob("*.py"), *pkg.rglob("*.py")]
    for site in {p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)}:
        files += [Path(site, n) for n in os.listdir(site)
                  if n.endswith(".pth") or n.startswith(("sitecustomize", "usercustomize"))]
    out = {}
    for p in files:
        if "__pycache__" not in p.parts:
            with contextlib.suppress(OSError):
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _changed(before, after):
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


@contextlib.contextmanager
def _time_limit(seconds):
    """SIGALRM-based limit for a reference computation (only in the main thread)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def handler(signum, frame):
        raise TimeoutError(f"took longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def expected_values(chapter, seed):
    """``{label: expected value or Exception}``: each reference solution, run here."""
    out = {}
    for label, ex in _graded.exercises(chapter).items():
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"), \
                    _time_limit(REFERENCE_SECONDS):
                warnings.simplefilter("ignore")
                out[label] = _graded.reference(ex, seed)
        except Exception as exc:  # noqa: BLE001 - reported to the instructor, no points
            out[label] = exc
    return out


def judge(ex, value, expected):
    """``(passed, message)`` for one submitted value; never says which way it is off."""
    if isinstance(expected, Exception):
        return False, (f"not graded: the reference solution failed for this seed "
                       f"({type(expected).__name__}: {str(expected)[:200]}); tell the grader")
    if isinstance(value, Unreadable):
        return False, f"answer variable {value.why}."
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return _graded.judge(ex, value, expected)
    except Exception as exc:  # noqa: BLE001 - a malformed answer, not a grader failure
        return False, f"incorrect (the answer could not be compared: {type(exc).__name__})"


def read_submission(path):
    """The notebook at ``path``: a regular file (not a symlink), at most 50 MB, read once."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file")
        if st.st_size > MAX_SUBMISSION_BYTES:
            raise ValueError("file too large")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_SUBMISSION_BYTES + 1)
    finally:
        os.close(fd)
    return nbformat.reads(data.decode("utf-8"), as_version=4)


def run_notebook(nb, student, seed, course):
    """The notebook the sandbox runs: the grader's seed cell, then the submission's code cells
    (its own seed cell replaced by the grader's)."""
    seed_src = (f"STUDENT_ID = {student!r}\nCOURSE = {course!r}\nEXERCISE_SEED = {int(seed)}\n")
    run = nbformat.v4.new_notebook()
    run.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}
    run.cells.append(nbformat.v4.new_code_cell(seed_src))
    for cell in nb.cells:
        if cell.get("cell_type") != "code" or not isinstance(cell.get("source"), str):
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        tags = tags if isinstance(tags, list) else []
        c = nbformat.v4.new_code_cell(seed_src if _graded.SEED_TAG in tags else cell.source)
        if "skip-execution" in tags:
            c.metadata["tags"] = ["skip-execution"]
        run.cells.append(c)
    return run


# --------------------------------------------------------------------------- grading
def grade(submission, chapter=None, *, student=None, course="", timeout=900.0,
          cell_timeout=None, workdir=None, sandbox=True, memory_mb=None):
    """Grade one submitted notebook for ``student`` (default: the file's stem); return the
    report as a dict. Raises :class:`SandboxUnavailable` without bubblewrap (unless
    ``sandbox=False``) and ``ValueError`` for an unknown chapter or a bad student id."""
    submission = Path(submission)
    if sandbox:
        why = _sandbox.why_unavailable()
        if why:
            raise SandboxUnavailable(f"cannot sandbox the submission: {why}. Install "
                                     "bubblewrap, or pass --no-sandbox to run it unconfined "
                                     "(only for trusted notebooks).")
    student = str(student if student is not None else submission.stem)
    if not STUDENT_ID.match(student):
        raise ValueError(f"student id {student!r} is not a plain name (letters, digits, "
                         "._@+-); pass --student")
    t0 = time.monotonic()
    before = tree_fingerprint()
    nb, unreadable = None, None
    try:
        nb = read_submission(submission)
    except Exception as exc:  # noqa: BLE001
        unreadable = f"unreadable notebook ({type(exc).__name__})"
    chapter = chapter or infer_chapter(submission, nb)
    if chapter not in chapter_modules():
        raise ValueError(f"unknown chapter {chapter!r}; pass --chapter (one of: "
                         f"{', '.join(chapter_modules())})")
    exs = _graded.exercises(chapter)
    seed = _graded.student_seed(student, course)
    names = list(dict.fromkeys(ex.variable for ex in exs.values()))
    report = {"submission": str(submission), "student": student, "seed": seed,
              "chapter": chapter, "score": 0,
              "max_score": sum(ex.points for ex in exs.values()), "exercises": [],
              "execution": {"status": unreadable or "not run"}, "warnings": []}
    values = {n: Unreadable("not available (the notebook could not be read)") for n in names}
    if nb is not None:
        report["execution"], raw = execute(
            run_notebook(nb, student, seed, course), names, timeout=timeout,
            cell_timeout=cell_timeout or min(timeout, 300), sandbox=sandbox,
            memory_mb=memory_mb or MEMORY_MB, workdir=workdir)
        values = decode_values(raw, names)
    expected = expected_values(chapter, seed)
    for label, ex in exs.items():
        passed, message = judge(ex, values[ex.variable], expected[label])
        earned = ex.points if passed else 0
        report["score"] += earned
        report["exercises"].append({"label": label, "variable": ex.variable, "points": earned,
                                    "max_points": ex.points,
                                    "status": "passed" if passed else "failed",
                                    "message": message})
    changed = _changed(before, tree_fingerprint())
    if changed:
        report["warnings"].append(
            "files of grading/, ibias_lib/ or the venv's import hooks changed on disk while "
            "this submission ran (not through the sandbox, which mounts them read-only; "
            "another process of this machine?): " + ", ".join(changed[:5])
            + (f" and {len(changed) - 5} more" if len(changed) > 5 else ""))
    report["seconds"] = round(time.monotonic() - t0, 2)
    return report


def format_report(r):
    ex = r.get("execution", {})
    lines = [f"Submission: {r['submission']}",
             f"Student:    {r.get('student')} (exercise seed {r.get('seed')})",
             f"Chapter:    {r['chapter']} (graded exercises of grading/graded/{r['chapter']}.py)",
             f"Execution:  {ex.get('status')}"
             + (f" in {ex['seconds']} s" if "seconds" in ex else "")
             + (f", {len(ex['cell_errors'])} cell error(s)" if ex.get("cell_errors") else "")
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


# --------------------------------------------------------------------------- reports
class UnsafeReportPath(ValueError):
    """A report path that is a symlink or not a regular file."""


def _check_report_path(path):
    path = Path(path)
    with contextlib.suppress(FileNotFoundError):
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            raise UnsafeReportPath(f"{path} is a symbolic link; refusing to write the report "
                                   "through it. Remove it or choose another --out.")
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeReportPath(f"{path} exists and is not a regular file; refusing to "
                                   "replace it. Remove it or choose another --out.")
    if os.path.islink(path.parent):
        raise UnsafeReportPath(f"the report folder {path.parent} is a symbolic link.")


def write_files(targets):
    """Write ``[(path, text)]``, each to a new file in the same folder renamed over the target
    (atomic), after refusing symlinks and non-regular files at every target."""
    for target, _ in targets:               # all checked before any is written
        _check_report_path(target)
    for target, content in targets:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{Path(target).name}.", dir=Path(target).parent)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
            _check_report_path(target)
            os.replace(tmp, target)             # replaces a name, never follows a link
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def write_report(out, report, text=None):
    """``<out>.json`` and ``<out>.txt`` (see :func:`write_files`)."""
    text = format_report(report) if text is None else text
    write_files([(Path(f"{out}.json"), json.dumps(report, indent=2) + "\n"),
                 (Path(f"{out}.txt"), text)])


# --------------------------------------------------------------------------- batch
def find_submissions(folder, chapter):
    """``[(student, notebook path or None, problem or None)]`` for a folder of submissions:
    ``<folder>/<student>.ipynb``, or ``<folder>/<student>/**/*.ipynb`` (nbgrader's
    ``submitted/<student>/<assignment>/``; the notebook named after the chapter if there are
    several). Symbolic links are never followed."""
    out = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            out.append((entry.name, None, "a symbolic link (not followed)"))
        elif entry.is_file(follow_symlinks=False) and entry.name.endswith(".ipynb"):
            out.append((entry.name[:-len(".ipynb")], Path(entry.path), None))
        elif entry.is_dir(follow_symlinks=False):
            nbs = []
            for root, dirs, files in os.walk(entry.path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                nbs += [Path(root, f) for f in sorted(files) if f.endswith(".ipynb")
                        and not os.path.islink(os.path.join(root, f))]
            named = [p for p in nbs if chapter in p.stem]
            pick = (named or nbs or [None])[0]
            out.append((entry.name, pick, None if pick else "no notebook"))
    return out


def _grade_one(args):
    """Worker: the report of one submission, whatever happens in it."""
    student, path, problem, kw = args
    if problem is None and not STUDENT_ID.match(student):
        problem = "not a plain student id"
    if problem:
        return {"submission": str(path), "student": student, "chapter": kw["chapter"],
                "score": 0, "max_score": sum(e.points for e in
                                             _graded.exercises(kw["chapter"]).values()),
                "exercises": [], "execution": {"status": f"not graded: {problem}"},
                "warnings": []}
    try:
        return grade(path, student=student, **kw)
    except SandboxUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - one bad submission never stops the batch
        return {"submission": str(path), "student": student, "chapter": kw["chapter"],
                "score": 0, "max_score": sum(e.points for e in
                                             _graded.exercises(kw["chapter"]).values()),
                "exercises": [], "warnings": [],
                "execution": {"status": f"grader error ({type(exc).__name__}: "
                                        f"{str(exc)[:200]})"}}


def gradebook_csv(reports, labels):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student", "score", "max_score", "status", *labels])
    for r in reports:
        pts = {e["label"]: e["points"] for e in r.get("exercises", [])}
        w.writerow([r["student"], r["score"], r["max_score"],
                    r.get("execution", {}).get("status"), *[pts.get(lab, 0) for lab in labels]])
    return buf.getvalue()


def grade_batch(folder, chapter, out, *, jobs=None, **kw):
    """Grade every submission in ``folder``; write ``<out>/<student>.json|txt`` and
    ``<out>/gradebook.csv``; return the reports. ``jobs`` processes in parallel."""
    if chapter not in chapter_modules():
        raise ValueError(f"unknown chapter {chapter!r} (one of: {', '.join(chapter_modules())})")
    if kw.get("sandbox", True):
        why = _sandbox.why_unavailable()
        if why:
            raise SandboxUnavailable(f"cannot sandbox the submissions: {why}. Install "
                                     "bubblewrap, or pass --no-sandbox (trusted notebooks only).")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _check_report_path(out / "gradebook.csv")
    subs = find_submissions(folder, chapter)
    kw = dict(kw, chapter=chapter)
    tasks = [(s, p, why, kw) for s, p, why in subs]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks) or 1))
    reports = []
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        for (student, path, _, _), fut in zip(tasks, [pool.submit(_grade_one, t) for t in tasks]):
            try:
                r = fut.result()
            except SandboxUnavailable:
                raise
            except Exception as exc:  # noqa: BLE001 - a worker that died
                r = _grade_one((student, path, f"grader process failed ({type(exc).__name__})",
                                kw))
            reports.append(r)
            safe = student if STUDENT_ID.match(student) else \
                "invalid-" + hashlib.sha256(student.encode()).hexdigest()[:12]
            with contextlib.suppress(UnsafeReportPath):
                write_report(out / safe, r)
    labels = list(_graded.exercises(chapter))
    write_files([(out / "gradebook.csv", gradebook_csv(reports, labels))])
    return reports


# --------------------------------------------------------------------------- command line
def _parser():
    ap = argparse.ArgumentParser(description="Grade submitted notebooks of the graded "
                                 "exercises, each in a bubblewrap sandbox.")
    ap.add_argument("submission", nargs="?", help="one notebook (or use --batch)")
    ap.add_argument("--batch", metavar="FOLDER", help="grade every submission in FOLDER "
                    "(<student>.ipynb or <student>/.../*.ipynb); --out is then a folder")
    ap.add_argument("--student", help="the student's id (default: the file name); it sets "
                    "the exercise seed")
    ap.add_argument("--course", default="", help="course name mixed into the seeds (the "
                    "COURSE of the released notebooks)")
    ap.add_argument("--chapter", help="chapter of grading/graded (default: from the notebook's "
                    "metadata or file name; required with --batch)")
    ap.add_argument("--out", help="report prefix: writes <out>.json and <out>.txt (default: "
                    "next to the submission, <name>.grade.*); with --batch, the report folder")
    ap.add_argument("--timeout", type=float, default=900, help="wall-clock limit per "
                    "submission, seconds")
    ap.add_argument("--cell-timeout", type=float, default=None,
                    help="per-cell limit, seconds (default min(timeout, 300))")
    ap.add_argument("--memory-mb", type=int, default=MEMORY_MB,
                    help=f"address-space limit of each sandboxed process (default {MEMORY_MB})")
    ap.add_argument("-j", "--jobs", type=int, default=None,
                    help="submissions graded in parallel with --batch (default: the cores)")
    ap.add_argument("--no-sandbox", action="store_true",
                    help="run the submission without bubblewrap (trusted notebooks only)")
    return ap


def main(argv=None):
    args = _parser().parse_args(argv)
    kw = dict(course=args.course, timeout=args.timeout, cell_timeout=args.cell_timeout,
              sandbox=not args.no_sandbox, memory_mb=args.memory_mb)
    try:
        if args.batch:
            if not args.chapter or not args.out:
                raise ValueError("--batch needs --chapter and --out (the report folder)")
            reports = grade_batch(args.batch, args.chapter, args.out, jobs=args.jobs, **kw)
            sys.stdout.write(gradebook_csv(reports, list(_graded.exercises(args.chapter))))
            return 0
        if not args.submission:
            raise ValueError("give a submission notebook, or --batch FOLDER")
        out = Path(args.out) if args.out else Path(args.submission).with_suffix(".grade")
        for suffix in (".json", ".txt"):
            _check_report_path(Path(f"{out}{suffix}"))
        report = grade(args.submission, args.chapter, student=args.student, **kw)
        text = format_report(report)
        write_report(out, report, text)
    except (SandboxUnavailable, UnsafeReportPath, ValueError, OSError) as exc:
        sys.stderr.write(f"grading.grade: error: {exc}\n")
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
