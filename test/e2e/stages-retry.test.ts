// Retries end to end: a Delta sink that fails retryably N times then recovers, and one that never
// does. The logs show each retry with its growing backoff; the table and checkpoint stay consistent.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { z } from 'zod';
import { parsePipelineText } from '../../src/plan/load.ts';
import type { ComponentRegistry } from '../../src/plan/plan.ts';
import { registry } from '../../src/builtins/index.ts';
import { createDeltaSink } from '../../src/connectors/delta/sink.ts';
import { DeltaSinkConfig } from '../../src/connectors/delta/config.ts';
import type { AppendPlan } from '../../src/connectors/delta/table.ts';
import { defineSink, type Sink } from '../../src/core/component.ts';
import { ErrorCodes, SinkError } from '../../src/core/errors.ts';
import { createLogger } from '../../src/core/logger.ts';
import { StreamingQuery } from '../../src/engine/query.ts';
import { readTableWithDuckDB } from '../support/table-check.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-retry-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The real Delta sink behind a fault: its first `failures` writes fail as a dropped connection would. */
const FlakyConfig = z.object({ failures: z.number().int().nonnegative(), delta: DeltaSinkConfig }).strict();
const flakyDelta = defineSink({
  type: 'flaky-delta',
  summary: 'Delta sink whose first writes fail retryably',
  config: FlakyConfig,
  create(cfg, ctx): Sink<AppendPlan> {
    const inner = createDeltaSink(cfg.delta, ctx);
    let failed = 0;
    return {
      ...inner,
      description: `Flaky${inner.description}`,
      commit(prepared, batch) {
        if (failed < cfg.failures) {
          failed++;
          return Promise.reject(new SinkError(ErrorCodes.SINK_WRITE, `connection reset while writing (injected failure ${failed})`, { retryable: true }));
        }
        return inner.commit(prepared, batch);
      },
    };
  },
});
const reg: ComponentRegistry = { ...registry, sinks: new Map([...registry.sinks, ['flaky-delta', flakyDelta]]) };

function setup(name: string): { text: (f: number) => string; table: string; checkpoint: string } {
  const dir = join(root, name);
  const landing = join(dir, 'landing');
  mkdirSync(landing, { recursive: true });
  writeFileSync(join(landing, 'a.jsonl'), Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: i, v: `x${i}` })).join('\n') + '\n');
  const table = join(dir, 'table');
  const checkpoint = join(dir, 'checkpoint');
  const text = (f: number): string => `
streaming:
  name: retry-${name}
  source: { type: file, config: { path: ${landing} } }
  sink:
    type: flaky-delta
    config: { failures: ${f}, delta: { path: ${table} }, checkpoint.location: ${checkpoint} }
  error_handling:
    retry: { max_attempts: 4, initial_backoff: 20ms, max_backoff: 1 second, multiplier: 3, jitter: 0 }
`;
  return { text, table, checkpoint };
}

async function run(text: string): Promise<{ query: StreamingQuery; logs: Record<string, unknown>[]; error: unknown }> {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', format: 'json', write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) });
  const plan = parsePipelineText(text, reg, { trigger: { kind: 'availableNow' } });
  const query = await StreamingQuery.start(plan, { logger });
  const error = await query.awaitTermination().then(() => undefined, (e: unknown) => e);
  return { query, logs, error };
}

describe('retries of sink writes', () => {
  it('logs N retries with growing backoff for a sink failing N times, then writes the batch once', async () => {
    const s = setup('recovers');
    const { query, logs, error } = await run(s.text(3));
    assert.equal(error, undefined);
    const retries = logs.filter((l) => String(l.msg).includes('failed, retrying'));
    assert.deepEqual(retries.map((l) => [l.attempt, l.delayMs]), [[1, 20], [2, 60], [3, 180]]);
    assert.ok(retries.every((l) => /sink FlakyDeltaSink\[.*\]: writing batch 0 failed, retrying/.test(String(l.msg)) && /injected failure/.test(String(l.error))));
    assert.equal(query.lastProgress?.sink.numOutputRows, 50);
    const t = await readTableWithDuckDB(s.table);
    assert.equal(t.rows.length, 50);
    assert.equal(new Set(t.rows.map((r) => r.id)).size, 50);
    assert.equal(t.version, 0);
  });

  it('stops with an error naming the sink and the last cause when retries run out; the restart resumes exactly once', async () => {
    const s = setup('exhausted');
    const { error, logs } = await run(s.text(10));
    assert.ok(error instanceof Error);
    assert.match(error.message, /sink FlakyDeltaSink\[.*table\]: writing batch 0 failed after 4 attempts: connection reset while writing \(injected failure 4\)/);
    assert.equal((error as { code?: string }).code, ErrorCodes.SINK_WRITE);
    assert.equal(logs.filter((l) => String(l.msg).includes('failed, retrying')).length, 3);
    assert.ok(logs.some((l) => l.level === 'error' && l.msg === 'query failed'));
    // The batch is planned in the write-ahead log but not committed, and the table holds nothing.
    assert.deepEqual(readdirSync(join(s.checkpoint, 'offsets')), ['0']);
    assert.deepEqual(readdirSync(join(s.checkpoint, 'commits')), []);
    assert.equal(readdirSync(join(root, 'exhausted')).includes('table'), false);
    const again = await run(s.text(0));
    assert.equal(again.error, undefined);
    assert.deepEqual(again.query.recentProgress.map((p) => [p.batchId, p.sink.numOutputRows]), [[0, 50]]);
    assert.equal((await readTableWithDuckDB(s.table)).rows.length, 50);
  });
});
