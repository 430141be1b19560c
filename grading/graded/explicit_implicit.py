"""Graded exercises of *Explicit versus implicit bias* (``book/linear/explicit_implicit.md``)."""
from . import Graded

_DATA = "Xe, ye = ib.rings_data(40, seed=EXERCISE_SEED)\n"

EXERCISES = (
    Graded(
        "ex-explicit-implicit-bandwidth", "answer_explicit_implicit_bandwidth", 2,
        statement="""On `Xe, ye = ib.rings_data(40, seed=EXERCISE_SEED)`, for the bandwidths
$\\sigma\\in(0.1, 0.2, 0.3, 0.5, 1.0)$ in that order, compute the RKHS max margin of the
bias-free RBF SVM, `ib.kernel_max_margin(ib.rbf_kernel(Xe, bandwidth=s), ye).gamma`, and store
the five margins as a list in `answer_explicit_implicit_bandwidth`.""",
        solution=_DATA + """answer_explicit_implicit_bandwidth = [
    float(ib.kernel_max_margin(ib.rbf_kernel(Xe, bandwidth=s), ye).gamma)
    for s in (0.1, 0.2, 0.3, 0.5, 1.0)]""",
        kind="floats", length=5, rtol=1e-5),
    Graded(
        "ex-explicit-implicit-shrinkage", "answer_explicit_implicit_shrinkage", 2,
        statement="""On the same data with the stumps `He = ib.stump_values(ib.decision_stumps(Xe), Xe)`
and $\\gamma_1^* $ = `ib.max_margin_l1(He, ye).gamma`, run `ib.adaboost(He, ye, shrinkage=nu,
n_steps=5000, record_at=np.arange(1, 5001))` for `nu = 1.0` and `nu = 0.2`, and store the pair
of first steps at which the normalized $\\ell_1$ margin `tr.margin` reaches
$0.95\\,\\gamma_1^*$, as integers `(t_plain, t_shrunk)`, in
`answer_explicit_implicit_shrinkage`.""",
        solution=_DATA + """He = ib.stump_values(ib.decision_stumps(Xe), Xe)
ge = ib.max_margin_l1(He, ye).gamma
first = []
for nu in (1.0, 0.2):
    tr = ib.adaboost(He, ye, shrinkage=nu, n_steps=5000, record_at=np.arange(1, 5001))
    first.append(int(tr.steps[np.flatnonzero(tr.margin >= 0.95 * ge)[0]]))
answer_explicit_implicit_shrinkage = tuple(first)""",
        kind="ints", length=2),
)
