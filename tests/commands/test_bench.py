"""The budget checker of `make bench` (the measurements themselves run there)."""

import pytest

from cnnbook.commands.bench import (
    BUDGETS,
    check_budgets,
    measure_analyze,
    measure_grading,
)
from tests.conftest import REPO


def _results(**overrides):
    results = {
        "notebooks": {"book/a.ipynb": {"seconds": 12.0, "peak_rss_mb": 650.0}},
        "ratio_to_floor": 1.1,
        "book_build_seconds": 10.0,
        "book_rebuild_seconds": 2.0,
        "analyze_150_layers_ms": 2.5,
    }
    results.update(overrides)
    return results


def test_results_within_budget_pass():
    assert check_budgets(_results()) == []


@pytest.mark.parametrize(
    "overrides, expected",
    [
        (
            {"notebooks": {"book/a.ipynb": {"seconds": 31.0, "peak_rss_mb": 1.0}}},
            "book/a.ipynb: 31.0 s > 30.0 s",
        ),
        (
            {"notebooks": {"book/a.ipynb": {"seconds": 1.0, "peak_rss_mb": 901.0}}},
            "book/a.ipynb: peak memory 901.0 MB > 900.0 MB",
        ),
        ({"ratio_to_floor": 2.3}, "ratio_to_floor: 2.3 > 2.2"),
        ({"book_rebuild_seconds": 6.0}, "book_rebuild_seconds: 6.0 > 5.0"),
        ({"analyze_150_layers_ms": 11.0}, "analyze_150_layers_ms: 11.0 > 10.0"),
        ({"grading_ratio_to_floor": 3.0}, "grading_ratio_to_floor: 3.0 > 2.5"),
        (
            {"grading_class_60_seconds": 700.0},
            "grading_class_60_seconds: 700.0 > 300.0",
        ),
    ],
)
def test_each_broken_budget_is_named(overrides, expected):
    assert check_budgets(_results(**overrides)) == [expected]


def test_measure_analyze_refuses_bad_sizes_and_returns_milliseconds():
    with pytest.raises(ValueError, match="n_layers must be a positive integer"):
        measure_analyze(0)
    assert measure_analyze(n_layers=3, repeats=2) > 0


def test_measure_grading_refuses_a_class_smaller_than_its_jobs():
    with pytest.raises(ValueError, match="samples must be an integer of at least"):
        measure_grading(samples=1, jobs=2)


def test_readme_states_the_budgets_the_bench_enforces():
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Performance", 1)[1].split("\n## ", 1)[0]
    limits = {
        "notebook_peak_rss_mb": f"| {BUDGETS['notebook_peak_rss_mb']:.0f} MB |",
        "notebook_seconds": f"| {BUDGETS['notebook_seconds']:.0f} s |",
        "ratio_to_floor": f"| {BUDGETS['ratio_to_floor']:.1f} |",
        "book_build_seconds": f"| {BUDGETS['book_build_seconds']:.0f} s |",
        "book_rebuild_seconds": f"| {BUDGETS['book_rebuild_seconds']:.0f} s |",
        "analyze_150_layers_ms": f"| {BUDGETS['analyze_150_layers_ms']:.0f} ms |",
        "grading_ratio_to_floor": f"| {BUDGETS['grading_ratio_to_floor']:.1f} |",
        "grading_class_60_seconds": (
            f"| {BUDGETS['grading_class_60_seconds']:.0f} s |"
        ),
    }
    for name, cell in limits.items():
        assert cell in section, f"README's performance table lacks {name} {cell}"
