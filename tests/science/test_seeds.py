"""cnnbook.science.seeds: a result over seeds, printed as its spread allows."""

import statistics

import pytest

from cnnbook.science.seeds import Difference, Spread, glue_difference, glue_spread


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


def test_paired_difference_is_a_t_interval_of_the_per_seed_differences():
    from scipy.stats import t

    a, b = [0.9, 0.8, 0.85, 0.95], [0.7, 0.75, 0.8, 0.7]
    d = Difference.paired(a, b).scaled(100)
    diffs = [20, 5, 5, 25]
    half = t.ppf(0.975, 3) * statistics.stdev(diffs) / 2
    assert d.values == pytest.approx(diffs)
    assert (d.mean, d.low, d.high) == pytest.approx((13.75, 13.75 - half, 13.75 + half))
    assert d.n == 4 and d.direction == 0
    assert d.text(1, "points") == "+13.8 points (95% interval -2.7 to +30.2, 4 seeds)"
    assert d.verdict("the CNN", "the dense net") == (
        "no difference detected between the CNN and the dense net at 4 seeds"
    )


def test_a_decided_difference_says_which_arm_is_higher():
    up = Difference.paired([3.0, 3.2, 2.9, 3.1], [1.0, 1.1, 1.0, 0.9])
    assert up.direction == 1 and up.decided_at(1)
    assert up.verdict("A", "B", 1) == "A is higher than B"
    down = Difference.paired([1.0, 1.1, 1.0, 0.9], [3.0, 3.2, 2.9, 3.1])
    assert down.direction == -1 and down.verdict("A", "B", 1) == "A is lower than B"
    assert down.text(1) == "-2.0 (95% interval -2.3 to -1.8, 4 seeds)"
    # identical differences: a zero-width interval, still decided
    same = Difference.paired([2, 3, 4], [1, 2, 3])
    assert (same.mean, same.low, same.high) == (1, 1, 1) and same.direction == 1


def test_the_verdict_judges_the_interval_as_printed():
    # an interval whose low end is 0.004 prints as 0.00 at two places: not decided
    d = Difference(0.5, 0.004, 0.996, (0.2, 0.8))
    assert d.direction == 1
    assert not d.decided_at(2) and d.decided_at(3)
    assert "no difference detected" in d.verdict("A", "B", 2)
    assert d.verdict("A", "B", 3) == "A is higher than B"
    assert d.text(2) == "+0.50 (95% interval 0.00 to +1.00, 2 seeds)"


@pytest.mark.parametrize(
    "a, b, message",
    [
        ([1, 2], [1], "one value per seed each, got 2 and 1"),
        ([1], [2], "at least 2 seeds"),
        (["x", 2], [1, 2], "a must be numbers"),
        ([1, float("nan")], [1, 2], "a must be finite"),
        ([1, 2], [1, float("inf")], "b must be finite"),
    ],
)
def test_paired_difference_refuses_bad_input(a, b, message):
    with pytest.raises(ValueError, match=message):
        Difference.paired(a, b)


def test_paired_difference_refuses_bad_confidence_and_decimals():
    with pytest.raises(ValueError, match="confidence must be"):
        Difference.paired([1, 2], [0, 0], confidence=1.0)
    d = Difference.paired([1, 2], [0, 0])
    with pytest.raises(ValueError, match="decimals must be an integer from 0 to 6"):
        d.text(7)
    with pytest.raises(ValueError, match="factor must be"):
        d.scaled(0)


def test_glue_difference_glues_the_printed_interval_and_the_seeds(monkeypatch):
    import myst_nb

    glued = {}
    monkeypatch.setattr(
        myst_nb, "glue", lambda name, value, display: glued.update({name: value})
    )
    d = Difference.paired([0.9, 0.8, 0.85, 0.95], [0.7, 0.75, 0.8, 0.7]).scaled(100)
    glue_difference("gap", d, decimals=1)
    assert glued == {"gap": 13.8, "gap_low": -2.7, "gap_high": 30.2, "gap_n": 4}
    with pytest.raises(ValueError, match="difference must be a Difference"):
        glue_difference("gap", [1, 2])
