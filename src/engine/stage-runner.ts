// Batch memory bounds: estimates a batch's size from its rows and runs an oversized batch through
// the stages in slices, with a hint that makes the sink write it in several parts of the same batch id.
import { rowToJson } from '../schema/values/format.ts';
import type { JsonValue, Stage } from '../core/component.ts';
import type { Batch, Rejected, Row } from '../core/record.ts';
import { originOf } from '../core/record.ts';


const SAMPLE = 64;

/** Rough in-memory size of a value: strings two bytes a character, objects their members plus overhead. */
export function estimateValueBytes(v: unknown, depth = 0): number {
  if (v === null || v === undefined) return 8;
  switch (typeof v) {
    case 'string':
      return 16 + v.length * 2;
    case 'number':
    case 'boolean':
      return 8;
    case 'bigint':
      return 16;
    case 'object': {
      if (v instanceof Uint8Array) return 64 + v.byteLength;
      if (depth > 64) return 64;
      let n = 32;
      if (Array.isArray(v)) for (const x of v) n += 8 + estimateValueBytes(x, depth + 1);
      else for (const k in v as Record<string, unknown>) n += 16 + k.length * 2 + estimateValueBytes((v as Record<string, unknown>)[k], depth + 1);
      return n;
    }
    default:
      return 16;
  }
}

/** Estimated bytes of all rows, measured on an evenly spaced sample. */
export function estimateBatchBytes(rows: readonly Row[]): number {
  const n = rows.length;
  if (n === 0) return 0;
  const step = Math.max(1, Math.floor(n / SAMPLE));
  let sampled = 0;
  let bytes = 0;
  for (let i = 0; i < n; i += step) {
    bytes += estimateValueBytes(rows[i]);
    sampled++;
  }
  return Math.ceil((bytes / sampled) * n);
}

export interface StagedBatch {
  readonly batch: Batch;
  readonly metrics: Record<string, JsonValue>;
  /** Number of slices the batch ran in (1 when it fit the bound). */
  readonly parts: number;
  readonly estimatedBytes: number;
}

/** Runs the stages over the batch; above `maxBytes`, in slices of at most about `maxBytes` each.
 * A single record larger than the whole bound goes to the dead-letter queue as RESOURCE. */
export async function runStagesBounded(stages: readonly Stage[], input: Batch, maxBytes: number | undefined): Promise<StagedBatch> {
  const estimatedBytes = maxBytes === undefined ? 0 : estimateBatchBytes(input.rows);
  if (maxBytes === undefined || estimatedBytes <= maxBytes) {
    let batch = input;
    for (const s of stages) batch = await s.process(batch);
    return { batch, metrics: collect(stages), parts: 1, estimatedBytes };
  }
  const rows: Row[] = [];
  const rejected: Rejected[] = [...input.rejected];
  const kept: Row[] = [];
  for (const r of input.rows) {
    const size = estimateValueBytes(r);
    if (size > maxBytes) rejected.push(tooLarge(r, size, maxBytes));
    else kept.push(r);
  }
  const perRow = kept.length === 0 ? 1 : Math.max(1, estimateBatchBytes(kept) / kept.length);
  const sliceRows = Math.max(1, Math.floor(maxBytes / perRow));
  let schema = input.schema;
  let parts = 0;
  for (let i = 0; i < kept.length || parts === 0; i += sliceRows) {
    let slice: Batch = { batchId: input.batchId, rows: kept.slice(i, i + sliceRows), rejected: [], schema: input.schema };
    for (const s of stages) slice = await s.process(slice);
    for (const r of slice.rows) rows.push(r);
    for (const r of slice.rejected) rejected.push(r);
    schema = slice.schema;
    parts++;
  }
  const batch: Batch = { batchId: input.batchId, rows, rejected, schema, ...(input.markers === undefined ? {} : { markers: input.markers }), partRows: sliceRows };

  return { batch, metrics: collect(stages), parts, estimatedBytes };
}

function tooLarge(row: Row, size: number, maxBytes: number): Rejected {
  let payload: string | null;
  try {
    const s = rowToJson(row, null);
    payload = s.length > 1024 ? `${s.slice(0, 1024)}...` : s;
  } catch {
    payload = null;
  }
  return {
    errorType: 'RESOURCE',
    stage: 'engine',
    rule: 'max.batch.bytes',
    message: `record of about ${size} bytes exceeds the batch memory bound of ${maxBytes} bytes (payload truncated to 1 KiB)`,
    payload,
    origin: originOf(row) ?? {},
  };
}

function collect(stages: readonly Stage[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const s of stages) {
    const m = s.metrics?.();
    if (m !== undefined) out[s.name] = JSON.parse(JSON.stringify(m)) as JsonValue;
  }
  return out;
}
