r"""Precomputed parameter sweeps, and two ways to browse them.

The chapters assert numbers at one setting; a reader usually wants to move a step size or a
loss and watch the curves respond. This module does that in two forms:

* :func:`sweep` (linear predictors) and :func:`network_sweep` (two-layer networks) run every
  combination of a small grid once, in a few seconds, and return a :class:`Sweep`: one array
  per metric, indexed by the grid's axes and by the recorded step;
* :func:`explorer` returns an ``ipywidgets`` UI (sliders and dropdowns) that redraws the plot
  from the sweep: for readers running the notebook with a kernel;
* :func:`static_explorer` renders a matplotlib ``FuncAnimation`` over one axis of the sweep
  with ``to_jshtml``: an HTML/JavaScript slider with play buttons that needs no kernel, so it
  survives in the static HTML book.

Both browsers draw with :func:`plot_sweep`, a pure plotting function of a :class:`Sweep`.
"""
from __future__ import annotations

import re

import itertools
from typing import Mapping, NamedTuple

import numpy as np

from . import _validation as _v
from .datasets import planted_data, soudry_data
from .max_margin import max_margin
from .optim import gd, log_spaced_steps, normalized_gd

__all__ = ["Sweep", "sweep", "network_sweep", "plot_sweep", "explorer", "static_explorer",
           "LINEAR_DATASETS", "STATIC_ATTR"]

LINEAR_DATASETS = ("planted", "soudry")
#: Attribute on the wrapper ``<div>`` of :func:`static_explorer` (for browser tests).
STATIC_ATTR = 'data-ibias-interactive="slider"'

_LABELS = {"gap": r"margin gap $\bar\gamma - \mathrm{margin}(w_t)$",
           "margin": "normalized margin", "alignment": r"alignment with $-\nabla\mathcal{R}$",
           "log_risk": r"$\log\widehat{\mathcal{R}}$"}
_LOG_METRICS = ("gap",)


class Sweep(NamedTuple):
    """The result of a grid of runs, all recorded at the same steps.

    Attributes
    ----------
    axes : Mapping[str, tuple]
        The grid, in order: axis name -> its values (e.g. ``'step': (0.3, 1.0, 3.0)``).
    steps : ndarray of int, shape (k,)
        The recorded iteration counts.
    values : Mapping[str, ndarray]
        Metric name -> array of shape ``(*[len(v) for v in axes.values()], k)``.
    info : Mapping[str, float]
        Scalars of the setting, e.g. ``'gamma[planted]'``, the max margin of a dataset.
    """
    axes: Mapping
    steps: np.ndarray
    values: Mapping
    info: Mapping

    def get(self, metric, **setting):
        """Return the trace of ``metric`` at one grid point, e.g. ``get('gap', step=1.0, ...)``.

        Axes left out of ``setting`` are kept (their dimension stays in the result, in order).
        """
        if metric not in self.values:
            raise ValueError(f"unknown metric {metric!r}; this sweep has {sorted(self.values)}.")
        idx = []
        for name, vals in self.axes.items():
            if name in setting:
                if setting[name] not in vals:
                    raise ValueError(f"{name}={setting[name]!r} is not on the grid {vals}.")
                idx.append(vals.index(setting[name]))
            else:
                idx.append(slice(None))
        extra = set(setting) - set(self.axes)
        if extra:
            raise ValueError(f"unknown axes {sorted(extra)}; the sweep has {list(self.axes)}.")
        return self.values[metric][tuple(idx)]


def _grid_sweep(axes, steps, run_one, metrics, info):
    """Run ``run_one(**setting) -> dict metric -> (k,) array`` over the grid (internal)."""
    shape = tuple(len(v) for v in axes.values()) + (len(steps),)
    values = {m: np.empty(shape) for m in metrics}
    names = list(axes)
    for combo in itertools.product(*[range(len(v)) for v in axes.values()]):
        out = run_one(**{nm: axes[nm][i] for nm, i in zip(names, combo)})
        for m in metrics:
            values[m][combo] = out[m]
    for arr in values.values():
        arr.setflags(write=False)
    return Sweep(axes=dict(axes), steps=np.asarray(steps).copy(), values=values, info=dict(info))


def _linear_data(name, seed):
    if name == "planted":
        return planted_data(60, 10, margin=0.05, seed=seed)
    if name == "soudry":
        X, y = soudry_data(4, seed=seed)
        return X / np.linalg.norm(X, axis=1).max(), y     # into the unit ball
    raise ValueError(f"dataset must be one of {LINEAR_DATASETS}; got {name!r}.")


def sweep(step_sizes=(0.25, 1.0, 4.0), losses=("exp", "logistic"), datasets=LINEAR_DATASETS,
          methods=("gd", "normalized_gd"), *, n_steps=4000, num_records=40, seed=0):
    r"""Margin and margin-gap traces of linear GD over a grid of settings.

    Runs :func:`ibias_lib.gd` (constant steps) and :func:`ibias_lib.normalized_gd` (steps
    :math:`\eta/\widehat{\mathcal R}(w_t)`) from :math:`w_0 = 0` on every combination of
    dataset, loss, method and step size, recording at the same log-spaced steps. Datasets:
    ``'planted'`` is ``planted_data(60, 10, margin=0.05, seed=seed)``; ``'soudry'`` is
    ``soudry_data(4, seed=seed)`` scaled into the unit ball. The gap is
    :math:`\bar\gamma - \operatorname{margin}(w_t)` with :math:`\bar\gamma` from
    :func:`ibias_lib.max_margin`. The default grid (24 runs) takes about 2 s.

    Returns
    -------
    Sweep
        Axes ``dataset, loss, method, step``; metrics ``'gap'`` and ``'margin'``; ``info``
        holds ``'gamma[<dataset>]'``.

    Examples
    --------
    >>> from ibias_lib import explore
    >>> sw = explore.sweep(step_sizes=(1.0,), n_steps=100, num_records=5)
    >>> gap = sw.get("gap", dataset="planted", loss="exp", step=1.0)   # methods x records
    >>> gap.shape, bool(gap[1, -1] < gap[0, -1])                        # normalized GD ahead
    ((2, 5), True)
    """
    n_steps = _v.check_int(n_steps, "n_steps", minimum=1)
    methods_fn = {"gd": gd, "normalized_gd": normalized_gd}
    for m in methods:
        if m not in methods_fn:
            raise ValueError(f"method must be one of {tuple(methods_fn)}; got {m!r}.")
    step_sizes = tuple(float(_v.check_positive(s, "step size")) for s in step_sizes)
    data = {name: _linear_data(name, seed) for name in datasets}
    gammas = {name: max_margin(*data[name]).gamma for name in datasets}
    rec = log_spaced_steps(n_steps, num_records)

    def run_one(dataset, loss, method, step):
        tr = methods_fn[method](*data[dataset], loss=loss, step=step, n_steps=n_steps,
                                record_at=rec)
        return {"margin": tr.margin, "gap": gammas[dataset] - tr.margin}

    axes = {"dataset": tuple(datasets), "loss": tuple(losses), "method": tuple(methods),
            "step": step_sizes}
    return _grid_sweep(axes, rec, run_one, ("gap", "margin"),
                       {f"gamma[{k}]": v for k, v in gammas.items()})


def network_sweep(widths=(10, 30, 100), activations=("relu", "relu2"), step_sizes=(0.5, 2.0),
                  *, n=60, d=10, n_steps=2000, num_records=30, scale=0.1, seed=0):
    r"""Normalized margin and alignment of two-layer networks over a grid of settings.

    Trains ``(d, width, 1)`` networks with :func:`ibias_lib.train_network` (logistic loss,
    constant steps, initialization ``scale``) on 2XOR data ``xor_data(n, d, seed=seed)`` for
    every width, activation and step size. The initial weights of a given width are the same
    for every activation and step. The default grid (12 runs) takes about 3 s.

    Returns
    -------
    Sweep
        Axes ``activation, width, step``; metrics ``'margin'`` (normalized by
        :math:`\|\theta\|^k`), ``'alignment'`` and ``'log_risk'``.
    """
    from .networks import init_network, train_network
    from .xor import xor_data

    X, y = xor_data(n, d, seed=seed)
    n_steps = _v.check_int(n_steps, "n_steps", minimum=1)
    rec = log_spaced_steps(n_steps, num_records)
    widths = tuple(int(_v.check_int(w, "width", minimum=1)) for w in widths)
    step_sizes = tuple(float(_v.check_positive(s, "step size")) for s in step_sizes)
    inits = {w: init_network(np.random.default_rng(seed), (d, w, 1), scale=scale)
             for w in widths}

    def run_one(activation, width, step):
        tr = train_network(X, y, inits[width], activation=activation, loss="logistic",
                           step=step, n_steps=n_steps, record_at=rec)
        return {"margin": tr.margin, "alignment": tr.alignment, "log_risk": tr.log_risk}

    axes = {"activation": tuple(activations), "width": widths, "step": step_sizes}
    return _grid_sweep(axes, rec, run_one, ("margin", "alignment", "log_risk"),
                       {"n": float(n), "d": float(d)})


def _check_setting(sw, curve, fixed):
    free = [a for a in sw.axes if a != curve and a not in fixed]
    if curve is not None and curve not in sw.axes:
        raise ValueError(f"curve axis {curve!r} is not an axis of the sweep {list(sw.axes)}.")
    if free:
        raise ValueError(f"fix a value for the axes {free} (or make one of them the curve axis).")


def plot_sweep(sw, metrics=("gap",), *, curve=None, t_max=None, axs=None, title=None, **fixed):
    """Draw metric traces of one setting of a :class:`Sweep`, one panel per metric.

    Every axis of the sweep must be fixed by a keyword (``step=1.0, loss='exp', ...``) except
    ``curve``, whose values become the curves of each panel. ``t_max`` hides records after
    that step. Returns ``(fig, axs, lines)`` with ``lines[metric]`` the list of Line2D drawn.
    """
    import matplotlib.pyplot as plt

    _check_setting(sw, curve, fixed)
    if axs is None:
        fig, axs = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.2),
                                squeeze=False)
        axs = list(axs[0])
    fig = axs[0].figure
    keep = sw.steps <= (sw.steps[-1] if t_max is None else t_max)
    curves = sw.axes[curve] if curve is not None else (None,)
    lines = {}
    for ax, metric in zip(axs, metrics):
        ax.clear()
        lines[metric] = []
        for j, val in enumerate(curves):
            setting = dict(fixed, **({curve: val} if curve is not None else {}))
            ydata = sw.get(metric, **setting)[keep]
            if metric in _LOG_METRICS:
                ydata = np.maximum(ydata, 1e-16)         # exact zero gaps on a log axis
            label = f"{curve} = {val}" if curve is not None else None
            (ln,) = ax.plot(sw.steps[keep], ydata, color=f"C{j}", label=label)
            lines[metric].append(ln)
        ax.set_xscale("log")
        if metric in _LOG_METRICS:
            ax.set_yscale("log")
        ax.set_xlim(sw.steps[0], sw.steps[-1])
        ax.set_xlabel("step $t$")
        ax.set_ylabel(_LABELS.get(metric, metric))
        if curve is not None:
            ax.legend(fontsize=7)
    if title is not None:
        fig.suptitle(title, fontsize=9)
    return fig, axs, lines


def _describe(fixed):
    return ", ".join(f"{k} = {v}" for k, v in fixed.items())


def explorer(sw, metrics=("gap",), *, curve=None, **initial):
    """Return an ``ipywidgets`` UI that redraws :func:`plot_sweep` as controls move.

    One control per axis of the sweep other than ``curve``: a selection slider for numeric
    axes (step size, width), a dropdown for the others (loss, dataset, method, activation),
    plus an integer slider for the number of steps shown. ``initial`` sets starting values.
    Needs a running kernel to react; building it (as nbval and the book build do) only draws
    the first plot.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    controls = {}
    for name, vals in sw.axes.items():
        if name == curve:
            continue
        start = initial.get(name, vals[0])
        if start not in vals:
            raise ValueError(f"{name}={start!r} is not on the grid {vals}.")
        if all(isinstance(v, (int, float)) for v in vals):
            controls[name] = widgets.SelectionSlider(options=list(vals), value=start,
                                                     description=name)
        else:
            controls[name] = widgets.Dropdown(options=list(vals), value=start,
                                              description=name)
    t_last = int(sw.steps[-1])
    controls["t_max"] = widgets.IntSlider(value=int(initial.get("t_max", t_last)),
                                          min=int(sw.steps[min(5, len(sw.steps) - 1)]),
                                          max=t_last, step=max(1, t_last // 100),
                                          description="steps")

    def draw(t_max, **fixed):
        fig, _, _ = plot_sweep(sw, metrics, curve=curve, t_max=t_max, title=_describe(fixed),
                               **fixed)
        fig.tight_layout()
        plt.show()

    return widgets.interactive(draw, **controls)


def static_explorer(sw, metrics=("gap",), *, frames, curve=None, fps=2, dpi=80,
                    figsize=None, **fixed):
    """Return a kernel-free slider over the ``frames`` axis of a sweep, as ``IPython`` HTML.

    A matplotlib ``FuncAnimation`` draws :func:`plot_sweep` once per value of the ``frames``
    axis (all other axes fixed by keyword, except ``curve``); ``to_jshtml`` embeds the frames
    as PNGs with a JavaScript slider and play buttons, so it works in static HTML. The result
    is wrapped in ``<div data-ibias-interactive="slider">`` for browser tests. Keep
    ``dpi`` and the number of frames small: each frame is one embedded PNG.
    """
    import matplotlib.pyplot as plt
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation

    if frames not in sw.axes:
        raise ValueError(f"frames axis {frames!r} is not an axis of the sweep {list(sw.axes)}.")
    _check_setting(sw, curve, dict(fixed, **{frames: None}))
    values = sw.axes[frames]
    figsize = figsize or (max(6.0, 5.5 * len(metrics)), 3.4)
    fig, axs = plt.subplots(1, len(metrics), figsize=figsize, dpi=dpi, squeeze=False)
    axs = list(axs[0])
    lims = {}
    for metric in metrics:   # fixed y-limits over all frames, so the slider compares honestly
        vals = np.stack([sw.get(metric, **dict(fixed, **{frames: v}))
                         for v in values]).ravel()
        vals = vals[np.isfinite(vals)]
        if metric in _LOG_METRICS:
            vals = np.maximum(vals, 1e-16)
            lims[metric] = (vals.min() / 2, vals.max() * 2)
        else:
            pad = 0.05 * (vals.max() - vals.min() + 1e-12)
            lims[metric] = (vals.min() - pad, vals.max() + pad)

    def draw(i):
        setting = dict(fixed, **{frames: values[i]})
        _, _, lines = plot_sweep(sw, metrics, curve=curve, axs=axs, **setting)
        for ax, metric in zip(axs, metrics):
            ax.set_ylim(*lims[metric])
        fig.suptitle(_describe(setting), fontsize=9)
        return [ln for lst in lines.values() for ln in lst]

    draw(0)                  # lay out with the labels in place, so none is cut off
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    anim = FuncAnimation(fig, draw, frames=len(values), init_func=lambda: [],
                         interval=1000 / fps, blit=False)
    # On a non-interactive canvas draw_idle draws at once; each frame is drawn by savefig anyway.
    fig.canvas.draw_idle = lambda *args, **kwargs: None
    html = anim.to_jshtml(fps=fps, embed_frames=True, default_mode="once")
    plt.close(fig)
    # matplotlib links Font Awesome from a CDN for the play buttons; the book's theme ships
    # Font Awesome itself, and the page must not reach outside the book.
    html = re.sub(r'<link[^>]*font-awesome[^>]*>\s*', "", html)
    return HTML(f"<div {STATIC_ATTR}>{_label_slider(html, frames, values)}</div>")


def _label_slider(html, name, values):
    """Give ``to_jshtml``'s slider a visible label, a value readout that follows every frame
    change (slider, keys, play buttons) and ARIA attributes (a range input already takes the
    arrow keys)."""
    import html as _html
    import json

    m = re.search(r'<input id="(_anim_slider(\w+))" type="range"', html)
    if m is None:
        return html
    sid, uid = m.group(1), m.group(2)
    texts = [f"{name} = {v:g}" if isinstance(v, (int, float, np.floating)) else f"{name} = {v}"
             for v in values]
    first = _html.escape(texts[0])
    html = re.sub(r'<img id="_anim_img' + uid + '"',
                  f'<img id="_anim_img{uid}" alt="Figure frame, one per value of '
                  f'{_html.escape(str(name))} (use the slider below)"', html, count=1)
    html = html.replace(
        m.group(0),
        f'<label for="{sid}" style="font-weight:600">{_html.escape(str(name))}:</label> '
        f'<output id="{sid}_value" for="{sid}" aria-live="polite">{first}</output><br>'
        f'<input id="{sid}" type="range" aria-label="{_html.escape(str(name))}: frame shown" '
        f'aria-valuetext="{first}"', 1)
    script = (
        "<script>setTimeout(function () {"
        f"var a = window.anim{uid}, s = document.getElementById('{sid}'),"
        f" o = document.getElementById('{sid}_value'), t = {json.dumps(texts)};"
        "if (!a || !s || !o) return; var f = a.set_frame;"
        "a.set_frame = function (n) { f.call(a, n); var i = a.current_frame;"
        " o.textContent = t[i]; s.setAttribute('aria-valuetext', t[i]); };"
        "}, 0);</script>")
    return html + script
