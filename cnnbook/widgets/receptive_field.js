// The receptive-field calculator, computed in the page: no kernel, no server.
// Composed after common.js (cnnbook.widgets.esm.esm), whose helpers it uses.
//
// The arithmetic mirrors cnnbook.calc.analyze for stacks of Conv2D,
// DepthwiseConv2D and SeparableConv2D with dilation (shapes, parameters,
// multiply-adds, receptive fields with TensorFlow's SAME padding, layer names
// and error messages), so the page shows what receptive_field.describe
// (Python) gives; tests/widgets/test_parity.py checks that in Chromium.
// Counts and fields are BigInt, so they stay exact for any size.

export const LAYER_KINDS = ["Conv2D", "DepthwiseConv2D", "SeparableConv2D"];
export const PADDINGS = ["same", "valid"];
const SNAKE = {
  Conv2D: "conv2d", DepthwiseConv2D: "depthwise_conv2d",
  SeparableConv2D: "separable_conv2d",
};
const NEW_LAYER = { kind: "Conv2D", filters: 64, kernel_size: 3, strides: 1,
                    dilation_rate: 1, padding: "same" };

// ------------------------------------------------------------ the arithmetic
class CalcError extends Error {}

function pairError(arg, value) {
  return new CalcError(`${arg} must be a positive integer or a pair of positive ` +
    `integers, got ${pyRepr(value)}`);
}

/** Check one row in the order calc's constructors do (receptive_field.layer_spec). */
function layerSpec(row) {
  const { kind, filters, kernel_size: kernel, strides, dilation_rate: dilation,
          padding } = row;
  if (!LAYER_KINDS.includes(kind)) {
    throw new CalcError(`kind must be one of ${LAYER_KINDS.join(", ")}, ` +
      `got ${pyRepr(kind)}`);
  }
  const hasFilters = kind !== "DepthwiseConv2D";
  if (hasFilters && !isPositiveInt(filters)) {
    throw new CalcError(`filters must be a positive integer, got ${pyRepr(filters)}`);
  }
  if (!isPositiveInt(kernel)) throw pairError("kernel_size", kernel);
  if (!isPositiveInt(strides)) throw pairError("strides", strides);
  if (typeof padding !== "string" || !PADDINGS.includes(padding.toLowerCase())) {
    throw new CalcError(`padding must be one of 'valid', 'same', got ${pyRepr(padding)}`);
  }
  if (!isPositiveInt(dilation)) throw pairError("dilation_rate", dilation);
  if (kind === "Conv2D" && strides > 1 && dilation > 1) {
    throw new CalcError("strides and dilation_rate cannot both exceed 1 in a " +
      `Conv2D (Keras refuses it), got strides=(${strides}, ${strides}) and ` +
      `dilation_rate=(${dilation}, ${dilation})`);
  }
  return { kind, filters: hasFilters ? filters : null, kernel, strides, dilation,
           padding: padding.toLowerCase() };
}

/** Output size and zeros before, along one axis (calc._window, calc._pad_before). */
function axis(size, spec, i, name) {
  const span = (spec.kernel - 1) * spec.dilation + 1;
  let out;
  if (spec.padding === "same") {
    out = Math.ceil(size / spec.strides);
  } else {
    if (span > size) {
      const what = spec.dilation > 1 ? `kernel_size ${spec.kernel} at dilation_rate ` +
        `${spec.dilation} spans ${span} pixels, which` : `kernel_size ${spec.kernel}`;
      throw new CalcError(`layers[${i}] (${name}, ${spec.kind}): ${what} is larger ` +
        `than the input size ${size} with padding='valid'; use padding='same' or a ` +
        "smaller window");
    }
    out = Math.floor((size - span) / spec.strides) + 1;
  }
  const total = (BigInt(out) - 1n) * BigInt(spec.strides) + BigInt(span) - BigInt(size);
  const before = spec.padding === "same" && total > 0n ? total / 2n : 0n;
  return { out, before };
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

/** The field of a layer reading units whose field is `rf` (ReceptiveField.through). */
function through(rf, spec, pads) {
  const k = BigInt(spec.kernel);
  const d = BigInt(spec.dilation);
  return {
    size: rf.size.map((r, a) => r + (k - 1n) * d * rf.jump[a]),
    jump: rf.jump.map((j) => j * BigInt(spec.strides)),
    start: rf.start.map((b, a) => b - pads[a] * rf.jump[a]),
  };
}

/** calc.analyze of the stack: per-layer lines with fields, and the totals. */
function analyzeStack(inputShape, specs) {
  if (!Array.isArray(inputShape) || inputShape.length !== 3 ||
      !inputShape.every(isPositiveInt)) {
    throw new CalcError("input_shape must be (H, W, C) or (N,) of positive " +
      `integers, without the batch axis, got ${pyRepr(inputShape)}`);
  }
  if (specs.length === 0) {
    throw new CalcError("layers must contain at least one layer, got an empty list");
  }
  const names = layerNames(specs);
  let [h, w, c] = inputShape;
  let rf = { size: [1n, 1n], jump: [1n, 1n], start: [0n, 0n] };
  const layers = specs.map((spec, i) => {
    const rows = axis(h, spec, i, names[i]);
    const cols = axis(w, spec, i, names[i]);
    const k2 = BigInt(spec.kernel) ** 2n;
    const cin = BigInt(c);
    const positions = BigInt(rows.out) * BigInt(cols.out);
    let params;
    let macs;
    let maps;
    if (spec.kind === "Conv2D") {
      const f = BigInt(spec.filters);
      params = k2 * cin * f + f;
      macs = positions * f * k2 * cin;
      maps = spec.filters;
    } else if (spec.kind === "DepthwiseConv2D") {
      params = k2 * cin + cin;
      macs = positions * cin * k2;
      maps = c;
    } else {
      const f = BigInt(spec.filters);
      params = k2 * cin + cin * f + f;
      macs = positions * cin * k2 + positions * cin * f;
      maps = spec.filters;
    }
    rf = through(rf, spec, [rows.before, cols.before]);
    [h, w, c] = [rows.out, cols.out, maps];
    return { name: names[i], kind: spec.kind, output_shape: [h, w, c], params, macs,
             field: rf };
  });
  const last = layers[layers.length - 1];
  // One Conv2D with the final field as kernel and the final jump as stride, SAME.
  const [fh, fw] = last.field.size;
  const [jh, jw] = last.field.jump;
  const f = BigInt(c);
  const cin = BigInt(inputShape[2]);
  const ceil = (n, j) => (BigInt(n) + j - 1n) / j;
  return {
    layers,
    params: layers.reduce((a, l) => a + l.params, 0n),
    macs: layers.reduce((a, l) => a + l.macs, 0n),
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
  const specs = [];
  try {
    layers.forEach((row, i) => {
      try {
        specs.push(layerSpec(row));
      } catch (err) {
        throw new CalcError(`layer ${i + 1}: ${err.message}`);
      }
    });
    return { report: analyzeStack(inputShape, specs) };
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
