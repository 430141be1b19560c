"""The instance on which coordinate descent is slow (chapter *Explicit versus implicit bias*,
theorem thm-slow-cd): the relative difference sets, the translate dictionary, the closed-form
L1 max margin, and the coset lock of AdaBoost, checked in exact rational arithmetic with
several tie-breaking rules, independently of ``ib.adaboost``."""
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib.boosting import cyclic_dictionary, relative_difference_set
from ibias_lib.experiments.explicit_implicit import coset_mass_outside, slow_cd_instance


def subgroup(q):
    return set(range(0, q * q - 1, q + 1))


@pytest.mark.parametrize("q", [2, 3, 4, 5, 7, 8])
def test_relative_difference_set_property(q):
    """Every residue outside N = (q+1)Z_m is a difference of exactly one ordered pair, no
    nonzero element of N is one (counted directly, not with the search's bookkeeping)."""
    m = q * q - 1
    D = relative_difference_set(q)
    assert len(D) == q and D[0] == 0 and np.all(np.diff(D) > 0) and D[-1] < m
    counts = Counter((a - b) % m for a in D for b in D if a != b)
    N = subgroup(q)
    for x in range(1, m):
        assert counts.get(x, 0) == (0 if x in N else 1), (q, x)


@pytest.mark.parametrize("q,message", [(6, "prime power"), (1, "q"), (10, "too large")])
def test_relative_difference_set_errors(q, message):
    with pytest.raises(ValueError, match=message):
        relative_difference_set(q)


@pytest.mark.parametrize("q", [4, 5])
def test_translates_meet_like_an_affine_plane(q):
    """The structure the proof uses: D + k and D + j are disjoint when k - j lies in
    N \\ {0}, and meet in exactly one example otherwise."""
    m = q * q - 1
    A = cyclic_dictionary(m, relative_difference_set(q))
    wrong = (A < 0).astype(int)
    meet = wrong.T @ wrong
    N = subgroup(q)
    for k in range(m):
        for j in range(m):
            expected = q if k == j else (0 if (k - j) % m in N else 1)
            assert meet[k, j] == expected
    # the q - 1 translates of a coset cover q(q - 1) examples; q - 1 are left over
    for c in range(q + 1):
        covered = wrong[:, [k for k in range(m) if k % (q + 1) == c]].sum(axis=1)
        assert sorted(Counter(covered).items()) == [(0, q - 1), (1, q * (q - 1))]


def test_cyclic_dictionary_entries_and_errors():
    A = cyclic_dictionary(7, [0, 1, 3])
    assert A.shape == (7, 7) and set(np.unique(A)) == {-1.0, 1.0}
    assert np.array_equal(A, np.roll(np.roll(A, 1, axis=0), 1, axis=1))    # circulant
    assert sorted(np.flatnonzero(A[:, 2] < 0)) == [2, 3, 5]                 # D + 2
    assert np.array_equal(cyclic_dictionary(7, [7, 8, 10]), A)             # residues mod m
    with pytest.raises(ValueError, match="distinct"):
        cyclic_dictionary(7, [0, 7])
    with pytest.raises(ValueError, match="half"):
        cyclic_dictionary(6, [0, 1, 2])
    with pytest.raises(ValueError, match="integers"):
        cyclic_dictionary(7, [0.5, 1.0])
    with pytest.raises(ValueError, match="integers"):
        cyclic_dictionary(7, [])


@pytest.mark.parametrize("q", [4, 5])
def test_l1_max_margin_closed_form(q):
    """gamma_1* = 1 - 2q/(q^2 - 1): uniform weights give every example that margin, and the
    uniform distribution gives every hypothesis that edge (weak duality closes the gap)."""
    m = q * q - 1
    A = cyclic_dictionary(m, relative_difference_set(q))
    closed = 1 - 2 * q / m
    np.testing.assert_allclose(A @ np.full(m, 1 / m), closed, rtol=1e-14)
    np.testing.assert_allclose(A.T @ np.full(m, 1 / m), closed, rtol=1e-14)
    assert ib.max_margin_l1(A, np.ones(m)).gamma == pytest.approx(closed, rel=1e-9)


def exact_adaboost_picks(A, n_steps, tie):
    """AdaBoost in exact rational arithmetic, D_{t+1}(i) = D_t(i)/(1 + r_t s_t A_{i j_t})
    (Rudin, Schapire & Daubechies 2012); ``tie`` picks among the maximal |edges|. Returns the
    picked (column, sign) pairs and the edges."""
    m, N = A.shape
    A = [[int(v) for v in row] for row in A]
    D = [Fraction(1, m)] * m
    picks, edges = [], []
    for _ in range(n_steps):
        e = [sum(D[i] * A[i][j] for i in range(m)) for j in range(N)]
        best = max(abs(v) for v in e)
        j = tie([k for k in range(N) if abs(e[k]) == best])
        s = 1 if e[j] > 0 else -1
        r = abs(e[j])
        D = [D[i] / (1 + r * s * A[i][j]) for i in range(m)]
        assert sum(D) == 1                        # the update needs no normalization
        picks.append((j, s))
        edges.append(r)
    return picks, edges


@pytest.mark.parametrize("q", [4, 5])
@pytest.mark.parametrize("rule", ["smallest", "largest", "random"])
def test_exact_adaboost_locks_into_a_coset(q, rule):
    """Theorem thm-slow-cd (b), with exact arithmetic (so ties are genuine ties) and three
    tie-breaking rules: every pick is a positive step on the coset of the first pick."""
    m = q * q - 1
    A = cyclic_dictionary(m, relative_difference_set(q))
    rng = np.random.default_rng(q)
    tie = {"smallest": min, "largest": max,
           "random": lambda ks: ks[int(rng.integers(len(ks)))]}[rule]
    picks, edges = exact_adaboost_picks(A, 30, tie)
    first = picks[0][0] % (q + 1)
    assert all(j % (q + 1) == first and s == 1 for j, s in picks)
    assert edges[0] == Fraction(m - 2 * q, m)          # step 1: every hypothesis ties
    assert len({j for j, _ in picks}) == q - 1         # the whole coset is used


@pytest.mark.parametrize("q", [4, 5])
def test_library_adaboost_matches_the_exact_edges(q):
    """ib.adaboost (log domain, float tie-breaking) has the same edge sequence as the exact
    computation: by the cyclic symmetry it does not depend on which coset is locked."""
    m = q * q - 1
    A = cyclic_dictionary(m, relative_difference_set(q))
    _, exact = exact_adaboost_picks(A, 25, min)
    tr = ib.adaboost(A, np.ones(m), n_steps=25, record_at=np.arange(1, 26))   # edge of step t
    np.testing.assert_allclose(tr.extra["edge"], [float(r) for r in exact], rtol=1e-12)


@pytest.mark.parametrize("q", [4, 5])
def test_margin_on_a_coset_is_at_most_the_floor(q):
    """Theorem thm-slow-cd (c): any nonnegative combination of one coset's hypotheses has
    L1 margin <= (q - 3)/(q - 1) = gamma_1* - 2/(q^2 - 1), with equality for equal weights."""
    m = q * q - 1
    A = cyclic_dictionary(m, relative_difference_set(q))
    y = np.ones(m)
    bound = (q - 3) / (q - 1)
    assert 1 - 2 * q / m - bound == pytest.approx(2 / m, rel=1e-12)
    rng = np.random.default_rng(0)
    for c in range(q + 1):
        coset = [k for k in range(m) if k % (q + 1) == c]
        for _ in range(50):
            lam = np.zeros(m)
            lam[coset] = rng.exponential(size=len(coset))
            assert ib.l1_margin(A, y, lam) <= bound + 1e-12
        lam = np.zeros(m)
        lam[coset] = 1.0
        assert ib.l1_margin(A, y, lam) == pytest.approx(bound, rel=1e-12)


def test_golden_ratio_cycle_for_q4():
    """For q = 4 the coset dynamics is AdaBoost on three blocks, each hypothesis wrong on one
    of them; its fixed point a = (1 - 2a)/(4(1 - a)) gives the edge 1 - 2a = (sqrt 5 - 1)/2."""
    A = cyclic_dictionary(15, relative_difference_set(4))
    tr = ib.adaboost(A, np.ones(15), n_steps=400, record_at=np.arange(395, 401))
    np.testing.assert_allclose(tr.extra["edge"], (np.sqrt(5) - 1) / 2, rtol=1e-10)


def test_shrinkage_leaves_the_coset():
    """The lock needs the exact line search: with shrinkage 0.1 AdaBoost spreads its weight
    over other cosets (so the coset_lock statistic can fail)."""
    H, y, translate = slow_cd_instance(4, seed=0)
    tr = ib.adaboost(H, y, shrinkage=0.1, n_steps=2000, num_records=2)
    assert coset_mass_outside(tr.w[-1], translate, 4) > 0.3
    plain = ib.adaboost(H, y, n_steps=2000, num_records=2)
    assert coset_mass_outside(plain.w[-1], translate, 4) == 0.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relabelling_and_repeats_do_not_change_adaboost(seed):
    """slow_cd_instance permutes, negates and repeats hypotheses and flips labels: the L1 max
    margin and AdaBoost's margins are those of the plain instance."""
    q, m = 4, 15
    H, y, _ = slow_cd_instance(q, seed)
    A = cyclic_dictionary(m, relative_difference_set(q))
    rec = ib.log_spaced_steps(3000, 30)
    a = ib.adaboost(H, y, n_steps=3000, record_at=rec)
    b = ib.adaboost(A, np.ones(m), n_steps=3000, record_at=rec)
    np.testing.assert_allclose(a.margin, b.margin, rtol=1e-9, atol=1e-12)
    assert ib.max_margin_l1(H, y).gamma == pytest.approx(1 - 8 / 15, rel=1e-9)


def test_gd_needs_the_repeats_to_have_a_transient():
    """Without repeated hypotheses normalized GD from 0 stays on the symmetric direction (all
    margins equal), so its l2 gap is 0 at every step: the repeats make the GD claims
    non-trivial."""
    A = cyclic_dictionary(15, relative_difference_set(4))
    X, y = A / np.sqrt(15), np.ones(15)
    gamma2 = ib.max_margin(X, y).gamma
    tr = ib.normalized_gd(X, y, n_steps=200, num_records=10)
    assert np.max(np.abs(gamma2 - tr.margin)) < 1e-12
    H, y2, _ = slow_cd_instance(4, seed=0)
    X2 = H / np.sqrt(H.shape[1])
    tr2 = ib.normalized_gd(X2, y2, n_steps=200, num_records=10)
    assert np.min(ib.max_margin(X2, y2).gamma - tr2.margin) > 1e-4
