import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib.losses import log_losses, log_neg_derivs
from ibias_lib.numerics import inv_logistic_sum, log_softplus_neg
from helpers import fd_gradient

LOSSES = ["exp", "logistic"]


def naive_risk(X, y, w, loss):
    m = y * (X @ w)
    return np.mean(np.exp(-m)) if loss == "exp" else np.mean(np.log1p(np.exp(-m)))


@pytest.mark.parametrize("loss", LOSSES)
def test_risk_matches_naive_formula_at_moderate_scale(data, loss):
    X, y = data
    w = np.random.default_rng(0).standard_normal(X.shape[1])
    assert ib.risk(X, y, w, loss=loss) == pytest.approx(naive_risk(X, y, w, loss), rel=1e-12)


@pytest.mark.parametrize("loss", LOSSES)
def test_gradient_matches_fourth_order_finite_differences(data, loss):
    X, y = data
    w = np.random.default_rng(1).standard_normal(X.shape[1])
    direction, log_norm = ib.risk_gradient(X, y, w, loss=loss)
    g = np.exp(log_norm) * direction
    g_fd = fd_gradient(lambda v: naive_risk(X, y, v, loss), w)
    np.testing.assert_allclose(g, g_fd, rtol=1e-8, atol=1e-11)


@pytest.mark.parametrize("loss", LOSSES)
def test_log_losses_and_derivatives_match_naive(loss):
    m = np.linspace(-30, 30, 121)
    ref = np.exp(-m) if loss == "exp" else np.log1p(np.exp(-m))
    dref = np.exp(-m) if loss == "exp" else 1 / (1 + np.exp(m))
    np.testing.assert_allclose(np.exp(log_losses(m, loss)), ref, rtol=1e-13)
    np.testing.assert_allclose(np.exp(log_neg_derivs(m, loss)), dref, rtol=1e-13)


def test_log_softplus_matches_exact_limits_at_extreme_scale():
    m = np.array([-1e9, -800.0, 800.0, 1e9])
    out = log_softplus_neg(m)
    assert np.all(np.isfinite(out))
    # ln(1 + e^{-m}) ~ -m for m -> -inf, so its log is ln(-m); ~ e^{-m} for m -> +inf.
    np.testing.assert_allclose(out, [np.log(1e9), np.log(800.0), -800.0, -1e9], rtol=1e-12)


@pytest.mark.parametrize("loss", LOSSES)
def test_risk_and_gradient_finite_at_margins_of_1e9(loss):
    X = np.array([[1.0, 0.0], [0.6, 0.8], [-0.8, 0.6]])
    y = np.array([1.0, 1.0, -1.0])
    w = np.array([1e9, 5e8])   # margins 1e9, 1e9, 5e8 -> risk ~ exp(-5e8) / 3
    lr = ib.log_risk_of(X, y, w, loss=loss)
    assert lr == pytest.approx(-5e8 - np.log(3), rel=1e-12)
    direction, log_norm = ib.risk_gradient(X, y, w, loss=loss)
    assert np.all(np.isfinite(direction)) and np.isfinite(log_norm)
    # The exact limit: all the gradient weight sits on the worst point, a_3 = (0.8, -0.6).
    np.testing.assert_allclose(direction, -np.array([0.8, -0.6]), atol=1e-12)
    assert log_norm == pytest.approx(-5e8 - np.log(3), rel=1e-12)


@pytest.mark.parametrize("loss", LOSSES)
def test_risk_huge_negative_margins_do_not_overflow(loss):
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([1.0, 1.0])
    w = np.array([-1e9, 0.0])
    lr = ib.log_risk_of(X, y, w, loss=loss)
    expected = (1e9 if loss == "exp" else np.log(1e9)) - np.log(2)
    assert lr == pytest.approx(expected, rel=1e-9)


def test_inverse_logistic_sum_inverts_the_loss():
    for z in [-50.0, -3.0, 0.0, 0.7, 5.0, 40.0, 700.0]:
        s = np.log1p(np.exp(-z))
        assert inv_logistic_sum(np.log(s)) == pytest.approx(z, rel=1e-10, abs=1e-10)
    # Far in the tail, s = e^{-z} underflows but log s = -z is exact.
    assert inv_logistic_sum(-1e9) == pytest.approx(1e9, rel=1e-15)
