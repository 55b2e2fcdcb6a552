// Strict ISO-8601 date and date-time parsing shared by inference and conformance (UTC when no zone is given).
import { parseIsoMicros } from '../core/iso-time.ts';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TS_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Epoch milliseconds of a `YYYY-MM-DD` string, or undefined when it is not a real calendar date. */
export function parseIsoDate(s: string): number | undefined {
  const m = DATE_RE.exec(s);
  if (m === null) return undefined;
  return utc(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, 0, 0);
}

/** Epoch milliseconds of an ISO-8601 date-time (`T` or space separated, optional seconds, fraction and
 * zone). Without a zone the time is taken as UTC, so results never depend on the machine's zone. */
export function parseIsoTimestamp(s: string): number | undefined {
  const micros = parseIsoMicros(s);
  if (micros !== undefined) return Math.floor(micros / 1000);
  const m = TS_RE.exec(s);
  if (m === null) return undefined;
  const frac = m[7] ?? '';
  const ms = frac === '' ? 0 : Math.floor(Number(frac.padEnd(3, '0').slice(0, 3)));
  const base = utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? '0'), ms);
  if (base === undefined) return undefined;
  const zone = m[8];
  if (zone === undefined || zone === 'Z' || zone === 'z') return base;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offH = Number(digits.slice(0, 2));
  const offM = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (offH > 18 || offM > 59) return undefined;
  return base - sign * (offH * 60 + offM) * 60_000;
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls 2024-02-30 over into March; a round trip of the day catches it.
  if (new Date(t).getUTCDate() !== d) return undefined;
  return t;
}

