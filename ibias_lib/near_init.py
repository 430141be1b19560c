r"""Near initialization: the perceptron argument for a wide shallow ReLU network.

The network of Ji & Telgarsky (ICLR 2020, *Polylogarithmic width suffices for gradient descent
to achieve arbitrarily small test error with shallow ReLU networks*) trains only the inner
layer :math:`W\in\mathbb R^{m\times d}`, with fixed signs :math:`a_j\in\{\pm1\}`:

.. math:: f(x;W) = \frac1{\sqrt m}\sum_{j=1}^m a_j\,\mathrm{relu}(w_j^\top x),\qquad
          \nabla_{w_j}f(x;W) = \frac{a_j}{\sqrt m}\mathbb 1[w_j^\top x>0]\,x .

It is 1-homogeneous in :math:`W`, so :math:`f(x;W) = \langle\nabla f(x;W), W\rangle`, and
:math:`\|\nabla f(x;W)\|_F\le\|x\|\le1`. Here the initialization is *symmetric*: the second
half of the neurons copies the first with the opposite sign, so :math:`f(\cdot;W_0) = 0`.

The **NTK margin** is the max margin of the features at initialization,
:math:`\gamma_m = \max_{\|U\|_F\le1}\min_iy_i\langle\nabla f(x_i;W_0),U\rangle`; as
:math:`m\to\infty` it tends to the max margin :math:`\gamma_{\mathrm{rkhs}}` of the kernel
:math:`K(x,x') = \mathbb E_w[x^\top x'\,\mathbb 1[w^\top x>0]\mathbb 1[w^\top x'>0]]
= x^\top x'(\pi-\arccos u)/(2\pi)`, :math:`u` the cosine of the angle between x and x'
(:func:`inner_ntk`).

**The perceptron inequality** (the talk's mirror-descent argument, in the form Ji & Telgarsky
use for networks). For the logistic loss, :math:`\eta\le1`, :math:`\|x_i\|\le1` and any
reference :math:`Z`, with :math:`\widehat{\mathcal R}^{(s)}(Z) = \frac1n\sum_i
\ell(y_i\langle\nabla f(x_i;W_s), Z\rangle)` the risk of :math:`Z` in the features of
:math:`W_s`,

.. math:: \|W_t - Z\|^2 + \eta\sum_{s<t}\widehat{\mathcal R}(W_s) \le \|W_0 - Z\|^2
          + 2\eta\sum_{s<t}\widehat{\mathcal R}^{(s)}(Z) .

Proof per step: :math:`\|W_{s+1}-Z\|^2 = \|W_s-Z\|^2 - 2\eta\langle\nabla\widehat{\mathcal R}
(W_s), W_s - Z\rangle + \eta^2\|\nabla\widehat{\mathcal R}(W_s)\|^2`; convexity of
:math:`\ell` and homogeneity give :math:`\langle\nabla\widehat{\mathcal R}(W_s),W_s-Z\rangle
\ge\widehat{\mathcal R}(W_s)-\widehat{\mathcal R}^{(s)}(Z)`; and
:math:`\|\nabla\widehat{\mathcal R}\|\le\frac1n\sum_i|\ell'(m_i)| \le 1`,
:math:`|\ell'|\le\ell` give :math:`\eta^2\|\nabla\widehat{\mathcal R}\|^2 \le
\eta\widehat{\mathcal R}(W_s)`. The last step is where the squared loss fails
(:math:`|\ell'| \le \ell` is false near its minimum).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validation as _v

__all__ = ["circle_data", "inner_ntk", "init_symmetric", "ntk_features", "ntk_margin",
           "net_forward", "net_risk_grad", "NTKMargin", "NearInitTrace", "train_near_init"]

LOSSES = ("logistic", "squared")


# ---------------------------------------------------------------- kernels (trust inputs)

def _loss_parts(m, loss):
    """Return (losses, derivatives l'(m)) of the margins m."""
    if loss == "logistic":
        # l(m) = ln(1 + e^{-m}); l'(m) = -1/(1 + e^{m}) = -exp(-ln(1 + e^{m}))
        return np.logaddexp(0.0, -m), -np.exp(-np.logaddexp(0.0, m))
    r = 1.0 - m
    return 0.5 * r * r, -r


def _forward(W, a, X):
    pre = X @ W.T                               # (n, m)
    D = pre > 0
    return (np.where(D, pre, 0.0) @ a) / np.sqrt(W.shape[0]), D


def _grad(W, a, X, y, loss):
    f, D = _forward(W, a, X)
    m = y * f
    lv, ld = _loss_parts(m, loss)
    c = ld * y / X.shape[0]                                   # l'(m_i) y_i / n
    G = ((D * (c[:, None] * a[None, :] / np.sqrt(W.shape[0]))).T) @ X
    return float(lv.mean()), G, m, D


def _feature_margins(D, a, X, y, Z):
    """y_i <grad f(x_i; W_s), Z> for the activation pattern D of W_s."""
    return y * (((X @ Z.T) * D) @ a) / np.sqrt(Z.shape[0])


# ---------------------------------------------------------------- checks

def _check_net(W, a, X=None):
    W = _v.check_X(W, name="W")
    a = _v._as_float_array(a, "a")
    if a.shape != (W.shape[0],) or not np.all(np.abs(a) == 1):
        raise ValueError(f"a must hold the {W.shape[0]} fixed output signs (+1 or -1) of the "
                         f"neurons; got shape {a.shape}. Use init_symmetric(m, d, seed=...).")
    if X is not None:
        X = _v.check_X(X)
        if X.shape[1] != W.shape[1]:
            raise ValueError(f"X has {X.shape[1]} features but W has {W.shape[1]} columns.")
    return W, a, X


def _check_loss(loss):
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}.")
    return loss


# ---------------------------------------------------------------- public API

def circle_data(n, k, *, gap=0.1, seed=0):
    r"""Seeded points on a circle of the sphere in :math:`\mathbb R^3`, labelled by sectors.

    Angles :math:`\phi_i` are uniform on :math:`[0,2\pi)` outside a band of half-width
    ``gap * pi / (2k)`` (a fraction ``gap`` of half a sector) around each of the :math:`2k`
    sector boundaries; :math:`y_i =
    \mathrm{sign}\cos(k\phi_i)` and :math:`x_i = (\cos\phi_i, \sin\phi_i, 1)/\sqrt2`, so
    :math:`\|x_i\| = 1` (the constant coordinate acts as a bias). More sectors ``k``: a smaller
    NTK margin. Each class appears at least once.

    Returns
    -------
    X : ndarray of shape (n, 3)
    y : ndarray of shape (n,)
    """
    n = _v.check_int(n, "n", minimum=2)
    k = _v.check_int(k, "k", minimum=1)
    if not 0 <= gap < 1:
        raise ValueError(f"gap must be in [0, 1) (a fraction of half a sector); got {gap!r}.")
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        phi = rng.uniform(0, 2 * np.pi)
        # |cos(k phi)| >= sin(gap pi / 2)  <=>  angular distance to a boundary >= gap pi / (2k)
        if np.abs(np.cos(k * phi)) >= np.sin(gap * np.pi / 2):
            out.append(phi)
    phi = np.array(out)
    y = np.sign(np.cos(k * phi))
    if np.all(y == y[0]):
        phi[0] = 0.0 if y[0] < 0 else np.pi / k
        y[0] = -y[0]
    X = np.column_stack([np.cos(phi), np.sin(phi), np.ones(n)]) / np.sqrt(2)
    return X, y


def inner_ntk(X, Z=None):
    r"""Return the infinite-width tangent kernel of the inner layer,
    :math:`K(x,z) = x^\top z\,(\pi - \arccos u)/(2\pi)`, :math:`u = x^\top z/(\|x\|\|z\|)`
    (Cho & Saul's arc-cosine kernel of order 0 times the linear kernel): the limit of
    :math:`\langle\nabla f(x;W_0),\nabla f(z;W_0)\rangle` for :math:`w_j\sim N(0,I)`."""
    X, Z = _v.check_X_pair(X, Z)
    G = X @ Z.T
    nx = np.linalg.norm(X, axis=1)[:, None]
    nz = np.linalg.norm(Z, axis=1)[None, :]
    u = np.clip(G / np.maximum(nx * nz, 1e-300), -1.0, 1.0)
    return G * (np.pi - np.arccos(u)) / (2 * np.pi)


def init_symmetric(m, d, *, seed=0):
    r"""Return ``(W0, a)``: :math:`m` (even) Gaussian neurons :math:`w_j\sim N(0, I_d)` whose
    second half copies the first, with output signs :math:`a = (+1,\dots,+1,-1,\dots,-1)`, so
    that :math:`f(\cdot;W_0) = 0`."""
    m = _v.check_int(m, "m", minimum=2)
    d = _v.check_int(d, "d", minimum=1)
    if m % 2:
        raise ValueError(f"m must be even for a symmetric initialization; got {m}.")
    rng = np.random.default_rng(seed)
    half = rng.standard_normal((m // 2, d))
    return np.vstack([half, half]), np.concatenate([np.ones(m // 2), -np.ones(m // 2)])


def net_forward(W, a, X):
    r"""Return :math:`f(x_i;W) = \frac1{\sqrt m}\sum_ja_j\mathrm{relu}(w_j^\top x_i)`, shape (n,)."""
    W, a, X = _check_net(W, a, X)
    return _forward(W, a, X)[0]


def net_risk_grad(W, a, X, y, *, loss="logistic"):
    r"""Return :math:`\widehat{\mathcal R}(W) = \frac1n\sum_i\ell(y_if(x_i;W))` and its
    gradient in :math:`W` (shape (m, d)); ``loss`` is 'logistic' or 'squared'
    (:math:`\ell(m) = (1-m)^2/2`)."""
    W, a, X = _check_net(W, a, X)
    y = _v.check_y(y, X.shape[0])
    r, G, _, _ = _grad(W, a, X, y, _check_loss(loss))
    return r, G


def ntk_features(W0, a, X):
    r"""Return the tangent features :math:`\nabla_Wf(x_i;W_0)`, flattened: shape (n, m*d)."""
    W0, a, X = _check_net(W0, a, X)
    D = (X @ W0.T) > 0
    m = W0.shape[0]
    return ((D * a[None, :])[:, :, None] * X[:, None, :] / np.sqrt(m)).reshape(X.shape[0], -1)


class NTKMargin(NamedTuple):
    """Result of :func:`ntk_margin`: the unit max-margin direction ``U`` (shape (m, d)) of the
    tangent features and its margin ``gamma``."""
    U: np.ndarray
    gamma: float


def ntk_margin(W0, a, X, y):
    r"""Return the NTK margin :math:`\gamma_m` and its direction :math:`U` (an (m, d) array with
    :math:`\|U\|_F = 1`), by :func:`ibias_lib.max_margin` on :func:`ntk_features`."""
    from .max_margin import max_margin
    Phi = ntk_features(W0, a, X)
    y = _v.check_y(y, X.shape[0])
    res = max_margin(Phi, y)
    return NTKMargin(U=res.direction.reshape(W0.shape), gamma=float(res.gamma))


class NearInitTrace(NamedTuple):
    r"""Every step of :func:`train_near_init` (arrays of length ``n_steps + 1``, index t is
    :math:`W_t`).

    Attributes
    ----------
    risk : :math:`\widehat{\mathcal R}(W_t)`
    ref_risk : :math:`\widehat{\mathcal R}^{(t)}(Z)`, the risk of the reference in the
        features of :math:`W_t`
    dist_ref : :math:`\|W_t - Z\|_F`
    dist_init : :math:`\|W_t - W_0\|_F`
    train_err : training error of :math:`W_t`
    pattern_change : fraction of the :math:`n\times m` activations that differ from
        :math:`W_0`'s
    W : the last iterate
    """
    risk: np.ndarray
    ref_risk: np.ndarray
    dist_ref: np.ndarray
    dist_init: np.ndarray
    train_err: np.ndarray
    pattern_change: np.ndarray
    W: np.ndarray
    loss: str
    step: float


def train_near_init(W0, a, X, y, Z, *, loss="logistic", step=1.0, n_steps=1000,
                    stop_risk=None):
    r"""Gradient descent :math:`W_{t+1} = W_t - \eta\nabla\widehat{\mathcal R}(W_t)` on the
    inner layer, recording at *every* step what the perceptron inequality needs for the
    reference ``Z``. With ``stop_risk`` it stops at the first t with
    :math:`\widehat{\mathcal R}(W_t)\le` ``stop_risk`` (the arrays then end there).
    """
    W0, a, X = _check_net(W0, a, X)
    y = _v.check_y(y, X.shape[0])
    Z = _v._as_float_array(Z, "Z")
    if Z.shape != W0.shape:
        raise ValueError(f"Z must have the shape of W0, {W0.shape}; got {Z.shape}.")
    loss = _check_loss(loss)
    eta = _v.check_positive(step, "step")
    n_steps = _v.check_int(n_steps, "n_steps", minimum=0)
    k = n_steps + 1
    rec = {name: np.empty(k) for name in ("risk", "ref_risk", "dist_ref", "dist_init",
                                          "train_err", "pattern_change")}
    W = W0.copy()
    D0 = (X @ W0.T) > 0
    t_end = n_steps
    for t in range(k):
        r, G, m, D = _grad(W, a, X, y, loss)
        rec["risk"][t] = r
        rec["ref_risk"][t] = _loss_parts(_feature_margins(D, a, X, y, Z), loss)[0].mean()
        rec["dist_ref"][t] = np.linalg.norm(W - Z)
        rec["dist_init"][t] = np.linalg.norm(W - W0)
        rec["train_err"][t] = np.mean(m <= 0)
        rec["pattern_change"][t] = np.mean(D != D0)
        if stop_risk is not None and r <= stop_risk:
            t_end = t
            break
        if t < n_steps:
            W = W - eta * G
    rec = {key: v[:t_end + 1] for key, v in rec.items()}
    return NearInitTrace(W=W, loss=loss, step=eta, **rec)
