// The "will it fit?" calculator of chapter 3, computed in the page: no kernel.
//
// The model's `options` (from cnnbook.widgets_memory.page_options) carry, per
// network, the parameters, the input values of one image and the layer-output
// values one image keeps for backpropagation, with and without gradient
// checkpointing, plus the bytes per value of each precision and the slots of
// each optimizer. From those, this module mirrors memory_plan.step_memory and
// memory_plan.largest_batch (BigInt byte counts, exact), and formats like
// cnnbook.tables.format_bytes, so the page shows what WillItFit.text() shows.
// tests/test_live_memory.py checks that on random settings in Chromium.

// ------------------------------------------------------------ Python look-alikes
/** Python's repr() of a float (or None), e.g. 12.0, 1e-05, inf, nan. */
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
  const frac = digits.slice(e + 1);
  return `${sign}${whole}.${frac || "0"}`;
}

/** Python's repr() of a str, a list of str, a bool, a float or None. */
export function pyRepr(value) {
  if (typeof value === "string") {
    return "'" + value.replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "'";
  }
  if (Array.isArray(value)) return "[" + value.map(pyRepr).join(", ") + "]";
  if (value === true) return "True";
  if (value === false) return "False";
  return pyFloat(value);
}

/** 12613600 -> "12,613,600". */
function groupThousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Python's f"{x:,.{digits}f}": round half to even, "-0.00" kept, nan, inf. */
export function formatFixed(x, digits) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  // toFixed(100) is the exact decimal expansion of the double for the values
  // shown here; JS rounds ties up, Python to even.
  // Beyond 1e21 toFixed switches to exponents; such doubles are integers.
  const exact = Math.abs(x) >= 1e21 ? `${BigInt(Math.abs(x))}.${"0".repeat(100)}`
    : Math.abs(x).toFixed(100);
  const [whole, frac] = exact.split(".");
  let n = BigInt(whole + frac.slice(0, digits));
  const rest = frac.slice(digits);
  const half = "5" + "0".repeat(rest.length - 1);
  if (rest > half || (rest === half && n % 2n === 1n)) n += 1n;
  const s = n.toString().padStart(digits + 1, "0");
  const intPart = s.slice(0, s.length - digits);
  const fracPart = s.slice(s.length - digits);
  const negative = x < 0 || Object.is(x, -0);
  return (negative ? "-" : "") + groupThousands(intPart) +
    (digits > 0 ? "." + fracPart : "");
}

/** tables.format_bytes(num_bytes, "GB", 2) for a BigInt or a Number. */
export function formatGB(numBytes) {
  return `${formatFixed(Number(numBytes) / 1e9, 2)} GB`;
}

// ------------------------------------------------------------ the arithmetic
class PlanError extends Error {}

function choice(arg, value, choices) {
  if (typeof value !== "string" || !choices.includes(value)) {
    throw new PlanError(`${arg} must be one of ${pyRepr(choices)}, got ${pyRepr(value)}`);
  }
}

const finite = (x) => typeof x === "number" && Number.isFinite(x);

/** memory_plan.step_memory(report, batch, precision, optimizer, checkpointing). */
export function stepMemory(net, batch, precision, slots, checkpointing) {
  const [paramBytes, activationBytes, inputBytes] = precision.map(BigInt);
  const b = BigInt(batch);
  const params = BigInt(net.params);
  const kept = BigInt(checkpointing ? net.checkpointed_values : net.activation_values);
  const parts = {
    parameters: params * paramBytes,
    gradients: params * paramBytes,
    optimizer_state: BigInt(slots) * params * paramBytes,
    gradient_accumulator: 0n,
    inputs: b * BigInt(net.input_values) * inputBytes,
    activations: b * kept * activationBytes,
  };
  parts.total = Object.values(parts).reduce((a, v) => a + v, 0n);
  return parts;
}

/** memory_plan.largest_batch: binary search up to `limit`; 0 if none fits. */
export function largestBatch(total, budget, limit) {
  const fits = (batch) => total(batch) <= budget;  // BigInt vs Number: exact
  if (!fits(1)) return 0;
  let low = 1;
  let high = limit;
  if (fits(high)) return high;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fits(middle)) low = middle; else high = middle;
  }
  return low;
}

/**
 * Everything the calculator shows for `settings` {gpu, custom_gb, reserve_gb,
 * network, precision, optimizer, checkpointing} and the model's `options`:
 * `{error}`, or `{batch, budget, one}` when nothing fits, or `{batch, budget,
 * memory}` (BigInt parts), exactly as WillItFit computes them.
 */
export function solve(settings, options) {
  try {
    choice("gpu", settings.gpu, options.gpus);
    let gb;
    if (settings.gpu === options.custom) {
      gb = settings.custom_gb;
      if (!(finite(gb) && gb > 0)) {
        throw new PlanError("custom GPU memory must be a positive number of GB, " +
          `got ${pyFloat(gb)}`);
      }
    } else {
      gb = Number(settings.gpu.split(" ")[0]);
    }
    const memory = gb * 1e9;
    const reserve = settings.reserve_gb;
    if (!(finite(reserve) && reserve >= 0)) {
      throw new PlanError("reserve must be a non-negative number of GB, " +
        `got ${pyFloat(reserve)}`);
    }
    choice("network", settings.network, Object.keys(options.networks));
    choice("precision", settings.precision, Object.keys(options.precisions));
    choice("optimizer", settings.optimizer, Object.keys(options.optimizers));
    const reserveBytes = reserve * 1e9;
    // memory_plan.largest_batch's own checks (a product that overflowed).
    for (const [arg, value] of [["memory_bytes", memory],
                                ["reserve_bytes", reserveBytes]]) {
      if (!(finite(value) && value >= 0)) {
        throw new PlanError(`${arg} must be a non-negative number, got ${pyFloat(value)}`);
      }
    }
    const net = options.networks[settings.network];
    const precision = options.precisions[settings.precision];
    const slots = options.optimizers[settings.optimizer];
    const step = (batch) => stepMemory(net, batch, precision, slots,
                                       settings.checkpointing === true);
    const budget = memory - reserveBytes;
    const batch = largestBatch((b) => step(b).total, budget, options.limit);
    if (batch === 0) return { batch, budget, one: step(1) };
    return { batch, budget, memory: step(batch) };
  } catch (err) {
    if (err instanceof PlanError) return { error: err.message };
    throw err;
  }
}

export const PART_NAMES = [
  ["parameters", "parameters"],
  ["gradients", "gradients"],
  ["optimizer_state", "optimizer state"],
  ["inputs", "input batch"],
  ["activations", "activations (layer outputs)"],
];

/** The text the page shows, keyed like WillItFit.text(). */
export function describeText(settings, options) {
  const r = solve(settings, options);
  if (r.error !== undefined) return { error: r.error };
  if (r.batch === 0) {
    return { none_fits: `Not even one image fits: one image needs ` +
      `${formatGB(r.one.total)}, the GPU offers ${formatGB(r.budget)} after the ` +
      "reserve." };
  }
  const rows = PART_NAMES.map(([part, name]) => [name, formatGB(r.memory[part])]);
  rows.push(["total", formatGB(r.memory.total)]);
  rows.push(["available after the reserve", formatGB(r.budget)]);
  return {
    headline: `Largest batch that fits: ${r.batch} images ` +
      `(${settings.precision}, ${settings.optimizer})`,
    rows,
  };
}

/** solve() as JSON (BigInts as decimal strings) with the text: for tests. */
export function describeJSON(settings, options) {
  const r = solve(settings, options);
  const out = { text: describeText(settings, options) };
  if (r.error !== undefined) return out;
  out.batch = r.batch;
  out.budget = r.budget;
  const parts = r.memory || r.one;
  out[r.memory ? "memory" : "one"] = Object.fromEntries(
    Object.entries(parts).map(([k, v]) => [k, v.toString()]));
  return out;
}

// ------------------------------------------------------------ the page
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;")
  .replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const PAD = "padding:0.15em 0.75em";
const COLORS = {
  parameters: "#4878a8", gradients: "#6a9fd0", optimizer_state: "#a3c4e6",
  inputs: "#e0a040", activations: "#c05050",
};

/** A bar of the step's memory split by part, against the available budget. */
function breakdownBar(memory, budget) {
  const scale = Math.max(Number(memory.total), budget, 1);
  const segments = PART_NAMES.map(([part, name]) => {
    const width = (100 * Number(memory[part])) / scale;
    return `<span title="${esc(name)}" style="display:inline-block;height:1.2em;` +
      `width:${width.toFixed(2)}%;background:${COLORS[part]}"></span>`;
  }).join("");
  const legend = PART_NAMES.map(([part, name]) =>
    `<span style="margin-right:0.8em"><span style="display:inline-block;width:0.8em;` +
    `height:0.8em;background:${COLORS[part]}"></span> ${esc(name)}</span>`).join("");
  return '<div class="cnnbook-breakdown" style="margin:0.4em 0;width:100%;' +
    `border:1px solid #888;white-space:nowrap;overflow:hidden">${segments}</div>` +
    `<div style="font-size:0.85em">${legend}</div>`;
}

/** HTML for the results of `settings`. */
export function renderResults(settings, options) {
  const r = solve(settings, options);
  const text = describeText(settings, options);
  if (text.error !== undefined) {
    return '<div class="cnnbook-error" style="color:#a00;padding:0.5em 0">' +
      `&#9888; ${esc(text.error)}</div>`;
  }
  if (text.none_fits !== undefined) {
    const [head, ...rest] = text.none_fits.split(":");
    return `<p class="cnnbook-headline"><b>${esc(head)}</b>:${esc(rest.join(":"))}</p>`;
  }
  const body = text.rows.map(([name, value]) =>
    `<tr><td style="${PAD};text-align:left">${esc(name)}</td>` +
    `<td style="${PAD};text-align:right">${esc(value)}</td></tr>`).join("");
  return `<p class="cnnbook-headline"><b>${esc(text.headline.split(" (")[0])}</b>` +
    ` (${esc(text.headline.split(" (").slice(1).join(" ("))}</p>` +
    breakdownBar(r.memory, r.budget) +
    `<table class="cnnbook-table"><thead><tr><th style="${PAD}">memory for</th>` +
    `<th style="${PAD}">at a batch of ${r.batch}</th></tr></thead>` +
    `<tbody>${body}</tbody></table>`;
}

/** Python's float() of a typed number: null when it is not one. */
export function parseNumber(text) {
  const s = String(text).trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(s)) return NaN;
  return null;
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

function select(options, value, onChange) {
  const input = document.createElement("select");
  for (const option of options) input.add(new Option(option, option));
  input.value = value;
  input.addEventListener("change", () => onChange(input.value));
  return input;
}

function numberInput(value, onChange) {
  const input = document.createElement("input");
  input.type = "text";
  input.inputMode = "decimal";
  input.style.width = "5em";
  input.value = value === null || value === undefined ? "" : String(value);
  input.addEventListener("input", () => onChange(parseNumber(input.value)));
  return input;
}

const NAMES = ["gpu", "custom_gb", "reserve_gb", "network", "precision", "optimizer",
               "checkpointing"];

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "cnnbook-will-it-fit";
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
  let custom;

  function showResults() {
    const options = model.get("options");
    custom.disabled = model.get("gpu") !== options.custom;
    results.innerHTML = renderResults(settings(), options);
  }

  function build() {
    const options = model.get("options");
    controls.replaceChildren();
    const line = () => {
      const div = document.createElement("div");
      controls.append(div);
      return div;
    };
    custom = numberInput(model.get("custom_gb"), (v) => save("custom_gb", v));
    line().append(
      field("GPU memory", select(options.gpus, model.get("gpu"), (v) => save("gpu", v))),
      field("custom (GB)", custom),
      field("reserve (GB)", numberInput(model.get("reserve_gb"),
                                        (v) => save("reserve_gb", v))),
    );
    line().append(
      field("network", select(Object.keys(options.networks), model.get("network"),
                              (v) => save("network", v))),
      field("precision", select(Object.keys(options.precisions),
                                model.get("precision"), (v) => save("precision", v))),
      field("optimizer", select(Object.keys(options.optimizers),
                                model.get("optimizer"), (v) => save("optimizer", v))),
    );
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = model.get("checkpointing") === true;
    box.addEventListener("change", () => save("checkpointing", box.checked));
    line().append(field("gradient checkpointing", box));
    showResults();
  }

  // Our own edits only refresh the results (inputs keep focus); changes from
  // elsewhere (Python, another view) rebuild the controls too.
  const onChange = () => (local ? showResults() : build());
  for (const name of [...NAMES, "options"]) model.on(`change:${name}`, onChange);
  build();
  return () => {
    for (const name of [...NAMES, "options"]) model.off(`change:${name}`, onChange);
  };
}

export default { render };
