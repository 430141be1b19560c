"""Self-checks for the exercises of the chapter *Open problem 1: gradient descent follows the
regularization path* (``book/linear/regpath.md``)."""
from __future__ import annotations

import numpy as np

from . import Check, ExerciseError, as_number

__all__ = ["check_exp_angle", "CHECKS"]


def _reference_exp_angle():
    import ibias_lib as ib
    X, y = ib.planted_data(40, 2, margin=0.1, seed=0)
    tr = ib.gd(X, y, loss="exp", step=1.0, n_steps=1000, record_at=np.array([1000]))
    w = tr.w[-1]
    w_bar = ib.constrained_minimizer(X, y, np.linalg.norm(w), loss="exp").w
    return float(ib.angle(w, w_bar)), ib, X, y, w


def check_exp_angle(value):
    """Exercise ex-regpath-exp: the angle (radians) between exponential-loss GD's iterate at
    T = 1000 (``planted_data(40, 2, margin=0.1, seed=0)``, step 1) and the exponential-loss
    path point of the same norm."""
    a = as_number(value, "an angle in radians",
                  f"an angle is a finite number >= 0; got {value!r}.")
    if a < 0:
        raise ExerciseError(f"an angle is a finite number >= 0; got {a!r}.")
    ref, ib, X, y, w = _reference_exp_angle()
    if a > 1.0:
        raise ExerciseError(f"{a:.3g} rad is far too large: did you use degrees, or compare "
                            "with a path point of a different norm?")
    if abs(a - ref) <= 0.02 * ref:
        return f"Correct: {a:.3e} rad, GD stays very close to the exponential-loss path."
    # Diagnose the common slips without revealing the value.
    w_log = ib.constrained_minimizer(X, y, np.linalg.norm(w), loss="logistic").w
    if abs(a - float(ib.angle(w, w_log))) <= 0.02 * ref:
        raise ExerciseError("this is the angle to the *logistic* path: pass loss='exp' to the "
                            "path solver as well.")
    if abs(a - float(ib.angle(w, ib.max_margin(X, y).direction))) <= 0.02 * ref:
        raise ExerciseError("this is the angle to the max-margin direction, not to the path "
                            "point of the same norm.")
    raise ExerciseError(f"{a:.3e} rad is not the expected angle. Use the iterate after exactly "
                        "1000 steps of ib.gd(..., loss='exp', step=1.0) and "
                        "ib.constrained_minimizer(X, y, ||w_T||, loss='exp').")


CHECKS = {
    "ex-regpath-exp": Check("answer_regpath_exp_angle", check_exp_angle, 2),
}
