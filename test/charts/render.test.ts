import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import {
  buildRunCharts,
  renderChart,
  renderComparison,
  renderRunCharts,
} from '../../charts/index.js';
import { nobleResult, offlineBurstResult, steadyResult } from './fixtures/results.js';
import { pngSize } from './png.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ecny-charts-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Share of pixels that are neither white nor transparent: the chart actually drew. */
async function inkShare(png: Buffer): Promise<number> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  let ink = 0;
  let transparent = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3]! < 255) transparent++;
    else if (data[i]! < 240 || data[i + 1]! < 240 || data[i + 2]! < 240) ink++;
  }
  assert.equal(transparent, 0, 'white background, no transparent pixels');
  return ink / (data.length / 4);
}

describe('PNG rendering', () => {
  test('renders a PNG of the requested size (2x the CSS size by default)', async () => {
    const chart = buildRunCharts(steadyResult())[0]!;
    const png = await renderChart(chart.config);
    assert.deepEqual(pngSize(png), { width: 1600, height: 900 });
    const small = await renderChart(chart.config, { width: 640, height: 360, scale: 1 });
    assert.deepEqual(pngSize(small), { width: 640, height: 360 });
    const share = await inkShare(small);
    assert.ok(share > 0.02 && share < 0.6, `ink share ${share}`);
  });

  test('does not modify the configuration it renders', async () => {
    const chart = buildRunCharts(steadyResult())[2]!;
    const before = structuredClone(chart.config);
    await renderChart(chart.config, { width: 400, height: 225, scale: 1 });
    assert.deepEqual(chart.config, before);
  });

  test('renderRunCharts writes one non-empty PNG per applicable chart', async () => {
    const dir = await tempDir();
    const files = await renderRunCharts(steadyResult(), dir);
    assert.deepEqual(
      files.map((f) => basename(f)),
      [
        'throughput.png',
        'latency-over-time.png',
        'latency-distribution.png',
        'pool.png',
        'where-the-time-goes.png',
        'resources-cpu.png',
        'resources-runtime.png',
      ],
    );
    for (const file of files) {
      const png = await readFile(file);
      assert.deepEqual(pngSize(png), { width: 1600, height: 900 });
      assert.ok((await stat(file)).size > 20_000, file);
    }
    const offline = await renderRunCharts(offlineBurstResult(), await tempDir());
    assert.equal(basename(offline.at(-1)!), 'backlog.png');
    assert.ok((await inkShare(await readFile(offline.at(-1)!))) > 0.01);
  });

  test('renderComparison writes the overlays', async () => {
    const dir = join(await tempDir(), 'nested', 'compare');
    const files = await renderComparison([steadyResult(), nobleResult()], dir);
    assert.deepEqual(
      files.map((f) => basename(f)),
      ['compare-latency-distribution.png', 'compare-throughput.png'],
    );
    for (const file of files) assert.ok(pngSize(await readFile(file)).width === 1600);
  });
});
