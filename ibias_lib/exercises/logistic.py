"""Self-checks for the exercises of the chapter *Open problem 2: logistic versus exponential*
(``book/linear/logistic.md``)."""
from __future__ import annotations

import numpy as np

from . import Check, ExerciseError

__all__ = ["check_decomposition", "CHECKS"]


# The chapter's answers on its own data (seed 0), stored as numbers: the self-check
# ships no reference computation. tests/test_exercises_*.py recompute them independently.
# nonseparable_data(12, 16, 4, tight_dim=2, margin=0.2, seed=3): sizes of the separable and
# tight parts, and the norms of the tight minimizers of the two losses.
_N_SEPARABLE, _N_TIGHT = 12, 16
_OFFSET_NORMS = {"exp": 0.6127783630923986, "logistic": 1.273244621448459}


def check_decomposition(answer):
    """Exercise ex-logistic-decompose: ``(n_separable, offset_norm)`` for
    ``nonseparable_data(12, 16, 4, tight_dim=2, margin=0.2, seed=3)`` and the exponential
    loss."""
    try:
        n_sep, norm = answer
    except (TypeError, ValueError):
        raise ExerciseError("expected a pair (n_separable, offset_norm); got "
                            f"{answer!r}.") from None
    if isinstance(n_sep, (bool, np.bool_)) or not isinstance(n_sep, (int, np.integer)):
        raise ExerciseError(f"n_separable should be an integer count of points; got {n_sep!r}. "
                            "Count the True entries of the separable mask.")
    try:
        norm = float(norm)
    except (TypeError, ValueError):
        raise ExerciseError(f"offset_norm should be a number; got {norm!r}.") from None
    if not np.isfinite(norm) or norm < 0:
        raise ExerciseError(f"offset_norm is a norm, a finite number >= 0; got {norm!r}.")
    ref_sep, ref_tight, ref_norm = _N_SEPARABLE, _N_TIGHT, _OFFSET_NORMS
    if int(n_sep) != ref_sep:
        if int(n_sep) == ref_tight:
            raise ExerciseError("that is the size of the tight part, not of the separable "
                                "part.")
        raise ExerciseError(f"{n_sep} is not the size of the maximal separable subset: use "
                            "ib.separable_decomposition on exactly these data.")
    if abs(norm - ref_norm["exp"]) <= 1e-6 * max(1.0, ref_norm["exp"]):
        return (f"Correct: {n_sep} separable points; the exponential-loss offset has norm "
                f"{norm:.4f}.")
    if abs(norm - ref_norm["logistic"]) <= 1e-6 * max(1.0, ref_norm["logistic"]):
        raise ExerciseError("that is the offset for the logistic loss; the exercise asks for "
                            "loss='exp'.")
    if norm == 0:
        raise ExerciseError("the offset is not zero here: the tight points' risk is minimized "
                            "away from the origin. Use ib.tight_minimizer.")
    raise ExerciseError(f"offset_norm {norm:.6g} is not right. The offset is the minimizer of "
                        "the tight part's risk on V: ib.tight_minimizer(X, y, loss='exp').")


CHECKS = {
    "ex-logistic-decompose": Check("answer_logistic_decomposition",
                                   check_decomposition, 2),
}
