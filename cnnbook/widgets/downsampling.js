// Chapter 4's downsampling viewer, computed in the page: no kernel, no server.
// Composed after common.js (cnnbook.widgets.esm.esm), whose helpers it uses.
//
// One grey image (float32, base64 in the trait `image_b64`) after max pooling,
// average pooling and a strided convolution with a fixed edge kernel (the
// trait `kernels`: cnnbook.science.pooling.edge_kernel for pool sizes 1, 2, ...). The
// arithmetic mirrors cnnbook.science.pooling (VALID windows, same error messages) in
// float64; tests/widgets/test_parity.py compares it with Python in Node and Chromium.
// The three results are drawn on canvases, min to black and max to white.

export const METHODS = ["max pooling", "average pooling", "strided convolution"];

// ------------------------------------------------------------ the arithmetic
/** base64 of little-endian float32 values -> Float64Array. */
export function decodeImage(b64) {
  const raw = atob(b64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const out = new Float64Array(raw.length / 4);
  for (let i = 0; i < out.length; i += 1) out[i] = view.getFloat32(4 * i, true);
  return out;
}

class PoolingError extends Error {}


function positive(arg, value) {
  if (!isPositiveInt(value)) {
    throw new PoolingError(`${arg} must be a positive integer, got ${pyRepr(value)}`);
  }
}

/**
 * The three outputs of pooling.downsample_all for an image (Float64Array of
 * `height * width`, row by row): `{error}` with pooling's message, or
 * `{outputs: {method: {height, width, data: Float64Array}}}`.
 */
export function downsample(image, height, width, kernels, poolSize, strides) {
  try {
    positive("pool_size", poolSize);
    positive("strides", strides);
    const smaller = Math.min(height, width);
    if (poolSize > smaller) {
      throw new PoolingError("pool_size must be at most the image's smaller side " +
        `(${smaller}), got ${poolSize}`);
    }
    if (poolSize > kernels.length) {
      throw new PoolingError(`pool_size must be at most ${kernels.length} here, ` +
        `got ${poolSize}`);
    }
  } catch (err) {
    if (err instanceof PoolingError) return { error: err.message };
    throw err;
  }
  const k = poolSize;
  const kernel = kernels[k - 1];
  const outH = Math.floor((height - k) / strides) + 1;
  const outW = Math.floor((width - k) / strides) + 1;
  const maxes = new Float64Array(outH * outW);
  const means = new Float64Array(outH * outW);
  const convs = new Float64Array(outH * outW);
  for (let i = 0; i < outH; i += 1) {
    for (let j = 0; j < outW; j += 1) {
      let largest = -Infinity;
      let sum = 0;
      let dot = 0;
      for (let a = 0; a < k; a += 1) {
        const row = (i * strides + a) * width + j * strides;
        const weights = kernel[a];
        for (let b = 0; b < k; b += 1) {
          const v = image[row + b];
          if (v > largest) largest = v;
          sum += v;
          dot += v * weights[b];
        }
      }
      maxes[i * outW + j] = largest;
      means[i * outW + j] = sum / (k * k);
      convs[i * outW + j] = dot;
    }
  }
  const wrap = (data) => ({ height: outH, width: outW, data });
  return { outputs: { [METHODS[0]]: wrap(maxes), [METHODS[1]]: wrap(means),
                      [METHODS[2]]: wrap(convs) } };
}

/** downsample() on the widget's state, with plain nested lists: the parity
 * contract with downsampling.py's describe. */
export function describeJSON(settings) {
  const [height, width] = settings.image_shape;
  const result = downsample(decodeImage(settings.image_b64), height, width,
    settings.kernels, settings.pool_size, settings.strides);
  if (result.error !== undefined) return result;
  const outputs = {};
  for (const [method, out] of Object.entries(result.outputs)) {
    const rows = [];
    for (let i = 0; i < out.height; i += 1) {
      rows.push(Array.from(out.data.subarray(i * out.width, (i + 1) * out.width)));
    }
    outputs[method] = rows;
  }
  return { outputs };
}

// ------------------------------------------------------------ the page
/** Draw values on a canvas, min to black and max to white (all black if flat). */
function draw(canvas, data, height, width, cssWidth) {
  canvas.width = width;
  canvas.height = height;
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${Math.max(1, Math.round(cssWidth * height / width))}px`;
  let low = Infinity;
  let high = -Infinity;
  for (const v of data) {
    if (v < low) low = v;
    if (v > high) high = v;
  }
  const range = high > low ? high - low : 1;
  const context = canvas.getContext("2d");
  const pixels = context.createImageData(width, height);
  for (let i = 0; i < data.length; i += 1) {
    const grey = high > low ? Math.round((255 * (data[i] - low)) / range) : 0;
    pixels.data.set([grey, grey, grey, 255], 4 * i);
  }
  context.putImageData(pixels, 0, 0);
}

function slider(label, name, value, max, onChange) {
  const wrap = document.createElement("label");
  wrap.className = "cnnbook-field";
  wrap.style.cssText = "display:inline-flex;align-items:center;gap:0.4em;" +
    "margin:0.15em 1.2em 0.15em 0";
  wrap.append(label + " ");
  const input = document.createElement("input");
  input.type = "range";
  input.min = "1";
  input.max = String(max);
  input.step = "1";
  input.name = name;
  input.value = String(value);
  const shown = document.createElement("output");
  shown.textContent = String(value);
  input.addEventListener("input", () => {
    shown.textContent = input.value;
    onChange(Number(input.value));
  });
  wrap.append(input, shown);
  return { wrap, input, shown };
}

function panel(title) {
  const box = document.createElement("figure");
  box.className = "cnnbook-panel";
  box.style.cssText = "display:inline-block;vertical-align:top;margin:0 1em 0.5em 0";
  const canvas = document.createElement("canvas");
  canvas.style.imageRendering = "pixelated";
  canvas.style.display = "block";
  canvas.setAttribute("role", "img");
  const caption = document.createElement("figcaption");
  caption.style.fontSize = "90%";
  box.append(canvas, caption);
  return { box, canvas, caption, title };
}

function render({ model, el }) {
  const [height, width] = model.get("image_shape");
  const image = decodeImage(model.get("image_b64"));
  const kernels = model.get("kernels");
  const size = model.get("display_size");
  const root = document.createElement("div");
  root.className = "cnnbook-downsampling cnnbook-live";
  const controls = document.createElement("div");
  const message = document.createElement("div");
  const panels = document.createElement("div");
  root.append(controls, message, panels);
  el.append(root);

  const save = (name) => (v) => { model.set(name, v); model.save_changes(); };
  const max = Math.max(kernels.length, 1);
  const pool = slider("pool size", "pool_size", model.get("pool_size"), max,
    save("pool_size"));
  const stride = slider("stride", "strides", model.get("strides"), max,
    save("strides"));
  controls.append(pool.wrap, stride.wrap);

  const input = panel("input");
  draw(input.canvas, image, height, width, size);
  input.canvas.setAttribute("aria-label", `the input image, ${height} x ${width}`);
  input.caption.innerHTML = `<b>input</b><br>${height} x ${width}`;
  const outputs = METHODS.map(panel);
  panels.append(input.box, ...outputs.map((p) => p.box));

  function show() {
    const result = downsample(image, height, width, kernels, model.get("pool_size"),
      model.get("strides"));
    if (result.error !== undefined) {
      message.innerHTML = errorBox(result.error);
      for (const p of outputs) {
        p.box.style.display = "none";
        p.caption.innerHTML = "";
      }
      return;
    }
    message.innerHTML = "";
    for (const p of outputs) {
      const out = result.outputs[p.title];
      const cssWidth = Math.max(1, Math.round((size * out.width) / width));
      draw(p.canvas, out.data, out.height, out.width, cssWidth);
      p.canvas.setAttribute("aria-label",
        `the image after ${p.title}, ${out.height} x ${out.width}`);
      p.caption.innerHTML = `<b>${esc(p.title)}</b><br>${out.height} x ${out.width}`;
      p.box.style.display = "inline-block";
    }
  }

  const sync = (control, name) => () => {
    const v = model.get(name);
    if (Number(control.input.value) !== v && isPositiveInt(v)) {
      control.input.value = String(v);
      control.shown.textContent = String(v);
    }
    show();
  };
  const onPool = sync(pool, "pool_size");
  const onStride = sync(stride, "strides");
  model.on("change:pool_size", onPool);
  model.on("change:strides", onStride);
  show();
  return () => {
    model.off("change:pool_size", onPool);
    model.off("change:strides", onStride);
  };
}

export default { render };
