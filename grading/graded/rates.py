"""Graded exercises of *Margins at rate 1/ln t and 1/t* (``book/linear/rates.md``)."""
from . import Graded

_DATA = """X, y = ib.planted_data(100, 10, margin=0.05, seed=EXERCISE_SEED)
gamma = ib.max_margin(X, y).gamma
"""

EXERCISES = (
    Graded(
        "ex-rates-logistic", "answer_rates_logistic_slope", 2,
        statement="""On your data, `X, y = ib.planted_data(100, 10, margin=0.05, seed=EXERCISE_SEED)`
with `gamma = ib.max_margin(X, y).gamma`, run normalized GD on the **logistic** loss
(`ib.normalized_gd(X, y, loss="logistic", step=1.0, n_steps=20_000)`, default recording) and
fit the log-log slope of the margin gap `gamma - tr.margin` against `tr.steps` over the
recorded steps $t\\ge 10^3$ with `np.polyfit(..., 1)`. Store the slope (a float) in
`answer_rates_logistic_slope`.""",
        solution=_DATA + """tr = ib.normalized_gd(X, y, loss="logistic", step=1.0, n_steps=20_000)
sel = tr.steps >= 1000
answer_rates_logistic_slope = float(np.polyfit(np.log(tr.steps[sel]),
                                               np.log(gamma - tr.margin[sel]), 1)[0])""",
        kind="float", rtol=1e-3),
    Graded(
        "ex-rates-steps", "answer_rates_steps", 2,
        statement="""On the same data, with the exponential loss and step 1, recording every step
(`record_at=np.arange(1, 10001)`, `n_steps=10_000`), find for constant-step GD (`ib.gd`) and
for normalized GD (`ib.normalized_gd`) the first step at which the margin gap
`gamma - margin` is at most $0.04$. Store the pair `(t_const, t_norm)` as integers in
`answer_rates_steps`.""",
        solution=_DATA + """rec = np.arange(1, 10001)
first = []
for method in (ib.gd, ib.normalized_gd):
    tr = method(X, y, n_steps=10_000, record_at=rec)
    first.append(int(tr.steps[np.flatnonzero(gamma - tr.margin <= 0.04)[0]]))
answer_rates_steps = tuple(first)""",
        kind="ints", length=2),
)
