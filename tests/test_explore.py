import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import ibias_lib as ib  # noqa: E402
from ibias_lib import explore as ex  # noqa: E402


@pytest.fixture(scope="module")
def small_sweep():
    return ex.sweep(step_sizes=(0.5, 2.0), n_steps=300, num_records=12)


@pytest.fixture(scope="module")
def small_net_sweep():
    return ex.network_sweep(widths=(4, 8), activations=("relu", "relu2"), step_sizes=(1.0,),
                            n=20, d=4, n_steps=200, num_records=10)


def test_sweep_grid_and_shapes(small_sweep):
    sw = small_sweep
    assert list(sw.axes) == ["dataset", "loss", "method", "step"]
    assert sw.axes["step"] == (0.5, 2.0)
    assert sw.values["gap"].shape == (2, 2, 2, 2, len(sw.steps))
    assert sw.steps[-1] == 300 and np.all(np.diff(sw.steps) > 0)
    with pytest.raises(ValueError):
        sw.values["gap"][0, 0, 0, 0, 0] = 1.0          # read-only


def test_sweep_matches_an_independent_run(small_sweep):
    # Recompute one grid point with the public API directly.
    X, y = ib.planted_data(60, 10, margin=0.05, seed=0)
    gamma = ib.max_margin(X, y).gamma
    tr = ib.normalized_gd(X, y, loss="logistic", step=2.0, n_steps=300,
                          record_at=small_sweep.steps)
    got = small_sweep.get("gap", dataset="planted", loss="logistic", method="normalized_gd",
                          step=2.0)
    np.testing.assert_allclose(got, gamma - tr.margin, rtol=1e-12, atol=1e-14)
    assert small_sweep.info["gamma[planted]"] == pytest.approx(gamma)


def test_sweep_soudry_data_are_in_the_unit_ball_and_symmetric(small_sweep):
    # The Soudry data scaled into the ball still have a max margin > 0 and the same
    # direction (0.5, 0.5) up to scale: gamma = sqrt(2) / max ||x||.
    X, y = ib.soudry_data(4, seed=0)
    expected = np.sqrt(2) / np.linalg.norm(X, axis=1).max()
    assert small_sweep.info["gamma[soudry]"] == pytest.approx(expected, rel=1e-6)


def test_sweep_shows_the_rates_claims(small_sweep):
    sw = small_sweep
    gap = sw.values["gap"]
    assert np.all(gap >= -1e-12)                       # margin never exceeds the max margin
    # At the same step size, normalized GD ends closer to the max margin than constant GD
    # on the planted data (the 1/t versus 1/ln t rates).
    for loss in ("exp", "logistic"):
        for step in sw.axes["step"]:
            g = sw.get("gap", dataset="planted", loss=loss, step=step)[:, -1]
            assert g[1] < g[0], (loss, step)
    # Constant GD: a larger step gives a smaller gap at the same t.
    g = sw.get("gap", dataset="planted", loss="exp", method="gd")[:, -1]
    assert g[1] < g[0]


def test_sweep_rejects_bad_settings(small_sweep):
    with pytest.raises(ValueError, match="not on the grid"):
        small_sweep.get("gap", dataset="planted", loss="exp", method="gd", step=3.0)
    with pytest.raises(ValueError, match="unknown metric"):
        small_sweep.get("risk")
    with pytest.raises(ValueError, match="unknown axes"):
        small_sweep.get("gap", width=3)
    with pytest.raises(ValueError):
        ex.sweep(methods=("adam",), n_steps=10)
    with pytest.raises(ValueError):
        ex.sweep(datasets=("iris",), n_steps=10)
    with pytest.raises(ValueError):
        ex.sweep(step_sizes=(0.0,), n_steps=10)


def test_network_sweep(small_net_sweep):
    sw = small_net_sweep
    assert list(sw.axes) == ["activation", "width", "step"]
    assert sw.values["margin"].shape == (2, 2, 1, len(sw.steps))
    al = sw.values["alignment"]
    assert np.all(np.abs(al[np.isfinite(al)]) <= 1 + 1e-9)
    # Independent recomputation of one grid point.
    X, y = ib.xor_data(20, 4, seed=0)
    p0 = ib.init_network(np.random.default_rng(0), (4, 8, 1), scale=0.1)
    tr = ib.train_network(X, y, p0, activation="relu2", loss="logistic", step=1.0,
                          n_steps=200, record_at=sw.steps)
    np.testing.assert_allclose(sw.get("margin", activation="relu2", width=8, step=1.0),
                               tr.margin, rtol=1e-10)
    np.testing.assert_allclose(sw.get("log_risk", activation="relu2", width=8, step=1.0),
                               tr.log_risk, rtol=1e-10)


def test_plot_sweep_draws_the_sweep(small_sweep):
    sw = small_sweep
    fig, axs, lines = ex.plot_sweep(sw, ("gap", "margin"), curve="method", dataset="soudry",
                                    loss="exp", step=0.5, t_max=100)
    keep = sw.steps <= 100
    assert len(axs) == 2 and len(lines["gap"]) == 2 and keep.sum() < len(sw.steps)
    for j, method in enumerate(sw.axes["method"]):
        exp = sw.get("margin", dataset="soudry", loss="exp", method=method, step=0.5)[keep]
        np.testing.assert_allclose(lines["margin"][j].get_ydata(), exp)
        np.testing.assert_array_equal(lines["margin"][j].get_xdata(), sw.steps[keep])
    assert axs[0].get_yscale() == "log" and axs[1].get_yscale() == "linear"
    plt.close(fig)
    with pytest.raises(ValueError, match="fix a value"):
        ex.plot_sweep(sw, ("gap",), curve="method", dataset="soudry", loss="exp")


def test_explorer_controls_redraw(small_sweep):
    widgets = pytest.importorskip("ipywidgets")
    plt.close("all")
    ui = ex.explorer(small_sweep, curve="method", loss="logistic", step=2.0)
    assert isinstance(ui, widgets.interactive)
    ctrl = {c.description: c for c in ui.children if hasattr(c, "description")}
    assert isinstance(ctrl["step"], widgets.SelectionSlider)
    assert isinstance(ctrl["loss"], widgets.Dropdown) and ctrl["loss"].value == "logistic"
    assert isinstance(ctrl["steps"], widgets.IntSlider) and ctrl["steps"].max == 300
    assert "method" not in ctrl                        # the curve axis is not a control
    # Moving a control redraws: the newest figure is titled with the new setting.
    ctrl["dataset"].value = "soudry"
    fig = plt.figure(plt.get_fignums()[-1])
    assert "dataset = soudry" in fig._suptitle.get_text()
    assert "step = 2.0" in fig._suptitle.get_text()
    plt.close("all")
    with pytest.raises(ValueError):
        ex.explorer(small_sweep, curve="method", step=3.0)


def test_static_explorer_html(small_sweep):
    html = ex.static_explorer(small_sweep, ("gap",), frames="step", curve="method",
                              dataset="planted", loss="exp").data
    assert html.startswith(f"<div {ex.STATIC_ATTR}>") and html.endswith("</div>")
    frames = re.findall(r'frames\[\d+\] = "data:image/png;base64,([^"]+)"', html)
    assert len(frames) == len(small_sweep.axes["step"])
    assert frames[0] != frames[1]                      # the frames differ
    assert len(html) < 1_500_000
    assert "<script" in html and "anim" in html.lower()
    # Nothing is fetched from outside the book (matplotlib's Font Awesome link is removed).
    assert not re.search(r'(href|src)="(https?:)?//', html)
    with pytest.raises(ValueError):
        ex.static_explorer(small_sweep, frames="width", dataset="planted", loss="exp")
    with pytest.raises(ValueError, match="fix a value"):
        ex.static_explorer(small_sweep, frames="step", curve="method", dataset="planted")
