"""The logistic-chapter exercise check accepts the reference answer and rejects slips with a
hint."""
import numpy as np
import pytest
from scipy.optimize import minimize

import ibias_lib as ib
from ibias_lib.exercises import ExerciseError, all_checks
from ibias_lib.exercises import logistic


def _data():
    return ib.nonseparable_data(12, 16, 4, tight_dim=2, margin=0.2, seed=3)


def test_registered():
    chk = all_checks()["ex-logistic-decompose"]
    assert chk.variable == "answer_logistic_decomposition" and chk.points > 0


def test_reference_answer_passes():
    X, y = _data()
    dec = ib.separable_decomposition(X, y)
    # The offset from an independent solver: BFGS on the tight part's risk in V coordinates.
    A = (y[:, None] * X)[dec.tight] @ dec.basis_tight
    res = minimize(lambda z: np.exp(-A @ z).sum() / len(y), np.zeros(A.shape[1]),
                   method="BFGS", options={"gtol": 1e-13})
    norm = float(np.linalg.norm(res.x))
    exact = np.linalg.norm(ib.tight_minimizer(X, y, loss="exp", decomposition=dec))
    assert abs(norm - exact) < 1e-6
    assert "Correct" in logistic.check_decomposition((int(dec.separable.sum()), exact))
    assert "Correct" in logistic.check_decomposition((np.int64(12), np.float64(exact)))


def test_wrong_answers_get_hints():
    X, y = _data()
    dec = ib.separable_decomposition(X, y)
    v_log = np.linalg.norm(ib.tight_minimizer(X, y, loss="logistic", decomposition=dec))
    v_exp = np.linalg.norm(ib.tight_minimizer(X, y, loss="exp", decomposition=dec))
    cases = [((12, v_log), "logistic"), ((16, v_exp), "tight part"),
             ((11, v_exp), "maximal separable"), ((12, 0.0), "not zero"),
             ((12, 2 * v_exp), "not right"), ((12.0, v_exp), "integer"),
             ((True, v_exp), "integer"), (12, "pair"), ((12, "x"), "number"),
             ((12, -1.0), "finite number")]
    for answer, hint in cases:
        with pytest.raises(ExerciseError, match=hint):
            logistic.check_decomposition(answer)
