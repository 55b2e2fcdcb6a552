// Benchmark: the transform stage (filter + with_column) and the quality stage over 1M rows, each against JSON.parse of the same rows.
import { pathToFileURL } from 'node:url';
import type { Row } from '../src/core/record.ts';
import { QualityConfigSchema, QualityStage } from '../src/stages/quality/index.ts';
import { parseDdl } from '../src/schema/ddl.ts';
import { TransformConfigSchema, TransformStage } from '../src/stages/transform/index.ts';
import { eventLine, EVENT_SCHEMA } from './data.ts';
import { formatTable, type BenchResult } from './report.ts';

// The rows are what JSON.parse gives, so the event time is still text here.
const SCHEMA = parseDdl(EVENT_SCHEMA.replace('ts TIMESTAMP', 'ts STRING'));
const BATCH = 100_000;

export async function benchStages(rows = 1_000_000, runs = 3): Promise<BenchResult[]> {
  const lines = new Array<string>(rows);
  let bytes = 0;
  for (let i = 0; i < rows; i++) {
    const l = eventLine(i);
    lines[i] = l;
    bytes += l.length + 1;
  }
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
  const parse = (): Row[] => {
    const out = new Array<Row>(rows);
    for (let i = 0; i < rows; i++) out[i] = JSON.parse(lines[i] ?? '{}') as Row;
    return out;
  };
  // Micro-batches of BATCH rows, as the engine would hand them over; the first compiles for the schema.
  const timeStage = async (parsed: readonly Row[], process: (rows: Row[], batchId: number) => Promise<number> | number): Promise<{ ms: number; kept: number }> => {
    await process(lines.slice(0, 1000).map((l) => JSON.parse(l) as Row), -1);
    const t = performance.now();
    let kept = 0;
    for (let off = 0, id = 0; off < rows; off += BATCH, id++) kept += await process(parsed.slice(off, off + BATCH), id);
    return { ms: performance.now() - t, kept };
  };

  // Each run parses afresh, since the transform writes its columns into the rows it is given.
  let parseMs = Infinity;
  let transformMs = Infinity;
  let qualityMs = Infinity;
  let transformKept = 0;
  for (let run = 0; run < runs; run++) {
    const t = performance.now();
    const parsed = parse();
    parseMs = Math.min(parseMs, performance.now() - t);
    const tr = await timeStage(parsed, async (r, batchId) => (await transform.process({ batchId, rows: r, rejected: [], schema: SCHEMA })).rows.length);
    transformMs = Math.min(transformMs, tr.ms);
    transformKept = tr.kept;
    const q = await timeStage(parse(), (r, batchId) => quality.process({ batchId, rows: r, rejected: [], schema: SCHEMA }).rows.length);
    qualityMs = Math.min(qualityMs, q.ms);
  }

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
