"""The regpath exercise check accepts the reference answer and rejects slips with a hint."""
import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib.exercises import ExerciseError, all_checks
from ibias_lib.exercises import regpath


def _run():
    X, y = ib.planted_data(40, 2, margin=0.1, seed=0)
    tr = ib.gd(X, y, loss="exp", step=1.0, n_steps=1000, record_at=np.array([1000]))
    return X, y, tr.w[-1]


def test_registered():
    chk = all_checks()["ex-regpath-exp"]
    assert chk.variable == "answer_regpath_exp_angle" and chk.check is regpath.check_exp_angle


def test_reference_answer_passes():
    X, y, w = _run()
    w_bar = ib.constrained_minimizer(X, y, np.linalg.norm(w), loss="exp").w
    # An independent angle formula (arccos is accurate enough at this size).
    cos = w @ w_bar / (np.linalg.norm(w) * np.linalg.norm(w_bar))
    assert "Correct" in regpath.check_exp_angle(np.arccos(min(cos, 1.0)))


def test_wrong_answers_get_hints():
    X, y, w = _run()
    w_log = ib.constrained_minimizer(X, y, np.linalg.norm(w), loss="logistic").w
    with pytest.raises(ExerciseError, match="logistic"):
        regpath.check_exp_angle(ib.angle(w, w_log))
    with pytest.raises(ExerciseError, match="max-margin direction"):
        regpath.check_exp_angle(ib.angle(w, ib.max_margin(X, y).direction))
    with pytest.raises(ExerciseError, match="far too large"):
        regpath.check_exp_angle(5.0)
    with pytest.raises(ExerciseError, match="expected a number"):
        regpath.check_exp_angle("small")
    with pytest.raises(ExerciseError, match="finite number"):
        regpath.check_exp_angle(np.nan)
    with pytest.raises(ExerciseError, match="not the expected angle"):
        regpath.check_exp_angle(1e-6)
