// Results and staging: a card per task followed live (event stream, or polling), its images in a grid with the
// secondary operations one click away, enlarge/compare, download and "use as canvas source".
import { h, credits, toast } from '../dom.js';
import { ApiError } from '../api.js';
import { SECONDARY, secondaryBody, describeError } from '../request.js';

const MAX_CARDS = 8;

export function mountResults(container, ctx) {
  const empty = h('p', { class: 'muted', testid: 'results-empty' }, 'No task yet in this session: submit one, or open History.');
  const list = h('div', { class: 'cards' }, empty);
  const compareButton = h('button', { type: 'button', testid: 'compare-open', hidden: true, onclick: openCompare }, 'Compare selected');
  container.replaceChildren(h('header', { class: 'row results-head' }, h('h2', {}, 'Results'), compareButton), list);
  const cards = new Map(); // task id -> {el, abort}
  const compared = new Set(); // result URLs ticked for comparison
  const viewer = document.getElementById('viewer-dialog');

  function track(task) {
    if (cards.has(task.id)) {
      return;
    }
    const status = h('span', { testid: 'task-status', class: 'status' });
    const bar = h('progress', { testid: 'progress', max: '100', value: '0' });
    const error = h('p', { testid: 'task-error', class: 'notice error', hidden: true });
    const grid = h('div', { class: 'grid' });
    const abort = new AbortController();
    const cancel = h('button', {
      type: 'button', testid: 'card-cancel', onclick: async () => {
        try {
          apply(await ctx.api.cancel(task.id));
        } catch (e) {
          if (!ctx.handleAuth(e)) {
            toast(describeError(e), 'error');
          }
        }
      },
    }, 'Cancel');
    const el = h('article', { class: 'task-card card', testid: 'task-card', 'data-task-id': task.id, 'data-status': task.status },
      h('header', { class: 'row' },
        h('strong', {}, task.model),
        h('a', { href: `#/task/${encodeURIComponent(task.id)}`, class: 'mono' }, task.id),
        status, h('span', { class: 'muted' }, credits(task.usage?.credits_reserved)), cancel),
      bar, error, grid);
    empty.remove();
    list.prepend(el);
    cards.set(task.id, { el, abort });
    while (list.children.length > MAX_CARDS) {
      const last = list.lastElementChild;
      cards.get(last.dataset.taskId)?.abort.abort();
      cards.delete(last.dataset.taskId);
      last.remove();
    }

    function apply(t) {
      el.dataset.status = t.status;
      status.textContent = `${t.status} ${t.progress ?? 0}%`;
      bar.value = t.status === 'completed' ? 100 : (t.progress ?? 0);
      cancel.hidden = !(t.status === 'pending' || t.status === 'processing');
      if (t.status === 'failed' && t.error) {
        error.textContent = `${t.error.code}: ${t.error.message}`;
        error.hidden = false;
      }
      if (t.status === 'completed' && Array.isArray(t.results) && grid.childElementCount === 0) {
        grid.replaceChildren(...t.results.map((url, i) => figure(t, url, i)));
      }
    }
    apply(task);
    ctx.api.watch(task.id, apply, abort.signal).then(() => ctx.refreshAccount(), (e) => {
      if (abort.signal.aborted || ctx.handleAuth(e)) {
        return;
      }
      error.textContent = `Lost the task: ${e.message}`;
      error.hidden = false;
    });
  }

  function figure(task, url, i) {
    const img = h('img', { src: url, alt: `Result ${i + 1} of ${task.id}`, testid: 'result-image', 'data-index': String(i), loading: 'lazy', onclick: () => openViewer([url]) });
    const op = (action) => h('button', {
      type: 'button', testid: `result-${action}`, title: SECONDARY[action].title ?? SECONDARY[action].label,
      onclick: () => runSecondary(action, task.id, i),
    }, SECONDARY[action].label);
    const tick = h('input', {
      type: 'checkbox', testid: 'result-compare', 'aria-label': 'Compare', onchange: () => {
        if (tick.checked) {
          compared.add(url);
        } else {
          compared.delete(url);
        }
        compareButton.hidden = compared.size < 2;
      },
    });
    return h('figure', { class: 'result', testid: 'result-card', 'data-index': String(i) },
      img,
      h('figcaption', { class: 'row' },
        h('span', {}, `#${i}`),
        h('label', { class: 'muted' }, tick, ' compare'),
        h('a', { href: url, download: `${task.id}-${i}`, testid: 'result-download' }, 'Download'),
        h('button', { type: 'button', testid: 'result-source', onclick: () => ctx.canvas.useResult(url, task.id, i) }, 'Use as source')),
      h('div', { class: 'ops' },
        op('upscale'), op('vary-subtle'), op('vary-strong'),
        h('span', { class: 'pan' }, op('pan-left'), op('pan-up'), op('pan-down'), op('pan-right')),
        op('zoom-1.5'), op('zoom-2'),
        h('button', { type: 'button', testid: 'result-vary-region', onclick: () => prepare('mj-v7-inpaint', url, task.id, i) }, 'Vary region'),
        h('button', { type: 'button', testid: 'result-remix', onclick: () => prepare('mj-v7-remix', url, task.id, i) }, 'Remix'),
        h('button', { type: 'button', testid: 'result-edit', onclick: () => prepare('mj-v7-edit', url, task.id, i, true) }, 'Edit')));
  }

  async function runSecondary(action, taskId, imageNumber) {
    try {
      const body = secondaryBody(action, taskId, imageNumber);
      track(await ctx.api.create(body));
      ctx.refreshAccount();
    } catch (e) {
      if (!ctx.handleAuth(e)) {
        toast(e instanceof ApiError ? describeError(e.body ?? e) : e.message, 'error');
      }
    }
  }

  /** Vary region, remix, edit: the operation panel gets the model, the canvas the image; the user finishes. */
  async function prepare(modelId, url, taskId, i, onNewCanvas = false) {
    ctx.navigate('#/studio');
    if (onNewCanvas) {
      await ctx.canvas.editResult(url, taskId, i);
    } else {
      await ctx.canvas.useResult(url, taskId, i);
    }
    ctx.operation.prepare(modelId);
    ctx.canvas.clearMask();
    document.getElementById('canvas-panel').scrollIntoView({ block: 'start', behavior: 'smooth' });
  }

  function openViewer(urls) {
    const imgs = urls.map((u) => h('img', { src: u, alt: 'Result', class: 'viewer-img', onclick: (e) => e.currentTarget.classList.toggle('actual') }));
    viewer.replaceChildren(h('div', { class: 'dialog-body viewer' },
      h('header', { class: 'dialog-head' }, h('span', { class: 'muted' }, 'Click an image for actual size'),
        h('button', { type: 'button', testid: 'viewer-close', onclick: () => viewer.close() }, 'Close')),
      h('div', { class: urls.length > 1 ? 'compare' : 'single' }, imgs)));
    if (!viewer.open) {
      viewer.showModal();
    }
  }

  function openCompare() {
    openViewer([...compared].slice(-2));
  }

  return { track };
}
