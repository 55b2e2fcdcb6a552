// Tests for the rate source: Spark's ramp-up formula, determinism of replays and restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRateSource, rateConfig, rateSource, valueAtSecond } from './index.ts';
import type { ComponentContext } from '../../core/component.ts';
import { componentContext } from '../../../test/support/context.ts';

function context(stateDir: string): ComponentContext {
  return componentContext(stateDir, { stateDir }, { makeDirs: false });
}

void test('valueAtSecond follows the ramp-up series and then the steady rate', () => {
  // rowsPerSecond 10 with 4 s ramp-up: speeds 0 2 4 6 8 then 10.
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((s) => valueAtSecond(s, 10, 4)), [0, 2, 6, 12, 20, 30, 40]);
  assert.deepEqual([0, 1, 2, 3].map((s) => valueAtSecond(s, 5, 0)), [0, 5, 10, 15]);
});

void test('rows are sequential values with timestamps spread over the seconds of the range', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-rate-'));
  try {
    let now = 1_700_000_000_000;
    const src = createRateSource(rateConfig.parse({ rowsPerSecond: 4 }), context(dir), () => now);
    await src.open();
    assert.equal(await src.latestOffset(null, { respectLimits: true }), null);
    now += 2500;
    const end = await src.latestOffset(null, { respectLimits: true });
    assert.equal(end, 2);
    const data = await src.read(null, 2);
    assert.deepEqual(data.rows.map((r) => r.value), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(data.rows[1]?.timestamp, 1_700_000_000_250_000n);
    assert.deepEqual(data.schema?.fields.map((f) => f.name), ['timestamp', 'value']);
    assert.equal(await src.latestOffset(2, { respectLimits: true }), 2);
    await src.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('a restarted source keeps its start time so a replayed range gives identical rows', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-rate-'));
  try {
    let now = 1_000_000;
    const cfg = rateConfig.parse({ rowsPerSecond: '3', rampUpTime: '2 seconds', numPartitions: 2 });
    const a = createRateSource(cfg, context(dir), () => now);
    await a.open();
    now += 5000;
    const first = await a.read(1, 4);
    now += 60_000;
    const b = createRateSource(cfg, context(dir), () => now);
    await b.open();
    const again = await b.read(1, 4);
    assert.deepEqual(again.rows, first.rows);
    // Ramp-up speeds 0 1 2 then 3: values 1..8 for seconds 1..4, partition by partition from rangeStart.
    assert.deepEqual(first.rows.map((r) => r.value), [1, 3, 5, 7, 2, 4, 6, 8]);
    assert.equal(await b.latestOffset(4, { respectLimits: true }), 65);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('the rate definition rejects unknown options', () => {
  assert.equal(rateSource.config.safeParse({ rowsPerSec: 1 }).success, false);
  assert.equal(rateSource.config.safeParse({ rowsPerSecond: 0 }).success, false);
});
