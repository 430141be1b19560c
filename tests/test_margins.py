import numpy as np
import pytest

import ibias_lib as ib


def test_margin_is_scale_invariant(data):
    X, y = data
    w = np.random.default_rng(0).standard_normal(X.shape[1])
    for c in [1e-6, 0.3, 7.0, 1e9]:
        assert ib.margin(X, y, c * w) == pytest.approx(ib.margin(X, y, w), rel=1e-12)


def test_margin_matches_definition(data):
    X, y = data
    w = np.random.default_rng(2).standard_normal(X.shape[1])
    ref = min(y[i] * X[i] @ w for i in range(len(y))) / np.sqrt(w @ w)
    assert ib.margin(X, y, w) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("scale", [0.1, 1.0, 10.0, 1e3, 1e9])
def test_exp_sandwich(data, scale):
    X, y = data
    u = ib.max_margin(X, y).direction
    w = scale * (u + 0.1 * np.random.default_rng(4).standard_normal(u.size))
    sm, mg = ib.smoothed_margin(X, y, w), ib.margin(X, y, w)
    slack = np.log(len(y)) / np.linalg.norm(w)
    assert sm <= mg + 1e-15
    assert mg <= sm + slack * (1 + 1e-12)


@pytest.mark.parametrize("scale", [0.1, 1.0, 10.0, 1e3, 1e9])
def test_logistic_sandwich(data, scale):
    X, y = data
    u = ib.max_margin(X, y).direction
    w = scale * u
    sm, mg = ib.smoothed_margin(X, y, w, loss="logistic"), ib.margin(X, y, w)
    total_loss = np.sum(ib.loss_values(X, y, w, loss="logistic"))
    assert sm <= mg + 1e-15
    assert mg <= sm + (np.log(len(y)) + total_loss) / np.linalg.norm(w) * (1 + 1e-12)


def test_smoothed_margin_matches_naive_formula(data):
    X, y = data
    w = 20 * ib.max_margin(X, y).direction
    m = y * (X @ w)
    ref_exp = -np.log(np.sum(np.exp(-m))) / np.linalg.norm(w)
    s = np.sum(np.log1p(np.exp(-m)))
    ref_log = -np.log(np.expm1(s)) / np.linalg.norm(w)
    assert ib.smoothed_margin(X, y, w) == pytest.approx(ref_exp, rel=1e-12)
    assert ib.smoothed_margin(X, y, w, loss="logistic") == pytest.approx(ref_log, rel=1e-10)


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_smoothed_margin_tends_to_margin_at_extreme_scale(data, loss):
    X, y = data
    w = 1e9 * ib.max_margin(X, y).direction
    sm = ib.smoothed_margin(X, y, w, loss=loss)
    assert np.isfinite(sm)
    assert sm == pytest.approx(ib.margin(X, y, w), abs=np.log(len(y)) / 1e9 * 1.01)


def test_margin_of_zero_vector_is_an_error(data):
    X, y = data
    with pytest.raises(ValueError, match="zero vector"):
        ib.margin(X, y, np.zeros(X.shape[1]))
