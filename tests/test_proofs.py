"""Tests of ibias_lib.proofs against naive formulas, finite differences and hand-made runs,
and tests that each per-step check fails for an algorithm other than the one its proof is
about (another step size, the wrong sign, momentum)."""
import math

import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib import proofs
from ibias_lib.experiments import intro as intro_exp


def _data(n=30, d=4, seed=0, margin=0.2):
    return ib.planted_data(n, d, margin=margin, seed=seed)


def _naive_ngd(X, y, eta, T, w0=None, momentum=0.0, sign=1.0):
    """Normalized GD on the exponential loss, written from the definition (moderate scale);
    ``momentum`` adds a heavy-ball term, ``sign=-1`` climbs instead of descending."""
    A = y[:, None] * X
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, float)
    W, v = [w.copy()], np.zeros_like(w)
    for _ in range(T):
        e = np.exp(-(A @ w))
        grad_R = -(e @ A) / len(y)          # gradient of the exponential risk
        v = momentum * v - sign * eta / e.mean() * grad_R
        w = w + v
        W.append(w.copy())
    return np.array(W)


def _naive_logistic_gd(X, y, eta, T, w0, momentum=0.0, normalized=False):
    A = y[:, None] * X
    w = np.array(w0, float)
    W, v = [w.copy()], np.zeros_like(w)
    for _ in range(T):
        sig = 1 / (1 + np.exp(A @ w))        # |l'(m)|
        d = (sig @ A) / len(y)               # -grad R
        if normalized:
            d = d / np.mean(np.log1p(np.exp(-(A @ w))))
        v = momentum * v + eta * d
        w = w + v
        W.append(w.copy())
    return np.array(W)


def _naive_logistic_risk(A, w):
    return np.mean(np.log1p(np.exp(-(A @ w))))


# ---------------------------------------------------------------- the update check

def test_update_residual_is_rounding_for_the_library_runs_and_matches_naive():
    X, y = _data(seed=11)
    for loss in ("exp", "logistic"):
        for normalized, method in ((True, ib.normalized_gd), (False, ib.gd)):
            W = method(X, y, loss=loss, step=0.7, n_steps=200, record_at=np.arange(201)).w
            r = proofs.update_residual(X, y, W, step=0.7, loss=loss, normalized=normalized)
            assert r.shape == (200,) and r.max() < 1e-14
            # the same iterates read as the other method, or with another step, are not it
            other = proofs.update_residual(X, y, W, step=0.7, loss=loss,
                                           normalized=not normalized)
            assert other.max() > 1e-6
            assert proofs.update_residual(X, y, W, step=0.5, loss=loss,
                                          normalized=normalized).max() > 1e-6
    # naive iterates agree to rounding, and the naive residual formula by hand
    W = _naive_ngd(X, y, 1.0, 50)
    assert proofs.update_residual(X, y, W, step=1.0).max() < 1e-13
    A = y[:, None] * X
    W2 = _naive_ngd(X, y, 1.0, 5, momentum=0.5)
    q = np.exp(-(W2[:-1] @ A.T)); q /= q.sum(axis=1, keepdims=True)
    D = q @ A
    by_hand = np.linalg.norm(np.diff(W2, axis=0) - D, axis=1) / (
        np.linalg.norm(W2[:-1], axis=1) + np.linalg.norm(W2[1:], axis=1)
        + np.linalg.norm(D, axis=1))
    np.testing.assert_allclose(proofs.update_residual(X, y, W2, step=1.0), by_hand, rtol=1e-9)
    with pytest.raises(ValueError, match="iterates"):
        proofs.update_residual(X, y, W[:1], step=1.0)


def test_step_inequality_violation():
    ok = proofs.StepInequality(np.zeros(3), np.ones(3), np.ones(3), np.zeros(3), np.zeros(3))
    assert ok.violation() == -1.0 and ok.is_the_update
    np.testing.assert_allclose(ok.slack(), 1.0)
    off = ok._replace(update_error=np.array([0.0, 1e-3, 0.0]))
    assert off.violation() == math.inf and not off.is_the_update
    anywhere = ok._replace(lhs=np.array([0.0, 2.0, 0.0]), update_error=None)
    assert anywhere.violation() == 1.0


# ---------------------------------------------------------------- the ln-sum-exp sandwich

def test_lse_potential_matches_naive_and_finite_differences():
    X, y = _data()
    A = y[:, None] * X
    rng = np.random.default_rng(0)
    W = rng.standard_normal((5, X.shape[1]))
    psi, G = proofs.lse_potential(X, y, W)
    for w, p, g in zip(W, psi, G):
        assert p == pytest.approx(np.log(np.sum(np.exp(-(A @ w)))), rel=1e-12)
        h = 1e-6
        fd = np.array([(np.log(np.sum(np.exp(-(A @ (w + h * e)))))
                        - np.log(np.sum(np.exp(-(A @ (w - h * e)))))) / (2 * h)
                       for e in np.eye(len(w))])
        np.testing.assert_allclose(g, -fd, atol=1e-7)
    # huge iterates stay finite (log domain)
    psi_big, G_big = proofs.lse_potential(X, y, 1e6 * ib.max_margin(X, y).direction[None])
    assert np.isfinite(psi_big).all() and np.isfinite(G_big).all()
    with pytest.raises(ValueError):
        proofs.lse_potential(X, y, np.zeros((2, X.shape[1] + 1)))


def test_smoothing_sandwich_naive_and_random():
    rng = np.random.default_rng(1)
    for _ in range(50):
        m = rng.normal(0, 3, size=rng.integers(1, 20))
        nrm = rng.uniform(0.1, 10)
        sm, mg, up = proofs.smoothing_sandwich(m, nrm)
        assert sm == pytest.approx(-np.log(np.sum(np.exp(-m))) / nrm, rel=1e-12, abs=1e-12)
        assert mg == pytest.approx(m.min() / nrm)
        assert up == pytest.approx(sm + np.log(len(m)) / nrm)
        assert sm <= mg + 1e-12 and mg <= up + 1e-12
        # logistic: l^{-1}(s) = -ln(e^s - 1), upper end + (ln n + s)/||w||
        s = np.sum(np.log1p(np.exp(-m)))
        sm, mg, up = proofs.smoothing_sandwich(m, nrm, loss="logistic")
        assert sm == pytest.approx(-np.log(np.expm1(s)) / nrm, rel=1e-10, abs=1e-12)
        assert up == pytest.approx(sm + (np.log(len(m)) + s) / nrm, rel=1e-10, abs=1e-12)
        assert sm <= mg + 1e-12 and mg <= up + 1e-12
    # tight cases: equal margins attain the upper bound, one margin the lower one
    sm, mg, up = proofs.smoothing_sandwich(np.full(7, 2.0), 1.0)
    assert mg == pytest.approx(up) and sm < mg
    sm, mg, up = proofs.smoothing_sandwich(np.array([2.0]), 1.0)
    assert sm == pytest.approx(mg)
    # far along the logistic loss is the exponential one
    m = np.array([40.0, 41.0, 45.0])
    np.testing.assert_allclose(proofs.smoothing_sandwich(m, 1.0, loss="logistic")[0],
                               proofs.smoothing_sandwich(m, 1.0)[0], rtol=1e-12)
    # batched version agrees with the trace's smoothed margin
    X, y = _data()
    for loss in ("exp", "logistic"):
        tr = ib.normalized_gd(X, y, loss=loss, n_steps=200)
        sm, mg, up = proofs.smoothing_sandwich(tr.w @ (y[:, None] * X).T, tr.norm, loss=loss)
        np.testing.assert_allclose(sm, tr.smoothed_margin, atol=1e-12)
        np.testing.assert_allclose(mg, tr.margin, atol=1e-12)
    with pytest.raises(ValueError):
        proofs.smoothing_sandwich(np.ones(3), 1.0, loss="hinge")
    with pytest.raises(ValueError):
        proofs.smoothing_sandwich(np.ones(3), 0.0)


# ---------------------------------------------------------------- the normalized-GD argument

@pytest.mark.parametrize("eta", [0.3, 1.0, 2.0])
def test_descent_and_convexity_hold_and_match_naive(eta):
    X, y = _data(seed=2)
    A = y[:, None] * X
    W = _naive_ngd(X, y, eta, 300)
    de = proofs.descent_inequality(X, y, W, step=eta)
    cv = proofs.convexity_inequality(X, y, W, step=eta)
    psi = np.array([np.log(np.sum(np.exp(-(A @ w)))) for w in W])
    np.testing.assert_allclose(de.lhs, np.diff(psi), atol=1e-10)
    g = np.array([np.exp(-(A @ w)) @ A / np.sum(np.exp(-(A @ w))) for w in W[:-1]])
    gn2 = np.sum(g ** 2, axis=1)
    np.testing.assert_allclose(de.rhs, -eta * (1 - eta / 2) * gn2, atol=1e-12)
    np.testing.assert_allclose(cv.lhs, -np.diff(psi), atol=1e-10)
    np.testing.assert_allclose(cv.rhs, eta * gn2, atol=1e-12)
    assert de.violation() <= 0 and cv.violation() <= 0
    # the decrease sits in [eta (1 - eta/2), eta] ||g||^2: the bound is tight to 1/(1 - eta/2)
    ratio = -de.lhs / (eta * gn2)
    assert np.all(ratio >= 1 - eta / 2 - 1e-9) and np.all(ratio <= 1 + 1e-9)


def test_descent_inequality_can_fail_without_its_assumption():
    """With rows of norm 5 psi is only 25-smooth: step 1 violates the inequality."""
    X, y = _data(seed=3)
    X5 = 5 * X
    W = _naive_ngd(X5, y, 1.0, 50)
    de = proofs.descent_inequality(X5, y, W, step=1.0)
    assert de.is_the_update and np.any(de.lhs > de.rhs + 1e-6) and de.violation() > 0


@pytest.mark.parametrize("name", ["descent", "convexity", "norm", "progress"])
def test_ngd_checks_fail_for_another_algorithm(name):
    """Each per-step check of the normalized-GD argument passes on normalized GD with the
    step the proof uses and fails for another step size, the wrong sign, and momentum. The
    first case is the point of the update check: a run with step 1 satisfies the bare
    inequalities written for step 1/4 (it decreases psi more), yet it is not the algorithm."""
    X, y = _data(seed=12)
    u = ib.max_margin(X, y).direction

    def check(W, eta):
        if name == "progress":
            return proofs.progress_inequality(X, y, W, u, step=eta)
        return getattr(proofs, f"{name}_inequality")(X, y, W, step=eta)

    good = check(_naive_ngd(X, y, 0.25, 200), 0.25)
    assert good.is_the_update and good.violation() <= 0
    step_one = check(_naive_ngd(X, y, 1.0, 200), 0.25)
    if name in ("descent", "progress"):
        assert np.all(step_one.lhs <= step_one.rhs)       # the bare inequality holds ...
    assert step_one.violation() == math.inf               # ... but not for this algorithm
    for W in (_naive_ngd(X, y, 0.25, 200, sign=-1.0), _naive_ngd(X, y, 0.25, 200, momentum=0.5)):
        bad = check(W, 0.25)
        assert not bad.is_the_update and bad.violation() == math.inf
    # the wrong sign also breaks the descent and progress inequalities themselves
    climb = check(_naive_ngd(X, y, 0.25, 200, sign=-1.0), 0.25)
    if name in ("descent", "progress"):
        assert np.any(climb.lhs > climb.rhs)


def test_dual_inequality():
    X, y = _data(seed=4)
    svm = ib.max_margin(X, y)
    rng = np.random.default_rng(4)
    W = rng.standard_normal((40, X.shape[1])) * 3
    gamma, inner, gn = proofs.dual_inequality(X, y, W, svm.direction)
    assert gamma == pytest.approx(svm.gamma, abs=1e-8)
    assert np.all(gamma <= inner + 1e-12) and np.all(inner <= gn + 1e-12)
    A = y[:, None] * X
    q = np.exp(-(A @ W[0])) / np.sum(np.exp(-(A @ W[0])))
    assert inner[0] == pytest.approx((q @ A) @ svm.direction)
    # a non-unit direction is normalized; a bad direction gives a smaller (negative) gamma
    g2, inner2, _ = proofs.dual_inequality(X, y, W, 3 * svm.direction)
    np.testing.assert_allclose(inner2, inner)
    g_bad, _, _ = proofs.dual_inequality(X, y, W, -svm.direction)
    assert g_bad < 0


def test_norm_and_progress_equality_case_and_random():
    # a single example: every g_s equals a, so ||w_t|| = eta * t * ||a|| = <w_t, a/||a||>
    X = np.array([[0.6, 0.8]]); y = np.array([1.0])
    W = _naive_ngd(X, y, 0.5, 20)
    ni = proofs.norm_inequality(X, y, W, step=0.5)
    np.testing.assert_allclose(ni.lhs, 0.5 * np.arange(1, 21), atol=1e-12)
    np.testing.assert_allclose(ni.rhs, ni.lhs, atol=1e-12)
    assert ni.violation() <= 0 and ni.violation() > -1e-12        # tight, inside rounding
    pr = proofs.progress_inequality(X, y, W, X[0], step=0.5)
    np.testing.assert_allclose(pr.rhs, pr.lhs, atol=1e-12)
    assert -1e-12 < pr.violation() <= 0
    X, y = _data(seed=5)
    W = _naive_ngd(X, y, 1.0, 100, w0=np.ones(X.shape[1]))
    ni = proofs.norm_inequality(X, y, W, step=1.0)
    assert np.all(ni.lhs <= ni.rhs + 1e-12) and np.any(ni.lhs < ni.rhs - 1e-3)
    with pytest.raises(ValueError, match="separate"):
        proofs.progress_inequality(X, y, W, -ib.max_margin(X, y).direction, step=1.0)


def test_telescoped_and_closed_form_bounds():
    X, y = _data(n=40, d=3, seed=6, margin=0.3)
    n = len(y)
    A = y[:, None] * X
    svm = ib.max_margin(X, y)
    gamma = svm.gamma
    for eta in (0.5, 1.0):
        W = _naive_ngd(X, y, eta, 400)
        bound, sm, mg = proofs.telescoped_margin_bound(X, y, W, step=eta)
        # naive recomputation of B_t
        g = np.array([np.exp(-(A @ w)) @ A / np.sum(np.exp(-(A @ w))) for w in W[:-1]])
        gn = np.linalg.norm(g, axis=1)
        num = eta * (1 - eta / 2) * np.cumsum(gn ** 2) - np.log(n)
        ok = num >= 0
        assert ok.any() and not ok.all()
        np.testing.assert_allclose(bound[ok], (num / (eta * np.cumsum(gn)))[ok], rtol=1e-10)
        assert np.all(np.isneginf(bound[~ok]))
        np.testing.assert_allclose(mg, [ib.margin(X, y, w) for w in W[1:]], atol=1e-12)
        assert np.all(bound <= sm + 1e-12) and np.all(sm <= mg + 1e-12)
        t = np.arange(1, 401)
        closed = proofs.ngd_margin_bound(t, gamma, n, step=eta)
        by_hand = (1 - eta / 2) * gamma - np.log(n) / (eta * t * gamma)
        fin = np.isfinite(closed)
        np.testing.assert_allclose(closed[fin], by_hand[fin])
        assert np.all(by_hand[~fin] < 0) and np.all(by_hand[fin] >= 0)
        # the theorem's statement on the run: the measured margin is above the bound
        assert np.all(closed[fin] <= mg[fin])
        # the whole argument at once agrees with the single functions
        arg = proofs.ngd_argument(X, y, W, svm.direction, step=eta)
        np.testing.assert_array_equal(arg.certificate[0], bound)
        np.testing.assert_array_equal(arg.descent.lhs,
                                      proofs.descent_inequality(X, y, W, step=eta).lhs)
        np.testing.assert_array_equal(arg.progress.rhs,
                                      proofs.progress_inequality(X, y, W, svm.direction,
                                                                 step=eta).rhs)
    with pytest.raises(ValueError, match="w_0 = 0"):
        proofs.telescoped_margin_bound(X, y, W + 1, step=1.0)
    with pytest.raises(ValueError, match="eta <= 2"):
        proofs.telescoped_margin_bound(X, y, W, step=2.5)
    with pytest.raises(ValueError, match="not a run of normalized GD with step 0.5"):
        proofs.telescoped_margin_bound(X, y, W, step=0.5)          # W has step 1
    with pytest.raises(ValueError, match="not a run of normalized GD"):
        proofs.ngd_argument(X, y, _naive_ngd(X, y, 1.0, 50, momentum=0.3), svm.direction,
                            step=1.0)
    with pytest.raises(ValueError, match="eta <= 2"):
        proofs.ngd_margin_bound(10, gamma, n, step=3.0)
    with pytest.raises(ValueError):
        proofs.ngd_margin_bound(0, gamma, n, step=1.0)


def test_dual_gap_bound_holds_and_is_not_vacuous():
    """Mirror descent on the dual: ||g_t|| - gamma <= ln n/(eta t gamma) for eta <= 1; with
    eta = 1 the measured gap is within a factor 100 of the bound at some step."""
    X, y = _data(n=40, d=3, seed=13, margin=0.2)
    svm = ib.max_margin(X, y)
    for eta in (1.0, 0.3):
        W = _naive_ngd(X, y, eta, 2000)
        _, _, gn = proofs.dual_inequality(X, y, W, svm.direction)
        t = np.arange(1, 2001)
        b = proofs.dual_gap_bound(t, svm.gamma, len(y), step=eta)
        np.testing.assert_allclose(b, np.log(len(y)) / (eta * t * svm.gamma))
        ratio = (gn[1:] - svm.gamma) / b
        assert ratio.max() <= 1 and ratio.max() > 0.01
    with pytest.raises(ValueError, match="eta <= 1"):
        proofs.dual_gap_bound(10, svm.gamma, 40, step=1.5)


# ---------------------------------------------------------------- the logistic smoothed margin

def test_logistic_burn_in():
    X, y = _data(seed=7)
    n = len(y)
    A = y[:, None] * X
    tr = ib.normalized_gd(X, y, loss="logistic", step=1.0, n_steps=300,
                          record_at=np.arange(301))
    t_b = proofs.logistic_burn_in(tr, n)
    s = np.array([np.sum(np.log1p(np.exp(-(A @ w)))) for w in tr.w])
    assert t_b == int(np.flatnonzero(s < np.log(2))[0])
    assert tr.smoothed_margin[t_b] > 0 and tr.smoothed_margin[t_b - 1] <= 0
    short = ib.normalized_gd(X, y, loss="logistic", step=1.0, n_steps=max(t_b - 2, 1),
                             record_at=np.arange(max(t_b - 2, 1) + 1))
    assert proofs.logistic_burn_in(short, n) is None
    with pytest.raises(ValueError):
        proofs.logistic_burn_in(ib.normalized_gd(X, y, n_steps=10), n)


def test_smoothed_margin_monotonicity_and_another_algorithm():
    X, y = _data(seed=14)
    n = len(y)
    W = _naive_logistic_gd(X, y, 0.5, 400, np.zeros(X.shape[1]), normalized=True)
    mono = proofs.smoothed_margin_monotonicity(X, y, W, step=0.5)
    A = y[:, None] * X
    s = np.array([np.sum(np.log1p(np.exp(-(A @ w)))) for w in W])
    after = np.flatnonzero(s[:-1] < np.log(2))
    assert len(mono.lhs) == len(after) > 100
    sm = -np.log(np.expm1(s[after])) / np.linalg.norm(W[after], axis=1)
    np.testing.assert_allclose(mono.lhs, sm, rtol=1e-9)
    assert mono.is_the_update and mono.violation() <= 0
    # the same check on constant-step GD, or on momentum, fails the update test
    for W2 in (_naive_logistic_gd(X, y, 0.5, 400, np.zeros(X.shape[1])),
               _naive_logistic_gd(X, y, 0.5, 400, np.zeros(X.shape[1]), momentum=0.5,
                                  normalized=True)):
        m2 = proofs.smoothed_margin_monotonicity(X, y, W2, step=0.5)
        assert len(m2.lhs) == 0 or m2.violation() == math.inf
    assert n == 30


def test_logistic_smoothness_is_the_max_curvature():
    X, y = _data(seed=8)
    A = y[:, None] * X
    n = len(y)
    beta = proofs.logistic_smoothness(X, y)
    assert beta <= 0.25

    def hess(w):   # finite differences of the naive gradient
        def grad(v):
            return -(1 / (1 + np.exp(A @ v))) @ A / n
        h = 1e-5
        return np.array([(grad(w + h * e) - grad(w - h * e)) / (2 * h) for e in np.eye(len(w))])
    # the curvature is largest at w = 0 (l'' = 1/4 everywhere), and never exceeds beta
    assert np.linalg.eigvalsh(hess(np.zeros(X.shape[1]))).max() == pytest.approx(beta, rel=1e-6)
    rng = np.random.default_rng(8)
    for _ in range(5):
        assert np.linalg.eigvalsh(hess(rng.standard_normal(X.shape[1]))).max() <= beta + 1e-8


# ---------------------------------------------------------------- the perceptron lemma

def test_perceptron_lemma():
    X, y = _data(seed=9)
    A = y[:, None] * X
    beta = proofs.logistic_smoothness(X, y)
    w_hat = ib.max_margin(X, y).w_hat
    w0 = np.random.default_rng(9).standard_normal(X.shape[1])
    for eta in (1.0, 1 / beta):
        W = _naive_logistic_gd(X, y, eta, 500, w0)
        Z = [w0 + r * w_hat for r in (0.5, 2.0, 5.0, 20.0)]
        together = proofs.perceptron_argument(X, y, W, Z, step=eta)
        for z, arg in zip(Z, together):
            step = proofs.perceptron_inequality(X, y, W, z, step=eta)
            d2 = np.sum((W - z) ** 2, axis=1)
            R = np.array([_naive_logistic_risk(A, w) for w in W])
            Rz = _naive_logistic_risk(A, z)
            np.testing.assert_allclose(step.lhs, np.diff(d2), atol=1e-9)
            np.testing.assert_allclose(step.rhs, 2 * eta * (Rz - R[1:]), atol=1e-12)
            assert step.is_the_update and step.violation() <= 0
            bound = proofs.perceptron_bound(X, y, W, z, step=eta)
            t = np.arange(1, len(W))
            np.testing.assert_allclose(bound.lhs, d2[1:] / (2 * eta * t) + R[1:], rtol=1e-10)
            np.testing.assert_allclose(bound.rhs, d2[0] / (2 * eta * t) + Rz, rtol=1e-10)
            assert bound.violation() <= 0
            dist, two_z, active = proofs.perceptron_norm_bound(X, y, W, z)
            np.testing.assert_array_equal(active, R >= Rz)
            assert two_z == pytest.approx(np.linalg.norm(z - w0) * 2)
            assert np.all(dist[active] <= two_z)
            np.testing.assert_array_equal(arg.step.lhs, step.lhs)
            np.testing.assert_array_equal(arg.bound.rhs, bound.rhs)
            np.testing.assert_array_equal(arg.active, active)
    with pytest.raises(ValueError, match="1/beta"):
        proofs.perceptron_inequality(X, y, W, z, step=1.5 / beta)
    with pytest.raises(ValueError, match="smooth"):
        proofs.perceptron_bound(X, y, W, z, step=1.0, loss="exp")


def test_perceptron_inequality_can_fail_beyond_its_step_condition():
    """Far above 1/beta GD overshoots and the per-step inequality breaks: it is not vacuous."""
    X, y = _data(seed=10)
    beta = proofs.logistic_smoothness(X, y)
    eta = 8 / beta
    W = _naive_logistic_gd(X, y, eta, 50, np.zeros(X.shape[1]))
    A = y[:, None] * X
    z = np.zeros(X.shape[1])
    d2 = np.sum((W - z) ** 2, axis=1)
    R = np.array([_naive_logistic_risk(A, w) for w in W])
    assert np.any(np.diff(d2) > 2 * eta * (_naive_logistic_risk(A, z) - R[1:]) + 1e-9)


def test_perceptron_checks_fail_for_another_algorithm():
    """GD with step 1 checked as a run with step 1/2 satisfies the bare per-step inequality
    (it travels further towards z) but not the update; momentum and normalized steps fail."""
    X, y = _data(seed=15)
    w_hat = ib.max_margin(X, y).w_hat
    w0 = np.random.default_rng(15).standard_normal(X.shape[1])
    z = w0 + 3 * w_hat
    good = proofs.perceptron_inequality(X, y, _naive_logistic_gd(X, y, 0.5, 300, w0), z,
                                        step=0.5)
    assert good.violation() <= 0
    other = [_naive_logistic_gd(X, y, 1.0, 300, w0),
             _naive_logistic_gd(X, y, 0.5, 300, w0, momentum=0.5),
             _naive_logistic_gd(X, y, 0.5, 300, w0, normalized=True)]
    for W in other:
        for fn in (proofs.perceptron_inequality, proofs.perceptron_bound):
            assert fn(X, y, W, z, step=0.5).violation() == math.inf
    bare = proofs.perceptron_inequality(X, y, other[0], z, step=0.5)
    assert np.all(bare.lhs <= bare.rhs)


def test_distance_to_beat_is_a_valid_and_sharp_radius():
    # one example a = e_1 from w0 = 0: R(w) = l(w_1), and the radius is exact
    X = np.array([[1.0, 0.0]]); y = np.array([1.0])
    for loss, inv in (("logistic", lambda s: -np.log(np.expm1(s))), ("exp", lambda s: -np.log(s))):
        rho = proofs.distance_to_beat(X, y, np.zeros(2), np.log(0.01), [1.0], loss=loss)
        assert rho == pytest.approx(inv(0.01))
        assert ib.risk(X, y, np.array([rho, 0.0]), loss=loss) == pytest.approx(0.01)
    # planted data, random w0: no point inside the radius beats the target risk
    X, y = _data(seed=16)
    svm = ib.max_margin(X, y)
    rng = np.random.default_rng(16)
    w0 = rng.standard_normal(X.shape[1])
    z = w0 + 8 * svm.w_hat
    log_Rz = ib.log_risk_of(X, y, z, loss="logistic")
    rho = proofs.distance_to_beat(X, y, w0, log_Rz, svm.dual)
    assert 0 < rho < np.linalg.norm(z - w0)
    V = rng.standard_normal((2000, X.shape[1]))
    V *= rho * rng.random((2000, 1)) ** (1 / X.shape[1]) / np.linalg.norm(V, axis=1, keepdims=True)
    V = np.vstack([V, rho * svm.direction])                     # the most promising one
    assert min(ib.log_risk_of(X, y, w0 + v, loss="logistic") for v in V) >= log_Rz
    with pytest.raises(ValueError, match="weights"):
        proofs.distance_to_beat(X, y, w0, log_Rz, -svm.dual)


# ---------------------------------------------------------------- Novikoff

def test_novikoff_inequalities_on_the_perceptron_and_the_tight_case():
    X, y = _data(n=200, d=5, seed=17, margin=0.1)
    svm = ib.max_margin(X, y)
    run = ib.perceptron(X, y, max_epochs=1000, seed=3)
    W = intro_exp.mistake_path(X, y, max_epochs=1000, seed=3)
    assert len(W) - 1 == run.mistakes
    np.testing.assert_allclose(W[-1], run.w, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(W[1:], axis=1), run.mistake_norms, atol=1e-12)
    progress, norm = proofs.novikoff_inequalities(X, y, W, svm.direction)
    assert progress.is_the_update and progress.violation() <= 0 and norm.violation() <= 0
    k = np.arange(1, run.mistakes + 1)
    np.testing.assert_allclose(progress.rhs, W[1:] @ svm.direction)
    np.testing.assert_allclose(norm.rhs, k * np.linalg.norm(X, axis=1).max() ** 2)
    # the signed basis: both inequalities are equalities, and there are exactly d mistakes
    Xt, yt = intro_exp.signed_basis(12, seed=4)
    Wt = intro_exp.mistake_path(Xt, yt, max_epochs=10, seed=4)
    assert len(Wt) - 1 == 12
    pt, nt = proofs.novikoff_inequalities(Xt, yt, Wt, ib.max_margin(Xt, yt).direction)
    np.testing.assert_allclose(pt.lhs, pt.rhs, rtol=1e-9)
    np.testing.assert_allclose(nt.lhs, nt.rhs, rtol=1e-12)


def test_novikoff_checks_fail_for_another_algorithm():
    """Updates on correctly classified examples, doubled updates, or a margin perceptron are
    not the perceptron: the update check fails (and the norm bound itself breaks)."""
    X, y = _data(n=200, d=5, seed=18, margin=0.1)
    u = ib.max_margin(X, y).direction
    A = y[:, None] * X
    rng = np.random.default_rng(18)

    def path(rule):
        w, W = np.zeros(X.shape[1]), [np.zeros(X.shape[1])]
        for i in rng.permutation(len(A)):
            step = rule(A[i], w)
            if step is not None:
                w = w + step
                W.append(w)
        return np.array(W)
    variants = [lambda a, w: a,                                   # update on every example
                lambda a, w: 2 * a if a @ w <= 0 else None,        # doubled step
                lambda a, w: a if a @ w <= 0.5 else None]          # margin perceptron
    for rule in variants:
        progress, norm = proofs.novikoff_inequalities(X, y, path(rule), u)
        assert progress.violation() == math.inf and norm.violation() == math.inf
    every = path(variants[0])
    _, norm = proofs.novikoff_inequalities(X, y, every, u)
    assert np.any(norm.lhs > norm.rhs)
    with pytest.raises(ValueError, match="w_0 = 0"):
        proofs.novikoff_inequalities(X, y, every + 1, u)
