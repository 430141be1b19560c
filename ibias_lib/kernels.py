r"""Kernel predictors: the RBF SVM solved explicitly, and gradient descent in function space.

A kernel model is :math:`f = \sum_j \alpha_j k(x_j,\cdot)` in the reproducing-kernel Hilbert
space :math:`\mathcal H` of :math:`k`. With the Gram matrix :math:`K_{ij} = k(x_i, x_j)`,

.. math:: f(x_i) = (K\alpha)_i, \qquad \|f\|_{\mathcal H}^2 = \alpha^\top K\alpha .

**Explicit.** The hard-margin SVM without bias, :math:`\min \tfrac12\|f\|_{\mathcal H}^2` s.t.
:math:`y_if(x_i)\ge1`, has its solution in the span of the :math:`k(x_i,\cdot)` (representer
theorem). Factor :math:`K = LL^\top`; with :math:`v = L^\top\alpha` the problem becomes the
*linear* SVM without bias on the rows of :math:`L`, :math:`\min\tfrac12\|v\|^2` s.t.
:math:`y_iL_i^\top v\ge1`, which :func:`ibias_lib.max_margin` solves exactly. Its KKT
multipliers :math:`\lambda` give :math:`\hat v = L^\top(y\odot\lambda)`, so
:math:`\hat\alpha = y\odot\lambda`.

**Implicit.** Gradient descent in :math:`\mathcal H` on
:math:`\widehat{\mathcal R}(f) = \frac1n\sum_i\ell(y_if(x_i))` moves along the functional
gradient :math:`\frac1n\sum_i\ell'(y_if(x_i))\,y_i\,k(x_i,\cdot)`, i.e.
:math:`\alpha \mathrel{+}= \frac{\eta}{n}\,|\ell'(m)|\odot y`. It is exactly linear GD on the
rows of :math:`L` (:math:`v_t = L^\top\alpha_t`), so on separable data its normalized RKHS margin
:math:`\min_iy_if_t(x_i)/\|f_t\|_{\mathcal H}` tends to the SVM's (Soudry et al. 2018; Ji &
Telgarsky 2021, at rate :math:`O(\ln n/t)` with normalized steps when :math:`k(x,x)\le1`).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validation as _v
from .losses import log_losses, log_neg_derivs
from .max_margin import max_margin
from .numerics import logsumexp
from .margins import smoothed_margin_from_margins
from .optim import Trace, _check_record_at, run

__all__ = ["rbf_kernel", "kernel_features", "KernelMaxMarginResult", "kernel_max_margin",
           "rkhs_margin", "kernel_gd", "rings_data"]


# ---------------------------------------------------------------- checks

def _check_gram(K, y=None):
    K = _v.check_X(K, name="K")
    n = K.shape[0]
    if K.shape[1] != n:
        raise ValueError(f"K must be a square Gram matrix of shape (n_samples, n_samples); got "
                         f"shape {K.shape}. Pass rbf_kernel(X, X), not rbf_kernel(X, Z).")
    scale = max(np.abs(K).max(), 1e-300)
    if np.abs(K - K.T).max() > 1e-10 * scale:
        raise ValueError(f"K must be symmetric; max |K - K.T| = {np.abs(K - K.T).max():.2e}. "
                         f"Symmetrize with K = (K + K.T) / 2 if the asymmetry is round-off.")
    if y is not None:
        y = _v.check_y(y, n)
    return K, y


def _psd_factor(K, rtol):
    """Return L with K = L L^T up to eigenvalues <= rtol * max eigenvalue (dropped)."""
    s, U = np.linalg.eigh(K)
    smax = s.max()
    if smax <= 0 or s.min() < -1e-8 * smax:
        raise ValueError(f"K must be positive semidefinite; its eigenvalues range from "
                         f"{s.min():.3e} to {smax:.3e}. Use a valid kernel (e.g. rbf_kernel) "
                         f"on the training points.")
    keep = s > rtol * smax
    return U[:, keep] * np.sqrt(s[keep])


# ---------------------------------------------------------------- public API

def rbf_kernel(X, Z=None, *, bandwidth=1.0):
    r"""Return the Gaussian (RBF) kernel matrix :math:`k(x,z)=\exp(-\|x-z\|^2/(2\sigma^2))`.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    Z : array of shape (m_samples, n_features), optional
        Defaults to ``X`` (the Gram matrix).
    bandwidth : float > 0
        :math:`\sigma`. (scikit-learn's ``gamma`` is :math:`1/(2\sigma^2)`.)

    Returns
    -------
    ndarray of shape (n_samples, m_samples)
        Entries in (0, 1], with :math:`k(x, x) = 1`: every feature vector
        :math:`k(x,\cdot)` has unit norm in :math:`\mathcal H`.

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> np.round(ib.rbf_kernel(X, bandwidth=1.0), 6)    # exp(-1/2) off the diagonal
    array([[1.      , 0.606531],
           [0.606531, 1.      ]])
    """
    X, Z = _v.check_X_pair(X, Z)
    s = _v.check_positive(bandwidth, "bandwidth")
    c = max(float(np.abs(X).max()), float(np.abs(Z).max()))
    if 1e-100 <= c <= 1e100 and 1e-100 <= s <= 1e100:
        # ||x - z||^2 = ||x||^2 + ||z||^2 - 2 x.z, clipped at 0 against round-off
        sq = (X ** 2).sum(1)[:, None] + (Z ** 2).sum(1)[None, :] - 2.0 * X @ Z.T
        return np.exp(-np.maximum(sq, 0.0) / (2.0 * s * s))
    # extreme scales: distances of X/c, times (c/sigma)^2 formed in logs (no inf * 0)
    c = c or 1.0
    Xs, Zs = X / c, Z / c
    sq = np.maximum((Xs ** 2).sum(1)[:, None] + (Zs ** 2).sum(1)[None, :] - 2.0 * Xs @ Zs.T,
                    0.0)
    with np.errstate(over="ignore", divide="ignore"):
        log_f = 2.0 * (np.log(c) - np.log(s)) - np.log(2.0)
        expo = np.where(sq > 0, -np.exp(np.log(np.where(sq > 0, sq, 1.0)) + log_f), 0.0)
    return np.exp(expo)


def kernel_features(K, *, rtol=1e-12):
    r"""Return a feature matrix :math:`L` of shape (n, r) with :math:`K \approx LL^\top`.

    From the eigendecomposition :math:`K = U\operatorname{diag}(s)U^\top`:
    :math:`L = U_{:,S}\operatorname{diag}(\sqrt{s_S})` over the eigenvalues
    :math:`s_j > \mathrm{rtol}\cdot\max s`. The rows :math:`L_i` are coordinates of the feature
    vectors :math:`k(x_i,\cdot)` in an orthonormal basis of their span, so
    :math:`\langle L_i, L_j\rangle = K_{ij}` and :math:`\|L_i\| = \sqrt{k(x_i,x_i)}`.
    RBF Gram matrices are positive definite but numerically of low rank; dropping eigenvalues
    below ``rtol`` changes :math:`K` by at most ``rtol * max(s)`` in operator norm.
    """
    K, _ = _check_gram(K)
    rtol = _v.check_positive(rtol, "rtol")
    return _psd_factor(K, rtol)


class KernelMaxMarginResult(NamedTuple):
    """Result of :func:`kernel_max_margin`.

    Attributes
    ----------
    alpha : ndarray of shape (n_samples,)
        Coefficients of the SVM solution :math:`\\hat f = \\sum_j\\hat\\alpha_jk(x_j,\\cdot)`,
        scaled so that :math:`\\min_iy_i\\hat f(x_i) = 1`; :math:`\\hat\\alpha = y\\odot\\lambda`.
    gamma : float
        The RKHS max margin :math:`\\gamma_{\\mathcal H} = 1/\\|\\hat f\\|_{\\mathcal H}
        = \\max_{\\|f\\|_{\\mathcal H}\\le1}\\min_iy_if(x_i)`.
    dual : ndarray of shape (n_samples,)
        KKT multipliers :math:`\\lambda\\ge0`, nonzero only on support vectors.
    support : ndarray of int
        Indices with :math:`\\lambda_i > 0`.
    rank : int
        Number of eigenvalues of K kept in the factorization.
    """
    alpha: np.ndarray
    gamma: float
    dual: np.ndarray
    support: np.ndarray
    rank: int


def kernel_max_margin(K, y, *, rtol=1e-12):
    r"""Solve the hard-margin kernel SVM without bias exactly (explicit bias).

    .. math:: \min_{f\in\mathcal H}\ \tfrac12\|f\|_{\mathcal H}^2
              \quad\text{s.t.}\quad y_if(x_i)\ge1\ \ \forall i.

    Factor :math:`K = LL^\top` (:func:`kernel_features`) and solve the linear SVM without bias
    on the rows of :math:`L` with :func:`ibias_lib.max_margin`; its multipliers give
    :math:`\hat\alpha = y\odot\lambda`. Unlike ``sklearn.svm.SVC(kernel="precomputed")`` there is
    no intercept: the bias-free problem is the one gradient descent on :math:`f` solves implicitly.

    Parameters
    ----------
    K : array of shape (n_samples, n_samples)
        Positive semidefinite Gram matrix, e.g. ``rbf_kernel(X, X, bandwidth=...)``.
    y : array of shape (n_samples,), entries in {-1, +1}
    rtol : float
        Relative eigenvalue cutoff of the factorization.

    Returns
    -------
    KernelMaxMarginResult

    Raises
    ------
    ValueError
        If no :math:`f\in\mathcal H` has every :math:`y_if(x_i)>0` (e.g. a repeated point with
        both labels).

    Examples
    --------
    >>> import numpy as np, ibias_lib as ib
    >>> X, y = ib.rings_data(20, seed=0)
    >>> svm = ib.kernel_max_margin(ib.rbf_kernel(X, bandwidth=0.3), y)
    >>> bool(svm.gamma > 0), len(svm.support) <= 20
    (True, True)
    """
    K, y = _check_gram(K, y)
    rtol = _v.check_positive(rtol, "rtol")
    L = _psd_factor(K, rtol)
    try:
        res = max_margin(L, y)
    except ValueError:
        raise ValueError("no function of the RKHS separates the data: the kernel SVM without "
                         "bias is infeasible. Check for repeated points with opposite labels, "
                         "or use a smaller bandwidth.") from None
    return KernelMaxMarginResult(alpha=y * res.dual, gamma=res.gamma, dual=res.dual,
                                 support=res.support, rank=L.shape[1])


def _rkhs_norm(K, alpha):
    return float(np.sqrt(max(alpha @ K @ alpha, 0.0)))


def rkhs_margin(K, y, alpha):
    r"""Return the normalized RKHS margin :math:`\min_iy_if(x_i)/\|f\|_{\mathcal H}`.

    For :math:`f = \sum_j\alpha_jk(x_j,\cdot)`: :math:`f(x_i) = (K\alpha)_i` and
    :math:`\|f\|_{\mathcal H} = \sqrt{\alpha^\top K\alpha}`. Scale invariant in :math:`\alpha`,
    and at most :math:`\gamma_{\mathcal H}` (:func:`kernel_max_margin`) for every :math:`f`.
    """
    K, y = _check_gram(K, y)
    alpha = _v.check_w(alpha, K.shape[0], name="alpha", allow_zero=False)
    nrm = _rkhs_norm(K, alpha)
    if nrm == 0:
        raise ValueError("alpha gives the zero function (alpha^T K alpha = 0); the normalized "
                         "margin is undefined. Pass coefficients of a nonzero f.")
    return float((y * (K @ alpha)).min() / nrm)


def _kernel_update(K, y, loss, eta, normalized):
    """Return ``alpha -> alpha_next``: GD in the RKHS (internal, trusts inputs).

    alpha += eta * c * y * softmax(log|l'(m)|), with log c = lse(log|l'|) - ln n (constant
    step) or lse(log|l'|) - lse(log l) (normalized step eta / R).
    """
    log_n = np.log(y.shape[0])

    def update(alpha):
        m = y * (K @ alpha)
        a = log_neg_derivs(m, loss)
        amax = a.max()
        e = np.exp(a - amax)
        se = e.sum()
        lse_a = amax + np.log(se)
        log_c = lse_a - (logsumexp(log_losses(m, loss)) if normalized else log_n)
        return alpha + (eta * np.exp(log_c) / se) * (e * y)
    return update


def _kernel_metrics(K, y, loss):
    log_n = np.log(y.shape[0])

    def record(alpha):
        m = y * (K @ alpha)
        # ||f||^2 = alpha^T K alpha; clipped at 0 against round-off
        nrm = float(np.sqrt(max(alpha @ (K @ alpha), 0.0)))
        log_r = logsumexp(log_losses(m, loss)) - log_n
        if nrm > 0:
            mg, sm = m.min() / nrm, smoothed_margin_from_margins(m, nrm, loss)
        else:
            mg = sm = np.nan
        return {"w": alpha, "margin": mg, "smoothed_margin": sm, "log_risk": log_r,
                "norm": nrm}
    return record


def kernel_gd(K, y, *, loss="exp", step=1.0, normalized=True, n_steps=1000, alpha0=None,
              record_at=None, num_records=100):
    r"""Gradient descent in the RKHS on the unregularized risk (implicit bias).

    .. math:: f_{t+1} = f_t - \eta_t\nabla_{\mathcal H}\widehat{\mathcal R}(f_t),\qquad
              \nabla_{\mathcal H}\widehat{\mathcal R}(f) = \frac1n\sum_i\ell'(y_if(x_i))\,y_i\,k(x_i,\cdot),

    i.e. :math:`\alpha_{t+1} = \alpha_t + \frac{\eta_t}{n}\,|\ell'(m_t)|\odot y` with margins
    :math:`m_t = y\odot K\alpha_t`. With ``normalized=True`` the step is
    :math:`\eta_t = \eta/\widehat{\mathcal R}(f_t)` (for the exponential loss,
    :math:`\alpha \mathrel{+}= \eta\, y\odot\operatorname{softmax}(-m)`), computed from logs so
    it never overflows. Since :math:`K = LL^\top` makes this linear GD on the rows of
    :math:`L`, the normalized RKHS margin tends to :math:`\gamma_{\mathcal H}` of
    :func:`kernel_max_margin` (Ji & Telgarsky 2021: gap :math:`O(\ln n/t)` for normalized steps
    when :math:`k(x,x)\le1`, :math:`\eta\le1`).

    Parameters
    ----------
    K : array of shape (n_samples, n_samples)
        Positive semidefinite Gram matrix.
    y : array of shape (n_samples,), entries in {-1, +1}
    loss : {'exp', 'logistic'}
    step : float > 0
        :math:`\eta`.
    normalized : bool
        Steps :math:`\eta/\widehat{\mathcal R}(f_t)` (default) or the constant :math:`\eta`.
    n_steps : int >= 1
    alpha0 : array of shape (n_samples,), optional
        Initial coefficients (default 0, the zero function).
    record_at, num_records
        As in :func:`ibias_lib.gd`.

    Returns
    -------
    Trace
        ``w`` holds the coefficients :math:`\alpha_t`, ``margin`` the normalized RKHS margin
        :math:`\min_iy_if_t(x_i)/\|f_t\|_{\mathcal H}`, ``norm`` :math:`\|f_t\|_{\mathcal H}`.

    Examples
    --------
    >>> import ibias_lib as ib
    >>> X, y = ib.rings_data(20, seed=0)
    >>> K = ib.rbf_kernel(X, bandwidth=0.3)
    >>> tr = ib.kernel_gd(K, y, n_steps=200)
    >>> bool(0 < tr.margin[-1] <= ib.kernel_max_margin(K, y).gamma)
    True
    """
    K, y = _check_gram(K, y)
    ev = np.linalg.eigvalsh(K)
    if ev.max() <= 0 or ev.min() < -1e-8 * max(ev.max(), 0.0):
        raise ValueError(f"K must be a positive semidefinite Gram matrix (a kernel's values "
                         f"on the training points); its eigenvalues range from {ev.min():.3e} "
                         f"to {ev.max():.3e}. Use e.g. rbf_kernel(X) or K = F @ F.T.")
    loss = _v.check_loss(loss)
    eta = _v.check_positive(step, "step")
    n_steps = _v.check_int(n_steps, "n_steps", minimum=1)
    n = K.shape[0]
    alpha0 = np.zeros(n) if alpha0 is None else _v.check_w(alpha0, n, name="alpha0").copy()
    rec = _check_record_at(record_at, n_steps, num_records)
    records, _ = run(_kernel_update(K, y, loss, eta, bool(normalized)), alpha0, n_steps, rec,
                     _kernel_metrics(K, y, loss))
    method = f"kernel_{'normalized_' if normalized else ''}gd(step={eta:g})"
    return Trace(steps=rec.copy(), w=records["w"], margin=records["margin"],
                 smoothed_margin=records["smoothed_margin"], log_risk=records["log_risk"],
                 norm=records["norm"], loss=loss, method=method)


def rings_data(n, *, radii=(0.4, 0.6), seed=0):
    r"""Two seeded concentric classes in the unit disk: not linearly separable in the input.

    ``n // 2`` points uniform in the disk of radius ``radii[0]`` get :math:`y=+1`; the others,
    uniform in the annulus ``radii[1]`` :math:`\le\|x\|\le1`, get :math:`y=-1`. The gap between
    the radii keeps the classes apart; no line separates them, but the RBF kernel and sums of
    decision stumps do (the disk is :math:`\{x_1^2 + x_2^2 < r^2\}`, an additive rule).

    Returns
    -------
    X : ndarray of shape (n, 2)
    y : ndarray of shape (n,), entries in {-1, +1}
    """
    n = _v.check_int(n, "n", minimum=2)
    r_in, r_out = (float(r) for r in radii)
    if not 0 < r_in < r_out < 1:
        raise ValueError(f"radii must satisfy 0 < radii[0] < radii[1] < 1; got {radii!r}.")
    rng = np.random.default_rng(seed)
    n_pos = n // 2
    # uniform on an annulus a <= r <= b: r = sqrt(U(a^2, b^2)), angle uniform
    r = np.sqrt(np.concatenate([rng.uniform(0, r_in ** 2, n_pos),
                                rng.uniform(r_out ** 2, 1.0, n - n_pos)]))
    theta = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    y = np.concatenate([np.ones(n_pos), -np.ones(n - n_pos)])
    return X, y
