r"""The regularization path: norm-constrained risk minimizers, and GD measured against them.

For a radius :math:`B>0` the point of the (:math:`\ell_2`) regularization path is

.. math:: \bar w(B) = \arg\min_{\|w\|\le B}\widehat{\mathcal R}(w).

It is unique (for the logistic and exponential losses the risk is strictly convex on the span
of the data, and the minimizer lies in that span). When the data are separable the risk has no
minimizer, the constraint is active, :math:`\|\bar w(B)\| = B`, and the KKT conditions read

.. math:: -\nabla\widehat{\mathcal R}(\bar w(B)) = \lambda\,\bar w(B),\qquad \lambda>0,

so :math:`\bar w(B)` also minimizes the penalized risk
:math:`\widehat{\mathcal R}(w)+\frac\lambda2\|w\|^2`. :func:`constrained_minimizer` solves the
penalized problem by damped Newton's method and finds :math:`\lambda` by a root-find on
:math:`\log\lambda\mapsto\log\|w(\lambda)\|`, which is strictly decreasing. The risk may be
tiny along the path, so Newton runs on :math:`e^{-L_0}\widehat{\mathcal R}` with
:math:`L_0` the log-risk at the warm start: every gradient and Hessian entry is computed from
logs (:mod:`ibias_lib.numerics`) and stays finite.

Ji, Dudík, Schapire & Telgarsky (*Gradient descent follows the regularization path for general
losses*, COLT 2020, arXiv 2006.11226) show that, when the risk does not attain its infimum,
gradient descent and this path converge to the same direction (whenever either converges);
for exponentially tailed losses that direction is the max-margin direction (for the
:math:`\ell_1` analogue and boosting: Rosset, Zhu & Hastie, JMLR 2004).
:func:`compare_to_path` measures how far the GD iterates are from the path at every recorded
step: the angle between :math:`w_t` and :math:`\bar w(\|w_t\|)`, and the *path radius*
:math:`B_t` at which the path's risk equals :math:`\widehat{\mathcal R}(w_t)`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from . import _validation as _v
from .losses import log_losses, log_neg_derivs
from .nonseparable import _log_second_derivs
from .numerics import logsumexp

__all__ = ["PathPoint", "RegularizationPath", "PathComparison", "penalized_minimizer",
           "constrained_minimizer", "regularization_path", "path_radius", "compare_to_path",
           "angle"]


class PathPoint(NamedTuple):
    """One point :math:`\\bar w(B)` of the regularization path.

    Attributes
    ----------
    w : ndarray of shape (n_features,)
    radius : float
        :math:`B`.
    log_lam : float
        :math:`\\log\\lambda` of the KKT multiplier (``-inf`` when the constraint is inactive,
        i.e. the unconstrained minimizer has norm at most B).
    log_risk : float
        :math:`\\log\\widehat{\\mathcal R}(\\bar w(B))`.
    """
    w: np.ndarray
    radius: float
    log_lam: float
    log_risk: float


class RegularizationPath(NamedTuple):
    """The path at increasing radii: arrays stacked along the first axis.

    Attributes
    ----------
    radii : ndarray of shape (k,)
    w : ndarray of shape (k, n_features)
    log_lam : ndarray of shape (k,)
    log_risk : ndarray of shape (k,)
    loss : str
    """
    radii: np.ndarray
    w: np.ndarray
    log_lam: np.ndarray
    log_risk: np.ndarray
    loss: str


class PathComparison(NamedTuple):
    """Result of :func:`compare_to_path`, one entry per recorded GD step.

    Attributes
    ----------
    steps : ndarray of int
    path : RegularizationPath
        :math:`\\bar w(\\|w_t\\|)` at the GD norms.
    angle : ndarray
        Angle in radians between :math:`w_t` and :math:`\\bar w(\\|w_t\\|)`.
    distance : ndarray
        :math:`\\|w_t - \\bar w(\\|w_t\\|)\\|`.
    path_radius : ndarray
        :math:`B_t` with :math:`\\widehat{\\mathcal R}(\\bar w(B_t)) = \\widehat{\\mathcal R}(w_t)`:
        the norm the path needs to reach GD's risk. Always :math:`B_t\\le\\|w_t\\|`.
    """
    steps: np.ndarray
    path: RegularizationPath
    angle: np.ndarray
    distance: np.ndarray
    path_radius: np.ndarray


def angle(u, v):
    r"""Return the angle in radians between two nonzero vectors, accurate near 0 and
    :math:`\pi`: :math:`2\arctan(\|\hat u-\hat v\|/\|\hat u+\hat v\|)` with unit vectors
    :math:`\hat u,\hat v` (an ``arccos`` of the cosine loses half the digits near 0)."""
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    uh = u / np.linalg.norm(u, axis=-1, keepdims=True)
    vh = v / np.linalg.norm(v, axis=-1, keepdims=True)
    return 2 * np.arctan2(np.linalg.norm(uh - vh, axis=-1), np.linalg.norm(uh + vh, axis=-1))


# ---------------------------------------------------------------- kernels (trust inputs)

def _log_risk(A, w, loss):
    return logsumexp(log_losses(A @ w, loss)) - np.log(A.shape[0])


def _scaled_parts(A, w, loss, L0):
    """e^{-L0} R(w), its gradient and Hessian, all from logs (internal).

    Returns ``(inf, None, None)`` when e^{-L0} R(w) exceeds e^700 (a rejected trial point).
    """
    m = A @ w
    c = -np.log(A.shape[0]) - L0
    log_f = logsumexp(log_losses(m, loss)) + c
    if log_f > 700.0:
        return np.inf, None, None
    f = np.exp(log_f)
    g = -(np.exp(log_neg_derivs(m, loss) + c) @ A)
    H = (A.T * np.exp(_log_second_derivs(m, loss) + c)) @ A
    return f, g, H


def _root(f, lo, hi, f_lo, f_hi, *, xtol=1e-14, ftol=1e-15, max_iter=200):
    """Root of a monotone f on [lo, hi] given the signs at the ends (internal).

    Regula falsi with the Illinois modification, falling back to bisection when it stalls.
    The end values are never recomputed, so evaluation noise at the level of rounding
    (f is itself the result of an iterative solve) cannot break the bracket.
    """
    if f_lo == 0:
        return lo
    if f_hi == 0:
        return hi
    side = 0
    x = lo
    for k in range(max_iter):
        if abs(hi - lo) <= xtol * max(1.0, abs(lo), abs(hi)):
            break
        x = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
        if k % 4 == 3 or not lo < x < hi:          # keep the bracket shrinking
            x = 0.5 * (lo + hi)
        fx = f(x)
        if abs(fx) <= ftol:
            return x
        if np.sign(fx) == np.sign(f_lo):
            lo, f_lo = x, fx
            if side == -1:
                f_hi *= 0.5
            side = -1
        else:
            hi, f_hi = x, fx
            if side == 1:
                f_lo *= 0.5
            side = 1
    return x


def _penalized_newton(A, loss, log_lam, w0, *, max_iter=100):
    """argmin R(w) + (lam/2)||w||^2 by damped Newton, scaled by e^{-L0} (internal).

    Armijo backtracking while far from the solution; once the squared Newton decrement is
    below 1e-8 (the quadratic region) full steps are taken until it falls below 1e-26.
    """
    w = w0.copy()
    L0 = _log_risk(A, w, loss)
    mu = np.exp(min(log_lam - L0, 700.0))          # lam e^{-L0}: the scaled penalty
    eye = np.eye(A.shape[1])

    def parts(w):
        f, g, H = _scaled_parts(A, w, loss, L0)
        if g is None:
            return np.inf, None, None
        return f + 0.5 * mu * (w @ w), g + mu * w, H + mu * eye

    F, G, H = parts(w)
    for _ in range(max_iter):
        try:
            step = np.linalg.solve(H, -G)
        except np.linalg.LinAlgError:              # singular only when lam = 0 and the data
            step = np.linalg.lstsq(H, -G, rcond=None)[0]   # do not span R^d
        dec = -G @ step                            # squared Newton decrement
        scale = max(1.0, abs(F))
        if not dec > 1e-26 * scale:                # also stops on NaN
            break
        a = 1.0
        if dec > 1e-8 * scale:
            while True:
                F_new, G_new, H_new = parts(w + a * step)
                if F_new <= F - 0.25 * a * dec or a < 1e-10:
                    break
                a *= 0.5
        else:
            F_new, G_new, H_new = parts(w + step)
        if G_new is None:                          # no acceptable step: keep w
            break
        w = w + a * step
        F, G, H = F_new, G_new, H_new
    return w


def _descent_direction(A, loss, w):
    """Unit vector of -grad R(w), and log ||grad R(w)|| (internal)."""
    a = log_neg_derivs(A @ w, loss)
    g = np.exp(a - a.max()) @ A
    gn = np.linalg.norm(g)
    return g / gn, a.max() + np.log(gn) - np.log(A.shape[0])


def _path_point(A, loss, B, w_warm, u_warm):
    """(w-bar(B), log lambda), warm-started; log lambda = -inf if the constraint is inactive.

    ||w(lambda)|| is strictly decreasing in lambda: bracket log lambda by doubling steps
    from the warm start, then regula falsi (Illinois) on log||w(lambda)|| - log B (internal).
    """
    state = {"w": w_warm}

    def gap(u):
        w = _penalized_newton(A, loss, u, state["w"])
        state["w"] = w
        return np.log(np.linalg.norm(w)) - np.log(B)

    if not np.isfinite(u_warm):                    # the previous point was unconstrained
        w = _penalized_newton(A, loss, -np.inf, w_warm)
        if np.linalg.norm(w) <= B:
            return w, -np.inf
        u_warm = _descent_direction(A, loss, w)[1] - np.log(B)
    step = 0.5
    g0 = gap(u_warm)
    if g0 > 0:                                     # too long: increase lambda
        lo, hi, g_lo = u_warm, u_warm + step, g0
        while (g_hi := gap(hi)) > 0:
            lo, g_lo, step = hi, g_hi, 2 * step
            hi = hi + step
    else:                                          # too short: decrease lambda
        lo, hi, g_hi = u_warm - step, u_warm, g0
        prev = np.linalg.norm(state["w"])
        while (g_lo := gap(lo)) < 0:
            nrm = np.linalg.norm(state["w"])
            if lo < u_warm - 40 and nrm - prev <= 1e-10 * nrm:
                w = _penalized_newton(A, loss, -np.inf, state["w"])
                if np.linalg.norm(w) > B * (1 + 1e-9):
                    raise RuntimeError("internal: lost the multiplier bracket")
                return w, -np.inf                  # the minimum is attained inside the ball
            prev = nrm
            hi, g_hi, step = lo, g_lo, 2 * step
            lo = lo - step
    u_star = _root(gap, lo, hi, g_lo, g_hi)
    gap(u_star)
    w = state["w"] * (B / np.linalg.norm(state["w"]))   # land exactly on the sphere
    return w, u_star


def _path(A, loss, radii):
    n, d = A.shape
    W = np.empty((len(radii), d))
    log_lam = np.empty(len(radii))
    log_r = np.empty(len(radii))
    w_warm = u_warm = None
    for idx in np.argsort(radii):
        B = radii[idx]
        if w_warm is None:
            w_warm = B * _descent_direction(A, loss, np.zeros(d))[0]
        else:
            w_warm = B * w_warm / np.linalg.norm(w_warm)
        if u_warm is None or np.isfinite(u_warm):  # KKT guess: lambda = ||grad R(w)|| / B
            u_warm = _descent_direction(A, loss, w_warm)[1] - np.log(B)
        W[idx], log_lam[idx] = _path_point(A, loss, B, w_warm, u_warm)
        w_warm, u_warm = W[idx], log_lam[idx]
        log_r[idx] = _log_risk(A, W[idx], loss)
    return W, log_lam, log_r


def _check_radii(radii):
    r = np.atleast_1d(np.asarray(radii, dtype=float))
    if r.ndim != 1 or r.size == 0 or not np.all(np.isfinite(r)) or np.any(r <= 0):
        raise ValueError(f"radii must be positive finite numbers (a scalar or a 1D array); "
                         f"got {radii!r}.")
    return r


# ---------------------------------------------------------------- public API

def penalized_minimizer(X, y, lam, *, loss="logistic", w0=None):
    r"""Return :math:`\arg\min_w\widehat{\mathcal R}(w)+\frac\lambda2\|w\|^2`.

    Damped Newton's method with Armijo backtracking; the objective is strongly convex, so the
    minimizer is unique and Newton converges quadratically near it. At the solution
    :math:`-\nabla\widehat{\mathcal R}(w)=\lambda w`, so it is the point
    :math:`\bar w(\|w\|)` of the constrained path (see :func:`constrained_minimizer`).

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}
    lam : float > 0
        The penalty :math:`\lambda`.
    loss : {'exp', 'logistic'}
    w0 : array of shape (n_features,), optional
        Starting point (default 0).

    Returns
    -------
    ndarray of shape (n_features,)
    """
    X, y = _v.check_X_y(X, y)
    loss = _v.check_loss(loss)
    lam = _v.check_positive(lam, "lam")
    d = X.shape[1]
    w0 = np.zeros(d) if w0 is None else _v.check_w(w0, d, name="w0")
    return _penalized_newton(y[:, None] * X, loss, np.log(lam), w0)


def constrained_minimizer(X, y, radius, *, loss="logistic"):
    r"""Return the path point :math:`\bar w(B)=\arg\min_{\|w\|\le B}\widehat{\mathcal R}(w)`.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}
    radius : float > 0
        :math:`B`.
    loss : {'exp', 'logistic'}

    Returns
    -------
    PathPoint
        With :math:`-\nabla\widehat{\mathcal R}(\bar w) = \lambda\bar w`,
        :math:`\lambda=e^{\texttt{log\_lam}}` (KKT).

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> X, y = ib.soudry_data(4, seed=0)
    >>> p = ib.constrained_minimizer(X, y, 2.0)
    >>> round(float(np.linalg.norm(p.w)), 12)     # separable data: the constraint is active
    2.0
    """
    path = regularization_path(X, y, [radius], loss=loss)
    return PathPoint(path.w[0], float(path.radii[0]), float(path.log_lam[0]),
                     float(path.log_risk[0]))


def regularization_path(X, y, radii, *, loss="logistic"):
    r"""Return :math:`\bar w(B)` for each radius B, warm-starting from the previous radius.

    See :func:`constrained_minimizer`. The radii are processed in increasing order (results
    are returned in the order given).
    """
    X, y = _v.check_X_y(X, y)
    loss = _v.check_loss(loss)
    radii = _check_radii(radii)
    W, log_lam, log_r = _path(y[:, None] * X, loss, radii)
    for arr in (W, log_lam, log_r):
        arr.setflags(write=False)
    return RegularizationPath(radii.copy(), W, log_lam, log_r, loss)


def _path_radius(A, loss, target, B_hi, w_hi, u_hi):
    """B in (0, B_hi] with log R(w-bar(B)) = target, by regula falsi in log B (internal)."""
    if target <= _log_risk(A, w_hi, loss):
        return float(B_hi)
    state = {"w": w_hi, "u": u_hi}

    def gap(logB):                                  # decreasing in B
        B = np.exp(logB)
        w, u = _path_point(A, loss, B, B * state["w"] / np.linalg.norm(state["w"]),
                           state["u"])
        state["w"], state["u"] = w, u
        return _log_risk(A, w, loss) - target

    hi = np.log(B_hi)
    g_hi = _log_risk(A, w_hi, loss) - target
    lo = hi - 0.25
    while (g_lo := gap(lo)) < 0:
        hi, g_hi, lo = lo, g_lo, lo - 0.25
    return float(np.exp(_root(gap, lo, hi, g_lo, g_hi, xtol=1e-13)))


def path_radius(X, y, log_risk, radius_max, *, loss="logistic"):
    r"""Return the radius :math:`B\le` ``radius_max`` at which the path's risk is
    :math:`e^{\texttt{log\_risk}}`.

    The path risk :math:`B\mapsto\widehat{\mathcal R}(\bar w(B))` is nonincreasing, so the root
    is found by bracketing and regula falsi in :math:`\log B`. For a GD iterate, with
    ``radius_max`` its norm, this is the norm the optimal path needs to do as well as GD.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}
    log_risk : float
        The target :math:`\log\widehat{\mathcal R}`, e.g. ``trace.log_risk[k]``.
    radius_max : float > 0
        The largest radius searched, e.g. :math:`\|w_t\|`.
    loss : {'exp', 'logistic'}

    Returns
    -------
    float
        The radius; ``radius_max`` itself if the path's risk there is already at least the
        target (the target is not reachable below it).
    """
    X, y = _v.check_X_y(X, y)
    loss = _v.check_loss(loss)
    B = _check_radii(radius_max)[0]
    A = y[:, None] * X
    W, log_lam, _ = _path(A, loss, np.array([B]))
    return _path_radius(A, loss, float(log_risk), B, W[0], log_lam[0])


def compare_to_path(X, y, trace, *, skip_zero=True):
    r"""Match each recorded GD iterate :math:`w_t` with the path point of equal norm.

    For every recorded step (with :math:`w_t\ne0`), compute :math:`\bar w(\|w_t\|)`, the angle
    and distance between the two, and the path radius :math:`B_t\le\|w_t\|` at which
    :math:`\widehat{\mathcal R}(\bar w(B_t))=\widehat{\mathcal R}(w_t)`. The loss is the trace's.

    The perceptron-style argument of the talk (steps :math:`\eta\le1/\beta` on a
    :math:`\beta`-smooth convex risk, :math:`w_0=0`) gives :math:`B_t\ge\|w_t\|/2`; how much
    this factor can be tightened is the open problem the book's chapter discusses.

    Parameters
    ----------
    X, y : the data the trace was computed on
    trace : ibias_lib.Trace
    skip_zero : bool
        Drop records with :math:`w_t = 0` (e.g. step 0).

    Returns
    -------
    PathComparison
    """
    X, y = _v.check_X_y(X, y)
    W = np.asarray(trace.w, dtype=float)
    if W.ndim != 2 or W.shape[1] != X.shape[1]:
        raise ValueError(f"trace.w must have shape (k, {X.shape[1]}) to match X; got "
                         f"{W.shape}. Pass the trace of a run on these data.")
    loss = _v.check_loss(trace.loss)
    norms = np.linalg.norm(W, axis=1)
    keep = norms > 0 if skip_zero else np.ones(len(W), bool)
    if not np.all(norms[keep] > 0):
        raise ValueError("a recorded iterate is zero; use skip_zero=True.")
    A = y[:, None] * X
    path = regularization_path(X, y, norms[keep], loss=loss)
    Wk = W[keep]
    ang = angle(Wk, path.w)
    dist = np.linalg.norm(Wk - path.w, axis=1)
    log_r_gd = np.array([_log_risk(A, w, loss) for w in Wk])
    radii = np.array([_path_radius(A, loss, r, B, w, u) for r, B, w, u in
                      zip(log_r_gd, path.radii, path.w, path.log_lam)])
    return PathComparison(np.asarray(trace.steps)[keep], path, ang, dist, radii)
