"""ibias_lib.logistic_bounds: the per-step GD path against ib.gd and finite differences, and
each bound of the logistic chapter against brute force, its own proof's hypotheses, and runs
where it must fail."""
import math

import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib import logistic_bounds as lb


def _risk(A, w, loss):
    m = A @ w
    return float(np.mean(np.exp(-m) if loss == "exp" else np.logaddexp(0, -m)))


@pytest.fixture(scope="module")
def planted():
    X, y = ib.planted_data(40, 4, margin=0.1, seed=1)
    return X, y, ib.max_margin(X, y)


@pytest.fixture(scope="module")
def oscillating():
    X, y = lb.oscillating_data(20, 0.1, seed=0)
    return X, y, ib.max_margin(X, y)


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_path_matches_gd(planted, loss):
    X, y, svm = planted
    rec = np.array([1, 7, 100, 500])
    tr = ib.gd(X, y, loss=loss, step=1.0, n_steps=500, record_at=rec)
    p = lb.gd_path(X, y, loss=loss, step=1.0, n_steps=500, direction=svm.direction,
                   keep_w=True)
    np.testing.assert_allclose(p.w[rec], tr.w, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(p.log_risk[rec], tr.log_risk, rtol=1e-12)
    np.testing.assert_allclose(p.norm[rec], tr.norm, rtol=1e-12)
    np.testing.assert_allclose(p.min_margin[rec] / p.norm[rec], tr.margin, rtol=1e-10)
    np.testing.assert_allclose(p.along[rec], tr.w @ svm.direction, rtol=1e-12)
    assert p.stopped is None and len(p.log_risk) == 501


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_path_gradient_against_finite_differences(planted, loss):
    X, y, _ = planted
    A = y[:, None] * X
    p = lb.gd_path(X, y, loss=loss, step=1.0, n_steps=30, keep_w=True)
    for t in (0, 5, 30):
        w, h = p.w[t], 1e-5
        g = np.array([(-_risk(A, w + 2 * h * e, loss) + 8 * _risk(A, w + h * e, loss)
                       - 8 * _risk(A, w - h * e, loss) + _risk(A, w - 2 * h * e, loss))
                      / (12 * h) for e in np.eye(len(w))])
        assert abs(np.linalg.norm(g) / math.exp(p.log_grad[t]) - 1) < 1e-8
        m = A @ w
        G = np.mean(np.exp(-m) if loss == "exp" else 1 / (1 + np.exp(m)))
        assert abs(G / math.exp(p.log_G[t]) - 1) < 1e-12
        if t < 30:                                       # the update is w - eta grad
            np.testing.assert_allclose(p.w[t + 1], w - g, atol=1e-8)


def test_path_stops_on_blow_up_and_stays_finite_at_huge_margins(oscillating):
    X, y, _ = oscillating
    p = lb.gd_path(X, y, loss="exp", step=30.0, n_steps=100)
    assert p.stopped is not None and p.stopped < 10
    assert len(p.log_risk) == p.stopped + 1 and np.all(np.isfinite(p.log_risk))
    assert math.log(30.0) + p.log_grad[-1] > 50
    big = lb.gd_path(X, y, loss="logistic", step=1e6, n_steps=200)  # margins past 600
    assert big.min_margin[-1] > 600
    assert all(np.all(np.isfinite(a)) for a in (big.log_risk, big.log_G, big.log_grad))
    assert big.log_risk[-1] < -600


def test_path_input_errors(planted):
    X, y, _ = planted
    with pytest.raises(ValueError, match="step"):
        lb.gd_path(X, y, step=-1.0)
    with pytest.raises(ValueError, match="direction"):
        lb.gd_path(X, y, direction=np.zeros(X.shape[1]))
    with pytest.raises(ValueError, match="loss"):
        lb.gd_path(X, y, loss="hinge")


@pytest.mark.parametrize("loss,eta", [("logistic", 1.0), ("logistic", 30.0), ("exp", 1.0),
                                      ("exp", 3.0)])
def test_descent_inequality_holds_and_is_first_order_tight(oscillating, loss, eta):
    X, y, _ = oscillating
    p = lb.gd_path(X, y, loss=loss, step=eta, n_steps=300)
    lhs, rhs, c = lb.self_bounded_descent(p)
    assert np.max(lhs - rhs) <= 1e-10
    # For a tiny step the inequality is an equality to first order: 1 - lhs ~ 1 - rhs.
    q = lb.gd_path(X, y, loss=loss, step=1e-4, n_steps=3)
    lhs, rhs, _ = lb.self_bounded_descent(q)
    np.testing.assert_allclose((1 - lhs) / (1 - rhs), 1.0, atol=1e-3)


def test_stable_phase_starts_and_the_risk_then_decreases(oscillating):
    X, y, _ = oscillating
    p = lb.gd_path(X, y, step=30.0, n_steps=1000)
    s = lb.stable_phase_start(p)
    assert s is not None and 30.0 * math.exp(p.log_risk[s]) <= 0.5
    assert np.all(np.diff(p.log_risk[s:]) <= 0)
    _, _, c = lb.self_bounded_descent(p)
    assert np.min(c[s:]) >= lb.STABLE_DESCENT
    assert np.any(np.diff(p.log_risk[:s]) > 0)           # this draw oscillates first
    short = lb.gd_path(X, y, step=30.0, n_steps=3)
    assert lb.stable_phase_start(short) is None


def test_split_comparator_bound_is_the_minimum_over_a():
    gamma, eta = 0.2, 5.0
    t = np.array([1.0, 10.0, 1e3, 1e6])
    B, a = lb.split_comparator_bound(t, gamma=gamma, step=eta)
    grid = np.linspace(0, 400, 400_001)
    for Bi, ai, ti in zip(B, a, t):
        f = np.logaddexp(0, -gamma * grid) + (grid + eta / (2 * gamma)) ** 2 / (2 * eta * ti)
        assert f.min() - 1e-9 <= Bi <= f.min() + 1e-12
        assert abs(ai - grid[np.argmin(f)]) < 1e-2 + 1e-3 * ai
    assert np.all(np.diff(B) < 0)
    with pytest.raises(ValueError, match="t"):
        lb.split_comparator_bound([0.5], gamma=gamma, step=eta)


@pytest.mark.parametrize("eta", [0.5, 3.0, 30.0, 300.0])
def test_average_risk_bound_holds_for_logistic_gd(oscillating, eta):
    X, y, svm = oscillating
    T = 500
    p = lb.gd_path(X, y, step=eta, n_steps=T)
    avg = np.cumsum(np.exp(p.log_risk))[:-1] / np.arange(1, T + 1)
    B, _ = lb.split_comparator_bound(np.arange(1, T + 1), gamma=svm.gamma, step=eta)
    assert np.all(avg <= B * (1 + 1e-9))


def test_average_risk_bound_needs_the_bounded_derivative(oscillating):
    # The proof uses G <= 1, true for the logistic loss only: the exponential loss at the same
    # step violates the bound (before it is stopped).
    X, y, svm = oscillating
    p = lb.gd_path(X, y, loss="exp", step=30.0, n_steps=100)
    k = len(p.log_risk) - 1
    with np.errstate(over="ignore"):
        avg = np.cumsum(np.exp(p.log_risk))[:-1] / np.arange(1, k + 1)
    B, _ = lb.split_comparator_bound(np.arange(1, k + 1), gamma=svm.gamma, step=30.0)
    assert np.any(avg > B)


def test_transition_time_bound(oscillating):
    _, _, svm = oscillating
    g = svm.gamma
    for eta in (0.5, 3.0):
        t_star = lb.transition_time_bound(gamma=g, step=eta, t_max=10 ** 5)
        B, _ = lb.split_comparator_bound(np.arange(1, t_star + 1), gamma=g, step=eta)
        assert B[-1] <= 0.5 / eta and np.all(B[:-1] > 0.5 / eta)
    assert lb.transition_time_bound(gamma=g, step=30.0, t_max=100) is None


def test_stable_phase_bound_holds_and_needs_the_direction(oscillating):
    X, y, svm = oscillating
    p = lb.gd_path(X, y, step=30.0, n_steps=2000, direction=svm.direction)
    s = lb.stable_phase_start(p)
    t = np.arange(1, 2000 - s + 1)
    bound = lb.stable_phase_bound(p, s, t, gamma=svm.gamma)
    assert np.all(np.exp(p.log_risk[s + 1:]) <= bound * (1 + 1e-9))
    assert bound[-1] < math.exp(p.log_risk[s])           # it says something
    with pytest.raises(ValueError, match="direction"):
        lb.stable_phase_bound(lb.gd_path(X, y, step=30.0, n_steps=200), s, t, gamma=svm.gamma)


def test_risk_lower_bound(oscillating):
    X, y, _ = oscillating
    p = lb.gd_path(X, y, step=0.5, n_steps=1000)
    floor = lb.risk_lower_bound(p.log_risk[0], 0.5, np.arange(1001))
    assert np.all(floor <= np.exp(p.log_risk) * (1 + 1e-12))
    assert floor[0] == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="eta L"):
        lb.risk_lower_bound(p.log_risk[0], 2.0, [1])


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_margin_certificate(planted, loss):
    X, y, svm = planted
    p = lb.gd_path(X, y, loss=loss, step=1.0, n_steps=5000)
    level = 0.0 if loss == "exp" else math.log(math.log(2))
    s = lb.first_step_below(p.log_risk + math.log(len(y)), level)
    bound, margin = lb.margin_certificate(p, s, gamma=svm.gamma)
    assert np.all(bound <= margin + 1e-12)
    assert 0 < bound[-1] < svm.gamma                      # a positive margin is certified


def test_margin_certificate_refuses_a_negative_descent_constant(oscillating):
    X, y, svm = oscillating
    p = lb.gd_path(X, y, step=30.0, n_steps=50)
    with pytest.raises(ValueError, match="c_k < 0"):
        lb.margin_certificate(p, 0, gamma=svm.gamma)


def test_inverse_loss_of_sum():
    S = np.array([1e-300, 1e-8, 0.3, math.log(2), 5.0, 40.0, 1e3])
    inv = lb.inverse_loss_of_sum(np.log(S), "logistic")
    direct = -np.log(np.expm1(S[:5]))
    np.testing.assert_allclose(inv[:5], direct, rtol=1e-12, atol=1e-15)
    assert inv[3] == pytest.approx(0.0, abs=1e-15)        # l^{-1}(ln 2) = 0
    np.testing.assert_allclose(inv[5:], -S[5:], rtol=1e-12)
    z = np.array([-3.0, 0.0, 2.0, 50.0])                   # l^{-1}(l(z)) = z
    np.testing.assert_allclose(lb.inverse_loss_of_sum(np.log(np.logaddexp(0, -z)),
                                                      "logistic"), z, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(lb.inverse_loss_of_sum(np.array([2.0]), "exp"), [-2.0])


def test_angle_from_margin_gap_against_sampled_directions(planted):
    X, y, svm = planted
    A = y[:, None] * X
    rng = np.random.default_rng(0)
    U = svm.direction + 0.3 * rng.standard_normal((2000, X.shape[1]))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    delta = svm.gamma - (U @ A.T).min(axis=1)
    bound = lb.angle_from_margin_gap(delta, svm.gamma)
    angle = ib.angle(U, svm.direction)
    assert np.all(angle <= bound + 1e-12)
    ok = delta < svm.gamma
    assert ok.sum() > 100 and np.all(bound[~ok] == np.pi)


def test_oscillating_data():
    X, y = lb.oscillating_data(50, 0.1, seed=3)
    A = y[:, None] * X
    assert np.all(np.linalg.norm(X, axis=1) <= 1 + 1e-12)
    assert np.all(A[:, 0] >= 0.1) and np.all(A[:, 0] <= 0.2)
    assert ib.max_margin(X, y).gamma >= 0.1
    np.testing.assert_array_equal(X, lb.oscillating_data(50, 0.1, seed=3)[0])
    with pytest.raises(ValueError, match="1/2"):
        lb.oscillating_data(10, 0.6)
    with pytest.raises(ValueError, match="frac"):
        lb.oscillating_data(10, 0.1, frac=1.0)


def test_first_step_below():
    assert lb.first_step_below([3.0, 2.0, 1.0], 2.0) == 1
    assert lb.first_step_below([3.0], 2.0) is None
