r"""General (possibly nonseparable) data: the maximal separable subset and its subspaces.

Ji & Telgarsky (*The implicit bias of gradient descent on nonseparable data*, COLT 2019,
arXiv 1803.07300) describe gradient descent on the logistic or exponential risk for *any*
data. With rows :math:`a_i = y_ix_i`, the examples split uniquely into

* a **separable part** :math:`c`: the indices :math:`i` for which some :math:`u` has
  :math:`Au \ge 0` and :math:`a_i^\top u > 0`. Summing such vectors gives one :math:`u` with
  :math:`a_i^\top u > 0` on all of :math:`c` and :math:`a_i^\top u = 0` elsewhere, so
  :math:`c` is the *maximal linearly separable subset*;
* a **tight part** :math:`S` (the rest): every :math:`u` with :math:`Au\ge0` has
  :math:`A_Su = 0`. By Stiemke's alternative this holds exactly when some :math:`q` with
  :math:`q_i > 0` on :math:`S` has :math:`A_S^\top q = 0`.

Let :math:`V = \operatorname{span}\{a_i : i\in S\}`. The risk of the tight part,
:math:`\mathcal R_S(v) = \frac1n\sum_{i\in S}\ell(a_i^\top v)`, is strictly convex and coercive
on :math:`V`, so it has a unique minimizer :math:`\bar v\in V`; on :math:`V^\perp` the
separable part has a positive max margin, with direction :math:`\bar u`. Gradient descent then
follows the ray :math:`\bar v + \bar u\cdot s`: :math:`\Pi_V w_t \to \bar v` and
:math:`\Pi_{V^\perp}w_t/\|\Pi_{V^\perp}w_t\| \to \bar u` while :math:`\|\Pi_{V^\perp} w_t\|`
grows like :math:`\ln t`.

:func:`separable_decomposition` finds :math:`c` and :math:`S` with two linear programs, one
from each side of the alternative, and returns both certificates so the split can be checked
without trusting the solver. :func:`tight_minimizer` computes :math:`\bar v` by Newton's
method; :func:`separable_direction` computes :math:`\bar u`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import linprog

from . import _validation as _v
from .losses import log_losses, log_neg_derivs
from .max_margin import MaxMarginResult, max_margin
from .numerics import log_sigmoid_neg, logsumexp

__all__ = ["SeparableDecomposition", "separable_decomposition", "tight_minimizer",
           "separable_direction", "nonseparable_data"]

_LP_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


class SeparableDecomposition(NamedTuple):
    """Result of :func:`separable_decomposition`.

    Attributes
    ----------
    separable : ndarray of bool, shape (n_samples,)
        Mask of the maximal linearly separable subset :math:`c`.
    tight : ndarray of bool, shape (n_samples,)
        Mask of the tight part :math:`S` (the complement of ``separable``).
    u : ndarray of shape (n_features,)
        Separation certificate: :math:`a_i^\\top u \\ge 1` on :math:`c` and
        :math:`a_i^\\top u = 0` on :math:`S` (zero vector when :math:`c` is empty).
    q : ndarray of shape (n_samples,)
        Tightness certificate: :math:`q \\ge 0`, :math:`q_i \\ge 1` on :math:`S`, :math:`q_i = 0`
        on :math:`c`, and :math:`A^\\top q = 0` (zero vector when :math:`S` is empty).
    basis_tight : ndarray of shape (n_features, k)
        Orthonormal basis of :math:`V = \\operatorname{span}\\{a_i: i\\in S\\}`.
    basis_separable : ndarray of shape (n_features, n_features - k)
        Orthonormal basis of :math:`V^\\perp`.
    """
    separable: np.ndarray
    tight: np.ndarray
    u: np.ndarray
    q: np.ndarray
    basis_tight: np.ndarray
    basis_separable: np.ndarray

    def project_tight(self, w):
        """Return :math:`\\Pi_V w` (works on a vector or on rows of a matrix)."""
        B = self.basis_tight
        return (np.asarray(w) @ B) @ B.T

    def project_separable(self, w):
        """Return :math:`\\Pi_{V^\\perp} w` (works on a vector or on rows of a matrix)."""
        B = self.basis_separable
        return (np.asarray(w) @ B) @ B.T


def _separating_lp(A):
    """max sum(s) s.t. A u >= s, 0 <= s <= 1: s is the indicator of c (internal)."""
    n, d = A.shape
    cost = np.concatenate([np.zeros(d), -np.ones(n)])
    A_ub = np.hstack([-A, np.eye(n)])                   # s - A u <= 0
    bounds = [(None, None)] * d + [(0.0, 1.0)] * n
    res = linprog(cost, A_ub=A_ub, b_ub=np.zeros(n), bounds=bounds, method="highs",
                  options=_LP_OPTIONS)
    if res.status != 0:
        raise RuntimeError(f"linprog (HiGHS) failed on the separating LP: {res.message}")
    return res.x[:d], res.x[d:]


def _tight_lp(A):
    """max sum(t) s.t. A^T q = 0, q >= t, 0 <= t <= 1: t is the indicator of S (internal)."""
    n, d = A.shape
    cost = np.concatenate([np.zeros(n), -np.ones(n)])
    A_eq = np.hstack([A.T, np.zeros((d, n))])
    A_ub = np.hstack([-np.eye(n), np.eye(n)])           # t - q <= 0
    bounds = [(0.0, None)] * n + [(0.0, 1.0)] * n
    res = linprog(cost, A_ub=A_ub, b_ub=np.zeros(n), A_eq=A_eq, b_eq=np.zeros(d),
                  bounds=bounds, method="highs", options=_LP_OPTIONS)
    if res.status != 0:
        raise RuntimeError(f"linprog (HiGHS) failed on the tightness LP: {res.message}")
    return res.x[:n], res.x[n:]


def _orthonormal_bases(M, d, rtol=1e-10):
    """Orthonormal bases of the row space of M and of its orthogonal complement."""
    if M.shape[0] == 0:
        return np.zeros((d, 0)), np.eye(d)
    _, s, Vt = np.linalg.svd(M, full_matrices=True)
    k = int(np.sum(s > rtol * s.max())) if s.size and s.max() > 0 else 0
    return Vt[:k].T.copy(), Vt[k:].T.copy()


def separable_decomposition(X, y):
    r"""Split the data into its maximal linearly separable subset and its tight part.

    With :math:`a_i = y_ix_i`, two linear programs (HiGHS via :func:`scipy.optimize.linprog`):

    * **separating LP**: :math:`\max \sum_i s_i` s.t. :math:`Au \ge s`, :math:`0\le s\le 1`.
      Since the feasible :math:`u` form a cone, :math:`s_i = 1` is reachable exactly for
      :math:`i\in c`, and :math:`s_i = 0` is forced on :math:`S`;
    * **tightness LP**: :math:`\max\sum_i t_i` s.t. :math:`A^\top q = 0`, :math:`q\ge t`,
      :math:`0\le t\le1`: the largest support of a nonnegative dependency :math:`A^\top q = 0`,
      which is exactly :math:`S` (Stiemke's alternative; Goldman & Tucker's strict
      complementarity makes the two supports partition the indices).

    The two answers must be complementary; this is checked, so a failure of either LP
    raises instead of returning a wrong split. The certificates are then polished: ``u`` is
    projected onto :math:`V^\perp` and scaled to :math:`\min_{i\in c}a_i^\top u = 1`, and ``q``
    is re-solved by least squares on :math:`S`. This is the characterization of Ji & Telgarsky
    (COLT 2019, arXiv 1803.07300): gradient descent converges in direction to the max margin
    of :math:`c` (within :math:`V^\perp`) and to a bounded offset :math:`\bar v\in V`.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}

    Returns
    -------
    SeparableDecomposition

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> X = np.array([[1.0, 0.0], [1.0, 0.0], [0.3, 1.0], [-0.2, -1.0]])
    >>> y = np.array([1.0, -1.0, 1.0, -1.0])        # the first two points conflict
    >>> dec = ib.separable_decomposition(X, y)
    >>> dec.separable.tolist(), dec.basis_tight.shape
    ([False, False, True, True], (2, 1))
    """
    X, y = _v.check_X_y(X, y)
    A = y[:, None] * X
    n, d = A.shape
    scale = np.abs(A).max()
    if scale == 0:
        raise ValueError("X is all zeros: every point has margin 0 under every w. Pass data "
                         "with at least one nonzero feature.")
    As = A / scale
    _, s = _separating_lp(As)
    q_lp, t = _tight_lp(As)
    separable = s > 0.5
    tight = t > 0.5
    if np.any(separable == tight):
        bad = np.flatnonzero(separable == tight)
        raise RuntimeError(f"the two linear programs disagree on {bad.size} points (first "
                           f"index {bad[0]}): the data are too close to degenerate for the LP "
                           "tolerances. Rescale X or remove near-duplicate points.")
    B_tight, B_sep = _orthonormal_bases(As[tight], d)
    # Certificate u: re-solve the separating LP inside V-perp for a clean A_S u = 0.
    if separable.any():
        Z = As[separable] @ B_sep                      # separable rows in V-perp coordinates
        u_coord, s_sep = _separating_lp(Z)
        if np.any(s_sep < 0.5):
            raise RuntimeError("internal: the separable part is not separable inside V-perp")
        u = B_sep @ u_coord
        u = u / (A[separable] @ u).min()
    else:
        u = np.zeros(d)
    # Certificate q: positive on S with A_S^T q = 0; least-squares polish keeps q_S >= 1.
    q = np.zeros(n)
    if tight.any():
        qS = _polish_dependency(As[tight], q_lp[tight])
        q[tight] = qS / qS.min()
    return SeparableDecomposition(separable, tight, u, q, B_tight, B_sep)


def _polish_dependency(AS, q0):
    """Project q0 (> 0, AS^T q0 ~ 0) onto the null space of AS^T, keeping it positive."""
    # Orthogonal projection onto {q : AS^T q = 0}: q = q0 - AS (AS^T AS)^+ AS^T q0.
    corr = AS @ np.linalg.lstsq(AS.T @ AS, AS.T @ q0, rcond=None)[0]
    q = q0 - corr
    return q if np.all(q > 0) else q0   # the correction is tiny whenever the LP succeeded


def _newton_convex(f_grad_hess, z0, *, tol=1e-13, max_iter=200):
    """Damped Newton with Armijo backtracking on a smooth strictly convex function."""
    z = z0.copy()
    f, g, H = f_grad_hess(z)
    for _ in range(max_iter):
        step = np.linalg.solve(H, -g)
        dec = -g @ step                                # Newton decrement squared
        if dec <= tol * max(1.0, abs(f)) or not np.isfinite(dec):
            break
        a = 1.0
        while True:
            f_new, g_new, H_new = f_grad_hess(z + a * step)
            if f_new <= f - 0.25 * a * dec or a < 1e-12:
                break
            a *= 0.5
        z = z + a * step
        f, g, H = f_new, g_new, H_new
    return z, g


def _log_second_derivs(m, loss):
    """log l''(m): -m for exp, log sigma(m) + log sigma(-m) for logistic (internal)."""
    if loss == "exp":
        return -m
    return log_sigmoid_neg(m) + log_sigmoid_neg(-m)


def tight_minimizer(X, y, *, loss="logistic", decomposition=None):
    r"""Return the unique minimizer :math:`\bar v\in V` of the tight part's risk.

    .. math:: \bar v = \arg\min_{v\in V} \frac1n\sum_{i\in S}\ell(y_ix_i^\top v),
              \qquad V = \operatorname{span}\{y_ix_i : i\in S\},

    computed by damped Newton's method in coordinates of an orthonormal basis of :math:`V`
    (the problem is strictly convex and coercive there). Ji & Telgarsky (COLT 2019) show that
    gradient descent on the full risk satisfies :math:`\Pi_V w_t\to\bar v`. Returns the zero
    vector when the data are separable (:math:`S` empty).

    Parameters
    ----------
    X, y : the data, as for :func:`separable_decomposition`
    loss : {'exp', 'logistic'}
    decomposition : SeparableDecomposition, optional
        Reuse a decomposition already computed for the same data.

    Returns
    -------
    ndarray of shape (n_features,)
    """
    X, y = _v.check_X_y(X, y)
    loss = _v.check_loss(loss)
    dec = decomposition if decomposition is not None else separable_decomposition(X, y)
    B = dec.basis_tight
    if B.shape[1] == 0:
        return np.zeros(X.shape[1])
    AS = (y[:, None] * X)[dec.tight] @ B               # tight rows in V coordinates
    log_n = np.log(X.shape[0])

    def fgh(z):
        m = AS @ z
        f = np.exp(logsumexp(log_losses(m, loss)) - log_n)
        g = -(np.exp(log_neg_derivs(m, loss) - log_n) @ AS)
        H = (AS.T * np.exp(_log_second_derivs(m, loss) - log_n)) @ AS
        return f, g, H

    z, _ = _newton_convex(fgh, np.zeros(B.shape[1]))
    return B @ z


def separable_direction(X, y, *, decomposition=None):
    r"""Return the max-margin solution of the separable part inside :math:`V^\perp`.

    .. math:: \bar u = \arg\max_{u\in V^\perp,\ \|u\|\le1}\ \min_{i\in c}\ y_ix_i^\top u,

    solved with :func:`ibias_lib.max_margin` on the rows :math:`\Pi_{V^\perp}a_i`,
    :math:`i\in c`, written in a basis of :math:`V^\perp`. The returned
    :class:`~ibias_lib.MaxMarginResult` holds vectors in the original coordinates
    (``direction`` :math:`\bar u`, ``w_hat`` with :math:`\min_{i\in c}a_i^\top\hat w = 1`) and
    its ``dual``/``support`` refer to the indices of the full data.

    Raises
    ------
    ValueError
        If the separable part is empty (the risk then attains its minimum).
    """
    X, y = _v.check_X_y(X, y)
    dec = decomposition if decomposition is not None else separable_decomposition(X, y)
    if not dec.separable.any():
        raise ValueError("the maximal separable subset is empty: no direction makes any "
                         "margin positive without making another negative, so the risk "
                         "attains its minimum and there is no max-margin direction. Use "
                         "tight_minimizer for the (bounded) minimizer.")
    idx = np.flatnonzero(dec.separable)
    Z = (y[idx, None] * X[idx]) @ dec.basis_separable
    res = max_margin(Z, np.ones(len(idx)))
    B = dec.basis_separable
    dual = np.zeros(X.shape[0])
    dual[idx] = res.dual
    return MaxMarginResult(B @ res.direction, res.gamma, B @ res.w_hat, dual,
                           idx[res.support])


def nonseparable_data(n_separable=30, n_tight=20, d=4, *, tight_dim=2, margin=0.1, seed=0):
    r"""Seeded data with a planted maximal separable subset and a planted tight subspace.

    A random orthonormal split :math:`\mathbb R^d = V\oplus V^\perp` with
    :math:`\dim V=` ``tight_dim``. The ``n_tight`` tight points lie in :math:`V` with random
    labels (so, with enough of them, no direction of :math:`V` classifies them all: they are
    the overlapping part). The ``n_separable`` other points have a component in :math:`V`
    and one in :math:`V^\perp` whose inner product with a planted unit :math:`u^*\in V^\perp`
    is at least ``margin``; their label is random and the point is :math:`y_ia_i`. All points
    lie in the unit ball. The draw is repeated (with the same generator) until the tight
    points really are tight, so :func:`separable_decomposition` recovers the planted split.

    Returns
    -------
    X : ndarray of shape (n_separable + n_tight, d)
    y : ndarray of shape (n_separable + n_tight,)
    """
    n_separable = _v.check_int(n_separable, "n_separable", minimum=0)
    n_tight = _v.check_int(n_tight, "n_tight", minimum=0)
    d = _v.check_int(d, "d", minimum=1)
    k = _v.check_int(tight_dim, "tight_dim", minimum=0)
    if k > d or (k == d and n_separable > 0):
        raise ValueError(f"tight_dim must be at most d - 1 when there are separable points "
                         f"(they need a direction of V-perp); got tight_dim={k}, d={d}.")
    if (k == 0) != (n_tight == 0):
        raise ValueError(f"tight points need a tight subspace and vice versa; got "
                         f"n_tight={n_tight} with tight_dim={k}.")
    if n_tight and n_tight < k + 1:
        raise ValueError(f"n_tight must be at least tight_dim + 1 = {k + 1} so that the tight "
                         f"points can surround the origin of V; got {n_tight}.")
    margin = _v.check_positive(margin, "margin")
    if margin >= 1:
        raise ValueError(f"margin must be in (0, 1) for data in the unit ball; got {margin}.")
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    BV, BP = Q[:, :k], Q[:, k:]
    u_star = rng.standard_normal(d - k)
    u_star /= np.linalg.norm(u_star)
    for _ in range(100):
        g = rng.standard_normal((n_tight, k))
        r = rng.uniform(0.3, 1.0, size=n_tight)
        tight_a = (g / np.linalg.norm(g, axis=1, keepdims=True) * r[:, None]) @ BV.T \
            if k else np.zeros((0, d))
        sep = np.empty((0, d - k))
        while sep.shape[0] < n_separable:
            c = rng.standard_normal((4 * n_separable + 8, d - k))
            c *= (rng.random(len(c)) ** (1.0 / (d - k)) / np.linalg.norm(c, axis=1))[:, None]
            sep = np.vstack([sep, c[c @ u_star >= margin]])
        sep = sep[:n_separable]
        h = rng.standard_normal((n_separable, k))     # offsets: uniform in V's 0.5-ball
        off = 0.5 * h / np.maximum(np.linalg.norm(h, axis=1, keepdims=True), 1e-300) \
            * rng.random((n_separable, 1)) ** (1.0 / max(k, 1))
        sep_a = (sep @ BP.T + off @ BV.T) / np.sqrt(1.25)
        A = np.vstack([sep_a, tight_a])
        labels = rng.choice([-1.0, 1.0], size=len(A))
        X = labels[:, None] * A
        perm = rng.permutation(len(A))
        X, labels = X[perm], labels[perm]
        planted = np.concatenate([np.ones(n_separable, bool), np.zeros(n_tight, bool)])[perm]
        if len(A) == 0 or np.array_equal(separable_decomposition(X, labels).separable,
                                           planted):
            return X, labels
    raise RuntimeError("could not draw tight points surrounding the origin of V; increase "
                       "n_tight")
