"""ibias_lib: the computations behind *Implicit Bias, executable*.

A small numpy library for the implicit bias of first-order methods (after M. Telgarsky's talk
*Implicit bias of first-order optimization*). Import it as ``import ibias_lib as ib``; every
name a reader of the talk knows is at the top level::

    X, y = ib.planted_data(200, 10, margin=0.05, seed=0)
    svm = ib.max_margin(X, y)                      # gamma-bar and its direction
    tr = ib.normalized_gd(X, y, n_steps=10_000)    # a Trace of margins, risks, norms
    gap = svm.gamma - tr.margin                    # O(ln n / t)

Everything is computed in the log domain from the margins m = y * (X @ w).
"""
from .datasets import planted_data, soudry_data
from .losses import LOSSES, log_risk_of, loss_values, risk, risk_gradient
from .margins import margin, margins, smoothed_margin
from .max_margin import MaxMarginResult, max_margin
from .numerics import logsumexp, softmax
from .optim import (Trace, gd, gd_step, log_spaced_steps, normalized_gd, normalized_gd_step,
                    run)
from .perceptron import PerceptronResult, perceptron
from .plotting import plot_data, plot_gap, plot_log_risk, plot_margins, plot_norm

__version__ = "0.1.0"

__all__ = [
    "LOSSES", "MaxMarginResult", "PerceptronResult", "Trace", "gd", "gd_step", "log_risk_of",
    "log_spaced_steps", "logsumexp", "loss_values", "margin", "margins", "max_margin",
    "normalized_gd", "normalized_gd_step", "perceptron", "planted_data", "plot_data",
    "plot_gap", "plot_log_risk", "plot_margins", "plot_norm", "risk", "risk_gradient", "run",
    "smoothed_margin", "softmax", "soudry_data",
]
