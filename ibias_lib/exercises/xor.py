"""Self-checks for the exercises of the chapter *2XOR: the network against its kernel*."""
from __future__ import annotations

from . import Check, ExerciseError, as_number

__all__ = ["check_svm_error", "CHECKS"]


# The chapter's answers on its own data (seed 0), stored as numbers: the self-check
# ships no reference computation. tests/test_exercises_*.py recompute them independently.
# Test errors of the NTK hard-margin SVM and of NTK regression on the chapter's 2XOR data.
_SVM_ERROR, _REGRESSION_ERROR = 0.0615, 0.053


def check_svm_error(error):
    """Exercise ex-xor-svm: test error of the NTK hard-margin SVM on 2XOR, d = 16, n = 128."""
    e = as_number(error, "a test error in [0, 1]",
                  f"{error!r} is not an error rate: it must lie in [0, 1].")
    if not 0.0 <= e <= 1.0:
        raise ExerciseError(f"{e!r} is not an error rate: it must lie in [0, 1]. Did you count "
                            "mistakes without dividing by the number of test points?")
    ref_svm, ref_reg = _SVM_ERROR, _REGRESSION_ERROR
    if e > 0.5:
        raise ExerciseError(f"error {e:.3f} is worse than guessing: check the sign of the "
                            "predictor, f(x) = sum_i lambda_i y_i K(x_i, x), with the labels y "
                            "inside the sum.")
    if abs(e - ref_svm) <= 0.005:
        return (f"Correct: the kernel SVM errs on {e:.1%} of the cube, kernel regression on "
                f"{ref_reg:.1%}: both live in the span of the kernel features.")
    if abs(e - ref_reg) <= 0.002:
        raise ExerciseError("this is the kernel *regression* error (ib.ntk_predict). The "
                            "exercise asks for the hard-margin SVM: ib.max_margin on the rows of "
                            "the Cholesky factor, then predict with its dual weights.")
    raise ExerciseError(f"error {e:.3f} is off. Use xor_data(128, 16, seed=0) for training, "
                        "xor_data(2000, 16, seed=12345) for testing, the kernel relu_ntk(X_test, "
                        "X_train) (test points first) and svm.dual times y_train.")


CHECKS = {
    "ex-xor-svm": Check("answer_xor_svm_error", check_svm_error, 2),
}
