// The dashboard of a running pipeline in real headless Chromium: charts fill from at least three
// batches, health and a firing alert show, nothing overlaps at 1280x800; a screenshot is kept.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { REPO, spawnCli } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// Runs in the page (the test's own types know no DOM): text cut off inside its box, overlapping
// panels, horizontal scrolling.
const LAYOUT_CHECK = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('.kpi b, .kpi label, .card h2, header .title, #batches td, #health .name')) {
    if (el.scrollWidth > el.clientWidth + 1) out.push('text overflows: ' + el.textContent);
  }
  const boxes = Array.from(document.querySelectorAll('.card, .kpi')).map((el) => ({ id: el.id || el.textContent.slice(0, 12), r: el.getBoundingClientRect() }));
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) out.push('overlap: ' + boxes[i].id + ' / ' + boxes[j].id);
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth) out.push('horizontal scrolling');
  return out;
})()`;
const root = mkdtempSync(join(tmpdir(), 'sluice-dashboard-'));
after(() => rmSync(root, { recursive: true, force: true }));

function land(dir: string, name: string, from: number, n: number, bad: number): void {
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ order_id: from + i, ts: new Date(Date.now() - 1500).toISOString(), amount: (i % 17) * 3.25, country: ['DE', 'FR', 'US'][i % 3] }));
  const tmp = join(root, `.${name}`);
  writeFileSync(tmp, lines.join('\n') + '\n' + '{"order_id": broken\n'.repeat(bad));
  renameSync(tmp, join(dir, name));
}

describe('the dashboard', () => {
  it('shows live charts, component health and a firing alert for a running pipeline', async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium is missing at ${CHROMIUM}; install it with: sudo apt-get install -y chromium`);
    const landing = join(root, 'landing');
    mkdirSync(landing, { recursive: true });
    const cfg = join(root, 'orders.yaml');
    writeFileSync(
      cfg,
      `streaming:
  name: orders
  source: { type: file, config: { path: ${landing}, format: json } }
  processing: { batch.interval: 300ms, watermark.column: ts }
  sink: { type: delta, config: { path: ${join(root, 'table')}, checkpoint.location: ${join(root, 'cp')} } }
  monitoring:
    alerts:
      - { name: rejected_records, metric: errorRate, condition: "> 0.001", severity: critical, description: More than 0.1% of the records of the last minute rejected }
`,
    );
    const run = spawnCli(['run', cfg, '--http-port', '0', '--progress', 'none']);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const url = await waitFor('the monitoring server', () => Promise.resolve((JSON.parse(readFileSync(join(root, 'cp', '.monitoring.json'), 'utf8')) as { url: string }).url));
      const batches = async (): Promise<number> => ((await (await fetch(`${url}/api/status`)).json()) as { totals: { batches: number } }).totals.batches;
      for (let i = 0; i < 4; i++) {
        land(landing, `orders-${i}.jsonl`, i * 1000, 400 + i * 150, i === 2 ? 9 : 2);
        await waitFor(`batch ${i}`, async () => ((await batches()) > i ? true : undefined));
      }

      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(url + '/');
      for (const id of ['c-rate', 'c-dur', 'c-lat', 'c-err']) {
        await page.waitForFunction(`Number(document.querySelector('#${id}').getAttribute('data-points') || 0) >= 3`, undefined, { timeout: 60_000 });
      }
      await page.waitForSelector('#health li[data-component="pipeline"]', { timeout: 60_000 });
      const health = await page.evaluate<string[][]>(`Array.from(document.querySelectorAll('#health li')).map((li) => [li.getAttribute('data-component'), li.getAttribute('data-healthy')])`);
      assert.deepEqual(health, [
        ['source', 'true'],
        ['sink', 'true'],
        ['pipeline', 'true'],
        ['resources', 'true'],
      ]);
      await page.waitForSelector('#alerts .alert[data-state="firing"][data-name="rejected_records"]', { timeout: 60_000 });
      assert.equal(await page.textContent('#ready'), 'ready');
      assert.match((await page.textContent('#schema')) ?? '', /order_id.*long/s);
      assert.match((await page.textContent('#validation')) ?? '', /source/);
      assert.equal(await page.locator('#batches tbody tr').count(), 4);
      assert.equal(Number((await page.textContent('#k-batches')) ?? '0'), 4);

      // A batch committed while the page is open arrives through the event stream.
      land(landing, 'orders-4.jsonl', 4000, 300, 1);
      await page.waitForFunction(`Number(document.querySelector('#c-rate').getAttribute('data-points') || 0) >= 5`, undefined, { timeout: 60_000 });
      assert.equal(await page.locator('#batches tbody tr').count(), 5);

      // Readability: no text cut off inside its box, no two panels overlapping.
      const problems = await page.evaluate<string[]>(LAYOUT_CHECK);
      assert.deepEqual(problems, []);
      mkdirSync(join(REPO, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(REPO, 'test-artifacts', 'dashboard.png') });
    } finally {
      await browser.close();
      run.child.kill('SIGINT');
      await run.done;
    }
  });
});
