// Pipeline state in readiness and metrics: backing off with the error while a sink keeps failing,
// failed with its code once the retries are exhausted, idle between triggers.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { z } from 'zod';
import { parsePipelineText } from '../plan/load.ts';
import { registry } from '../builtins/index.ts';
import { defineSink } from '../core/component.ts';
import { ErrorCodes, SinkError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { StreamingQuery } from '../engine/query.ts';
import { createSession } from '../api/session.ts';
import { MemoryStream } from '../connectors/memory/index.ts';
import { MonitoringSchema } from '../plan/monitoring.ts';
import { PipelineMonitor } from './monitor.ts';
import { parsePrometheusText, sampleValue } from './prom-text.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-health-'));
after(() => rmSync(root, { recursive: true, force: true }));

// A sink whose storage refuses every write with a transient error, as an unreachable store does.
const unreachableSink = defineSink({
  type: 'unreachable',
  summary: 'refuses every write',
  config: z.object({}),
  create: () => ({
    description: 'UnreachableSink',
    identity: () => ({ type: 'unreachable' }),
    open: () => Promise.resolve(),
    prepare: () => Promise.resolve({ rejected: [] }),
    commit: () => Promise.reject(new SinkError(ErrorCodes.SINK_WRITE, 'storage unreachable', { retryable: true })),
    health: () => Promise.resolve({ healthy: false, detail: 'storage unreachable' }),
    close: () => Promise.resolve(),
  }),
});

describe('pipeline state', () => {
  it('reports backing off with the error while a write waits to retry, then failed with the error code', async () => {
    const reg = { ...registry, sinks: new Map([...registry.sinks, ['unreachable', unreachableSink]]) };
    const plan = parsePipelineText(
      `streaming:
  name: flaky
  source: { type: rate, config: { rowsPerSecond: 10 } }
  sink: { type: unreachable, config: { checkpoint.location: ${join(root, 'cp')} } }
  error_handling: { retry: { max_attempts: 3, initial_backoff: 1 hour, jitter: 0 } }
`,
      reg,
    );
    const query = await StreamingQuery.start(plan, { logger: silentLogger });
    const monitor = new PipelineMonitor(query, { config: MonitoringSchema.parse({ default_alerts: false }), logger: silentLogger });
    try {
      // The first retry waits an hour, so the state holds until the query is stopped.
      while (query.status.state !== 'backing-off') await new Promise((r) => setTimeout(r, 50));
      const r = await monitor.readiness();
      assert.equal(r.ready, false);
      assert.deepEqual(r.reasons.map((x) => x.split(':')[0]), ['sink', 'pipeline']);
      assert.match(r.components.pipeline.detail, /^backing off: sink UnreachableSink: writing batch 0 failed \(attempt 1\): storage unreachable$/);
      assert.equal((monitor.status() as { state: string }).state, 'backing_off');

      await query.stop();
      const failed = await monitor.readiness();
      assert.match(failed.components.pipeline.detail, /^failed: \[SLUICE_SINK_WRITE\] .*failed after 3 attempts: storage unreachable$/);
      assert.equal(monitor.liveness().alive, false);
      const m = parsePrometheusText(await monitor.metrics.text());
      assert.equal(sampleValue(m, 'sluice_errors_total', { stage: 'pipeline', type: 'SLUICE_SINK_WRITE' }), 1);
      assert.equal(sampleValue(m, 'sluice_pipeline_status', { status: 'failed' }), 1);
      assert.equal(sampleValue(m, 'sluice_pipeline_status', { status: 'backing_off' }), 0);
    } finally {
      await monitor.close();
    }
  });
  it('moves the status gauge to idle as soon as the query waits for its next trigger, and to stopped when it stops', async () => {
    const name = `idle-${process.pid}`;
    new MemoryStream(name).addData({ id: 1 }, { id: 2 });
    const query = await createSession({ logger: silentLogger }).readStream.format('memory').option('name', name).load()
      .writeStream.format('memory').option('name', name).option('checkpointLocation', join(root, name)).trigger({ processingTime: '1 hour' }).start();
    const monitor = new PipelineMonitor(query, { config: MonitoringSchema.parse({ default_alerts: false }), logger: silentLogger });
    try {
      const gauge = async (): Promise<Record<string, number | undefined>> => {
        const m = parsePrometheusText(await monitor.metrics.text());
        return Object.fromEntries(['running', 'idle', 'stopped'].map((s) => [s, sampleValue(m, 'sluice_pipeline_status', { status: s })]));
      };
      // Read as the state changes, before the monitor's own once-a-second evaluation could see it.
      const waiting = new Promise<Record<string, number | undefined>>((resolve) => query.on('state', (s) => s.state === 'waiting' && resolve(gauge())));
      assert.deepEqual(await waiting, { running: 0, idle: 1, stopped: 0 });
      const r = await monitor.readiness();
      assert.deepEqual(r.components.pipeline, { healthy: true, detail: 'Waiting for next trigger' });
      await query.stop();
      assert.deepEqual(await gauge(), { running: 0, idle: 0, stopped: 1 });
    } finally {
      await query.stop();
      await monitor.close();
    }
  });
});
