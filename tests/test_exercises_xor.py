"""The 2XOR exercise check accepts the reference answer and rejects wrong ones with a hint."""
import numpy as np
import pytest

import ibias_lib as ib
from ibias_lib.exercises import ExerciseError, all_checks
from ibias_lib.exercises import xor


def reference_answer():
    X, y = ib.xor_data(128, 16, seed=0)
    X_test, y_test = ib.xor_data(2000, 16, seed=12345)
    K = ib.relu_ntk(X)
    L = np.linalg.cholesky(K + 1e-10 * np.trace(K) / len(y) * np.eye(len(y)))
    svm = ib.max_margin(L, y)
    return float(np.mean(np.sign(ib.relu_ntk(X_test, X) @ (svm.dual * y)) != y_test)), \
        float(np.mean(np.sign(ib.ntk_predict(X, y, X_test)) != y_test))


def test_registered():
    chk = all_checks()["ex-xor-svm"]
    assert chk.variable == "answer_xor_svm_error" and chk.points > 0


def test_svm_error_check():
    svm_err, reg_err = reference_answer()
    assert "Correct" in xor.check_svm_error(svm_err)
    assert "Correct" in all_checks()["ex-xor-svm"].check(svm_err)
    for wrong, hint in [("x", "expected a number"), (1.5, "error rate"), (np.nan, "error rate"),
                        (1 - svm_err, "worse than guessing"), (reg_err, "regression"),
                        (svm_err + 0.05, "is off")]:
        with pytest.raises(ExerciseError, match=hint):
            xor.check_svm_error(wrong)
