"""AdaBoost as coordinate descent and the L1 max-margin LP: checked against LP duality,
exact enumeration on small cases, a naive textbook AdaBoost, and the margin theorem."""
import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

import ibias_lib as ib


def random_dictionary(n, N, seed, *, signs=True):
    rng = np.random.default_rng(seed)
    H = np.sign(rng.normal(size=(n, N))) if signs else rng.uniform(-1, 1, size=(n, N))
    u = rng.normal(size=N)
    y = np.sign(H @ u)
    return H, y


def rings_stumps(n=30, seed=1):
    X, y = ib.rings_data(n, seed=seed)
    return ib.stump_values(ib.decision_stumps(X), X), y


CASES = [("rings stumps", rings_stumps),
         ("random +-1 20x12", lambda: random_dictionary(20, 12, 0)),
         ("random [-1,1] 15x6", lambda: random_dictionary(15, 6, 5, signs=False)),
         ("unscaled", lambda: (lambda H, y: (7.5 * H, y))(*random_dictionary(12, 5, 2)))]


@pytest.mark.parametrize("name,make", CASES)
def test_lp_optimality_certificate(name, make):
    """Weak duality min_i (Au)_i <= q^T A u <= ||A^T q||_inf ||u||_1 for any u and q in the
    simplex; equality for the returned pair certifies that both are optimal."""
    H, y = make()
    A = y[:, None] * H
    res = ib.max_margin_l1(H, y)
    u, q = res.weights, res.dual
    assert np.abs(u).sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(q >= 0) and q.sum() == pytest.approx(1.0, abs=1e-12)
    primal = (A @ u).min()
    dual = np.abs(A.T @ q).max()
    tol = 1e-8 * np.abs(A).max()
    assert primal == pytest.approx(res.gamma, abs=1e-12)
    assert dual == pytest.approx(primal, abs=tol)                      # strong duality
    # complementary slackness: support examples are tight, used hypotheses have maximal edge
    np.testing.assert_allclose((A @ u)[q > 1e-9], res.gamma, atol=tol)
    used = np.abs(u) > 1e-9
    np.testing.assert_allclose(np.sign(u[used]) * (A.T @ q)[used], res.gamma, atol=tol)
    assert ib.l1_margin(H, y, u) == pytest.approx(res.gamma, rel=1e-12)


@pytest.mark.parametrize("name,make", CASES)
def test_lp_against_the_dual_program(name, make):
    """Second method: solve min_{q in simplex} ||A^T q||_inf as its own LP (variables q, t)."""
    H, y = make()
    A = y[:, None] * H
    n, N = A.shape
    c = np.r_[np.zeros(n), 1.0]
    A_ub = np.block([[A.T, -np.ones((N, 1))], [-A.T, -np.ones((N, 1))]])
    ref = linprog(c, A_ub=A_ub, b_ub=np.zeros(2 * N), A_eq=np.r_[np.ones(n), 0.0][None],
                  b_eq=[1.0], bounds=[(0, None)] * n + [(None, None)], method="highs-ipm")
    assert ref.status == 0
    assert ib.max_margin_l1(H, y).gamma == pytest.approx(ref.fun, rel=1e-6)


def exact_l1_margin_two_hypotheses(A):
    """Enumeration for N = 2: on each edge of the L1 sphere, u(s) = (1-s) e + s f, the margin
    min_i (A u(s))_i is concave piecewise linear in s; its max is at an endpoint or at a
    crossing of two of the lines."""
    corners = [np.array(v, float) for v in ([1, 0], [0, 1], [-1, 0], [0, -1])]
    best = -np.inf
    for e, f in zip(corners, corners[1:] + corners[:1]):
        a, b = A @ e, A @ f - A @ e                 # line i: a_i + s b_i
        cands = [0.0, 1.0]
        for i, k in itertools.combinations(range(len(a)), 2):
            if b[i] != b[k]:
                s = (a[k] - a[i]) / (b[i] - b[k])
                if 0 <= s <= 1:
                    cands.append(s)
        best = max(best, max((a + s * b).min() for s in cands))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_lp_against_exact_enumeration(seed):
    rng = np.random.default_rng(seed)
    H = rng.uniform(-1, 1, size=(7, 2))
    y = np.sign(H @ rng.normal(size=2))
    exact = exact_l1_margin_two_hypotheses(y[:, None] * H)
    assert ib.max_margin_l1(H, y).gamma == pytest.approx(exact, abs=1e-9)


def test_lp_closed_forms():
    # n hypotheses, each right on one example only: uniform weights, margin 1/n
    assert ib.max_margin_l1(np.eye(4), np.ones(4)).gamma == pytest.approx(0.25, abs=1e-12)
    # 2x2 game without saddle point [[1, -1/2], [-1/2, 1]] (rows = examples): value 1/4
    H = np.array([[1.0, -0.5], [-0.5, 1.0]])
    assert ib.max_margin_l1(H, np.ones(2)).gamma == pytest.approx(0.25, abs=1e-12)


def naive_adaboost(H, y, T, lam0):
    """Freund & Schapire's AdaBoost with explicit weights D (no logs), +-1 learners, started
    from the combination lam0 (D proportional to exp(-margins))."""
    n, N = H.shape
    D = np.exp(-y * (H @ lam0))
    D /= D.sum()
    lam = lam0.copy()
    for _ in range(T):
        errs = np.array([D[H[:, j] != y].sum() for j in range(N)])
        j = int(np.argmax(np.abs(0.5 - errs)))      # best learner or its negation
        eps, s = (errs[j], 1.0) if errs[j] <= 0.5 else (1 - errs[j], -1.0)
        a = 0.5 * np.log((1 - eps) / eps)
        lam[j] += s * a
        D = D * np.exp(-a * s * y * H[:, j])
        D /= D.sum()
    return lam


def test_adaboost_matches_the_textbook_algorithm():
    H, y = rings_stumps(20, seed=3)
    # a generic start avoids exact ties between learners (uniform weights on 20 points give
    # many stumps the same error, and the two codes may break ties differently)
    lam0 = 0.1 * np.random.default_rng(7).normal(size=H.shape[1])
    for T in (1, 2, 5, 30):
        lam = ib.adaboost(H, y, n_steps=T, lam0=lam0, record_at=np.array([T])).w[-1]
        np.testing.assert_allclose(lam, naive_adaboost(H, y, T, lam0), rtol=1e-9, atol=1e-12)


def test_line_search_step_zeroes_the_edge_and_is_the_exact_decrease():
    """nu = 1 is an exact line search: afterwards the chosen learner has edge 0. For +-1
    learners one step changes psi = ln sum exp(-m) by exactly ln(cosh a - r sinh a)."""
    H, y = rings_stumps(25, seed=2)
    A = y[:, None] * H
    psi = lambda lam: np.log(np.exp(-(A @ lam)).sum())
    lam = 0.05 * np.random.default_rng(0).normal(size=H.shape[1])
    for nu in (1.0, 0.3):
        new = ib.adaboost_step(H, y, lam, shrinkage=nu)
        j = int(np.flatnonzero(new != lam)[0])
        q = np.exp(-(A @ lam)); q /= q.sum()
        r = abs(A[:, j] @ q)
        a = abs(new[j] - lam[j])
        assert a == pytest.approx(nu * np.arctanh(r), rel=1e-12)
        assert psi(new) - psi(lam) == pytest.approx(np.log(np.cosh(a) - r * np.sinh(a)),
                                                    abs=1e-12)
        if nu == 1.0:
            q1 = np.exp(-(A @ new)); q1 /= q1.sum()
            assert abs(A[:, j] @ q1) < 1e-12


@pytest.mark.parametrize("name,make", CASES[:3])
@pytest.mark.parametrize("nu", [1.0, 0.3, 0.1])
def test_adaboost_margin_theorem(name, make, nu):
    """(1 - nu/2) gamma - ln n / (nu t gamma) <= margin_t <= gamma, and the proof's steps."""
    H, y = make()
    g = ib.max_margin_l1(H, y).gamma
    n = len(y)
    # run until well past the time ln n / (nu (1 - nu/2) gamma^2) where the bound turns positive
    tr = ib.adaboost(H, y, shrinkage=nu, n_steps=int(4 * np.log(n) / (nu * g * g)) + 100)
    t = tr.steps
    assert np.all(tr.margin <= g + 1e-9)
    lower = (1 - nu / 2) * g - np.log(n) / (nu * t * g)
    on = lower > 0
    assert on.any()
    assert np.all(tr.margin[on] >= lower[on] - 1e-12)
    e = tr.extra
    assert np.all(e["min_edge"] >= g - 1e-9)                          # edge >= gamma
    assert np.all(e["sum_steps"] >= nu * t * g - 1e-9)                  # sum alpha >= nu t g
    assert np.all(tr.norm <= e["sum_steps"] * (1 + 1e-12))             # ||lam||_1 <= sum alpha
    psi = tr.log_risk + np.log(n)
    assert np.all(psi <= np.log(n) - (1 - nu / 2) * e["sum_edge_steps"] + 1e-9)


def test_adaboost_is_finite_at_huge_margins():
    H, y = rings_stumps()
    lam0 = 1e9 * ib.max_margin_l1(H, y).weights
    tr = ib.adaboost(H, y, n_steps=10, lam0=lam0)
    for f in ("margin", "smoothed_margin", "log_risk", "norm"):
        assert np.all(np.isfinite(getattr(tr, f)))
    assert np.all(np.isfinite(tr.extra["sum_steps"])) and tr.log_risk[-1] < -1e7


def test_adaboost_smoothed_margin_sandwich():
    H, y = rings_stumps()
    tr = ib.adaboost(H, y, shrinkage=0.5, n_steps=2000)
    ok = tr.norm > 0
    assert np.all(tr.smoothed_margin[ok] <= tr.margin[ok] + 1e-12)
    assert np.all(tr.margin[ok] <= tr.smoothed_margin[ok] + np.log(len(y)) / tr.norm[ok] + 1e-12)


def test_stumps():
    X = np.array([[0.0, 5.0], [1.0, 5.0], [3.0, 4.0]])
    st = ib.decision_stumps(X)
    np.testing.assert_array_equal(st.feature, [0, 0, 0, 1])
    np.testing.assert_allclose(st.threshold, [-np.inf, 0.5, 2.0, 4.5])
    H = ib.stump_values(st, X)
    np.testing.assert_array_equal(H, [[1, -1, -1, 1], [1, 1, -1, 1], [1, 1, 1, -1]])
    assert len(ib.decision_stumps(X, constant=False)) == 3


@pytest.mark.parametrize("call,match", [
    (lambda H, y: ib.adaboost(2 * H, y), r"\[-1, 1\]"),
    (lambda H, y: ib.adaboost(H, y, shrinkage=1.5), "shrinkage"),
    (lambda H, y: ib.adaboost(H, y, shrinkage=0), "shrinkage"),
    (lambda H, y: ib.adaboost(H[:-1], y), "same number of samples"),
    (lambda H, y: ib.adaboost(H, y, lam0=np.zeros(3)), "shape"),
    (lambda H, y: ib.max_margin_l1(H, (y + 1) / 2), "2\\*y - 1"),
    (lambda H, y: ib.max_margin_l1(np.ones((4, 1)), np.array([1.0, -1, 1, -1])), "separate"),
    (lambda H, y: ib.adaboost(np.c_[H, y], y), "margin 1 on every example"),
    (lambda H, y: ib.l1_margin(H, y, np.zeros(H.shape[1])), "zero"),
    (lambda H, y: ib.stump_values(ib.decision_stumps(np.ones((3, 4)) * np.arange(3)[:, None]),
                                  np.ones((3, 2))), "feature"),
])
def test_input_errors(call, match):
    H, y = rings_stumps(12)
    with pytest.raises(ValueError, match=match):
        call(H, y)
