// The conv-stack calculator, computed in the page: no kernel, no server.
// Composed after common.js and layers.js (cnnbook.widgets.esm.esm), whose
// helpers and layer arithmetic (calc's, for Conv2D and pooling chains) it uses;
// the formatting mirrors cnnbook.units, so the page shows what
// conv_stack.describe (Python) gives. tests/widgets/test_parity.py checks that
// on random stacks, in Node and in Chromium.

export const LAYER_KINDS = ["Conv2D", "MaxPooling2D", "AveragePooling2D"];
export const DTYPES = ["float32", "float16", "bfloat16", "float64"];

const NEW_LAYER = { kind: "Conv2D", filters: 64, kernel_size: 3, strides: 1,
                    padding: "same" };

// ------------------------------------------------------------ Python look-alikes
/** "12,613,600 bytes = 12.6 MB = 12.0 MiB" (conv_stack._mb_and_mib). */
export function mbAndMib(numBytes) {
  return `${formatInt(numBytes)} bytes = ${formatBytes(numBytes, "MB")} = ` +
    `${formatBytes(numBytes, "MiB")}`;
}

/**
 * Everything a calculator shows for its settings
 * `{input_shape, layers: [{kind, filters, kernel_size, strides, padding}],
 *   batch_size, dtype}`: `{error}` with the message the Python calculator shows,
 * or `{report}` with exact BigInt counts.
 */
export function describe(settings) {
  const { input_shape: inputShape, layers = [], batch_size: batch, dtype } = settings;
  try {
    // The widget analyses one image first (prediction), then the training batch.
    const prediction = analyzeRows(inputShape, layers, LAYER_KINDS, { dtype });
    const training = analyzeRows(inputShape, layers, LAYER_KINDS,
      { batchSize: batch, dtype });
    return { report: { ...training, inference_bytes: prediction.inference_bytes } };
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
