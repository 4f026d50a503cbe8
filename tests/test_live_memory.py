"""The will-it-fit calculator's JavaScript, in Chromium, against memory_plan.

The page's ES module (cnnbook/static/will_it_fit.js) must compute and show
exactly what the Python side computes: the largest batch, every part of the
step's memory in bytes, and the formatted text, on random settings (valid and
not). Browser-marked: needs Debian's Chromium (tests/browser_support.py).
"""

import math
import random

import pytest

from cnnbook import memory_plan as mp
from cnnbook.tables import format_bytes
from cnnbook.widgets_memory import (
    ESM,
    GPU_CHOICES,
    NETWORKS,
    OPTIMIZERS,
    WillItFit,
    network_report,
    page_options,
)
from tests import browser_support


def random_settings(count: int, seed: int = 2026) -> list[dict]:
    """Calculator settings: mostly valid, some bad numbers or unknown choices."""
    rng = random.Random(seed)

    def gb(low, high):
        roll = rng.random()
        if roll < 0.05:
            return rng.choice([None, -1.0, 0.0, -0.0, math.nan, math.inf, 1e305])
        if roll < 0.15:
            return float(rng.randint(low, int(high)))
        return round(rng.uniform(low, high), rng.choice([1, 2, 3, 6, 12]))

    def pick(choices, bad):
        return bad if rng.random() < 0.02 else rng.choice(list(choices))

    return [{
        "gpu": pick(GPU_CHOICES, "12 GB"),
        "custom_gb": gb(0, 200) if rng.random() < 0.9 else gb(0, 2e6),
        "reserve_gb": gb(0, 4) if rng.random() < 0.9 else gb(0, 100),
        "network": pick(NETWORKS, "VGG16"),
        "precision": pick(mp.PRECISIONS, "int8"),
        "optimizer": pick(OPTIMIZERS, "lamb"),
        "checkpointing": rng.random() < 0.5,
    } for _ in range(count)]


def python_answer(settings: dict) -> dict:
    """memory_plan's numbers and WillItFit's text for these settings."""
    widget = WillItFit()
    for name, value in settings.items():
        setattr(widget, name, value)
    answer = {"text": widget.text()}
    if widget.error is not None:
        return answer
    setup = {k: settings[k] for k in ("precision", "optimizer", "checkpointing")}
    report = network_report(settings["network"])
    memory = (settings["custom_gb"] if settings["gpu"] == "custom"
              else float(settings["gpu"].split()[0])) * 1e9
    reserve = settings["reserve_gb"] * 1e9
    batch = mp.largest_batch(report, memory, reserve, limit=1_000_000, **setup)
    step = mp.step_memory(report, max(batch, 1), **setup)
    answer.update(batch=batch, budget=memory - reserve)
    answer["memory" if batch else "one"] = {
        k: str(v) for k, v in step.as_dict().items()}
    return answer


@pytest.fixture(scope="module")
def module_page():
    """A Chromium page with the calculator's ES module imported as `window.fit`."""
    with browser_support.module_page(fit=ESM) as page:
        yield page


@pytest.mark.browser
def test_module_agrees_with_memory_plan_on_random_settings(module_page):
    cases = random_settings(500)
    expected = [python_answer(s) for s in cases]
    got = module_page.evaluate(
        "([cases, options]) => cases.map((c) => fit.describeJSON(c, options))",
        [cases, page_options()])
    kinds = [next(iter(e["text"])) for e in expected]
    assert kinds.count("headline") >= 300, kinds
    assert kinds.count("error") >= 20 and kinds.count("none_fits") >= 5, kinds
    assert any(e.get("batch") == 1_000_000 for e in expected)
    for settings, want, have in zip(cases, expected, got, strict=True):
        assert have == want, settings


@pytest.mark.browser
def test_formatting_and_reprs_match_python(module_page):
    rng = random.Random(5)
    values = [0.0, -0.0, 1.0, 12.0, 0.5, 1e-4, 1e-5, 123456.789, 1e15, 1e16, 1e22,
              -2.5, 0.1, 1 / 3, 2.675, 5e-324, 1.7976931348623157e308]
    values += [rng.uniform(-1e6, 1e6) * 10.0 ** rng.randint(-8, 12) for _ in range(300)]
    got = module_page.evaluate(
        "(vs) => vs.map((v) => [fit.pyFloat(v), fit.formatGB(v)])", values)
    assert got == [[repr(v), format_bytes(v, "GB", 2)] for v in values]
    texts = ["12", " 3.5 ", "-2", "1e3", ".5", "5.", "inf", "-Infinity", "nan", "",
             "abc", "1,5", "0x10", "1e400"]
    parsed = module_page.evaluate(
        "(ts) => ts.map((t) => fit.pyFloat(fit.parseNumber(t)))", texts)

    def py_float(text):
        try:
            return repr(float(text))
        except ValueError:
            return "None"

    assert parsed == [py_float(t) for t in texts]


@pytest.mark.browser
def test_page_controls_recompute(module_page):
    """Render into the page with a stand-in model, then edit the controls."""
    result = module_page.evaluate("""(state) => {
        const model = standInModel(state);
        const el = document.createElement('div');
        document.body.append(el);
        fit.default.render({ model, el });
        const head = () => el.querySelector('.cnnbook-results').textContent;
        const shown = [head()];
        const gpu = el.querySelector('select[name="GPU memory"]');
        gpu.value = 'custom';
        gpu.dispatchEvent(new Event('change'));
        const custom = el.querySelector('input[name="custom (GB)"]');
        custom.value = '0.3';
        custom.dispatchEvent(new Event('input'));
        shown.push(head(), String(custom.disabled));
        custom.value = 'lots';
        custom.dispatchEvent(new Event('input'));
        shown.push(head());
        return shown;
    }""", WillItFit().get_state())
    first = WillItFit().text()
    assert result[0].startswith(first["headline"])
    assert "Not even one image fits" in result[1] and result[2] == "false"
    assert "custom GPU memory must be a positive number of GB, got None" in result[3]
