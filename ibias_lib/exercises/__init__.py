"""Self-checks for the book's computational exercises, for readers.

One module per chapter (``ibias_lib.exercises.rates`` for ``book/linear/rates.md``, ...).
Each module defines check functions and a registry ``CHECKS``::

    CHECKS = {
        "ex-rates-slope": Check(variable="answer_rates_slope", check=check_slope, points=2),
    }

A check function takes the reader's value, returns a short success message, and raises
:class:`ExerciseError` (an ``AssertionError``) whose message says what is wrong and gives a
hint, never the answer. The checks are about the chapter's own data (seed 0) and compare with
numbers stored in the module: no reference solution ships with the package. Coursework is
graded elsewhere, on per-student data, by the instructor's ``grading/`` (not installed with
``ibias_lib``; see ``grading/README.md``).
"""
from __future__ import annotations

import importlib
import math
import pkgutil
from typing import Callable, NamedTuple

__all__ = ["Check", "ExerciseError", "all_checks", "as_number"]


class ExerciseError(AssertionError):
    """A wrong answer to an exercise; the message is the hint."""


class Check(NamedTuple):
    """A registered exercise check: the notebook ``variable`` holding the answer, the
    ``check`` function applied to it, and the ``points`` it is worth."""
    variable: str
    check: Callable
    points: float = 1.0


def as_number(value, what, nonfinite=None):
    """``float(value)`` for a check, or an :class:`ExerciseError` that names ``what`` was
    expected: for a value that is not a number, and for inf or NaN (message ``nonfinite``,
    a hint on how the student's computation could have overflowed)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ExerciseError(f"expected a number ({what}); got {type(value).__name__}.") from None
    if not math.isfinite(v):
        raise ExerciseError(nonfinite or f"{what} is not finite ({v!r}).")
    return v


def all_checks():
    """Return ``{exercise_label: Check}`` over every chapter module of this package."""
    out = {}
    for info in pkgutil.iter_modules(__path__):
        mod = importlib.import_module(f"{__name__}.{info.name}")
        for label, chk in getattr(mod, "CHECKS", {}).items():
            if label in out:
                raise RuntimeError(f"exercise label {label!r} registered twice")
            out[label] = chk
    return out
