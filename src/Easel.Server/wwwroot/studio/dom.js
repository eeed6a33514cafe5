// DOM helpers. Text is always set as text (createTextNode / textContent), never parsed as HTML.

/**
 * h('button', {class: 'x', testid: 'submit', onclick: fn, disabled: true}, 'Label', child, ...)
 * Strings and numbers become text nodes; null/false children are skipped; arrays are flattened.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'testid') {
      el.dataset.testid = v;
    } else if (k === 'class') {
      el.className = v;
    } else if (k === 'text') {
      el.textContent = String(v);
    } else if (k in el && typeof v !== 'string') {
      el[k] = v; // properties: disabled, checked, value, hidden, selected...
    } else if (k === 'value') {
      el.value = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) {
      continue;
    }
    if (Array.isArray(c)) {
      append(el, c);
    } else if (c instanceof Node) {
      el.append(c);
    } else {
      el.append(document.createTextNode(String(c)));
    }
  }
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

export function credits(n) {
  return typeof n === 'number' ? `${Number(n.toFixed(6))} credits` : '—';
}

export function when(unixSeconds) {
  if (!unixSeconds) {
    return '—';
  }
  return new Date(unixSeconds * 1000).toLocaleString();
}

/** A table from rows of cells (text or nodes). */
export function table(headers, rows, attrs = {}) {
  return h('table', { class: 'table', ...attrs },
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))),
    h('tbody', {}, rows));
}

/** A status line: a `p.notice` whose text is set (never HTML). kind: '', 'error', 'ok'. */
export function notice(el, text, kind = '') {
  el.textContent = text ?? '';
  el.className = `notice ${kind}`.trim();
  el.hidden = !text;
}

/** Shows a transient message in the toast area. */
export function toast(text, kind = '') {
  const area = document.getElementById('toasts');
  if (!area) {
    return;
  }
  const el = h('div', { class: `toast ${kind}`, role: 'status' }, text);
  area.append(el);
  setTimeout(() => el.remove(), 5000);
}
