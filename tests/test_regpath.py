"""The regularization path: KKT conditions, two independent solvers (scipy's SLSQP and a 1D
search on the circle), finite differences, huge radii, and GD's risk sandwich."""
import numpy as np
import pytest
from scipy.optimize import minimize, minimize_scalar

import ibias_lib as ib
from ibias_lib import regpath as rp

from helpers import fd_gradient


def _risk(A, w, loss):
    m = A @ w
    return (np.exp(-m) if loss == "exp" else np.logaddexp(0, -m)).mean()


def _grad(A, w, loss):
    m = A @ w
    d = -np.exp(-m) if loss == "exp" else -1 / (1 + np.exp(m))
    return (d @ A) / len(m)


@pytest.fixture
def sep():
    return ib.planted_data(40, 5, margin=0.1, seed=1)


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_kkt_on_separable_data(sep, loss):
    X, y = sep
    A = y[:, None] * X
    radii = np.array([0.05, 0.7, 3.0, 12.0, 40.0])
    path = ib.regularization_path(X, y, radii, loss=loss)
    for B, w, log_lam in zip(radii, path.w, path.log_lam):
        g = _grad(A, w, loss)
        assert abs(np.linalg.norm(w) / B - 1) < 1e-13           # the constraint is active
        assert ib.angle(-g, w) < 1e-7                            # -grad R = lambda w ...
        lam = np.linalg.norm(g) / B
        assert np.isfinite(log_lam) and abs(log_lam - np.log(lam)) < 1e-6   # ... lambda > 0
    # The path risk decreases with the radius, and is the risk at w.
    assert np.all(np.diff(path.log_risk) < 0)
    assert np.allclose(path.log_risk, [np.log(_risk(A, w, loss)) for w in path.w], rtol=1e-12)


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_against_slsqp(sep, loss):
    X, y = sep
    A = y[:, None] * X
    for B in (0.5, 4.0, 15.0):
        p = ib.constrained_minimizer(X, y, B, loss=loss)
        w0 = np.full(X.shape[1], B / np.sqrt(X.shape[1]) / 2)
        ref = minimize(lambda w: _risk(A, w, loss), w0, jac=lambda w: _grad(A, w, loss),
                       method="SLSQP",
                       constraints=[{"type": "ineq", "fun": lambda w: B ** 2 - w @ w,
                                     "jac": lambda w: -2 * w}],
                       options={"ftol": 1e-15, "maxiter": 1000})
        assert _risk(A, p.w, loss) <= ref.fun * (1 + 1e-9)
        assert np.linalg.norm(p.w - ref.x) < 1e-4 * max(1.0, B)


def test_against_search_on_the_circle():
    X, y = ib.planted_data(40, 2, margin=0.1, seed=0)
    A = y[:, None] * X
    for B in (0.3, 5.0, 30.0):
        p = ib.constrained_minimizer(X, y, B, loss="logistic")
        f = lambda th: _risk(A, B * np.array([np.cos(th), np.sin(th)]), "logistic")
        grid = np.linspace(-np.pi, np.pi, 4001)
        th0 = grid[np.argmin([f(t) for t in grid])]
        res = minimize_scalar(f, bounds=(th0 - 0.002, th0 + 0.002), method="bounded",
                              options={"xatol": 1e-12})
        w_ref = B * np.array([np.cos(res.x), np.sin(res.x)])
        assert ib.angle(p.w, w_ref) < 1e-6
        assert _risk(A, p.w, "logistic") <= res.fun * (1 + 1e-12)


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_penalized_minimizer_is_stationary(sep, loss):
    X, y = sep
    A = y[:, None] * X
    lam = 1e-3
    w = ib.penalized_minimizer(X, y, lam, loss=loss)
    obj = lambda v: _risk(A, v, loss) + 0.5 * lam * v @ v
    assert np.linalg.norm(fd_gradient(obj, w, h=1e-3)) < 1e-9
    assert np.linalg.norm(_grad(A, w, loss) + lam * w) < 1e-12


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_internal_derivatives_by_finite_differences(sep, loss):
    X, y = sep
    A = y[:, None] * X
    w = np.random.default_rng(0).standard_normal(X.shape[1])
    L0 = -1.3
    f = lambda v: rp._scaled_parts(A, v, loss, L0)[0]
    _, g, H = rp._scaled_parts(A, w, loss, L0)
    assert np.allclose(f(w), _risk(A, w, loss) * np.exp(-L0), rtol=1e-13)
    assert np.allclose(fd_gradient(f, w), g, atol=1e-9)
    H_fd = np.array([fd_gradient(lambda v: rp._scaled_parts(A, v, loss, L0)[1][j], w)
                     for j in range(X.shape[1])])
    assert np.allclose(H_fd, H, atol=1e-8)


def test_huge_radius_is_finite_and_near_max_margin(sep):
    X, y = sep
    svm = ib.max_margin(X, y)
    path = ib.regularization_path(X, y, [1e2, 1e3, 1e4], loss="exp")
    assert np.all(np.isfinite(path.w)) and np.all(np.isfinite(path.log_lam))
    assert path.log_risk[-1] < -800                        # R itself underflows to 0 here
    assert np.allclose(np.linalg.norm(path.w, axis=1), [1e2, 1e3, 1e4], rtol=1e-12)
    angles = ib.angle(path.w, svm.direction)
    assert np.all(np.diff(angles) < 0) and angles[-1] < 1e-3


def test_attained_minimum_gives_the_unconstrained_minimizer():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3)) / 3
    y = rng.choice([-1.0, 1.0], size=60)                   # random labels: R has a minimizer
    A = y[:, None] * X
    ref = minimize(lambda w: _risk(A, w, "logistic"), np.zeros(3),
                   jac=lambda w: _grad(A, w, "logistic"), method="BFGS",
                   options={"gtol": 1e-12})
    big = 10 * np.linalg.norm(ref.x)
    small = 0.5 * np.linalg.norm(ref.x)
    path = ib.regularization_path(X, y, [small, big], loss="logistic")
    assert path.log_lam[1] == -np.inf and np.linalg.norm(path.w[1] - ref.x) < 1e-6
    assert np.isfinite(path.log_lam[0]) and abs(np.linalg.norm(path.w[0]) / small - 1) < 1e-12


def test_gd_risk_sandwich_and_path_radius(sep):
    X, y = sep
    tr = ib.gd(X, y, loss="logistic", step=1.0, n_steps=3000, num_records=12)
    cmp = ib.compare_to_path(X, y, tr)
    A = y[:, None] * X
    norms = tr.norm[tr.norm > 0]
    assert np.allclose(cmp.path.radii, norms, rtol=1e-14)
    # R(w-bar(||w_t||)) <= R(w_t) <= R(w-bar(||w_t||/2)): B_t in [||w_t||/2, ||w_t||].
    assert np.all(cmp.path_radius <= norms * (1 + 1e-12))
    assert np.all(cmp.path_radius >= norms / 2)
    for B, w_gd in zip(cmp.path_radius[::4], tr.w[tr.norm > 0][::4]):
        p = ib.constrained_minimizer(X, y, B, loss="logistic")
        assert abs(np.log(_risk(A, p.w, "logistic")) - np.log(_risk(A, w_gd, "logistic"))) < 1e-9
    assert np.allclose(cmp.angle, ib.angle(tr.w[tr.norm > 0], cmp.path.w))
    assert np.allclose(cmp.distance, np.linalg.norm(tr.w[tr.norm > 0] - cmp.path.w, axis=1))


def test_path_radius_public(sep):
    X, y = sep
    A = y[:, None] * X
    p = ib.constrained_minimizer(X, y, 2.0)
    r = ib.path_radius(X, y, p.log_risk, 5.0)
    assert abs(r - 2.0) < 1e-9
    assert ib.path_radius(X, y, -1e3, 5.0) == 5.0            # unreachable risk: the maximum


def test_angle_is_accurate_for_tiny_angles():
    for eps in (1e-3, 1e-8, 1e-12):
        u = np.array([1.0, 0.0, 0.0])
        v = np.array([np.cos(eps), np.sin(eps), 0.0]) * 7.0
        assert abs(ib.angle(u, v) / eps - 1) < 1e-9
    assert abs(ib.angle([1.0, 0.0], [-1.0, 1e-9]) - (np.pi - 1e-9)) < 1e-15
    assert ib.angle([2.0, 2.0], [1.0, 1.0]) == 0.0


def test_input_checks(sep):
    X, y = sep
    with pytest.raises(ValueError, match="radii must be positive"):
        ib.regularization_path(X, y, [1.0, -2.0])
    with pytest.raises(ValueError, match="radii must be positive"):
        ib.constrained_minimizer(X, y, np.inf)
    with pytest.raises(ValueError, match="lam must be a positive"):
        ib.penalized_minimizer(X, y, 0.0)
    with pytest.raises(ValueError, match="loss must be one of"):
        ib.regularization_path(X, y, [1.0], loss="squared")
    tr = ib.gd(X[:, :3], y, n_steps=10)
    with pytest.raises(ValueError, match="trace.w must have shape"):
        ib.compare_to_path(X, y, tr)
