r"""Feedforward networks as a list of weight matrices plus pure functions.

A network with layer sizes :math:`(d, h_1, \dots, h_{L-1}, 1)` is the list
``params = [W_1, ..., W_L]`` with :math:`W_j` of shape :math:`(h_j, h_{j-1})`, no biases, and

.. math:: F(x;\theta) = W_L\,\sigma(W_{L-1}\cdots\sigma(W_1x)\cdots),

the output layer linear, :math:`\theta` the concatenation of the flattened :math:`W_j`.
Activations: ``'relu'`` :math:`\max(0,z)`, ``'relu2'`` :math:`\max(0,z)^2`, ``'linear'``,
``'silu'`` :math:`z/(1+e^{-z})` and ``'gelu'`` :math:`z\Phi(z)`.

**Homogeneity.** With ReLU or linear activations, :math:`F(x; c\theta) = c^L F(x;\theta)` for
:math:`c>0`: the network is :math:`L`-homogeneous. With ReLU² the pre-activation of layer
:math:`j` has degree :math:`k_j` with :math:`k_1 = 1`, :math:`k_{j+1} = 2k_j + 1`, so the
output has degree :math:`2^L - 1` (3 for two layers, 7 for three). SiLU and GELU are not
homogeneous; for them the margins below are normalized by :math:`\|\theta\|^L`, the degree of
the ReLU network they approach at large scale (a convention, not a theorem).
:func:`homogeneity_degree` returns the degree used.

**Margins and risk.** With :math:`m_i = y_iF(x_i;\theta)` and degree :math:`L`,
:math:`\operatorname{margin}(\theta) = \min_i m_i/\|\theta\|^L` and the smoothed margin is
:math:`\ell^{-1}(\sum_i\ell(m_i))/\|\theta\|^L` (Lyu & Li, *Gradient descent maximizes the
margin of homogeneous neural networks*, ICLR 2020). The risk
:math:`\widehat{\mathcal R}(\theta) = \frac1n\sum_i\ell(m_i)` and its gradient are computed in
the log domain exactly as in :mod:`ibias_lib.losses`: back-propagation starts from the weights
:math:`q = \operatorname{softmax}(\log|\ell'(m)|)` on the simplex, and the scale
:math:`e^{s}`, :math:`s = \operatorname{logsumexp}(\log|\ell'(m)|) - \ln n`, is kept apart.

**Gradient convention.** At a ReLU kink (pre-activation exactly 0) the derivative is taken to
be 0, one element of the Clarke subdifferential.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import nnls
from scipy.special import expit, ndtr

from . import _validation as _v
from .losses import log_losses, log_neg_derivs
from .margins import smoothed_margin_from_margins
from .numerics import norm2, logsumexp, softmax
from .optim import _check_record_at, run

__all__ = ["ACTIVATIONS", "NetTrace", "KKTResult", "init_network", "forward", "flatten",
           "unflatten", "network_sizes", "homogeneity_degree", "network_margins",
           "network_margin", "network_risk_grad", "train_network", "kkt_conditions",
           "kkt_residual", "layer_product", "layer_alignment", "layer_balance"]

ACTIVATIONS = ("relu", "relu2", "linear", "silu", "gelu")
_HOMOGENEOUS = ("relu", "relu2", "linear")
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


# ---------------------------------------------------------------- activations (trust inputs)

def _act(z, activation):
    """Return sigma(z) and sigma'(z) for an activation name (internal)."""
    if activation == "relu":
        return np.maximum(z, 0.0), (z > 0).astype(np.float64)
    if activation == "relu2":
        p = np.maximum(z, 0.0)
        return p * p, 2.0 * p
    if activation == "linear":
        return z, np.ones_like(z)
    if activation == "silu":            # z * sigmoid(z); derivative s + z s (1 - s)
        s = expit(z)
        return z * s, s + z * s * (1.0 - s)
    # gelu: z Phi(z); derivative Phi(z) + z phi(z). phi underflows to 0 for |z| > 38.
    with np.errstate(over="ignore"):
        phi = _INV_SQRT_2PI * np.exp(-0.5 * z * z)
    c = ndtr(z)
    return z * c, c + z * phi


def _forward_cache(params, X, activation):
    """Return (hidden activations H_0..H_{L-1}, derivatives sigma'(Z_1..Z_{L-1}), outputs)."""
    H = [X]
    D = []
    h = X
    for W in params[:-1]:
        h, dh = _act(h @ W.T, activation)
        H.append(h)
        D.append(dh)
    return H, D, (h @ params[-1].T)[:, 0]


def _backward(params, H, D, delta):
    """Gradients of sum_i delta_i F(x_i) with respect to each W_j (internal)."""
    grads = [None] * len(params)
    g = delta[:, None]                       # d/d(output), shape (n, 1)
    for j in range(len(params) - 1, -1, -1):
        grads[j] = g.T @ H[j]
        if j > 0:
            g = (g @ params[j]) * D[j - 1]
    return grads


def _jacobian(params, H, D):
    """Per-example gradients of F(x_i; theta), shape (n, n_params) (internal)."""
    n = H[0].shape[0]
    blocks = [None] * len(params)
    g = np.ones((n, 1))
    for j in range(len(params) - 1, -1, -1):
        blocks[j] = (g[:, :, None] * H[j][:, None, :]).reshape(n, -1)
        if j > 0:
            g = (g @ params[j]) * D[j - 1]
    return np.hstack(blocks)


def _degree(n_layers, activation):
    return 2 ** n_layers - 1 if activation == "relu2" else n_layers


def _flat(params):
    return np.concatenate([W.ravel() for W in params])


def _unflat(theta, sizes):
    out, k = [], 0
    for a, b in zip(sizes[:-1], sizes[1:]):
        out.append(theta[k:k + a * b].reshape(b, a))
        k += a * b
    return out


def _risk_parts(params, X, y, loss, activation):
    """Return (m, log_risk, log_scale, G, H, D): grad R = exp(log_scale) * G (internal).

    G is the back-propagation of -q * y with q = softmax(log|l'(m)|) on the simplex, so it is
    of order one whatever the scale of theta; log_scale = logsumexp(log|l'(m)|) - ln n.
    """
    H, D, f = _forward_cache(params, X, activation)
    m = y * f
    log_scale, G = _risk_grad_from_cache(params, H, D, m, y, loss)
    return m, _log_risk_of_margins(m, loss), log_scale, G, H, D


def _log_risk_of_margins(m, loss):
    """log R = logsumexp(log l(m_i)) - ln n (internal)."""
    return logsumexp(log_losses(m, loss)) - np.log(m.shape[0])


def _risk_grad_from_cache(params, H, D, m, y, loss):
    """Return (log_scale, G) with grad R = exp(log_scale) * G, from a forward cache (internal)."""
    a = log_neg_derivs(m, loss)
    G = _backward(params, H, D, -softmax(a) * y)
    return logsumexp(a) - np.log(m.shape[0]), G


def _smoothed_normalized(m, nrm, degree, loss):
    """l^{-1}(sum_i l(m_i)) / nrm^degree, the division done in logs for large norms (internal)."""
    num = smoothed_margin_from_margins(m, 1.0, loss)
    return np.sign(num) * np.exp(np.log(abs(num)) - degree * np.log(nrm)) if num != 0 else 0.0


def _margins_jacobian(params, X, y, activation):
    """Return (m, J): margins m_i = y_i F(x_i) and their gradients J[i] = y_i grad F(x_i)
    (internal)."""
    H, D, f = _forward_cache(params, X, activation)
    return y * f, y[:, None] * _jacobian(params, H, D)


# ---------------------------------------------------------------- input checks

def _check_activation(activation):
    if isinstance(activation, str) and activation.lower() in ACTIVATIONS:
        return activation.lower()
    raise ValueError(f"activation must be one of {list(ACTIVATIONS)}; got {activation!r}.")


def _check_sizes(sizes):
    try:
        s = [int(v) for v in sizes]
        ok = all(int(v) == v for v in sizes)
    except (TypeError, ValueError):
        ok = False
    if not ok or len(s) < 1 or min(s) < 1:
        raise ValueError(f"sizes must be a sequence of positive integers (d, h_1, ..., "
                         f"h_(L-1), 1); got {sizes!r}.")
    if s[-1] != 1 or len(s) == 1:
        s = s + [1]      # the scalar output may be omitted
    return tuple(s)


def _check_params(params, d=None):
    """Return params as a list of finite float64 2D arrays with chained shapes."""
    if isinstance(params, np.ndarray) or not hasattr(params, "__len__") or len(params) == 0:
        raise ValueError("params must be a non-empty list of weight matrices [W_1, ..., W_L] "
                         f"(W_1 of shape (h_1, d), W_L of shape (1, h_(L-1))); got "
                         f"{type(params).__name__}. Build one with ib.init_network(rng, sizes), "
                         "or ib.unflatten(theta, sizes) from a flat vector.")
    out = []
    for j, W in enumerate(params, start=1):
        W = _v._as_float_array(W, f"W_{j}")
        if W.ndim != 2:
            raise ValueError(f"W_{j} must be a 2D weight matrix; got shape {W.shape}. "
                             "A single output layer is a (1, h) row: use W.reshape(1, -1).")
        _v._check_finite(W, f"W_{j}")
        if out and W.shape[1] != out[-1].shape[0]:
            raise ValueError(f"W_{j} has shape {W.shape} but W_{j - 1} has {out[-1].shape[0]} "
                             f"rows: W_{j} needs {out[-1].shape[0]} columns.")
        out.append(W)
    if out[-1].shape[0] != 1:
        raise ValueError(f"the last layer W_{len(out)} must have one row (scalar output); got "
                         f"shape {out[-1].shape}.")
    if d is not None and out[0].shape[1] != d:
        raise ValueError(f"W_1 has {out[0].shape[1]} columns but X has {d} features; the "
                         f"input layer needs shape (h_1, {d}).")
    return out


def _check_net_inputs(params, X, y, activation, loss=None):
    X, y = _v.check_X_y(X, y)
    params = _check_params(params, X.shape[1])
    activation = _check_activation(activation)
    if loss is not None:
        loss = _v.check_loss(loss)
    return params, X, y, activation, loss


# ---------------------------------------------------------------- public API

def network_sizes(params):
    """Return the layer sizes ``(d, h_1, ..., h_(L-1), 1)`` of a parameter list."""
    params = _check_params(params)
    return (params[0].shape[1],) + tuple(W.shape[0] for W in params)


def homogeneity_degree(n_layers, activation="relu"):
    r"""Return the degree :math:`k` with :math:`F(x;c\theta) = c^kF(x;\theta)`, :math:`c>0`.

    :math:`L` for ``'relu'`` and ``'linear'``; :math:`2^L-1` for ``'relu2'``; for ``'silu'``
    and ``'gelu'``, which are not homogeneous, the ReLU value :math:`L` used to normalize
    their margins.

    Examples
    --------
    >>> import ibias_lib as ib
    >>> ib.homogeneity_degree(2, "relu"), ib.homogeneity_degree(2, "relu2"), ib.homogeneity_degree(3, "relu2")
    (2, 3, 7)
    """
    n_layers = _v.check_int(n_layers, "n_layers", minimum=1)
    return _degree(n_layers, _check_activation(activation))


def init_network(rng, sizes, *, scale=0.1):
    r"""Return random weights ``[W_1, ..., W_L]`` with i.i.d. :math:`N(0, \mathrm{scale}^2)`
    entries.

    Parameters
    ----------
    rng : numpy.random.Generator
        E.g. ``np.random.default_rng(0)``.
    sizes : sequence of int
        ``(d, h_1, ..., h_(L-1), 1)``: input dimension, hidden widths, scalar output. The
        final 1 may be omitted. ``(d, 1)`` is a linear model, ``(d, m, 1)`` a two-layer net.
    scale : float > 0
        The standard deviation of every entry (not rescaled by the width: pass e.g.
        ``scale=1/np.sqrt(m)`` for a width-aware initialization).

    Returns
    -------
    list of ndarray
        ``W_j`` of shape ``(sizes[j], sizes[j-1])``.

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> params = ib.init_network(np.random.default_rng(0), (5, 8, 1), scale=0.1)
    >>> [W.shape for W in params]
    [(8, 5), (1, 8)]
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}. "
                         "Pass np.random.default_rng(seed).")
    sizes = _check_sizes(sizes)
    scale = _v.check_positive(scale, "scale")
    return [scale * rng.standard_normal((b, a)) for a, b in zip(sizes[:-1], sizes[1:])]


def flatten(params):
    r"""Return :math:`\theta`, the concatenation of the row-major flattened :math:`W_j`."""
    return _flat(_check_params(params))


def unflatten(theta, sizes):
    """Inverse of :func:`flatten`: split a flat vector into ``[W_1, ..., W_L]``.

    Parameters
    ----------
    theta : array of shape (n_params,)
        With ``n_params = sum(sizes[j] * sizes[j+1])``.
    sizes : sequence of int
        ``(d, h_1, ..., 1)`` as for :func:`init_network`.
    """
    sizes = _check_sizes(sizes)
    p = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    theta = _v.check_w(theta, p, name="theta")
    return [W.copy() for W in _unflat(theta, sizes)]


def forward(params, X, *, activation="relu"):
    r"""Return the outputs :math:`F(x_i;\theta)`, shape (n_samples,).

    Parameters
    ----------
    params : list of ndarray
        ``[W_1, ..., W_L]`` (see :func:`init_network`).
    X : array of shape (n_samples, n_features)
    activation : {'relu', 'relu2', 'linear', 'silu', 'gelu'}
        The hidden activation; the output layer is linear.

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> params = [np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([[1.0, -1.0]])]
    >>> ib.forward(params, np.array([[2.0, 5.0], [-3.0, 1.0]]))   # relu(x1) - relu(-x1) = x1
    array([ 2., -3.])
    """
    X = _v.check_X(X)
    params = _check_params(params, X.shape[1])
    return _forward_cache(params, X, _check_activation(activation))[2]


def network_margins(params, X, y, *, activation="relu"):
    r"""Return the unnormalized margins :math:`m_i = y_iF(x_i;\theta)`, shape (n_samples,)."""
    params, X, y, activation, _ = _check_net_inputs(params, X, y, activation)
    return y * _forward_cache(params, X, activation)[2]


def network_margin(params, X, y, *, activation="relu"):
    r"""Return the normalized margin :math:`\min_i y_iF(x_i;\theta)/\|\theta\|^k`.

    :math:`k` is :func:`homogeneity_degree`. For homogeneous activations the value is computed
    at :math:`\theta/\|\theta\|` (equal by homogeneity), so it is finite at any scale.
    """
    params, X, y, activation, _ = _check_net_inputs(params, X, y, activation)
    return _normalized_margins(params, X, y, activation).min()


def _normalized_margins(params, X, y, activation):
    nrm = norm2(_flat(params))          # no overflow / underflow of ||theta||^2
    if nrm == 0:
        return np.full(X.shape[0], np.nan)
    if activation in _HOMOGENEOUS:
        return y * _forward_cache([W / nrm for W in params], X, activation)[2]
    with np.errstate(over="ignore", invalid="ignore"):
        out = y * _forward_cache(params, X, activation)[2] / np.float64(nrm) ** len(params)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"the normalized margin of this {activation} network is beyond "
                         f"float64 at ||theta|| = {nrm:.3g}: {activation} is not homogeneous, so "
                         "F(x; theta) cannot be rescaled exactly and its value overflows. Use "
                         "parameters of moderate norm.")
    return out


def network_risk_grad(params, X, y, *, loss="exp", activation="relu", relative=False):
    r"""Return :math:`\log\widehat{\mathcal R}(\theta)` and the exact gradient, layer by layer.

    .. math:: \nabla_\theta\widehat{\mathcal R} = \frac1n\sum_i \ell'(m_i)\,y_i\nabla_\theta
              F(x_i;\theta) = -e^{s}\sum_i q_i y_i\nabla_\theta F(x_i;\theta),

    with :math:`q = \operatorname{softmax}(\log|\ell'(m)|)` and
    :math:`s = \operatorname{logsumexp}(\log|\ell'(m)|) - \ln n` (as in
    :func:`ibias_lib.risk_gradient`): the back-propagated sum is of order one at any scale and
    the only exponential is the final factor :math:`e^s`.

    Parameters
    ----------
    params : list of ndarray
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}
    loss : {'exp', 'logistic'}
    activation : {'relu', 'relu2', 'linear', 'silu', 'gelu'}
    relative : bool
        If True return :math:`\nabla\log\widehat{\mathcal R} = \nabla\widehat{\mathcal R}/
        \widehat{\mathcal R}` instead, which is finite and nonzero even when
        :math:`\widehat{\mathcal R}` is far below the smallest float64 (the direction is the
        same).

    Returns
    -------
    log_risk : float
    grads : list of ndarray, shaped like ``params``
        :math:`\partial\widehat{\mathcal R}/\partial W_j` (or of :math:`\log\widehat{\mathcal R}`).
        Entries of :math:`\nabla\widehat{\mathcal R}` are exact, and underflow to 0 only when
        the true value is below the smallest float64.
    """
    params, X, y, activation, loss = _check_net_inputs(params, X, y, activation, loss)
    m, log_r, log_scale, G, _, _ = _risk_parts(params, X, y, loss, activation)
    c = np.exp(log_scale - log_r) if relative else np.exp(log_scale)
    return float(log_r), [c * g for g in G]


class NetTrace(NamedTuple):
    """An immutable record of a network's training run, one entry per recorded step.

    Attributes
    ----------
    steps : ndarray of int, shape (k,)
    theta : ndarray, shape (k, n_params)
        Flattened parameters (use :meth:`params` or :func:`unflatten` to get the layers).
    margin : ndarray, shape (k,)
        :math:`\\min_i y_iF(x_i;\\theta_t)/\\|\\theta_t\\|^{\\deg}`.
    smoothed_margin : ndarray, shape (k,)
        :math:`\\ell^{-1}(\\sum_i\\ell(m_i))/\\|\\theta_t\\|^{\\deg}` (Lyu & Li 2020).
    log_risk : ndarray, shape (k,)
    norm : ndarray, shape (k,)
        :math:`\\|\\theta_t\\|`.
    alignment : ndarray, shape (k,)
        :math:`\\langle\\theta_t/\\|\\theta_t\\|, -\\nabla\\widehat{\\mathcal R}(\\theta_t)/
        \\|\\nabla\\widehat{\\mathcal R}(\\theta_t)\\|\\rangle` (Ji & Telgarsky 2020).
    layer_fro, layer_spec : ndarray, shape (k, L)
        Frobenius and spectral norms of each :math:`W_j`.
    sizes : tuple of int
    activation, loss, method : str
    degree : int
        The exponent used to normalize the margins (:func:`homogeneity_degree`).
    """
    steps: np.ndarray
    theta: np.ndarray
    margin: np.ndarray
    smoothed_margin: np.ndarray
    log_risk: np.ndarray
    norm: np.ndarray
    alignment: np.ndarray
    layer_fro: np.ndarray
    layer_spec: np.ndarray
    sizes: tuple
    activation: str
    loss: str
    method: str
    degree: int

    def params(self, k=-1):
        """Return the weight matrices at record ``k`` (default: the last)."""
        return [W.copy() for W in _unflat(self.theta[k], self.sizes)]

    def __repr__(self):
        return (f"NetTrace(method={self.method!r}, sizes={self.sizes}, activation="
                f"{self.activation!r}, loss={self.loss!r}, records={len(self.steps)}, "
                f"last step={int(self.steps[-1])}, final margin={self.margin[-1]:.6g})")


def _net_update(X, y, sizes, loss, activation, eta, normalized):
    """Return ``theta -> theta_next`` for (normalized) GD on the network risk (internal)."""
    def update(theta):
        params = _unflat(theta, sizes)
        m, log_r, log_scale, G, _, _ = _risk_parts(params, X, y, loss, activation)
        # grad R = e^s G; normalized steps use grad R / R = e^{s - log R} G (= G for exp loss).
        coef = eta * np.exp(log_scale - log_r if normalized else log_scale)
        return theta - coef * _flat(G)
    return update


def _net_metrics(X, y, sizes, loss, activation, degree):
    def record(theta):
        params = _unflat(theta, sizes)
        m, log_r, _, G, _, _ = _risk_parts(params, X, y, loss, activation)
        nrm = np.linalg.norm(theta)
        g = _flat(G)
        gn = np.linalg.norm(g)
        if nrm > 0:
            mg = _normalized_margins(params, X, y, activation).min()
            sm = _smoothed_normalized(m, nrm, degree, loss)
            al = -(theta @ g) / (nrm * gn) if gn > 0 else np.nan
        else:
            mg = sm = al = np.nan
        return {"theta": theta, "margin": mg, "smoothed_margin": sm, "log_risk": log_r,
                "norm": nrm, "alignment": al,
                "layer_fro": np.array([np.linalg.norm(W) for W in params]),
                "layer_spec": np.array([np.linalg.norm(W, 2) for W in params])}
    return record


def train_network(X, y, params, *, activation="relu", loss="exp", step=0.1, n_steps=1000,
                  normalized=False, record_at=None, num_records=100):
    r"""Run full-batch gradient descent on a network and return its :class:`NetTrace`.

    .. math:: \theta_{t+1} = \theta_t - \eta_t\nabla\widehat{\mathcal R}(\theta_t),\qquad
              \eta_t = \eta \ \text{(constant)}\quad\text{or}\quad
              \eta_t = \eta/\widehat{\mathcal R}(\theta_t)\ \text{(``normalized=True``)}.

    The normalized steps are the loss-based schedule that Lyu & Li (ICLR 2020) use to reach
    small losses quickly; here, as in :func:`ibias_lib.normalized_gd`, the factor
    :math:`\nabla\widehat{\mathcal R}/\widehat{\mathcal R}` is formed from logs and never
    overflows. Uses the library loop :func:`ibias_lib.run`.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}
    params : list of ndarray
        The initial weights (not modified).
    activation : {'relu', 'relu2', 'linear', 'silu', 'gelu'}
    loss : {'exp', 'logistic'}
    step : float > 0
    n_steps : int >= 1
    normalized : bool
    record_at : 1D int array, optional
        Steps at which to record; default ``log_spaced_steps(n_steps, num_records)``.
    num_records : int

    Returns
    -------
    NetTrace

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> X, y = ib.planted_data(30, 3, margin=0.2, seed=0)
    >>> p0 = ib.init_network(np.random.default_rng(0), (3, 10, 1), scale=0.5)
    >>> tr = ib.train_network(X, y, p0, step=0.5, n_steps=2000, num_records=20)
    >>> bool(tr.margin[-1] > 0 and tr.smoothed_margin[-1] <= tr.margin[-1])
    True
    """
    params, X, y, activation, loss = _check_net_inputs(params, X, y, activation, loss)
    eta = _v.check_positive(step, "step")
    n_steps = _v.check_int(n_steps, "n_steps", minimum=1)
    record_at = _check_record_at(record_at, n_steps, num_records)
    sizes = (params[0].shape[1],) + tuple(W.shape[0] for W in params)
    degree = _degree(len(params), activation)
    records, _ = run(_net_update(X, y, sizes, loss, activation, eta, bool(normalized)),
                     _flat(params).copy(), n_steps, record_at,
                     _net_metrics(X, y, sizes, loss, activation, degree))
    method = f"{'normalized_gd' if normalized else 'gd'}(step={eta:g})"
    return NetTrace(steps=record_at.copy(), theta=records["theta"], margin=records["margin"],
                    smoothed_margin=records["smoothed_margin"], log_risk=records["log_risk"],
                    norm=records["norm"], alignment=records["alignment"],
                    layer_fro=records["layer_fro"], layer_spec=records["layer_spec"],
                    sizes=sizes, activation=activation, loss=loss, method=method,
                    degree=degree)


class KKTResult(NamedTuple):
    """Result of :func:`kkt_conditions`.

    Attributes
    ----------
    residual : float
        :math:`\\min_{\\lambda\\ge0}\\|\\tilde\\theta - \\sum_{i\\in A}\\lambda_iy_i\\nabla F(x_i;
        \\tilde\\theta)\\| / \\|\\tilde\\theta\\|`, in [0, 1].
    complementarity : float
        :math:`\\sum_i\\lambda_i(y_iF(x_i;\\tilde\\theta)-1) \\ge 0` (at most ``tol * sum(lambda)``).
    multipliers : ndarray of shape (n_samples,)
        :math:`\\lambda`, zero off the near-active set.
    active : ndarray of int
        The near-active indices :math:`A`.
    theta : ndarray
        :math:`\\tilde\\theta`, the parameters rescaled to margin 1.
    """
    residual: float
    complementarity: float
    multipliers: np.ndarray
    active: np.ndarray
    theta: np.ndarray


def kkt_conditions(params, X, y, *, activation="relu", tol=0.05):
    r"""Measure how far :math:`\theta` is from a KKT direction of the margin problem.

    The problem (Lyu & Li 2020; Ji & Telgarsky 2020) is

    .. math:: \min_\theta \tfrac12\|\theta\|^2\quad\text{s.t.}\quad y_iF(x_i;\theta)\ge1\ \ \forall i,

    whose KKT conditions at a feasible :math:`\tilde\theta` ask for :math:`\lambda\ge0` with
    :math:`\tilde\theta = \sum_i\lambda_iy_i\nabla_\theta F(x_i;\tilde\theta)` and
    :math:`\lambda_i = 0` unless constraint i is active. The direction of :math:`\theta` is
    rescaled to margin one, :math:`\tilde\theta = \theta/(\min_iy_iF(x_i;\theta))^{1/k}`
    (k the homogeneity degree), the near-active set is
    :math:`A = \{i : y_iF(x_i;\tilde\theta)\le 1+\mathrm{tol}\}`, and the best multipliers
    are found by nonnegative least squares (:func:`scipy.optimize.nnls`).

    Parameters
    ----------
    params : list of ndarray
        Must separate the data (positive margin).
    X, y : the training data
    activation : {'relu', 'relu2', 'linear'}
        A homogeneous activation.
    tol : float >= 0
        Slack defining the near-active set.

    Returns
    -------
    KKTResult
    """
    params, X, y, activation, _ = _check_net_inputs(params, X, y, activation)
    if activation not in _HOMOGENEOUS:
        raise ValueError(f"kkt_conditions needs a homogeneous activation {list(_HOMOGENEOUS)}; "
                         f"got {activation!r}, for which rescaling theta does not rescale F "
                         "and the margin problem has no scale-free KKT direction.")
    try:
        tol = float(tol)
    except (TypeError, ValueError):
        tol = np.nan
    if not np.isfinite(tol) or tol < 0:
        raise ValueError(f"tol must be a finite number >= 0; got {tol!r}.")
    nrm = np.linalg.norm(_flat(params))
    unit = [W / nrm for W in params] if nrm > 0 else params
    m_unit = y * _forward_cache(unit, X, activation)[2]
    if nrm == 0 or m_unit.min() <= 0:
        raise ValueError("the network does not separate the data (min_i y_i F(x_i) <= 0), so it "
                         "cannot be rescaled to margin 1 and the KKT conditions of the margin "
                         "problem are undefined. Train longer, or check the labels.")
    k = _degree(len(params), activation)
    c = m_unit.min() ** (-1.0 / k)               # F(x; c u) = c^k F(x; u) has min margin 1
    tilde = [c * W for W in unit]
    H, D, f = _forward_cache(tilde, X, activation)
    m = y * f
    active = np.flatnonzero(m <= 1.0 + tol)
    J = _jacobian(tilde, [h[active] for h in H], [dd[active] for dd in D])
    theta = _flat(tilde)
    lam_a, res = nnls((y[active, None] * J).T, theta, maxiter=50 * (J.shape[1] + len(active)))
    lam = np.zeros(X.shape[0])
    lam[active] = lam_a
    return KKTResult(residual=float(res / np.linalg.norm(theta)),
                     complementarity=float(lam @ (m - 1.0)), multipliers=lam, active=active,
                     theta=theta)


def kkt_residual(params, X, y, *, activation="relu", tol=0.05):
    r"""Return the relative KKT stationarity residual of :func:`kkt_conditions`.

    :math:`\min_{\lambda\ge0}\|\tilde\theta - \sum_{i\in A}\lambda_iy_i\nabla F(x_i;\tilde\theta)\|
    /\|\tilde\theta\|`: 0 at a KKT direction, 1 when no active constraint helps.

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> X = np.array([[0.5, 1.5], [1.5, 0.5], [-0.5, -1.5], [-1.5, -0.5]])
    >>> y = np.array([1.0, 1.0, -1.0, -1.0])
    >>> u = ib.max_margin(X, y).direction        # a 1-layer net at the SVM direction
    >>> round(ib.kkt_residual([u[None, :]], X, y, activation="linear"), 10)
    0.0
    """
    return kkt_conditions(params, X, y, activation=activation, tol=tol).residual


def layer_product(params):
    r"""Return the end-to-end vector :math:`W_L\cdots W_1`, shape (n_features,).

    For a deep linear network :math:`F(x;\theta) = \langle W_L\cdots W_1, x\rangle`.
    """
    params = _check_params(params)
    out = params[-1]
    for W in reversed(params[:-1]):
        out = out @ W
    return out[0].copy()


def layer_alignment(params):
    r"""Return the rank-one ratios and the alignment of adjacent layers.

    With :math:`W_j = \sum_k\sigma_{j,k}u_{j,k}v_{j,k}^\top` (singular values in decreasing
    order), returns

    * ``ratios[j]`` :math:`= \|W_j\|_2/\|W_j\|_F = \sigma_{j,1}/(\sum_k\sigma_{j,k}^2)^{1/2}`,
      1 exactly when :math:`W_j` has rank one;
    * ``adjacent[j]`` :math:`= |v_{j+1,1}^\top u_{j,1}|`, 1 when the output direction of
      layer j is the input direction of layer j+1

    (Ji & Telgarsky, *Gradient descent aligns the layers of deep linear networks*, ICLR 2019).

    Returns
    -------
    ratios : ndarray of shape (L,)
    adjacent : ndarray of shape (L-1,)
    """
    params = _check_params(params)
    svds = [np.linalg.svd(W) for W in params]
    ratios = np.array([sv[1][0] / np.linalg.norm(sv[1]) if sv[1][0] > 0 else np.nan
                       for sv in svds])
    adjacent = np.array([abs(svds[j + 1][2][0] @ svds[j][0][:, 0])
                         for j in range(len(params) - 1)])
    return ratios, adjacent


def layer_balance(params):
    r"""Return the matrices :math:`D_j = W_{j+1}^\top W_{j+1} - W_jW_j^\top`, j = 1..L-1.

    For a deep linear network gradient flow keeps every :math:`D_j` constant (for ReLU
    networks only the diagonal, each hidden neuron's squared outgoing minus incoming weight
    norm), since
    :math:`W_{j+1}^\top\nabla_{W_{j+1}}\widehat{\mathcal R} = \nabla_{W_j}\widehat{\mathcal R}\,W_j^\top`;
    a gradient step of size :math:`\eta` changes it by exactly
    :math:`\eta^2(G_{j+1}^\top G_{j+1} - G_jG_j^\top)`, :math:`G_j = \nabla_{W_j}\widehat{\mathcal R}`.
    """
    params = _check_params(params)
    return [params[j + 1].T @ params[j + 1] - params[j] @ params[j].T
            for j in range(len(params) - 1)]
