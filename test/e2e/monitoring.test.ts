// Monitoring of a running pipeline through the CLI: /metrics parsed strictly as counters move,
// /ready turning 503 with the right reason and back, alert deliveries to a webhook, sluice status.
import { strict as assert } from 'node:assert';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parsePrometheusText, sampleValue } from '../../src/observe/prom-text.ts';
import { NOBODY, runCli, spawnCli } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-monitoring-'));
after(() => rmSync(root, { recursive: true, force: true }));
const asRoot = process.getuid?.() === 0;

async function get(url: string): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

/** Writes a JSON-lines file next to the folder, then moves it in, as producers should. */
function land(dir: string, name: string, rows: readonly Record<string, unknown>[], bad = 0): void {
  const tmp = join(root, `.${name}`);
  writeFileSync(tmp, rows.map((r) => JSON.stringify(r)).join('\n') + '\n' + '{not json\n'.repeat(bad));
  if (asRoot) chownSync(tmp, NOBODY, NOBODY);
  renameSync(tmp, join(dir, name));
}

function rows(from: number, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({ id: from + i, ts: new Date().toISOString(), amount: i * 1.5 }));
}

function pipelineYaml(name: string, dir: string, interval: string, extra: string): string {
  return `streaming:
  name: ${name}
  source:
    type: file
    config: { path: ${join(dir, 'landing')}, format: json }
  processing:
    batch.interval: ${interval}
    watermark.column: ts
  sink:
    type: delta
    config: { path: ${join(dir, 'table')}, checkpoint.location: ${join(dir, 'cp')} }
  error_handling:
    retry: { max_attempts: 1000, initial_backoff: 100ms, max_backoff: 500ms }
  monitoring:
    default_alerts: false
${extra}`;
}

/** Starts `sluice run` with --http-port 0 and finds its server through the checkpoint's announcement. */
async function startPipeline(dir: string, yaml: string, opts: { uid?: number } = {}) {
  const cfg = join(dir, 'pipeline.yaml');
  writeFileSync(cfg, yaml);
  const run = spawnCli(['run', cfg, '--http-port', '0', '--progress', 'json'], { SLUICE_LOG_LEVEL: 'info' }, opts);
  const url = await waitFor('the monitoring server to be announced', () => {
    try {
      return Promise.resolve((JSON.parse(readFileSync(join(dir, 'cp', '.monitoring.json'), 'utf8')) as { url: string }).url);
    } catch {
      return Promise.resolve(undefined);
    }
  });
  return { run, url };
}

describe('monitoring a running pipeline', () => {
  const hooks: Record<string, unknown>[] = [];
  let receiver: Server;
  let hookUrl = '';

  before(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        hooks.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
  });
  after(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('serves Prometheus metrics whose counters move as batches commit, and delivers a rule firing then resolved to a webhook', async () => {
    const dir = join(root, 'counters');
    mkdirSync(join(dir, 'landing'), { recursive: true });
    land(join(dir, 'landing'), 'a.jsonl', rows(0, 20), 2);
    const alerts = `    alerts:
      - { name: rejected_records, metric: rejectedRows, condition: "> 0", for: 0s, severity: critical, description: a batch sent records to the DLQ }
    webhooks:
      - { url: "${hookUrl}", initial_backoff: 100ms }
`;
    const { run, url } = await startPipeline(dir, pipelineYaml('counters', dir, '300ms', alerts));
    try {
      const scrape = async () => {
        const r = await get(`${url}/metrics`);
        assert.equal(r.status, 200);
        assert.match(r.type, /^text\/plain; version=0\.0\.4/);
        return parsePrometheusText(r.text);
      };
      let m = await waitFor('the first batch in the metrics', async () => ((await scrape()).get('sluice_batches_total')?.samples[0]?.value === 1 ? scrape() : undefined));
      const source = { pipeline: 'counters', source: `FileStreamSource[${join(dir, 'landing')}]` };
      assert.equal(sampleValue(m, 'sluice_input_rows_total', source), 22);
      assert.equal(sampleValue(m, 'sluice_output_rows_total', { pipeline: 'counters' }), 20);
      assert.equal(sampleValue(m, 'sluice_dlq_records_total'), 2);
      assert.equal(sampleValue(m, 'sluice_errors_total', { stage: 'source', type: 'SCHEMA_VALIDATION' }), 2);
      assert.equal(sampleValue(m, 'sluice_batch_duration_seconds_count'), 1);
      assert.equal(sampleValue(m, 'sluice_end_to_end_latency_seconds_count'), 1);
      assert.equal(sampleValue(m, 'sluice_schema_version'), 1);
      assert.equal(sampleValue(m, 'sluice_source_files_pending', source), 0);
      assert.equal(sampleValue(m, 'sluice_alerts_firing', { alert: 'rejected_records', severity: 'critical' }), 1);
      for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds']) {
        assert.ok(m.has(name), name);
      }
      await waitFor('the firing notification', () => Promise.resolve(hooks.length >= 1 ? true : undefined));

      land(join(dir, 'landing'), 'b.jsonl', rows(100, 5));
      m = await waitFor('the second batch in the metrics', async () => ((await scrape()).get('sluice_batches_total')?.samples[0]?.value === 2 ? scrape() : undefined));
      assert.equal(sampleValue(m, 'sluice_input_rows_total', source), 27);
      assert.equal(sampleValue(m, 'sluice_output_rows_total', { pipeline: 'counters' }), 25);
      assert.equal(sampleValue(m, 'sluice_dlq_records_total'), 2);
      assert.equal(sampleValue(m, 'sluice_batch_duration_seconds_count'), 2);
      await waitFor('the resolved notification', () => Promise.resolve(hooks.length >= 2 ? true : undefined));
      assert.deepEqual(hooks.map((h) => [h.status, h.alert, h.pipeline, h.severity]), [
        ['firing', 'rejected_records', 'counters', 'critical'],
        ['resolved', 'rejected_records', 'counters', 'critical'],
      ]);

      const status = JSON.parse((await get(`${url}/api/status`)).text) as { totals: { batches: number }; alerts: { name: string; state: string }[] };
      assert.equal(status.totals.batches, 2);
      assert.deepEqual(status.alerts.map((a) => [a.name, a.state]), [['rejected_records', 'resolved']]);
      const progress = JSON.parse((await get(`${url}/api/progress`)).text) as { batchId: number }[];
      assert.deepEqual(progress.map((p) => p.batchId), [0, 1]);
      assert.equal((await get(`${url}/health`)).status, 200);
      assert.equal((await get(`${url}/nothing-here`)).status, 404);

      const s = await runCli(['status', '--checkpoint', join(dir, 'cp')]);
      assert.equal(s.code, 0, s.stderr);
      assert.match(s.stdout, /last committed\s+1\n/);
      assert.match(s.stdout, /this run\s+2 batches, 27 rows in, 25 written, 2 rejected/);
      assert.match(s.stdout, /last progress\s+batch 1 /);
    } finally {
      run.child.kill('SIGINT');
      const r = await run.done;
      assert.equal(r.code, 0, r.stderr);
    }
    const stopped = await runCli(['status', '--checkpoint', join(dir, 'cp')]);
    assert.match(stopped.stdout, /state\s+stopped\n/);
    assert.doesNotMatch(stopped.stdout, /^monitoring /m);
  });

  it('turns /ready to 503 with the reason when the sink folder becomes unwritable or the source folder disappears, and back to 200', async () => {
    const dir = join(root, 'ready');
    mkdirSync(join(dir, 'landing'), { recursive: true });
    land(join(dir, 'landing'), 'a.jsonl', rows(0, 10));
    if (asRoot) {
      // Root writes anywhere: the pipeline runs as an unprivileged user so that permissions bite.
      chmodSync(root, 0o755);
      for (const p of [dir, join(dir, 'landing')]) chownSync(p, NOBODY, NOBODY);
    }
    // A long interval: after the first batch the loop sleeps, so only the probes see the damage.
    const { run, url } = await startPipeline(dir, pipelineYaml('ready', dir, '1 hour', ''), asRoot ? { uid: NOBODY } : {});
    type Ready = { status: number; body: { ready: boolean; reasons: string[]; components: Record<string, { healthy: boolean; detail: string }> } };
    const ready = async (): Promise<Ready> => {
      const r = await get(`${url}/ready`);
      return { status: r.status, body: JSON.parse(r.text) as Ready['body'] };
    };
    try {
      await waitFor('the first batch', async () => ((await get(`${url}/api/status`)).text.includes('"batches":1') ? true : undefined));
      const ok = await waitFor('ready', async () => ((await ready()).status === 200 ? ready() : undefined));
      assert.deepEqual(Object.keys(ok.body.components), ['source', 'sink', 'pipeline', 'resources']);

      chmodSync(join(dir, 'table'), 0o555);
      const sinkDown = await waitFor('503 for the sink', async () => ((await ready()).status === 503 ? ready() : undefined));
      assert.equal(sinkDown.body.components.sink?.healthy, false);
      assert.equal(sinkDown.body.reasons.length, 1);
      assert.match(sinkDown.body.reasons[0] ?? '', /^sink: Delta table folder .* is not writable/);
      chmodSync(join(dir, 'table'), 0o755);
      await waitFor('200 after the sink recovers', async () => ((await ready()).status === 200 ? true : undefined));

      renameSync(join(dir, 'landing'), join(dir, 'landing-away'));
      const sourceDown = await waitFor('503 for the source', async () => ((await ready()).status === 503 ? ready() : undefined));
      assert.deepEqual(sourceDown.body.reasons.map((r) => r.split(':')[0]), ['source']);
      assert.match(sourceDown.body.components.source?.detail ?? '', /landing is not readable/);
      renameSync(join(dir, 'landing-away'), join(dir, 'landing'));
      await waitFor('200 after the source folder is back', async () => ((await ready()).status === 200 ? true : undefined));
    } finally {
      run.child.kill('SIGINT');
      await run.done;
    }
  });
});
