r"""Mass over directions: two-layer ReLU networks in the plane as measures, and their LP.

A two-layer network :math:`F(x) = \sum_j a_j\,\mathrm{relu}(w_j^\top x)` (``params =
[W_1, W_2]`` with rows :math:`w_j` and :math:`W_2 = (a_1,\dots,a_m)`) is, by 1-homogeneity of
the ReLU, the signed measure

.. math:: \mu = \sum_j a_j\|w_j\|\,\delta_{v_j},\qquad v_j = w_j/\|w_j\|,\qquad
          F(x) = \int\mathrm{relu}(v^\top x)\,d\mu(v).

Since :math:`|a_j|\|w_j\|\le\frac12(a_j^2+\|w_j\|^2)`, the total variation satisfies
:math:`\|\mu\|\le\frac12\|\theta\|^2`, with equality iff every neuron is balanced,
:math:`|a_j| = \|w_j\|`: this holds at every KKT point of the margin problem, and gradient flow
preserves :math:`a_j^2-\|w_j\|^2`, so from a small initialization the neuron's *mass*
:math:`\|w_j\|^2` equals its weight :math:`|a_j|\|w_j\|` in :math:`\mu`. Hence the largest
normalized margin of any two-layer network of any width is

.. math::

   \bar\gamma_{\mathrm{net}} = \max_\theta\frac{\min_iy_iF(x_i;\theta)}{\|\theta\|^2}
   = \frac12\max_{\|\mu\|\le1}\min_iy_i\!\int\!\mathrm{relu}(v^\top x_i)\,d\mu(v)
   = \frac12\min_{q\in\Delta_n}\max_{\|v\|=1}\Big|\sum_iq_iy_i\,\mathrm{relu}(v^\top x_i)\Big|,

the last equality by LP duality (the dual weights q live on the simplex). In the plane the
directions are angles: restricting :math:`\mu` to a grid of angles gives a linear program
(:func:`measure_max_margin`), a lower bound attained by an explicit network; and any q gives
an upper bound, computed exactly by :func:`dual_margin_bound`. The two meet to solver
precision on a fine grid, which certifies the global max margin.

The module also holds the two-dimensional constructions of the chapter *Mass concentrates*:
the symmetric wedge (:func:`wedge_data`, :func:`wedge_kkt_points`) and its skewed version
(:func:`skewed_wedge_data`, :func:`skewed_wedge_kkt_points`), in which the second positive
point is shorter, so that the early-phase race and the global optimum are decided by different
inequalities; and the mass bookkeeping used to plot and classify training
(:func:`neuron_mass`, :func:`mass_over_directions`, :func:`activation_patterns`,
:func:`pattern_share`, :func:`direction_margin`). References: Chizat & Bach (COLT 2020) for
the measure view and its max-margin limit; Maennel, Bousquet & Gelly (2018) for the
concentration of neurons on few directions from a small initialization; Telgarsky (ICLR 2023)
for the talk's claim this construction illustrates.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import linprog

from . import _validation as _v
from .networks import _check_params

__all__ = ["wedge_data", "measure_network", "wedge_kkt_points", "NeuronMass", "neuron_mass",
           "mass_over_directions", "dual_potential", "dual_margin_bound", "MeasureMargin",
           "measure_max_margin", "skewed_wedge_data", "skewed_wedge_kkt_points",
           "activation_patterns", "pattern_share", "direction_margin"]


def _check_angle(angle, name="angle", lo=0.0, hi=90.0):
    try:
        a = float(angle)
    except (TypeError, ValueError):
        a = np.nan
    if not np.isfinite(a) or not lo < a < hi:
        raise ValueError(f"{name} must be a number of degrees strictly between {lo:g} and "
                         f"{hi:g}; got {angle!r}.")
    return a


def _check_2d(X, y):
    X, y = _v.check_X_y(X, y)
    if X.shape[1] != 2:
        raise ValueError(f"this routine works in the plane: X must have 2 features; got "
                         f"{X.shape[1]}. Directions in higher dimensions are not a circle, and "
                         "a grid of them grows exponentially with d.")
    return X, y


def _unit(angles_deg):
    t = np.deg2rad(angles_deg)
    return np.stack([np.cos(t), np.sin(t)], axis=-1)


def wedge_data(angle):
    r"""The chapter's three-point dataset: two positive points at :math:`\pm`\ ``angle``, one
    negative point opposite.

    .. math:: x_{1,2} = (\cos\alpha, \pm\sin\alpha),\ y = +1;\qquad x_3 = (-1, 0),\ y = -1.

    Linearly separable through the origin by :math:`e_1` (margin :math:`\cos\alpha`), all
    :math:`\|x_i\| = 1`. For :math:`45^\circ<\alpha<90^\circ` it has (at least) two KKT
    directions of the two-layer margin problem (:func:`wedge_kkt_points`), and which of them is
    the global max margin switches at :math:`\alpha = 60^\circ`.

    Parameters
    ----------
    angle : float
        :math:`\alpha` in degrees, in (0, 90).

    Returns
    -------
    X : ndarray of shape (3, 2)
    y : ndarray of shape (3,)
    """
    a = _check_angle(angle)
    X = np.vstack([_unit([a, -a]), [[-1.0, 0.0]]])
    return X, np.array([1.0, 1.0, -1.0])


def measure_network(angles, weights):
    r"""Return the balanced two-layer network of the signed measure
    :math:`\mu = \sum_k c_k\delta_{v_k}`, scaled to :math:`\|\theta\| = 1`.

    Neuron k has :math:`w_k = \sqrt{|c_k|}\,v_k` and :math:`a_k = \operatorname{sign}(c_k)
    \sqrt{|c_k|}`, after rescaling c so that :math:`\sum_k|c_k| = \frac12`; then
    :math:`F = \sum_kc_k\,\mathrm{relu}(v_k^\top x)` and the network's normalized margin is half
    the margin of :math:`\mu/\|\mu\|`.

    Parameters
    ----------
    angles : array of shape (k,)
        Directions :math:`v_k` in degrees.
    weights : array of shape (k,)
        Signed weights :math:`c_k`, not all zero.

    Returns
    -------
    list of ndarray
        ``[W_1 (k, 2), W_2 (1, k)]``.

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> W1, W2 = ib.measure_network([0, 180], [1, -1])   # (relu(x1) - relu(-x1))/4 = x1/4
    >>> x = np.array([2.0, 7.0])
    >>> float((W2 @ np.maximum(W1 @ x, 0))[0]), round(float(np.sum(W1**2) + np.sum(W2**2)), 12)
    (0.5, 1.0)
    """
    angles = np.atleast_1d(np.asarray(angles, dtype=np.float64))
    c = np.atleast_1d(np.asarray(weights, dtype=np.float64))
    if angles.ndim != 1 or angles.shape != c.shape:
        raise ValueError(f"angles and weights must be 1D arrays of the same length; got shapes "
                         f"{angles.shape} and {c.shape}.")
    _v._check_finite(angles, "angles")
    _v._check_finite(c, "weights")
    if not np.any(c):
        raise ValueError("weights are all zero: the zero measure is not a network direction.")
    c = c / (2.0 * np.abs(c).sum())
    r = np.sqrt(np.abs(c))
    return [r[:, None] * _unit(angles), (np.sign(c) * r)[None, :]]


def wedge_kkt_points(angle):
    r"""Return the two KKT directions of :func:`wedge_data` (unit norm), as a dict.

    * ``'single'``: one positive ReLU at :math:`e_1` serving both positive points, one negative
      ReLU at :math:`-e_1`; measure weights :math:`(1, -\cos\alpha)/(1+\cos\alpha)`,
      normalized margin :math:`\cos\alpha/(2(1+\cos\alpha))`.
    * ``'two'``: one positive ReLU at each positive point, at angles :math:`\pm\alpha`, and the
      negative ReLU at :math:`-e_1`; weights :math:`(1,1,-1)/3`, margin :math:`1/6`.

    Both are KKT points for :math:`45^\circ<\alpha<90^\circ` (each neuron sees only the points
    it serves, every point has the same margin, and the multipliers are read off the
    neurons); the first is the global max margin iff :math:`\cos\alpha\ge\frac12`.

    Parameters
    ----------
    angle : float
        :math:`\alpha` in degrees, in (45, 90).
    """
    a = _check_angle(angle, lo=45.0)
    ca = np.cos(np.deg2rad(a))
    return {"single": measure_network([0.0, 180.0], [1.0, -ca]),
            "two": measure_network([a, -a, 180.0], [1.0, 1.0, -1.0])}


class NeuronMass(NamedTuple):
    """Per-neuron polar description of a planar two-layer network (see :func:`neuron_mass`)."""
    angle: np.ndarray
    mass: np.ndarray
    sign: np.ndarray


def _planar_params(params):
    params = _check_params(params)
    if len(params) != 2 or params[0].shape[1] != 2:
        raise ValueError("expected a two-layer network on planar inputs, params = [W_1 of shape "
                         f"(m, 2), W_2 of shape (1, m)]; got layer shapes "
                         f"{[W.shape for W in params]}.")
    return params


def neuron_mass(params):
    r"""Return each neuron's direction (degrees), mass :math:`\|w_j\|^2` and outer sign.

    At balance (:math:`|a_j| = \|w_j\|`, true at KKT points and preserved by gradient flow
    from a small balanced start) the mass is the neuron's weight :math:`|a_j|\|w_j\|` in the
    measure :math:`\mu`, and the masses sum to :math:`\|\theta\|^2/2`.

    Returns
    -------
    NeuronMass
        ``angle`` in (-180, 180], ``mass`` >= 0 and ``sign`` in {-1, 0, 1}, each of shape (m,).
    """
    W1, W2 = _planar_params(params)
    return NeuronMass(np.rad2deg(np.arctan2(W1[:, 1], W1[:, 0])), np.sum(W1 * W1, axis=1),
                      np.sign(W2[0]))


def mass_over_directions(thetas, sizes, *, bins=72, signed=True):
    r"""Histogram the neurons' mass over directions, for each recorded parameter vector.

    Parameters
    ----------
    thetas : array of shape (k, n_params)
        Flattened parameters, e.g. ``NetTrace.theta``.
    sizes : tuple
        ``(2, m, 1)``, e.g. ``NetTrace.sizes``.
    bins : int
        Number of equal angular bins. They are centered on multiples of ``360 / bins``
        degrees (so 0 and 180 degrees are bin centers): the edges run from
        ``-180 - w/2`` to ``180 - w/2``, ``w = 360 / bins``, angles being wrapped into that
        range.
    signed : bool
        If True, mass of neurons with :math:`a_j<0` counts negatively.

    Returns
    -------
    edges : ndarray of shape (bins + 1,)
        Bin edges in degrees.
    fractions : ndarray of shape (k, bins)
        Mass per bin divided by the total mass of that record (rows sum to 1 in absolute value).
    """
    from .networks import unflatten
    thetas = np.atleast_2d(np.asarray(thetas, dtype=np.float64))
    bins = _v.check_int(bins, "bins", minimum=1)
    half = 180.0 / bins
    edges = np.linspace(-180.0 - half, 180.0 - half, bins + 1)
    out = np.zeros((thetas.shape[0], bins))
    for k, th in enumerate(thetas):
        nm = neuron_mass(unflatten(th, sizes))
        w = nm.mass * (nm.sign if signed else 1.0)
        wrapped = np.mod(nm.angle + 180.0 + half, 360.0) - 180.0 - half
        out[k] = np.histogram(wrapped, bins=edges, weights=w)[0] / nm.mass.sum()
    return edges, out


def _potential(X, y, q, V):
    return np.maximum(V @ X.T, 0.0) @ (q * y)


def dual_potential(X, y, angles, q=None):
    r"""Return :math:`G_q(v) = \sum_iq_iy_i\,\mathrm{relu}(v^\top x_i)` at unit vectors of the
    given angles (degrees); q defaults to the uniform weights :math:`1/n`.

    With :math:`q = \lambda` the KKT multipliers, a KKT point puts its positive mass where
    :math:`G_\lambda = \max G_\lambda` and its negative mass where :math:`G_\lambda = \min`;
    with q uniform, :math:`G_q` drives the early, small-initialization phase: a balanced
    neuron of direction v and sign s grows like :math:`\exp(2s\,G(v)\,t)` under gradient flow
    on the exponential risk, while its direction ascends :math:`sG` on the circle.
    """
    X, y = _check_2d(X, y)
    n = len(y)
    q = np.full(n, 1.0 / n) if q is None else _v._as_float_array(q, "q")
    if q.shape != (n,):
        raise ValueError(f"q must have shape ({n},) to match y; got {q.shape}.")
    return _potential(X, y, q, _unit(np.atleast_1d(np.asarray(angles, dtype=np.float64))))


def dual_margin_bound(X, y, q):
    r"""Return the exact upper bound :math:`\frac12\max_{\|v\|=1}|G_q(v)|` on the normalized
    margin of every two-layer ReLU network, for planar data and any :math:`q\in\Delta_n`.

    Weak duality: for :math:`\|\mu\|\le1`,
    :math:`\min_iy_iF_\mu(x_i)\le\sum_iq_iy_iF_\mu(x_i) = \int G_q\,d\mu\le\max|G_q|`, and a
    network's margin is at most half its measure's. The maximum over the circle is exact:
    between consecutive angles where some :math:`v^\top x_i` changes sign, the active set is
    fixed and :math:`G_q(v) = v^\top c` is maximized in absolute value at :math:`\pm c/\|c\|`
    (if inside the arc) or at an end of the arc; all these candidates are evaluated.
    """
    X, y = _check_2d(X, y)
    q = _v._as_float_array(q, "q")
    if q.shape != y.shape or np.any(q < 0) or not np.isfinite(q.sum()) or q.sum() <= 0:
        raise ValueError(f"q must be a nonnegative vector of shape {y.shape} with positive sum "
                         "(it is normalized to the simplex).")
    q = q / q.sum()
    t = np.arctan2(X[:, 1], X[:, 0])
    brk = np.sort(np.mod(np.concatenate([t + np.pi / 2, t - np.pi / 2]), 2 * np.pi))
    mids = (brk + np.diff(np.append(brk, brk[0] + 2 * np.pi)) / 2)
    V_mid = np.stack([np.cos(mids), np.sin(mids)], axis=1)
    active = (V_mid @ X.T) > 0                        # active set on each arc
    C = active @ ((q * y)[:, None] * X)               # G = v.c on the arc
    cand = np.concatenate([brk, np.arctan2(C[:, 1], C[:, 0]), np.arctan2(-C[:, 1], -C[:, 0])])
    V = np.stack([np.cos(cand), np.sin(cand)], axis=1)
    return float(0.5 * np.abs(_potential(X, y, q, V)).max())


class MeasureMargin(NamedTuple):
    """Result of :func:`measure_max_margin`.

    Attributes
    ----------
    gamma : float
        The LP value on the grid, as a network margin (half the measure margin): a lower bound
        on the global max margin, attained by :attr:`network`.
    upper : float
        :func:`dual_margin_bound` at the LP's dual weights: an upper bound for every network.
    angles, weights : ndarray
        The grid (degrees) and the optimal signed measure on it (total variation 1).
    dual : ndarray of shape (n_samples,)
        The LP's dual weights q on the simplex.
    network : list of ndarray
        :func:`measure_network` of the atoms with nonzero weight.
    """
    gamma: float
    upper: float
    angles: np.ndarray
    weights: np.ndarray
    dual: np.ndarray
    network: list


def measure_max_margin(X, y, *, num_directions=720):
    r"""Certify the global max normalized margin of two-layer ReLU networks on planar data.

    Solves, over signed measures on a grid of ``num_directions`` equally spaced angles,

    .. math:: \max_{t,\,c}\ t\quad\text{s.t.}\quad y_i\sum_kc_k\,\mathrm{relu}(v_k^\top x_i)\ge t
              \ \ \forall i,\qquad \sum_k|c_k| \le 1,

    with :math:`c = c^+ - c^-`, :math:`c^\pm\ge0`, by :func:`scipy.optimize.linprog` (HiGHS).
    The value halved is attained by a network (so it is a lower bound on the global max
    margin); the LP's dual weights q give the exact upper bound :func:`dual_margin_bound`.

    Returns
    -------
    MeasureMargin

    Examples
    --------
    >>> import ibias_lib as ib
    >>> X, y = ib.wedge_data(65)
    >>> r = ib.measure_max_margin(X, y)
    >>> round(r.gamma, 6), bool(r.upper - r.gamma < 1e-6)    # 1/6: the two-ReLU point
    (0.166667, True)
    """
    X, y = _check_2d(X, y)
    K = _v.check_int(num_directions, "num_directions", minimum=4)
    angles = np.linspace(-180.0, 180.0, K, endpoint=False)
    Phi = np.maximum(X @ _unit(angles).T, 0.0) * y[:, None]      # (n, K)
    n = len(y)
    # variables [c+ (K), c- (K), t]; minimize -t
    cost = np.zeros(2 * K + 1)
    cost[-1] = -1.0
    A_ub = np.hstack([-Phi, Phi, np.ones((n, 1))])                # t - y_i F(x_i) <= 0
    A_norm = np.concatenate([np.ones(2 * K), [0.0]])[None, :]
    res = linprog(cost, A_ub=np.vstack([A_ub, A_norm]), b_ub=np.append(np.zeros(n), 1.0),
                  bounds=[(0, None)] * (2 * K) + [(None, None)], method="highs")
    if res.status != 0:
        raise RuntimeError(f"the LP solver failed: {res.message}")
    c = res.x[:K] - res.x[K:2 * K]
    t = res.x[-1]
    if t <= 0:
        raise ValueError("no two-layer ReLU network on this grid separates the data (LP value "
                         f"{t:.3g} <= 0); check the labels, or refine the grid.")
    q = np.maximum(-res.ineqlin.marginals[:n], 0.0)
    q = q / q.sum()
    keep = np.abs(c) > 1e-12 * np.abs(c).sum()
    return MeasureMargin(gamma=float(t / 2), upper=dual_margin_bound(X, y, q), angles=angles,
                         weights=c, dual=q, network=measure_network(angles[keep], c[keep]))


def skewed_wedge_data(angle_1=60.5, angle_2=-60.5, r=0.6):
    r"""Two positive points of different lengths and one negative point opposite.

    .. math:: x_1 = (\cos\alpha_1, \sin\alpha_1),\quad x_2 = r(\cos\alpha_2, \sin\alpha_2),
              \ y = +1;\qquad x_3 = (-1, 0),\ y = -1.

    With ``angle_2 = -angle_1`` and ``r = 1`` this is :func:`wedge_data`. The angle between the
    positive points, :math:`\varphi = \alpha_1 - \alpha_2`, decides which KKT point of
    :func:`skewed_wedge_kkt_points` is the global max margin (the two-ReLU one iff
    :math:`\varphi\ge120^\circ`, for every r); the length r enters the early-phase race of
    gradient descent from a small initialization, and not the optimum.

    Parameters
    ----------
    angle_1 : float
        :math:`\alpha_1` in degrees, in (0, 90).
    angle_2 : float
        :math:`\alpha_2` in degrees, in (-90, 0).
    r : float
        Length of :math:`x_2`, in (0, 1].

    Returns
    -------
    X : ndarray of shape (3, 2)
    y : ndarray of shape (3,)
    """
    a1 = _check_angle(angle_1, "angle_1")
    a2 = _check_angle(angle_2, "angle_2", lo=-90.0, hi=0.0)
    r = _v.check_positive(r, "r")
    if r > 1:
        raise ValueError(f"r must be in (0, 1] (x_2 is the shorter point); got {r!r}. "
                         "Swap the roles of the two points instead.")
    X = np.vstack([_unit([a1]), r * _unit([a2]), [[-1.0, 0.0]]])
    return X, np.array([1.0, 1.0, -1.0])


def skewed_wedge_kkt_points(angle_1=60.5, angle_2=-60.5, r=0.6):
    r"""Return the two KKT directions of :func:`skewed_wedge_data` (unit norm), as a dict.

    * ``'two'``: a positive ReLU at each positive point and a negative ReLU at :math:`-e_1`;
      measure weights proportional to :math:`(1, 1/r, 1)` (each atom serves one point, and all
      three margins are equal), normalized margin :math:`\frac{r}{2(1+2r)}`. A KKT point when
      :math:`x_1^\top x_2<0` (each positive neuron sees one point).
    * ``'single'``: one positive ReLU at the angle :math:`\theta` where both positive margins
      are equal, :math:`\tan\theta = -\frac{\cos\alpha_1 - r\cos\alpha_2}{\sin\alpha_1 -
      r\sin\alpha_2}`, serving both points with margin :math:`e = \cos(\alpha_1-\theta)` per
      unit mass, and the negative ReLU; normalized margin :math:`\frac{e}{2(1+e)}`.

    Parameters
    ----------
    angle_1, angle_2, r : as in :func:`skewed_wedge_data`, with
        :math:`90^\circ < \alpha_1-\alpha_2 < 180^\circ`.
    """
    X, _ = skewed_wedge_data(angle_1, angle_2, r)
    a1, a2 = float(angle_1), float(angle_2)
    if not 90.0 < a1 - a2 < 180.0:
        raise ValueError(f"the angle between the positive points must be in (90, 180) degrees "
                         f"for both KKT points to exist; got {a1 - a2:g}.")
    t1, t2 = np.deg2rad(a1), np.deg2rad(a2)
    theta = np.rad2deg(np.arctan2(-(np.cos(t1) - r * np.cos(t2)), np.sin(t1) - r * np.sin(t2)))
    # arctan2(-num, den) is the angle with tan = -num/den; keep it inside (a2, a1)
    if not a2 < theta < a1:
        theta = theta - 180.0 if theta > a1 else theta + 180.0
    e = float(np.cos(np.deg2rad(a1 - theta)))
    return {"two": measure_network([a1, a2, 180.0], [1.0, 1.0 / r, -1.0]),
            "single": measure_network([theta, 180.0], [1.0, -e])}


def _two_layer(params):
    params = _check_params(params)
    if len(params) != 2:
        raise ValueError(f"expected a two-layer network params = [W_1, W_2]; got "
                         f"{len(params)} layers.")
    return params


def activation_patterns(params, X):
    r"""Return the boolean matrix :math:`[w_j^\top x_i > 0]` of shape (m, n): which data
    points each neuron of a two-layer network is active on."""
    W1, _ = _two_layer(params)
    X = _v._as_float_array(X, "X")
    if X.ndim != 2 or X.shape[1] != W1.shape[1]:
        raise ValueError(f"X must have shape (n_samples, {W1.shape[1]}) to match W_1; got "
                         f"{X.shape}.")
    return (W1 @ X.T) > 0


def pattern_share(params, X, patterns, *, sign=1):
    r"""Share of the mass :math:`\|w_j\|^2` of the neurons with outer sign ``sign`` that sits
    on neurons whose activation set is one of ``patterns``.

    Parameters
    ----------
    params : list of ndarray
        A two-layer network ``[W_1, W_2]``.
    X : array of shape (n_samples, n_features)
    patterns : iterable of iterables of int
        Activation sets, e.g. ``[{0}, {1}]`` for "active on point 0 only or on point 1 only".
    sign : {1, -1}

    Returns
    -------
    float in [0, 1]
    """
    W1, W2 = _two_layer(params)
    A = activation_patterns([W1, W2], X)
    wanted = {frozenset(int(i) for i in p) for p in patterns}
    sel = np.sign(W2[0]) == sign
    mass = np.sum(W1 * W1, axis=1)
    if not np.any(sel) or mass[sel].sum() == 0:
        raise ValueError(f"the network has no neuron of outer sign {sign} with positive mass.")
    hit = np.array([frozenset(np.flatnonzero(a).tolist()) in wanted for a in A])
    return float(mass[sel & hit].sum() / mass[sel].sum())


def direction_margin(params, X, y, *, min_share=1e-3):
    r"""Best normalized margin of a network whose neurons keep the directions of ``params``.

    The neurons carrying at least ``min_share`` of the mass keep their directions
    :math:`v_j`; their signed weights in the measure are re-optimized by the LP of
    :func:`measure_max_margin` restricted to those directions. The result is attained by a
    network, hence a lower bound on the global max margin, and it measures *where the mass
    is* separately from *how it is balanced*: under gradient descent the directions settle
    much faster than the balance between the atoms.
    """
    X, y = _check_2d(X, y)
    nm = neuron_mass(params)
    keep = nm.mass >= min_share * nm.mass.sum()
    V = _unit(nm.angle[keep])
    K = V.shape[0]
    Phi = np.maximum(X @ V.T, 0.0) * y[:, None]
    n = len(y)
    cost = np.zeros(2 * K + 1)
    cost[-1] = -1.0
    A_ub = np.vstack([np.hstack([-Phi, Phi, np.ones((n, 1))]),
                      np.concatenate([np.ones(2 * K), [0.0]])[None, :]])
    res = linprog(cost, A_ub=A_ub, b_ub=np.append(np.zeros(n), 1.0),
                  bounds=[(0, None)] * (2 * K) + [(None, None)], method="highs")
    if res.status != 0:
        raise RuntimeError(f"the LP solver failed: {res.message}")
    return float(res.x[-1] / 2)
