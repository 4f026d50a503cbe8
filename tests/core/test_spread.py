"""A result over seeds: mean and range, and its text."""

import pytest

from cnnbook.spread import Spread, spread


def test_mean_low_high_and_count():
    found = spread([90.25, 94.5, 92.0, 84.25])
    assert found == Spread(mean=90.25, low=84.25, high=94.5, count=4)
    assert found.text(1) == "90.2 (84.2 to 94.5)"
    assert spread([0.5]).text(0, scale=100) == "50 (50 to 50)"


def test_generators_and_numpy_numbers_are_accepted():
    import numpy as np

    assert spread(np.float64(v) for v in (1, 2, 3)).mean == 2.0


@pytest.mark.parametrize(
    "values", [[], [1.0, float("nan")], ["1"], [True, 2.0], [float("inf")]]
)
def test_bad_values_are_value_errors(values):
    with pytest.raises(ValueError, match="values must be"):
        spread(values)


def test_bad_digits_is_a_value_error():
    with pytest.raises(ValueError, match="digits"):
        spread([1.0]).text(-1)
