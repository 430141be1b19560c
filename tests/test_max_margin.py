"""ib.max_margin: KKT conditions on all rows for every routine, agreement with an independent
solver (SLSQP on the dual) and between routines, scale-freeness, degenerate and bad input."""
import importlib
import warnings

import numpy as np
import pytest
from scipy.optimize import minimize

import ibias_lib as ib

MM = importlib.import_module("ibias_lib.max_margin")
HAS_DAQP = MM._daqp_available()
METHODS = ["auto", "ipm", "nnls"] + (["daqp"] if HAS_DAQP else [])


def degenerate_grid():
    """22 points all at the max margin in the plane (more active rows than features)."""
    t = np.linspace(-1, 1, 11)
    X = np.vstack([np.column_stack([np.ones(11), t]), np.column_stack([-np.ones(11), t])])
    return X, np.r_[np.ones(11), -np.ones(11)]


DATASETS = [
    ("planted 60x5", lambda: ib.planted_data(60, 5, margin=0.1, seed=3)),
    ("planted 300x20", lambda: ib.planted_data(300, 20, margin=0.02, seed=7)),
    ("planted 40x80 (d > n)", lambda: ib.planted_data(40, 80, margin=0.01, seed=1)),
    ("soudry", lambda: ib.soudry_data(6, seed=2)),
    ("unscaled", lambda: (lambda X, y: (250.0 * X, y))(*ib.planted_data(50, 3, margin=0.1,
                                                                         seed=5))),
    # large enough that every routine works on a proper working set (n > 2 k0)
    ("planted 6000x8 (working set)", lambda: ib.planted_data(6000, 8, margin=0.05, seed=4)),
    ("duplicated rows", lambda: (lambda X, y: (np.vstack([X, X]), np.r_[y, y]))(
        *ib.planted_data(80, 6, margin=0.05, seed=8))),
    ("degenerate grid", degenerate_grid),
]


def check_kkt(X, y, res, rtol=1e-9):
    """The optimality conditions of min ||w||^2/2 s.t. A w >= 1, on ALL rows."""
    A = y[:, None] * X
    m = A @ res.w_hat
    lam = res.dual
    assert np.linalg.norm(res.direction) == pytest.approx(1.0, abs=1e-14)
    assert m.min() >= 1 - rtol                                   # primal feasibility
    assert m.min() == pytest.approx(1.0, rel=rtol)               # ... tight
    assert np.all(lam >= 0)                                      # dual feasibility
    assert np.all(np.abs(lam * (m - 1)) <= rtol * lam.sum())     # complementary slackness
    np.testing.assert_allclose(A.T @ lam, res.w_hat, rtol=rtol,
                               atol=rtol * np.linalg.norm(res.w_hat))   # stationarity
    # strong duality: ||w||^2 = sum(lam), and the certificate closes
    assert lam.sum() == pytest.approx(np.linalg.norm(res.w_hat) ** 2, rel=rtol)
    assert res.gamma == pytest.approx(1 / np.linalg.norm(res.w_hat), rel=1e-12)
    assert res.gamma == pytest.approx(ib.margin(X, y, res.direction), rel=1e-12)
    assert ib.dual_bound(X, y, lam) == pytest.approx(res.gamma, rel=rtol)
    assert 0 <= res.rel_gap <= rtol or abs(res.rel_gap) <= 1e-14
    np.testing.assert_array_equal(res.support, np.flatnonzero(lam > 0))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name,make", DATASETS)
def test_kkt_conditions_on_all_rows(name, make, method):
    X, y = make()
    check_kkt(X, y, ib.max_margin(X, y, method=method))


def test_working_set_is_used_and_reported():
    X, y = ib.planted_data(6000, 8, margin=0.05, seed=4)
    for method in METHODS[:2]:
        res = ib.max_margin(X, y, method=method)
        assert res.rounds >= 1 and res.n_working < len(y)        # not all rows were needed
        assert len(res.support) <= res.n_working
        assert res.method.split("+")[0] in ("ipm", "daqp")
    again = ib.max_margin(X, y)            # diagnostics belong to the call, not the module
    assert again.rounds == ib.max_margin(X, y).rounds


def independent_max_margin(X, y):
    """Second method: projected dual min ||A^T q|| over the simplex with SLSQP, then polish
    the identified support by solving A_S w = 1 with w in span(A_S^T)."""
    c = np.abs(X).max()                  # SLSQP's tolerances are absolute: work at unit scale
    A = y[:, None] * X / c
    n = len(y)
    res = minimize(lambda q: 0.5 * np.sum((A.T @ q) ** 2), np.full(n, 1 / n),
                   jac=lambda q: A @ (A.T @ q), method="SLSQP", bounds=[(0, None)] * n,
                   constraints=[{"type": "eq", "fun": lambda q: q.sum() - 1,
                                 "jac": lambda q: np.ones(n)}],
                   options={"ftol": 1e-15, "maxiter": 2000})
    q = res.x
    u = A.T @ q
    gamma0 = np.linalg.norm(u)
    m = A @ u / gamma0
    S = np.flatnonzero(m <= m.min() + 1e-4 * gamma0)      # near-active points
    AS = A[S]
    lam = np.linalg.lstsq(AS @ AS.T, np.ones(len(S)), rcond=None)[0]
    w = AS.T @ lam
    return w / np.linalg.norm(w), c / np.linalg.norm(w)


@pytest.mark.parametrize("name,make", [d for d in DATASETS if d[0] in
                                       ("planted 60x5", "planted 40x80 (d > n)", "soudry",
                                        "unscaled")]
                         + [("planted 100x10", lambda: ib.planted_data(100, 10, margin=0.02,
                                                                       seed=7))])
def test_agrees_with_independent_method(name, make):
    X, y = make()
    u, gamma = independent_max_margin(X, y)
    for method in METHODS:
        res = ib.max_margin(X, y, method=method)
        assert res.gamma == pytest.approx(gamma, rel=1e-8)
        np.testing.assert_allclose(res.direction, u, atol=1e-8)


def test_routines_agree_at_scale():
    """Interior point, active set and Lawson-Hanson NNLS are different algorithms; on a
    problem with many rows and a support of about d rows they must give the same SVM."""
    X, y = ib.planted_data(20_000, 40, margin=0.5 / np.sqrt(40), seed=0)
    ref = ib.max_margin(X, y, method="nnls")
    for method in METHODS:
        res = ib.max_margin(X, y, method=method)
        check_kkt(X, y, res)
        assert res.gamma == pytest.approx(ref.gamma, rel=1e-10)
        np.testing.assert_allclose(res.direction, ref.direction, atol=1e-8)
        np.testing.assert_array_equal(res.support, ref.support)


def test_beats_random_directions():
    X, y = ib.planted_data(100, 4, margin=0.05, seed=11)
    res = ib.max_margin(X, y)
    U = np.random.default_rng(0).standard_normal((20000, 4))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    best = ((y[:, None] * X) @ U.T).min(axis=0).max()
    assert best <= res.gamma + 1e-12


@pytest.mark.parametrize("c", [1e-100, 1e100])
@pytest.mark.parametrize("method", METHODS)
def test_scale_covariance_with_kkt(c, method):
    """gamma(cX) = c gamma(X), the same direction, and the KKT conditions (the dual scales
    like 1/c^2, representable at these scales)."""
    X, y = ib.planted_data(3000, 6, margin=0.05, seed=2)
    ref = ib.max_margin(X, y, method=method)
    res = ib.max_margin(c * X, y, method=method)
    assert res.gamma == pytest.approx(c * ref.gamma, rel=1e-10)
    np.testing.assert_allclose(res.direction, ref.direction, atol=1e-10)
    check_kkt(c * X, y, res)


@pytest.mark.parametrize("c", [1e-250, 1e250])
def test_extreme_scales(c):
    """No overflow or underflow in the solve: the direction and margin are exact even where
    the dual weights (of size 1/gamma^2) are not representable."""
    X, y = ib.planted_data(3000, 6, margin=0.05, seed=2)
    ref = ib.max_margin(X, y)
    res = ib.max_margin(c * X, y)
    assert np.isfinite(res.gamma) and res.gamma == pytest.approx(c * ref.gamma, rel=1e-10)
    np.testing.assert_allclose(res.direction, ref.direction, atol=1e-10)
    np.testing.assert_array_equal(res.support, ref.support)
    assert res.rel_gap <= 1e-12


def test_ipm_failure_falls_back_to_an_exact_routine(monkeypatch):
    X, y = ib.planted_data(3000, 6, margin=0.05, seed=2)
    ref = ib.max_margin(X, y, method="nnls")
    monkeypatch.setattr(MM, "_ipm_iterate", lambda A, **kw: (None, None, None, np.inf))
    res = ib.max_margin(X, y, method="ipm")
    assert res.method in ("ipm+daqp", "ipm+nnls")
    check_kkt(X, y, res)
    assert res.gamma == pytest.approx(ref.gamma, rel=1e-10)


@pytest.mark.parametrize("seed", range(6))
def test_ipm_on_an_ill_conditioned_wide_problem_stops_cleanly_with_the_exact_answer(seed):
    """20 rows in 768 dimensions with singular values from 40 down to 0.01 (the shape of
    near_init's NTK-feature SVMs). Near the optimum rounding in the normal equations makes
    later interior-point steps worse; the routine must keep its best iterate, raise no
    floating-point warning (no overflow, no NaN) and still end exact."""
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((20, 20)))
    V, _ = np.linalg.qr(rng.standard_normal((768, 20)))
    X = (U * np.logspace(1.6, -2, 20)) @ V.T
    y = np.where(rng.standard_normal(20) > 0, 1.0, -1.0)
    ref = ib.max_margin(X, y, method="nnls")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = ib.max_margin(X, y, method="ipm")
    assert res.method == "ipm"                       # no fallback needed
    check_kkt(X, y, res)
    assert res.gamma == pytest.approx(ref.gamma, rel=1e-10)


def badly_scaled(seed):
    """Features on scales from 0.1 to 1000 (like wine's): the support's Gram matrix has a
    condition number near 1e9 and the multipliers are large."""
    X, y = ib.planted_data(200, 13, margin=0.05, seed=seed)
    return X * np.logspace(-1, 3, 13), y


@pytest.mark.parametrize("seed", range(10))
def test_badly_scaled_features_are_solved_exactly_without_fallback(seed):
    """The support solve must not lose the answer to rounding: Cholesky of the Gram matrix
    squares the condition number, so A_S w = 1 is refactored by QR when its residual is not at
    rounding level, and DAQP's answer is kept when its own certificate closes the gap. (Before,
    seed 8 ended in the NNLS fallback with a certified gap of 7e-8, and the wine data of the
    benchmark went through the fallback.)"""
    X, y = badly_scaled(seed)
    for method in METHODS:
        res = ib.max_margin(X, y, method=method)
        check_kkt(X, y, res)
        assert res.rel_gap <= 1e-12
    if HAS_DAQP:
        assert ib.max_margin(X, y).method == "daqp"


def test_support_solve_switches_to_qr_when_the_gram_matrix_is_not_accurate():
    rng = np.random.default_rng(0)
    U, _ = np.linalg.qr(rng.standard_normal((12, 12)))
    V, _ = np.linalg.qr(rng.standard_normal((13, 12)))
    A = (U * np.logspace(0, -4.5, 12)) @ V.T            # cond(A_S) ~ 3e4, Gram ~ 1e9
    w, lam = MM._solve_on_support(A, np.arange(12))
    assert np.abs(A @ w - 1).max() <= MM._SUPPORT_RESIDUAL
    np.testing.assert_allclose(A.T @ lam, w, rtol=1e-9, atol=1e-9 * np.linalg.norm(w))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("X,y", [
    (np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([1.0, -1.0])),       # same point, both labels
    (np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([1.0, 1.0])),      # needs a bias
    (np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], float), np.array([1, 1, -1, -1.0])),  # XOR
])
def test_rejects_non_separable_data(X, y, method):
    with pytest.raises(ValueError, match="not linearly separable through the origin"):
        ib.max_margin(X, y, method=method)


def test_rejects_non_separable_data_at_scale():
    """Many rows, one of them flipped onto the wrong side: found by the full pass."""
    X, y = ib.planted_data(5000, 5, margin=0.05, seed=1)
    X = np.vstack([X, -X[:1]])
    y = np.r_[y, y[:1]]
    for method in METHODS:
        with pytest.raises(ValueError, match="not linearly separable"):
            ib.max_margin(X, y, method=method)


def test_bad_arguments(monkeypatch):
    X, y = ib.planted_data(20, 3, margin=0.1, seed=0)
    with pytest.raises(ValueError, match="method must be one of"):
        ib.max_margin(X, y, method="simplex")
    with pytest.raises(ValueError, match="all zeros"):
        ib.max_margin(np.zeros((4, 2)), np.array([1.0, -1, 1, -1]))
    monkeypatch.setattr(MM, "_daqp_available", lambda: False)
    with pytest.raises(ValueError, match="needs the package daqp"):
        ib.max_margin(X, y, method="daqp")
    check_kkt(X, y, ib.max_margin(X, y))          # "auto" works without DAQP
