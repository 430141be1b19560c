"""Graded exercises of *Proof techniques, checked step by step* (``book/linear/proofs.md``)."""
from . import Graded

EXERCISES = (
    Graded(
        "ex-proofs-certify", "answer_proofs_certified_step", 2,
        statement="""Run normalized GD (exp loss, step $\\eta = 1$, $w_0 = 0$, 400 steps, every
step recorded) on `X, y = ib.planted_data(50, 5, margin=0.2, seed=EXERCISE_SEED)` and store
in `answer_proofs_certified_step` (an integer) the first step $t\\ge1$ at which the telescoped
certificate is nonnegative, i.e. $\\eta(1-\\eta/2)\\sum_{s<t}\\|g_s\\|^2\\ge\\ln n$ with
$g_s$ the gradient of the log-sum-exp potential at $w_s$ (`ibias_lib.proofs.lse_potential`).""",
        solution="""from ibias_lib import proofs
X, y = ib.planted_data(50, 5, margin=0.2, seed=EXERCISE_SEED)
W = ib.normalized_gd(X, y, step=1.0, n_steps=400, record_at=np.arange(401)).w
_, G = proofs.lse_potential(X, y, W)
gn = np.linalg.norm(G[:-1], axis=1)
numerator = 0.5 * np.cumsum(gn ** 2) - np.log(len(y))
answer_proofs_certified_step = int(np.flatnonzero(numerator >= 0)[0] + 1)""",
        kind="int"),
)
