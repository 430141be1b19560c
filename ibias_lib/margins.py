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
from .numerics import inv_logistic_sum, logsumexp, norm2, scaled

__all__ = ["margins", "margin", "smoothed_margin", "smoothed_margin_from_margins"]


def _safe_scales(sx, sw):
    """True when X @ w and ||w|| can be formed directly without losing range."""
    return 1e-100 <= sx <= 1e100 and 1e-100 <= sw <= 1e100


def _scaled_problem(X, y, w):
    """Return (ms, sx, sw, ws) with ``m = sx * sw * ms`` and ``w = sw * ws``, entries of
    ``X / sx`` and ``ws`` at most 1 in magnitude (internal)."""
    Xs, sx = scaled(X)
    ws, sw = scaled(w)
    return y * (Xs @ ws), sx, sw, ws


def _representable(value, what, scale_hint):
    if not np.isfinite(value):
        raise ValueError(f"{what} is beyond the range of float64 here ({scale_hint}); it "
                         "cannot be represented. Rescale w (or X) towards norm 1: the normalized "
                         "margin is scale invariant, so nothing is lost.")
    return float(value)


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
    sx, sw = float(np.abs(X).max()), float(np.abs(w).max())
    if sx == 0.0:
        return 0.0
    if _safe_scales(sx, sw):
        return float((y * (X @ w)).min() / np.linalg.norm(w))
    ms, sx, sw, ws = _scaled_problem(X, y, w)    # margin(X, y, w) = sx * margin(X/sx, y, ws)
    return _representable(sx * (ms.min() / np.linalg.norm(ws)), "the margin",
                          f"max |X| = {sx:.3g}")


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
    sx, sw = float(np.abs(X).max()), float(np.abs(w).max())
    if sx > 0 and _safe_scales(sx, sw):
        return smoothed_margin_from_margins(y * (X @ w), np.linalg.norm(w), loss)
    return _smoothed_margin_scaled(X, y, w, loss)


def _smoothed_margin_scaled(X, y, w, loss):
    r"""The smoothed margin at extreme scales of X or w (internal).

    With :math:`m = c\,m^s`, :math:`c = s_x s_w`, :math:`\delta_i = m^s_i - \min_j m^s_j \ge 0`
    and :math:`L = \ln\sum_i e^{-c\delta_i} \in [0, \ln n]`, the exponential loss gives
    :math:`-\ln\sum_i e^{-m_i}/\|w\| = (s_x \min_j m^s_j - L/s_w)/\|w^s\|`, where no
    product overflows. The logistic loss equals the exponential one up to a relative
    :math:`e^{-m}` once every margin is huge; otherwise its margins are representable."""
    if not np.any(X):
        # every margin is 0: l^{-1}(n l(0)) / ||w||
        ms, sx, sw, ws = np.zeros(X.shape[0]), 1.0, *scaled(w)[::-1]
    else:
        ms, sx, sw, ws = _scaled_problem(X, y, w)
    nrm_s = float(np.linalg.norm(ws))
    log_c = np.log(sx) + np.log(sw)
    hint = f"||w|| = {sw * nrm_s:.3g}, max |X| = {sx:.3g}"
    mmin = float(ms.min())
    if loss == "exp" or (log_c > 690 and mmin > 0):
        c = np.exp(log_c) if log_c < 709 else np.inf
        delta = ms - mmin
        cd = np.where(delta > 0, c * delta, 0.0)
        L = float(np.log(np.exp(-cd).sum()))
        return _representable((sx * mmin - L / sw) / nrm_s, "the smoothed margin", hint)
    if log_c > 690:                     # some margins <= 0 and |m| overflows
        neg = ms < 0
        if np.any(neg):                 # sum of losses ~ sum_i |m_i| over m_i < 0
            return _representable(-sx * float(-ms[neg].sum()) / nrm_s, "the smoothed margin",
                                  hint)
        k = int(np.count_nonzero(ms == 0))
        return _representable(inv_logistic_sum(np.log(k * np.log(2.0))) / (sw * nrm_s),
                              "the smoothed margin", hint)
    m = ms * np.exp(log_c)
    return _representable(smoothed_margin_from_margins(m, 1.0, loss) / sw / nrm_s,
                          "the smoothed margin", hint)
