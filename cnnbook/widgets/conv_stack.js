// The conv-stack calculator, computed in the page: no kernel, no server.
// Composed after common.js (cnnbook.widgets.esm.esm), whose helpers it uses.
//
// The arithmetic mirrors cnnbook.calc.analyze for Conv2D, MaxPooling2D and
// AveragePooling2D stacks (same shapes, parameters, multiply-adds, memory, layer
// names and error messages), and the formatting mirrors cnnbook.units, so the
// page shows what conv_stack.describe (Python) gives.
// tests/widgets/test_parity.py checks that on random stacks in Chromium.
// Counts are BigInt, so they stay exact for any size.

export const LAYER_KINDS = ["Conv2D", "MaxPooling2D", "AveragePooling2D"];
export const PADDINGS = ["same", "valid"];
export const DTYPES = ["float32", "float16", "bfloat16", "float64"];
// All of calc.DTYPE_BYTES: its error message lists them, sorted.
export const DTYPE_BYTES = {
  bfloat16: 2, float16: 2, float32: 4, float64: 8,
  int16: 2, int32: 4, int64: 8, int8: 1, uint8: 1,
};

const SNAKE = {
  Conv2D: "conv2d", MaxPooling2D: "max_pooling2d",
  AveragePooling2D: "average_pooling2d",
};
const NEW_LAYER = { kind: "Conv2D", filters: 64, kernel_size: 3, strides: 1,
                    padding: "same" };

// ------------------------------------------------------------ Python look-alikes
/** "12,613,600 bytes = 12.6 MB = 12.0 MiB" (widgets._mb_and_mib). */
export function mbAndMib(numBytes) {
  return `${formatInt(numBytes)} bytes = ${formatBytes(numBytes, "MB")} = ` +
    `${formatBytes(numBytes, "MiB")}`;
}

// ------------------------------------------------------------ the arithmetic
class CalcError extends Error {}

function pairError(arg, value) {
  return new CalcError(`${arg} must be a positive integer or a pair of positive ` +
    `integers, got ${pyRepr(value)}`);
}

/** Check one calculator row like calc's constructors (widgets.layer_spec). */
function layerSpec(row) {
  const { kind, filters, kernel_size: kernel, strides, padding } = row;
  if (!LAYER_KINDS.includes(kind)) {
    throw new CalcError(`kind must be one of ${LAYER_KINDS.join(", ")}, ` +
      `got ${pyRepr(kind)}`);
  }
  const conv = kind === "Conv2D";
  if (conv && !isPositiveInt(filters)) {
    throw new CalcError(`filters must be a positive integer, got ${pyRepr(filters)}`);
  }
  if (!isPositiveInt(kernel)) throw pairError(conv ? "kernel_size" : "pool_size", kernel);
  if (!isPositiveInt(strides)) throw pairError("strides", strides);
  if (typeof padding !== "string" || !PADDINGS.includes(padding.toLowerCase())) {
    throw new CalcError(`padding must be one of 'valid', 'same', got ${pyRepr(padding)}`);
  }
  return { kind, filters: conv ? filters : null, kernel, strides,
           padding: padding.toLowerCase() };
}

function windowOut(size, window, stride, padding, arg) {
  if (padding === "same") return Math.ceil(size / stride);
  if (window > size) {
    throw new CalcError(`${arg} ${window} is larger than the input size ${size} ` +
      "with padding='valid'; use padding='same' or a smaller window");
  }
  return Math.floor((size - window) / stride) + 1;
}

function layerNames(specs) {
  const counters = {};
  return specs.map(({ kind }) => {
    const base = SNAKE[kind];
    const n = counters[base] || 0;
    counters[base] = n + 1;
    return n === 0 ? base : `${base}_${n}`;
  });
}

const prod = (shape) => shape.reduce((a, b) => a * BigInt(b), 1n);

/** calc.analyze for a chain: per-layer lines and the totals of a Report. */
function analyzeChain(inputShape, specs, batchSize, dtype) {
  if (!Array.isArray(inputShape) || inputShape.length !== 3 ||
      !inputShape.every(isPositiveInt)) {
    throw new CalcError("input_shape must be (H, W, C) or (N,) of positive " +
      `integers, without the batch axis, got ${pyRepr(inputShape)}`);
  }
  if (specs.length === 0) {
    throw new CalcError("layers must contain at least one layer, got an empty list");
  }
  if (!isPositiveInt(batchSize)) {
    throw new CalcError(`batch_size must be a positive integer, got ${pyRepr(batchSize)}`);
  }
  if (!(dtype in DTYPE_BYTES)) {
    throw new CalcError(`dtype must be one of [${Object.keys(DTYPE_BYTES).sort()
      .map(pyRepr).join(", ")}], got ${pyRepr(dtype)}`);
  }
  const bpv = BigInt(DTYPE_BYTES[dtype]);
  const names = layerNames(specs);
  const layers = [];
  let shape = inputShape;
  specs.forEach((spec, i) => {
    const [h, w, c] = shape;
    const arg = spec.kind === "Conv2D" ? "kernel_size" : "pool_size";
    let out;
    try {
      out = [windowOut(h, spec.kernel, spec.strides, spec.padding, arg),
             windowOut(w, spec.kernel, spec.strides, spec.padding, arg),
             spec.kind === "Conv2D" ? spec.filters : c];
    } catch (err) {
      throw new CalcError(`layers[${i}] (${names[i]}, ${spec.kind}): ${err.message}`);
    }
    let params = 0n;
    let macs = 0n;
    if (spec.kind === "Conv2D") {
      const k2 = BigInt(spec.kernel) ** 2n;
      params = k2 * BigInt(c) * BigInt(spec.filters) + BigInt(spec.filters);
      macs = prod(out) * k2 * BigInt(c);
    }
    layers.push({ name: names[i], kind: spec.kind, input_shape: shape,
                  output_shape: out, params, macs, elements: prod(out),
                  activation_bytes: prod(out) * bpv });
    shape = out;
  });
  // Peak live memory (calc.report_from_graph): a tensor lives until its reader ran.
  const input = prod(inputShape);
  let live = input;
  let peak = live;
  let previous = input;
  for (const layer of layers) {
    live += layer.elements;
    if (live > peak) peak = live;
    live -= previous;
    previous = layer.elements;
  }
  const params = layers.reduce((a, l) => a + l.params, 0n);
  const outputs = layers.reduce((a, l) => a + l.elements, 0n);
  const batch = BigInt(batchSize);
  return {
    layers, params, macs: layers.reduce((a, l) => a + l.macs, 0n),
    bytes_per_value: bpv, batch_size: batchSize,
    param_bytes: params * bpv,
    inference_bytes: (params + peak) * bpv,  // one image (batch 1), as the widget
    training_bytes: (params + batch * (input + outputs)) * bpv,
    peak_live_elements: peak,
  };
}

/**
 * Everything a calculator shows for its settings
 * `{input_shape, layers: [{kind, filters, kernel_size, strides, padding}],
 *   batch_size, dtype}`: `{error}` with the message the Python calculator shows,
 * or `{report}` with exact BigInt counts.
 */
export function describe(settings) {
  const { input_shape: inputShape, layers = [], batch_size: batch, dtype } = settings;
  const specs = [];
  try {
    layers.forEach((row, i) => {
      try {
        specs.push(layerSpec(row));
      } catch (err) {
        throw new CalcError(`layer ${i + 1}: ${err.message}`);
      }
    });
    // The widget analyses batch 1 first (prediction), then the training batch.
    analyzeChain(inputShape, specs, 1, dtype);
    return { report: analyzeChain(inputShape, specs, batch, dtype) };
  } catch (err) {
    if (err instanceof CalcError) return { error: err.message };
    throw err;
  }
}

/** describe() with BigInts as decimal strings: JSON for tests and tools. */
export function describeJSON(settings) {
  const result = describe(settings);
  if (result.error !== undefined) return result;
  const r = result.report;
  const str = (v) => (typeof v === "bigint" ? v.toString() : v);
  return {
    report: {
      layers: r.layers.map((l) => ({
        name: l.name, kind: l.kind, output_shape: l.output_shape,
        params: str(l.params), macs: str(l.macs),
        activation_bytes: str(l.activation_bytes),
      })),
      params: str(r.params), macs: str(r.macs),
      inference_bytes: str(r.inference_bytes), training_bytes: str(r.training_bytes),
    },
    text: summaryText(r),
  };
}

/** The formatted cells the page shows, keyed like the Python calculator's. */
export function summaryText(r) {
  return {
    layers: r.layers.map((l) => [l.name, l.output_shape.join(" x "),
      formatInt(l.params), formatBytes(l.activation_bytes, "MB", 2),
      formatInt(l.macs)]),
    parameters: formatInt(r.params),
    macs: formatInt(r.macs),
    prediction: mbAndMib(r.inference_bytes),
    training: mbAndMib(r.training_bytes),
    bars: r.layers.map((l) => formatBytes(l.activation_bytes * BigInt(r.batch_size))),
  };
}

// ------------------------------------------------------------ the page
/** HTML for the results: per-layer table, totals and memory bars. */
export function renderReport(r) {
  const t = summaryText(r);
  const layers = table(["layer", "output shape", "parameters", "activation memory",
    "multiply-adds"], t.layers, [false, false, true, true, true]);
  const totals = table(["total", "value"], [
    ["parameters", t.parameters],
    ["multiply-adds per image", t.macs],
    ["memory for one prediction", t.prediction],
    [`memory to train on ${r.batch_size} images (lower bound)`, t.training],
  ], [false, false]);
  const values = r.layers.map((l) => l.activation_bytes * BigInt(r.batch_size));
  const largest = values.reduce((a, b) => (b > a ? b : a), 0n) || 1n;
  const bars = r.layers.map((l, i) => {
    const width = (60 * Number(values[i])) / Number(largest);
    return bar(l.name, width.toFixed(1), t.bars[i], "9em");
  }).join("");
  return layers + totals +
    `<p><b>Activation memory per layer for a batch of ${r.batch_size}</b></p>` +
    `<div class="cnnbook-bars">${bars}</div>`;
}

/** A labelled integer box, or a drop-down when `kind` lists the choices. */
function control(label, value, onChange, kind = "number") {
  const input = Array.isArray(kind) ? select(kind, value, onChange)
    : integerInput(value, "5em", onChange);
  return field(label, input, { margin: "0.6em" });
}

function render({ model, el }) {
  const { controls, results } = frame(el, "cnnbook-live-calculator");
  const settings = () => ({
    input_shape: model.get("input_shape"), layers: model.get("layers"),
    batch_size: model.get("batch_size"), dtype: model.get("dtype"),
  });
  const names = ["input_shape", "layers", "batch_size", "dtype"];
  // Our own edits only refresh the results; changes from elsewhere rebuild.
  const { save, dispose } = bindModel(model, names, showResults, build);

  function showResults() {
    const result = describe(settings());
    results.innerHTML = result.error !== undefined ? errorBox(result.error)
      : renderReport(result.report);
  }

  function build() {
    stackControls(controls, model, save, build, {
      control,
      extra: [
        control("batch", model.get("batch_size"), (v) => save("batch_size", v)),
        control("dtype", model.get("dtype"), (v) => save("dtype", v), DTYPES),
      ],
      kinds: LAYER_KINDS,
      numbers: [["filters", "filters"], ["kernel", "kernel_size"], ["stride", "strides"]],
      hasFilters: (kind) => kind === "Conv2D",
      paddings: PADDINGS,
      newLayer: NEW_LAYER,
    });
    showResults();
  }

  build();
  return dispose;
}

export default { render };
