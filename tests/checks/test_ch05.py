"""Chapter 5's exercise checks: right answers pass, typical slips get their hint."""

import numpy as np
import pytest

from cnnbook.checks import ch05 as checks_lrn
from cnnbook.science import lrn


def reference(x, k, n, alpha, beta):
    return lrn.lrn(x, k, n, alpha, beta)


def caffe(x, k, n, alpha, beta):
    return lrn.lrn(x, k, n, alpha, beta, alpha_per_n=True)


def wrap(x, k, n, alpha, beta):
    window = sum(np.roll(x**2, s, axis=-1) for s in range(-(n // 2), n // 2 + 1))
    return x / (k + alpha * window) ** beta


def own_square_only(x, k, n, alpha, beta):
    return x / (k + alpha * x**2) ** beta


def no_power(x, k, n, alpha, beta):
    return lrn.lrn(x, k, n, alpha, 1.0) * 0 + x / lrn.divisor(x, k, n, alpha, 1.0)


def too_wide(x, k, n, alpha, beta):
    return lrn.lrn(x, k, n + 2, alpha, beta)


def flattens(x, k, n, alpha, beta):
    return lrn.lrn(x, k, n, alpha, beta).ravel()


def raises(x, k, n, alpha, beta):
    raise RuntimeError("boom")


def test_a_correct_function_passes():
    feedback = checks_lrn.lrn_function(reference)
    assert feedback.correct and "4 inputs" in feedback.message


@pytest.mark.parametrize(
    "answer, hint",
    [
        (caffe, "divides alpha by n"),
        (wrap, "wrap around"),
        (own_square_only, "only its own square"),
        (no_power, "power beta"),
        (too_wide, "spans 7 maps"),
        (flattens, "keeps the shape"),
        (raises, "RuntimeError: boom"),
        (42, "a function f(x, k, n, alpha, beta)"),
    ],
)
def test_slips_get_their_hint(answer, hint):
    feedback = checks_lrn.lrn_function(answer)
    assert not feedback and feedback.status == "incorrect"
    assert hint in feedback.message


def test_unanswered():
    assert checks_lrn.lrn_function(...).status == "unanswered"
    stub = checks_lrn.lrn_function(lambda x, k, n, alpha, beta: None)
    assert stub.status == "unanswered" and "returns nothing yet" in stub.message
    assert checks_lrn.centre_value(None, [1.0, 2.0], 0).status == "unanswered"


def test_centre_value():
    x = [10.0, 20.0, 30.0, 40.0, 50.0]
    exact = float(lrn.lrn(np.array(x))[2])
    assert checks_lrn.centre_value(exact, x, 2).correct
    assert checks_lrn.centre_value(round(exact, 4), x, 2).correct
    caffe_value = float(lrn.lrn(np.array(x), alpha_per_n=True)[2])
    assert "divides alpha by n" in checks_lrn.centre_value(caffe_value, x, 2).message
    no_power = 30 / (2 + 1e-4 * sum(v * v for v in x))
    assert "power beta" in checks_lrn.centre_value(no_power, x, 2).message
    with pytest.raises(ValueError, match="channel must index"):
        checks_lrn.centre_value(1.0, x, 5)
    with pytest.raises(ValueError, match="rel_tol"):
        checks_lrn.lrn_function(reference, rel_tol=-1)
