"""ibias_lib.kkt: loss-scaled GD against finite differences and its own invariants, the
(eps, delta)-KKT measure on hand-built KKT and non-KKT points, polished points against an
independent KKT check, log-domain finiteness, and input errors."""
import numpy as np
import pytest
from scipy.optimize import nnls

import ibias_lib as ib
from ibias_lib import kkt
from helpers import fd_gradient

HOMOGENEOUS = ["relu", "relu2", "linear"]


def naive_margins(theta, X, y, sizes, activation):
    """y_i F(x_i; theta) with a plain loop over points and layers (independent of the library)."""
    sig = {"relu": lambda z: np.maximum(z, 0), "relu2": lambda z: np.maximum(z, 0) ** 2,
           "linear": lambda z: z}[activation]
    Ws, k = [], 0
    for a, b in zip(sizes[:-1], sizes[1:]):
        Ws.append(theta[k:k + a * b].reshape(b, a))
        k += a * b
    out = []
    for x, yi in zip(X, y):
        h = x
        for W in Ws[:-1]:
            h = sig(W @ h)
        out.append(yi * (Ws[-1] @ h)[0])
    return np.array(out)


def naive_log_risk(theta, X, y, sizes, activation):
    return np.log(np.mean(np.logaddexp(0.0, -naive_margins(theta, X, y, sizes, activation))))


def fd_jacobian(theta, X, y, sizes, activation):
    return np.array([fd_gradient(lambda t, i=i: naive_margins(t, X, y, sizes, activation)[i],
                                 theta) for i in range(len(y))])


def away_from_kinks(seed_range, n=12, d=3, width=5, scale=0.7):
    """First (X, y, params) whose pre-activations all exceed 1e-2 in absolute value."""
    for s in seed_range:
        X, y = ib.planted_data(n, d, margin=0.1, seed=s)
        p = ib.init_network(np.random.default_rng(s), (d, width, 1), scale=scale)
        if np.abs(X @ p[0].T).min() > 1e-2:
            return X, y, p
    raise AssertionError("no problem away from the kinks")


def jittered_xor(n, d, seed):
    X, y = ib.xor_data(n, d, seed=seed)
    return X + 0.1 / np.sqrt(d) * np.random.default_rng(seed + 1).standard_normal(X.shape), y


def symmetric_kkt_net(c, a):
    """Two neurons (c e1, a) and (-c e1, -a) on the data {(e1, +1), (-e1, -1)}."""
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    y = np.array([1.0, -1.0])
    return X, y, [np.array([[c, 0.0], [-c, 0.0]]), np.array([[a, -a]])]


# ---------------------------------------------------------------- loss-scaled GD

@pytest.mark.parametrize("activation", HOMOGENEOUS)
@pytest.mark.parametrize("log_power", [0.0, 2.0])
def test_one_step_is_minus_alpha_grad_log_risk_over_log_power(activation, log_power):
    X, y, p = away_from_kinks(range(100))
    sizes = ib.network_sizes(p)
    theta = ib.flatten(p)
    alpha = 1e-3
    tr = kkt.loss_scaled_gd(X, y, p, activation=activation, alpha=alpha, grow=1.0,
                            log_power=log_power, n_steps=1, record_at=[0, 1])
    g = fd_gradient(lambda t: naive_log_risk(t, X, y, sizes, activation), theta)
    lr = naive_log_risk(theta, X, y, sizes, activation)
    scale = max(1.0, -lr) ** log_power
    assert tr.rejected[-1] == 0
    np.testing.assert_allclose(tr.theta[1], theta - alpha * g / scale, rtol=1e-7, atol=1e-10)
    assert tr.log_risk[0] == pytest.approx(lr, rel=1e-12)
    # the recorded alignment is cos(theta, -grad R)
    assert tr.alignment[0] == pytest.approx(-(theta @ g) / np.linalg.norm(theta)
                                            / np.linalg.norm(g), rel=1e-7)


def test_log_power_divides_the_step_by_a_power_of_ln_one_over_risk():
    X, y = ib.planted_data(20, 3, margin=0.2, seed=0)
    w = 40 * ib.max_margin(X, y).direction                 # margins >= 8: ln(1/R) > 1
    sizes = (3, 1)
    lr = naive_log_risk(w, X, y, sizes, "linear")
    assert -lr > 2
    g = fd_gradient(lambda t: naive_log_risk(t, X, y, sizes, "linear"), w)
    for a in (0.0, 1.0, 7 / 3):
        tr = kkt.loss_scaled_gd(X, y, [w[None, :]], activation="linear", alpha=1e-3,
                                grow=1.0, log_power=a, n_steps=1, record_at=[1])
        np.testing.assert_allclose(tr.theta[0], w - 1e-3 * g / (-lr) ** a, rtol=1e-8)


def test_lemma_terms_of_a_single_step_after_the_burn_in():
    X, y = ib.xor_data(20, 4, seed=0)
    p0 = ib.init_network(np.random.default_rng(0), (4, 8, 1), scale=0.2)
    p = kkt.loss_scaled_gd(X, y, p0, activation="relu2", alpha_max=1.0, n_steps=100,
                           num_records=2).params()        # a point past the burn-in
    sizes = ib.network_sizes(p)
    k = 3
    tr = kkt.loss_scaled_gd(X, y, p, activation="relu2", alpha=1e-3, grow=1.0, n_steps=1,
                            record_at=[0, 1])
    assert tr.smoothed_margin[0] > 0
    th0, th1 = tr.theta
    g = fd_gradient(lambda t: naive_log_risk(t, X, y, sizes, "relu2"), th0)
    beta = -(th0 @ g) / (np.linalg.norm(th0) * np.linalg.norm(g))
    term = k * (beta ** -2 - 1) * np.log(np.linalg.norm(th1) / np.linalg.norm(th0))
    assert tr.lemma_sum[1] == pytest.approx(term, rel=1e-6)
    gap = term - np.log(tr.smoothed_margin[1] / tr.smoothed_margin[0])
    assert tr.lemma_gap[1] == pytest.approx(gap, rel=1e-6, abs=1e-15)
    assert tr.arc[1] == pytest.approx(kkt.angle(th0, th1), rel=1e-12)
    assert tr.lemma_sum[0] == 0 and tr.lemma_gap[0] == -np.inf


def test_trace_invariants_on_a_training_run():
    X, y = ib.xor_data(30, 5, seed=1)
    p0 = ib.init_network(np.random.default_rng(1), (5, 12, 1), scale=0.1)
    tr = kkt.loss_scaled_gd(X, y, p0, activation="relu2", alpha_max=10.0, log_power=3 - 2 / 3,
                            n_steps=400, num_records=25)
    assert np.all(np.diff(tr.log_risk) <= 0)               # rejected steps keep R monotone
    assert -tr.log_risk[-1] > 30
    after = np.flatnonzero(tr.smoothed_margin > 0)
    sm = tr.smoothed_margin[after]
    # the step-wise maximum drop bounds the drop between any two records
    rec_drop = np.max((sm[:-1] - sm[1:]) / sm[:-1])
    assert tr.max_drop[-1] >= rec_drop - 1e-15
    assert np.all(np.diff(tr.lemma_sum) >= 0)              # each term k (beta^-2 - 1) dlog rho
    # the path length of theta/|theta| is at least the angle between its ends
    for i, j in [(after[0], len(tr.steps) - 1), (after[len(after) // 2], len(tr.steps) - 1)]:
        assert tr.arc[j] - tr.arc[i] >= kkt.angle(tr.theta[i], tr.theta[j]) - 1e-12
    assert np.all(tr.smoothed_margin <= tr.margin + 1e-12)
    assert tr.degree == 3 and tr.params()[0].shape == (12, 5)


@pytest.mark.parametrize("activation", ["relu", "relu2"])
def test_loss_scaled_gd_is_finite_far_below_the_smallest_float(activation):
    X, y = ib.xor_data(30, 5, seed=0)
    p0 = ib.init_network(np.random.default_rng(0), (5, 12, 1), scale=0.1)
    tr0 = kkt.loss_scaled_gd(X, y, p0, activation=activation, alpha_max=10.0, n_steps=300,
                             num_records=3)
    big = [1e4 * W for W in tr0.params()]                  # margins ~1e8 to 1e12: R = e^-(...)
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # underflow to 0 is exact
        tr = kkt.loss_scaled_gd(X, y, big, activation=activation, alpha=1.0, n_steps=20,
                                num_records=5)
    for f in ("theta", "log_risk", "smoothed_margin", "alignment", "lemma_sum", "norm"):
        assert np.all(np.isfinite(getattr(tr, f))), f
    assert tr.log_risk[-1] < -1e6 and tr.log_risk[-1] < tr.log_risk[0]
    assert not np.array_equal(tr.theta[-1], ib.flatten(big))   # the steps still move theta


def test_loss_scaled_gd_rejects_bad_input():
    X, y = ib.xor_data(20, 4, seed=0)
    p0 = ib.init_network(np.random.default_rng(0), (4, 6, 1), scale=0.1)
    for kw, msg in [(dict(activation="silu"), "homogeneous activation"),
                    (dict(alpha=-1.0), "alpha"), (dict(shrink=1.0), "shrink must be > 1"),
                    (dict(grow=0.5), "grow must be"), (dict(log_power=-1), "log_power"),
                    (dict(alpha_max=0.0), "alpha_max"), (dict(n_steps=0), "n_steps"),
                    (dict(loss="hinge"), "loss must be")]:
        with pytest.raises(ValueError, match=msg):
            kkt.loss_scaled_gd(X, y, p0, **kw)
    with pytest.raises(ValueError, match="only -1 and \\+1|-1 and"):
        kkt.loss_scaled_gd(X, (y > 0).astype(float), p0)
    with pytest.raises(ValueError, match="W_1 has 4 columns"):
        kkt.loss_scaled_gd(X[:, :3], y, p0)


# ---------------------------------------------------------------- (eps, delta)-KKT measure

@pytest.mark.parametrize("activation,ratio", [("relu", 1.0), ("relu2", np.sqrt(2.0))])
@pytest.mark.parametrize("scale", [1.0, 1e3, 1e60])
def test_exact_kkt_point_has_eps_and_delta_zero(activation, ratio, scale):
    # theta is parallel to sum_i grad q_i iff c = a (ReLU) or c = sqrt(2) a (ReLU^2), and
    # both points are on the margin, so the equal loss weights are KKT multipliers.
    X, y, p = symmetric_kkt_net(ratio * scale, scale)
    a = kkt.approx_kkt(p, X, y, activation=activation, loss="logistic")
    assert a.eps == pytest.approx(0.0, abs=1e-12)
    assert a.delta == pytest.approx(0.0, abs=1e-12)
    assert a.beta == pytest.approx(1.0, abs=1e-12)
    assert np.min(ib.network_margins(ib.unflatten(a.theta, (2, 2, 1)), X, y,
                                     activation=activation)) == pytest.approx(1.0)
    k = ib.homogeneity_degree(2, activation)
    assert a.multipliers.sum() == pytest.approx(a.theta @ a.theta / k)   # Euler's identity


@pytest.mark.parametrize("activation,k", [("relu", 2), ("relu2", 3)])
def test_non_kkt_point_has_the_closed_form_eps(activation, k):
    # c = 2 a: grad q_1 = (w1: k_w a c^(k-2) e1, a1: c^(k-1)) is not parallel to theta.
    X, y, p = symmetric_kkt_net(2.0, 1.0)
    a = kkt.approx_kkt(p, X, y, activation=activation, loss="exp")
    theta = ib.flatten(p)
    g = fd_jacobian(theta, X, y, (2, 2, 1), activation).sum(axis=0)   # equal weights
    beta = theta @ g / (np.linalg.norm(theta) * np.linalg.norm(g))
    assert a.eps == pytest.approx(np.sqrt(1 - beta ** 2), rel=1e-7)
    assert a.eps > 0.1
    assert a.delta == pytest.approx(0.0, abs=1e-12)                 # both points active


@pytest.mark.parametrize("activation", ["relu", "relu2"])
@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_eps_delta_against_direct_computation_and_the_bound(activation, loss):
    X, y = jittered_xor(12, 4, seed=3)
    p = ib.init_network(np.random.default_rng(3), (4, 10, 1), scale=0.3)
    sizes = ib.network_sizes(p)
    # a separating point, not yet converged: train briefly
    tr = kkt.loss_scaled_gd(X, y, p, activation=activation, alpha_max=1.0, n_steps=60,
                            num_records=2)
    params = tr.params()
    a = kkt.approx_kkt(params, X, y, activation=activation, loss=loss)
    J = fd_jacobian(a.theta, X, y, sizes, activation)
    q = naive_margins(a.theta, X, y, sizes, activation)
    tn = np.linalg.norm(a.theta)
    assert q.min() == pytest.approx(1.0, rel=1e-10)
    assert a.eps == pytest.approx(np.linalg.norm(a.theta - J.T @ a.multipliers) / tn, rel=1e-6)
    assert a.delta == pytest.approx(a.multipliers @ (q - 1) / tn ** 2, rel=1e-9)
    assert np.all(a.multipliers >= 0)
    assert -1e-15 <= a.delta <= a.delta_bound
    k = ib.homogeneity_degree(2, activation)
    q_theta = naive_margins(ib.flatten(params), X, y, sizes, activation)
    c = 1.0 if loss == "exp" else 2.0
    assert a.delta_bound == pytest.approx(c * np.log(len(y)) / (k * q_theta.min()), rel=1e-9)


def test_scaling_a_kkt_direction_up_drives_eps_and_delta_to_zero():
    # linear SVM direction with a non-support point: its loss weight vanishes as the scale grows
    X = np.array([[1.0, 1.0], [1.0, -1.0], [3.0, 0.5]])
    y = np.ones(3)
    out = [kkt.approx_kkt([np.array([[s, 0.0]])], X, y, activation="linear", loss="exp")
           for s in (1.0, 10.0, 100.0, 1e6)]
    assert all(o.delta <= o.delta_bound for o in out)
    assert [o.delta for o in out] == sorted((o.delta for o in out), reverse=True)
    assert out[-1].eps < 1e-12 and out[-1].delta < 1e-12 and out[0].eps > 1e-3


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_approx_kkt_is_finite_and_scale_consistent_at_astronomical_scales(loss):
    X, y = jittered_xor(12, 4, seed=3)
    p = ib.init_network(np.random.default_rng(3), (4, 10, 1), scale=0.3)
    tr = kkt.loss_scaled_gd(X, y, p, activation="relu2", alpha_max=1.0, n_steps=60,
                            num_records=2)
    base = tr.params()
    # q ~ 1e3 (exact weights) up to q ~ 1e300 (weights from margin gaps): all finite, and
    # once the non-minimal weights vanish eps and delta no longer change with the scale
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = [kkt.approx_kkt([c * W for W in base], X, y, activation="relu2", loss=loss)
               for c in (1.0, 1e30, 1e60, 1e99)]
    for o in out:
        assert np.isfinite([o.eps, o.delta, o.beta, o.delta_bound]).all()
        assert np.allclose(np.min(naive_margins(o.theta, X, y, (4, 10, 1), "relu2")), 1.0)
    assert out[-1].delta_bound < 1e-200 < out[0].delta_bound
    assert out[-1].eps == pytest.approx(out[-2].eps, rel=1e-9)
    assert out[-1].delta == pytest.approx(out[-2].delta, rel=1e-6, abs=1e-300)


def test_approx_kkt_rejects_non_separating_and_non_homogeneous():
    X, y, p = symmetric_kkt_net(1.0, -1.0)                 # wrong sign: margins negative
    with pytest.raises(ValueError, match="does not separate"):
        kkt.approx_kkt(p, X, y, activation="relu")
    with pytest.raises(ValueError, match="does not separate"):
        kkt.approx_kkt([np.zeros((2, 2)), np.zeros((1, 2))], X, y, activation="relu")
    with pytest.raises(ValueError, match="homogeneous activation"):
        kkt.approx_kkt(symmetric_kkt_net(1.0, 1.0)[2], X, y, activation="gelu")


# ---------------------------------------------------------------- polishing and certificates

def _independent_kkt_check(theta, X, y, sizes, activation):
    """Feasibility, NNLS multipliers on the active set from finite-difference gradients,
    complementary slackness and Euler's identity, all without the library's Jacobian."""
    k = ib.homogeneity_degree(len(sizes) - 1, activation)
    q = naive_margins(theta, X, y, sizes, activation)
    active = np.flatnonzero(q <= 1 + 1e-5)
    J = fd_jacobian(theta, X, y, sizes, activation)
    lam, res = nnls(J[active].T, theta)
    return dict(min_q=q.min(), residual=res / np.linalg.norm(theta),
                euler=lam.sum() / (theta @ theta / k), n_active=len(active))


@pytest.mark.parametrize("seed", [0, 1])
def test_polished_relu2_point_satisfies_kkt_checked_independently(seed):
    X, y = jittered_xor(16, 4, seed=seed)
    p0 = ib.init_network(np.random.default_rng(seed), (4, 10, 1), scale=0.3)
    tr = kkt.loss_scaled_gd(X, y, p0, activation="relu2", alpha_max=5.0, log_power=7 / 3,
                            n_steps=400, num_records=2)
    pol = kkt.polish_kkt(tr.params(), X, y, activation="relu2")
    assert pol.success, pol.message
    chk = _independent_kkt_check(pol.theta, X, y, tr.sizes, "relu2")
    assert chk["min_q"] == pytest.approx(1.0, abs=1e-8)
    assert chk["residual"] < 1e-5
    assert chk["euler"] == pytest.approx(1.0, abs=1e-4)
    cert = kkt.kkt_certificate(pol.theta, X, y, tr.sizes, activation="relu2")
    assert cert.residual < 1e-5 and cert.infeasibility < 1e-8 and cert.euler_gap < 1e-4
    assert np.all(cert.multipliers >= 0)
    # the norm is no larger than the start's (the start is feasible after rescaling)
    assert np.linalg.norm(pol.theta) <= np.linalg.norm(pol.start) + 1e-9


def test_polish_keeps_an_exact_kkt_point_and_certificate_flags_a_non_kkt_point():
    X, y, p = symmetric_kkt_net(np.sqrt(2.0), 1.0)
    pol = kkt.polish_kkt(p, X, y, activation="relu2")
    assert kkt.angle(pol.theta, ib.flatten(p)) < 1e-6
    assert kkt.kkt_certificate(pol.theta, X, y, (2, 2, 1), activation="relu2").residual < 1e-6
    bad = ib.flatten(symmetric_kkt_net(2.0, 1.0)[2])
    bad = bad / naive_margins(bad, X, y, (2, 2, 1), "relu2").min() ** (1 / 3)
    cert = kkt.kkt_certificate(bad, X, y, (2, 2, 1), activation="relu2")
    indep = _independent_kkt_check(bad, X, y, (2, 2, 1), "relu2")
    assert cert.residual == pytest.approx(indep["residual"], rel=1e-5)
    assert cert.residual > 0.05 and cert.infeasibility == 0.0


def test_certificate_multipliers_rescale_to_the_given_theta():
    X, y, p = symmetric_kkt_net(2 * np.sqrt(2.0), 2.0)      # a KKT direction, margins 16
    theta = ib.flatten(p)
    cert = kkt.kkt_certificate(theta, X, y, (2, 2, 1), activation="relu2")
    J = fd_jacobian(theta, X, y, (2, 2, 1), "relu2")
    np.testing.assert_allclose(J.T @ cert.multipliers, theta, rtol=1e-7, atol=1e-9)
    assert cert.infeasibility == 0.0


def test_polish_rejects_bad_input():
    X, y, p = symmetric_kkt_net(1.0, -1.0)
    with pytest.raises(ValueError, match="does not separate"):
        kkt.polish_kkt(p, X, y)
    with pytest.raises(ValueError, match="homogeneous activation"):
        kkt.polish_kkt(symmetric_kkt_net(1.0, 1.0)[2], X, y, activation="silu")
    with pytest.raises(ValueError, match="maxiter"):
        kkt.polish_kkt(symmetric_kkt_net(1.0, 1.0)[2], X, y, maxiter=0)
    with pytest.raises(ValueError, match="theta must be a vector of shape \\(6,\\)"):
        kkt.kkt_certificate(np.ones(5), X, y, (2, 2, 1))


# ---------------------------------------------------------------- angle

def test_angle_is_accurate_near_zero_and_scale_free():
    rng = np.random.default_rng(0)
    u = rng.standard_normal(20)
    v = rng.standard_normal(20)
    v -= (v @ u) / (u @ u) * u
    v /= np.linalg.norm(v)
    for eps in (1e-3, 1e-9, 1e-13):
        w = u / np.linalg.norm(u) + eps * v
        assert kkt.angle(u, 1e5 * w) == pytest.approx(np.arctan(eps), rel=1e-3)
    assert kkt.angle(u, -3 * u) == pytest.approx(np.pi)
    assert kkt.angle(u, v) == pytest.approx(np.pi / 2)
    assert kkt.angle(u, u) == 0.0
    with pytest.raises(ValueError, match="nonzero"):
        kkt.angle(u, np.zeros(20))
