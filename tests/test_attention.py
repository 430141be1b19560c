"""Softmax attention: gradients, the attention SVM's KKT conditions, finiteness, training."""
import numpy as np
import pytest
from scipy.optimize import nnls

from helpers import fd_gradient
from ibias_lib import attention as at


def naive_risk(W, X, Z, v, y, loss):
    """Independent loop implementation of the risk."""
    total = 0.0
    for Xi, zi, yi in zip(X, Z, y):
        s = Xi @ W @ zi
        a = np.exp(s) / np.exp(s).sum()
        m = yi * (a @ (Xi @ v))
        total += np.exp(-m) if loss == "exp" else np.log1p(np.exp(-m))
    return total / len(y)


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_gradient_matches_fourth_order_differences(loss):
    X, Z, y, v, _ = at.token_data(7, 4, 5, seed=2)
    W = 0.7 * np.random.default_rng(0).standard_normal((5, 5))
    log_r, g = at.attention_risk_grad(W, X, Z, v, y, loss=loss)
    fd = fd_gradient(lambda w: naive_risk(w.reshape(5, 5), X, Z, v, y, loss), W.ravel())
    np.testing.assert_allclose(g.ravel(), fd, rtol=1e-7, atol=1e-10)
    assert log_r == pytest.approx(np.log(naive_risk(W, X, Z, v, y, loss)), rel=1e-12)


def test_prompt_attention_is_the_one_dimensional_query_case():
    X, _, y, v, _ = at.token_data(6, 3, 4, seed=1)
    p = np.random.default_rng(1).standard_normal(4)
    f = at.attention_forward(p[:, None], X, np.ones(6), v)     # Z given as a vector of ones
    ref = [np.exp(Xi @ p) / np.exp(Xi @ p).sum() @ (Xi @ v) for Xi in X]
    np.testing.assert_allclose(f, ref, rtol=1e-12)


def test_attention_svm_satisfies_its_kkt_conditions():
    X, Z, y, v, rel = at.token_data(10, 4, 6, seed=0)
    svm = at.attention_svm(X, Z, rel)
    gaps, vecs = [], []
    for i in range(len(y)):
        for t in range(X.shape[1]):
            if t != rel[i]:
                A = np.outer(X[i, rel[i]] - X[i, t], Z[i])
                gaps.append((A * svm.W).sum())
                vecs.append(A.ravel())
    gaps, vecs = np.array(gaps), np.array(vecs)
    assert gaps.min() == pytest.approx(1.0, abs=1e-9)            # feasible, tight
    active = gaps <= 1 + 1e-7
    lam, res = nnls(vecs[active].T, svm.W.ravel())                 # W = sum lam_k A_k, lam >= 0
    assert res < 1e-8 * np.linalg.norm(svm.W)
    assert svm.margin == pytest.approx(1 / np.linalg.norm(svm.W), rel=1e-12)


def test_finite_at_huge_scale():
    X, Z, y, v, rel = at.token_data(8, 4, 6, seed=0)
    W = 1e9 * at.attention_svm(X, Z, rel).direction
    a = at.attention_probs(W, X, Z)
    assert np.all(np.isfinite(a)) and np.allclose(a[np.arange(8), rel], 1.0)
    log_r, g = at.attention_risk_grad(W, X, Z, v, y)
    assert np.isfinite(log_r) and np.all(np.isfinite(g))


def test_training_selects_tokens_and_aligns_with_the_svm_of_the_selection():
    X, Z, y, v, rel = at.token_data(10, 4, 6, seed=0)
    tr = at.train_attention(X, Z, v, y, step=0.1, n_steps=3000, num_records=10)
    sel = tr.selected()
    assert np.all(tr.probs[-1][np.arange(10), sel] > 0.999)
    d = at.attention_svm(X, Z, sel).direction
    assert (tr.W[-1] * d).sum() / tr.norm[-1] > 0.999
    assert tr.norm[-1] == pytest.approx(300.0, rel=0.05)          # normalized steps: ~eta * t
    with pytest.raises(ValueError):
        tr.W[0, 0, 0] = 1.0


def test_input_checks():
    X, Z, y, v, rel = at.token_data(5, 3, 4, seed=0)
    with pytest.raises(ValueError, match="3D"):
        at.attention_probs(np.zeros((4, 4)), X[0], Z)
    with pytest.raises(ValueError, match="query token"):
        at.attention_probs(np.zeros((4, 4)), X, Z[:3])
    with pytest.raises(ValueError, match="shape \\(d, d_z\\)"):
        at.attention_forward(np.zeros((3, 4)), X, Z, v)
    with pytest.raises(ValueError, match="integer positions"):
        at.attention_svm(X, Z, np.full(5, 3))
    with pytest.raises(ValueError, match="only -1 and \\+1"):
        at.train_attention(X, Z, v, (y + 1) / 2)
    Xdup = X.copy()
    Xdup[0, 1] = Xdup[0, 0]                                        # two identical tokens
    with pytest.raises(ValueError, match="infeasible"):
        at.attention_svm(Xdup, Z, np.zeros(5, dtype=int))


def test_local_optimality_gap_of_the_beyond_experiment():
    """The optimal selection is locally optimal (every selected token beats its SVM
    neighbours); the worst-scoring selection is not."""
    from ibias_lib.experiments.beyond import _local_optimality_gap
    X, Z, y, v, _ = at.token_data(10, 4, 6, seed=0)
    scores = y[:, None] * (X @ v)
    opt = at.optimal_tokens(X, v, y)
    worst = np.argmin(scores, axis=1)
    assert _local_optimality_gap(X, Z, v, y, opt, at.attention_svm(X, Z, opt)) > 0
    assert _local_optimality_gap(X, Z, v, y, worst, at.attention_svm(X, Z, worst)) < 0
