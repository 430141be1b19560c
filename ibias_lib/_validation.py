"""Input checks for the public entry points.

Every public function of :mod:`ibias_lib` checks its inputs here, once, and then hands
plain float64 arrays to internal kernels that trust them. Each error says what was expected,
what arrived, and how to fix it.
"""
from __future__ import annotations

import numpy as np

class InputError(TypeError, ValueError):
    """Input of the wrong kind (complex, sparse, text, bool where a number is expected).
    Both a ``TypeError`` and a ``ValueError``, so either ``except`` catches it."""


__all__ = ["InputError", "check_X_y", "check_w", "check_positive", "check_int", "check_loss"]


def _as_float_array(a, name):
    if hasattr(a, "toarray") and hasattr(a, "nnz"):
        raise InputError(f"{name} is a scipy.sparse matrix; ibias_lib works with dense arrays. "
                        f"Pass {name}.toarray() (the book's problems are small).")
    if np.iscomplexobj(a):
        raise InputError(f"{name} must be real; got complex values. Pass np.real({name}) if the "
                        "imaginary parts are rounding noise.")
    if isinstance(a, str) or (isinstance(a, np.ndarray) and a.dtype.kind in "SUO" and
                              any(isinstance(v, str) for v in a.ravel()[:10])):
        raise InputError(f"{name} must be an array of numbers; got text ({str(a)[:40]!r}). "
                        "Convert with float() / np.asarray(..., dtype=float) first.")
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of real numbers; got {type(a).__name__} "
                         f"that numpy cannot convert to float64 ({exc}).") from None
    return arr


def _check_finite(arr, name):
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr.ravel()))
        raise ValueError(f"{name} must be finite; found {bad.size} NaN or inf entries "
                         f"(first at flat index {bad[0]}). Remove or impute them first.")


def check_X(X, *, name="X"):
    """Return X as a finite float64 array of shape (n_samples, n_features)."""
    X = _as_float_array(X, name)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2D array of shape (n_samples, n_features); got "
                         f"{X.ndim}D array of shape {X.shape}. Reshape your data with "
                         f"{name}.reshape(-1, 1) for a single feature or {name}.reshape(1, -1) "
                         f"for a single sample.")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one sample and one feature; got shape "
                         f"{X.shape}.")
    _check_finite(X, name)
    return X



def check_X_pair(X, Z=None):
    """Return (X, Z) as finite float64 matrices with the same number of columns; Z defaults to X
    (for kernel matrices k(X, Z))."""
    X = check_X(X)
    Z = X if Z is None else check_X(Z, name="Z")
    if Z.shape[1] != X.shape[1]:
        raise ValueError(f"X and Z must have the same number of features; got {X.shape[1]} "
                         f"and {Z.shape[1]}.")
    return X, Z

def check_y(y, n=None, *, name="y"):
    """Return y as a float64 vector with entries in {-1, +1}."""
    y = _as_float_array(y, name)
    if y.ndim != 1:
        raise ValueError(f"{name} must be a 1D array of labels of shape (n_samples,); got "
                         f"shape {y.shape}. Use {name}.ravel() if it is a column.")
    if y.size == 0:
        raise ValueError(f"{name} is empty; at least one labelled sample is needed.")
    _check_finite(y, name)
    if n is not None and y.shape[0] != n:
        raise ValueError(f"X and y must have the same number of samples; got X with {n} rows "
                         f"and y with {y.shape[0]} entries.")
    if not np.all((y == 1.0) | (y == -1.0)):      # one pass; no sort unless it fails
        labels = np.unique(y)
        shown = labels[:6]
        hint = " For 0/1 labels use y = 2*y - 1." if np.all(np.isin(labels, (0.0, 1.0))) else \
            " Map the two classes to -1 and +1, e.g. y = np.where(y == positive_class, 1, -1)."
        raise ValueError(f"{name} must contain only -1 and +1; got {shown.tolist()}"
                         f"{' ...' if labels.size > 6 else ''}.{hint}")
    return y


def check_X_y(X, y):
    """Check a labelled dataset; return (X, y) as float64 arrays."""
    X = check_X(X)
    y = check_y(y, X.shape[0])
    return X, y


def check_w(w, d, *, name="w", allow_zero=True):
    """Return w as a finite float64 vector of length d."""
    w = _as_float_array(w, name)
    if w.ndim != 1 or w.shape[0] != d:
        raise ValueError(f"{name} must be a vector of shape ({d},) to match X's {d} features; "
                         f"got shape {w.shape}.")
    _check_finite(w, name)
    if not allow_zero and not np.any(w):
        raise ValueError(f"{name} is the zero vector; the normalized margin min_i y_i x_i.w/||w|| "
                         f"is undefined there. Pass a nonzero {name}.")
    return w


def check_positive(value, name):
    """Return value as a float that is finite and > 0 (a real number: not a string or bool)."""
    if isinstance(value, (str, bytes, bool, np.bool_)) or np.iscomplexobj(value):
        raise InputError(f"{name} must be a positive finite number (a real number, not text or "
                         f"a bool); got {type(value).__name__} {value!r}. Pass e.g. {name}=1.0.")
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = np.nan
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a positive finite number; got {value!r}.")
    return v


def check_int(value, name, *, minimum=0):
    """Return value as an int >= minimum."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}.")
    return int(value)


def check_loss(loss):
    """Return the canonical loss name ('exp' or 'logistic')."""
    from .losses import LOSSES
    if isinstance(loss, str) and loss.lower() in LOSSES:
        return loss.lower()
    raise ValueError(f"loss must be one of {sorted(LOSSES)}; got {loss!r}.")
