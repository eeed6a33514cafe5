/*
 * Easel studio: entry point. Plain ES modules, no build step; a client of the public API only (api.js knows the URLs).
 *
 * Stable hooks for browser tests (data-testid; the element id is the same where marked #):
 *   header     nav-studio#, nav-history#, nav-admin#, account (account-name#, account-balance#, account-group#),
 *              help-open#, theme-toggle#, signout#
 *   sign in    signin-form, signin-key#, signin-submit#, signin-error#
 *   canvas     drop-zone, file-input#, source-url#, source-url-load, source-info, canvas-preset#, canvas-long,
 *              canvas-width#, canvas-height#, canvas-apply, canvas-error, canvas-container#,
 *              mode-place, mode-mask, tool-move, tool-brush, tool-eraser, tool-polygon, tool-lasso, brush-size,
 *              undo, redo, clear-mask, mask-visible, fit, canvas-unavailable
 *   operation  operation-form, model-select#, model-description, model-unavailable, prompt#, prompt-note,
 *              field-<key> (speed, type, mode, direction, scale, output_format, task_id, image_number, callback_url),
 *              error-<key> (the error of that field), context-<key> (image_urls, canvas, img_pos, mask),
 *              price#, submit#, request-error#
 *   results    results-panel#, results-empty, task-card (data-task-id, data-status), task-status, progress (a <progress>, value 0-100),
 *              task-error, card-cancel, result-image (data-index), result-card (data-index), result-download,
 *              result-source, result-compare, result-upscale, result-vary-subtle, result-vary-strong,
 *              result-pan-left, result-pan-up, result-pan-down, result-pan-right, result-zoom-1.5, result-zoom-2,
 *              result-vary-region, result-remix, result-edit, viewer-dialog#, viewer-close, compare-open
 *   history    history-state, history-refresh, history-list, history-row (data-task-id, data-status), history-thumb,
 *              history-open, history-cancel, history-prev, history-next, history-empty, history-error
 *   task page  task-page, task-page-id, task-page-status, task-page-cost, task-page-results, task-page-error,
 *              task-page-callbacks, task-page-cancel, task-page-back
 *   admin      admin-accounts, admin-account-row (data-account-id), admin-account-open, admin-create-account (form),
 *              admin-account-name, admin-account-credits, admin-account-group, admin-account-unlimited,
 *              admin-account-max-active, admin-account-submit, admin-created (shows the new key once: admin-created-key),
 *              admin-account-detail, admin-balance, admin-credits (form), admin-credits-amount, admin-credits-reason,
 *              admin-credits-submit, admin-keys, admin-key-row (data-key-id), admin-key-revoke, admin-create-key (form),
 *              admin-key-name, admin-key-models (checkboxes, value = model id), admin-key-rate, admin-key-burst,
 *              admin-key-submit, admin-new-key (admin-new-key-value: the key, shown once), admin-ledger, admin-usage, admin-usage-engines, admin-error
 *   help       help-dialog#, help-close
 */
import { api, session, ApiError } from './api.js';
import { $, credits, toast } from './dom.js';
import { mountSignin } from './panels/signin.js';
import { mountHelp } from './panels/help.js';

const THEME = 'easel.theme'; // localStorage keeps the theme and nothing else

const ctx = {
  api,
  account: null,
  models: [],
  navigate(hash) {
    if (location.hash === hash) {
      route();
    } else {
      location.hash = hash;
    }
  },
  async refreshAccount() {
    try {
      ctx.account = await api.account();
      showAccount();
    } catch (e) {
      handleAuth(e);
    }
  },
  /** A 401 anywhere signs out: the key was revoked or is wrong. */
  handleAuth,
};

function handleAuth(e) {
  if (e instanceof ApiError && e.status === 401) {
    signOut('The key was refused (401): sign in again.');
    return true;
  }
  return false;
}

function applyTheme(theme) {
  if (theme === 'light' || theme === 'dark') {
    document.documentElement.dataset.theme = theme;
  } else {
    delete document.documentElement.dataset.theme;
  }
}

function currentTheme() {
  const set = document.documentElement.dataset.theme;
  if (set) {
    return set;
  }
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function toggleTheme() {
  const next = currentTheme() === 'dark' ? 'light' : 'dark';
  applyTheme(next);
  try {
    localStorage.setItem(THEME, next);
  } catch {
    // private mode: the toggle still works for this page
  }
}

function showAccount() {
  const a = ctx.account;
  $('#account').hidden = !a;
  $('#nav').hidden = !a;
  $('#signout').hidden = !a;
  $('#nav-admin').hidden = !a?.is_admin;
  if (a) {
    $('#account-name').textContent = a.name;
    $('#account-balance').textContent = a.unlimited ? `${credits(a.balance)} (unlimited)` : credits(a.balance);
    $('#account-group').textContent = `group ${a.group}`;
  }
}

let studioMounted = false;
let signin;

async function signedIn(account) {
  ctx.account = account;
  showAccount();
  if (!studioMounted) {
    studioMounted = true;
    try {
      const list = await api.models();
      ctx.models = list.data ?? [];
    } catch (e) {
      if (handleAuth(e)) {
        return;
      }
      toast(`Could not read the models: ${e.message}`, 'error');
    }
    const { mountCanvasPage, mountResults, mountOperation } = await studioPanels();
    ctx.canvas = mountCanvasPage($('#canvas-panel'), ctx);
    ctx.results = mountResults($('#results-panel'), ctx);
    ctx.operation = mountOperation($('#operation-panel'), ctx);
  }
  route();
}

function signOut(message) {
  session.clear();
  ctx.account = null;
  // Every view built for the account goes: the next sign-in builds them again with its own key.
  if (message) {
    sessionStorage.setItem('easel.signout', message);
  }
  history.replaceState(null, '', location.pathname);
  location.reload();
}

function show(view) {
  for (const el of document.querySelectorAll('.view')) {
    el.hidden = el.dataset.view !== view;
  }
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.id === `nav-${view}` || (view === 'task' && a.id === 'nav-history'));
  }
}

// The studio's own panels (the canvas editor among them: the largest modules) are not needed to sign in: they load
// behind the sign-in form, started once it is on screen, so the first paint waits only for the shell.
let panels;
function studioPanels() {
  panels ??= Promise.all([import('./panels/canvas-page.js'), import('./panels/results.js'), import('./panels/operation.js')])
    .then(([canvas, results, operation]) => ({
      mountCanvasPage: canvas.mountCanvasPage, mountResults: results.mountResults, mountOperation: operation.mountOperation,
    }));
  return panels;
}

const lazy = {};
function load(name) {
  // Dynamic import(): history, the task page and admin are fetched only when first opened.
  lazy[name] ??= name === 'history' ? import('./panels/history.js')
    : name === 'task' ? import('./panels/task.js')
      : import('./panels/admin.js');
  return lazy[name];
}

async function route() {
  if (!ctx.account) {
    show('signin');
    signin.focus();
    return;
  }
  const [, view = 'studio', ...rest] = (location.hash || '#/studio').slice(1).split('/');
  const arg = rest.map(decodeURIComponent).join('/');
  try {
    if (view === 'history') {
      show('history');
      (await load('history')).showHistory($('#view-history'), ctx);
    } else if (view === 'task' && arg) {
      show('task');
      (await load('task')).showTask($('#view-task'), ctx, arg);
    } else if (view === 'admin' && ctx.account.is_admin) {
      show('admin');
      (await load('admin')).showAdmin($('#view-admin'), ctx, arg || null);
    } else {
      show('studio');
    }
  } catch (e) {
    toast(`Could not open ${view}: ${e.message}`, 'error');
  }
}

function onKey(e) {
  const typing = e.target instanceof HTMLElement && (e.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName));
  if ((e.ctrlKey || e.metaKey) && e.key === 'Enter' && ctx.operation && !$('#view-studio').hidden) {
    e.preventDefault();
    ctx.operation.submit();
  } else if (e.key === '?' && !typing) {
    e.preventDefault();
    ctx.help.open();
  }
}

function start() {
  try {
    applyTheme(localStorage.getItem(THEME));
  } catch {
    applyTheme(null);
  }
  $('#theme-toggle').addEventListener('click', toggleTheme);
  $('#signout').addEventListener('click', () => signOut());
  ctx.help = mountHelp($('#help-dialog'));
  $('#help-open').addEventListener('click', () => ctx.help.open());
  document.addEventListener('keydown', onKey);
  window.addEventListener('hashchange', route);
  signin = mountSignin($('#view-signin'), ctx, signedIn);
  const farewell = sessionStorage.getItem('easel.signout');
  if (farewell) {
    sessionStorage.removeItem('easel.signout');
    signin.error(farewell);
  }
  if (session.key) {
    api.account().then(signedIn, (e) => {
      session.clear();
      show('signin');
      signin.error(e instanceof ApiError && e.status === 401 ? 'The saved key was refused: sign in again.' : e.message);
    });
  } else {
    route();
  }
  // Fetched while the person types their key.
  setTimeout(() => studioPanels().catch(() => { /* retried when signing in, which reports a failure */ panels = undefined; }), 0);
}

start();
