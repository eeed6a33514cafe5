// node --test tests/Studio/
import test from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, parseSse } from '../../src/Easel.Server/wwwroot/studio/sse.js';

test('parses named events with JSON data', () => {
  const events = parseSse('event: progress\ndata: {"id":"t","status":"processing","progress":40}\n\nevent: task\ndata: {"id":"t","status":"completed"}\n\n');
  assert.deepEqual(events.map((e) => e.event), ['progress', 'task']);
  assert.equal(JSON.parse(events[0].data).progress, 40);
  assert.equal(JSON.parse(events[1].data).status, 'completed');
});

test('an event split across chunks anywhere is the same event', () => {
  const text = 'event: progress\r\ndata: {"progress":10}\r\n\r\nevent: progress\ndata: {"progress":20}\n\n';
  for (let cut = 0; cut <= text.length; cut++) {
    const p = new SseParser();
    const events = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
    assert.deepEqual(events.map((e) => JSON.parse(e.data).progress), [10, 20], `cut at ${cut}`);
  }
});

test('one character at a time, CR line ends, CRLF split between chunks', () => {
  const text = 'event: a\rdata: 1\r\rdata: x\r\n\r\n';
  const p = new SseParser();
  const events = [];
  for (const c of text) {
    events.push(...p.push(c));
  }
  assert.deepEqual(events, [{ event: 'a', data: '1', id: null }, { event: 'message', data: 'x', id: null }]);
});

test('multi-line data, comments, no space after the colon, unknown fields, id', () => {
  const events = parseSse(': keep-alive\nid: 7\nretry: 100\nfoo: bar\ndata:line1\ndata: line2\n\n');
  assert.deepEqual(events, [{ event: 'message', data: 'line1\nline2', id: '7' }]);
});

test('a blank line without data dispatches nothing; an unfinished event is not dispatched', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('event: progress\n\n'), []);
  assert.deepEqual(p.push('event: task\ndata: {}'), []);
  assert.deepEqual(p.end(), []);
});

test('the event type resets after each event', () => {
  const events = parseSse('event: progress\ndata: 1\n\ndata: 2\n\n');
  assert.deepEqual(events.map((e) => e.event), ['progress', 'message']);
});
