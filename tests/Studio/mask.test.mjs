// The mask layer's model (no DOM in node: the layer keeps only its bitmap), history and polygons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MaskLayer } from '../../src/Easel.Server/wwwroot/studio/mask.js';
import { maskEncoding, rasterizeAreas, iou } from '../../src/Easel.Server/wwwroot/studio/geometry.js';

const count = (m, t = 128) => m.getBitmap().reduce((n, v) => n + (v >= t ? 1 : 0), 0);

test('a brush stroke paints an anti-aliased capsule', () => {
  const m = new MaskLayer(200, 100, { document: null });
  assert.equal(m.isEmpty(), true);
  m.beginStroke('paint', 20, { x: 50, y: 50 });
  m.extendStroke([{ x: 80, y: 50 }, { x: 150, y: 50 }]);
  m.flush();
  assert.equal(m.endStroke(), true);
  assert.equal(m.isEmpty(), false);
  const b = m.getBitmap();
  assert.equal(b[50 * 200 + 100], 255);
  assert.equal(b[50 * 200 + 30], 0);
  assert.equal(b[30 * 200 + 100], 0);
  // Area of the capsule: 100 x 20 + a disk of radius 10.
  const expected = 100 * 20 + Math.PI * 100;
  assert.ok(Math.abs(count(m) - expected) / expected < 0.03, `${count(m)} vs ${expected}`);
  // Edges are anti-aliased.
  assert.ok(b.some((v) => v > 0 && v < 255));
});

test('undo and redo restore the exact bitmaps', () => {
  const m = new MaskLayer(300, 300, { document: null });
  m.beginStroke('paint', 30, { x: 10, y: 10 });
  m.extendStroke([{ x: 290, y: 290 }]);
  m.endStroke();
  const one = m.getBitmap();
  m.beginStroke('erase', 40, { x: 150, y: 0 });
  m.extendStroke([{ x: 150, y: 300 }]);
  m.endStroke();
  const two = m.getBitmap();
  assert.notDeepEqual(one, two);
  assert.equal(m.canUndo(), true);
  m.undo();
  assert.deepEqual(m.getBitmap(), one);
  m.undo();
  assert.equal(m.isEmpty(), true);
  assert.equal(m.canUndo(), false);
  m.redo();
  assert.deepEqual(m.getBitmap(), one);
  m.redo();
  assert.deepEqual(m.getBitmap(), two);
  assert.equal(m.canRedo(), false);
  // A new step drops the redo entries.
  m.undo();
  m.fillPolygon([0, 0, 50, 0, 50, 50]);
  assert.equal(m.canRedo(), false);
});

test('clear is undoable; an empty clear is not a step', () => {
  const m = new MaskLayer(100, 100, { document: null });
  assert.equal(m.clear(), false);
  m.fillPolygon([10, 10, 90, 10, 90, 90, 10, 90]);
  const painted = m.getBitmap();
  assert.equal(m.clear(), true);
  assert.equal(m.isEmpty(), true);
  m.undo();
  assert.deepEqual(m.getBitmap(), painted);
  m.redo();
  assert.equal(m.isEmpty(), true);
});

test('polygons are kept exactly while only polygon tools were used', () => {
  const m = new MaskLayer(1000, 800, { document: null });
  const a = [100, 100, 400, 120, 300, 500];
  const b = [600, 600, 900, 600, 900, 750, 600, 750];
  m.fillPolygon(a);
  m.fillPolygon(b, { tool: 'lasso' });
  assert.deepEqual(m.getPolygons(), [a, b]);
  const e = maskEncoding({ bitmap: m.getBitmap(), width: 1000, height: 800, polygons: m.getPolygons() });
  assert.equal(e.exact, true);
  assert.deepEqual(e.areas.map((x) => x.points), [a, b]);
  // A brush stroke: the outline is traced instead.
  m.beginStroke('paint', 10, { x: 500, y: 50 });
  m.endStroke();
  assert.equal(m.getPolygons(), null);
  m.undo();
  assert.deepEqual(m.getPolygons(), [a, b]);
  // After a clear, only the polygons drawn since count.
  m.clear();
  m.fillPolygon(b);
  assert.deepEqual(m.getPolygons(), [b]);
});

test('an erased hole in a painted rectangle travels as a bridged area', () => {
  const W = 640, H = 480;
  const m = new MaskLayer(W, H, { document: null });
  m.fillPolygon([100, 100, 540, 100, 540, 380, 100, 380]);
  m.beginStroke('erase', 60, { x: 320, y: 240 });
  m.endStroke();
  const bitmap = m.getBitmap();
  assert.equal(bitmap[240 * W + 320], 0);
  const e = maskEncoding({ bitmap, width: W, height: H, polygons: m.getPolygons() });
  assert.equal(e.kind, 'areas');
  assert.equal(e.exact, false);
  assert.equal(e.areas.length, 1);
  const back = rasterizeAreas(e.areas, W, H);
  assert.equal(back[240 * W + 320], 0);
  assert.ok(iou(back, bitmap.map((v) => (v >= 128 ? 1 : 0))) >= 0.98);
});

test('cancelling a stroke restores the mask', () => {
  const m = new MaskLayer(128, 128, { document: null });
  m.beginStroke('paint', 20, { x: 10, y: 10 });
  m.extendStroke([{ x: 120, y: 120 }]);
  m.flush();
  assert.equal(m.isEmpty(), true, 'the committed state is not yet changed'); // isEmpty is about committed steps
  m.cancelStroke();
  assert.ok(m.getBitmap().every((v) => v === 0));
  assert.equal(m.canUndo(), false);
});
