"""Networks: gradients against finite differences, homogeneity, log-domain finiteness, KKT."""
import numpy as np
import pytest

import ibias_lib as ib
from helpers import fd_gradient

ACTS = ["relu", "relu2", "linear", "silu", "gelu"]


def naive_risk(params, X, y, loss, activation):
    """An independent forward pass and risk, written out with plain loops over layers."""
    sig = {"relu": lambda z: np.maximum(z, 0), "relu2": lambda z: np.maximum(z, 0) ** 2,
           "linear": lambda z: z, "silu": lambda z: z / (1 + np.exp(-z)),
           "gelu": lambda z: z * 0.5 * (1 + np.vectorize(__import__("math").erf)(z / np.sqrt(2)))}
    f = []
    for x in X:
        h = x
        for W in params[:-1]:
            h = sig[activation](W @ h)
        f.append((params[-1] @ h)[0])
    m = y * np.array(f)
    return np.mean(np.exp(-m)) if loss == "exp" else np.mean(np.log1p(np.exp(-m)))


def small_problem(seed=0, sizes=(4, 6, 5, 1), scale=0.5, n=25):
    X, y = ib.planted_data(n, sizes[0], margin=0.1, seed=seed)
    params = ib.init_network(np.random.default_rng(seed), sizes, scale=scale)
    return X, y, params


def min_abs_preactivation(params, X):
    h, out = X, np.inf
    for W in params[:-1]:
        z = h @ W.T
        out = min(out, np.abs(z).min())
        h = np.maximum(z, 0)
    return out


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_gradient_matches_fourth_order_differences(activation, loss):
    # Away from ReLU kinks: the first seed whose pre-activations all exceed 1e-2 in absolute
    # value, so that the FD steps (at most 2e-4 per weight) cannot cross a kink.
    problems = (small_problem(s, n=10) for s in range(100))
    X, y, params = next(p for p in problems if min_abs_preactivation(p[2], p[0]) > 1e-2)
    sizes = ib.network_sizes(params)
    theta = ib.flatten(params)
    fd = fd_gradient(lambda t: naive_risk(ib.unflatten(t, sizes), X, y, loss, activation), theta)
    log_r, grads = ib.network_risk_grad(params, X, y, loss=loss, activation=activation)
    np.testing.assert_allclose(np.concatenate([g.ravel() for g in grads]), fd,
                               rtol=1e-6, atol=1e-9)
    assert log_r == pytest.approx(np.log(naive_risk(params, X, y, loss, activation)), rel=1e-12)
    _, rel = ib.network_risk_grad(params, X, y, loss=loss, activation=activation, relative=True)
    for g, gr in zip(grads, rel):
        np.testing.assert_allclose(gr, g / np.exp(log_r), rtol=1e-12)
    assert [g.shape for g in grads] == [W.shape for W in params]


@pytest.mark.parametrize("activation,L,degree",
                         [("relu", 2, 2), ("relu", 3, 3), ("linear", 4, 4), ("relu2", 2, 3),
                          ("relu2", 3, 7)])
def test_homogeneity(activation, L, degree):
    sizes = (3,) + (5,) * (L - 1) + (1,)
    X, y = ib.planted_data(20, 3, margin=0.1, seed=2)
    params = ib.init_network(np.random.default_rng(2), sizes, scale=0.7)
    assert ib.homogeneity_degree(L, activation) == degree
    f = ib.forward(params, X, activation=activation)
    for c in [0.01, 0.5, 3.0, 40.0]:
        fc = ib.forward([c * W for W in params], X, activation=activation)
        np.testing.assert_allclose(fc, c ** degree * f, rtol=1e-10, atol=1e-300)
    # Euler's identity <theta, grad F> = degree * F, on the risk gradient of the exp loss:
    # grad R = -(1/n) sum_i e^{-m_i} y_i grad F_i, so <theta, grad R> = -(deg/n) sum e^{-m_i} m_i.
    log_r, grads = ib.network_risk_grad(params, X, y, activation=activation)
    m = y * f
    lhs = sum((W * g).sum() for W, g in zip(params, grads))
    assert lhs == pytest.approx(-degree * np.mean(np.exp(-m) * m), rel=1e-9)


def test_silu_gelu_are_not_homogeneous_but_approach_relu():
    X, y, params = small_problem(seed=3, sizes=(4, 6, 1))
    f = ib.forward(params, X, activation="silu")
    f2 = ib.forward([2 * W for W in params], X, activation="silu")
    assert np.max(np.abs(f2 - 4 * f)) > 1e-3
    # At a large scale both tend to the ReLU network (degree 2).
    c = 1e4
    for act in ["silu", "gelu"]:
        big = ib.forward([c * W for W in params], X, activation=act) / c ** 2
        np.testing.assert_allclose(big, ib.forward(params, X, activation="relu"), atol=1e-3)
    assert ib.homogeneity_degree(2, "silu") == 2


@pytest.mark.parametrize("activation", ["relu", "relu2", "linear", "silu", "gelu"])
def test_finite_at_huge_scales(activation):
    X, y, params = small_problem(seed=4, sizes=(4, 6, 1))
    tr0 = ib.train_network(X, y, params, activation=activation, step=0.5, n_steps=300,
                           num_records=3)
    big = [1e6 * W for W in tr0.params()]      # margins ~ 1e12 (1e18 for relu2): R = e^{-1e12}
    log_r, grads = ib.network_risk_grad(big, X, y, activation=activation)
    assert np.isfinite(log_r) and log_r < -1e6
    assert all(np.all(np.isfinite(g)) for g in grads)
    _, rel = ib.network_risk_grad(big, X, y, activation=activation, relative=True)
    assert all(np.all(np.isfinite(g)) for g in rel) and any(np.any(g != 0) for g in rel)
    # Normalized steps eta/R: grad log R has the size of grad F, ||theta||^(degree - 1), so the
    # step is scaled down to move theta by about 1e-3 of its norm.
    deg = ib.homogeneity_degree(2, activation)
    tr = ib.train_network(X, y, big, activation=activation, normalized=True,
                          step=1e-3 * (1e6 * tr0.norm[-1]) ** (2 - deg), n_steps=50,
                          num_records=5)
    for arr in (tr.theta, tr.log_risk, tr.margin, tr.smoothed_margin, tr.norm, tr.alignment):
        assert np.all(np.isfinite(arr))
    assert np.all(tr.norm > 1e6 * 0.5 * tr0.norm[-1])


def test_trace_metrics_match_direct_computation():
    X, y, params = small_problem(seed=5, sizes=(4, 8, 1))
    tr = ib.train_network(X, y, params, step=0.5, n_steps=500, record_at=np.array([0, 10, 500]))
    np.testing.assert_array_equal(tr.theta[0], ib.flatten(params))
    with pytest.raises(ValueError):
        tr.margin[0] = 1.0
    p = tr.params(-1)
    theta = ib.flatten(p)
    m = ib.network_margins(p, X, y)
    nrm = np.linalg.norm(theta)
    assert tr.norm[-1] == pytest.approx(nrm, rel=1e-12)
    assert tr.margin[-1] == pytest.approx(m.min() / nrm ** 2, rel=1e-10)
    assert tr.margin[-1] == pytest.approx(ib.network_margin(p, X, y), rel=1e-10)
    assert tr.smoothed_margin[-1] == pytest.approx(-np.log(np.exp(-m).sum()) / nrm ** 2,
                                                   rel=1e-10)
    assert tr.log_risk[-1] == pytest.approx(np.log(np.mean(np.exp(-m))), rel=1e-12)
    _, g = ib.network_risk_grad(p, X, y)
    g = ib.flatten(g)
    assert tr.alignment[-1] == pytest.approx(-(theta @ g) / (nrm * np.linalg.norm(g)), rel=1e-10)
    np.testing.assert_allclose(tr.layer_fro[-1], [np.linalg.norm(W) for W in p], rtol=1e-12)
    np.testing.assert_allclose(tr.layer_spec[-1],
                               [np.linalg.svd(W, compute_uv=False)[0] for W in p], rtol=1e-10)
    # the sandwich smoothed <= margin <= smoothed + ln n / ||theta||^2
    assert tr.smoothed_margin[-1] <= tr.margin[-1] <= \
        tr.smoothed_margin[-1] + np.log(len(y)) / nrm ** 2 + 1e-15


def test_train_steps_are_gradient_steps():
    X, y, params = small_problem(seed=6, sizes=(4, 5, 3, 1))
    for normalized in (False, True):
        tr = ib.train_network(X, y, params, activation="silu", loss="logistic", step=0.3,
                              n_steps=3, normalized=normalized, record_at=np.array([3]))
        p = [W.copy() for W in params]
        for _ in range(3):
            log_r, g = ib.network_risk_grad(p, X, y, activation="silu", loss="logistic")
            c = 0.3 / np.exp(log_r) if normalized else 0.3
            p = [W - c * gw for W, gw in zip(p, g)]
        np.testing.assert_allclose(tr.theta[-1], ib.flatten(p), rtol=1e-12)
    np.testing.assert_array_equal(params[0], small_problem(seed=6, sizes=(4, 5, 3, 1))[2][0])


def test_flatten_unflatten_roundtrip_and_sizes():
    params = ib.init_network(np.random.default_rng(0), (3, 4, 2), scale=1.0)
    assert ib.network_sizes(params) == (3, 4, 2, 1)
    theta = ib.flatten(params)
    assert theta.size == 3 * 4 + 4 * 2 + 2
    for W, V in zip(params, ib.unflatten(theta, (3, 4, 2, 1))):
        np.testing.assert_array_equal(W, V)
    assert np.std(ib.flatten(ib.init_network(np.random.default_rng(1), (50, 50, 1),
                                             scale=0.3))) == pytest.approx(0.3, rel=0.05)
    np.testing.assert_allclose(ib.layer_product(params),
                               (params[2] @ params[1] @ params[0])[0], rtol=1e-14)


# ---------------------------------------------------------------- KKT

def svm_deep_linear(X, y, L, width, seed=0):
    """A balanced rank-one deep linear network whose product is the SVM direction."""
    rng = np.random.default_rng(seed)
    u = ib.max_margin(X, y).direction
    vs = [u] + [v / np.linalg.norm(v) for v in rng.standard_normal((L - 1, width))] + [np.ones(1)]
    return [np.outer(vs[j + 1], vs[j]) for j in range(L)]


@pytest.mark.parametrize("L", [1, 2, 3])
def test_kkt_residual_vanishes_at_the_svm_deep_linear_net(L):
    X, y = ib.planted_data(40, 5, margin=0.1, seed=7)
    params = svm_deep_linear(X, y, L, 4)
    res = ib.kkt_conditions([3.0 * W for W in params], X, y, activation="linear")
    assert res.residual < 1e-8
    # An independent check against the SVM's dual weights. At theta~ (margin 1, balanced,
    # W_j = s v_j v_(j-1)^T with s = ||w_hat||^(1/L)), the W_1 block of
    # theta~ = sum_i lam_i y_i grad F_i reads s v_1 u^T = s^(L-1) v_1 (sum_i lam_i y_i x_i)^T,
    # so sum_i lam_i y_i x_i = s^(2-2L) w_hat: lam = dual * ||w_hat||^(2/L - 2). With the
    # active set restricted to the exact support the multipliers are unique.
    res = ib.kkt_conditions([3.0 * W for W in params], X, y, activation="linear", tol=1e-9)
    svm = ib.max_margin(X, y)
    np.testing.assert_array_equal(np.sort(svm.support), res.active)
    lam_ref = svm.dual * np.linalg.norm(svm.w_hat) ** (2.0 / L - 2.0)
    np.testing.assert_allclose(res.multipliers, lam_ref, atol=1e-6 * lam_ref.max())
    assert abs(res.complementarity) < 1e-8


def test_kkt_residual_vanishes_at_the_two_relu_svm_net():
    """relu(u.x) - relu(-u.x) = u.x, balanced: a KKT point on data symmetric under x -> -x."""
    X, y = ib.soudry_data(6, seed=0)
    u = ib.max_margin(X, y).direction
    params = [np.vstack([u, -u]), np.array([[1.0, -1.0]])]
    assert ib.kkt_residual(params, X, y, activation="relu") < 1e-8


def test_kkt_residual_detects_non_kkt_points():
    X, y = ib.planted_data(40, 5, margin=0.1, seed=7)
    params = svm_deep_linear(X, y, 2, 4)
    u = ib.layer_product(params)
    # Tilt the first layer: still separating, but not the max-margin direction.
    v = np.random.default_rng(0).standard_normal(5)
    v -= (v @ u) * u
    tilted = [params[0] + 0.03 * np.outer(params[1][0], v / np.linalg.norm(v)), params[1]]
    assert ib.network_margin(tilted, X, y, activation="linear") > 0
    assert ib.kkt_residual(tilted, X, y, activation="linear") > 0.5
    # Unbalanced layers with the right product are not KKT either.
    unbalanced = [2.0 * params[0], 0.5 * params[1]]
    assert ib.kkt_residual(unbalanced, X, y, activation="linear") > 0.1


# ---------------------------------------------------------------- input checks

def test_input_checks():
    X, y, params = small_problem()
    with pytest.raises(ValueError, match="activation must be one of"):
        ib.forward(params, X, activation="tanh")
    with pytest.raises(ValueError, match="columns but X has"):
        ib.forward(params, X[:, :3])
    with pytest.raises(ValueError, match="needs 6 columns"):
        ib.forward([params[0], params[1][:, :2], params[2]], X)
    with pytest.raises(ValueError, match="one row"):
        ib.forward(params[:2], X)
    with pytest.raises(ValueError, match="list of weight matrices"):
        ib.forward(np.zeros((3, 3)), X)
    with pytest.raises(ValueError, match="Generator"):
        ib.init_network(0, (3, 1))
    with pytest.raises(ValueError, match="positive integers"):
        ib.init_network(np.random.default_rng(0), (3, 0, 1))
    with pytest.raises(ValueError, match="shape"):
        ib.unflatten(np.zeros(5), (3, 2, 1))
    with pytest.raises(ValueError, match="only -1 and \\+1"):
        ib.network_risk_grad(params, X, (y + 1) / 2)
    with pytest.raises(ValueError, match="loss must be"):
        ib.train_network(X, y, params, loss="hinge")
    with pytest.raises(ValueError, match="does not separate"):
        ib.kkt_residual([-W if j == 0 else W for j, W in enumerate(svm_deep_linear(X, y, 2, 3))],
                        X, y, activation="linear")
    with pytest.raises(ValueError, match="homogeneous"):
        ib.kkt_residual(params, X, y, activation="silu")
    with pytest.raises(ValueError, match="finite"):
        ib.forward([np.full((2, 4), np.nan), np.ones((1, 2))], X)


def test_layer_alignment_and_balance():
    X, y = ib.planted_data(40, 5, margin=0.1, seed=7)
    params = svm_deep_linear(X, y, 3, 4)
    ratios, adjacent = ib.layer_alignment([2.0 * W for W in params])
    np.testing.assert_allclose(ratios, 1.0, rtol=1e-12)
    np.testing.assert_allclose(adjacent, 1.0, rtol=1e-12)
    assert all(np.abs(D).max() < 1e-12 for D in ib.layer_balance(params))   # balanced
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3, 4))
    s = np.linalg.svd(W, compute_uv=False)
    r, _ = ib.layer_alignment([W, np.ones((1, 3))])
    assert r[0] == pytest.approx(s[0] / np.sqrt((s ** 2).sum()), rel=1e-12)


@pytest.mark.parametrize("activation", ["linear", "relu"])
def test_one_gradient_step_changes_the_balance_by_eta_squared_terms(activation):
    """D_j(t+1) - D_j(t) = eta^2 (G_{j+1}^T G_{j+1} - G_j G_j^T) for linear nets; for ReLU nets
    the same holds for the diagonal (per-neuron) entries."""
    X, y, params = small_problem(seed=8, sizes=(4, 6, 5, 1))
    eta = 0.3
    _, G = ib.network_risk_grad(params, X, y, activation=activation)
    new = [W - eta * g for W, g in zip(params, G)]
    for j, (D0, D1) in enumerate(zip(ib.layer_balance(params), ib.layer_balance(new))):
        pred = D0 + eta ** 2 * (G[j + 1].T @ G[j + 1] - G[j] @ G[j].T)
        if activation == "linear":
            np.testing.assert_allclose(D1, pred, rtol=1e-10, atol=1e-14)
        else:
            np.testing.assert_allclose(np.diag(D1), np.diag(pred), rtol=1e-10, atol=1e-14)
            assert np.abs(D1 - D0).max() > 1e-3      # off-diagonal entries are not conserved
