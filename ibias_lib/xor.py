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
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
from scipy.linalg import cho_factor, cho_solve

from . import _validation as _v
from .networks import forward, init_network, train_network

__all__ = ["xor_data", "relu_ntk", "ntk_predict", "four_relu_witness", "witness_margin",
           "relevant_mass", "xor_test_error", "SampleComplexity", "smallest_n",
           "sample_complexity"]

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
