r"""Per-step gradient descent paths and the explicit bounds of the logistic chapter.

Rows :math:`a_i = y_ix_i` with :math:`\|a_i\|\le1`, margins :math:`m=Aw`, risk
:math:`L(w)=\frac1n\sum_i\ell(m_i)`, its *derivative mass* :math:`G(w)=\frac1n\sum_i|\ell'(m_i)|`
and gradient :math:`\nabla L(w) = -\frac1n\sum_i|\ell'(m_i)|a_i`, so that
:math:`\|\nabla L\|\le G`. Both losses of the book satisfy

* :math:`\ell''\le|\ell'|` and :math:`|\ell'(z-\delta)|\le e^{\delta}|\ell'(z)|` for
  :math:`\delta\ge0` (self-bounded curvature), and :math:`|\ell'|\le\ell`, so :math:`G\le L`;
* the logistic loss also has :math:`|\ell'|\le1`, so :math:`G\le1` at every :math:`w`.

From these the chapter proves, for gradient descent :math:`w_{k+1}=w_k-\eta\nabla L(w_k)` from
:math:`w_0=0` on data with margin :math:`\bar\gamma` along the unit :math:`\bar u`:

* :func:`self_bounded_descent`: :math:`L(w_{k+1})\le L(w_k)-c_k\eta\|\nabla L(w_k)\|^2` with
  :math:`c_k=1-\frac\eta2G(w_k)e^{\eta\|\nabla L(w_k)\|}`, at every step, both losses;
* :func:`stable_phase_start`: once :math:`\eta L(w_s)\le\frac12`, :math:`c_k\ge1-\sqrt e/4`
  and the risk decreases at every later step;
* :func:`split_comparator_bound`: for the logistic loss and **any** :math:`\eta`,
  :math:`\frac1t\sum_{k<t}L(w_k)\le\min_{a\ge0}\ln(1+e^{-\bar\gamma a})
  +\frac{(a+\eta/(2\bar\gamma))^2}{2\eta t}` (the comparator argument of Wu, Bartlett,
  Telgarsky & Yu, COLT 2024, with the constants derived in the chapter);
* :func:`transition_time_bound`, :func:`stable_phase_bound`, :func:`risk_lower_bound`,
  :func:`margin_certificate`: their consequences.

:func:`gd_path` runs the iteration and records, at every step, the logs of :math:`L`,
:math:`G` and :math:`\|\nabla L\|`, the norm, the smallest margin and the component along a
given direction: everything the bounds need, computed from logs so that nothing overflows.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from . import _validation as _v
from .losses import log_neg_derivs

__all__ = ["GDPath", "gd_path", "self_bounded_descent", "stable_phase_start",
           "STABLE_DESCENT", "split_comparator_bound", "transition_time_bound",
           "stable_phase_bound", "risk_lower_bound", "margin_certificate",
           "first_step_below", "angle_from_margin_gap", "inverse_loss_of_sum",
           "oscillating_data"]

STABLE_DESCENT = 1.0 - math.sqrt(math.e) / 4    # c_k >= this once eta L(w_s) <= 1/2


class GDPath(NamedTuple):
    """Every step of a gradient-descent run, ``t = 0 .. len(log_risk) - 1``.

    Attributes
    ----------
    log_risk, log_G, log_grad : ndarray (T+1,)
        :math:`\\log L(w_t)`, :math:`\\log G(w_t)`, :math:`\\log\\|\\nabla L(w_t)\\|`.
    norm : ndarray (T+1,)
        :math:`\\|w_t\\|`.
    min_margin : ndarray (T+1,)
        :math:`\\min_i a_i^\\top w_t` (unnormalized).
    along : ndarray (T+1,)
        :math:`\\langle w_t, u\\rangle` for the ``direction`` u passed (NaN if none).
    w : ndarray (T+1, d) or None
        The iterates, if ``keep_w`` was set.
    w_final : ndarray (d,)
    stopped : int or None
        The step t at which the run stopped because the next step would have had length
        above :math:`e^{\\text{max\\_log\\_step}}` (the last recorded step), else ``None``.
    loss : str
    step : float
    n : int
    """
    log_risk: np.ndarray
    log_G: np.ndarray
    log_grad: np.ndarray
    norm: np.ndarray
    min_margin: np.ndarray
    along: np.ndarray
    w: np.ndarray | None
    w_final: np.ndarray
    stopped: int | None
    loss: str
    step: float
    n: int


def _lse(a):
    amax = a.max()
    return amax + math.log(np.exp(a - amax).sum())


def gd_path(X, y, *, loss="logistic", step=1.0, n_steps=1000, direction=None,
            keep_w=False, max_log_step=50.0):
    r"""Run :math:`w_{t+1}=w_t-\eta\nabla L(w_t)` from :math:`w_0=0` and record every step.

    The update is :math:`w\mathrel{+}=\eta\,G(w)\,A^\top q` with
    :math:`q=\operatorname{softmax}(\log|\ell'(m)|)`, all from logs. If a step would be longer
    than :math:`e^{\text{max\_log\_step}}` (the exponential loss at a large step) the run
    stops there and ``stopped`` says when: the measured blow-up, not an overflow.

    Parameters
    ----------
    X : array (n_samples, n_features); y : array (n_samples,) in {-1, +1}
    loss : {'exp', 'logistic'}
    step : float > 0
    n_steps : int >= 1
    direction : array (n_features,), optional
        A unit vector u; ``along`` records :math:`\langle w_t,u\rangle`.
    keep_w : bool
        Also keep every iterate (memory :math:`(T+1)\cdot d`).
    max_log_step : float

    Returns
    -------
    GDPath

    Examples
    --------
    >>> import ibias_lib as ib
    >>> from ibias_lib import logistic_bounds as lb
    >>> X, y = ib.planted_data(20, 3, margin=0.1, seed=0)
    >>> p = lb.gd_path(X, y, step=1.0, n_steps=100)
    >>> bool(p.log_risk[-1] < p.log_risk[0])
    True
    """
    X, y = _v.check_X_y(X, y)
    loss = _v.check_loss(loss)
    eta = _v.check_positive(step, "step")
    T = _v.check_int(n_steps, "n_steps", minimum=1)
    n, d = X.shape
    u = None
    if direction is not None:
        u = _v.check_w(direction, d, name="direction", allow_zero=False)
        u = u / np.linalg.norm(u)
    A = y[:, None] * X
    return _gd_path_kernel(A, loss, eta, T, u, keep_w, float(max_log_step))


def _log_losses_fast(m, loss):
    r""":math:`\log\ell(m_i)` for the inner loop: for the logistic loss and :math:`m>30`,
    :math:`\log\ln(1+e^{-m})=-m+\log(1-e^{-m}/2+\dots)`, i.e. :math:`-m` to within
    :math:`10^{-13}`; below, the direct formula (internal)."""
    if loss == "exp":
        return -m
    return np.where(m > 30.0, -m, np.log(np.logaddexp(0.0, -np.minimum(m, 30.0))))


def _gd_path_kernel(A, loss, eta, T, u, keep_w, max_log_step):
    """The loop of :func:`gd_path` (internal: trusts its inputs)."""
    n, d = A.shape
    log_n, log_eta = math.log(n), math.log(eta)
    out = {k: np.full(T + 1, np.nan) for k in ("log_risk", "log_G", "log_grad", "norm",
                                                "min_margin", "along")}
    W = np.full((T + 1, d), np.nan) if keep_w else None
    w = np.zeros(d)
    stopped = None
    for t in range(T + 1):
        m = A @ w
        mmin = float(m.min())
        if mmin < 600.0:     # the largest loss term is >= e^-600: plain sums lose nothing
            if loss == "exp":
                lv = np.exp(-(m - mmin))                 # l_i e^{mmin} = |l'_i| e^{mmin}
                S = lv.sum()
                log_S = math.log(S) - mmin
                log_Gs, q = log_S, lv / S
            else:
                lv = np.logaddexp(0.0, -m)               # l_i
                dv = np.exp(-np.logaddexp(0.0, m))       # |l'_i|
                log_S, Gs = math.log(lv.sum()), dv.sum()
                log_Gs, q = math.log(Gs), dv / Gs
        else:
            ld = log_neg_derivs(m, loss)
            dmax = ld.max()
            e = np.exp(ld - dmax)
            se = e.sum()
            log_Gs, q = dmax + math.log(se), e / se
            log_S = _lse(_log_losses_fast(m, loss))
        log_G = log_Gs - log_n
        v = q @ A                                        # A^T q
        vn = math.sqrt(v @ v)
        log_grad = log_G + math.log(vn) if vn > 0 else -np.inf
        out["log_risk"][t] = log_S - log_n
        out["log_G"][t], out["log_grad"][t] = log_G, log_grad
        out["norm"][t] = math.sqrt(w @ w)
        out["min_margin"][t] = mmin
        if u is not None:
            out["along"][t] = w @ u
        if keep_w:
            W[t] = w
        if t == T:
            break
        if log_eta + log_grad > max_log_step:
            stopped = t
            break
        w = w + (eta * math.exp(log_G)) * v
    k = (stopped if stopped is not None else T) + 1
    rec = {key: val[:k] for key, val in out.items()}
    return GDPath(w=None if W is None else W[:k], w_final=w, stopped=stopped, loss=loss,
                  step=eta, n=n, **rec)


def self_bounded_descent(path):
    r"""The descent inequality with self-bounded curvature, at every step of ``path``.

    For both losses, :math:`L(w_{k+1})\le L(w_k)-c_k\eta\|\nabla L(w_k)\|^2` with
    :math:`c_k=1-\frac\eta2G(w_k)e^{\eta\|\nabla L(w_k)\|}` (Taylor's theorem with the Hessian
    bound :math:`\|\nabla^2L(v)\|\le\frac1n\sum_i|\ell'(a_i^\top v)|\le e^{\eta\|\nabla L\|}G`
    on the segment to the next iterate). Divided by :math:`L(w_k)`:

    Returns
    -------
    lhs : ndarray (K,)
        :math:`L(w_{k+1})/L(w_k)`.
    rhs : ndarray (K,)
        :math:`1-c_k\eta\|\nabla L(w_k)\|^2/L(w_k)`.
    c : ndarray (K,)
        :math:`c_k` (``-inf`` where the factor overflows; the inequality is then void).
    """
    eta = path.step
    lr, lG, lg = path.log_risk, path.log_G, path.log_grad
    K = len(lr) - 1
    with np.errstate(over="ignore", invalid="ignore"):
        expo = lG[:K] + eta * np.exp(lg[:K])           # log(G e^{eta ||g||})
        c = 1 - 0.5 * eta * np.exp(np.minimum(expo, 700.0))
        c = np.where(expo > 700.0, -np.inf, c)
        x = eta * np.exp(2 * lg[:K] - lr[:K])           # eta ||g||^2 / L
        rhs = np.where(np.isfinite(c), 1 - c * x, np.inf)
    return np.exp(lr[1:] - lr[:K]), rhs, c


def stable_phase_start(path):
    r"""The first step s with :math:`\eta L(w_s)\le\frac12`, or ``None``.

    From there on :math:`\eta G\le\eta L\le\frac12` and :math:`\eta\|\nabla L\|\le\frac12`, so
    :math:`c_k\ge1-\sqrt e/4` (``STABLE_DESCENT``) and, by induction, the risk decreases at
    every later step."""
    hit = np.flatnonzero(math.log(path.step) + path.log_risk <= math.log(0.5))
    return int(hit[0]) if hit.size else None


def _argmin_convex(dfun, lo, hi, iters=100):
    """Vectorized bisection for the root of an increasing derivative on [lo, hi]."""
    lo = np.broadcast_to(np.asarray(lo, float), np.shape(hi)).copy()
    hi = np.asarray(hi, float).copy()
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        pos = dfun(mid) > 0
        hi = np.where(pos, mid, hi)
        lo = np.where(pos, lo, mid)
    return 0.5 * (lo + hi)


def _softplus_neg(z):
    return np.logaddexp(0.0, -z)


def _sigmoid_neg(z):
    return np.exp(-np.logaddexp(0.0, z))


def split_comparator_bound(t, *, gamma, step):
    r"""The average-risk bound of logistic GD from 0 with any constant step.

    .. math:: \frac1t\sum_{k=0}^{t-1}L(w_k)\;\le\;B_\eta(t):=\min_{a\ge0}\;
              \ln(1+e^{-\bar\gamma a})+\frac{(a+\eta/(2\bar\gamma))^2}{2\eta t}.

    Proof (chapter; the comparator of Wu, Bartlett, Telgarsky & Yu 2024): with
    :math:`u=(a+\frac{\eta}{2\bar\gamma})\bar u`, expand :math:`\|w_{k+1}-u\|^2`; convexity bounds
    :math:`\langle\nabla L(w_k),a\bar u-w_k\rangle` by :math:`L(a\bar u)-L(w_k)`, and
    :math:`\eta^2\|\nabla L\|^2+2\eta\langle\nabla L,\frac{\eta}{2\bar\gamma}\bar u\rangle
    \le\eta^2G(G-1)\le0` since :math:`\langle\nabla L,\bar u\rangle\le-\bar\gamma G` and
    :math:`G\le1`. Summing, :math:`2\eta\sum_{k<t}(L(w_k)-L(a\bar u))\le\|u\|^2`, and
    :math:`L(a\bar u)\le\ln(1+e^{-\bar\gamma a})`.

    ``t`` may be an array (entries >= 1). Returns ``(bound, a_star)``.
    """
    gamma = _v.check_positive(gamma, "gamma")
    eta = _v.check_positive(step, "step")
    t = np.asarray(t, dtype=np.float64)
    if np.any(t < 1):
        raise ValueError("t counts steps: every entry must be >= 1.")
    c = eta / (2 * gamma)
    hi = np.full(t.shape, 2.0 * (math.log(eta * t.max() + 2.0) + 50.0) / gamma + 1.0)

    def dfun(a):
        return -gamma * _sigmoid_neg(gamma * a) + (a + c) / (eta * t)
    a = np.where(dfun(np.zeros(t.shape)) >= 0, 0.0, _argmin_convex(dfun, 0.0, hi))
    return _softplus_neg(gamma * a) + (a + c) ** 2 / (2 * eta * t), a


def transition_time_bound(*, gamma, step, t_max):
    r"""The first t with :math:`B_\eta(t)\le\frac1{2\eta}` (:func:`split_comparator_bound`),
    or ``None`` if none up to ``t_max``.

    Since :math:`\min_{k<t}L(w_k)\le B_\eta(t)`, some step before it has
    :math:`\eta L(w_k)\le\frac12`: the stable phase of :func:`stable_phase_start` begins before
    this time. (For large :math:`\eta` it grows like :math:`\eta^2/(4\bar\gamma^2)`.)"""
    t_max = _v.check_int(t_max, "t_max", minimum=1)
    eta = _v.check_positive(step, "step")

    def below(t):       # B(t) decreases in t (every term of the minimum does)
        return split_comparator_bound(np.array([float(t)]), gamma=gamma, step=eta)[0][0] \
            <= 0.5 / eta
    if not below(t_max):
        return None
    lo, hi = 0, t_max   # below(hi) holds; below(lo) fails or lo = 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if below(mid) else (mid, hi)
    return hi


def stable_phase_bound(path, s, t, *, gamma):
    r"""The risk bound of the stable phase, from its start s (:func:`stable_phase_start`).

    .. math:: L(w_{s+t})\;\le\;\min_{a\ge0}\ \ln(1+e^{-\bar\gamma a})
              +\frac{\|w_s-a\bar u\|^2}{2\eta t}+\frac{L(w_s)}{2ct},\qquad c=1-\sqrt e/4:

    sum the perceptron step :math:`\|w_{k+1}-u\|^2\le\|w_k-u\|^2-2\eta(L(w_k)-L(u))
    +\eta^2\|\nabla L(w_k)\|^2` over :math:`k=s..s+t-1`, bound
    :math:`\eta\|\nabla L(w_k)\|^2\le(L(w_k)-L(w_{k+1}))/c` by the stable descent, and use that
    the risk decreases. Needs ``path`` recorded with ``direction`` :math:`=\bar u`.
    ``t`` may be an array (entries >= 1)."""
    gamma = _v.check_positive(gamma, "gamma")
    if np.isnan(path.along[s]):
        raise ValueError("the stable-phase bound needs <w_s, u-bar>: run gd_path with "
                         "direction=u-bar.")
    t = np.asarray(t, dtype=np.float64)
    if np.any(t < 1):
        raise ValueError("t counts steps after s: every entry must be >= 1.")
    eta = path.step
    ns2, p = path.norm[s] ** 2, path.along[s]
    Ls = math.exp(path.log_risk[s])

    def dfun(a):
        return -gamma * _sigmoid_neg(gamma * a) + (a - p) / (eta * t)
    hi = np.full(t.shape, abs(p) + 2.0 * (math.log(eta * t.max() + 2.0) + 50.0) / gamma + 1.0)
    a = np.where(dfun(np.zeros(t.shape)) >= 0, 0.0, _argmin_convex(dfun, 0.0, hi))
    dist2 = np.maximum(ns2 - 2 * a * p + a ** 2, 0.0)
    return _softplus_neg(gamma * a) + dist2 / (2 * eta * t) + Ls / (2 * STABLE_DESCENT * t)


def risk_lower_bound(log_risk0, step, t):
    r"""A lower bound on the risk of GD whose risk never exceeds :math:`L_0=L(w_0)`.

    Convexity gives :math:`L(w_{k+1})\ge L(w_k)-\eta\|\nabla L(w_k)\|^2\ge L(w_k)(1-\eta
    L(w_k))`, since :math:`\|\nabla L\|\le G\le L`. With :math:`\eta L_0<1` and
    :math:`L(w_k)\le L_0`, :math:`1/L(w_{k+1})\le1/L(w_k)+\eta/(1-\eta L_0)`, so

    .. math:: L(w_t)\;\ge\;\Big(\frac1{L_0}+\frac{\eta t}{1-\eta L_0}\Big)^{-1}.

    Hence reaching a risk :math:`\varepsilon` takes at least
    :math:`(1/\varepsilon-1/L_0)(1-\eta L_0)/\eta` steps: about :math:`1/(\eta\varepsilon)`."""
    eta = _v.check_positive(step, "step")
    L0 = math.exp(float(log_risk0))
    if eta * L0 >= 1:
        raise ValueError(f"the lower bound needs eta L(w_0) < 1; got {eta * L0:.3g}. Use a "
                         "smaller step.")
    t = np.asarray(t, dtype=np.float64)
    return 1.0 / (1.0 / L0 + eta * t / (1 - eta * L0))


def margin_certificate(path, s, *, gamma):
    r"""The smoothed-margin certificate of GD from step s, for t = s..T.

    With :math:`S=nL`, :math:`\rho_k=G(w_k)/L(w_k)` and :math:`c_k` of
    :func:`self_bounded_descent` (nonnegative on the steps used),

    .. math:: \frac{\min_ia_i^\top w_t}{\|w_t\|}\;\ge\;
              \frac{-\ln S(w_s)+\bar\gamma\sum_{k=s}^{t-1}c_k\rho_k\eta\|\nabla L(w_k)\|-\epsilon_t}
                   {\|w_s\|+\sum_{k=s}^{t-1}\eta\|\nabla L(w_k)\|},

    :math:`\epsilon_t=S(w_t)` for the logistic loss and 0 for the exponential one: the talk's
    "1. get positive margin, 2. do this". Proof: :math:`\ln S` drops by at least
    :math:`c_k\eta\|\nabla L\|^2/L\ge\bar\gamma c_k\rho_k\eta\|\nabla L\|` per step
    (:math:`\|\nabla L\|\ge\langle-\nabla L,\bar u\rangle\ge\bar\gamma G`); the smallest
    margin is at least :math:`\ell^{-1}(S)\ge-\ln S-\epsilon`; and
    :math:`\|w_t\|\le\|w_s\|+\eta\sum\|\nabla L\|`.

    (Where the numerator is negative it is divided by :math:`\|w_t\|` itself.) Returns
    ``(bound, margin)``, both of shape (T - s + 1,): the certificate and the measured normalized
    margin at t = s..T. Raises if some :math:`c_k<0` after s (use a later s)."""
    gamma = _v.check_positive(gamma, "gamma")
    eta = path.step
    _, _, c = self_bounded_descent(path)
    c = c[s:]
    if np.any(c < 0):
        raise ValueError("some c_k < 0 after s: the step is too large for the certificate "
                         "there; start it later (e.g. at stable_phase_start(path)).")
    g = eta * np.exp(path.log_grad[s:-1])
    rho = np.exp(path.log_G[s:-1] - path.log_risk[s:-1])
    log_S = path.log_risk + math.log(path.n)
    eps = np.exp(log_S[s:]) if path.loss == "logistic" else np.zeros(len(log_S) - s)
    num = -log_S[s] + gamma * np.concatenate([[0.0], np.cumsum(c * rho * g)]) - eps
    den = path.norm[s] + np.concatenate([[0.0], np.cumsum(g)])
    with np.errstate(invalid="ignore", divide="ignore"):
        margin = path.min_margin[s:] / path.norm[s:]
        # a negative numerator may only be divided by ||w_t|| itself, not by its upper bound
        bound = np.where(num >= 0, num / den, num / path.norm[s:])
    return bound, margin


def first_step_below(log_values, level):
    """The first index k with ``log_values[k] <= level`` (``None`` if never)."""
    hit = np.flatnonzero(np.asarray(log_values) <= level)
    return int(hit[0]) if hit.size else None


def angle_from_margin_gap(delta, gamma):
    r"""The largest angle to :math:`\bar u` of a unit vector whose margin is at least
    :math:`\bar\gamma-\delta`: :math:`\arcsin\sqrt{1-(1-\delta/\bar\gamma)^2}` (:math:`\pi`,
    no information, once :math:`\delta\ge\bar\gamma`).

    For such a unit u, :math:`p=u/(\bar\gamma-\delta)` satisfies :math:`Ap\ge1`, and
    :math:`q=\bar u/\bar\gamma` is the minimum-norm point of that convex set, so
    :math:`\|p-q\|^2\le\|p\|^2-\|q\|^2` and :math:`\sin^2\angle(p,q)\le1-\|q\|^2/\|p\|^2`."""
    r = 1 - np.asarray(delta, dtype=float) / gamma
    return np.where(r > 0, np.arcsin(np.sqrt(np.clip(1 - r ** 2, 0, 1))), np.pi)


def inverse_loss_of_sum(log_S, loss):
    r"""Return :math:`\ell^{-1}(S)` elementwise from :math:`\log S`, :math:`S=\sum_i\ell(m_i)`.

    Exponential loss: :math:`-\log S`. Logistic loss (Lyu & Li 2020):
    :math:`\ell^{-1}(S)=-\ln(e^S-1)`, computed as :math:`-\log S-\ln(\operatorname{expm1}(S)/S)`
    for :math:`S\le30` and :math:`-S-\ln(1-e^{-S})` above. The sandwich
    :math:`\ell^{-1}(S)\le\min_im_i\le\ell^{-1}(S)+\ln n+\epsilon`, :math:`\epsilon=S` for the
    logistic loss and 0 for the exponential one, holds at every w."""
    log_S = np.asarray(log_S, dtype=np.float64)
    if loss == "exp":
        return -log_S
    S = np.exp(np.minimum(log_S, 700.0))
    small = np.minimum(S, 30.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(small > 0, np.expm1(small) / np.where(small > 0, small, 1.0), 1.0)
    large = np.maximum(S, 30.0)
    return np.where(S > 30.0, -large - np.log1p(-np.exp(-large)), -log_S - np.log(ratio))


def oscillating_data(n, gamma, *, frac=0.75, seed=0):
    r"""Seeded separable data in the plane on which a large step makes the loss oscillate.

    :math:`a_i=(g_i, z_i)` with :math:`g_i` uniform in :math:`[\gamma,2\gamma]` (so every margin
    along :math:`e_1` is at least :math:`\gamma`) and :math:`|z_i|` uniform in
    :math:`[\frac12,1]\sqrt{1-4\gamma^2}` (so :math:`\|a_i\|\le1`), with :math:`z_i>0` for a
    fraction ``frac`` of the points: the mean of the rows, hence the first gradient step, has
    a large component across :math:`e_1` that a long step overshoots. Labels are random and
    :math:`x_i=y_ia_i`.

    Returns
    -------
    X : ndarray (n, 2); y : ndarray (n,)
    """
    n = _v.check_int(n, "n", minimum=2)
    gamma = _v.check_positive(gamma, "gamma")
    if gamma >= 0.5:
        raise ValueError(f"gamma must be below 1/2 so that the points fit in the unit disk; "
                         f"got {gamma}.")
    if not 0 < frac < 1:
        raise ValueError(f"frac must be in (0, 1): both sides of e_1 need points; got {frac}.")
    rng = np.random.default_rng(seed)
    g = rng.uniform(gamma, 2 * gamma, n)
    side = np.where(rng.random(n) < frac, 1.0, -1.0)
    z = side * rng.uniform(0.5, 1.0, n) * math.sqrt(1 - 4 * gamma ** 2)
    y = rng.choice([-1.0, 1.0], n)
    return y[:, None] * np.c_[g, z], y
