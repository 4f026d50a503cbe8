// Quick self-checks computed in the page: the judge() of cnnbook.checks'
// NumberSpec and QuantitySpec, ported so that a reader's typed answer gets the
// same one-line feedback as the notebook check, with no kernel. The spec (the
// expected value, the typical mistakes and the hint, from the chapter's own
// check) is saved in the widget state, as are the unit tables, so only the
// reading of the answer and the wording live here.
// tests/widgets/test_parity.py compares this with live_check.describe in Chromium.
// Composed after common.js (cnnbook.widgets.esm.esm), whose helpers it uses.

// ------------------------------------------------------------ Python formatting
/** Python's format(x, "g") / ",.{p}g" for a finite double. */
export function formatG(x, precision = 6, commas = false) {
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const sign = x < 0 ? "-" : "";
  const [whole, frac] = exactDecimal(x).split(".");
  const all = (whole + frac).replace(/^0+/, "");
  const lead = whole === "0" ? -(frac.length - frac.replace(/^0+/, "").length) - 1
    : whole.length - 1;  // decimal exponent of the first significant digit
  let n = roundHalfEven(all, precision);
  let exp = lead;
  if (n.toString().length > precision) {  // 9.9995 -> 10.00
    n /= 10n;
    exp += 1;
  }
  let digits = n.toString().padStart(precision, "0");
  if (exp >= -4 && exp < precision) {
    const point = exp + 1;
    let intPart;
    let fracPart;
    if (point <= 0) {
      intPart = "0";
      fracPart = "0".repeat(-point) + digits;
    } else {
      intPart = digits.slice(0, point).padEnd(point, "0");
      fracPart = digits.slice(point);
    }
    fracPart = fracPart.replace(/0+$/, "");
    return sign + (commas ? groupThousands(intPart) : intPart) +
      (fracPart ? "." + fracPart : "");
  }
  digits = digits.replace(/0+$/, "");
  const mant = digits[0] + (digits.length > 1 ? "." + digits.slice(1) : "");
  const e = Math.abs(exp).toString().padStart(2, "0");
  return `${sign}${mant}e${exp < 0 ? "-" : "+"}${e}`;
}

/** checks._fmt: 903,400 or 12.61 or 0.0012. */
export function fmt(value) {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) {
    return (value < 0 ? "-" : "") + groupThousands(Math.abs(value).toFixed(0));
  }
  return formatG(value, 4, true);
}

const pct = (relTol) => `${formatG(relTol * 100)}%`;

/** Python's repr() of a str. */
export function reprStr(s) {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let body = s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t");
  if (quote === "'") body = body.replace(/'/g, "\\'");
  return quote + body + quote;
}

// ------------------------------------------------------------ reading answers
const THOUSANDS = /^[-+]?\d{1,3}(,\d{3})+(\.\d*)?([eE][-+]?\d+)?$/;
const FLOAT = /^[-+]?(\d+(_\d+)*\.?(\d+(_\d+)*)?|\.\d+(_\d+)*)([eE][-+]?\d+(_\d+)*)?$/;
const SPLIT = /^\s*(.*?)\s*([A-Za-z]+)?\s*$/s;

const DIGIT = /\p{Nd}/u;

/** checks.reading.ascii_digits: every decimal digit as its ASCII digit. Unicode
 * puts each script's digits 0-9 in a run of its own, so a digit's value is its
 * distance from the start of its run, modulo 10. */
export function asciiDigits(text) {
  return text.replace(/\p{Nd}/gu, (ch) => {
    const code = ch.codePointAt(0);
    if (code < 128) return ch;
    let start = code;
    while (DIGIT.test(String.fromCodePoint(start - 1))) start -= 1;
    return String((code - start) % 10);
  });
}

/** checks.reading.parse_number: a finite number, or null. */
export function parseAnswerNumber(text) {
  text = asciiDigits(text).trim().replace(/(?<=\d)[ _'\u00a0\u202f](?=\d)/g, "");
  if (text.includes(",")) {
    if (THOUSANDS.test(text)) text = text.replace(/,/g, "");
    else if (text.split(",").length === 2 && !text.includes(".")) {
      text = text.replace(",", ".");
    } else return null;
  }
  const stripped = text.trim();
  if (!FLOAT.test(stripped)) return null;  // Python's float() syntax, finite only
  const value = Number(stripped.replace(/_/g, ""));
  return Number.isFinite(value) ? value : null;
}

/** checks.parse_quantity for a str answer: [bytes, unit understood, written]. */
export function parseQuantity(answer, unit, tables) {
  const m = SPLIT.exec(answer);
  const numberText = m[1];
  const written = m[2];
  const value = numberText ? parseAnswerNumber(numberText) : null;
  if (value === null) {
    throw new Error(`could not read a number in ${reprStr(answer)}; write e.g. ` +
      `3.5 or '3.5 ${unit}'`);
  }
  if (written === undefined) return [value * tables.units[unit], unit, false];
  const understood = tables.unit_of[written.toLowerCase()];
  if (understood === undefined) {
    throw new Error(`could not read the unit ${reprStr(written)} in ` +
      `${reprStr(answer)}; use one of ${tables.question_units.join(", ")}`);
  }
  return [value * tables.units[understood], understood, true];
}

// ------------------------------------------------------------ the checks
function close(value, target, relTol, tables) {
  return Math.abs(value - target) <= Math.max(relTol, tables.exact) * Math.abs(target) ||
    value === target;
}

function match(value, mistakes, expected, relTol, tables) {
  let best = null;
  let distance = Infinity;
  for (const [mValue, hint] of mistakes) {
    if (close(mValue, expected, relTol, tables)) continue;
    const gap = Math.abs(value - mValue) / Math.max(Math.abs(mValue), 1e-300);
    if (close(value, mValue, relTol, tables) && gap < distance) {
      best = hint;
      distance = gap;
    }
  }
  return best;
}

function feedback(status, text, tables) {
  return { status, message: `${tables.prefixes[status]} ${text.slice(0, 1).toUpperCase()}` +
    text.slice(1) };
}

/** checks.number for a typed answer ("" or null: not answered yet). */
export function number(answer, spec, tables) {
  const { expected, rel_tol: relTol = 0, mistakes = [], hint = "",
          what = "the answer" } = spec;
  if (answer === null || answer === "") {
    return feedback("unanswered", tables.unanswered, tables);
  }
  const value = parseAnswerNumber(answer);
  if (value === null) {
    return feedback("incorrect", `${what} should be a number (such as 1234 or ` +
      `'1,234'), got str ${reprStr(answer)}.`, tables);
  }
  if (close(value, expected, relTol, tables)) {
    const within = relTol === 0 ? "exactly" : `within ${pct(relTol)}`;
    return feedback("correct", `${fmt(value)} matches ${within}.`, tables);
  }
  const mistake = match(value, mistakes, expected, relTol, tables);
  if (mistake !== null) return feedback("incorrect", mistake, tables);
  for (const [factor, word] of [[1e3, "thousands"], [1e6, "millions"]]) {
    if (value && close(value * factor, expected, Math.max(relTol, 5e-3), tables)) {
      return feedback("incorrect", `${fmt(value)} looks like a count in ${word}; ` +
        `give the full number${relTol === 0 ? " exactly" : ""}.`, tables);
    }
  }
  const direction = value > expected ? "too high" : "too low";
  return feedback("incorrect", `${fmt(value)} is ${direction}.` +
    (hint ? ` ${hint}` : ""), tables);
}

/** checks.quantity for a typed answer; `expected` in bytes, asked in `unit`. */
export function quantity(answer, spec, tables) {
  const { expected, unit = "MB", rel_tol: relTol = 0.01, mistakes = [],
          hint = "" } = spec;
  if (answer === null || answer === "") {
    return feedback("unanswered", tables.unanswered, tables);
  }
  let value;
  let understood;
  let written;
  try {
    [value, understood, written] = parseQuantity(answer, unit, tables);
  } catch (err) {
    return feedback("incorrect", `${err.message}.`, tables);
  }
  const shown = value / tables.units[understood];
  const meaning = `${understood} (${tables.unit_meaning[understood]})`;
  const read = written ? `${reprStr(answer)} was read as ${fmt(shown)} ${meaning}`
    : `${fmt(shown)} was read in ${meaning}, the unit asked for`;
  if (close(value, expected, relTol, tables)) {
    return feedback("correct", `${read}; it is within ${pct(relTol)} of the exact ` +
      `${fmt(expected)} bytes (${fmt(expected / tables.units[unit])} ${unit}).`, tables);
  }
  const twin = tables.twin[understood];
  if (twin !== undefined && close(shown * tables.units[twin], expected, relTol, tables)) {
    return feedback("incorrect", `${read}. That number is the right amount in ` +
      `${twin}, not in ${understood}: MB = 10^6 bytes while MiB = 2^20 bytes ` +
      "(likewise k/Ki, G/Gi). Convert from bytes with the factor of the unit " +
      "asked for.", tables);
  }
  for (const other of tables.question_units) {
    if (other !== understood && other !== twin &&
        close(shown * tables.units[other], expected, relTol, tables)) {
      return feedback("incorrect", `${read}. That number is the right amount in ` +
        `${other}: convert it to ${unit} (${tables.unit_meaning[unit]}).`, tables);
    }
  }
  const mistake = match(value, mistakes, expected, relTol, tables);
  if (mistake !== null) return feedback("incorrect", `${read}. ${mistake}`, tables);
  const direction = value > expected ? "too high" : "too low";
  return feedback("incorrect", `${read}; it is more than ${pct(relTol)} ` +
    `${direction}.` + (hint ? ` ${hint}` : ""), tables);
}

export function check(answer, spec, tables) {
  return spec.kind === "quantity" ? quantity(answer, spec, tables)
    : number(answer, spec, tables);
}

/** The page's verdict on `settings.answer` for `settings.spec` (the parity
 * contract with live_check.py's describe): `{message}`; blank is unanswered. */
export function describeJSON(settings) {
  const typed = settings.answer;
  const answer = typed.trim() === "" ? "" : typed;
  return { message: check(answer, settings.spec, settings.tables).message };
}

// ------------------------------------------------------------ the page
const COLORS = { correct: "#1a7f37", incorrect: "#a00", unanswered: "#555" };

function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "cnnbook-live-check";
  // The question is the answer box's label (screen readers say it on focus).
  const question = document.createElement("label");
  question.className = "cnnbook-question";
  question.style.cssText = "display:block;margin:0.5em 0";
  question.textContent = model.get("question");
  const input = document.createElement("input");
  input.type = "text";
  input.name = "answer";
  input.id = `cnnbook-answer-${Math.random().toString(36).slice(2, 10)}`;
  question.htmlFor = input.id;
  input.placeholder = model.get("spec").kind === "quantity"
    ? `e.g. 3.5 ${model.get("spec").unit}` : "e.g. 1,234";
  input.value = model.get("answer") || "";
  input.style.cssText = "width:16em;margin-right:0.5em";
  const button = document.createElement("button");
  button.textContent = "check";
  const out = document.createElement("p");
  out.className = "cnnbook-feedback";
  out.setAttribute("aria-live", "polite");
  const show = () => {
    const result = check(input.value.trim() === "" ? "" : input.value,
      model.get("spec"), model.get("tables"));
    out.textContent = result.message;
    out.dataset.status = result.status;
    out.style.color = COLORS[result.status];
  };
  const submit = () => {
    model.set("answer", input.value);
    model.save_changes();
    show();
  };
  button.addEventListener("click", submit);
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") submit(); });
  box.append(question, input, button, out);
  el.append(box);
  if (input.value) show();
}

export default { render };
