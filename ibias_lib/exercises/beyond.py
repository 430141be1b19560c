"""Self-checks for the exercises of the chapter *Beyond homogeneity: SiLU, GELU and attention*
(``book/nonlinear/beyond.md``)."""
from __future__ import annotations

from . import Check, ExerciseError, as_number

__all__ = ["check_selection", "CHECKS"]


# The chapter's answers on its own data (seed 0), stored as numbers: the self-check
# ships no reference computation. tests/test_exercises_*.py recompute them independently.
_FRACTION = 0.85


def check_selection(fraction):
    """Exercise ex-beyond-selection: the fraction of the 20 sequences of
    ``token_data(20, 5, 8, seed=0)`` in which trained attention ends on the optimal token."""
    f = as_number(fraction, "a fraction")
    if not 0 <= f <= 1:
        raise ExerciseError(f"{f!r} is not a fraction in [0, 1]. Count matching sequences "
                            "and divide by 20.")
    ref = _FRACTION
    if abs(f - ref) < 1e-12:
        return f"Correct: the optimal token wins in {round(20 * f)} of 20 sequences."
    if f == 1.0:
        raise ExerciseError("not every sequence ends on its optimal token. Compare "
                            "tr.selected() (the most-attended token at the last record) with "
                            "ib.optimal_tokens(X, v, y), not with itself.")
    raise ExerciseError(f"{f:.2f} does not match. Use ib.token_data(20, 5, 8, seed=0), "
                        "ib.train_attention(..., loss='logistic', step=0.1, n_steps=3000) from "
                        "W = 0, and the fraction of sequences where the two agree.")


CHECKS = {
    "ex-beyond-selection": Check("answer_beyond_selection", check_selection, 2),
}
