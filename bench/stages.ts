// Benchmark: the transform stage (filter + with_column) and the quality stage over 1M rows, each against JSON.parse of the same rows.
import { pathToFileURL } from 'node:url';
import type { Row } from '../src/core/record.ts';
import { QualityConfigSchema, QualityStage } from '../src/stages/quality/index.ts';
import { parseDdl } from '../src/stages/schema/ddl.ts';
import { TransformConfigSchema, TransformStage } from '../src/stages/transform/index.ts';
import { eventLine, EVENT_SCHEMA } from './data.ts';
import { formatTable, type BenchResult } from './report.ts';

// The rows are what JSON.parse gives, so the event time is still text here.
const SCHEMA = parseDdl(EVENT_SCHEMA.replace('ts TIMESTAMP', 'ts STRING'));
const BATCH = 100_000;

function best(runs: number, f: () => number): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) min = Math.min(min, f());
  return min;
}

async function bestAsync(runs: number, f: () => Promise<number>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < runs; i++) min = Math.min(min, await f());
  return min;
}

export async function benchStages(rows = 1_000_000, runs = 3): Promise<BenchResult[]> {
  const lines = new Array<string>(rows);
  let bytes = 0;
  for (let i = 0; i < rows; i++) {
    const l = eventLine(i);
    lines[i] = l;
    bytes += l.length + 1;
  }
  let parsed: Row[] = [];
  const parseMs = best(runs, () => {
    const t = performance.now();
    const out = new Array<Row>(rows);
    for (let i = 0; i < rows; i++) out[i] = JSON.parse(lines[i] ?? '{}') as Row;
    const ms = performance.now() - t;
    parsed = out;
    return ms;
  });

  const transform = await TransformStage.create(
    'bench',
    TransformConfigSchema.parse({
      steps: [
        { filter: "amount > 10 AND country IN ('DE', 'FR')" },
        { with_column: { name: 'kind_upper', expr: 'upper(kind)' } },
        { with_column: { name: 'gross', expr: 'amount * 1.19' } },
      ],
    }),
  );
  const quality = new QualityStage(
    'bench',
    QualityConfigSchema.parse({ expect: { positive: 'amount > 0' }, expect_or_drop: { has_id: 'event_id IS NOT NULL' }, profile: ['amount', 'country'] }),
  );

  let kept = 0;
  const timeStage = async (process: (rows: Row[], batchId: number) => Promise<number> | number): Promise<number> => {
    await process(parsed.slice(0, 1000), -1); // compile for the schema and warm up
    const t = performance.now();
    let n = 0;
    for (let off = 0, id = 0; off < rows; off += BATCH, id++) n += await process(parsed.slice(off, off + BATCH), id);
    kept = n;
    return performance.now() - t;
  };
  const transformMs = await bestAsync(runs, () => timeStage(async (r, batchId) => (await transform.process({ batchId, rows: r, rejected: [], schema: SCHEMA })).rows.length));
  const transformKept = kept;
  const qualityMs = await bestAsync(runs, () => timeStage((r, batchId) => quality.process({ batchId, rows: r, rejected: [], schema: SCHEMA }).rows.length));

  const mb = bytes / 1024 / 1024;
  const parseRate = rows / (parseMs / 1000);
  const result = (name: string, ms: number, required?: number): BenchResult => ({
    name,
    rows,
    seconds: ms / 1000,
    mbPerSecond: mb / (ms / 1000),
    relativeTo: { name: 'JSON.parse', ratio: rows / (ms / 1000) / parseRate, ...(required === undefined ? {} : { required }) },
  });
  if (transformKept <= 0 || transformKept >= rows) throw new Error(`the benchmark filter kept ${transformKept} of ${rows} rows; it should keep some and drop some`);
  return [
    { name: 'JSON.parse (baseline)', rows, seconds: parseMs / 1000, mbPerSecond: mb / (parseMs / 1000) },
    // Costing under a quarter of JSON.parse time is four times its throughput.
    result(`transform: filter + 2 with_column (${transformKept} kept)`, transformMs, 4),
    result('quality: 2 expectations + profile of 2 columns', qualityMs),
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await benchStages();
  console.log(formatTable(results));
}
