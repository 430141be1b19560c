r"""The hard-margin linear SVM without bias: the L2 maximum margin.

.. math::

   \bar\gamma = \max_{\|u\|\le 1} \min_i y_i x_i^\top u, \qquad
   \hat w = \arg\min \{\tfrac12\|w\|^2 : y_i x_i^\top w \ge 1\ \forall i\} = \bar u/\bar\gamma .

Solved as a least-distance program with Lawson & Hanson's reduction to non-negative least
squares (*Solving Least Squares Problems*, 1974, ch. 23), using :func:`scipy.optimize.nnls`:
with :math:`A` the matrix of rows :math:`a_i = y_i x_i`, solve

.. math:: \min_{\alpha\ge 0}\ \big\| \begin{bmatrix} A^\top \\ \mathbf 1^\top \end{bmatrix}\alpha
          - e_{d+1} \big\|^2 ,

and with residual :math:`r` the solution is :math:`\hat w = -r_{1:d}/r_{d+1}`. A zero residual
means the constraints :math:`A w \ge 1` are infeasible: no hyperplane through the origin
separates the data. The dual weights :math:`\lambda = \alpha / (-r_{d+1})` satisfy the KKT
conditions :math:`\hat w = A^\top\lambda`, :math:`\lambda \ge 0`, :math:`\lambda_i(a_i^\top\hat w - 1) = 0`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import nnls

from . import _validation as _v

__all__ = ["MaxMarginResult", "max_margin"]


class MaxMarginResult(NamedTuple):
    """Result of :func:`max_margin`.

    Attributes
    ----------
    direction : ndarray of shape (n_features,)
        The unit max-margin direction :math:`\\bar u`.
    gamma : float
        The max margin :math:`\\bar\\gamma = \\min_i y_i x_i^\\top \\bar u`.
    w_hat : ndarray of shape (n_features,)
        The SVM solution :math:`\\hat w = \\bar u/\\bar\\gamma`, with :math:`\\min_i y_i x_i^\\top\\hat w = 1`.
    dual : ndarray of shape (n_samples,)
        KKT multipliers :math:`\\lambda \\ge 0` with :math:`\\hat w = \\sum_i \\lambda_i y_i x_i`;
        nonzero only on support vectors.
    support : ndarray of int
        Indices with :math:`\\lambda_i > 0`.
    """
    direction: np.ndarray
    gamma: float
    w_hat: np.ndarray
    dual: np.ndarray
    support: np.ndarray


def max_margin(X, y):
    r"""Return the L2 max-margin direction and value of the linear SVM without bias.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}

    Returns
    -------
    MaxMarginResult
        ``direction`` (unit :math:`\bar u`), ``gamma`` (:math:`\bar\gamma`), ``w_hat``,
        ``dual`` and ``support``.

    Raises
    ------
    ValueError
        If no hyperplane through the origin separates the data (:math:`\bar\gamma \le 0`).

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> X = np.array([[0.5, 1.5], [1.5, 0.5], [-0.5, -1.5], [-1.5, -0.5]])
    >>> y = np.array([1.0, 1.0, -1.0, -1.0])
    >>> res = ib.max_margin(X, y)
    >>> np.round(res.direction, 6), round(res.gamma, 6)   # (1,1)/sqrt 2, margin sqrt 2
    (array([0.707107, 0.707107]), 1.414214)
    """
    X, y = _v.check_X_y(X, y)
    A = y[:, None] * X
    n, d = A.shape
    scale = np.abs(A).max()
    if scale == 0:
        raise ValueError("X is all zeros: every margin y_i x_i.w is 0 for every w, so the data "
                         "are not separable and the max margin is undefined. Check that the "
                         "features were loaded.")
    As = A / scale                       # scale-free problem; undo below
    E = np.vstack([As.T, np.ones((1, n))])
    f = np.zeros(d + 1)
    f[-1] = 1.0
    alpha, _ = nnls(E, f, maxiter=50 * (n + d + 1))
    r = E @ alpha - f
    not_separable = ValueError(
        "the data are not linearly separable through the origin: no w has y_i x_i.w > 0 for "
        "every i, so the max margin is not positive. max_margin needs separable data; check the "
        "labels, add a constant feature for an affine separator, or use a soft-margin method.")
    if -r[-1] <= 1e-12:
        raise not_separable
    w_hat_s = -r[:d] / r[-1]
    lam_s = alpha / (-r[-1])
    m = As @ w_hat_s
    if m.min() <= 0:
        raise not_separable
    # Polish on the identified support: solve A_S w = 1 with w in span(A_S^T).
    S = np.flatnonzero(lam_s > 0)
    if S.size:
        AS = As[S]
        lam_S, *_ = np.linalg.lstsq(AS @ AS.T, np.ones(S.size), rcond=None)
        w_pol = AS.T @ lam_S
        m_pol = As @ w_pol
        if np.all(lam_S >= 0) and m_pol.min() >= 1 - 1e-12:
            w_hat_s, lam_s = w_pol, np.zeros(n)
            lam_s[S] = lam_S
            m = m_pol
    gamma_s = m.min() / np.linalg.norm(w_hat_s)
    direction = w_hat_s / np.linalg.norm(w_hat_s)
    gamma = float(gamma_s * scale)
    w_hat = direction / gamma
    # w_hat = w_hat_s / scale and w_hat_s = As^T lam_s = A^T lam_s / scale.
    lam = lam_s / scale ** 2
    support = np.flatnonzero(lam > 0)
    return MaxMarginResult(direction, gamma, w_hat, lam, support)
