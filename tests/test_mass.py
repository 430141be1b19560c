"""Mass over directions: measures as networks, the planar margin LP and its exact dual bound,
the wedge construction's KKT points, and the dynamics that select them."""
import numpy as np
import pytest
from scipy.optimize import minimize

import ibias_lib as ib
from ibias_lib import mass as ib_mass


def relu(z):
    return np.maximum(z, 0.0)


def net(params, X):
    W1, W2 = params
    return relu(X @ W1.T) @ W2[0]


def test_wedge_data():
    X, y = ib.wedge_data(65)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0)
    np.testing.assert_array_equal(y, [1, 1, -1])
    assert ib.max_margin(X, y).gamma == pytest.approx(np.cos(np.deg2rad(65)), rel=1e-9)
    for bad in (0, 90, -5, "a"):
        with pytest.raises(ValueError, match="degrees"):
            ib.wedge_data(bad)


def test_measure_network_is_balanced_unit_norm_and_computes_the_measure():
    rng = np.random.default_rng(0)
    ang = rng.uniform(-180, 180, 7)
    c = rng.standard_normal(7)
    p = ib.measure_network(ang, c)
    W1, W2 = p
    assert np.sum(W1 ** 2) + np.sum(W2 ** 2) == pytest.approx(1.0, abs=1e-14)
    np.testing.assert_allclose(np.abs(W2[0]), np.linalg.norm(W1, axis=1))
    X = rng.standard_normal((20, 2))
    V = np.stack([np.cos(np.deg2rad(ang)), np.sin(np.deg2rad(ang))], axis=1)
    expected = relu(X @ V.T) @ (c / (2 * np.abs(c).sum()))
    np.testing.assert_allclose(net(p, X), expected, atol=1e-14)
    np.testing.assert_allclose(ib.forward(p, X), expected, atol=1e-14)
    with pytest.raises(ValueError, match="all zero"):
        ib.measure_network([0, 1], [0, 0])
    with pytest.raises(ValueError, match="same length"):
        ib.measure_network([0, 1], [1])


@pytest.mark.parametrize("alpha", [50, 55, 59, 61, 65, 80])
def test_wedge_kkt_points(alpha):
    X, y = ib.wedge_data(alpha)
    kkt = ib.wedge_kkt_points(alpha)
    ca = np.cos(np.deg2rad(alpha))
    # closed-form margins (proposition prop-mass-wedge), all three points tight
    m_single = y * net(kkt["single"], X)
    m_two = y * net(kkt["two"], X)
    np.testing.assert_allclose(m_single, ca / (2 * (1 + ca)), rtol=1e-12)
    np.testing.assert_allclose(m_two, 1 / 6, rtol=1e-12)
    # KKT: solve theta = sum lambda_i y_i grad F(x_i) exactly, with the multipliers of the
    # chapter's exercise, at margin 1 (an independent check of ib.kkt_residual's verdict)
    for name, params in kkt.items():
        gamma = m_single.min() if name == "single" else m_two.min()
        W1, W2 = [W / np.sqrt(gamma) for W in params]          # margin 1
        lam = (np.array([1, 1, 2 * ca]) / (2 * ca) if name == "single"
               else np.ones(3))
        Z = X @ W1.T
        gW1 = ((Z > 0) * W2[0])[:, :, None] * X[:, None, :]   # d F / d W1, (n, m, 2)
        gW2 = relu(Z)                                          # d F / d W2, (n, m)
        np.testing.assert_allclose(np.einsum("i,ijk->jk", lam * y, gW1), W1, atol=1e-12)
        np.testing.assert_allclose((lam * y) @ gW2, W2[0], atol=1e-12)
        assert lam.sum() == pytest.approx((np.sum(W1 ** 2) + np.sum(W2 ** 2)) / 2, rel=1e-12)
        assert ib.kkt_residual(params, X, y) < 1e-10
    with pytest.raises(ValueError, match="between 45"):
        ib.wedge_kkt_points(40)


@pytest.mark.parametrize("alpha", [50, 55, 60, 65, 75])
def test_measure_max_margin_on_wedge(alpha):
    X, y = ib.wedge_data(alpha)
    r = ib.measure_max_margin(X, y)
    ca = np.cos(np.deg2rad(alpha))
    expected = max(ca / (2 * (1 + ca)), 1 / 6)
    assert r.gamma == pytest.approx(expected, abs=1e-9)
    assert r.gamma - 1e-12 <= r.upper <= r.gamma + 1e-5
    assert np.abs(r.weights).sum() == pytest.approx(1.0, abs=1e-9)
    assert r.dual.sum() == pytest.approx(1.0) and np.all(r.dual >= 0)
    # the returned network attains the LP value
    assert (y * net(r.network, X)).min() == pytest.approx(r.gamma, abs=1e-9)


def test_dual_bound_is_exact_against_a_dense_grid():
    rng = np.random.default_rng(1)
    for _ in range(10):
        X = rng.standard_normal((6, 2))
        y = np.where(rng.random(6) < 0.5, -1.0, 1.0)
        q = rng.random(6)
        bound = ib.dual_margin_bound(X, y, q)
        phi = np.linspace(-180, 180, 2_000_001)
        g = np.abs(ib.dual_potential(X, y, phi, q / q.sum()))
        # refine around the coarse maximizer (the max may sit at a kink, where a grid
        # converges only linearly in the spacing)
        fine = np.linspace(phi[g.argmax()] - 1e-3, phi[g.argmax()] + 1e-3, 200_001)
        dense = 0.5 * max(g.max(), np.abs(ib.dual_potential(X, y, fine, q / q.sum())).max())
        assert dense <= bound + 1e-12
        assert bound - dense < 1e-10                    # attained


def test_weak_duality_random_networks_never_beat_the_lp():
    """Random networks of every width stay below the certified upper bound, and local
    optimization of width-6 networks from random starts gets close to it but not above."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((8, 2))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = np.sign(X @ np.array([1.0, 0.3]))
    r = ib.measure_max_margin(X, y)
    for m in (1, 3, 10, 50):
        for _ in range(50):
            p = [rng.standard_normal((m, 2)), rng.standard_normal((1, m))]
            nrm2 = np.sum(p[0] ** 2) + np.sum(p[1] ** 2)
            assert (y * net(p, X)).min() / nrm2 <= r.upper + 1e-12

    def neg_smooth_margin(th):         # smoothed normalized margin of a width-6 network
        p = [th[:12].reshape(6, 2), th[12:].reshape(1, 6)]
        nrm2 = th @ th
        m = y * net(p, X) / nrm2
        return np.log(np.sum(np.exp(-200 * m))) / 200

    best = -np.inf
    for _ in range(4):
        res = minimize(neg_smooth_margin, rng.standard_normal(18), method="BFGS")
        th = res.x
        p = [th[:12].reshape(6, 2), th[12:].reshape(1, 6)]
        best = max(best, (y * net(p, X)).min() / (th @ th))
    assert best <= r.upper + 1e-12
    assert best >= 0.5 * r.gamma


def test_neuron_mass_and_histogram():
    p = ib.measure_network([10, -100, 180], [0.5, -0.3, 0.2])
    nm = ib.neuron_mass(p)
    np.testing.assert_allclose(nm.angle, [10, -100, 180], atol=1e-12)
    np.testing.assert_allclose(nm.mass, np.array([0.5, 0.3, 0.2]) / 2, atol=1e-14)
    np.testing.assert_array_equal(nm.sign, [1, -1, 1])
    theta = ib.flatten(p)
    edges, frac = ib.mass_over_directions(np.vstack([theta, 2 * theta]), (2, 3, 1), bins=36)
    assert frac.shape == (2, 36) and edges.shape == (37,)
    np.testing.assert_allclose(frac[0], frac[1])           # scale invariant
    assert np.abs(frac[0]).sum() == pytest.approx(1.0)
    centers = (edges[:-1] + edges[1:]) / 2
    assert frac[0][np.argmin(np.abs(centers - 10))] == pytest.approx(0.5)
    assert frac[0][np.argmin(np.abs(centers + 100))] == pytest.approx(-0.3)
    assert frac[0][np.argmin(np.abs(np.abs(centers) - 180))] == pytest.approx(0.2)
    with pytest.raises(ValueError, match="two-layer network on planar inputs"):
        ib.neuron_mass([np.ones((3, 4)), np.ones((1, 3))])


def test_dual_potential_matches_direct_sum_and_validates():
    X, y = ib.wedge_data(65)
    phi = np.array([0.0, 65.0, -65.0, 180.0, 100.0])
    V = np.stack([np.cos(np.deg2rad(phi)), np.sin(np.deg2rad(phi))], axis=1)
    np.testing.assert_allclose(ib.dual_potential(X, y, phi), relu(V @ X.T) @ y / 3)
    np.testing.assert_allclose(ib.dual_potential(X, y, [0.0, 65.0]),
                               [2 / 3 * np.cos(np.deg2rad(65)), 1 / 3])
    with pytest.raises(ValueError, match="2 features"):
        ib.dual_potential(np.ones((3, 3)), y, [0.0])
    with pytest.raises(ValueError, match="shape"):
        ib.dual_potential(X, y, [0.0], q=np.ones(2))
    with pytest.raises(ValueError, match="nonnegative"):
        ib.dual_margin_bound(X, y, np.array([1.0, -1.0, 1.0]))


@pytest.mark.parametrize("alpha,good", [(65, "two"), (55, "single")])
def test_gradient_descent_from_small_init_selects_the_good_kkt_point(alpha, good):
    X, y = ib.wedge_data(alpha)
    p0 = ib.init_network(np.random.default_rng(0), (2, 20, 1), scale=1e-10)
    tr = ib.train_network(X, y, p0, step=0.5, n_steps=8000, record_at=np.array([8000]))
    kkt = ib.wedge_kkt_points(alpha)
    target = ib.network_margin(kkt[good], X, y)
    other = ib.network_margin(kkt["single" if good == "two" else "two"], X, y)
    assert abs(tr.margin[-1] - target) < abs(tr.margin[-1] - other)
    assert tr.margin[-1] <= ib.measure_max_margin(X, y).upper + 1e-12
    nm = ib.neuron_mass(tr.params())
    pos = nm.sign > 0
    at_e1 = nm.mass[pos & (np.abs(nm.angle) < 5)].sum() / nm.mass[pos].sum()
    assert (at_e1 > 0.9) if good == "single" else (at_e1 < 0.1)


# --- the skewed wedge -------------------------------------------------------------------

def test_skewed_wedge_data_reduces_to_the_wedge_and_validates():
    X, y = ib_mass.skewed_wedge_data(65, -65, 1.0)
    Xw, yw = ib.wedge_data(65)
    np.testing.assert_allclose(X, Xw, atol=1e-15)
    np.testing.assert_array_equal(y, yw)
    X, y = ib_mass.skewed_wedge_data(60.5, -58.5, 0.6)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), [1.0, 0.6, 1.0])
    with pytest.raises(ValueError, match="r must be in"):
        ib_mass.skewed_wedge_data(60, -60, 1.5)
    with pytest.raises(ValueError, match="degrees"):
        ib_mass.skewed_wedge_data(60, 10, 0.5)
    with pytest.raises(ValueError, match="angle between"):
        ib_mass.skewed_wedge_kkt_points(40, -40, 0.5)


@pytest.mark.parametrize("a1,a2,r", [(60.5, -60.5, 0.6), (60.5, -58.5, 0.6), (70, -55, 0.4),
                                     (50, -50, 0.9)])
def test_skewed_wedge_kkt_points(a1, a2, r):
    X, y = ib_mass.skewed_wedge_data(a1, a2, r)
    kkt = ib_mass.skewed_wedge_kkt_points(a1, a2, r)
    m_two = y * net(kkt["two"], X)
    np.testing.assert_allclose(m_two, r / (2 * (1 + 2 * r)), rtol=1e-12)    # all tight
    m_single = y * net(kkt["single"], X)
    np.testing.assert_allclose(m_single, m_single[0], rtol=1e-12)           # all tight
    # independent check of the single point: the best single positive atom, by a dense grid
    # over its angle, with the optimal split of mass against the negative atom at 180 degrees
    th = np.deg2rad(np.linspace(a2, a1, 400_001))
    V = np.stack([np.cos(th), np.sin(th)], axis=1)
    g = np.min(relu(V @ X[:2].T), axis=1)
    th = th[g.argmax()] + np.linspace(-1e-4, 1e-4, 200_001)   # refine: the max is at a kink
    V = np.stack([np.cos(th), np.sin(th)], axis=1)
    e = np.min(relu(V @ X[:2].T), axis=1).max()          # best positive margin per unit mass
    assert m_single[0] == pytest.approx(e / (2 * (1 + e)), rel=1e-9)
    for params in kkt.values():
        assert ib.kkt_residual(params, X, y) < 1e-10


@pytest.mark.parametrize("r", [0.4, 0.6, 0.8, 1.0])
def test_skewed_wedge_optimum_switches_at_120_degrees_for_every_r(r):
    two = r / (2 * (1 + 2 * r))
    for phi in (117, 119, 121, 125):                      # atoms on the 0.1-degree grid
        X, y = ib_mass.skewed_wedge_data(60.5, 60.5 - phi, r)
        lp = ib.measure_max_margin(X, y, num_directions=3600)
        if phi > 120:
            assert lp.gamma == pytest.approx(two, abs=1e-9)
        else:
            assert lp.gamma > two + 1e-5


def test_pattern_share_and_activation_patterns():
    X, y = ib_mass.skewed_wedge_data()
    p = ib.measure_network([60.5, -60.5, 0.0, 180.0], [0.3, 0.2, 0.1, -0.4])
    A = ib_mass.activation_patterns(p, X)
    np.testing.assert_array_equal(A, [[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    # masses |w_j|^2 are proportional to |c_j|: positive mass 0.6, of which 0.5 on {x1}, {x2}
    assert ib_mass.pattern_share(p, X, [{0}, {1}]) == pytest.approx(0.5 / 0.6)
    assert ib_mass.pattern_share(p, X, [{0, 1}]) == pytest.approx(0.1 / 0.6)
    assert ib_mass.pattern_share(p, X, [{2}], sign=-1) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="no neuron of outer sign"):
        ib_mass.pattern_share(ib.measure_network([0.0], [1.0]), X, [{0}], sign=-1)
    with pytest.raises(ValueError, match="two-layer"):
        ib_mass.activation_patterns([np.ones((1, 2))], X)


def test_direction_margin():
    X, y = ib_mass.skewed_wedge_data()
    kkt = ib_mass.skewed_wedge_kkt_points()
    lp = ib.measure_max_margin(X, y, num_directions=3600)
    for name, params in kkt.items():       # at a KKT point re-balancing changes nothing
        assert ib_mass.direction_margin(params, X, y) == pytest.approx(
            ib.network_margin(params, X, y), abs=1e-9)
    # badly balanced weights at the two-ReLU directions: re-balancing recovers the optimum
    p = ib.measure_network([60.5, -60.5, 180.0], [1.0, 1.0, -3.0])
    assert ib.network_margin(p, X, y) < lp.gamma - 0.01
    assert ib_mass.direction_margin(p, X, y) == pytest.approx(lp.gamma, abs=1e-9)
    # random directions never beat the certificate
    rng = np.random.default_rng(3)
    for _ in range(20):
        q = ib.measure_network(rng.uniform(-180, 180, 6), rng.standard_normal(6))
        assert ib_mass.direction_margin(q, X, y) <= lp.upper + 1e-12
