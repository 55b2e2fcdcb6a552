// Benchmark: file -> Delta over 1M generated rows, beside JSON.parse of the same lines (the ceiling).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeEventFiles } from './data.ts';
import { percentile, type BenchResult } from './report.ts';

export function benchFileToDelta(rows = 1_000_000, rowsPerBatch = 100_000): BenchResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  try {
    const landing = join(dir, 'landing');
    const rowsPerFile = 10_000;
    const bytes = writeEventFiles(landing, rows, rowsPerFile);

    // The ceiling: read the same files, split lines and JSON.parse each one.
    const t0 = performance.now();
    let parsed = 0;
    for (const f of readdirSync(landing).sort()) {
      const text = readFileSync(join(landing, f), 'utf8');
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; start = nl + 1, nl = text.indexOf('\n', start)) {
        if (JSON.parse(text.slice(start, nl)) !== null) parsed++;
      }
    }
    const parseSeconds = (performance.now() - t0) / 1000;

    const worker = fileURLToPath(new URL('./file-delta-worker.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [worker, landing, join(dir, 'table'), join(dir, 'cp'), String(rowsPerBatch / rowsPerFile)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (r.status !== 0) throw new Error(`file -> Delta worker failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { rows: number; seconds: number; batchMs: number[]; peakRssBytes: number };
    if (out.rows !== rows) throw new Error(`file -> Delta wrote ${out.rows} rows, expected ${rows}`);
    const mb = bytes / 1024 / 1024;
    return [
      { name: 'JSON.parse of the same lines (ceiling)', rows: parsed, seconds: parseSeconds, mbPerSecond: mb / parseSeconds },
      {
        name: `file -> Delta (${rowsPerBatch / 1000}k-row batches)`,
        rows: out.rows,
        seconds: out.seconds,
        mbPerSecond: mb / out.seconds,
        peakRssMb: out.peakRssBytes / 1024 / 1024,
        latencyMs: { p50: percentile(out.batchMs, 50), p95: percentile(out.batchMs, 95), p99: percentile(out.batchMs, 99) },
        relativeTo: { name: 'JSON.parse', ratio: out.rows / out.seconds / (parsed / parseSeconds), required: 0.4 },
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
