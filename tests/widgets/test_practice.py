"""The practice widget's Python side, and what chapter 2 saves of it.

What the page draws and judges is compared with Python in
tests/widgets/test_parity.py (Node.js and Chromium); the page itself is used in
tests/book/test_browser.py.
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from cnnbook import calc
from cnnbook.papers import SEED_QUESTION
from cnnbook.widgets import practice
from cnnbook.widgets.esm import CSS
from cnnbook.widgets.practice import ESM, RANGES, SEED, WORKED, Practice, draw
from tests.conftest import REPO

CHAPTER = REPO / "book" / "02_counting_parameters_and_memory.ipynb"
STATE = "application/vnd.jupyter.widget-state+json"
# The chapter and the exercise notebooks a reader can see (sources, outputs).
PUBLISHED = [CHAPTER] + [
    REPO / folder / CHAPTER.name for folder in ("notebooks", "exercises", "solutions")
]


def answers(network: dict) -> dict[str, object]:
    """Every expected value of a network's questions."""
    return {q: practice.spec(q, network).expected for q in practice.QUESTIONS}


def test_draws_repeat_and_differ():
    first = draw(RANGES, SEED, 0, [WORKED])
    assert first == draw(RANGES, SEED, 0, [WORKED])
    others = [draw(RANGES, SEED, v, [WORKED]) for v in range(1, 30)]
    assert first not in others
    assert len({json.dumps(n, sort_keys=True) for n in others}) == len(others)


def test_the_generator_is_mulberry32():
    """mulberry32 (seed 1) as its usual JavaScript form gives it."""
    uniform = practice.generator(1)
    got = [round(uniform() * 2**32) for _ in range(3)]
    assert got == [2693262067, 11749833, 2265367787]


def test_draws_stay_in_their_ranges_and_fit():
    for variant in range(200):
        net = draw(RANGES, 99, variant, [WORKED])
        h, w, c = net["input_shape"]
        assert RANGES["height"][0] <= h <= RANGES["height"][1]
        assert RANGES["width"][0] <= w <= RANGES["width"][1] and c in RANGES["channels"]
        assert RANGES["depth"][0] <= len(net["layers"]) <= RANGES["depth"][1]
        assert net["dtype"] in RANGES["dtype"] and net["unit"] in RANGES["unit"]
        assert net["batch_size"] in RANGES["batch_size"]
        assert len({row["padding"] for row in net["layers"]}) == 1
        for row in net["layers"]:
            for key in ("filters", "kernel_size", "strides", "padding"):
                assert row[key] in RANGES[key]
        practice._analyze(net)  # fits: no ValueError


def test_the_worked_network_is_never_drawn():
    """Ranges that allow only chapter 2's network draw nothing."""
    only = {
        **RANGES,
        "height": [200, 200],
        "width": [300, 300],
        "channels": [3],
        "depth": [3, 3],
        "filters": [100, 200, 400],
        "kernel_size": [3],
        "strides": [2],
        "padding": ["same"],
    }
    worked = [n for v in range(100) if (n := draw(only, 1, v)) is not None]
    assert any(practice._same_network(n, WORKED) for n in worked)  # it can be drawn
    avoided = [draw(only, 1, v, [WORKED]) for v in range(100)]
    assert not any(n and practice._same_network(n, WORKED) for n in avoided)
    assert WORKED["input_shape"] == list(SEED_QUESTION["input_shape"])


def test_the_first_variant_is_not_the_chapters_or_the_exercises():
    """No answer of the first stack shown can be read off the chapter or the
    exercise: none of its figures appears in those notebooks."""
    first = Practice().network
    assert not practice._same_network(first, WORKED)
    texts = []  # sources and text outputs (not images, ids or the saved code)
    for path in PUBLISHED:
        for cell in nbformat.read(path, as_version=4).cells:
            texts.append(cell.source)
            for output in cell.get("outputs", []):
                texts.append(output.get("text", ""))
                data = output.get("data", {})
                texts += [
                    str(data.get(kind, "")) for kind in ("text/plain", "text/html")
                ]
    found = answers(first)
    shapes = found.pop("shapes")
    figures = {f"{int(v):,}" for v in found.values()} | {
        str(int(v)) for v in found.values()
    }
    for unit in ("MB", "MiB"):
        scale = practice.UNITS[unit]
        figures |= {f"{v / scale:.4g}" for k, v in found.items() if k != "params"}
    figures |= {" x ".join(map(str, s)) for s in shapes} | {
        str(tuple(s)) for s in shapes
    }
    seen = {figure for figure in figures for text in texts if figure in text}
    assert seen == set(), seen


def test_the_widget_state_holds_no_answer():
    widget = Practice()
    state = widget.get_state()
    assert state["_esm"] == ESM and state["_css"] == CSS
    base = {"layout", "tabbable", "tooltip"}  # every DOMWidget's
    synced = {k: v for k, v in state.items() if not k.startswith("_") and k not in base}
    assert set(synced) == {"questions", "ranges", "seed", "variant", "avoid", "tables"}
    text = json.dumps(synced)
    numbers = {int(n) for n in re.findall(r"\d+", text)}
    for variant in range(20):
        found = answers(draw(widget.ranges, widget.seed, variant, widget.avoid))
        found.pop("shapes")
        assert not {int(v) for v in found.values()} & numbers


def saved_models(path):
    state = nbformat.read(path, as_version=4).metadata["widgets"][STATE]["state"]
    return [model["state"] for model in state.values()]


def test_chapter_2_saves_no_expected_value():
    """No key of a judged answer and no figure of the practice's first 20
    stacks in any saved widget of the chapter (the code aside)."""
    models = saved_models(CHAPTER)
    practices = [m for m in models if m.get("_anywidget_id", "").endswith(".Practice")]
    assert len(practices) == 1
    keys = set()

    def walk(value):
        if isinstance(value, dict):
            keys.update(value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    data = [{k: v for k, v in m.items() if k not in ("_esm", "_css")} for m in models]
    walk(data)
    assert not keys & {"expected", "mistakes", "spec", "answer", "rel_tol"}
    numbers = {int(n) for n in re.findall(r"\d+", json.dumps(data))}
    saved = practices[0]
    for variant in range(20):
        found = answers(draw(saved["ranges"], saved["seed"], variant, saved["avoid"]))
        found.pop("shapes")
        assert not {int(v) for v in found.values()} & numbers
    # The calculator holds the chapter's network, not its 903,400 parameters.
    report = calc.analyze(
        SEED_QUESTION["input_shape"],
        [
            calc.Conv2D(f, 3, strides=2, padding="same")
            for f in SEED_QUESTION["filters"]
        ],
    )
    assert report.params not in numbers and report.inference_bytes not in numbers


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"questions": ["params", "params"]}, "questions must be some of"),
        ({"questions": "params"}, "questions must be some of"),
        ({"questions": []}, "questions must be some of"),
        ({"questions": ["flops"]}, "questions must be some of"),
        ({"ranges": {}}, "ranges must be a dict with the keys"),
        ({"ranges": {**RANGES, "height": [10, 5]}}, r"ranges\['height'\] must be"),
        ({"ranges": {**RANGES, "depth": [0, 3]}}, r"ranges\['depth'\] must be"),
        ({"ranges": {**RANGES, "width": [1, 10**6]}}, r"ranges\['width'\] must be"),
        ({"ranges": {**RANGES, "filters": []}}, r"ranges\['filters'\] must be"),
        ({"ranges": {**RANGES, "dtype": ["float8"]}}, r"ranges\['dtype'\] must be"),
        ({"ranges": {**RANGES, "unit": ["Mbit"]}}, r"ranges\['unit'\] must be"),
        ({"ranges": {**RANGES, "padding": "same"}}, r"ranges\['padding'\] must be"),
        ({"ranges": {**RANGES, "strides": [True]}}, r"ranges\['strides'\] must be"),
        (
            {
                "ranges": {
                    **RANGES,
                    "height": [1, 2],
                    "padding": ["valid"],
                    "kernel_size": [5],
                }
            },
            "ranges must give a network whose layers fit",
        ),
        ({"seed": -1}, r"seed must be an integer in \[0, 2\*\*32\)"),
        ({"seed": 2**32}, r"seed must be an integer in \[0, 2\*\*32\)"),
        ({"seed": 1.5}, r"seed must be an integer in \[0, 2\*\*32\)"),
        ({"avoid": [{"layers": []}]}, r"avoid\[0\] must be a network"),
    ],
)
def test_bad_arguments_raise_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Practice(**kwargs)


@pytest.mark.parametrize(
    "answer",
    ["", " ", "0\n0", "1" + "0" * 400, "9" * 100_000, "12 mebibytes", "abc", "3/0"],
)
@pytest.mark.parametrize("question", practice.QUESTIONS)
def test_every_typed_answer_gets_feedback(question, answer):
    network = draw(RANGES, SEED, 0, [WORKED])
    typed = [answer] * len(network["layers"]) if question == "shapes" else answer
    verdict = practice.judge(question, network, typed)
    assert verdict["status"] in ("incorrect", "unanswered")
    assert verdict["message"].startswith(("Not quite: ", "Not answered yet: "))


def test_a_slip_is_named_without_the_number():
    network = draw(RANGES, SEED, 0, [WORKED])
    spec = practice.spec("training", network)
    one_more = practice._analyze(network, network["batch_size"] + 1).training_bytes
    unit = practice.UNITS[network["unit"]]
    verdict = practice.judge("training", network, f"{one_more / unit:.6g}")
    assert "one image more than the batch holds" in verdict["message"]
    assert f"{spec.expected / unit:.3g}" not in verdict["message"]
    bits = practice.judge("training", network, f"{8 * spec.expected / unit:.6g}")
    assert "looks like bits" in bits["message"]
    params = practice.spec("params", network)
    no_bias = params.expected - sum(row["filters"] for row in network["layers"])
    verdict = practice.judge("params", network, str(no_bias))
    assert "leaves out the biases" in verdict["message"]
    assert f"{params.expected:,}" not in verdict["message"]
