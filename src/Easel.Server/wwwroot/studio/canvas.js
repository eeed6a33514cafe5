// The canvas editor: place a source image on a canvas (img_pos), paint a mask (brush, eraser, polygon, lasso),
// zoom and pan. Plain DOM: a stage of stacked layers under one CSS transform (the view), so zooming and panning
// cost no redraw; strokes are drawn incrementally on the mask layer once per animation frame.

import {
  checkCanvasSize, viewToCanvas, canvasToView, zoomViewAt, fitView, fitPlacement, normalizePlacement,
  placementAfterDrag, placementAfterCornerDrag, keepOverlapping, hitPlacement, maskEncoding, simplifyPolyline,
  ZOOM_MIN, ZOOM_MAX,
} from './geometry.js';
import { MaskLayer } from './mask.js';

export const SHORTCUTS = [
  { keys: 'B', action: 'Brush' },
  { keys: 'E', action: 'Eraser' },
  { keys: 'P', action: 'Polygon (click points; click the first point, double-click or Enter to close; Esc cancels, Backspace removes the last point)' },
  { keys: 'L', action: 'Lasso (drag a closed shape)' },
  { keys: 'V', action: 'Move the image (drag; corners scale it; arrows nudge, Shift for 10 px)' },
  { keys: '[ / ]', action: 'Smaller / larger brush' },
  { keys: 'Alt + draw', action: 'Polygon or lasso removes from the mask' },
  { keys: 'Ctrl+Z', action: 'Undo' },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', action: 'Redo' },
  { keys: 'H', action: 'Show / hide the mask' },
  { keys: 'O (hold)', action: 'See the original' },
  { keys: '0', action: 'Fit the canvas in view' },
  { keys: '+ / -', action: 'Zoom in / out' },
  { keys: 'Wheel', action: 'Zoom around the pointer' },
  { keys: 'Space+drag / middle-drag', action: 'Pan' },
];

const MODES = ['placement', 'mask-on-canvas', 'mask-on-source'];
const TOOLS = ['move', 'brush', 'eraser', 'polygon', 'lasso'];
const BRUSH_MIN = 1;
const BRUSH_MAX = 1024;
const HANDLE_PX = 10;        // corner handles, view px
const CLOSE_PX = 10;         // polygon closes when clicked this near its first point, view px
const STATS_KEEP = 240;
const FIT_MAX_ZOOM = 4;

const TEXT_INPUT_TYPES = new Set(['', 'text', 'search', 'email', 'url', 'password', 'number', 'tel', 'date',
  'datetime-local', 'month', 'time', 'week']);

function isTextInput(el) {
  if (!el) return false;
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName === 'INPUT') return TEXT_INPUT_TYPES.has((el.getAttribute('type') || '').toLowerCase());
  return false;
}

function el(tag, className) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  return e;
}

function percentile(values, p) {
  if (values.length === 0) return 0;
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export class CanvasEditor extends EventTarget {
  /** @param {HTMLElement} container an empty element the editor fills */
  constructor(container) {
    super();
    if (!container) throw new TypeError('CanvasEditor needs a container element');
    this.container = container;
    this._mode = 'mask-on-canvas';
    this._tool = 'brush';
    this._brush = 40;
    this._maskVisible = true;
    this._showOriginal = false;
    this._canvasSize = { width: 1024, height: 1024 };
    this._source = null;             // {width, height}
    this._sourceUrl = null;          // an object URL we own, or null
    this._sourceToken = 0;
    this._placement = { width: 1024, height: 1024, x: 0, y: 0 };
    this._view = { zoom: 1, x: 0, y: 0 };
    this._autoFit = true;            // refit on resize until the user zooms or pans
    this._masks = { canvas: null, source: null };
    this._drag = null;               // the current pointer gesture
    this._polygon = null;            // [x, y, ...] canvas px, the polygon being drawn
    this._lasso = null;
    this._pointer = null;            // last pointer position, view px
    this._spaceHeld = false;
    this._altHeld = false;
    this._raf = 0;
    this._overlayDirty = true;
    this._lastFrameStart = 0;
    this._encodingCache = null;
    this.stats = { frameTimes: [], frameIntervals: [], strokes: 0, lastStrokeFrames: 0 };

    this._build();
    this._listen();
    this._applyCanvasSize();
    this._applyPlacement();
    this.fit();
  }

  // ===== public API ================================================================================================

  /** The image to place: a Blob/File or a same-origin URL. Resets the placement to fit the canvas, centred. */
  async setSource(blobOrUrl) {
    const token = ++this._sourceToken;
    const owned = typeof Blob !== 'undefined' && blobOrUrl instanceof Blob;
    const url = owned ? URL.createObjectURL(blobOrUrl) : String(blobOrUrl);
    const img = new Image();
    img.decoding = 'async';
    img.alt = '';
    img.draggable = false;
    img.src = url;
    try {
      await img.decode();
    } catch {
      if (owned) URL.revokeObjectURL(url);
      if (token === this._sourceToken) throw new Error('the image could not be loaded or decoded');
      return;
    }
    if (token !== this._sourceToken || this._destroyed) {
      if (owned) URL.revokeObjectURL(url);
      return;
    }
    if (this._sourceUrl) URL.revokeObjectURL(this._sourceUrl);
    this._sourceUrl = owned ? url : null;
    img.className = 'ce-source';
    this._img.replaceWith(img);
    this._img = img;
    const size = { width: img.naturalWidth, height: img.naturalHeight };
    const sameSize = this._source && this._source.width === size.width && this._source.height === size.height;
    this._source = size;
    if (!sameSize && this._masks.source) {
      this._masks.source.destroy();
      this._masks.source = null;
    }
    this._placement = fitPlacement(size, this._canvasSize);
    this._applyCanvasSize();
    this._applyPlacement();
    this.fit();
    this._changed('source');
  }

  /** Canvas size for upload-paint and edit: 1..4096 a side, at most 16 Mpx (RangeError otherwise). */
  setCanvasSize(width, height) {
    checkCanvasSize(width, height);
    if (width === this._canvasSize.width && height === this._canvasSize.height) return;
    this._canvasSize = { width, height };
    if (this._masks.canvas) {
      this._masks.canvas.destroy();
      this._masks.canvas = null;
    }
    this._placement = this._source ? fitPlacement(this._source, this._canvasSize) : { width, height, x: 0, y: 0 };
    this._applyCanvasSize();
    this._applyPlacement();
    this.fit();
    this._changed('size');
  }

  /** {width, height} of the mask's target: the canvas, or the source image in 'mask-on-source' mode. */
  getCanvasSize() {
    return { ...this._target() };
  }

  getSourceSize() {
    return this._source ? { ...this._source } : null;
  }

  /** img_pos: the source scaled to width x height, top-left at (x, y) in canvas px (integers; x, y may be negative). */
  setPlacement(placement) {
    const p = normalizePlacement(placement);
    this._placement = p;
    this._applyPlacement();
    this._changed('placement');
  }

  getPlacement() {
    if (this._mode === 'mask-on-source' && this._source) return { width: this._source.width, height: this._source.height, x: 0, y: 0 };
    return { ...this._placement };
  }

  /**
   * 'placement': move and scale the image (the mask is kept but not editable); 'mask-on-canvas': the same, and
   * paint the mask in the canvas frame (upload-paint, edit); 'mask-on-source': the canvas is the source image,
   * the mask is in its frame (inpaint). Each frame keeps its own mask.
   */
  setMode(mode) {
    if (!MODES.includes(mode)) throw new RangeError(`mode must be one of ${MODES.join(', ')}`);
    if (mode === this._mode) return;
    this._endGesture(true);
    this._polygon = this._lasso = null;
    this._mode = mode;
    this.container.dataset.mode = mode;
    this._applyCanvasSize();
    this._applyPlacement();
    this.fit();
    this._emitTool();
    this._changed('mode');
  }

  getMode() {
    return this._mode;
  }

  setTool(tool) {
    if (!TOOLS.includes(tool)) throw new RangeError(`tool must be one of ${TOOLS.join(', ')}`);
    if (tool === this._tool) return;
    this._endGesture(false);
    this._polygon = this._lasso = null;
    this._tool = tool;
    this._emitTool();
  }

  /** The tool in effect ('move' in 'placement' mode, whatever was chosen). */
  getTool() {
    return this._mode === 'placement' ? 'move' : this._tool;
  }

  /** Brush diameter in target px. */
  setBrushSize(px) {
    const v = Math.round(Math.min(BRUSH_MAX, Math.max(BRUSH_MIN, Number(px) || BRUSH_MIN)));
    if (v === this._brush) return;
    this._brush = v;
    this._overlayDirty = true;
    this._schedule();
    this.dispatchEvent(new CustomEvent('brush', { detail: { size: v } }));
  }

  getBrushSize() {
    return this._brush;
  }

  undo() {
    this._cancelDrawing();
    if (this._mask(false)?.undo()) this._changed('mask');
  }

  redo() {
    this._cancelDrawing();
    if (this._mask(false)?.redo()) this._changed('mask');
  }

  canUndo() {
    return !!this._mask(false)?.canUndo();
  }

  canRedo() {
    return !!this._mask(false)?.canRedo();
  }

  clearMask() {
    this._cancelDrawing();
    if (this._mask(false)?.clear()) this._changed('mask');
  }

  setMaskVisible(visible) {
    this._maskVisible = !!visible;
    this.container.classList.toggle('ce-mask-hidden', !this._maskVisible);
    this.dispatchEvent(new CustomEvent('view', { detail: this._viewDetail() }));
  }

  isMaskVisible() {
    return this._maskVisible;
  }

  /** While true, the source is shown without the mask overlay. */
  setShowOriginal(on) {
    this._showOriginal = !!on;
    this.container.classList.toggle('ce-original', this._showOriginal);
  }

  /** View zoom (1 = one canvas px per CSS px) around `at` (viewport px; default its centre). Never changes img_pos. */
  zoomTo(scale, at) {
    const z = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, Number(scale) || 1));
    const point = at ?? { x: this._viewport.clientWidth / 2, y: this._viewport.clientHeight / 2 };
    this._view = zoomViewAt(this._view, z, point);
    this._autoFit = false;
    this._applyView();
  }

  getZoom() {
    return this._view.zoom;
  }

  /** The view {zoom, x, y}: viewport px = canvas px * zoom + (x, y). */
  getView() {
    return { ...this._view };
  }

  /** Shows the whole target centred in the viewport. */
  fit() {
    const vp = { width: this._viewport.clientWidth || 800, height: this._viewport.clientHeight || 600 };
    this._view = fitView(this._target(), vp, { margin: 24, maxZoom: FIT_MAX_ZOOM });
    this._autoFit = true;
    this._applyView();
  }

  hasMask() {
    const m = this._mask(false);
    return !!m && !m.isEmpty();
  }

  /**
   * The mask as the API's areas, {areas: [{width, height, points}]}, or null when it is empty or cannot be expressed
   * within the limits (then send getMaskPng(); getMaskEncoding() says why). options: see geometry.js MASK_DEFAULTS.
   */
  getMaskAreas(options = {}) {
    const e = this.getMaskEncoding(options);
    return e.kind === 'areas' ? { areas: e.areas } : null;
  }

  /** {kind: 'empty'} | {kind: 'areas', areas, frame, exact, tolerance} | {kind: 'png', reason}. */
  getMaskEncoding(options = {}) {
    const m = this._mask(false);
    if (!m || m.isEmpty()) return { kind: 'empty' };
    const key = `${this._mode === 'mask-on-source' ? 's' : 'c'}:${m.version}:${JSON.stringify(options)}`;
    if (this._encodingCache && this._encodingCache.key === key && this._encodingCache.mask === m) return this._encodingCache.value;
    const value = maskEncoding({ bitmap: m.getBitmap(), width: m.width, height: m.height, polygons: m.getPolygons() }, options);
    this._encodingCache = { key, mask: m, value };
    return value;
  }

  /** The committed mask, one byte per target pixel (0 keep .. 255 repaint), or null when there is none. */
  getMaskBitmap() {
    const m = this._mask(false);
    return m ? m.getBitmap() : null;
  }

  /** PNG of the target's size: white repaint, black keep. */
  async getMaskPng() {
    return this._mask(true).toPngBlob();
  }

  /** Frame statistics of the strokes drawn so far (also sent with each 'stats' event). */
  getStats() {
    const t = this.stats.frameTimes;
    const i = this.stats.frameIntervals;
    return {
      frames: t.length,
      strokes: this.stats.strokes,
      workP50: percentile(t, 50),
      workP95: percentile(t, 95),
      workMax: t.length ? Math.max(...t) : 0,
      intervalP50: percentile(i, 50),
      intervalP95: percentile(i, 95),
      frameTimes: t.slice(),
      frameIntervals: i.slice(),
    };
  }

  destroy() {
    if (this._destroyed) return;
    this._destroyed = true;
    this._sourceToken++;
    cancelAnimationFrame(this._raf);
    for (const [target, type, fn, opts] of this._listeners) target.removeEventListener(type, fn, opts);
    this._listeners = [];
    this._resizeObserver?.disconnect();
    if (this._sourceUrl) URL.revokeObjectURL(this._sourceUrl);
    this._sourceUrl = null;
    this._masks.canvas?.destroy();
    this._masks.source?.destroy();
    this._masks = { canvas: null, source: null };
    this.container.replaceChildren();
    this.container.classList.remove('ce-root', 'ce-mask-hidden', 'ce-original', 'ce-panning', 'ce-space');
    delete this.container.dataset.mode;
    delete this.container.dataset.tool;
  }

  // ===== DOM =======================================================================================================

  _build() {
    const c = this.container;
    c.replaceChildren();
    c.classList.add('ce-root');
    if (!c.hasAttribute('tabindex')) c.tabIndex = 0;
    if (!c.hasAttribute('role')) c.setAttribute('role', 'application');
    if (!c.hasAttribute('aria-label')) c.setAttribute('aria-label', 'Canvas editor: place the image and paint the mask');
    c.dataset.mode = this._mode;
    c.dataset.tool = this._tool;

    this._viewport = el('div', 'ce-viewport');
    this._stage = el('div', 'ce-stage');
    this._board = el('div', 'ce-board');
    this._img = el('img', 'ce-source');
    this._img.alt = '';
    this._frameEl = el('div', 'ce-frame');
    this._maskSlot = el('div', 'ce-mask-slot');
    this._stage.append(this._board, this._img, this._frameEl, this._maskSlot);
    this._overlay = el('canvas', 'ce-overlay');
    this._zoomLabel = el('div', 'ce-zoom');
    this._zoomLabel.setAttribute('aria-live', 'polite');
    this._viewport.append(this._stage, this._overlay, this._zoomLabel);
    c.append(this._viewport);
  }

  _listen() {
    this._listeners = [];
    const on = (target, type, fn, opts) => {
      const bound = fn.bind(this);
      target.addEventListener(type, bound, opts);
      this._listeners.push([target, type, bound, opts]);
    };
    on(this._viewport, 'pointerdown', this._onPointerDown);
    on(this._viewport, 'pointermove', this._onPointerMove);
    on(this._viewport, 'pointerup', this._onPointerUp);
    on(this._viewport, 'pointercancel', this._onPointerCancel);
    on(this._viewport, 'pointerleave', this._onPointerLeave);
    on(this._viewport, 'wheel', this._onWheel, { passive: false });
    on(this._viewport, 'dblclick', this._onDoubleClick);
    on(this._viewport, 'contextmenu', (e) => e.preventDefault());
    on(document, 'keydown', this._onKeyDown);
    on(document, 'keyup', this._onKeyUp);
    on(window, 'blur', this._onBlur);
    if (typeof ResizeObserver === 'function') {
      this._resizeObserver = new ResizeObserver(() => this._onResize());
      this._resizeObserver.observe(this._viewport);
    }
  }

  _onResize() {
    const dpr = window.devicePixelRatio || 1;
    const w = this._viewport.clientWidth, h = this._viewport.clientHeight;
    this._overlay.width = Math.max(1, Math.round(w * dpr));
    this._overlay.height = Math.max(1, Math.round(h * dpr));
    this._overlay.style.width = `${w}px`;
    this._overlay.style.height = `${h}px`;
    if (this._autoFit) this.fit();
    this._overlayDirty = true;
    this._schedule();
  }

  /** The target frame: the canvas, or the source in 'mask-on-source' mode. */
  _target() {
    if (this._mode === 'mask-on-source') return this._source ? this._source : this._canvasSize;
    return this._canvasSize;
  }

  /** The mask of the current frame (created when `create`, or when it exists). */
  _mask(create) {
    const key = this._mode === 'mask-on-source' ? 'source' : 'canvas';
    if (key === 'source' && !this._source) return null;
    let m = this._masks[key];
    if (!m && create) {
      const t = this._target();
      m = new MaskLayer(t.width, t.height);
      this._masks[key] = m;
      this._mountMask();
    }
    return m;
  }

  _mountMask() {
    const key = this._mode === 'mask-on-source' ? 'source' : 'canvas';
    const m = this._masks[key];
    this._maskSlot.replaceChildren(...(m ? [m.canvas] : []));
    if (m) {
      m.canvas.style.width = `${m.width}px`;
      m.canvas.style.height = `${m.height}px`;
    }
  }

  _applyCanvasSize() {
    const t = this._target();
    for (const e of [this._stage, this._board, this._frameEl, this._maskSlot]) {
      e.style.width = `${t.width}px`;
      e.style.height = `${t.height}px`;
    }
    this._mountMask();
    this._overlayDirty = true;
    this._schedule();
  }

  _applyPlacement() {
    const p = this.getPlacement();
    const s = this._img.style;
    s.left = `${p.x}px`;
    s.top = `${p.y}px`;
    s.width = `${p.width}px`;
    s.height = `${p.height}px`;
    this._overlayDirty = true;
    this._schedule();
  }

  _applyView() {
    const { zoom, x, y } = this._view;
    this._stage.style.transform = `translate(${x}px, ${y}px) scale(${zoom})`;
    this.container.classList.toggle('ce-zoomed-in', zoom >= 2);
    this._zoomLabel.textContent = `${Math.round(zoom * 100)}%`;
    this._overlayDirty = true;
    this._schedule();
    this.dispatchEvent(new CustomEvent('view', { detail: this._viewDetail() }));
  }

  _viewDetail() {
    return { zoom: this._view.zoom, x: this._view.x, y: this._view.y, maskVisible: this._maskVisible };
  }

  _emitTool() {
    this.container.dataset.tool = this.getTool();
    this._overlayDirty = true;
    this._schedule();
    // `tool` is the tool in effect; `chosen` the last one set (they differ in 'placement' mode, where only move works).
    this.dispatchEvent(new CustomEvent('tool', { detail: { tool: this.getTool(), chosen: this._tool, mode: this._mode } }));
  }

  _changed(reason) {
    this._overlayDirty = true;
    this._schedule();
    this.dispatchEvent(new CustomEvent('change', { detail: { reason } }));
  }

  // ===== pointer ===================================================================================================

  _viewPoint(e) {
    const r = this._viewport.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  _canvasPoint(e) {
    return viewToCanvas(this._viewPoint(e), this._view);
  }

  _placementEditable() {
    return this._mode !== 'mask-on-source' && !!this._source;
  }

  _maskEditable() {
    return this._mode !== 'placement' && (this._mode === 'mask-on-canvas' || !!this._source);
  }

  _hitHandle(viewPoint) {
    if (!this._placementEditable()) return null;
    const p = this._placement;
    const corners = {
      nw: { x: p.x, y: p.y }, ne: { x: p.x + p.width, y: p.y },
      se: { x: p.x + p.width, y: p.y + p.height }, sw: { x: p.x, y: p.y + p.height },
    };
    for (const [name, c] of Object.entries(corners)) {
      const v = canvasToView(c, this._view);
      if (Math.abs(v.x - viewPoint.x) <= HANDLE_PX && Math.abs(v.y - viewPoint.y) <= HANDLE_PX) return name;
    }
    return null;
  }

  _onPointerDown(e) {
    if (this._drag) return;
    this.container.focus({ preventScroll: true });
    const vp = this._viewPoint(e);
    this._pointer = vp;
    const tool = this.getTool();
    let drag = null;
    if (e.button === 1 || (e.button === 0 && this._spaceHeld)) {
      drag = { type: 'pan', start: vp, view: { ...this._view } };
    } else if (e.button === 2) {
      // Right click: cancel a polygon in progress.
      if (this._polygon) { this._polygon = null; this._overlayDirty = true; this._schedule(); }
      return;
    } else if (e.button !== 0) {
      return;
    } else if (tool === 'move') {
      const handle = this._hitHandle(vp);
      const cp = viewToCanvas(vp, this._view);
      if (handle) drag = { type: 'scale', corner: handle, placement: { ...this._placement } };
      else if (this._placementEditable() && hitPlacement(this._placement, cp)) drag = { type: 'move', start: cp, placement: { ...this._placement } };
      else drag = { type: 'pan', start: vp, view: { ...this._view } };
    } else if (!this._maskEditable()) {
      return;
    } else if (tool === 'brush' || tool === 'eraser') {
      const m = this._mask(true);
      m.beginStroke(tool === 'eraser' ? 'erase' : 'paint', this._brush, viewToCanvas(vp, this._view));
      drag = { type: 'stroke', frames: 0 };
      this._lastFrameStart = 0;
    } else if (tool === 'lasso') {
      const cp = viewToCanvas(vp, this._view);
      this._lasso = [cp.x, cp.y];
      drag = { type: 'lasso', erase: e.altKey };
    } else if (tool === 'polygon') {
      this._polygonClick(vp, e);
      return;
    }
    if (!drag) return;
    e.preventDefault();
    drag.pointerId = e.pointerId;
    this._drag = drag;
    this.container.classList.toggle('ce-panning', drag.type === 'pan');
    try { this._viewport.setPointerCapture(e.pointerId); } catch { /* not capturable */ }
    this._schedule();
  }

  _polygonClick(vp, e) {
    e.preventDefault();
    const cp = viewToCanvas(vp, this._view);
    if (!this._polygon) {
      this._polygon = [cp.x, cp.y];
      this._polygonErase = e.altKey;
    } else {
      const first = canvasToView({ x: this._polygon[0], y: this._polygon[1] }, this._view);
      const n = this._polygon.length;
      const last = canvasToView({ x: this._polygon[n - 2], y: this._polygon[n - 1] }, this._view);
      if (n >= 6 && Math.hypot(first.x - vp.x, first.y - vp.y) <= CLOSE_PX) {
        this._closePolygon();
        return;
      }
      if (e.detail >= 2 && n >= 6) {
        this._closePolygon();
        return;
      }
      if (Math.hypot(last.x - vp.x, last.y - vp.y) > 2) this._polygon.push(cp.x, cp.y);
    }
    this._overlayDirty = true;
    this._schedule();
  }

  _onDoubleClick(e) {
    if (this.getTool() === 'polygon' && this._polygon && this._polygon.length >= 6) {
      e.preventDefault();
      this._closePolygon();
    }
  }

  _closePolygon() {
    const pts = this._polygon;
    this._polygon = null;
    this._overlayDirty = true;
    this._schedule();
    if (!pts || pts.length < 6) return;
    const m = this._mask(true);
    const rounded = pts.map((v) => Math.round(v));
    if (m.fillPolygon(rounded, { erase: this._polygonErase, tool: 'polygon' })) this._changed('mask');
  }

  _onPointerMove(e) {
    const vp = this._viewPoint(e);
    this._pointer = vp;
    const d = this._drag;
    if (!d) {
      const tool = this.getTool();
      if (tool === 'move') {
        const h = this._hitHandle(vp);
        this._viewport.dataset.hover = h ? `handle-${h}` : (this._placementEditable() && hitPlacement(this._placement, viewToCanvas(vp, this._view)) ? 'image' : '');
      }
      this._overlayDirty = true;
      this._schedule();
      return;
    }
    if (e.pointerId !== d.pointerId) return;
    if (d.type === 'stroke') {
      const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
      const list = events.length ? events : [e];
      const r = this._viewport.getBoundingClientRect();
      const pts = list.map((ev) => viewToCanvas({ x: ev.clientX - r.left, y: ev.clientY - r.top }, this._view));
      this._mask(true).extendStroke(pts);
    } else if (d.type === 'lasso') {
      const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
      const list = events.length ? events : [e];
      const r = this._viewport.getBoundingClientRect();
      const minStep = 1.5 / this._view.zoom;
      for (const ev of list) {
        const cp = viewToCanvas({ x: ev.clientX - r.left, y: ev.clientY - r.top }, this._view);
        const n = this._lasso.length;
        if (Math.hypot(cp.x - this._lasso[n - 2], cp.y - this._lasso[n - 1]) >= minStep) this._lasso.push(cp.x, cp.y);
      }
    } else if (d.type === 'pan') {
      this._view = { ...d.view, x: d.view.x + vp.x - d.start.x, y: d.view.y + vp.y - d.start.y };
      this._autoFit = false;
      d.viewDirty = true;
    } else if (d.type === 'move') {
      const cp = viewToCanvas(vp, this._view);
      const next = keepOverlapping(placementAfterDrag(d.placement, cp.x - d.start.x, cp.y - d.start.y), this._canvasSize);
      d.next = next;
    } else if (d.type === 'scale') {
      d.next = placementAfterCornerDrag(d.placement, d.corner, viewToCanvas(vp, this._view));
    }
    this._overlayDirty = true;
    this._schedule();
  }

  _onPointerUp(e) {
    if (!this._drag || e.pointerId !== this._drag.pointerId) return;
    this._endGesture(false);
  }

  _onPointerCancel(e) {
    if (!this._drag || e.pointerId !== this._drag.pointerId) return;
    this._endGesture(true);
  }

  _onPointerLeave() {
    if (!this._drag) {
      this._pointer = null;
      this._overlayDirty = true;
      this._schedule();
    }
  }

  /** Finishes (or cancels) the current pointer gesture. */
  _endGesture(cancel) {
    const d = this._drag;
    if (!d) return;
    this._drag = null;
    this.container.classList.remove('ce-panning');
    try { this._viewport.releasePointerCapture(d.pointerId); } catch { /* released */ }
    if (d.type === 'stroke') {
      const m = this._mask(false);
      if (!m) return;
      if (cancel) { m.cancelStroke(); return; }
      const t0 = performance.now();
      const changed = m.endStroke();
      this._record(performance.now() - t0, null);
      this.stats.strokes++;
      this.stats.lastStrokeFrames = d.frames;
      this.dispatchEvent(new CustomEvent('stats', { detail: this.getStats() }));
      if (changed) this._changed('mask');
    } else if (d.type === 'lasso') {
      const pts = this._lasso;
      this._lasso = null;
      this._overlayDirty = true;
      this._schedule();
      if (cancel || !pts || pts.length < 6) return;
      const simplified = simplifyPolyline(pts, 0.35).map((v) => Math.round(v * 100) / 100);
      if (simplified.length >= 6 && this._mask(true).fillPolygon(simplified, { erase: d.erase, tool: 'lasso' })) this._changed('mask');
    } else if (d.type === 'move' || d.type === 'scale') {
      if (!cancel && d.next) {
        this._placement = d.next;
        this._applyPlacement();
        this._changed('placement');
      } else {
        this._placement = d.placement;
        this._applyPlacement();
      }
    } else if (d.type === 'pan') {
      this._applyView();
    }
  }

  _cancelDrawing() {
    if (this._drag && this._drag.type === 'stroke') this._endGesture(true);
    this._polygon = null;
    this._lasso = null;
    this._overlayDirty = true;
    this._schedule();
  }

  _onWheel(e) {
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    const dy = e.deltaY * unit;
    const k = e.ctrlKey ? 0.01 : 0.0015;
    const factor = Math.exp(-dy * k);
    this.zoomTo(this._view.zoom * factor, this._viewPoint(e));
  }

  // ===== keyboard ==================================================================================================

  _keysApply(e) {
    if (e.defaultPrevented || this._destroyed) return false;
    if (!this.container.isConnected || this.container.getClientRects().length === 0) return false;
    const active = document.activeElement;
    const inEditor = active && this.container.contains(active);
    if (!inEditor && isTextInput(active)) return false;
    return true;
  }

  _onKeyDown(e) {
    if (!this._keysApply(e)) return;
    const key = e.key;
    const ctrl = e.ctrlKey || e.metaKey;
    this._altHeld = e.altKey;
    if (ctrl && !e.altKey) {
      const k = key.toLowerCase();
      if (k === 'z' && !e.shiftKey) { e.preventDefault(); this.undo(); }
      else if ((k === 'z' && e.shiftKey) || k === 'y') { e.preventDefault(); this.redo(); }
      return;
    }
    if (e.altKey && key !== 'Alt') return;
    if (key === ' ') {
      // Space pans while held; keep the page from scrolling.
      if (!e.repeat) { this._spaceHeld = true; this.container.classList.add('ce-space'); }
      e.preventDefault();
      return;
    }
    const tools = { b: 'brush', e: 'eraser', p: 'polygon', l: 'lasso', v: 'move' };
    const lower = key.length === 1 ? key.toLowerCase() : key;
    if (tools[lower] && !e.shiftKey) { e.preventDefault(); this.setTool(tools[lower]); return; }
    switch (lower) {
      case '[': e.preventDefault(); this.setBrushSize(this._brush <= 10 ? this._brush - 1 : this._brush / 1.2); return;
      case ']': e.preventDefault(); this.setBrushSize(this._brush < 10 ? this._brush + 1 : this._brush * 1.2); return;
      case 'h': e.preventDefault(); this.setMaskVisible(!this._maskVisible); return;
      case 'o': e.preventDefault(); if (!e.repeat) this.setShowOriginal(true); return;
      case '0': e.preventDefault(); this.fit(); return;
      case '+': case '=': e.preventDefault(); this.zoomTo(this._view.zoom * 1.25); return;
      case '-': case '_': e.preventDefault(); this.zoomTo(this._view.zoom / 1.25); return;
      case 'Enter':
        if (this._polygon) { e.preventDefault(); this._closePolygon(); }
        return;
      case 'Escape':
        if (this._polygon || this._lasso || this._drag) {
          e.preventDefault();
          this._endGesture(true);
          this._polygon = this._lasso = null;
          this._overlayDirty = true;
          this._schedule();
        }
        return;
      case 'Backspace':
        if (this._polygon) {
          e.preventDefault();
          this._polygon.length -= 2;
          if (this._polygon.length < 2) this._polygon = null;
          this._overlayDirty = true;
          this._schedule();
        }
        return;
      case 'ArrowLeft': case 'ArrowRight': case 'ArrowUp': case 'ArrowDown': {
        if (this.getTool() !== 'move' || !this._placementEditable() || this._drag) return;
        const step = e.shiftKey ? 10 : 1;
        const dx = key === 'ArrowLeft' ? -step : key === 'ArrowRight' ? step : 0;
        const dy = key === 'ArrowUp' ? -step : key === 'ArrowDown' ? step : 0;
        e.preventDefault();
        this.setPlacement(keepOverlapping(placementAfterDrag(this._placement, dx, dy), this._canvasSize, 1));
        return;
      }
      default:
    }
  }

  _onKeyUp(e) {
    this._altHeld = e.altKey;
    if (e.key === ' ') {
      this._spaceHeld = false;
      this.container.classList.remove('ce-space');
    } else if (e.key === 'o' || e.key === 'O') {
      if (this._showOriginal) this.setShowOriginal(false);
    }
  }

  _onBlur() {
    this._spaceHeld = false;
    this.container.classList.remove('ce-space');
    if (this._showOriginal) this.setShowOriginal(false);
  }

  // ===== frames ====================================================================================================

  _schedule() {
    if (this._raf || this._destroyed) return;
    this._raf = requestAnimationFrame((t) => this._frame(t));
  }

  _frame(time) {
    this._raf = 0;
    const t0 = performance.now();
    const d = this._drag;
    let stroked = false;
    if (d && d.type === 'stroke') {
      stroked = this._mask(false)?.flush() ?? false;
      d.frames++;
    } else if (d && (d.type === 'move' || d.type === 'scale') && d.next) {
      const s = this._img.style;
      s.left = `${d.next.x}px`;
      s.top = `${d.next.y}px`;
      s.width = `${d.next.width}px`;
      s.height = `${d.next.height}px`;
    } else if (d && d.type === 'pan' && d.viewDirty) {
      d.viewDirty = false;
      const { zoom, x, y } = this._view;
      this._stage.style.transform = `translate(${x}px, ${y}px) scale(${zoom})`;
    }
    if (this._overlayDirty) {
      this._overlayDirty = false;
      this._drawOverlay();
    }
    if (d && d.type === 'stroke') {
      this._record(performance.now() - t0, this._lastFrameStart ? time - this._lastFrameStart : null);
      this._lastFrameStart = time;
      if (stroked && d.frames % 60 === 0) this.dispatchEvent(new CustomEvent('stats', { detail: this.getStats() }));
      // Keep frames coming while the stroke lasts, so the intervals measure the page's frame rate.
      this._schedule();
    }
  }

  _record(work, interval) {
    const s = this.stats;
    s.frameTimes.push(work);
    if (s.frameTimes.length > STATS_KEEP) s.frameTimes.shift();
    if (interval !== null) {
      s.frameIntervals.push(interval);
      if (s.frameIntervals.length > STATS_KEEP) s.frameIntervals.shift();
    }
  }

  _drawOverlay() {
    const cv = this._overlay;
    const ctx = cv.getContext('2d');
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, cv.width, cv.height);
    if (this._showOriginal) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const view = this._view;
    const tool = this.getTool();
    const toView = (x, y) => canvasToView({ x, y }, view);

    // The placement outline and its corner handles.
    if (tool === 'move' && this._placementEditable()) {
      const p = this._drag && this._drag.next ? this._drag.next : this._placement;
      const a = toView(p.x, p.y);
      const b = toView(p.x + p.width, p.y + p.height);
      ctx.lineWidth = 1;
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.setLineDash([6, 4]);
      ctx.strokeRect(Math.round(a.x) + 0.5, Math.round(a.y) + 0.5, Math.round(b.x - a.x), Math.round(b.y - a.y));
      ctx.setLineDash([]);
      ctx.fillStyle = '#ffffff';
      ctx.strokeStyle = '#1f6feb';
      for (const [x, y] of [[a.x, a.y], [b.x, a.y], [b.x, b.y], [a.x, b.y]]) {
        ctx.fillRect(x - HANDLE_PX / 2, y - HANDLE_PX / 2, HANDLE_PX, HANDLE_PX);
        ctx.strokeRect(x - HANDLE_PX / 2 + 0.5, y - HANDLE_PX / 2 + 0.5, HANDLE_PX - 1, HANDLE_PX - 1);
      }
    }

    // A polygon being drawn.
    if (this._polygon) {
      const pts = this._polygon;
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#ffd400';
      ctx.beginPath();
      for (let i = 0; i < pts.length; i += 2) {
        const v = toView(pts[i], pts[i + 1]);
        if (i === 0) ctx.moveTo(v.x, v.y); else ctx.lineTo(v.x, v.y);
      }
      if (this._pointer) ctx.lineTo(this._pointer.x, this._pointer.y);
      ctx.stroke();
      for (let i = 0; i < pts.length; i += 2) {
        const v = toView(pts[i], pts[i + 1]);
        ctx.fillStyle = i === 0 ? '#ffd400' : '#ffffff';
        ctx.fillRect(v.x - 3, v.y - 3, 6, 6);
      }
    }

    // A lasso being drawn.
    if (this._lasso && this._lasso.length >= 4) {
      const pts = this._lasso;
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#ffd400';
      ctx.setLineDash([5, 3]);
      ctx.beginPath();
      for (let i = 0; i < pts.length; i += 2) {
        const v = toView(pts[i], pts[i + 1]);
        if (i === 0) ctx.moveTo(v.x, v.y); else ctx.lineTo(v.x, v.y);
      }
      ctx.closePath();
      ctx.stroke();
      ctx.setLineDash([]);
    }

    // The brush outline under the pointer.
    if ((tool === 'brush' || tool === 'eraser') && this._pointer && this._maskEditable() && !this._spaceHeld) {
      const r = Math.max(1, (this._brush / 2) * view.zoom);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.arc(this._pointer.x, this._pointer.y, r, 0, Math.PI * 2);
      ctx.strokeStyle = 'rgba(0,0,0,0.8)';
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(this._pointer.x, this._pointer.y, r + 1, 0, Math.PI * 2);
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.stroke();
    }
  }
}
