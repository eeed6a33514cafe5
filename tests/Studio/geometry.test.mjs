// The studio's geometry, run by node's test runner: node --test tests/Studio/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  viewToCanvas, canvasToView, zoomViewAt, fitView, fitPlacement, placementAfterDrag, placementAfterScale,
  placementAfterCornerDrag, normalizePlacement, placementOverlaps, keepOverlapping, checkCanvasSize, maskFrame,
  maskToAreas, maskEncoding, polygonsToAreas, rasterizePolygons, rasterizeAreas, iou, traceRings, groupRings,
  simplifyRing, ringArea, bridgeHoles, areaToTarget, LIMITS,
} from '../../src/Easel.Server/wwwroot/studio/geometry.js';

// --- helpers -------------------------------------------------------------------------------------------------

function bitmapOf(width, height, painted) {
  const b = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) b[y * width + x] = painted(x + 0.5, y + 0.5) ? 255 : 0;
  return b;
}

/** An anti-aliased disk: 4x4 supersampled coverage. */
function aaDisk(width, height, cx, cy, r) {
  const b = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let n = 0;
      for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) {
        const dx = x + (sx + 0.5) / 4 - cx, dy = y + (sy + 0.5) / 4 - cy;
        if (dx * dx + dy * dy <= r * r) n++;
      }
      b[y * width + x] = Math.round((n / 16) * 255);
    }
  }
  return b;
}

const binary = (b, t = 128) => b.map((v) => (v >= t ? 1 : 0));

function checkAreas(result, width, height, { minFrame = 500, maxFrame = 4096 } = {}) {
  assert.ok(result, 'areas expected');
  assert.ok(result.areas.length >= 1 && result.areas.length <= LIMITS.maskMaxAreas);
  for (const a of result.areas) {
    assert.ok(a.width >= minFrame && a.width <= maxFrame, `frame width ${a.width}`);
    assert.ok(a.height >= minFrame && a.height <= maxFrame, `frame height ${a.height}`);
    assert.ok(a.points.length >= 6 && a.points.length <= 8192 && a.points.length % 2 === 0, `${a.points.length} values`);
    for (const v of a.points) assert.ok(Number.isInteger(v), `integer point ${v}`);
  }
  // Every area has the same frame (the target scaled).
  assert.equal(new Set(result.areas.map((a) => `${a.width}x${a.height}`)).size, 1);
}

// --- canvas size ---------------------------------------------------------------------------------------------

test('canvas size limits', () => {
  assert.deepEqual(checkCanvasSize(1, 1), { width: 1, height: 1 });
  assert.deepEqual(checkCanvasSize(4096, 4096), { width: 4096, height: 4096 });
  assert.throws(() => checkCanvasSize(0, 10), RangeError);
  assert.throws(() => checkCanvasSize(4097, 10), RangeError);
  assert.throws(() => checkCanvasSize(10.5, 10), RangeError);
});

// --- view and placement ----------------------------------------------------------------------------------------

test('view <-> canvas round trip', () => {
  const view = { zoom: 0.37, x: 120.5, y: -33 };
  for (const p of [{ x: 0, y: 0 }, { x: 1023, y: 17 }, { x: -50, y: 4000 }]) {
    const back = viewToCanvas(canvasToView(p, view), view);
    assert.ok(Math.abs(back.x - p.x) < 1e-9 && Math.abs(back.y - p.y) < 1e-9);
  }
});

test('zooming keeps the canvas point under the pointer', () => {
  const view = { zoom: 0.5, x: 10, y: 20 };
  const at = { x: 300, y: 200 };
  const before = viewToCanvas(at, view);
  const zoomed = zoomViewAt(view, 2.25, at);
  const after = viewToCanvas(at, zoomed);
  assert.ok(Math.abs(before.x - after.x) < 1e-9 && Math.abs(before.y - after.y) < 1e-9);
  assert.equal(zoomed.zoom, 2.25);
});

test('fit view centres the canvas and never magnifies by default', () => {
  const v = fitView({ width: 2048, height: 1024 }, { width: 1072, height: 600 }, { margin: 24 });
  assert.equal(v.zoom, 0.5);
  assert.equal(v.x, 24);
  assert.equal(v.y, (600 - 512) / 2);
  assert.equal(fitView({ width: 100, height: 100 }, { width: 1000, height: 1000 }).zoom, 1);
});

test('fit placement: contain, centred, integers', () => {
  assert.deepEqual(fitPlacement({ width: 1000, height: 500 }, { width: 1024, height: 1024 }), { width: 1024, height: 512, x: 0, y: 256 });
  assert.deepEqual(fitPlacement({ width: 300, height: 600 }, { width: 1024, height: 1024 }), { width: 512, height: 1024, x: 256, y: 0 });
  const p = fitPlacement({ width: 333, height: 777 }, { width: 1000, height: 999 });
  for (const k of ['width', 'height', 'x', 'y']) assert.ok(Number.isInteger(p[k]));
  assert.ok(p.height <= 999 && p.width <= 1000);
});

test('view zoom and pan leave img_pos unchanged; a drag in view px moves img_pos by delta / zoom', () => {
  const placement = { width: 512, height: 384, x: 100, y: 50 };
  // A drag of 200 view px at zoom 0.5 is 400 canvas px, at zoom 2 it is 100: convert with viewToCanvas.
  for (const zoom of [0.5, 1, 2, 3.3]) {
    const view = { zoom, x: 37, y: -12 };
    const a = viewToCanvas({ x: 400, y: 300 }, view);
    const b = viewToCanvas({ x: 600, y: 250 }, view);
    const moved = placementAfterDrag(placement, b.x - a.x, b.y - a.y);
    assert.deepEqual(moved, { width: 512, height: 384, x: Math.round(100 + 200 / zoom), y: Math.round(50 - 50 / zoom) });
    // Zooming the view (any amount) does not touch the placement object; the same view drag gives the same result.
    const zoomed = zoomViewAt(view, zoom * 1.7, { x: 10, y: 10 });
    assert.deepEqual(placement, { width: 512, height: 384, x: 100, y: 50 });
    const a2 = viewToCanvas(canvasToView(a, view), view);
    assert.ok(Math.abs(a2.x - a.x) < 1e-9);
    assert.notEqual(zoomed.zoom, view.zoom);
  }
});

test('placement drag round trip', () => {
  const p = { width: 640, height: 480, x: -30, y: 12 };
  const there = placementAfterDrag(p, 123.4, -56.6);
  assert.deepEqual(there, { width: 640, height: 480, x: 93, y: -45 });
  const back = placementAfterDrag(there, -(93 - -30), -(-45 - 12));
  assert.deepEqual(back, p);
});

test('placement scale about an anchor, and back', () => {
  const p = { width: 600, height: 400, x: 100, y: 100 };
  const anchor = { x: 100, y: 100 };
  const up = placementAfterScale(p, 1.5, anchor);
  assert.deepEqual(up, { width: 900, height: 600, x: 100, y: 100 });
  assert.deepEqual(placementAfterScale(up, 1 / 1.5, anchor), p);
  // About the centre (default anchor): the centre stays put.
  const c = placementAfterScale(p, 0.5);
  assert.deepEqual(c, { width: 300, height: 200, x: 250, y: 200 });
  assert.deepEqual(placementAfterScale(c, 2), p);
  // Arbitrary factors round-trip within a pixel.
  for (const f of [0.37, 1.13, 2.9]) {
    const q = placementAfterScale(placementAfterScale(p, f, { x: 333, y: 77 }), 1 / f, { x: 333, y: 77 });
    for (const k of ['width', 'height', 'x', 'y']) assert.ok(Math.abs(q[k] - p[k]) <= 2, `${k}: ${q[k]} vs ${p[k]} (f=${f})`);
  }
  // Bounds: sides stay within 1..8192, aspect kept.
  const big = placementAfterScale(p, 100, anchor);
  assert.equal(big.width, 8192);
  assert.equal(big.height, Math.round(400 * 8192 / 600));
  const tiny = placementAfterScale(p, 1e-6, anchor);
  assert.ok(tiny.width >= 1 && tiny.height >= 1);
});

test('corner drag keeps the opposite corner and the aspect ratio', () => {
  const p = { width: 400, height: 200, x: 100, y: 100 };
  const q = placementAfterCornerDrag(p, 'se', { x: 900, y: 500 });
  assert.deepEqual(q, { width: 800, height: 400, x: 100, y: 100 });
  const r = placementAfterCornerDrag(p, 'nw', { x: 300, y: 200 });
  assert.deepEqual(r, { width: 200, height: 100, x: 300, y: 200 });
});

test('placement validation and overlap', () => {
  assert.deepEqual(normalizePlacement({ width: 10.4, height: 3, x: -2.6, y: 0 }), { width: 10, height: 3, x: -3, y: 0 });
  assert.throws(() => normalizePlacement({ width: 0, height: 3, x: 0, y: 0 }), RangeError);
  assert.throws(() => normalizePlacement({ width: 8193, height: 3, x: 0, y: 0 }), RangeError);
  const canvas = { width: 100, height: 100 };
  assert.equal(placementOverlaps({ width: 10, height: 10, x: -10, y: 0 }, canvas), false);
  assert.equal(placementOverlaps({ width: 10, height: 10, x: -9, y: 0 }, canvas), true);
  const kept = keepOverlapping({ width: 50, height: 50, x: 500, y: -500 }, canvas, 8);
  assert.deepEqual(kept, { width: 50, height: 50, x: 92, y: -42 });
});

// --- mask frames -------------------------------------------------------------------------------------------------

test('mask frame rule: smallest uniform scale into [minFrame, maxFrame], else per side', () => {
  assert.deepEqual(maskFrame(1024, 768), { width: 1024, height: 768 });
  assert.deepEqual(maskFrame(300, 200), { width: 750, height: 500 });
  assert.deepEqual(maskFrame(100, 100), { width: 500, height: 500 });
  assert.deepEqual(maskFrame(4096, 4096), { width: 4096, height: 4096 });
  assert.deepEqual(maskFrame(5000, 2500), { width: 4096, height: 2048 });
  assert.deepEqual(maskFrame(4096, 100), { width: 4096, height: 500 });  // no uniform scale fits: non-uniform
  assert.deepEqual(maskFrame(333, 1), { width: 4096, height: 500 });
  // A wide target where the uniform scale fits.
  assert.deepEqual(maskFrame(1000, 200), { width: 2500, height: 500 });
  assert.deepEqual(maskFrame(30, 20, { minFrame: 1, maxFrame: 8192 }), { width: 30, height: 20 });
});

// --- mask -> polygons --------------------------------------------------------------------------------------------

test('a painted rectangle becomes one area covering it (IoU >= 0.97)', () => {
  const W = 640, H = 480;
  const bitmap = bitmapOf(W, H, (x, y) => x >= 100 && x < 300 && y >= 50 && y < 200);
  const result = maskToAreas(bitmap, W, H);
  checkAreas(result, W, H);
  assert.equal(result.areas.length, 1);
  assert.ok(result.areas[0].points.length <= 16, `a rectangle needs few points, got ${result.areas[0].points.length / 2}`);
  const back = rasterizeAreas(result.areas, W, H);
  assert.ok(iou(back, binary(bitmap)) >= 0.97, `IoU ${iou(back, binary(bitmap))}`);
});

test('an anti-aliased disk', () => {
  const W = 512, H = 512;
  const bitmap = aaDisk(W, H, 256.3, 240.7, 150);
  const result = maskToAreas(bitmap, W, H);
  checkAreas(result, W, H);
  assert.equal(result.areas.length, 1);
  const back = rasterizeAreas(result.areas, W, H);
  const truth = bitmapOf(W, H, (x, y) => (x - 256.3) ** 2 + (y - 240.7) ** 2 <= 150 * 150);
  const score = iou(back, truth);
  assert.ok(score >= 0.99, `IoU ${score}`);
});

test('a small disk on a small target (frame scaled up 2.5x)', () => {
  const W = 300, H = 200;
  const bitmap = aaDisk(W, H, 150, 100, 20);
  const result = maskToAreas(bitmap, W, H);
  checkAreas(result, W, H);
  assert.deepEqual([result.areas[0].width, result.areas[0].height], [750, 500]);
  const score = iou(rasterizeAreas(result.areas, W, H), binary(bitmap));
  assert.ok(score >= 0.97, `IoU ${score}`);
});

test('two separate blobs become two areas', () => {
  const W = 800, H = 600;
  const bitmap = bitmapOf(W, H, (x, y) => (x - 200) ** 2 + (y - 300) ** 2 < 80 ** 2 || (x >= 500 && x < 700 && y >= 100 && y < 500));
  const result = maskToAreas(bitmap, W, H);
  checkAreas(result, W, H);
  assert.equal(result.areas.length, 2);
  assert.ok(iou(rasterizeAreas(result.areas, W, H), binary(bitmap)) >= 0.97);
  // Each area alone covers one blob.
  for (const a of result.areas) {
    const one = rasterizeAreas([a], W, H);
    const left = one[300 * W + 200], right = one[300 * W + 600];
    assert.ok(left !== right, 'each area covers exactly one blob');
  }
});

test('blobs touching the target edges are closed along the edge', () => {
  const W = 600, H = 500;
  const bitmap = bitmapOf(W, H, (x, y) => x < 200 || y > 450);
  const result = maskToAreas(bitmap, W, H);
  checkAreas(result, W, H);
  assert.equal(result.areas.length, 1);
  assert.ok(iou(rasterizeAreas(result.areas, W, H), binary(bitmap)) >= 0.98);
});

test('a ring (a hole) is one area whose non-zero fill leaves the hole empty', () => {
  const W = 600, H = 600;
  const inRing = (x, y) => { const d = (x - 300) ** 2 + (y - 300) ** 2; return d <= 250 ** 2 && d > 120 ** 2; };
  const bitmap = bitmapOf(W, H, inRing);
  const rings = traceRings(bitmap, W, H);
  assert.equal(rings.length, 2);
  assert.ok(Math.sign(rings[0].area) !== Math.sign(rings[1].area), 'a hole winds opposite to its outline');
  const result = maskToAreas(bitmap, W, H);
  checkAreas(result, W, H);
  assert.equal(result.areas.length, 1);
  const back = rasterizeAreas(result.areas, W, H);
  assert.equal(back[300 * W + 300], 0, 'the hole stays unpainted');
  assert.ok(iou(back, binary(bitmap)) >= 0.97, `IoU ${iou(back, binary(bitmap))}`);
  // With holes: 'png' the caller is told to send the image.
  const e = maskEncoding({ bitmap, width: W, height: H }, { holes: 'png' });
  assert.equal(e.kind, 'png');
});

test('an island inside a hole is its own area', () => {
  const W = 500, H = 500;
  const painted = (x, y) => {
    const d = (x - 250) ** 2 + (y - 250) ** 2;
    return (d <= 220 ** 2 && d > 140 ** 2) || d <= 60 ** 2;
  };
  const bitmap = bitmapOf(W, H, painted);
  const outers = groupRings(traceRings(bitmap, W, H));
  assert.equal(outers.length, 2);
  assert.equal(outers.reduce((n, o) => n + o.holes.length, 0), 1);
  const result = maskToAreas(bitmap, W, H);
  checkAreas(result, W, H);
  assert.equal(result.areas.length, 2);
  const back = rasterizeAreas(result.areas, W, H);
  assert.equal(back[250 * W + 250], 1);
  assert.equal(back[250 * W + 250 + 100], 0);
  assert.ok(iou(back, binary(bitmap)) >= 0.97);
});

test('more separate specks than areas allowed: the PNG is chosen, and says why', () => {
  const W = 64, H = 64;
  const bitmap = bitmapOf(W, H, (x, y) => Math.floor(x) % 4 < 2 && Math.floor(y) % 4 < 2);
  const e = maskEncoding({ bitmap, width: W, height: H });
  assert.equal(e.kind, 'png');
  assert.match(e.reason, /areas/);
  assert.equal(maskToAreas(bitmap, W, H), null);
});

test('an empty mask is null', () => {
  assert.equal(maskToAreas(new Uint8Array(100 * 100), 100, 100), null);
  assert.equal(maskEncoding({ bitmap: new Uint8Array(100), width: 10, height: 10 }).kind, 'empty');
});

test('a long wiggly outline is simplified to at most 4096 points per area', () => {
  const W = 2048, H = 2048;
  // A star-like blob with many small teeth.
  const painted = (x, y) => {
    const a = Math.atan2(y - 1024, x - 1024);
    const r = 800 + 6 * Math.sin(a * 900);
    return (x - 1024) ** 2 + (y - 1024) ** 2 <= r * r;
  };
  const bitmap = bitmapOf(W, H, painted);
  const e = maskEncoding({ bitmap, width: W, height: H });
  assert.equal(e.kind, 'areas');
  for (const a of e.areas) assert.ok(a.points.length <= 8192);
  assert.ok(iou(rasterizeAreas(e.areas, W, H), binary(bitmap)) >= 0.97);
});

test('polygon tool polygons pass through unchanged (scaled into the frame)', () => {
  const poly = [100, 100, 700, 120, 650, 600, 90, 500];
  const same = polygonsToAreas([poly], 1000, 800);
  assert.deepEqual(same, { areas: [{ width: 1000, height: 800, points: poly }] });
  // A 300x200 target: frame 750x500, points x2.5.
  const small = polygonsToAreas([[10, 10, 290, 10, 150, 190]], 300, 200);
  assert.deepEqual(small, { areas: [{ width: 750, height: 500, points: [25, 25, 725, 25, 375, 475] }] });
  // Scaled back to the target, as the server does, they are the original points.
  assert.deepEqual(areaToTarget(small.areas[0], { width: 300, height: 200 }), [10, 10, 290, 10, 150, 190]);
  // maskEncoding prefers the drawn polygons when it has them.
  const e = maskEncoding({ bitmap: rasterizePolygons([poly], 1000, 800), width: 1000, height: 800, polygons: [poly] });
  assert.equal(e.kind, 'areas');
  assert.equal(e.exact, true);
  assert.deepEqual(e.areas[0].points, poly);
  // A self-intersecting polygon keeps its points (the server fills it non-zero, as the editor does).
  const star = [500, 50, 650, 750, 100, 300, 900, 300, 350, 750];
  assert.deepEqual(polygonsToAreas([star], 1000, 800).areas[0].points, star);
});

test('polygon points beyond the target are kept (the API clips)', () => {
  const r = polygonsToAreas([[-50, -50, 600, -20, 550, 700]], 500, 500);
  assert.deepEqual(r.areas[0].points, [-50, -50, 600, -20, 550, 700]);
});

test('the traced outline of a rasterised polygon matches it', () => {
  const W = 700, H = 500;
  const poly = [60, 40, 640, 90, 500, 460, 200, 380, 90, 250];
  const bitmap = rasterizePolygons([poly], W, H).map((v) => v * 255);
  const result = maskToAreas(bitmap, W, H);
  checkAreas(result, W, H);
  assert.equal(result.areas.length, 1);
  assert.ok(iou(rasterizeAreas(result.areas, W, H), rasterizePolygons([poly], W, H)) >= 0.99);
});

test('Douglas-Peucker on a ring keeps corners and drops collinear points', () => {
  const square = [];
  for (let i = 0; i < 10; i++) square.push(i, 0);
  for (let i = 0; i < 10; i++) square.push(10, i);
  for (let i = 10; i > 0; i--) square.push(i, 10);
  for (let i = 10; i > 0; i--) square.push(0, i);
  const s = simplifyRing(square, 0.5);
  assert.equal(s.length, 8);
  assert.equal(Math.abs(ringArea(s)), 100);
});

test('bridged holes cancel under the non-zero rule', () => {
  const outer = [0, 0, 100, 0, 100, 100, 0, 100];              // clockwise on screen
  const hole1 = [20, 20, 20, 40, 40, 40, 40, 20];              // the other way
  const hole2 = [60, 60, 60, 80, 80, 80, 80, 60];
  const merged = bridgeHoles(outer, [hole2, hole1]);
  const r = rasterizePolygons([merged], 100, 100);
  let painted = 0;
  for (const v of r) painted += v;
  assert.equal(painted, 100 * 100 - 2 * 20 * 20);
  assert.equal(r[30 * 100 + 30], 0);
  assert.equal(r[70 * 100 + 70], 0);
  assert.equal(r[50 * 100 + 50], 1);
});
