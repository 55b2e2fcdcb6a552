// The `parse` stage: turns raw payloads (a Kafka `value`, a line of text) into records; a payload
// that cannot be read goes to the dead-letter queue with the reason and the payload itself.
import { defineStage, type Stage } from '../../core/component.ts';
import { originOf, withOrigin, type Batch, type Rejected, type Row } from '../../core/record.ts';
import { field, struct, type StructType } from '../../core/schema.ts';
import { inferSchema } from '../../schema/infer.ts';
import { conformerFor } from '../../schema/conform.ts';
import { setOwn } from '../../core/own.ts';
import { rowToJson } from '../../schema/values/format.ts';
import { parseConfig, type ParseConfig } from './config.ts';
import { parseCsvRecord, parseJsonObject, payloadForDlq, payloadText, type Decoded } from './decode.ts';

export interface ParseMetrics {
  batchId: number;
  parsed: number;
  failed: number;
}

export class ParseStage implements Stage {
  private m: ParseMetrics = { batchId: -1, parsed: 0, failed: 0 };

  constructor(readonly name: string, private readonly cfg: ParseConfig) {}

  process(batch: Batch): Batch {
    if (batch.batchId !== this.m.batchId) this.m = { batchId: batch.batchId, parsed: 0, failed: 0 };
    const c = this.cfg;
    const rows: Row[] = [];
    const rejected: Rejected[] = batch.rejected;
    for (const input of batch.rows) {
      const raw = input[c.column];
      const size = raw instanceof Uint8Array ? raw.byteLength : typeof raw === 'string' ? raw.length : 0;
      const r: Decoded<Row> = size > c.max_bytes ? { ok: false, message: `payload of ${size} bytes exceeds max_bytes ${c.max_bytes}` } : this.decode(raw);
      if (!r.ok) {
        this.m.failed++;
        const errorType = size > c.max_bytes ? 'RESOURCE' : 'PROCESSING';
        const { payload, payloadEncoding } = payloadForDlq(raw);
        rejected.push({
          errorType,
          stage: this.name,
          rule: `parse.${c.format}`,
          message: r.message,
          payload: payload !== null && payload.length > c.max_bytes ? `${payload.slice(0, 1024)}...` : payload,
          ...(payloadEncoding === undefined ? {} : { payloadEncoding }),
          origin: originOf(input) ?? {},
        });
        continue;
      }
      const out = r.value;
      for (const k of c.keep) if (!Object.hasOwn(out, k)) setOwn(out, k, (Object.hasOwn(input, k) ? input[k] : null) ?? null);
      const o = originOf(input);
      rows.push(o === undefined ? out : withOrigin(out, o));
      this.m.parsed++;
    }
    const schema = this.schemaOf(rows, batch.schema);
    if (schema === null || c.format !== 'json') return { ...batch, rows, rejected, schema };
    // The rows hold values as JSON gave them; a batch with a schema holds the value model's forms of
    // it (timestamps as microseconds, dates as days...), so conform them to what was inferred.
    const conform = conformerFor(schema, { input: 'json' });
    const typed: Row[] = [];
    for (const row of rows) {
      const r = conform(row);
      if (r.ok) typed.push(r.row);
      else rejected.push({ errorType: 'SCHEMA_VALIDATION', stage: this.name, rule: 'parse.json', message: r.message, payload: rowToJson(row, null), origin: originOf(row) ?? {} });
    }
    return { ...batch, rows: typed, rejected, schema };
  }

  metrics(): Record<string, unknown> {
    return { ...this.m };
  }

  private decode(raw: unknown): Decoded<Row> {
    const c = this.cfg;
    if (c.format === 'binary') {
      if (raw instanceof Uint8Array) return { ok: true, value: { [c.target]: raw } };
      if (typeof raw === 'string') return { ok: true, value: { [c.target]: new TextEncoder().encode(raw) } };
      return { ok: false, message: raw === null || raw === undefined ? 'payload is null' : `payload is a ${typeof raw}, expected a string or bytes` };
    }
    const t = payloadText(raw);
    if (!t.ok) return t;
    if (c.format === 'text') return { ok: true, value: { [c.target]: t.value } };
    if (c.format === 'csv') return parseCsvRecord(t.value, c.columns ?? [], c.sep, c.quote);
    return parseJsonObject(t.value, c.max_depth);
  }

  private schemaOf(rows: readonly Row[], input: StructType | null): StructType | null {
    const c = this.cfg;
    const kept = c.keep.map((k) => input?.fields.find((f) => f.name === k) ?? field(k, 'string'));
    if (c.format === 'text' || c.format === 'binary') return struct([field(c.target, c.format === 'text' ? 'string' : 'binary'), ...kept]);
    if (c.format === 'csv') return struct([...(c.columns ?? []).map((n) => field(n, 'string')), ...kept]);
    // JSON records have no fixed schema: a detect or validate stage after this one fixes it.
    return rows.length === 0 ? null : inferSchema(rows);
  }
}

export const parseStage = defineStage<ParseConfig>({
  type: 'parse',
  summary: 'Parses raw payloads (a Kafka value, text lines) as JSON, CSV, text or bytes; unreadable payloads go to the dead-letter queue with the reason.',
  config: parseConfig,
  create: (cfg, ctx) => new ParseStage(ctx.stageName, cfg),
});
