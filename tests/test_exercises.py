"""The exercise checks accept the reference answers and reject wrong ones with a hint."""
import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib.exercises import ExerciseError, all_checks
from ibias_lib.exercises import rates


def test_registry_is_consistent():
    checks = all_checks()
    assert "ex-rates-logistic" in checks
    for label, chk in checks.items():
        assert label.startswith("ex-") and chk.variable.startswith("answer_") and chk.points > 0


def test_rates_checks():
    X, y = ib.planted_data(100, 10, margin=0.05, seed=0)
    gamma = ib.max_margin(X, y).gamma
    tr = ib.normalized_gd(X, y, loss="logistic", n_steps=20_000)
    sel = tr.steps >= 1000
    slope = np.polyfit(np.log(tr.steps[sel]), np.log(gamma - tr.margin[sel]), 1)[0]
    assert "Correct" in rates.check_normalized_slope(slope)
    for wrong, hint in [(0.5, "positive"), (-0.3, "outside"), ("x", "expected a number"),
                        (np.nan, "not finite")]:
        with pytest.raises(ExerciseError, match=hint):
            rates.check_normalized_slope(wrong)
    with pytest.raises(ExerciseError, match="integer"):
        rates.check_steps_to_gap(1.5, 3)
    with pytest.raises(ExerciseError, match="too early"):
        rates.check_steps_to_gap(1, 1)
