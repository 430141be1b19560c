"""Graded exercises of *Rates via duality, and the fastest margin maximizer*
(``book/linear/duality.md``)."""
from . import Graded

_DATA = "X, y = ib.planted_data(100, 10, margin=0.05, seed=EXERCISE_SEED)\n"

EXERCISES = (
    Graded(
        "ex-duality-mirror", "answer_duality_mirror_upper", 2,
        statement="""On `X, y = ib.planted_data(100, 10, margin=0.05, seed=EXERCISE_SEED)`, with
$A$ the rows $y_ix_i$, run 500 steps of entropic mirror descent on the simplex,
$q\\leftarrow q\\odot\\exp(-AA^\\top q)$ renormalized, from the uniform weights (step 1; keep
$\\log q$ and subtract its maximum before exponentiating), and store $\\|A^\\top q_{500}\\|$ in
`answer_duality_mirror_upper`.""",
        solution=_DATA + """A = y[:, None] * X
log_q = np.full(len(y), -np.log(len(y)))
for _ in range(500):
    q = np.exp(log_q - log_q.max())
    q /= q.sum()
    log_q = log_q - A @ (A.T @ q)
q = np.exp(log_q - log_q.max())
q /= q.sum()
answer_duality_mirror_upper = float(np.linalg.norm(A.T @ q))""",
        kind="float", rtol=1e-6),
    Graded(
        "ex-duality-first", "answer_duality_first_step", 2,
        statement="""On the same data, run `ib.fast_margin_trace(X, y, n_steps=3000,
record_at=np.arange(1, 3001))` and store in `answer_duality_first_step` (an integer) the first
step at which the certified relative gap `(upper - margin) / upper` is at most $10^{-3}$, with
`upper = tr.extra["upper"]` and the margin of the same step.""",
        solution=_DATA + """tr = ib.fast_margin_trace(X, y, n_steps=3000, record_at=np.arange(1, 3001))
width = (tr.extra["upper"] - tr.margin) / tr.extra["upper"]
answer_duality_first_step = int(tr.steps[np.flatnonzero(width <= 1e-3)[0]])""",
        kind="int"),
)
