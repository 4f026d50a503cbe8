"""The parity contract of every live widget: the page computes what Python computes.

Each widget is ``name.py`` beside ``name.js``. The Python module's
``describe(settings) -> dict`` says what the page must show for the settings
(as the page holds them: edited with no checks); the ES module's
``describeJSON(settings)`` is what the page computes. One parametrised test
compares the two under Node.js (always: it never skips) and another in
Chromium (the page's engine, where it is installed), on derandomised cases per
widget, odd ones included: cleared boxes (None), huge numbers, newlines and
empty strings in typed answers, unknown choices. Counts and text must be
equal; floats (LRN, downsampling: sums in another order) agree to 1e-9
relative.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from cnnbook.science import lrn, memory_plan
from cnnbook.widgets import (
    conv_stack,
    downsampling,
    lrn_explorer,
    param_counter,
    practice,
    receptive_field,
    will_it_fit,
)
from tests import browser_support
from tests.node_support import node_map
from tests.widgets.practice_cases import practice_cases

BIG = 10**6


def conv_stack_cases(seed: int = 2026, count: int = 400) -> list[dict]:
    """Mostly valid stacks, some with bad, cleared or huge values."""
    rng = random.Random(seed)

    def size(low, high, bad=0.04):
        roll = rng.random()
        if roll < bad:
            return rng.choice([0, -1, -3, None])
        if roll < bad + 0.01:
            return BIG * rng.randint(1, 9)
        return rng.randint(low, high)

    cases = []
    for _ in range(count):
        big = rng.random() < 0.2
        layers = [
            {
                "kind": rng.choice(conv_stack.LAYER_KINDS),
                "filters": size(1, 2048 if big else 256),
                "kernel_size": size(1, 7),
                "strides": size(1, 4),
                "padding": rng.choice(conv_stack.PADDINGS),
            }
            for _ in range(rng.choice([0] + [1, 2, 3, 4, 5, 6] * 8))
        ]
        cases.append(
            {
                "input_shape": [
                    size(1, 4096 if big else 300, 0.02),
                    size(1, 4096 if big else 300, 0.02),
                    size(1, 64, 0.02),
                ],
                "layers": layers,
                "batch_size": size(1, 512, 0.03),
                "dtype": rng.choice(conv_stack.DTYPES),
            }
        )
    return cases


def receptive_field_cases(seed: int = 2026, count: int = 400) -> list[dict]:
    """Stacks of full, depthwise and separable convolutions with dilation; some
    cleared (None), zero, negative or huge values, strides with dilation in a
    Conv2D, VALID windows larger than their input, unknown kinds."""
    rng = random.Random(seed)

    def size(low, high, bad=0.03):
        roll = rng.random()
        if roll < bad:
            return rng.choice([0, -1, -4, None])
        if roll < bad + 0.01:
            return BIG * rng.randint(1, 9)
        return rng.randint(low, high)

    cases = []
    for _ in range(count):
        big = rng.random() < 0.15
        layers = [
            {
                "kind": rng.choice(receptive_field.LAYER_KINDS)
                if rng.random() > 0.01
                else "MaxPooling2D",
                "filters": size(1, 1024 if big else 128),
                "kernel_size": size(1, 7),
                "strides": rng.choice([1, 1, 1, 1, 2]) if rng.random() > 0.03 else None,
                "dilation_rate": rng.choice([1, 1, 1, 1, 1, 2, 3, 4, 8])
                if rng.random() > 0.03
                else rng.choice([0, None, BIG]),
                "padding": rng.choice(receptive_field.PADDINGS),
            }
            for _ in range(rng.choice([0] + [1, 2, 3, 4, 5, 6, 8] * 6))
        ]
        cases.append(
            {
                "input_shape": [
                    size(1, 4096 if big else 256, 0.02),
                    size(1, 4096 if big else 256, 0.02),
                    size(1, 64, 0.02),
                ],
                "layers": layers,
            }
        )
    return cases


def param_counter_cases(seed: int = 2026, count: int = 600) -> list[dict]:
    """Counter settings, some huge (Dense counts beyond 2**53), some bad."""
    rng = random.Random(seed)

    def value(high):
        roll = rng.random()
        if roll < 0.03:
            return rng.choice([0, -1, -7, None])
        if roll < 0.2:
            return rng.randint(1, 9)
        return rng.randint(1, high)

    cases = [
        {
            "height": 200,
            "width": 300,
            "channels": 3,
            "units": 100,
            "filters": 100,
            "kernel_size": 3,
        },
        {
            "height": BIG,
            "width": BIG,
            "channels": 512,
            "units": BIG,
            "filters": 1,
            "kernel_size": 1,
        },
    ]
    for _ in range(count):
        big = rng.random() < 0.3
        cases.append(
            {
                "height": value(BIG if big else 2000),
                "width": value(BIG if big else 2000),
                "channels": value(512 if big else 64),
                "units": value(BIG if big else 4096),
                "filters": value(4096),
                "kernel_size": value(11),
            }
        )
    return cases


def downsampling_cases(seed: int = 4, count: int = 150) -> list[dict]:
    """Random images (uniform, integer, wide-ranged) with pool sizes and strides,
    some out of range."""
    rng = np.random.default_rng(seed)
    kernels = downsampling.DownsamplingViewer(np.zeros((2, 2))).kernels
    cases = []
    for _ in range(count):
        h, w = (int(v) for v in rng.integers(2, 40, size=2))
        kind = rng.integers(3)
        if kind == 0:
            image = rng.random((h, w))
        elif kind == 1:
            image = rng.integers(0, 256, size=(h, w)).astype(float)
        else:
            image = rng.normal(scale=10.0 ** rng.integers(-3, 4), size=(h, w))
        pool = (
            int(rng.integers(0, 10))
            if rng.random() < 0.1
            else int(rng.integers(1, min(h, w, 8) + 1))
        )
        cases.append(
            {
                "image_b64": downsampling.encode_image(image.astype("f4")),
                "image_shape": [h, w],
                "kernels": kernels,
                "pool_size": pool,
                "strides": int(rng.integers(1, 9)) if rng.random() > 0.03 else None,
            }
        )
    return cases


def will_it_fit_cases(seed: int = 2026, count: int = 500) -> list[dict]:
    """Mostly valid settings, some bad numbers, huge sizes or unknown choices."""
    rng = random.Random(seed)
    options = will_it_fit.page_options()

    def gb(low, high):
        roll = rng.random()
        if roll < 0.05:
            return rng.choice([None, -1.0, 0.0, -0.0, math.nan, math.inf, 1e305])
        if roll < 0.15:
            return float(rng.randint(low, int(high)))
        return round(rng.uniform(low, high), rng.choice([1, 2, 3, 6, 12]))

    def pick(choices, bad):
        return bad if rng.random() < 0.02 else rng.choice(list(choices))

    return [
        {
            "gpu": pick(will_it_fit.GPU_CHOICES, "12 GB"),
            "custom_gb": gb(0, 200) if rng.random() < 0.9 else gb(0, 2e6),
            "reserve_gb": gb(0, 4) if rng.random() < 0.9 else gb(0, 100),
            "network": pick(will_it_fit.NETWORKS, "VGG16"),
            "precision": pick(memory_plan.PRECISIONS, "int8"),
            "optimizer": pick(will_it_fit.OPTIMIZERS, "lamb"),
            "checkpointing": rng.random() < 0.5,
            "options": options,
        }
        for _ in range(count)
    ]


def lrn_explorer_cases(seed: int = 2026, count: int = 400) -> list[dict]:
    """Stacks (random shapes and values) with constants, some invalid."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)

    def number(low, high, bad):
        if rng.random() < 0.04:
            return rng.choice(bad)
        log_uniform = 10 ** rng.uniform(math.log10(low or 1e-6), math.log10(high))
        return float(
            rng.choice(
                [rng.uniform(low, high), round(rng.uniform(low, high), 2), log_uniform]
            )
        )

    cases = []
    for _ in range(count):
        shape = (rng.randint(1, 9), rng.randint(1, 9), rng.randint(1, 12))
        values = nprng.normal(0, 10 ** rng.uniform(-2, 3), shape)
        if rng.random() < 0.3:
            values = np.abs(values)
        if rng.random() < 0.2:
            values = np.round(values, rng.randint(0, 2))  # ties and zeros
        if rng.random() < 0.15:
            values = lrn.inhibition_stack(
                shape[2],
                rng.randint(1, 9),
                strong_value=rng.choice([0.0, 1.0, 100.0]),
                weak_value=rng.choice([0.0, 10.0]),
            )
        cases.append(
            {
                "stack": values.tolist(),
                "k": number(1e-3, 10, [0.0, -1.0, None, math.inf]),
                "n": rng.choice([1, 3, 5, 5, 7, 9, 13])
                if rng.random() > 0.05
                else rng.choice([0, 2, 4, -3, None]),
                "alpha": number(0, 2, [-1e-4, None, math.nan]),
                "beta": number(0, 3, [-0.5, None])
                if rng.random() > 0.1
                else rng.choice([0.0, 0.5, 1.0, 2.0]),
                "alpha_per_n": rng.random() < 0.3,
            }
        )
    return cases


CONTRACTS = {
    "conv_stack": (conv_stack, conv_stack_cases),
    "receptive_field": (receptive_field, receptive_field_cases),
    "param_counter": (param_counter, param_counter_cases),
    "downsampling": (downsampling, downsampling_cases),
    "will_it_fit": (will_it_fit, will_it_fit_cases),
    "lrn_explorer": (lrn_explorer, lrn_explorer_cases),
    "practice": (practice, practice_cases),
}


def same(want, have, path="") -> list[str]:
    """Where ``have`` differs from ``want``: exact for text, counts and flags,
    1e-9 relative (1e-12 absolute near 0) for floats."""
    if isinstance(want, dict) and isinstance(have, dict):
        if set(want) != set(have):
            return [f"{path}: keys {sorted(want)} != {sorted(have)}"]
        return [d for key in want for d in same(want[key], have[key], f"{path}.{key}")]
    if isinstance(want, (list, tuple)) and isinstance(have, list):
        if len(want) != len(have):
            return [f"{path}: {len(want)} items != {len(have)}"]
        return [
            d
            for i, (w, h) in enumerate(zip(want, have, strict=True))
            for d in same(w, h, f"{path}[{i}]")
        ]
    if isinstance(want, bool) or isinstance(have, bool):
        equal = want is have
    elif isinstance(want, float) and isinstance(have, (int, float)):
        equal = math.isclose(want, have, rel_tol=1e-9, abs_tol=1e-12)
    else:
        equal = want == have
    return [] if equal else [f"{path}: {want!r} != {have!r}"]


def test_every_widget_module_has_a_contract():
    from cnnbook.widgets.esm import widget_modules

    assert sorted(f"{name}.js" for name in CONTRACTS) == widget_modules()


@pytest.mark.parametrize("name", CONTRACTS)
def test_cases_are_derandomised_and_mix_valid_and_invalid(name):
    module, cases = CONTRACTS[name]
    first, again = cases(), cases()
    assert first == again
    answers = [module.describe(settings) for settings in first]
    failing = sum(
        "error" in a
        or "error" in a.get("text", {})
        or a.get("message", "").startswith("Not quite")
        for a in answers
    )
    assert 0 < failing < len(answers), name


def differences(settings, want, have) -> list:
    """(settings, first difference) of each case where the page and Python differ."""
    return [
        (s, d)
        for s, w, h in zip(settings, want, have, strict=True)
        for d in same(w, h)[:1]
    ]


@pytest.mark.parametrize("name", CONTRACTS)
def test_node_computes_what_python_describes(name):
    module, cases = CONTRACTS[name]
    settings = cases()
    want = [module.describe(s) for s in settings]
    have = node_map(module.ESM, "describeJSON", settings)
    found = differences(settings, want, have)
    assert found == [], found[:3]


@pytest.fixture(scope="module")
def widgets_page():
    """A Chromium page with every widget's composed ES module imported under
    its name."""
    modules = {name: module.ESM for name, (module, _) in CONTRACTS.items()}
    with browser_support.module_page(**modules) as page:
        yield page


@pytest.mark.browser
@pytest.mark.parametrize("name", CONTRACTS)
def test_page_computes_what_python_describes(widgets_page, name):
    module, cases = CONTRACTS[name]
    settings = cases()
    want = [module.describe(s) for s in settings]
    have = widgets_page.evaluate(
        f"(cases) => cases.map((c) => {name}.describeJSON(c))", settings
    )
    found = differences(settings, want, have)
    assert found == [], found[:3]
