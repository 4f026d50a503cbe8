// Chapter 1's parameter counter, computed in the page: no kernel, no server.
//
// A Dense layer on the flattened image against a Conv2D layer (SAME padding)
// on the same image. The arithmetic mirrors cnnbook.widgets_convolution.
// parameter_counts (cnnbook.calc: same counts and error messages, in the same
// order) and the text mirrors ParameterCounter.text; tests/test_live_convolution.py
// checks both on random settings in Chromium. Counts are BigInt: a Dense layer
// on a large image has more than 2**53 parameters.

export const SETTINGS = ["height", "width", "channels", "units", "filters",
  "kernel_size"];
const LABELS = { height: "height", width: "width", channels: "channels",
  units: "Dense units", filters: "filters", kernel_size: "kernel" };

// ------------------------------------------------------------ Python look-alikes
/** Python's repr() of the values a counter holds (lists shown as tuples). */
export function pyRepr(value) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return "'" + value.replace(/\\/g, "\\\\")
    .replace(/'/g, "\\'") + "'";
  if (Array.isArray(value)) {
    const inner = value.map(pyRepr);
    return "(" + inner.join(", ") + (inner.length === 1 ? ",)" : ")");
  }
  return String(value);
}

const isInt = (v) => typeof v === "number" && Number.isInteger(v);
const isPositiveInt = (v) => isInt(v) && v >= 1;

/** 12613600 -> "12,613,600" (Python's f"{n:,}"). */
export function formatInt(value) {
  const s = BigInt(value).toString();
  const neg = s.startsWith("-");
  const digits = neg ? s.slice(1) : s;
  return (neg ? "-" : "") + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

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
export function formatRound(x) {
  if (x >= 2 ** 52) return formatInt(BigInt(x));  // already an integer
  const whole = Math.floor(x);
  const frac = x - whole;  // exact below 2**52
  let n = BigInt(whole);
  if (frac > 0.5 || (frac === 0.5 && n % 2n === 1n)) n += 1n;
  return formatInt(n);
}

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
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;")
  .replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const PAD = "padding:0.15em 0.75em";

/** HTML for the results: the two layers, then the comparison in words. */
export function renderResults(text) {
  const cell = (v, right) =>
    `<td style="${PAD};text-align:${right ? "right" : "left"}">${esc(v)}</td>`;
  const head = ["layer", "parameters", "formula"]
    .map((c) => `<th style="${PAD}">${c}</th>`).join("");
  const rows = [["Dense", text.dense, text.dense_formula],
    ["Conv2D", text.conv, text.conv_formula]]
    .map(([a, b, c]) => `<tr>${cell(a, false)}${cell(b, true)}${cell(c, false)}</tr>`)
    .join("");
  return `<table class="cnnbook-table"><thead><tr>${head}</tr></thead>` +
    `<tbody>${rows}</tbody></table>` +
    `<p>The Dense layer has <b>${esc(text.ratio)} times</b> the parameters of the ` +
    `Conv2D layer. The Conv2D layer outputs ${esc(text.conv_outputs)} values; a ` +
    "Dense layer with that many outputs would need " +
    `${esc(text.dense_same_outputs)} parameters.</p>`;
}

function parseIntInput(text) {
  const s = String(text).trim();
  return /^[+-]?\d+$/.test(s) ? Number(s) : null;
}

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "cnnbook-param-counter";
  const controls = document.createElement("div");
  const results = document.createElement("div");
  results.className = "cnnbook-results";
  root.append(controls, results);
  el.append(root);

  const inputs = {};
  for (const name of SETTINGS) {
    const wrap = document.createElement("label");
    wrap.className = "cnnbook-field";
    wrap.style.cssText = "display:inline-flex;align-items:center;gap:0.3em;" +
      "margin:0.15em 0.8em 0.15em 0";
    wrap.append(LABELS[name] + " ");
    const input = document.createElement("input");
    input.type = "number";
    input.step = "1";
    input.name = name;
    input.style.width = "6em";
    input.addEventListener("input", () => {
      model.set(name, parseIntInput(input.value));
      model.save_changes();
    });
    wrap.append(input);
    inputs[name] = input;
    controls.append(wrap);
    if (name === "channels") controls.append(document.createElement("br"));
  }

  function show() {
    const settings = {};
    for (const name of SETTINGS) settings[name] = model.get(name);
    const result = describe(settings);
    results.innerHTML = result.error !== undefined
      ? '<div class="cnnbook-error" style="color:#a00;padding:0.5em 0">' +
        `&#9888; ${esc(result.error)}</div>`
      : renderResults(result.text);
  }

  const handlers = {};
  for (const name of SETTINGS) {
    const value = model.get(name);
    inputs[name].value = value === null || value === undefined ? "" : String(value);
    handlers[name] = () => {
      const v = model.get(name);
      // A change from elsewhere (Python) updates the box; typing keeps it as is.
      if (parseIntInput(inputs[name].value) !== v) {
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
