"""Deep linear networks (ibias_lib.deep_linear): gradient steps against finite differences, the
error term against an independent sum, the Lemma-2 bounds of Ji & Telgarsky (2019) on random
matrices and along large-step runs, and the chapter's claims against wrong answers."""
import math

import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib import deep_linear as dl
from ibias_lib.experiments import deep_linear as E
from helpers import fd_gradient


def naive_risk(params, X, y, loss):
    """Risk of a deep linear net, with the product formed by plain loops."""
    m = []
    for x, yi in zip(X, y):
        h = x
        for W in params:
            h = W @ h
        m.append(yi * h[0])
    m = np.array(m)
    return np.mean(np.exp(-m)) if loss == "exp" else np.mean(np.log1p(np.exp(-m)))


def problem(seed=0, sizes=(4, 6, 5, 1), scale=0.5, n=25):
    X, y = ib.planted_data(n, sizes[0], margin=0.1, seed=seed)
    return X, y, ib.init_network(np.random.default_rng(seed), sizes, scale=scale)


def chain(rng, dims, s, noise=0.0):
    """Balanced rank-one chain W_k = s v_k v_{k-1}^T (plus noise), v_L = 1."""
    vs = [rng.standard_normal(d) for d in dims[:-1]] + [np.ones(1)]
    vs = [v / np.linalg.norm(v) for v in vs]
    return [s * np.outer(vs[k + 1], vs[k]) + noise * rng.standard_normal((dims[k + 1], dims[k]))
            for k in range(len(dims) - 1)]


@pytest.mark.parametrize("loss", ["logistic", "exp"])
def test_a_step_is_a_gradient_step(loss):
    X, y, p0 = problem(seed=1)
    eta = 0.3
    tr = dl.train_deep_linear(X, y, p0, loss=loss, step=eta, n_steps=1,
                              record_at=np.array([0, 1]))
    sizes = (4, 6, 5, 1)
    theta = ib.flatten(p0)
    g = fd_gradient(lambda th: naive_risk(ib.unflatten(th, sizes), X, y, loss), theta)
    np.testing.assert_allclose(ib.flatten(tr.params[1]), theta - eta * g, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ib.flatten(tr.params[0]), theta, rtol=0, atol=0)
    assert tr.log_risk[0] == pytest.approx(math.log(naive_risk(p0, X, y, loss)), rel=1e-12)


def test_error_term_and_descent_ratio_match_an_independent_sum():
    X, y, p0 = problem(seed=2)
    eta, T = 0.7, 6
    tr = dl.train_deep_linear(X, y, p0, step=eta, n_steps=T, record_at=np.array([0, 2, 6]))
    P, eps, per_layer, ratios = p0, [0.0], np.zeros(len(p0)), []
    for t in range(T):
        _, G = ib.network_risk_grad(P, X, y, loss="logistic", activation="linear")
        g2 = np.array([np.sum(g * g) for g in G])
        new = [W - eta * g for W, g in zip(P, G)]
        ratios.append((naive_risk(P, X, y, "logistic") - naive_risk(new, X, y, "logistic"))
                      / (eta / 2 * g2.sum()))
        per_layer = per_layer + eta ** 2 * g2
        eps.append(eps[-1] + eta ** 2 * g2.sum())
        P = new
        if t + 1 == 2:
            np.testing.assert_allclose(tr.eps_layer[1], per_layer, rtol=1e-10)
    np.testing.assert_allclose(tr.eps, [eps[0], eps[2], eps[6]], rtol=1e-10)
    np.testing.assert_allclose(tr.eps_layer[-1], per_layer, rtol=1e-10)
    np.testing.assert_allclose(tr.eps_layer.sum(axis=1), tr.eps, rtol=1e-12)
    assert tr.descent_ratio == pytest.approx(min(ratios), rel=1e-7)


def test_descent_ratio_tends_to_two_for_small_steps_and_drops_below_one_for_huge_ones():
    X, y, p0 = problem(seed=3, scale=0.5)
    small = dl.train_deep_linear(X, y, p0, step=1e-3, n_steps=20, num_records=3)
    assert 1.99 < small.descent_ratio <= 2.0 + 1e-6
    huge = dl.train_deep_linear(X, y, p0, step=5.0, n_steps=20, num_records=3)
    assert huge.descent_ratio < 1
    with pytest.raises(FloatingPointError, match="smaller step"):
        dl.train_deep_linear(X, y, [3 * W for W in p0], step=50.0, n_steps=20, num_records=3)


def test_alignment_constant():
    rng = np.random.default_rng(0)
    params = chain(rng, (5, 4, 3, 1), s=2.0)
    assert abs(dl.alignment_constant(params)) < 1e-12                 # balanced: D = 0
    assert np.all(np.abs(dl.tail_energy(params)) < 1e-12)
    W1, W2 = rng.standard_normal((3, 4)), rng.standard_normal((1, 3))
    C = W2.T @ W2 - W1 @ W1.T
    expected = max(np.sum(W1 ** 2), np.sum(W2 ** 2)) - np.sum(W2 ** 2) + np.linalg.norm(C, 2)
    assert dl.alignment_constant([W1, W2]) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("noise", [0.0, 0.05, 0.5, 3.0])
def test_the_bounds_are_inequalities_of_linear_algebra(noise):
    """At t = 0 (eps = 0, params0 = params) every bound holds for any matrices: near-balanced
    chains (where the sharp bound applies) and plain random ones."""
    rng = np.random.default_rng(int(10 * noise) + 1)
    for _ in range(40):
        dims = tuple(rng.integers(1, 7, size=rng.integers(2, 5))) + (1,)
        P = chain(rng, dims, s=rng.uniform(0.5, 5), noise=noise * rng.uniform(0, 1))
        tail = dl.tail_energy(P)
        assert tail[-1] <= 1e-12 * np.sum(P[-1] ** 2)
        assert np.all(tail[:-1] <= dl.tail_bound(P, 0.0) * (1 + 1e-12) + 1e-14)
        assert np.all(tail[:-1] <= dl.nuclear_tail_bound(P, np.zeros((1, len(P))))[0]
                      * (1 + 1e-12) + 1e-14)
        mis = dl.adjacent_misalignment(P)
        assert np.all(mis <= dl.adjacent_bound(P, P, 0.0) * (1 + 1e-12) + 1e-14)
        sharp = dl.adjacent_bound_sharp(P, P, 0.0)
        assert np.all(mis[np.isfinite(sharp)] <= sharp[np.isfinite(sharp)] * (1 + 1e-9) + 1e-14)
        if noise == 0.05:
            assert np.all(np.isfinite(sharp))    # it applies to near-balanced chains


def test_the_bounds_hold_along_large_step_runs():
    """Steps large enough that the error term dominates D: every bound still holds at every
    record, and dropping the error term from the drift bound would fail."""
    X, y = ib.planted_data(30, 4, margin=0.1, seed=5)
    p0 = chain(np.random.default_rng(5), (4, 5, 5, 1), s=0.5, noise=0.05)
    tr = dl.train_deep_linear(X, y, p0, step=3.0, n_steps=300, num_records=15)
    D = dl.alignment_constant(p0)
    assert tr.eps[-1] > 5 * D
    C0 = ib.layer_balance(p0)
    nuc = dl.nuclear_tail_bound(p0, tr.eps_layer)
    for P, e, nb in zip(tr.params, tr.eps, nuc):
        tail = dl.tail_energy(P)[:-1]
        assert np.all(tail <= (D + e) * (1 + 1e-9))
        assert np.all(tail <= nb * (1 + 1e-9))
        assert np.all(dl.adjacent_misalignment(P) <= dl.adjacent_bound(p0, P, e) * (1 + 1e-9))
        drift = [np.linalg.norm(a - b, 2) for a, b in zip(ib.layer_balance(P), C0)]
        assert np.all(np.array(drift) <= e * (1 + 1e-9) + 1e-15)
    assert max(drift) > 0.1 * D          # the drift is not negligible against D here


def test_nuclear_tail_bound_is_a_suffix_sum():
    rng = np.random.default_rng(4)
    P = [rng.standard_normal(s) for s in [(4, 3), (5, 4), (2, 5), (1, 2)]]
    e = rng.uniform(0, 1, size=(3, 4))
    got = dl.nuclear_tail_bound(P, e)
    nuc = [np.linalg.norm(C, "nuc") for C in ib.layer_balance(P)]
    for r in range(3):
        for k in range(3):
            want = sum(nuc[i] + e[r, i] + e[r, i + 1] for i in range(k, 3))
            assert got[r, k] == pytest.approx(want, rel=1e-12)


def test_adjacent_misalignment_matches_the_cosine():
    rng = np.random.default_rng(6)
    P = [rng.standard_normal((4, 3)), rng.standard_normal((1, 4))]
    u = np.linalg.svd(P[0])[0][:, 0]
    v = P[1][0] / np.linalg.norm(P[1][0])
    assert dl.adjacent_misalignment(P)[0] == pytest.approx(1 - (u @ v) ** 2, rel=1e-10)


def test_finite_at_huge_scales():
    X, y, p0 = problem(seed=7, scale=1.0)
    big = [1e3 * W for W in p0]                 # margins of order 1e9, both signs
    tr = dl.train_deep_linear(X, y, big, step=1e-12, n_steps=3, num_records=3)
    assert np.all(np.isfinite(tr.log_risk)) and np.all(np.isfinite(tr.eps))
    assert tr.log_risk[0] > 10                  # a misclassified point: R ~ e^{|m|} / n in logs


def test_input_checks():
    X, y, p0 = problem()
    with pytest.raises(ValueError, match="step"):
        dl.train_deep_linear(X, y, p0, step=0.0)
    with pytest.raises(ValueError, match="loss"):
        dl.train_deep_linear(X, y, p0, loss="hinge")
    with pytest.raises(ValueError, match="columns"):
        dl.train_deep_linear(X[:, :3], y, p0)
    with pytest.raises(ValueError, match="record_at"):
        dl.train_deep_linear(X, y, p0, n_steps=5, record_at=np.array([0, 9]))
    with pytest.raises(ValueError, match="size"):
        E.run_deep_linear(size="huge")


# ---------------------------------------------------------------- the claims fail wrong answers

@pytest.fixture(scope="module")
def res():
    return E.run_deep_linear(seed=0, size="chapter")


def _frozen(res, field, scale=E.SCALES[0]):
    """The result with one small-init quantity frozen at its burn-in value."""
    b = res.burn_in[scale]
    v = getattr(res, field)[scale].copy()
    v[b:] = v[b]
    return res._replace(**{field: {**getattr(res, field), scale: v}})


def test_the_run_passes(res):
    checks = ib.claims.evaluate(E.DEEP_LINEAR, res)
    assert all(c.passed for c in checks.values()), {k: c for k, c in checks.items()
                                                     if not c.passed}


def test_frozen_answers_fail(res):
    s = E.SCALES[0]
    # a ratio ||W||_2/||W||_F frozen while ||W||_F grows: the tail grows like ||W||_F^2
    b = res.burn_in[s]
    tail = res.tail[s].copy()
    tail[b:] = res.fro2[s][b:] * (res.tail[s][b] / res.fro2[s][b])
    frozen_ratio = res._replace(tail={**res.tail, s: tail})
    assert not (E.rank_one_slope(frozen_ratio) <= -0.5)
    assert not (E.adjacent_slope(_frozen(res, "adjacent")) <= -1.5)
    assert not (E.product_decrease(_frozen(res, "one_minus_cos")) <= 0.5)
    margin_frozen = _frozen(res, "margin")
    assert not (E.margin_gap_decrease(margin_frozen) <= 0.5)


def test_a_lemma_2_rate_fails_the_adjacent_claim(res):
    s = E.SCALES[0]
    b = res.burn_in[s]
    adj = res.adjacent[s].copy()
    adj[b:] = adj[b] * res.spec2[s][b, 1:] / res.spec2[s][b:, 1:]      # ~ 1/||W_{k+1}||_2^2
    assert -1.1 < E.adjacent_slope(res._replace(adjacent={**res.adjacent, s: adj})) < -0.9


def test_a_first_order_drift_fails(res):
    first_order = {e: res.drift_by_step[0.5] for e in E.DRIFT_STEPS}
    assert E.drift_step_ratio(res._replace(drift_by_step=first_order)) == pytest.approx(1.0)
    claim = next(c for c in E.DEEP_LINEAR.claims if c.key == "deep_linear.drift_second_order")
    assert not claim.check(res._replace(drift_by_step=first_order)).passed


def test_the_bound_statistics_detect_a_violation(res):
    """At the small initialization the error term exceeds Delta (so Delta alone would not do), and a
    bound below the measured tail is reported as an excess."""
    s = E.SCALES[0]
    assert res.eps[s][-1] > res.Delta[s]
    too_small = {**res.tail_bound, E.SCALES[1]: np.full_like(res.tail_bound[E.SCALES[1]], 1e-3)}
    assert E.tail_excess(res._replace(tail_bound=too_small)) > 1
