"""Self-checks for the exercises of the chapter *Homogeneous networks: margins, KKT points,
alignment* (``book/nonlinear/homogeneous.md``)."""
from __future__ import annotations

from . import Check, ExerciseError, as_number

__all__ = ["check_degree", "check_svm_net", "CHECKS"]


# The chapter's answers on its own data (seed 0), stored as numbers: the self-check
# ships no reference computation. tests/test_exercises_*.py recompute them independently.
# kkt_residual of the SVM network on planted_data(40, 5, margin=0.1, seed=7), tol=0.05.
_SVM_NET_RESIDUAL = 0.8591226320172937

_NONFINITE = ("did an output of the network vanish before you divided by it? Keep only the points with a nonzero output.")


def _number(value, what):
    return as_number(value, what, f"{what} is not finite: " + _NONFINITE)


def check_degree(degree):
    """Exercise ex-homogeneous-degree: the measured homogeneity degree of a three-layer
    ReLU² network with a linear output layer."""
    k = _number(degree, "the estimated degree")
    if abs(k - 3) < 0.05:
        raise ExerciseError("3 is the number of layers: that would be the degree of a ReLU "
                            "network. Squaring the pre-activation doubles its degree at each "
                            "hidden layer.")
    if abs(k - 8) < 0.05 or abs(k - 6) < 0.05:
        raise ExerciseError(f"{k:.2f} is off by one: count the degree layer by layer, and "
                            "remember that the output layer is linear (no square).")
    if abs(k - 7) > 0.01:
        raise ExerciseError(f"{k:.3f} is not an integer degree: compare the outputs at p and "
                            "at [2 * W for W in p] (every layer scaled), take log2 of their "
                            "ratio, with activation='relu2'.")
    return f"Correct: degree {k:.3f} = 2^3 - 1."


def check_svm_net(residual):
    """Exercise ex-homogeneous-svm-net: the KKT residual of relu(u.x) - relu(-u.x) built from
    the linear SVM of ``planted_data(40, 5, margin=0.1, seed=7)``, with ``tol=0.05``."""
    r = _number(residual, "the KKT residual")
    if not 0 <= r <= 1:
        raise ExerciseError(f"{r:.3g} is outside [0, 1], where a relative residual "
                            "min ||theta - J^T lambda|| / ||theta|| must lie.")
    ref = _SVM_NET_RESIDUAL
    if r < 1e-6:
        raise ExerciseError("a residual of 0 would make the SVM network a KKT point. Check the "
                            "data (planted_data(40, 5, margin=0.1, seed=7), not a symmetric "
                            "dataset) and that the second row is -u with output weights (1, -1).")
    if abs(r - ref) > 1e-6:
        raise ExerciseError(f"{r:.4f} does not match. Build [np.vstack([u, -u]), "
                            "np.array([[1.0, -1.0]])] with u = ib.max_margin(X, y).direction and "
                            "call ib.kkt_residual(..., activation='relu', tol=0.05).")
    return f"Correct: residual {r:.3f}; the linear SVM is not a KKT point of the network."


CHECKS = {
    "ex-homogeneous-degree": Check("answer_homogeneous_degree", check_degree, 1),
    "ex-homogeneous-svm-net": Check("answer_homogeneous_svm_net", check_svm_net, 2),
}
