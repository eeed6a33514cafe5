// The help panel: every keyboard shortcut (the canvas's own SHORTCUTS and the studio's).
import { h } from '../dom.js';

export const STUDIO_SHORTCUTS = [
  { keys: 'Ctrl+Enter', action: 'Submit the operation' },
  { keys: '?', action: 'Show this help' },
  { keys: 'Esc', action: 'Close a dialog' },
  { keys: 'Ctrl+V', action: 'Paste an image as the canvas source' },
];

export function mountHelp(dialog) {
  let canvasShortcuts = null;

  function render() {
    const rows = (list) => list.map((s) => h('tr', {}, h('td', {}, h('kbd', {}, Array.isArray(s.keys) ? s.keys.join(' / ') : String(s.keys))), h('td', {}, s.action)));
    dialog.replaceChildren(h('div', { class: 'dialog-body help' },
      h('header', { class: 'dialog-head' }, h('h2', {}, 'Keyboard shortcuts'),
        h('button', { type: 'button', testid: 'help-close', onclick: () => dialog.close() }, 'Close')),
      h('h3', {}, 'Studio'),
      h('table', { class: 'table' }, h('tbody', {}, rows(STUDIO_SHORTCUTS))),
      h('h3', {}, 'Canvas'),
      canvasShortcuts
        ? h('table', { class: 'table' }, h('tbody', {}, rows(canvasShortcuts)))
        : h('p', { class: 'muted' }, 'The canvas is not loaded.'),
      h('p', { class: 'muted' }, 'API reference: /docs (Swagger UI).')));
  }

  return {
    async open() {
      if (!canvasShortcuts) {
        try {
          canvasShortcuts = (await import('../canvas.js')).SHORTCUTS ?? [];
        } catch {
          canvasShortcuts = null;
        }
      }
      render();
      if (!dialog.open) {
        dialog.showModal();
      }
    },
  };
}
