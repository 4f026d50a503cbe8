// The lateral-inhibition explorer of chapter 5, computed in the page: no kernel.
// Composed after common.js (cnnbook.widgets.esm.esm), whose helpers it uses.
//
// The model's `stack` (height x width x channels, nested lists) goes through
// local response normalisation across channels, the formula of cnnbook.science.lrn.lrn:
//   b_i = a_i / (k + s * sum_{j = i - n//2 .. i + n//2} a_j^2) ** beta,
// with s = alpha (AlexNet's paper, TensorFlow) or alpha / n (Caffe), the sum
// over the maps that exist. Checks and messages mirror cnnbook.science.lrn, numbers are
// formatted like Python's, and the maps are drawn as SVG.
// tests/widgets/test_parity.py compares this with NumPy on random stacks (Node, Chromium).

// ------------------------------------------------------------ Python look-alikes
/** Python's repr() of an int (n is an int trait) or None. */
const pyInt = (x) => (Number.isInteger(x) ? String(x) : pyFloat(x));

// ------------------------------------------------------------ the arithmetic
class LRNError extends Error {}

/** lrn._real: a finite number > low (strict) or >= low. */
function real(arg, value, strict) {
  const ok = typeof value === "number" && Number.isFinite(value) &&
    (strict ? value > 0 : value >= 0);
  if (!ok) {
    throw new LRNError(`${arg} must be a finite number ${strict ? ">" : ">="} 0, ` +
      `got ${pyFloat(value)}`);
  }
}

function window(n) {
  if (!(Number.isInteger(n) && n >= 1 && n % 2 === 1)) {
    throw new LRNError("n must be an odd positive integer (the window is centred on " +
      `the map), got ${pyInt(n)}`);
  }
}

function checkStack(stack) {
  const ok = Array.isArray(stack) && stack.length > 0 && stack.every((row) =>
    Array.isArray(row) && row.length === stack[0].length && row.length > 0 &&
    row.every((pixel) => Array.isArray(pixel) && pixel.length === stack[0][0].length &&
      pixel.length > 0 && pixel.every((v) => typeof v === "number")));
  if (!ok) throw new LRNError("x must be a height x width x channels array of numbers");
  if (!stack.every((row) => row.every((pixel) => pixel.every(Number.isFinite)))) {
    throw new LRNError("x must contain finite numbers only");
  }
}

/**
 * lrn.lrn(stack, k, n, alpha, beta, alpha_per_n): the normalised stack (nested
 * arrays of the same shape); throws LRNError with lrn's message on bad input.
 */
export function lrn(stack, k, n, alpha, beta, alphaPerN = false) {
  checkStack(stack);
  if (typeof alphaPerN !== "boolean") {
    throw new LRNError(`alpha_per_n must be True or False, got ${pyFloat(alphaPerN)}`);
  }
  real("k", k, true);
  window(n);
  real("alpha", alpha, false);
  real("beta", beta, false);
  const radius = (n - 1) / 2;
  const scale = alphaPerN ? alpha / n : alpha;
  return stack.map((row) => row.map((pixel) => {
    const squares = pixel.map((v) => v * v);
    const channels = pixel.length;
    return pixel.map((v, c) => {
      // NumPy adds the window's maps in this order (the missing ones are 0).
      let sum = 0;
      for (let j = c - radius; j <= c + radius; j += 1) {
        if (j >= 0 && j < channels) sum += squares[j];
      }
      return v / (k + scale * sum) ** beta;
    });
  }));
}

/**
 * What the explorer shows for `settings` {stack, k, n, alpha, beta,
 * alpha_per_n}: `{error}`, or `{output, kept, text: {rows, bars}}` with the
 * text keyed like LRNExplorer.text().
 */
export function describe(settings) {
  const { stack, k, n, alpha, beta, alpha_per_n: alphaPerN } = settings;
  let output;
  try {
    output = lrn(stack, k, n, alpha, beta, alphaPerN);
  } catch (err) {
    if (err instanceof LRNError) return { error: err.message };
    throw err;
  }
  const r = Math.floor(stack.length / 2);
  const c = Math.floor(stack[0].length / 2);
  const before = stack[r][c];
  const after = output[r][c];
  const kept = before.map((v, i) => (v ? after[i] / v : NaN));
  const rows = before.map((v, i) => [String(i), formatFixed(v, 2),
    formatFixed(after[i], 3), formatFixed(kept[i], 3, false)]);
  const top = Math.max(...before);
  if (top > Math.min(...before)) {
    const strong = before.indexOf(top);
    rows[strong][0] = `${strong} (strong)`;
  }
  const finite = kept.filter(Number.isFinite);
  const largest = Math.max(finite.length ? Math.max(...finite) : 0, 1e-12);
  const bars = kept.map((v, i) => {
    const value = Number.isNaN(v) ? 0 : v;
    return [`map ${i}`, formatFixed(value, 3, false),
      formatFixed((60 * value) / largest, 1, false)];
  });
  return { output, kept, text: { rows, bars } };
}

// ------------------------------------------------------------ the page
const CELL = 7;  // pixels per map value
const GAP = 10;

/** A shade from white (0) to blue (the row's largest value); grey for nan. */
function shade(value, top) {
  if (!Number.isFinite(value)) return "#bbb";
  const t = top > 0 ? Math.min(Math.max(value / top, 0), 1) : 0;
  const mix = (a, b) => Math.round(a + (b - a) * t);
  return `rgb(${mix(255, 0x28)},${mix(255, 0x58)},${mix(255, 0x98)})`;
}

/** SVG: one row of maps per quantity (input, output, kept), each on its own scale. */
export function drawMaps(stack, output) {
  const h = stack.length;
  const w = stack[0].length;
  const channels = stack[0][0].length;
  const kept = stack.map((row, i) => row.map((pixel, j) => pixel.map((v, c) =>
    (v ? output[i][j][c] / v : NaN))));
  const quantities = [["input", stack], ["output", output],
                      ["kept (output / input)", kept]];
  const label = 130;
  const mapW = w * CELL;
  const rowH = h * CELL + 2 * GAP;
  const width = label + channels * (mapW + GAP);
  const height = quantities.length * rowH + 14;
  const parts = [];
  quantities.forEach(([name, values], q) => {
    const flat = values.flat(2).filter(Number.isFinite);
    const top = flat.length ? Math.max(...flat) : 0;
    const y0 = q * rowH + GAP;
    parts.push(`<text x="0" y="${y0 + (h * CELL) / 2 + 4}" font-size="12">` +
      `${esc(name)}</text>`);
    for (let c = 0; c < channels; c += 1) {
      const x0 = label + c * (mapW + GAP);
      for (let i = 0; i < h; i += 1) {
        for (let j = 0; j < w; j += 1) {
          const v = values[i][j][c];
          parts.push(`<rect x="${x0 + j * CELL}" y="${y0 + i * CELL}" width="${CELL}" ` +
            `height="${CELL}" fill="${shade(v, top)}"><title>map ${c}, row ${i}, ` +
            `column ${j}: ${esc(formatFixed(v, 3))}</title></rect>`);
        }
      }
      parts.push(`<rect x="${x0}" y="${y0}" width="${mapW}" height="${h * CELL}" ` +
        'fill="none" stroke="#888" stroke-width="0.5"/>');
    }
  });
  for (let c = 0; c < channels; c += 1) {
    parts.push(`<text x="${label + c * (mapW + GAP) + mapW / 2}" y="${height - 2}" ` +
      `font-size="11" text-anchor="middle">map ${c}</text>`);
  }
  return `<svg class="cnnbook-maps" role="img" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" style="max-width:100%;height:auto">` +
    "<title>Each map before and after local response normalisation, and the " +
    "fraction of each value kept; darker is larger, on each row's own scale" +
    `</title>${parts.join("")}</svg>`;
}

/** describe() as JSON, the parity contract with lrn_explorer.py's describe:
 * `{error}`, or `{output, kept, text}` with a kept fraction of null where the
 * input is 0. */
export function describeJSON(settings) {
  const result = describe(settings);
  if (result.error !== undefined) return result;
  return { output: result.output, text: result.text,
           kept: result.kept.map((v) => (Number.isNaN(v) ? null : v)) };
}

/** HTML for the results of `settings`. */
export function renderResults(settings) {
  const result = describe(settings);
  if (result.error !== undefined) return errorBox(result.error);
  const { rows, bars } = result.text;
  const barHtml = bars.map(([name, value, width]) => bar(name, width, value, "6em"))
    .join("");
  return drawMaps(settings.stack, result.output) +
    table(["map", "input at centre", "output at centre", "kept"], rows,
      [false, true, true, true]) +
    "<p><b>Fraction of the centre value each map keeps</b></p>" +
    `<div class="cnnbook-bars">${barHtml}</div>`;
}

const textInput = (value, parse, onChange) => decimalInput(
  value === null || value === undefined ? "" : pyFloatOrInt(value), "6em", parse,
  onChange);

const pyFloatOrInt = (v) => (Number.isInteger(v) && Math.abs(v) < 1e16 ? String(v)
  : pyFloat(v));

const NAMES = ["k", "n", "alpha", "beta", "alpha_per_n", "stack"];

function render({ model, el }) {
  const { controls, results } = frame(el, "cnnbook-lrn-explorer");
  // Our own edits only refresh the results; changes from elsewhere rebuild.
  const { save, dispose } = bindModel(model, NAMES, showResults, build);
  const settings = () => Object.fromEntries(NAMES.map((n) => [n, model.get(n)]));
  function showResults() { results.innerHTML = renderResults(settings()); }

  function build() {
    controls.replaceChildren();
    const line = document.createElement("div");
    line.append(
      field("k (bias)", textInput(model.get("k"), parseNumber, (v) => save("k", v))),
      field("n (maps)", textInput(model.get("n"), parseInteger, (v) => save("n", v))),
      field("alpha", textInput(model.get("alpha"), parseNumber,
                               (v) => save("alpha", v))),
      field("beta", textInput(model.get("beta"), parseNumber, (v) => save("beta", v))),
    );
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = model.get("alpha_per_n") === true;
    box.addEventListener("change", () => save("alpha_per_n", box.checked));
    line.append(field("alpha / n (Caffe)", box));
    controls.append(line);
    showResults();
  }

  build();
  return dispose;
}

export default { render };
