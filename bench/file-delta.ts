// Benchmark: file -> Delta over 1M generated rows, beside JSON.parse of the same lines (the ceiling).
// Both are run three times, alternating, and each is judged by its best run: on a shared machine a
// single run of either can lose a third of its speed to a neighbour, and alternating exposes both to
// the same conditions. Peak RSS is the highest of the pipeline's three runs.
//
// The pipeline runs with the heap limit `sluice run` gives its pipelines (src/cli/launch.ts).
// Without a limit, V8 on a machine with much memory lets its heap grow to about four times the live
// data between full collections; one more run shows that default beside it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_HEAP_MB } from '../src/cli/launch.ts';
import { writeEventFiles } from './data.ts';
import { percentile, type BenchResult } from './report.ts';

const RUNS = 3;

/** The V8 heap limit `sluice run` gives its pipeline process. */
export const HEAP_LIMIT_FLAG = `--max-old-space-size=${DEFAULT_HEAP_MB}`;

interface PipelineRun {
  rows: number;
  seconds: number;
  batchMs: number[];
  peakRssBytes: number;
}

/** Read, split and JSON.parse every line of the files; nothing else. Returns seconds and rows. */
function parseCeiling(landing: string): { seconds: number; rows: number } {
  const t0 = performance.now();
  let parsed = 0;
  for (const f of readdirSync(landing).sort()) {
    const text = readFileSync(join(landing, f), 'utf8');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; start = nl + 1, nl = text.indexOf('\n', start)) {
      if (JSON.parse(text.slice(start, nl)) !== null) parsed++;
    }
  }
  return { seconds: (performance.now() - t0) / 1000, rows: parsed };
}

function runPipeline(dir: string, landing: string, run: number, filesPerTrigger: number, nodeFlags: readonly string[] = [HEAP_LIMIT_FLAG]): PipelineRun {
  const worker = fileURLToPath(new URL('./file-delta-worker.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [...nodeFlags, worker, landing, join(dir, `table-${run}`), join(dir, `cp-${run}`), String(filesPerTrigger)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`file -> Delta worker failed: ${r.stderr}`);
  rmSync(join(dir, `table-${run}`), { recursive: true, force: true });
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as PipelineRun;
}

export function benchFileToDelta(rows = 1_000_000, rowsPerBatch = 100_000): BenchResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  try {
    const landing = join(dir, 'landing');
    const rowsPerFile = 10_000;
    const bytes = writeEventFiles(landing, rows, rowsPerFile);
    const ceilings: { seconds: number; rows: number }[] = [];
    const runs: PipelineRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      ceilings.push(parseCeiling(landing));
      const run = runPipeline(dir, landing, i, rowsPerBatch / rowsPerFile);
      if (run.rows !== rows) throw new Error(`file -> Delta wrote ${run.rows} rows, expected ${rows}`);
      runs.push(run);
    }
    const unlimited = runPipeline(dir, landing, RUNS, rowsPerBatch / rowsPerFile, []);
    // The same rows with 64-bit user ids beyond 2^53: every line goes through the exact JSON reader.
    const bigLanding = join(dir, 'landing-big-ids');
    const bigBytes = writeEventFiles(bigLanding, rows, rowsPerFile, true);
    const big = runPipeline(dir, bigLanding, RUNS + 1, rowsPerBatch / rowsPerFile);
    if (big.rows !== rows) throw new Error(`file -> Delta with big ids wrote ${big.rows} rows, expected ${rows}`);
    const ceiling = ceilings.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const peakRssMb = Math.max(...runs.map((r) => r.peakRssBytes)) / 1024 / 1024;
    const mb = bytes / 1024 / 1024;
    return [
      { name: `JSON.parse of the same lines (ceiling, best of ${RUNS})`, rows: ceiling.rows, seconds: ceiling.seconds, mbPerSecond: mb / ceiling.seconds },
      {
        name: `file -> Delta (${rowsPerBatch / 1000}k-row batches, heap limit ${DEFAULT_HEAP_MB} MB, best of ${RUNS})`,
        rows: best.rows,
        seconds: best.seconds,
        mbPerSecond: mb / best.seconds,
        peakRssMb,
        rssLimitMb: 400,
        latencyMs: { p50: percentile(best.batchMs, 50), p95: percentile(best.batchMs, 95), p99: percentile(best.batchMs, 99) },
        relativeTo: { name: 'JSON.parse', ratio: best.rows / best.seconds / (ceiling.rows / ceiling.seconds), required: 0.4 },
      },
      {
        name: `file -> Delta, Node's default heap limit (one run)`,
        rows: unlimited.rows,
        seconds: unlimited.seconds,
        mbPerSecond: mb / unlimited.seconds,
        peakRssMb: unlimited.peakRssBytes / 1024 / 1024,
        latencyMs: { p50: percentile(unlimited.batchMs, 50), p95: percentile(unlimited.batchMs, 95), p99: percentile(unlimited.batchMs, 99) },
        relativeTo: { name: 'JSON.parse', ratio: unlimited.rows / unlimited.seconds / (ceiling.rows / ceiling.seconds) },
      },
      {
        name: 'file -> Delta, every user_id beyond 2^53 (exact JSON reader, one run)',
        rows: big.rows,
        seconds: big.seconds,
        mbPerSecond: bigBytes / 1024 / 1024 / big.seconds,
        peakRssMb: big.peakRssBytes / 1024 / 1024,
        latencyMs: { p50: percentile(big.batchMs, 50), p95: percentile(big.batchMs, 95), p99: percentile(big.batchMs, 99) },
        relativeTo: { name: 'JSON.parse', ratio: big.rows / big.seconds / (ceiling.rows / ceiling.seconds) },
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
