import numpy as np
import pytest

import ibias_lib as ib


@pytest.mark.parametrize("n,d,gamma", [(50, 2, 0.1), (200, 30, 0.05), (7, 1, 0.3)])
def test_planted_data_is_separable_in_the_ball(n, d, gamma):
    X, y = ib.planted_data(n, d, margin=gamma, seed=0)
    assert X.shape == (n, d) and y.shape == (n,)
    assert np.all(np.linalg.norm(X, axis=1) <= 1 + 1e-12)
    assert set(np.unique(y)) == {-1.0, 1.0}
    assert ib.max_margin(X, y).gamma >= gamma - 1e-12


def test_datasets_are_reproducible():
    a, b = ib.planted_data(30, 4, seed=5), ib.planted_data(30, 4, seed=5)
    np.testing.assert_array_equal(a[0], b[0])
    c = ib.planted_data(30, 4, seed=6)
    assert not np.array_equal(a[0], c[0])
    np.testing.assert_array_equal(ib.soudry_data(seed=1)[0], ib.soudry_data(seed=1)[0])


def test_soudry_data_has_the_papers_svm():
    X, y = ib.soudry_data(10, seed=0)
    res = ib.max_margin(X, y)
    np.testing.assert_allclose(res.w_hat, [0.5, 0.5], atol=1e-10)
    A = y[:, None] * X
    assert np.all((A @ res.w_hat)[2:10 + 2] >= 1.25 - 1e-12)   # random points are not support
