r"""Experiments of the chapter *Beyond homogeneity: SiLU, GELU and attention*
(``book/nonlinear/beyond.md``).

Two experiments, each a function of ``seed`` and ``size``:

* :func:`run_activations`: the 2XOR network of the homogeneous chapter trained with ReLU, SiLU
  and GELU from the same initial weights. No theorem covers SiLU/GELU, so what is asserted
  about them is labelled an observation; one theorem is checked: the scaling bound
  :math:`|F_{\mathrm{silu}}(x;c\theta)/c^2 - F_{\mathrm{relu}}(x;\theta)| \le
  s^\star\sum_j|a_j|/c` with :math:`s^\star = \sup_u |u|/(1+e^{|u|})` (the chapter's exercise).
* :func:`run_attention`: one softmax attention head trained by normalized GD on
  ``token_data``; the token selection it converges to, its attention SVM (Tarzanagh, Li,
  Thrampoulidis & Oymak 2023) and the local optimality of the selection (Tarzanagh, Li, Zhang &
  Oymak 2023).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..claims import Check, Claim, Experiment

ACTS = ("relu", "silu", "gelu")
SILU_GAP_SUP = 0.2784645427610738     # sup_u |u| / (1 + e^{|u|}), at the root u = 1.2785 of
                                      # 1 + e^u - u e^u = 0 (Newton's method)
SCALES = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0])

ACT_SIZES = {"chapter": dict(n=60, d=10, width=30, scale=0.01, step=2.0, n_steps=20_000)}
ATT_SIZES = {"chapter": dict(n=10, T=4, d=6, step=0.1, n_steps=3000),
             "large": dict(n=20, T=4, d=10, step=0.1, n_steps=3000)}


class ActivationsResult(NamedTuple):
    steps: np.ndarray
    margin: dict            # act -> normalized margin at each record
    smoothed: dict          # act -> smoothed normalized margin at each record
    alignment: dict         # act -> alignment at each record
    log_risk: dict
    burn_in: dict           # act -> first record with sum of losses < ln 2 (or -1)
    train_acc: dict
    test_err: dict
    late_align: dict        # act -> mean alignment over records with t >= n_steps / 10
    scales: np.ndarray
    silu_gap: np.ndarray    # relative gap |F_silu(c theta)/c^2 - F_relu(theta)| / max|F_relu|
    silu_bound: np.ndarray  # its bound s* sum_j |a_j| / c / max|F_relu|
    silu_small_frac: float  # fraction of the trained SiLU net's pre-activations with |z| < 1


def run_activations(seed=0, size="chapter"):
    """Train the 2XOR network with each activation from the same initial weights (data and
    initialization drawn with ``seed``, test data with ``seed + 1000``)."""
    import ibias_lib as ib
    p = ACT_SIZES[size]
    X, y = ib.xor_data(p["n"], p["d"], seed=seed)
    X_test, y_test = ib.xor_data(2000, p["d"], seed=seed + 1000)
    n = p["n"]
    threshold = np.log(np.log(2)) - np.log(n)         # log R < log(ln 2 / n): sum of losses < ln 2
    out = {k: {} for k in ("margin", "smoothed", "alignment", "log_risk", "burn_in",
                           "train_acc", "test_err", "late_align")}
    nets = {}
    for act in ACTS:
        p0 = ib.init_network(np.random.default_rng(seed), (p["d"], p["width"], 1),
                             scale=p["scale"])
        tr = ib.train_network(X, y, p0, activation=act, loss="logistic", step=p["step"],
                              n_steps=p["n_steps"], num_records=100)
        nets[act] = tr
        P = tr.params()
        after = np.flatnonzero(tr.log_risk < threshold)
        out["margin"][act] = tr.margin
        out["smoothed"][act] = tr.smoothed_margin
        out["alignment"][act] = tr.alignment
        out["log_risk"][act] = tr.log_risk
        out["burn_in"][act] = int(after[0]) if after.size else -1
        out["train_acc"][act] = float(np.mean(np.sign(ib.forward(P, X, activation=act)) == y))
        out["test_err"][act] = float(np.mean(np.sign(ib.forward(P, X_test, activation=act))
                                             != y_test))
        out["late_align"][act] = float(tr.alignment[tr.steps >= p["n_steps"] // 10].mean())
    P = nets["silu"].params()
    f_relu = ib.forward(P, X, activation="relu")
    scale_f = np.max(np.abs(f_relu))
    gap = np.array([np.max(np.abs(ib.forward([c * W for W in P], X, activation="silu") / c ** 2
                                  - f_relu)) for c in SCALES]) / scale_f
    bound = SILU_GAP_SUP * np.abs(P[1]).sum() / SCALES / scale_f
    small = float(np.mean(np.abs(X @ P[0].T) < 1))
    return ActivationsResult(steps=nets["relu"].steps, scales=SCALES, silu_gap=gap,
                             silu_bound=bound, silu_small_frac=small, **out)


def _max_relative_decrease(res, act):
    """max over consecutive recorded steps after the burn-in of the smoothed margin's relative
    decrease (-inf-free: NaN when the burn-in is never reached, which fails every window)."""
    k = res.burn_in[act]
    if k < 0 or k >= len(res.steps) - 1:
        return math.nan
    s = res.smoothed[act][k:]
    return float(np.max(-np.diff(s) / np.abs(s[:-1])))


def _act_claims():
    out = [Claim(
        key="beyond_act.fit",
        statement="ReLU, SiLU and GELU networks all fit the 2XOR training set.",
        source="", where="observation",
        criterion="smallest training accuracy over the three activations = 1 (an "
                  "observation on seeds 0-9: no theorem says a non-homogeneous network fits).",
        check=lambda r: Check(min(r.train_acc.values()), 1.0, 1.0,
                              "min train accuracy over relu, silu, gelu"),
        kind="observation")]
    for act in ACTS:
        out.append(Claim(
            key=f"beyond_act.monotone_{act}",
            statement=f"After the burn-in (sum of losses < ln 2) the smoothed margin "
                      f"l^-1(sum l_i)/||theta||^2 of the {act} network never decreases at the "
                      f"recorded steps.",
            source="lyu2020gradient" if act == "relu" else "",
            where=("Theorem 4.1 is for gradient flow and small steps; here step 2" if act ==
                   "relu" else "observation"),
            criterion="max relative decrease between consecutive recorded steps after the "
                      "burn-in <= 1e-9 (float rounding of a margin of order 1e-2 is ~1e-14); "
                      "NaN (fails) if the burn-in is not reached.",
            check=lambda r, a=act: Check(_max_relative_decrease(r, a), -math.inf, 1e-9,
                                         "max relative decrease after burn-in"),
            kind="observation"))
    out += [
        Claim(key="beyond_act.relu_aligns_best",
              statement="The ReLU network aligns with its negative gradient better than the "
                        "SiLU and GELU networks (mean alignment over t >= T/10).",
              source="", where="observation",
              criterion="relu alignment - max(silu, gelu alignment) >= 0 (an observation; "
                        "the alignment theorem of ji2020directional needs homogeneity).",
              check=lambda r: Check(r.late_align["relu"] - max(r.late_align["silu"],
                                                                 r.late_align["gelu"]), 0.0,
                                    math.inf, "relu minus best smooth late alignment"),
              kind="observation"),
        Claim(key="beyond_act.relu_margin_largest",
              statement="The ReLU network ends with a larger normalized margin "
                        "min_i y_i F / ||theta||^2 than the SiLU and GELU networks.",
              source="", where="observation",
              criterion="relu margin - max(silu, gelu margin) at the last step >= 0 (an "
                        "observation).",
              check=lambda r: Check(r.margin["relu"][-1] - max(r.margin["silu"][-1],
                                                                r.margin["gelu"][-1]), 0.0,
                                    math.inf, "relu minus best smooth final margin"),
              kind="observation"),
        Claim(key="beyond_act.scaling_bound",
              statement="For every weight scale c, |F_silu(x; c theta)/c^2 - F_relu(x; theta)| "
                        "<= s* sum_j |a_j| / c with s* = sup_u |u|/(1+e^|u|) = 0.2785.",
              source="", where="exercise ex-beyond-infinity",
              criterion="max over c in {1, ..., 32} of measured gap / bound <= 1 + 1e-9 "
                        "(the bound is exact arithmetic: silu(u) - relu(u) = -|u|/(1+e^|u|)).",
              check=lambda r: Check(float(np.max(r.silu_gap / r.silu_bound)), -math.inf,
                                    1 + 1e-9, "max_c gap(c) / bound(c)")),
        Claim(key="beyond_act.silu_not_relu",
              statement="The trained SiLU network is measurably not the ReLU network with the "
                        "same weights, yet becomes it under scaling: the bound at the largest "
                        "scale is below the gap measured at scale 1.",
              source="", where="observation (the bound is the exercise's)",
              criterion="bound(c = 32) / gap(c = 1) < 1: the c = 1 gap is larger than what the "
                        "scaling bound allows at c = 32, so the gap is real and scaling "
                        "removes it (an observation about the trained weights).",
              check=lambda r: Check(float(r.silu_bound[-1] / r.silu_gap[0]), -math.inf, 1.0,
                                    "bound(32) / gap(1)"),
              kind="observation"),
    ]
    return tuple(out)


class AttentionResult(NamedTuple):
    steps: np.ndarray
    norm: np.ndarray
    acc: float
    optimal: np.ndarray
    selected: np.ndarray
    cos_selected: np.ndarray       # cos(W_t, W_mm(selected)) at each record
    cos_optimal: np.ndarray        # cos(W_t, W_mm(optimal)) (nan if that SVM is infeasible)
    min_attention: np.ndarray      # min_i a_{i, selected_i} at each record
    gap_ratio: float               # min score gap of W_T / (||W_T|| * svm margin of selected)
    local_opt_gap: float           # min over sequences and SVM-neighbour tokens of the score gap
    n_sequences: int


def _local_optimality_gap(X, Z, v, y, tokens, svm, tol=1e-6):
    r"""min over i and the support ("SVM-neighbour") tokens t of sequence i of
    :math:`y_i(h_{i\alpha_i} - h_{it})`: positive iff the selection is locally optimal in the
    sense of Tarzanagh, Li, Zhang & Oymak (2023): each selected token scores higher than the
    tokens whose SVM constraint is active."""
    h = y[:, None] * (X @ v)
    gaps = []
    for i in range(X.shape[0]):
        a = tokens[i]
        for t in range(X.shape[1]):
            if t == a:
                continue
            c = (X[i, a] - X[i, t]) @ svm.W @ Z[i]
            if c <= 1 + tol:                     # active constraint: an SVM neighbour
                gaps.append(h[i, a] - h[i, t])
    return float(min(gaps))


def run_attention(seed=0, size="chapter"):
    """Train one attention head from W = 0 on ``token_data(..., seed=seed)``."""
    import ibias_lib as ib
    p = ATT_SIZES[size]
    Xs, Zs, ys, v, _ = ib.token_data(p["n"], p["T"], p["d"], seed=seed)
    tr = ib.train_attention(Xs, Zs, v, ys, loss="logistic", step=p["step"],
                            n_steps=p["n_steps"], num_records=40)
    optimal = ib.optimal_tokens(Xs, v, ys)
    selected = tr.selected()

    def cosines(D):
        return np.array([(W * D).sum() / np.linalg.norm(W) if np.linalg.norm(W) > 0 else np.nan
                         for W in tr.W])
    svm_sel = ib.attention_svm(Xs, Zs, selected)
    try:
        cos_opt = cosines(ib.attention_svm(Xs, Zs, optimal).direction)
    except ValueError:
        cos_opt = np.full(len(tr.steps), np.nan)
    W = tr.W[-1]
    n, T, _ = Xs.shape
    gaps = [(Xs[i, selected[i]] - Xs[i, t]) @ W @ Zs[i] for i in range(n) for t in range(T)
            if t != selected[i]]
    acc = float(np.mean(np.sign(ib.attention_forward(W, Xs, Zs, v)) == ys))
    return AttentionResult(
        steps=tr.steps, norm=tr.norm, acc=acc, optimal=optimal, selected=selected,
        cos_selected=cosines(svm_sel.direction), cos_optimal=cos_opt,
        min_attention=tr.probs[:, np.arange(n), selected].min(axis=1),
        gap_ratio=float(min(gaps) / (np.linalg.norm(W) * svm_sel.margin)),
        local_opt_gap=_local_optimality_gap(Xs, Zs, v, ys, selected, svm_sel), n_sequences=n)


ATT_CLAIMS = (
    Claim(key="beyond_att.fit",
          statement="The trained attention head classifies every training sequence correctly.",
          source="", where="observation",
          criterion="training accuracy = 1 (an observation: a locally optimal selection may "
                    "pick a token with the wrong sign).",
          check=lambda r: Check(r.acc, 1.0, 1.0, "train accuracy"), kind="observation"),
    Claim(key="beyond_att.direction",
          statement="W_t converges in direction to the attention SVM of the selection gradient "
                    "descent made: cos(W_T, W_mm(selected)) close to 1.",
          source="tarzanagh2023transformers",
          where="directional convergence to the att-SVM (their conditions, e.g. initialization "
                "in the cone of a locally optimal selection, are not verified here)",
          criterion="1 - cos(W_T, W_mm) <= 1e-2 at ||W_T|| = eta T = 300; a direction frozen at "
                    "T/2 (1 - cos = 0.1-0.3 here) or aligned with another selection's SVM "
                    "(1 - cos >= 0.15 on the seeds where the selections differ) fails. "
                    "Observation: no rate is asserted by the theory.",
          check=lambda r: Check(float(1 - r.cos_selected[-1]), -math.inf, 1e-2,
                                "1 - cos(W_T, W_mm(selected))"),
          kind="observation"),
    Claim(key="beyond_att.locally_optimal",
          statement="The selection gradient descent converges to is locally optimal: in each "
                    "sequence the selected token scores higher than its SVM-neighbour tokens.",
          source="tarzanagh2023maxmargin", where="locally-optimal tokens (their Definition)",
          criterion="min over sequences and active-constraint tokens of y_i (h_sel - h_t) > 0 "
                    "(an observation consistent with their theory, in which locally optimal "
                    "selections are the directional limits).",
          check=lambda r: Check(r.local_opt_gap, 1e-12, math.inf,
                                "min score gap to SVM neighbours"),
          kind="observation"),
    Claim(key="beyond_att.globally_optimal",
          statement="Gradient descent selects the optimal (highest-scoring) token in every "
                    "sequence.",
          source="", where="observation (not a theorem: the theory allows any locally optimal "
                           "selection)",
          criterion="fraction of sequences on the optimal token = 1; the seeds where it is not "
                    "are listed as known failures.",
          check=lambda r: Check(float(np.mean(r.selected == r.optimal)), 1.0, 1.0,
                                "fraction of sequences on the optimal token"),
          kind="observation"),
)

_SEL = "gradient descent settled on a locally optimal but not globally optimal token"
ATTENTION = Experiment(
    key="beyond_att", chapter="nonlinear/beyond", run=run_attention, claims=ATT_CLAIMS,
    sweep=(("chapter", 10), ("large", 10)),
    known_failures={**{("beyond_att.globally_optimal", "chapter", s): _SEL + " in one sequence"
                       for s in (1, 6, 7)},
                    **{("beyond_att.globally_optimal", "large", s): _SEL + " in one sequence"
                       for s in (0, 2, 9)},
                    ("beyond_att.fit", "chapter", 6):
                        "the locally optimal token selected in one sequence has the wrong "
                        "sign, so that sequence is misclassified"})

ACTIVATIONS = Experiment(
    key="beyond_act", chapter="nonlinear/beyond", run=run_activations, claims=_act_claims(),
    sweep=(("chapter", 10),), slow=True,
    known_failures={("beyond_act.relu_aligns_best", "chapter", s):
                    "a smooth network aligns slightly better than the ReLU one on this seed"
                    for s in (6, 9)})
EXPERIMENTS = (ACTIVATIONS, ATTENTION)
