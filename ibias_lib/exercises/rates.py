"""Self-checks for the exercises of the chapter *Margins at rate 1/ln t and 1/t*."""
from __future__ import annotations

import numpy as np

from . import Check, ExerciseError, as_number

__all__ = ["check_normalized_slope", "check_steps_to_gap", "CHECKS"]


# The chapter's answers on its own data (seed 0), stored as numbers: the self-check
# ships no reference computation. tests/test_exercises_*.py recompute them independently.
# First steps of constant-step and normalized GD at a gap <= 0.02 on the chapter's data.
_STEPS_TO_GAP = {"t_const": 1715, "t_norm": 180}


def check_normalized_slope(slope):
    """Exercise ex-rates-logistic: the fitted log-log slope of normalized GD's margin gap on
    the logistic loss, over t in [1e3, 1e5], on ``planted_data(100, 10, margin=0.05, seed=0)``."""
    s = as_number(slope, "the fitted slope",
                  "the slope is not finite: did a gap become 0 or negative before you took "
                  "its log?")
    if s > 0:
        raise ExerciseError(f"slope {s:.3f} is positive: the gap should shrink. Did you fit "
                            "log(margin) instead of log(gamma - margin)?")
    if not -1.25 <= s <= -0.8:
        raise ExerciseError(f"slope {s:.3f} is outside the expected range. Fit "
                            "np.polyfit(np.log(t), np.log(gap), 1) over t >= 1000 only, with "
                            "loss='logistic' and normalized steps.")
    return f"Correct: slope {s:.3f}, the 1/t rate survives the change of loss."


def check_steps_to_gap(t_const, t_norm):
    """Exercise ex-rates-steps: the first recorded steps at which constant-step GD and
    normalized GD (exp loss, step 1, ``planted_data(100, 10, margin=0.05, seed=0)``,
    ``record_at=np.arange(1, 20001)``) reach a margin gap of at most 0.02."""
    for name, val in [("t_const", t_const), ("t_norm", t_norm)]:
        if not isinstance(val, (int, np.integer)) or isinstance(val, bool):
            raise ExerciseError(f"{name} should be an integer step count; got {val!r}.")
    for name, val in [("t_const", t_const), ("t_norm", t_norm)]:
        expected = _STEPS_TO_GAP[name]
        if int(val) != expected:
            direction = "too early" if val < expected else "too late"
            raise ExerciseError(f"{name} = {val} is {direction}. Use the first t with "
                                "gamma - margin(w_t) <= 0.02, recording every step.")
    return f"Correct: {t_const} constant steps versus {t_norm} normalized steps."


CHECKS = {
    "ex-rates-logistic": Check("answer_rates_logistic_slope", check_normalized_slope, 2),
    "ex-rates-steps": Check("answer_rates_steps", lambda v: check_steps_to_gap(*v), 2),
}
