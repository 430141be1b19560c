"""Self-checks for the exercises of the chapter *Explicit versus implicit bias*."""
from __future__ import annotations

import numpy as np

from . import Check, ExerciseError

__all__ = ["BANDWIDTHS", "check_bandwidth_margins", "check_shrinkage_steps", "CHECKS"]

BANDWIDTHS = (0.1, 0.2, 0.3, 0.5, 1.0)


# The chapter's answers on its own data (seed 0), stored as numbers: the self-check
# ships no reference computation. tests/test_exercises_*.py recompute them independently.
# On rings_data(40, seed=0): the RKHS max margins for BANDWIDTHS, the same with scikit-learn's
# gamma passed as the bandwidth, and the first steps of AdaBoost (shrinkage 1, 0.2) at 0.95 gamma_1.
_MARGINS = np.array([0.20945607313672637, 0.2566981551478215, 0.2633776949070624,
                     0.1878406693524814, 0.06680260221843402])
_MARGINS_SWAPPED = np.array([0.014773141613186345, 0.028809224911780954, 0.042137775668148345,
                             0.06680260221843402, 0.11844994857189861])
_SHRINKAGE_STEPS = {"t_plain": 152, "t_shrunk": 2362}


def check_bandwidth_margins(values):
    """Exercise ex-explicit-implicit-bandwidth: the RKHS max margins gamma_H of the bias-free
    RBF SVM on ``rings_data(40, seed=0)`` for the bandwidths ``BANDWIDTHS``, in that order."""
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ExerciseError(f"expected a sequence of {len(BANDWIDTHS)} numbers; got "
                            f"{type(values).__name__}.") from None
    if v.shape != (len(BANDWIDTHS),):
        raise ExerciseError(f"expected one margin per bandwidth, {len(BANDWIDTHS)} numbers in "
                            f"the order {BANDWIDTHS}; got shape {v.shape}.")
    if not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise ExerciseError("every margin should be a positive finite number: the RBF kernel "
                            "separates these data at every bandwidth.")
    if np.any(v > 1):
        raise ExerciseError("a margin above 1 is impossible here: k(x, x) = 1, so "
                            "|f(x_i)| <= ||f||_H. Did you forget to normalize by ||f||_H?")
    ref = _MARGINS
    if np.allclose(v, ref, rtol=1e-5):
        best = BANDWIDTHS[int(np.argmax(ref))]
        return (f"Correct: the margin peaks at bandwidth {best}; very wide kernels make every "
                "separating f expensive in norm, very narrow ones approach K = I.")
    # a frequent slip: passing scikit-learn's gamma = 1 / (2 sigma^2) as the bandwidth
    swapped = _MARGINS_SWAPPED
    if np.allclose(v, swapped, rtol=1e-5):
        raise ExerciseError("these are the margins for scikit-learn's gamma, not for the "
                            "bandwidth sigma: ib.rbf_kernel takes bandwidth=sigma, with "
                            "k = exp(-||x - z||^2 / (2 sigma^2)).")
    if np.allclose(v, ref[::-1], rtol=1e-5):
        raise ExerciseError(f"the values are in reverse order; list them for {BANDWIDTHS}.")
    bad = int(np.flatnonzero(~np.isclose(v, ref, rtol=1e-5))[0])
    raise ExerciseError(f"the margin for bandwidth {BANDWIDTHS[bad]} is off. Use the "
                        "bias-free SVM (ib.kernel_max_margin, whose gamma is 1/||f||_H), not "
                        "SVC with an intercept, on ib.rings_data(40, seed=0).")


def check_shrinkage_steps(t_plain, t_shrunk):
    """Exercise ex-explicit-implicit-shrinkage: on the chapter's stumps, the first step t at
    which AdaBoost's normalized L1 margin reaches 0.95 of the L1 max margin, for shrinkage 1
    and 0.2 (``n_steps=5000``, ``record_at=np.arange(1, 5001)``)."""
    for name, val in [("t_plain", t_plain), ("t_shrunk", t_shrunk)]:
        if not isinstance(val, (int, np.integer)) or isinstance(val, bool):
            raise ExerciseError(f"{name} should be an integer step count; got {val!r}.")
    for name, val in [("t_plain", t_plain), ("t_shrunk", t_shrunk)]:
        expected = _SHRINKAGE_STEPS[name]
        if int(val) != expected:
            direction = "too early" if val < expected else "too late"
            raise ExerciseError(f"{name} = {val} is {direction}. Record every step and take "
                                "the first t with margin_1(lambda_t) >= 0.95 * gamma_1^*, with "
                                "the stumps of ib.decision_stumps(X) (constant included).")
    return (f"Correct: {t_plain} steps without shrinkage, {t_shrunk} with nu = 0.2. Smaller "
            "steps buy a better worst-case limit (the nu gamma/2 term) at the price of time.")


CHECKS = {
    "ex-explicit-implicit-bandwidth": Check("answer_explicit_implicit_bandwidth",
                                            check_bandwidth_margins, 2),
    "ex-explicit-implicit-shrinkage": Check("answer_explicit_implicit_shrinkage",
                                            lambda v: check_shrinkage_steps(*v), 2),
}
