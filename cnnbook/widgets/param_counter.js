// Chapter 1's parameter counter, computed in the page: no kernel, no server.
// Composed after common.js (cnnbook.widgets.esm.esm), whose helpers it uses.
//
// A Dense layer on the flattened image against a Conv2D layer (SAME padding)
// on the same image. The arithmetic mirrors cnnbook.widgets.param_counter.
// parameter_counts (cnnbook.calc: same counts and error messages, in the same
// order) and the text mirrors ParameterCounter.text; tests/widgets/test_parity.py
// checks both on random settings (Node, Chromium). Counts are BigInt: a Dense layer
// on a large image has more than 2**53 parameters.

export const SETTINGS = ["height", "width", "channels", "units", "filters",
  "kernel_size"];
const LABELS = { height: "height", width: "width", channels: "channels",
  units: "Dense units", filters: "filters", kernel_size: "kernel" };

// ------------------------------------------------------------ Python look-alikes
const bitLength = (n) => (n === 0n ? 0 : n.toString(2).length);

/** Python's a / b for positive BigInts: the double nearest the exact quotient. */
export function trueDivide(a, b) {
  // Scale so the quotient has at least 62 bits, keep a sticky bit for the
  // remainder, and let Number() round once (to nearest, ties to even).
  const shift = Math.max(0, 62 + bitLength(b) - bitLength(a));
  const scaled = a << BigInt(shift);
  let q = scaled / b;
  q = (q << 1n) | (scaled % b === 0n ? 0n : 1n);
  return Number(q) / 2 ** (shift + 1);
}

/** Python's f"{x:,.0f}" for a finite, non-negative double: ties to even. */
export const formatRound = (x) => formatFixed(x, 0);

// ------------------------------------------------------------ the arithmetic
class CalcError extends Error {}

function positive(arg, value) {
  if (!isPositiveInt(value)) {
    throw new CalcError(`${arg} must be a positive integer, got ${pyRepr(value)}`);
  }
}

function checkShape(shape) {
  if (!shape.every(isPositiveInt)) {
    throw new CalcError("input_shape must be (H, W, C) or (N,) of positive " +
      `integers, without the batch axis, got ${pyRepr(shape)}`);
  }
}

/**
 * What the counter shows for `{height, width, channels, units, filters,
 * kernel_size}`: `{error}` with calc's message, or `{counts}` (BigInt) and
 * `{text}` (formatted cells).
 */
export function describe(settings) {
  const { height, width, channels, units, filters, kernel_size: kernel } = settings;
  const shape = [height, width, channels];
  try {
    // parameter_counts builds Dense(units), analyzes, then builds Conv2D.
    positive("units", units);
    checkShape(shape);
    positive("filters", filters);
    if (!isPositiveInt(kernel)) {
      throw new CalcError("kernel_size must be a positive integer or a pair of " +
        `positive integers, got ${pyRepr(kernel)}`);
    }
  } catch (err) {
    if (err instanceof CalcError) return { error: err.message };
    throw err;
  }
  const [h, w, c] = shape.map(BigInt);
  const inputs = h * w * c;
  const u = BigInt(units);
  const f = BigInt(filters);
  const k = BigInt(kernel);
  const counts = {
    dense: inputs * u + u,
    conv: k * k * c * f + f,
    conv_outputs: h * w * f,  // SAME padding, stride 1
  };
  counts.dense_same_outputs = (inputs + 1n) * counts.conv_outputs;
  const text = {
    dense: formatInt(counts.dense),
    conv: formatInt(counts.conv),
    dense_formula: `(${shape.join("x")} + 1) x ${units}`,
    conv_formula: `(${kernel}x${kernel}x${channels} + 1) x ${filters}`,
    ratio: formatRound(trueDivide(counts.dense, counts.conv)),
    conv_outputs: formatInt(counts.conv_outputs),
    dense_same_outputs: formatInt(counts.dense_same_outputs),
  };
  return { counts, text };
}

/** describe() with BigInts as decimal strings: JSON for tests and tools. */
export function describeJSON(settings) {
  const result = describe(settings);
  if (result.error !== undefined) return result;
  const counts = {};
  for (const [key, value] of Object.entries(result.counts)) {
    counts[key] = value.toString();
  }
  return { counts, text: result.text };
}

// ------------------------------------------------------------ the page
/** HTML for the results: the two layers, then the comparison in words. */
export function renderResults(text) {
  return table(["layer", "parameters", "formula"],
    [["Dense", text.dense, text.dense_formula],
     ["Conv2D", text.conv, text.conv_formula]], [false, true, false]) +
    `<p>The Dense layer has <b>${esc(text.ratio)} times</b> the parameters of the ` +
    `Conv2D layer. The Conv2D layer outputs ${esc(text.conv_outputs)} values; a ` +
    "Dense layer with that many outputs would need " +
    `${esc(text.dense_same_outputs)} parameters.</p>`;
}

function render({ model, el }) {
  const { controls, results } = frame(el, "cnnbook-param-counter");
  const inputs = {};
  for (const name of SETTINGS) {
    const input = integerInput(model.get(name), "6em", (v) => {
      model.set(name, v);
      model.save_changes();
    });
    inputs[name] = input;
    controls.append(field(LABELS[name], input, { name, margin: "0.8em" }));
    if (name === "channels") controls.append(document.createElement("br"));
  }

  function show() {
    const settings = {};
    for (const name of SETTINGS) settings[name] = model.get(name);
    const result = describe(settings);
    results.innerHTML = result.error !== undefined ? errorBox(result.error)
      : renderResults(result.text);
  }

  const handlers = {};
  for (const name of SETTINGS) {
    handlers[name] = () => {
      const v = model.get(name);
      // A change from elsewhere (Python) updates the box; typing keeps it as is.
      if (parseInteger(inputs[name].value) !== v) {
        inputs[name].value = v === null || v === undefined ? "" : String(v);
      }
      show();
    };
    model.on(`change:${name}`, handlers[name]);
  }
  show();
  return () => {
    for (const name of SETTINGS) model.off(`change:${name}`, handlers[name]);
  };
}

export default { render };
