"""Self-checks for the exercises of the chapter *Deep linear networks: the layers align*
(``book/nonlinear/deep_linear.md``)."""
from __future__ import annotations

import numpy as np

from . import Check, ExerciseError, as_number

__all__ = ["check_fro2", "CHECKS"]


# The chapter's answers on its own data (seed 0), stored as numbers: the self-check
# ships no reference computation. tests/test_exercises_*.py recompute them independently.
# Sums of the nuclear norms of the balance matrices D_i for i >= 1 and i >= 2, and the sum of
# their Frobenius norms, for init_network(default_rng(0), (5, 8, 8, 1), scale=0.3).
_NUC_FROM_1, _NUC_FROM_2, _FRO_SUM = 12.91373327717315, 6.473976664702698, 6.1159528655743


def check_fro2(value):
    """Exercise ex-deep-linear-fro: the squared Frobenius norm of W_1 beyond which the balance
    bound certifies ||W_1||_2 / ||W_1||_F >= 0.99, for the initialization of scale 0.3."""
    v = as_number(value, "a squared norm")
    if v <= 0:
        raise ExerciseError(f"{v!r} is not a positive finite squared norm.")
    target = _NUC_FROM_1 / (1 - 0.99 ** 2)
    if np.isclose(v, target, rtol=1e-6):
        return f"Correct: ||W_1||_F^2 >= {v:.1f} certifies the ratio 0.99."
    if np.isclose(v, _NUC_FROM_2 / (1 - 0.99 ** 2), rtol=1e-6):
        raise ExerciseError("that is the threshold for W_2: the bound for W_1 sums the nuclear "
                            "norms of all balance matrices D_i with i >= 1.")
    if np.isclose(v, _NUC_FROM_1 / (1 - 0.99), rtol=1e-6):
        raise ExerciseError("the proposition bounds 1 - ||W||_2^2 / ||W||_F^2 (squared "
                            "ratio): solve for the ratio 0.99, not its square.")
    fro = _FRO_SUM / (1 - 0.99 ** 2)
    if np.isclose(v, fro, rtol=1e-6):
        raise ExerciseError("use the nuclear norm np.linalg.norm(D, 'nuc') of each D_i, not "
                            "the Frobenius norm.")
    raise ExerciseError(f"{v:.4g} does not match. Compute B = sum of nuclear norms of "
                        "ib.layer_balance(p0), then the ||W_1||_F^2 at which B / ||W_1||_F^2 "
                        "equals 1 - 0.99**2.")


CHECKS = {
    "ex-deep-linear-fro": Check("answer_deep_linear_fro2", check_fro2, 2),
}
