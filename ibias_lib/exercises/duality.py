"""Self-checks for the exercises of the chapter *Rates via duality, and the fastest margin
maximizer* (``book/linear/duality.md``)."""
from __future__ import annotations

import numpy as np

from . import Check, ExerciseError, as_number

__all__ = ["check_mirror_upper", "check_first_certified_step", "CHECKS"]


# The chapter's answers on its own data (seed 0), stored as numbers: the self-check
# ships no reference computation. tests/test_exercises_*.py recompute them independently.
# On planted_data(100, 10, margin=0.05, seed=0): the max margin, ||A^T q|| after 500 and after 1
# step of entropic mirror descent, and the first step certified to 1e-3 by fast_margin_trace.
_GAMMA, _UPPER_500, _UPPER_1, _FIRST_CERTIFIED = (0.06776524331693021, 0.07775322717098011,
                                                  0.2674351577580088, 670)


_NONFINITE = ("did the weights overflow? Subtract the largest exponent before exponentiating.")


def _as_float(value, what):
    return as_number(value, what, f"{what} is not finite: " + _NONFINITE)


def check_mirror_upper(value):
    """Exercise ex-duality-mirror: ``||A^T q||`` after 500 steps of entropic mirror descent
    ``q <- q * exp(-A A^T q)`` (normalized) from the uniform weights, on
    ``planted_data(100, 10, margin=0.05, seed=0)``."""
    v = _as_float(value, "the norm ||A^T q_500||")
    gamma = _GAMMA
    if v < gamma * (1 - 1e-9):
        raise ExerciseError(f"{v:.6g} is below the max margin {gamma:.6g}, which no q on the "
                            "simplex can do: are your weights nonnegative and summing to one?")
    expected = _UPPER_500
    if abs(v - expected) > 1e-8 * expected:
        raise ExerciseError(f"{v:.10g} is a valid upper bound but not the one the recursion "
                            "gives. Check the step: the gradient of q -> ||A^T q||^2 / 2 is "
                            "A A^T q, the step size is 1, and you should take exactly 500 "
                            f"steps (after one step the norm is {_UPPER_1:.6f}).")
    return (f"Correct: ||A^T q_500|| = {v:.8f} >= max margin {gamma:.8f}; the same number as "
            "normalized GD's dual weights after 500 steps.")


def check_first_certified_step(t):
    """Exercise ex-duality-first: the first step t <= 3000 of ``ib.fast_margin_trace`` (every
    step recorded) at which ``(upper - margin) / upper <= 1e-3``, on
    ``planted_data(100, 10, margin=0.05, seed=0)``."""
    if not isinstance(t, (int, np.integer)) or isinstance(t, bool):
        raise ExerciseError(f"expected an integer step; got {t!r}.")
    expected = _FIRST_CERTIFIED
    if int(t) != expected:
        hint = ("too early: at that step the certified gap is still above 1e-3"
                if t < expected else "too late: the certified gap was already below 1e-3")
        raise ExerciseError(f"t = {t} is {hint}. Use extra['upper'] (the best upper bound so "
                            "far) and the margin of the same step, recorded at every step, "
                            "and do not use the true max margin.")
    return (f"Correct: certified to 1e-3 at step {t}, without ever computing the max margin.")


CHECKS = {
    "ex-duality-mirror": Check("answer_duality_mirror_upper", check_mirror_upper, 2),
    "ex-duality-first": Check("answer_duality_first_step", check_first_certified_step, 2),
}
