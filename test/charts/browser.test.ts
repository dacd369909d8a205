/**
 * The report in a real browser (Debian's chromium through playwright-core): it must load from
 * file:// with no console errors and no requests, and draw every chart.
 *
 * ECNY_CHROMIUM overrides the browser path. ECNY_UPDATE_DOCS_SCREENSHOT=1 also refreshes
 * docs/images/report-screenshot.png (kept out of normal runs so tests never dirty the tree).
 * Skipped, saying why, only when chromium cannot be launched at all.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { buildRunCharts, writeReport } from '../../charts/index.js';
import { steadyResult } from './fixtures/results.js';
import { pngSize } from './png.js';

const EXECUTABLE = process.env['ECNY_CHROMIUM'] ?? '/usr/bin/chromium';
const REPO = resolve(import.meta.dirname, '..', '..', '..');

let dir: string | undefined;
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface CanvasReport {
  readonly id: string;
  readonly hasChart: boolean;
  readonly ink: number;
  readonly width: number;
  readonly height: number;
  readonly xTicks: string[];
}

// Runs in the page; a string so this file needs no DOM typings.
const INSPECT = `(() => [...document.querySelectorAll('canvas[data-chart]')].map((canvas) => {
  const chart = Chart.getChart(canvas);
  const { width, height } = canvas;
  const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) ink++;
  }
  return {
    id: canvas.dataset.chart,
    hasChart: chart !== undefined,
    ink: ink / (width * height),
    width,
    height,
    xTicks: chart ? chart.scales.x.ticks.map((t) => String(t.label)) : [],
  };
}))()`;

test('report.html draws every chart in chromium, offline, without errors', {
  timeout: 180_000,
}, async (t) => {
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: EXECUTABLE,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  } catch (error) {
    t.skip(
      `chromium cannot be launched from ${EXECUTABLE}: ${(error as Error).message.split('\n')[0]}`,
    );
    return;
  }
  try {
    dir = await mkdtemp(join(tmpdir(), 'ecny-browser-'));
    const result = steadyResult();
    const file = await writeReport(result, dir);
    const url = pathToFileURL(file).href;

    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    const failed: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(
      `[...document.querySelectorAll('canvas[data-chart]')].every((c) => Chart.getChart(c))`,
      undefined,
      { timeout: 30_000 },
    );

    const canvases = (await page.evaluate(INSPECT)) as CanvasReport[];
    assert.deepEqual(errors, [], 'console errors');
    assert.deepEqual(failed, [], 'failed requests');
    assert.deepEqual(requests, [url], 'the page fetches nothing but itself');
    assert.deepEqual(
      canvases.map((c) => c.id),
      buildRunCharts(result).map((c) => c.id),
    );
    for (const c of canvases) {
      assert.ok(c.hasChart, `${c.id}: Chart.getChart`);
      assert.ok(c.width >= 600 && c.height >= 300, `${c.id}: ${c.width}x${c.height}`);
      assert.ok(c.ink > 0.02, `${c.id} is blank (ink ${c.ink})`);
    }
    // The named formatters ran in the page: the distribution's x axis reads in percentiles.
    const distribution = canvases.find((c) => c.id === 'latency-distribution');
    for (const label of ['50%', '90%', '99%', '99.9%', '99.99%']) {
      assert.ok(distribution?.xTicks.includes(label), `${label} in ${distribution?.xTicks}`);
    }

    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.equal(pngSize(await readFile(shot)).width, 1100);
    if (process.env['ECNY_UPDATE_DOCS_SCREENSHOT'] === '1') {
      // The top of the page (summary and the first chart) is what the docs show.
      const docShot = join(dir, 'report-top.png');
      await page.screenshot({
        path: docShot,
        fullPage: true,
        clip: { x: 0, y: 0, width: 1100, height: 2200 },
      });
      await mkdir(join(REPO, 'docs', 'images'), { recursive: true });
      await copyFile(docShot, join(REPO, 'docs', 'images', 'report-screenshot.png'));
    }
  } finally {
    await browser.close();
  }
});
