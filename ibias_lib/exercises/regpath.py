"""Self-checks for the exercises of the chapter *Open problem 1: gradient descent follows the
regularization path* (``book/linear/regpath.md``)."""
from __future__ import annotations

from . import Check, ExerciseError, as_number

__all__ = ["check_exp_angle", "CHECKS"]


# The chapter's answers on its own data (seed 0), stored as numbers: the self-check
# ships no reference computation. tests/test_exercises_*.py recompute them independently.
# Angles (radians) of exp-loss GD's w_1000 on planted_data(40, 2, margin=0.1, seed=0) to the
# exp-loss path point of its norm, to the logistic-loss one, and to the max-margin direction.
_ANGLE_EXP, _ANGLE_LOGISTIC, _ANGLE_SVM = (0.0005662423936004997, 0.002560884706669129,
                                           0.0044530282540501944)


def check_exp_angle(value):
    """Exercise ex-regpath-exp: the angle (radians) between exponential-loss GD's iterate at
    T = 1000 (``planted_data(40, 2, margin=0.1, seed=0)``, step 1) and the exponential-loss
    path point of the same norm."""
    a = as_number(value, "an angle in radians",
                  f"an angle is a finite number >= 0; got {value!r}.")
    if a < 0:
        raise ExerciseError(f"an angle is a finite number >= 0; got {a!r}.")
    ref = _ANGLE_EXP
    if a > 1.0:
        raise ExerciseError(f"{a:.3g} rad is far too large: did you use degrees, or compare "
                            "with a path point of a different norm?")
    if abs(a - ref) <= 0.02 * ref:
        return f"Correct: {a:.3e} rad, GD stays very close to the exponential-loss path."
    # Diagnose the common slips without revealing the value.
    if abs(a - _ANGLE_LOGISTIC) <= 0.02 * ref:
        raise ExerciseError("this is the angle to the *logistic* path: pass loss='exp' to the "
                            "path solver as well.")
    if abs(a - _ANGLE_SVM) <= 0.02 * ref:
        raise ExerciseError("this is the angle to the max-margin direction, not to the path "
                            "point of the same norm.")
    raise ExerciseError(f"{a:.3e} rad is not the expected angle. Use the iterate after exactly "
                        "1000 steps of ib.gd(..., loss='exp', step=1.0) and "
                        "ib.constrained_minimizer(X, y, ||w_T||, loss='exp').")


CHECKS = {
    "ex-regpath-exp": Check("answer_regpath_exp_angle", check_exp_angle, 2),
}
