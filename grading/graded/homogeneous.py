"""Graded exercises of *Homogeneous networks: margins, KKT points, alignment*
(``book/nonlinear/homogeneous.md``). The chapter's degree exercise (ex-homogeneous-degree) is
not graded: its answer is a constant of the architecture, the same for every student."""
from . import Graded

EXERCISES = (
    Graded(
        "ex-homogeneous-svm-net", "answer_homogeneous_svm_net", 2,
        statement="""On `Xp, yp = ib.planted_data(40, 5, margin=0.1, seed=EXERCISE_SEED)`, take the
linear SVM direction `u = ib.max_margin(Xp, yp).direction`, build the two-neuron ReLU network
$x\\mapsto\\mathrm{relu}(u^\\top x)-\\mathrm{relu}(-u^\\top x)$ as the parameters
`[np.vstack([u, -u]), np.array([[1.0, -1.0]])]`, and store its KKT residual
`ib.kkt_residual(..., Xp, yp, activation="relu", tol=0.05)` in `answer_homogeneous_svm_net`.""",
        solution="""Xp, yp = ib.planted_data(40, 5, margin=0.1, seed=EXERCISE_SEED)
u = ib.max_margin(Xp, yp).direction
svm_net = [np.vstack([u, -u]), np.array([[1.0, -1.0]])]
answer_homogeneous_svm_net = float(ib.kkt_residual(svm_net, Xp, yp, activation="relu", tol=0.05))""",
        kind="float", rtol=0.0, atol=1e-6),
)
