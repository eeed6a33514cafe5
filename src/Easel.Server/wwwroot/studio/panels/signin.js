// Sign in with a key: GET /v1/account checks it; the key is kept in sessionStorage only.
import { h, notice } from '../dom.js';
import { session, ApiError } from '../api.js';

export function mountSignin(container, ctx, onSignedIn) {
  const input = h('input', {
    id: 'signin-key', testid: 'signin-key', type: 'password', autocomplete: 'off', spellcheck: 'false',
    required: true, placeholder: 'API key', 'aria-label': 'API key',
  });
  const button = h('button', { id: 'signin-submit', testid: 'signin-submit', type: 'submit', class: 'primary' }, 'Sign in');
  const error = h('p', { id: 'signin-error', testid: 'signin-error', class: 'notice error', role: 'alert', hidden: true });
  const form = h('form', { class: 'signin card', testid: 'signin-form', onsubmit: submit },
    h('h1', {}, 'Sign in'),
    h('p', { class: 'muted' }, 'Paste an Easel API key. It stays in this tab (session storage) and is sent only to this server.'),
    h('label', { for: 'signin-key' }, 'Key'),
    input, button, error);
  container.replaceChildren(form);

  async function submit(e) {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) {
      return;
    }
    button.disabled = true;
    notice(error, '');
    try {
      const account = await ctx.api.account(key);
      session.set(key);
      input.value = '';
      await onSignedIn(account);
    } catch (err) {
      notice(error, err instanceof ApiError && err.status === 401 ? 'This key was refused (unknown or revoked).' : `Could not sign in: ${err.message}`, 'error');
    } finally {
      button.disabled = false;
    }
  }

  return {
    focus: () => input.focus(),
    error: (text) => notice(error, text, 'error'),
  };
}
