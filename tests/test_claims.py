"""Every claim of the book over its seed/size sweep (ibias_lib.claims), and the committed
ledger (book/_data/claims/*.json) against a fresh run.

The criterion asserted here is the chapter's own: each test calls the experiment function the
chapter calls and the Claim's check. A run listed in ``known_failures`` must fail (and the
ledger must say so); every other run must pass.
"""
import math

import pytest

from ibias_lib import claims

CASES = claims.sweep_cases()
LEDGER = claims.load_ledger()


def _param(case):
    e = claims.find_experiment(case[0])
    marks = [pytest.mark.slow] if e.slow else []
    return pytest.param(*case, id=f"{case[0]}-{case[1]}-seed{case[2]}", marks=marks)


@pytest.mark.parametrize("key,size,seed", [_param(c) for c in CASES])
def test_claims_hold_over_the_sweep(key, size, seed):
    e = claims.find_experiment(key)
    checks = claims.evaluate(e, e.run(seed=seed, size=size))
    wrong = []
    for ck, chk in checks.items():
        expected_fail = (ck, size, seed) in e.known_failures
        if chk.passed == expected_fail:
            wrong.append(f"{ck}: statistic {chk.statistic!r}, window {chk.window()}"
                         + (" (listed as a known failure but passed)" if expected_fail else ""))
    assert not wrong, "\n".join(wrong)
    recorded = LEDGER.get(key, {}).get(size, {}).get(str(seed))
    assert recorded is not None, (f"the ledger has no entry for {key} {size} seed {seed}: "
                                  f"run 'python -m ibias_lib.claims sweep {key}'")
    for ck, chk in checks.items():
        assert ck in recorded, f"ledger lacks claim {ck}: rerun the sweep for {key}"
        stat = recorded[ck][0]
        assert math.isclose(stat, chk.statistic, rel_tol=1e-6, abs_tol=1e-12), (
            f"ledger is stale for {ck} ({key} {size} seed {seed}): recorded {stat!r}, "
            f"now {chk.statistic!r}; run 'python -m ibias_lib.claims sweep {key}'")


def test_every_experiment_has_ledger_and_claims():
    keys = [e.key for e in claims.experiments()]
    assert len(keys) == len(set(keys))
    for e in claims.experiments():
        assert e.claims, f"{e.key} asserts no claim"
        assert sum(n for _, n in e.sweep) >= 10, f"{e.key}: fewer than 10 seeds swept"
        assert max(n for _, n in e.sweep) >= 10, f"{e.key}: no size with 10 seeds"
        assert e.key in LEDGER, f"no ledger file for {e.key}"
        for k, size, seed in e.known_failures:
            assert k in {c.key for c in e.claims}
            assert (size, seed) in {(s, i) for s, n in e.sweep for i in range(n)}


def test_claim_sources_are_in_the_bibliography():
    from pathlib import Path
    bib = (Path(__file__).resolve().parent.parent / "book" / "references.bib").read_text()
    for e in claims.experiments():
        for c in e.claims:
            if c.source:
                assert "{" + c.source + "," in bib, f"{c.key}: {c.source} not in references.bib"


def test_check_window_and_verdict():
    assert claims.Check(1.0, 0.0, 2.0).passed
    assert not claims.Check(3.0, 0.0, 2.0).passed
    assert not claims.Check(float("nan")).passed
    assert not claims.Check(float("inf")).passed
    with pytest.raises(ValueError, match="kind"):
        claims.Claim("a.b", "s", "", "", "c", lambda r: None, kind="guess")


def test_assert_claims_raises_naming_the_failing_claim(capsys):
    ok = claims.Claim("toy.ok", "s", "", "", "x in [0, 1]", lambda r: claims.Check(r, 0, 1))
    bad = claims.Claim("toy.bad", "s", "", "", "x >= 2", lambda r: claims.Check(r, 2))
    e = claims.Experiment("toy", "x", lambda seed, size: seed, (ok, bad))
    with pytest.raises(AssertionError, match="toy.bad"):
        claims.assert_claims(e, 0.5)
    assert "holds  toy.ok" in capsys.readouterr().out
