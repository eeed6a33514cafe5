// The studio's geometry: pure functions, no DOM (imported by the canvas editor and by node's test runner).
//
// Frames of reference:
// - canvas px: the task's canvas (upload-paint, edit) or the source image (inpaint); img_pos and the mask live here.
// - view px: CSS pixels of the editor's viewport. A view is {zoom, x, y}: view = canvas * zoom + (x, y).
//   The view never changes img_pos; only placement functions do.
// - a mask frame: the {width, height} an area's points are written in (API.md section 6); the server scales points
//   by (target width / frame width, target height / frame height).

export const LIMITS = Object.freeze({
  canvasMinSide: 1,
  canvasMaxSide: 4096,
  canvasMaxPixels: 16 * 1024 * 1024,
  placementMinSide: 1,
  placementMaxSide: 8192,
  placementMaxOffset: 1_000_000,
  maskMaxAreas: 64,
  maskMinPointValues: 6,
  maskMaxPointValues: 8192,
  maskMaxCoordinate: 1_000_000,
  inpaintFrameMin: 500,
  inpaintFrameMax: 4096,
  areaFrameMin: 1,
  areaFrameMax: 8192,
});

/** Defaults of maskToAreas: frames acceptable to every operation (inpaint requires 500..4096 a side). */
export const MASK_DEFAULTS = Object.freeze({
  maxAreas: 64,
  maxPointValues: 8192,
  // The create body is limited to 1 MiB: keep every area's values together well below it.
  maxTotalPointValues: 65536,
  minFrame: 500,
  maxFrame: 4096,
  threshold: 128,          // a bitmap value at or above it is painted
  minRingArea: 1,          // rings (outlines or holes) smaller than this many target px² are dropped
  holes: 'bridge',         // 'bridge': holes joined to their outline by zero-width cuts; 'png': any hole -> null
  tolerances: [0.35, 0.5, 0.75, 1, 1.5, 2], // Douglas-Peucker tolerances in target px, tried in order
});

const clamp = (v, lo, hi) => (v < lo ? lo : v > hi ? hi : v);

// ---------------------------------------------------------------------------------------------------------------
// Canvas size and view

/** Throws RangeError unless width x height is a valid canvas (1..4096 a side, at most 16 Mpx). */
export function checkCanvasSize(width, height) {
  const ok = (v) => Number.isInteger(v) && v >= LIMITS.canvasMinSide && v <= LIMITS.canvasMaxSide;
  if (!ok(width) || !ok(height)) {
    throw new RangeError(`canvas sides must be integers from ${LIMITS.canvasMinSide} to ${LIMITS.canvasMaxSide}`);
  }
  if (width * height > LIMITS.canvasMaxPixels) {
    throw new RangeError(`a canvas has at most ${LIMITS.canvasMaxPixels} pixels`);
  }
  return { width, height };
}

/** A view point (CSS px in the viewport) to canvas px. view = {zoom, x, y}. */
export function viewToCanvas(point, view) {
  return { x: (point.x - view.x) / view.zoom, y: (point.y - view.y) / view.zoom };
}

/** A canvas point to view px. */
export function canvasToView(point, view) {
  return { x: point.x * view.zoom + view.x, y: point.y * view.zoom + view.y };
}

export const ZOOM_MIN = 0.02;
export const ZOOM_MAX = 32;

/** The view zoomed to `zoom` keeping the view point `at` over the same canvas point. */
export function zoomViewAt(view, zoom, at) {
  const z = clamp(zoom, ZOOM_MIN, ZOOM_MAX);
  const c = viewToCanvas(at, view);
  return { zoom: z, x: at.x - c.x * z, y: at.y - c.y * z };
}

/**
 * The view that shows the whole canvas centred in a viewport, with `margin` view px around it; the zoom never goes
 * above `maxZoom` (1 by default: small canvases are not magnified).
 */
export function fitView(canvas, viewport, { margin = 24, maxZoom = 1 } = {}) {
  const aw = Math.max(1, viewport.width - 2 * margin);
  const ah = Math.max(1, viewport.height - 2 * margin);
  let zoom = Math.min(aw / canvas.width, ah / canvas.height, maxZoom);
  zoom = clamp(zoom, ZOOM_MIN, ZOOM_MAX);
  return {
    zoom,
    x: (viewport.width - canvas.width * zoom) / 2,
    y: (viewport.height - canvas.height * zoom) / 2,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Placement (img_pos): integers in canvas px

/** The source scaled to fit inside the canvas (aspect kept), centred; integers. */
export function fitPlacement(source, canvas) {
  const s = Math.min(canvas.width / source.width, canvas.height / source.height);
  const width = clamp(Math.round(source.width * s), 1, LIMITS.placementMaxSide);
  const height = clamp(Math.round(source.height * s), 1, LIMITS.placementMaxSide);
  return {
    width,
    height,
    x: Math.round((canvas.width - width) / 2),
    y: Math.round((canvas.height - height) / 2),
  };
}

/** The source at its own size, centred on the canvas (it may be larger than the canvas). */
export function actualSizePlacement(source, canvas) {
  const width = clamp(source.width, 1, LIMITS.placementMaxSide);
  const height = clamp(source.height, 1, LIMITS.placementMaxSide);
  return { width, height, x: Math.round((canvas.width - width) / 2), y: Math.round((canvas.height - height) / 2) };
}

/** Validates and normalises a placement: integers, sides 1..8192, offsets within ±1e6. Throws RangeError. */
export function normalizePlacement(p) {
  const n = { width: Math.round(+p.width), height: Math.round(+p.height), x: Math.round(+p.x), y: Math.round(+p.y) };
  for (const k of ['width', 'height', 'x', 'y']) {
    if (!Number.isFinite(n[k])) throw new RangeError(`img_pos.${k} must be a number`);
  }
  if (n.width < LIMITS.placementMinSide || n.width > LIMITS.placementMaxSide ||
      n.height < LIMITS.placementMinSide || n.height > LIMITS.placementMaxSide) {
    throw new RangeError(`img_pos sides must be from ${LIMITS.placementMinSide} to ${LIMITS.placementMaxSide}`);
  }
  if (Math.abs(n.x) > LIMITS.placementMaxOffset || Math.abs(n.y) > LIMITS.placementMaxOffset) {
    throw new RangeError(`img_pos offsets must be within ±${LIMITS.placementMaxOffset}`);
  }
  return n;
}

/** True when the placed image overlaps the canvas (the API requires it). */
export function placementOverlaps(p, canvas) {
  return p.x < canvas.width && p.y < canvas.height && p.x + p.width > 0 && p.y + p.height > 0;
}

/** Moves a placement so that at least `keep` canvas px of it (each axis) stay over the canvas. */
export function keepOverlapping(p, canvas, keep = 8) {
  const kx = Math.min(keep, p.width, canvas.width);
  const ky = Math.min(keep, p.height, canvas.height);
  return {
    ...p,
    x: clamp(p.x, kx - p.width, canvas.width - kx),
    y: clamp(p.y, ky - p.height, canvas.height - ky),
  };
}

/**
 * The placement moved by (dx, dy) canvas px (a drag of view px d is d / zoom canvas px); integers.
 * Call it with the placement at the start of the drag and the drag's total delta, so rounding never accumulates.
 */
export function placementAfterDrag(placement, dx, dy) {
  return {
    width: placement.width,
    height: placement.height,
    x: Math.round(placement.x + dx),
    y: Math.round(placement.y + dy),
  };
}

/**
 * The placement scaled by `factor` about `anchor` (a canvas point that stays fixed; default the placement's centre).
 * Sides are rounded and kept within 1..8192 (the factor actually applied follows from the rounded width).
 */
export function placementAfterScale(placement, factor, anchor) {
  const a = anchor ?? { x: placement.x + placement.width / 2, y: placement.y + placement.height / 2 };
  let width = Math.round(placement.width * factor);
  let height = Math.round(placement.height * factor);
  // Keep the aspect ratio when a side hits a bound.
  const lo = LIMITS.placementMinSide;
  const hi = LIMITS.placementMaxSide;
  if (width > hi || height > hi) {
    const s = Math.min(hi / placement.width, hi / placement.height);
    width = Math.round(placement.width * s);
    height = Math.round(placement.height * s);
  }
  width = clamp(width, lo, hi);
  height = clamp(height, lo, hi);
  const fx = width / placement.width;
  const fy = height / placement.height;
  return {
    width,
    height,
    x: Math.round(a.x - (a.x - placement.x) * fx),
    y: Math.round(a.y - (a.y - placement.y) * fy),
  };
}

/** The placement whose corner `corner` ('nw'|'ne'|'se'|'sw') is dragged to canvas point `to`, the opposite corner fixed, aspect kept. */
export function placementAfterCornerDrag(placement, corner, to) {
  const ax = corner.includes('w') ? placement.x + placement.width : placement.x;
  const ay = corner.includes('n') ? placement.y + placement.height : placement.y;
  const cx = corner.includes('w') ? placement.x : placement.x + placement.width;
  const cy = corner.includes('n') ? placement.y : placement.y + placement.height;
  const dx = cx - ax;
  const dy = cy - ay;
  const len2 = dx * dx + dy * dy;
  // Project the pointer on the diagonal: the factor that brings the corner nearest to it.
  const f = Math.max(1e-6, ((to.x - ax) * dx + (to.y - ay) * dy) / len2);
  return placementAfterScale(placement, f, { x: ax, y: ay });
}

/** True when the canvas point lies on the placed image. */
export function hitPlacement(placement, canvasPoint) {
  const { x, y } = canvasPoint;
  return x >= placement.x && y >= placement.y && x < placement.x + placement.width && y < placement.y + placement.height;
}

// ---------------------------------------------------------------------------------------------------------------
// Mask frames

/**
 * The frame an area's points are written in for a target of width x height: the target scaled uniformly so that
 * both sides lie within [minFrame, maxFrame] when one scale can do it (the smallest such scale, 1 when the target
 * already fits: then points are exact target px); otherwise each side is clamped on its own (a non-uniform frame,
 * which the API allows since it scales each axis separately).
 * Examples with the defaults (500..4096): 1024x768 -> 1024x768; 300x200 -> 750x500; 5000x5000 -> 4096x4096;
 * 4096x100 -> 4096x500 (non-uniform).
 */
export function maskFrame(width, height, { minFrame = MASK_DEFAULTS.minFrame, maxFrame = MASK_DEFAULTS.maxFrame } = {}) {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  let s = 1;
  if (short < minFrame) s = minFrame / short;
  if (long * s > maxFrame) s = maxFrame / long;
  let fw = Math.round(width * s);
  let fh = Math.round(height * s);
  // Rounding may leave a side one short of the bound.
  fw = clamp(fw, minFrame, maxFrame);
  fh = clamp(fh, minFrame, maxFrame);
  return { width: fw, height: fh };
}

/** Scales flat target-px points into a frame and rounds them. */
export function pointsToFrame(points, target, frame) {
  const sx = frame.width / target.width;
  const sy = frame.height / target.height;
  const out = new Array(points.length);
  for (let i = 0; i < points.length; i += 2) {
    out[i] = clampCoord(Math.round(points[i] * sx));
    out[i + 1] = clampCoord(Math.round(points[i + 1] * sy));
  }
  return out;
}

/** Scales an area's points back to target px (floats), as the server does. */
export function areaToTarget(area, target) {
  const sx = target.width / area.width;
  const sy = target.height / area.height;
  return area.points.map((v, i) => (i % 2 === 0 ? v * sx : v * sy));
}

const clampCoord = (v) => clamp(v === 0 ? 0 : v, -LIMITS.maskMaxCoordinate, LIMITS.maskMaxCoordinate);

// ---------------------------------------------------------------------------------------------------------------
// Polygons

/** Signed area of a flat ring (shoelace, y down: positive = clockwise on screen). */
export function ringArea(points) {
  let a = 0;
  const n = points.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    a += (points[j] * points[i + 1]) - (points[i] * points[j + 1]);
  }
  return a / 2;
}

/** Even-odd point in ring test. */
export function pointInRing(x, y, points) {
  let inside = false;
  const n = points.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const xi = points[i], yi = points[i + 1], xj = points[j], yj = points[j + 1];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function ringBounds(points) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    const x = points[i], y = points[i + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { x0, y0, x1, y1 };
}

/** Douglas-Peucker on an open polyline (flat points); keeps both ends. */
export function simplifyPolyline(points, tolerance) {
  const n = points.length / 2;
  if (n <= 2) return points.slice();
  const keep = new Uint8Array(n);
  dp(points, 0, n - 1, tolerance * tolerance, keep);
  const out = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(points[2 * i], points[2 * i + 1]);
  return out;
}

/** Douglas-Peucker on a closed ring (flat points, first point not repeated). */
export function simplifyRing(points, tolerance) {
  const n = points.length / 2;
  if (n <= 3) return points.slice();
  // Split at the first point and the point farthest from it; simplify both halves.
  let far = 0, best = -1;
  for (let i = 1; i < n; i++) {
    const dx = points[2 * i] - points[0], dy = points[2 * i + 1] - points[1];
    const d = dx * dx + dy * dy;
    if (d > best) { best = d; far = i; }
  }
  const ext = points.concat([points[0], points[1]]); // index n is the first point again
  const keep = new Uint8Array(n + 1);
  const t2 = tolerance * tolerance;
  dp(ext, 0, far, t2, keep);
  dp(ext, far, n, t2, keep);
  const out = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(points[2 * i], points[2 * i + 1]);
  return out;
}

function dp(pts, first, last, tol2, keep) {
  keep[first] = 1;
  keep[last] = 1;
  const stack = [first, last];
  while (stack.length) {
    const b = stack.pop();
    const a = stack.pop();
    if (b - a < 2) continue;
    const ax = pts[2 * a], ay = pts[2 * a + 1], bx = pts[2 * b], by = pts[2 * b + 1];
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy;
    let idx = -1, max = tol2;
    for (let i = a + 1; i < b; i++) {
      const px = pts[2 * i] - ax, py = pts[2 * i + 1] - ay;
      let d;
      if (len2 === 0) d = px * px + py * py;
      else {
        const c = px * dy - py * dx;
        d = (c * c) / len2;
        // Beyond the segment's ends, use the distance to the end.
        const t = (px * dx + py * dy) / len2;
        if (t < 0) d = px * px + py * py;
        else if (t > 1) { const qx = pts[2 * i] - bx, qy = pts[2 * i + 1] - by; d = qx * qx + qy * qy; }
      }
      if (d > max) { max = d; idx = i; }
    }
    if (idx >= 0) {
      keep[idx] = 1;
      stack.push(a, idx, idx, b);
    }
  }
}

/**
 * Joins holes to an outline as one ring: each hole is reached from the nearest vertex of the ring so far by a cut
 * walked there and back. The cut's two edges coincide with opposite directions, so they cancel under the non-zero
 * rule (for any rasteriser) and the result fills outline minus holes, provided holes wind opposite to the outline.
 */
export function bridgeHoles(outer, holes) {
  let ring = outer.slice();
  const sorted = holes.slice().sort((a, b) => ringBounds(a).x0 - ringBounds(b).x0);
  for (const hole of sorted) {
    // The hole's leftmost vertex.
    let m = 0;
    for (let i = 2; i < hole.length; i += 2) {
      if (hole[i] < hole[m] || (hole[i] === hole[m] && hole[i + 1] < hole[m + 1])) m = i;
    }
    const mx = hole[m], my = hole[m + 1];
    let best = 0, bestD = Infinity;
    for (let i = 0; i < ring.length; i += 2) {
      const dx = ring[i] - mx, dy = ring[i + 1] - my;
      const d = dx * dx + dy * dy + (ring[i] > mx ? 1e-9 : 0);
      if (d < bestD) { bestD = d; best = i; }
    }
    const rotated = hole.slice(m).concat(hole.slice(0, m), [mx, my]);
    ring = ring.slice(0, best + 2).concat(rotated, [ring[best], ring[best + 1]], ring.slice(best + 2));
  }
  return ring;
}

/**
 * Rasterises flat polygons (target px) with the non-zero rule, sampling pixel centres: a Uint8Array of 0/1.
 * The polygons of one call are united (each filled on its own, as the API unites areas).
 */
export function rasterizePolygons(polygons, width, height) {
  const out = new Uint8Array(width * height);
  for (const poly of polygons) fillNonZero(out, width, height, poly);
  return out;
}

/** Rasterises areas (in their frames) onto a target: as the server would (sampled, not anti-aliased). */
export function rasterizeAreas(areas, width, height) {
  return rasterizePolygons(areas.map((a) => areaToTarget(a, { width, height })), width, height);
}

function fillNonZero(out, width, height, pts) {
  polygonSpans(pts, width, height, (y, from, to) => out.fill(1, y * width + from, y * width + to));
}

/**
 * Calls span(y, from, to) for every run of pixels [from, to) of row y whose centre lies inside the polygon (flat
 * points, non-zero rule), clipped to width x height.
 */
export function polygonSpans(pts, width, height, span) {
  const n = pts.length / 2;
  if (n < 3) return;
  const b = ringBounds(pts);
  const yStart = clamp(Math.floor(b.y0), 0, height);
  const yEnd = clamp(Math.ceil(b.y1), 0, height);
  const xs = [];
  for (let y = yStart; y < yEnd; y++) {
    const sy = y + 0.5;
    xs.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const x0 = pts[2 * j], y0 = pts[2 * j + 1], x1 = pts[2 * i], y1 = pts[2 * i + 1];
      if (y0 === y1) continue;
      const w = y1 > y0 ? 1 : -1;
      const lo = Math.min(y0, y1), hi = Math.max(y0, y1);
      if (sy < lo || sy >= hi) continue;
      xs.push({ x: x0 + ((sy - y0) * (x1 - x0)) / (y1 - y0), w });
    }
    if (xs.length < 2) continue;
    xs.sort((a, c) => a.x - c.x);
    let wind = 0;
    for (let k = 0; k < xs.length - 1; k++) {
      wind += xs[k].w;
      if (wind === 0) continue;
      // Pixels whose centre lies in [xa, xb).
      const from = clamp(Math.ceil(xs[k].x - 0.5), 0, width);
      const to = clamp(Math.ceil(xs[k + 1].x - 0.5), 0, width);
      if (to > from) span(y, from, to);
    }
  }
}

/** Intersection over union of two 0/non-zero bitmaps of one size. */
export function iou(a, b) {
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i] !== 0, q = b[i] !== 0;
    if (p && q) inter++;
    if (p || q) union++;
  }
  return union === 0 ? 1 : inter / union;
}

// ---------------------------------------------------------------------------------------------------------------
// Mask bitmap -> outlines (marching squares)

/**
 * Traces the iso-lines of a mask bitmap (1 byte per pixel, painted >= threshold) with marching squares over pixel
 * centres, interpolating between anti-aliased values. Returns closed rings of flat target-px points, each with its
 * signed area: outlines wind one way (area > 0), holes the other (area < 0). Rings never cross or touch.
 */
export function traceRings(bitmap, width, height, threshold = 128) {
  // Bounds of the painted pixels.
  let minX = width, minY = height, maxX = -1, maxY = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1, last = -1;
    for (let x = 0; x < width; x++) {
      if (bitmap[row + x] >= threshold) { if (first < 0) first = x; last = x; }
    }
    if (first >= 0) {
      if (first < minX) minX = first;
      if (last > maxX) maxX = last;
      if (y < minY) minY = y;
      maxY = y;
    }
  }
  if (maxX < 0) return [];

  const W2 = width + 2;
  const t = threshold - 0.5; // values are integers: no sample sits exactly on the iso-level
  const v = (gx, gy) => (gx < 0 || gy < 0 || gx >= width || gy >= height ? 0 : bitmap[gy * width + gx]);
  // Edge keys: horizontal edge (gx,gy)-(gx+1,gy) -> even, vertical (gx,gy)-(gx,gy+1) -> odd.
  const hKey = (gx, gy) => ((gy + 1) * W2 + (gx + 1)) * 2;
  const vKey = (gx, gy) => ((gy + 1) * W2 + (gx + 1)) * 2 + 1;
  const next = new Map();
  const keys = [0, 0, 0, 0];
  const exits = [false, false, false, false];

  // Inside flags over the bounds with a one-sample border: cells are visited from these; values are read only for
  // saddles and crossing points.
  const PW = maxX - minX + 3, PH = maxY - minY + 3;
  const ins = new Uint8Array(PW * PH);
  for (let y = minY; y <= maxY; y++) {
    const src = y * width, dst = (y - minY + 1) * PW + 1 - minX;
    for (let x = minX; x <= maxX; x++) if (bitmap[src + x] >= threshold) ins[dst + x] = 1;
  }
  for (let gy = minY - 1; gy <= maxY; gy++) {
    const r0 = (gy - minY + 1) * PW + 1 - minX, r1 = r0 + PW;
    for (let gx = minX - 1; gx <= maxX; gx++) {
      const sa = ins[r0 + gx], sb = ins[r0 + gx + 1], sc = ins[r1 + gx + 1], sd = ins[r1 + gx];
      const sum = sa + sb + sc + sd;
      if (sum === 0 || sum === 4) continue;
      const ia = sa === 1, ib = sb === 1, ic = sc === 1, id = sd === 1;
      // Corners clockwise on screen: a (top-left), b (top-right), c (bottom-right), d (bottom-left).
      let count = 0;
      if (ia !== ib) { keys[count] = hKey(gx, gy); exits[count++] = ia; }
      if (ib !== ic) { keys[count] = vKey(gx + 1, gy); exits[count++] = ib; }
      if (ic !== id) { keys[count] = hKey(gx, gy + 1); exits[count++] = ic; }
      if (id !== ia) { keys[count] = vKey(gx, gy); exits[count++] = id; }
      if (count === 2) {
        if (exits[0]) next.set(keys[0], keys[1]); else next.set(keys[1], keys[0]);
      } else {
        // A saddle: joined inside corners (centre painted) pair each exit with the next entry clockwise,
        // separate ones with the previous entry.
        const centre = (v(gx, gy) + v(gx + 1, gy) + v(gx + 1, gy + 1) + v(gx, gy + 1)) / 4 >= t;
        for (let i = 0; i < 4; i++) {
          if (!exits[i]) continue;
          next.set(keys[i], keys[centre ? (i + 1) % 4 : (i + 3) % 4]);
        }
      }
    }
  }

  const point = (key, out) => {
    const vertical = key & 1;
    const cell = (key - vertical) / 2;
    const gx = (cell % W2) - 1;
    const gy = Math.floor(cell / W2) - 1;
    if (vertical) {
      const p = v(gx, gy), q = v(gx, gy + 1);
      out.push(gx + 0.5, gy + 0.5 + (t - p) / (q - p));
    } else {
      const p = v(gx, gy), q = v(gx + 1, gy);
      out.push(gx + 0.5 + (t - p) / (q - p), gy + 0.5);
    }
  };

  const rings = [];
  for (const start of next.keys()) {
    const pts = [];
    let k = start;
    let guard = next.size + 1;
    do {
      point(k, pts);
      const nk = next.get(k);
      next.delete(k);
      k = nk;
    } while (k !== start && k !== undefined && --guard > 0);
    if (pts.length >= 6) rings.push({ points: pts, area: ringArea(pts) });
  }
  return rings;
}

/** Groups traced rings as outlines with their holes (each hole in the smallest outline around it). */
export function groupRings(rings, minRingArea = 0) {
  // Outlines are the rings of the sign of the largest ring (an outermost ring is always an outline).
  let sign = 1;
  let largest = 0;
  for (const r of rings) if (Math.abs(r.area) > largest) { largest = Math.abs(r.area); sign = Math.sign(r.area); }
  const outers = [];
  const holes = [];
  for (const r of rings) {
    if (Math.abs(r.area) < minRingArea) continue;
    (Math.sign(r.area) === sign ? outers : holes).push({ ...r, bounds: ringBounds(r.points), holes: [] });
  }
  for (const h of holes) {
    let owner = null;
    const x = h.points[0], y = h.points[1];
    for (const o of outers) {
      const b = o.bounds;
      if (x < b.x0 || x > b.x1 || y < b.y0 || y > b.y1) continue;
      if (owner && Math.abs(o.area) >= Math.abs(owner.area)) continue;
      if (pointInRing(x, y, o.points)) owner = o;
    }
    if (owner) owner.holes.push(h);
  }
  return outers;
}

// ---------------------------------------------------------------------------------------------------------------
// Mask -> the API's areas

/**
 * The mask bitmap (width x height target px, 1 byte each) as the API's areas: {areas: [{width, height, points}]},
 * or null when the mask is empty or cannot be expressed within the limits. maskEncoding() says which and why.
 */
export function maskToAreas(bitmap, width, height, options = {}) {
  const r = maskEncoding({ bitmap, width, height }, options);
  return r.kind === 'areas' ? { areas: r.areas } : null;
}

/**
 * Polygons drawn by the polygon or lasso tool (flat target-px points, each filled non-zero) as the API's areas,
 * one area per polygon, points scaled into the frame and rounded (nothing else changes them unless a polygon has
 * more points than an area may: then it is simplified). Null when there are more polygons than areas allowed.
 */
export function polygonsToAreas(polygons, width, height, options = {}) {
  const o = { ...MASK_DEFAULTS, ...options };
  const list = polygons.filter((p) => p.length >= 6);
  if (list.length === 0 || list.length > o.maxAreas) return null;
  const frame = maskFrame(width, height, o);
  const target = { width, height };
  const maxPoints = Math.floor(o.maxPointValues / 2);
  const areas = [];
  let total = 0;
  for (const poly of list) {
    let pts = poly;
    for (let i = 0; pts.length / 2 > maxPoints; i++) {
      if (i >= o.tolerances.length) return null;
      pts = simplifyRing(poly, o.tolerances[i]);
    }
    const points = pointsToFrame(pts, target, frame);
    if (points.length < LIMITS.maskMinPointValues) continue;
    total += points.length;
    areas.push({ width: frame.width, height: frame.height, points });
  }
  if (areas.length === 0 || total > o.maxTotalPointValues) return null;
  return { areas };
}

/**
 * Decides how a mask travels: {kind: 'empty'}, {kind: 'areas', areas, frame, tolerance, exact} or
 * {kind: 'png', reason}. `mask` is {bitmap, width, height, polygons?}: when `polygons` is given (the mask is exactly
 * the union of those non-zero polygons: nothing brushed or erased) they are sent as drawn; otherwise the bitmap's
 * outlines are traced. 'png' means the shell should upload the mask image (getMaskPng) and send {url}.
 */
export function maskEncoding(mask, options = {}) {
  const o = { ...MASK_DEFAULTS, ...options };
  const { bitmap, width, height, polygons } = mask;
  if (polygons && polygons.length) {
    const r = polygonsToAreas(polygons, width, height, o);
    if (r) return { kind: 'areas', areas: r.areas, frame: maskFrame(width, height, o), tolerance: 0, exact: true };
  }
  if (!bitmap) return { kind: 'empty' };
  const rings = traceRings(bitmap, width, height, o.threshold);
  const outers = groupRings(rings, o.minRingArea);
  if (outers.length === 0) return { kind: 'empty' };
  if (outers.length > o.maxAreas) {
    return { kind: 'png', reason: `the mask has ${outers.length} separate regions; the API takes at most ${o.maxAreas} areas` };
  }
  if (o.holes === 'png' && outers.some((x) => x.holes.length)) {
    return { kind: 'png', reason: 'the mask has holes' };
  }
  const frame = maskFrame(width, height, o);
  const target = { width, height };
  const maxPoints = Math.floor(o.maxPointValues / 2);
  for (const tol of o.tolerances) {
    const areas = [];
    let total = 0;
    let fits = true;
    for (const outer of outers) {
      const ring = simplifyRing(outer.points, tol);
      if (ring.length < 6) continue;
      const holes = outer.holes.map((h) => simplifyRing(h.points, tol)).filter((h) => h.length >= 6);
      const merged = holes.length ? bridgeHoles(ring, holes) : ring;
      if (merged.length / 2 > maxPoints) { fits = false; break; }
      const points = pointsToFrame(merged, target, frame);
      total += points.length;
      areas.push({ width: frame.width, height: frame.height, points });
    }
    if (!fits || total > o.maxTotalPointValues) continue;
    if (areas.length === 0) return { kind: 'empty' };
    return { kind: 'areas', areas, frame, tolerance: tol, exact: false };
  }
  return { kind: 'png', reason: 'the mask outlines need more points than the API takes' };
}

/** Bounding box {x, y, width, height} of painted (>= threshold) pixels, or null. */
export function maskBounds(bitmap, width, height, threshold = 1) {
  let minX = width, minY = height, maxX = -1, maxY = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (bitmap[row + x] >= threshold) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return maxX < 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}
