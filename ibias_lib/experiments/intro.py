r"""Experiment of the introduction (``book/intro.md``): Novikoff's perceptron bound.

:func:`run_intro` runs ``ib.perceptron`` (visiting the examples in a seeded random order each
pass) on planted separable data, replays it to record the iterate after every mistake, and
evaluates the two inequalities of Novikoff's proof (1962) at every mistake k,
:math:`k\bar\gamma\le\langle w_k,\bar u\rangle` and :math:`\|w_k\|^2\le kR^2`, which give
at most :math:`(R/\bar\gamma)^2` mistakes. A second dataset shows the bound is attained: the d
signed basis vectors :math:`y_ie_i` have :math:`\bar\gamma = 1/\sqrt d`, and every example is a
mistake (each is orthogonal to the others), so the perceptron makes exactly
:math:`d = 1/\bar\gamma^2` mistakes in any order.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..claims import Check, Claim, Experiment

SIZES = {"chapter": dict(n=500, d=10, margin=0.05, tight_d=100, max_epochs=10_000),
         "large": dict(n=2000, d=20, margin=0.05, tight_d=400, max_epochs=10_000)}
#: The replay and ib.perceptron add the same rows in the same order; their iterates differ
#: only by the rounding of BLAS dot products and norms (~1e-16 relative).
REPLAY_TOL = 1e-12


class PerceptronCase(NamedTuple):
    """One perceptron run with the iterates after each mistake."""
    X: np.ndarray
    y: np.ndarray
    gamma: float            # max margin (ib.max_margin)
    R: float                # max_i ||x_i||
    run: object             # ib.PerceptronResult
    W: np.ndarray           # w_0 = 0, w_1, ..., w_K (the replay)
    replay_error: float     # max difference between the replay and ib.perceptron
    progress: object        # ib.proofs.StepInequality: k gamma <= <w_k, u>
    norm: object            # ib.proofs.StepInequality: ||w_k||^2 <= k R^2


class IntroRun(NamedTuple):
    planted: PerceptronCase
    tight: PerceptronCase


def mistake_path(X, y, *, max_epochs, seed):
    """The perceptron's iterates after each mistake, visiting the examples as
    ``ib.perceptron(X, y, max_epochs=max_epochs, seed=seed)`` does (a fresh
    ``default_rng(seed)`` permutation per pass). Returns an array of shape (K + 1, d)."""
    A = y[:, None] * X
    rng = np.random.default_rng(seed)
    w = np.zeros(X.shape[1])
    W = [w]
    for _ in range(max_epochs):
        clean = True
        for i in rng.permutation(len(A)):
            if A[i] @ w <= 0:
                w = w + A[i]
                W.append(w)
                clean = False
        if clean:
            break
    return np.array(W)


def _case(X, y, max_epochs, seed):
    import ibias_lib as ib
    from ibias_lib import proofs
    svm = ib.max_margin(X, y)
    run = ib.perceptron(X, y, max_epochs=max_epochs, seed=seed)
    W = mistake_path(X, y, max_epochs=max_epochs, seed=seed)
    if len(W) - 1 != run.mistakes:
        err = math.inf
    else:
        err = max(float(np.max(np.abs(W[-1] - run.w))),
                  float(np.max(np.abs(np.linalg.norm(W[1:], axis=1) - run.mistake_norms),
                               initial=0.0)))
    progress, norm = proofs.novikoff_inequalities(X, y, W, svm.direction)
    return PerceptronCase(X, y, float(svm.gamma), float(np.linalg.norm(X, axis=1).max()), run,
                          W, err, progress, norm)


def signed_basis(d, *, seed=0):
    """The d examples :math:`x_i = y_ie_i` with seeded random labels: max margin
    :math:`1/\\sqrt d` along :math:`\\sum_i e_i/\\sqrt d` (after the signs), R = 1."""
    rng = np.random.default_rng([seed, 2])
    y = rng.choice([-1.0, 1.0], size=d)
    return np.diag(y), y


def run_intro(seed=0, size="chapter"):
    """The perceptron on ``planted_data`` and on the signed basis, both seeded by ``seed``."""
    import ibias_lib as ib
    p = SIZES[size]
    X, y = ib.planted_data(p["n"], p["d"], margin=p["margin"], seed=seed)
    Xt, yt = signed_basis(p["tight_d"], seed=seed)
    return IntroRun(_case(X, y, p["max_epochs"], seed), _case(Xt, yt, p["max_epochs"], seed))


def _per_mistake(r):
    worst = -math.inf
    for c in r:
        if c.replay_error > REPLAY_TOL * (1 + float(np.linalg.norm(c.run.w))):
            return Check(math.inf, hi=0.0, note="the replay differs from ib.perceptron")
        worst = max(worst, c.progress.violation(), c.norm.violation())
    return Check(worst, hi=0.0, note="max over mistakes (both datasets) of (lhs - rhs - "
                 "rounding)/scale of both inequalities; inf if a move is not a mistake update")


def _budget(c):
    return c.run.mistakes * c.gamma ** 2 / c.R ** 2


def _mistake_bound(r):
    c = r.planted
    return Check(_budget(c) if c.run.converged else math.inf, lo=0.0, hi=1.0,
                 note="mistakes / (R/gamma)^2 on the planted data (inf if not converged)")


def _attained(r):
    c = r.tight
    return Check(_budget(c) if c.run.converged else math.inf, lo=1 - 1e-9, hi=1 + 1e-9,
                 note="mistakes / (R/gamma)^2 on the signed basis")


def _early(r):
    return Check(_budget(r.planted), lo=0.0, hi=0.5,
                 note="mistakes / (R/gamma)^2 on the planted data")


NOVIKOFF = Experiment(
    key="intro", chapter="intro", run=run_intro,
    sweep=(("chapter", 10), ("large", 10)),
    claims=(
        Claim("intro.per_mistake",
              "After every mistake k of the perceptron, k gamma <= <w_k, u> and "
              "||w_k||^2 <= k R^2, and each move adds a misclassified example y_i x_i.",
              "novikoff1962", "the mistake bound (theorem number not verified)",
              "max over mistakes of (lhs - rhs - rounding)/scale <= 0 for both inequalities, "
              "on the planted data and on the signed basis; +inf if the replay differs from "
              "ib.perceptron or a move is not y_i x_i with y_i x_i.w <= 0",
              _per_mistake),
        Claim("intro.mistake_bound",
              "The perceptron converges after at most (R/gamma)^2 mistakes.",
              "novikoff1962", "the mistake bound",
              "mistakes * gamma^2 / R^2 <= 1 on the planted data, and the run converged "
              "(a pass without mistakes; otherwise the statistic is inf)", _mistake_bound),
        Claim("intro.bound_attained",
              "The bound is not vacuous: on the d signed basis vectors (gamma = 1/sqrt d, R = "
              "1) the perceptron makes exactly (R/gamma)^2 = d mistakes.", "novikoff1962",
              "the mistake bound, tight case",
              "mistakes * gamma^2 / R^2 = 1 to 1e-9 (gamma from ib.max_margin): each basis "
              "vector is orthogonal to the others, so each is a mistake in any order",
              _attained),
        Claim("intro.stops_early",
              "On planted data the perceptron stops long before the bound: at most half of "
              "(R/gamma)^2 mistakes.", "", "observation",
              "mistakes * gamma^2 / R^2 <= 1/2 on the planted data: an observation on seeds "
              "0-9 at both sizes (the bound is a worst case over data and orders)",
              _early, kind="observation"),
    ))

EXPERIMENTS = (NOVIKOFF,)
