// Administration (admin keys; loaded on first use): accounts, credits, keys, ledger, usage.
import { h, credits, when, table, notice, toast } from '../dom.js';
import { describeError } from '../request.js';

let view = null;

export function showAdmin(container, ctx, accountId) {
  if (!view) {
    view = mount(container, ctx);
  }
  view.load(accountId);
}

function mount(container, ctx) {
  const error = h('p', { testid: 'admin-error', class: 'notice error', role: 'alert', hidden: true });
  const accounts = h('div', { testid: 'admin-accounts' });
  const created = h('div', { testid: 'admin-created', class: 'secret', hidden: true });
  const detail = h('div', { testid: 'admin-account-detail', class: 'admin-detail' }, h('p', { class: 'muted' }, 'Choose an account.'));

  const name = h('input', { testid: 'admin-account-name', required: true, maxlength: '200', 'aria-label': 'Name' });
  const initial = h('input', { testid: 'admin-account-credits', type: 'number', min: '0', step: 'any', value: '0', 'aria-label': 'Credits' });
  const group = h('input', { testid: 'admin-account-group', placeholder: 'default', maxlength: '64', 'aria-label': 'Group' });
  const unlimited = h('input', { testid: 'admin-account-unlimited', type: 'checkbox' });
  const maxActive = h('input', { testid: 'admin-account-max-active', type: 'number', min: '1', max: '100000', step: '1', 'aria-label': 'Max active tasks' });
  const createForm = h('form', { testid: 'admin-create-account', class: 'form-grid', onsubmit: createAccount },
    h('h3', {}, 'New account'),
    h('label', {}, 'Name', name), h('label', {}, 'Credits', initial), h('label', {}, 'Group', group),
    h('label', {}, 'Max active tasks', maxActive), h('label', { class: 'inline' }, unlimited, ' unlimited'),
    h('button', { type: 'submit', class: 'primary', testid: 'admin-account-submit' }, 'Create account'), created);

  container.replaceChildren(h('div', { class: 'admin' },
    h('div', { class: 'card' }, h('header', { class: 'row' }, h('h2', {}, 'Accounts'),
      h('button', { type: 'button', onclick: () => loadAccounts() }, 'Refresh')), error, accounts, createForm),
    h('div', { class: 'card' }, detail)));

  let current = null;

  function fail(e) {
    if (!ctx.handleAuth(e)) {
      notice(error, describeError(e), 'error');
    }
  }

  function number(input) {
    return input.value === '' ? undefined : Number(input.value);
  }

  async function loadAccounts() {
    try {
      const list = (await ctx.api.admin.accounts()).data ?? [];
      accounts.replaceChildren(table(['Name', 'Account', 'Balance', 'Group', 'Admin'], list.map((a) =>
        h('tr', { testid: 'admin-account-row', 'data-account-id': a.account_id, class: a.account_id === current ? 'selected' : '' },
          h('td', {}, h('a', { href: `#/admin/${encodeURIComponent(a.account_id)}`, testid: 'admin-account-open' }, a.name)),
          h('td', { class: 'mono' }, a.account_id),
          h('td', {}, a.unlimited ? 'unlimited' : credits(a.balance)),
          h('td', {}, a.group), h('td', {}, a.is_admin ? 'yes' : '')))));
    } catch (e) {
      fail(e);
    }
  }

  async function createAccount(e) {
    e.preventDefault();
    notice(error, '');
    try {
      const body = { name: name.value, credits: number(initial) ?? 0 };
      if (group.value.trim()) {
        body.group = group.value.trim();
      }
      if (unlimited.checked) {
        body.unlimited = true;
      }
      if (maxActive.value) {
        body.max_active_tasks = number(maxActive);
      }
      const a = await ctx.api.admin.createAccount(body);
      created.replaceChildren(
        h('p', {}, `Created ${a.name} (${a.account_id}). Its key, shown once:`),
        h('code', { testid: 'admin-created-key', class: 'key' }, a.api_key),
        h('p', { class: 'muted' }, `Webhook secret: ${a.webhook_secret}`));
      created.hidden = false;
      createForm.reset();
      await loadAccounts();
      ctx.navigate(`#/admin/${encodeURIComponent(a.account_id)}`);
    } catch (err) {
      fail(err);
    }
  }

  async function loadDetail(accountId) {
    current = accountId;
    if (!accountId) {
      detail.replaceChildren(h('p', { class: 'muted' }, 'Choose an account.'));
      return;
    }
    try {
      const [a, keys, ledger, usage] = await Promise.all([
        ctx.api.admin.account(accountId), ctx.api.admin.keys(accountId), ctx.api.admin.ledger(accountId, { limit: 50 }),
        ctx.api.admin.usage(accountId)]);
      detail.replaceChildren(
        h('h2', {}, a.name),
        h('p', { class: 'mono muted' }, a.account_id),
        h('p', { testid: 'admin-balance' }, `Balance: ${credits(a.balance)}${a.unlimited ? ' (unlimited)' : ''} · group ${a.group}`
          + ` · max active ${a.max_active_tasks ?? 'default'} · created ${when(a.created)}`),
        creditsForm(a), keysSection(a, keys.data ?? []), usageSection(usage), ledgerSection(ledger.data ?? []));
    } catch (e) {
      fail(e);
    }
  }

  function creditsForm(a) {
    const amount = h('input', { testid: 'admin-credits-amount', type: 'number', step: 'any', required: true, 'aria-label': 'Amount' });
    const reason = h('input', { testid: 'admin-credits-reason', maxlength: '500', placeholder: 'reason', 'aria-label': 'Reason' });
    return h('form', {
      testid: 'admin-credits', class: 'row', onsubmit: async (e) => {
        e.preventDefault();
        notice(error, '');
        try {
          const r = await ctx.api.admin.credits(a.account_id, Number(amount.value), reason.value || undefined);
          toast(`Balance now ${credits(r.balance)}`, 'ok');
          await Promise.all([loadDetail(a.account_id), loadAccounts()]);
          if (a.account_id === ctx.account?.account_id) {
            ctx.refreshAccount();
          }
        } catch (err) {
          fail(err);
        }
      },
    }, h('h3', {}, 'Credits'), amount, reason, h('button', { type: 'submit', testid: 'admin-credits-submit' }, 'Add / adjust'),
    h('span', { class: 'muted' }, 'negative adjusts down, never below zero'));
  }

  function keysSection(a, keys) {
    const newKey = h('div', { testid: 'admin-new-key', class: 'secret', hidden: true });
    const keyName = h('input', { testid: 'admin-key-name', maxlength: '200', placeholder: 'key', 'aria-label': 'Key name' });
    const rate = h('input', { testid: 'admin-key-rate', type: 'number', min: '1', step: '1', placeholder: 'no limit', 'aria-label': 'Rate per minute' });
    const burst = h('input', { testid: 'admin-key-burst', type: 'number', min: '1', step: '1', placeholder: 'default', 'aria-label': 'Burst' });
    const boxes = ctx.models.map((m) => h('input', { type: 'checkbox', testid: 'admin-key-models', value: m.id }));
    const form = h('form', {
      testid: 'admin-create-key', class: 'form-grid', onsubmit: async (e) => {
        e.preventDefault();
        notice(error, '');
        const models = boxes.filter((b) => b.checked).map((b) => b.value);
        const body = { name: keyName.value || undefined, models: models.length ? models : null };
        if (rate.value) {
          body.rate_per_minute = Number(rate.value);
        }
        if (burst.value) {
          body.burst = Number(burst.value);
        }
        try {
          const k = await ctx.api.admin.createKey(a.account_id, body);
          await loadDetail(a.account_id);
          const shown = detail.querySelector('[data-testid="admin-new-key"]');
          shown.replaceChildren(h('p', {}, `New key ${k.key_id}, shown once:`), h('code', { testid: 'admin-new-key-value', class: 'key' }, k.api_key));
          shown.hidden = false;
        } catch (err) {
          fail(err);
        }
      },
    },
    h('h3', {}, 'New key'), h('label', {}, 'Name', keyName), h('label', {}, 'Rate per minute', rate), h('label', {}, 'Burst', burst),
    h('fieldset', { class: 'models' }, h('legend', {}, 'Models (none ticked: all)'),
      boxes.map((b, i) => h('label', { class: 'inline' }, b, ` ${ctx.models[i].id}`))),
    h('button', { type: 'submit', testid: 'admin-key-submit' }, 'Create key'));
    const rows = keys.map((k) => h('tr', { testid: 'admin-key-row', 'data-key-id': k.key_id, class: k.revoked ? 'revoked' : '' },
      h('td', {}, k.name), h('td', { class: 'mono' }, k.key_id),
      h('td', {}, k.models ? k.models.join(', ') : 'all'),
      h('td', {}, k.rate_per_minute ? `${k.rate_per_minute}/min${k.burst ? `, burst ${k.burst}` : ''}` : '—'),
      h('td', {}, k.revoked ? `revoked ${when(k.revoked)}` : 'active'),
      h('td', {}, k.revoked ? '' : h('button', {
        type: 'button', testid: 'admin-key-revoke', onclick: async () => {
          try {
            await ctx.api.admin.revokeKey(k.key_id);
            toast(`Revoked ${k.key_id}`, 'ok');
            await loadDetail(a.account_id);
          } catch (err) {
            fail(err);
          }
        },
      }, 'Revoke'))));
    return h('section', { testid: 'admin-keys' }, h('h3', {}, 'Keys'),
      table(['Name', 'Key', 'Models', 'Rate', 'State', ''], rows), newKey, form);
  }

  function usageSection(usage) {
    if (!usage) {
      return h('section', { testid: 'admin-usage' }, h('h3', {}, 'Usage'), h('p', { class: 'muted' }, 'No usage.'));
    }
    const states = Object.entries(usage.tasks ?? {}).map(([k, v]) => `${k} ${v}`).join(' · ') || 'no tasks';
    return h('section', { testid: 'admin-usage' }, h('h3', {}, 'Usage'),
      h('p', {}, states),
      table(['Model', 'Tasks', 'Charged'], (usage.by_model ?? []).map((m) => h('tr', {}, h('td', {}, m.model), h('td', {}, String(m.tasks)), h('td', {}, credits(m.credits_charged))))),
      table(['Engine', 'Tasks', 'Charged', 'Upstream cost'], (usage.by_engine ?? []).map((x) => h('tr', {},
        h('td', {}, x.engine), h('td', {}, String(x.tasks)), h('td', {}, credits(x.credits_charged)),
        h('td', {}, x.upstream_cost ? `${x.upstream_cost.amount} ${x.upstream_cost.unit}` : '—'))), { testid: 'admin-usage-engines' }),
      table(['Day', 'Tasks', 'Charged'], (usage.by_day ?? []).map((d) => h('tr', {}, h('td', {}, d.day), h('td', {}, String(d.tasks)), h('td', {}, credits(d.credits_charged))))));
  }

  function ledgerSection(entries) {
    return h('section', { testid: 'admin-ledger' }, h('h3', {}, 'Ledger (latest 50)'),
      table(['#', 'When', 'Kind', 'Amount', 'Task', 'Reason'], entries.map((x) => h('tr', {},
        h('td', {}, String(x.id)), h('td', {}, when(x.created)), h('td', {}, x.kind), h('td', {}, String(x.amount)),
        h('td', { class: 'mono' }, x.task_id ?? ''), h('td', {}, x.reason ?? '')))));
  }

  return {
    async load(accountId) {
      notice(error, '');
      await loadAccounts();
      await loadDetail(accountId);
    },
  };
}
