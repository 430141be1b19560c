r"""Experiments of the chapter *Explicit versus implicit bias* (``book/linear/explicit_implicit.md``).

* :func:`run_kernel`: the bias-free RBF SVM (explicit, ``ib.kernel_max_margin``, checked
  against scikit-learn's ``SVC`` on mirrored data) and kernel GD with normalized steps
  (implicit). Kernel GD is linear GD on a factor of :math:`K` (theorem of the chapter), so the
  linear theorems apply with the RKHS margin :math:`\gamma_{\mathcal H}`: the dual bound of
  mirror descent, :math:`\tfrac12\|A^\top q_t\|_{\mathcal H}^2-\tfrac12\gamma_{\mathcal H}^2\le
  \ln n/t`, at every step, and a :math:`1/t` rate after the burn-in
  :math:`t_0=\ln n/\gamma_{\mathcal H}^2`.
* :func:`run_boost`: AdaBoost with shrinkage on two stump dictionaries (the library's
  :math:`\pm1` stumps, and the talk's indicators :math:`1[x_j>b]` with their complements
  :math:`1[x_j\le b]`), against the exact L1 max margin of each (LP), and the chapter's
  theorem :math:`\gamma_1^*-\mathrm{margin}_1\le\nu\gamma_1^*/2+\ln n/(\nu t\gamma_1^*)` for
  :math:`t\ge t_b=\ln n/((1-\nu/2)\nu\gamma_1^{*2})` (the theorem's own hypothesis).
* :func:`run_slow_cd`: an instance where coordinate descent is slow. The translates of a
  relative difference set in :math:`\mathbb Z_{q^2-1}` (``ib.boosting.cyclic_dictionary``) have
  :math:`\gamma_1^*=1-2q/(q^2-1)`; plain AdaBoost never leaves the coset of its first pick, so
  its gap stays :math:`\ge 2/(q^2-1)` forever (the chapter's theorem, ours). Shrunken AdaBoost
  escapes by the chapter's shrinkage theorem, and normalized GD reaches its own (l2) max margin
  at rate :math:`1/t` (Ji & Telgarsky 2021).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..claims import Check, Claim, Experiment

BANDWIDTH = 0.3
KERNEL_SIZES = {"chapter": dict(n=40, T=10_000), "large": dict(n=80, T=10_000)}
BOOST_SIZES = {"chapter": dict(n=40, T=20_000), "large": dict(n=80, T=20_000)}
NUS = (0.1, 1.0)
FLOAT_TOL = 1e-9   # relative; the LP (HiGHS) and the eigen-factor are solved to about 1e-10


def svc_coefficients(K, y):
    """Hard-margin ``SVC`` (C = 1e8) on a precomputed kernel: coefficients and intercept."""
    from sklearn.svm import SVC
    fit = SVC(kernel="precomputed", C=1e8, tol=1e-10).fit(K, y)
    alpha = np.zeros(len(y))
    alpha[fit.support_] = fit.dual_coef_[0]
    return alpha, float(fit.intercept_[0])


class KernelResult(NamedTuple):
    n: int
    gamma: float           # RKHS max margin (explicit)
    svc_mirror_margin: float
    svc_b_margin: float    # SVC with free intercept: margin of (f + b)
    t0: float
    steps: np.ndarray
    margin: np.ndarray     # normalized RKHS margin of kernel GD
    dual_sq: np.ndarray    # ||A^T q_t||_H^2 = (y q)^T K (y q), q_t = softmax(-m_t)
    slope: float


def run_kernel(seed=0, size="chapter"):
    import ibias_lib as ib
    from ibias_lib.numerics import softmax
    p = KERNEL_SIZES[size]
    X, y = ib.rings_data(p["n"], seed=seed)
    n = len(y)
    K = ib.rbf_kernel(X, bandwidth=BANDWIDTH)
    svm = ib.kernel_max_margin(K, y)
    alpha_b, b = svc_coefficients(K, y)
    svc_b = float((y * (K @ alpha_b + b)).min() / np.sqrt(alpha_b @ K @ alpha_b))
    alpha_m, _ = svc_coefficients(np.block([[K, -K], [-K, K]]), np.r_[y, -y])
    svc_m = float(ib.rkhs_margin(K, y, alpha_m[:n] - alpha_m[n:]))
    T = p["T"]
    rec = ib.log_spaced_steps(T, 80)
    kgd = ib.kernel_gd(K, y, loss="exp", n_steps=T, record_at=rec)
    dual_sq = np.empty(len(rec))
    for i, a in enumerate(kgd.w):
        v = y * softmax(-(y * (K @ a)))
        dual_sq[i] = v @ K @ v
    t0 = math.log(n) / svm.gamma ** 2
    late = rec >= t0
    slope = float(np.polyfit(np.log(rec[late]), np.log(svm.gamma - kgd.margin[late]), 1)[0])
    return KernelResult(n, svm.gamma, svc_m, svc_b, t0, rec, kgd.margin, dual_sq, slope)


def _kernel_mirror(r):
    ratio = 0.5 * (r.dual_sq - r.gamma ** 2) / (math.log(r.n) / r.steps)
    return Check(float(ratio.max()), hi=1.0, note="max_t (f(q_t) - f*) / (ln n / t)")


KERNEL = Experiment(
    key="explicit_implicit_kernel", chapter="linear/explicit_implicit", run=run_kernel,
    sweep=(("chapter", 10), ("large", 10)),
    claims=(
        Claim("explicit_implicit_kernel.svc_agrees",
              "scikit-learn's SVC on mirrored data (intercept forced to 0) reaches the RKHS "
              "max margin of ib.kernel_max_margin.",
              "cortes1995support", "hard-margin SVM (C = 1e8)",
              "|margin_SVC / gamma_H - 1| <= 1e-5: an independent solver (libsvm SMO with KKT "
              "tolerance 1e-10, soft margin C = 1e8) agrees to 5 digits",
              lambda r: Check(abs(r.svc_mirror_margin / r.gamma - 1), hi=1e-5,
                              note="relative difference")),
        Claim("explicit_implicit_kernel.intercept_helps",
              "SVC with a free intercept has margin at least gamma_H.",
              "", "thm-kernel-svm-linear (a free intercept enlarges the feasible set)",
              "(margin of f + b) / gamma_H - 1 >= -1e-5 (SVC's accuracy, as above)",
              lambda r: Check(r.svc_b_margin / r.gamma - 1, lo=-1e-5,
                              note="relative excess")),
        Claim("explicit_implicit_kernel.never_above",
              "Kernel GD's normalized RKHS margin never exceeds gamma_H.",
              "", "thm-kernel-svm-linear",
              "max_t (margin_t - gamma_H) / gamma_H <= 1e-9 (eigen-factor cut at 1e-12): "
              "fails if the explicit solver's gamma_H is too small",
              lambda r: Check(float(np.max(r.margin - r.gamma) / r.gamma), hi=FLOAT_TOL,
                              note="max relative excess")),
        Claim("explicit_implicit_kernel.dual_bound",
              "Kernel GD with normalized steps: dual objective gap <= ln n / t at every step "
              "(mirror descent, with the RKHS margin).",
              "ji2021characterizing", "thm-kernel-gd-linear + prop-ngd-mirror (k(x,x) = 1)",
              "max_t (||A^T q_t||_H^2 - gamma_H^2) / 2 / (ln n / t) <= 1, the bound with its "
              "constant at every recorded step",
              _kernel_mirror),
        Claim("explicit_implicit_kernel.rate",
              "Kernel GD's RKHS margin gap decays like 1/t with normalized steps.",
              "ji2021characterizing", "thm-kernel-gd-linear + thm-jt-rates",
              "log-log slope of gamma_H - margin_t over t in [t0, T], t0 = ln n / gamma_H^2, "
              "in [-1.5, -0.5]: midpoints to 1/t^2 and to a frozen gap (constant steps, "
              "1/ln t, have slope about -1/ln t > -0.5)",
              lambda r: Check(r.slope, lo=-1.5, hi=-0.5, note="slope over [t0, T]")),
    ))


def indicator_stumps(X):
    r"""Values of the talk's stumps :math:`1[x_j>b]` and their complements :math:`1[x_j\le b]`
    (thresholds at the midpoints of ``ib.decision_stumps``), shape (n, 2 * n_stumps), in
    {0, 1}. The constant stump's pair is (1, 0); the all-zero column is dropped."""
    import ibias_lib as ib
    S = ib.stump_values(ib.decision_stumps(X), X)
    I = (S > 0).astype(float)
    H = np.hstack([I, 1.0 - I])
    return H[:, H.any(axis=0)]


class BoostResult(NamedTuple):
    n: int
    gamma: dict         # dictionary -> L1 max margin (LP primal)
    lp_gap: dict        # dictionary -> |primal margin recomputed - dual value| / gamma
    steps: np.ndarray
    gap: dict           # (dictionary, nu) -> gamma - margin_1 at the records
    t_burn: dict        # (dictionary, nu) -> ln n / ((1 - nu/2) nu gamma^2)
    l2_frac: dict       # name -> l2 margin / l2 max margin (sign stumps)
    l1_frac: dict       # name -> l1 margin / l1 max margin (sign stumps)


def run_boost(seed=0, size="chapter"):
    import ibias_lib as ib
    p = BOOST_SIZES[size]
    X, y = ib.rings_data(p["n"], seed=seed)
    n = len(y)
    dicts = {"pm1": ib.stump_values(ib.decision_stumps(X), X), "indicator": indicator_stumps(X)}
    T = p["T"]
    rec = ib.log_spaced_steps(T, 100)
    gamma, lp_gap, gap, t_burn, lams = {}, {}, {}, {}, {}
    for name, H in dicts.items():
        lp = ib.max_margin_l1(H, y)
        A = y[:, None] * H
        primal = float(ib.l1_margin(H, y, lp.weights))
        dual = float(np.abs(A.T @ (lp.dual / lp.dual.sum())).max())
        gamma[name] = lp.gamma
        lp_gap[name] = max(abs(primal - dual), abs(primal - lp.gamma)) / lp.gamma
        for nu in NUS:
            if name == "indicator" and nu == 1.0:
                continue
            tr = ib.adaboost(H, y, shrinkage=nu, n_steps=T, record_at=rec)
            gap[name, nu] = lp.gamma - tr.margin
            t_burn[name, nu] = math.log(n) / ((1 - nu / 2) * nu * lp.gamma ** 2)
            lams[name, nu] = tr.w[-1]
    H = dicts["pm1"]
    svm2 = ib.max_margin(H, y)
    lam_gd = ib.normalized_gd(H / np.sqrt(H.shape[1]), y, n_steps=T, num_records=2).w[-1]
    rows = {"gd": lam_gd, "adaboost": lams["pm1", 0.1], "svm": svm2.direction,
            "lp": ib.max_margin_l1(H, y).weights}
    l2 = {k: float(ib.margin(H, y, v) / svm2.gamma) for k, v in rows.items()}
    l1 = {k: float(ib.l1_margin(H, y, v) / gamma["pm1"]) for k, v in rows.items()}
    return BoostResult(n, gamma, lp_gap, rec, gap, t_burn, l2, l1)


def _bound_excess(r, name, nu):
    g = r.gamma[name]
    on = r.steps >= r.t_burn[name, nu]
    bound = nu * g / 2 + math.log(r.n) / (nu * r.steps * g)
    return float(np.max((r.gap[name, nu] - bound)[on]) / g)


def _no_floor(r, name, nu):
    g = r.gamma[name]
    on = r.steps >= r.t_burn[name, nu]
    return float(np.max((r.gap[name, nu] * nu * r.steps * g / math.log(r.n))[on]))


def _final_bound(r, name, nu):
    g = r.gamma[name]
    return (nu * g / 2 + math.log(r.n) / (nu * r.steps[-1] * g)) / g


_B = "explicit_implicit_boost"
_boost_claims = [
    Claim(f"{_B}.lp_certificate",
          "The exact L1 max margin (LP) is certified on both stump dictionaries.",
          "", "LP duality",
          "max over dictionaries of |margin_1(u) - ||A^T q||_inf| / gamma <= 1e-9, u and q "
          "the LP's primal and dual solutions, recomputed here (HiGHS tolerances ~1e-10)",
          lambda r: Check(max(r.lp_gap.values()), hi=FLOAT_TOL, note="relative duality gap")),
    Claim(f"{_B}.window",
          "The runs are long enough that the theorem applies over a decade of steps.",
          "", "setup",
          "min over dictionaries of T / t_b >= 5 for nu = 0.1, t_b = ln n/((1 - nu/2) nu "
          "gamma^2)",
          lambda r: Check(min(r.steps[-1] / r.t_burn[k, 0.1] for k in r.gamma), lo=5.0,
                          note="T / t_b")),
]
for _name, _nu in (("pm1", 0.1), ("pm1", 1.0), ("indicator", 0.1)):
    _tag = f"{_name}_nu{_nu:g}".replace(".", "")
    _boost_claims.append(Claim(
        f"{_B}.bound_{_tag}",
        f"AdaBoost (shrinkage {_nu:g}, {_name} stumps): gamma_1* - margin_1 <= nu gamma/2 + "
        "ln n/(nu t gamma) at every checkpoint t >= t_b.",
        "telgarsky2013margins", "thm-adaboost-margin (the chapter's statement)",
        "max over t >= t_b of (gap - bound) / gamma <= 1e-12 (float rounding), t_b = "
        "ln n/((1 - nu/2) nu gamma^2), the theorem's own hypothesis",
        (lambda name, nu: lambda r: Check(_bound_excess(r, name, nu), hi=1e-12,
                                          note="max (gap - bound)/gamma, t >= t_b"))(_name, _nu)))
    if _nu < 1:
        _boost_claims.append(Claim(
            f"{_B}.nonvacuous_{_tag}",
            f"The bound (shrinkage {_nu:g}, {_name} stumps) certifies a positive margin at T.",
            "", "thm-adaboost-margin",
            "bound(T) / gamma < 1, i.e. the theorem guarantees margin_1 > 0 at the end",
            (lambda name, nu: lambda r: Check(_final_bound(r, name, nu), hi=1.0 - 1e-9,
                                              note="bound(T)/gamma"))(_name, _nu)))
    _boost_claims.append(Claim(
        f"{_B}.no_floor_{_tag}",
        f"Observed: AdaBoost ({_nu:g}, {_name}) stays below ln n/(nu t gamma) alone after t_b.",
        "", "observation (not a theorem: the theorem has the nu gamma/2 floor)",
        "max over t >= t_b of gap nu t gamma / ln n <= 1; observed on seeds 0-9",
        (lambda name, nu: lambda r: Check(_no_floor(r, name, nu), hi=1.0,
                                          note="max gap / (ln n/(nu t gamma))"))(_name, _nu),
        kind="observation"))
_boost_claims += [
    Claim(f"{_B}.own_norm",
          "Observed: GD (l2 steps) and AdaBoost (l1 steps) on the same stump features each "
          "come within 5% of their own norm's max margin.",
          "gunasekar2018characterizing", "observation at finite T (the theorem is the limit)",
          "min(l2 margin of GD / l2 max, l1 margin of AdaBoost / l1 max) >= 0.95; observed",
          lambda r: Check(min(r.l2_frac["gd"], r.l1_frac["adaboost"]), lo=0.95,
                          note="fraction of own max margin"), kind="observation"),
    Claim(f"{_B}.other_norm",
          "Observed: each method does better than the other in its own norm: GD's l1 margin "
          "is below AdaBoost's, and AdaBoost's l2 margin below GD's.",
          "", "observation",
          "max(l1 margin of GD / l1 margin of AdaBoost, l2 margin of AdaBoost / l2 margin of "
          "GD) < 1: the threshold 1 is the statement itself; observed on seeds 0-9",
          lambda r: Check(max(r.l1_frac["gd"] / r.l1_frac["adaboost"],
                              r.l2_frac["adaboost"] / r.l2_frac["gd"]), hi=1.0 - 1e-9,
                          note="largest cross ratio"),
          kind="observation"),
]

BOOST = Experiment(key=_B, chapter="linear/explicit_implicit", run=run_boost,
                   claims=tuple(_boost_claims), sweep=(("chapter", 10), ("large", 10)),
                   slow=True)


# ---------------------------------------------------------------- an instance where CD is slow

SLOW_CD_SIZES = {"chapter": dict(q=4, T=10_000), "large": dict(q=5, T=10_000)}
SLOW_CD_NU = 0.1      # shrinkage of the comparison run: its bound at T is below the plain floor


def slow_cd_instance(q, seed):
    r"""The translates of a relative difference set in :math:`\mathbb Z_{q^2-1}`, relabelled.

    Returns ``(H, y, translate)``: ``H[i, j] = y_i A_{ij}`` with ``A`` the matrix of
    ``ib.boosting.cyclic_dictionary`` with rows and columns permuted, the columns' signs
    flipped at random and a random subset of the hypotheses listed twice; ``y`` random
    labels; ``translate[j]`` the shift :math:`k` of the translate :math:`D+k` that column j is
    (up to sign). None of this changes the dictionary as a set of functions (up to negation),
    so neither the L1 max margin nor AdaBoost's margins; it does change the l2 geometry that
    gradient descent sees (a repeated feature counts twice)."""
    from ..boosting import cyclic_dictionary, relative_difference_set
    m = q * q - 1
    base = cyclic_dictionary(m, relative_difference_set(q))
    rng = np.random.default_rng(seed)
    cols = np.repeat(np.arange(m), rng.integers(1, 3, size=m))   # each hypothesis once or twice
    cols = cols[rng.permutation(len(cols))]
    A = base[rng.permutation(m)][:, cols] * rng.choice([-1.0, 1.0], size=len(cols))
    y = rng.choice([-1.0, 1.0], size=m)
    return y[:, None] * A, y, cols


def coset_mass_outside(lam, translate, q):
    r"""Fraction of :math:`\|\lambda\|_1` outside the heaviest coset of :math:`N=(q+1)\mathbb Z_m`
    (columns grouped by the shift of their translate, cosets = residues mod q+1)."""
    per_coset = np.bincount(translate % (q + 1), weights=np.abs(lam), minlength=q + 1)
    return 1.0 - per_coset.max() / per_coset.sum()


class SlowCDResult(NamedTuple):
    q: int
    n: int
    n_hyp: int
    gamma: float          # L1 max margin (LP)
    gamma_closed: float   # 1 - 2q/(q^2 - 1)
    cert_gap: float       # max relative deviation of LP primal, LP dual, uniform certificate
    floor: float          # 2/(q^2 - 1), the theorem's floor for plain AdaBoost
    steps: np.ndarray
    gap_plain: np.ndarray     # gamma - margin_1, plain AdaBoost
    outside: np.ndarray       # l1 mass outside the heaviest coset, plain AdaBoost
    last_edges: np.ndarray    # the last q - 1 edges of plain AdaBoost (one period)
    gap_shrink: np.ndarray    # gamma - margin_1, AdaBoost with shrinkage SLOW_CD_NU
    t_burn: float             # ln n/((1 - nu/2) nu gamma^2)
    gamma2: float             # l2 max margin of the rows / sqrt(#hypotheses)
    gap_gd: np.ndarray        # gamma2 - margin_2, normalized GD
    dual_ratio: np.ndarray    # (||X^T q_t||^2 - gamma2^2)/2 / (ln n / t)
    t0: float                 # ln n / gamma2^2
    slope_gd: float           # log-log slope of gap_gd over [t0, T]
    slope_shrink: float       # log-log slope of gap_shrink over [T/10, T]


def _loglog_slope(t, gap, lo):
    keep = (t >= lo) & (gap > 0)
    return float(np.polyfit(np.log(t[keep]), np.log(gap[keep]), 1)[0]) if keep.sum() > 2 \
        else math.nan


def _slow_cd_lp(H, y, q):
    import ibias_lib as ib
    lp = ib.max_margin_l1(H, y)
    A = y[:, None] * H
    closed = 1 - 2 * q / (q * q - 1)
    uniform_dual = float(np.abs(A.T @ np.full(len(y), 1 / len(y))).max())
    lp_dual = float(np.abs(A.T @ lp.dual).max())
    dev = max(abs(v - closed) for v in (lp.gamma, uniform_dual, lp_dual)) / closed
    return lp.gamma, closed, dev


def _slow_cd_gd(H, y, T, rec):
    import ibias_lib as ib
    from ibias_lib.numerics import softmax
    X = H / np.sqrt(H.shape[1])                    # rows of norm 1
    svm = ib.max_margin(X, y)
    gd = ib.normalized_gd(X, y, n_steps=T, record_at=rec)
    A = y[:, None] * X
    dual_sq = np.array([np.sum((A.T @ softmax(-(A @ w))) ** 2) for w in gd.w])
    n = len(y)
    ratio = 0.5 * (dual_sq - svm.gamma ** 2) / (math.log(n) / rec)
    t0 = math.log(n) / svm.gamma ** 2
    gap = svm.gamma - gd.margin
    return svm.gamma, gap, ratio, t0, _loglog_slope(rec, gap, t0)


def run_slow_cd(seed=0, size="chapter"):
    """Plain AdaBoost, shrunken AdaBoost and normalized GD on ``slow_cd_instance(q, seed)``."""
    import ibias_lib as ib
    p = SLOW_CD_SIZES[size]
    q, T = p["q"], p["T"]
    H, y, translate = slow_cd_instance(q, seed)
    n = len(y)
    gamma, closed, dev = _slow_cd_lp(H, y, q)
    rec = ib.log_spaced_steps(T, 80)
    period = np.arange(T - q + 2, T + 1)                       # the last q - 1 steps
    plain = ib.adaboost(H, y, n_steps=T, record_at=np.union1d(rec, period))
    keep = np.isin(plain.steps, rec)
    outside = np.array([coset_mass_outside(w, translate, q) for w in plain.w[keep]])
    shrunk = ib.adaboost(H, y, shrinkage=SLOW_CD_NU, n_steps=T, record_at=rec)
    nu = SLOW_CD_NU
    gamma2, gap_gd, ratio, t0, slope_gd = _slow_cd_gd(H, y, T, rec)
    gap_shrink = gamma - shrunk.margin
    return SlowCDResult(
        q=q, n=n, n_hyp=H.shape[1], gamma=gamma, gamma_closed=closed, cert_gap=dev,
        floor=2 / (q * q - 1), steps=rec, gap_plain=gamma - plain.margin[keep],
        outside=outside, last_edges=np.asarray(plain.extra["edge"])[~keep],
        gap_shrink=gap_shrink, t_burn=math.log(n) / ((1 - nu / 2) * nu * gamma ** 2),
        gamma2=gamma2, gap_gd=gap_gd, dual_ratio=ratio, t0=t0, slope_gd=slope_gd,
        slope_shrink=_loglog_slope(rec, gap_shrink, T // 10))


def _shrink_bound(r, t):
    nu = SLOW_CD_NU
    return nu * r.gamma / 2 + math.log(r.n) / (nu * t * r.gamma)


def _shrink_excess(r):
    on = r.steps >= r.t_burn
    return float(np.max((r.gap_shrink - _shrink_bound(r, r.steps))[on]) / r.gamma)


_S = "explicit_implicit_slow_cd"
SLOW_CD = Experiment(
    key=_S, chapter="linear/explicit_implicit", run=run_slow_cd,
    sweep=(("chapter", 10), ("large", 10)),
    claims=(
        Claim(f"{_S}.lp_value",
              "The L1 max margin of the translates of a (q+1, q-1, q, 1) relative difference "
              "set is 1 - 2q/(q^2 - 1).",
              "", "thm-slow-cd (a): uniform weights on both sides certify it",
              "max relative deviation from 1 - 2q/(q^2-1) of the LP's primal value, of its dual "
              "value and of ||A^T q||_inf at the uniform q <= 1e-9 (HiGHS tolerance ~1e-10)",
              lambda r: Check(r.cert_gap, hi=FLOAT_TOL, note="relative deviation")),
        Claim(f"{_S}.coset_lock",
              "Plain AdaBoost puts all its weight on the coset k0 + N of its first hypothesis.",
              "", "thm-slow-cd (b), ours",
              "max over recorded t of the l1 mass outside the heaviest coset of N = (q+1)Z_m "
              "<= 1e-12: exactly 0 by the theorem; q/(q+1) for the uniform maximizer",
              lambda r: Check(float(r.outside.max()), hi=1e-12, note="max mass outside")),
        Claim(f"{_S}.frozen_gap",
              "Plain AdaBoost's L1 margin gap never drops below 2/(q^2 - 1): t * gap grows "
              "linearly, so no bound of order 1/t holds for coordinate descent.",
              "", "thm-slow-cd (c), ours",
              "min over recorded t (1 .. T) of gap / (2/(q^2 - 1)) >= 1 - 1e-9 (float "
              "rounding); a 1/t method's gap falls below the floor by t = T/10",
              lambda r: Check(float(np.min(r.gap_plain) / r.floor), lo=1 - 1e-9,
                              note="min gap / floor")),
        Claim(f"{_S}.floor_tight",
              "Observed: plain AdaBoost's gap converges to the floor 2/(q^2 - 1) (its margin to "
              "(q - 3)/(q - 1)), the excess decaying like 1/t.",
              "", "observation (the theorem proves only the inequality)",
              "log-log slope of gap - floor over [T/10, T] in [-1.5, -0.5]: an excess that "
              "stays (slope 0) means a floor above the theorem's, and -1 is the O(1/t) of "
              "iterates that converge to a cycle; observed",
              lambda r: Check(_loglog_slope(r.steps, r.gap_plain - r.floor, r.steps[-1] // 10),
                              lo=-1.5, hi=-0.5, note="slope of gap - floor over [T/10, T]"),
              kind="observation"),
        Claim(f"{_S}.shrink_bound",
              f"AdaBoost with shrinkage {SLOW_CD_NU:g} obeys gamma - margin_1 <= nu gamma/2 + "
              "ln n/(nu t gamma) at every checkpoint t >= t_b on this instance.",
              "telgarsky2013margins", "thm-adaboost-margin (the chapter's statement)",
              "max over t >= t_b of (gap - bound)/gamma <= 1e-12 (float rounding), t_b = "
              "ln n/((1 - nu/2) nu gamma^2)",
              lambda r: Check(_shrink_excess(r), hi=1e-12, note="max (gap - bound)/gamma")),
        Claim(f"{_S}.shrink_escapes",
              "The shrinkage theorem's bound at T is below plain AdaBoost's floor: shrinkage "
              "provably beats the exact line search here.",
              "telgarsky2013margins", "thm-adaboost-margin against thm-slow-cd",
              "bound(T) / (2/(q^2 - 1)) < 1 (both sides are theorems)",
              lambda r: Check(_shrink_bound(r, r.steps[-1]) / r.floor, hi=1 - 1e-9,
                              note="bound(T)/floor")),
        Claim(f"{_S}.shrink_rate",
              "Observed: shrunken AdaBoost's gap decays like 1/t on this instance, below its "
              "theorem's floor nu gamma/2.",
              "", "observation (the theorem has the floor nu gamma/2)",
              "log-log slope of the gap over [T/10, T] <= -0.5, half-way between a frozen gap "
              "(0) and 1/t (-1); observed",
              lambda r: Check(r.slope_shrink, hi=-0.5, note="slope over [T/10, T]"),
              kind="observation"),
        Claim(f"{_S}.gd_dual_bound",
              "Normalized GD on the same features (rows / sqrt(#hypotheses)): dual objective "
              "gap <= ln n / t at every step.",
              "ji2021characterizing", "prop-ngd-mirror",
              "max_t (||A^T q_t||^2 - gamma_2^2) / 2 / (ln n / t) <= 1, the bound with its "
              "constant at every recorded step (below the trivial 1/2 once t > 2 ln n)",
              lambda r: Check(float(r.dual_ratio.max()), hi=1.0,
                              note="max_t (f(q_t) - f*)/(ln n/t)")),
        Claim(f"{_S}.gd_rate",
              "Normalized GD's l2 margin gap decays like 1/t on the same instance.",
              "ji2021characterizing", "thm-jt-rates",
              "log-log slope of gamma_2 - margin_2 over [t0, T], t0 = ln n / gamma_2^2, in "
              "[-1.5, -0.5]: midpoints to 1/t^2 and to a frozen gap (plain AdaBoost's slope 0)",
              lambda r: Check(r.slope_gd, lo=-1.5, hi=-0.5, note="slope over [t0, T]")),
        Claim(f"{_S}.window",
              "The runs are long enough for the comparisons: T >= 5 t_b (shrinkage) and "
              "T >= 10 t0 (GD).",
              "", "setup",
              "min(T / (5 t_b), T / (10 t0)) >= 1",
              lambda r: Check(min(r.steps[-1] / (5 * r.t_burn), r.steps[-1] / (10 * r.t0)),
                              lo=1.0, note="min(T/(5 t_b), T/(10 t0))")),
    ))

EXPERIMENTS = (KERNEL, BOOST, SLOW_CD)
