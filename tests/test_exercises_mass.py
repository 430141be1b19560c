"""The mass-chapter exercise checks accept the reference answers and reject wrong ones."""
import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib.exercises import ExerciseError, all_checks
from ibias_lib.exercises import mass


def share_at_e1(alpha):
    X, y = ib.wedge_data(alpha)
    p0 = ib.init_network(np.random.default_rng(0), (2, 40, 1), scale=1e-10)
    p = ib.train_network(X, y, p0, step=0.5, n_steps=20_000,
                         record_at=np.array([20_000])).params()
    nm = ib.neuron_mass(p)
    pos = nm.sign > 0
    return nm.mass[pos & (np.abs(nm.angle) <= 5)].sum() / nm.mass[pos].sum(), nm


def test_registered():
    checks = all_checks()
    assert checks["ex-mass-threshold"].variable == "answer_mass_threshold"
    assert checks["ex-mass-near"].variable == "answer_mass_near"


def test_threshold_check():
    # reference: the LP bisection of the exercise, computed independently of the check
    def has_atom(alpha):
        r = ib.measure_max_margin(*ib.wedge_data(alpha), num_directions=3600)
        return abs(r.weights[np.isclose(r.angles, 0.0)][0]) > 1e-6
    lo, hi = 50.0, 70.0
    while hi - lo > 0.005:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if has_atom(mid) else (lo, mid)
    assert "Correct" in mass.check_threshold((lo + hi) / 2)
    for wrong, hint in [("x", "expected a number"), (np.pi / 3, "radians"), (45, "outside"),
                        (60.5, "not where"), (np.inf, "not finite")]:
        with pytest.raises(ExerciseError, match=hint):
            mass.check_threshold(wrong)


def test_near_threshold_check():
    s58, nm58 = share_at_e1(58)
    s62, _ = share_at_e1(62)
    assert s58 > 0.5 > s62
    assert "Correct" in mass.check_near_threshold(s58, s62)
    assert "Correct" in all_checks()["ex-mass-near"].check((s58, s62))
    share_of_total = nm58.mass[(nm58.sign > 0) & (np.abs(nm58.angle) <= 5)].sum() / nm58.mass.sum()
    for args, hint in [((s62, s58), "swap"), ((1.5, 0.0), "lie in"), (("a", 0.1), "expected"),
                       ((share_of_total, s62), "positive")]:
        with pytest.raises(ExerciseError, match=hint):
            mass.check_near_threshold(*args)
