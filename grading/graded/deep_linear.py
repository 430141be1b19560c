"""Graded exercises of *Deep linear networks: the layers align*
(``book/nonlinear/deep_linear.md``)."""
from . import Graded

EXERCISES = (
    Graded(
        "ex-deep-linear-fro", "answer_deep_linear_fro2", 2,
        statement="""For the initialization
`p0 = ib.init_network(np.random.default_rng(EXERCISE_SEED), (5, 8, 8, 1), scale=0.3)`,
compute the sum $B$ of the nuclear norms of the balance matrices `ib.layer_balance(p0)` (all
of them: the bound for $W_1$), and store in `answer_deep_linear_fro2` the squared Frobenius
norm $\\|W_1\\|_F^2$ beyond which the balance bound certifies
$\\|W_1\\|_2/\\|W_1\\|_F\\ge 0.99$, i.e. $B/(1-0.99^2)$.""",
        solution="""p0 = ib.init_network(np.random.default_rng(EXERCISE_SEED), (5, 8, 8, 1), scale=0.3)
B = sum(np.linalg.norm(D, "nuc") for D in ib.layer_balance(p0))
answer_deep_linear_fro2 = float(B / (1 - 0.99 ** 2))""",
        kind="float", rtol=1e-6),
)
