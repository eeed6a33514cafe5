// node --test tests/Studio/
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  presetSize, checkCanvas, fitPlacement, fieldsOf, keyOf, buildBody, priceOf, availabilityOf, fieldForParam,
  secondaryBody, describeError, FALLBACK_FIELDS, RATIOS, isNumeric,
} from '../../src/Easel.Server/wwwroot/studio/request.js';

const model = (operation, extra = {}) => ({ id: `m-${operation}`, operation, prices: { fast: 8.1, turbo: 16.2 }, available: true, engines: ['local'], ...extra });

test('presets keep the ratio with the long side given', () => {
  assert.deepEqual(presetSize('1:1'), { width: 1024, height: 1024 });
  assert.deepEqual(presetSize('4:3'), { width: 1024, height: 768 });
  assert.deepEqual(presetSize('3:4'), { width: 768, height: 1024 });
  assert.deepEqual(presetSize('16:9'), { width: 1024, height: 576 });
  assert.deepEqual(presetSize('9:16'), { width: 576, height: 1024 });
  assert.deepEqual(presetSize('3:2'), { width: 1024, height: 683 });
  assert.deepEqual(presetSize('2:3', 2048), { width: 1365, height: 2048 });
  for (const r of RATIOS) {
    const s = presetSize(r, 4096);
    assert.equal(checkCanvas(s.width, s.height), null, r);
  }
});

test('canvas limits: 1-4096 a side, at most 16,777,216 pixels', () => {
  assert.equal(checkCanvas(1, 1), null);
  assert.equal(checkCanvas(4096, 4096), null);
  assert.match(checkCanvas(0, 10), /width/);
  assert.match(checkCanvas(10, 4097), /height/);
  assert.match(checkCanvas(10.5, 10), /width/);
  assert.match(checkCanvas(NaN, 10), /width/);
});

test('fitPlacement centres the source and never enlarges it', () => {
  assert.deepEqual(fitPlacement({ width: 512, height: 256 }, { width: 1024, height: 1024 }), { width: 512, height: 256, x: 256, y: 384 });
  assert.deepEqual(fitPlacement({ width: 2000, height: 1000 }, { width: 1000, height: 1000 }), { width: 1000, height: 500, x: 0, y: 250 });
});

test('fields come from the model when it has them, else from the fallback table', () => {
  const own = [{ name: 'prompt', place: 'prompt', required: true }];
  assert.deepEqual(fieldsOf(model('imagine', { fields: own })), own);
  assert.equal(fieldsOf(model('pan')), FALLBACK_FIELDS.pan);
  assert.deepEqual(fieldsOf(model('nope')), []);
  assert.equal(keyOf({ place: 'model_params.scale' }), 'scale');
});

test('numbers: scale and image_number are numbers; the prompt stays text though it has a length range', () => {
  assert.equal(isNumeric({ name: 'scale', place: 'model_params.scale', min: 1.1, max: 2 }), true);
  assert.equal(isNumeric({ name: 'prompt', place: 'prompt', min: 1, max: 8192 }), false);
  assert.equal(isNumeric({ name: 'canvas', place: 'model_params.canvas', min: 1, max: 4096 }), false);
  const m = model('pan');
  const body = buildBody(m, [...fieldsOf(m), { name: 'prompt', place: 'prompt', min: 1, max: 8192 }],
    { task_id: 't1', image_number: '2', direction: 'left', scale: '1.5', prompt: '12', speed: '' });
  assert.deepEqual(body, { model: 'm-pan', prompt: '12', model_params: { task_id: 't1', image_number: 2, direction: 'left', scale: 1.5 } });
});

test('upload-paint body: prompt, image_urls, canvas, img_pos, mask', () => {
  const m = model('upload-paint');
  const mask = { areas: [{ width: 1024, height: 1024, points: [10, 10, 10, 30, 30, 30] }] };
  const body = buildBody(m, fieldsOf(m), {
    prompt: '<b>harbour</b>', image_urls: 'http://h/files/up/a.png', canvas: { width: 1024, height: 1024 },
    img_pos: { width: 512, height: 512, x: 256, y: 256 }, mask, speed: 'turbo', output_format: 'png', task_id: 'ignored',
  });
  assert.deepEqual(body, {
    model: 'm-upload-paint', prompt: '<b>harbour</b>', image_urls: ['http://h/files/up/a.png'],
    model_params: { canvas: { width: 1024, height: 1024 }, img_pos: { width: 512, height: 512, x: 256, y: 256 }, mask, speed: 'turbo', output_format: 'png' },
  });
});

test('only the model\'s own fields are sent', () => {
  const m = model('remove-bg');
  assert.deepEqual(buildBody(m, fieldsOf(m), { image_urls: ['u'], prompt: 'p', speed: 'fast', canvas: { width: 1, height: 1 } }),
    { model: 'm-remove-bg', image_urls: ['u'] });
  const inpaint = model('inpaint');
  assert.deepEqual(buildBody(inpaint, fieldsOf(inpaint), { task_id: 't', image_number: 0, mask: { url: 'm' }, image_urls: 'x' }),
    { model: 'm-inpaint', model_params: { task_id: 't', image_number: 0, mask: { url: 'm' } } });
});

test('the server\'s own fields (name, place, choices, default) drive the body', () => {
  const m = model('remix', {
    fields: [
      { name: 'task_id', place: 'model_params.task_id', required: true },
      { name: 'image_number', place: 'model_params.image_number', required: true, min: 0, max: 3 },
      { name: 'mode', place: 'model_params.mode', required: false, choices: ['strong', 'subtle'], default: 'strong' },
      { name: 'prompt', place: 'prompt', required: true, min: 1, max: 8192 },
    ],
  });
  assert.deepEqual(buildBody(m, fieldsOf(m), { task_id: 'x', image_number: '3', mode: 'subtle', prompt: 'rain' }),
    { model: 'm-remix', model_params: { task_id: 'x', image_number: 3, mode: 'subtle' }, prompt: 'rain' });
});

test('prices by speed and variant; availability of a variant', () => {
  const up = model('upscale', { variants: [{ name: 'creative', prices: { fast: 10.8, turbo: 21.6 }, available: false, engines: [] }] });
  assert.equal(priceOf(up, {}), 8.1);
  assert.equal(priceOf(up, { speed: 'turbo' }), 16.2);
  assert.equal(priceOf(up, { type: 'creative' }), 10.8);
  assert.equal(availabilityOf(up, { type: 'standard' }).available, true);
  assert.equal(availabilityOf(up, { type: 'creative' }).available, false);
  assert.match(availabilityOf(model('imagine', { available: false }), {}).reason, /not available/);
  assert.equal(priceOf(model('imagine', { prices: { draft: 2.7, fast: 5.4 } }), { speed: 'draft' }), 2.7);
  assert.equal(priceOf({ prices: {} }, {}), null);
});

test('an error param finds its field, the most precise place first', () => {
  const fields = fieldsOf(model('upload-paint'));
  assert.equal(keyOf(fieldForParam(fields, 'model_params.mask.areas[0].points')), 'mask');
  assert.equal(keyOf(fieldForParam(fields, 'prompt')), 'prompt');
  assert.equal(keyOf(fieldForParam(fields, 'image_urls[0]')), 'image_urls');
  assert.equal(fieldForParam(fields, 'model'), null);
  assert.equal(fieldForParam(fields, null), null);
});

test('secondary operations carry task_id and image_number', () => {
  assert.deepEqual(secondaryBody('upscale', 't', 2), { model: 'mj-v7-upscale', model_params: { task_id: 't', image_number: 2 } });
  assert.deepEqual(secondaryBody('pan-right', 't', 1), { model: 'mj-v7-pan', model_params: { task_id: 't', image_number: 1, direction: 'right', scale: 1.5 } });
  assert.deepEqual(secondaryBody('zoom-2', 't', 0), { model: 'mj-v7-outpaint', model_params: { task_id: 't', image_number: 0, scale: 2 } });
  assert.deepEqual(secondaryBody('vary-subtle', 't', 3).model_params.type, 'subtle');
  assert.throws(() => secondaryBody('nope', 't', 0));
});

test('errors read with the field they name', () => {
  assert.equal(describeError({ error: { message: 'scale must be 1.1-2.0', param: 'model_params.scale' } }), 'model_params.scale: scale must be 1.1-2.0');
  assert.equal(describeError({ message: 'boom' }), 'boom');
});
