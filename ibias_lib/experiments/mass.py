r"""Experiments of the chapter *Mass concentrates* (``book/nonlinear/mass.md``).

The data are the book's own construction, not the paper's (the construction behind the talk's
slide, from Telgarsky, ICLR 2023, was not found in the copies available to us): the skewed
wedge :func:`ibias_libm.skewed_wedge_data`, two positive points of lengths 1 and
:math:`r = 0.6` at angles :math:`\pm60.5^\circ` and a negative point at :math:`-e_1`, and its
perturbation, :math:`x_2` rotated by :math:`2^\circ` towards :math:`x_1`.

What is certified exactly (theorems of the chapter, data only, independent of the seed): the
global max margin (LP and exact dual bound), the two KKT points and their margins, that the
two-ReLU point is the global optimum before the perturbation and not after (an explicit dual
certificate), and that the perturbation is small (relative to the linear margin). What
gradient descent does (small steps from initialization scale :math:`10^{-10}`, seeds = the
initialization) is an **observation**: which KKT point its mass selects, on the data, on the
data with any one point duplicated, and on the perturbed data.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from ..claims import Check, Claim, Experiment

R = 0.6                      # length of x_2
ANGLE_1 = 60.5               # x_1 at +60.5 degrees
ANGLE_2 = -60.5              # x_2 at -60.5 degrees: angle 121 > 120, the two-ReLU point wins
ANGLE_2_PERTURBED = -58.5    # rotated by 2 degrees: angle 119 < 120, it loses
NUM_DIRECTIONS = 3600        # 0.1-degree grid; contains every atom of both KKT points
TWO = ({0}, {1})             # activation sets of the two-ReLU point's positive neurons
COMMON = dict(scale=1e-10, step=1.0, n_steps=10_000, num_records=50)
SIZES = {"chapter": dict(width=20), "wide": dict(width=60)}
LP_TOL = 1e-6                # HiGHS' default feasibility tolerance is 1e-7; 10x margin


class DataFacts(NamedTuple):
    """Seed-independent facts about one dataset (all exact or LP-certified)."""
    X: np.ndarray
    y: np.ndarray
    lp_gamma: float          # LP value on the grid (attained by a network)
    lp_upper: float          # exact dual bound (valid for every network)
    lp_atoms: np.ndarray     # angles of the LP optimum's atoms
    gamma_two: float         # network margin of the two-ReLU KKT point
    gamma_single: float      # network margin of the single-ReLU KKT point
    kkt_residual: float      # max KKT residual of the two points
    dual_excess: float       # max_v |G_lambda(v)| - 1 at the two-ReLU point's multipliers
    dual_excess_closed: float  # its closed form max(2 cos(phi/2), 1) - 1
    linear_margin: float     # L2 max margin of the data (linear SVM without bias)


@functools.lru_cache(maxsize=None)
def data_facts(angle_2=ANGLE_2):
    """Certify the margins of the skewed wedge with ``x_2`` at ``angle_2`` (cached)."""
    import ibias_lib as ib
    from ibias_lib import mass as ibm
    X, y = ibm.skewed_wedge_data(ANGLE_1, angle_2, R)
    lp = ib.measure_max_margin(X, y, num_directions=NUM_DIRECTIONS)
    kkt = ibm.skewed_wedge_kkt_points(ANGLE_1, angle_2, R)
    # multipliers of the two-ReLU point at margin 1: G_lambda = 1 at each positive atom and
    # -1 at the negative one, lambda_i = 1 / ||x_i|| (each atom serves one point)
    lam = 1.0 / np.linalg.norm(X, axis=1)
    max_g = 2.0 * ib.dual_margin_bound(X, y, lam) * lam.sum()
    phi = np.deg2rad(ANGLE_1 - angle_2)
    return DataFacts(X=X, y=y, lp_gamma=lp.gamma, lp_upper=lp.upper,
                     lp_atoms=lp.angles[np.abs(lp.weights) > 1e-9],
                     gamma_two=ib.network_margin(kkt["two"], X, y),
                     gamma_single=ib.network_margin(kkt["single"], X, y),
                     kkt_residual=max(ib.kkt_residual(p, X, y) for p in kkt.values()),
                     dual_excess=max_g - 1.0,
                     dual_excess_closed=max(2 * np.cos(phi / 2), 1.0) - 1.0,
                     linear_margin=ib.max_margin(X, y).gamma)


class MassResult(NamedTuple):
    base: DataFacts
    perturbed: DataFacts
    perturbation: float          # ||x_2' - x_2||
    trace: object                # NetTrace of GD on the data
    trace_perturbed: object      # NetTrace of GD on the perturbed data
    share: float                 # positive mass on the two-ReLU activation sets, at the end
    share_perturbed: float
    share_dup: tuple             # the same with point 0, 1, 2 duplicated
    dir_margin: float            # direction_margin of the final network (data)
    dir_margin_dup: tuple
    margin_excess: float         # max over records and runs of margin(t) - certified upper
    final_margin: float


def _train(X, y, seed, width):
    import ibias_lib as ib
    p0 = ib.init_network(np.random.default_rng(seed), (2, width, 1), scale=COMMON["scale"])
    return ib.train_network(X, y, p0, step=COMMON["step"], n_steps=COMMON["n_steps"],
                            num_records=COMMON["num_records"])


def run_mass(seed=0, size="chapter"):
    """Gradient descent (initialization drawn with ``seed``) on the skewed wedge, on it with
    each point duplicated, and on its perturbation; plus the certified facts of both datasets."""
    import ibias_lib as ib
    from ibias_lib import mass as ibm
    width = SIZES[size]["width"]
    base, pert = data_facts(ANGLE_2), data_facts(ANGLE_2_PERTURBED)
    tr = _train(base.X, base.y, seed, width)
    tr_p = _train(pert.X, pert.y, seed, width)
    excess = [np.nanmax(tr.margin) - base.lp_upper, np.nanmax(tr_p.margin) - pert.lp_upper]
    shares, dmargins = [], []
    for i in range(len(base.y)):
        Xd, yd = np.vstack([base.X, base.X[i]]), np.append(base.y, base.y[i])
        tr_d = _train(Xd, yd, seed, width)
        excess.append(np.nanmax(tr_d.margin) - base.lp_upper)   # same margin problem
        # activation sets are read on the 3 distinct points, so TWO means the same here
        shares.append(ibm.pattern_share(tr_d.params(), base.X, TWO))
        dmargins.append(ibm.direction_margin(tr_d.params(), base.X, base.y))
    return MassResult(base=base, perturbed=pert,
                      perturbation=float(np.linalg.norm(pert.X[1] - base.X[1])),
                      trace=tr, trace_perturbed=tr_p,
                      share=ibm.pattern_share(tr.params(), base.X, TWO),
                      share_perturbed=ibm.pattern_share(tr_p.params(), pert.X, TWO),
                      share_dup=tuple(shares),
                      dir_margin=ibm.direction_margin(tr.params(), base.X, base.y),
                      dir_margin_dup=tuple(dmargins),
                      margin_excess=float(max(excess)), final_margin=float(tr.margin[-1]))


def _closeness(res, value):
    """(value - gamma_single) / (gamma_two - gamma_single) on the data: 1 at the two-ReLU
    point, 0 at the single-ReLU point, 1/2 halfway."""
    b = res.base
    return (value - b.gamma_single) / (b.gamma_two - b.gamma_single)


SHARE_MIN = 0.9
CLAIMS = (
    Claim(key="mass.lp_certified",
          statement="The LP over a 0.1° grid of directions and the exact dual bound at its "
                    "dual weights meet, on the data and on the perturbed data: the global max "
                    "margin over networks of every width is certified.",
          source="", where="Proposition prop-mass-measure (ii)",
          criterion=f"max over both datasets of (upper - LP value) in [0, {LP_TOL:g}]: weak "
                    "duality makes it >= 0 (up to 1e-12), and the LP solver's tolerance "
                    "(1e-7, times 10) bounds it above when the optimum's atoms are on the grid.",
          check=lambda r: Check(max(r.base.lp_upper - r.base.lp_gamma,
                                    r.perturbed.lp_upper - r.perturbed.lp_gamma),
                                -1e-12, LP_TOL, "upper - lower, worst dataset")),
    Claim(key="mass.kkt_points",
          statement="Both candidate points (two ReLUs; one ReLU) are KKT points of the margin "
                    "problem, on the data and on the perturbed data.",
          source="", where="Proposition prop-mass-skewed",
          criterion="max KKT residual (best multipliers by NNLS) <= 1e-8: the closed forms are "
                    "exact, so only rounding remains.",
          check=lambda r: Check(max(r.base.kkt_residual, r.perturbed.kkt_residual), 0.0, 1e-8,
                                "max relative KKT residual")),
    Claim(key="mass.two_is_optimal",
          statement="On the data the two-ReLU KKT point is the global max margin: its closed-form "
                    "margin r/(2(1+2r)) equals the certified value.",
          source="", where="Proposition prop-mass-skewed",
          criterion=f"|LP value - r/(2(1+2r))| <= {LP_TOL:g} (LP tolerance; the atoms +-60.5°, "
                    "180° are on the grid).",
          check=lambda r: Check(abs(r.base.lp_gamma - R / (2 * (1 + 2 * R))), 0.0, LP_TOL,
                                "|LP - closed form|")),
    Claim(key="mass.single_is_bad",
          statement="On the data the single-ReLU KKT point is not globally optimal.",
          source="", where="Proposition prop-mass-skewed",
          criterion=f"certified max margin - single-ReLU margin > {LP_TOL:g} (beyond the LP "
                    "tolerance; the closed-form gap is 0.0025).",
          check=lambda r: Check(r.base.lp_upper - r.base.gamma_single, LP_TOL, np.inf,
                                "gap to the optimum")),
    Claim(key="mass.dual_certificate",
          statement="The two-ReLU point's own multipliers certify it: max|G_lambda| = "
                    "max(2cos(phi/2), 1), which is 1 (optimal) at phi = 121° and above 1 "
                    "(not optimal) at phi = 119°.",
          source="", where="Proposition prop-mass-skewed (proof)",
          criterion="max over both datasets of |exact max|G_lambda| - closed form| <= 1e-12 "
                    "(both exact); the perturbed excess 2cos(59.5°) - 1 = 0.0152 > 0 is the "
                    "non-vacuity.",
          check=lambda r: Check(max(abs(r.base.dual_excess - r.base.dual_excess_closed),
                                    abs(r.perturbed.dual_excess - r.perturbed.dual_excess_closed)),
                                0.0, 1e-12, "|exact - closed form|")),
    Claim(key="mass.two_is_bad_perturbed",
          statement="After the perturbation the two-ReLU KKT point is not globally optimal.",
          source="", where="Proposition prop-mass-skewed",
          criterion=f"certified max margin (LP value, attained) - two-ReLU margin > {LP_TOL:g}.",
          check=lambda r: Check(r.perturbed.lp_gamma - r.perturbed.gamma_two, LP_TOL, np.inf,
                                "gap to the optimum")),
    Claim(key="mass.perturbation_small",
          statement="The perturbation moves one point by at most 10% of the data's margin.",
          source="", where="the construction",
          criterion="||x_2' - x_2|| / (linear max margin of the data) <= 0.1 (the brief's scale: "
                    "a move well inside the margin, which no label or separability notices).",
          check=lambda r: Check(r.perturbation / r.base.linear_margin, 0.0, 0.1,
                                "move / linear margin")),
    Claim(key="mass.gd_below_certificate",
          statement="Gradient descent's normalized margin never exceeds the certified maximum, "
                    "on any of the five datasets, at any recorded step.",
          source="", where="Proposition prop-mass-measure (ii)",
          criterion="max over records of margin(t) - upper <= 1e-12 (weak duality, rounding "
                    "only); an 'upper' bound that is only the grid LP value would be beaten by a "
                    "network between grid points.",
          check=lambda r: Check(r.margin_excess, -np.inf, 1e-12, "max margin(t) - upper")),
    Claim(key="mass.gd_selects_two", kind="observation",
          statement="Gradient descent from a small initialization puts its positive mass on the "
                    "two-ReLU point's neurons (each active on one positive point only).",
          source="", where="observed (seeds 0-9, widths 20 and 60)",
          criterion=f"share of positive mass on the activation sets {{x1}}, {{x2}} >= "
                    f"{SHARE_MIN}: the two-ReLU point has share 1 and the single-ReLU point 0; "
                    "0.9 allows 10% still in transit at the end of the run.",
          check=lambda r: Check(r.share, SHARE_MIN, 1.0, "positive mass on two's patterns")),
    Claim(key="mass.gd_direction_margin", kind="observation",
          statement="The directions gradient descent ends at are those of the two-ReLU point: "
                    "re-balancing the atoms at those directions gives a margin closer to the "
                    "two-ReLU point's than to the single-ReLU point's.",
          source="", where="observed (seeds 0-9, widths 20 and 60)",
          criterion="(direction margin - single) / (two - single) in [0.5, 1 + 1e-6]: 1/2 is "
                    "the midpoint between the two KKT margins (the decision boundary), and 1 the "
                    "global optimum (a direction margin is attained by a network).",
          check=lambda r: Check(_closeness(r, r.dir_margin), 0.5, 1 + 1e-6,
                                "closeness to two (1) vs single (0)")),
    Claim(key="mass.gd_duplication_robust", kind="observation",
          statement="Duplicating any one of the three points (the margin problem is unchanged) "
                    "leaves the selected KKT point unchanged.",
          source="", where="observed (seeds 0-9, widths 20 and 60)",
          criterion=f"min over the duplicated point of the share on two's patterns >= "
                    f"{SHARE_MIN} (as for the data).",
          check=lambda r: Check(min(r.share_dup), SHARE_MIN, 1.0, "worst duplication")),
    Claim(key="mass.gd_duplication_direction_margin", kind="observation",
          statement="With any one point duplicated, the final directions are still those of the "
                    "two-ReLU point.",
          source="", where="observed (seeds 0-9, widths 20 and 60)",
          criterion="min over the duplicated point of the closeness (as above) in "
                    "[0.5, 1 + 1e-6].",
          check=lambda r: Check(min(_closeness(r, v) for v in r.dir_margin_dup), 0.5, 1 + 1e-6,
                                "worst duplication")),
    Claim(key="mass.gd_keeps_two_perturbed", kind="observation",
          statement="After the perturbation gradient descent still selects the two-ReLU point, "
                    "which is now not optimal: a small perturbation switches which KKT point is "
                    "good, not which one gradient descent selects.",
          source="", where="observed (seeds 0-9, widths 20 and 60)",
          criterion=f"share of positive mass on two's patterns, perturbed data, >= {SHARE_MIN}.",
          check=lambda r: Check(r.share_perturbed, SHARE_MIN, 1.0, "perturbed data")),
)

MASS = Experiment(key="mass", chapter="nonlinear/mass", run=run_mass, claims=CLAIMS,
                  sweep=(("chapter", 10), ("wide", 10)), slow=True,
                  known_failures={
                      ("mass.gd_duplication_robust", "chapter", 9):
                          "with x2 duplicated, its weight in the early race doubles and the "
                          "direction serving both points (G0 = 1.064/4) outgrows x1's own "
                          "(1/4); at this seed a positive cluster at 19.8 degrees, active on "
                          "both points, still holds 44% of the positive mass at step 1e4 and "
                          "drifts towards x1 by about 0.4 degrees per decade of steps (19.1 "
                          "degrees at 1e5): GD has not selected a KKT point in the run."})

EXPERIMENTS = (MASS,)
