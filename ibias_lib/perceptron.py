r"""Rosenblatt's perceptron and Novikoff's mistake bound, the oldest implicit-bias argument.

**Novikoff (1962).** If :math:`\|x_i\|\le R` and some unit :math:`u` has
:math:`y_ix_i^\top u\ge\gamma>0` for all i, the perceptron (update :math:`w\leftarrow w+y_ix_i`
on each mistake :math:`y_ix_i^\top w\le 0`) makes at most :math:`R^2/\gamma^2` mistakes, in any
order and over any number of passes. Proof: each mistake raises :math:`\langle w,u\rangle` by
at least :math:`\gamma` and :math:`\|w\|^2` by at most :math:`R^2`, so after k mistakes
:math:`k\gamma\le\|w\|\le\sqrt k R`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validation as _v

__all__ = ["PerceptronResult", "perceptron"]


class PerceptronResult(NamedTuple):
    """Result of :func:`perceptron`: final ``w``, total ``mistakes``, ``epochs`` run,
    ``converged`` (a full pass without mistakes), and ``mistake_norms``
    (:math:`\\|w\\|` after each mistake)."""
    w: np.ndarray
    mistakes: int
    epochs: int
    converged: bool
    mistake_norms: np.ndarray


def perceptron(X, y, *, max_epochs=1000, seed=None):
    r"""Run the perceptron until a pass makes no mistake (or ``max_epochs`` passes).

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}
    max_epochs : int >= 1
    seed : int or None
        If given, visit the samples in a fresh seeded random order each pass; else in order.

    Returns
    -------
    PerceptronResult
    """
    X, y = _v.check_X_y(X, y)
    max_epochs = _v.check_int(max_epochs, "max_epochs", minimum=1)
    rng = None if seed is None else np.random.default_rng(seed)
    A = y[:, None] * X
    w = np.zeros(X.shape[1])
    mistakes, norms = 0, []
    for epoch in range(1, max_epochs + 1):
        order = np.arange(len(A)) if rng is None else rng.permutation(len(A))
        clean = True
        for i in order:
            if A[i] @ w <= 0:
                w = w + A[i]
                mistakes += 1
                norms.append(np.linalg.norm(w))
                clean = False
        if clean:
            return PerceptronResult(w, mistakes, epoch, True, np.array(norms))
    return PerceptronResult(w, mistakes, max_epochs, False, np.array(norms))
