r"""One-layer softmax attention as token selection, and its max-margin (attention SVM) problem.

A sequence is a matrix :math:`X_i` of shape :math:`(T, d)` whose rows are the tokens
:math:`x_{it}`, with a query token :math:`z_i\in\mathbb R^{d_z}`. The combined key-query
matrix :math:`W\in\mathbb R^{d\times d_z}` (the product :math:`KQ^\top` of a self-attention
layer :math:`\operatorname{softmax}(XQK^\top X^\top)`, here trained directly) scores the
tokens, and a fixed value vector :math:`v` reads out the attended token:

.. math:: s_{it} = x_{it}^\top W z_i,\qquad a_i = \operatorname{softmax}(s_i),\qquad
          f(X_i) = \sum_t a_{it}\,h_{it},\quad h_{it} = x_{it}^\top v .

With :math:`z_i = 1` (``d_z = 1``) this is the prompt-attention model
:math:`f(X) = \langle Xv, \operatorname{softmax}(Xp)\rangle` of Tarzanagh, Li, Zhang & Oymak,
*Max-margin token selection in attention mechanism* (NeurIPS 2023); the query-token form is the
:math:`W`-parameterization of Tarzanagh, Li, Thrampoulidis & Oymak, *Transformers as support
vector machines* (2023). Their results: gradient descent on :math:`W` (or :math:`p`) diverges
in norm and converges in direction, under conditions, to the solution of the **attention SVM**

.. math:: \min_W \|W\|_F\quad\text{s.t.}\quad (x_{i\alpha_i} - x_{it})^\top W z_i \ge 1
          \quad\forall i,\ \forall t\ne\alpha_i,

which separates a selected token :math:`\alpha_i` of each sequence from the others. It is a
linear SVM in :math:`\operatorname{vec}(W)` with constraint vectors
:math:`\operatorname{vec}((x_{i\alpha_i}-x_{it})z_i^\top)`, solved here by
:func:`ibias_lib.max_margin`. The margins :math:`y_if(X_i)` stay bounded (by
:math:`\max_t |h_{it}|`), so the risk does not go to zero: what grows is the attention's
confidence, at rate set by :math:`\|W\|`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validation as _v
from .losses import log_losses, log_neg_derivs
from .max_margin import max_margin
from .numerics import logsumexp
from .optim import _check_record_at, run

__all__ = ["AttentionTrace", "AttentionSVM", "token_data", "attention_probs",
           "attention_forward", "attention_risk_grad", "optimal_tokens", "attention_svm",
           "train_attention"]


# ---------------------------------------------------------------- kernels (trust inputs)

def _probs(W, X, Z):
    s = np.einsum("ntd,de,ne->nt", X, W, Z)
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)


def _forward(W, X, Z, v):
    a = _probs(W, X, Z)
    h = X @ v
    return a, h, (a * h).sum(axis=1)


def _risk_and_grad(W, X, Z, v, y, loss):
    """Return (log R, grad R). grad R = (1/n) sum_i l'(m_i) y_i sum_t a_it (h_it - f_i) x_it z_i^T.

    h_it - f_i is formed as sum_s a_is (h_it - h_is), which has no cancellation when one
    token takes almost all the attention.
    """
    a, h, f = _forward(W, X, Z, v)
    m = y * f
    n = m.shape[0]
    log_r = logsumexp(log_losses(m, loss)) - np.log(n)
    dev = ((h[:, :, None] - h[:, None, :]) * a[:, None, :]).sum(axis=2)   # h_it - f_i
    c = -np.exp(log_neg_derivs(m, loss)) * y / n                            # l'(m_i) y_i / n
    g = (c[:, None] * a * dev)                                              # dR/ds_it
    grad = np.einsum("nt,ntd,ne->de", g, X, Z)
    return log_r, grad, a, m


# ---------------------------------------------------------------- checks

def _check_tokens(X, Z, v=None, y=None):
    X = _v._as_float_array(X, "X")
    if X.ndim != 3 or min(X.shape) == 0:
        raise ValueError(f"X must be a 3D array of token sequences, shape (n_sequences, "
                         f"n_tokens, d); got shape {X.shape}. For one sequence use X[None].")
    _v._check_finite(X, "X")
    n, _, d = X.shape
    Z = _v._as_float_array(Z, "Z")
    if Z.ndim == 1 and Z.shape[0] == n:
        Z = Z[:, None]
    if Z.ndim != 2 or Z.shape[0] != n or Z.shape[1] == 0:
        raise ValueError(f"Z must hold one query token per sequence, shape (n_sequences, d_z) "
                         f"= ({n}, d_z); got shape {Z.shape}. For prompt attention use "
                         f"Z = np.ones(({n}, 1)).")
    _v._check_finite(Z, "Z")
    out = [X, Z]
    if v is not None:
        out.append(_v.check_w(v, d, name="v"))
    if y is not None:
        out.append(_v.check_y(y, n))
    return out


def _check_W(W, d, dz):
    W = _v._as_float_array(W, "W")
    if W.shape != (d, dz):
        raise ValueError(f"W must have shape (d, d_z) = ({d}, {dz}) to score tokens of "
                         f"dimension {d} against queries of dimension {dz}; got {W.shape}.")
    _v._check_finite(W, "W")
    return W


# ---------------------------------------------------------------- public API

def token_data(n, T, d, *, signal=1.0, noise=0.5, seed=0):
    r"""Seeded sequences with one relevant token each: a token-selection task.

    The value vector is :math:`v = e_1`. In sequence i (label :math:`y_i = \pm1`, balanced at
    random) the relevant token has first coordinate :math:`y_i\cdot` ``signal``; the other
    :math:`T-1` tokens have first coordinate uniform in :math:`[-\mathrm{noise},
    \mathrm{noise}]`, so their scores :math:`y_ih_{it}` are below ``signal`` when
    ``noise < signal``. The remaining coordinates of every token, and the query
    :math:`z_i\in\mathbb R^d`, are standard Gaussian divided by :math:`\sqrt d`. The relevant
    token sits at a random position.

    Returns
    -------
    X : ndarray of shape (n, T, d)
    Z : ndarray of shape (n, d)
    y : ndarray of shape (n,)
    v : ndarray of shape (d,)
    relevant : ndarray of int, shape (n,)
        The position of the relevant token in each sequence.
    """
    n = _v.check_int(n, "n", minimum=1)
    T = _v.check_int(T, "T", minimum=2)
    d = _v.check_int(d, "d", minimum=2)
    signal = _v.check_positive(signal, "signal")
    noise = _v.check_positive(noise, "noise")
    rng = np.random.default_rng(seed)
    y = rng.choice([-1.0, 1.0], size=n)
    X = rng.standard_normal((n, T, d)) / np.sqrt(d)
    X[:, :, 0] = rng.uniform(-noise, noise, size=(n, T))
    relevant = rng.integers(0, T, size=n)
    X[np.arange(n), relevant, 0] = y * signal
    Z = rng.standard_normal((n, d)) / np.sqrt(d)
    v = np.zeros(d)
    v[0] = 1.0
    return X, Z, y, v, relevant


def attention_probs(W, X, Z):
    r"""Return the attention weights :math:`a_{it} = \operatorname{softmax}_t(x_{it}^\top W z_i)`,
    shape (n, T). Computed with the maximum subtracted: never overflows."""
    X, Z = _check_tokens(X, Z)
    return _probs(_check_W(W, X.shape[2], Z.shape[1]), X, Z)


def attention_forward(W, X, Z, v):
    r"""Return :math:`f(X_i) = \sum_t a_{it}\,x_{it}^\top v`, shape (n,)."""
    X, Z, v = _check_tokens(X, Z, v)
    return _forward(_check_W(W, X.shape[2], Z.shape[1]), X, Z, v)[2]


def attention_risk_grad(W, X, Z, v, y, *, loss="logistic"):
    r"""Return :math:`\log\widehat{\mathcal R}(W)` and :math:`\nabla_W\widehat{\mathcal R}`.

    .. math:: \nabla_W\widehat{\mathcal R} = \frac1n\sum_i\ell'(y_if_i)\,y_i\sum_t a_{it}
              (h_{it} - f_i)\,x_{it}z_i^\top .
    """
    X, Z, v, y = _check_tokens(X, Z, v, y)
    W = _check_W(W, X.shape[2], Z.shape[1])
    log_r, grad, _, _ = _risk_and_grad(W, X, Z, v, y, _v.check_loss(loss))
    return float(log_r), grad


def optimal_tokens(X, v, y):
    r"""Return :math:`\alpha_i = \arg\max_t y_i\,x_{it}^\top v`: the token whose selection
    maximizes each sequence's margin :math:`y_if(X_i)`."""
    X = _v._as_float_array(X, "X")
    if X.ndim != 3:
        raise ValueError(f"X must be 3D, shape (n_sequences, n_tokens, d); got {X.shape}.")
    v = _v.check_w(v, X.shape[2], name="v")
    y = _v.check_y(y, X.shape[0])
    return np.argmax(y[:, None] * (X @ v), axis=1)


class AttentionSVM(NamedTuple):
    """Result of :func:`attention_svm`.

    Attributes
    ----------
    W : ndarray of shape (d, d_z)
        :math:`W^{mm}`, the minimum-Frobenius-norm solution (score gaps at least 1).
    direction : ndarray of shape (d, d_z)
        :math:`W^{mm}/\\|W^{mm}\\|_F`.
    margin : float
        :math:`1/\\|W^{mm}\\|_F`: the smallest score gap of the unit-norm direction.
    """
    W: np.ndarray
    direction: np.ndarray
    margin: float


def attention_svm(X, Z, tokens):
    r"""Solve the attention SVM that selects token ``tokens[i]`` in sequence i.

    .. math:: W^{mm} = \arg\min\{\|W\|_F : (x_{i\alpha_i}-x_{it})^\top Wz_i\ge1\
              \forall i, t\ne\alpha_i\}

    Raises
    ------
    ValueError
        If no W separates the selected tokens (the SVM is infeasible).
    """
    X, Z = _check_tokens(X, Z)
    n, T, d = X.shape
    tokens = np.asarray(tokens)
    if tokens.shape != (n,) or not np.issubdtype(tokens.dtype, np.integer) or \
            tokens.min() < 0 or tokens.max() >= T:
        raise ValueError(f"tokens must be {n} integer positions in [0, {T}); got {tokens!r}.")
    rows = []
    for i in range(n):
        diff = X[i, tokens[i]] - np.delete(X[i], tokens[i], axis=0)       # (T-1, d)
        rows.append(np.einsum("td,e->tde", diff, Z[i]).reshape(T - 1, -1))
    A = np.vstack(rows)
    try:
        res = max_margin(A, np.ones(A.shape[0]))
    except ValueError:
        raise ValueError("the attention SVM is infeasible: no W gives the selected tokens the "
                         "highest score in every sequence. Use fewer sequences or tokens, a "
                         "larger dimension, or another selection.") from None
    dz = Z.shape[1]
    return AttentionSVM(W=res.w_hat.reshape(d, dz), direction=res.direction.reshape(d, dz),
                        margin=float(res.gamma))


class AttentionTrace(NamedTuple):
    """An immutable record of :func:`train_attention`.

    Attributes
    ----------
    steps : ndarray of int, shape (k,)
    W : ndarray, shape (k, d, d_z)
    norm : ndarray, shape (k,)
        :math:`\\|W_t\\|_F`.
    log_risk : ndarray, shape (k,)
    margin : ndarray, shape (k,)
        :math:`\\min_i y_if(X_i)` (bounded: the model is not homogeneous).
    probs : ndarray, shape (k, n, T)
        The attention weights.
    loss, method : str
    """
    steps: np.ndarray
    W: np.ndarray
    norm: np.ndarray
    log_risk: np.ndarray
    margin: np.ndarray
    probs: np.ndarray
    loss: str
    method: str

    def selected(self, k=-1):
        """Return the most-attended token of each sequence at record ``k``."""
        return np.argmax(self.probs[k], axis=1)


def train_attention(X, Z, v, y, *, W0=None, loss="logistic", step=0.1, n_steps=1000,
                    normalized=True, record_at=None, num_records=100):
    r"""Train :math:`W` by gradient descent; return an :class:`AttentionTrace`.

    .. math:: W_{t+1} = W_t - \eta\,\frac{\nabla\widehat{\mathcal R}(W_t)}
              {\|\nabla\widehat{\mathcal R}(W_t)\|_F}\quad(\text{``normalized=True``}),
              \qquad W_{t+1} = W_t - \eta\nabla\widehat{\mathcal R}(W_t)\quad(\text{else}).

    The gradient vanishes like the attention on the non-selected tokens, so constant steps
    slow to a crawl; steps normalized by the gradient norm keep :math:`\|W_t\|` growing
    linearly. (If the gradient underflows to exactly 0 the normalized step does not move.)

    Parameters
    ----------
    X : array of shape (n, T, d)
    Z : array of shape (n, d_z)
    v : array of shape (d,)
        The fixed value vector.
    y : array of shape (n,), entries in {-1, +1}
    W0 : array of shape (d, d_z), optional
        Initial point (default 0: uniform attention).
    loss : {'exp', 'logistic'}
    step : float > 0
    n_steps : int >= 1
    normalized : bool
    record_at, num_records : as for :func:`ibias_lib.gd`
    """
    X, Z, v, y = _check_tokens(X, Z, v, y)
    n, T, d = X.shape
    dz = Z.shape[1]
    W0 = np.zeros((d, dz)) if W0 is None else _check_W(W0, d, dz).copy()
    loss = _v.check_loss(loss)
    eta = _v.check_positive(step, "step")
    n_steps = _v.check_int(n_steps, "n_steps", minimum=1)
    record_at = _check_record_at(record_at, n_steps, num_records)

    def update(W):
        _, g, _, _ = _risk_and_grad(W, X, Z, v, y, loss)
        if normalized:
            gn = np.linalg.norm(g)
            return W - eta * g / gn if gn > 0 else W
        return W - eta * g

    def record(W):
        log_r, _, a, m = _risk_and_grad(W, X, Z, v, y, loss)
        return {"W": W, "norm": np.linalg.norm(W), "log_risk": log_r, "margin": m.min(),
                "probs": a}

    records, _ = run(update, W0, n_steps, record_at, record)
    return AttentionTrace(steps=record_at.copy(), W=records["W"], norm=records["norm"],
                          log_risk=records["log_risk"], margin=records["margin"],
                          probs=records["probs"], loss=loss,
                          method=f"{'normalized_gd' if normalized else 'gd'}(step={eta:g})")
