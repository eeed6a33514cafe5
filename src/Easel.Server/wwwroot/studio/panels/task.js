// A task's page (loaded on first use): what the task view exposes, its results or error, its cost, its callback
// attempts (GET /v1/tasks/{id}/callbacks), cancel.
import { h, credits, when, table, toast, notice } from '../dom.js';
import { describeError } from '../request.js';

export async function showTask(container, ctx, taskId) {
  const error = h('p', { testid: 'task-page-error', class: 'notice error', hidden: true });
  const page = h('div', { class: 'card task-page', testid: 'task-page' },
    h('header', { class: 'row' },
      h('a', { href: '#/history', testid: 'task-page-back' }, '← History'),
      h('h2', { testid: 'task-page-id', class: 'mono' }, taskId)),
    h('p', { class: 'muted' }, 'Loading…'));
  container.replaceChildren(page);
  let task;
  try {
    task = await ctx.api.task(taskId);
  } catch (e) {
    if (!ctx.handleAuth(e)) {
      page.replaceChildren(page.firstChild, error);
      notice(error, describeError(e), 'error');
    }
    return;
  }
  const active = task.status === 'pending' || task.status === 'processing';
  const rows = [
    ['Model', task.model],
    ['Status', h('span', { testid: 'task-page-status' }, `${task.status} (${task.progress}%)`)],
    ['Created', when(task.created)],
    ['Cost', h('span', { testid: 'task-page-cost' }, `${credits(task.usage?.credits_reserved)} (${task.usage?.billing_rule ?? ''}, group ${task.usage?.user_group ?? ''})`)],
    ['Engine', task.engine ?? '—'],
    ['Can cancel', String(task.task_info?.can_cancel ?? false)],
    ['Estimated time', `${task.task_info?.estimated_time ?? 0} s`],
  ].map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)));
  const results = h('div', { class: 'grid', testid: 'task-page-results' },
    (task.results ?? []).map((url, i) => h('figure', { class: 'result' },
      h('img', { src: url, alt: `Result ${i + 1}`, loading: 'lazy' }),
      h('figcaption', { class: 'row' }, `#${i}`,
        h('a', { href: url, download: `${task.id}-${i}` }, 'Download'),
        h('button', { type: 'button', onclick: () => { ctx.navigate('#/studio'); ctx.canvas.useResult(url, task.id, i); } }, 'Use as source')))));
  if (task.error) {
    notice(error, `${task.error.code}: ${task.error.message}`, 'error');
  }
  const cancel = active ? h('button', {
    type: 'button', testid: 'task-page-cancel', onclick: async () => {
      try {
        await ctx.api.cancel(task.id);
        showTask(container, ctx, taskId);
      } catch (e) {
        if (!ctx.handleAuth(e)) {
          toast(describeError(e), 'error');
        }
      }
    },
  }, 'Cancel task') : null;
  const callbacks = h('div', { testid: 'task-page-callbacks' }, h('p', { class: 'muted' }, 'Loading callbacks…'));
  page.replaceChildren(page.firstChild,
    h('table', { class: 'table kv' }, h('tbody', {}, rows)), cancel, error,
    h('h3', {}, 'Results'), (task.results ?? []).length ? results : h('p', { class: 'muted' }, 'No results.'),
    h('h3', {}, 'Callbacks'), callbacks);
  try {
    const c = await ctx.api.callbacks(taskId);
    const data = c.data ?? [];
    callbacks.replaceChildren(
      h('p', { class: 'muted' }, c.callback_url ? `Callback URL: ${c.callback_url}` : 'No callback URL.'),
      data.length ? table(['Delivery', 'Event', 'Status', 'Attempts', 'Last HTTP', 'Last error', 'Delivered', 'Next attempt'],
        data.map((d) => h('tr', {}, [d.delivery_id, d.event, d.status, d.attempts, d.last_status ?? '—', d.last_error ?? '—', when(d.delivered_at), when(d.next_attempt_at)].map((x) => h('td', {}, String(x))))))
        : h('p', { class: 'muted' }, 'No deliveries.'));
  } catch (e) {
    callbacks.replaceChildren(h('p', { class: 'notice error' }, describeError(e)));
  }
}
