"""cnnbook.science.seeds: a result over seeds, printed as its spread allows."""

import pytest

from cnnbook.science.seeds import Spread, glue_spread


def test_spread_of_values_and_its_text():
    s = Spread.of([0.48, 0.60, 0.63, 0.55])
    assert (s.mean, s.low, s.high, s.n) == pytest.approx((0.565, 0.48, 0.63, 4))
    pct = s.scaled(100)
    assert pct.text(unit="%") == "56% (48-63%)"  # 56.5 rounds half to even
    assert pct.text(1) == "56.5 (48.0-63.0)"
    assert pct.rounded() == (56, 48, 63) and all(
        isinstance(v, int) for v in pct.rounded()
    )
    assert pct.rounded(1) == (56.5, 48.0, 63.0)
    assert pct.width == pytest.approx(15)


def test_last_bit_noise_cannot_tip_a_rounding():
    # 56.5 computed two ways lands on both sides of the tie; both print 56
    low, high = 0.565 * 100, 56.5 + 1e-13
    assert low < 56.5 < high
    assert Spread.of([low]).text() == Spread.of([high]).text() == "56 (56-56)"
    assert Spread.of([0.1, 0.2]).scaled(3).mean == 0.45


def test_rounded_agrees_with_the_printed_text():
    for values in ([12.5, 13.5], [0.5, 1.5, 2.5], [47.45, 47.55]):
        s = Spread.of(values)
        mean, low, high = s.rounded()
        assert s.text() == f"{mean} ({low}-{high})"


def test_glue_spread_glues_mean_low_and_high_as_printed(monkeypatch):
    import myst_nb

    glued = {}
    monkeypatch.setattr(
        myst_nb, "glue", lambda name, value, display: glued.update({name: value})
    )
    spread = Spread.of([0.4812, 0.6049, 0.5551]).scaled(100)
    glue_spread("acc", spread, decimals=1)
    assert glued == {"acc": 54.7, "acc_low": 48.1, "acc_high": 60.5}
    assert spread.text(1) == "54.7 (48.1-60.5)"
    with pytest.raises(ValueError, match="spread must be a Spread"):
        glue_spread("acc", [0.5, 0.6])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: Spread.of([]), "at least one finite"),
        (lambda: Spread.of([1.0, float("nan")]), "at least one finite"),
        (lambda: Spread.of(["a"]), "values must be numbers"),
        (lambda: Spread.of([1.0]).scaled(0), "factor"),
        (lambda: Spread.of([1.0]).text(7), "decimals"),
        (lambda: Spread.of([1.0]).rounded(-1), "decimals"),
        (lambda: Spread(2.0, 3.0, 4.0, 1), "low <= mean <= high"),
    ],
)
def test_bad_arguments_name_themselves(call, message):
    with pytest.raises(ValueError, match=message):
        call()
