r"""The inequalities of the talk's proof techniques, as per-step numbers one can assert.

Notation: rows :math:`a_i = y_ix_i` with :math:`\|a_i\|\le1`, margins :math:`m = Aw`, the
log-sum-exp potential :math:`\psi(w) = \ln\sum_i e^{-m_i} = \ln n + \ln\widehat{\mathcal R}(w)`
(exponential loss), its negative gradient :math:`g(w) = -\nabla\psi(w) = A^\top q`,
:math:`q = \operatorname{softmax}(-m)`, and the max-margin direction :math:`\bar u` with margin
:math:`\bar\gamma`.

**Tied to the algorithm.** An inequality of a proof about an algorithm uses its update, e.g.
:math:`w_{s+1} - w_s = \eta g_s` for normalized GD. The functions for such inequalities return
a :class:`StepInequality`, which also carries the residual of that update at every step
(:func:`update_residual`); :meth:`StepInequality.violation` is ``+inf`` when the iterates are
not the algorithm's (another step size, a wrong sign, momentum), so a check of the
inequality fails for a different algorithm even where the inequality happens to hold.
Inequalities true at every point (the :math:`\ln\sum\exp` sandwich, the dual inequality) take
any iterates.

* :func:`smoothing_sandwich`: :math:`\tilde\gamma \le \gamma \le \tilde\gamma + \ln n/\|w\|`
  (exponential loss; :math:`(\ln n + \sum_i\ell_i)/\|w\|` for the logistic loss).
* :func:`descent_inequality`, :func:`convexity_inequality`, :func:`dual_inequality`,
  :func:`norm_inequality`, :func:`progress_inequality`, :func:`telescoped_margin_bound`
  (all at once: :func:`ngd_argument`), :func:`ngd_margin_bound`, :func:`dual_gap_bound`: the
  normalized-GD argument (Telgarsky 2013; Ji & Telgarsky 2021).
* :func:`logistic_burn_in`, :func:`smoothed_margin_monotonicity`: the logistic smoothed
  margin :math:`\ell^{-1}(\sum_i\ell_i)/\|w\|` (Lyu & Li 2020).
* :func:`logistic_smoothness`, :func:`perceptron_inequality`, :func:`perceptron_bound`,
  :func:`perceptron_norm_bound` (all at once: :func:`perceptron_argument`),
  :func:`distance_to_beat`: the perceptron / mirror-descent lemma.
* :func:`novikoff_inequalities`: the two per-mistake inequalities of Novikoff (1962).

Everything is computed from logs of the risk; iterates come from :func:`ibias_lib.gd` and
:func:`ibias_lib.normalized_gd` run with ``record_at=np.arange(n_steps + 1)``.
"""
from __future__ import annotations

import math
from typing import NamedTuple, Optional

import numpy as np

from . import _validation as _v
from .losses import log_losses, log_neg_derivs
from .numerics import inv_logistic_sum

__all__ = ["StepInequality", "UPDATE_TOL", "update_residual", "lse_potential",
           "smoothing_sandwich", "descent_inequality", "convexity_inequality",
           "dual_inequality", "norm_inequality", "progress_inequality",
           "telescoped_margin_bound", "NGDArgument", "ngd_argument", "ngd_margin_bound",
           "dual_gap_bound",
           "logistic_burn_in", "smoothed_margin_monotonicity", "logistic_smoothness",
           "perceptron_inequality", "perceptron_bound", "perceptron_norm_bound",
           "PerceptronArgument", "perceptron_argument",
           "distance_to_beat", "novikoff_inequalities"]

#: Largest relative residual :math:`\|w_{s+1}-w_s-\eta d_s\|/(\|w_s\|+\|w_{s+1}\|+\eta\|d_s\|)`
#: accepted as "this step is the update": float64 rounding gives ~1e-16.
UPDATE_TOL = 1e-12
_EPS = np.finfo(np.float64).eps


class StepInequality(NamedTuple):
    r"""A per-step inequality ``lhs[s] <= rhs[s]`` of a proof, for the iterates of one update.

    Attributes
    ----------
    lhs, rhs : ndarray of shape (k,)
        The two sides at each step.
    scale : ndarray of shape (k,)
        A positive size of the terms, so that ``(lhs - rhs) / scale`` is dimensionless.
    rounding : ndarray of shape (k,)
        The float64 rounding allowance of ``lhs - rhs`` (a few ulps of the largest term).
    update_error : ndarray of shape (k,) or None
        The residual of the update the proof assumes (:func:`update_residual`); ``None`` for
        an inequality that holds at every point.
    """
    lhs: np.ndarray
    rhs: np.ndarray
    scale: np.ndarray
    rounding: np.ndarray
    update_error: Optional[np.ndarray] = None

    @property
    def is_the_update(self) -> bool:
        """True when every step is the update of the proof (residual <= ``UPDATE_TOL``)."""
        return self.update_error is None or bool(np.all(self.update_error <= UPDATE_TOL))

    def violation(self) -> float:
        r"""``max_s (lhs - rhs - rounding) / scale``: <= 0 when the inequality holds at every
        step; ``+inf`` when some step is not the update the proof is about; NaN when there is
        no step to check (a check on nothing must not pass)."""
        if not self.is_the_update:
            return math.inf
        if np.size(self.lhs) == 0:
            return math.nan
        return float(np.max((self.lhs - self.rhs - self.rounding) / self.scale))

    def slack(self) -> np.ndarray:
        """``(rhs - lhs) / scale`` at each step: how much room the inequality leaves."""
        return (self.rhs - self.lhs) / self.scale


def _rows(X, y):
    X, y = _v.check_X_y(X, y)
    return y[:, None] * X


def _iterates(W, d, minimum=1):
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[1] != d or W.shape[0] < minimum or not np.all(np.isfinite(W)):
        raise ValueError(f"W must be a finite array of at least {minimum} iterates, of shape "
                         f"(k, {d}); got shape {W.shape}. Record every step: "
                         "record_at=np.arange(n_steps + 1).")
    return W


def _step(step, maximum=None, why=""):
    eta = _v.check_positive(step, "step")
    if maximum is not None and eta > maximum:
        raise ValueError(f"step {eta:g} > {maximum:g}: {why}")
    return eta


def _row_lse(Z):
    """Row-wise log-sum-exp of a 2D array (max subtracted first)."""
    zmax = Z.max(axis=1, keepdims=True)
    return zmax[:, 0] + np.log(np.exp(Z - zmax).sum(axis=1))


def _psi_and_g(A, W):
    """psi(w) = lse(-Aw) and g(w) = A^T softmax(-Aw) for each row w of W."""
    Z = -(W @ A.T)
    psi = _row_lse(Z)
    Q = np.exp(Z - psi[:, None])
    return psi, Q @ A


def _directions(A, W, loss, normalized):
    r"""The update directions :math:`d(w) = -\nabla\widehat{\mathcal R}(w)` (GD) or
    :math:`-\nabla\widehat{\mathcal R}(w)/\widehat{\mathcal R}(w)` (normalized GD), per row,
    from logs: :math:`d = e^{c}A^\top\operatorname{softmax}(\log|\ell'(m)|)` with
    :math:`c = \operatorname{lse}(\log|\ell'|) - \ln n` or :math:`-\operatorname{lse}(\log\ell)`."""
    M = W @ A.T
    La = log_neg_derivs(M, loss)
    lse_a = _row_lse(La)
    Q = np.exp(La - lse_a[:, None])
    log_c = lse_a - (_row_lse(log_losses(M, loss)) if normalized else np.log(A.shape[0]))
    return np.exp(log_c)[:, None] * (Q @ A)


def _residual(W, D, eta):
    """Relative residual of w_{s+1} - w_s = eta d_s, with D = d(w_s) for s < T (internal)."""
    err = np.linalg.norm(np.diff(W, axis=0) - eta * D, axis=1)
    size = (np.linalg.norm(W[:-1], axis=1) + np.linalg.norm(W[1:], axis=1)
            + eta * np.linalg.norm(D, axis=1))
    return err / np.maximum(size, np.finfo(np.float64).tiny)


def _update_residual(A, W, eta, loss, normalized):
    return _residual(W, _directions(A, W[:-1], loss, normalized), eta)


def update_residual(X, y, W, *, step, loss="exp", normalized=True):
    r"""How far each recorded step is from the update a proof assumes.

    .. math:: r_s = \frac{\|w_{s+1} - w_s - \eta\,d(w_s)\|}{\|w_s\| + \|w_{s+1}\| + \eta\|d(w_s)\|},
              \qquad d = -\frac{\nabla\widehat{\mathcal R}}{\widehat{\mathcal R}}\ \text{(normalized)}
              \ \text{or}\ -\nabla\widehat{\mathcal R}\ \text{(constant step)}.

    For the exponential loss the normalized direction is :math:`g = A^\top\operatorname{softmax}(-Aw)`.
    Iterates of the algorithm give :math:`r_s\approx10^{-16}` (rounding); another step size,
    sign or a momentum term gives :math:`r_s` of the order of the discrepancy.

    Parameters
    ----------
    X, y : data
    W : array of shape (T+1, n_features)
        Consecutive iterates :math:`w_0, \dots, w_T`.
    step : float > 0
    loss : {'exp', 'logistic'}
    normalized : bool
        Normalized GD (steps :math:`\eta/\widehat{\mathcal R}`) or constant-step GD.

    Returns
    -------
    ndarray of shape (T,)
    """
    A = _rows(X, y)
    W = _iterates(W, A.shape[1], minimum=2)
    return _update_residual(A, W, _step(step), _v.check_loss(loss), bool(normalized))


def lse_potential(X, y, W):
    r"""Return :math:`\psi(w) = \ln\sum_i\exp(-y_ix_i^\top w)` and :math:`g(w) = -\nabla\psi(w)`.

    Parameters
    ----------
    X, y : data
    W : array of shape (k, n_features)
        Iterates, one per row.

    Returns
    -------
    psi : ndarray (k,)
    g : ndarray (k, n_features)
        :math:`g(w) = \sum_i q_i y_ix_i` with :math:`q = \operatorname{softmax}(-m)`.
    """
    A = _rows(X, y)
    return _psi_and_g(A, _iterates(W, A.shape[1]))


def _smoothed_rows(M, loss):
    """l^{-1}(sum_i l(m_i)) and sum_i l(m_i) for each row of margins (internal)."""
    log_s = _row_lse(log_losses(M, loss))
    if loss == "exp":
        return -log_s, np.exp(log_s)
    return np.array([inv_logistic_sum(v) for v in log_s]), np.exp(log_s)


def smoothing_sandwich(margins, norm, *, loss="exp"):
    r"""Return ``(smoothed, margin, upper)`` of the smoothing sandwich for margins m.

    Exponential loss (Telgarsky 2013):

    .. math:: \tilde\gamma = \frac{-\ln\sum_ie^{-m_i}}{\|w\|} \;\le\; \gamma = \frac{\min_i m_i}{\|w\|}
              \;\le\; \tilde\gamma + \frac{\ln n}{\|w\|}.

    Logistic loss, :math:`\tilde\gamma = \ell^{-1}(s)/\|w\|` with :math:`s=\sum_i\ell(m_i)`,
    :math:`\ell^{-1}(s) = -\ln(e^s-1)` (Lyu & Li 2020): the same left inequality, and
    :math:`\gamma\le\tilde\gamma + (\ln n + s)/\|w\|` since :math:`e^s-1\le se^s` and
    :math:`s\le n\ell(m_*)\le ne^{-m_*}`.

    ``margins`` has shape (n,) or (k, n) (one row per iterate); ``norm`` is :math:`\|w\|`
    (scalar or shape (k,)).

    Examples
    --------
    >>> import numpy as np
    >>> from ibias_lib import proofs
    >>> sm, mg, up = proofs.smoothing_sandwich(np.array([1.0, 1.0]), 1.0)  # equal margins
    >>> round(sm, 6), mg, round(up, 6)     # 1 - ln 2 <= 1 <= 1: the upper bound is tight
    (0.306853, 1.0, 1.0)
    """
    loss = _v.check_loss(loss)
    M = np.atleast_2d(np.asarray(margins, dtype=np.float64))
    nrm = np.broadcast_to(np.asarray(norm, dtype=np.float64), (M.shape[0],))
    if np.any(~(nrm > 0)):
        raise ValueError("norm must be positive: the normalized margin is undefined at w = 0.")
    inv, s = _smoothed_rows(M, loss)
    smoothed = inv / nrm
    margin = M.min(axis=1) / nrm
    extra = 0.0 if loss == "exp" else s
    upper = smoothed + (np.log(M.shape[1]) + extra) / nrm
    if np.ndim(margins) == 1:
        return float(smoothed[0]), float(margin[0]), float(upper[0])
    return smoothed, margin, upper


class _NGD(NamedTuple):
    """psi, g, ||g||^2 at every iterate and the update residual of normalized GD (exp)."""
    psi: np.ndarray
    G: np.ndarray
    gn2: np.ndarray
    err: np.ndarray


def _ngd(A, W, eta):
    psi, G = _psi_and_g(A, W)   # for the exp loss the normalized direction is g itself
    return _NGD(psi, G, np.sum(G ** 2, axis=1), _residual(W, G[:-1], eta))


def _ngd_setup(X, y, W, step):
    A = _rows(X, y)
    W = _iterates(W, A.shape[1], minimum=2)
    eta = _step(step)
    return A, W, eta, _ngd(A, W, eta)


def _unit_separating(A, direction):
    u = _v.check_w(direction, A.shape[1], name="direction", allow_zero=False)
    u = u / np.linalg.norm(u)
    gamma = float((A @ u).min())
    if gamma <= 0:
        raise ValueError(f"direction has margin {gamma:.3g} <= 0 on the data: it does not "
                         "separate them. Pass ib.max_margin(X, y).direction.")
    return u, gamma


def _descent(p, eta):
    gn2 = p.gn2[:-1]
    rounding = 16 * _EPS * (np.abs(p.psi[:-1]) + np.abs(p.psi[1:]) + eta * gn2)
    scale = np.maximum(eta * gn2, np.finfo(np.float64).tiny)
    return (StepInequality(np.diff(p.psi), -eta * (1 - eta / 2) * gn2, scale, rounding, p.err),
            StepInequality(-np.diff(p.psi), eta * gn2, scale, rounding, p.err))


def _norm(W, p, eta):
    rhs = eta * np.cumsum(np.sqrt(p.gn2[:-1]))
    t = np.arange(1, len(W))
    return StepInequality(np.linalg.norm(W[1:] - W[0], axis=1), rhs,
                          np.maximum(rhs, np.finfo(np.float64).tiny),
                          4 * _EPS * (t + W.shape[1]) * rhs, p.err)


def _progress(W, p, eta, u, gamma):
    t = np.arange(1, len(W))
    lhs = eta * t * gamma
    dist = np.linalg.norm(W[1:] - W[0], axis=1)
    return StepInequality(lhs, (W[1:] - W[0]) @ u, lhs,
                          4 * _EPS * (t + W.shape[1]) * (lhs + dist), p.err)


def _certificate(A, W, p, eta):
    gn = np.sqrt(p.gn2[:-1])
    num = eta * (1 - eta / 2) * np.cumsum(p.gn2[:-1]) - np.log(A.shape[0])
    den = eta * np.cumsum(gn)
    bound = np.where(num >= 0, num / np.maximum(den, np.finfo(np.float64).tiny), -np.inf)
    nrm = np.linalg.norm(W[1:], axis=1)
    return bound, -p.psi[1:] / nrm, (W[1:] @ A.T).min(axis=1) / nrm


def descent_inequality(X, y, W, *, step):
    r"""The smoothness (descent) inequality of normalized GD on :math:`\psi = \ln\sum\exp`.

    With :math:`\|a_i\|\le1`, :math:`\psi` is 1-smooth (its Hessian is the covariance of the
    rows under q), so the step :math:`w_{s+1} = w_s + \eta g_s` satisfies

    .. math:: \psi(w_{s+1}) - \psi(w_s) \;\le\; -\eta\big(1-\tfrac{\eta}{2}\big)\|g_s\|^2.

    ``W`` holds consecutive normalized-GD iterates :math:`w_0,\dots,w_T` (exponential loss;
    the update is checked). Returns a :class:`StepInequality` of length T with ``scale``
    :math:`\eta\|g_s\|^2`.
    """
    _, _, eta, p = _ngd_setup(X, y, W, step)
    return _descent(p, eta)[0]


def convexity_inequality(X, y, W, *, step):
    r"""The convexity inequality, the reverse of :func:`descent_inequality`:

    .. math:: \psi(w_s) - \psi(w_{s+1}) \;\le\; \eta\|g_s\|^2,

    since :math:`\psi(w_{s+1})\ge\psi(w_s)+\langle\nabla\psi(w_s), \eta g_s\rangle`. With the
    descent inequality it pins the decrease to :math:`[\eta(1-\frac\eta2), \eta]\,\|g_s\|^2`:
    the descent bound is tight to the factor :math:`1/(1-\eta/2)`. Same arguments and return
    type as :func:`descent_inequality`.
    """
    _, _, eta, p = _ngd_setup(X, y, W, step)
    return _descent(p, eta)[1]


def dual_inequality(X, y, W, direction):
    r"""The dual (Cauchy-Schwarz) inequality :math:`\bar\gamma \le \langle g_s,\bar u\rangle \le \|g_s\|`.

    :math:`\langle g,\bar u\rangle = \sum_i q_i\,a_i^\top\bar u \ge \min_i a_i^\top\bar u`
    because q lies on the simplex; it holds at every point w, whatever the algorithm.
    ``direction`` is a unit vector :math:`\bar u` (for :math:`\bar\gamma` use
    ``ib.max_margin(X, y).direction``). Returns ``(gamma, inner, grad_norm)`` with ``gamma``
    the scalar :math:`\min_i a_i^\top\bar u` and the other two of shape (k,).
    """
    A = _rows(X, y)
    W = _iterates(W, A.shape[1])
    u = _v.check_w(direction, A.shape[1], name="direction", allow_zero=False)
    u = u / np.linalg.norm(u)
    _, G = _psi_and_g(A, W)
    return float((A @ u).min()), G @ u, np.linalg.norm(G, axis=1)


def norm_inequality(X, y, W, *, step):
    r"""The triangle inequality :math:`\|w_t - w_0\| \le \eta\sum_{s<t}\|g_s\|` of normalized GD,
    which holds because :math:`w_t - w_0 = \eta\sum_{s<t}g_s` (the update is checked).

    Returns a :class:`StepInequality` for t = 1..T with ``scale`` the right side.
    """
    _, W, eta, p = _ngd_setup(X, y, W, step)
    return _norm(W, p, eta)


def progress_inequality(X, y, W, direction, *, step):
    r"""The progress along :math:`\bar u`: :math:`\eta t\bar\gamma \le \langle w_t-w_0, \bar u\rangle\;(\le\|w_t-w_0\|)`.

    For normalized GD :math:`\langle w_t - w_0,\bar u\rangle = \eta\sum_{s<t}\langle g_s,\bar u\rangle`
    and each term is at least :math:`\bar\gamma` (:func:`dual_inequality`): the last line of
    the talk's proof, :math:`\langle\int_0^t\dot w_s\,ds,\bar u\rangle\ge t\gamma`. ``direction``
    must separate the data (:math:`\bar\gamma = \min_ia_i^\top\bar u > 0`).

    Returns a :class:`StepInequality` for t = 1..T (left side :math:`\eta t\bar\gamma`).
    """
    A, W, eta, p = _ngd_setup(X, y, W, step)
    u, gamma = _unit_separating(A, direction)
    return _progress(W, p, eta, u, gamma)


def _require_ngd(p, eta):
    bad = p.err > UPDATE_TOL
    if np.any(bad):
        s = int(np.argmax(bad))
        raise ValueError(f"W is not a run of normalized GD with step {eta:g}: at step {s} "
                         f"w_(s+1) - w_s differs from eta * g_s (relative residual "
                         f"{p.err[s]:.2g}). Pass ib.normalized_gd(X, y, step={eta:g}, "
                         "record_at=np.arange(n_steps + 1)).w.")


def telescoped_margin_bound(X, y, W, *, step):
    r"""The telescoped certificate of normalized GD from :math:`w_0 = 0`, :math:`\eta\le 2`.

    Summing :func:`descent_inequality` from :math:`\psi(0)=\ln n` and dividing by the
    :func:`norm_inequality` bound (valid when the numerator is nonnegative):

    .. math:: \gamma(w_t) \ge \tilde\gamma(w_t) \ge
              \frac{\eta(1-\eta/2)\sum_{s<t}\|g_s\|^2 - \ln n}{\eta\sum_{s<t}\|g_s\|} =: B_t.

    ``W`` must be the iterates of normalized GD (exponential loss) with this step, else a
    ``ValueError`` says so. Returns ``(bound, smoothed, margin)`` of shape (T,), for
    t = 1..T; ``bound`` is :math:`B_t` where its numerator is nonnegative and ``-inf`` before.
    """
    A = _rows(X, y)
    W = _iterates(W, A.shape[1], minimum=2)
    eta = _step(step, 2.0, "the descent inequality needs eta <= 2.")
    if np.linalg.norm(W[0]) != 0:
        raise ValueError("the telescoped bound is stated for w_0 = 0.")
    p = _ngd(A, W, eta)
    _require_ngd(p, eta)
    return _certificate(A, W, p, eta)


class NGDArgument(NamedTuple):
    """Every inequality of the normalized-GD argument on one run (:func:`ngd_argument`)."""
    descent: StepInequality
    convexity: StepInequality
    norm: StepInequality
    progress: StepInequality
    gamma: float                 # min_i a_i^T u
    inner: np.ndarray            # <g_s, u>, s = 0..T
    grad_norm: np.ndarray        # ||g_s||, s = 0..T
    certificate: tuple           # (B_t, smoothed, margin), t = 1..T


def ngd_argument(X, y, W, direction, *, step):
    r"""All the inequalities of the normalized-GD argument on one run, computed once:
    :func:`descent_inequality`, :func:`convexity_inequality`, :func:`norm_inequality`,
    :func:`progress_inequality`, :func:`dual_inequality` and :func:`telescoped_margin_bound`
    (which raises unless ``W`` is a normalized-GD run from 0 with :math:`\eta\le2`).
    Returns an :class:`NGDArgument`."""
    A = _rows(X, y)
    W = _iterates(W, A.shape[1], minimum=2)
    eta = _step(step, 2.0, "the descent inequality needs eta <= 2.")
    if np.linalg.norm(W[0]) != 0:
        raise ValueError("the argument is stated for w_0 = 0.")
    u, gamma = _unit_separating(A, direction)
    p = _ngd(A, W, eta)
    _require_ngd(p, eta)
    descent, convexity = _descent(p, eta)
    return NGDArgument(descent, convexity, _norm(W, p, eta), _progress(W, p, eta, u, gamma),
                       gamma, p.G @ u, np.sqrt(p.gn2), _certificate(A, W, p, eta))


def ngd_margin_bound(t, gamma, n, *, step):
    r"""The closed-form margin lower bound of normalized GD (exp loss, :math:`w_0=0`, :math:`\eta\le2`):

    .. math:: \gamma(w_t) \;\ge\; \big(1-\tfrac{\eta}{2}\big)\bar\gamma - \frac{1}{\eta}\,\frac{\ln n}{t\,\bar\gamma}.

    It follows from :func:`telescoped_margin_bound` with :math:`\|g_s\|\ge\bar\gamma`; it is
    only claimed where it is nonnegative (``-inf`` elsewhere). ``t`` may be an array.
    """
    eta = _step(step, 2.0, "the descent inequality needs eta <= 2.")
    gamma = _v.check_positive(gamma, "gamma")
    t = np.asarray(t, dtype=np.float64)
    if np.any(t <= 0):
        raise ValueError("t must be positive.")
    b = (1 - eta / 2) * gamma - np.log(n) / (eta * t * gamma)
    return np.where(b >= 0, b, -np.inf)


def dual_gap_bound(t, gamma, n, *, step):
    r"""The mirror-descent bound on normalized GD's dual gap: :math:`\|g_t\| - \bar\gamma \le \frac{\ln n}{\eta t\bar\gamma}`.

    Normalized GD (exp loss, :math:`w_0 = 0`) moves :math:`q_t = \operatorname{softmax}(-Aw_t)`
    by entropic mirror descent with step :math:`\eta` on :math:`f(q) = \frac12\|A^\top q\|^2`,
    which is 1-smooth relative to the entropy when :math:`\|a_i\|\le1`; for :math:`\eta\le1`,
    :math:`f(q_t) - \bar\gamma^2/2 \le \mathrm{KL}(q^\star\|q_0)/(\eta t) \le \ln n/(\eta t)`
    (Ji & Telgarsky 2021; the duality chapter's proposition for :math:`\eta = 1`), and
    :math:`\|g_t\|-\bar\gamma = (\|g_t\|^2-\bar\gamma^2)/(\|g_t\|+\bar\gamma)`.
    """
    eta = _step(step, 1.0, "mirror descent on the dual needs eta <= 1 (f is 1-smooth).")
    gamma = _v.check_positive(gamma, "gamma")
    t = np.asarray(t, dtype=np.float64)
    if np.any(t <= 0):
        raise ValueError("t must be positive.")
    return np.log(n) / (eta * t * gamma)


def logistic_burn_in(trace, n):
    r"""Return the first recorded step at which :math:`\sum_i\ln(1+e^{-m_i}) < \ln 2`.

    Before it, :math:`\ell^{-1}(\sum_i\ell_i) = -\ln(e^{s}-1) \le 0`: the logistic smoothed
    margin carries no information. ``trace`` is a logistic :class:`~ibias_lib.Trace` and ``n``
    the number of examples. Returns ``None`` if the burn-in does not end within the trace.
    """
    if trace.loss != "logistic":
        raise ValueError("logistic_burn_in needs a trace of the logistic loss.")
    log_sum = np.asarray(trace.log_risk) + np.log(n)
    hit = np.flatnonzero(log_sum < np.log(np.log(2.0)))
    return int(trace.steps[hit[0]]) if hit.size else None


def smoothed_margin_monotonicity(X, y, W, *, step):
    r"""The smoothed margin is non-decreasing after the burn-in (Lyu & Li 2020):
    :math:`\tilde\gamma(w_s)\le\tilde\gamma(w_{s+1})`, :math:`\tilde\gamma = \ell^{-1}(\sum_i\ell_i)/\|w\|`,
    for the steps s with :math:`\sum_i\ell(m_i(w_s)) < \ln 2`.

    Lyu & Li prove it for gradient flow (and gradient descent with small steps) on homogeneous
    models; here it is evaluated for normalized GD on the logistic loss, whose update
    :math:`w_{s+1}-w_s = -\eta\nabla\widehat{\mathcal R}/\widehat{\mathcal R}` is checked.
    Returns a :class:`StepInequality` over the post-burn-in steps (empty if there are none).
    """
    A = _rows(X, y)
    W = _iterates(W, A.shape[1], minimum=2)
    eta = _step(step)
    M = W @ A.T
    inv, s = _smoothed_rows(M, "logistic")
    after = np.flatnonzero(s[:-1] < np.log(2.0))
    nrm = np.linalg.norm(W, axis=1)
    sm = np.divide(inv, nrm, out=np.full_like(inv, np.nan), where=nrm > 0)
    lhs, rhs = sm[after], sm[after + 1]
    rounding = 16 * _EPS * (np.maximum(1, np.abs(inv[after])) / nrm[after]
                            + np.maximum(1, np.abs(inv[after + 1])) / nrm[after + 1])
    err = _update_residual(A, W, eta, "logistic", True)[after]
    return StepInequality(lhs, rhs, np.maximum(np.abs(lhs), np.finfo(np.float64).tiny),
                          rounding, err)


def logistic_smoothness(X, y):
    r"""Return :math:`\beta = \lambda_{\max}(A^\top A)/(4n)`, a smoothness constant of the
    logistic risk (:math:`\ell'' \le 1/4`); :math:`\beta\le 1/4` when :math:`\|x_i\|\le 1`."""
    A = _rows(X, y)
    return float(np.linalg.norm(A, 2) ** 2 / (4 * A.shape[0]))


def _log_risk_rows(A, W, loss):
    return _row_lse(log_losses(W @ A.T, loss)) - np.log(A.shape[0])


def _check_gd_step(A, step, loss):
    if loss != "logistic":
        raise ValueError("the perceptron lemma needs a smooth risk: use loss='logistic' "
                         "(the exponential risk is not globally smooth).")
    beta = float(np.linalg.norm(A, 2) ** 2 / (4 * A.shape[0]))
    return _step(step, 1 / beta, f"the lemma needs eta <= 1/beta = {1 / beta:g}.")


class _GD(NamedTuple):
    """Risks at every iterate and the update residual of constant-step GD (internal)."""
    log_R: np.ndarray
    err: np.ndarray


def _gd_setup(X, y, W, step, loss):
    A = _rows(X, y)
    W = _iterates(W, A.shape[1], minimum=2)
    eta = _check_gd_step(A, step, loss)
    return A, W, eta, _GD(_log_risk_rows(A, W, loss), _update_residual(A, W, eta, loss, False))


def _perceptron_step(A, W, eta, p, z, loss):
    dist2 = np.sum((W - z) ** 2, axis=1)
    R = np.exp(p.log_R)
    Rz = float(np.exp(_log_risk_rows(A, z[None], loss)[0]))
    scale = np.maximum(dist2[:-1] + dist2[1:], np.finfo(np.float64).tiny)
    rounding = 16 * _EPS * (scale + 2 * eta * (Rz + R[1:]))
    return StepInequality(np.diff(dist2), 2 * eta * (Rz - R[1:]), scale, rounding, p.err)


def _perceptron_sum(A, W, eta, p, z, loss):
    t = np.arange(1, len(W))
    Rz = float(np.exp(_log_risk_rows(A, z[None], loss)[0]))
    lhs = np.sum((W[1:] - z) ** 2, axis=1) / (2 * eta * t) + np.exp(p.log_R[1:])
    rhs = np.sum((W[0] - z) ** 2) / (2 * eta * t) + Rz
    return StepInequality(lhs, rhs, rhs, 16 * _EPS * t * (lhs + rhs), p.err)


def perceptron_inequality(X, y, W, z, *, step, loss="logistic"):
    r"""The per-step perceptron / mirror-descent inequality of constant-step GD.

    For a convex :math:`\beta`-smooth risk, :math:`w_{s+1} = w_s - \eta\nabla\widehat{\mathcal R}(w_s)`
    with :math:`\eta\le1/\beta`, and any comparator z:

    .. math:: \|w_{s+1}-z\|^2 - \|w_s-z\|^2 \;\le\; 2\eta\big(\widehat{\mathcal R}(z) - \widehat{\mathcal R}(w_{s+1})\big).

    ``W`` holds consecutive GD iterates :math:`w_0..w_T` (the update is checked). Returns a
    :class:`StepInequality` of length T with ``scale`` :math:`\|w_s-z\|^2+\|w_{s+1}-z\|^2`.
    """
    A, W, eta, p = _gd_setup(X, y, W, step, loss)
    z = _v.check_w(z, A.shape[1], name="z")
    return _perceptron_step(A, W, eta, p, z, loss)


def perceptron_bound(X, y, W, z, *, step, loss="logistic"):
    r"""The telescoped perceptron bound, for t = 1..T:

    .. math:: \frac{\|w_t-z\|^2}{2\eta t} + \widehat{\mathcal R}(w_t) \;\le\;
              \frac{\|w_0-z\|^2}{2\eta t} + \widehat{\mathcal R}(z).

    It sums :func:`perceptron_inequality` and uses that GD's risk is non-increasing. Returns a
    :class:`StepInequality` of length T (the update is checked) with ``scale`` the right side.
    """
    A, W, eta, p = _gd_setup(X, y, W, step, loss)
    z = _v.check_w(z, A.shape[1], name="z")
    return _perceptron_sum(A, W, eta, p, z, loss)


def perceptron_norm_bound(X, y, W, z, *, loss="logistic"):
    r"""The consequence :math:`\|w_t-w_0\|\le 2\|z-w_0\|` at the steps with
    :math:`\widehat{\mathcal R}(w_t)\ge\widehat{\mathcal R}(z)`.

    Returns ``(lhs, rhs, active)``: :math:`\|w_t-w_0\|` (shape (T+1,)), the scalar
    :math:`2\|z-w_0\|`, and the boolean mask of steps where the lemma applies.
    """
    A = _rows(X, y)
    W = _iterates(W, A.shape[1])
    loss = _v.check_loss(loss)
    z = _v.check_w(z, A.shape[1], name="z")
    return _perceptron_norm(A, W, _log_risk_rows(A, W, loss), z, loss)


def _perceptron_norm(A, W, log_R, z, loss):
    log_Rz = _log_risk_rows(A, z[None], loss)[0]
    return (np.linalg.norm(W - W[0], axis=1), 2 * float(np.linalg.norm(z - W[0])),
            log_R >= log_Rz)


class PerceptronArgument(NamedTuple):
    """The perceptron lemma on one GD run for one comparator (:func:`perceptron_argument`)."""
    step: StepInequality     # per-step inequality, s = 0..T-1
    bound: StepInequality    # telescoped bound, t = 1..T
    distance: np.ndarray     # ||w_t - w_0||, t = 0..T
    two_z: float             # 2 ||z - w_0||
    active: np.ndarray       # R(w_t) >= R(z)


def perceptron_argument(X, y, W, comparators, *, step, loss="logistic"):
    r""":func:`perceptron_inequality`, :func:`perceptron_bound` and
    :func:`perceptron_norm_bound` for each comparator z (rows of ``comparators``), sharing the
    risks and the update check of the run. Returns a list of :class:`PerceptronArgument`."""
    A, W, eta, p = _gd_setup(X, y, W, step, loss)
    Z = np.atleast_2d(np.asarray(comparators, dtype=np.float64))
    out = []
    for z in Z:
        z = _v.check_w(z, A.shape[1], name="z")
        out.append(PerceptronArgument(_perceptron_step(A, W, eta, p, z, loss),
                                      _perceptron_sum(A, W, eta, p, z, loss),
                                      *_perceptron_norm(A, W, p.log_R, z, loss)))
    return out


def distance_to_beat(X, y, w0, log_risk, weights, *, loss="logistic"):
    r"""A radius around ``w0`` inside which no w has risk below :math:`e^{\texttt{log\_risk}}`.

    For any :math:`\lambda` on the simplex,
    :math:`\min_i m_i(w) \le \lambda^\top Aw_0 + \|A^\top\lambda\|\,\|w-w_0\|`, and
    :math:`\widehat{\mathcal R}(w)\ge\frac1n\ell(\min_i m_i(w))`; so
    :math:`\widehat{\mathcal R}(w) < \widehat{\mathcal R}_\star` forces

    .. math:: \|w - w_0\| \;>\; \rho = \frac{\ell^{-1}(n\widehat{\mathcal R}_\star) - \lambda^\top Aw_0}{\|A^\top\lambda\|}.

    The SVM's dual weights (``ib.max_margin(X, y).dual``) give :math:`\|A^\top\lambda\|=\bar\gamma`
    and the sharpest :math:`\rho` for far comparators. ``weights`` are normalized to sum 1.
    Returns :math:`\rho` (possibly negative: then it says nothing).
    """
    A = _rows(X, y)
    loss = _v.check_loss(loss)
    w0 = _v.check_w(w0, A.shape[1], name="w0")
    lam = np.asarray(weights, dtype=np.float64)
    if lam.shape != (A.shape[0],) or np.any(lam < 0) or not lam.sum() > 0:
        raise ValueError(f"weights must be {A.shape[0]} nonnegative numbers, not all 0 (e.g. "
                         "ib.max_margin(X, y).dual).")
    lam = lam / lam.sum()
    log_s = float(log_risk) + np.log(A.shape[0])
    inv = -log_s if loss == "exp" else inv_logistic_sum(log_s)
    return float((inv - lam @ (A @ w0)) / np.linalg.norm(A.T @ lam))


def novikoff_inequalities(X, y, W, direction):
    r"""The two per-mistake inequalities of Novikoff's proof (1962), for the perceptron's
    iterates :math:`w_0 = 0, w_1, \dots, w_K` after each mistake.

    Each mistake adds a row :math:`a_i` with :math:`a_i^\top w_{k-1}\le0`, so

    .. math:: k\bar\gamma \le \langle w_k,\bar u\rangle \qquad\text{and}\qquad
              \|w_k\|^2 \le \|w_{k-1}\|^2 + \|a_i\|^2 \le kR^2,\quad R=\max_i\|a_i\|,

    hence :math:`k\le R^2/\bar\gamma^2`. The update is checked: ``update_error[k-1]`` is the
    distance of :math:`w_k-w_{k-1}` to the nearest row :math:`a_i` with
    :math:`a_i^\top w_{k-1}\le0` (a misclassified example), relative to :math:`R`.

    Returns ``(progress, norm)``: two :class:`StepInequality` of length K, with left sides
    :math:`k\bar\gamma` and :math:`\|w_k\|^2` and right sides :math:`\langle w_k,\bar u\rangle`
    and :math:`kR^2`.
    """
    A = _rows(X, y)
    W = _iterates(W, A.shape[1], minimum=2)
    if np.any(W[0]):
        raise ValueError("Novikoff's bound is stated for w_0 = 0; W[0] must be the zero vector.")
    u, gamma = _unit_separating(A, direction)
    R = float(np.linalg.norm(A, axis=1).max())
    k = np.arange(1, len(W))
    D = np.diff(W, axis=0)
    # nearest misclassified row to each move: pick it from the expanded squared distance,
    # then measure that one distance directly (the expansion cancels to ~sqrt(eps))
    d2 = np.sum(D ** 2, axis=1)[:, None] - 2 * D @ A.T + np.sum(A ** 2, axis=1)[None, :]
    d2 = np.where((W[:-1] @ A.T) <= 0, d2, np.inf)
    pick = np.argmin(d2, axis=1)
    err = np.where(np.isfinite(d2[k - 1, pick]),
                   np.linalg.norm(D - A[pick], axis=1) / R, np.inf)
    inner = W[1:] @ u
    sq = np.sum(W[1:] ** 2, axis=1)
    progress = StepInequality(k * gamma, inner, k * gamma,
                              4 * _EPS * k * (gamma + np.linalg.norm(W[1:], axis=1)), err)
    norm = StepInequality(sq, k * R ** 2, k * R ** 2, 8 * _EPS * k * (sq + k * R ** 2), err)
    return progress, norm
