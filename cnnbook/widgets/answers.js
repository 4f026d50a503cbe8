// Reading and judging typed answers in the page, with no kernel: the readers of
// cnnbook.checks.reading (numbers written any way, amounts of memory with their
// unit, shapes) and the judge() of its NumberSpec, QuantitySpec and ShapesSpec,
// ported, so that an answer typed in the page gets the feedback an exercise's
// check gives. A spec arrives as the JSON of a NumberSpec's fields (`{expected,
// rel_tol, mistakes: [[value, hint], ...], hint, what, digits}`), of
// QuantitySpec's (`{expected (bytes), unit, rel_tol, mistakes, hint}`) or of a
// ShapesSpec (`{expected, layers, variants}`); the unit tables and wording come
// from the widget's state (practice.tables()).
// Composed after common.js, before the widget's module (cnnbook.widgets.esm).
// tests/widgets/test_parity.py holds it to Python through practice.describe.

// ------------------------------------------------------------ Python's strings
// What Python's str.isspace() (and so `\s`, strip()) counts as whitespace: not
// JavaScript's \s, which adds U+FEFF and leaves out U+001C-U+001F and U+0085.
const WS = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a" +
  "\\u2028\\u2029\\u202f\\u205f\\u3000";
const SPACE = new RegExp(`[${WS}]`);

/** Python's str.strip() (in linear time, whatever the text). */
export function pyStrip(text) {
  let start = 0;
  let end = text.length;
  while (start < end && SPACE.test(text[start])) start += 1;
  while (end > start && SPACE.test(text[end - 1])) end -= 1;
  return text.slice(start, end);
}

// ------------------------------------------------------------ Python formatting
/** Python's format(x, "g") / ",.{p}g" for a finite double. */
export function formatG(x, precision = 6, commas = false) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
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

/** checks.feedback.fmt: 903,400 or 12.61 or 0.0012. */
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
function plainNumber(text) {
  text = pyStrip(text).replace(/(?<=\d)[ _'\u00a0\u202f](?=\d)/g, "");
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
  text = pyStrip(asciiDigits(text));
  if (text.endsWith("%")) {
    const reading = plainNumber(text.slice(0, -1));
    return reading === null ? null : { value: reading.value / 100, digits: reading.digits };
  }
  if (text.split("/").length === 2) {
    const [top, bottom] = text.split("/").map(plainNumber);
    if (top === null || bottom === null || bottom.value === 0) return null;
    const value = top.value / bottom.value;
    return Number.isFinite(value) ? { value, digits: null } : null;
  }
  return plainNumber(text);
}

/**
 * checks.reading._SPLIT, without its regular expression (quadratic on long
 * text): the trailing run of ASCII letters is the unit, what is before it the
 * number, both stripped of whitespace.
 */
function splitUnit(answer) {
  const text = pyStrip(answer);
  let cut = text.length;
  while (cut > 0 && /[A-Za-z]/.test(text[cut - 1])) cut -= 1;
  if (cut === text.length) return { numberText: text, written: undefined };
  return { numberText: pyStrip(text.slice(0, cut)), written: text.slice(cut) };
}

/** checks.reading.read_quantity for a str answer: {value (bytes), unit, written,
 * digits}; throws an Error with the student-facing message. */
export function readQuantity(answer, unit, tables) {
  const { numberText, written } = splitUnit(answer);
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

const SHAPE_TEXT = new RegExp(`^[${WS}(\\[]*\\d+([${WS}]*[,x\u00d7*][${WS}]*\\d+)*` +
  `[${WS}]*,?[${WS})\\]]*$`);

/** checks.reading.MAX_SHAPE_DIGITS: a size with more digits is no size. */
export const MAX_SHAPE_DIGITS = 18;

/** checks.reading.as_shape for typed text: '(25, 38, 400)' or '25x38x400' as
 * an array of numbers, or null (also when a size has more than
 * MAX_SHAPE_DIGITS digits, as Python refuses it). */
export function asShape(text) {
  text = asciiDigits(text);
  if (!SHAPE_TEXT.test(text)) return null;
  const sizes = text.match(/\d+/g);
  if (sizes.some((size) => size.length > MAX_SHAPE_DIGITS)) return null;
  return sizes.map(Number);
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
function isClose(value, target, relTol, tables) {
  return Math.abs(value - target) <= Math.max(relTol, tables.exact) * Math.abs(target) ||
    value === target;
}

const gap = (value, target) => Math.abs(value - target) / Math.max(Math.abs(target), 1e-300);

/** checks.specs.check_mistakes: [value, hint] pairs without those that could
 * never be recognised (within the tolerance of the right value, or with the
 * value of an earlier one: the first hint wins). */
export function checkMistakes(mistakes, expected, relTol, tables) {
  const kept = [];
  for (const [value, hint] of mistakes) {
    if (isClose(value, expected, relTol, tables) ||
        kept.some(([other]) => isClose(value, other, 0, tables))) continue;
    kept.push([value, hint]);
  }
  return kept;
}

/** checks.specs.best_match: [hint, exact] or null. */
function bestMatch(value, expected, candidates, tables) {
  let best = null;
  let distance = Infinity;
  for (const [target, hint, relTol] of candidates) {
    if (isClose(target, expected, relTol, tables) ||
        !isClose(value, target, relTol, tables)) {
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
    .some((shortened) => isClose(value, shortened, 0, tables));
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
    if (isClose(roundSig(expected, digits), expected, relTol, tables)) return digits;
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

/** checks.feedback.Feedback: {status, message}, the message after its prefix. */
export function verdict(status, text, tables) {
  return { status, message: `${tables.prefixes[status]} ${text.slice(0, 1).toUpperCase()}` +
    text.slice(1) };
}

/** NumberSpec.judge for a typed answer (not blank). */
export function judgeNumber(answer, spec, tables) {
  const { expected, rel_tol: relTol = 0, mistakes = [], hint = "",
          what = "the answer", digits = null } = spec;
  const reading = readText(answer);
  if (reading === null) {
    return verdict("incorrect", `${what} should be a number (such as 1234, ` +
      `'1,234', '7/8' or '87.5%'); got ${quoted(answer)}.`, tables);
  }
  const value = reading.value;
  if (isClose(value, expected, relTol, tables)) {
    let within;
    if (digits !== null) within = `to ${plural(digits, "significant digit")}`;
    else within = relTol === 0 ? "exactly" : `within ${pct(relTol)}`;
    return verdict("correct", `${fmt(value)} matches ${within}.`, tables);
  }
  const candidates = mistakes.map(([mValue, mHint]) => [mValue, mHint, relTol])
    .concat(scaleCandidates(value, expected, relTol, relTol === 0));
  const coarse = coarseMessage(value, reading.digits, expected, relTol, digits, tables);
  const found = verdictHint(value, reading.digits, expected, candidates, coarse, tables);
  if (found !== null) return verdict("incorrect", found, tables);
  const direction = value > expected ? "too high" : "too low";
  return verdict("incorrect", `${fmt(value)} is ${direction}.` +
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

/** QuantitySpec.judge for a typed answer (not blank); `expected` in bytes. */
export function judgeQuantity(answer, spec, tables) {
  const { expected, unit = "MB", rel_tol: relTol = 0.01, mistakes = [],
          hint = "" } = spec;
  let read;
  try {
    read = readQuantity(answer, unit, tables);
  } catch (err) {
    return verdict("incorrect", `${err.message}.`, tables);
  }
  const { value, unit: understood } = read;
  const scale = tables.units[understood];
  const shown = value / scale;
  const meaning = `${understood} (${tables.unit_meaning[understood]})`;
  const said = read.written ? `${quoted(answer)} was read as ${fmt(shown)} ${meaning}`
    : `${fmt(shown)} was read in ${meaning}, the unit asked for`;
  if (isClose(value, expected, relTol, tables)) {
    return verdict("correct", `${said}; it is within ${pct(relTol)} of the exact ` +
      `${fmt(expected)} bytes (${fmt(expected / tables.units[unit])} ${unit}).`, tables);
  }
  const candidates = unitCandidates(understood, expected, unit, relTol, tables)
    .map(([target, text, tol]) => [target / scale, text, tol])
    .concat(mistakes.map(([mValue, mHint]) => [mValue / scale, mHint, relTol]));
  let coarse = coarseMessage(shown, read.digits, expected / scale, relTol, null, tables);
  coarse = coarse.slice(0, 1).toUpperCase() + coarse.slice(1);
  const found = verdictHint(shown, read.digits, expected / scale, candidates, coarse,
    tables);
  if (found !== null) return verdict("incorrect", `${said}. ${found}`, tables);
  const direction = value > expected ? "too high" : "too low";
  return verdict("incorrect", `${said}; it is more than ${pct(relTol)} ` +
    `${direction}.` + (hint ? ` ${hint}` : ""), tables);
}

// ------------------------------------------------------------ shapes
const BATCH_NOTE = "The leading batch axis is not part of the answer: shapes here " +
  "are given without it.";
const SIZE_HINT = "Along each axis a convolution keeps ceil(n / stride) positions " +
  "with SAME padding and floor((n - kernel) / stride) + 1 with VALID padding.";
const CHANNEL_HINT = "The height and width are right, the number of channels is " +
  "not: a convolution outputs one feature map per filter.";
const SWAPPED = "Height and width are swapped: shapes are (height, width, channels).";

const sameShape = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

/** checks.shapes.shape_hint for a convolution's shape. */
function shapeHint(got, expected, variants) {
  for (const [variant, hint] of variants) {
    if (!sameShape(variant, expected) && sameShape(got, variant)) return hint;
  }
  if (got.length === 3 && sameShape([got[1], got[0], got[2]], expected)) return SWAPPED;
  if (got.length === 3 && sameShape(got.slice(0, 2), expected.slice(0, 2))) {
    return CHANNEL_HINT;
  }
  return SIZE_HINT;
}

/**
 * ShapesSpec.judge for one shape per layer, each read by asShape (an array of
 * numbers: the caller has answered blanks and unreadable text), for a spec
 * `{expected, layers: [[name, kind]], variants: [[shapes, hint]]}` of a chain
 * of convolutions.
 */
export function judgeShapes(shapes, spec, tables) {
  const { expected, layers, variants } = spec;
  const stripped = shapes.map((got, i) => (got.length === expected[i].length + 1 &&
    got[0] === 1 ? [got.slice(1), true] : [got, false]));
  const note = stripped.some(([, batch]) => batch) ? ` ${BATCH_NOTE}` : "";
  for (let index = 0; index < expected.length; index += 1) {
    const [got] = stripped[index];
    const want = expected[index];
    if (sameShape(got, want)) continue;
    const [name, kind] = layers[index];
    let first = "";
    if (index) {
      first = index > 1 ? `the first ${index} shapes are right, `
        : "the first shape is right, ";
    }
    const hint = got.length !== want.length
      ? `It has ${want.length} axes (without the batch axis); yours has ${got.length}.`
      : shapeHint(got, want, variants.map(([all, text]) => [all[index], text]));
    return verdict("incorrect", `${first}layer ${index + 1} (${name}, ${kind}) is ` +
      `not right. ${hint}${note}`, tables);
  }
  return verdict("correct", `all ${expected.length} output shapes are right.${note}`,
    tables);
}
