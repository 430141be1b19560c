import numpy as np
import pytest

import ibias_lib as ib


@pytest.fixture
def data():
    """A small separable dataset in the unit ball."""
    return ib.planted_data(60, 5, margin=0.1, seed=3)
