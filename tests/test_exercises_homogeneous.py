"""Checks of the homogeneous chapter's exercises: reference answers pass, wrong ones get hints."""
import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib.exercises import ExerciseError, all_checks
from ibias_lib.exercises import homogeneous as ex


def test_registered():
    checks = all_checks()
    assert checks["ex-homogeneous-degree"].variable == "answer_homogeneous_degree"
    assert checks["ex-homogeneous-svm-net"].variable == "answer_homogeneous_svm_net"


def test_degree():
    X, _ = ib.xor_data(30, 10, seed=0)
    p = ib.init_network(np.random.default_rng(0), (10, 8, 8, 1), scale=1.0)
    f1 = ib.forward(p, X, activation="relu2")
    f2 = ib.forward([2 * W for W in p], X, activation="relu2")
    keep = f1 != 0
    assert "Correct" in ex.check_degree(np.median(np.log2(f2[keep] / f1[keep])))
    for wrong, hint in [(3, "number of layers"), (8.0, "off by one"), (6, "off by one"),
                        (5.3, "not an integer"), ("seven", "expected a number"),
                        (np.nan, "not finite")]:
        with pytest.raises(ExerciseError, match=hint):
            ex.check_degree(wrong)


def test_svm_net():
    X, y = ib.planted_data(40, 5, margin=0.1, seed=7)
    u = ib.max_margin(X, y).direction
    r = ib.kkt_residual([np.vstack([u, -u]), np.array([[1.0, -1.0]])], X, y, tol=0.05)
    assert 0.5 < r < 1                                  # independent of the check: far from KKT
    assert "Correct" in ex.check_svm_net(r)
    for wrong, hint in [(0.0, "a residual of 0"), (1.5, "outside"), (r + 0.01, "does not match"),
                        (None, "expected a number")]:
        with pytest.raises(ExerciseError, match=hint):
            ex.check_svm_net(wrong)
