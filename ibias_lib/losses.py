r"""Losses as functions of the margins :math:`m_i = y_i x_i^\top w`.

The empirical risk of the talk is :math:`\widehat{\mathcal R}(w) = \frac1n\sum_i \ell(m_i)` with
the logistic loss :math:`\ell(z) = \ln(1+e^{-z})` or its tail, the exponential loss
:math:`\ell(z) = e^{-z}`. Everything here works with logs:

* ``log_losses(m, loss)``: :math:`\log \ell(m_i)`;
* ``log_neg_derivs(m, loss)``: :math:`\log |\ell'(m_i)|` (both losses are decreasing);
* ``log_risk(m, loss)``: :math:`\log \widehat{\mathcal R} = \operatorname{logsumexp}_i \log\ell(m_i) - \ln n`;
* ``risk_gradient(X, y, w, loss)``: :math:`\nabla\widehat{\mathcal R}(w) = \frac1n \sum_i \ell'(m_i) y_i x_i`,
  returned as a unit direction and the log of its scale so that nothing underflows.
"""
from __future__ import annotations

import numpy as np

from . import _validation as _v
from .numerics import logsumexp, softmax, log_softplus_neg, log_sigmoid_neg, norm2, scaled

__all__ = ["LOSSES", "log_losses", "log_neg_derivs", "log_risk", "risk", "risk_gradient",
           "log_risk_of", "loss_values"]

LOSSES = ("exp", "logistic")


def log_losses(m, loss):
    r"""Return :math:`\log \ell(m_i)` elementwise (internal: trusts its inputs)."""
    if loss == "exp":
        return -m
    return log_softplus_neg(m)


def log_neg_derivs(m, loss):
    r"""Return :math:`\log|\ell'(m_i)|`: :math:`-m_i` (exp) or :math:`-\ln(1+e^{m_i})` (logistic)."""
    if loss == "exp":
        return -m
    return log_sigmoid_neg(m)


def log_risk(m, loss):
    r"""Return :math:`\log \frac1n\sum_i \ell(m_i)` from the margins m (internal)."""
    return logsumexp(log_losses(m, loss)) - np.log(m.shape[0])


def _margins(X, y, w):
    return y * (X @ w)


def loss_values(X, y, w, *, loss="exp"):
    r"""Return the per-example losses :math:`\ell(y_i x_i^\top w)`, shape (n_samples,).

    They may underflow to 0 for huge margins; use :func:`log_risk_of` when that matters.
    """
    X, y = _v.check_X_y(X, y)
    w = _v.check_w(w, X.shape[1])
    loss = _v.check_loss(loss)
    return np.exp(log_losses(_margins(X, y, w), loss))


def log_risk_of(X, y, w, *, loss="exp"):
    r"""Return :math:`\log \widehat{\mathcal R}(w)`, finite for every finite w.

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]]); y = np.array([1.0, -1.0])
    >>> float(ib.log_risk_of(X, y, np.array([1e9, -1e9])))   # R = e^{-1e9}
    -1000000000.0
    """
    X, y = _v.check_X_y(X, y)
    w = _v.check_w(w, X.shape[1])
    loss = _v.check_loss(loss)
    return float(log_risk(_margins(X, y, w), loss))


def risk(X, y, w, *, loss="exp"):
    r"""Return :math:`\widehat{\mathcal R}(w) = \frac1n\sum_i \ell(y_i x_i^\top w)` (may underflow to 0;
    prefer :func:`log_risk_of`)."""
    return float(np.exp(log_risk_of(X, y, w, loss=loss)))


def _gradient_parts(X, y, m, loss):
    """Unit-free gradient pieces: q = softmax(log|l'|), g = A^T q, log of the scale."""
    a = log_neg_derivs(m, loss)
    q = softmax(a)
    g = (q * y) @ X
    log_scale = logsumexp(a) - np.log(m.shape[0])
    return q, g, log_scale


def risk_gradient(X, y, w, *, loss="exp"):
    r"""Return the risk gradient as ``(direction, log_norm)``.

    :math:`\nabla\widehat{\mathcal R}(w) = -\frac1n\sum_i |\ell'(m_i)|\, y_i x_i
    = -e^{s}\, A^\top q`, with :math:`A` the matrix of rows :math:`y_i x_i`,
    :math:`q = \operatorname{softmax}(\log|\ell'(m)|)` on the simplex and
    :math:`s = \operatorname{logsumexp}(\log|\ell'(m)|) - \ln n`. The gradient is
    ``exp(log_norm) * direction`` with ``direction`` a unit vector; both stay finite when the
    gradient itself underflows.

    Returns
    -------
    direction : ndarray of shape (n_features,)
        :math:`\nabla\widehat{\mathcal R}(w)/\|\nabla\widehat{\mathcal R}(w)\|`.
    log_norm : float
        :math:`\log\|\nabla\widehat{\mathcal R}(w)\|` (``-inf`` if the gradient is exactly 0,
        which happens only when :math:`A^\top q = 0`).
    """
    X, y = _v.check_X_y(X, y)
    w = _v.check_w(w, X.shape[1])
    loss = _v.check_loss(loss)
    m = _margins(X, y, w)
    if not np.all(np.isfinite(m)):
        raise ValueError(f"the margins y_i x_i.w overflow float64 (|X| up to "
                         f"{np.abs(X).max():.3g}, |w| up to {np.abs(w).max():.3g}), so the risk "
                         "and its gradient cannot be formed. Rescale X to ||x_i|| <= 1.")
    a = log_neg_derivs(m, loss)
    q = softmax(a)
    Xs, sx = scaled(X)                   # A^T q = sx * (A/sx)^T q: no overflow at any scale
    g = (q * y) @ Xs
    gn = norm2(g)
    if gn == 0:
        return np.zeros_like(g), -np.inf
    log_scale = logsumexp(a) - np.log(m.shape[0])
    return -g / gn, float(log_scale + np.log(gn) + np.log(sx))
