// Practice in the page until right: a conv stack drawn from ranges, questions
// about it, the reader's answers judged here, "New numbers" for another stack.
// Composed after common.js, layers.js and answers.js (cnnbook.widgets.esm).
//
// The widget's state holds only ranges, a seed and the networks to avoid (the
// chapter's worked one), never an answer: each variant is drawn here with a
// small generator (mulberry32) that practice.py repeats, the expected values
// come from layers.js (calc's arithmetic), and the typical slips are those of
// cnnbook.checks.ch02's spec builders, ported, so a typed answer gets the
// feedback the exercises give. tests/widgets/test_parity.py holds the draws
// and the verdicts to practice.describe (Python) in Node and Chromium.

export const QUESTIONS = ["params", "shapes", "prediction", "training"];
/** Draws tried for one variant before giving up (none fits, or all avoided). */
export const DRAW_TRIES = 200;
/** Longer typed answers are refused unread (reading them could take long). */
export const MAX_CHARS = 1000;

// ------------------------------------------------------------ drawing a network
/** mulberry32: uniform numbers in [0, 1) from a 32-bit seed (practice.generator). */
export function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1) >>> 0;
    t = (t ^ (t + Math.imul(t ^ (t >>> 7), t | 61))) >>> 0;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sameNetwork = (a, b) => a.input_shape.every((v, i) => v === b.input_shape[i]) &&
  a.layers.length === b.layers.length && a.layers.every((layer, i) =>
  ["filters", "kernel_size", "strides", "padding"].every((k) => layer[k] === b.layers[i][k]));

function analyzeNetwork(net, batchSize = 1, layers = net.layers) {
  return analyzeRows(net.input_shape, layers.map((l) => ({ kind: "Conv2D", ...l })),
    ["Conv2D"], { batchSize, dtype: net.dtype });
}

function fits(net) {
  try {
    analyzeNetwork(net);
    return true;
  } catch (err) {
    if (err instanceof CalcError) return false;
    throw err;
  }
}

/**
 * Variant `variant` of the ranges (practice.draw): `{input_shape, layers:
 * [{filters, kernel_size, strides, padding}], batch_size, dtype, unit}`, the
 * first draw that fits and is none of `avoid`; null after DRAW_TRIES draws.
 */
export function drawNetwork(ranges, seed, variant, avoid = []) {
  const next = generator((seed + Math.imul(variant, 0x9e3779b9)) >>> 0);
  const between = ([low, high]) => low + Math.floor(next() * (high - low + 1));
  const pick = (choices) => choices[Math.floor(next() * choices.length)];
  for (let attempt = 0; attempt < DRAW_TRIES; attempt += 1) {
    const inputShape = [between(ranges.height), between(ranges.width),
      pick(ranges.channels)];
    const depth = between(ranges.depth);
    const padding = pick(ranges.padding);
    const layers = [];
    for (let i = 0; i < depth; i += 1) {
      layers.push({ filters: pick(ranges.filters), kernel_size: pick(ranges.kernel_size),
        strides: pick(ranges.strides), padding });
    }
    const net = { input_shape: inputShape, layers, batch_size: pick(ranges.batch_size),
      dtype: pick(ranges.dtype), unit: pick(ranges.unit) };
    if (fits(net) && !avoid.some((other) => sameNetwork(net, other))) return net;
  }
  return null;
}

// ------------------------------------------------------------ the questions' specs
// cnnbook.checks.ch02's builders for a chain of Conv2D layers, with its wording.
const FLOOR_HINT = "SAME padding rounds up: a layer with stride s keeps ceil(n / s) " +
  "positions, so a size that the stride does not divide keeps one position more " +
  "than n / s rounded down.";
const PADDING_HINT = "Your sizes follow the other padding rule: SAME keeps ceil(n / s) " +
  "positions, VALID keeps floor((n - kernel) / s) + 1. Check which one each layer uses.";
const PARAMETER_HINT = "A convolutional layer has (kernel height x kernel width x " +
  "input channels + 1 bias) x filters parameters; padding and strides do not change it.";
/** The practice's own slips, beside ch02's (practice.EXTRA_SLIPS). */
const ONE_MORE = "That counts one image more than the batch holds: the input and " +
  "every feature map are stored once for each image of the batch.";
const ONE_FEWER = "That counts one image fewer than the batch holds: the input and " +
  "every feature map are stored once for each image of the batch.";

/** The network's layers changed by `change`, analysed; null if invalid. */
function variantReport(net, change, batchSize) {
  try {
    return analyzeNetwork(net, batchSize, net.layers.map(change));
  } catch (err) {
    if (err instanceof CalcError) return null;
    throw err;
  }
}

/** checks.ch02._shape_variants: [report, hint] of the padding slips. */
function shapeVariants(net, batchSize) {
  const found = [];
  if (net.layers.some((l) => l.padding === "same")) {  // else nothing changes
    const floored = variantReport(net, (l) => (l.padding === "same"
      ? { ...l, kernel_size: l.strides, padding: "valid" } : l), batchSize);
    if (floored !== null) found.push([floored, FLOOR_HINT]);
  }
  const other = variantReport(net, (l) => ({ ...l,
    padding: l.padding === "same" ? "valid" : "same" }), batchSize);
  if (other !== null) found.push([other, PADDING_HINT]);
  return found;
}

const sum = (values) => values.reduce((a, b) => a + b, 0n);

/** checks.stacks.parameter_count_spec, as a NumberSpec's fields. */
function parameterSpec(net, tables) {
  const r = analyzeNetwork(net);
  const expected = Number(r.params);
  const mistakes = [
    [Number(r.params - sum(net.layers.map((l) => BigInt(l.filters)))),
      "That count leaves out the biases: every filter has one bias besides its weights."],
    [Number(sum(net.layers.map((l) => BigInt(l.kernel_size) ** 2n * BigInt(l.filters) +
      BigInt(l.filters)))), "Each filter spans every channel of its input (3 for an " +
      "RGB image, the number of feature maps of the previous layer after that): kernel " +
      "height x kernel width x input channels weights, plus one bias."],
    [Number(sum(r.layers.map((l) => l.params * BigInt(l.output_shape[0]) *
      BigInt(l.output_shape[1])))), "That counts a filter's weights once per output " +
      "position; a filter is shared by every position, so count its weights once."],
  ];
  if (r.layers.length > 1) {
    for (const line of r.layers) {
      mistakes.push([Number(line.params), "That is the count of a single layer; add " +
        "up the parameters of every layer."]);
    }
  }
  return { expected, rel_tol: 0, mistakes: checkMistakes(mistakes, expected, 0, tables),
    hint: PARAMETER_HINT, what: "the parameter count", digits: null };
}

/** checks.ch02.output_shapes_spec: {expected, layers, variants}. */
function shapesSpec(net) {
  const r = analyzeNetwork(net);
  return {
    expected: r.layers.map((l) => l.output_shape),
    layers: r.layers.map((l) => [l.name, l.kind]),
    variants: shapeVariants(net, 1).map(([v, hint]) =>
      [v.layers.map((l) => l.output_shape), hint]),
  };
}

/** checks.ch02._memory_mistakes (bytes, as BigInt or Number). */
function memoryMistakes(net, r, training) {
  const batch = BigInt(r.batch_size);
  const bpv = r.bytes_per_value;
  const params = r.param_bytes;
  const inputs = r.input_bytes;
  const maps = r.activation_bytes;
  const expected = training ? r.training_bytes : r.inference_bytes;
  const largest = r.layers.reduce((a, l) => (l.activation_bytes > a ? l.activation_bytes
    : a), 0n);
  let mistakes;
  if (training) {
    mistakes = [
      [inputs + maps, "The total leaves out the parameters, which stay in memory " +
        "throughout (count them once)."],
      [params + maps, "The total leaves out the input batch itself, which must be in " +
        "memory too."],
      [maps, "The total leaves out the parameters and the input batch; both are in " +
        "memory besides the feature maps."],
      [r.inference_bytes, "That is the prediction figure, where only two layers' maps " +
        "are alive at once. Training keeps every layer's output until backpropagation " +
        "has used it, so add them all up."],
      [batch * params + inputs + maps, "The parameters are stored once, not once per " +
        "image: multiply only the input and the feature maps by the batch size."],
    ];
    if (batch > 1n) {
      mistakes.push([params + (inputs + maps) / batch, "That is the figure for one " +
        "image; the input and every feature map are stored for each image of the batch."]);
    }
  } else {
    mistakes = [
      [params + maps, "You added up every layer's feature maps, as the chapter's 'sum " +
        "every layer's maps' estimate does. During one prediction a layer's output is " +
        "needed only until the next layer has read it: take the largest input + output " +
        "of any one layer."],
      [params + inputs + maps, "You added up the input and every layer's feature maps. " +
        "During one prediction a layer's output is needed only until the next layer has " +
        "read it, so only a layer's input and output must be alive at once: take the " +
        "largest such pair."],
      [r.inference_bytes - params, "The total leaves out the parameters, which stay in " +
        "memory during the whole prediction."],
      [params + batch * largest, "While a layer runs, its input must be alive as well " +
        "as its output: take the largest input + output of any one layer."],
      [params + inputs, "The feature maps are missing: while a layer runs, its input and " +
        "its output are both in memory."],
    ];
  }
  for (const [v, hint] of shapeVariants(net, r.batch_size)) {
    const total = training ? v.training_bytes : v.inference_bytes;
    mistakes.push([params + total - v.param_bytes, hint]);
  }
  const dtype = r.dtype;
  const s = bpv > 1n ? "s" : "";
  mistakes.push(
    [expected * 8n, "That looks like bits: memory is counted in bytes, and 1 byte = 8 " +
      "bits."],
    [Number(expected) / Number(bpv), `That counts values, not bytes: each ${dtype} ` +
      `value takes ${bpv} byte${s}.`],
  );
  for (const [other, size] of [["float16", 2n], ["float32", 4n], ["float64", 8n]]) {
    if (size !== bpv) {
      mistakes.push([Number(expected * size) / Number(bpv), `That uses ${size} bytes per ` +
        `value (${other}); ${dtype} takes ${bpv} byte${s} per value.`]);
    }
  }
  return mistakes.map(([value, hint]) => [Number(value), hint]);
}

/** checks.ch02's prediction_memory_spec / training_memory_spec (and the practice's
 * slips), as a QuantitySpec's fields. */
function memorySpec(net, training, tables) {
  const r = analyzeNetwork(net, training ? net.batch_size : 1);
  const expected = Number(training ? r.training_bytes : r.inference_bytes);
  const mistakes = memoryMistakes(net, r, training);
  if (training) {
    const slips = [[net.batch_size + 1, ONE_MORE]];
    if (net.batch_size > 1) slips.push([net.batch_size - 1, ONE_FEWER]);
    for (const [batch, hint] of slips) {
      mistakes.push([Number(analyzeNetwork(net, batch).training_bytes), hint]);
    }
  }
  const what = training ? "the input and every layer's output for each image of the " +
    "batch" : "the largest input + output of any one layer for each image";
  return { expected, unit: net.unit, rel_tol: 0.01,
    mistakes: checkMistakes(mistakes, expected, 0.01, tables),
    hint: `Count the parameters once, plus ${what}, times ${r.bytes_per_value} bytes ` +
      `per ${r.dtype} value.` };
}

// ------------------------------------------------------------ judging an answer
const UNANSWERED = "type your answer in the box, then press Check.";
const TOO_LONG = `that answer is longer than ${MAX_CHARS} characters; write one ` +
  "number, such as 1234 or '3.5 MB'.";
const SHAPE_FORM = "as whole numbers, height x width x maps, such as 12 x 20 x 64 or " +
  "(12, 20, 64)";

const length = (text) => Array.from(text).length;

/** practice.judge: the verdict on `answer` (a string; for "shapes" one string
 * per layer) to `question` about `net`, as {status, message}. */
export function judge(question, net, answer, tables) {
  if (question === "shapes") {
    const boxes = net.layers.map((_, i) => (Array.isArray(answer) && typeof answer[i] ===
      "string" ? answer[i] : ""));
    const blank = boxes.filter((text) => pyStrip(text) === "").length;
    if (blank === boxes.length) return verdict("unanswered", UNANSWERED, tables);
    if (blank) {
      return verdict("unanswered", `fill in the output shape of every layer; ${blank} ` +
        `of the ${boxes.length} boxes are empty.`, tables);
    }
    const shapes = [];
    for (const [i, text] of boxes.entries()) {
      const shape = length(text) > MAX_CHARS ? null : asShape(text);
      if (shape === null) {
        const got = length(text) > MAX_CHARS ? `it is longer than ${MAX_CHARS} ` +
          "characters" : `got ${quoted(text)}`;
        return verdict("incorrect", `write layer ${i + 1}'s shape ${SHAPE_FORM}; ` +
          `${got}.`, tables);
      }
      shapes.push(shape);
    }
    return judgeShapes(shapes, shapesSpec(net), tables);
  }
  const text = typeof answer === "string" ? answer : "";
  if (pyStrip(text) === "") return verdict("unanswered", UNANSWERED, tables);
  if (length(text) > MAX_CHARS) return verdict("incorrect", TOO_LONG, tables);
  if (question === "params") return judgeNumber(text, parameterSpec(net, tables), tables);
  return judgeQuantity(text, memorySpec(net, question === "training", tables), tables);
}

/** The page's draw and verdict for `settings` (the parity contract with
 * practice.describe): `{network, status, message}`, or `{network: null}`. */
export function describeJSON(settings) {
  const { ranges, seed, variant, avoid, question, answer, tables } = settings;
  const network = drawNetwork(ranges, seed, variant, avoid);
  if (network === null) return { network };
  return { network, ...judge(question, network, answer, tables) };
}

// ------------------------------------------------------------ the page
/** The questions as the page asks them. */
function asked(question, net) {
  return {
    params: "How many parameters does this network have?",
    shapes: "What is the output shape of each layer (height x width x maps, without " +
      "the batch axis)?",
    prediction: `How much memory does one prediction need at least, in ${net.unit}?`,
    training: `How much memory does training on a batch of ${net.batch_size} images ` +
      `need at least (the lower bound: parameters, inputs and every layer's output), ` +
      `in ${net.unit}?`,
  }[question];
}

/** HTML that states the drawn network. */
function describeNetwork(net) {
  const names = layerNames(net.layers.map(() => ({ kind: "Conv2D" })));
  const [h, w, c] = net.input_shape;
  const bytes = DTYPE_BYTES[net.dtype];
  const rows = net.layers.map((l, i) => [names[i], String(l.filters),
    `${l.kernel_size} x ${l.kernel_size}`, String(l.strides), l.padding.toUpperCase()]);
  return `<p class="cnnbook-network">An input of ${h} x ${w} pixels with ${c} ` +
    `channel${c === 1 ? "" : "s"}, values in ${net.dtype} (${bytes} byte` +
    `${bytes === 1 ? "" : "s"} each), through ${net.layers.length} Conv2D layers ` +
    "(each with one bias per filter):</p>" +
    table(["layer", "filters", "kernel", "stride", "padding"], rows,
      [false, true, false, true, false]);
}

let counter = 0;

const TOPIC = { params: "the parameters", shapes: "the output shapes",
  prediction: "the memory of one prediction", training: "the training memory" };

/** One question: its label (a fieldset's legend for one box per layer), answer
 * box(es), "Check" and the verdict. */
function questionBox(question, net, tables) {
  const shapes = question === "shapes";
  const box = document.createElement(shapes ? "fieldset" : "div");
  box.className = "cnnbook-question";
  box.dataset.question = question;
  const out = document.createElement("p");
  out.className = "cnnbook-feedback";
  out.setAttribute("aria-live", "polite");
  const prompt = document.createElement(shapes ? "legend" : "label");
  prompt.className = "cnnbook-prompt";
  prompt.textContent = asked(question, net);
  box.append(prompt);
  const inputs = (shapes ? net.layers : [null]).map((_, i) => {
    const input = document.createElement("input");
    input.type = "text";
    input.name = shapes ? `shape_${i + 1}` : question;
    input.id = `cnnbook-practice-${(counter += 1)}`;
    input.autocomplete = "off";
    input.placeholder = shapes ? "h x w x maps"
      : question === "params" ? "e.g. 1,234" : `e.g. 3.5 ${net.unit}`;
    return input;
  });
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Check";
  button.setAttribute("aria-label", `Check your answer: ${TOPIC[question]}`);
  const show = () => {
    const answer = shapes ? inputs.map((i) => i.value) : inputs[0].value;
    const result = judge(question, net, answer, tables);
    const prefix = tables.prefixes[result.status];  // in bold, as the notebooks show it
    const verdictText = document.createElement("strong");
    verdictText.textContent = prefix;
    out.replaceChildren(verdictText, result.message.slice(prefix.length));
    out.dataset.status = result.status;
  };
  if (shapes) {
    const names = layerNames(net.layers.map(() => ({ kind: "Conv2D" })));
    inputs.forEach((input, i) => box.append(field(`${names[i]}:`, input,
      { name: input.name })));
  } else {
    prompt.htmlFor = inputs[0].id;
    box.append(inputs[0]);
  }
  box.append(button, out);
  button.addEventListener("click", show);
  for (const input of inputs) {
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") show(); });
  }
  return box;
}

function render({ model, el }) {
  const root = document.createElement("div");
  // cnnbook-live-check: the PDF prints "A self-check" under it (publishing/pdf.py).
  root.className = "cnnbook-practice cnnbook-live-check cnnbook-live";
  const body = document.createElement("div");
  const again = document.createElement("button");
  again.type = "button";
  again.className = "cnnbook-new-numbers";
  again.textContent = "New numbers";
  root.append(body, again);
  el.append(root);
  let variant = model.get("variant") || 0;
  const show = () => {
    const net = drawNetwork(model.get("ranges"), model.get("seed"), variant,
      model.get("avoid"));
    if (net === null) {
      body.innerHTML = errorBox(`No network of these ranges fits (${DRAW_TRIES} ` +
        "draws); press New numbers again.");
      return;
    }
    body.innerHTML = describeNetwork(net);
    for (const question of model.get("questions")) {
      body.append(questionBox(question, net, model.get("tables")));
    }
  };
  again.addEventListener("click", () => {
    variant += 1;
    model.set("variant", variant);
    model.save_changes();
    show();
  });
  show();
}

export default { render };
