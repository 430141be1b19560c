r"""The inequalities of the talk's proof techniques, as per-step numbers one can assert.

Notation: rows :math:`a_i = y_ix_i` with :math:`\|a_i\|\le1`, margins :math:`m = Aw`, the
log-sum-exp potential :math:`\psi(w) = \ln\sum_i e^{-m_i} = \ln n + \ln\widehat{\mathcal R}(w)`
(exponential loss), its negative gradient :math:`g(w) = -\nabla\psi(w) = A^\top q`,
:math:`q = \operatorname{softmax}(-m)`, and the max-margin direction :math:`\bar u` with margin
:math:`\bar\gamma`. Each function returns the two sides of one inequality, ``(lhs, rhs)``
with ``lhs <= rhs`` claimed, one entry per step, so a notebook can assert it everywhere.

* :func:`smoothing_sandwich`: :math:`\tilde\gamma \le \gamma \le \tilde\gamma + \ln n/\|w\|`.
* :func:`descent_inequality`, :func:`dual_inequality`, :func:`norm_inequality`,
  :func:`telescoped_margin_bound`, :func:`ngd_margin_bound`: the normalized-GD argument
  (Telgarsky 2013; Ji & Telgarsky 2021).
* :func:`logistic_burn_in`: when the logistic smoothed margin becomes positive.
* :func:`logistic_smoothness`, :func:`perceptron_inequality`, :func:`perceptron_bound`,
  :func:`perceptron_norm_bound`: the perceptron / mirror-descent lemma.

Everything is computed from logs of the risk; iterates come from :func:`ibias_lib.gd` and
:func:`ibias_lib.normalized_gd` run with ``record_at=np.arange(n_steps + 1)``.
"""
from __future__ import annotations

import numpy as np

from . import _validation as _v
from .losses import log_losses
from .numerics import logsumexp

__all__ = ["lse_potential", "smoothing_sandwich", "descent_inequality", "dual_inequality",
           "norm_inequality", "telescoped_margin_bound", "ngd_margin_bound",
           "logistic_burn_in", "logistic_smoothness", "perceptron_inequality",
           "perceptron_bound", "perceptron_norm_bound"]


def _rows(X, y):
    X, y = _v.check_X_y(X, y)
    return y[:, None] * X


def _iterates(W, d):
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[1] != d or W.shape[0] < 1 or not np.all(np.isfinite(W)):
        raise ValueError(f"W must be a finite array of iterates of shape (k, {d}); got shape "
                         f"{W.shape}.")
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


def smoothing_sandwich(margins, norm, *, loss="exp"):
    r"""Return ``(smoothed, margin, upper)`` of the ln-sum-exp sandwich for margins m.

    .. math:: \tilde\gamma = \frac{-\ln\sum_ie^{-m_i}}{\|w\|} \;\le\; \gamma = \frac{\min_i m_i}{\|w\|}
              \;\le\; \tilde\gamma + \frac{\ln n}{\|w\|}.

    ``margins`` has shape (n,) or (k, n) (one row per iterate); ``norm`` is :math:`\|w\|`
    (scalar or shape (k,)). Only ``loss='exp'`` has this sandwich.

    Examples
    --------
    >>> import numpy as np
    >>> from ibias_lib import proofs
    >>> sm, mg, up = proofs.smoothing_sandwich(np.array([1.0, 1.0]), 1.0)  # equal margins
    >>> round(sm, 6), mg, round(up, 6)     # 1 - ln 2 <= 1 <= 1: the upper bound is tight
    (0.306853, 1.0, 1.0)
    """
    if loss != "exp":
        raise ValueError("the ln n sandwich is for the exponential loss; for the logistic "
                         "loss see ibias_lib.margins.")
    M = np.atleast_2d(np.asarray(margins, dtype=np.float64))
    nrm = np.broadcast_to(np.asarray(norm, dtype=np.float64), (M.shape[0],))
    if np.any(nrm <= 0):
        raise ValueError("norm must be positive.")
    lse = np.array([logsumexp(-m) for m in M])
    smoothed = -lse / nrm
    margin = M.min(axis=1) / nrm
    upper = smoothed + np.log(M.shape[1]) / nrm
    if np.ndim(margins) == 1:
        return float(smoothed[0]), float(margin[0]), float(upper[0])
    return smoothed, margin, upper


def descent_inequality(X, y, W, *, step):
    r"""The smoothness (descent) inequality of normalized GD on :math:`\psi = \ln\sum\exp`.

    With :math:`\|a_i\|\le1`, :math:`\psi` is 1-smooth (its Hessian is the covariance of the
    rows under q), so the step :math:`w_{s+1} = w_s + \eta g_s` satisfies

    .. math:: \psi(w_{s+1}) - \psi(w_s) \;\le\; -\eta\big(1-\tfrac{\eta}{2}\big)\|g_s\|^2.

    ``W`` holds consecutive normalized-GD iterates :math:`w_0,\dots,w_T`. Returns
    ``(lhs, rhs)`` of shape (T,).
    """
    A = _rows(X, y)
    W = _iterates(W, A.shape[1])
    eta = _step(step)
    psi, G = _psi_and_g(A, W)
    lhs = np.diff(psi)
    rhs = -eta * (1 - eta / 2) * np.sum(G[:-1] ** 2, axis=1)
    return lhs, rhs


def dual_inequality(X, y, W, direction):
    r"""The dual (Cauchy-Schwarz) inequality :math:`\bar\gamma \le \langle g_s,\bar u\rangle \le \|g_s\|`.

    :math:`\langle g,\bar u\rangle = \sum_i q_i\,a_i^\top\bar u \ge \min_i a_i^\top\bar u`
    because q lies on the simplex. ``direction`` is a unit vector :math:`\bar u` (for
    :math:`\bar\gamma` use ``ib.max_margin(X, y).direction``). Returns
    ``(gamma, inner, grad_norm)`` with ``gamma`` the scalar :math:`\min_i a_i^\top\bar u` and
    the other two of shape (k,).
    """
    A = _rows(X, y)
    W = _iterates(W, A.shape[1])
    u = _v.check_w(direction, A.shape[1], name="direction", allow_zero=False)
    u = u / np.linalg.norm(u)
    _, G = _psi_and_g(A, W)
    return float((A @ u).min()), G @ u, np.linalg.norm(G, axis=1)


def norm_inequality(X, y, W, *, step):
    r"""The triangle inequality :math:`\|w_t - w_0\| \le \eta\sum_{s<t}\|g_s\|` of normalized GD.

    Returns ``(lhs, rhs)`` of shape (T+1,), for t = 0..T.
    """
    A = _rows(X, y)
    W = _iterates(W, A.shape[1])
    eta = _step(step)
    _, G = _psi_and_g(A, W)
    lhs = np.linalg.norm(W - W[0], axis=1)
    rhs = eta * np.concatenate([[0.0], np.cumsum(np.linalg.norm(G[:-1], axis=1))])
    return lhs, rhs


def telescoped_margin_bound(X, y, W, *, step):
    r"""The telescoped certificate of normalized GD from :math:`w_0 = 0`, :math:`\eta\le 2`.

    Summing :func:`descent_inequality` from :math:`\psi(0)=\ln n` and dividing by the
    :func:`norm_inequality` bound (valid when the numerator is nonnegative):

    .. math:: \gamma(w_t) \ge \tilde\gamma(w_t) \ge
              \frac{\eta(1-\eta/2)\sum_{s<t}\|g_s\|^2 - \ln n}{\eta\sum_{s<t}\|g_s\|} =: B_t.

    Returns ``(bound, smoothed, margin)`` of shape (T,), for t = 1..T; ``bound`` is
    :math:`B_t` where its numerator is nonnegative and ``-inf`` before (no certificate yet).
    """
    A = _rows(X, y)
    W = _iterates(W, A.shape[1])
    eta = _step(step, 2.0, "the descent inequality needs eta <= 2.")
    if np.linalg.norm(W[0]) != 0:
        raise ValueError("the telescoped bound is stated for w_0 = 0.")
    psi, G = _psi_and_g(A, W)
    gn = np.linalg.norm(G[:-1], axis=1)
    num = eta * (1 - eta / 2) * np.cumsum(gn ** 2) - np.log(A.shape[0])
    den = eta * np.cumsum(gn)
    bound = np.where(num >= 0, num / den, -np.inf)
    nrm = np.linalg.norm(W[1:], axis=1)
    M = W[1:] @ A.T
    return bound, -psi[1:] / nrm, M.min(axis=1) / nrm


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


def perceptron_inequality(X, y, W, z, *, step, loss="logistic"):
    r"""The per-step perceptron / mirror-descent inequality of constant-step GD.

    For a convex :math:`\beta`-smooth risk and :math:`\eta\le1/\beta`, any comparator z:

    .. math:: \|w_{s+1}-z\|^2 - \|w_s-z\|^2 \;\le\; 2\eta\big(\widehat{\mathcal R}(z) - \widehat{\mathcal R}(w_{s+1})\big).

    ``W`` holds consecutive GD iterates :math:`w_0..w_T`. Returns ``(lhs, rhs)`` of shape (T,).
    """
    A = _rows(X, y)
    W = _iterates(W, A.shape[1])
    eta = _check_gd_step(A, step, loss)
    z = _v.check_w(z, A.shape[1], name="z")
    dist2 = np.sum((W - z) ** 2, axis=1)
    R = np.exp(_log_risk_rows(A, W, loss))
    Rz = float(np.exp(_log_risk_rows(A, z[None], loss)[0]))
    return np.diff(dist2), 2 * eta * (Rz - R[1:])


def perceptron_bound(X, y, W, z, *, step, loss="logistic"):
    r"""The telescoped perceptron bound, for t = 1..T:

    .. math:: \frac{\|w_t-z\|^2}{2\eta t} + \widehat{\mathcal R}(w_t) \;\le\;
              \frac{\|w_0-z\|^2}{2\eta t} + \widehat{\mathcal R}(z).

    Returns ``(lhs, rhs)`` of shape (T,).
    """
    A = _rows(X, y)
    W = _iterates(W, A.shape[1])
    eta = _check_gd_step(A, step, loss)
    z = _v.check_w(z, A.shape[1], name="z")
    t = np.arange(1, len(W))
    R = np.exp(_log_risk_rows(A, W[1:], loss))
    Rz = float(np.exp(_log_risk_rows(A, z[None], loss)[0]))
    lhs = np.sum((W[1:] - z) ** 2, axis=1) / (2 * eta * t) + R
    rhs = np.sum((W[0] - z) ** 2) / (2 * eta * t) + Rz
    return lhs, rhs


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
    log_R = _log_risk_rows(A, W, loss)
    log_Rz = _log_risk_rows(A, z[None], loss)[0]
    return (np.linalg.norm(W - W[0], axis=1), 2 * float(np.linalg.norm(z - W[0])),
            log_R >= log_Rz)
