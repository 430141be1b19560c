"""Checks of the deep linear chapter's exercise."""
import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib.exercises import ExerciseError, all_checks
from ibias_lib.exercises import deep_linear as ex


def test_registered():
    assert all_checks()["ex-deep-linear-fro"].variable == "answer_deep_linear_fro2"


def test_fro2():
    p0 = ib.init_network(np.random.default_rng(0), (5, 8, 8, 1), scale=0.3)
    D = ib.layer_balance(p0)
    B1 = sum(np.linalg.norm(Di, "nuc") for Di in D)
    assert "Correct" in ex.check_fro2(B1 / (1 - 0.99 ** 2))
    B2 = np.linalg.norm(D[1], "nuc")
    Bf = sum(np.linalg.norm(Di) for Di in D)
    for wrong, hint in [(B2 / (1 - 0.99 ** 2), "threshold for W_2"),
                        (B1 / (1 - 0.99), "squared"), (Bf / (1 - 0.99 ** 2), "nuclear norm"),
                        (1.0, "does not match"), (-3, "positive"), ("x", "expected a number")]:
        with pytest.raises(ExerciseError, match=hint):
            ex.check_fro2(wrong)


def test_the_bound_is_valid_for_random_balanced_perturbations():
    """Part 2 of the balance proposition, on random matrices: the energy of W_j outside its top
    singular direction is at most the sum of the nuclear norms of D_i, i >= j."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        params = ib.init_network(rng, (4, 6, 5, 1), scale=rng.uniform(0.1, 2))
        D = ib.layer_balance(params)
        for j in range(2):
            tail = np.sum(np.linalg.svd(params[j], compute_uv=False)[1:] ** 2)
            assert tail <= sum(np.linalg.norm(Di, "nuc") for Di in D[j:]) + 1e-12
