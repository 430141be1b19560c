"""The maximal separable subset: LP certificates, an independent per-point LP, the offset
against its optimality condition and a second solver, and GD's behaviour on both parts."""
import numpy as np
import pytest
from scipy.optimize import linprog, minimize

import ibias_lib as ib

from helpers import fd_gradient


def _rows(X, y):
    return y[:, None] * X


def _check_certificates(X, y, dec, tol=1e-9):
    A = _rows(X, y)
    c, S = dec.separable, dec.tight
    assert np.all(c != S)
    if c.any():
        assert (A[c] @ dec.u).min() >= 1 - tol
    if S.any():
        assert np.abs(A[S] @ dec.u).max() <= tol
        assert dec.q[S].min() >= 1 - tol
    assert np.all(dec.q >= 0) and np.all(dec.q[c] == 0)
    assert np.linalg.norm(A.T @ dec.q) <= tol * max(1.0, dec.q.sum())
    # The bases: orthonormal, complementary, V spanned by the tight rows.
    B, P = dec.basis_tight, dec.basis_separable
    assert B.shape[1] + P.shape[1] == X.shape[1]
    Q = np.hstack([B, P])
    assert np.allclose(Q.T @ Q, np.eye(X.shape[1]), atol=1e-12)
    if S.any():
        assert P.shape[1] == 0 or np.abs(A[S] @ P).max() <= 1e-10
        assert np.linalg.matrix_rank(A[S], tol=1e-9) == B.shape[1]


def _separable_by_point(A):
    """Independent reference: i is in c iff {u : A u >= 0, a_i u >= 1} is feasible."""
    n, d = A.shape
    out = np.zeros(n, bool)
    for i in range(n):
        A_ub = -np.vstack([A, A[i]])
        b_ub = np.concatenate([np.zeros(n), [-1.0]])
        res = linprog(np.zeros(d), A_ub=A_ub, b_ub=b_ub, bounds=[(None, None)] * d,
                      method="highs")
        out[i] = res.status == 0
    return out


@pytest.mark.parametrize("args", [(10, 20, 3, 1, 0.3, 0), (30, 20, 4, 2, 0.1, 1),
                                  (15, 12, 5, 3, 0.2, 2), (0, 9, 3, 3, 0.2, 3)])
def test_certificates_and_per_point_reference(args):
    n_sep, n_tight, d, k, margin, seed = args
    X, y = ib.nonseparable_data(n_sep, n_tight, d, tight_dim=k, margin=margin, seed=seed)
    dec = ib.separable_decomposition(X, y)
    _check_certificates(X, y, dec)
    assert dec.separable.sum() == n_sep and dec.tight.sum() == n_tight
    assert dec.basis_tight.shape[1] == k
    assert np.array_equal(dec.separable, _separable_by_point(_rows(X, y)))


def test_separable_data_have_no_tight_part(data):
    X, y = data
    dec = ib.separable_decomposition(X, y)
    assert dec.separable.all() and dec.basis_tight.shape == (X.shape[1], 0)
    _check_certificates(X, y, dec)
    # The separable direction of separable data is the ordinary max margin.
    res = ib.separable_direction(X, y, decomposition=dec)
    svm = ib.max_margin(X, y)
    assert abs(res.gamma - svm.gamma) < 1e-9 and np.allclose(res.direction, svm.direction,
                                                             atol=1e-8)
    assert np.array_equal(ib.tight_minimizer(X, y, decomposition=dec), np.zeros(X.shape[1]))


def test_conflicting_pairs_make_everything_tight():
    rng = np.random.default_rng(0)
    X0 = rng.standard_normal((6, 3)) / 3
    X = np.vstack([X0, X0])
    y = np.concatenate([np.ones(6), -np.ones(6)])       # every point with both labels
    dec = ib.separable_decomposition(X, y)
    assert dec.tight.all() and not dec.u.any()
    _check_certificates(X, y, dec)
    with pytest.raises(ValueError, match="maximal separable subset is empty"):
        ib.separable_direction(X, y, decomposition=dec)


def test_docstring_example_by_hand():
    # Points 0 and 1 are the same point with opposite labels; 2 and 3 are separated by e2.
    X = np.array([[1.0, 0.0], [1.0, 0.0], [0.3, 1.0], [-0.2, -1.0]])
    y = np.array([1.0, -1.0, 1.0, -1.0])
    dec = ib.separable_decomposition(X, y)
    assert dec.separable.tolist() == [False, False, True, True]
    assert np.allclose(np.abs(dec.basis_tight[:, 0]), [1.0, 0.0])
    # The tight part's risk (1/n)(l(v) + l(-v)) is minimized at v = 0 by symmetry.
    for loss in ("exp", "logistic"):
        assert np.allclose(ib.tight_minimizer(X, y, loss=loss, decomposition=dec), 0,
                           atol=1e-12)


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_tight_minimizer_optimality_and_second_solver(loss):
    X, y = ib.nonseparable_data(12, 16, 4, tight_dim=2, margin=0.2, seed=3)
    dec = ib.separable_decomposition(X, y)
    v = ib.tight_minimizer(X, y, loss=loss, decomposition=dec)
    A = _rows(X, y)
    AS = A[dec.tight]
    B = dec.basis_tight
    n = len(y)

    def risk_S(z):                                       # in V coordinates, plain numpy
        m = AS @ (B @ z)
        vals = np.exp(-m) if loss == "exp" else np.logaddexp(0, -m)
        return vals.sum() / n

    z = B.T @ v
    assert np.allclose(dec.project_separable(v), 0, atol=1e-12)      # v lies in V
    assert np.linalg.norm(fd_gradient(risk_S, z, h=1e-3)) < 1e-8      # stationary
    ref = minimize(risk_S, np.zeros(B.shape[1]), method="BFGS", options={"gtol": 1e-12})
    assert np.linalg.norm(B @ ref.x - v) < 1e-5
    assert risk_S(z) <= ref.fun + 1e-14
    # Strict convexity on V: the risk grows in every direction of V away from v.
    rng = np.random.default_rng(0)
    for _ in range(5):
        e = rng.standard_normal(B.shape[1])
        assert risk_S(z + 0.1 * e) > risk_S(z) and risk_S(z - 0.1 * e) > risk_S(z)


def test_separable_direction_against_brute_force_in_a_plane():
    # d = 3, dim V = 1: V-perp is a plane, so the max margin there is a 1D search.
    X, y = ib.nonseparable_data(10, 20, 3, tight_dim=1, margin=0.3, seed=0)
    dec = ib.separable_decomposition(X, y)
    res = ib.separable_direction(X, y, decomposition=dec)
    Z = _rows(X, y)[dec.separable] @ dec.basis_separable
    theta = np.linspace(0, 2 * np.pi, 200_001)
    U = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    margins = (Z @ U.T).min(axis=0)
    j = np.argmax(margins)
    # The exact optimum beats every grid direction, by at most the grid's resolution.
    assert margins[j] <= res.gamma + 1e-12 and res.gamma - margins[j] < 1e-5
    assert np.allclose(dec.project_tight(res.direction), 0, atol=1e-12)
    assert abs(np.linalg.norm(res.direction) - 1) < 1e-12
    assert np.linalg.norm(dec.basis_separable @ U[j] - res.direction) < 1e-4
    assert abs((_rows(X, y)[dec.separable] @ res.w_hat).min() - 1) < 1e-9
    assert set(res.support) <= set(np.flatnonzero(dec.separable))


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_gd_follows_the_ray(loss):
    X, y = ib.nonseparable_data(10, 20, 3, tight_dim=1, margin=0.3, seed=0)
    dec = ib.separable_decomposition(X, y)
    v = ib.tight_minimizer(X, y, loss=loss, decomposition=dec)
    u = ib.separable_direction(X, y, decomposition=dec).direction
    tr = ib.gd(X, y, loss=loss, step=1.0, n_steps=20_000, record_at=np.array([2000, 20_000]))
    dv = np.linalg.norm(dec.project_tight(tr.w) - v, axis=1)
    P = dec.project_separable(tr.w)
    assert dv[1] < dv[0] / 5 and dv[1] < 2e-3
    assert np.linalg.norm(P[1]) > np.linalg.norm(P[0]) + 2.0         # the ray grows
    assert ib.angle(P[1], u) < 0.15
    # The risk approaches its infimum, the tight part's risk at v-bar.
    inf_log_risk = np.log(ib.risk(X[dec.tight], y[dec.tight], v, loss=loss)
                          * dec.tight.sum() / len(y))
    assert 0 < tr.log_risk[1] - inf_log_risk < 1e-2


def test_large_scale_is_finite():
    X, y = ib.nonseparable_data(10, 20, 3, tight_dim=1, margin=0.3, seed=0)
    dec = ib.separable_decomposition(1e6 * X, y)        # the LPs are scale-free
    assert dec.separable.sum() == 10
    v = ib.tight_minimizer(1e-3 * X, y, decomposition=dec)
    assert np.all(np.isfinite(v))


def test_input_checks():
    with pytest.raises(ValueError, match="tight_dim"):
        ib.nonseparable_data(5, 5, 2, tight_dim=2)
    with pytest.raises(ValueError, match="n_tight must be at least"):
        ib.nonseparable_data(5, 2, 4, tight_dim=2)
    with pytest.raises(ValueError, match="tight points need"):
        ib.nonseparable_data(5, 0, 4, tight_dim=2)
    with pytest.raises(ValueError, match="margin must be in"):
        ib.nonseparable_data(5, 5, 4, margin=1.5)
    with pytest.raises(ValueError, match="only -1 and \\+1"):
        ib.separable_decomposition(np.eye(2), np.array([0, 1]))
    with pytest.raises(ValueError, match="all zeros"):
        ib.separable_decomposition(np.zeros((3, 2)), np.array([1.0, -1.0, 1.0]))
    with pytest.raises(ValueError, match="loss must be one of"):
        ib.tight_minimizer(np.eye(2), np.array([1.0, -1.0]), loss="hinge")


def test_generator_is_seeded_and_in_the_unit_ball():
    a = ib.nonseparable_data(10, 20, 3, tight_dim=1, seed=5)
    b = ib.nonseparable_data(10, 20, 3, tight_dim=1, seed=5)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert np.linalg.norm(a[0], axis=1).max() <= 1 + 1e-12
    assert set(np.unique(a[1])) <= {-1.0, 1.0}
