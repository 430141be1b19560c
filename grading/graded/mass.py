"""Graded exercises of *Mass concentrates* (``book/nonlinear/mass.md``). The chapter's
threshold exercise (ex-mass-threshold) is not graded: its answer (60 degrees) is a constant of
the geometry, the same for every student."""
from . import Graded

EXERCISES = (
    Graded(
        "ex-mass-near", "answer_mass_near", 2,
        statement="""For `alpha` in `(58, 62)`, train a width-40 ReLU network on
`ib.wedge_data(alpha)` from `ib.init_network(np.random.default_rng(EXERCISE_SEED), (2, 40, 1),
scale=1e-10)` with `ib.train_network(..., step=0.5, n_steps=20_000)`, and compute the share of
the *positive* neurons' mass (`ib.neuron_mass`, neurons with `sign > 0`) within 5 degrees of
$e_1$ (`abs(angle) <= 5`). Store the pair `(share_58, share_62)` in `answer_mass_near`.""",
        solution="""shares = []
for alpha in (58, 62):
    Xa, ya = ib.wedge_data(alpha)
    p0 = ib.init_network(np.random.default_rng(EXERCISE_SEED), (2, 40, 1), scale=1e-10)
    pa = ib.train_network(Xa, ya, p0, step=0.5, n_steps=20_000,
                          record_at=np.array([20_000])).params()
    nm = ib.neuron_mass(pa)
    pos = nm.sign > 0
    shares.append(float(nm.mass[pos & (np.abs(nm.angle) <= 5.0)].sum() / nm.mass[pos].sum()))
answer_mass_near = tuple(shares)""",
        kind="floats", length=2, rtol=1e-6, atol=1e-9),
)
