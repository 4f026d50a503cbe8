"""The generic checks, for an instructor's one-off cells: each builds its spec and
judges with it, so the messages read like the bank's."""

import pytest

from cnnbook import checks
from tests.checks.support import correct, unanswered, wrong


def test_number_and_quantity():
    correct(checks.number("903,400", 903_400))
    wrong(checks.number(7, 6, mistakes=[(7, "Off by one.")]), "Off by one.")
    correct(checks.number("7/8", 7 / 8, rel_tol=0.01))
    correct(checks.number(14.87, 14.8668, digits=4))
    correct(checks.quantity("12 MiB", 12_613_600, "MB"))
    wrong(checks.quantity(12.03, 12_613_600), "right amount in MiB")
    unanswered(checks.quantity(None, 1))
    with pytest.raises(ValueError, match="^rel_tol"):
        checks.number(1, 1, rel_tol=-1)
    with pytest.raises(ValueError, match="^unit must be"):
        checks.quantity(1, 1, unit="parsecs")


def test_choice_and_shape():
    hints = {"c": "That is what training keeps."}
    correct(checks.choice("(b)", "b", "abcd", hints))
    wrong(checks.choice("c", "b", "abcd", hints), "That is what training keeps.")
    correct(checks.choice(["c", "a"], ["a", "c"], "abc"))
    correct(checks.shape([1, 25, 38, 400], (25, 38, 400)))
    wrong(
        checks.shape((25, 38, 4), (25, 38, 400), kind="MaxPooling2D"), "pooling keeps"
    )
    with pytest.raises(ValueError, match="^correct"):
        checks.choice("a", "e", "abcd")
