"""Kernel SVM (explicit) and kernel GD (implicit): checked against definitions, KKT
conditions, scikit-learn's SVC and the linear methods on explicit features."""
import numpy as np
import pytest
from sklearn.svm import SVC

import ibias_lib as ib
from helpers import fd_gradient


@pytest.fixture
def rings():
    X, y = ib.rings_data(30, seed=4)
    return X, y, ib.rbf_kernel(X, bandwidth=0.3)


def test_rbf_kernel_matches_definition():
    rng = np.random.default_rng(0)
    X, Z = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    K = ib.rbf_kernel(X, Z, bandwidth=0.7)
    for i in range(5):
        for j in range(4):
            assert K[i, j] == pytest.approx(np.exp(-np.sum((X[i] - Z[j]) ** 2) / (2 * 0.49)),
                                            rel=1e-12)
    G = ib.rbf_kernel(X, bandwidth=0.7)
    np.testing.assert_allclose(np.diag(G), 1.0, rtol=0, atol=1e-14)
    np.testing.assert_allclose(G, G.T, rtol=0, atol=0)
    assert np.linalg.eigvalsh(G).min() > -1e-12
    # scikit-learn's parametrization gamma = 1 / (2 sigma^2)
    from sklearn.metrics.pairwise import rbf_kernel as sk_rbf
    np.testing.assert_allclose(K, sk_rbf(X, Z, gamma=1 / (2 * 0.49)), rtol=1e-12)


def test_kernel_features_factor_the_gram_matrix(rings):
    _, _, K = rings
    L = ib.kernel_features(K)
    np.testing.assert_allclose(L @ L.T, K, atol=1e-10)
    np.testing.assert_allclose(np.linalg.norm(L, axis=1), 1.0, atol=1e-6)   # k(x, x) = 1


def test_kernel_max_margin_kkt(rings):
    _, y, K = rings
    svm = ib.kernel_max_margin(K, y)
    m = y * (K @ svm.alpha)
    assert m.min() == pytest.approx(1.0, abs=1e-8)                      # primal feasibility
    np.testing.assert_allclose(m[svm.support], 1.0, atol=1e-8)          # active on support
    assert np.all(svm.dual >= 0)                                        # dual feasibility
    np.testing.assert_array_equal(np.sign(svm.alpha[svm.support]), y[svm.support])
    # strong duality: ||f||^2 = alpha^T K alpha = sum(lambda) = 1/gamma^2
    assert svm.alpha @ K @ svm.alpha == pytest.approx(svm.dual.sum(), rel=1e-8)
    assert svm.gamma == pytest.approx(1 / np.sqrt(svm.alpha @ K @ svm.alpha), rel=1e-8)
    assert ib.rkhs_margin(K, y, svm.alpha) == pytest.approx(svm.gamma, rel=1e-8)


def test_kernel_max_margin_agrees_with_svc_on_mirrored_data(rings):
    """Independent reference: SVC fits an intercept b; adding the mirrored points
    (-phi(x_i), -y_i) forces b = 0 (if (f, b) is feasible so is (f, -b), hence (f, 0)), so SVC
    then solves the bias-free problem."""
    _, y, K = rings
    svm = ib.kernel_max_margin(K, y)
    n = len(y)
    K_aug = np.block([[K, -K], [-K, K]])
    ref = SVC(kernel="precomputed", C=1e8, tol=1e-10).fit(K_aug, np.concatenate([y, -y]))
    a = np.zeros(2 * n)
    a[ref.support_] = ref.dual_coef_[0]
    alpha_ref = a[:n] - a[n:]
    assert abs(ref.intercept_[0]) < 1e-6
    np.testing.assert_allclose(K @ alpha_ref, K @ svm.alpha, atol=1e-5)
    assert ib.rkhs_margin(K, y, alpha_ref) == pytest.approx(svm.gamma, rel=1e-5)


def test_svc_with_intercept_has_at_least_the_bias_free_margin(rings):
    _, y, K = rings
    svm = ib.kernel_max_margin(K, y)
    ref = SVC(kernel="precomputed", C=1e8, tol=1e-10).fit(K, y)
    a = np.zeros(len(y))
    a[ref.support_] = ref.dual_coef_[0]
    f = K @ a + ref.intercept_[0]
    assert (y * f).min() == pytest.approx(1.0, abs=1e-5)
    # a free intercept enlarges the feasible set: its optimal ||f|| can only be smaller
    assert (y * f).min() / np.sqrt(a @ K @ a) >= svm.gamma * (1 - 1e-6)


def test_linear_kernel_reduces_to_linear_svm(data):
    X, y = data
    svm = ib.kernel_max_margin(X @ X.T, y)
    lin = ib.max_margin(X, y)
    assert svm.gamma == pytest.approx(lin.gamma, rel=1e-8)
    np.testing.assert_allclose(X.T @ svm.alpha, lin.w_hat, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("loss,normalized", [("exp", True), ("logistic", True),
                                             ("exp", False), ("logistic", False)])
def test_kernel_gd_is_linear_gd_on_features(loss, normalized):
    """With K = Phi Phi^T for explicit features, v_t = Phi^T alpha_t follows linear GD."""
    rng = np.random.default_rng(1)
    X, y = ib.planted_data(25, 4, margin=0.1, seed=2)
    Phi = np.column_stack([X, 0.3 * rng.normal(size=(25, 3))])
    Phi /= np.linalg.norm(Phi, axis=1, keepdims=True)
    K = Phi @ Phi.T
    rec = np.array([1, 10, 100, 500])
    kt = ib.kernel_gd(K, y, loss=loss, normalized=normalized, step=0.5, n_steps=500,
                      record_at=rec)
    method = ib.normalized_gd if normalized else ib.gd
    lt = method(Phi, y, loss=loss, step=0.5, n_steps=500, record_at=rec)
    np.testing.assert_allclose(kt.w @ Phi, lt.w, rtol=1e-9, atol=1e-12)
    for f in ("margin", "smoothed_margin", "log_risk", "norm"):
        np.testing.assert_allclose(getattr(kt, f), getattr(lt, f), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_kernel_gd_step_follows_the_risk_gradient(rings, loss):
    """One constant step: K (alpha_1 - alpha_0) = -eta * grad_alpha R(K alpha) at alpha_0,
    since grad_alpha R = K * (functional-gradient coefficients)."""
    _, y, K = rings
    rng = np.random.default_rng(3)
    alpha0 = 0.2 * rng.normal(size=len(y))
    eta = 0.7
    tr = ib.kernel_gd(K, y, loss=loss, normalized=False, step=eta, n_steps=1, alpha0=alpha0,
                      record_at=np.array([1]))
    risk = lambda a: np.mean(ib.loss_values(K, y, a, loss=loss))   # R as a function of alpha
    np.testing.assert_allclose(K @ (tr.w[0] - alpha0), -eta * fd_gradient(risk, alpha0),
                               rtol=1e-7, atol=1e-10)


def test_kernel_gd_margin_approaches_svm_and_never_exceeds_it(rings):
    _, y, K = rings
    gamma = ib.kernel_max_margin(K, y).gamma
    tr = ib.kernel_gd(K, y, n_steps=3000)
    assert np.all(tr.margin[tr.margin == tr.margin] <= gamma * (1 + 1e-9))
    assert np.all(tr.smoothed_margin <= tr.margin + 1e-12)
    gap = (gamma - tr.margin[-1]) / gamma
    assert gap < 0.02
    mid = np.searchsorted(tr.steps, 300)
    assert gap < 0.2 * (gamma - tr.margin[mid]) / gamma


def test_kernel_gd_is_finite_at_huge_margins(rings):
    _, y, K = rings
    alpha0 = 1e9 * ib.kernel_max_margin(K, y).alpha
    for normalized in (True, False):
        tr = ib.kernel_gd(K, y, normalized=normalized, n_steps=20, alpha0=alpha0)
        for f in ("margin", "smoothed_margin", "log_risk", "norm"):
            assert np.all(np.isfinite(getattr(tr, f)))
        assert tr.log_risk[-1] < -1e8


def test_rkhs_margin_is_scale_invariant(rings):
    _, y, K = rings
    a = np.random.default_rng(0).normal(size=len(y))
    assert ib.rkhs_margin(K, y, 1e6 * a) == pytest.approx(ib.rkhs_margin(K, y, a), rel=1e-12)


def test_rings_data_is_seeded_and_in_the_unit_disk():
    X, y = ib.rings_data(31, seed=5)
    X2, y2 = ib.rings_data(31, seed=5)
    np.testing.assert_array_equal(X, X2)
    r = np.linalg.norm(X, axis=1)
    assert np.all(r[y > 0] <= 0.4) and np.all((r[y < 0] >= 0.6) & (r[y < 0] <= 1))
    assert (y > 0).sum() == 15 and (y < 0).sum() == 16


@pytest.mark.parametrize("call,match", [
    (lambda K, y: ib.kernel_max_margin(K[:, :-1], y), "square"),
    (lambda K, y: ib.kernel_max_margin(K + np.triu(K, 1), y), "symmetric"),
    (lambda K, y: ib.kernel_max_margin(K - 2 * np.eye(len(y)), y), "semidefinite"),
    (lambda K, y: ib.kernel_gd(K, (y + 1) / 2), "2\\*y - 1"),
    (lambda K, y: ib.kernel_gd(K, y, step=0), "positive"),
    (lambda K, y: ib.rkhs_margin(K, y, np.zeros(len(y))), "zero"),
    (lambda K, y: ib.rbf_kernel(np.ones((3, 2)), np.ones((3, 3))), "same number of features"),
    (lambda K, y: ib.rbf_kernel(np.ones((3, 2)), bandwidth=-1), "positive"),
    (lambda K, y: ib.rings_data(10, radii=(0.6, 0.4)), "radii"),
])
def test_input_errors(rings, call, match):
    _, y, K = rings
    with pytest.raises(ValueError, match=match):
        call(K, y)


def test_kernel_max_margin_rejects_contradictory_labels():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0]])
    y = np.array([1.0, -1.0, 1.0])
    with pytest.raises(ValueError, match="separates"):
        ib.kernel_max_margin(ib.rbf_kernel(X, bandwidth=0.5), y)
