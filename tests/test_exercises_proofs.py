"""The proof-techniques exercise check accepts the reference answer and rejects slips with a
hint."""
import math

import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib.exercises import ExerciseError, all_checks
from ibias_lib.exercises import proofs


def _reference():
    """First t with B_t >= 0, computed here from a hand-written normalized GD."""
    X, y = ib.planted_data(50, 5, margin=0.2, seed=0)
    A = y[:, None] * X
    w = np.zeros(X.shape[1])
    total = 0.0
    for t in range(1, 401):
        q = np.exp(-(A @ w)); q /= q.sum()
        g = q @ A
        total += 0.5 * g @ g                       # eta (1 - eta/2) ||g_{t-1}||^2, eta = 1
        if total >= np.log(len(y)):
            break
        w = w + g
    gamma = ib.max_margin(X, y).gamma
    return t, math.ceil(2 * np.log(len(y)) / gamma ** 2)


def test_registered():
    chk = all_checks()["ex-proofs-certify"]
    assert chk.variable == "answer_proofs_certified_step" and chk.points > 0


def test_reference_answer_passes():
    t, closed = _reference()
    assert t < closed
    assert "Correct" in proofs.check_certified_step(t)
    assert "Correct" in proofs.check_certified_step(np.int64(t))


def test_wrong_answers_get_hints():
    t, closed = _reference()
    cases = [(closed, "closed-form"), (t - 1, "off by one"), (t + 1, "off by one"),
             (5, "too early"), (1000, "too late"), (float(t), "integer"), (True, "integer")]
    for value, hint in cases:
        with pytest.raises(ExerciseError, match=hint):
            proofs.check_certified_step(value)
