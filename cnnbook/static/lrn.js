// The lateral-inhibition explorer of chapter 5, computed in the page: no kernel.
//
// The model's `stack` (height x width x channels, nested lists) goes through
// local response normalisation across channels, the formula of cnnbook.lrn.lrn:
//   b_i = a_i / (k + s * sum_{j = i - n//2 .. i + n//2} a_j^2) ** beta,
// with s = alpha (AlexNet's paper, TensorFlow) or alpha / n (Caffe), the sum
// over the maps that exist. Checks and messages mirror cnnbook.lrn, numbers are
// formatted like Python's, and the maps are drawn as SVG.
// tests/test_live_lrn.py compares this with NumPy on random stacks in Chromium.

// ------------------------------------------------------------ Python look-alikes
/** Python's repr() of a float (or None), e.g. 2.0, 0.0001, 1e-05, inf, nan. */
export function pyFloat(x) {
  if (x === null || x === undefined) return "None";
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, exp] = Math.abs(x).toExponential().split("e");
  const e = Number(exp);
  const digits = mantissa.replace(".", "");
  const sign = x < 0 ? "-" : "";
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, "0");
  return `${sign}${whole}.${digits.slice(e + 1) || "0"}`;
}

/** Python's repr() of an int (n is an int trait) or None. */
const pyInt = (x) => (Number.isInteger(x) ? String(x) : pyFloat(x));

/** Python's f"{x:,.{digits}f}" (comma=true) or f"{x:.{digits}f}". */
export function formatFixed(x, digits, comma = true) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  // The exact decimal expansion (doubles >= 1e21 are integers); JS rounds ties
  // up, Python to even.
  const exact = Math.abs(x) >= 1e21 ? `${BigInt(Math.abs(x))}.${"0".repeat(100)}`
    : Math.abs(x).toFixed(100);
  const [whole, frac] = exact.split(".");
  let n = BigInt(whole + frac.slice(0, digits));
  const rest = frac.slice(digits);
  const half = "5" + "0".repeat(rest.length - 1);
  if (rest > half || (rest === half && n % 2n === 1n)) n += 1n;
  const s = n.toString().padStart(digits + 1, "0");
  let intPart = s.slice(0, s.length - digits);
  if (comma) intPart = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const negative = x < 0 || Object.is(x, -0);
  return (negative ? "-" : "") + intPart + (digits > 0 ? "." + s.slice(-digits) : "");
}

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
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;")
  .replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const PAD = "padding:0.15em 0.75em";
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

function table(columns, rows) {
  const head = columns.map((c) => `<th style="${PAD}">${esc(c)}</th>`).join("");
  const body = rows.map((row) => "<tr>" + row.map((v, i) =>
    `<td style="${PAD};text-align:${i ? "right" : "left"}">${esc(v)}</td>`)
    .join("") + "</tr>").join("");
  return `<table class="cnnbook-table"><thead><tr>${head}</tr></thead>` +
    `<tbody>${body}</tbody></table>`;
}

/** HTML for the results of `settings`. */
export function renderResults(settings) {
  const result = describe(settings);
  if (result.error !== undefined) {
    return '<div class="cnnbook-error" style="color:#a00;padding:0.5em 0">' +
      `&#9888; ${esc(result.error)}</div>`;
  }
  const { rows, bars } = result.text;
  const barHtml = bars.map(([name, value, width]) =>
    '<div style="display:flex;align-items:center;gap:0.5em">' +
    `<span style="width:6em">${esc(name)}</span>` +
    `<span style="background:#4878a8;height:1em;width:${width}%"></span>` +
    `<span>${esc(value)}</span></div>`).join("");
  return drawMaps(settings.stack, result.output) +
    table(["map", "input at centre", "output at centre", "kept"], rows) +
    "<p><b>Fraction of the centre value each map keeps</b></p>" +
    `<div class="cnnbook-bars">${barHtml}</div>`;
}

/** Python's float() of a typed number: null when it is not one. */
export function parseNumber(text) {
  const s = String(text).trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(s)) return NaN;
  return null;
}

/** Python's int() of a typed integer: null when it is not one. */
export function parseInteger(text) {
  const s = String(text).trim();
  return /^[+-]?\d+$/.test(s) ? Number(s) : null;
}

function field(label, control) {
  const wrap = document.createElement("label");
  wrap.className = "cnnbook-field";
  wrap.style.cssText = "display:inline-flex;align-items:center;gap:0.3em;" +
    "margin:0.15em 0.9em 0.15em 0";
  wrap.append(label + " ", control);
  control.name = label;
  return wrap;
}

function textInput(value, parse, onChange) {
  const input = document.createElement("input");
  input.type = "text";
  input.inputMode = "decimal";
  input.style.width = "6em";
  input.value = value === null || value === undefined ? "" : pyFloatOrInt(value);
  input.addEventListener("input", () => onChange(parse(input.value)));
  return input;
}

const pyFloatOrInt = (v) => (Number.isInteger(v) && Math.abs(v) < 1e16 ? String(v)
  : pyFloat(v));

const NAMES = ["k", "n", "alpha", "beta", "alpha_per_n", "stack"];

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "cnnbook-lrn-explorer";
  const controls = document.createElement("div");
  const results = document.createElement("div");
  results.className = "cnnbook-results";
  root.append(controls, results);
  el.append(root);

  let local = false;  // true while this view changes the model itself
  const save = (name, value) => {
    local = true;
    try {
      model.set(name, value);
    } finally {
      local = false;
    }
    model.save_changes();
  };
  const settings = () => Object.fromEntries(NAMES.map((n) => [n, model.get(n)]));
  const showResults = () => { results.innerHTML = renderResults(settings()); };

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

  // Our own edits only refresh the results (inputs keep focus); changes from
  // elsewhere (Python, another view) rebuild the controls too.
  const onChange = () => (local ? showResults() : build());
  for (const name of NAMES) model.on(`change:${name}`, onChange);
  build();
  return () => {
    for (const name of NAMES) model.off(`change:${name}`, onChange);
  };
}

export default { render };
