"""cnnbook.glue: what is glued for the prose never carries a CPU's last bits."""

import numpy as np
import pytest

from cnnbook.glue import glue_number, rounded


def test_floats_are_rounded_and_ints_kept():
    assert rounded(0.5836931601907399, 4) == rounded(0.58369316019074, 4) == 0.5837
    assert repr(rounded(539.4111633300781)) == "539.411"
    assert rounded(6.103515625e-05, 3) == 6.1e-05
    assert rounded(10**20) == 10**20 and isinstance(rounded(np.int64(7)), int)
    assert rounded(np.float32(1 / 3), 2) == 0.33


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((float("nan"),), "value must be a finite number"),
        (("12",), "value must be a finite number"),
        ((True,), "value must be a finite number"),
        ((1.5, 9), "digits must be an integer from 1 to 8"),
        ((1.5, 0), "digits must be an integer from 1 to 8"),
    ],
)
def test_bad_arguments_are_value_errors(args, message):
    with pytest.raises(ValueError, match=message):
        rounded(*args)


def test_glue_needs_a_name():
    with pytest.raises(ValueError, match="name must be an identifier"):
        glue_number("train mb", 1.0)


def test_text_is_glued_only_as_text():
    from cnnbook.glue import glue_text

    with pytest.raises(ValueError, match="text must be a string"):
        glue_text("shape_1", (100, 150, 100))
