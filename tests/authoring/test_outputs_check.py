"""The perturbation check's pieces: its levers, how it measures a move, its CLI.

The check itself (`make outputs-check`) runs strict nbval four times; it is a
command of its own, not part of `make test`.
"""

import pytest

from cnnbook.authoring import outputs_check as oc
from cnnbook.runtime import perturbation, perturbed


def test_levers_name_what_they_set_and_move():
    levers = oc.levers()
    names = [lever.name for lever in levers]
    assert "oneDNN limited to AVX2" in names and "one intra-op thread" in names
    assert all(lever.env and lever.moves for lever in levers)
    perturb = next(lever for lever in levers if "CNNBOOK_PERTURB" in lever.env)
    assert float(perturb.env["CNNBOOK_PERTURB"]) == 1e-12


def test_a_move_is_the_largest_change_over_the_largest_value():
    base = {"a": [1.0, -4.0, 0.0], "b": [2.0]}
    assert oc.moved(base, base) == {"a": 0.0, "b": 0.0}
    assert oc.moved(base, {"a": [1.0, -4.0, 1e-3], "b": [2.5]}) == pytest.approx(
        {"a": 2.5e-4, "b": 0.25}
    )


def test_the_perturbation_is_off_unless_asked_for(monkeypatch):
    import numpy as np

    x = np.linspace(0.0, 1.0, 5)
    monkeypatch.delenv("CNNBOOK_PERTURB", raising=False)
    assert perturbation() == 0.0 and perturbed(x) is x
    monkeypatch.setenv("CNNBOOK_PERTURB", "1e-9")
    moved = perturbed(x, seed=3)
    assert moved.dtype == x.dtype and 0 < np.abs(moved - x).max() <= 1e-9
    np.testing.assert_array_equal(moved, perturbed(x, seed=3))
    monkeypatch.setenv("CNNBOOK_PERTURB", "lots")
    with pytest.raises(ValueError, match="CNNBOOK_PERTURB must be a number of at"):
        perturbation()


def test_bad_jobs_are_refused():
    with pytest.raises(SystemExit):
        oc.main(["--jobs", "0"])


def _lever(name="a lever"):
    return oc.Lever(name, {"X": "1"}, "something")


@pytest.mark.parametrize(
    "runs, ok, reason",
    [
        ([], False, "no lever was tried"),
        ([oc.LeverRun(_lever(), {"a": 1e-7}, True, "9 passed")], True, None),
        (
            [oc.LeverRun(_lever("still"), {"a": 0.0, "b": 0.0}, True, "9 passed")],
            False,
            "still: moved no float, so it proves nothing",
        ),
        (
            [oc.LeverRun(_lever("bad"), {"a": 1e-7}, False, "1 failed, 8 passed")],
            False,
            "bad: nbval failed (1 failed, 8 passed)",
        ),
        (
            [
                oc.LeverRun(_lever("good"), {"a": 1e-7}, True, "9 passed"),
                oc.LeverRun(_lever("still"), {}, True, "9 passed"),
            ],
            False,
            "still: moved no float",
        ),
    ],
)
def test_the_check_passes_only_when_every_lever_moved_and_nbval_passed(
    runs, ok, reason
):
    decided, reasons = oc.decide(runs)
    assert decided is ok
    if reason is None:
        assert reasons == []
    else:
        assert len(reasons) == 1 and reasons[0].startswith(reason)


def test_a_lever_run_says_what_moved():
    run = oc.LeverRun(_lever(), {"conv": 3e-7, "lrn": 0.0}, True, "9 passed")
    assert run.effect == "conv 3e-07" and run.proves
    still = oc.LeverRun(_lever(), {"conv": 0.0}, True, "9 passed")
    assert still.effect == "nothing (proves nothing)" and not still.proves
