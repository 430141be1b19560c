import numpy as np
import pytest

import ibias_lib as ib
from helpers import fd_gradient


def naive_risk(A, w, loss):
    m = A @ w
    return np.mean(np.exp(-m)) if loss == "exp" else np.mean(np.log1p(np.exp(-m)))


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_gd_step_is_a_gradient_step(data, loss):
    X, y = data
    w = 0.5 * np.random.default_rng(0).standard_normal(X.shape[1])
    A = y[:, None] * X
    g = fd_gradient(lambda v: naive_risk(A, v, loss), w)
    np.testing.assert_allclose(ib.gd_step(X, y, w, loss=loss, step=0.7), w - 0.7 * g,
                               rtol=1e-9, atol=1e-12)
    R = naive_risk(A, w, loss)
    np.testing.assert_allclose(ib.normalized_gd_step(X, y, w, loss=loss, step=0.7),
                               w - 0.7 / R * g, rtol=1e-9, atol=1e-12)


def test_trace_is_immutable_and_consistent(data):
    X, y = data
    tr = ib.gd(X, y, n_steps=500, num_records=30)
    assert tr.steps[0] == 1 and tr.steps[-1] == 500 and np.all(np.diff(tr.steps) > 0)
    assert tr.w.shape == (len(tr.steps), X.shape[1])
    with pytest.raises(ValueError):
        tr.margin[0] = 1.0
    k = -1
    assert tr.margin[k] == pytest.approx(ib.margin(X, y, tr.w[k]), rel=1e-12)
    assert tr.smoothed_margin[k] == pytest.approx(ib.smoothed_margin(X, y, tr.w[k]), rel=1e-12)
    assert tr.log_risk[k] == pytest.approx(ib.log_risk_of(X, y, tr.w[k]), rel=1e-12)
    assert tr.norm[k] == pytest.approx(np.linalg.norm(tr.w[k]), rel=1e-12)


def test_recorded_iterates_equal_repeated_steps(data):
    X, y = data
    tr = ib.normalized_gd(X, y, loss="logistic", n_steps=40, record_at=np.array([0, 7, 40]))
    w = np.zeros(X.shape[1])
    for t in range(1, 41):
        w = ib.normalized_gd_step(X, y, w, loss="logistic")
        if t in (7, 40):
            np.testing.assert_allclose(tr.w[list(tr.steps).index(t)], w, rtol=1e-12)
    assert np.isnan(tr.margin[0])   # undefined at w = 0, and only there


def test_run_records_every_requested_step():
    rec, final = ib.run(lambda s: s + 1, 0, 10, np.array([0, 3, 9]),
                        lambda s: {"s": s, "sq": np.array([s, s * s])})
    np.testing.assert_array_equal(rec["s"], [0, 3, 9])
    np.testing.assert_array_equal(rec["sq"], [[0, 0], [3, 9], [9, 81]])
    assert final == 10


def test_normalized_gd_runs_far_past_float64_underflow():
    """1e5 steps from 0: margins reach thousands, R = e^{-5000} is not representable,
    yet every recorded quantity is finite and the smoothed margin never decreases."""
    X, y = ib.planted_data(40, 3, margin=0.2, seed=0)
    tr = ib.normalized_gd(X, y, step=1.0, n_steps=100_000, num_records=60)
    for arr in (tr.w, tr.log_risk, tr.margin, tr.smoothed_margin, tr.norm):
        assert np.all(np.isfinite(arr))
    assert (y * (X @ tr.w[-1])).min() > 1000 and tr.log_risk[-1] < -1000
    assert np.all(np.diff(tr.smoothed_margin) >= 0)
    gamma = ib.max_margin(X, y).gamma
    assert gamma - tr.margin[-1] < 1e-4


def test_normalized_gd_keeps_raising_the_margin_at_1e9_scale():
    """From ||w0|| = 1e9 in a poor direction (margins +-1e9), 1e5 steps: no NaN or inf, and the
    margin rises at every record until the gap is 100x smaller."""
    X, y = ib.planted_data(40, 3, margin=0.2, seed=0)
    res = ib.max_margin(X, y)
    v = res.direction + 0.3 * np.array([1.0, -1.0, 0.5])
    tr = ib.normalized_gd(X, y, step=1e4, n_steps=100_000, num_records=60,
                          w0=1e9 * v / np.linalg.norm(v))
    for arr in (tr.w, tr.log_risk, tr.margin, tr.smoothed_margin, tr.norm):
        assert np.all(np.isfinite(arr))
    assert np.abs(y * (X @ tr.w[0])).max() > 5e8
    assert np.all(np.diff(tr.margin) > 0)
    gap = res.gamma - tr.margin
    assert gap[-1] < gap[0] / 100


def test_constant_step_gd_at_huge_margins_stalls_without_nan():
    X, y = ib.planted_data(30, 3, margin=0.2, seed=1)
    w0 = 1e9 * ib.max_margin(X, y).direction
    tr = ib.gd(X, y, n_steps=10, w0=w0)
    np.testing.assert_array_equal(tr.w[-1], w0)      # the gradient is e^{-1e8}: a zero move
    assert np.all(np.isfinite(tr.log_risk))


@pytest.mark.parametrize("method", [ib.gd, ib.normalized_gd])
@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_margin_approaches_max_margin(method, loss):
    X, y = ib.planted_data(80, 4, margin=0.1, seed=2)
    gamma = ib.max_margin(X, y).gamma
    tr = method(X, y, loss=loss, n_steps=3000)
    gap = gamma - tr.margin
    assert np.all(gap >= -1e-12)                     # never above the max margin
    assert gap[-1] < 0.5 * gap[len(gap) // 2]        # and closing
    assert np.all(tr.smoothed_margin <= tr.margin + 1e-12)


def test_normalized_gd_gap_bound():
    """Exponential loss, eta = 1, ||x|| <= 1: gap <= ln n / (t gamma) + smoothing slack."""
    X, y = ib.planted_data(100, 5, margin=0.1, seed=4)
    gamma = ib.max_margin(X, y).gamma
    tr = ib.normalized_gd(X, y, n_steps=2000)
    bound = np.log(len(y)) * (1 / (tr.steps * gamma ** 2) + 1 / tr.norm) + 0.5 / gamma / tr.steps
    assert np.all(gamma - tr.margin <= bound)


def test_log_spaced_steps():
    s = ib.log_spaced_steps(10_000, 50)
    assert s[0] == 1 and s[-1] == 10_000 and np.all(np.diff(s) > 0) and len(s) <= 50
    assert ib.log_spaced_steps(10, 50, start=0)[0] == 0
