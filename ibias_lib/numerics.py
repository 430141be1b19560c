"""Log-domain numerics: logsumexp, softmax and the logistic function's logs.

In float64, ``exp(-746) == 0``: a risk computed as ``mean(exp(-m))`` is exactly 0 once the
margins pass ~745, its gradient vanishes, and a step size ``eta / R`` becomes ``inf``. Every
quantity of the book is therefore computed from logs, subtracting the maximum before any
exponential (the identity ``log sum exp(a) = max(a) + log sum exp(a - max(a))``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["logsumexp", "softmax", "log_softplus_neg", "log_sigmoid_neg", "inv_logistic_sum",
           "norm2", "scaled"]


def _as_real_vector(a, name):
    """``a`` as a float64 array (any shape) for the public log-domain helpers: lists and
    tuples are accepted, complex input is refused, an empty input gets a clear error."""
    if np.iscomplexobj(a):
        raise TypeError(f"{name} takes real numbers; got a complex array. Pass np.real(a) "
                        "if the imaginary parts are rounding noise.")
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0:
        raise ValueError(f"{name} of an empty array is undefined (log 0 / 0/0); pass at least "
                         "one entry.")
    return a


def logsumexp(a):
    r"""Return :math:`\log \sum_i e^{a_i}` of an array (or list), without overflow or underflow.

    Uses :math:`\log\sum_i e^{a_i} = a_* + \log \sum_i e^{a_i - a_*}` with :math:`a_* = \max_i a_i`.
    Entries may be :math:`\pm\infty`: the result is :math:`+\infty` if any entry is, and
    :math:`-\infty` if all are :math:`-\infty` (the log of an empty sum of exponentials).
    NaN or an empty input raises ``ValueError``. Cheaper than :func:`scipy.special.logsumexp`
    for the small vectors of the inner loops.

    >>> round(float(logsumexp([1000.0, 1000.0])) - 1000.0, 6)   # 1000 + ln 2
    0.693147
    """
    if not isinstance(a, np.ndarray) or a.dtype != np.float64:
        a = _as_real_vector(a, "logsumexp")
    elif a.size == 0:
        a = _as_real_vector(a, "logsumexp")
    amax = a.max()
    if not np.isfinite(amax):
        if np.isnan(amax):
            raise ValueError("logsumexp got NaN entries; the log-sum-exp of NaN is undefined. "
                             "Find where the NaN came from (e.g. inf - inf) upstream.")
        return float(amax)
    return amax + np.log(np.exp(a - amax).sum())


def softmax(a):
    r"""Return :math:`q_i = e^{a_i} / \sum_j e^{a_j}`; entries sum to one and never overflow.

    Entries equal to :math:`+\infty` share the mass equally (the limit of the formula);
    entries equal to :math:`-\infty` get weight 0. If every entry is :math:`-\infty` the
    weights are 0/0 and a ``ValueError`` says so; NaN raises too.
    """
    if not isinstance(a, np.ndarray) or a.dtype != np.float64 or a.size == 0:
        a = _as_real_vector(a, "softmax")
    amax = a.max()
    if not np.isfinite(amax):
        if np.isnan(amax):
            raise ValueError("softmax got NaN entries; find where the NaN came from upstream.")
        if amax < 0:
            raise ValueError("softmax of a vector whose entries are all -inf is 0/0: no "
                             "entry has positive weight. Check the log-weights passed in.")
        top = (a == np.inf).astype(np.float64)
        return top / top.sum()
    e = np.exp(a - amax)
    return e / e.sum()


def scaled(v):
    r"""Return ``(v / s, s)`` with :math:`s = \max_i |v_i|` (``s = 1`` for the zero vector), so
    that norms and inner products of ``v / s`` neither overflow nor underflow."""
    s = float(np.abs(v).max()) if v.size else 0.0
    if s == 0.0 or not np.isfinite(s):
        return v, 1.0
    return v / s, s


def norm2(v):
    r"""Return :math:`\|v\|_2` without overflow or underflow: :math:`s\,\|v/s\|_2` with
    :math:`s = \max_i|v_i|` when the direct value would lose range. Identical to
    ``np.linalg.norm(v)`` when that is exact (for :math:`10^{-150} < \|v\| < 10^{150}`)."""
    with np.errstate(over="ignore", under="ignore"):
        n = float(np.linalg.norm(v))
    if 1e-150 < n < 1e150:
        return n
    vs, s = scaled(v)
    return s * float(np.linalg.norm(vs))


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
