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

const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's repr() of a str (escapes as Python's: \n, \x00, \u200b...). */
export function reprStr(s) {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const escapes = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  escapes[quote] = `\\${quote}`;
  const body = Array.from(s, (ch) => {
    if (escapes[ch] !== undefined) return escapes[ch];
    if (ch === " " || !UNPRINTABLE.test(ch)) return ch;
    const code = ch.codePointAt(0);
    if (code < 0x100) return `\\x${code.toString(16).padStart(2, "0")}`;
    if (code < 0x10000) return `\\u${code.toString(16).padStart(4, "0")}`;
    return `\\U${code.toString(16).padStart(8, "0")}`;
  }).join("");
  return quote + body + quote;
}

/** checks.reading.quoted: a string's repr, cut to 40 characters. */
export function quoted(text) {
  const chars = Array.from(text);
  return reprStr(chars.length <= 40 ? text : chars.slice(0, 37).join("") + "...");
}

// ------------------------------------------------------------ reading answers
// checks.reading: the same regular expressions and steps, so the same doubles.
const THOUSANDS = /^[-+]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?([eE][-+]?\d+)?$/;
const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const SPLIT = /^\s*(.*?)\s*([A-Za-z]+)?\s*$/s;
const SIGNS = { "\u2212": "-", "\uff0d": "-", "\uff0b": "+", "\uff05": "%",
  "\u2044": "/", "\uff0f": "/", "\u066b": ".", "\u066c": "," };

const DIGIT = /\p{Nd}/u;

/** checks.reading.ascii_digits: every decimal digit as its ASCII digit (Unicode
 * puts each script's digits 0-9 in a run of its own, so a digit's value is its
 * distance from the start of its run, modulo 10), other scripts' signs as ASCII. */
export function asciiDigits(text) {
  return Array.from(text, (ch) => {
    const code = ch.codePointAt(0);
    if (code >= 128 && DIGIT.test(ch)) {
      let start = code;
      while (DIGIT.test(String.fromCodePoint(start - 1))) start -= 1;
      return String((code - start) % 10);
    }
    return SIGNS[ch] ?? ch;
  }).join("");
}

/** checks.reading.significant_digits: '12.60' has 4, '12000' has 2. */
function significantDigits(literal) {
  const mantissa = literal.toLowerCase().split("e")[0].replace(/^[-+]+/, "");
  const digits = mantissa.includes(".") ? mantissa.replace(".", "").replace(/^0+/, "")
    : mantissa.replace(/^0+/, "").replace(/0+$/, "");
  return Math.max(digits.length, 1);
}

/** checks.reading._plain: a number without fraction or percent sign, or null. */
function plain(text) {
  text = text.trim().replace(/(?<=\d)[ _'\u00a0\u202f](?=\d)/g, "");
  if (text.includes(",")) {
    if (THOUSANDS.test(text)) text = text.replace(/,/g, "");
    else if (text.split(",").length === 2 && !text.includes(".")) {
      text = text.replace(",", ".");
    } else return null;
  }
  if (!FLOAT.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? { value, digits: significantDigits(text) } : null;
}

/** checks.reading.read_text: {value, digits} (digits null when exact), or null. */
export function readText(text) {
  text = asciiDigits(text).trim();
  if (text.endsWith("%")) {
    const reading = plain(text.slice(0, -1));
    return reading === null ? null : { value: reading.value / 100, digits: reading.digits };
  }
  if (text.split("/").length === 2) {
    const [top, bottom] = text.split("/").map(plain);
    if (top === null || bottom === null || bottom.value === 0) return null;
    const value = top.value / bottom.value;
    return Number.isFinite(value) ? { value, digits: null } : null;
  }
  return plain(text);
}

/** checks.reading.parse_number: a finite number, or null. */
export function parseAnswerNumber(text) {
  const reading = readText(text);
  return reading === null ? null : reading.value;
}

/** checks.reading.read_quantity for a str answer: {value (bytes), unit, written,
 * digits}; throws an Error with the student-facing message. */
export function readQuantity(answer, unit, tables) {
  const m = SPLIT.exec(answer);
  const numberText = m[1];
  const written = m[2];
  const reading = numberText ? readText(numberText) : null;
  if (reading === null) {
    throw new Error(`could not read a number in ${quoted(answer)}; write e.g. ` +
      `3.5 or '3.5 ${unit}'`);
  }
  if (written === undefined) {
    return { value: reading.value * tables.units[unit], unit, written: false,
      digits: reading.digits };
  }
  const understood = tables.unit_of[written.toLowerCase()];
  if (understood === undefined) {
    throw new Error(`could not read the unit ${quoted(written)} in ` +
      `${quoted(answer)}; use one of ${tables.question_units.join(", ")}`);
  }
  return { value: reading.value * tables.units[understood], unit: understood,
    written: true, digits: reading.digits };
}

// ------------------------------------------------------------ precision
const ten = (power) => Number(`1e${power}`);
const exponentOf = (x) => Number(Math.abs(x).toExponential(16).split("e")[1]);

function shorten(x, digits, step) {
  if (x === 0) return 0;
  const k = digits - 1 - exponentOf(x);
  const sign = x < 0 ? -1 : 1;
  if (k >= 0) return sign * (step(Math.abs(x) * ten(k)) / ten(k));
  return sign * (step(Math.abs(x) / ten(-k)) * ten(-k));
}

const roundSig = (x, digits) => shorten(x, digits, (v) => Math.floor(v + 0.5));
const truncSig = (x, digits) => shorten(x, digits, (v) => Math.floor(v * (1 + 1e-12)));

// ------------------------------------------------------------ the checks
function close(value, target, relTol, tables) {
  return Math.abs(value - target) <= Math.max(relTol, tables.exact) * Math.abs(target) ||
    value === target;
}

const gap = (value, target) => Math.abs(value - target) / Math.max(Math.abs(target), 1e-300);

/** checks.specs.best_match: [hint, exact] or null. */
function bestMatch(value, expected, candidates, tables) {
  let best = null;
  let distance = Infinity;
  for (const [target, hint, relTol] of candidates) {
    if (close(target, expected, relTol, tables) || !close(value, target, relTol, tables)) {
      continue;
    }
    if (gap(value, target) < distance) {
      best = hint;
      distance = gap(value, target);
    }
  }
  if (best === null || distance >= gap(value, expected)) return null;
  return [best, distance <= tables.exact];
}

function tooCoarse(value, digits, expected, tables) {
  if (digits === null || value === 0 || expected === 0) return false;
  return [roundSig(expected, digits), truncSig(expected, digits)]
    .some((shortened) => close(value, shortened, 0, tables));
}

/** checks.specs.verdict_hint. */
function verdictHint(value, digits, expected, candidates, coarse, tables) {
  const match = bestMatch(value, expected, candidates, tables);
  if (match !== null && match[1]) return match[0];
  if (tooCoarse(value, digits, expected, tables)) return coarse;
  return match === null ? null : match[0];
}

const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;

function digitsNeeded(expected, relTol, tables) {
  for (let digits = 1; digits < 17; digits += 1) {
    if (close(roundSig(expected, digits), expected, relTol, tables)) return digits;
  }
  return 17;
}

/** checks.specs.coarse_message. */
function coarseMessage(shown, digits, expected, relTol, asked, tables) {
  if (asked !== null && asked !== undefined) {
    return `${fmt(shown)} has ${plural(digits, "significant digit")}; the question ` +
      `asks for at least ${asked}.`;
  }
  if (relTol === 0) return `${fmt(shown)} looks rounded: give the exact number.`;
  return `${fmt(shown)} is too rounded to be checked within ${pct(relTol)}: give at ` +
    `least ${plural(digitsNeeded(expected, relTol, tables), "significant digit")}.`;
}

/** checks.specs.scale_candidates. */
function scaleCandidates(shown, expected, relTol, exact) {
  const tol = Math.max(relTol, 5e-3);
  const full = `give the full number${exact ? " exactly" : ""}.`;
  const candidates = [
    [expected / 1e3, `${fmt(shown)} looks like a count in thousands; ${full}`, tol],
    [expected / 1e6, `${fmt(shown)} looks like a count in millions; ${full}`, tol],
    [expected * 1e6, `${fmt(shown)} is a million times too large: check the unit ` +
      "the question asks for.", tol],
  ];
  if (Math.abs(expected) >= 1e-3 && Math.abs(expected) <= 1) {
    candidates.push([expected * 100, `${fmt(shown)} looks like a percentage: write it ` +
      "with a % sign, or as a fraction.", tol]);
  }
  return candidates;
}

function feedback(status, text, tables) {
  return { status, message: `${tables.prefixes[status]} ${text.slice(0, 1).toUpperCase()}` +
    text.slice(1) };
}

/** NumberSpec.judge for a typed answer ("" or null: not answered yet). */
export function number(answer, spec, tables) {
  const { expected, rel_tol: relTol = 0, mistakes = [], hint = "",
          what = "the answer", digits = null } = spec;
  if (answer === null || answer === "") {
    return feedback("unanswered", tables.unanswered, tables);
  }
  const reading = readText(answer);
  if (reading === null) {
    return feedback("incorrect", `${what} should be a number (such as 1234, ` +
      `'1,234', '7/8' or '87.5%'); got ${quoted(answer)}.`, tables);
  }
  const value = reading.value;
  if (close(value, expected, relTol, tables)) {
    let within;
    if (digits !== null) within = `to ${plural(digits, "significant digit")}`;
    else within = relTol === 0 ? "exactly" : `within ${pct(relTol)}`;
    return feedback("correct", `${fmt(value)} matches ${within}.`, tables);
  }
  const candidates = mistakes.map(([mValue, mHint]) => [mValue, mHint, relTol])
    .concat(scaleCandidates(value, expected, relTol, relTol === 0));
  const coarse = coarseMessage(value, reading.digits, expected, relTol, digits, tables);
  const found = verdictHint(value, reading.digits, expected, candidates, coarse, tables);
  if (found !== null) return feedback("incorrect", found, tables);
  const direction = value > expected ? "too high" : "too low";
  return feedback("incorrect", `${fmt(value)} is ${direction}.` +
    (hint ? ` ${hint}` : ""), tables);
}

/** checks.specs.unit_candidates. */
function unitCandidates(understood, expected, unit, relTol, tables) {
  const twin = tables.twin[understood];
  return tables.question_units.filter((other) => other !== understood).map((other) => {
    const asRead = expected / tables.units[other] * tables.units[understood];
    const hint = other === twin
      ? `That number is the right amount in ${twin}, not in ${understood}: MB = ` +
        "10^6 bytes while MiB = 2^20 bytes (likewise k/Ki, G/Gi). Convert from " +
        "bytes with the factor of the unit asked for."
      : `That number is the right amount in ${other}: convert it to ${unit} ` +
        `(${tables.unit_meaning[unit]}).`;
    return [asRead, hint, relTol];
  });
}

/** QuantitySpec.judge for a typed answer; `expected` in bytes, asked in `unit`. */
export function quantity(answer, spec, tables) {
  const { expected, unit = "MB", rel_tol: relTol = 0.01, mistakes = [],
          hint = "" } = spec;
  if (answer === null || answer === "") {
    return feedback("unanswered", tables.unanswered, tables);
  }
  let read;
  try {
    read = readQuantity(answer, unit, tables);
  } catch (err) {
    return feedback("incorrect", `${err.message}.`, tables);
  }
  const { value, unit: understood } = read;
  const scale = tables.units[understood];
  const shown = value / scale;
  const meaning = `${understood} (${tables.unit_meaning[understood]})`;
  const said = read.written ? `${quoted(answer)} was read as ${fmt(shown)} ${meaning}`
    : `${fmt(shown)} was read in ${meaning}, the unit asked for`;
  if (close(value, expected, relTol, tables)) {
    return feedback("correct", `${said}; it is within ${pct(relTol)} of the exact ` +
      `${fmt(expected)} bytes (${fmt(expected / tables.units[unit])} ${unit}).`, tables);
  }
  const candidates = unitCandidates(understood, expected, unit, relTol, tables)
    .map(([target, text, tol]) => [target / scale, text, tol])
    .concat(mistakes.map(([mValue, mHint]) => [mValue / scale, mHint, relTol]));
  let coarse = coarseMessage(shown, read.digits, expected / scale, relTol, null, tables);
  coarse = coarse.slice(0, 1).toUpperCase() + coarse.slice(1);
  const found = verdictHint(shown, read.digits, expected / scale, candidates, coarse,
    tables);
  if (found !== null) return feedback("incorrect", `${said}. ${found}`, tables);
  const direction = value > expected ? "too high" : "too low";
  return feedback("incorrect", `${said}; it is more than ${pct(relTol)} ` +
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
// The verdict's bar takes a mid-tone colour that shows on light and dark pages;
// the text keeps the page's own colour (checks.feedback.Feedback._repr_html_).
const COLOURS = { correct: "#2da44e", incorrect: "#cf222e", unanswered: "#8c959f" };

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
  input.style.cssText = "width:16em;margin-right:0.5em;color:inherit;" +
    "background:transparent;border:1px solid #8c959f;padding:0.1em 0.3em";
  const button = document.createElement("button");
  button.textContent = "check";
  const out = document.createElement("p");
  out.className = "cnnbook-feedback";
  out.setAttribute("aria-live", "polite");
  out.style.cssText = "color:inherit;background:transparent;white-space:normal;" +
    "overflow-wrap:normal;word-break:normal;hyphens:manual;padding-left:0.6em";
  const show = () => {
    const result = check(input.value.trim() === "" ? "" : input.value,
      model.get("spec"), model.get("tables"));
    out.textContent = result.message;
    out.dataset.status = result.status;
    out.style.borderLeft = `0.3em solid ${COLOURS[result.status]}`;
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
