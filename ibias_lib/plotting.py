"""Thin plotting helpers: each takes a trace (or data) and an optional axis, computes
nothing beyond what it draws, and returns the axis. matplotlib is imported lazily."""
from __future__ import annotations

import numpy as np

__all__ = ["plot_gap", "plot_margins", "plot_log_risk", "plot_norm", "plot_data"]


def _ax(ax):
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(5, 3.5))
    return ax


def plot_gap(trace, gamma, *, ax=None, label=None, **kw):
    """Log-log plot of the margin gap ``gamma - margin`` against the step t."""
    ax = _ax(ax)
    ax.loglog(trace.steps, gamma - trace.margin, label=label or trace.method, **kw)
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"margin gap $\bar\gamma - \mathrm{margin}(w_t)$")
    return ax


def plot_margins(trace, *, gamma=None, ax=None, label=None, smoothed=True, **kw):
    """Plot the normalized margin (and the smoothed margin, dashed) against t, log x-axis."""
    ax = _ax(ax)
    lines = ax.semilogx(trace.steps, trace.margin, label=label or f"{trace.method} margin", **kw)
    if smoothed:
        ax.semilogx(trace.steps, trace.smoothed_margin, ls="--", color=lines[0].get_color(),
                    label=f"{label or trace.method} smoothed")
    if gamma is not None:
        ax.axhline(gamma, color="k", lw=0.8, ls=":", label=r"max margin $\bar\gamma$")
    ax.set_xlabel("step $t$")
    ax.set_ylabel("normalized margin")
    return ax


def plot_log_risk(trace, *, ax=None, label=None, **kw):
    """Plot :math:`\\log_{10}\\widehat{\\mathcal R}(w_t)` against t (log x-axis)."""
    ax = _ax(ax)
    ax.semilogx(trace.steps, trace.log_risk / np.log(10), label=label or trace.method, **kw)
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"$\log_{10}\widehat{\mathcal{R}}(w_t)$")
    return ax


def plot_norm(trace, *, ax=None, label=None, **kw):
    """Plot :math:`\\|w_t\\|` against t (log x-axis)."""
    ax = _ax(ax)
    ax.semilogx(trace.steps, trace.norm, label=label or trace.method, **kw)
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"$\|w_t\|$")
    return ax


def plot_data(X, y, *, directions=None, ax=None):
    """Scatter 2D data by label and draw separators through the origin.

    ``directions`` maps a label to a vector w; the line :math:`w^\\top x = 0` is drawn.
    """
    ax = _ax(ax)
    X = np.asarray(X)
    ax.scatter(*X[y > 0].T, marker="+", s=60, color="C0", label="$y=+1$")
    ax.scatter(*X[y < 0].T, marker="o", s=30, facecolors="none", color="C3", label="$y=-1$")
    lim = 1.1 * np.abs(X).max()
    if directions:
        for k, (name, w) in enumerate(directions.items()):
            w = np.asarray(w, dtype=float)
            t = np.array([-lim, lim]) * 2
            p = np.array([-w[1], w[0]]) / np.linalg.norm(w)
            ax.plot(t * p[0], t * p[1], color=f"C{k + 1}", ls=("-", "--", ":", "-.")[k % 4],
                    label=name)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax
