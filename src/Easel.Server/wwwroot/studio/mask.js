// The mask layer of the canvas editor: a mask in one frame (the canvas, or the source image for inpaint), painted
// with brush and eraser strokes and filled polygons, with undo and redo.
//
// Two copies of the mask, both updated incrementally, neither ever read back from the other:
// - `canvas`: a <canvas> of the frame's size, shown (scaled by CSS) over the image; strokes are drawn on it
//   segment by segment, once per animation frame (the editor calls flush()).
// - `model`: a Uint8Array, one byte per frame pixel (0 keep .. 255 repaint), rasterised in JavaScript from the same
//   segments (anti-aliased capsules) and polygons (non-zero, sampled at pixel centres). getBitmap(), the PNG and the
//   outlines read it. Nothing calls getImageData, so no stroke ends with a readback of the canvas.
// History is kept per 64x64 tile: a step stores, for each tile it touched, the tile before and after.

import { polygonSpans } from './geometry.js';

const TILE = 64;
const HISTORY_MAX_ENTRIES = 200;
const HISTORY_MAX_BYTES = 192 * 1024 * 1024;

/** The colour strokes are drawn in (the element's opacity makes it a tint). */
export const MASK_RGB = [255, 48, 96];
const MASK_CSS = `rgb(${MASK_RGB[0]}, ${MASK_RGB[1]}, ${MASK_RGB[2]})`;

export class MaskLayer {
  /**
   * @param {number} width frame width
   * @param {number} height frame height
   * @param {{document?: Document}} [options]
   */
  constructor(width, height, { document: doc = globalThis.document } = {}) {
    this.width = width;
    this.height = height;
    this.canvas = doc ? doc.createElement('canvas') : null;
    if (this.canvas) {
      this.canvas.width = width;
      this.canvas.height = height;
      this.canvas.className = 'ce-mask';
      this.ctx = this.canvas.getContext('2d');
    } else {
      this.ctx = null; // node: the model only
    }
    this.model = new Uint8Array(width * height);
    this.tilesX = Math.ceil(width / TILE);
    this.tilesY = Math.ceil(height / TILE);
    this.entries = [];      // history, oldest first
    this.index = 0;         // entries[0..index) are applied
    this.baseOps = [];      // polygons baked into the state before entries[0] (null: not polygons only)
    this.version = 0;       // bumps on every committed change
    this._empty = true;     // null: unknown
    this._stroke = null;
    this._saved = null;     // tiles saved before the current step: Map index -> Uint8Array
    this._bytes = 0;
  }

  // ----- strokes -----------------------------------------------------------------------------------------------

  /** Starts a brush ('paint') or eraser ('erase') stroke of `size` frame px at point {x, y}. */
  beginStroke(kind, size, point) {
    this.cancelStroke();
    this._stroke = { kind, size: Math.max(1, size), last: { x: point.x, y: point.y }, pending: [{ x: point.x, y: point.y }], dot: true };
    this._saved = new Map();
  }

  /** Queues points of the current stroke (drawn by the next flush()). */
  extendStroke(points) {
    const s = this._stroke;
    if (!s) return;
    for (const p of points) s.pending.push({ x: p.x, y: p.y });
  }

  get stroking() {
    return this._stroke !== null;
  }

  /** Draws what the current stroke queued since the last flush; returns true when something was drawn. */
  flush() {
    const s = this._stroke;
    if (!s || s.pending.length === 0) return false;
    const pts = s.pending;
    const erase = s.kind === 'erase';
    const r = s.size / 2;
    const ctx = this.ctx;
    if (ctx) {
      ctx.save();
      ctx.globalCompositeOperation = erase ? 'destination-out' : 'source-over';
      ctx.fillStyle = ctx.strokeStyle = MASK_CSS;
      ctx.lineWidth = s.size;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.beginPath();
      if (s.dot && pts.length === 1) {
        ctx.arc(pts[0].x, pts[0].y, r, 0, Math.PI * 2);
        ctx.fill();
      } else {
        ctx.moveTo(s.last.x, s.last.y);
        for (const p of pts) ctx.lineTo(p.x, p.y);
        ctx.stroke();
      }
      ctx.restore();
    }
    // The model: capsules from the last point to each new one; points closer than a quarter of the radius to the
    // last one are folded into the next (the capsules overlap enough for that not to show).
    const minStep = Math.max(0.75, r / 4);
    let last = s.last;
    if (s.dot) this._capsule(last.x, last.y, last.x, last.y, r, erase);
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i];
      if (i < pts.length - 1 && Math.hypot(p.x - last.x, p.y - last.y) < minStep) continue;
      this._capsule(last.x, last.y, p.x, p.y, r, erase);
      last = p;
    }
    s.dot = false;
    s.last = last;
    pts.length = 0;
    return true;
  }

  /** Ends the stroke: draws what is left and records it in the history. Returns true when the mask changed. */
  endStroke() {
    const s = this._stroke;
    if (!s) return false;
    this.flush();
    this._stroke = null;
    return this._commit({ type: s.kind === 'erase' ? 'erase' : 'brush' });
  }

  /** Drops the current stroke, restoring what it drew. */
  cancelStroke() {
    if (!this._stroke) return;
    this._stroke = null;
    const saved = this._saved;
    this._saved = null;
    if (saved) for (const [t, before] of saved) this._restoreTile(t, before);
  }

  // ----- polygons ----------------------------------------------------------------------------------------------

  /**
   * Fills a polygon (flat frame-px points) with the non-zero rule; `erase` removes it instead.
   * Returns true when the mask changed.
   */
  fillPolygon(points, { erase = false, tool = 'polygon' } = {}) {
    if (points.length < 6) return false;
    this.cancelStroke();
    if (this.ctx) {
      const ctx = this.ctx;
      ctx.save();
      ctx.globalCompositeOperation = erase ? 'destination-out' : 'source-over';
      ctx.fillStyle = MASK_CSS;
      ctx.beginPath();
      ctx.moveTo(points[0], points[1]);
      for (let i = 2; i < points.length; i += 2) ctx.lineTo(points[i], points[i + 1]);
      ctx.closePath();
      ctx.fill('nonzero');
      ctx.restore();
    }
    this._saved = new Map();
    const value = erase ? 0 : 255;
    const m = this.model;
    const w = this.width;
    polygonSpans(points, this.width, this.height, (y, from, to) => {
      this._touch(from, y, to - 1, y);
      m.fill(value, y * w + from, y * w + to);
    });
    const op = erase ? { type: 'erase' } : { type: 'polygon', tool, points: points.slice() };
    return this._commit(op);
  }

  // ----- whole mask --------------------------------------------------------------------------------------------

  /** Clears the mask (an undoable step). Returns true when it changed. */
  clear() {
    this.cancelStroke();
    if (this.isEmpty()) return false;
    this._saved = new Map();
    this._touch(0, 0, this.width - 1, this.height - 1, true);
    this.model.fill(0);
    if (this.ctx) this.ctx.clearRect(0, 0, this.width, this.height);
    return this._commit({ type: 'clear' });
  }

  /** Replaces the mask with a bitmap (frame-sized Uint8Array), an undoable step. */
  setBitmap(bitmap) {
    if (bitmap.length !== this.model.length) throw new RangeError('the bitmap must have the frame size');
    this.cancelStroke();
    this._saved = new Map();
    this._touch(0, 0, this.width - 1, this.height - 1);
    this.model.set(bitmap);
    for (const t of this._saved.keys()) this._paintTile(t);
    return this._commit({ type: 'bitmap' });
  }

  canUndo() { return this.index > 0; }
  canRedo() { return this.index < this.entries.length; }

  undo() {
    this.cancelStroke();
    if (!this.canUndo()) return false;
    const e = this.entries[--this.index];
    for (const tile of e.tiles) this._restoreTile(tile.t, tile.before);
    this._empty = null;
    this.version++;
    return true;
  }

  redo() {
    this.cancelStroke();
    if (!this.canRedo()) return false;
    const e = this.entries[this.index++];
    for (const tile of e.tiles) this._restoreTile(tile.t, tile.after);
    this._empty = e.op.type === 'clear' ? true : null;
    this.version++;
    return true;
  }

  /** True when no frame pixel is painted. */
  isEmpty() {
    if (this._empty === null) {
      const m = this.model;
      let any = false;
      for (let i = 0; i < m.length; i++) if (m[i] !== 0) { any = true; break; }
      this._empty = !any;
    }
    return this._empty;
  }

  /** The mask: a copy, one byte per frame pixel, 0 keep .. 255 repaint. */
  getBitmap() {
    return this.model.slice();
  }

  /**
   * The polygons the mask is exactly made of (frame px, filled non-zero), when it was made only by the polygon and
   * lasso tools since it was last empty; otherwise null.
   */
  getPolygons() {
    let list = this.baseOps ? this.baseOps.slice() : null;
    for (let i = 0; i < this.index; i++) {
      const op = this.entries[i].op;
      if (op.type === 'clear') list = [];
      else if (op.type === 'polygon') { if (list) list.push(op.points); }
      else list = null;
    }
    return list && list.length ? list : null;
  }

  /** PNG of the frame's size: white repaint, black keep (anti-aliased edges grey). */
  async toPngBlob() {
    const { width, height } = this;
    const data = new ImageData(width, height);
    const px = data.data;
    const m = this.model;
    for (let i = 0, j = 0; i < m.length; i++, j += 4) {
      const v = m[i];
      px[j] = v; px[j + 1] = v; px[j + 2] = v; px[j + 3] = 255;
    }
    if (typeof OffscreenCanvas === 'function') {
      const c = new OffscreenCanvas(width, height);
      c.getContext('2d').putImageData(data, 0, 0);
      return c.convertToBlob({ type: 'image/png' });
    }
    const c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    c.getContext('2d').putImageData(data, 0, 0);
    return new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  }

  /** Frees the canvas memory. */
  destroy() {
    this._stroke = null;
    this.entries = [];
    if (this.canvas) {
      this.canvas.width = this.canvas.height = 0;
      this.canvas.remove();
    }
  }

  // ----- internals ---------------------------------------------------------------------------------------------

  /** Rasterises an anti-aliased capsule (segment a-b, radius r) into the model, saving the tiles it touches. */
  _capsule(ax, ay, bx, by, r, erase) {
    const R = r + 0.5;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - R));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - R));
    const x1 = Math.min(this.width - 1, Math.ceil(Math.max(ax, bx) + R));
    const y1 = Math.min(this.height - 1, Math.ceil(Math.max(ay, by) + R));
    if (x1 < x0 || y1 < y0) return;
    this._touch(x0, y0, x1, y1);
    const m = this.model;
    const w = this.width;
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const inv = len2 > 0 ? 1 / len2 : 0;
    const inner = r > 0.5 ? (r - 0.5) * (r - 0.5) : -1;
    const outer = R * R;
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5 - ay;
      const row = y * w;
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5 - ax;
        let t = (px * dx + py * dy) * inv;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const qx = px - t * dx, qy = py - t * dy;
        const d2 = qx * qx + qy * qy;
        if (d2 >= outer) continue;
        const i = row + x;
        if (erase) {
          if (d2 <= inner) m[i] = 0;
          else {
            const cov = R - Math.sqrt(d2);
            m[i] = Math.round(m[i] * (1 - (cov > 1 ? 1 : cov)));
          }
        } else if (d2 <= inner) {
          m[i] = 255;
        } else {
          const cov = R - Math.sqrt(d2);
          const v = Math.round(255 * (cov > 1 ? 1 : cov));
          if (v > m[i]) m[i] = v;
        }
      }
    }
  }

  /** Saves (once per step) the tiles covering pixels x0..x1, y0..y1 inclusive; `nonEmptyOnly` skips blank tiles. */
  _touch(x0, y0, x1, y1, nonEmptyOnly = false) {
    const saved = this._saved;
    if (!saved) return;
    const tx0 = Math.floor(x0 / TILE), tx1 = Math.floor(x1 / TILE);
    const ty0 = Math.floor(y0 / TILE), ty1 = Math.floor(y1 / TILE);
    for (let ty = ty0; ty <= ty1; ty++) {
      for (let tx = tx0; tx <= tx1; tx++) {
        const t = ty * this.tilesX + tx;
        if (saved.has(t)) continue;
        const copy = this._readTile(t);
        if (nonEmptyOnly && copy.every((v) => v === 0)) continue;
        saved.set(t, copy);
      }
    }
  }

  _tileRect(t) {
    const tx = t % this.tilesX, ty = (t - tx) / this.tilesX;
    const x = tx * TILE, y = ty * TILE;
    return { x, y, width: Math.min(TILE, this.width - x), height: Math.min(TILE, this.height - y) };
  }

  _readTile(t) {
    const r = this._tileRect(t);
    const out = new Uint8Array(r.width * r.height);
    for (let y = 0; y < r.height; y++) {
      const from = (r.y + y) * this.width + r.x;
      out.set(this.model.subarray(from, from + r.width), y * r.width);
    }
    return out;
  }

  /** Writes a tile's values into the model and onto the canvas (values null: zeros). */
  _restoreTile(t, values) {
    const r = this._tileRect(t);
    for (let y = 0; y < r.height; y++) {
      const at = (r.y + y) * this.width + r.x;
      if (values) this.model.set(values.subarray(y * r.width, (y + 1) * r.width), at);
      else this.model.fill(0, at, at + r.width);
    }
    this._paintTile(t);
  }

  /** Copies a tile of the model onto the canvas. */
  _paintTile(t) {
    if (!this.ctx) return;
    const r = this._tileRect(t);
    const image = new ImageData(r.width, r.height);
    const px = image.data;
    const [cr, cg, cb] = MASK_RGB;
    for (let y = 0, j = 0; y < r.height; y++) {
      const row = (r.y + y) * this.width + r.x;
      for (let x = 0; x < r.width; x++, j += 4) {
        px[j] = cr; px[j + 1] = cg; px[j + 2] = cb; px[j + 3] = this.model[row + x];
      }
    }
    this.ctx.putImageData(image, r.x, r.y);
  }

  /** Records the step whose tiles were saved in this._saved; false (and nothing recorded) when nothing changed. */
  _commit(op) {
    const saved = this._saved;
    this._saved = null;
    if (!saved || saved.size === 0) return false;
    const tiles = [];
    let painted = false;
    for (const [t, before] of saved) {
      const after = this._readTile(t);
      let same = true;
      for (let i = 0; i < after.length; i++) {
        if (after[i] !== before[i]) { same = false; break; }
      }
      if (same) continue;
      if (!painted) for (let i = 0; i < after.length; i++) if (after[i] !== 0) { painted = true; break; }
      tiles.push({ t, before, after: op.type === 'clear' ? null : after });
    }
    if (tiles.length === 0) return false;
    this._push({ tiles, op });
    if (op.type === 'clear') this._empty = true;
    else if (painted && op.type !== 'erase') this._empty = false;
    else this._empty = null;
    this.version++;
    return true;
  }

  _push(entry) {
    // A new step drops the redo entries.
    for (let i = this.index; i < this.entries.length; i++) this._bytes -= entryBytes(this.entries[i]);
    this.entries.length = this.index;
    this.entries.push(entry);
    this._bytes += entryBytes(entry);
    this.index = this.entries.length;
    while (this.entries.length > 1 && (this.entries.length > HISTORY_MAX_ENTRIES || this._bytes > HISTORY_MAX_BYTES)) {
      const old = this.entries.shift();
      this._bytes -= entryBytes(old);
      this.index--;
      if (old.op.type === 'clear') this.baseOps = [];
      else if (old.op.type === 'polygon') { if (this.baseOps) this.baseOps.push(old.op.points); }
      else this.baseOps = null;
    }
  }
}

function entryBytes(e) {
  let n = e.op.points ? e.op.points.length * 8 : 0;
  for (const t of e.tiles) n += t.before.length + (t.after ? t.after.length : 0) + 32;
  return n;
}
