// Helpers shared by the live widgets' ES modules.
//
// The page loader imports each widget's saved `_esm` from a blob URL, so a
// widget module cannot import a sibling file: cnnbook.widgets.esm.esm() puts this
// file in front of the libraries the widget uses and its own module instead (one
// module, one scope). What this file exports, the files after it use without
// importing; they must not declare those names again. Colours are left to
// widgets.css (the page's theme), not set here.

// ------------------------------------------------------------ Python look-alikes
/** Python's repr() of the JSON values a widget holds (lists shown as tuples). */
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
  return `${sign}${whole}.${digits.slice(e + 1) || "0"}`;
}

export const isInt = (v) => typeof v === "number" && Number.isInteger(v);
export const isPositiveInt = (v) => isInt(v) && v >= 1;

/** "12613600" -> "12,613,600". */
export const groupThousands = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** 12613600 -> "12,613,600" (units.format_int, Python's f"{n:,}"). */
export function formatInt(value) {
  const s = BigInt(value).toString();
  const neg = s.startsWith("-");
  return (neg ? "-" : "") + groupThousands(neg ? s.slice(1) : s);
}

/** The exact decimal expansion of a finite double's magnitude, "whole.fraction"
 * (a double is m * 2**e: for e < 0 that is m * 5**-e / 10**-e, so every digit
 * is exact, subnormals included). */
export function exactDecimal(x) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = biased === 0 ? -1074 : biased - 1075;
  if (exponent >= 0) return `${mantissa << BigInt(exponent)}.0`;
  const places = -exponent;
  const digits = (mantissa * 5n ** BigInt(places)).toString().padStart(places + 1, "0");
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

/** The first `keep` of a string of decimal digits, rounded half to even. */
export function roundHalfEven(digits, keep) {
  let n = BigInt(digits.slice(0, keep) || "0");
  const rest = digits.slice(keep);
  const half = "5" + "0".repeat(Math.max(rest.length - 1, 0));
  if (rest.length && (rest > half || (rest === half && n % 2n === 1n))) n += 1n;
  return n;
}

/**
 * Python's f"{x:,.{digits}f}" (comma=true) or f"{x:.{digits}f}": round half to
 * even (JS rounds ties up), "-0.00" kept, nan, inf.
 */
export function formatFixed(x, digits, comma = true) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const [whole, frac] = exactDecimal(x).split(".");
  const n = roundHalfEven(whole + frac.padEnd(digits, "0"), whole.length + digits);
  const s = n.toString().padStart(digits + 1, "0");
  let intPart = s.slice(0, s.length - digits);
  if (comma) intPart = groupThousands(intPart);
  const negative = x < 0 || Object.is(x, -0);
  return (negative ? "-" : "") + intPart + (digits > 0 ? "." + s.slice(-digits) : "");
}

export const BYTE_UNITS = {
  bytes: 1, kB: 1e3, MB: 1e6, GB: 1e9, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30,
};

/** Bytes (BigInt or Number) in a labelled decimal or binary unit (units.format_bytes). */
export function formatBytes(numBytes, unit = "MB", digits = 1) {
  if (!(unit in BYTE_UNITS)) {
    throw new Error(`unit must be one of ${Object.keys(BYTE_UNITS)}, got ${unit}`);
  }
  return `${formatFixed(Number(numBytes) / BYTE_UNITS[unit], digits)} ${unit}`;
}

// ------------------------------------------------------------ reading inputs
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

// ------------------------------------------------------------ HTML
export const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;")
  .replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const PAD = "padding:0.15em 0.75em";

/** A table of text cells; `right[i]` right-aligns column i. */
export function table(columns, rows, right) {
  const head = columns.map((c) => `<th style="${PAD}">${esc(c)}</th>`).join("");
  const body = rows.map((row) => "<tr>" + row.map((v, i) =>
    `<td style="${PAD};text-align:${right[i] ? "right" : "left"}">${esc(v)}</td>`)
    .join("") + "</tr>").join("");
  return `<table class="cnnbook-table"><thead><tr>${head}</tr></thead>` +
    `<tbody>${body}</tbody></table>`;
}

/** A labelled horizontal bar `percent` (text) wide, with its value after it. */
export function bar(label, percent, value, labelWidth) {
  return '<div style="display:flex;align-items:center;gap:0.5em">' +
    `<span style="width:${labelWidth}">${esc(label)}</span>` +
    `<span style="background:#4878a8;height:1em;width:${percent}%"></span>` +
    `<span>${esc(value)}</span></div>`;
}

/** The message shown in place of results for bad settings. */
export function errorBox(message) {
  return '<div class="cnnbook-error">' +
    `&#9888; ${esc(message)}</div>`;
}

// ------------------------------------------------------------ controls
/** `control` after its label; `control.name` is `name` (the label by default). */
export function field(label, control, { name = label, margin = "0.9em" } = {}) {
  const wrap = document.createElement("label");
  wrap.className = "cnnbook-field";
  wrap.style.cssText = "display:inline-flex;align-items:center;gap:0.3em;" +
    `margin:0.15em ${margin} 0.15em 0`;
  wrap.append(label + " ", control);
  control.name = name;
  return wrap;
}

export function select(options, value, onChange) {
  const input = document.createElement("select");
  for (const option of options) input.add(new Option(option, option));
  input.value = value;
  input.addEventListener("change", () => onChange(input.value));
  return input;
}

/** A number box for integers; `onChange` gets parseInteger of what is typed. */
export function integerInput(value, width, onChange) {
  const input = document.createElement("input");
  input.type = "number";
  input.step = "1";
  input.style.width = width;
  input.value = value === null || value === undefined ? "" : String(value);
  input.addEventListener("input", () => onChange(parseInteger(input.value)));
  return input;
}

/** A text box for a number; `onChange` gets `parse` of what is typed. */
export function decimalInput(text, width, parse, onChange) {
  const input = document.createElement("input");
  input.type = "text";
  input.inputMode = "decimal";
  input.style.width = width;
  input.value = text;
  input.addEventListener("input", () => onChange(parse(input.value)));
  return input;
}

/** The widget's root (classes `className` and cnnbook-live, which widgets.css
 * styles in the page's theme) in `el`: controls, then results. */
export function frame(el, className) {
  const root = document.createElement("div");
  root.className = `${className} cnnbook-live`;
  const controls = document.createElement("div");
  const results = document.createElement("div");
  results.className = "cnnbook-results";
  root.append(controls, results);
  el.append(root);
  return { controls, results };
}

/**
 * Listen to the model's `names`: this view's own edits, made with `save(name,
 * value)`, only `refresh` the results (the inputs keep focus); changes from
 * elsewhere (Python, another view) `rebuild` the controls too. `dispose()`
 * stops listening.
 */
export function bindModel(model, names, refresh, rebuild) {
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
  const onChange = () => (local ? refresh() : rebuild());
  for (const name of names) model.on(`change:${name}`, onChange);
  return {
    save,
    dispose: () => {
      for (const name of names) model.off(`change:${name}`, onChange);
    },
  };
}

// ------------------------------------------------------------ stack calculators
/**
 * The controls of a stack calculator (conv stack, receptive field), rebuilt in
 * `controls`: the input's height, width and channels and the `extra` controls
 * on one line; then a line per layer, its kind (one of `kinds`), the integer
 * settings `numbers` (`[label, key]` pairs; "filters" is disabled for the kinds
 * `hasFilters` rejects), its padding (one of `paddings`) and a "remove" button;
 * then "+ add layer", which appends a copy of `newLayer`. `control(label,
 * value, onChange, choices)` is the widget's labelled input; `save` comes from
 * bindModel and `build` rebuilds the whole widget.
 */
export function stackControls(controls, model, save, build,
  { control, extra = [], kinds, numbers, hasFilters, paddings, newLayer }) {
  const setLayer = (i, key, value) => {
    const layers = model.get("layers").map((row) => ({ ...row }));
    layers[i][key] = value;
    save("layers", layers);
  };
  controls.replaceChildren();
  const shape = model.get("input_shape") || [];
  const top = document.createElement("div");
  ["height", "width", "channels"].forEach((label, axis) => {
    top.append(control(label, shape[axis], (v) => {
      const next = [...model.get("input_shape")];
      next[axis] = v;
      save("input_shape", next);
    }));
  });
  top.append(...extra);
  controls.append(top);
  model.get("layers").forEach((row, i) => {
    const line = document.createElement("div");
    line.className = "cnnbook-layer";
    const settings = numbers.map(([label, key]) => {
      const box = control(label, row[key], (v) => setLayer(i, key, v));
      if (key === "filters") box.querySelector("input").disabled = !hasFilters(row.kind);
      return box;
    });
    const remove = document.createElement("button");
    remove.textContent = "remove";
    remove.title = "remove this layer";
    remove.addEventListener("click", () => {
      save("layers", model.get("layers").filter((_, j) => j !== i));
      build();
    });
    line.append(
      control("layer", row.kind, (v) => { setLayer(i, "kind", v); build(); }, kinds),
      ...settings,
      control("padding", row.padding, (v) => setLayer(i, "padding", v), paddings),
      remove,
    );
    controls.append(line);
  });
  const add = document.createElement("button");
  add.textContent = "+ add layer";
  add.className = "cnnbook-add-layer";
  add.addEventListener("click", () => {
    save("layers", [...model.get("layers"), { ...newLayer }]);
    build();
  });
  controls.append(add);
}
