"""Graded exercises of *Open problem 2: logistic versus exponential*
(``book/linear/logistic.md``)."""
from . import Graded

EXERCISES = (
    Graded(
        "ex-logistic-decompose", "answer_logistic_decomposition", 2,
        statement="""For `Xe, ye = ib.nonseparable_data(12, 16, 4, tight_dim=2, margin=0.2,
seed=EXERCISE_SEED)`, compute the separable/tight decomposition (`ib.separable_decomposition`)
and store in `answer_logistic_decomposition` the pair `(n_separable, offset_norm)`: the number
of points in the maximal separable part (an integer) and the norm of the exponential-loss
offset, the minimizer of the tight part's risk (`ib.tight_minimizer(..., loss="exp")`).""",
        solution="""Xe, ye = ib.nonseparable_data(12, 16, 4, tight_dim=2, margin=0.2, seed=EXERCISE_SEED)
dec_e = ib.separable_decomposition(Xe, ye)
answer_logistic_decomposition = (int(dec_e.separable.sum()),
                                 float(np.linalg.norm(ib.tight_minimizer(
                                     Xe, ye, loss="exp", decomposition=dec_e))))""",
        kind="int_float", rtol=1e-6, atol=1e-9),
)
