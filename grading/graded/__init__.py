"""Graded exercises: the instructor's side of the coursework (not part of ``ibias_lib``).

The book's exercises are self-checks for readers, on the chapter's data (seed 0), with hints.
A *graded* exercise is the same task on data drawn from a per-student seed: one module per
chapter (``grading/graded/rates.py`` for ``book/linear/rates.md``) defines ``EXERCISES``, a
tuple of :class:`Graded`, each with

* ``statement``: the exercise as the student reads it (markdown), naming the seeded data;
* ``solution``: the reference solution, self-contained Python that uses ``np``, ``ib`` and
  ``EXERCISE_SEED`` and assigns ``variable``; the grader runs it in its own process to get the
  expected value for a student's seed (:func:`reference`), and ``grading.student`` puts it in
  the instructor's nbgrader notebook between ``### BEGIN SOLUTION`` / ``### END SOLUTION``;
* ``kind`` and tolerances for :func:`judge`, which compares a submitted value with the
  expected one and says only *whether* it matches (and, for a value of the wrong type or
  shape, what type was expected), never in which direction it is off.

None of this is installed with ``ibias_lib``, and none of it is visible inside the sandbox in
which submissions run (grading/sandbox.py). The seed of a student is
:func:`student_seed` of the id the grader is given (the submission's folder in batch mode, or
``--student``), never the id written in the notebook.
"""
from __future__ import annotations

import hashlib
import importlib
import pkgutil
from typing import NamedTuple

SETUP = "import numpy as np\nimport ibias_lib as ib"
SEED_TAG = "exercise-seed"


class Graded(NamedTuple):
    """One graded computational exercise (see the module docstring)."""
    label: str
    variable: str
    points: float
    statement: str
    solution: str
    kind: str = "float"          # "float", "floats", "int", "ints", "int_float"
    rtol: float = 1e-6
    atol: float = 0.0
    length: int = 1              # number of entries for "floats" / "ints" / "int_float"


def student_seed(student_id, course=""):
    """The exercise seed of ``student_id`` (an integer in [1, 2^31 - 1], never the book's 0):
    the first 8 hex digits of SHA-256 of ``"ibias:<course>:<id>"``. Public on purpose: a
    student may compute anyone's seed, which earns nothing without that student's answers."""
    sid = str(student_id).strip()
    if not sid:
        raise ValueError("empty student id: pass the student's id (--student, or the "
                         "submission's folder name in batch mode)")
    h = hashlib.sha256(f"ibias:{course}:{sid}".encode()).hexdigest()
    return 1 + int(h[:8], 16) % (2**31 - 1)


def seed_cell_source(student_id="", course=""):
    """The code of the notebook's seed cell (tag ``exercise-seed``): the student writes the id;
    the grader replaces the whole cell with its own id and seed."""
    return (f"# Your exercise data depend on your student id: write it exactly as on the "
            f"course list.\nSTUDENT_ID = {student_id!r}\nCOURSE = {course!r}\n"
            "import hashlib\n"
            "if not STUDENT_ID.strip():\n"
            "    raise ValueError('write your student id in STUDENT_ID, then run this cell again')\n"
            "EXERCISE_SEED = 1 + int(hashlib.sha256(f'ibias:{COURSE}:{STUDENT_ID.strip()}'"
            ".encode()).hexdigest()[:8], 16) % (2**31 - 1)\n"
            "print('your exercise seed:', EXERCISE_SEED)")


def chapters():
    """Chapter names that have graded exercises."""
    return sorted(i.name for i in pkgutil.iter_modules(__path__))


def exercises(chapter):
    """``{label: Graded}`` of a chapter ({} when it has none)."""
    if chapter not in chapters():
        return {}
    mod = importlib.import_module(f"{__name__}.{chapter}")
    return {ex.label: ex for ex in mod.EXERCISES}


def reference(ex, seed):
    """The expected value of ``ex`` for ``seed``: its solution run here, in a fresh namespace."""
    ns = {"EXERCISE_SEED": int(seed), "__name__": "__ibias_reference__"}
    exec(compile(SETUP + "\n" + ex.solution, f"<reference {ex.label}>", "exec"), ns)
    if ex.variable not in ns:
        raise RuntimeError(f"the reference solution of {ex.label} does not define "
                           f"{ex.variable}")
    return ns[ex.variable]


# --------------------------------------------------------------------------- judging
# One source for the grader (exec'd below) and for the nbgrader hidden tests (embedded by
# grading.student), so that both judge alike. Needs only numpy and math.
JUDGE_SRC = r"""
def judge_value(kind, value, expected, rtol, atol, length):
    import math
    import numpy as np

    class Mismatch(Exception):
        pass

    def is_int(v):
        return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))

    def is_real(v):
        return isinstance(v, (int, float, np.integer, np.floating)) and \
            not isinstance(v, (bool, np.bool_))

    def entries(v, n, what):
        if isinstance(v, np.ndarray):
            v = list(v) if v.ndim == 1 else None
        if not isinstance(v, (list, tuple)) or len(v) != n:
            raise Mismatch(what)
        return list(v)

    def close(v, e):
        if not is_real(v):
            raise Mismatch("a number")
        v = float(v)
        if not math.isfinite(v):
            raise Mismatch("a finite number")
        return abs(v - float(e)) <= atol + rtol * abs(float(e))

    try:
        if kind == "float":
            ok = close(value, expected)
        elif kind == "int":
            if not is_int(value):
                raise Mismatch("an integer")
            ok = int(value) == int(expected)
        elif kind == "floats":
            vals = entries(value, length, f"a sequence of {length} numbers")
            ok = all([close(v, e) for v, e in zip(vals, expected)])
        elif kind == "ints":
            vals = entries(value, length, f"a tuple of {length} integers")
            if not all(is_int(v) for v in vals):
                raise Mismatch(f"a tuple of {length} integers")
            ok = [int(v) for v in vals] == [int(e) for e in expected]
        elif kind == "int_float":
            vals = entries(value, 2, "a pair (integer, number)")
            if not is_int(vals[0]):
                raise Mismatch("a pair (integer, number)")
            ok = int(vals[0]) == int(expected[0]) and close(vals[1], expected[1])
        else:
            raise ValueError(f"unknown kind {kind!r}")
    except Mismatch as exc:
        return False, f"incorrect (expected {exc})"
    return (True, "correct") if ok else (False, "incorrect")
"""
_ns = {}
exec(compile(JUDGE_SRC, "<grading.graded.JUDGE_SRC>", "exec"), _ns)
judge_value = _ns["judge_value"]


def judge(ex, value, expected):
    """``(passed, message)``: whether ``value`` matches ``expected`` for ``ex``. A failure's
    message names the expected type when the type is wrong, else says only "incorrect"."""
    return judge_value(ex.kind, value, expected, ex.rtol, ex.atol, ex.length)


def hidden_test_source(ex):
    """The nbgrader hidden test of ``ex``: the reference solution for the kernel's
    ``EXERCISE_SEED`` and the same comparison as the grader, inside one function."""
    return (f"def _ibias_hidden_test():\n"
            + "\n".join("    " + line if line else "" for line in JUDGE_SRC.strip().split("\n"))
            + f"\n    ns = {{'EXERCISE_SEED': EXERCISE_SEED}}\n"
            f"    exec({(SETUP + chr(10) + ex.solution)!r}, ns)\n"
            f"    ok, why = judge_value({ex.kind!r}, {ex.variable}, ns[{ex.variable!r}], "
            f"{ex.rtol!r}, {ex.atol!r}, {ex.length!r})\n"
            f"    assert ok, why\n\n\n_ibias_hidden_test()")
