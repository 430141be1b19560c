"""Log-domain numerics: logsumexp, softmax and the logistic function's logs.

In float64, ``exp(-746) == 0``: a risk computed as ``mean(exp(-m))`` is exactly 0 once the
margins pass ~745, its gradient vanishes, and a step size ``eta / R`` becomes ``inf``. Every
quantity of the book is therefore computed from logs, subtracting the maximum before any
exponential (the identity ``log sum exp(a) = max(a) + log sum exp(a - max(a))``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["logsumexp", "softmax", "log_softplus_neg", "log_sigmoid_neg", "inv_logistic_sum"]


def logsumexp(a):
    r"""Return :math:`\log \sum_i e^{a_i}` of a 1D array, without overflow or underflow.

    Uses :math:`\log\sum_i e^{a_i} = a_* + \log \sum_i e^{a_i - a_*}` with :math:`a_* = \max_i a_i`.
    Cheaper than :func:`scipy.special.logsumexp` for the small vectors of the inner loops.
    """
    amax = a.max()
    return amax + np.log(np.exp(a - amax).sum())


def softmax(a):
    r"""Return :math:`q_i = e^{a_i} / \sum_j e^{a_j}`; entries sum to one and never overflow."""
    e = np.exp(a - a.max())
    return e / e.sum()


def log_softplus_neg(m):
    r"""Return :math:`\log \ell_{\log}(m) = \log \ln(1 + e^{-m})`, elementwise, for any real m.

    For :math:`m \le 0` the direct formula is safe. For :math:`m > 0` write :math:`x = e^{-m}`
    and use :math:`\log \ln(1+x) = -m + \log(\ln(1+x)/x)`, where the ratio tends to 1 as
    :math:`x \to 0` (and is set to 1 once x underflows), so the value is about :math:`-m`
    even at :math:`m = 10^9`.
    """
    m = np.asarray(m, dtype=np.float64)
    out = np.empty_like(m)
    neg = m <= 0
    out[neg] = np.log(np.logaddexp(0.0, -m[neg]))
    mp = m[~neg]
    x = np.exp(-mp)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(x > 0, np.log1p(x) / np.where(x > 0, x, 1.0), 1.0)
    out[~neg] = -mp + np.log(ratio)
    return out


def log_sigmoid_neg(m):
    r"""Return :math:`\log \sigma(-m) = -\ln(1 + e^{m})`, elementwise: the log of
    :math:`|\ell_{\log}'(m)|`. Finite for every real m (about :math:`-m` when m is large)."""
    return -np.logaddexp(0.0, m)


def inv_logistic_sum(log_s):
    r"""Return :math:`\ell^{-1}(s) = -\ln(e^{s} - 1)` given :math:`\log s`, for the logistic loss.

    This is the inverse of :math:`\ell(z) = \ln(1+e^{-z})`. Small s (the late phase of
    training): :math:`-\ln(e^s - 1) = -\log s - \ln(\mathrm{expm1}(s)/s)`, with the ratio set to
    1 when s underflows. Large s (more than ~30): :math:`-s - \ln(1 - e^{-s})`.
    """
    s = np.exp(log_s)
    if s > 30.0:
        return -s - np.log1p(-np.exp(-s))
    if s == 0.0:
        return -log_s
    return -log_s - np.log(np.expm1(s) / s)
