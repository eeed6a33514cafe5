// The operation panel, built from GET /v1/models: model picker, each model's fields, the price, and submit.
import { h, notice, credits } from '../dom.js';
import { ApiError } from '../api.js';
import {
  fieldsOf, keyOf, CONTEXT_KEYS, isNumeric, priceOf, availabilityOf, buildBody, fieldForParam, describeError,
} from '../request.js';

const LABELS = {
  prompt: 'Prompt', speed: 'Speed', type: 'Type', mode: 'Mode', direction: 'Direction', scale: 'Scale',
  output_format: 'Output format', task_id: 'Source task', image_number: 'Image number', callback_url: 'Callback URL (HTTPS)',
  image_urls: 'Image', canvas: 'Canvas', img_pos: 'Placement', mask: 'Mask',
};

export function mountOperation(container, ctx) {
  const models = ctx.models;
  let model = null;
  let fields = [];
  const inputs = new Map(); // key -> input element
  const errors = new Map(); // key -> error element
  const contexts = new Map(); // key -> context line

  const select = h('select', { id: 'model-select', testid: 'model-select', 'aria-label': 'Model', onchange: () => choose(select.value) },
    models.map((m) => h('option', {
      value: m.id, disabled: m.available === false,
      title: m.available === false ? `Not available here: no engine serves ${m.operation}` : `Engines: ${(m.engines ?? []).join(', ')}`,
    }, `${m.operation} · ${m.id}${m.available === false ? ' (unavailable)' : ''}`)));
  const description = h('p', { testid: 'model-description', class: 'muted' });
  const unavailable = h('details', { testid: 'model-unavailable', class: 'unavailable' },
    h('summary', {}, 'Models not available here'),
    h('ul', {}, models.filter((m) => m.available === false).map((m) =>
      h('li', {}, `${m.id} (${m.operation}): no engine on this server serves it${(m.engines ?? []).length ? '' : ' (engines: none)'}`))));
  unavailable.hidden = !models.some((m) => m.available === false);
  const fieldBox = h('div', { class: 'fields' });
  const promptNote = h('p', { testid: 'prompt-note', class: 'notice', hidden: true });
  const price = h('p', { id: 'price', testid: 'price', class: 'price' });
  const submitButton = h('button', { id: 'submit', testid: 'submit', type: 'submit', class: 'primary', title: 'Ctrl+Enter' }, 'Submit');
  const requestError = h('p', { id: 'request-error', testid: 'request-error', class: 'notice error', role: 'alert', hidden: true });
  const form = h('form', { testid: 'operation-form', class: 'operation card', onsubmit: (e) => { e.preventDefault(); submit(); } },
    h('label', { for: 'model-select' }, 'Model'), select, description, unavailable,
    fieldBox, promptNote, price, submitButton, requestError);
  container.replaceChildren(form);

  function choose(id) {
    model = models.find((m) => m.id === id) ?? null;
    select.value = model?.id ?? '';
    fields = model ? fieldsOf(model) : [];
    render();
  }

  function render() {
    inputs.clear();
    errors.clear();
    contexts.clear();
    notice(requestError, '');
    const nodes = [];
    const extra = [];
    for (const field of fields) {
      const key = keyOf(field);
      const label = `${LABELS[key] ?? key}${field.required ? ' *' : ''}`;
      const err = h('p', { testid: `error-${key}`, class: 'field-error', hidden: true });
      errors.set(key, err);
      if (CONTEXT_KEYS.has(key) && key !== 'task_id' && key !== 'image_number') {
        const line = h('p', { testid: `context-${key}`, class: 'context' });
        contexts.set(key, line);
        nodes.push(h('div', { class: 'field' }, h('span', { class: 'label' }, label), line, err));
        continue;
      }
      const id = key === 'prompt' ? 'prompt' : `field-${key}`;
      let input;
      if (key === 'prompt') {
        input = h('textarea', { id, testid: 'prompt', rows: '3', maxlength: String(field.max ?? 8192), placeholder: field.required ? 'Required' : 'Optional' });
      } else if (Array.isArray(field.choices) && field.choices.length) {
        input = h('select', { id, testid: id }, field.choices.map((c) => h('option', { value: c, selected: c === field.default }, c)));
      } else if (key === 'image_number') {
        input = h('select', { id, testid: id }, [0, 1, 2, 3].map((n) => h('option', { value: String(n) }, `${n} (image ${n + 1})`)));
      } else if (isNumeric(field)) {
        input = h('input', {
          id, testid: id, type: 'number', step: key === 'scale' ? '0.1' : '1',
          min: field.min != null ? String(field.min) : undefined, max: field.max != null ? String(field.max) : undefined,
          value: field.default != null ? String(field.default) : (key === 'scale' ? String(Math.min(field.max ?? 1.5, 1.5)) : ''),
        });
      } else {
        input = h('input', { id, testid: id, type: key === 'callback_url' ? 'url' : 'text', spellcheck: 'false' });
      }
      input.addEventListener('input', update);
      input.addEventListener('change', update);
      inputs.set(key, input);
      const range = isNumeric(field) && field.min != null && key !== 'image_number' ? ` (${field.min}–${field.max})` : '';
      const node = h('div', { class: 'field' }, h('label', { for: id }, label + range), input, err);
      (key === 'callback_url' || key === 'output_format' ? extra : nodes).push(node);
    }
    fieldBox.replaceChildren(...nodes, extra.length ? h('details', { class: 'more' }, h('summary', {}, 'More options'), extra) : '');
    description.textContent = model
      ? `${model.description ?? ''} (${model.image_count} image${model.image_count === 1 ? '' : 's'}; engines: ${(model.engines ?? []).join(', ') || 'none'})`
      : 'No model';
    const hasPrompt = fields.some((x) => keyOf(x) === 'prompt');
    notice(promptNote, model && hasPrompt && model.follows_prompts === false
      ? 'The engines here do not follow prompts: the prompt is stored with the task but not followed.' : '');
    const keys = new Set(fields.map(keyOf));
    ctx.canvas?.configure({
      canvas: keys.has('canvas'),
      placement: keys.has('img_pos'),
      mask: keys.has('mask') ? (keys.has('canvas') ? 'canvas' : 'source') : null,
      image: keys.has('image_urls'),
    });
    sourceChanged(ctx.canvas?.source);
  }

  function typedValues() {
    const values = {};
    for (const [key, input] of inputs) {
      values[key] = input.value;
    }
    return values;
  }

  function update() {
    if (!model) {
      price.textContent = '';
      submitButton.disabled = true;
      return;
    }
    const values = typedValues();
    const p = priceOf(model, values);
    const availability = availabilityOf(model, values);
    const speed = values.speed || 'fast';
    price.textContent = p == null ? 'Price: unknown' : `Price: ${credits(p)} (${speed})`;
    if (!availability.available) {
      price.textContent += ` — ${availability.reason}`;
    } else if (p != null && ctx.account && !ctx.account.unlimited && ctx.account.balance < p) {
      price.textContent += ` — more than the balance (${credits(ctx.account.balance)})`;
    }
    submitButton.disabled = !availability.available;
    const src = ctx.canvas?.source;
    const describeContext = {
      image_urls: () => (src ? (src.taskId ? `image ${src.imageNumber} of ${src.taskId}` : 'the uploaded image') : 'open an image on the canvas'),
      canvas: () => { const c = ctx.canvas?.editor?.getCanvasSize(); return c ? `${c.width}×${c.height}` : '—'; },
      img_pos: () => { const p2 = ctx.canvas?.editor?.getPlacement(); return p2 && src ? `${p2.width}×${p2.height} at ${p2.x}, ${p2.y}` : 'place an image'; },
      mask: () => ctx.canvas?.maskSummary() ?? '—',
    };
    for (const [key, line] of contexts) {
      line.textContent = describeContext[key]?.() ?? '';
    }
  }

  function sourceChanged(src) {
    if (src?.taskId) {
      inputs.get('task_id') && (inputs.get('task_id').value = src.taskId);
      inputs.get('image_number') && (inputs.get('image_number').value = String(src.imageNumber ?? 0));
    }
    update();
  }

  function showError(err) {
    for (const e of errors.values()) {
      notice(e, '');
    }
    for (const i of inputs.values()) {
      i.classList.remove('invalid');
    }
    if (!err) {
      notice(requestError, '');
      return;
    }
    const param = err.param ?? null;
    notice(requestError, describeError({ error: { message: err.message, param } }), 'error');
    requestError.dataset.param = param ?? '';
    const field = fieldForParam(fields, param);
    if (field) {
      const key = keyOf(field);
      notice(errors.get(key), err.message, 'error');
      inputs.get(key)?.classList.add('invalid');
      inputs.get(key)?.focus();
    }
  }

  let busy = false;
  async function submit() {
    if (!model || busy || submitButton.disabled) {
      return;
    }
    busy = true;
    submitButton.disabled = true;
    showError(null);
    try {
      const keys = new Set(fields.map(keyOf));
      const contextValues = await ctx.canvas.values(keys);
      const typed = typedValues();
      // Typed task id / image number win over the canvas source's (they are prefilled from it).
      const values = { ...contextValues, ...Object.fromEntries(Object.entries(typed).filter(([, v]) => v !== '')) };
      const body = buildBody(model, fields, values);
      const task = await ctx.api.create(body);
      ctx.results.track(task, body);
      ctx.refreshAccount();
    } catch (e) {
      if (!ctx.handleAuth(e)) {
        showError(e instanceof ApiError ? e : { message: e.message });
      }
    } finally {
      busy = false;
      update();
    }
  }

  const first = models.find((m) => m.id === 'mj-v7-upload-paint' && m.available !== false) ?? models.find((m) => m.available !== false) ?? models[0];
  choose(first?.id);

  return {
    submit,
    choose,
    sourceChanged,
    contextChanged: update,
    /** Selects a model for a result image (vary region, remix, edit) and focuses the prompt. */
    prepare(modelId) {
      choose(modelId);
      inputs.get('prompt')?.focus();
    },
    get model() {
      return model;
    },
  };
}
