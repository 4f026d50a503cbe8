// The layer arithmetic of cnnbook.calc for chains of 2-D layers, once, for every
// widget that computes a network in the page: the conv-stack calculator, the
// receptive-field calculator and the practice questions.
//
// Composed after common.js, before the widget's own module
// (cnnbook.widgets.esm.esm; the page imports a widget's `_esm` from a blob URL,
// so nothing here may be imported by name). It covers Conv2D (with dilation),
// DepthwiseConv2D, SeparableConv2D, MaxPooling2D and AveragePooling2D: output
// shapes with SAME (ceil) and VALID padding, parameters, multiply-adds, layer
// names, receptive fields with TensorFlow's SAME padding, the memory of one
// prediction (peak live tensors) and of a training step (every output kept),
// and calc's error messages. Counts are BigInt, so they stay exact for any size.
// tests/widgets/test_layers_js.py holds it to calc.analyze on random stacks.

export const DTYPE_BYTES = {
  bfloat16: 2, float16: 2, float32: 4, float64: 8,
  int16: 2, int32: 4, int64: 8, int8: 1, uint8: 1,
};
export const PADDINGS = ["same", "valid"];

/** The snake-case base of Keras' layer names, per kind. */
const SNAKE = {
  Conv2D: "conv2d", DepthwiseConv2D: "depthwise_conv2d",
  SeparableConv2D: "separable_conv2d", MaxPooling2D: "max_pooling2d",
  AveragePooling2D: "average_pooling2d",
};
const POOLS = ["MaxPooling2D", "AveragePooling2D"];
/** Kinds with a `filters` setting (a depthwise layer keeps its input's maps). */
export const HAS_FILTERS = ["Conv2D", "SeparableConv2D"];

/** A message for the reader: calc's ValueError, as the page shows it. */
export class CalcError extends Error {}

function pairError(arg, value) {
  return new CalcError(`${arg} must be a positive integer or a pair of positive ` +
    `integers, got ${pyRepr(value)}`);
}

/**
 * One layer's row `{kind, filters, kernel_size, strides, padding,
 * dilation_rate}` checked in the order calc's constructors check it; `kinds`
 * are those the calculator offers. A row without `dilation_rate` has none (1).
 * Returns `{kind, filters, kernel, strides, dilation, padding}`.
 */
export function layerSpec(row, kinds) {
  const { kind, filters, kernel_size: kernel, strides, padding } = row;
  const dilation = row.dilation_rate === undefined ? 1 : row.dilation_rate;
  if (!kinds.includes(kind)) {
    throw new CalcError(`kind must be one of ${kinds.join(", ")}, got ${pyRepr(kind)}`);
  }
  const pool = POOLS.includes(kind);
  const hasFilters = HAS_FILTERS.includes(kind);
  if (hasFilters && !isPositiveInt(filters)) {
    throw new CalcError(`filters must be a positive integer, got ${pyRepr(filters)}`);
  }
  if (!isPositiveInt(kernel)) throw pairError(pool ? "pool_size" : "kernel_size", kernel);
  if (!isPositiveInt(strides)) throw pairError("strides", strides);
  if (typeof padding !== "string" || !PADDINGS.includes(padding.toLowerCase())) {
    throw new CalcError(`padding must be one of 'valid', 'same', got ${pyRepr(padding)}`);
  }
  if (!pool && !isPositiveInt(dilation)) throw pairError("dilation_rate", dilation);
  if (kind === "Conv2D" && strides > 1 && dilation > 1) {
    throw new CalcError("strides and dilation_rate cannot both exceed 1 in a " +
      `Conv2D (Keras refuses it), got strides=(${strides}, ${strides}) and ` +
      `dilation_rate=(${dilation}, ${dilation})`);
  }
  return { kind, filters: hasFilters ? filters : null, kernel, strides,
    dilation: pool ? 1 : dilation, padding: padding.toLowerCase() };
}

/**
 * Output size along one axis and the zeros padded before it (calc's sliding
 * window and TensorFlow's SAME padding); throws calc's message when a VALID
 * window does not fit. `where` names the layer: "layers[0] (conv2d, Conv2D)".
 */
export function axis(size, spec, where) {
  const span = (spec.kernel - 1) * spec.dilation + 1;
  let out;
  if (spec.padding === "same") {
    out = Math.ceil(size / spec.strides);
  } else {
    if (span > size) {
      const arg = POOLS.includes(spec.kind) ? "pool_size" : "kernel_size";
      const what = spec.dilation > 1 ? `${arg} ${spec.kernel} at dilation_rate ` +
        `${spec.dilation} spans ${span} pixels, which` : `${arg} ${spec.kernel}`;
      throw new CalcError(`${where}: ${what} is larger than the input size ` +
        `${size} with padding='valid'; use padding='same' or a smaller window`);
    }
    out = Math.floor((size - span) / spec.strides) + 1;
  }
  const total = (BigInt(out) - 1n) * BigInt(spec.strides) + BigInt(span) - BigInt(size);
  const before = spec.padding === "same" && total > 0n ? total / 2n : 0n;
  return { out, before };
}

/** Keras' names: conv2d, conv2d_1, max_pooling2d, ... */
export function layerNames(specs) {
  const counters = {};
  return specs.map(({ kind }) => {
    const base = SNAKE[kind];
    const n = counters[base] || 0;
    counters[base] = n + 1;
    return n === 0 ? base : `${base}_${n}`;
  });
}

/** The product of a shape's sizes, as a BigInt. */
export const prod = (shape) => shape.reduce((a, b) => a * BigInt(b), 1n);

/** Parameters and multiply-adds of one layer on `cin` maps, `positions` outputs. */
function cost(spec, cin, positions) {
  const k2 = BigInt(spec.kernel) ** 2n;
  const c = BigInt(cin);
  if (spec.kind === "Conv2D") {
    const f = BigInt(spec.filters);
    return { params: k2 * c * f + f, macs: positions * f * k2 * c, maps: spec.filters };
  }
  if (spec.kind === "DepthwiseConv2D") {
    return { params: k2 * c + c, macs: positions * c * k2, maps: cin };
  }
  if (spec.kind === "SeparableConv2D") {
    const f = BigInt(spec.filters);
    return { params: k2 * c + c * f + f, macs: positions * c * k2 + positions * c * f,
      maps: spec.filters };
  }
  return { params: 0n, macs: 0n, maps: cin };  // pooling learns nothing
}

/** The field of a layer reading units whose field is `rf`
 * (calc.ReceptiveField.through). */
function through(rf, spec, pads) {
  const k = BigInt(spec.kernel);
  const d = BigInt(spec.dilation);
  return {
    size: rf.size.map((r, a) => r + (k - 1n) * d * rf.jump[a]),
    jump: rf.jump.map((j) => j * BigInt(spec.strides)),
    start: rf.start.map((b, a) => b - pads[a] * rf.jump[a]),
  };
}

/**
 * calc.analyze for a chain of checked layer specs: per-layer lines
 * `{name, kind, input_shape, output_shape, params, macs, elements,
 * activation_bytes, field: {size, jump, start}}` and the report's totals
 * (params, macs, param_bytes, input_bytes, activation_bytes (the batch's),
 * inference_bytes, training_bytes). Throws CalcError with calc's message.
 */
export function analyze(inputShape, specs, { batchSize = 1, dtype = "float32" } = {}) {
  if (!Array.isArray(inputShape) || inputShape.length !== 3 ||
      !inputShape.every(isPositiveInt)) {
    throw new CalcError("input_shape must be (H, W, C) or (N,) of positive " +
      `integers, without the batch axis, got ${pyRepr(inputShape)}`);
  }
  if (specs.length === 0) {
    throw new CalcError("layers must contain at least one layer, got an empty list");
  }
  if (!isPositiveInt(batchSize)) {
    throw new CalcError(`batch_size must be a positive integer, got ${pyRepr(batchSize)}`);
  }
  if (!(dtype in DTYPE_BYTES)) {
    throw new CalcError(`dtype must be one of [${Object.keys(DTYPE_BYTES).sort()
      .map(pyRepr).join(", ")}], got ${pyRepr(dtype)}`);
  }
  const bpv = BigInt(DTYPE_BYTES[dtype]);
  const names = layerNames(specs);
  let shape = inputShape;
  let rf = { size: [1n, 1n], jump: [1n, 1n], start: [0n, 0n] };
  const layers = specs.map((spec, i) => {
    const where = `layers[${i}] (${names[i]}, ${spec.kind})`;
    const rows = axis(shape[0], spec, where);
    const cols = axis(shape[1], spec, where);
    const { params, macs, maps } = cost(spec, shape[2],
      BigInt(rows.out) * BigInt(cols.out));
    const out = [rows.out, cols.out, maps];
    rf = through(rf, spec, [rows.before, cols.before]);
    const line = { name: names[i], kind: spec.kind, input_shape: shape,
      output_shape: out, params, macs, elements: prod(out),
      activation_bytes: prod(out) * bpv, field: rf };
    shape = out;
    return line;
  });
  // Peak live memory (calc.report_from_graph): a tensor lives until its reader ran.
  const input = prod(inputShape);
  let live = input;
  let peak = live;
  let previous = input;
  for (const layer of layers) {
    live += layer.elements;
    if (live > peak) peak = live;
    live -= previous;
    previous = layer.elements;
  }
  const params = layers.reduce((a, l) => a + l.params, 0n);
  const outputs = layers.reduce((a, l) => a + l.elements, 0n);
  const batch = BigInt(batchSize);
  return {
    layers, params, macs: layers.reduce((a, l) => a + l.macs, 0n),
    bytes_per_value: bpv, batch_size: batchSize, dtype,
    param_bytes: params * bpv,
    input_bytes: batch * input * bpv,
    activation_bytes: batch * outputs * bpv,
    inference_bytes: (params + batch * peak) * bpv,
    training_bytes: (params + batch * (input + outputs)) * bpv,
  };
}

/**
 * Check each of `rows` (layerSpec, with `kinds`) and analyze the chain; a row's
 * error comes back naming it ("layer 2: ..."), as calc's calculators show it.
 */
export function analyzeRows(inputShape, rows, kinds, options) {
  const specs = rows.map((row, i) => {
    try {
      return layerSpec(row, kinds);
    } catch (err) {
      if (err instanceof CalcError) throw new CalcError(`layer ${i + 1}: ${err.message}`);
      throw err;
    }
  });
  return analyze(inputShape, specs, options);
}
