"""The duality and explicit/implicit claims fail on wrong behaviour (frozen gaps, the other
method's rate, a wrong certificate): each criterion can fail."""
import numpy as np
import pytest

from ibias_lib import claims
from ibias_lib.experiments import duality as D
from ibias_lib.experiments import explicit_implicit as EI


@pytest.fixture(scope="module")
def rates():
    return D.run_rates(seed=0, size="chapter")


def _check(exp, key, res):
    return claims.evaluate(exp, res)[key]


def _refit(res, margins):
    """Recompute the slopes of a RatesResult whose margins were replaced."""
    late = res.steps >= res.t0
    slope = {"gd": D._slope(np.log(res.steps[late]), res.gamma - margins["gd"][late])}
    for k in ("ngd", "acc"):
        slope[k] = D._slope(res.steps[late], res.gamma - margins[k][late])
    return res._replace(margin=margins, slope=slope)


def test_rates_claims_hold(rates):
    assert all(c.passed for c in claims.evaluate(D.RATES, rates).values())


def test_frozen_gap_fails_rate_windows(rates):
    frozen = {k: np.full_like(v, rates.gamma * 0.99) for k, v in rates.margin.items()}
    bad = _refit(rates, frozen)
    for key in ("ngd_slope", "gd_slope", "acc_slope"):
        assert not _check(D.RATES, f"duality_rates.{key}", bad).passed, key


def test_other_methods_rate_fails(rates):
    # normalized GD's gap passed off as the accelerated one, and vice versa
    swapped = dict(rates.margin, acc=rates.margin["ngd"], ngd=rates.margin["acc"])
    bad = _refit(rates, swapped)
    assert not _check(D.RATES, "duality_rates.acc_slope", bad).passed
    assert not _check(D.RATES, "duality_rates.ngd_slope", bad).passed
    # a 1/t gap passed off as constant-step GD's 1/ln t
    bad = _refit(rates, dict(rates.margin, gd=rates.margin["ngd"]))
    assert not _check(D.RATES, "duality_rates.gd_slope", bad).passed


def test_wrong_certificate_fails(rates):
    # an upper bound from weights not on the simplex (q summing to 1/2)
    bad = rates._replace(upper={k: v / 2 for k, v in rates.upper.items()})
    assert not _check(D.RATES, "duality_rates.certificate", bad).passed
    # a margin computed without normalizing by ||w|| (here inflated by 1 %)
    bad = rates._replace(margin={k: v * 1.01 for k, v in rates.margin.items()})
    assert not _check(D.RATES, "duality_rates.certificate", bad).passed


def test_stop_claims_fail_on_a_loose_stop():
    r = D.run_stop(seed=0, size="chapter")
    assert all(c.passed for c in claims.evaluate(D.STOP, r).values())
    loose = r._replace(margin=r.margin * (1 - 10 * r.tol), rel_gap=r.rel_gap + 10 * r.tol)
    assert not _check(D.STOP, "duality_stop.certified_gap", loose).passed
    assert not _check(D.STOP, "duality_stop.true_gap", loose).passed


def test_kernel_rate_window_fails_for_constant_steps():
    import ibias_lib as ib
    r = EI.run_kernel(seed=0, size="chapter")
    X, y = ib.rings_data(40, seed=0)
    K = ib.rbf_kernel(X, bandwidth=EI.BANDWIDTH)
    tr = ib.kernel_gd(K, y, loss="exp", normalized=False, n_steps=int(r.steps[-1]),
                      record_at=r.steps)
    late = r.steps >= r.t0
    slope = np.polyfit(np.log(r.steps[late]), np.log(r.gamma - tr.margin[late]), 1)[0]
    assert not _check(EI.KERNEL, "explicit_implicit_kernel.rate", r._replace(slope=slope)).passed


def test_indicator_stumps():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])
    H = EI.indicator_stumps(X)
    assert set(np.unique(H)) <= {0.0, 1.0}
    # every non-constant column's complement is a column too (the talk's negated stumps);
    # the constant stump's complement, all zeros, is dropped
    cols = {tuple(c) for c in H.T}
    assert all(tuple(1 - np.array(c)) in cols for c in cols if min(c) == 0)
    assert (1.0, 1.0, 1.0) in cols and (0.0, 0.0, 0.0) not in cols
