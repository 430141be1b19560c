r"""Normalized margins and their log-sum-exp smoothing.

.. math::

   \operatorname{margin}(w) = \frac{\min_i y_i x_i^\top w}{\|w\|}, \qquad
   \operatorname{smoothed\_margin}(w) = \frac{\ell^{-1}\big(\sum_i \ell(y_i x_i^\top w)\big)}{\|w\|}.

For the exponential loss :math:`\ell^{-1}(\sum_i \ell(m_i)) = -\ln\sum_i e^{-m_i}`, and the
talk's sandwich holds (Telgarsky 2013):

.. math:: -\ln\textstyle\sum_i e^{-m_i} \;\le\; \min_i m_i \;\le\; -\ln\sum_i e^{-m_i} + \ln n.

For the logistic loss :math:`\ell^{-1}(s) = -\ln(e^s-1)` (Lyu & Li 2020); the left inequality
still holds, and since :math:`s \le e^s - 1 \le s e^s` the right one holds up to the loss itself:
:math:`\min_i m_i \le \ell^{-1}(\sum_i\ell_i) + \ln n + \sum_i \ell_i`.
"""
from __future__ import annotations

import numpy as np

from . import _validation as _v
from .losses import log_losses
from .numerics import logsumexp, inv_logistic_sum

__all__ = ["margins", "margin", "smoothed_margin", "smoothed_margin_from_margins"]


def margins(X, y, w):
    r"""Return the unnormalized margins :math:`m_i = y_i x_i^\top w`, shape (n_samples,)."""
    X, y = _v.check_X_y(X, y)
    w = _v.check_w(w, X.shape[1])
    return y * (X @ w)


def margin(X, y, w):
    r"""Return the normalized margin :math:`\min_i y_i x_i^\top w / \|w\|_2`.

    Scale invariant: ``margin(X, y, c * w) == margin(X, y, w)`` for every ``c > 0``. Positive
    exactly when w separates the data through the origin.

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> X = np.array([[1.0, 1.0], [-1.0, 0.5]]); y = np.array([1.0, -1.0])
    >>> round(ib.margin(X, y, np.array([1.0, 0.0])), 6)
    1.0
    """
    X, y = _v.check_X_y(X, y)
    w = _v.check_w(w, X.shape[1], allow_zero=False)
    return float((y * (X @ w)).min() / np.linalg.norm(w))


def smoothed_margin_from_margins(m, norm, loss):
    r"""Return :math:`\ell^{-1}(\sum_i \ell(m_i)) / \|w\|` given margins m and :math:`\|w\|`
    (internal: trusts its inputs)."""
    log_s = logsumexp(log_losses(m, loss))
    if loss == "exp":
        return float(-log_s / norm)
    return float(inv_logistic_sum(log_s) / norm)


def smoothed_margin(X, y, w, *, loss="exp"):
    r"""Return the smoothed normalized margin :math:`\ell^{-1}(\sum_i \ell(m_i))/\|w\|`.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}
    w : array of shape (n_features,), nonzero
    loss : {'exp', 'logistic'}
        ``'exp'`` gives :math:`-\ln\sum_i e^{-m_i}/\|w\|`; ``'logistic'`` gives
        :math:`-\ln(e^{s}-1)/\|w\|` with :math:`s = \sum_i \ln(1+e^{-m_i})` (Lyu & Li 2020),
        which is positive only once :math:`s < \ln 2`.

    Returns
    -------
    float
        A lower bound on :func:`margin` (see the module docstring for the upper bound).
    """
    X, y = _v.check_X_y(X, y)
    w = _v.check_w(w, X.shape[1], allow_zero=False)
    loss = _v.check_loss(loss)
    return smoothed_margin_from_margins(y * (X @ w), np.linalg.norm(w), loss)
