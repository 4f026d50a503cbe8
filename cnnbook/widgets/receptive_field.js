// The receptive-field calculator, computed in the page: no kernel, no server.
// Composed after common.js and layers.js (cnnbook.widgets.esm.esm), whose
// helpers and layer arithmetic (calc's, with dilation and TensorFlow's SAME
// padding) it uses, so the page shows what receptive_field.describe (Python)
// gives; tests/widgets/test_parity.py checks that in Node and in Chromium.

export const LAYER_KINDS = ["Conv2D", "DepthwiseConv2D", "SeparableConv2D"];
const NEW_LAYER = { kind: "Conv2D", filters: 64, kernel_size: 3, strides: 1,
                    dilation_rate: 1, padding: "same" };

/** The report with what one convolution with the final field and jump costs. */
function withSingle(inputShape, report) {
  const last = report.layers[report.layers.length - 1];
  // One Conv2D with the final field as kernel and the final jump as stride, SAME.
  const [fh, fw] = last.field.size;
  const [jh, jw] = last.field.jump;
  const f = BigInt(last.output_shape[2]);
  const cin = BigInt(inputShape[2]);
  const ceil = (n, j) => (BigInt(n) + j - 1n) / j;
  return {
    ...report,
    single_params: fh * fw * cin * f + f,
    single_macs: ceil(inputShape[0], jh) * ceil(inputShape[1], jw) * f * fh * fw * cin,
  };
}

/**
 * Everything the calculator shows for its settings `{input_shape, layers:
 * [{kind, filters, kernel_size, strides, dilation_rate, padding}]}`: `{error}`
 * with the message the Python calculator shows, or `{report}` (BigInt counts).
 */
export function describe(settings) {
  const { input_shape: inputShape, layers = [] } = settings;
  try {
    return { report: withSingle(inputShape, analyzeRows(inputShape, layers,
      LAYER_KINDS)) };
  } catch (err) {
    if (err instanceof CalcError) return { error: err.message };
    throw err;
  }
}

const str = (v) => v.toString();
/** (15n, 15n) -> "15", (15n, 13n) -> "15 x 13" (receptive_field._pair). */
const pair = ([a, b]) => (a === b ? str(a) : `${a} x ${b}`);

/** describe() with BigInts as decimal strings: JSON for tests and tools. */
export function describeJSON(settings) {
  const result = describe(settings);
  if (result.error !== undefined) return result;
  const r = result.report;
  return {
    report: {
      layers: r.layers.map((l) => ({
        name: l.name, kind: l.kind, output_shape: l.output_shape,
        field: l.field.size.map(str), jump: l.field.jump.map(str),
        start: l.field.start.map(str), params: str(l.params), macs: str(l.macs),
      })),
      params: str(r.params), macs: str(r.macs),
      single_params: str(r.single_params), single_macs: str(r.single_macs),
    },
    text: summaryText(r),
  };
}

/** The formatted cells the page shows, keyed like the Python calculator's. */
export function summaryText(r) {
  const final = r.layers[r.layers.length - 1].field;
  return {
    layers: r.layers.map((l) => {
      const [top, left] = l.field.start;
      const [bottom, right] = l.field.start.map((b, a) => b + l.field.size[a] - 1n);
      return [l.name, l.output_shape.join(" x "), pair(l.field.size),
        pair(l.field.jump), `rows ${top} to ${bottom}, columns ${left} to ${right}`,
        formatInt(l.params), formatInt(l.macs)];
    }),
    field: `${pair(final.size)} pixels, jump ${pair(final.jump)}`,
    parameters: formatInt(r.params),
    macs: formatInt(r.macs),
    single: `${pair(final.size)} kernel, stride ${pair(final.jump)}`,
    single_parameters: formatInt(r.single_params),
    single_macs: formatInt(r.single_macs),
  };
}

// ------------------------------------------------------------ the page
/** HTML for the results: per-layer table, then the totals. */
export function renderReport(r) {
  const t = summaryText(r);
  const layers = table(["layer", "output shape", "receptive field", "jump",
    "first unit sees", "parameters", "multiply-adds"], t.layers,
  [false, false, true, true, false, true, true]);
  const totals = table(["total", "value"], [
    ["receptive field of the last layer", t.field],
    ["parameters", t.parameters],
    ["multiply-adds per image", t.macs],
    [`one convolution with the same field (${t.single}): parameters`,
      t.single_parameters],
    ["one convolution with the same field: multiply-adds", t.single_macs],
  ], [false, false]);
  return layers + totals;
}

/** A labelled integer box, or a drop-down when `kind` lists the choices. */
function control(label, value, onChange, kind = "number") {
  const input = Array.isArray(kind) ? select(kind, value, onChange)
    : integerInput(value, "4.5em", onChange);
  return field(label, input, { margin: "0.6em" });
}

function render({ model, el }) {
  const { controls, results } = frame(el, "cnnbook-receptive-field");
  const settings = () => ({
    input_shape: model.get("input_shape"), layers: model.get("layers"),
  });
  // Our own edits only refresh the results; changes from elsewhere rebuild.
  const { save, dispose } = bindModel(model, ["input_shape", "layers"], showResults,
    build);

  function showResults() {
    const result = describe(settings());
    results.innerHTML = result.error !== undefined ? errorBox(result.error)
      : renderReport(result.report);
  }

  function build() {
    stackControls(controls, model, save, build, {
      control,
      kinds: LAYER_KINDS,
      numbers: [["filters", "filters"], ["kernel", "kernel_size"], ["stride", "strides"],
        ["dilation", "dilation_rate"]],
      hasFilters: (kind) => kind !== "DepthwiseConv2D",
      paddings: PADDINGS,
      newLayer: NEW_LAYER,
    });
    showResults();
  }

  build();
  return dispose;
}

export default { render };
