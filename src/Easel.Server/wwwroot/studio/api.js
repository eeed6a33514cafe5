// The only module that knows Easel's URLs. Every call goes to this page's own origin with the key from
// sessionStorage as `Authorization: Bearer` (never in a URL, never in localStorage).
import { SseParser } from './sse.js';
import { FINAL } from './request.js';

const KEY = 'easel.key';
const POLL_MS = 500;

export const session = {
  get key() {
    try {
      return sessionStorage.getItem(KEY);
    } catch {
      return null;
    }
  },
  set(key) {
    sessionStorage.setItem(KEY, key);
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

/** A refused request: HTTP status plus the unified error's code, message and param. */
export class ApiError extends Error {
  constructor(status, body) {
    const e = body?.error ?? {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code ?? null;
    this.param = e.param ?? null;
    this.type = e.type ?? null;
    this.body = body;
  }
}

const id = (x) => encodeURIComponent(x);

async function call(method, path, { json, form, signal, key } = {}) {
  const headers = { Accept: 'application/json' };
  const k = key ?? session.key;
  if (k) {
    headers.Authorization = `Bearer ${k}`;
  }
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  const res = await fetch(path, { method, headers, body, signal, cache: 'no-store', credentials: 'omit' });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: { message: text.slice(0, 300) } };
  }
  if (!res.ok) {
    throw new ApiError(res.status, data);
  }
  return data;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') {
      q.set(k, String(v));
    }
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const api = {
  account: (key) => call('GET', '/v1/account', { key }),
  models: () => call('GET', '/v1/models'),
  upload: (blob, name = 'image.png') => {
    const form = new FormData();
    form.append('file', blob, blob.name || name);
    return call('POST', '/v1/files', { form });
  },
  create: (body) => call('POST', '/v1/images/generations', { json: body }),
  task: (taskId, signal) => call('GET', `/v1/tasks/${id(taskId)}`, { signal }),
  tasks: ({ limit, state, before } = {}) => call('GET', `/v1/tasks${query({ limit, state, before })}`),
  cancel: (taskId) => call('POST', `/v1/tasks/${id(taskId)}/cancel`),
  callbacks: (taskId) => call('GET', `/v1/tasks/${id(taskId)}/callbacks`),

  admin: {
    accounts: () => call('GET', '/admin/accounts'),
    account: (accountId) => call('GET', `/admin/accounts/${id(accountId)}`),
    createAccount: (body) => call('POST', '/admin/accounts', { json: body }),
    credits: (accountId, amount, reason) => call('POST', `/admin/accounts/${id(accountId)}/credits`, { json: { amount, reason } }),
    keys: (accountId) => call('GET', `/admin/accounts/${id(accountId)}/keys`),
    createKey: (accountId, body) => call('POST', `/admin/accounts/${id(accountId)}/keys`, { json: body }),
    updateKey: (keyId, body) => call('PATCH', `/admin/keys/${id(keyId)}`, { json: body }),
    revokeKey: (keyId) => call('POST', `/admin/keys/${id(keyId)}/revoke`),
    ledger: (accountId, { limit, before } = {}) => call('GET', `/admin/accounts/${id(accountId)}/ledger${query({ limit, before })}`),
    usage: (accountId) => call('GET', `/admin/accounts/${id(accountId)}/usage`),
  },

  /** Whether a URL is an upload or result of this server (so it can be a source without a new upload). */
  isOwnFile(url) {
    try {
      const u = new URL(url, location.href);
      return u.origin === location.origin && u.pathname.startsWith('/files/');
    } catch {
      return false;
    }
  },

  /**
   * Follows a task until it ends: the event stream GET /v1/tasks/{id}/events when the server has it, else
   * polling GET /v1/tasks/{id} every 500 ms. onUpdate gets {id, status, progress} on each change and the whole
   * task at the end; resolves with the final task.
   */
  async watch(taskId, onUpdate, signal) {
    const streamed = await streamEvents(taskId, onUpdate, signal);
    if (streamed && FINAL.has(streamed.status)) {
      return streamed;
    }
    for (;;) {
      const task = await call('GET', `/v1/tasks/${id(taskId)}`, { signal });
      onUpdate(task);
      if (FINAL.has(task.status)) {
        return task;
      }
      await sleep(POLL_MS, signal);
    }
  },
};

async function streamEvents(taskId, onUpdate, signal) {
  const headers = { Accept: 'text/event-stream' };
  if (session.key) {
    headers.Authorization = `Bearer ${session.key}`;
  }
  let res;
  try {
    res = await fetch(`/v1/tasks/${id(taskId)}/events`, { headers, signal, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    if (signal?.aborted) {
      throw e;
    }
    return null; // a broken connection: polling carries on
  }
  if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    if (res.status === 401) {
      throw new ApiError(401, await res.json().catch(() => null));
    }
    await res.body?.cancel().catch(() => {});
    return null; // 404 before the server has the stream: poll
  }
  const parser = new SseParser();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let final = null;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        break;
      }
      for (const ev of parser.push(value)) {
        let data;
        try {
          data = JSON.parse(ev.data);
        } catch {
          continue;
        }
        if (ev.event === 'task') {
          final = data;
          onUpdate(data);
        } else if (ev.event === 'progress') {
          onUpdate(data);
        }
      }
    }
  } catch (e) {
    if (signal?.aborted) {
      throw e;
    }
  } finally {
    reader.releaseLock?.();
  }
  return final;
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    }, { once: true });
  });
}
