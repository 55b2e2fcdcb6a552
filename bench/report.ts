// Benchmark results and their table: rows/s, MB/s, latency percentiles, peak RSS, ratio to a baseline.

export interface BenchResult {
  readonly name: string;
  readonly rows: number;
  readonly seconds: number;
  readonly mbPerSecond?: number;
  readonly peakRssMb?: number;
  /** The peak RSS the benchmark must stay within, in MB. */
  readonly rssLimitMb?: number;
  /** Per-batch latency percentiles in milliseconds. */
  readonly latencyMs?: { readonly p50: number; readonly p95: number; readonly p99: number };
  readonly relativeTo?: { readonly name: string; readonly ratio: number; readonly required?: number };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

export function formatTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [
    r.name,
    Math.round(r.rows / r.seconds).toLocaleString('en-US'),
    r.mbPerSecond === undefined ? '' : r.mbPerSecond.toFixed(1),
    r.latencyMs === undefined ? '' : `${r.latencyMs.p50} / ${r.latencyMs.p95} / ${r.latencyMs.p99}`,
    r.peakRssMb === undefined ? '' : `${r.peakRssMb.toFixed(0)}${r.rssLimitMb === undefined ? '' : ` (limit ${r.rssLimitMb}: ${r.peakRssMb <= r.rssLimitMb ? 'ok' : 'ABOVE'})`}`,
    r.relativeTo === undefined ? '' : `${(r.relativeTo.ratio * 100).toFixed(0)}% of ${r.relativeTo.name}${r.relativeTo.required === undefined ? '' : ` (needs ${(r.relativeTo.required * 100).toFixed(0)}%: ${r.relativeTo.ratio >= r.relativeTo.required ? 'ok' : 'BELOW'})`}`,
  ]);
  const head = ['benchmark', 'rows/s', 'MB/s', 'batch ms p50/p95/p99', 'peak RSS MB', 'vs baseline'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
