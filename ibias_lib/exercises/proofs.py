"""Self-checks for the exercises of the chapter *Proof techniques, checked step by step*."""
from __future__ import annotations

import numpy as np

from . import Check, ExerciseError

__all__ = ["check_certified_step", "CHECKS"]


# The chapter's answers on its own data (seed 0), stored as numbers: the self-check
# ships no reference computation. tests/test_exercises_*.py recompute them independently.
# First t >= 1 with B_t >= 0, and the closed form's first t (normalized GD, eta = 1), on
# planted_data(50, 5, margin=0.2, seed=0).
_FIRST_CERTIFIED, _CLOSED_FORM = 74, 124


def check_certified_step(t):
    """Exercise ex-proofs-certify: the first step t >= 1 at which the telescoped certificate
    B_t of normalized GD (exp loss, step 1, w_0 = 0, ``planted_data(50, 5, margin=0.2,
    seed=0)``) is nonnegative."""
    if not isinstance(t, (int, np.integer)) or isinstance(t, bool):
        raise ExerciseError(f"expected an integer step; got {t!r}.")
    t = int(t)
    expected, closed = _FIRST_CERTIFIED, _CLOSED_FORM
    if t == expected:
        return (f"Correct: the certificate starts at t = {t}, well before the closed form "
                f"(t >= {closed}), because early gradients are much longer than gamma-bar.")
    if abs(t - closed) <= 1:
        raise ExerciseError(f"t = {t} is where the closed-form bound starts; the exercise asks "
                            "for B_t computed from the measured gradient norms ||g_s||.")
    if abs(t - expected) == 1:
        raise ExerciseError(f"t = {t} is off by one: B_t uses ||g_s|| for s = 0..t-1, so the "
                            "cumulative sum at array index k belongs to step k + 1.")
    direction = "too early" if t < expected else "too late"
    raise ExerciseError(f"t = {t} is {direction}. B_t >= 0 iff eta(1 - eta/2) sum_{{s<t}} "
                        "||g_s||^2 >= ln n, with g_s = A^T softmax(-A w_s).")


CHECKS = {
    "ex-proofs-certify": Check("answer_proofs_certified_step", check_certified_step, 2),
}
