"""Self-checks for the exercises of the chapter *Mass concentrates*."""
from __future__ import annotations

from . import Check, ExerciseError, as_number

__all__ = ["check_threshold", "check_near_threshold", "CHECKS"]




def check_threshold(angle):
    """Exercise ex-mass-threshold: the angle (degrees) at which the LP optimum of
    ``wedge_data`` switches from the single-ReLU to the two-ReLU measure."""
    a = as_number(angle, "an angle in degrees")
    if 0 < a < 1.6:
        raise ExerciseError(f"{a:.4f} looks like radians; the library's angles are in degrees.")
    if not 50 < a < 70:
        raise ExerciseError(f"{a:.3f} degrees is outside the bracket (50, 70) of the exercise. "
                            "Keep the invariant: an atom at 0 degrees at lo, none at hi.")
    if abs(a - 60.0) > 0.02:
        raise ExerciseError(f"{a:.3f} degrees is not where the optimum switches. Bisect until "
                            "hi - lo < 0.01 and test for a nonzero weight exactly at angle 0 "
                            "(np.isclose(r.angles, 0)).")
    return (f"Correct: the switch is at {a:.3f} degrees, where cos(alpha) = 1/2 and both KKT "
            "points have margin 1/6.")


# The chapter's answers on its own data (seed 0), stored as numbers: the self-check
# ships no reference computation. tests/test_exercises_*.py recompute them independently.
# Shares of the positive mass within 5 degrees of e1 after the chapter's training (seed 0).
_SHARES = {58: 0.7781761066574736, 62: 0.004349479270616674}


def check_near_threshold(share_58, share_62):
    """Exercise ex-mass-near: shares of the positive mass within 5 degrees of e1 after
    training on ``wedge_data(58)`` and ``wedge_data(62)`` with the chapter's settings."""
    s58 = as_number(share_58, "the share for alpha = 58")
    s62 = as_number(share_62, "the share for alpha = 62")
    for s in (s58, s62):
        if not 0.0 <= s <= 1.0:
            raise ExerciseError(f"a share of mass must lie in [0, 1]; got {s:.3g}.")
    if s58 < s62:
        raise ExerciseError("the share at e1 is larger for 62 degrees than for 58: did you swap "
                            "the two? The pair is (alpha = 58, alpha = 62).")
    ref58, ref62 = _SHARES[58], _SHARES[62]
    if abs(s58 - ref58) > 0.02 or abs(s62 - ref62) > 0.02:
        raise ExerciseError("the shares are off. Divide by the mass of the *positive* neurons "
                            "(a_j > 0) only, count neurons within 5 degrees of 0, and train with "
                            "seed 0, width 40, scale 1e-10, step 0.5 for 20000 steps.")
    return (f"Correct: {s58:.3f} of the positive mass at e1 for 58 degrees, {s62:.4f} for 62: "
            "the single-ReLU point leads at 58 but less cleanly than the two-ReLU point wins "
            "at 62.")


CHECKS = {
    "ex-mass-threshold": Check("answer_mass_threshold", check_threshold, 1),
    "ex-mass-near": Check("answer_mass_near", lambda v: check_near_threshold(*v), 2),
}
