// Pure logic of the operation panel: each model's fields, prices, canvas sizes, and the unified create body.
// No DOM, no network (tests/Studio/request.test.mjs).

export const LIMITS = { side: 4096, pixels: 16_777_216, prompt: 8192 };
export const RATIOS = ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3'];
export const FINAL = new Set(['completed', 'failed']);

/** A canvas of the given aspect ratio ("16:9") whose long side is `long` pixels. */
export function presetSize(ratio, long = 1024) {
  const [a, b] = String(ratio).split(':').map(Number);
  if (!(a > 0 && b > 0)) {
    throw new Error(`not a ratio: ${ratio}`);
  }
  return a >= b
    ? { width: long, height: Math.max(1, Math.round((long * b) / a)) }
    : { width: Math.max(1, Math.round((long * a) / b)), height: long };
}

/** Null when the size is a valid canvas, else why not (API.md section 6). */
export function checkCanvas(width, height) {
  for (const [name, v] of [['width', width], ['height', height]]) {
    if (!Number.isInteger(v) || v < 1 || v > LIMITS.side) {
      return `The canvas ${name} must be a whole number from 1 to ${LIMITS.side}`;
    }
  }
  if (width * height > LIMITS.pixels) {
    return `The canvas is ${width * height} pixels; at most ${LIMITS.pixels} (16 megapixels)`;
  }
  return null;
}

/** The source image scaled to fit inside the canvas (never enlarged) and centred: a starting img_pos. */
export function fitPlacement(source, canvas) {
  const s = Math.min(1, canvas.width / source.width, canvas.height / source.height);
  const width = Math.max(1, Math.round(source.width * s));
  const height = Math.max(1, Math.round(source.height * s));
  return { width, height, x: Math.round((canvas.width - width) / 2), y: Math.round((canvas.height - height) / 2) };
}

const f = (place, extra = {}) => ({ name: place.split('.').pop(), place, required: false, ...extra });
const req = (place, extra = {}) => f(place, { ...extra, required: true });
const speed = f('model_params.speed', { choices: ['fast', 'turbo'], default: 'fast' });
const output = f('model_params.output_format', { choices: ['png', 'jpeg', 'webp'], default: 'png' });
const callback = f('callback_url');
const common = [callback, speed, output];
const source = [req('model_params.task_id'), f('model_params.image_number', { min: 0, max: 3, default: 0 })];

/** Used until GET /v1/models carries each model's `fields` (README "The whole family", API.md sections 3 and 9). */
export const FALLBACK_FIELDS = {
  'upload-paint': [req('prompt'), req('image_urls'), req('model_params.canvas'), req('model_params.img_pos'), req('model_params.mask'), ...common],
  edit: [...source, req('prompt'), req('model_params.canvas'), req('model_params.img_pos'), f('model_params.mask'), ...common],
  inpaint: [...source, f('prompt'), req('model_params.mask'), ...common],
  remix: [...source, f('model_params.mode', { choices: ['strong', 'subtle'], default: 'strong' }), req('prompt'), ...common],
  imagine: [req('prompt'), callback, f('model_params.speed', { choices: ['draft', 'fast', 'turbo'], default: 'fast' }), output],
  variation: [...source, f('model_params.type', { choices: ['subtle', 'strong'], default: 'strong' }), f('prompt'), ...common],
  upscale: [...source, f('model_params.type', { choices: ['standard', 'creative'], default: 'standard' }), ...common],
  outpaint: [...source, req('model_params.scale', { min: 1.1, max: 2, default: 1.5 }), f('prompt'), ...common],
  pan: [...source, req('model_params.direction', { choices: ['left', 'right', 'up', 'down'], default: 'right' }),
    req('model_params.scale', { min: 1.1, max: 3, default: 1.5 }), f('prompt'), ...common],
  enhance: [...source, ...common],
  retexture: [req('image_urls'), req('prompt'), ...common],
  'remove-bg': [req('image_urls'), callback],
};

/** The short key of a field: the last segment of its unified place ("model_params.scale" -> "scale"). */
export function keyOf(field) {
  return String(field.place ?? field.name).split('.').pop();
}

/** A model's fields: its own `fields` from GET /v1/models when present, else the fallback table. */
export function fieldsOf(model) {
  if (Array.isArray(model?.fields) && model.fields.length > 0) {
    return model.fields.map((x) => ({ ...x, place: x.place ?? x.name }));
  }
  return FALLBACK_FIELDS[model?.operation] ?? [];
}

export function hasField(fields, key) {
  return fields.some((x) => keyOf(x) === key);
}

/** Fields filled from the canvas, the source or the results rather than typed. */
export const CONTEXT_KEYS = new Set(['image_urls', 'canvas', 'img_pos', 'mask', 'task_id', 'image_number']);

/** The field a request error's `param` names ("model_params.mask.areas[0].points" -> the mask field), or null. */
export function fieldForParam(fields, param) {
  if (!param) {
    return null;
  }
  let best = null;
  for (const x of fields) {
    const place = String(x.place);
    if (param === place || param.startsWith(place + '.') || param.startsWith(place + '[')) {
      if (!best || place.length > best.place.length) {
        best = x;
      }
    }
  }
  return best;
}

/** The price in credits for the chosen speed (and variant, e.g. upscale's creative type); null when unknown. */
export function priceOf(model, values = {}) {
  const variant = (model?.variants ?? []).find((v) => v.name === values.type);
  const prices = variant?.prices ?? model?.prices ?? {};
  const speedName = values.speed || (prices.fast !== undefined ? 'fast' : Object.keys(prices)[0]);
  const p = prices[speedName];
  return typeof p === 'number' ? p : null;
}

/** Whether the model (or the variant the values select) can run here, and why not. */
export function availabilityOf(model, values = {}) {
  const variant = (model?.variants ?? []).find((v) => v.name === values.type);
  const target = variant ?? model;
  if (target?.available === false) {
    const what = variant ? `${model.id} with type ${variant.name}` : model.id;
    return { available: false, reason: `${what} is not available: no engine on this server serves it` };
  }
  return { available: true, reason: null, engines: target?.engines ?? [] };
}

const TEXT_KEYS = new Set(['prompt', 'callback_url', 'image_urls', 'canvas', 'img_pos', 'mask', 'task_id']);

/** Whether a field takes a number typed in a number input (scale, image_number; any other bounded field without choices). */
export function isNumeric(field) {
  const key = keyOf(field);
  if (key === 'scale' || key === 'image_number') {
    return true;
  }
  return !TEXT_KEYS.has(key) && !field.choices && (field.min != null || field.max != null);
}

function isEmpty(v) {
  return v === undefined || v === null || v === '' || (typeof v === 'number' && Number.isNaN(v));
}

function setAt(body, place, value) {
  const parts = place.split('.');
  let o = body;
  for (const p of parts.slice(0, -1)) {
    o = o[p] ??= {};
  }
  o[parts.at(-1)] = value;
}

/**
 * The unified create body (POST /v1/images/generations) of a model from the values keyed by field key
 * (prompt, image_urls, canvas, img_pos, mask, task_id, image_number, speed, type, mode, scale, direction, ...).
 * Only the model's own fields are sent; empty values are left out for the server's defaults.
 */
export function buildBody(model, fields, values) {
  const body = { model: model.id };
  for (const field of fields) {
    const key = keyOf(field);
    let v = values[key];
    if (isEmpty(v)) {
      continue;
    }
    if (key === 'image_urls') {
      v = Array.isArray(v) ? v : [v];
    } else if (key === 'image_number') {
      v = Number.parseInt(v, 10);
    } else if (isNumeric(field) && typeof v === 'string') {
      v = Number(v);
    }
    setAt(body, String(field.place), v);
  }
  return body;
}

/** One-click secondary operations on a result image (issue 16 part 6). */
export const SECONDARY = {
  upscale: { label: 'Upscale', model: 'mj-v7-upscale', params: {} },
  'vary-subtle': { label: 'Vary (subtle)', model: 'mj-v7-variation', params: { type: 'subtle' } },
  'vary-strong': { label: 'Vary (strong)', model: 'mj-v7-variation', params: { type: 'strong' } },
  'pan-left': { label: '←', title: 'Pan left', model: 'mj-v7-pan', params: { direction: 'left', scale: 1.5 } },
  'pan-up': { label: '↑', title: 'Pan up', model: 'mj-v7-pan', params: { direction: 'up', scale: 1.5 } },
  'pan-down': { label: '↓', title: 'Pan down', model: 'mj-v7-pan', params: { direction: 'down', scale: 1.5 } },
  'pan-right': { label: '→', title: 'Pan right', model: 'mj-v7-pan', params: { direction: 'right', scale: 1.5 } },
  'zoom-1.5': { label: 'Zoom out 1.5x', model: 'mj-v7-outpaint', params: { scale: 1.5 } },
  'zoom-2': { label: 'Zoom out 2x', model: 'mj-v7-outpaint', params: { scale: 2 } },
};

export function secondaryBody(action, taskId, imageNumber) {
  const op = SECONDARY[action];
  if (!op) {
    throw new Error(`unknown action ${action}`);
  }
  return { model: op.model, model_params: { task_id: taskId, image_number: imageNumber, ...op.params } };
}

/** The message of a request error, with the field it names: "model_params.scale: scale must be ...". */
export function describeError(error) {
  const e = error?.error ?? error ?? {};
  const message = e.message || e.error_message || 'The request failed';
  return e.param ? `${e.param}: ${message}` : message;
}
