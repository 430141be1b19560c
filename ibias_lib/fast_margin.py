r"""Margins with certificates: the dual view, and Ji, Srebro & Telgarsky's dual acceleration.

With :math:`A` the matrix of rows :math:`a_i = y_ix_i`, every weight vector :math:`q` on the
simplex :math:`\Delta_n` bounds the max margin from above, and every :math:`w \ne 0` from below:

.. math::

   \operatorname{margin}(w) = \min_i \frac{a_i^\top w}{\|w\|} \;\le\; \bar\gamma
   \;\le\; \|A^\top q\| ,

because :math:`\|A^\top q\| \ge \langle A^\top q, \bar u\rangle = \sum_i q_i a_i^\top\bar u \ge
\bar\gamma` for the unit max-margin direction :math:`\bar u`; strong duality (the max margin is
the distance from 0 to the convex hull of the :math:`a_i`) makes both bounds tight at the
optimum. The exponential-loss methods of the book produce such a :math:`q` at every step for
free, :math:`q_t = \operatorname{softmax}(-Aw_t)`, the normalized gradient weights. So every
iterate carries a *certificate*: the relative gap
:math:`(\min_s\|A^\top q_s\| - \operatorname{margin}(w_t))/\min_s\|A^\top q_s\|` is computable
without knowing :math:`\bar\gamma`, and a solver can stop when it is small.

Ji, Srebro & Telgarsky (*Fast margin maximization via dual acceleration*, ICML 2021,
arXiv:2107.00595) apply Nesterov acceleration to the dual and obtain a momentum method in the
primal whose margin gap is :math:`\widetilde O(1/t^2)`. With step :math:`\theta` (1 when
:math:`\|x_i\|\le1`) and momentum factor :math:`t/(t+1)`, in the sign convention of this
library (rows :math:`a_i = y_ix_i`):

.. math::

   q_0 = \tfrac1n\mathbf 1,\quad w_0 = m_{-1} = 0;\qquad
   g_t = A^\top q_t,\quad m_t = \tfrac{t}{t+1}(m_{t-1} + g_t),\quad
   w_{t+1} = w_t + \theta(m_t + g_t),\quad q_{t+1} = \operatorname{softmax}(-Aw_{t+1}).

Without momentum (:math:`m_t = 0`) this is normalized gradient descent on the exponential
loss, :func:`ibias_lib.normalized_gd`, whose gap is :math:`O(1/t)` (Ji & Telgarsky, ALT 2021).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validation as _v
from .numerics import softmax
from .optim import _check_record_at, _trace, linear_metrics, run

__all__ = ["FastMarginResult", "dual_bound", "fast_margin", "fast_margin_trace"]

#: Points whose dual weight is below ``exp(-_TAU)`` times the largest are left out of the
#: working set (see :func:`fast_margin`, ``screen=True``).
_TAU = 40.0
#: At a re-screen, points within ``_TAU_KEEP`` (in margin units) of the smallest margin are
#: kept, so that the safe bound needs a while before it triggers the next full pass.
_TAU_KEEP = 60.0
#: ``polish=True``: try the exact solve on a working set of k rows once ``_POLISH_COST * k**2``
#: is at most the number of rows touched so far, and the estimated relative gap is below
#: ``_POLISH_GAP``. The rule was set when the polish was scipy's Lawson-Hanson NNLS on all k rows
#: (about ``k**2 / 2`` rows touched: 5e-10 k^2 d seconds on this library's machine, against
#: 4e-10 n d for a float32 pass), so that the polish cost at most a fifth of the work done. The
#: polish is now :func:`ibias_lib.max_margin` on the k rows, whose working set costs a few passes
#: of k rows plus solves of a few times d rows, far less than k^2 rows for k >> d: the rule is
#: conservative (it polishes later than it could), which costs time, never correctness.
_POLISH_COST = 2.5
_POLISH_GAP = 1e-2


class FastMarginResult(NamedTuple):
    """Result of :func:`fast_margin`: a direction and a certified interval for the max margin.

    Attributes
    ----------
    direction : ndarray of shape (n_features,)
        Unit vector :math:`u`.
    margin : float
        Its margin :math:`\\min_i y_ix_i^\\top u`, computed in float64 on all the data: a lower
        bound on the max margin :math:`\\bar\\gamma`.
    upper : float
        :math:`\\|A^\\top q\\|` for the dual weights ``dual``, computed in float64: an upper
        bound on :math:`\\bar\\gamma`.
    dual : ndarray of shape (n_samples,)
        Weights :math:`q \\ge 0` summing to one: the certificate for ``upper``.
    n_iter : int
        Iterations performed.
    converged : bool
        Whether the certified relative gap reached ``tol``.
    passes : float
        Work done, in passes over the data: every matrix product with :math:`k` of the
        :math:`n` rows counts :math:`k/n` (two products per step, plus full passes for
        screening and certificates).
    n_screens : int
        Full screening passes over all the data (``screen=True``).
    n_active : int
        Rows in the final working set (``n_samples`` without screening).
    """
    direction: np.ndarray
    margin: float
    upper: float
    dual: np.ndarray
    n_iter: int
    converged: bool
    passes: float
    n_screens: int = 0
    n_active: int = 0

    @property
    def gap(self):
        """The certified absolute gap ``upper - margin`` (at least ``gamma_bar - margin``)."""
        return self.upper - self.margin

    @property
    def rel_gap(self):
        """The certified relative gap ``(upper - margin) / upper``."""
        return (self.upper - self.margin) / self.upper


def _check_tol(tol):
    tol = _v.check_positive(tol, "tol")
    if tol >= 1:
        raise ValueError(f"tol is a relative gap (upper - lower) / upper and must be in (0, 1); "
                         f"got {tol!r}. Use e.g. tol=1e-3 for three correct digits.")
    return tol


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}.")
    return bool(value)


def _rows(X, y):
    """Return rows a_i = y_i x_i scaled to max norm 1, and the scale (internal).

    Scaling first by the largest entry keeps the squared norms from overflowing or
    underflowing, whatever the scale of X.
    """
    A = y[:, None] * X
    s0 = np.abs(A).max()
    if s0 == 0:
        raise ValueError("X is all zeros: every direction has margin 0, so no hyperplane "
                         "separates the data. Pass data with nonzero features.")
    A /= s0
    r = np.sqrt(np.einsum("ij,ij->i", A, A))
    A /= r.max()
    return A, s0 * r.max()


def dual_bound(X, y, q):
    r"""Return the upper bound :math:`\|\sum_i q_iy_ix_i\|/\sum_i q_i \ge \bar\gamma`.

    Any nonnegative weights with a positive sum give an upper bound on the max margin
    (module docstring); the bound is tight at the SVM's dual weights.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}
    q : array of shape (n_samples,), nonnegative, not all zero

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> X = np.array([[0.5, 1.5], [1.5, 0.5], [-0.5, -1.5], [-1.5, -0.5]])
    >>> y = np.array([1.0, 1.0, -1.0, -1.0])
    >>> round(ib.dual_bound(X, y, np.ones(4)), 6)      # = max margin sqrt(2) here
    1.414214
    """
    X, y = _v.check_X_y(X, y)
    q = _v._as_float_array(q, "q")
    if q.ndim != 1 or q.shape[0] != X.shape[0]:
        raise ValueError(f"q must be a vector of shape ({X.shape[0]},), one weight per sample; "
                         f"got shape {q.shape}.")
    _v._check_finite(q, "q")
    if np.any(q < 0) or not np.any(q > 0):
        raise ValueError("q must be nonnegative with a positive sum (dual weights on the "
                         f"samples); got min {q.min()!r} and sum {q.sum()!r}. Use e.g. the "
                         "softmax of the negative margins.")
    A = y[:, None] * X
    s = np.abs(A).max()
    if s == 0:
        return 0.0
    return float(np.linalg.norm((A / s).T @ (q / q.sum())) * s)


# ---------------------------------------------------------------- the plain method, for traces

class _State(NamedTuple):
    t: int
    w: np.ndarray        # w_t
    mom: np.ndarray      # m_{t-1}
    margins: np.ndarray  # A w_t
    upper: float         # min_{s < t} ||A^T q_s||


def _step_kernel(A, step, momentum):
    """Return the pure update ``state -> state`` of the method on rows A (internal)."""
    def update(s):
        q = softmax(-s.margins)
        g = q @ A                                   # A^T q_t
        mom = (s.t / (s.t + 1.0)) * (s.mom + g) if momentum else s.mom
        w = s.w + step * (mom + g)
        return _State(s.t + 1, w, mom, A @ w, min(s.upper, float(np.linalg.norm(g))))
    return update


def fast_margin_trace(X, y, *, n_steps=1000, momentum=True, step=1.0, record_at=None,
                      num_records=100):
    r"""Run Ji, Srebro & Telgarsky's method for ``n_steps`` steps and return its :class:`Trace`.

    The update is the one of the module docstring, exactly, in float64 (no screening, no
    stopping rule; for a solver use :func:`fast_margin`). With ``momentum=False`` it is
    normalized GD on the exponential loss, step by step equal to
    :func:`ibias_lib.normalized_gd` with the same ``step``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        The theory takes :math:`\|x_i\|\le1` and ``step=1``.
    y : array of shape (n_samples,), entries in {-1, +1}
    n_steps : int >= 1
    momentum : bool
        Use the momentum :math:`m_t` (the accelerated method) or not (normalized GD).
    step : float > 0
        :math:`\theta`.
    record_at, num_records
        As for :func:`ibias_lib.gd`.

    Returns
    -------
    Trace
        The usual fields (``margin`` is the lower bound), plus ``extra['upper']``, the
        certified upper bound :math:`\min_{s\le t}\|A^\top q_s\|` on :math:`\bar\gamma`, and
        ``extra['dual_norm']``, :math:`\|A^\top q_t\|` itself.

    Examples
    --------
    >>> import ibias_lib as ib
    >>> X, y = ib.planted_data(100, 10, margin=0.05, seed=0)
    >>> tr = ib.fast_margin_trace(X, y, n_steps=1000)
    >>> gamma = ib.max_margin(X, y).gamma
    >>> bool((tr.margin[-1] <= gamma <= tr.extra["upper"][-1]))
    True
    """
    X, y = _v.check_X_y(X, y)
    n_steps = _v.check_int(n_steps, "n_steps", minimum=1)
    momentum = _check_bool(momentum, "momentum")
    step = _v.check_positive(step, "step")
    rec = _check_record_at(record_at, n_steps, num_records)
    A = y[:, None] * X
    n, d = A.shape
    metrics = linear_metrics(A, "exp")

    def record(s):
        out = metrics(s.w)
        dn = float(np.linalg.norm(softmax(-s.margins) @ A))
        out["dual_norm"] = dn
        out["upper"] = min(s.upper, dn)
        return out

    state = _State(0, np.zeros(d), np.zeros(d), np.zeros(n), np.inf)
    records, _ = run(_step_kernel(A, step, momentum), state, n_steps, rec, record)
    name = "fast_margin" if momentum else "normalized_gd(dual)"
    extra = {"upper": records["upper"], "dual_norm": records["dual_norm"]}
    return _trace(records, rec, "exp", f"{name}(step={step:g})", extra)


# ---------------------------------------------------------------- the solver

def _polish(A64, idx, tol, rounds=3):
    """Solve the max-margin problem exactly on the rows ``idx`` and certify it on all rows.

    Returns ``(w, dual_idx, dual_weights, rows_touched)`` when the certified relative gap is
    at most ``tol``, else ``(None, None, None, rows_touched)``. Rows that violate the
    working-set solution are added (at most ``d + 1`` per round) and the solve repeated, a
    few rounds at most: a cutting-plane finish (internal).
    """
    from .max_margin import max_margin
    n, d = A64.shape
    touched = 0
    for _ in range(rounds):
        sub = A64[idx]
        try:
            res = max_margin(sub, np.ones(len(idx)))
        except ValueError:
            return None, None, None, touched
        m = A64 @ res.direction
        lam = res.dual / res.dual.sum()
        lower = m.min()
        upper = np.linalg.norm(lam @ sub)
        touched += n + 2 * len(idx)
        if upper - lower <= tol * upper:
            return res.direction, idx, lam, touched
        bad = np.flatnonzero(m < res.gamma * (1 - 1e-12))
        bad = bad[np.argsort(m[bad])][: d + 1]
        idx = np.union1d(idx, bad)
    return None, None, None, touched


class _Work:
    """The working set of the solver: its row indices (None: all) and a copy of its rows."""

    def __init__(self, A_all, idx):
        self.idx = idx                                   # None: every row
        self.A = A_all if idx is None else A_all[idx]


def fast_margin(X, y, *, tol=1e-6, max_iter=100_000, momentum=True, screen=True,
                float32=False, polish=False):
    r"""Maximize the margin with certificates: Ji, Srebro & Telgarsky's dual acceleration.

    Runs the momentum method of the module docstring (arXiv:2107.00595, Algorithm 1 with
    :math:`\theta_t = 1` and :math:`\beta_t = t/(t+1)`, on the rows scaled to
    :math:`\max_i\|y_ix_i\| = 1`) and stops as soon as the certified relative gap

    .. math:: \frac{U - L}{U},\qquad L = \operatorname{margin}(w_t),\quad
              U = \min_{s\le t}\|A^\top q_s\|,\quad q_s = \operatorname{softmax}(-Aw_s),

    is at most ``tol``; the max margin :math:`\bar\gamma` is never needed, and
    :math:`L\le\bar\gamma\le U` holds at every step. The margin gap decays like
    :math:`\widetilde O(1/t^2)` (Ji, Srebro & Telgarsky 2021, ICML).

    Engineering that does not change the certificate:

    * ``screen=True``: once margins spread out, a point whose weight
      :math:`q_i/\max_j q_j` is below :math:`e^{-40}` is left out of the two matrix products
      of each step. A safe bound decides when it could come back: with :math:`w_s` the
      iterate at the last full pass and :math:`u` the unit step direction there,
      :math:`a_i^\top w_t \ge a_i^\top w_s + c\,a_i^\top u - \|a_i\|\rho`, where
      :math:`c = \langle w_t-w_s, u\rangle` and :math:`\rho = \|w_t - w_s - cu\|`; when the
      bound no longer keeps every left-out point 40 margin units above the smallest margin,
      a full pass re-screens. The iteration is the exact one up to weights below
      :math:`ne^{-40}` in total.
    * ``float32=True``: the two matrix products run on a float32 copy of the data (half the
      memory traffic); margins, weights and momentum are accumulated in float64 from those
      products, and the reported bounds are recomputed in float64 on all the data.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}
    tol : float in (0, 1)
        Target certified relative gap :math:`(U-L)/U`.
    max_iter : int >= 1
    momentum : bool
        ``False`` gives normalized GD (rate :math:`O(1/t)`) with the same certificates.
    screen : bool
        Skip points whose weight can no longer matter (see above).
    float32 : bool
        Run the matrix products in float32 (see above).
    polish : bool
        Not part of the paper's method: once the working set left by the screening is small
        (an exact solve on it would cost at most a fifth of the work done so far) and the
        estimated gap is below 1e-2, solve the max-margin problem exactly on it with
        :func:`ibias_lib.max_margin`, add the rows that violate the solution (a few rounds at
        most), and stop if the answer is certified to ``tol`` on all the data; otherwise keep
        iterating. The accelerated method then serves to find the support vectors. Needs
        ``screen=True``.

    Returns
    -------
    FastMarginResult
        ``direction``, its ``margin`` (lower bound), ``upper`` (upper bound), the dual
        weights certifying it, ``n_iter`` and ``converged``; properties ``gap``, ``rel_gap``.

    Raises
    ------
    ValueError
        On invalid input, or if after ``max_iter`` steps no direction has positive margin
        (the data look non-separable through the origin; the message gives the certified
        upper bound on the max margin).

    Notes
    -----
    What was checked against the paper: its abstract (the method is Nesterov acceleration
    on the dual of the max-margin problem; rate :math:`\widetilde O(1/t^2)` against
    :math:`O(1/\ln t)` for GD and :math:`O(1/t)` for normalized GD), and a public
    re-implementation "adapted from code provided by Ziwei Ji" (google-research, the
    *after kernel* experiments), whose update ``g = (g + grad) t/(t+1); w = w - (g + grad)``
    with ``grad`` the gradient of :math:`\ln\sum_i e^{-a_i^\top w}`, i.e.
    :math:`-A^\top q`, is the recursion above with :math:`\theta = 1`. The paper writes the
    rows with the opposite sign (:math:`z_i = -y_ix_i`); the full text of its Algorithm 1 was
    not available to us. Differences from the paper: the rows are rescaled to max norm 1
    (equivalently :math:`\theta = 1/\max_i\|x_i\|^2`), and the certificate and stopping
    rule, the screening, float32 and polish options are ours.

    Examples
    --------
    >>> import ibias_lib as ib
    >>> X, y = ib.planted_data(500, 20, margin=0.05, seed=0)
    >>> res = ib.fast_margin(X, y, tol=1e-4)
    >>> res.converged, bool(res.rel_gap <= 1e-4)
    (True, True)
    >>> gamma = ib.max_margin(X, y).gamma
    >>> bool(res.margin <= gamma <= res.upper)
    True
    """
    X, y = _v.check_X_y(X, y)
    tol = _check_tol(tol)
    max_iter = _v.check_int(max_iter, "max_iter", minimum=1)
    momentum = _check_bool(momentum, "momentum")
    screen = _check_bool(screen, "screen")
    float32 = _check_bool(float32, "float32")
    polish = _check_bool(polish, "polish")
    if polish and not screen:
        raise ValueError("polish=True solves the max-margin problem exactly on the working set "
                         "that screening leaves; it needs screen=True.")
    A64, scale = _rows(X, y)
    n, d = A64.shape
    A_all = A64.astype(np.float32) if float32 else A64
    dt = A_all.dtype

    def certify(w, q_idx, q_val):
        """Float64 bounds on all the data, in the scaled units."""
        nonlocal rows_touched
        rows_touched += n + (n if q_idx is None else len(q_idx))
        nw = np.linalg.norm(w)
        lower = (A64 @ w).min() / nw if nw > 0 else -np.inf
        rows = A64 if q_idx is None else A64[q_idx]
        upper = float(np.linalg.norm(q_val @ rows))
        return float(lower), upper

    w = np.zeros(d)
    mom = np.zeros(d)
    work = _Work(A_all, None)
    m_w = np.zeros(n)              # margins A w on the working set (float64)
    m_mom = np.zeros(n)            # A mom on the working set
    # Full-data bookkeeping for the screening rule.
    m_full = np.zeros(n)           # A w_full on all rows
    w_full = np.zeros(d)
    drop = None                    # (w_s, u, M0, bmin, bmax, rmax) while some rows are out
    row_norm = np.sqrt(np.einsum("ij,ij->i", A64, A64)) if screen else None

    best_upper, best_q = np.inf, (None, np.full(n, 1.0 / n))
    best_lower, best_w = -np.inf, None
    rows_touched = 0
    polish_size, polished = 2 * n + 2, None
    n_screens = 0
    verify_after = 0
    converged = False
    def want_polish(k):
        """Is an exact solve on k rows cheap next to the work done, and likely to succeed?"""
        return (_POLISH_COST * k * k <= rows_touched and 2 * k <= polish_size
                and best_upper - best_lower <= _POLISH_GAP * best_upper)

    mmin = 0.0                     # min of m_w
    buf = np.empty(n)
    e = np.empty(n, dtype=dt)
    t = 0
    for t in range(max_iter):
        # q_t = softmax(-m) = e / sum(e), e_i = exp(min m - m_i) <= 1 (never overflows)
        np.subtract(mmin, m_w, out=buf)
        np.exp(buf, out=e, casting="same_kind")
        se = float(e.sum(dtype=np.float64))
        g = (e @ work.A).astype(np.float64) / se                # A^T q_t (pass 1)
        gn = float(np.linalg.norm(g))
        if gn < best_upper:
            best_upper = gn
            best_q = (work.idx, e.astype(np.float64) / se)
        Ag = work.A @ g.astype(dt)                              # A g_t (pass 2)
        rows_touched += 2 * work.A.shape[0]
        if momentum:
            c = t / (t + 1.0)
            mom = c * (mom + g)
            w = w + (mom + g)
            np.add(m_mom, Ag, out=m_mom)                         # A m_t = c (A m_{t-1} + A g_t)
            m_mom *= c
            m_w += m_mom
        else:
            w = w + g
        m_w += Ag
        mmin = float(m_w.min())
        nw = np.linalg.norm(w)
        lower = mmin / nw if nw > 0 else -np.inf
        if lower > best_lower:
            best_lower, best_w = lower, w.copy()
        if best_upper - best_lower <= tol * best_upper and t >= verify_after:
            lo, up = certify(best_w, *best_q)
            if up - lo <= tol * up:
                converged = True
                break
            verify_after = t + 1 + t // 20            # estimates were optimistic: wait a bit
        if not screen or (drop is None and t % 4):
            continue
        # ---- screening: keep only the rows whose weight can still matter
        k_keep = np.count_nonzero(m_w <= mmin + _TAU_KEEP)
        if 2 * k_keep > len(m_w):                     # shrinking would not halve the work
            if drop is None:
                if polish and want_polish(n):
                    polish_size = n
                    found = _polish(A64, np.arange(n), tol)
                    rows_touched += found[-1]
                    if found[0] is not None:
                        polished, converged = found, True
                        break
                continue
            w_s, u, M0, bmin, bmax, rmax = drop
            delta = w - w_s
            cu = float(delta @ u)
            rho = np.sqrt(max(float(delta @ delta) - cu * cu, 0.0))
            bound = M0 + (cu * bmin if cu >= 0 else cu * bmax) - rmax * rho
            slack = 1.0 + 1e-5 * (abs(M0) + abs(cu) + rho)        # float32 rounding
            if bound - slack - mmin >= _TAU:                      # left-out rows stay out
                continue
        # full pass: margins of every row, their momentum margins, and the direction u
        step_dir = (mom + g) if momentum else g
        u = step_dir / np.linalg.norm(step_dir)
        cols = np.column_stack([w - w_full, mom, u]).astype(dt)
        P = (A_all @ cols).astype(np.float64)
        rows_touched += n
        n_screens += 1
        if work.idx is None:
            m_full = m_w.copy()
            mm_full = m_mom.copy()
        else:
            m_full = m_full + P[:, 0]
            m_full[work.idx] = m_w                    # the tracked margins are more accurate
            mm_full = P[:, 1].copy()
            mm_full[work.idx] = m_mom
        w_full = w.copy()
        keep = m_full <= m_full.min() + _TAU_KEEP
        if np.count_nonzero(keep) > n // 2:
            work, drop = _Work(A_all, None), None
            m_w, m_mom = m_full.copy(), mm_full.copy()
        else:
            idx = np.flatnonzero(keep)
            out = ~keep
            b = P[out, 2]
            drop = (w.copy(), u, float(m_full[out].min()), float(b.min()), float(b.max()),
                    float(row_norm[out].max()))
            work = _Work(A_all, idx)
            m_w, m_mom = m_full[idx], mm_full[idx]
        mmin = float(m_w.min())
        buf = np.empty(len(m_w))
        e = np.empty(len(m_w), dtype=dt)
        k = len(m_w)
        if polish and drop is not None and want_polish(k):
            polish_size = k
            found = _polish(A64, work.idx, tol)
            rows_touched += found[-1]
            if found[0] is not None:
                polished, converged = found, True
                break

    n_iter = t + 1
    if best_w is None:
        best_w = w
    if polished is not None:
        best_w, best_q = polished[0], (polished[1], polished[2])
    lo, up = certify(best_w, *best_q)
    if not converged and lo <= 0:
        raise ValueError(
            f"no direction with positive margin was found in {max_iter} iterations, and the "
            f"certified upper bound on the max margin is {up * scale:.3g}: the data look "
            f"non-separable through the origin. Check the labels, add a constant feature for "
            f"an affine separator, or increase max_iter if the margin is tiny.")
    q_idx, q_val = best_q
    dual = q_val.copy() if q_idx is None else np.zeros(n)
    if q_idx is not None:
        dual[q_idx] = q_val
    direction = best_w / np.linalg.norm(best_w)
    return FastMarginResult(direction, lo * scale, up * scale, dual, n_iter, converged,
                            rows_touched / n, n_screens,
                            n if work.idx is None else len(work.idx))
