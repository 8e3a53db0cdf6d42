// The captions' detector on a thread of its own (compute/detector-thread.ts): the same detections as
// core's Detector in place, requests answered concurrently by id, and a load error crossing the thread
// as the CLI's typed model error (code and exit 4), not a bare Error.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDetectorInPlace } from '../../packages/api/src/models/detector.js';
import { CliError, EXIT } from '../../packages/api/src/errors.js';
import { DetectorThread } from '../../packages/api/src/compute/detector-thread.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import type { Detector, RgbImage } from '../../packages/core/src/index.js';

const root = resolve(__dirname, '../..');
const modelsDir = resolve(root, 'models');
const images = resolve(root, '../shared/data/images');

describe('DetectorThread', () => {
  let thread: DetectorThread;
  let inPlace: Detector;
  let photos: RgbImage[];
  beforeAll(async () => {
    [thread, inPlace] = await Promise.all([DetectorThread.start(modelsDir), loadDetectorInPlace(modelsDir)]);
    photos = await Promise.all(['both.png', 'coffee.png', 'horses.jpg'].map(async (f) => (await decodeImage(readFileSync(join(images, f)), 1e8)).image));
  });
  afterAll(async () => {
    await thread?.release();
    await inPlace?.release();
  });

  it('gives the detections the detector gives in place, for requests in flight together', async () => {
    const [threaded, here] = await Promise.all([
      Promise.all(photos.map((p) => thread.detect(p))),
      Promise.all(photos.map((p) => inPlace.detect(p))),
    ]);
    expect(threaded).toEqual(here);
    expect(threaded.every((d) => d.length > 0)).toBe(true);
    // options cross the thread too
    expect(await thread.detect(photos[0], { scoreThreshold: 0.99 })).toEqual(await inPlace.detect(photos[0], { scoreThreshold: 0.99 }));
  });

  it('fails to start with the CLI model error of a manifest without a detector', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'no-detector-'));
    const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));
    delete manifest.detectors;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const e = await DetectorThread.start(dir).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).code).toBe('NO_DETECTOR');
    expect((e as CliError).exitCode).toBe(EXIT.MODEL);
    expect((e as CliError).message).toMatch(/lists none/);
  });
});
