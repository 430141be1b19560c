"""The chapter's exercise checks accept the reference answers and reject wrong ones."""
import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib.exercises import ExerciseError, all_checks
from ibias_lib.exercises import explicit_implicit as ex


def test_registered():
    checks = all_checks()
    for label in ("ex-explicit-implicit-bandwidth", "ex-explicit-implicit-shrinkage"):
        assert checks[label] is ex.CHECKS[label]


def reference_margins(data):
    X, y = data
    return [ib.kernel_max_margin(ib.rbf_kernel(X, bandwidth=s), y).gamma for s in ex.BANDWIDTHS]


@pytest.fixture(scope="module")
def chapter_data():
    return ib.rings_data(40, seed=0)


def test_bandwidth_check_accepts_the_reference(chapter_data):
    ref = reference_margins(chapter_data)
    assert "Correct" in ex.check_bandwidth_margins(ref)
    assert "Correct" in ex.CHECKS["ex-explicit-implicit-bandwidth"].check(tuple(ref))


def test_bandwidth_check_rejects_with_hints(chapter_data):
    X, y = chapter_data
    ref = np.array(reference_margins(chapter_data))
    sk_gamma = [ib.kernel_max_margin(ib.rbf_kernel(X, bandwidth=1 / np.sqrt(2 * s)), y).gamma
                for s in ex.BANDWIDTHS]
    wrong = ref.copy()
    wrong[2] *= 1.1
    for answer, hint in [(ref[:3], "one margin per bandwidth"), ("abc", "sequence"),
                         (-ref, "positive"), (ref * 10, "above 1"), (sk_gamma, "scikit-learn"),
                         (ref[::-1], "reverse"), (wrong, "bandwidth 0.3")]:
        with pytest.raises(ExerciseError, match=hint):
            ex.check_bandwidth_margins(answer)


def first_hit(H, y, g, nu):
    tr = ib.adaboost(H, y, shrinkage=nu, n_steps=5000, record_at=np.arange(1, 5001))
    return int(tr.steps[np.flatnonzero(tr.margin >= 0.95 * g)[0]])


def test_shrinkage_check(chapter_data):
    X, y = chapter_data
    H = ib.stump_values(ib.decision_stumps(X), X)
    g = ib.max_margin_l1(H, y).gamma
    t1, t2 = first_hit(H, y, g, 1.0), first_hit(H, y, g, 0.2)
    assert t1 < t2
    assert "Correct" in ex.CHECKS["ex-explicit-implicit-shrinkage"].check((t1, t2))
    with pytest.raises(ExerciseError, match="integer"):
        ex.check_shrinkage_steps(float(t1), t2)
    with pytest.raises(ExerciseError, match="too early"):
        ex.check_shrinkage_steps(t1 - 1, t2)
    with pytest.raises(ExerciseError, match="too late"):
        ex.check_shrinkage_steps(t1, t2 + 1)
