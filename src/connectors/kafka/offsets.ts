// Kafka source offsets in Spark's JSON form ({"topic":{"0":23}}: next offset to read per partition),
// starting-offset specs, the per-trigger rate limit split by backlog, and lag metrics.
import type { JsonValue, Offset } from '../../core/component.ts';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';
import { parseTpKey, tpKey } from './client.ts';

/** `topic:partition` -> next offset to read. */
export type OffsetMap = Map<string, number>;

/** Spark's special values inside per-partition JSON. */
export const EARLIEST = -2;
export const LATEST = -1;

export type StartingSpec =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'offsets'; readonly offsets: OffsetMap }
  | { readonly kind: 'timestamp'; readonly timestampMs: number }
  | { readonly kind: 'timestamps'; readonly timestamps: OffsetMap };

export function offsetsToJson(m: OffsetMap): Offset {
  const out: Record<string, Record<string, number>> = {};
  const keys = [...m.keys()].map(parseTpKey).sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  for (const { topic, partition } of keys) {
    const t = (out[topic] ??= {});
    t[String(partition)] = m.get(tpKey(topic, partition)) ?? 0;
  }
  return out;
}

/** Parses `{"topic":{"0":23}}` (an object or its JSON text); `allowSpecial` admits -2/-1. */
export function parsePartitionJson(v: JsonValue | undefined, what: string, allowSpecial: boolean): OffsetMap {
  let obj: unknown = v;
  if (typeof v === 'string') {
    try {
      obj = JSON.parse(v);
    } catch {
      throw badOffsets(what, v, 'not valid JSON');
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw badOffsets(what, v, 'expected {"topic":{"0":23}}');
  const out: OffsetMap = new Map();
  for (const [topic, parts] of Object.entries(obj)) {
    if (parts === null || typeof parts !== 'object' || Array.isArray(parts)) throw badOffsets(what, v, `topic ${topic}: expected {"<partition>": <offset>}`);
    for (const [p, o] of Object.entries(parts as Record<string, unknown>)) {
      const partition = Number(p);
      const ok = typeof o === 'number' && Number.isSafeInteger(o) && (o >= 0 || (allowSpecial && (o === EARLIEST || o === LATEST)));
      if (!/^\d+$/.test(p) || !ok) throw badOffsets(what, v, `${topic}[${p}]: ${JSON.stringify(o)} is not a valid offset`);
      out.set(tpKey(topic, partition), o);
    }
  }
  return out;
}

function badOffsets(what: string, v: unknown, why: string): SluiceError {
  return new SluiceError(ErrorCodes.CONFIG_INVALID, `${what}: ${why}`, { details: { value: v } });
}

/** Parses an offset read back from the checkpoint. */
export function offsetsFromCheckpoint(v: Offset): OffsetMap {
  try {
    return parsePartitionJson(v, 'Kafka offset', false);
  } catch (err) {
    throw new SluiceError(ErrorCodes.CHECKPOINT_CORRUPT, `a Kafka source offset in the checkpoint is malformed: ${JSON.stringify(v)}`, { cause: err });
  }
}

/** Caps `until` so that at most `limit` offsets are planned in total, each partition getting a share in
 * proportion to its backlog (Spark's rateLimit). Unlike Spark, which rounds small shares up and may exceed
 * the limit by a few, the shares are floors plus the largest remainders, so the total never exceeds it. */
export function rateLimit(from: OffsetMap, until: OffsetMap, limit: number): OffsetMap {
  const sizes = new Map<string, number>();
  let total = 0;
  for (const [k, end] of until) {
    const size = end - (from.get(k) ?? 0);
    if (size > 0) {
      sizes.set(k, size);
      total += size;
    }
  }
  if (total <= limit) return new Map(until);
  const quotas = new Map<string, number>();
  const remainders: [string, number][] = [];
  let assigned = 0;
  for (const [k, size] of sizes) {
    const exact = (limit * size) / total;
    const q = Math.floor(exact);
    quotas.set(k, q);
    assigned += q;
    remainders.push([k, exact - q]);
  }
  // Ties go to the partition listed first, so the plan is deterministic.
  remainders.sort((a, b) => b[1] - a[1]);
  for (let i = 0; i < remainders.length && assigned < limit; i++) {
    const k = remainders[i]?.[0];
    if (k === undefined) break;
    quotas.set(k, (quotas.get(k) ?? 0) + 1);
    assigned++;
  }
  const out: OffsetMap = new Map();
  for (const [k, end] of until) {
    const q = quotas.get(k);
    out.set(k, q === undefined ? end : Math.min(end, (from.get(k) ?? 0) + q));
  }
  return out;
}

/** Offsets in `until` beyond `from` (partitions missing from `from` count from 0). */
export function newOffsetCount(from: OffsetMap, until: OffsetMap): number {
  let n = 0;
  for (const [k, end] of until) n += Math.max(0, end - (from.get(k) ?? 0));
  return n;
}

/** Spark's Kafka source metrics: how far the planned end lags the latest offsets. */
export function lagMetrics(latest: OffsetMap, consumed: OffsetMap): Record<string, string> {
  const behind: number[] = [];
  for (const [k, l] of latest) {
    const c = consumed.get(k);
    if (c !== undefined) behind.push(Math.max(0, l - c));
  }
  if (behind.length === 0) return {};
  const sum = behind.reduce((a, b) => a + b, 0);
  return {
    avgOffsetsBehindLatest: String(sum / behind.length),
    maxOffsetsBehindLatest: String(Math.max(...behind)),
    minOffsetsBehindLatest: String(Math.min(...behind)),
  };
}
