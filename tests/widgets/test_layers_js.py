"""layers.js, the layer arithmetic every page widget shares, against cnnbook.calc.

Under Node.js (never skipped): random chains of the five kinds it knows
(convolutions full, depthwise and separable, with dilation; max and average
pooling), SAME and VALID padding, batches and dtypes, some invalid. Every
shape, parameter and multiply-add count, receptive field, memory figure and
error message must equal calc.analyze's.
"""

from __future__ import annotations

import random

from cnnbook import calc
from cnnbook.widgets import conv_stack
from cnnbook.widgets.esm import COMMON, compose
from tests.node_support import node_map

KINDS = ["Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D"]
KINDS += ["AveragePooling2D"]
DTYPES = ["float32", "float16", "float64", "int8"]

# The test's own export: analyze one case, or give calc's message.
ANALYZE_CASE = """
export function analyzeCase(c) {
  try {
    const r = analyzeRows(c.input_shape, c.layers, %s,
      { batchSize: c.batch_size, dtype: c.dtype });
    const keys = ["params", "macs", "param_bytes", "input_bytes", "activation_bytes",
      "inference_bytes", "training_bytes"];
    return {
      layers: r.layers.map((l) => [l.name, l.output_shape, l.params, l.macs,
        l.activation_bytes, l.field.size, l.field.jump, l.field.start]),
      ...Object.fromEntries(keys.map((k) => [k, r[k]])),
    };
  } catch (err) {
    if (err instanceof CalcError) return { error: err.message };
    throw err;
  }
}
"""


def random_cases(seed: int = 7, count: int = 1500) -> list[dict]:
    rng = random.Random(seed)

    def size(low, high):
        roll = rng.random()
        if roll < 0.02:
            return rng.choice([0, -2, None])
        return rng.randint(low, high)

    cases = []
    for _ in range(count):
        layers = []
        for _ in range(rng.choice([0] + [1, 2, 3, 4, 5, 7] * 10)):
            kind = rng.choice(KINDS)
            pool = "Pooling" in kind
            layers.append(
                {
                    "kind": kind,
                    "filters": size(1, 300),
                    "kernel_size": size(1, 7),
                    "strides": size(1, 3),
                    "padding": rng.choice(["same", "valid"]),
                    "dilation_rate": 1 if pool else rng.choice([1, 1, 1, 2, 3]),
                }
            )
        cases.append(
            {
                "input_shape": [size(1, 400), size(1, 400), size(1, 64)],
                "layers": layers,
                "batch_size": size(1, 256),
                "dtype": rng.choice(DTYPES),
            }
        )
    return cases


def calc_layer(row: dict):
    kind, k, s, p = row["kind"], row["kernel_size"], row["strides"], row["padding"]
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        # A cleared strides box is an error in the widgets, not Keras' default
        # of the pool size (conv_stack.layer_spec).
        return conv_stack.layer_spec(kind, None, k, s, p)
    d = row["dilation_rate"]
    if kind == "DepthwiseConv2D":
        return calc.DepthwiseConv2D(k, s, p, dilation_rate=d)
    return getattr(calc, kind)(row["filters"], k, s, p, dilation_rate=d)


def calc_answer(case: dict) -> dict:
    """What analyzeCase must give: calc's report, or its message."""
    specs = []
    try:
        for number, row in enumerate(case["layers"], 1):
            try:
                specs.append(calc_layer(row))
            except ValueError as err:
                raise ValueError(f"layer {number}: {err}") from None
        r = calc.analyze(
            tuple(case["input_shape"]),
            specs,
            batch_size=case["batch_size"],
            dtype=case["dtype"],
        )
    except ValueError as err:
        return {"error": str(err)}
    keys = ["params", "macs", "param_bytes", "input_bytes", "activation_bytes"]
    keys += ["inference_bytes", "training_bytes"]
    return {
        "layers": [
            [
                x.name,
                list(x.output_shape),
                str(x.params),
                str(x.macs),
                str(x.activation_bytes),
                [str(v) for v in x.receptive_field.size],
                [str(v) for v in x.receptive_field.jump],
                [str(v) for v in x.receptive_field.start],
            ]
            for x in r.layers
        ],
        **{key: str(getattr(r, key)) for key in keys},
    }


def test_layers_js_computes_what_calc_computes():
    cases = random_cases()
    source = compose(COMMON, "layers.js") + ANALYZE_CASE % KINDS
    have = node_map(source, "analyzeCase", cases)
    want = [calc_answer(case) for case in cases]
    errors = sum("error" in w for w in want)
    assert 0.1 * len(cases) < errors < 0.6 * len(cases)  # both kinds, well mixed
    wrong = [(c, w, h) for c, w, h in zip(cases, want, have, strict=True) if w != h]
    assert wrong == [], wrong[:2]
