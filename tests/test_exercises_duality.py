"""The duality chapter's exercise checks accept the reference answers and reject wrong ones."""
import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib.exercises import ExerciseError, all_checks
from ibias_lib.exercises import duality


@pytest.fixture(scope="module")
def data():
    return ib.planted_data(100, 10, margin=0.05, seed=0)


def mirror_descent(A, steps):
    """Entropic mirror descent on f(q) = ||A^T q||^2 / 2 over the simplex, step 1, in logs."""
    logq = np.full(A.shape[0], -np.log(A.shape[0]))
    for _ in range(steps):
        q = np.exp(logq - logq.max())
        q /= q.sum()
        logq = logq - A @ (A.T @ q)
    q = np.exp(logq - logq.max())
    return q / q.sum()


def test_registered():
    checks = all_checks()
    assert {"ex-duality-mirror", "ex-duality-first"} <= set(checks)
    assert checks["ex-duality-mirror"].variable == "answer_duality_mirror_upper"


def test_mirror_reference_passes_and_wrong_answers_fail(data):
    X, y = data
    A = y[:, None] * X
    answer = np.linalg.norm(A.T @ mirror_descent(A, 500))
    assert "Correct" in duality.check_mirror_upper(answer)
    gamma = ib.max_margin(X, y).gamma
    with pytest.raises(ExerciseError, match="below the max margin"):
        duality.check_mirror_upper(0.5 * gamma)
    with pytest.raises(ExerciseError, match="not the one"):
        duality.check_mirror_upper(np.linalg.norm(A.T @ mirror_descent(A, 499)))
    with pytest.raises(ExerciseError, match="expected a number"):
        duality.check_mirror_upper("abc")
    with pytest.raises(ExerciseError, match="not finite"):
        duality.check_mirror_upper(np.inf)


def test_first_certified_step(data):
    X, y = data
    tr = ib.fast_margin_trace(X, y, n_steps=3000, record_at=np.arange(1, 3001))
    up = tr.extra["upper"]
    t = int(tr.steps[np.flatnonzero(up - tr.margin <= 1e-3 * up)[0]])
    assert "Correct" in duality.check_first_certified_step(t)
    with pytest.raises(ExerciseError, match="too early"):
        duality.check_first_certified_step(t - 1)
    with pytest.raises(ExerciseError, match="too late"):
        duality.check_first_certified_step(t + 1)
    with pytest.raises(ExerciseError, match="integer"):
        duality.check_first_certified_step(float(t))
