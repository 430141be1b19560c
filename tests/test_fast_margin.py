"""ib.fast_margin and ib.fast_margin_trace: certificates against the exact SVM, the
momentum recursion against its closed form, the stopping rule, numerics, input checks."""
import numpy as np
import pytest

import ibias_lib as ib


@pytest.fixture(scope="module")
def planted():
    X, y = ib.planted_data(300, 15, margin=0.05, seed=1)
    X = X / np.linalg.norm(X, axis=1).max()          # max ||x_i|| = 1 exactly
    return X, y, ib.max_margin(X, y)


def unrolled_fast_margin(A, T):
    """The method written with the closed form of the momentum,
    m_t = sum_{s<=t} s g_s / (t + 1), and w_{t+1} = sum_{s<=t} (m_s + g_s)."""
    n, d = A.shape
    w = np.zeros(d)
    gs, ws = [], []
    for t in range(T):
        m = A @ w
        q = np.exp(-(m - m.min()))
        q /= q.sum()
        gs.append(A.T @ q)
        moms = [sum(s * gs[s] for s in range(r + 1)) / (r + 1) for r in range(t + 1)]
        w = sum(moms[r] + gs[r] for r in range(t + 1))
        ws.append(w)
    return np.array(ws)


def test_recursion_matches_closed_form(planted):
    X, y, _ = planted
    T = 25
    tr = ib.fast_margin_trace(X, y, n_steps=T, record_at=np.arange(1, T + 1))
    np.testing.assert_allclose(tr.w, unrolled_fast_margin(y[:, None] * X, T), rtol=1e-10,
                               atol=1e-12)


def test_without_momentum_it_is_normalized_gd(planted):
    X, y, _ = planted
    rec = np.arange(1, 201)
    a = ib.fast_margin_trace(X, y, n_steps=200, momentum=False, record_at=rec)
    b = ib.normalized_gd(X, y, loss="exp", step=1.0, n_steps=200, record_at=rec)
    np.testing.assert_allclose(a.w, b.w, rtol=1e-10, atol=1e-12)


def test_certificate_holds_at_every_step(planted):
    X, y, svm = planted
    tr = ib.fast_margin_trace(X, y, n_steps=3000, record_at=np.arange(1, 3001))
    g = svm.gamma
    assert np.all(tr.margin <= g * (1 + 1e-12))
    assert np.all(tr.extra["upper"] >= g * (1 - 1e-12))
    assert np.all(tr.extra["dual_norm"] >= g * (1 - 1e-12))     # every q, not just the best
    assert np.all(np.diff(tr.extra["upper"]) <= 0)
    # ... and it closes: gap below 1e-4 relative after 3000 steps (rate 1/t^2).
    assert (tr.extra["upper"][-1] - tr.margin[-1]) / g < 1e-4


def test_rate_is_one_over_t_squared(planted):
    X, y, svm = planted
    tr = ib.fast_margin_trace(X, y, n_steps=20_000, num_records=60)
    sel = tr.steps >= 1000
    slope = np.polyfit(np.log(tr.steps[sel]), np.log(svm.gamma - tr.margin[sel]), 1)[0]
    assert -2.2 <= slope <= -1.8, slope


def test_dual_bound_matches_definition(planted):
    X, y, svm = planted
    q = np.random.default_rng(0).random(len(y))
    assert ib.dual_bound(X, y, q) == pytest.approx(
        np.linalg.norm((y[:, None] * X).T @ q) / q.sum(), rel=1e-12)
    assert ib.dual_bound(X, y, q) >= svm.gamma
    # tight at the SVM's dual weights
    assert ib.dual_bound(X, y, svm.dual) == pytest.approx(svm.gamma, rel=1e-9)


def svm_distance_bound(svm, res):
    """For a unit u with margin mu, u/mu is feasible for min ||w|| s.t. A w >= 1, whose
    solution w_hat is the projection of 0 onto that convex set; so
    ||u/mu - w_hat||^2 <= 1/mu^2 - ||w_hat||^2 (an independent optimality check)."""
    lhs = np.linalg.norm(res.direction / res.margin - svm.w_hat) ** 2
    return lhs, 1 / res.margin ** 2 - np.linalg.norm(svm.w_hat) ** 2


@pytest.mark.parametrize("kw", [dict(screen=False), dict(), dict(float32=True),
                                dict(polish=True), dict(momentum=False)])
def test_solver_is_certified_and_converges(planted, kw):
    X, y, svm = planted
    tol = 0.05 if kw.get("momentum") is False else 1e-5   # normalized GD is slow
    res = ib.fast_margin(X, y, tol=tol, **kw)
    assert res.converged and res.rel_gap <= tol
    assert res.margin <= svm.gamma * (1 + 1e-12) <= res.upper * (1 + 1e-12)
    assert (svm.gamma - res.margin) / svm.gamma <= tol
    assert np.linalg.norm(res.direction) == pytest.approx(1.0)
    assert res.margin == pytest.approx(ib.margin(X, y, res.direction), rel=1e-12)
    assert res.upper == pytest.approx(ib.dual_bound(X, y, res.dual), rel=1e-12)
    assert np.all(res.dual >= 0) and res.dual.sum() == pytest.approx(1.0)
    lhs, rhs = svm_distance_bound(svm, res)
    assert lhs <= rhs * (1 + 1e-6) + 1e-9 * np.linalg.norm(svm.w_hat) ** 2


def test_stopping_rule_stops_at_the_first_certified_step(planted):
    X, y, _ = planted
    tol = 1e-3
    res = ib.fast_margin(X, y, tol=tol, screen=False)
    T = res.n_iter
    tr = ib.fast_margin_trace(X, y, n_steps=T, record_at=np.arange(1, T + 1))
    upper = np.minimum.accumulate(tr.extra["dual_norm"])          # min over q_1..q_t
    upper_before = np.concatenate([[np.inf], upper[:-1]])          # q_0..q_{t-1}, t >= 1
    q0_norm = np.linalg.norm((y[:, None] * X).mean(axis=0))
    upper_before = np.minimum(upper_before, q0_norm)
    lower = np.maximum.accumulate(tr.margin)
    ok = (upper_before - lower) <= tol * upper_before
    assert ok[-1] and not ok[:-1].any()
    assert res.rel_gap <= tol


def test_screening_does_not_change_the_iterates():
    X, y = ib.planted_data(3000, 10, margin=0.08, seed=2)
    a = ib.fast_margin(X, y, tol=1e-6, screen=False)
    b = ib.fast_margin(X, y, tol=1e-6, screen=True)
    assert a.n_iter == b.n_iter and b.passes < a.passes / 3
    np.testing.assert_allclose(a.direction, b.direction, rtol=0, atol=1e-9)


def test_polish_is_exact():
    X, y = ib.planted_data(2000, 30, margin=0.05, seed=4)
    svm = ib.max_margin(X, y)
    res = ib.fast_margin(X, y, tol=1e-9, polish=True)
    assert res.converged and res.rel_gap <= 1e-9
    assert res.margin == pytest.approx(svm.gamma, rel=1e-9)
    np.testing.assert_allclose(res.direction, svm.direction, atol=1e-6)


@pytest.mark.parametrize("c", [1e-200, 1e-5, 1e5, 1e200])
def test_scale_covariance(planted, c):
    X, y, _ = planted
    a = ib.fast_margin(X, y, tol=1e-4)
    b = ib.fast_margin(c * X, y, tol=1e-4)
    assert b.n_iter == a.n_iter
    assert b.margin == pytest.approx(c * a.margin, rel=1e-9)
    assert b.upper == pytest.approx(c * a.upper, rel=1e-9)
    np.testing.assert_allclose(b.direction, a.direction, atol=1e-9)


def test_huge_norms_stay_finite(planted):
    """After 3000 steps ||w|| is in the tens of thousands and every exp(-m_i) underflows
    to 0 in float64; the weights, bounds and iterates stay finite and exact."""
    X, y, svm = planted
    tr = ib.fast_margin_trace(X, y, n_steps=3000, num_records=10)
    m = (y[:, None] * X) @ tr.w[-1]
    assert m.min() > 800 and np.all(np.exp(-m) == 0)                # naive weights vanish
    for arr in (tr.w, tr.margin, tr.extra["upper"], tr.smoothed_margin, tr.log_risk):
        assert np.all(np.isfinite(arr))
    assert tr.log_risk[-1] < -745
    q = ib.softmax(-m)
    assert q.sum() == pytest.approx(1.0) and ib.dual_bound(X, y, q) >= svm.gamma


def test_non_separable_raises():
    X = np.array([[1.0, 0.2], [-1.0, -0.2], [0.3, 1.0]])
    y = np.array([1.0, 1.0, -1.0])                    # a_1 = -a_2: 0 is in the hull
    with pytest.raises(ValueError, match="non-separable"):
        ib.fast_margin(X, y, max_iter=500)


def test_not_converged_is_reported(planted):
    X, y, svm = planted
    res = ib.fast_margin(X, y, tol=1e-9, max_iter=50)
    assert not res.converged and res.n_iter == 50 and res.rel_gap > 1e-9
    assert res.margin <= svm.gamma <= res.upper * (1 + 1e-12)


@pytest.mark.parametrize("kw, msg", [
    (dict(tol=0.0), "tol must be a positive"), (dict(tol=1.0), "relative gap"),
    (dict(tol="x"), "tol must be"), (dict(max_iter=0), "max_iter"),
    (dict(max_iter=2.5), "max_iter"), (dict(momentum=1), "momentum must be True or False"),
    (dict(float32="yes"), "float32"), (dict(polish=True, screen=False), "needs screen=True"),
])
def test_solver_input_checks(planted, kw, msg):
    X, y, _ = planted
    with pytest.raises(ValueError, match=msg):
        ib.fast_margin(X, y, **kw)


def test_data_checks():
    X, y = ib.planted_data(20, 3, seed=0)
    with pytest.raises(ValueError, match="y = 2\\*y - 1"):
        ib.fast_margin(X, (y > 0).astype(int))
    with pytest.raises(ValueError, match="finite"):
        ib.fast_margin(np.where(np.arange(60).reshape(20, 3) == 5, np.nan, X), y)
    with pytest.raises(ValueError, match="all zeros"):
        ib.fast_margin(np.zeros((4, 2)), np.array([1.0, -1, 1, -1]))
    with pytest.raises(ValueError, match="n_steps"):
        ib.fast_margin_trace(X, y, n_steps=0)
    with pytest.raises(ValueError, match="step must be"):
        ib.fast_margin_trace(X, y, step=-1.0)
    with pytest.raises(ValueError, match="shape \\(20,\\)"):
        ib.dual_bound(X, y, np.ones(3))
    with pytest.raises(ValueError, match="nonnegative"):
        ib.dual_bound(X, y, -np.ones(20))


def test_diagnostics_are_in_the_result_not_module_state():
    X, y = ib.planted_data(3000, 5, margin=0.05, seed=3)
    far = ib.fast_margin(X, y, tol=1e-4)
    assert far.n_screens >= 1 and 1 <= far.n_active < len(y)     # screening left rows out
    off = ib.fast_margin(X, y, tol=1e-2, screen=False)
    assert off.n_active == len(y)
