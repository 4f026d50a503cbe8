// The "will it fit?" calculator of chapter 3, computed in the page: no kernel.
// Composed after common.js (cnnbook.widgets.esm.esm), whose helpers it uses.
//
// The model's `options` (from cnnbook.widgets.will_it_fit.page_options) carry, per
// network, the parameters, the input values of one image and the layer-output
// values one image keeps for backpropagation, with and without gradient
// checkpointing, plus the bytes per value of each precision and the slots of
// each optimizer. From those, this module mirrors memory_plan.step_memory and
// memory_plan.largest_batch (BigInt byte counts, exact), and formats like
// cnnbook.units.format_bytes, so the page shows what WillItFit.text() shows.
// tests/widgets/test_parity.py checks that on random settings in Node and Chromium.

// ------------------------------------------------------------ Python look-alikes
/** Python's repr() of a str, a list of str, a bool, a float or None. */
function reprSetting(value) {
  if (Array.isArray(value)) return "[" + value.map(reprSetting).join(", ") + "]";
  return typeof value === "number" ? pyFloat(value) : pyRepr(value);
}

/** units.format_bytes(num_bytes, "GB", 2) for a BigInt or a Number. */
export const formatGB = (numBytes) => formatBytes(numBytes, "GB", 2);

// ------------------------------------------------------------ the arithmetic
class PlanError extends Error {}

function choice(arg, value, choices) {
  if (typeof value !== "string" || !choices.includes(value)) {
    throw new PlanError(`${arg} must be one of ${reprSetting(choices)}, ` +
      `got ${reprSetting(value)}`);
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

/** solve() as JSON (BigInts as decimal strings) with the text: the parity
 * contract with will_it_fit.py's describe. `options` is the model's. */
export function describeJSON(settings, options = settings.options) {
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
  if (text.error !== undefined) return errorBox(text.error);
  if (text.none_fits !== undefined) {
    const [head, ...rest] = text.none_fits.split(":");
    return `<p class="cnnbook-headline"><b>${esc(head)}</b>:${esc(rest.join(":"))}</p>`;
  }
  return `<p class="cnnbook-headline"><b>${esc(text.headline.split(" (")[0])}</b>` +
    ` (${esc(text.headline.split(" (").slice(1).join(" ("))}</p>` +
    breakdownBar(r.memory, r.budget) +
    table(["memory for", `at a batch of ${r.batch}`], text.rows, [false, true]);
}

const numberInput = (value, onChange) => decimalInput(
  value === null || value === undefined ? "" : String(value), "5em", parseNumber,
  onChange);

const NAMES = ["gpu", "custom_gb", "reserve_gb", "network", "precision", "optimizer",
               "checkpointing"];

function render({ model, el }) {
  const { controls, results } = frame(el, "cnnbook-will-it-fit");
  // Our own edits only refresh the results; changes from elsewhere rebuild.
  const { save, dispose } = bindModel(model, [...NAMES, "options"], showResults,
                                      build);
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

  build();
  return dispose;
}

export default { render };
