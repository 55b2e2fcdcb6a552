// Dates and timestamps in validation rules: the one place that knows how a row holds them and how
// a rule's ISO bound compares with them, so a change of the value model is made here alone.
import type { DataType } from '../../core/schema.ts';
import { parseIsoDate, parseIsoTimestamp } from '../../schema/temporal.ts';

export type TemporalKind = 'date' | 'timestamp';

/** The temporal kind of a column type; undefined for every other type (and an unknown one). */
export function temporalKind(type: DataType | undefined): TemporalKind | undefined {
  if (type === 'date') return 'date';
  if (type === 'timestamp' || type === 'timestamp_ntz') return 'timestamp';
  return undefined;
}

/** The kind of an ISO bound written in a rule (`2024-01-31` or `2024-01-31T12:00:00Z`), or undefined. */
export function isoKind(text: string): TemporalKind | undefined {
  if (parseIsoDate(text) !== undefined) return 'date';
  if (parseIsoTimestamp(text) !== undefined) return 'timestamp';
  return undefined;
}

/** An ISO date or timestamp as an instant comparable with `instantOf`; undefined when not ISO.
 * Without a zone the time is UTC, as the declared schema's conformance reads it. */
export function instantOfIso(text: string): number | undefined {
  return parseIsoDate(text) ?? parseIsoTimestamp(text);
}

/** A row's date or timestamp value as an instant (epoch milliseconds), or null when it is none: a
 * Date, or ISO text in a column whose type is not known. */
export function instantOf(v: unknown, _type: DataType | undefined): number | null {
  if (v instanceof Date) {
    const t = v.getTime();
    return Number.isNaN(t) ? null : t;
  }
  if (typeof v === 'string') return instantOfIso(v) ?? null;
  return null;
}
