// The studio figures of docs/PERFORMANCE.md, measured in Debian's Chromium (headless) driven by playwright-core,
// against a running server (bench/studio-figures.sh starts one and runs this):
//  1. first load of `/` over a fresh browser context each time (no cache): bytes transferred (each response's
//     encoded size as the network saw it: Network.loadingFinished encodedDataLength, headers included) and time to
//     interactive (navigation start -> #signin-key visible and enabled), with DOMContentLoaded and the load event from
//     the Navigation Timing API; the same for reference documents of the same origin (/healthz, and the OpenAPI
//     JSON), interleaved with the studio's loads;
//  2. painting on a 2048x2048 canvas: a new account signs in, uploads a 2048x2048 PNG (made here with zlib), sets the
//     canvas to 2048x2048, paints the mask with the brush in long strokes of many small mouse moves; read are the
//     editor's own per-frame work (CanvasEditor getStats().frameTimes: the time its requestAnimationFrame callback
//     takes) and the page's frame intervals (rAF timestamps recorded in the page while the stroke runs), against the
//     frame intervals of the same page with nothing drawn, in the same run.
// Usage: node figures.mjs <base-url> <admin-key> [loads] [warm-ups] [strokes]
import { chromium } from 'playwright-core';
import zlib from 'node:zlib';

const [base, adminKey, loadsArg = '20', warmArg = '3', strokesArg = '8'] = process.argv.slice(2);
if (!base || !adminKey) {
  console.error('usage: node figures.mjs <base-url> <admin-key> [loads] [warm-ups] [strokes]');
  process.exit(2);
}
const LOADS = Number(loadsArg);
const WARMUPS = Number(warmArg);
const STROKES = Number(strokesArg);
const VIEWPORT = { width: 1280, height: 720 };
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/** Nearest rank on the sorted values, as bench/upstream-figures.sh does. */
function pct(values, p) {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round((p / 100) * (s.length - 1))))];
}
const f1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
const f2 = (v) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
const kb = (v) => (v / 1024).toFixed(1);
const mark = (ok) => (ok ? 'met' : 'MISSED');

// ===== 1. first load ================================================================================================

// Runs in every document before its own scripts: records when #signin-key is first visible and enabled (the studio
// is interactive: a key can be typed), on the mutation that made it so, and the next frame after it.
const INTERACTIVE_PROBE = () => {
  const probe = () => {
    if (window.__interactive !== undefined) return true;
    const el = document.getElementById('signin-key');
    if (el && !el.disabled && el.checkVisibility()) {
      window.__interactive = performance.now();
      requestAnimationFrame(() => { window.__interactiveFrame = performance.now(); });
      return true;
    }
    return false;
  };
  const observer = new MutationObserver(() => { if (probe()) observer.disconnect(); });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
};

async function loadOnce(browser, path, interactive) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    if (interactive) await page.addInitScript(INTERACTIVE_PROBE);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const requests = new Map(); // requestId -> {url, bytes, cached}
    cdp.on('Network.requestWillBeSent', (e) => requests.set(e.requestId, { url: e.request.url, bytes: null, cached: false }));
    cdp.on('Network.requestServedFromCache', (e) => { const r = requests.get(e.requestId); if (r) r.cached = true; });
    cdp.on('Network.loadingFinished', (e) => { const r = requests.get(e.requestId); if (r) r.bytes = e.encodedDataLength; });
    cdp.on('Network.loadingFailed', (e) => { const r = requests.get(e.requestId); if (r) r.failed = e.errorText; });
    await page.goto(base + path, { waitUntil: 'load' });
    if (interactive) await page.waitForFunction(() => window.__interactiveFrame !== undefined, null, { timeout: 15000 });
    await page.waitForTimeout(300); // anything fetched late (lazy imports) shows in the total, not in "before interactive"
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const resources = Object.fromEntries(performance.getEntriesByType('resource').map((r) => [r.name, r.responseEnd]));
      resources[nav.name] = nav.responseEnd;
      return {
        dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, responseEnd: nav.responseEnd,
        interactive: window.__interactive, interactiveFrame: window.__interactiveFrame, resources,
      };
    });
    const done = [...requests.values()];
    const bad = done.filter((r) => r.bytes === null || r.failed || r.cached);
    const cutoff = interactive ? timing.interactive : timing.load;
    const before = done.filter((r) => r.bytes !== null && (timing.resources[r.url] ?? Infinity) <= cutoff);
    const ends = before.map((r) => timing.resources[r.url]).filter((v) => v !== undefined);
    return {
      ...timing,
      lastResponseEnd: ends.length ? Math.max(...ends) : timing.responseEnd,
      requests: done.length,
      requestsBefore: before.length,
      bytesBefore: before.reduce((s, r) => s + r.bytes, 0),
      bytesTotal: done.reduce((s, r) => s + (r.bytes ?? 0), 0),
      bad: bad.map((r) => `${r.url} ${r.failed ?? (r.cached ? 'cached' : 'unfinished')}`),
      urls: done.map((r) => [r.url.replace(base, ''), r.bytes]),
    };
  } finally {
    await context.close();
  }
}

async function firstLoad(browser) {
  console.log(`== 1. first load of / over a fresh context each time (no cache), ${WARMUPS} warm-ups then ${LOADS}, interleaved with the references`);
  const targets = [
    { name: 'studio /', path: '/', interactive: true },
    { name: 'ref /healthz', path: '/healthz', interactive: false },
    { name: 'ref /openapi/unified.json', path: '/openapi/unified.json', interactive: false },
  ];
  const results = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let i = 0; i < WARMUPS + LOADS; i++) {
    for (const t of targets) {
      const r = await loadOnce(browser, t.path, t.interactive);
      if (r.bad.length) console.log(`  ${t.name}: ${r.bad.join('; ')}`);
      if (i >= WARMUPS) results[t.name].push(r);
    }
  }
  const studio = results['studio /'];
  const last = studio[studio.length - 1];
  console.log(`  the studio's requests before interactive (${last.requestsBefore} of ${last.requests}; encoded bytes, headers included):`);
  console.log('    ' + last.urls.map(([u, b]) => `${u} ${b}`).join(', '));
  const row = (name, v, unit = 'ms') => console.log(`  ${name.padEnd(62)} p50 ${f1(pct(v, 50)).padStart(7)} ${unit}   p95 ${f1(pct(v, 95)).padStart(7)} ${unit}   max ${f1(Math.max(...v)).padStart(7)} ${unit}`);
  for (const t of targets) {
    const rs = results[t.name];
    console.log(`  -- ${t.name}`);
    const bytes = rs.map((r) => (t.interactive ? r.bytesBefore : r.bytesTotal));
    console.log(`  ${'bytes transferred' + (t.interactive ? ' before interactive' : '')}: ${kb(pct(bytes, 50))} KB (${pct(bytes, 50)} B; min ${Math.min(...bytes)}, max ${Math.max(...bytes)})`
      + (t.interactive ? `; all the page fetched, within 300 ms after: ${kb(pct(rs.map((r) => r.bytesTotal), 50))} KB in ${rs[0].requests} requests` : ''));
    if (t.interactive) {
      row('navigation start -> #signin-key visible and enabled', rs.map((r) => r.interactive));
      row('  ... and the next frame after it', rs.map((r) => r.interactiveFrame));
      row('  where: the document has arrived (responseEnd)', rs.map((r) => r.responseEnd));
      row('  where: the last file before interactive has arrived', rs.map((r) => r.lastResponseEnd));
      row('  where: last file arrived -> interactive (script, style, layout)', rs.map((r) => r.interactive - r.lastResponseEnd));
    }
    row('navigation start -> DOMContentLoaded (end)', rs.map((r) => r.dcl));
    row('navigation start -> load event (end)', rs.map((r) => r.load));
  }
  const s = studio, h = results['ref /healthz'], o = results['ref /openapi/unified.json'];
  const tti50 = pct(s.map((r) => r.interactive), 50), tti95 = pct(s.map((r) => r.interactive), 95);
  const bytes50 = pct(s.map((r) => r.bytesBefore), 50);
  console.log(`  ratios (p50): studio interactive / /healthz load ${f1(tti50 / pct(h.map((r) => r.load), 50))}x, / OpenAPI JSON load ${f1(tti50 / pct(o.map((r) => r.load), 50))}x;`
    + ` studio bytes / /healthz ${f1(bytes50 / pct(h.map((r) => r.bytesTotal), 50))}x, / OpenAPI JSON ${f2(bytes50 / pct(o.map((r) => r.bytesTotal), 50))}x`);
  console.log(`  targets: <= 150 KB transferred: ${mark(bytes50 <= 150 * 1024)} (${kb(bytes50)} KB);`
    + ` interactive <= 300 ms: p50 ${mark(tti50 <= 300)} (${f1(tti50)} ms), p95 ${mark(tti95 <= 300)} (${f1(tti95)} ms)`);
}

// ===== 2. painting on a 2048x2048 canvas ============================================================================

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** An RGB PNG of a smooth pattern with some texture (so it is not trivially small). */
function png(width, height) {
  const row = width * 3 + 1;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    raw[y * row] = 0;
    for (let x = 0; x < width; x++) {
      const o = y * row + 1 + x * 3;
      raw[o] = (x * 255) / width;
      raw[o + 1] = (y * 255) / height;
      raw[o + 2] = ((x ^ y) & 63) + 96;
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 6 })), chunk('IEND', Buffer.alloc(0))]);
}

// In the page: requestAnimationFrame timestamps while it runs (the page's frame intervals).
const RAF_START = () => {
  const w = window;
  w.__rafTimes = [];
  w.__rafOn = true;
  const tick = (t) => { w.__rafTimes.push(t); if (w.__rafOn) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
};
const RAF_STOP = () => {
  window.__rafOn = false;
  const t = window.__rafTimes;
  return t.slice(1).map((v, i) => v - t[i]);
};

async function painting(browser) {
  console.log('== 2. painting on a 2048x2048 canvas (mask mode, brush), viewport 1280x720');
  const created = await fetch(`${base}/admin/accounts`, {
    method: 'POST', headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'studio-bench', credits: 1000000 }),
  });
  if (!created.ok) throw new Error(`creating the account: ${created.status} ${await created.text()}`);
  const key = (await created.json()).api_key;

  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base + '/');
  await page.locator('#signin-key').fill(key);
  await page.locator('#signin-submit').click();
  await page.locator('#account-name').filter({ hasText: /./ }).waitFor({ timeout: 15000 });
  // An operation with a canvas and a mask on it.
  const models = await page.locator('#model-select option').evaluateAll((os) => os.map((o) => o.value));
  const model = models.find((m) => m.endsWith('upload-paint'));
  if (model) await page.locator('#model-select').selectOption(model);

  const image = png(2048, 2048);
  const t0 = Date.now();
  let uploaded = NaN;
  page.on('response', (r) => { if (r.url().endsWith('/v1/files')) uploaded = Date.now() - t0; });
  await page.locator('#file-input').setInputFiles({ name: 'source.png', mimeType: 'image/png', buffer: image });
  await page.locator('[data-testid=source-info]').filter({ hasText: '2048×2048' }).waitFor({ timeout: 60000 });
  console.log(`  source: a 2048x2048 PNG of ${kb(image.length)} KB (made here with zlib); POST /v1/files answered after ${uploaded} ms, shown on the canvas after ${Date.now() - t0} ms${model ? `; model ${model}` : ''}`);
  await page.locator('#canvas-width').fill('2048');
  await page.locator('#canvas-height').fill('2048');
  await page.locator('[data-testid=canvas-apply]').click();

  // Reach the editor: canvas.js is the module the page loaded (same URL, same instance), and its events pass
  // through CanvasEditor.prototype.dispatchEvent; the editor is kept when it sends one ('tool' on the next click).
  await page.evaluate(async () => {
    const { CanvasEditor } = await import('/studio/canvas.js');
    const own = CanvasEditor.prototype.dispatchEvent;
    CanvasEditor.prototype.dispatchEvent = function (e) { window.__editor = this; return own.call(this, e); };
  });
  await page.locator('[data-testid=mode-mask]').click();
  await page.locator('[data-testid=tool-brush]').click();
  const setup = await page.evaluate(() => {
    const e = window.__editor;
    return e ? { canvas: e.getCanvasSize(), mode: e.getMode(), tool: e.getTool() } : null;
  });
  if (!setup) throw new Error('the canvas editor was not reached');
  const brushDefault = await page.locator('[data-testid=brush-size]').inputValue();
  const board = await page.locator('#canvas-container .ce-board').boundingBox();
  console.log(`  editor: canvas ${setup.canvas.width}x${setup.canvas.height}, mode ${setup.mode}, tool ${setup.tool}, default brush ${brushDefault} (canvas px); the board shows at ${board.width.toFixed(0)}x${board.height.toFixed(0)} CSS px (${(board.width / 2048).toFixed(3)} screen px per canvas px)`);

  // Reference, same page and state: frame intervals with nothing drawn, for as long as a stroke lasts.
  await page.mouse.move(board.x + board.width / 2, board.y + board.height / 2);
  await page.waitForTimeout(500);
  const MOVES = 300;
  const SWEEPS = 4;
  const path = (s, i) => {
    // A long stroke: across the board and back, SWEEPS times, drifting down its lane with a wave; each move about
    // 5 CSS px (SWEEPS x 0.9 of the board's width over MOVES moves).
    const u = (i / (MOVES - 1)) * SWEEPS;
    const k = Math.min(Math.floor(u), SWEEPS - 1);
    const along = k % 2 === 0 ? u - k : 1 - (u - k);
    const lane = ((s % 6) + 0.5) / 6;
    return {
      x: board.x + board.width * (0.05 + 0.9 * along),
      y: board.y + board.height * (lane - 0.05 + 0.1 * (u / SWEEPS) + 0.02 * Math.sin(u * Math.PI * 3)),
    };
  };
  // The editor keeps its last 240 frames: read and empty its statistics every 100 moves (fewer frames than that).
  const drain = () => page.evaluate(() => {
    const st = window.__editor.stats;
    const out = { work: st.frameTimes.slice(), intervals: st.frameIntervals.slice() };
    st.frameTimes.length = 0;
    st.frameIntervals.length = 0;
    return out;
  });
  const row = (name, v) => console.log(`  ${name.padEnd(74)} p50 ${f2(pct(v, 50)).padStart(6)} ms   p95 ${f2(pct(v, 95)).padStart(6)} ms   p99 ${f2(pct(v, 99)).padStart(6)} ms   max ${f2(Math.max(...v)).padStart(6)} ms   (n ${v.length})`);
  const brushes = (process.env.EASEL_BRUSHES ?? `${brushDefault},200`).split(',').map(Number);
  for (const size of brushes) {
    await page.locator('[data-testid=brush-size]').fill(String(size));
    const idle = [];
    const hover = [];
    const paint = { work: [], intervals: [], editorIntervals: [], endWork: [], moves: 0, ms: 0 };
    for (let s = 0; s < STROKES; s++) {
      // Reference A: nothing happens (1.5 s of rAF).
      await page.evaluate(RAF_START);
      await page.waitForTimeout(1500);
      idle.push(...(await page.evaluate(RAF_STOP)));
      // Reference B: the same mouse path without the button (the brush cursor follows; nothing is painted).
      let p = path(s, 0);
      await page.mouse.move(p.x, p.y);
      await page.evaluate(RAF_START);
      for (let i = 1; i < MOVES; i++) { p = path(s, i); await page.mouse.move(p.x, p.y); }
      hover.push(...(await page.evaluate(RAF_STOP)));
      // The stroke.
      p = path(s, 0);
      await page.mouse.move(p.x, p.y);
      await drain();
      await page.evaluate(RAF_START);
      const started = Date.now();
      await page.mouse.down();
      for (let i = 1; i < MOVES; i++) {
        p = path(s, i);
        await page.mouse.move(p.x, p.y);
        if (i % 100 === 0) { const d = await drain(); paint.work.push(...d.work); paint.editorIntervals.push(...d.intervals); }
      }
      await page.mouse.up();
      paint.ms += Date.now() - started;
      paint.moves += MOVES;
      paint.intervals.push(...(await page.evaluate(RAF_STOP)));
      const d = await drain();
      // The last entry is endStroke's work (recorded at pointerup, without an interval): kept apart.
      paint.work.push(...d.work.slice(0, -1));
      paint.endWork.push(d.work[d.work.length - 1]);
      paint.editorIntervals.push(...d.intervals);
    }
    const painted = await page.evaluate(() => { const b = window.__editor.getMaskBitmap(); let n = 0; for (let i = 0; i < b.length; i++) if (b[i]) n++; return n; });
    console.log(`  -- brush ${size} canvas px (${(size * board.width / 2048).toFixed(0)} CSS px on screen): ${STROKES} strokes of ${MOVES} mouse moves (${SWEEPS} sweeps across the board)`
      + ` (${f1(paint.moves / (paint.ms / 1000))} moves/s, ${f1(paint.work.length / (paint.ms / 1000))} editor frames/s while stroking); mask pixels set so far: ${(painted / 2048 / 2048 * 100).toFixed(1)}%`);
    row('editor work per frame while stroking (getStats frameTimes: its rAF callback)', paint.work);
    row('editor work at stroke end (endStroke: commit to the undo tiles)', paint.endWork);
    row('frame intervals while stroking (page rAF timestamps)', paint.intervals);
    row('  ... the same as the editor records them (getStats frameIntervals)', paint.editorIntervals);
    row('reference: frame intervals, nothing drawn (page rAF, same page)', idle);
    row('reference: frame intervals, the same mouse moves without the button', hover);
    console.log(`  ratios (p95): stroking / nothing drawn ${f2(pct(paint.intervals, 95) / pct(idle, 95))}x; stroking / moves without the button ${f2(pct(paint.intervals, 95) / pct(hover, 95))}x;`
      + ` frames over 17 ms while stroking ${(paint.intervals.filter((v) => v > 17).length / paint.intervals.length * 100).toFixed(1)}% (nothing drawn ${(idle.filter((v) => v > 17).length / idle.length * 100).toFixed(1)}%)`);
    console.log(`  target frame time p95 <= 16 ms while a stroke is drawn: the editor's work ${mark(pct(paint.work, 95) <= 16)} (${f2(pct(paint.work, 95))} ms);`
      + ` frame intervals p95 ${f2(pct(paint.intervals, 95))} ms: ${pct(paint.intervals, 95) <= 17 ? 'one 60 Hz frame (16.7 ms), no frame dropped at p95' : 'MISSED (frames dropped)'}`);
  }
  if (errors.length) console.log(`  page errors: ${errors.join('; ')}`);
  await context.close();
}

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
try {
  console.log(`browser: ${CHROMIUM} ${browser.version()}`);
  if (LOADS > 0) await firstLoad(browser);
  if (STROKES > 0) await painting(browser);
} finally {
  await browser.close();
}
