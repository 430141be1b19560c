"""2XOR: data, the closed-form ReLU NTK against Monte Carlo and quadrature, the kernel
predictor, the four-ReLU witness and its optimality certificate, and the bisection."""
import itertools

import numpy as np
import pytest

import ibias_lib as ib


def cube(d):
    """Every point of {+-1/sqrt d}^d with its 2XOR label."""
    S = np.array(list(itertools.product([-1.0, 1.0], repeat=d)))
    return S / np.sqrt(d), S[:, 0] * S[:, 1]


def relu(z):
    return np.maximum(z, 0.0)


def test_xor_data_distribution():
    X, y = ib.xor_data(4000, 6, seed=1)
    assert X.shape == (4000, 6) and y.shape == (4000,)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0)
    np.testing.assert_allclose(y, 6 * X[:, 0] * X[:, 1], atol=1e-14)
    assert set(np.unique(y)) == {-1.0, 1.0}
    assert set(np.unique(np.round(X * np.sqrt(6)))) == {-1.0, 1.0}
    assert abs(y.mean()) < 0.05 and np.all(np.abs(X.mean(axis=0)) < 0.03)   # balanced, centered
    X2, y2 = ib.xor_data(4000, 6, seed=1)
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(X, ib.xor_data(4000, 6, seed=2)[0])


@pytest.mark.parametrize("kwargs,match", [(dict(n=0, d=3), "n must"), (dict(n=5, d=1), "d must"),
                                          (dict(n=2.5, d=3), "n must")])
def test_xor_data_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ib.xor_data(kwargs["n"], kwargs["d"])


def test_relu_ntk_matches_monte_carlo_tangent_kernel():
    """Independent reference: the empirical tangent kernel of f = m^{-1/2} sum a relu(w.x),
    both layers, at a Gaussian initialization of width 400000."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 3))
    X[1] = -X[0]                                       # include u = -1
    X[2] = 2.5 * X[0]                                  # and u = +1 at another norm
    m = 400_000
    W = rng.standard_normal((m, 3))
    a = rng.standard_normal(m)
    Z = X @ W.T                                        # (5, m)
    outer = relu(Z) @ relu(Z).T / m                    # d f / d a
    inner = (X @ X.T) * (((Z > 0) * a) @ ((Z > 0) * a).T) / m   # d f / d w
    K_mc = outer + inner
    K = ib.relu_ntk(X)
    scale = np.sqrt(np.outer(np.diag(K), np.diag(K)))
    np.testing.assert_allclose(K, K_mc, atol=0.01 * scale.max())


def test_relu_ntk_matches_quadrature_and_reference_formula():
    """The unit-vector formula of the chapter, against a 2D angular quadrature of the
    expectations (w's component in span(x, z) is rotation invariant)."""
    phi = np.linspace(0, 2 * np.pi, 400_001)[:-1]
    V = np.stack([np.cos(phi), np.sin(phi)], axis=1)
    for u in [-1.0, -0.7, -0.2, 0.0, 0.3, 0.9, 1.0]:
        x = np.array([1.0, 0.0])
        z = np.array([u, np.sqrt(1 - u * u)])
        # E over w ~ N(0, I_2): radial part E|g|^2 = 2 for relu*relu, angle uniform.
        e_rr = 2.0 * np.mean(relu(V @ x) * relu(V @ z))
        e_ii = np.mean((V @ x > 0) & (V @ z > 0))
        quad = e_rr + u * e_ii
        formula = (u * (np.pi - np.arccos(u)) + np.sqrt(1 - u * u)
                   + (np.pi - np.arccos(u)) * u) / (2 * np.pi)
        K = ib.relu_ntk(x[None, :], z[None, :])[0, 0]
        assert K == pytest.approx(formula, abs=1e-12)
        assert K == pytest.approx(quad, abs=2e-5)


def test_relu_ntk_properties():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 4))
    K = ib.relu_ntk(X)
    np.testing.assert_allclose(K, K.T, atol=1e-14)
    assert np.linalg.eigvalsh(K).min() > -1e-10                  # positive semidefinite
    # 1-homogeneous; near u = 1 the sqrt(1 - u^2) term turns rounding of u into ~1e-8 errors
    np.testing.assert_allclose(ib.relu_ntk(3.0 * X, X), 3.0 * K, rtol=1e-7)
    np.testing.assert_allclose(np.diag(K), np.sum(X * X, axis=1), rtol=1e-12)  # K(x,x) = |x|^2
    assert np.all(ib.relu_ntk(np.zeros((1, 4)), X) == 0)
    with pytest.raises(ValueError, match="same number of features"):
        ib.relu_ntk(X, X[:, :3])


def test_ntk_predict_interpolates_and_matches_direct_solve():
    X, y = ib.xor_data(60, 8, seed=4)
    X_test, _ = ib.xor_data(50, 8, seed=5)
    Xu = np.unique(X, axis=0)                        # distinct points: K is invertible
    yu = np.sign(Xu[:, 0] * Xu[:, 1])
    f_train = ib.ntk_predict(Xu, yu, Xu, ridge=1e-12)
    np.testing.assert_allclose(f_train, yu, atol=1e-6)
    K = ib.relu_ntk(Xu)
    alpha = np.linalg.lstsq(K, yu, rcond=None)[0]
    np.testing.assert_allclose(ib.ntk_predict(Xu, yu, X_test, ridge=1e-12),
                               ib.relu_ntk(X_test, Xu) @ alpha, atol=1e-6)
    # repeated points (sampling with replacement) are handled by the ridge
    assert np.all(np.isfinite(ib.ntk_predict(X, y, X_test)))


def test_four_relu_witness_function_norm_and_margin():
    d = 5
    X, y = cube(d)
    W1, W2 = ib.four_relu_witness(d)
    assert W1.shape == (4, d) and W2.shape == (1, 4)
    assert np.sum(W1 ** 2) + np.sum(W2 ** 2) == pytest.approx(1.0, abs=1e-14)
    F = relu(X @ W1.T) @ W2[0]
    target = (np.abs(X[:, 0] + X[:, 1]) - np.abs(X[:, 0] - X[:, 1])) / (8 * np.sqrt(2))
    np.testing.assert_allclose(F, target, atol=1e-15)
    np.testing.assert_allclose(y * F, 1 / np.sqrt(32 * d), rtol=1e-12)   # every point
    assert ib.witness_margin(d) == pytest.approx(1 / np.sqrt(32 * d))
    assert ib.network_margin([W1, W2], X, y) == pytest.approx(1 / np.sqrt(32 * d), rel=1e-12)
    # balanced layers: |a_j| = |w_j|
    np.testing.assert_allclose(np.abs(W2[0]), np.linalg.norm(W1, axis=1))


@pytest.mark.parametrize("d", [3, 4, 6])
def test_witness_certificate_on_the_whole_cube(d):
    """Proposition prop-xor-witness: with q uniform on the cube, max_v |E[y relu(v.x)]| is
    1/(2 sqrt(2d)), so no network beats 1/sqrt(32 d). Checked by dense random search over v
    plus local refinement, and equality at v = (e1 + e2)/sqrt 2."""
    X, y = cube(d)
    rng = np.random.default_rng(d)
    V = rng.standard_normal((200_000, d))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    G = np.abs(relu(V @ X.T) @ y) / len(y)
    bound = 1 / (2 * np.sqrt(2 * d))
    assert G.max() <= bound * (1 + 1e-12)
    v = np.zeros(d)
    v[:2] = 1 / np.sqrt(2)
    assert abs(relu(X @ v) @ y) / len(y) == pytest.approx(bound, rel=1e-12)
    # local refinement of the best random directions cannot exceed the bound either
    for v0 in V[np.argsort(G)[-5:]]:
        w = v0.copy()
        for _ in range(300):
            w = w + 0.5 * rng.standard_normal(d) * 0.01
            w /= np.linalg.norm(w)
            assert abs(relu(X @ w) @ y) / len(y) <= bound * (1 + 1e-12)


def test_relevant_mass():
    assert ib.relevant_mass(ib.four_relu_witness(7)) == pytest.approx(1.0)
    p = ib.init_network(np.random.default_rng(0), (40, 2000, 1), scale=0.1)
    assert ib.relevant_mass(p) == pytest.approx(2 / 40, rel=0.1)
    with pytest.raises(ValueError, match="zero"):
        ib.relevant_mass([np.zeros((3, 4)), np.ones((1, 3))])


def test_smallest_n_bisection():
    r = ib.smallest_n(lambda n: 1.0 / n, 2, 100, target=0.1)
    assert r.n == 10 and r.evaluated[10] <= 0.1 and r.evaluated[9] > 0.1
    # a step function: exact crossing found within the iteration budget
    r = ib.smallest_n(lambda n: 0.5 if n < 337 else 0.0, 10, 5000, target=0.1, max_iter=20)
    assert r.n == 337
    # coarse budget: still a valid crossing of the target inside the bracket
    r = ib.smallest_n(lambda n: 0.5 if n < 337 else 0.0, 10, 5000, target=0.1, max_iter=3)
    assert r.n >= 337 and r.evaluated[r.n] <= 0.1
    with pytest.raises(ValueError, match="does not straddle"):
        ib.smallest_n(lambda n: 0.0, 2, 100)
    with pytest.raises(ValueError, match="does not straddle"):
        ib.smallest_n(lambda n: 1.0, 2, 100)


def test_xor_test_error_and_sample_complexity_small():
    # the kernel with n = d^2 on d = 8 is nearly perfect, with n = 8 it is near chance
    assert ib.xor_test_error(64, 8, method="ntk", seeds=(0,), n_test=500) < 0.05
    assert ib.xor_test_error(8, 8, method="ntk", seeds=(0,), n_test=500) > 0.25
    # a trained network on n = 8 d points generalizes
    assert ib.xor_test_error(64, 8, method="net", seeds=(0,), n_test=500) < 0.05
    r = ib.sample_complexity(8, method="ntk", seeds=(0, 1), n_test=500)
    assert 8 <= r.n <= 64 and r.evaluated[r.n] <= 0.1
    with pytest.raises(ValueError, match="method must be"):
        ib.xor_test_error(10, 4, method="svm")


# ------------------------------------------------------------- stacked networks and curves

def random_stack(r=3, m=5, d=4, n=7, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    W = scale * rng.standard_normal((r, m, d))
    a = scale * rng.standard_normal((r, m))
    X = rng.standard_normal((r, n, d))
    y = rng.choice([-1.0, 1.0], size=(r, n))
    return W, a, X, y


def test_stacked_forward_matches_a_loop_over_networks():
    W, a, X, _ = random_stack()
    Xs = np.random.default_rng(9).standard_normal((11, 4))
    F = ib.xor.stacked_forward(W, a, Xs)
    assert F.shape == (3, 11)
    for r in range(3):
        np.testing.assert_allclose(F[r], ib.forward([W[r], a[r][None]], Xs), rtol=1e-13,
                                   atol=1e-13)


def test_stacked_risk_and_gradient_match_network_risk_grad():
    """Independent reference: ibias_lib.networks (log-domain, softmax-weighted backprop)."""
    W, a, X, y = random_stack()
    risk, gW, ga = ib.xor.stacked_risk_grad(W, a, X, y)
    for r in range(3):
        log_r, (g1, g2) = ib.network_risk_grad([W[r], a[r][None]], X[r], y[r], loss="logistic")
        assert risk[r] == pytest.approx(np.exp(log_r), rel=1e-12)
        np.testing.assert_allclose(gW[r], g1, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(ga[r], g2[0], rtol=1e-10, atol=1e-14)


def test_stacked_risk_gradient_against_finite_differences():
    W, a, X, y = random_stack(seed=1)
    _, gW, ga = ib.xor.stacked_risk_grad(W, a, X, y)
    h = 1e-4
    rng = np.random.default_rng(2)
    for _ in range(12):                        # fourth-order central differences
        r, j, k = rng.integers(3), rng.integers(5), rng.integers(4)
        def f(t, which):
            W2, a2 = W.copy(), a.copy()
            if which == "W":
                W2[r, j, k] += t
            else:
                a2[r, j] += t
            return ib.xor.stacked_risk_grad(W2, a2, X, y)[0][r]
        for which, g in (("W", gW[r, j, k]), ("a", ga[r, j])):
            fd = (-f(2 * h, which) + 8 * f(h, which) - 8 * f(-h, which) + f(-2 * h, which)) \
                / (12 * h)
            assert fd == pytest.approx(g, rel=1e-6, abs=1e-9)


def test_stacked_risk_grad_is_finite_at_huge_margins():
    W, a, X, y = random_stack(seed=3, scale=1e4)          # |y F| up to ~1e9
    risk, gW, ga = ib.xor.stacked_risk_grad(W, a, X, y)
    assert np.all(np.isfinite(risk)) and np.all(np.isfinite(gW)) and np.all(np.isfinite(ga))
    m = y * np.stack([ib.forward([W[r], a[r][None]], X[r]) for r in range(3)])
    assert np.abs(m).max() > 1e8
    # the misclassified points dominate: risk ~ mean of max(0, -m)
    np.testing.assert_allclose(risk, np.mean(np.maximum(-m, 0), axis=1), rtol=1e-6)


def test_stacked_margin_matches_network_margin_and_is_scale_free():
    W, a, X, y = random_stack(seed=4)
    g = ib.xor.stacked_margin(W, a, X, y)
    for r in range(3):
        assert g[r] == pytest.approx(ib.network_margin([W[r], a[r][None]], X[r], y[r]),
                                     rel=1e-12)
    np.testing.assert_allclose(ib.xor.stacked_margin(1e150 * W, 1e150 * a, X, y), g, rtol=1e-12)
    np.testing.assert_allclose(ib.xor.stacked_margin(1e-150 * W, 1e-150 * a, X, y), g,
                               rtol=1e-12)
    W1, W2 = ib.four_relu_witness(6)
    Xc, yc = cube(6)
    assert ib.xor.stacked_margin(W1[None], W2, Xc[None], yc[None])[0] == \
        pytest.approx(ib.witness_margin(6), rel=1e-12)
    assert np.isnan(ib.xor.stacked_margin(0 * W, 0 * a, X, y)).all()


def test_train_xor_nets_is_train_network_with_logistic_loss():
    """One training set: the stack must reproduce ibias_lib.train_network from the same
    initialization, an independent implementation of full-batch GD."""
    X, y = ib.xor_data(40, 6, seed=0)
    W, a = ib.xor.train_xor_nets(X[None], y[None], width=7, scale=0.3, step=2.0, n_steps=30,
                                 seed=(5, 6))
    p0 = ib.init_network(np.random.default_rng((5, 6)), (6, 7, 1), scale=0.3)
    tr = ib.train_network(X, y, p0, loss="logistic", step=2.0, n_steps=30,
                          record_at=np.array([30]))
    p = tr.params()
    np.testing.assert_allclose(W[0], p[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(a[0], p[1][0], rtol=1e-9, atol=1e-12)
    W0, a0 = ib.xor.train_xor_nets(X[None], y[None], width=7, scale=0.3, n_steps=0, seed=(5, 6))
    np.testing.assert_array_equal(W0[0], p0[0])


def test_train_xor_nets_decreases_the_risk_of_every_network():
    Xs = np.stack([ib.xor_data(64, 8, seed=s)[0] for s in range(3)])
    ys = np.stack([ib.xor_data(64, 8, seed=s)[1] for s in range(3)])
    risks = [ib.xor.stacked_risk_grad(*ib.xor.train_xor_nets(Xs, ys, n_steps=t, seed=1),
                                      Xs, ys)[0] for t in (0, 10, 100, 250)]
    assert np.all(np.diff(np.stack(risks), axis=0) < 0)
    assert np.all(risks[-1] < 0.05)                       # and separates the data
    W, a = ib.xor.train_xor_nets(Xs, ys, seed=1)
    assert np.all(ib.xor.stacked_margin(W, a, Xs, ys) > 0)


@pytest.mark.parametrize("call,match", [
    (lambda: ib.xor.train_xor_nets(np.zeros((5, 3)), np.ones(5)), "shape \\(r, n, d\\)"),
    (lambda: ib.xor.train_xor_nets(np.zeros((1, 5, 3)), np.array([[0, 1, 0, 1, 1.0]])),
     "only -1 and \\+1"),
    (lambda: ib.xor.train_xor_nets(np.zeros((1, 2, 3)), np.ones((1, 2)), step=-1), "step"),
    (lambda: ib.xor.train_xor_nets(np.zeros((1, 2, 3)), np.ones((1, 2)), width=0), "width"),
    (lambda: ib.xor.stacked_forward(np.zeros((2, 3, 4)), np.zeros(3), np.zeros((5, 4))),
     "a of shape \\(r, m\\)"),
    (lambda: ib.xor.stacked_forward(np.zeros((2, 3, 4)), np.zeros((2, 3)), np.zeros((5, 3))),
     "d = 4"),
    (lambda: ib.xor.stacked_margin(np.zeros((2, 3, 4)), np.zeros((2, 3)), np.zeros((1, 5, 4)),
                                   np.ones((1, 5))), "2 networks"),
    (lambda: ib.xor.crossing([10, 5, 20], np.zeros(3), 0.1), "increasing"),
    (lambda: ib.xor.crossing([1, 2, 3], np.zeros(4), 0.1), "len\\(ns\\)"),
    (lambda: ib.xor.net_error_curve(4, [8, 8], [0]), "increasing"),
    (lambda: ib.xor.ntk_error_curve(4, [8, 16], []), "at least one"),
])
def test_bad_inputs_raise_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_crossing_on_known_curves():
    ns = np.array([10, 20, 40, 80, 160])
    # linear in log n: e = 0.5 - 0.1 log2(n / 10); crosses 0.25 at n = 10 * 2^2.5 exactly
    e = 0.5 - 0.1 * np.log2(ns / 10)
    assert float(ib.xor.crossing(ns, e, 0.25)) == pytest.approx(10 * 2 ** 2.5, rel=1e-12)
    assert float(ib.xor.crossing(ns, e, 0.4)) == pytest.approx(20, rel=1e-12)   # on a node
    assert np.isnan(ib.xor.crossing(ns, e, 0.6))          # below already at the first size
    assert np.isnan(ib.xor.crossing(ns, e, 0.0))          # never reached on the grid
    # the first crossing of a non-monotone curve; broadcasting over leading axes
    E = np.stack([e, [0.5, 0.2, 0.4, 0.1, 0.0]])
    c = ib.xor.crossing(ns, E[None], 0.3)
    assert c.shape == (1, 2)
    assert c[0, 1] == pytest.approx(10 * 2 ** (2 / 3), rel=1e-12)


def test_ntk_error_curve_matches_direct_kernel_fits():
    """The shared Cholesky factor over nested prefixes against ntk_predict on each prefix."""
    d, ns, seeds = 6, [5, 12, 30], [3, 4]
    errs = ib.xor.ntk_error_curve(d, ns, seeds, n_test=300)
    X_test, y_test = ib.xor_data(300, d, seed=12345)
    for s, seed in enumerate(seeds):
        X, y = ib.xor_data(max(ns), d, seed=seed)
        for k, n in enumerate(ns):
            pred = ib.ntk_predict(X[:n], y[:n], X_test)
            assert errs[s, k] == pytest.approx(np.mean(np.sign(pred) != y_test), abs=1 / 300)


def test_net_error_curve_matches_train_network():
    d, ns = 6, [12, 48]
    c = ib.xor.net_error_curve(d, ns, [7], n_test=400, width=8, step=4.0, n_steps=60)
    X, y = ib.xor_data(max(ns), d, seed=7)
    X_test, y_test = ib.xor_data(400, d, seed=12345)
    for k, n in enumerate(ns):
        p0 = ib.init_network(np.random.default_rng((7, d, n)), (d, 8, 1), scale=0.1)
        p = ib.train_network(X[:n], y[:n], p0, loss="logistic", step=4.0, n_steps=60,
                             record_at=np.array([60])).params()
        err = np.mean(np.sign(ib.forward(p, X_test)) != y_test)
        assert c.errors[0, k] == pytest.approx(err, abs=1e-12)
        assert c.margins[0, k] == pytest.approx(ib.network_margin(p, X[:n], y[:n]), rel=1e-8)


# ------------------------------------------------- the claims' statistics on synthetic curves

from ibias_lib import claims as _claims                      # noqa: E402
from ibias_lib.experiments import xor as xor_exp            # noqa: E402


def synthetic_curves(n_star, *, reps=4, seed=0, rho=lambda d: 0.8 + 0 * d,
                     ds=(8, 12, 16, 24, 32, 48), d_eps=16, eps_power=1.0):
    """Curves whose mean error crosses eps = 0.1 at n_star(d) (both methods alike), linear in
    log n near the crossing, with replicate noise; error ~ (n*/n)^(1/eps_power) * 0.1 so that
    n*(eps) ~ eps^(-eps_power)."""
    rng = np.random.default_rng(seed)
    ds = np.array(ds)
    ns_list, err_list, rho_list = [], [], []
    for d in ds:
        ns = np.unique(np.rint(np.geomspace(1, 2 * n_star(d) * 5 ** eps_power, 60)).astype(int))
        ns = np.union1d(ns, [xor_exp.C_FIXED * d, 6 * d, 10 * d])
        jitter = np.exp(0.05 * rng.standard_normal((reps, 1)))
        e = np.clip(0.1 * (jitter * n_star(d) / ns[None, :]) ** (1 / eps_power), 0, 0.5)
        ns_list.append(ns)
        err_list.append(e)
        rho_list.append(rho(d) * np.exp(0.05 * rng.standard_normal((reps, len(ns)))))
    return xor_exp.Curves(ds, ns_list, err_list, rho_list, ns_list, err_list, d_eps)


def verdicts(curves):
    res = xor_exp.summarize(curves, seed=0)
    return {k: c.passed for k, c in _claims.evaluate(xor_exp.SCALING, res).items()}, res


def test_collapse_checks_pass_the_right_scaling_and_fail_the_wrong_one():
    v, res = verdicts(synthetic_curves(lambda d: 4.0 * d))          # n* = c d
    assert res.net.slope == pytest.approx(0.0, abs=0.03)
    assert v["xor.net_collapse"] and v["xor.net_flat_below"]
    assert not v["xor.ntk_collapse"]                                  # c d fails the kernel's
    v, res = verdicts(synthetic_curves(lambda d: 0.45 * d ** 2))     # n* = c d^2
    assert res.ntk.slope == pytest.approx(0.0, abs=0.03)
    assert v["xor.ntk_collapse"] and v["xor.ntk_flat"]
    assert not v["xor.net_collapse"]                                  # c d^2 fails the net's
    v, _ = verdicts(synthetic_curves(lambda d: 0.05 * d ** 3))       # faster than d^2
    assert not v["xor.ntk_flat"]


def test_eps_checks_fail_a_one_over_eps_squared_growth():
    v, res = verdicts(synthetic_curves(lambda d: 4.0 * d, eps_power=0.4))
    assert res.eps_net.slope == pytest.approx(0.4, abs=0.05)
    assert v["xor.net_eps_slope"] and v["xor.ntk_eps_slope"]
    v, res = verdicts(synthetic_curves(lambda d: 4.0 * d, eps_power=2.0))
    assert res.eps_net.slope == pytest.approx(2.0, abs=0.1)
    assert not v["xor.net_eps_slope"] and not v["xor.ntk_eps_slope"]


def test_error_at_8d_and_margin_checks_on_synthetic_curves():
    v, _ = verdicts(synthetic_curves(lambda d: 4.0 * d))     # learns before 8d: kernel claims fail
    assert v["xor.net_error_at_8d"]
    assert not v["xor.ntk_error_at_8d"] and not v["xor.ntk_error_rises"]
    v, _ = verdicts(synthetic_curves(lambda d: 0.45 * d ** 2))
    assert v["xor.ntk_error_at_8d"] and v["xor.ntk_error_rises"]
    assert not v["xor.net_error_at_8d"]
    v, _ = verdicts(synthetic_curves(lambda d: 4.0 * d, rho=lambda d: 0.8 + 0 * d))
    assert v["xor.margin_ratio"]
    v, _ = verdicts(synthetic_curves(lambda d: 4.0 * d, rho=lambda d: 2.0 / np.sqrt(d)))
    assert not v["xor.margin_ratio"]                          # a margin ~ 1/d fails
    v, _ = verdicts(synthetic_curves(lambda d: 4.0 * d, rho=lambda d: -0.1 + 0 * d))
    assert not v["xor.margin_ratio"]                          # data not separated


@pytest.mark.parametrize("d", [4, 6, 8])
def test_rkhs_norm_of_the_target_bound(d):
    """Proposition prop-xor-margin-rates: on the cube chi_12 = d x1 x2 is an eigenfunction of
    the NTK, K chi = N lambda chi, with lambda >= 2 c_2 / d^2, c_2 = 3/(4 pi) (the u^2
    coefficient of K(u)); so ||d x1 x2||_H^2 = 1/lambda <= 2 pi d^2 / 3."""
    X, y = cube(d)
    K = ib.relu_ntk(X)
    lam = y @ K @ y / len(y) ** 2
    np.testing.assert_allclose(K @ y, len(y) * lam * y, rtol=1e-10, atol=1e-12)
    assert lam >= 2 * (3 / (4 * np.pi)) / d ** 2
    assert 1 / lam <= 2 * np.pi * d ** 2 / 3
    u = np.linspace(-1e-3, 1e-3, 5)                        # c_2 from the closed form
    coef = np.polyfit(u, ib.relu_ntk(np.array([[1.0, 0.0]]),
                                     np.stack([u, np.sqrt(1 - u * u)], axis=1))[0], 4)
    assert coef[-3] == pytest.approx(3 / (4 * np.pi), rel=1e-5)
