"""Tests of ibias_lib.proofs against naive formulas, finite differences and hand-made runs."""
import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib import proofs


def _data(n=30, d=4, seed=0, margin=0.2):
    return ib.planted_data(n, d, margin=margin, seed=seed)


def _naive_ngd(X, y, eta, T, w0=None):
    """Normalized GD on the exponential loss, written from the definition (moderate scale)."""
    A = y[:, None] * X
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, float)
    W = [w.copy()]
    for _ in range(T):
        e = np.exp(-(A @ w))
        grad_R = -(e @ A) / len(y)          # gradient of the exponential risk
        w = w - eta / e.mean() * grad_R
        W.append(w.copy())
    return np.array(W)


def _naive_logistic_gd(X, y, eta, T, w0):
    A = y[:, None] * X
    w = np.array(w0, float)
    W = [w.copy()]
    for _ in range(T):
        sig = 1 / (1 + np.exp(A @ w))        # |l'(m)|
        w = w + eta * (sig @ A) / len(y)
        W.append(w.copy())
    return np.array(W)


def _naive_logistic_risk(A, w):
    return np.mean(np.log1p(np.exp(-(A @ w))))


def test_lse_potential_matches_naive_and_finite_differences():
    X, y = _data()
    A = y[:, None] * X
    rng = np.random.default_rng(0)
    W = rng.standard_normal((5, X.shape[1]))
    psi, G = proofs.lse_potential(X, y, W)
    for w, p, g in zip(W, psi, G):
        assert p == pytest.approx(np.log(np.sum(np.exp(-(A @ w)))), rel=1e-12)
        h = 1e-6
        fd = np.array([(np.log(np.sum(np.exp(-(A @ (w + h * e)))))
                        - np.log(np.sum(np.exp(-(A @ (w - h * e)))))) / (2 * h)
                       for e in np.eye(len(w))])
        np.testing.assert_allclose(g, -fd, atol=1e-7)
    # huge iterates stay finite (log domain)
    psi_big, G_big = proofs.lse_potential(X, y, 1e6 * ib.max_margin(X, y).direction[None])
    assert np.isfinite(psi_big).all() and np.isfinite(G_big).all()
    with pytest.raises(ValueError):
        proofs.lse_potential(X, y, np.zeros((2, X.shape[1] + 1)))


def test_smoothing_sandwich_naive_and_random():
    rng = np.random.default_rng(1)
    for _ in range(50):
        m = rng.normal(0, 3, size=rng.integers(1, 20))
        nrm = rng.uniform(0.1, 10)
        sm, mg, up = proofs.smoothing_sandwich(m, nrm)
        assert sm == pytest.approx(-np.log(np.sum(np.exp(-m))) / nrm, rel=1e-12, abs=1e-12)
        assert mg == pytest.approx(m.min() / nrm)
        assert up == pytest.approx(sm + np.log(len(m)) / nrm)
        assert sm <= mg + 1e-12 and mg <= up + 1e-12
    # tight cases: equal margins attain the upper bound, one margin the lower one
    sm, mg, up = proofs.smoothing_sandwich(np.full(7, 2.0), 1.0)
    assert mg == pytest.approx(up) and sm < mg
    sm, mg, up = proofs.smoothing_sandwich(np.array([2.0]), 1.0)
    assert sm == pytest.approx(mg)
    # batched version agrees with the trace's smoothed margin
    X, y = _data()
    tr = ib.normalized_gd(X, y, n_steps=200)
    sm, mg, up = proofs.smoothing_sandwich(tr.w @ (y[:, None] * X).T, tr.norm)
    np.testing.assert_allclose(sm, tr.smoothed_margin, atol=1e-12)
    np.testing.assert_allclose(mg, tr.margin, atol=1e-12)
    with pytest.raises(ValueError):
        proofs.smoothing_sandwich(np.ones(3), 1.0, loss="logistic")
    with pytest.raises(ValueError):
        proofs.smoothing_sandwich(np.ones(3), 0.0)


@pytest.mark.parametrize("eta", [0.3, 1.0, 2.0])
def test_descent_inequality_holds_and_matches_naive(eta):
    X, y = _data(seed=2)
    A = y[:, None] * X
    W = _naive_ngd(X, y, eta, 300)
    lhs, rhs = proofs.descent_inequality(X, y, W, step=eta)
    psi = np.array([np.log(np.sum(np.exp(-(A @ w)))) for w in W])
    np.testing.assert_allclose(lhs, np.diff(psi), atol=1e-10)
    g = np.array([np.exp(-(A @ w)) @ A / np.sum(np.exp(-(A @ w))) for w in W[:-1]])
    np.testing.assert_allclose(rhs, -eta * (1 - eta / 2) * np.sum(g ** 2, axis=1), atol=1e-12)
    assert np.all(lhs <= rhs + 1e-12)


def test_descent_inequality_can_fail_without_its_assumption():
    """With rows of norm 5 psi is only 25-smooth: step 1 violates the inequality."""
    X, y = _data(seed=3)
    X5 = 5 * X
    W = _naive_ngd(X5, y, 1.0, 50)
    lhs, rhs = proofs.descent_inequality(X5, y, W, step=1.0)
    assert np.any(lhs > rhs + 1e-6)


def test_dual_inequality():
    X, y = _data(seed=4)
    svm = ib.max_margin(X, y)
    rng = np.random.default_rng(4)
    W = rng.standard_normal((40, X.shape[1])) * 3
    gamma, inner, gn = proofs.dual_inequality(X, y, W, svm.direction)
    assert gamma == pytest.approx(svm.gamma, abs=1e-8)
    assert np.all(gamma <= inner + 1e-12) and np.all(inner <= gn + 1e-12)
    A = y[:, None] * X
    q = np.exp(-(A @ W[0])) / np.sum(np.exp(-(A @ W[0])))
    assert inner[0] == pytest.approx((q @ A) @ svm.direction)
    # a non-unit direction is normalized; a bad direction gives a smaller (negative) gamma
    g2, inner2, _ = proofs.dual_inequality(X, y, W, 3 * svm.direction)
    np.testing.assert_allclose(inner2, inner)
    g_bad, _, _ = proofs.dual_inequality(X, y, W, -svm.direction)
    assert g_bad < 0


def test_norm_inequality_equality_case_and_random():
    # a single example: every g_s equals a, so ||w_t|| = eta * t * ||a|| exactly
    X = np.array([[0.6, 0.8]]); y = np.array([1.0])
    W = _naive_ngd(X, y, 0.5, 20)
    lhs, rhs = proofs.norm_inequality(X, y, W, step=0.5)
    np.testing.assert_allclose(lhs, 0.5 * np.arange(21), atol=1e-12)
    np.testing.assert_allclose(rhs, lhs, atol=1e-12)
    X, y = _data(seed=5)
    W = _naive_ngd(X, y, 1.0, 100, w0=np.ones(X.shape[1]))
    lhs, rhs = proofs.norm_inequality(X, y, W, step=1.0)
    assert lhs[0] == 0 and np.all(lhs <= rhs + 1e-12) and np.any(lhs < rhs - 1e-3)


def test_telescoped_and_closed_form_bounds():
    X, y = _data(n=40, d=3, seed=6, margin=0.3)
    n = len(y)
    A = y[:, None] * X
    gamma = ib.max_margin(X, y).gamma
    for eta in (0.5, 1.0):
        W = _naive_ngd(X, y, eta, 400)
        bound, sm, mg = proofs.telescoped_margin_bound(X, y, W, step=eta)
        # naive recomputation of B_t
        g = np.array([np.exp(-(A @ w)) @ A / np.sum(np.exp(-(A @ w))) for w in W[:-1]])
        gn = np.linalg.norm(g, axis=1)
        num = eta * (1 - eta / 2) * np.cumsum(gn ** 2) - np.log(n)
        ok = num >= 0
        assert ok.any() and not ok.all()
        np.testing.assert_allclose(bound[ok], (num / (eta * np.cumsum(gn)))[ok], rtol=1e-10)
        assert np.all(np.isneginf(bound[~ok]))
        np.testing.assert_allclose(mg, [ib.margin(X, y, w) for w in W[1:]], atol=1e-12)
        assert np.all(bound <= sm + 1e-12) and np.all(sm <= mg + 1e-12)
        t = np.arange(1, 401)
        closed = proofs.ngd_margin_bound(t, gamma, n, step=eta)
        by_hand = (1 - eta / 2) * gamma - np.log(n) / (eta * t * gamma)
        fin = np.isfinite(closed)
        np.testing.assert_allclose(closed[fin], by_hand[fin])
        assert np.all(by_hand[~fin] < 0) and np.all(by_hand[fin] >= 0)
        assert np.all(closed <= bound + 1e-12)
    with pytest.raises(ValueError, match="w_0 = 0"):
        proofs.telescoped_margin_bound(X, y, W + 1, step=1.0)
    with pytest.raises(ValueError, match="eta <= 2"):
        proofs.telescoped_margin_bound(X, y, W, step=2.5)
    with pytest.raises(ValueError, match="eta <= 2"):
        proofs.ngd_margin_bound(10, gamma, n, step=3.0)
    with pytest.raises(ValueError):
        proofs.ngd_margin_bound(0, gamma, n, step=1.0)


def test_logistic_burn_in():
    X, y = _data(seed=7)
    n = len(y)
    A = y[:, None] * X
    tr = ib.normalized_gd(X, y, loss="logistic", step=1.0, n_steps=300,
                          record_at=np.arange(301))
    t_b = proofs.logistic_burn_in(tr, n)
    s = np.array([np.sum(np.log1p(np.exp(-(A @ w)))) for w in tr.w])
    assert t_b == int(np.flatnonzero(s < np.log(2))[0])
    assert tr.smoothed_margin[t_b] > 0 and tr.smoothed_margin[t_b - 1] <= 0
    short = ib.normalized_gd(X, y, loss="logistic", step=1.0, n_steps=max(t_b - 2, 1),
                             record_at=np.arange(max(t_b - 2, 1) + 1))
    assert proofs.logistic_burn_in(short, n) is None
    with pytest.raises(ValueError):
        proofs.logistic_burn_in(ib.normalized_gd(X, y, n_steps=10), n)


def test_logistic_smoothness_is_the_max_curvature():
    X, y = _data(seed=8)
    A = y[:, None] * X
    n = len(y)
    beta = proofs.logistic_smoothness(X, y)
    assert beta <= 0.25

    def hess(w):   # finite differences of the naive gradient
        def grad(v):
            return -(1 / (1 + np.exp(A @ v))) @ A / n
        h = 1e-5
        return np.array([(grad(w + h * e) - grad(w - h * e)) / (2 * h) for e in np.eye(len(w))])
    # the curvature is largest at w = 0 (l'' = 1/4 everywhere), and never exceeds beta
    assert np.linalg.eigvalsh(hess(np.zeros(X.shape[1]))).max() == pytest.approx(beta, rel=1e-6)
    rng = np.random.default_rng(8)
    for _ in range(5):
        assert np.linalg.eigvalsh(hess(rng.standard_normal(X.shape[1]))).max() <= beta + 1e-8


def test_perceptron_lemma():
    X, y = _data(seed=9)
    A = y[:, None] * X
    beta = proofs.logistic_smoothness(X, y)
    w_hat = ib.max_margin(X, y).w_hat
    w0 = np.random.default_rng(9).standard_normal(X.shape[1])
    for eta in (1.0, 1 / beta):
        W = _naive_logistic_gd(X, y, eta, 500, w0)
        for r in (0.5, 2.0, 5.0, 20.0):
            z = w0 + r * w_hat
            lhs, rhs = proofs.perceptron_inequality(X, y, W, z, step=eta)
            d2 = np.sum((W - z) ** 2, axis=1)
            R = np.array([_naive_logistic_risk(A, w) for w in W])
            Rz = _naive_logistic_risk(A, z)
            np.testing.assert_allclose(lhs, np.diff(d2), atol=1e-9)
            np.testing.assert_allclose(rhs, 2 * eta * (Rz - R[1:]), atol=1e-12)
            assert np.all(lhs <= rhs + 1e-9)
            lhs, rhs = proofs.perceptron_bound(X, y, W, z, step=eta)
            t = np.arange(1, len(W))
            np.testing.assert_allclose(lhs, d2[1:] / (2 * eta * t) + R[1:], rtol=1e-10)
            np.testing.assert_allclose(rhs, d2[0] / (2 * eta * t) + Rz, rtol=1e-10)
            assert np.all(lhs <= rhs + 1e-12)
            dist, two_z, active = proofs.perceptron_norm_bound(X, y, W, z)
            np.testing.assert_array_equal(active, R >= Rz)
            assert two_z == pytest.approx(2 * r * np.linalg.norm(w_hat))
            assert np.all(dist[active] <= two_z)
    with pytest.raises(ValueError, match="1/beta"):
        proofs.perceptron_inequality(X, y, W, z, step=1.5 / beta)
    with pytest.raises(ValueError, match="smooth"):
        proofs.perceptron_bound(X, y, W, z, step=1.0, loss="exp")


def test_perceptron_inequality_can_fail_beyond_its_step_condition():
    """Far above 1/beta GD overshoots and the per-step inequality breaks: it is not vacuous."""
    X, y = _data(seed=10)
    beta = proofs.logistic_smoothness(X, y)
    eta = 8 / beta
    W = _naive_logistic_gd(X, y, eta, 50, np.zeros(X.shape[1]))
    A = y[:, None] * X
    z = np.zeros(X.shape[1])
    d2 = np.sum((W - z) ** 2, axis=1)
    R = np.array([_naive_logistic_risk(A, w) for w in W])
    assert np.any(np.diff(d2) > 2 * eta * (_naive_logistic_risk(A, z) - R[1:]) + 1e-9)
