// Dates and timestamps in validation rules: the one place that knows how a row holds them and how
// a rule's ISO bound compares with them, so a change of the value model is made here alone.
import type { DataType } from '../../core/schema.ts';
import { parseStrictDate, parseStrictTimestamp, timestampFromDate, US_PER_DAY } from '../../schema/values/temporal.ts';

export type TemporalKind = 'date' | 'timestamp';

/** The temporal kind of a column type; undefined for every other type (and an unknown one). */
export function temporalKind(type: DataType | undefined): TemporalKind | undefined {
  if (type === 'date') return 'date';
  if (type === 'timestamp' || type === 'timestamp_ntz') return 'timestamp';
  return undefined;
}

/** The kind of an ISO bound written in a rule (`2024-01-31` or `2024-01-31T12:00:00Z`), or undefined. */
export function isoKind(text: string): TemporalKind | undefined {
  if (parseStrictDate(text) !== undefined) return 'date';
  if (parseStrictTimestamp(text) !== undefined) return 'timestamp';
  return undefined;
}

/** An ISO date or timestamp as an instant comparable with `instantOf` (microseconds since the epoch
 * as a number: exact for years 1685-2255, within a few microseconds beyond); undefined when not ISO.
 * Without a zone the time is UTC, as the declared schema's conformance reads it. Typed columns are
 * compared exactly instead (rules.ts, typedRange). */
export function instantOfIso(text: string): number | undefined {
  const d = parseStrictDate(text);
  if (d !== undefined) return d * US_PER_DAY;
  const us = parseStrictTimestamp(text);
  return us === undefined ? undefined : Number(us);
}

/** A row's date or timestamp value as an instant (see instantOfIso), or null when it is none: a
 * timestamp's microseconds, a date's day number, a JavaScript Date, or ISO text in a column whose
 * type is not known. */
export function instantOf(v: unknown, type: DataType | undefined): number | null {
  const kind = temporalKind(type);
  if (kind === 'timestamp' && typeof v === 'bigint') return Number(v);
  if (kind === 'date' && typeof v === 'number') return v * US_PER_DAY;
  if (v instanceof Date) {
    const us = timestampFromDate(v);
    return us === undefined ? null : Number(us);
  }
  if (typeof v === 'string') return instantOfIso(v) ?? null;
  return null;
}
