"""Checks of the beyond-homogeneity chapter's exercise."""
import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib.exercises import ExerciseError, all_checks
from ibias_lib.exercises import beyond as ex


def test_registered():
    assert all_checks()["ex-beyond-selection"].variable == "answer_beyond_selection"


def test_selection():
    X, Z, y, v, _ = ib.token_data(20, 5, 8, seed=0)
    tr = ib.train_attention(X, Z, v, y, loss="logistic", step=0.1, n_steps=3000, num_records=3)
    frac = float(np.mean(tr.selected() == ib.optimal_tokens(X, v, y)))
    assert 0 < frac < 1
    assert "Correct" in ex.check_selection(frac)
    for wrong, hint in [(1.0, "not every sequence"), (frac - 0.05, "does not match"),
                        (1.5, "not a fraction"), ([0.5], "expected a number")]:
        with pytest.raises(ExerciseError, match=hint):
            ex.check_selection(wrong)
