import numpy as np
import pytest
from scipy.optimize import minimize

import ibias_lib as ib

DATASETS = [
    ("planted 60x5", lambda: ib.planted_data(60, 5, margin=0.1, seed=3)),
    ("planted 300x20", lambda: ib.planted_data(300, 20, margin=0.02, seed=7)),
    ("planted 40x80 (d > n)", lambda: ib.planted_data(40, 80, margin=0.01, seed=1)),
    ("soudry", lambda: ib.soudry_data(6, seed=2)),
    ("unscaled", lambda: (lambda X, y: (250.0 * X, y))(*ib.planted_data(50, 3, margin=0.1,
                                                                         seed=5))),
]


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


@pytest.mark.parametrize("name,make", DATASETS)
def test_max_margin_kkt_conditions(name, make):
    X, y = make()
    res = ib.max_margin(X, y)
    A = y[:, None] * X
    m = A @ res.w_hat
    assert np.linalg.norm(res.direction) == pytest.approx(1.0, abs=1e-14)
    assert m.min() == pytest.approx(1.0, rel=1e-9)            # primal feasibility, tight
    assert np.all(res.dual >= 0)                                # dual feasibility
    assert np.all(np.abs(res.dual * (m - 1)) <= 1e-9 * res.dual.sum() + 1e-300)  # compl. slack.
    np.testing.assert_allclose(A.T @ res.dual, res.w_hat, rtol=1e-9,
                               atol=1e-9 * np.linalg.norm(res.w_hat))  # stationarity
    assert res.gamma == pytest.approx(1 / np.linalg.norm(res.w_hat), rel=1e-12)
    assert res.gamma == pytest.approx(ib.margin(X, y, res.direction), rel=1e-12)
    # strong duality: 1/2||w||^2 = sum(lam) - 1/2||A^T lam||^2 -> ||w||^2 = sum(lam)
    assert res.dual.sum() == pytest.approx(np.linalg.norm(res.w_hat) ** 2, rel=1e-9)


@pytest.mark.parametrize("name,make", DATASETS)
def test_max_margin_agrees_with_independent_method(name, make):
    X, y = make()
    res = ib.max_margin(X, y)
    u, gamma = independent_max_margin(X, y)
    assert res.gamma == pytest.approx(gamma, rel=1e-8)
    np.testing.assert_allclose(res.direction, u, atol=1e-8)


def test_max_margin_beats_random_directions():
    X, y = ib.planted_data(100, 4, margin=0.05, seed=11)
    res = ib.max_margin(X, y)
    U = np.random.default_rng(0).standard_normal((20000, 4))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    best = ((y[:, None] * X) @ U.T).min(axis=0).max()
    assert best <= res.gamma + 1e-12


@pytest.mark.parametrize("X,y", [
    (np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([1.0, -1.0])),       # same point, both labels
    (np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([1.0, 1.0])),      # needs a bias
    (np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], float), np.array([1, 1, -1, -1.0])),  # XOR
])
def test_max_margin_rejects_non_separable_data(X, y):
    with pytest.raises(ValueError, match="not linearly separable through the origin"):
        ib.max_margin(X, y)
