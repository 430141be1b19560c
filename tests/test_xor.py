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
