r"""Experiments of the chapter *Rates via duality, and the fastest margin maximizer*
(``book/linear/duality.md``).

Two experiments, each a function of ``seed`` and ``size``:

* :func:`run_rates`: on ``planted_data`` (drawn with ``seed``), constant-step GD, normalized GD
  and the accelerated method of Ji, Srebro & Telgarsky (ICML 2021), the plain recursion of
  :func:`ibias_lib.fast_margin_trace`. The reference :math:`\bar\gamma` comes from an
  independent solver, :func:`ibias_lib.max_margin` (NNLS on the dual), bracketed by its own
  primal margin and its own dual bound.
* :func:`run_stop`: the solver :func:`ibias_lib.fast_margin` with a tolerance, checked against
  the same independent solver.

Rates are fitted on log-log axes over :math:`t\in[t_0, T]` with the burn-in
:math:`t_0 = \ln n/\bar\gamma^2`, the first step at which the relative bound of the mirror
descent proposition, :math:`\ln n/(\bar\gamma^2t)`, drops below 1.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..claims import Check, Claim, Experiment

RATE_SIZES = {"chapter": dict(n=100, d=10, margin=0.05, T=20_000),
              "large": dict(n=300, d=30, margin=0.05, T=30_000)}
STOP_SIZES = {"chapter": dict(n=1000, d=50, margin=0.05, tol=1e-4),
              "large": dict(n=3000, d=100, margin=0.05, tol=1e-4)}
#: float64 rounding allowance for comparisons of margins computed by different code paths
#: (relative; the margins are sums of d <= 100 products of numbers <= 1).
FLOAT_TOL = 1e-12


class RatesResult(NamedTuple):
    n: int
    gamma: float            # ib.max_margin's primal margin (a lower bound on gamma_bar)
    gamma_hi: float         # its dual bound ||A^T lam|| / sum lam (an upper bound)
    t0: float               # burn-in ln n / gamma^2
    steps: np.ndarray
    margin: dict            # method -> margin(w_t) at the recorded steps
    upper: dict             # "ngd", "acc" -> min_{s<=t} ||A^T q_s||
    dual_norm: dict         # "ngd", "acc" -> ||A^T q_t||
    slope: dict             # "gd": slope of log gap vs log ln t; "ngd", "acc": vs log t


def _slope(x, gap):
    return float(np.polyfit(np.log(x), np.log(gap), 1)[0])


def run_rates(seed=0, size="chapter"):
    """Constant-step GD, normalized GD and the accelerated method on ``planted_data``."""
    import ibias_lib as ib
    p = RATE_SIZES[size]
    X, y = ib.planted_data(p["n"], p["d"], margin=p["margin"], seed=seed)
    mm = ib.max_margin(X, y)
    g_lo, g_hi = mm.gamma, ib.dual_bound(X, y, mm.dual)
    T = p["T"]
    rec = ib.log_spaced_steps(T, 80)
    runs = {"gd": ib.gd(X, y, loss="exp", step=1.0, n_steps=T, record_at=rec),
            "ngd": ib.fast_margin_trace(X, y, n_steps=T, momentum=False, record_at=rec),
            "acc": ib.fast_margin_trace(X, y, n_steps=T, record_at=rec)}
    t0 = math.log(p["n"]) / g_lo ** 2
    late = rec >= t0
    slope = {"gd": _slope(np.log(rec[late]), g_lo - runs["gd"].margin[late])}
    for k in ("ngd", "acc"):
        slope[k] = _slope(rec[late], g_lo - runs[k].margin[late])
    return RatesResult(p["n"], g_lo, g_hi, t0, rec,
                       {k: tr.margin for k, tr in runs.items()},
                       {k: runs[k].extra["upper"] for k in ("ngd", "acc")},
                       {k: runs[k].extra["dual_norm"] for k in ("ngd", "acc")}, slope)


def _bracket(r):
    worst = max(max(float(np.max(r.margin[k] - r.gamma_hi)),
                    float(np.max(r.gamma - r.upper[k]))) for k in ("ngd", "acc"))
    return Check(worst / r.gamma, hi=FLOAT_TOL,
                 note="max over steps and both methods of max(margin_t - g_hi, g_lo - U_t)/g")


def _mirror(r):
    ratio = (0.5 * r.dual_norm["ngd"] ** 2 - 0.5 * r.gamma ** 2) / (math.log(r.n) / r.steps)
    return Check(float(ratio.max()), hi=1.0, note="max_t (f(q_t) - f*) / (ln n / t)")


def _mirror_nonvacuous(r):
    ratio = (0.5 * r.dual_norm["ngd"] ** 2 - 0.5 * r.gamma ** 2) / (math.log(r.n) / r.steps)
    return Check(float(ratio[r.steps >= r.t0].max()), lo=1e-3,
                 note="max over t >= t0 of (f(q_t) - f*) / (ln n / t)")


def _window(r):
    return Check(float(r.steps[-1] / r.t0), lo=10.0, note="T / t0")


RATES = Experiment(
    key="duality_rates", chapter="linear/duality", run=run_rates,
    sweep=(("chapter", 10), ("large", 10)),
    claims=(
        Claim("duality_rates.window",
              "The fitting window [t0, T], t0 = ln n / gamma^2, spans at least a decade.",
              "", "setup",
              "T / t0 >= 10, so that a rate is measured over at least one decade after the "
              "burn-in of the mirror-descent bound",
              _window),
        Claim("duality_rates.certificate",
              "At every step of normalized GD and of the accelerated method, "
              "margin(w_t) <= gamma_bar <= min_s ||A^T q_s||, with gamma_bar from the "
              "independent solver ib.max_margin.",
              "ji2021characterizing", "weak duality (thm-dual-certificate)",
              "max over steps of margin_t - g_hi and g_lo - U_t, relative to g, is <= 1e-12 "
              "(float rounding), where [g_lo, g_hi] is ib.max_margin's own primal margin and "
              "dual bound",
              _bracket),
        Claim("duality_rates.mirror_bound",
              "Normalized GD's dual objective gap is at most ln n / t at every step.",
              "ji2021characterizing", "prop-ngd-mirror (mirror descent, 1-smooth in l1)",
              "max_t (||A^T q_t||^2 - gamma^2) / 2 / (ln n / t) <= 1: the bound with its "
              "constant, at every recorded step",
              _mirror),
        Claim("duality_rates.mirror_bound_nonvacuous",
              "The mirror-descent bound is not vacuous after the burn-in.",
              "", "prop-ngd-mirror",
              "max over t >= t0 of the same ratio >= 1e-3: the bound is within a factor 1000 "
              "of the measured gap",
              _mirror_nonvacuous, kind="observation"),
        Claim("duality_rates.acc_slope",
              "The accelerated method's margin gap decays like 1/t^2 (up to logs).",
              "ji2021fast", "main theorem (rate O~(1/t^2))",
              "log-log slope of gamma - margin(w_t) over t in [t0, T] <= -1.5, the midpoint of "
              "the exponents of 1/t and 1/t^2: normalized GD's 1/t fails it (log factors "
              "of O~ change the slope by about 2/ln t0 < 0.3)",
              lambda r: Check(r.slope["acc"], hi=-1.5, note="slope over [t0, T]")),
        Claim("duality_rates.ngd_slope",
              "Normalized GD's margin gap decays like 1/t, not 1/t^2 and not frozen.",
              "ji2021characterizing", "Theorem (normalized GD, O(1/t))",
              "slope over [t0, T] in [-1.5, -0.5], the midpoints between the exponents of "
              "1/t^2, 1/t and a frozen gap",
              lambda r: Check(r.slope["ngd"], lo=-1.5, hi=-0.5, note="slope over [t0, T]")),
        Claim("duality_rates.gd_slope",
              "Constant-step GD's margin gap decays like 1/ln t: it shrinks, but slower "
              "than 1/t.",
              "ji2021characterizing", "Theorem (constant steps, O(ln n / ln t), tight)",
              "slope of log gap against log ln t over [t0, T] in [-ln t0, -0.5]: a frozen "
              "gap has slope 0; a 1/t gap has slope -ln t <= -ln t0",
              lambda r: Check(r.slope["gd"], lo=-math.log(r.t0), hi=-0.5,
                              note="d log gap / d log ln t over [t0, T]")),
    ))


class StopResult(NamedTuple):
    tol: float
    gamma: float            # ib.max_margin's primal margin
    gamma_hi: float         # its dual bound
    margin: float           # fast_margin's certified lower bound
    upper: float            # fast_margin's certified upper bound
    upper_recomputed: float  # dual_bound(X, y, res.dual), recomputed here
    rel_gap: float
    converged: bool
    n_iter: int


def run_stop(seed=0, size="chapter"):
    """``ib.fast_margin(tol=...)`` on ``planted_data`` against ``ib.max_margin``."""
    import ibias_lib as ib
    p = STOP_SIZES[size]
    X, y = ib.planted_data(p["n"], p["d"], margin=p["margin"], seed=seed + 100)
    res = ib.fast_margin(X, y, tol=p["tol"])
    mm = ib.max_margin(X, y)
    margin_here = float(ib.margin(X, y, res.direction))
    return StopResult(p["tol"], mm.gamma, ib.dual_bound(X, y, mm.dual), margin_here,
                      res.upper, ib.dual_bound(X, y, res.dual), res.rel_gap,
                      bool(res.converged), res.n_iter)


STOP = Experiment(
    key="duality_stop", chapter="linear/duality", run=run_stop,
    sweep=(("chapter", 10), ("large", 10)),
    claims=(
        Claim("duality_stop.certified_gap",
              "fast_margin stops with certified relative gap (U - L)/U <= tol.",
              "", "stopping rule",
              "rel_gap / tol <= 1 (and the run converged: otherwise the statistic is inf)",
              lambda r: Check(r.rel_gap / r.tol if r.converged else math.inf, hi=1.0,
                              note="certified gap / tol")),
        Claim("duality_stop.bracket",
              "The certificate's bounds bracket gamma_bar from the independent solver.",
              "", "thm-dual-certificate",
              "max(L - g_hi, g_lo - U, |U - dual_bound(q)|) / g <= 1e-9: L recomputed in "
              "float64 from the returned direction, U recomputed from the returned dual "
              "weights; 1e-9 allows for fast_margin's float32 products (its bounds are "
              "float64)",
              lambda r: Check(max(r.margin - r.gamma_hi, r.gamma - r.upper,
                                  abs(r.upper - r.upper_recomputed)) / r.gamma, hi=1e-9,
                              note="worst bracket violation / g")),
        Claim("duality_stop.true_gap",
              "The true relative gap at the stop is at most tol.",
              "", "stopping rule and thm-dual-certificate",
              "(g_hi - L) / g_lo / tol <= 1, gamma_bar measured by ib.max_margin (using its "
              "upper end g_hi makes the check conservative)",
              lambda r: Check((r.gamma_hi - r.margin) / r.gamma / r.tol, hi=1.0,
                              note="true gap / tol")),
    ))

EXPERIMENTS = (RATES, STOP)
