r"""First-order methods on the linear risk, and the one loop that records them.

Gradient descent on :math:`\widehat{\mathcal R}(w) = \frac1n\sum_i\ell(y_ix_i^\top w)`:

.. math:: w_{t+1} = w_t - \eta_t \nabla\widehat{\mathcal R}(w_t),

* **constant steps** :math:`\eta_t = \eta` (:func:`gd`): margin gap :math:`O(\ln n/\ln t)`;
* **normalized steps** :math:`\eta_t = \eta/\widehat{\mathcal R}(w_t)` (:func:`normalized_gd`):
  margin gap :math:`O(\ln n / t)` (Ji & Telgarsky, ALT 2021, for the exponential loss with
  :math:`\|x_i\|\le 1`, :math:`\eta\le 1`).

With :math:`A` the matrix of rows :math:`y_ix_i`, the gradient is
:math:`\nabla\widehat{\mathcal R}(w) = -\frac1n\sum_i|\ell'(m_i)|a_i = -e^{s}A^\top q` where
:math:`q=\operatorname{softmax}(\log|\ell'(m)|)` and :math:`s=\operatorname{logsumexp}(\log|\ell'(m)|)-\ln n`.
The normalized step multiplies by :math:`1/\widehat{\mathcal R} = e^{-\operatorname{logsumexp}(\log\ell(m)) + \ln n}`,
so the update is :math:`w \mathrel{+}= \eta\, e^{\operatorname{lse}(\log|\ell'|) - \operatorname{lse}(\log\ell)} A^\top q`:
every factor is finite for any margins (for the exponential loss the factor is exactly 1, and
normalized GD is the dual-weighted update :math:`w \mathrel{+}= \eta A^\top q`).

Each method is a pure step (``gd_step``, ``normalized_gd_step``) plus the shared loop
:func:`run`, which records metrics only at chosen steps (log-spaced by default) into
preallocated arrays and returns an immutable :class:`Trace`.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Callable, Mapping, NamedTuple

import numpy as np

from . import _validation as _v
from .losses import log_losses, log_neg_derivs
from .margins import smoothed_margin_from_margins
from .numerics import logsumexp, scaled, softmax

__all__ = ["Trace", "log_spaced_steps", "run", "gd_step", "normalized_gd_step", "gd",
           "normalized_gd", "linear_metrics"]


class Trace(NamedTuple):
    """An immutable record of a run, one entry per recorded step.

    Attributes
    ----------
    steps : ndarray of int, shape (k,)
        The iteration counts t at which metrics were recorded.
    w : ndarray, shape (k, n_features)
        The iterates :math:`w_t`.
    margin : ndarray, shape (k,)
        :math:`\\min_i y_ix_i^\\top w_t/\\|w_t\\|` (NaN only where :math:`w_t = 0`).
    smoothed_margin : ndarray, shape (k,)
        :math:`\\ell^{-1}(\\sum_i\\ell_i)/\\|w_t\\|` for the run's loss.
    log_risk : ndarray, shape (k,)
        :math:`\\log\\widehat{\\mathcal R}(w_t)`.
    norm : ndarray, shape (k,)
        :math:`\\|w_t\\|`.
    loss : str
        ``'exp'`` or ``'logistic'``.
    method : str
        A short description, e.g. ``'gd(step=1)'``.
    extra : Mapping[str, ndarray]
        Further per-record arrays some methods add (read-only mapping).
    """
    steps: np.ndarray
    w: np.ndarray
    margin: np.ndarray
    smoothed_margin: np.ndarray
    log_risk: np.ndarray
    norm: np.ndarray
    loss: str
    method: str
    extra: Mapping = MappingProxyType({})

    def gap(self, gamma):
        """Return the margin gap ``gamma - margin`` at each recorded step."""
        return gamma - self.margin

    def __repr__(self):
        return (f"Trace(method={self.method!r}, loss={self.loss!r}, records={len(self.steps)}, "
                f"last step={int(self.steps[-1]) if len(self.steps) else None}, "
                f"final margin={self.margin[-1] if len(self.steps) else float('nan'):.6g})")


def log_spaced_steps(n_steps, num=100, *, start=1):
    """Return about ``num`` distinct integers, log-spaced from ``start`` to ``n_steps``.

    Always includes ``start`` and ``n_steps``. ``start=0`` adds the initial point.
    """
    n_steps = _v.check_int(n_steps, "n_steps", minimum=0)
    num = _v.check_int(num, "num", minimum=1)
    start = _v.check_int(start, "start", minimum=0)
    if start > n_steps:
        raise ValueError(f"start={start} is beyond n_steps={n_steps}: the recorded steps must "
                         f"lie in [start, n_steps]. Use start <= n_steps.")
    if n_steps == 0:
        return np.array([0])
    pts = np.unique(np.round(np.geomspace(max(start, 1), n_steps, num)).astype(int))
    if start == 0:
        pts = np.concatenate([[0], pts])
    return pts


def _check_record_at(record_at, n_steps, num_records):
    if record_at is None and num_records is None:
        raise ValueError("record_at is required: pass the steps at which to record, e.g. "
                         "ib.log_spaced_steps(n_steps).")
    if record_at is None:
        return log_spaced_steps(n_steps, num_records)
    r = np.asarray(record_at)
    if r.dtype == bool or r.ndim != 1 or r.size == 0 or not np.issubdtype(r.dtype, np.integer):
        raise ValueError(f"record_at must be a non-empty 1D array of integer steps; got "
                         f"{record_at!r}.")
    if r.min() < 0 or r.max() > n_steps or np.any(np.diff(r) <= 0):
        raise ValueError(f"record_at must be strictly increasing steps within [0, n_steps="
                         f"{n_steps}]; got values from {r.min()} to {r.max()}.")
    return r.astype(int)


def run(update: Callable, state, n_steps: int, record_at, record: Callable):
    """The library's one loop: apply ``update`` ``n_steps`` times, record at ``record_at``.

    Parameters
    ----------
    update : callable
        ``state -> state``, one step of a method (pure: returns a new state).
    state
        The initial state (step 0).
    n_steps : int
    record_at : 1D int array
        Strictly increasing steps in [0, n_steps] at which to call ``record``.
    record : callable
        ``state -> dict[str, float | ndarray]``; arrays of fixed shape per key.

    Returns
    -------
    records : dict[str, ndarray]
        Each key's values stacked along a first axis of length ``len(record_at)``, read-only.
    state
        The final state.
    """
    n_steps = _v.check_int(n_steps, "n_steps", minimum=0)
    record_at = _check_record_at(record_at, n_steps, None)
    out = None
    k = 0
    t = 0
    for target in record_at:
        while t < target:
            state = update(state)
            t += 1
        values = record(state)
        if out is None:   # preallocate once the shapes are known
            out = {key: np.empty((len(record_at),) + np.shape(v)) for key, v in values.items()}
        for key, v in values.items():
            out[key][k] = v
        k += 1
    while t < n_steps:
        state = update(state)
        t += 1
    for arr in out.values():
        arr.setflags(write=False)
    return out, state


# ---------------------------------------------------------------- kernels (trust inputs)

def _gd_kernel(A, loss, eta, normalized):
    """Return ``w -> w_next`` for GD on the risk with rows A (internal)."""
    n = A.shape[0]
    log_n = np.log(n)
    if loss == "exp":
        if normalized:
            def update(w):  # w += eta * A^T softmax(-m)
                a = -(A @ w)
                e = np.exp(a - a.max())
                return w + (eta / e.sum()) * (e @ A)
        else:
            def update(w):  # w += eta * exp(lse(-m) - ln n) * A^T softmax(-m)
                a = -(A @ w)
                amax = a.max()
                e = np.exp(a - amax)
                se = e.sum()
                coef = eta * np.exp(amax + np.log(se) - log_n)
                return w + (coef / se) * (e @ A)
        return update

    def update(w):
        m = A @ w
        a = log_neg_derivs(m, loss)
        amax = a.max()
        e = np.exp(a - amax)
        se = e.sum()
        lse_a = amax + np.log(se)
        if normalized:
            log_coef = lse_a - logsumexp(log_losses(m, loss))
        else:
            log_coef = lse_a - log_n
        return w + (eta * np.exp(log_coef) / se) * (e @ A)
    return update


def linear_metrics(A, loss):
    """Return ``w -> dict`` of the standard linear metrics (internal)."""
    log_n = np.log(A.shape[0])

    def record(w):
        m = A @ w
        nrm = np.linalg.norm(w)
        if not (1e-150 < nrm < 1e150) and np.any(w):
            return _record_scaled(A, w, loss, log_n)
        log_r = logsumexp(log_losses(m, loss)) - log_n
        if nrm > 0:
            mg = m.min() / nrm
            sm = smoothed_margin_from_margins(m, nrm, loss)
        else:
            mg = sm = np.nan
        return {"w": w, "margin": mg, "smoothed_margin": sm, "log_risk": log_r, "norm": nrm}
    return record


def _record_scaled(A, w, loss, log_n):
    """The linear metrics when ||w|| is outside [1e-150, 1e150] (internal): margins from the
    rescaled iterate, the norm as s * ||w/s||; the log risk from the margins as they are."""
    ws, s = scaled(w)
    ms = A @ ws
    nrm = s * float(np.linalg.norm(ws))
    mg = float(ms.min() / np.linalg.norm(ws))
    m = A @ w
    log_r = logsumexp(log_losses(m, loss)) - log_n if np.all(np.isfinite(m)) else np.nan
    if np.isfinite(log_r):
        sm = smoothed_margin_from_margins(m, nrm, loss) if np.isfinite(nrm) else np.nan
    else:
        sm = np.nan
    return {"w": w, "margin": mg, "smoothed_margin": sm, "log_risk": log_r, "norm": nrm}


def _require_finite(records, state, method):
    """Raise instead of returning a trace with inf/NaN (internal)."""
    for key in ("w", "margin", "smoothed_margin", "log_risk", "norm"):
        arr = np.asarray(records[key])
        bad = ~np.isfinite(arr) if arr.ndim == 1 else ~np.all(np.isfinite(arr), axis=1)
        if key == "margin" or key == "smoothed_margin":
            bad &= np.asarray(records["norm"]) > 0     # undefined at w = 0 (NaN by contract)
        if np.any(bad):
            k = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{method}: {key} is not finite at record {k}: the iterates left "
                             "the range of float64 (the step times the data's scale is too "
                             "large). The theory assumes ||x_i|| <= 1 and a step of order 1: "
                             "rescale X by 1/max_i ||x_i|| or reduce the step.")
    if not np.all(np.isfinite(state)):
        raise ValueError(f"{method}: the final iterate is not finite; rescale X to ||x_i|| <= 1 "
                         "or reduce the step.")


def _linear_setup(X, y, loss, step, n_steps, w0, record_at, num_records):
    X, y = _v.check_X_y(X, y)
    loss = _v.check_loss(loss)
    eta = _v.check_positive(step, "step")
    n_steps = _v.check_int(n_steps, "n_steps", minimum=1)
    d = X.shape[1]
    w0 = np.zeros(d) if w0 is None else _v.check_w(w0, d, name="w0").copy()
    record_at = _check_record_at(record_at, n_steps, num_records)
    A = y[:, None] * X
    return A, loss, eta, n_steps, w0, record_at


def _trace(records, record_at, loss, method, extra=None):
    return Trace(steps=record_at.copy(), w=records["w"], margin=records["margin"],
                 smoothed_margin=records["smoothed_margin"], log_risk=records["log_risk"],
                 norm=records["norm"], loss=loss, method=method,
                 extra=MappingProxyType(dict(extra or {})))


# ---------------------------------------------------------------- public API

def gd_step(X, y, w, *, loss="exp", step=1.0):
    r"""One step of gradient descent, :math:`w - \eta\nabla\widehat{\mathcal R}(w)`.

    Computed in the log domain, so the step is exact (possibly a zero move) for any w.
    """
    A, loss, eta, _, w, _ = _linear_setup(X, y, loss, step, 1, w, None, 1)
    return _gd_kernel(A, loss, eta, False)(w)


def normalized_gd_step(X, y, w, *, loss="exp", step=1.0):
    r"""One step of normalized GD, :math:`w - \frac{\eta}{\widehat{\mathcal R}(w)}\nabla\widehat{\mathcal R}(w)`.

    For the exponential loss this is :math:`w + \eta A^\top\operatorname{softmax}(-Aw)`.
    """
    A, loss, eta, _, w, _ = _linear_setup(X, y, loss, step, 1, w, None, 1)
    return _gd_kernel(A, loss, eta, True)(w)


def gd(X, y, *, loss="exp", step=1.0, n_steps=1000, w0=None, record_at=None, num_records=100):
    r"""Run gradient descent with a constant step and return its :class:`Trace`.

    .. math:: w_{t+1} = w_t - \eta\nabla\widehat{\mathcal R}(w_t).

    On separable data with :math:`\|x_i\|\le1` and :math:`\eta\le1` the normalized margin
    tends to the max margin :math:`\bar\gamma` at rate :math:`O(\ln n/\ln t)`
    (Soudry et al. 2018; Ji & Telgarsky 2019, 2021).

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), entries in {-1, +1}
    loss : {'exp', 'logistic'}
    step : float > 0
        The constant step :math:`\eta`.
    n_steps : int >= 1
    w0 : array of shape (n_features,), optional
        Initial point (default 0).
    record_at : 1D int array, optional
        Steps at which to record; default ``log_spaced_steps(n_steps, num_records)``.
    num_records : int
        Number of log-spaced records when ``record_at`` is not given.

    Examples
    --------
    >>> import ibias_lib as ib
    >>> X, y = ib.planted_data(50, 5, margin=0.1, seed=0)
    >>> tr = ib.gd(X, y, n_steps=1000)
    >>> bool(tr.margin[-1] > 0)
    True
    """
    A, loss, eta, n_steps, w0, rec = _linear_setup(X, y, loss, step, n_steps, w0, record_at,
                                                    num_records)
    with np.errstate(over="ignore", invalid="ignore"):
        records, final = run(_gd_kernel(A, loss, eta, False), w0, n_steps, rec,
                             linear_metrics(A, loss))
    _require_finite(records, final, f"gd(step={eta:g})")
    return _trace(records, rec, loss, f"gd(step={eta:g})")


def normalized_gd(X, y, *, loss="exp", step=1.0, n_steps=1000, w0=None, record_at=None,
                  num_records=100):
    r"""Run normalized gradient descent, steps :math:`\eta/\widehat{\mathcal R}(w_t)`.

    .. math:: w_{t+1} = w_t - \frac{\eta}{\widehat{\mathcal R}(w_t)}\nabla\widehat{\mathcal R}(w_t).

    With the exponential loss, :math:`\|x_i\|\le1` and :math:`\eta\le1`, the margin gap is
    :math:`O(\ln n/t)` (Ji & Telgarsky, *Characterizing the implicit bias via a primal-dual
    analysis*, ALT 2021). The step is computed from logs, so it never becomes ``inf``.
    Parameters as for :func:`gd`.
    """
    A, loss, eta, n_steps, w0, rec = _linear_setup(X, y, loss, step, n_steps, w0, record_at,
                                                    num_records)
    with np.errstate(over="ignore", invalid="ignore"):
        records, final = run(_gd_kernel(A, loss, eta, True), w0, n_steps, rec,
                             linear_metrics(A, loss))
    _require_finite(records, final, f"normalized_gd(step={eta:g})")
    return _trace(records, rec, loss, f"normalized_gd(step={eta:g})")
