"""Figures in the house style: labelled axes, the data drawn as given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from cnnbook.plots import paired_differences, stacked_bars, timeline  # noqa: E402


def test_timeline_draws_each_series_and_marks_its_peak():
    labels = ["conv_1", "conv_2", "loss", "back"]
    fig = timeline(
        labels,
        {"training": [2e6, 5e6, 6e6, 3e6], "prediction": [2e6, 3e6, None, None]},
        scale=1e6,
        unit="MB",
        title="Training keeps more",
    )
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert [tuple(line.get_ydata()) for line in lines] == [(2, 5, 6, 3), (2, 3)]
    assert [t.get_text() for t in ax.get_xticklabels()] == labels
    assert ax.get_ylabel() == "memory alive (MB)"
    assert [t.get_text() for t in ax.texts] == ["6", "3"]  # the two peaks
    assert ax.get_title() == "Training keeps more"
    plt.close(fig)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"labels": [], "series": {"a": []}}, "labels must name"),
        ({"labels": ["x"], "series": {}}, "series must hold"),
        ({"labels": ["x"], "series": {"a": [1, 2]}}, "has 2 values for 1 labels"),
        ({"labels": ["x"], "series": {"a": [1]}, "scale": 0}, "scale must be"),
    ],
)
def test_timeline_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        timeline(**kwargs)


def test_stacked_bars_segments_add_up():
    fig = stacked_bars({"SGD": {"a": 1e6, "b": 2e6}}, ["a", "b"], 1e6, "MB")
    widths = [patch.get_width() for patch in fig.axes[0].patches]
    assert widths == [1, 2]
    plt.close(fig)


def test_paired_differences_draws_each_seed_and_the_interval_around_zero():
    from cnnbook.science.seeds import Difference

    diffs = {
        "CNN - dense": Difference.paired([0.9, 0.8, 0.85], [0.7, 0.75, 0.8]),
        "max - average": Difference.paired([0.1, 0.2, 0.1], [0.1, 0.1, 0.2]),
    }
    fig = paired_differences(diffs, unit="points", title="The CNN wins")
    ax = fig.axes[0]
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert [tuple(d.get_xdata()) for d in dots] == [
        pytest.approx((0.2, 0.05, 0.05)),
        pytest.approx((0.0, 0.1, -0.1)),
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(diffs)
    assert ax.get_xlabel() == "difference per seed (points)"
    assert any(
        tuple(line.get_xdata()) == (0, 0) for line in ax.get_lines()
    )  # the zero line
    plt.close(fig)
    with pytest.raises(ValueError, match="at least one comparison"):
        paired_differences({})
    with pytest.raises(ValueError, match=r"differences\['x'\] must be a Difference"):
        paired_differences({"x": [1, 2]})
