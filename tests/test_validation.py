import numpy as np
import pytest

import ibias_lib as ib

X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5]])
Y = np.array([1.0, 1.0, -1.0])
W = np.array([1.0, 1.0])


@pytest.mark.parametrize("call", [
    lambda X, y: ib.margin(X, y, W),
    lambda X, y: ib.smoothed_margin(X, y, W),
    lambda X, y: ib.max_margin(X, y),
    lambda X, y: ib.gd(X, y, n_steps=2),
    lambda X, y: ib.normalized_gd(X, y, n_steps=2),
    lambda X, y: ib.risk(X, y, W),
    lambda X, y: ib.perceptron(X, y),
])
class TestEveryEntryPoint:
    def test_zero_one_labels_get_the_fix(self, call):
        with pytest.raises(ValueError, match=r"only -1 and \+1; got \[0.0, 1.0\]\. For 0/1 "
                                             r"labels use y = 2\*y - 1"):
            call(X, np.array([1.0, 1.0, 0.0]))

    def test_other_labels(self, call):
        with pytest.raises(ValueError, match="only -1 and \\+1; got \\[1.0, 2.0, 3.0\\]"):
            call(X, np.array([1.0, 2.0, 3.0]))

    def test_1d_X(self, call):
        with pytest.raises(ValueError, match="2D array.*got 1D.*reshape"):
            call(np.array([1.0, 2.0, 3.0]), Y)

    def test_length_mismatch(self, call):
        with pytest.raises(ValueError, match="same number of samples; got X with 3 rows and y "
                                             "with 2"):
            call(X, Y[:2])

    def test_nan(self, call):
        Xn = X.copy()
        Xn[1, 1] = np.nan
        with pytest.raises(ValueError, match="X must be finite; found 1 NaN or inf"):
            call(Xn, Y)

    def test_inf_label(self, call):
        with pytest.raises(ValueError, match="y must be finite"):
            call(X, np.array([1.0, np.inf, -1.0]))

    def test_empty(self, call):
        with pytest.raises(ValueError, match="at least one sample"):
            call(np.zeros((0, 2)), np.zeros(0))

    def test_strings(self, call):
        with pytest.raises(ValueError, match="real numbers"):
            call([["a", "b"]] * 3, Y)


@pytest.mark.parametrize("step", [0, -1.0, np.nan, np.inf, "big"])
@pytest.mark.parametrize("method", [ib.gd, ib.normalized_gd, ib.gd_step, ib.normalized_gd_step])
def test_bad_step_sizes(method, step):
    kwargs = {"n_steps": 2} if method in (ib.gd, ib.normalized_gd) else {"w": W}
    with pytest.raises(ValueError, match="step must be a positive finite number"):
        method(X, Y, step=step, **kwargs)


def test_bad_w_shape_and_loss_and_steps():
    with pytest.raises(ValueError, match=r"w must be a vector of shape \(2,\).*got shape \(3,\)"):
        ib.margin(X, Y, np.ones(3))
    with pytest.raises(ValueError, match="loss must be one of \\['exp', 'logistic'\\]; got "
                                         "'hinge'"):
        ib.gd(X, Y, loss="hinge")
    with pytest.raises(ValueError, match="n_steps must be an integer >= 1; got 0"):
        ib.gd(X, Y, n_steps=0)
    with pytest.raises(ValueError, match="n_steps must be an integer >= 1; got 2.5"):
        ib.gd(X, Y, n_steps=2.5)
    with pytest.raises(ValueError, match="record_at must be strictly increasing"):
        ib.gd(X, Y, n_steps=5, record_at=np.array([3, 2]))
    with pytest.raises(ValueError, match="w0 must be finite"):
        ib.gd(X, Y, n_steps=5, w0=np.array([np.nan, 0.0]))
    with pytest.raises(ValueError, match="margin must be in \\(0, 1\\)"):
        ib.planted_data(10, 2, margin=1.5)
