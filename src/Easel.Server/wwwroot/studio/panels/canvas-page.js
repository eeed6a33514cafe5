// The canvas page: the source image (open, drop, paste, a result of this server), the canvas size, and the
// CanvasEditor (canvas.js) for placement (img_pos) and the mask. Gives the operation panel its context values.
import { h, notice, toast } from '../dom.js';
import { RATIOS, presetSize, checkCanvas, fitPlacement } from '../request.js';

const TOOLS = ['move', 'brush', 'eraser', 'polygon', 'lasso'];

export function mountCanvasPage(container, ctx) {
  let editor = null;
  let source = null; // {url, taskId?, imageNumber?, width, height}
  let config = { canvas: false, placement: false, mask: null, image: false };
  let surface = 'place'; // 'place' | 'mask' on a canvas operation

  const fileInput = h('input', { id: 'file-input', testid: 'file-input', type: 'file', accept: 'image/png,image/jpeg,image/webp,image/gif,image/avif,image/tiff', class: 'visually-hidden', onchange: () => fileInput.files[0] && openFile(fileInput.files[0]) });
  const info = h('p', { testid: 'source-info', class: 'muted source-info' }, 'No image yet: open, drop or paste one.');
  const urlInput = h('input', { id: 'source-url', testid: 'source-url', type: 'url', placeholder: 'or a result URL of this server', 'aria-label': 'Result URL' });
  const preset = h('select', { id: 'canvas-preset', testid: 'canvas-preset', 'aria-label': 'Aspect ratio', onchange: onPreset },
    RATIOS.map((r) => h('option', { value: r }, r)), h('option', { value: 'custom' }, 'custom'));
  const long = h('select', { testid: 'canvas-long', 'aria-label': 'Long side', onchange: onPreset },
    [512, 768, 1024, 1536, 2048, 4096].map((n) => h('option', { value: String(n), selected: n === 1024 }, `${n}`)));
  const width = h('input', { id: 'canvas-width', testid: 'canvas-width', type: 'number', min: '1', max: '4096', step: '1', value: '1024', 'aria-label': 'Canvas width' });
  const height = h('input', { id: 'canvas-height', testid: 'canvas-height', type: 'number', min: '1', max: '4096', step: '1', value: '1024', 'aria-label': 'Canvas height' });
  const canvasError = h('p', { testid: 'canvas-error', class: 'notice error', hidden: true });
  const sizeRow = h('div', { class: 'row size-row' },
    h('label', {}, 'Canvas ', preset), long, width, h('span', {}, '×'), height,
    h('button', { type: 'button', testid: 'canvas-apply', onclick: applyCustom }, 'Apply'));

  const modePlace = h('button', { type: 'button', testid: 'mode-place', class: 'seg', onclick: () => setSurface('place') }, 'Place image');
  const modeMask = h('button', { type: 'button', testid: 'mode-mask', class: 'seg', onclick: () => setSurface('mask') }, 'Paint mask');
  const modeRow = h('div', { class: 'segmented' }, modePlace, modeMask);
  const toolsIntro = h('span', { class: 'muted' }, 'Mask: white repaints.');
  const toolButtons = TOOLS.map((t) => h('button', { type: 'button', testid: `tool-${t}`, class: 'seg', 'data-tool': t, onclick: () => setTool(t) }, t));
  const brush = h('input', { testid: 'brush-size', type: 'range', min: '1', max: '400', value: '40', 'aria-label': 'Brush size', oninput: () => editor?.setBrushSize(Number(brush.value)) });
  const maskVisible = h('input', { testid: 'mask-visible', type: 'checkbox', checked: true, onchange: () => editor?.setMaskVisible(maskVisible.checked) });
  const tools = h('div', { class: 'row tools' },
    toolsIntro, h('div', { class: 'segmented' }, toolButtons),
    h('label', {}, 'Size ', brush),
    h('button', { type: 'button', testid: 'undo', title: 'Undo (Ctrl+Z)', onclick: () => editor?.undo() }, 'Undo'),
    h('button', { type: 'button', testid: 'redo', title: 'Redo (Ctrl+Shift+Z)', onclick: () => editor?.redo() }, 'Redo'),
    h('button', { type: 'button', testid: 'clear-mask', onclick: () => editor?.clearMask() }, 'Clear mask'),
    h('label', {}, maskVisible, ' mask'),
    h('button', { type: 'button', testid: 'fit', onclick: () => editor?.fit() }, 'Fit'));
  const stage = h('div', { id: 'canvas-container', testid: 'canvas-container', class: 'canvas-stage' });
  const drop = h('div', { class: 'drop-zone', testid: 'drop-zone' },
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'primary', onclick: () => fileInput.click() }, 'Open image…'), fileInput,
      urlInput, h('button', { type: 'button', testid: 'source-url-load', onclick: () => openUrl(urlInput.value.trim()) }, 'Use')),
    info);

  container.replaceChildren(drop, sizeRow, canvasError, h('div', { class: 'row' }, modeRow), tools, stage);

  for (const ev of ['dragenter', 'dragover']) {
    container.addEventListener(ev, (e) => {
      e.preventDefault();
      container.classList.add('dragging');
    });
  }
  container.addEventListener('dragleave', () => container.classList.remove('dragging'));
  container.addEventListener('drop', (e) => {
    e.preventDefault();
    container.classList.remove('dragging');
    const file = [...(e.dataTransfer?.files ?? [])].find((x) => x.type.startsWith('image/'));
    if (file) {
      openFile(file);
    }
  });
  document.addEventListener('paste', (e) => {
    if (document.getElementById('view-studio').hidden) {
      return;
    }
    const file = [...(e.clipboardData?.files ?? [])].find((x) => x.type.startsWith('image/'));
    if (file) {
      e.preventDefault();
      openFile(file);
    }
  });

  const ready = import('../canvas.js').then(({ CanvasEditor }) => {
    editor = new CanvasEditor(stage);
    editor.setCanvasSize(1024, 1024);
    editor.setBrushSize(Number(brush.value));
    editor.addEventListener('change', () => ctx.operation?.contextChanged());
    editor.addEventListener('tool', syncTools);
    editor.addEventListener('brush', (e) => { brush.value = String(e.detail?.size ?? brush.value); });
    applyConfig();
    return editor;
  }).catch((e) => {
    stage.replaceChildren(h('p', { class: 'notice error', testid: 'canvas-unavailable' }, `The canvas could not be loaded: ${e.message}`));
    return null;
  });

  function maskMode() {
    return config.mask === 'source' ? 'mask-on-source' : 'mask-on-canvas';
  }

  /** 'move' places the image (placement mode); the other tools paint the mask in the operation's frame. */
  function setTool(t) {
    if (!editor) {
      return;
    }
    if (t === 'move' && config.mask !== 'source') {
      surface = 'place';
      editor.setMode('placement');
    } else if (config.mask) {
      surface = 'mask';
      editor.setMode(maskMode());
      editor.setTool(t === 'move' ? 'brush' : t);
    }
    syncTools();
  }

  function syncTools() {
    const tool = editor?.getTool();
    for (const b of toolButtons) {
      b.classList.toggle('active', b.dataset.tool === tool);
    }
    modePlace.classList.toggle('active', editor?.getMode() === 'placement');
    modeMask.classList.toggle('active', editor?.getMode() !== 'placement');
  }

  function setSurface(s) {
    surface = s;
    applyMode();
  }

  function applyMode() {
    if (!editor) {
      return;
    }
    if (config.mask === 'source') {
      editor.setMode('mask-on-source');
    } else if (config.mask && surface === 'mask') {
      editor.setMode('mask-on-canvas');
    } else {
      editor.setMode('placement');
    }
    if (editor.getMode() !== 'placement' && editor.getTool() === 'move') {
      editor.setTool('brush');
    }
    syncTools();
  }

  function applyConfig() {
    sizeRow.hidden = !config.canvas;
    modeRow.hidden = !(config.canvas && config.mask);
    tools.hidden = !config.mask;
    toolButtons[0].hidden = config.mask === 'source';
    editor.setMaskVisible(Boolean(config.mask) && maskVisible.checked);
    if (config.mask === 'source') {
      surface = 'mask';
    } else if (!config.mask) {
      surface = 'place';
    }
    applyMode();
  }

  function describe() {
    if (!source) {
      info.textContent = 'No image yet: open, drop or paste one.';
      return;
    }
    const from = source.taskId ? `image ${source.imageNumber} of task ${source.taskId}` : source.uploaded ? 'an upload' : 'a file of this server';
    info.textContent = `Source: ${from} (${source.width}×${source.height})`;
  }

  async function showSource(blobOrUrl, next) {
    const ed = await ready;
    source = next;
    if (ed) {
      await ed.setSource(blobOrUrl);
      const size = ed.getSourceSize?.();
      if (size && !(source.width && source.height)) {
        source.width = size.width;
        source.height = size.height;
      }
      if (config.canvas && source.width) {
        const c = ed.getCanvasSize();
        ed.setPlacement(fitPlacement(source, c));
      }
      applyMode();
      ed.fit?.();
    }
    describe();
    ctx.operation?.sourceChanged(source);
  }

  async function openFile(file) {
    info.textContent = `Uploading ${file.name || 'the image'}…`;
    try {
      const up = await ctx.api.upload(file);
      await showSource(file, { url: up.url, width: up.width, height: up.height, uploaded: true });
    } catch (e) {
      if (!ctx.handleAuth(e)) {
        info.textContent = `The upload was refused: ${e.message}`;
        toast(`Upload refused: ${e.message}`, 'error');
      }
    } finally {
      fileInput.value = '';
    }
  }

  async function openUrl(url) {
    if (!url) {
      return;
    }
    if (!ctx.api.isOwnFile(url)) {
      info.textContent = 'Only an upload or result of this server can be used here (open or drop a file instead).';
      return;
    }
    await showSource(url, { url });
  }

  function setCanvas(w, hgt) {
    const problem = checkCanvas(w, hgt);
    notice(canvasError, problem ?? '', 'error');
    if (problem) {
      return false;
    }
    width.value = String(w);
    height.value = String(hgt);
    if (editor) {
      editor.setCanvasSize(w, hgt);
      if (source?.width) {
        editor.setPlacement(fitPlacement(source, { width: w, height: hgt }));
      }
      editor.fit?.();
    }
    ctx.operation?.contextChanged();
    return true;
  }

  function onPreset() {
    if (preset.value !== 'custom') {
      const s = presetSize(preset.value, Number(long.value));
      setCanvas(s.width, s.height);
    }
  }

  function applyCustom() {
    preset.value = 'custom';
    setCanvas(Number(width.value), Number(height.value));
  }

  return {
    get source() {
      return source;
    },
    get editor() {
      return editor;
    },
    /** What the operation needs: {canvas: bool, placement: bool, mask: null|'canvas'|'source', image: bool}. */
    configure(next) {
      config = next;
      if (editor) {
        applyConfig();
      } else {
        sizeRow.hidden = !config.canvas;
        modeRow.hidden = !(config.canvas && config.mask);
        tools.hidden = !config.mask;
      }
    },
    /** A result image (or any file of this server) becomes the source. */
    async useResult(url, taskId, imageNumber) {
      await showSource(url, { url, taskId, imageNumber });
    },
    /** Edit: the result on a new canvas of its own size, placed whole. */
    async editResult(url, taskId, imageNumber) {
      await showSource(url, { url, taskId, imageNumber });
      if (source?.width) {
        preset.value = 'custom';
        setCanvas(source.width, source.height);
        editor?.setPlacement({ width: source.width, height: source.height, x: 0, y: 0 });
      }
    },
    setCanvas,
    /** Clears the mask of the current frame (a new operation on a result starts without an old mask). */
    clearMask() {
      if (editor?.hasMask()) {
        editor.clearMask();
      }
    },
    /** The context values of the request: image_urls, task_id, image_number, canvas, img_pos, mask (uploaded if needed). */
    async values(keys) {
      const out = {};
      if (source) {
        out.image_urls = source.url;
        if (source.taskId) {
          out.task_id = source.taskId;
          out.image_number = source.imageNumber;
        }
      }
      if (editor) {
        if (keys.has('canvas')) {
          out.canvas = editor.getCanvasSize();
        }
        if (keys.has('img_pos') && source) {
          out.img_pos = editor.getPlacement();
        }
        if (keys.has('mask') && editor.hasMask()) {
          const areas = editor.getMaskAreas();
          if (areas && areas.areas?.length) {
            out.mask = { areas: areas.areas };
          } else {
            const png = await editor.getMaskPng();
            const up = await ctx.api.upload(png, 'mask.png');
            out.mask = { url: up.url };
          }
        }
      }
      return out;
    },
    maskSummary() {
      if (!editor?.hasMask()) {
        return 'no mask painted';
      }
      const areas = editor.getMaskAreas();
      return areas ? `${areas.areas.length} polygon(s)` : 'a mask image (uploaded at submit)';
    },
  };
}
