import numpy as np
import pytest

import ibias_lib as ib


@pytest.mark.parametrize("seed", range(5))
def test_novikoff_bound(seed):
    X, y = ib.planted_data(200, 5, margin=0.05, seed=seed)
    gamma = ib.max_margin(X, y).gamma
    res = ib.perceptron(X, y, max_epochs=10_000, seed=seed)
    assert res.converged
    assert ib.margin(X, y, res.w) > 0
    assert res.mistakes <= 1 / gamma ** 2
    # the proof's two inequalities after each mistake k: k*gamma <= ||w|| <= sqrt(k)
    k = np.arange(1, res.mistakes + 1)
    assert np.all(k * gamma <= res.mistake_norms + 1e-12)
    assert np.all(res.mistake_norms <= np.sqrt(k) + 1e-12)


def test_perceptron_reports_non_convergence():
    X = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    y = np.array([1.0, 1.0, -1.0, -1.0])
    res = ib.perceptron(X, y, max_epochs=5)
    assert not res.converged and res.epochs == 5
