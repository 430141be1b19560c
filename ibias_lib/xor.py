r"""2XOR: a two-layer ReLU network against its neural tangent kernel.

The distribution popularized by Wei, Lee, Liu & Ma (*Regularization matters: generalization
and optimization of neural nets v.s. their induced kernel*, NeurIPS 2019, arXiv 1810.05369):

.. math:: x\sim\mathrm{Uniform}\big(\{\pm1/\sqrt d\}^d\big),\qquad y = d\,x_1x_2\in\{\pm1\}.

Kernel methods with a dot-product kernel, the ReLU NTK among them, need :math:`\Omega(d^2)`
samples; the max-margin two-layer network needs :math:`O(d)`; Glasgow (ICLR 2024, arXiv
2309.15111) proves that minibatch SGD on a two-layer ReLU network reaches small test error
with :math:`d\,\mathrm{polylog}(d)` samples.

This module provides the data (:func:`xor_data`), the closed-form ReLU NTK
(:func:`relu_ntk`) and its kernel predictor (:func:`ntk_predict`), the four-ReLU max-margin
witness (:func:`four_relu_witness`, :func:`witness_margin`), test errors of both methods
(:func:`xor_test_error`) and the smallest sample size reaching a target test error, found by
bisection in :math:`\log n` (:func:`sample_complexity`).

For sample-complexity curves over many sizes and seeds it also provides batched versions:
stacks of two-layer networks trained together by full-batch GD on the logistic loss
(:func:`train_xor_nets`, :func:`stacked_forward`, :func:`stacked_risk_grad`,
:func:`stacked_margin`), test-error curves on nested training sets for the network
(:func:`net_error_curve`, with the training margins) and for the kernel, one Cholesky factor
for all sizes (:func:`ntk_error_curve`), and the interpolated crossing of a target error
(:func:`crossing`).
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
from scipy.linalg import cho_factor, cho_solve, cholesky, solve_triangular
from scipy.special import expit

from . import _validation as _v
from .networks import forward, init_network, train_network

__all__ = ["xor_data", "relu_ntk", "ntk_predict", "four_relu_witness", "witness_margin",
           "relevant_mass", "xor_test_error", "SampleComplexity", "smallest_n",
           "sample_complexity", "train_xor_nets", "stacked_forward", "stacked_risk_grad",
           "stacked_margin", "NetCurves", "net_error_curve", "ntk_error_curve", "crossing"]

METHODS = ("net", "ntk")


def _rng(seed, *more):
    """A generator seeded by (seed, *more), so every (seed, d, n) gets its own stream."""
    return np.random.default_rng((int(seed),) + tuple(int(v) for v in more))


def xor_data(n, d, *, seed=0):
    r"""Sample the 2XOR distribution: :math:`x` uniform on :math:`\{\pm1/\sqrt d\}^d`,
    :math:`y = d\,x_1x_2`.

    Every point has :math:`\|x\| = 1`; the label is the XOR (product of signs) of the first two
    coordinates, and the other :math:`d-2` coordinates are noise.

    Parameters
    ----------
    n : int >= 1
        Number of samples (drawn with replacement: for small d, points repeat).
    d : int >= 2
    seed : int

    Returns
    -------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,), entries in {-1, +1}

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> X, y = ib.xor_data(5, 4, seed=0)
    >>> bool(np.allclose(np.linalg.norm(X, axis=1), 1) and np.all(y == 4 * X[:, 0] * X[:, 1]))
    True
    """
    n = _v.check_int(n, "n", minimum=1)
    d = _v.check_int(d, "d", minimum=2)
    signs = _rng(seed, d, n).choice(np.array([-1.0, 1.0]), size=(n, d))
    return signs / np.sqrt(d), signs[:, 0] * signs[:, 1]


def _ntk_unit(u):
    r"""The ReLU NTK of unit vectors at cosine u (internal; u already clipped to [-1, 1])."""
    pi_minus = np.pi - np.arccos(u)
    return (2.0 * u * pi_minus + np.sqrt(np.maximum(1.0 - u * u, 0.0))) / (2.0 * np.pi)


def relu_ntk(X, Z=None):
    r"""Return the closed-form neural tangent kernel of a two-layer ReLU network.

    For :math:`f(x) = \frac{1}{\sqrt m}\sum_{j=1}^m a_j\,\mathrm{relu}(w_j^\top x)` with
    :math:`a_j\sim N(0,1)`, :math:`w_j\sim N(0,I_d)` and both layers trained, the tangent
    kernel :math:`\langle\nabla_\theta f(x),\nabla_\theta f(z)\rangle` tends, as
    :math:`m\to\infty`, to

    .. math::

       K(x,z) = \underbrace{\mathbb E_w[\mathrm{relu}(w^\top x)\,\mathrm{relu}(w^\top z)]}_{
       \text{outer layer}} + \underbrace{x^\top z\;\mathbb E_w[\mathbb 1[w^\top x>0]\,
       \mathbb 1[w^\top z>0]]}_{\text{inner layer}}
       = \frac{\|x\|\|z\|}{2\pi}\Big[u(\pi-\arccos u) + \sqrt{1-u^2} + (\pi-\arccos u)\,u\Big],

    :math:`u = x^\top z/(\|x\|\|z\|)`, from the arc-cosine kernels of Cho & Saul (2009):
    :math:`\mathbb E[\mathbb 1\,\mathbb 1] = (\pi-\arccos u)/(2\pi)` and
    :math:`\mathbb E[\mathrm{relu}\,\mathrm{relu}] = \|x\|\|z\|(\sqrt{1-u^2} + (\pi-\arccos u)u)/(2\pi)`.
    For unit vectors this is the formula quoted for 2XOR; with ``init_network(scale=s)`` and
    width m the tangent kernel at initialization is :math:`m s^2 K` (the same kernel up to a
    factor, which a ridgeless predictor ignores).

    Parameters
    ----------
    X : array of shape (n, d)
    Z : array of shape (k, d), optional
        Default ``X``.

    Returns
    -------
    K : ndarray of shape (n, k)
        Zero where a point is 0 (the kernel is 1-homogeneous in each argument). Near
        :math:`u = \pm1` the term :math:`\sqrt{1-u^2}` amplifies the rounding of u: entries
        there are accurate to about :math:`10^{-8}` relative, not to machine precision.

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> e = np.eye(2)
    >>> np.round(ib.relu_ntk(np.vstack([e[0], -e[0]]), e), 6)   # u = 1, 0, -1, 0
    array([[1.      , 0.159155],
           [0.      , 0.159155]])
    """
    X, Z = _v.check_X_pair(X, Z)
    nx = np.linalg.norm(X, axis=1)
    nz = np.linalg.norm(Z, axis=1)
    scale = np.outer(nx, nz)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(scale > 0, (X @ Z.T) / np.where(scale > 0, scale, 1.0), 0.0)
    # Snap |u| within a few ulps of 1 (e.g. K(x, x)) to +-1: there sqrt(1 - u^2) would turn
    # the rounding error of u into a 1e-8 error of K.
    u = np.where(np.abs(u) >= 1.0 - 4 * np.finfo(float).eps, np.sign(u), u)
    return scale * _ntk_unit(u)


def ntk_predict(X, y, X_test, *, ridge=1e-8):
    r"""Return the NTK kernel predictor's outputs on ``X_test``.

    .. math:: f(x) = \sum_i \alpha_i K(x_i, x),\qquad
              \alpha = (K + \lambda\bar k I)^{-1}y,\quad \bar k = \tfrac1n\operatorname{tr}K,

    the minimum-RKHS-norm interpolant of the labels as :math:`\lambda\to0` (kernel "ridgeless"
    regression). Like every kernel method, f lies in the span of
    :math:`\{K(x_i,\cdot)\}`, the class for which Wei et al. (2019) prove the
    :math:`\Omega(d^2)` lower bound on 2XOR.

    Parameters
    ----------
    X : array of shape (n, d)
    y : array of shape (n,), entries in {-1, +1}
    X_test : array of shape (k, d)
    ridge : float > 0
        :math:`\lambda`, relative to the mean diagonal of K (keeps repeated points solvable).

    Returns
    -------
    ndarray of shape (k,)
    """
    X, y = _v.check_X_y(X, y)
    X_test = _v.check_X(X_test, name="X_test")
    ridge = _v.check_positive(ridge, "ridge")
    K = relu_ntk(X)
    K[np.diag_indices_from(K)] += ridge * np.trace(K) / len(y)
    alpha = cho_solve(cho_factor(K, lower=True), y)
    return relu_ntk(X_test, X) @ alpha


def four_relu_witness(d):
    r"""Return the four-ReLU max-margin network for 2XOR, scaled to :math:`\|\theta\| = 1`.

    .. math:: F(x) = \tfrac{1}{8\sqrt2}\big[\mathrm{relu}(x_1+x_2) + \mathrm{relu}(-x_1-x_2)
              - \mathrm{relu}(x_1-x_2) - \mathrm{relu}(x_2-x_1)\big]
              = \tfrac{1}{8\sqrt2}\big(|x_1+x_2| - |x_1-x_2|\big),

    the witness of Wei et al. (2019), as ``[W_1, W_2]`` with balanced layers: each inner row
    has norm :math:`r = 1/(2\sqrt2)` and each outer weight is :math:`\pm r`. On every point of
    the cube :math:`yF(x) = 1/\sqrt{32 d}`, which is therefore its normalized margin
    (:func:`witness_margin`).

    Returns
    -------
    list of ndarray
        ``W_1`` of shape (4, d), ``W_2`` of shape (1, 4).
    """
    d = _v.check_int(d, "d", minimum=2)
    r = 1.0 / (2.0 * np.sqrt(2.0))
    dirs = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]]) / np.sqrt(2.0)
    W1 = np.zeros((4, d))
    W1[:, :2] = r * dirs
    W2 = r * np.array([[1.0, 1.0, -1.0, -1.0]])
    return [W1, W2]


def witness_margin(d):
    r"""Return :math:`1/\sqrt{32d}`, the normalized margin :math:`\min_i y_iF(x_i)/\|\theta\|^2`
    of :func:`four_relu_witness` on any 2XOR sample (every point has this margin)."""
    d = _v.check_int(d, "d", minimum=2)
    return 1.0 / np.sqrt(32.0 * d)


def relevant_mass(params):
    r"""Return the share of the first layer's squared norm on the two relevant coordinates,
    :math:`\|W_1[:, :2]\|_F^2/\|W_1\|_F^2` (about :math:`2/d` at a random initialization, 1
    for the witness): a one-number summary of feature learning on 2XOR."""
    W1 = np.asarray(params[0], dtype=np.float64)
    if W1.ndim != 2 or W1.shape[1] < 2:
        raise ValueError(f"params[0] must be a first-layer matrix of shape (h, d) with d >= 2; "
                         f"got shape {W1.shape}.")
    total = np.sum(W1 * W1)
    if total == 0:
        raise ValueError("the first layer is zero; its mass has no direction.")
    return float(np.sum(W1[:, :2] ** 2) / total)


def _check_method(method):
    if method in METHODS:
        return method
    raise ValueError(f"method must be one of {list(METHODS)} (the trained network or its "
                     f"kernel); got {method!r}.")


def xor_test_error(n, d, *, method="net", seeds=(0, 1), n_test=2000, width=50, scale=0.1,
                   step=1.0, n_steps=1000, loss="exp", ridge=1e-8, test_seed=12345):
    r"""Return the 2XOR test error of the trained network or of the NTK predictor, averaged
    over seeds.

    For each seed s, a training set :func:`xor_data` ``(n, d, seed=s)`` is drawn and either

    * ``method='net'``: a two-layer ReLU network of the given width, initialized with
      ``init_network(default_rng(s), (d, width, 1), scale=scale)``, is trained by full-batch
      gradient descent (:func:`ibias_lib.train_network`, constant step, ``n_steps`` steps); or
    * ``method='ntk'``: the kernel predictor :func:`ntk_predict` is fitted;

    and its sign is compared with the labels of a fixed test sample of size ``n_test``
    (``xor_data(n_test, d, seed=test_seed)``).

    Returns
    -------
    float
        The mean test error, in [0, 1].
    """
    method = _check_method(method)
    n = _v.check_int(n, "n", minimum=1)
    d = _v.check_int(d, "d", minimum=2)
    seeds = [int(s) for s in np.atleast_1d(seeds)]
    if not seeds:
        raise ValueError("seeds must hold at least one integer seed.")
    X_test, y_test = xor_data(n_test, d, seed=test_seed)
    errs = []
    for s in seeds:
        X, y = xor_data(n, d, seed=s)
        if method == "ntk":
            pred = ntk_predict(X, y, X_test, ridge=ridge)
        else:
            p0 = init_network(_rng(s, d, n, 1), (d, width, 1), scale=scale)
            tr = train_network(X, y, p0, loss=loss, step=step, n_steps=n_steps,
                               record_at=np.array([n_steps]))
            pred = forward(tr.params(), X_test)
        errs.append(np.mean(np.sign(pred) != y_test))
    return float(np.mean(errs))


class SampleComplexity(NamedTuple):
    """Result of :func:`smallest_n` / :func:`sample_complexity`.

    Attributes
    ----------
    n : int
        The smallest sample size found with error at most the target.
    evaluated : dict
        ``{n: error}`` for every sample size evaluated, in order.
    """
    n: int
    evaluated: dict


def smallest_n(error: Callable[[int], float], lo, hi, *, target=0.1, max_iter=8):
    r"""Bisection in :math:`\log n` for the smallest n with ``error(n) <= target``.

    Requires ``error(lo) > target >= error(hi)``; keeps that invariant while halving the
    log-ratio ``hi/lo`` at most ``max_iter`` times (so the answer is within a factor
    :math:`(hi/lo)^{2^{-\text{max\_iter}}}`, or exact once ``hi - lo <= 1``). A noisy error
    curve need not be monotone: the result is *a* crossing of the target inside the bracket.

    Returns
    -------
    SampleComplexity
        ``n`` is the final ``hi``.

    Examples
    --------
    >>> import ibias_lib as ib
    >>> ib.smallest_n(lambda n: 1.0 / n, 2, 100, target=0.1).n
    10
    """
    lo = _v.check_int(lo, "lo", minimum=1)
    hi = _v.check_int(hi, "hi", minimum=lo + 1)
    max_iter = _v.check_int(max_iter, "max_iter", minimum=0)
    evaluated = {lo: float(error(lo)), hi: float(error(hi))}
    if not evaluated[lo] > target >= evaluated[hi]:
        raise ValueError(f"the bracket [{lo}, {hi}] does not straddle the target {target}: "
                         f"error({lo}) = {evaluated[lo]:.3g}, error({hi}) = {evaluated[hi]:.3g}. "
                         "Lower lo or raise hi until error(lo) > target >= error(hi).")
    for _ in range(max_iter):
        if hi - lo <= 1:
            break
        mid = int(round(np.sqrt(lo * hi)))
        if not lo < mid < hi:            # the geometric midpoint rounded onto an end point
            mid = (lo + hi) // 2
        evaluated[mid] = float(error(mid))
        if evaluated[mid] <= target:
            hi = mid
        else:
            lo = mid
    return SampleComplexity(int(hi), evaluated)


def sample_complexity(d, *, method="net", target=0.1, lo=None, hi=None, max_iter=6, **kwargs):
    r"""Return the smallest n with 2XOR test error at most ``target`` (bisection in log n).

    Default brackets: ``[d, 16 d]`` for the network and ``[d^2/8, d^2]`` for the kernel, the
    ranges their :math:`O(d)` and :math:`\Theta(d^2)` sample complexities point to (checked,
    not assumed: a bracket that does not straddle the target raises ``ValueError``).
    Further keyword arguments go to :func:`xor_test_error`.

    Returns
    -------
    SampleComplexity
    """
    method = _check_method(method)
    d = _v.check_int(d, "d", minimum=2)
    if lo is None:
        lo = d if method == "net" else max(d * d // 8, 2)
    if hi is None:
        hi = 16 * d if method == "net" else d * d
    return smallest_n(lambda n: xor_test_error(n, d, method=method, **kwargs), lo, hi,
                      target=target, max_iter=max_iter)


# ------------------------------------------------------------- fast sample-complexity curves
#
# Sample complexities need hundreds of trainings and kernel fits; the functions below batch
# them. A "stack" is r two-layer ReLU networks F_r(x) = sum_j a_rj relu(w_rj . x), held as
# W of shape (r, m, d) and a of shape (r, m), each trained on its own training set.

def _check_stack(W, a):
    W = np.asarray(W, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    if W.ndim != 3 or a.shape != W.shape[:2]:
        raise ValueError(f"a stack of networks is W of shape (r, m, d) and a of shape (r, m); "
                         f"got W {W.shape}, a {a.shape}. For one network pass W[None], a[None].")
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(a))):
        raise ValueError("the stacked weights W, a contain NaN or infinite entries.")
    return W, a


def _check_stack_data(X, y, r=None, d=None):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 3 or y.shape != X.shape[:2] or X.shape[1] < 1:
        raise ValueError(f"stacked training sets are X of shape (r, n, d) and y of shape (r, n) "
                         f"with n >= 1; got X {X.shape}, y {y.shape}. For one training set "
                         "pass X[None], y[None].")
    if r is not None and X.shape[0] != r:
        raise ValueError(f"X holds {X.shape[0]} training sets but the stack has {r} networks.")
    if d is not None and X.shape[2] != d:
        raise ValueError(f"X has {X.shape[2]} features but the networks take d = {d}.")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite entries.")
    if not np.all(np.isin(y, (-1.0, 1.0))):
        raise ValueError(f"y must contain only -1 and +1; got {np.unique(y)[:6].tolist()}. "
                         "For 0/1 labels use y = 2*y - 1.")
    return X, y


def _stack_outputs(W, a, X):
    """(pre-activations Z of shape (r, n, m), outputs F of shape (r, n)) on per-stack X."""
    Z = X @ W.transpose(0, 2, 1)
    return Z, (np.maximum(Z, 0.0) @ a[:, :, None])[:, :, 0]


def stacked_forward(W, a, X):
    r"""Outputs :math:`F_r(x_k) = \sum_j a_{rj}\,\mathrm{relu}(w_{rj}^\top x_k)` of a stack of
    two-layer ReLU networks (as returned by :func:`train_xor_nets`).

    Parameters
    ----------
    W : array of shape (r, m, d)
    a : array of shape (r, m)
    X : array of shape (k, d)
        Inputs shared by every network of the stack.

    Returns
    -------
    ndarray of shape (r, k)
        Row r equals ``ibias_lib.forward([W[r], a[r][None]], X)``.
    """
    W, a = _check_stack(W, a)
    X = _v.check_X(X)
    if X.shape[1] != W.shape[2]:
        raise ValueError(f"X has {X.shape[1]} features but the networks take d = {W.shape[2]}.")
    return np.einsum("rkm,rm->rk", np.maximum(np.einsum("kd,rmd->rkm", X, W), 0.0), a)


def _risk_grad(W, a, X, y):
    """Mean logistic risks (r,) and their gradients (internal; inputs checked)."""
    Z, F = _stack_outputs(W, a, X)
    m = y * F
    n = X.shape[1]
    risk = np.mean(np.logaddexp(0.0, -m), axis=1)
    g = -y * expit(-m) / n                       # d(mean loss)/dF_r(x_i) = l'(m_i) y_i / n
    ga = (g[:, None, :] @ np.maximum(Z, 0.0))[:, 0, :]
    gW = ((g[:, :, None] * a[:, None, :]) * (Z > 0)).transpose(0, 2, 1) @ X
    return risk, gW, ga


def stacked_risk_grad(W, a, X, y):
    r"""Mean logistic risk of each network of a stack on its own training set, and its gradient.

    .. math:: \widehat{\mathcal R}_r = \frac1n\sum_i\ln\big(1+e^{-m_{ri}}\big),\quad
              m_{ri} = y_{ri}F_r(x_{ri}),\qquad
              \frac{\partial\widehat{\mathcal R}_r}{\partial a_{rj}}
              = \frac1n\sum_i\ell'(m_{ri})\,y_{ri}\,\mathrm{relu}(w_{rj}^\top x_{ri}),\quad
              \frac{\partial\widehat{\mathcal R}_r}{\partial w_{rj}}
              = \frac1n\sum_i\ell'(m_{ri})\,y_{ri}\,a_{rj}\mathbb 1[w_{rj}^\top x_{ri}>0]\,x_{ri},

    with :math:`\ell'(m) = -\sigma(-m)` (``scipy.special.expit``) and the loss as
    ``logaddexp(0, -m)``: finite at margins of any size. At a kink
    (:math:`w^\top x = 0`) the ReLU's derivative is taken as 0.

    Parameters
    ----------
    W : array of shape (r, m, d)
    a : array of shape (r, m)
    X : array of shape (r, n, d)
        Training set r of network r.
    y : array of shape (r, n), entries in {-1, +1}

    Returns
    -------
    risk : ndarray of shape (r,)
    grad_W : ndarray of shape (r, m, d)
    grad_a : ndarray of shape (r, m)
    """
    W, a = _check_stack(W, a)
    X, y = _check_stack_data(X, y, r=W.shape[0], d=W.shape[2])
    return _risk_grad(W, a, X, y)


def stacked_margin(W, a, X, y):
    r"""Normalized margin of each network of a stack on its own training set,

    .. math:: \gamma_r = \frac{\min_i y_{ri}F_r(x_{ri})}{\|W_r\|_F^2 + \|a_r\|^2},

    the quantity :func:`witness_margin` gives for the four-ReLU witness (a two-layer ReLU
    network is 2-homogeneous, so :math:`\gamma_r` does not change when :math:`(W_r, a_r)` is
    rescaled; it is computed at unit norm, finite at any scale). Equal to
    ``ibias_lib.network_margin([W[r], a[r][None]], X[r], y[r])``.

    Returns
    -------
    ndarray of shape (r,)
        ``nan`` for a network that is identically zero.
    """
    W, a = _check_stack(W, a)
    X, y = _check_stack_data(X, y, r=W.shape[0], d=W.shape[2])
    nrm = np.sqrt(np.sum(W * W, axis=(1, 2)) + np.sum(a * a, axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(nrm > 0, 1.0 / np.where(nrm > 0, nrm, 1.0), np.nan)
    _, F = _stack_outputs(W * s[:, None, None], a * s[:, None], X)
    return np.min(y * F, axis=1)


def train_xor_nets(X, y, *, width=16, scale=0.1, step=8.0, n_steps=250, seed=0):
    r"""Train a stack of two-layer ReLU networks, one per training set, by full-batch gradient
    descent on the mean logistic loss.

    .. math:: F(x) = \sum_{j=1}^m a_j\,\mathrm{relu}(w_j^\top x),\qquad
              \theta_{t+1} = \theta_t - \eta\,\nabla\widehat{\mathcal R}(\theta_t),

    :math:`\widehat{\mathcal R}` as in :func:`stacked_risk_grad`, constant step :math:`\eta`,
    both layers trained, no regularization, every entry of :math:`W, a` initialized i.i.d.
    :math:`N(0,\mathrm{scale}^2)` from ``default_rng(seed)`` (W first). For one training set
    this is :func:`ibias_lib.train_network` with ``loss='logistic'`` from
    ``init_network(default_rng(seed), (d, width, 1), scale=scale)``; the stack only batches
    many small networks into one set of array operations.

    Parameters
    ----------
    X : array of shape (r, n, d)
        ``r`` training sets of ``n`` points each.
    y : array of shape (r, n), entries in {-1, +1}
    width : int >= 1
        Hidden width m.
    scale : float > 0
    step : float > 0
        :math:`\eta` (of the *mean* loss).
    n_steps : int >= 0
    seed : int or tuple of int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    W : ndarray of shape (r, m, d)
    a : ndarray of shape (r, m)
    """
    X, y = _check_stack_data(X, y)
    width = _v.check_int(width, "width", minimum=1)
    n_steps = _v.check_int(n_steps, "n_steps", minimum=0)
    scale = _v.check_positive(scale, "scale")
    step = _v.check_positive(step, "step")
    r, _, d = X.shape
    rng = np.random.default_rng(seed)
    W = scale * rng.standard_normal((r, width, d))
    a = scale * rng.standard_normal((r, width))
    for _ in range(n_steps):
        _, gW, ga = _risk_grad(W, a, X, y)
        W = W - step * gW
        a = a - step * ga
    return W, a


class NetCurves(NamedTuple):
    """Result of :func:`net_error_curve`: ``errors[s, k]`` is the test error and
    ``margins[s, k]`` the normalized training margin (:func:`stacked_margin`) of the network
    trained on the first ``ns[k]`` points of seed ``seeds[s]``."""
    errors: np.ndarray
    margins: np.ndarray


def _check_grid(ns, name="ns"):
    ns = [_v.check_int(n, name, minimum=1) for n in np.atleast_1d(ns)]
    if not ns or np.any(np.diff(ns) <= 0):
        raise ValueError(f"{name} must be a non-empty increasing list of sample sizes; got {ns}.")
    return ns


def _check_seeds(seeds):
    seeds = [int(s) for s in np.atleast_1d(seeds)]
    if not seeds:
        raise ValueError("seeds must hold at least one integer seed.")
    return seeds


def net_error_curve(d, ns, seeds, *, n_test=2000, test_seed=12345, **train_kwargs):
    r"""Test errors and training margins of the trained network (:func:`train_xor_nets`) for
    every training-set size in ``ns`` and every seed.

    The training set of size n for seed s is the first n points of
    ``xor_data(max(ns), d, seed=s)`` (nested prefixes of one stream per seed); the networks of
    size n are initialized from ``default_rng((*seeds, d, n))``; the test set is
    ``xor_data(n_test, d, seed=test_seed)``. Keyword arguments go to :func:`train_xor_nets`.

    Returns
    -------
    NetCurves
        Arrays of shape (len(seeds), len(ns)).
    """
    d = _v.check_int(d, "d", minimum=2)
    ns = _check_grid(ns)
    seeds = _check_seeds(seeds)
    X_test, y_test = xor_data(n_test, d, seed=test_seed)
    data = [xor_data(max(ns), d, seed=s) for s in seeds]
    Xs = np.stack([D[0] for D in data])
    ys = np.stack([D[1] for D in data])
    errs = np.empty((len(seeds), len(ns)))
    margins = np.empty_like(errs)
    for k, n in enumerate(ns):
        W, a = train_xor_nets(Xs[:, :n], ys[:, :n], seed=(*seeds, d, n), **train_kwargs)
        errs[:, k] = np.mean(np.sign(stacked_forward(W, a, X_test)) != y_test, axis=1)
        margins[:, k] = stacked_margin(W, a, Xs[:, :n], ys[:, :n])
    return NetCurves(errs, margins)


def ntk_error_curve(d, ns, seeds, *, n_test=2000, test_seed=12345, ridge=1e-8):
    r"""Test errors of the NTK predictor (:func:`ntk_predict`) for every training-set size in
    ``ns`` and every seed, on nested prefixes of ``xor_data(max(ns), d, seed=s)``.

    One Cholesky factorization serves every prefix: the factor of a leading principal
    submatrix is the leading block of the factor, :math:`K_{[:n,:n]}+\lambda I = L_{[:n,:n]}
    L_{[:n,:n]}^\top`, so each size costs two triangular solves. For unit inputs
    :math:`\operatorname{tr}K/n = 1`, so the ridge is ``ridge`` at every size, as in
    :func:`ntk_predict`. On the cube the kernel is a function of
    :math:`x^\top z\in\{j/d\}`, evaluated by table lookup.

    Returns
    -------
    ndarray of shape (len(seeds), len(ns))
    """
    d = _v.check_int(d, "d", minimum=2)
    ns = _check_grid(ns)
    seeds = _check_seeds(seeds)
    ridge = _v.check_positive(ridge, "ridge")
    X_test, y_test = xor_data(n_test, d, seed=test_seed)
    errs = np.empty((len(seeds), len(ns)))
    for s, seed in enumerate(seeds):
        X, y = xor_data(max(ns), d, seed=seed)
        K = _cube_ntk(X, X)
        K[np.diag_indices_from(K)] += ridge * np.trace(K) / len(y)
        L = cholesky(K, lower=True, check_finite=False)
        K_test = _cube_ntk(X_test, X)
        for k, n in enumerate(ns):
            z = solve_triangular(L[:n, :n], y[:n], lower=True, check_finite=False)
            alpha = solve_triangular(L[:n, :n], z, lower=True, trans="T", check_finite=False)
            errs[s, k] = np.mean(np.sign(K_test[:, :n] @ alpha) != y_test)
    return errs


def _cube_ntk(X, Z):
    r""":func:`relu_ntk` for points of the scaled cube :math:`\{\pm1/\sqrt d\}^d` (internal):
    there :math:`u = x^\top z` takes the 2d + 1 values :math:`j/d`, so K is a table lookup."""
    d = X.shape[1]
    j = np.rint(d * (X @ Z.T)).astype(np.intp)
    u = np.arange(-d, d + 1) / d
    return _ntk_unit(u)[j + d]


def crossing(ns, errors, target):
    r"""The sample size at which an error curve first reaches ``target``, interpolated.

    ``errors`` has shape (..., len(ns)) (curves on the increasing grid ``ns``). With k the
    first index where ``errors[..., k] <= target``, the result is the point between
    ``ns[k-1]`` and ``ns[k]`` where the curve, linear in :math:`\log n`, crosses ``target``;
    ``nan`` where the grid does not bracket the crossing (``k = 0``: already below at the
    smallest size; or no such k: never below).

    Examples
    --------
    >>> import numpy as np
    >>> from ibias_lib.xor import crossing
    >>> float(crossing([10, 100], np.array([0.3, 0.1]), 0.2))   # sqrt(10 * 100)
    31.62277660168379
    """
    ns = np.asarray(ns, dtype=np.float64)
    if ns.ndim != 1 or ns.size < 2 or np.any(ns <= 0) or np.any(np.diff(ns) <= 0):
        raise ValueError(f"ns must be an increasing 1D grid of at least two positive sizes; got "
                         f"{ns.tolist()[:8]}.")
    e = np.asarray(errors, dtype=np.float64)
    if e.ndim < 1 or e.shape[-1] != ns.size:
        raise ValueError(f"errors must have shape (..., len(ns)) = (..., {ns.size}); got "
                         f"{e.shape}.")
    ln = np.log(ns)
    below = e <= target
    k = np.argmax(below, axis=-1)
    ok = below.any(axis=-1) & (k > 0)
    km = np.maximum(k - 1, 0)
    e0 = np.take_along_axis(e, km[..., None], -1)[..., 0]
    e1 = np.take_along_axis(e, k[..., None], -1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(e0 > e1, (e0 - target) / (e0 - e1), 1.0)
    out = np.exp(ln[km] + frac * (ln[k] - ln[km]))
    return np.where(ok, out, np.nan)
