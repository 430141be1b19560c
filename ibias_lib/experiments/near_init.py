r"""Experiments of the chapter *Near initialization: the perceptron argument for wide networks*
(``book/nonlinear/near_init.md``).

:func:`run_near_init`: for sector data with k = 1, 2, 3 sectors (NTK margins from about 0.25
down to about 0.05), train the inner layer of a symmetric shallow ReLU network (width 256,
initialization scale 100: the lazy regime) by GD with the logistic loss until the risk is at
most 0.05, recording at every step what the perceptron inequality needs for the reference
:math:`Z = W_0 + \rho U`, :math:`\rho = \ln(2/\varepsilon)/\gamma_m`. The k = 2 instance is also
trained with the squared loss.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..claims import Check, Claim, Experiment

SIZES = {"chapter": dict(n=20, m=256, scale=100.0, eps=0.05, ks=(1, 2, 3), max_steps=60_000)}


class NearInitResult(NamedTuple):
    ks: tuple
    gamma_m: np.ndarray        # NTK margin of the width-m features, per instance
    gamma_rkhs: np.ndarray     # infinite-width kernel margin, per instance
    rho: np.ndarray            # ||Z - W0|| = ln(2/eps)/gamma_m
    steps: np.ndarray          # first t with R(W_t) <= eps (max_steps + 1 if never)
    ineq_excess: np.ndarray    # max_t (lhs - rhs) / ||W0 - Z||^2 of the perceptron inequality
    radius_ratio: np.ndarray   # max_t ||W_t - W0|| / (2 ||Z - W0||)
    final_ratio: np.ndarray    # ||W_T - W0|| / (2 ||Z - W0||) at the stopping step
    cum_condition: np.ndarray  # max_t sum_{s<t} (2 R^(s)(Z) - R(W_s)) (<= 0: the corollary applies)
    pattern_change: np.ndarray
    traces: tuple              # the NearInitTrace of each instance (logistic)
    eps: float
    eta: float
    sq_floor: float            # min_rho R_sq(W0 + rho U) on the k = 2 instance
    sq_final: float            # squared-loss risk of GD after the same number of steps
    sq_trace: object


def run_near_init(seed=0, size="chapter"):
    """Run the logistic instances (data and initialization drawn with ``seed``) and the
    squared-loss comparison on the k = 2 instance."""
    import ibias_lib as ib
    from ibias_lib import near_init as ni
    p = SIZES[size]
    eps, eta = p["eps"], 1.0
    cols = {k: [] for k in ("gamma_m", "gamma_rkhs", "rho", "steps", "ineq_excess",
                            "radius_ratio", "final_ratio", "cum_condition", "pattern_change")}
    traces = []
    for k in p["ks"]:
        X, y = ni.circle_data(p["n"], k, gap=0.1, seed=seed)
        W0, a = ni.init_symmetric(p["m"], X.shape[1], seed=seed)
        W0 = p["scale"] * W0
        mm = ni.ntk_margin(W0, a, X, y)
        rho = math.log(2 / eps) / mm.gamma
        Z = W0 + rho * mm.U
        tr = ni.train_near_init(W0, a, X, y, Z, step=eta, n_steps=p["max_steps"],
                                stop_risk=eps)
        reached = tr.risk[-1] <= eps
        # perceptron inequality at every t: ||W_t-Z||^2 + eta sum_{s<t} R(W_s)
        #                                    <= ||W_0-Z||^2 + 2 eta sum_{s<t} R^(s)(Z)
        csum_r = np.concatenate([[0.0], np.cumsum(tr.risk[:-1])])
        csum_z = np.concatenate([[0.0], np.cumsum(tr.ref_risk[:-1])])
        lhs = tr.dist_ref ** 2 + eta * csum_r
        rhs = tr.dist_ref[0] ** 2 + 2 * eta * csum_z
        cols["gamma_m"].append(mm.gamma)
        cols["gamma_rkhs"].append(ib.kernel_max_margin(ni.inner_ntk(X), y).gamma)
        cols["rho"].append(rho)
        cols["steps"].append(len(tr.risk) - 1 if reached else p["max_steps"] + 1)
        cols["ineq_excess"].append(float(np.max((lhs - rhs)[1:]) / tr.dist_ref[0] ** 2))   # t >= 1
        cols["radius_ratio"].append(float(np.max(tr.dist_init) / (2 * rho)))
        cols["final_ratio"].append(float(tr.dist_init[-1] / (2 * rho)))
        cols["cum_condition"].append(float(np.max(eta * (2 * csum_z - csum_r)[1:])))
        cols["pattern_change"].append(float(tr.pattern_change[-1]))
        traces.append(tr)
        if k == 2:
            Phi = ni.ntk_features(W0, a, X)
            mu = y * (Phi @ mm.U.ravel())
            # min over rho of (1/2n) sum (1 - rho mu_i)^2 = (1/2) (1 - mean(mu)^2 / mean(mu^2))
            sq_floor = 0.5 * (1 - np.mean(mu) ** 2 / np.mean(mu ** 2))
            sq = ni.train_near_init(W0, a, X, y, Z, loss="squared", step=0.5,
                                    n_steps=cols["steps"][-1])
    return NearInitResult(ks=tuple(p["ks"]), traces=tuple(traces), eps=eps, eta=eta,
                          sq_floor=float(sq_floor), sq_final=float(sq.risk[-1]), sq_trace=sq,
                          **{k: np.array(v) for k, v in cols.items()})


def slope(res):
    """Least-squares slope of log(steps to risk eps) against log(1/gamma_m^2)."""
    return float(np.polyfit(np.log(1 / res.gamma_m ** 2), np.log(res.steps), 1)[0])


CLAIMS = (
    Claim(key="near_init.perceptron",
          statement="At every step, ||W_t - Z||^2 + eta sum_{s<t} R(W_s) <= ||W_0 - Z||^2 + "
                    "2 eta sum_{s<t} R^(s)(Z), for the logistic loss, eta <= 1, ||x_i|| <= 1.",
          source="ji2020polylogarithmic", where="the perceptron (mirror-descent) inequality "
                                               "for shallow ReLU networks (derived in the chapter)",
          criterion="max over steps t >= 1 and instances of (lhs - rhs) / ||W_0 - Z||^2 <= 1e-9 "
                    "(float rounding of sums of ~1e4 terms of order 1 is ~1e-12 relative).",
          check=lambda r: Check(float(np.max(r.ineq_excess)), -math.inf, 1e-9,
                                "max_t (lhs - rhs) / ||W0 - Z||^2")),
    Claim(key="near_init.radius",
          statement="The weights stay near initialization: ||W_t - W_0|| <= 2 ||Z - W_0|| at "
                    "every step until the risk reaches eps.",
          source="ji2020polylogarithmic", where="consequence of the perceptron inequality "
                                               "(the talk's 'Alternatively' line)",
          criterion="max over steps and instances of ||W_t - W_0|| / (2 ||Z - W_0||) <= 1. It "
                    "follows from the inequality when sum_{s<t}(2 R^(s)(Z) - R(W_s)) <= 0, "
                    "which is not asserted separately: the features must not drift.",
          check=lambda r: Check(float(np.max(r.radius_ratio)), -math.inf, 1.0,
                                "max_t ||W_t - W0|| / (2 rho)")),
    Claim(key="near_init.radius_not_vacuous",
          statement="The radius bound is within a factor 10 of the distance actually travelled "
                    "when the risk reaches eps.",
          source="", where="non-vacuity of near_init.radius",
          criterion="min over instances of ||W_T - W_0|| / (2 ||Z - W_0||) >= 0.1 (a stated "
                    "order of magnitude; a bound that is 100x loose would fail).",
          check=lambda r: Check(float(np.min(r.final_ratio)), 0.1, math.inf,
                                "min ||W_T - W0|| / (2 rho)")),
    Claim(key="near_init.steps_slope",
          statement="The number of GD steps to reach risk eps scales like 1/gamma^2 across "
                    "instances with different NTK margins gamma.",
          source="ji2020polylogarithmic", where="iteration bound ~ 1/gamma^2 up to logs",
          criterion="log-log slope of steps against 1/gamma_m^2 (k = 1, 2, 3) in [0.5, 1.5]: "
                    "the prediction is 1 (the bound rho^2 / (eta eps) and the asymptotics "
                    "1/R ~ eta gamma^2 t both give it); the window is half-way to slope 0 "
                    "(margin-free) and slope 2 (1/gamma^4).",
          check=lambda r: Check(slope(r), 0.5, 1.5, "slope of log steps vs log 1/gamma^2")),
    Claim(key="near_init.squared_below_floor",
          statement="With the squared loss no point W_0 + rho U of the margin ray certifies a "
                    "risk below min_rho R_sq(W_0 + rho U) > 0, yet GD on the squared loss gets "
                    "below it: its progress is not explained by the margin.",
          source="", where="observation (the talk: 'fails for squared loss')",
          criterion="R_sq(W_T) / floor < 1 on the k = 2 instance after the logistic run's "
                    "number of steps (an observation).",
          check=lambda r: Check(r.sq_final / r.sq_floor, -math.inf, 1.0,
                                "R_sq(W_T) / margin-ray floor"),
          kind="observation"),
)

NEAR_INIT = Experiment(key="near_init", chapter="nonlinear/near_init", run=run_near_init,
                       claims=CLAIMS, sweep=(("chapter", 10),),
                       known_failures={("near_init.squared_below_floor", "chapter", 7):
                                       "on this instance the margins of U are nearly equal, so "
                                       "the margin ray's floor (0.005) is below what GD reaches "
                                       "in the allotted steps"})
EXPERIMENTS = (NEAR_INIT,)
