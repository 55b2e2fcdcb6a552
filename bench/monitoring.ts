// Benchmark: the cost of monitoring. file -> Delta with the monitoring server off, then on and
// scraped every second (/metrics, /ready, /api/status, as Prometheus and a dashboard would), in
// alternating runs of separate processes running the built package; the best run of each is compared.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeEventFiles } from './data.ts';
import { HEAP_LIMIT_FLAG } from './file-delta.ts';
import { percentile, type BenchResult } from './report.ts';

interface WorkerResult {
  readonly rows: number;
  readonly seconds: number;
  readonly batchMs: number[];
  readonly peakRssBytes: number;
  readonly scrapes?: number;
}

const WORKER = fileURLToPath(new URL('./file-delta-worker.mjs', import.meta.url));

export async function benchMonitoring(rows = 1_000_000, rowsPerBatch = 100_000, rounds = 5): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-monitoring-'));
  try {
    const rowsPerFile = 10_000;
    const landing = join(dir, 'landing');
    const bytes = writeEventFiles(landing, rows, rowsPerFile);
    const best: Record<'off' | 'on', WorkerResult | undefined> = { off: undefined, on: undefined };
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const seconds: Partial<Record<'off' | 'on', number>> = {};
      // The order flips every round, so neither mode always runs first.
      for (const mode of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        const run = join(dir, `${mode}-${round}`);
        const r = await runWorker(mode, landing, join(run, 'table'), join(run, 'cp'), rowsPerBatch / rowsPerFile);
        if (r.rows !== rows) throw new Error(`monitoring ${mode}: wrote ${r.rows} rows, expected ${rows}`);
        if (mode === 'on' && (r.scrapes ?? 0) === 0) throw new Error('monitoring on: the server was never scraped');
        const prev = best[mode];
        if (prev === undefined || r.seconds < prev.seconds) best[mode] = r;
        seconds[mode] = r.seconds;
        rmSync(run, { recursive: true, force: true });
      }
      ratios.push((seconds.off ?? 0) / (seconds.on ?? 1));
    }
    const off = best.off;
    const on = best.on;
    if (off === undefined || on === undefined) throw new Error('no benchmark round ran');
    const mb = bytes / 1024 / 1024;
    const row = (name: string, r: WorkerResult): BenchResult => ({
      name,
      rows: r.rows,
      seconds: r.seconds,
      mbPerSecond: mb / r.seconds,
      peakRssMb: r.peakRssBytes / 1024 / 1024,
      latencyMs: { p50: percentile(r.batchMs, 50), p95: percentile(r.batchMs, 95), p99: percentile(r.batchMs, 99) },
    });
    return [
      row('file -> Delta, monitoring off', off),
      // Judged by the median over rounds of each round's pair of runs, made back to back under the
      // same machine conditions: steadier than comparing two best runs from different moments.
      { ...row(`file -> Delta, monitoring on, scraped every second (${on.scrapes ?? 0} scrapes)`, on), relativeTo: { name: `monitoring off (median of ${rounds} paired runs)`, ratio: median(ratios), required: 0.95 } },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one pipeline in its own process; with monitoring on, scrapes it from this process. */
async function runWorker(mode: 'off' | 'on', landing: string, table: string, cp: string, filesPerTrigger: number): Promise<WorkerResult> {
  const child = spawn(process.execPath, [HEAP_LIMIT_FLAG, WORKER, landing, table, cp, String(filesPerTrigger), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let scrapes = 0;
  let timer: NodeJS.Timeout | undefined;
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const url = /^url (\S+)$/m.exec(out)?.[1];
    if (url !== undefined && timer === undefined) {
      timer = setInterval(() => {
        void Promise.all(['/metrics', '/ready', '/api/status'].map((p) => fetch(url + p).then((r) => r.text())))
          .then(() => scrapes++)
          .catch(() => undefined);
      }, 1000);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`monitoring ${mode} worker failed: ${err}`);
  const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as WorkerResult;
  return mode === 'on' ? { ...result, scrapes } : result;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
