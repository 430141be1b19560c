r"""AdaBoost as coordinate descent, and the L1 maximum margin it approaches.

A dictionary of weak learners :math:`h_1,\dots,h_N` with values in :math:`[-1,1]` gives the
matrix :math:`H_{ij} = h_j(x_i)`, and a weight vector :math:`\lambda\in\mathbb R^N` the
predictor :math:`\sum_j\lambda_jh_j`. With :math:`A = \operatorname{diag}(y)H` the margins are
:math:`m = A\lambda` and

.. math::

   \gamma_1^* = \max_{\|u\|_1\le1}\min_i (Au)_i
              = \min_{q\in\Delta_n}\|A^\top q\|_\infty ,

the **L1 max margin**, i.e. :math:`1/\min\{\|\lambda\|_1 : y_i\sum_j\lambda_jh_j(x_i)\ge1\}`,
the talk's implicit AdaBoost problem. It is a linear program (:func:`max_margin_l1`); the two
expressions are LP duals (von Neumann's minimax theorem for the game :math:`A`).

**AdaBoost** (Freund & Schapire 1997) is coordinate descent on the exponential loss
:math:`\psi(\lambda) = \ln\sum_ie^{-(A\lambda)_i}` (Breiman 1999; Friedman et al. 2000): with
weights :math:`q = \operatorname{softmax}(-A\lambda)` it picks the hypothesis with the largest
edge :math:`r = |(A^\top q)_j| = \|A^\top q\|_\infty` and steps
:math:`\lambda_j \mathrel{+}= \operatorname{sign}((A^\top q)_j)\,\nu\operatorname{artanh}(r)`,
the exact line search for :math:`\pm1` learners scaled by the **shrinkage** :math:`\nu\in(0,1]`
(Friedman 2001). Telgarsky (ICML 2013) shows shrunken steps give approximate maximum L1
margins; Zhang & Yu (Ann. Statist. 2005) that the limit :math:`\nu\to0` maximizes it.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from scipy.optimize import linprog

from . import _validation as _v
from .numerics import logsumexp
from .optim import Trace, _check_record_at, run

__all__ = ["Stumps", "decision_stumps", "stump_values", "L1MaxMarginResult", "max_margin_l1",
           "l1_margin", "adaboost_step", "adaboost", "relative_difference_set",
           "cyclic_dictionary"]


# ---------------------------------------------------------------- the stump dictionary

class Stumps(NamedTuple):
    r"""A dictionary of decision stumps :math:`h(x) = +1` if :math:`x_{\mathrm{feature}} >
    \mathrm{threshold}` else :math:`-1`. A threshold of ``-inf`` is the constant :math:`+1`."""
    feature: np.ndarray
    threshold: np.ndarray

    def __len__(self):
        return len(self.feature)


def decision_stumps(X, *, constant=True):
    r"""Return the stumps with thresholds at the midpoints between consecutive distinct values
    of each feature of X (all the distinct ways a stump can split the sample).

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    constant : bool
        Include the constant hypothesis :math:`h\equiv+1` (threshold ``-inf``), the stump
        analogue of a bias. Negated stumps need not be listed: weights may be negative.

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> st = ib.decision_stumps(np.array([[0.0], [1.0], [3.0]]))
    >>> st.threshold
    array([-inf,  0.5,  2. ])
    """
    X = _v.check_X(X)
    feats, thr = ([0], [-np.inf]) if constant else ([], [])
    for j in range(X.shape[1]):
        v = np.unique(X[:, j])
        mids = (v[:-1] + v[1:]) / 2
        feats += [j] * len(mids)
        thr += list(mids)
    return Stumps(np.asarray(feats, dtype=int), np.asarray(thr, dtype=float))


def stump_values(stumps, X):
    r"""Return :math:`H_{ij} = h_j(x_i)\in\{-1,+1\}`, of shape (n_samples, n_stumps)."""
    X = _v.check_X(X)
    if len(stumps.feature) and stumps.feature.max() >= X.shape[1]:
        raise ValueError(f"the stumps use feature {stumps.feature.max()} but X has "
                         f"{X.shape[1]} features; build them with decision_stumps on data with "
                         f"the same columns.")
    return np.where(X[:, stumps.feature] > stumps.threshold, 1.0, -1.0)


# ---------------------------------------------------------------- checks

def _check_H_y(H, y, *, bounded=False):
    H = _v.check_X(H, name="H")
    y = _v.check_y(y, H.shape[0])
    if not np.any(H):
        raise ValueError("H is all zeros: every weak learner predicts 0 on every point, so "
                         "every margin is 0 and no combination separates the data. Check how H "
                         "was built (e.g. stump_values(decision_stumps(X), X)).")
    if bounded and np.abs(H).max() > 1 + 1e-12:
        raise ValueError(f"the weak learners' values H must lie in [-1, 1]; got max |H| = "
                         f"{np.abs(H).max():.4g}. Rescale, e.g. H / np.abs(H).max().")
    return H, y


# ---------------------------------------------------------------- the L1 max margin

class L1MaxMarginResult(NamedTuple):
    """Result of :func:`max_margin_l1`.

    Attributes
    ----------
    weights : ndarray of shape (n_hypotheses,)
        An optimal :math:`\\bar u` with :math:`\\|\\bar u\\|_1 = 1`.
    gamma : float
        The L1 max margin :math:`\\gamma_1^* = \\min_i y_i(H\\bar u)_i`.
    dual : ndarray of shape (n_samples,)
        An optimal distribution :math:`\\bar q` on the examples:
        :math:`\\|A^\\top\\bar q\\|_\\infty = \\gamma_1^*` (every hypothesis has edge at most
        :math:`\\gamma_1^*` under it).
    support : ndarray of int
        Examples with :math:`\\bar q_i > 0`; their margins equal :math:`\\gamma_1^*`.
    """
    weights: np.ndarray
    gamma: float
    dual: np.ndarray
    support: np.ndarray


def max_margin_l1(H, y):
    r"""Return the L1 max margin of a dictionary, solved exactly as a linear program.

    .. math::

       \gamma_1^* = \max_{\gamma,\ u}\ \gamma \quad\text{s.t.}\quad
       y_i(Hu)_i\ge\gamma\ \ \forall i,\qquad \|u\|_1\le1,

    with :math:`u = u^+ - u^-`, :math:`u^\pm\ge0`, solved by HiGHS through
    :func:`scipy.optimize.linprog`. The multipliers of the margin constraints form the dual
    solution :math:`\bar q\in\Delta_n` with :math:`\|A^\top\bar q\|_\infty = \gamma_1^*`
    (strong duality). Equivalently :math:`\hat\lambda = \bar u/\gamma_1^*` solves the talk's
    :math:`\min\|\lambda\|_1` s.t. :math:`y_i\sum_j\lambda_jh_j(x_i)\ge1`.

    Parameters
    ----------
    H : array of shape (n_samples, n_hypotheses)
        :math:`H_{ij} = h_j(x_i)`, e.g. :func:`stump_values`.
    y : array of shape (n_samples,), entries in {-1, +1}

    Returns
    -------
    L1MaxMarginResult

    Raises
    ------
    ValueError
        If no combination of the hypotheses separates the data (:math:`\gamma_1^*\le0`).

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> H = np.eye(3); y = np.ones(3)          # three hypotheses, each right on one point
    >>> res = ib.max_margin_l1(H, y)
    >>> round(res.gamma, 9), res.weights.round(6).tolist()
    (0.333333333, [0.333333, 0.333333, 0.333333])
    """
    H, y = _check_H_y(H, y)
    A = y[:, None] * H
    scale = np.abs(A).max()
    As = A / scale
    n, N = As.shape
    c = np.zeros(2 * N + 1)
    c[-1] = -1.0                                        # maximize gamma
    A_ub = np.vstack([np.hstack([-As, As, np.ones((n, 1))]),          # gamma - (A u)_i <= 0
                      np.concatenate([np.ones(2 * N), [0.0]])[None]])  # ||u||_1 <= 1
    b_ub = np.concatenate([np.zeros(n), [1.0]])
    bounds = [(0, None)] * (2 * N) + [(None, None)]
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs",
                  options={"primal_feasibility_tolerance": 1e-10,
                           "dual_feasibility_tolerance": 1e-10})
    if res.status != 0:
        raise RuntimeError(f"linprog (HiGHS) failed: {res.message}")
    u = res.x[:N] - res.x[N:2 * N]
    gamma_s = float(-res.fun)
    if gamma_s <= 1e-12 or not np.any(u):
        raise ValueError("the hypotheses do not separate the data: no weighting has "
                         "y_i sum_j u_j h_j(x_i) > 0 for every i, so the L1 max margin is not "
                         "positive. Add hypotheses (e.g. more stump thresholds) or remove "
                         "conflicting points (equal x, opposite y).")
    u = u / np.abs(u).sum()
    q = np.maximum(-res.ineqlin.marginals[:n], 0.0)
    q = q / q.sum()
    gamma = float((As @ u).min() * scale)
    return L1MaxMarginResult(weights=u, gamma=gamma, dual=q, support=np.flatnonzero(q > 0))


def l1_margin(H, y, lam):
    r"""Return the normalized L1 margin :math:`\min_iy_i(H\lambda)_i/\|\lambda\|_1`.

    Scale invariant, and at most :math:`\gamma_1^*` (:func:`max_margin_l1`) for every
    :math:`\lambda\ne0`.
    """
    H, y = _check_H_y(H, y)
    lam = _v.check_w(lam, H.shape[1], name="lam", allow_zero=False)
    return float((y * (H @ lam)).min() / np.abs(lam).sum())


# ---------------------------------------------------------------- AdaBoost

class _BoostState(NamedTuple):
    lam: np.ndarray
    sum_steps: float        # sum_s alpha_s
    sum_edge_steps: float   # sum_s r_s alpha_s
    min_edge: float         # min_s r_s
    edge: float             # r of the last step


def _edge_and_step(A, lam, nu):
    """Return (j, sign, edge r, step alpha) at lam (internal, log domain).

    log q = -m - lse(-m); r = |(A^T q)_j| maximal; with z = sign * A[:, j] in [-1, 1]:
    1 +- r = sum_i q_i (1 +- z_i), so log(1 +- r) = lse(log q + log(1 +- z)) over the
    entries with 1 +- z_i > 0, and artanh(r) = (log(1 + r) - log(1 - r)) / 2, exact even when
    r is within rounding of 1.
    """
    a = -(A @ lam)
    log_q = a - logsumexp(a)
    g = np.exp(log_q) @ A
    j = int(np.argmax(np.abs(g)))
    s = 1.0 if g[j] >= 0 else -1.0
    z = s * A[:, j]
    lp, lm = z > -1, z < 1
    log_1p = logsumexp(log_q[lp] + np.log1p(z[lp])) if lp.any() else -np.inf
    log_1m = logsumexp(log_q[lm] + np.log1p(-z[lm])) if lm.any() else -np.inf
    if not np.isfinite(log_1m):
        raise ValueError(f"hypothesis {j} has margin 1 on every example: the L1 max margin is "
                         f"1, attained by it alone, and AdaBoost's line-search step is "
                         f"infinite. Nothing to boost.")
    r = float(abs(g[j]))
    return j, s, r, 0.5 * nu * (log_1p - log_1m)


def _boost_update(A, nu):
    def update(state):
        j, s, r, alpha = _edge_and_step(A, state.lam, nu)
        lam = state.lam.copy()
        lam[j] += s * alpha
        return _BoostState(lam, state.sum_steps + alpha, state.sum_edge_steps + r * alpha,
                           min(state.min_edge, r), r)
    return update


def _boost_metrics(A):
    log_n = np.log(A.shape[0])

    def record(state):
        m = A @ state.lam
        nrm = float(np.abs(state.lam).sum())
        lse = logsumexp(-m)
        mg, sm = (m.min() / nrm, -lse / nrm) if nrm > 0 else (np.nan, np.nan)
        return {"w": state.lam, "margin": mg, "smoothed_margin": sm, "log_risk": lse - log_n,
                "norm": nrm, "sum_steps": state.sum_steps,
                "sum_edge_steps": state.sum_edge_steps, "min_edge": state.min_edge,
                "edge": state.edge}
    return record


def _check_shrinkage(shrinkage):
    nu = _v.check_positive(shrinkage, "shrinkage")
    if nu > 1:
        raise ValueError(f"shrinkage must be in (0, 1] (1 is plain AdaBoost); got {shrinkage}.")
    return nu


def adaboost_step(H, y, lam, *, shrinkage=1.0):
    r"""One AdaBoost step from weights ``lam``; returns the new weights.

    :math:`q = \operatorname{softmax}(-A\lambda)`, :math:`j = \arg\max_j|(A^\top q)_j|`,
    :math:`\lambda_j \mathrel{+}= \operatorname{sign}((A^\top q)_j)\,\nu\operatorname{artanh}(r)`
    with :math:`r = |(A^\top q)_j|`. For :math:`\pm1` learners and :math:`\nu=1` this is
    AdaBoost's :math:`\tfrac12\ln\frac{1-\epsilon}{\epsilon}` with weighted error
    :math:`\epsilon = (1-r)/2`.
    """
    H, y = _check_H_y(H, y, bounded=True)
    lam = _v.check_w(lam, H.shape[1], name="lam")
    nu = _check_shrinkage(shrinkage)
    A = y[:, None] * H
    return _boost_update(A, nu)(_BoostState(lam.copy(), 0.0, 0.0, np.inf, np.nan)).lam


def adaboost(H, y, *, shrinkage=1.0, n_steps=1000, lam0=None, record_at=None, num_records=100):
    r"""Run AdaBoost with shrinkage (coordinate descent on the exponential loss).

    .. math::

       q_t = \operatorname{softmax}(-A\lambda_t),\quad
       j_t = \arg\max_j|(A^\top q_t)_j|,\quad r_t = |(A^\top q_t)_{j_t}|,\quad
       \lambda_{t+1} = \lambda_t + \nu\operatorname{artanh}(r_t)\,
       \operatorname{sign}((A^\top q_t)_{j_t})\,e_{j_t}.

    Nothing in the update mentions a norm; yet the normalized L1 margin
    :math:`\min_i(A\lambda_t)_i/\|\lambda_t\|_1` is at least
    :math:`(1-\nu/2)\gamma_1^* - \ln n/(\nu t\gamma_1^*)` once that is positive (the chapter
    *Explicit versus implicit bias*, after Telgarsky 2013; Zhang & Yu 2005).

    Parameters
    ----------
    H : array of shape (n_samples, n_hypotheses), values in [-1, 1]
    y : array of shape (n_samples,), entries in {-1, +1}
    shrinkage : float in (0, 1]
        :math:`\nu`; 1 is plain AdaBoost.
    n_steps : int >= 1
    lam0 : array of shape (n_hypotheses,), optional
        Initial weights (default 0).
    record_at, num_records
        As in :func:`ibias_lib.gd`.

    Returns
    -------
    Trace
        ``w`` the weights :math:`\lambda_t`; ``margin`` the normalized L1 margin;
        ``smoothed_margin`` :math:`-\ln\sum_ie^{-(A\lambda_t)_i}/\|\lambda_t\|_1`; ``norm``
        :math:`\|\lambda_t\|_1`; ``extra`` the proof's quantities up to step t:
        ``sum_steps`` :math:`\sum_{s<t}\alpha_s`, ``sum_edge_steps``
        :math:`\sum_{s<t}r_s\alpha_s`, ``min_edge`` :math:`\min_{s<t}r_s` and ``edge``
        :math:`r_{t-1}`.

    Examples
    --------
    >>> import ibias_lib as ib
    >>> X, y = ib.rings_data(30, seed=1)
    >>> H = ib.stump_values(ib.decision_stumps(X), X)
    >>> tr = ib.adaboost(H, y, shrinkage=0.2, n_steps=3000)
    >>> bool(0 < tr.margin[-1] <= ib.max_margin_l1(H, y).gamma)
    True
    """
    H, y = _check_H_y(H, y, bounded=True)
    nu = _check_shrinkage(shrinkage)
    n_steps = _v.check_int(n_steps, "n_steps", minimum=1)
    N = H.shape[1]
    lam0 = np.zeros(N) if lam0 is None else _v.check_w(lam0, N, name="lam0").copy()
    rec = _check_record_at(record_at, n_steps, num_records)
    A = y[:, None] * H
    state0 = _BoostState(lam0, 0.0, 0.0, np.inf, np.nan)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        records, _ = run(_boost_update(A, nu), state0, n_steps, rec, _boost_metrics(A))
    moved = np.asarray(records["norm"]) > 0
    if np.any(rec > 0) and not np.all(moved[rec > 0]):
        raise ValueError("AdaBoost made no step: every weak learner has edge 0 under the "
                         "current weights, so the step size 0.5 ln((1+edge)/(1-edge)) is 0 and "
                         "the normalized margin is 0/0. The data are not separable by this "
                         "dictionary (max_margin_l1(H, y).gamma <= 0); add weak learners.")
    if not all(np.all(np.isfinite(np.asarray(records[k])[moved])) for k in
               ("margin", "log_risk", "norm")):
        raise ValueError("AdaBoost's trace left the range of float64; this happens when the "
                         "dictionary separates the data with edge 1 (a perfect weak learner): "
                         "the step ln((1+1)/(1-1)) is infinite. Use shrinkage or drop that "
                         "learner (it alone has L1 margin 1).")
    extra = {k: records[k] for k in ("sum_steps", "sum_edge_steps", "min_edge", "edge")}
    return Trace(steps=rec.copy(), w=records["w"], margin=records["margin"],
                 smoothed_margin=records["smoothed_margin"], log_risk=records["log_risk"],
                 norm=records["norm"], loss="exp", method=f"adaboost(shrinkage={nu:g})",
                 extra=MappingProxyType(extra))


# ---------------------------------------------------------------- an instance where AdaBoost stalls

_RDS_MAX_Q = 9      # the depth-first search below is instantaneous up to here


def _rds_search(q):
    """Depth-first search for the lexicographically first relative difference set with 0."""
    m = q * q - 1
    subgroup = frozenset(range(0, m, q + 1))

    def extend(H, used):
        if len(H) == q:
            return H
        for x in range(H[-1] + 1, m):
            new = set()
            for h in H:                              # the differences x - h and h - x
                for d in ((x - h) % m, (h - x) % m):
                    if d in subgroup or d in used or d in new:
                        break
                    new.add(d)
                else:
                    continue
                break
            else:
                found = extend(H + [x], used | new)
                if found is not None:
                    return found
        return None

    return extend([0], frozenset())


def relative_difference_set(q):
    r"""Return a set :math:`D\subset\mathbb Z_m`, :math:`m=q^2-1`, of :math:`q` residues whose
    differences avoid the subgroup :math:`N=(q+1)\mathbb Z_m` and hit every other nonzero
    residue exactly once.

    .. math::

       \#\{(d,d')\in D^2 : d-d'\equiv x\} = \begin{cases}0 & x\in N\setminus\{0\},\\
       1 & x\notin N,\end{cases}\qquad |N| = q-1 .

    Such a set (a *relative difference set* with parameters :math:`(q+1, q-1, q, 1)`) makes
    the translates :math:`D+k` behave like the lines of an affine plane: two translates
    whose shifts differ by an element of :math:`N\setminus\{0\}` are disjoint, any other two
    meet in exactly one point. The chapter *Explicit versus implicit bias* builds from it an
    instance on which AdaBoost never reaches the L1 max margin (:func:`cyclic_dictionary`).
    The set is found by an exhaustive depth-first search (lexicographically first set
    containing 0), and the search fails when no such set exists, e.g. for :math:`q=6`.

    Parameters
    ----------
    q : int, 2 <= q <= 9

    Returns
    -------
    ndarray of int, shape (q,), sorted, starting with 0

    Examples
    --------
    >>> import ibias_lib.boosting as bo
    >>> bo.relative_difference_set(4).tolist()        # differences: every residue but 5, 10
    [0, 1, 3, 7]
    """
    q = _v.check_int(q, "q", minimum=2)
    if q > _RDS_MAX_Q:
        raise ValueError(f"q = {q} is too large for the exhaustive search (q <= {_RDS_MAX_Q}); "
                         f"the book uses q = 4 and q = 5.")
    found = _rds_search(q)
    if found is None:
        raise ValueError(f"no relative difference set with parameters ({q + 1}, {q - 1}, {q}, 1) "
                         f"exists in Z_{q * q - 1} (the exhaustive search found none); use a "
                         f"prime power q, e.g. 4, 5, 7, 8 or 9.")
    return np.asarray(found, dtype=int)


def cyclic_dictionary(m, mistakes):
    r"""Return the :math:`m\times m` matrix of the translates of a mistake set in
    :math:`\mathbb Z_m`.

    .. math:: H_{ik} = \begin{cases}-1 & (i-k)\bmod m\in D,\\ +1 & \text{otherwise,}\end{cases}

    i.e. hypothesis :math:`k` errs exactly on the examples :math:`D+k` (all labels are
    :math:`+1`, so :math:`A=H`). The matrix is circulant, so the uniform weights on the
    hypotheses and the uniform distribution on the examples certify
    :math:`\gamma_1^*=1-2|D|/m`: under either, every margin, respectively every edge, equals
    :math:`1-2|D|/m`.

    Parameters
    ----------
    m : int >= 2
    mistakes : sequence of int
        The set :math:`D` (residues mod m, distinct), with :math:`|D|<m/2` so that
        :math:`\gamma_1^*>0`.

    Returns
    -------
    ndarray of shape (m, m), entries in {-1, +1}

    Examples
    --------
    >>> import ibias_lib.boosting as bo
    >>> bo.cyclic_dictionary(4, [0]).astype(int).tolist()
    [[-1, 1, 1, 1], [1, -1, 1, 1], [1, 1, -1, 1], [1, 1, 1, -1]]
    """
    m = _v.check_int(m, "m", minimum=2)
    D = np.asarray(mistakes)
    if D.ndim != 1 or D.size == 0 or D.dtype.kind not in "iu":
        raise ValueError(f"mistakes must be a non-empty 1D sequence of integers; got "
                         f"{mistakes!r}. Pass e.g. relative_difference_set(4).")
    D = np.mod(D, m)
    if len(np.unique(D)) != len(D):
        raise ValueError(f"mistakes must be distinct residues mod {m}; got {mistakes!r}.")
    if 2 * len(D) >= m:
        raise ValueError(f"with {len(D)} mistakes out of m = {m} examples every hypothesis errs "
                         f"on at least half of them, so the L1 max margin 1 - 2|D|/m is not "
                         f"positive. Use fewer than m/2 mistakes.")
    shift = (np.arange(m)[:, None] - np.arange(m)[None, :]) % m
    return np.where(np.isin(shift, D), -1.0, 1.0)
