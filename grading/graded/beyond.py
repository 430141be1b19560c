"""Graded exercises of *Beyond homogeneity: SiLU, GELU and attention*
(``book/nonlinear/beyond.md``). The graded version asks, beside the fraction of sequences
that select their optimal token (a multiple of 1/20, easy to guess), for the norm of the
trained attention matrix, a number no one guesses."""
from . import Graded

EXERCISES = (
    Graded(
        "ex-beyond-selection", "answer_beyond_selection", 2,
        statement="""On `X3, Z3, y3, v3, _ = ib.token_data(20, 5, 8, seed=EXERCISE_SEED)`, train
`tr3 = ib.train_attention(X3, Z3, v3, y3, loss="logistic", step=0.1, n_steps=3000,
num_records=5)` from $W = 0$. With `opt = ib.optimal_tokens(X3, v3, y3)`, store in
`answer_beyond_selection` the pair `(fraction, norm)`: the fraction of sequences whose
most-attended token at the end (`tr3.selected()`) is `opt`, and the Frobenius norm of the
final $W$ (`tr3.norm[-1]`).""",
        solution="""X3, Z3, y3, v3, _ = ib.token_data(20, 5, 8, seed=EXERCISE_SEED)
tr3 = ib.train_attention(X3, Z3, v3, y3, loss="logistic", step=0.1, n_steps=3000,
                         num_records=5)
opt = ib.optimal_tokens(X3, v3, y3)
answer_beyond_selection = (float(np.mean(tr3.selected() == opt)),
                           float(tr3.norm[-1]))""",
        kind="floats", length=2, rtol=1e-6, atol=1e-12),
)
