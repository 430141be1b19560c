r"""Deep linear networks: gradient descent with exact bookkeeping of the balance drift, and the
alignment bounds of Ji & Telgarsky.

For a deep linear network :math:`w_{\rm prod}^\top = W_L\cdots W_1` (``params = [W_1, ...,
W_L]``, :math:`W_L` a row) trained on :math:`\mathcal R(W) = \frac1n\sum_i\ell(y_iW_L\cdots
W_1x_i)`, write :math:`G_k = \partial\mathcal R/\partial W_k` and take the balance matrices of
:func:`ibias_lib.layer_balance`,

.. math:: D_k = W_{k+1}^\top W_{k+1} - W_kW_k^\top\qquad(k = 1,\dots,L-1).

Since :math:`W_{k+1}^\top G_{k+1} = G_kW_k^\top`, gradient flow keeps every :math:`D_k`
constant, and one gradient step of size :math:`\eta` changes it by exactly
:math:`\eta^2(G_{k+1}^\top G_{k+1} - G_kG_k^\top)` (Ji & Telgarsky, *Gradient descent aligns
the layers of deep linear networks*, ICLR 2019, eq. (2), where the matrices appear with the
opposite sign; the discrete error is the term :math:`\sum_t\eta_t^2\|\nabla\mathcal R(W(t))\|^2`
of their Section 3). With

.. math:: \Delta = \max_k\|W_k(0)\|_F^2 - \|W_L(0)\|_F^2 + \sum_{k<L}\|D_k(0)\|_2,
          \qquad \varepsilon(t) = \sum_{s<t}\eta^2\|\nabla\mathcal R(W(s))\|^2,

(:math:`\Delta` is their :math:`D`), their Lemma 2 (gradient flow, :math:`\varepsilon = 0`)
reads, and its proof gives for gradient descent with the error term added
(:func:`tail_bound`, :func:`adjacent_bound`):

.. math:: \|W_k\|_F^2 - \|W_k\|_2^2 \le \Delta + \varepsilon(t),\qquad
          1 - \langle v_{k+1}, u_k\rangle^2 \le
          \frac{\Delta + \|W_k(0)\|_2^2 + \|W_{k+1}(0)\|_2^2 + 2\varepsilon(t)}
               {\|W_{k+1}\|_2^2},

:math:`u_k, v_k` the top singular vectors of :math:`W_k`.

:func:`train_deep_linear` runs constant-step gradient descent and records the parameters,
:math:`\varepsilon(t)` and its per-layer parts, the log-risk, and the smallest ratio of the
actual decrease to the one the descent inequality :math:`\mathcal R(W(t+1))\le\mathcal R(W(t))
- \frac\eta2\|\nabla\mathcal R(W(t))\|^2` (their eq. (4)) guarantees; when that ratio is
:math:`\ge 1`, :math:`\varepsilon(t)\le2\eta(\mathcal R(W(0)) - \mathcal R(W(t)))`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validation as _v
from .networks import _check_net_inputs, _risk_parts, layer_balance
from .optim import _check_record_at

__all__ = ["DeepLinearTrace", "train_deep_linear", "alignment_constant",
           "tail_energy", "tail_bound", "adjacent_misalignment", "adjacent_bound",
           "nuclear_tail_bound", "adjacent_bound_sharp"]


class DeepLinearTrace(NamedTuple):
    """Result of :func:`train_deep_linear`.

    Attributes
    ----------
    steps : ndarray of int, shape (k,)
        The recorded steps.
    params : list of list of ndarray
        ``params[r]`` the weights ``[W_1, ..., W_L]`` at record ``r``.
    eps : ndarray of shape (k,)
        :math:`\\varepsilon(t) = \\eta^2\\sum_{s<t}\\|\\nabla\\mathcal R(W(s))\\|^2`.
    eps_layer : ndarray of shape (k, L)
        :math:`\\eta^2\\sum_{s<t}\\|G_k(s)\\|_F^2`; its rows sum to ``eps``.
    log_risk : ndarray of shape (k,)
        :math:`\\ln\\mathcal R(W(t))`.
    descent_ratio : float
        :math:`\\min_t\\,(\\mathcal R(W(t)) - \\mathcal R(W(t+1))) /
        (\\frac\\eta2\\|\\nabla\\mathcal R(W(t))\\|^2)` over all steps (``inf`` if every gradient
        vanished); :math:`\\ge1` means the descent inequality held at every step.
    step : float
    loss : str
    """
    steps: np.ndarray
    params: list
    eps: np.ndarray
    eps_layer: np.ndarray
    log_risk: np.ndarray
    descent_ratio: float
    step: float
    loss: str


def train_deep_linear(X, y, params, *, loss="logistic", step=0.5, n_steps=1000,
                      record_at=None, num_records=30):
    r"""Constant-step gradient descent on a deep linear network, recording the error term.

    .. math:: W_k(t+1) = W_k(t) - \eta\,G_k(t),\qquad
              \varepsilon(t) = \eta^2\sum_{s<t}\sum_k\|G_k(s)\|_F^2 .

    The gradient is formed in the log domain as in :mod:`ibias_lib.networks`
    (:math:`\nabla\mathcal R = e^{s}G`, :math:`G` of order one); the risk decrease of each step
    is computed as :math:`\mathcal R(t)(1 - e^{\ln\mathcal R(t+1) - \ln\mathcal R(t)})`, so the
    descent ratio stays accurate at tiny risks.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}
    params : list of ndarray
        Initial weights ``[W_1, ..., W_L]`` (not modified), e.g. from
        :func:`ibias_lib.init_network`.
    loss : {'logistic', 'exp'}
    step : float > 0
    n_steps : int >= 1
    record_at : 1D int array, optional
        Steps to record (0 allowed); default ``log_spaced_steps(n_steps, num_records, start=0)``.
    num_records : int

    Returns
    -------
    DeepLinearTrace

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> from ibias_lib.deep_linear import train_deep_linear
    >>> X, y = ib.planted_data(20, 3, margin=0.2, seed=0)
    >>> p0 = ib.init_network(np.random.default_rng(0), (3, 4, 1), scale=0.3)
    >>> tr = train_deep_linear(X, y, p0, step=0.5, n_steps=200, num_records=5)
    >>> bool(tr.log_risk[-1] < tr.log_risk[0] and tr.eps[0] == 0)
    True
    """
    params, X, y, _, loss = _check_net_inputs(params, X, y, "linear", loss)
    eta = _v.check_positive(step, "step")
    n_steps = _v.check_int(n_steps, "n_steps", minimum=1)
    if record_at is None:
        from .optim import log_spaced_steps
        record_at = log_spaced_steps(n_steps, num_records, start=0)
    else:
        record_at = _check_record_at(record_at, n_steps, num_records)
    return _run(X, y, [W.copy() for W in params], loss, eta, record_at)


def _check_not_diverged(P, log_xmax, t, eta):
    """|margin| <= prod_k ||W_k||_F * max_i ||x_i||; past e^700 the forward pass overflows."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        log_bound = sum(np.log(np.linalg.norm(W)) for W in P) + log_xmax
    if np.isnan(log_bound) or log_bound > 700:      # -inf (a zero layer) is fine
        raise FloatingPointError(f"gradient descent diverged at step {t}: the margins may exceed "
                                 f"e^700 (prod ||W_k||_F * max ||x_i|| = e^{log_bound:.4g}) with "
                                 f"step={eta:g}. Use a smaller step.")


def _run(X, y, P, loss, eta, record_at):
    """The loop of :func:`train_deep_linear` (trusts its inputs)."""
    L = len(P)
    log_xmax = float(np.log(np.max(np.linalg.norm(X, axis=1))))
    _check_not_diverged(P, log_xmax, 0, eta)
    _, log_r, log_s, G, _, _ = _risk_parts(P, X, y, loss, "linear")
    eps_layer = np.zeros(L)
    recs, ratio, t = [], np.inf, 0
    for target in record_at:
        while t < target:
            with np.errstate(over="ignore", invalid="ignore"):   # a diverging run raises below
                gsq = np.array([np.sum(g * g) for g in G])      # ||G_k||_F^2 / e^{2s}
                P = [W - eta * np.exp(log_s) * g for W, g in zip(P, G)]
            _check_not_diverged(P, log_xmax, t + 1, eta)
            eps_layer += eta ** 2 * np.exp(2 * log_s) * gsq
            log_guaranteed = np.log(0.5 * eta * gsq.sum()) + 2 * log_s if gsq.sum() > 0 \
                else -np.inf
            _, log_r_next, log_s, G, _, _ = _risk_parts(P, X, y, loss, "linear")
            if np.isfinite(log_guaranteed):  # (R(t) - R(t+1)) / (eta/2 ||grad R||^2), in logs
                ratio = min(ratio, -np.expm1(log_r_next - log_r) * np.exp(log_r - log_guaranteed))
            log_r = log_r_next
            t += 1
        recs.append(([W.copy() for W in P], eps_layer.copy(), float(log_r)))
    eps_l = np.array([e for _, e, _ in recs])
    return DeepLinearTrace(steps=np.asarray(record_at).copy(), params=[p for p, _, _ in recs],
                           eps=eps_l.sum(axis=1), eps_layer=eps_l,
                           log_risk=np.array([r for _, _, r in recs]),
                           descent_ratio=float(ratio), step=eta, loss=loss)


# ---------------------------------------------------------------- the quantities of Lemma 2

def alignment_constant(params0):
    r"""The constant :math:`\Delta` (:math:`D` in Ji & Telgarsky 2019, Lemma 2) of the initial
    weights:

    .. math:: \Delta = \max_k\|W_k(0)\|_F^2 - \|W_L(0)\|_F^2 + \sum_{k<L}\|W_{k+1}(0)^\top
              W_{k+1}(0) - W_k(0)W_k(0)^\top\|_2 .

    Zero exactly when the initialization is balanced (:math:`D_k(0) = 0` for all k).
    """
    fro2 = [np.sum(W * W) for W in params0]
    return float(max(fro2) - fro2[-1]
                 + sum(np.linalg.norm(C, 2) for C in layer_balance(params0)))


def tail_energy(params):
    r"""Return :math:`\|W_k\|_F^2 - \|W_k\|_2^2 = \sum_{j\ge2}\sigma_j(W_k)^2` for every layer,
    shape (L,)."""
    out = []
    for W in params:
        s = np.linalg.svd(W, compute_uv=False)
        out.append(float(np.sum(s[1:] ** 2)))
    return np.array(out)


def tail_bound(params0, eps):
    r"""Lemma 2 (first part) of Ji & Telgarsky (2019) with the gradient-descent error term:
    :math:`\|W_k(t)\|_F^2 - \|W_k(t)\|_2^2 \le \Delta + \varepsilon(t)` for every k.

    Proof (the paper's, with the error kept): :math:`\|W_k\|_F^2 = \|W_{k+1}\|_F^2 -
    \operatorname{tr}D_k` and, by Weyl, :math:`\|W_k\|_2^2 \ge \|W_{k+1}\|_2^2 -
    \lambda_{\max}(D_k)`; sum from k to L-1 (:math:`W_L` has rank one), and use
    :math:`D_k(t) = D_k(0) + \eta^2\sum_s(G_{k+1}^\top G_{k+1} - G_kG_k^\top)`.

    Returns the bound (a float, the same for every layer) for each ``eps`` (array-like).
    """
    return alignment_constant(params0) + np.asarray(eps, dtype=float)


def nuclear_tail_bound(params0, eps_layer):
    r"""The Ky Fan variant of the tail bound (the chapter's proposition), discrete form:

    .. math:: \sum_{j\ge2}\sigma_j(W_k(t))^2 \le \sum_{i=k}^{L-1}\Big(\|D_i(0)\|_* +
              \eta^2\sum_{s<t}\big(\|G_i(s)\|_F^2 + \|G_{i+1}(s)\|_F^2\big)\Big)

    (Ky Fan: the sum of the eigenvalues of :math:`W_kW_k^\top` after the first is at most that
    of :math:`W_{k+1}^\top W_{k+1}` plus :math:`\|D_k\|_*`; the nuclear norm of
    :math:`G^\top G` is :math:`\|G\|_F^2`).

    Parameters
    ----------
    params0 : list of ndarray
    eps_layer : array of shape (k, L)
        :attr:`DeepLinearTrace.eps_layer`.

    Returns
    -------
    ndarray of shape (k, L-1): the bound for layers 1..L-1 at each record.
    """
    e = np.atleast_2d(np.asarray(eps_layer, dtype=float))
    nuc0 = np.array([np.linalg.norm(C, "nuc") for C in layer_balance(params0)])
    per_i = nuc0[None, :] + e[:, :-1] + e[:, 1:]
    return np.cumsum(per_i[:, ::-1], axis=1)[:, ::-1]


def adjacent_misalignment(params):
    r"""Return :math:`1 - \langle v_{k+1}, u_k\rangle^2` for k = 1..L-1, shape (L-1,), computed
    as :math:`\|v_{k+1} - \langle v_{k+1},u_k\rangle u_k\|^2` (accurate when tiny)."""
    svds = [np.linalg.svd(W) for W in params]
    out = []
    for k in range(len(params) - 1):
        u, v = svds[k][0][:, 0], svds[k + 1][2][0]
        out.append(float(np.sum((v - (v @ u) * u) ** 2)))
    return np.array(out)


def adjacent_bound(params0, params, eps):
    r"""Lemma 2 (second part) of Ji & Telgarsky (2019) with the gradient-descent error term:

    .. math:: 1 - \langle v_{k+1}, u_k\rangle^2 \le \frac{\Delta + \|W_k(0)\|_2^2 +
              \|W_{k+1}(0)\|_2^2 + 2\varepsilon(t)}{\|W_{k+1}(t)\|_2^2}.

    Proof: :math:`v_{k+1}^\top W_kW_k^\top v_{k+1} = \|W_{k+1}\|_2^2 - v_{k+1}^\top D_kv_{k+1}`
    is at most :math:`\|W_k\|_2^2\langle v_{k+1},u_k\rangle^2 + (\|W_k\|_F^2-\|W_k\|_2^2)`, and
    :math:`\|W_k\|_2^2 \le \|W_{k+1}\|_2^2 - \lambda_{\min}(D_k)`; then
    :math:`-\lambda_{\min}(D_k(t)) \le \|W_k(0)\|_2^2 + \eta^2\sum_s\|G_k\|_F^2` and
    :math:`\lambda_{\max}(D_k(t)) \le \|W_{k+1}(0)\|_2^2 + \eta^2\sum_s\|G_{k+1}\|_F^2`.

    Returns the bound for k = 1..L-1, shape (L-1,), at the weights ``params`` with error ``eps``.
    """
    D = alignment_constant(params0)
    spec0 = [np.linalg.norm(W, 2) ** 2 for W in params0]
    spec = [np.linalg.norm(W, 2) ** 2 for W in params]
    return np.array([(D + spec0[k] + spec0[k + 1] + 2 * float(eps)) / spec[k + 1]
                     for k in range(len(params) - 1)])


def adjacent_bound_sharp(params0, params, eps):
    r"""A perturbation bound on the alignment of adjacent layers (the chapter's proposition):

    .. math:: 1 - \langle v_{k+1}, u_k\rangle^2 \le
              \frac{(\|D_k(0)\|_2 + \varepsilon(t))^2}
                   {\big(\|W_{k+1}(t)\|_2^2 - \|D_k(0)\|_2 - \Delta - 2\varepsilon(t)\big)^2}
              \quad\text{when the base of the denominator is positive.}

    Proof: :math:`u_k` is the top eigenvector of :math:`W_kW_k^\top = A - D_k`,
    :math:`A = W_{k+1}^\top W_{k+1}`, whose top eigenvector is :math:`v_{k+1}`. Write
    :math:`u_k = cv_{k+1} + sw` with :math:`w\perp v_{k+1}` a unit vector; the eigen-equation
    tested against :math:`w` gives :math:`s(\lambda - w^\top Aw) = -w^\top D_ku_k`, with
    :math:`\lambda\ge\|W_{k+1}\|_2^2 - \|D_k\|_2` and :math:`w^\top Aw\le\sigma_2(W_{k+1})^2\le
    \Delta + \varepsilon` (:func:`tail_bound`); finally :math:`\|D_k(t)\|_2\le\|D_k(0)\|_2 +
    \varepsilon(t)`. The bound decays like :math:`\|W_{k+1}\|_2^{-4}`, the Lemma-2 bound of
    :func:`adjacent_bound` like :math:`\|W_{k+1}\|_2^{-2}`.

    Returns the bound for k = 1..L-1, shape (L-1,); ``inf`` where it does not apply yet.
    """
    D = alignment_constant(params0)
    c0 = [np.linalg.norm(C, 2) for C in layer_balance(params0)]
    spec = [np.linalg.norm(W, 2) ** 2 for W in params]
    e = float(eps)
    out = []
    for k in range(len(params) - 1):
        base = spec[k + 1] - c0[k] - D - 2 * e
        out.append((c0[k] + e) ** 2 / base ** 2 if base > 0 else np.inf)
    return np.array(out)
