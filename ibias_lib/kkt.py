r"""The margin problem of a homogeneous network: loss-scaled training, approximate KKT measures,
and KKT points polished by SLSQP.

For a :math:`k`-homogeneous network :math:`F(x;\theta)` (:mod:`ibias_lib.networks`) and
separable data, the margin problem is

.. math:: \min_\theta\ \tfrac12\|\theta\|^2\quad\text{s.t.}\quad q_i(\theta) := y_iF(x_i;\theta)\ge1
          \ \ (i=1,\dots,n).

* :func:`loss_scaled_gd` trains with steps that grow as the risk falls (Lyu & Li, ICLR 2020),
  formed in the log domain, and records along the way the quantities of Lyu & Li's Lemma 5.1
  (the smoothed margin, the norm, the alignment, at every step).
* :func:`approx_kkt` measures, without any tolerance, how far the rescaled point
  :math:`\tilde\theta=\theta/q_{\min}(\theta)^{1/k}` is from KKT, in the sense of Lyu & Li's
  :math:`(\varepsilon,\delta)`-KKT points, with the loss's own weights as multipliers.
* :func:`polish_kkt` solves the margin problem locally by SLSQP from a given point, and
  :func:`kkt_certificate` checks a candidate independently (feasibility, and stationarity with
  multipliers :math:`\ge0` from nonnegative least squares on the active set).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize

from . import _validation as _v
from .losses import log_neg_derivs
from .networks import (_HOMOGENEOUS, _backward, _check_net_inputs, _degree, _flat,
                       _forward_cache, _log_risk_of_margins, _margins_jacobian,
                       _normalized_margins, _risk_grad_from_cache, _smoothed_normalized,
                       _unflat, kkt_conditions, unflatten)
from .numerics import softmax
from .optim import _check_record_at

__all__ = ["ScaledTrace", "ApproxKKT", "Polished", "Certificate", "loss_scaled_gd",
           "approx_kkt", "polish_kkt", "kkt_certificate", "angle"]


# ---------------------------------------------------------------- loss-scaled gradient descent

class ScaledTrace(NamedTuple):
    r"""Record of :func:`loss_scaled_gd`, one entry per recorded step.

    Attributes
    ----------
    steps, theta, margin, smoothed_margin, log_risk, norm
        As in :class:`ibias_lib.NetTrace` (``smoothed_margin`` is
        :math:`\tilde\gamma = \ell^{-1}(\sum_i\ell(q_i))/\|\theta\|^k`).
    alignment : ndarray
        :math:`\beta = \cos(\theta, -\nabla\widehat{\mathcal R}(\theta))`.
    log_alpha : ndarray
        :math:`\ln\alpha_t` after the step.
    rejected : ndarray of int
        Number of undone (risk-raising) trial steps so far.
    max_drop : ndarray
        Largest relative decrease :math:`(\tilde\gamma_s-\tilde\gamma_{s+1})/\tilde\gamma_s` over
        the steps :math:`s` so far with :math:`\tilde\gamma_s>0`, i.e. after the burn-in
        :math:`\sum_i\ell(q_i)<\ell(0)`; ``-inf`` before it.
    lemma_gap : ndarray
        Largest :math:`k(\beta_s^{-2}-1)\ln\frac{\rho_{s+1}}{\rho_s}-\ln\frac{\tilde\gamma_{s+1}}
        {\tilde\gamma_s}` over the steps so far after the burn-in (:math:`\rho=\|\theta\|`):
        :math:`\le0` means the step-wise form of Lyu & Li's Lemma 5.1 held at every step.
        ``-inf`` before the burn-in.
    lemma_sum : ndarray
        :math:`\sum_s k(\beta_s^{-2}-1)\ln(\rho_{s+1}/\rho_s)` over the steps after the burn-in
        up to the record (0 before).
    arc : ndarray
        :math:`\sum_s\angle(\theta_s,\theta_{s+1})` over the steps after the burn-in: the length
        of the path of :math:`\theta/\|\theta\|` on the sphere.
    sizes, activation, loss, degree
    """
    steps: np.ndarray
    theta: np.ndarray
    margin: np.ndarray
    smoothed_margin: np.ndarray
    log_risk: np.ndarray
    norm: np.ndarray
    alignment: np.ndarray
    log_alpha: np.ndarray
    rejected: np.ndarray
    max_drop: np.ndarray
    lemma_gap: np.ndarray
    lemma_sum: np.ndarray
    arc: np.ndarray
    sizes: tuple
    activation: str
    loss: str
    degree: int

    def params(self, k=-1):
        """Return the weight matrices at record ``k`` (default: the last)."""
        return [W.copy() for W in _unflat(self.theta[k], self.sizes)]


class _Point(NamedTuple):
    """One iterate with its forward pass, margins and log-risk (internal)."""
    theta: np.ndarray
    params: list
    H: list
    D: list
    m: np.ndarray
    log_r: float


def _point(theta, X, y, sizes, loss, activation):
    P = _unflat(theta, sizes)
    H, D, f = _forward_cache(P, X, activation)
    m = y * f
    return _Point(theta, P, H, D, m, _log_risk_of_margins(m, loss))


def _check_schedule(alpha, grow, shrink, alpha_max, log_power):
    """Return (alpha_0, grow, shrink, alpha_max, log_power) checked; alpha_0 <= alpha_max."""
    alpha = _v.check_positive(alpha, "alpha")
    out = {}
    for name, v, lo in (("grow", grow, 1.0), ("shrink", shrink, 1.0),
                        ("log_power", log_power, 0.0), ("alpha_max", alpha_max, 0.0)):
        try:
            v = float(v)
        except (TypeError, ValueError):
            v = np.nan
        ok = v > 0 if name == "alpha_max" else np.isfinite(v) and v >= lo
        if not ok:
            want = ("a number > 0 (np.inf for no cap)" if name == "alpha_max"
                    else f"a finite number >= {lo:g}")
            raise ValueError(f"{name} must be {want}; got {v!r}.")
        out[name] = v
    if out["shrink"] == 1.0:
        raise ValueError("shrink must be > 1, or a rejected step would be retried forever; "
                         "got 1. The default is 2 ** (1 / 10).")
    return (min(alpha, out["alpha_max"]), out["grow"], out["shrink"], out["alpha_max"],
            out["log_power"])


def _step_direction(pt, y, loss, log_power):
    r"""Return (u, beta): u = -grad log R / max(1, ln 1/R)^a from logs, beta = cos(theta, u)."""
    log_scale, G = _risk_grad_from_cache(pt.params, pt.H, pt.D, pt.m, y, loss)
    g = _flat(G)                                   # grad R = e^{log_scale} g, |g| of order 1
    coef = np.exp(log_scale - pt.log_r - log_power * np.log(max(1.0, -pt.log_r)))
    gn, tn = np.linalg.norm(g), np.linalg.norm(pt.theta)
    beta = float(-(pt.theta @ g) / (tn * gn)) if gn > 0 and tn > 0 else np.nan
    return -coef * g, beta


def _accepted_step(pt, u, alpha, shrink, X, y, sizes, loss, activation):
    """Try theta + alpha u, dividing alpha by ``shrink`` until the risk does not rise."""
    n_rej = 0
    while True:
        cand = _point(pt.theta + alpha * u, X, y, sizes, loss, activation)
        if cand.log_r <= pt.log_r:
            return cand, alpha, n_rej
        alpha /= shrink
        n_rej += 1
        if alpha < 1e-300:
            raise RuntimeError("loss_scaled_gd: no step decreases the risk (a stationary "
                               "point of the risk?). Check that the data are separable by "
                               "this network.")


def loss_scaled_gd(X, y, params, *, activation="relu", loss="logistic", alpha=0.1,
                   grow=2 ** (1 / 5), shrink=2 ** (1 / 10), alpha_max=np.inf, log_power=0.0,
                   n_steps=1000, record_at=None, num_records=60):
    r"""Gradient descent with steps that grow as the risk falls.

    .. math:: \theta_{t+1} = \theta_t - \eta_t\nabla\widehat{\mathcal R}(\theta_t),\qquad
              \eta_t = \frac{\alpha_t}{\widehat{\mathcal R}(\theta_t)\,
              \max\big(1,\ln(1/\widehat{\mathcal R}(\theta_t))\big)^{a}},

    with :math:`a` = ``log_power``. After an accepted step
    :math:`\alpha_{t+1}=\min(\mathrm{grow}\cdot\alpha_t,\alpha_{\max})`; a step that would raise
    :math:`\widehat{\mathcal R}` is undone and retried with :math:`\alpha_t/\mathrm{shrink}`.
    With :math:`a=0` this is the loss-based schedule of Lyu & Li's experiments (ICLR 2020,
    the scheduler ``LossBasedLRv1`` of their code, same default factors :math:`2^{1/5}`,
    :math:`2^{1/10}`). Their gradient-descent theorem (Section 4.2 and Appendix E) asks for
    :math:`\eta_t\le H(\mathcal L(\theta_t))` with
    :math:`H(x)=\Theta\big(1/(x\ln^{3-2/k}(1/x))\big)`, :math:`\mathcal L=\sum_i\ell_i`: that is
    :math:`a = 3-2/k` (the exponent as recalled from the paper; its constant depends on the
    network's smoothness and is not computed here, so :math:`\alpha_{\max}` is a choice).

    The step :math:`\eta_t\nabla\widehat{\mathcal R}` is
    :math:`e^{s-\ln\widehat{\mathcal R}-a\ln\ln(1/\widehat{\mathcal R})}\,G` with
    :math:`\nabla\widehat{\mathcal R}=e^sG` (:func:`ibias_lib.network_risk_grad`): every factor
    is formed from logs, so it is finite at any risk, even far below the smallest float64.

    At every step after the burn-in the trace accumulates the terms of Lyu & Li's Lemma 5.1
    (``lemma_gap``, ``lemma_sum``, ``arc``; see :class:`ScaledTrace`).

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}
    params : list of ndarray
        Initial weights (not modified).
    activation : {'relu', 'relu2', 'linear'}
        A homogeneous activation.
    loss : {'exp', 'logistic'}
    alpha : float > 0
        Initial :math:`\alpha_0` (capped at ``alpha_max``).
    grow, shrink : float
        Factors for :math:`\alpha` after an accepted (``grow >= 1``) and a rejected
        (``shrink > 1``) step.
    alpha_max : float > 0
        Cap on :math:`\alpha_t` (``np.inf``: none).
    log_power : float >= 0
        The exponent :math:`a`.
    n_steps : int >= 1
        Number of accepted steps.
    record_at : 1D int array, optional
        Default ``log_spaced_steps(n_steps, num_records)``.
    num_records : int

    Returns
    -------
    ScaledTrace

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> from ibias_lib import kkt
    >>> X, y = ib.xor_data(40, 6, seed=0)
    >>> p0 = ib.init_network(np.random.default_rng(0), (6, 20, 1), scale=0.1)
    >>> tr = kkt.loss_scaled_gd(X, y, p0, activation="relu2", alpha_max=10, log_power=3 - 2 / 3,
    ...                         n_steps=1000, num_records=10)
    >>> bool(-tr.log_risk[-1] > 50 and tr.max_drop[-1] <= 0)
    True
    """
    params, X, y, activation, loss = _check_net_inputs(params, X, y, activation, loss)
    if activation not in _HOMOGENEOUS:
        raise ValueError(f"loss_scaled_gd needs a homogeneous activation {list(_HOMOGENEOUS)} "
                         f"(its smoothed margin and Lemma 5.1 terms assume one); got "
                         f"{activation!r}. For other activations use ib.train_network.")
    alpha, grow, shrink, alpha_max, log_power = _check_schedule(alpha, grow, shrink,
                                                                alpha_max, log_power)
    n_steps = _v.check_int(n_steps, "n_steps", minimum=1)
    record_at = _check_record_at(record_at, n_steps, num_records)
    sizes = (params[0].shape[1],) + tuple(W.shape[0] for W in params)
    k = _degree(len(params), activation)
    pt = _point(_flat(params).copy(), X, y, sizes, loss, activation)
    rows = {f: [] for f in ("theta", "margin", "smoothed_margin", "log_risk", "norm",
                            "alignment", "log_alpha", "rejected", "max_drop", "lemma_gap",
                            "lemma_sum", "arc")}
    n_rej, drop, gap, lsum, arc, t = 0, -np.inf, -np.inf, 0.0, 0.0, 0
    rho = np.linalg.norm(pt.theta)
    sm = _smoothed_normalized(pt.m, rho, k, loss) if rho > 0 else 0.0
    for target in record_at:
        u, beta = _step_direction(pt, y, loss, log_power)
        while t < target:
            new, alpha, r = _accepted_step(pt, u, alpha, shrink, X, y, sizes, loss, activation)
            n_rej += r
            rho_new = np.linalg.norm(new.theta)
            sm_new = _smoothed_normalized(new.m, rho_new, k, loss)
            if sm > 0:                               # after the burn-in
                dlr = np.log(rho_new / rho)
                term = k * (beta ** -2 - 1.0) * dlr
                drop = max(drop, (sm - sm_new) / sm)
                gain = np.log(sm_new / sm) if sm_new > 0 else -np.inf   # margin lost: +inf gap
                gap = max(gap, term - gain)
                lsum += term
                arc += angle(pt.theta, new.theta)
            pt, rho, sm, t = new, rho_new, sm_new, t + 1
            alpha = min(alpha * grow, alpha_max)
            u, beta = _step_direction(pt, y, loss, log_power)
        rec = (pt.theta.copy(), _normalized_margins(pt.params, X, y, activation).min(), sm,
               pt.log_r, rho, beta, np.log(alpha), n_rej, drop, gap, lsum, arc)
        for f, v in zip(rows, rec):
            rows[f].append(v)
    arr = {f: np.array(v) for f, v in rows.items()}
    return ScaledTrace(steps=record_at.copy(), sizes=sizes, activation=activation, loss=loss,
                       degree=k, **arr)


# ---------------------------------------------------------------- (eps, delta)-KKT measure

class ApproxKKT(NamedTuple):
    r"""Result of :func:`approx_kkt` (``eps`` and ``delta`` relative to
    :math:`\|\tilde\theta\|` and :math:`\|\tilde\theta\|^2`).

    Attributes
    ----------
    eps : float
        :math:`\|\tilde\theta-\sum_i\lambda_i\nabla q_i(\tilde\theta)\|/\|\tilde\theta\|
        = \sqrt{1-\beta^2}`.
    delta : float
        :math:`\sum_i\lambda_i(q_i(\tilde\theta)-1)/\|\tilde\theta\|^2 \ge 0`.
    beta : float
        :math:`\cos(\tilde\theta, \sum_ip_i\nabla q_i(\tilde\theta))`, the alignment with
        :math:`-\nabla\widehat{\mathcal R}`.
    delta_bound : float
        :math:`c_\ell\ln n/(k\,q_{\min}(\theta))`, :math:`c_{\exp}=1`, :math:`c_{\log}=2`: the
        bound on ``delta`` proved in :func:`approx_kkt` (``inf`` for the logistic loss if some
        :math:`q_i<0`, where the proof does not apply).
    multipliers : ndarray of shape (n_samples,)
    theta : ndarray
        :math:`\tilde\theta`, with :math:`\min_iq_i(\tilde\theta)=1`.
    q_min : float
        :math:`\min_iq_i(\theta)` of the input point.
    """
    eps: float
    delta: float
    beta: float
    delta_bound: float
    multipliers: np.ndarray
    theta: np.ndarray
    q_min: float


def _check_homogeneous(activation, who):
    if activation not in _HOMOGENEOUS:
        raise ValueError(f"{who} needs a homogeneous activation {list(_HOMOGENEOUS)}; got "
                         f"{activation!r}, for which the margin problem has no scale-free "
                         "KKT direction.")


def _rescaled_to_margin_one(params, X, y, activation, who):
    """Return (unit params theta/|theta|, their margins, |theta|), or raise if not separating."""
    nrm = np.linalg.norm(_flat(params))
    if nrm == 0:
        raise ValueError(f"{who}: theta = 0 does not separate the data.")
    unit = [W / nrm for W in params]
    qu = y * _forward_cache(unit, X, activation)[2]
    if qu.min() <= 0:
        raise ValueError(f"{who}: the network does not separate the data (min_i y_i F(x_i) = "
                         f"{qu.min() * nrm:.3g} <= 0), so it cannot be rescaled to margin 1 "
                         "and the margin problem's KKT conditions are undefined there. Train "
                         "until every margin is positive.")
    return unit, qu, nrm


def _loss_weights(qu, nrm, k, loss):
    """p = softmax(log|l'(q)|) for q = qu * nrm^k, without forming q when it is huge: for
    q_min > 700, |l'(q)| = e^{-q} (1 + O(e^{-700})) for both losses, so p = softmax(-(q - q_min))."""
    log_q = np.log(qu) + k * np.log(nrm)
    if log_q.min() < np.log(700.0):
        return softmax(log_neg_derivs(np.exp(log_q), loss))
    with np.errstate(over="ignore"):
        gap = (qu - qu.min()) * np.exp(k * np.log(nrm))    # inf only where the weight is 0
    return softmax(-np.where(qu > qu.min(), gap, 0.0))


def approx_kkt(params, X, y, *, activation="relu", loss="logistic"):
    r"""Tolerance-free :math:`(\varepsilon,\delta)`-KKT measure of a separating point.

    Lyu & Li (ICLR 2020, Definition of approximate KKT points, after Dutta et al. 2013) call a
    feasible :math:`\tilde\theta` an :math:`(\varepsilon,\delta)`-KKT point of the margin problem
    if some :math:`\lambda\ge0` gives :math:`\|\tilde\theta-\sum_i\lambda_ih_i\|\le\varepsilon`
    with :math:`h_i\in\partial q_i(\tilde\theta)` and
    :math:`\sum_i\lambda_i(q_i(\tilde\theta)-1)\le\delta`. Here :math:`\tilde\theta =
    \theta/q_{\min}^{1/k}` (so :math:`\min_iq_i(\tilde\theta)=1`), :math:`h_i=\nabla q_i` (the
    network's gradient, derivative 0 at a ReLU kink: one element of the Clarke
    subdifferential), and the multipliers are the loss's own weights
    :math:`\lambda = c\,p`, :math:`p=\operatorname{softmax}(\log|\ell'(q(\theta))|)`, with the best
    scale :math:`c=\langle\tilde\theta,g\rangle/\|g\|^2`, :math:`g=\sum_ip_i\nabla q_i(\tilde\theta)`
    (parallel to :math:`-\nabla\widehat{\mathcal R}(\theta)` since :math:`\nabla q_i` is
    :math:`(k-1)`-homogeneous). Then, relative to :math:`\|\tilde\theta\|`,

    .. math:: \varepsilon = \frac{\|\tilde\theta-cg\|}{\|\tilde\theta\|} = \sqrt{1-\beta^2},
              \qquad
              \delta = \frac{\sum_i\lambda_i(q_i(\tilde\theta)-1)}{\|\tilde\theta\|^2}
              = \frac{\beta^2}{k}\Big(1-\frac{1}{\sum_ip_iq_i(\tilde\theta)}\Big),

    the second by Euler's identity :math:`\langle\tilde\theta,\nabla q_i\rangle = kq_i`. No
    tolerance or active set enters: :math:`\tilde\theta` is an exact
    :math:`(\varepsilon\|\tilde\theta\|,\delta\|\tilde\theta\|^2)`-KKT point.

    **A bound on** :math:`\delta`. With :math:`\Delta_i = q_i(\theta) - q_{\min}`,
    :math:`\delta\le\frac1k\sum_ip_i\Delta_i/q_{\min}` (as :math:`\beta\le1\le\sum_ip_iq_i(\tilde
    \theta)`). For the exponential loss :math:`p` is :math:`\pi=\operatorname{softmax}(-\Delta)`
    and :math:`\sum_i\pi_i\Delta_i = H(\pi) - \ln\sum_ie^{-\Delta_i}\le\ln n`. For the logistic
    loss with :math:`q_i\ge0`, :math:`e^{-q_i}/2\le|\ell'(q_i)|\le e^{-q_i}` gives
    :math:`p_i\le2\pi_i`. Hence

    .. math:: \delta\;\le\;\frac{c_\ell\ln n}{k\,q_{\min}(\theta)},\qquad c_{\exp}=1,\ c_{\log}=2,

    which is :math:`O(1/\ln(1/\widehat{\mathcal R}))`: the rate of the complementary-slackness
    part in Lyu & Li's approximate KKT points.

    Parameters
    ----------
    params : list of ndarray
        A point with :math:`\min_iy_iF(x_i;\theta)>0`.
    X, y : training data
    activation : {'relu', 'relu2', 'linear'}
    loss : {'exp', 'logistic'}
        The loss whose weights give the multipliers.

    Returns
    -------
    ApproxKKT

    Examples
    --------
    >>> import numpy as np
    >>> from ibias_lib import kkt
    >>> X = np.array([[1.0, 1.0], [1.0, -1.0]]); y = np.array([1.0, 1.0])  # both on the margin
    >>> a = kkt.approx_kkt([np.array([[3.0, 0.0]])], X, y, activation="linear", loss="exp")
    >>> round(a.eps, 12), round(a.delta, 12), a.theta       # an exact KKT point
    (0.0, 0.0, array([1., 0.]))
    """
    params, X, y, activation, loss = _check_net_inputs(params, X, y, activation, loss)
    _check_homogeneous(activation, "approx_kkt")
    k = _degree(len(params), activation)
    unit, qu, nrm = _rescaled_to_margin_one(params, X, y, activation, "approx_kkt")
    log_q = np.log(qu) + k * np.log(nrm)                # log q_i(theta): no overflow
    p = _loss_weights(qu, nrm, k, loss)
    tilde = [qu.min() ** (-1.0 / k) * W for W in unit]
    H, D, f = _forward_cache(tilde, X, activation)
    g = _flat(_backward(tilde, H, D, p * y))            # sum_i p_i grad q_i(tilde)
    th = _flat(tilde)
    tn2 = th @ th
    beta = float(th @ g / np.sqrt(tn2 * (g @ g)))
    c = (th @ g) / (g @ g)
    lam = c * p
    c_loss = 1.0 if loss == "exp" else 2.0
    with np.errstate(over="ignore"):                    # q_min = inf only beyond float64
        q_min = float(np.exp(log_q.min()))
    return ApproxKKT(eps=float(np.linalg.norm(th - c * g) / np.sqrt(tn2)),
                     delta=float(lam @ (y * f - 1.0) / tn2), beta=beta,
                     delta_bound=float(c_loss * np.log(len(y)) / k * np.exp(-log_q.min())),
                     multipliers=lam, theta=th, q_min=q_min)


# ---------------------------------------------------------------- polishing and certificates

class Polished(NamedTuple):
    """Result of :func:`polish_kkt`: ``theta`` the SLSQP solution :math:`\\theta^\\star`,
    ``start`` the starting point rescaled to :math:`\\min_iq_i=1`, and SLSQP's ``success`` flag,
    ``message`` and number of iterations ``nit``."""
    theta: np.ndarray
    start: np.ndarray
    success: bool
    message: str
    nit: int


def polish_kkt(params, X, y, *, activation="relu2", maxiter=500, ftol=1e-12):
    r"""Solve :math:`\min\frac12\|\theta\|^2` s.t. :math:`y_iF(x_i;\theta)\ge1` locally by
    SLSQP (:func:`scipy.optimize.minimize`), from ``params`` rescaled to minimum margin 1.

    SLSQP is a method for continuously differentiable constraints: use it on networks with
    locally Lipschitz gradients (``'relu2'``, ``'linear'``). On ReLU networks the constraints
    are not differentiable where a pre-activation vanishes on a data point, and SLSQP may stop
    far from a KKT point. The constraint Jacobian is the exact per-example gradient. The result
    is a candidate: check it with :func:`kkt_certificate`.

    Parameters
    ----------
    params : list of ndarray
        A separating point.
    X, y : training data
    activation : {'relu2', 'linear', 'relu'}
    maxiter : int
    ftol : float > 0
        SLSQP's tolerance on the objective.

    Returns
    -------
    Polished
    """
    params, X, y, activation, _ = _check_net_inputs(params, X, y, activation)
    _check_homogeneous(activation, "polish_kkt")
    maxiter = _v.check_int(maxiter, "maxiter", minimum=1)
    ftol = _v.check_positive(ftol, "ftol")
    k = _degree(len(params), activation)
    sizes = (params[0].shape[1],) + tuple(W.shape[0] for W in params)
    unit, qu, _ = _rescaled_to_margin_one(params, X, y, activation, "polish_kkt")
    start = _flat(unit) * qu.min() ** (-1.0 / k)

    def margins(v):
        return _margins_jacobian(_unflat(v, sizes), X, y, activation)

    cons = {"type": "ineq", "fun": lambda v: margins(v)[0] - 1.0,
            "jac": lambda v: margins(v)[1]}
    res = minimize(lambda v: 0.5 * v @ v, start, jac=lambda v: v, constraints=[cons],
                   method="SLSQP", options={"maxiter": maxiter, "ftol": ftol})
    return Polished(theta=res.x, start=start, success=bool(res.success),
                    message=str(res.message), nit=int(res.nit))


class Certificate(NamedTuple):
    r"""Result of :func:`kkt_certificate`.

    Attributes
    ----------
    infeasibility : float
        :math:`\max(0, 1-\min_iq_i(\theta))`.
    residual : float
        :math:`\min_{\lambda\ge0}\|\theta-\sum_{i\in A}\lambda_i\nabla q_i(\theta)\|/\|\theta\|`
        over the active set :math:`A=\{i: q_i\le1+\mathrm{tol}\}`.
    multipliers : ndarray of shape (n_samples,)
    active : ndarray of int
    euler_gap : float
        :math:`|\sum_i\lambda_i - \|\theta\|^2/k|/(\|\theta\|^2/k)`: at an exact KKT point
        :math:`\sum_i\lambda_i=\|\theta\|^2/k` by Euler's identity.
    """
    infeasibility: float
    residual: float
    multipliers: np.ndarray
    active: np.ndarray
    euler_gap: float


def kkt_certificate(theta, X, y, sizes, *, activation="relu2", tol=1e-6):
    r"""Check a candidate KKT point of the margin problem, independently of how it was found.

    Feasibility :math:`\min_iq_i(\theta)\ge1`, and stationarity
    :math:`\theta=\sum_{i\in A}\lambda_i\nabla q_i(\theta)` with :math:`\lambda\ge0` on the active
    set :math:`A=\{i:q_i\le1+\mathrm{tol}\}`: the multipliers solve a nonnegative least squares
    problem (:func:`ibias_lib.kkt_conditions`, :func:`scipy.optimize.nnls`), so
    :math:`\lambda\ge0` holds by construction and the residual is what is tested. ``tol`` only
    absorbs a solver's accuracy (:math:`10^{-6}` for SLSQP at ``ftol=1e-12``).

    Parameters
    ----------
    theta : array of shape (n_params,)
    X, y : training data
    sizes : sequence of int
        Layer sizes ``(d, h_1, ..., 1)``.
    activation : {'relu2', 'linear', 'relu'}
    tol : float >= 0

    Returns
    -------
    Certificate
    """
    params = unflatten(theta, sizes)
    params, X, y, activation, _ = _check_net_inputs(params, X, y, activation)
    _check_homogeneous(activation, "kkt_certificate")
    k = _degree(len(params), activation)
    q = y * _forward_cache(params, X, activation)[2]
    kk = kkt_conditions(params, X, y, activation=activation, tol=tol)
    # kkt_conditions works at theta / q_min^{1/k}; its multipliers scale by q_min^{2/k - 1}
    # back to theta (theta = s t, grad q_i(theta) = s^{k-1} grad q_i(t), s = q_min^{1/k}).
    s = q.min() ** (1.0 / k)
    lam = kk.multipliers * s ** (2 - k)
    t2 = float(_flat(params) @ _flat(params))
    return Certificate(infeasibility=float(max(0.0, 1.0 - q.min())), residual=kk.residual,
                       multipliers=lam, active=kk.active,
                       euler_gap=float(abs(lam.sum() - t2 / k) / (t2 / k)))


def angle(u, v):
    """Return the angle (radians) between two nonzero vectors, accurate near 0
    (``2 * arcsin(||u/|u| - v/|v| || / 2)``)."""
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if not (nu > 0 and nv > 0 and np.isfinite(nu) and np.isfinite(nv)):
        raise ValueError(f"angle needs two finite nonzero vectors; got norms {nu!r} and {nv!r}.")
    d = np.linalg.norm(u / nu - v / nv)
    return float(2.0 * np.arcsin(min(1.0, d / 2.0)))
