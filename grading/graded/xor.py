"""Graded exercises of *2XOR: the network against its kernel* (``book/nonlinear/xor.md``)."""
from . import Graded

EXERCISES = (
    Graded(
        "ex-xor-svm", "answer_xor_svm_error", 2,
        statement="""With $d = 16$, train on `ib.xor_data(128, 16, seed=EXERCISE_SEED)`: factor
$K + 10^{-10}\\operatorname{tr}(K)/n\\cdot I = LL^\\top$ (Cholesky, `K = ib.relu_ntk(X)`), take
the rows of $L$ as features, solve `svm = ib.max_margin(L, y)`, and predict
$f(x) = \\sum_i\\lambda_iy_iK(x_i,x)$ with $\\lambda$ = `svm.dual`. Store the test error (a
float in $[0, 1]$) on `ib.xor_data(2000, 16, seed=EXERCISE_SEED + 1)` in
`answer_xor_svm_error`.""",
        solution="""Xs, ys = ib.xor_data(128, 16, seed=EXERCISE_SEED)
Xs_test, ys_test = ib.xor_data(2000, 16, seed=EXERCISE_SEED + 1)
K = ib.relu_ntk(Xs)
L = np.linalg.cholesky(K + 1e-10 * np.trace(K) / len(ys) * np.eye(len(ys)))
svm = ib.max_margin(L, ys)
f_test = ib.relu_ntk(Xs_test, Xs) @ (svm.dual * ys)
answer_xor_svm_error = float(np.mean(np.sign(f_test) != ys_test))""",
        kind="float", rtol=0.0, atol=1e-9),
)
