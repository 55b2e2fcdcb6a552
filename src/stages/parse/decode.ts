// Payload decoding: bytes to strict UTF-8 text, JSON objects with a depth bound, single CSV records.
import { parseJson } from '../../schema/values/json.ts';
import type * as CsvParse from 'csv-parse/sync';
import { lazyModule } from '../../core/lazy.ts';
import { errorMessage } from '../../core/errors.ts';
import { isValidUtf8 } from '../../core/utf8.ts';

const csvParse = lazyModule<typeof CsvParse>('csv-parse/sync');

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** The payload as text: strings as they are (a leading BOM removed), bytes as strict UTF-8. */
export function payloadText(v: unknown): Decoded<string> {
  if (typeof v === 'string') return { ok: true, value: v.charCodeAt(0) === 0xfeff ? v.slice(1) : v };
  if (v instanceof Uint8Array) {
    if (!isValidUtf8(v)) return { ok: false, message: 'payload is not valid UTF-8' };
    const text = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
    return { ok: true, value: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  }
  if (v === null || v === undefined) return { ok: false, message: 'payload is null' };
  return { ok: false, message: `payload is a ${typeof v}, expected a string or bytes` };
}

/** A payload as the DLQ holds it: text, or base64 (marked as such) for bytes that are not UTF-8. */
export interface DlqPayload {
  readonly payload: string | null;
  readonly payloadEncoding?: 'base64';
}

/** Raw payload rendered for the DLQ: text as is, bytes as text when valid UTF-8, else base64. */
export function payloadForDlq(v: unknown): DlqPayload {
  if (typeof v === 'string') return { payload: v };
  if (v instanceof Uint8Array) {
    const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    return isValidUtf8(bytes) ? { payload: bytes.toString('utf8') } : { payload: bytes.toString('base64'), payloadEncoding: 'base64' };
  }
  if (v === null || v === undefined) return { payload: null };
  try {
    return { payload: JSON.stringify(v) };
  } catch {
    return { payload: typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : null };
  }
}

/** One JSON object; anything else (arrays, scalars, broken text, NaN, too deep) is refused with a reason. */
export function parseJsonObject(text: string, maxDepth: number): Decoded<Record<string, unknown>> {
  if (text.trim() === '') return { ok: false, message: 'empty payload' };
  let v: unknown;
  try {
    v = parseJson(text);
  } catch (err) {
    return { ok: false, message: `malformed JSON: ${errorMessage(err)}` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return { ok: false, message: `expected a JSON object, found ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}` };
  }
  const depth = depthOf(v, maxDepth);
  if (depth > maxDepth) return { ok: false, message: `JSON nested deeper than max_depth ${maxDepth}` };
  return { ok: true, value: v as Record<string, unknown> };
}

// Iterative, so a hostile million-level document cannot overflow the stack here.
function depthOf(root: object, limit: number): number {
  const stack: [unknown, number][] = [[root, 1]];
  let max = 0;
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (d > max) max = d;
    if (max > limit) return max;
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') stack.push([x, d + 1]);
    } else if (v !== null && typeof v === 'object') {
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== null && typeof x === 'object') stack.push([x, d + 1]);
      }
    }
  }
  return max;
}

/** One CSV record with exactly `columns.length` cells; cells stay strings (validate coerces them). */
export function parseCsvRecord(text: string, columns: readonly string[], sep: string, quote: string): Decoded<Record<string, unknown>> {
  if (text.trim() === '') return { ok: false, message: 'empty payload' };
  let records: unknown;
  try {
    records = csvParse().parse(text.replace(/\r?\n$/, ''), { delimiter: sep, quote, relax_column_count: true });
  } catch (err) {
    return { ok: false, message: `malformed CSV: ${errorMessage(err)}` };
  }
  if (!Array.isArray(records) || records.length !== 1) return { ok: false, message: `expected one CSV record, found ${Array.isArray(records) ? records.length : 0}` };
  const cells = records[0] as string[];
  if (cells.length !== columns.length) return { ok: false, message: `expected ${columns.length} columns, found ${cells.length}` };
  const out: Record<string, unknown> = {};
  columns.forEach((c, i) => (out[c] = cells[i] === '' ? null : cells[i]));
  return { ok: true, value: out };
}
