r"""Seeded datasets. Every generator takes ``seed`` and returns the same arrays on every run."""
from __future__ import annotations

import numpy as np
from scipy.special import betainc

from . import _validation as _v

__all__ = ["planted_data", "soudry_data"]


def planted_data(n, d, *, margin=0.1, seed=0):
    r"""Linearly separable data in the unit ball with a planted margin.

    Draws a random unit direction :math:`u^*`, then points uniformly in the unit ball of
    :math:`\mathbb R^d` with :math:`|\langle x, u^*\rangle| \ge` ``margin`` (rejection
    sampling), labelled :math:`y = \operatorname{sign}\langle x, u^*\rangle`. Hence
    :math:`\|x_i\|\le 1` and the max margin through the origin is at least ``margin``
    (usually a little more: compute it with :func:`ibias_lib.max_margin`).

    Parameters
    ----------
    n, d : int >= 1
        Number of samples and dimension (d >= 1).
    margin : float in (0, 1)
        The planted margin.
    seed : int
        Seed of ``np.random.default_rng``.

    Returns
    -------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,), entries in {-1, +1}; both classes present when n >= 2.
    """
    n = _v.check_int(n, "n", minimum=1)
    d = _v.check_int(d, "d", minimum=1)
    margin = _v.check_positive(margin, "margin")
    if margin >= 1:
        raise ValueError(f"margin must be in (0, 1) for data in the unit ball; got {margin}.")
    # P(|<x, u*>| >= margin) for x uniform in the ball: x_1 has density ~ (1 - t^2)^((d-1)/2),
    # so the tail is the regularized incomplete beta I_{1 - margin^2}((d + 1)/2, 1/2).
    p = float(betainc((d + 1) / 2, 0.5, 1.0 - margin ** 2))
    if p * 10**7 < n:
        raise ValueError(
            f"planted_data cannot plant margin {margin} in d={d} by rejection: a uniform point "
            f"of the unit ball has |<x, u*>| >= {margin} with probability {p:.2g}, so {n} points "
            f"would need about {n / max(p, 1e-300):.2g} draws. Use a smaller margin (about "
            f"{np.sqrt(2.0 / d):.2g} or less in d={d}) or a smaller d.")
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    X = np.empty((0, d))
    drawn, cap = 0, max(10**7, 1000 * n)
    while X.shape[0] < n:
        if drawn > cap:
            raise ValueError(
                f"planted_data could not plant margin {margin} in d={d}: after {drawn} uniform "
                f"draws from the unit ball only {X.shape[0]} of {n} points had |<x, u*>| >= "
                f"{margin} (that fraction is about (1 - margin^2)^((d+1)/2), tiny here). Use a "
                "smaller margin or a smaller d.")
        k = max(2 * (n - X.shape[0]), 64)
        drawn += k
        g = rng.standard_normal((k, d))
        r = rng.random(k) ** (1.0 / d)                 # uniform in the ball
        cand = g / np.linalg.norm(g, axis=1, keepdims=True) * r[:, None]
        cand = cand[np.abs(cand @ u) >= margin]
        X = np.vstack([X, cand])
    X = X[:n]
    y = np.sign(X @ u)
    if n >= 2 and np.all(y == y[0]):                   # keep both classes
        X[0] = -X[0]
        y[0] = -y[0]
    return X, y


def soudry_data(n_random=8, *, seed=0):
    r"""The dataset of Soudry et al. (2018), Fig. 1, with seeded random non-support points.

    Support vectors :math:`(0.5, 1.5)` and :math:`(1.5, 0.5)` labelled +1, their negatives
    labelled -1; the hard-margin SVM is :math:`\hat w = (0.5, 0.5)` (max margin
    :math:`\bar\gamma = \sqrt2`). ``n_random`` further points per class are drawn uniformly
    from the region :math:`x_1, x_2 \in [0.5, 3]` with :math:`x_1 + x_2 \ge 2.5`
    (and their mirror images for the negative class), so they have margin at least 1.25 under
    :math:`\hat w` and are not support vectors. The data are symmetric under
    :math:`x \mapsto -x`: the :math:`1/\ln t` correction of the margin largely cancels here.

    Returns
    -------
    X : ndarray of shape (4 + 2 n_random, 2)
    y : ndarray of shape (4 + 2 n_random,)
    """
    n_random = _v.check_int(n_random, "n_random", minimum=0)
    rng = np.random.default_rng(seed)
    sv = np.array([[0.5, 1.5], [1.5, 0.5]])
    pts = np.empty((0, 2))
    while pts.shape[0] < n_random:
        c = rng.uniform(0.5, 3.0, size=(4 * n_random, 2))
        pts = np.vstack([pts, c[c.sum(axis=1) >= 2.5]])
    pos = np.vstack([sv, pts[:n_random]])
    X = np.vstack([pos, -pos])
    y = np.concatenate([np.ones(len(pos)), -np.ones(len(pos))])
    return X, y
