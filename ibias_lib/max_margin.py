r"""The hard-margin linear SVM without bias: the L2 maximum margin, exactly.

.. math::

   \bar\gamma = \max_{\|u\|\le 1} \min_i y_i x_i^\top u, \qquad
   \hat w = \arg\min \{\tfrac12\|w\|^2 : y_i x_i^\top w \ge 1\ \forall i\} = \bar u/\bar\gamma .

With :math:`A` the matrix of rows :math:`a_i = y_ix_i`, the KKT conditions of this quadratic
program are: :math:`\hat w = A^\top\lambda` (stationarity), :math:`\lambda\ge0` (dual
feasibility), :math:`A\hat w\ge 1` (primal feasibility) and
:math:`\lambda_i(a_i^\top\hat w - 1) = 0` (complementary slackness). Only the support vectors
(rows with :math:`\lambda_i > 0`) matter, and generically there are at most :math:`d` of them.

**Working set (cutting planes).** The solver never works on all :math:`n` rows at once. It
solves the problem exactly on a working set :math:`W` of rows, computes all :math:`n` margins
of that solution in one pass, adds the most violated rows to :math:`W`, and repeats until no
row violates. Each round only adds constraints, so the optimal value
:math:`\tfrac12\|\hat w_W\|^2` increases strictly and the loop ends after finitely many rounds.
When it ends, :math:`\hat w_W` is feasible for all rows and optimal for a relaxation, hence
optimal; and the working-set multipliers, extended by zeros, satisfy the KKT conditions on all
the data. The certificate is the one of :func:`ibias_lib.dual_bound`:
:math:`\min_i a_i^\top\hat w/\|\hat w\| \le \bar\gamma \le \|A^\top\lambda\|/\sum_i\lambda_i`,
both sides computed on all rows; the result reports the relative gap.

**Exact solve on the working set.** Three routines, chosen by ``method``:

* ``"ipm"``: a primal-dual interior-point method (Mehrotra's predictor-corrector, *On the
  implementation of a primal-dual interior point method*, SIAM J. Optim. 1992) whose normal
  matrix :math:`I + A_Q^\top D_Q A_Q` is built from the rows :math:`Q` with the largest
  :math:`\lambda_i/s_i` only (constraint reduction, Jung, O'Leary & Tits, *Adaptive constraint
  reduction for training support vector machines*, ETNA 2008), followed by an exact solve of
  :math:`A_S w = 1` on the identified support :math:`S` (Cholesky of the Gram matrix, or QR when that is not accurate enough). Its work is a few
  dozen dense factorizations: the choice for large :math:`d`.
* ``"daqp"``: the dual active-set solver DAQP (Arnström, Bemporad & Axehill, *A dual active-set
  solver for embedded quadratic programming using recursive LDL updates*, IEEE TAC 2022), if the
  package ``daqp`` is installed, followed by the same exact solve on its active set. One
  constraint enters or leaves per iteration, each costing a pass over the working set: the
  choice for small :math:`d`.
* ``"nnls"``: Lawson & Hanson's least-distance reduction to non-negative least squares
  (*Solving Least Squares Problems*, 1974, ch. 23) with :func:`scipy.optimize.nnls`, on all the
  rows at once, no working set: the reference method (slow, but it needs nothing but SciPy).

``"auto"`` (the default) uses ``"daqp"`` when DAQP is installed and :math:`d \le 100`, else
``"ipm"``; if the interior-point method does not converge, or its support does not pass the
exact KKT check, it falls back to DAQP or NNLS on the working set. Whatever the routine, the
answer is checked against the KKT conditions on all the data.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.linalg import qr, solve_triangular
from scipy.linalg.blas import dsyrk
from scipy.linalg.lapack import dpotrf, dpotrs
from scipy.optimize import nnls

from . import _validation as _v

__all__ = ["MaxMarginResult", "max_margin"]

#: A row violates the working-set solution if its margin is below ``1 - _VIOLATION`` (margins in
#: units where the working-set constraints read ``a_i.w >= 1``).
_VIOLATION = 1e-10
#: ``method="auto"`` uses DAQP (when installed) for at most this many features.
_DAQP_MAX_D = 100
#: The first working set: this many rows per feature (plus one), by routine, the smallest margins
#: along the mean row; all rows if there are at most twice as many. An active-set routine pays for
#: every row at every pivot, the interior-point method mostly for the support.
_K0_ACTIVE_SET = 8
_K0_IPM = 20
#: Problems with at most this many entries (rows times features) are solved on all rows at once,
#: no rounds: below it, one pass costs less than a round's fixed overhead (measured on planted
#: data: all rows faster at 300 x 5 and 600 x 10, equal at 1000 x 10; the working set faster from
#: 800 x 20 and 500 x 30 on).
_ALL_ROWS_ENTRIES = 10_000
#: Each round adds at most this many of the most violated rows per feature (plus one).
_ADD_PER_FEATURE = 2
_METHODS = ("auto", "ipm", "daqp", "nnls")
#: An exact solve's answer on the support is refactored by QR if ``max |A_S w - 1|`` is above this.
_SUPPORT_RESIDUAL = 1e-12
#: DAQP's answer is kept, even if its stationarity w = A^T lam is off by more than rounding in
#: large multipliers, when its own certificate closes the relative gap to this.
_EXACT_GAP = 1e-12


class MaxMarginResult(NamedTuple):
    """Result of :func:`max_margin`.

    Attributes
    ----------
    direction : ndarray of shape (n_features,)
        The unit max-margin direction :math:`\\bar u`.
    gamma : float
        The max margin :math:`\\bar\\gamma = \\min_i y_i x_i^\\top \\bar u`.
    w_hat : ndarray of shape (n_features,)
        The SVM solution :math:`\\hat w = \\bar u/\\bar\\gamma`, with :math:`\\min_i y_i x_i^\\top\\hat w = 1`.
    dual : ndarray of shape (n_samples,)
        KKT multipliers :math:`\\lambda \\ge 0` with :math:`\\hat w = \\sum_i \\lambda_i y_i x_i`;
        nonzero only on support vectors. They have size :math:`1/\\bar\\gamma^2` and overflow
        (or underflow to 0) when that is outside the float64 range; ``support`` does not.
    support : ndarray of int
        Indices with :math:`\\lambda_i > 0`.
    method : str
        The routine that solved the working-set problems (``"ipm"``, ``"daqp"``, ``"nnls"``;
        ``"ipm+daqp"`` or ``"ipm+nnls"`` after a fallback).
    rounds : int
        Working-set rounds (each ends with one pass over all rows).
    n_working : int
        Rows in the final working set.
    rel_gap : float
        Certified relative gap :math:`(U - L)/U`, with :math:`L` the margin of ``direction`` and
        :math:`U = \\|A^\\top\\lambda\\|/\\sum_i\\lambda_i`, both computed on all rows (rounding
        level for an exact solution).
    """
    direction: np.ndarray
    gamma: float
    w_hat: np.ndarray
    dual: np.ndarray
    support: np.ndarray
    method: str = "nnls"
    rounds: int = 1
    n_working: int = 0
    rel_gap: float = float("nan")


class _NotSeparable(Exception):
    """Raised by a working-set routine that proved the rows non-separable (internal)."""


def _not_separable():
    return ValueError(
        "the data are not linearly separable through the origin: no w has y_i x_i.w > 0 for "
        "every i, so the max margin is not positive. max_margin needs separable data; check the "
        "labels, add a constant feature for an affine separator, or use a soft-margin method.")


class _Rows:
    """The rows a_i = y_i x_i / s, s = max |X_ij|, without forming them all (internal).

    Dividing by the largest entry makes the problem scale-free: entries are at most 1 and
    margins of order one, whatever the scale of ``X``.
    """

    def __init__(self, X, y):
        self.X, self.y = X, y
        self.scale = float(max(X.max(), -X.min()))
        if self.scale == 0:
            raise ValueError("X is all zeros: every margin y_i x_i.w is 0 for every w, so the "
                             "data are not separable and the max margin is undefined. Check "
                             "that the features were loaded.")

    def take(self, idx):
        return (self.X[idx] * self.y[idx, None]) / self.scale

    def margins(self, w):
        """a_i.w for every row: one pass over X."""
        return (self.X @ (w / self.scale)) * self.y

    def mean_row(self):
        return (self.X.T @ (self.y / len(self.y))) / self.scale


# ---------------------------------------------------------------- exact solve on the support

def _solve_on_support(A, S):
    """Return (w, lam_S) with A_S w = 1 and w = A_S^T lam_S, or None if A_S is rank deficient.

    The min-norm solution of A_S w = 1: lam_S solves (A_S A_S^T) lam_S = 1 (Cholesky), refined
    once with the residual computed from A_S itself, and w = A_S^T lam_S. When that leaves a
    residual above ``_SUPPORT_RESIDUAL`` (the Gram matrix squares the condition number of A_S,
    and forming w from large multipliers cancels), the same solution from a QR factorization
    A_S^T = QR instead: w = Q R^{-T} 1, refined once, and lam_S = R^{-1} R^{-T} 1.
    """
    if len(S) == 0 or len(S) > A.shape[1]:
        return None
    AS = A[S]
    R, info = dpotrf(dsyrk(1.0, AS, trans=0), clean=1)
    diag = np.abs(np.diag(R))
    if info or diag.min() <= 1e-7 * diag.max():
        return None
    one = np.ones(len(S))
    lam = dpotrs(R, one)[0]
    lam += dpotrs(R, one - AS @ (AS.T @ lam))[0]
    w = AS.T @ lam
    if np.abs(AS @ w - 1.0).max() <= _SUPPORT_RESIDUAL:
        return w, lam
    return _solve_on_support_qr(AS)


def _solve_on_support_qr(AS):
    """The min-norm solution of A_S w = 1 and its multipliers by QR of A_S^T (see above)."""
    Q, R = qr(AS.T, mode="economic")
    one = np.ones(AS.shape[0])
    z = solve_triangular(R, one, trans="T")
    z += solve_triangular(R, one - AS @ (Q @ z), trans="T")
    return Q @ z, solve_triangular(R, z)


def _exact_on(A, S, tries=6):
    """Exact KKT point of the working-set problem from a support guess S, or None.

    Solves A_S w = 1; rows of S with a nonpositive multiplier leave S, violated rows enter
    (a few rounds of a plain active-set correction, for a guess that is off by a few rows).
    """
    S = np.asarray(S)
    for _ in range(tries):
        found = _solve_on_support(A, S)
        if found is None:
            return None
        w, lam = found
        if lam.min() <= 0:
            S = S[lam > 0]
            continue
        m = A @ w
        viol = np.flatnonzero(m < 1 - _VIOLATION)
        if viol.size == 0:
            dual = np.zeros(A.shape[0])
            dual[S] = lam
            return w, dual
        grown = np.union1d(S, viol[np.argsort(m[viol])[:max(1, len(S) // 10)]])
        if len(grown) == len(S):          # only rows of S violate: rounding, not the support
            return None
        S = grown
    return None


# ---------------------------------------------------------------- the three routines

def _nnls_rows(A, warm=None):
    """Exact solve by Lawson & Hanson's least-distance NNLS (module docstring)."""
    k, d = A.shape
    E = np.vstack([A.T, np.ones((1, k))])
    f = np.zeros(d + 1)
    f[-1] = 1.0
    alpha, _ = nnls(E, f, maxiter=50 * (k + d + 1))
    r = E @ alpha - f
    if -r[-1] <= 1e-12:
        raise _NotSeparable
    w = -r[:d] / r[-1]
    lam = alpha / (-r[-1])
    if (A @ w).min() <= 0:
        raise _NotSeparable
    polished = _exact_on(A, np.flatnonzero(lam > 0))
    return polished if polished is not None else (w, lam)


def _certified_gap(m, w, A, lam):
    """(U - L)/U for L = min(m)/||w|| (m = A w) and U = ||A^T lam||/sum(lam), on the rows A."""
    lower = m.min() / np.linalg.norm(w)
    upper = np.linalg.norm(A.T @ lam) / lam.sum() if lam.sum() > 0 else np.inf
    return (upper - lower) / upper if np.isfinite(upper) and upper > 0 else np.inf


def _daqp_rows(A, warm=None):
    """Exact solve with DAQP on the rows A; its answer is kept if it passes the KKT check,
    else polished on its active set. ``warm``: multipliers of the first rows (the previous
    working set), DAQP's warm start."""
    import daqp
    k, d = A.shape
    kw = {}
    if warm is not None:
        start = np.zeros(k)
        start[:len(warm)] = -warm              # DAQP's sign for active lower bounds
        kw["dual_start"] = start
    x, _, flag, info = daqp.solve(np.eye(d), np.zeros(d), np.ascontiguousarray(A),
                                  np.full(k, 1e30), np.ones(k), primal_tol=1e-12, **kw)
    if flag != 1:
        return None
    lam = np.maximum(-np.asarray(info["lam"]), 0.0)
    m = A @ x
    if m.min() >= 1 - _VIOLATION and (
            np.linalg.norm(x - A.T @ lam) <= 1e-12 * np.linalg.norm(x)
            or _certified_gap(m, x, A, lam) <= _EXACT_GAP):
        return x, lam
    return _exact_on(A, np.flatnonzero(lam > 0))


def _normal_solver(AQ, DQ, GQQ=None):
    """Return x -> (I + AQ^T diag(DQ) AQ)^{-1} x via a Cholesky factorization (internal).

    For fewer rows than columns the same inverse through Woodbury's identity,
    I - AQ^T (diag(DQ)^{-1} + AQ AQ^T)^{-1} AQ, with the Gram matrix ``GQQ = AQ AQ^T`` if given.
    """
    q, d = AQ.shape
    if q >= d and GQQ is None:
        M = dsyrk(1.0, AQ * np.sqrt(DQ)[:, None], trans=1)
        M[np.diag_indices(d)] += 1.0
        R, info = dpotrf(M, clean=1)
        if info:
            raise np.linalg.LinAlgError("normal matrix not positive definite")
        return lambda r: dpotrs(R, r)[0]
    K = dsyrk(1.0, AQ, trans=0) if GQQ is None else GQQ.copy()
    K[np.diag_indices(q)] += 1.0 / DQ
    R, info = dpotrf(K, clean=1)
    if info:
        raise np.linalg.LinAlgError("reduced matrix not positive definite")
    return lambda r: r - AQ.T @ dpotrs(R, AQ @ r)[0]


def _step_to_boundary(x, dx):
    neg = dx < 0
    return min(1.0, float(np.min(-x[neg] / dx[neg]))) if np.any(neg) else 1.0


def _ipm_iterate(A, *, tol, max_iter, q_factor=2):
    r"""Mehrotra predictor-corrector on min 1/2||w||^2 s.t. A w - s = 1, s >= 0 (internal).

    Newton steps on the perturbed KKT system :math:`w = A^\top\lambda`, :math:`Aw - s = 1`,
    :math:`s_i\lambda_i = \sigma\mu` reduce to :math:`(I + A^\top D A)\Delta w = r` with
    :math:`D = \operatorname{diag}(\lambda/s)`; the matrix is built from the rows with the
    largest :math:`D_i` only (constraint reduction), at least :math:`2\min(k, d)` of them and
    twice the current number of rows with :math:`\lambda_i > s_i`; when the gap stalls (the
    reduced matrix gave poor directions) that number doubles, up to all rows.

    Every iterate certifies :math:`\min_iA_iw/\|w\| \le \bar\gamma \le
    \|A^\top\lambda\|/\sum_i\lambda_i`. Stops when the relative gap is below ``tol``, or when
    the iterates stop improving: near the optimum :math:`D` spans many decades and rounding in
    the normal equations can make later steps worse (observed on 20 rows of 768 NTK features,
    singular values 45 down to 0.014), or they become non-finite. Returns the iterate with the
    smallest gap: ``(w, lam, s, gap)``.
    """
    k, d = A.shape
    u = A.mean(axis=0)
    nu = float(np.linalg.norm(u))
    w = np.zeros(d)
    Aw = np.zeros(k)
    s = np.ones(k)
    lam = np.full(k, 1.0 / (k * max(nu, 1e-3) ** 2))
    q_floor = q_factor * min(k, d) + 10
    q_floor_max, gaps = k, []
    best = (np.inf, w, lam, s)
    G = dsyrk(1.0, A, trans=0) if k <= d else None     # Gram matrix, k x k <= k x d
    for _ in range(max_iter):
        rp = Aw - s - 1.0
        rd = w - A.T @ lam
        mu = float(s @ lam) / k
        D = lam / s
        q = min(k, max(q_floor, 2 * int(np.count_nonzero(lam > s))))
        Q = np.argpartition(-D, q - 1)[:q] if q < k else slice(None)
        GQQ = None if G is None else (G if q == k else G[np.ix_(Q, Q)])
        solve = _normal_solver(A[Q], D[Q], GQQ)

        def direction(rc):
            dw = solve(-rd - A.T @ (D * rp - rc / s))
            Adw = A @ dw
            dlam = D * (-rp - Adw) + rc / s
            return dw, Adw, (rc - s * dlam) / lam, dlam

        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            dw, Adw, ds, dlam = direction(-s * lam)                        # predictor
            ap, ad = _step_to_boundary(s, ds), _step_to_boundary(lam, dlam)
            sigma = (float((s + ap * ds) @ (lam + ad * dlam)) / k / mu) ** 3
            dw, Adw, ds, dlam = direction(-s * lam + sigma * mu - ds * dlam)  # corrector
            ap = 0.995 * _step_to_boundary(s, ds)
            ad = 0.995 * _step_to_boundary(lam, dlam)
            w, Aw, s, lam = w + ap * dw, Aw + ap * Adw, s + ap * ds, lam + ad * dlam
            if not (np.isfinite(w).all() and np.isfinite(lam).all() and np.all(s > 0)
                    and np.all(lam > 0)):
                break                               # rounding took over: keep the best
        nw = float(np.linalg.norm(w))
        upper = float(np.linalg.norm(A.T @ lam)) / float(lam.sum())
        lower = float(Aw.min()) / nw if nw > 0 else -np.inf
        gap = (upper - lower) / upper if np.isfinite(lower) and upper > 0 else np.inf
        if gap < best[0]:
            best = (gap, w, lam, s)
        if gap <= tol:
            break
        gaps.append(gap)
        if len(gaps) > 3 and gaps[-1] > 0.9 * gaps[-4]:
            if q < k:                                # stalled: more rows
                q_floor = min(q_floor_max, 2 * q)
            elif best[0] < 1e-6 and min(gaps[-3:]) > best[0]:
                break                                # all rows and no progress: done
        if upper <= 1e-13:                    # dual weights with A^T q ~ 0: not separable
            break
    gap, w, lam, s = best
    return w, lam, s, gap


def _ipm_rows(A, warm=None):
    """Exact solve: interior point to a small gap, then the exact solve on its support.

    A gap of 1e-6 is enough to name the support (the exact solve then checks every KKT
    condition and returns None if the guess was wrong)."""
    try:
        w, lam, s, gap = _ipm_iterate(A, tol=1e-9, max_iter=80)
    except np.linalg.LinAlgError:
        return None
    if not gap <= 1e-6:
        return None
    S = np.flatnonzero(lam > s)
    if len(S) > A.shape[1]:          # more near-active rows than features: the surest d
        S = S[np.argsort(-(lam[S] / s[S]))[:A.shape[1]]]
    return _exact_on(A, S)


def _daqp_available():
    try:
        import daqp  # noqa: F401
    except ImportError:
        return False
    return True


def _routine(method, d):
    """The working-set routine for ``method``: (name, solve) with solve(A) -> (w, lam)|None."""
    if method == "auto":
        method = "daqp" if d <= _DAQP_MAX_D and _daqp_available() else "ipm"
    if method == "daqp" and not _daqp_available():
        raise ValueError("method='daqp' needs the package daqp (pip install daqp); use "
                         "method='auto' or 'ipm' to solve without it.")
    return method, {"ipm": _ipm_rows, "daqp": _daqp_rows, "nnls": _nnls_rows}[method]


def _solve_working_set(A, method, solve, warm):
    """Solve exactly on the rows A; fall back to DAQP / NNLS. Returns (w, lam, name)."""
    found = solve(A, warm)
    if found is not None:
        return found[0], found[1], method
    for name, fallback in (("daqp", _daqp_rows), ("nnls", _nnls_rows)):
        if name == method or (name == "daqp" and not _daqp_available()):
            continue
        found = fallback(A)
        if found is not None:
            return found[0], found[1], f"{method}+{name}"
    raise _NotSeparable      # pragma: no cover - nnls always returns or raises


# ---------------------------------------------------------------- the working-set loop

def _initial_working_set(rows, n, d, per_feature):
    """All rows if few, else the ones with the smallest margins along the mean row."""
    k0 = per_feature * (d + 1)
    if n <= 2 * k0 or n * d <= _ALL_ROWS_ENTRIES:
        return np.arange(n)
    m = rows.margins(rows.mean_row())
    return np.sort(np.argpartition(m, k0 - 1)[:k0])


def _cutting_planes(rows, n, d, method, solve, max_rounds=200):
    """Working-set rounds until no row violates; returns (w, lam_on_W, W, rounds, name, m)."""
    W = _initial_working_set(rows, n, d, _K0_IPM if method == "ipm" else _K0_ACTIVE_SET)
    A_W = rows.take(W)
    add = max(_ADD_PER_FEATURE * (d + 1), 100)
    name, lam = method, None
    for rounds in range(1, max_rounds + 1):
        w, lam, name = _solve_working_set(A_W, method, solve, lam)
        m = rows.margins(w)
        if len(W) == n:                  # every row was in the solve: nothing left to add
            return w, lam, W, rounds, name, m
        viol = np.flatnonzero(m < 1 - _VIOLATION)
        viol = viol[~np.isin(viol, W, assume_unique=True)]
        if viol.size == 0:
            return w, lam, W, rounds, name, m
        if viol.size > add:
            viol = viol[np.argpartition(m[viol], add - 1)[:add]]
        W = np.concatenate([W, viol])
        A_W = np.vstack([A_W, rows.take(viol)])
    # no convergence of the rounds (never observed): solve on all rows by NNLS
    W = np.arange(n)
    w, lam = _nnls_rows(rows.take(W))
    return w, lam, W, max_rounds + 1, "nnls", rows.margins(w)


def max_margin(X, y, *, method="auto"):
    r"""Return the L2 max-margin direction and value of the linear SVM without bias, exactly.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}
    method : {"auto", "ipm", "daqp", "nnls"}
        The routine for the exact solves on the working set (module docstring). All give the
        same answer up to rounding; they differ in speed. ``"daqp"`` needs the package
        ``daqp``; ``"nnls"`` solves on all rows at once (no working set).

    Returns
    -------
    MaxMarginResult
        ``direction`` (unit :math:`\bar u`), ``gamma`` (:math:`\bar\gamma`), ``w_hat``,
        ``dual`` and ``support``; diagnostics ``method``, ``rounds``, ``n_working`` and the
        certified ``rel_gap``.

    Raises
    ------
    ValueError
        If no hyperplane through the origin separates the data (:math:`\bar\gamma \le 0`).

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> X = np.array([[0.5, 1.5], [1.5, 0.5], [-0.5, -1.5], [-1.5, -0.5]])
    >>> y = np.array([1.0, 1.0, -1.0, -1.0])
    >>> res = ib.max_margin(X, y)
    >>> np.round(res.direction, 6), round(res.gamma, 6)   # (1,1)/sqrt 2, margin sqrt 2
    (array([0.707107, 0.707107]), 1.414214)
    """
    X, y = _v.check_X_y(X, y)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}.")
    rows = _Rows(X, y)
    n, d = X.shape
    name, solve = _routine(method, d)
    try:
        if name == "nnls":
            W = np.arange(n)
            w, lam = _nnls_rows(rows.take(W))
            rounds, m = 1, rows.margins(w)
        else:
            w, lam, W, rounds, name, m = _cutting_planes(rows, n, d, name, solve)
    except _NotSeparable:
        raise _not_separable() from None
    if m.min() <= 0:
        raise _not_separable()
    nw = float(np.linalg.norm(w))
    gamma_s = float(m.min()) / nw
    upper_s = float(np.linalg.norm(rows.take(W[lam > 0]).T @ lam[lam > 0])) / float(lam.sum())
    direction = w / nw
    gamma = gamma_s * rows.scale
    w_hat = direction / gamma
    dual = np.zeros(n)
    with np.errstate(over="ignore", under="ignore"):
        dual[W] = lam / rows.scale / rows.scale    # w_hat = w / scale, w = (A / scale)^T lam
    support = np.sort(W[lam > 0])
    return MaxMarginResult(direction, gamma, w_hat, dual, support, name, rounds, len(W),
                           (upper_s - gamma_s) / upper_s)
