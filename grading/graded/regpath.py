"""Graded exercises of *Open problem 1: gradient descent follows the regularization path*
(``book/linear/regpath.md``)."""
from . import Graded

EXERCISES = (
    Graded(
        "ex-regpath-exp", "answer_regpath_exp_angle", 2,
        statement="""On `X, y = ib.planted_data(40, 2, margin=0.1, seed=EXERCISE_SEED)`, run
`ib.gd(X, y, loss="exp", step=1.0, n_steps=1000)` and store in `answer_regpath_exp_angle` the
angle (radians, `ib.angle`) between the iterate $w_T$ at $T = 1000$ and the exponential-loss
path point of the same norm, `ib.constrained_minimizer(X, y, np.linalg.norm(w_T),
loss="exp").w`.""",
        solution="""X, y = ib.planted_data(40, 2, margin=0.1, seed=EXERCISE_SEED)
gd_exp = ib.gd(X, y, loss="exp", step=1.0, n_steps=1000, record_at=np.array([1000]))
w_T = gd_exp.w[-1]
w_bar = ib.constrained_minimizer(X, y, np.linalg.norm(w_T), loss="exp").w
answer_regpath_exp_angle = float(ib.angle(w_T, w_bar))""",
        kind="float", rtol=0.02),
)
