// History (loaded on first use): one's own tasks, newest first (GET /v1/tasks), thumbnails, state filter, paging,
// cancel from the list.
import { h, credits, when, toast, notice } from '../dom.js';
import { describeError } from '../request.js';

const STATES = ['', 'pending', 'processing', 'completed', 'failed', 'cancelled'];
const PAGE = 20;

let view = null;

export function showHistory(container, ctx) {
  if (!view) {
    view = mount(container, ctx);
  }
  view.load();
}

function mount(container, ctx) {
  let cursors = [null]; // the `before` of each page seen; the last is the current page's
  const state = h('select', { testid: 'history-state', 'aria-label': 'State', onchange: () => { cursors = [null]; load(); } },
    STATES.map((s) => h('option', { value: s }, s || 'all states')));
  const refresh = h('button', { type: 'button', testid: 'history-refresh', onclick: () => load() }, 'Refresh');
  const prev = h('button', { type: 'button', testid: 'history-prev', onclick: () => { cursors.pop(); load(); } }, '← Newer');
  const next = h('button', { type: 'button', testid: 'history-next' }, 'Older →');
  const error = h('p', { testid: 'history-error', class: 'notice error', hidden: true });
  const body = h('div', { testid: 'history-list', class: 'history-list' });
  container.replaceChildren(h('div', { class: 'card' },
    h('header', { class: 'row' }, h('h2', {}, 'History'), h('label', {}, 'State ', state), refresh),
    error, body, h('footer', { class: 'row pager' }, prev, next)));

  let lastId = null;
  next.addEventListener('click', () => { cursors.push(lastId); load(); });

  async function load() {
    notice(error, '');
    try {
      const page = await ctx.api.tasks({ limit: PAGE, state: state.value, before: cursors.at(-1) });
      const tasks = page.data ?? [];
      lastId = tasks.at(-1)?.id ?? null;
      prev.disabled = cursors.length <= 1;
      next.disabled = !page.has_more || !lastId;
      body.replaceChildren(...(tasks.length ? tasks.map(row) : [h('p', { testid: 'history-empty', class: 'muted' }, 'No tasks.')]));
    } catch (e) {
      if (!ctx.handleAuth(e)) {
        notice(error, describeError(e), 'error');
      }
    }
  }

  function row(t) {
    const thumb = Array.isArray(t.results) && t.results.length
      ? h('img', { src: t.results[0], alt: '', testid: 'history-thumb', class: 'thumb', loading: 'lazy' })
      : h('div', { class: 'thumb empty' }, t.status === 'failed' ? '×' : '…');
    const active = t.status === 'pending' || t.status === 'processing';
    const cancel = active ? h('button', {
      type: 'button', testid: 'history-cancel', onclick: async () => {
        cancel.disabled = true;
        try {
          await ctx.api.cancel(t.id);
          toast(`Cancelled ${t.id}`);
          load();
        } catch (e) {
          cancel.disabled = false;
          if (!ctx.handleAuth(e)) {
            toast(describeError(e), 'error');
          }
        }
      },
    }, 'Cancel') : null;
    return h('div', { class: 'history-row', testid: 'history-row', 'data-task-id': t.id, 'data-status': t.status },
      thumb,
      h('div', { class: 'history-main' },
        h('a', { href: `#/task/${encodeURIComponent(t.id)}`, testid: 'history-open', class: 'mono' }, t.id),
        h('div', { class: 'muted' }, `${t.model} · ${when(t.created)} · ${credits(t.usage?.credits_reserved)}`),
        t.error ? h('div', { class: 'error-text' }, `${t.error.code}: ${t.error.message}`) : null),
      h('span', { class: `status status-${t.status}` }, t.error?.code === 'request_cancelled' ? 'cancelled'
        : t.status === 'completed' || t.status === 'failed' ? t.status : `${t.status} ${t.progress}%`),
      cancel);
  }

  return { load };
}
