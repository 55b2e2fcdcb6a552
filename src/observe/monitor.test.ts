// The monitor on a real query (files -> Delta): bounded history, totals, schema versions, metrics,
// state after the run; and the stage-figure contract (rules, quality) read from progress.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createSession } from '../api/session.ts';
import { silentLogger } from '../core/logger.ts';
import type { Row } from '../core/record.ts';
import type { StreamingQueryProgress } from '../engine/progress.ts';
import { MonitoringSchema } from '../plan/monitoring.ts';
import { PipelineMonitor } from './monitor.ts';
import { parsePrometheusText, sampleValue } from './prom-text.ts';
import { stageFigures } from './stage-figures.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-monitor-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('PipelineMonitor', () => {
  it('keeps a bounded history, totals, schema versions and metrics of a finished available-now run', async () => {
    const landing = join(root, 'landing');
    mkdirSync(landing);
    for (let f = 0; f < 3; f++) {
      const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: f * 100 + i, ts: new Date().toISOString() }));
      writeFileSync(join(landing, `part-${f}.jsonl`), lines.join('\n') + (f === 1 ? '\n{broken\n' : '\n'));
    }
    // The third file's rows gain a column: the sink sees a second schema version.
    const widen = (batch: { rows: Row[] }): Row[] => batch.rows.map((r) => (Number(r.id) >= 200 ? { ...r, extra: 'x' } : r));
    const query = await createSession({ logger: silentLogger })
      .readStream.format('file')
      .option('format', 'json')
      .option('maxFilesPerTrigger', 1)
      .load(landing)
      .transform(widen, 'widen')
      .writeStream.format('delta')
      .option('checkpointLocation', join(root, 'cp'))
      .option('mergeSchema', true)
      .trigger({ availableNow: true })
      .start(join(root, 'table'));
    const monitor = new PipelineMonitor(query, { config: MonitoringSchema.parse({ history: 2, default_alerts: false }), logger: silentLogger, diskPaths: [root] });
    try {
      await query.awaitTermination();
      await monitor.settled();
      assert.deepEqual(monitor.recentProgress().map((p) => p.batchId), [1, 2]);
      assert.deepEqual(monitor.history().map((p) => [p.batchId, p.rowsIn, p.rowsOut, p.rejected]), [
        [1, 11, 10, 1],
        [2, 10, 10, 0],
      ]);
      const status = monitor.status() as { state: string; totals: Record<string, number>; schema: { version: number; versions: { version: number; sinceBatch: number; fields: number }[] } };
      assert.equal(status.state, 'stopped');
      assert.deepEqual(status.totals, { batches: 3, rowsIn: 31, rowsOut: 30, rejected: 1 });
      assert.equal(status.schema.version, 2);
      assert.deepEqual(status.schema.versions.map((v) => [v.version, v.sinceBatch, v.fields]), [
        [1, 0, 2],
        [2, 2, 3],
      ]);
      const m = parsePrometheusText(await monitor.metrics.text());
      assert.equal(sampleValue(m, 'sluice_batches_total', { pipeline: query.name }), 3);
      assert.equal(sampleValue(m, 'sluice_schema_version'), 2);
      assert.equal(sampleValue(m, 'sluice_dlq_records_total'), 1);
      assert.equal(sampleValue(m, 'sluice_pipeline_status', { status: 'stopped' }), 1);
      assert.equal(sampleValue(m, 'sluice_pipeline_status', { status: 'running' }), 0);
      const ready = await monitor.readiness();
      assert.equal(ready.ready, false);
      assert.deepEqual(ready.reasons, ['pipeline: stopped']);
      assert.equal(monitor.liveness().alive, true);
    } finally {
      await monitor.close();
    }
  });
});

describe('stage figures', () => {
  const progress = (stages: StreamingQueryProgress['stages']): StreamingQueryProgress => ({
    id: 'q', runId: 'r', name: 'p', timestamp: '', batchId: 0, batchDuration: 0, numInputRows: 0, inputRowsPerSecond: 0, processedRowsPerSecond: 0,
    durationMs: {}, eventTime: {}, stateOperators: [], sources: [], sink: { description: 's', numOutputRows: 0, metrics: {} },
    numRejectedRows: 0, rejectedPath: null, sinkSkipped: false, stages,
  });

  it('adds rule failures a validate stage dropped beyond those it sent to the dead-letter queue', () => {
    const validate = { batchId: 0, rowsIn: 10, rowsPassed: 6, rowsToDlq: 2, rowsDropped: 2, schema: { passed: 9, failed: 1 }, rules: { positive_amount: { passed: 7, failed: 3 }, known_country: { passed: 10, failed: 0 } } };
    const rejections = [
      { stage: 'validate', errorType: 'SCHEMA_VALIDATION', rule: 'positive_amount', count: 1 },
      { stage: 'validate', errorType: 'SCHEMA_VALIDATION', rule: 'schema', count: 1 },
    ];
    const f = stageFigures(progress({ validate }), rejections);
    assert.deepEqual(f.stageRuleFailures, [{ stage: 'validate', rule: 'positive_amount', count: 2 }]);
    assert.deepEqual(f.quality, [{ stage: 'validate', measure: 'pass_rate', value: 0.6 }]);
  });

  it("reads the quality stage's rows, expectation failures, run failure rates and freshness", () => {
    const quality = {
      kind: 'quality', batchId: 3, rows_in: 100, rows_out: 97, rows_dropped: 3, rows_errored: 0,
      expectations: { amount_positive: { passed: 97, failed: 3 } },
      freshness: { column: 'ts', max_event_time: null, lag_ms: 2500, stale: true },
      run: { batches: 4, expectations: { amount_positive: { passed: 390, failed: 10, failure_rate: 0.025 } } },
      profile: { amount: { nulls: 0 } },
    };
    const f = stageFigures(progress({ checks: quality, custom: { quality: { completeness: 0.98, note: 'text' } } }), []);
    assert.deepEqual(f.stageRuleFailures, []);
    assert.deepEqual(f.quality.map((q) => [q.stage, q.measure, q.value]), [
      ['checks', 'rows_in', 100],
      ['checks', 'rows_out', 97],
      ['checks', 'rows_dropped', 3],
      ['checks', 'rows_errored', 0],
      ['checks', 'failed:amount_positive', 3],
      ['checks', 'failure_rate:amount_positive', 0.025],
      ['checks', 'freshness_lag_seconds', 2.5],
      ['checks', 'stale', 1],
      ['custom', 'completeness', 0.98],
    ]);
  });
});
