// Dates and timestamps of the value model: text to exact values and back, with no JavaScript Date
// in between (Date keeps milliseconds only, and Date.UTC maps years 0-99 to 1900-1999).
//
//   DATE                      number   days since 1970-01-01, years 0001-9999
//   TIMESTAMP, TIMESTAMP_NTZ  bigint   microseconds since 1970-01-01T00:00:00Z, years 0001-9999
//                                      (NTZ: the wall-clock time read as if it were UTC)
// The session time zone is UTC, as sluice runs it: text without a zone is UTC.

export const US_PER_SECOND = 1_000_000;
export const US_PER_DAY = 86_400_000_000;
const US_PER_DAY_N = 86_400_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The calendar date of a day number (Hinnant's civil_from_days). */
export function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

/** The first and last days and microseconds the value model holds (Spark's and Delta's range). */
export const MIN_DATE = daysFromCivil(1, 1, 1);
export const MAX_DATE = daysFromCivil(9999, 12, 31);
export const MIN_TIMESTAMP = BigInt(MIN_DATE) * US_PER_DAY_N;
export const MAX_TIMESTAMP = BigInt(MAX_DATE + 1) * US_PER_DAY_N - 1n;

export function isDateInRange(days: number): boolean {
  return Number.isInteger(days) && days >= MIN_DATE && days <= MAX_DATE;
}

export function isTimestampInRange(us: bigint): boolean {
  return us >= MIN_TIMESTAMP && us <= MAX_TIMESTAMP;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isLeapYear(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

export function daysInMonth(y: number, m: number): number {
  return (DAYS_IN_MONTH[m - 1] ?? 31) + (m === 2 && isLeapYear(y) ? 1 : 0);
}

/** Microseconds from whole seconds and a fraction, exactly: one bigint, built from a number while
 * the product stays below 2^53 (years 1685-2255), which is nearly always. */
function micros(seconds: number, fracUs: number): bigint {
  const us = seconds * US_PER_SECOND + fracUs;
  return Number.isSafeInteger(us) ? BigInt(us) : BigInt(seconds) * 1_000_000n + BigInt(fracUs);
}

/** Two decimal digits at `at`, or -1. */
function d2(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48, b = s.charCodeAt(at + 1) - 48;
  // Unsigned compares catch both sides of '0'..'9' (and NaN past the end) in one test each.
  return a >>> 0 > 9 || b >>> 0 > 9 ? -1 : a * 10 + b;
}

/** The common shape, `YYYY-MM-DD[T ]HH:MM[:SS[.f{1,9}]][Z|±HH:MM|±HHMM]`, parsed by hand (no regex,
 * no allocation but the result); undefined for anything else, which then takes the general path. */
function parseIsoFast(s: string): bigint | undefined {
  const n = s.length;
  if (n < 16 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58) return undefined;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 32) return undefined;
  const yh = d2(s, 0), yl = d2(s, 2), mo = d2(s, 5), d = d2(s, 8), h = d2(s, 11), mi = d2(s, 14);
  const y = yh * 100 + yl;
  if (yh < 0 || yl < 0 || y < 1 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59) return undefined;
  if (d > daysInMonth(y, mo)) return undefined;
  let pos = 16, sec = 0, frac = 0;
  if (pos < n && s.charCodeAt(pos) === 58) {
    sec = d2(s, pos + 1);
    if (sec < 0 || sec > 59) return undefined;
    pos += 3;
    if (pos < n && s.charCodeAt(pos) === 46) {
      pos++;
      let scale = 100000;
      const start = pos;
      while (pos < n) {
        const c = s.charCodeAt(pos) - 48;
        if (c < 0 || c > 9) break;
        frac += c * scale;
        scale = Math.floor(scale / 10);
        pos++;
      }
      // Up to nine digits, as ISO-8601 profiles allow; digits past the microsecond are dropped, as Spark does.
      if (pos === start || pos - start > 9) return undefined;
    }
  }
  let offsetMin = 0;
  if (pos < n) {
    const c = s.charCodeAt(pos);
    if (c === 90 && pos === n - 1) pos++;
    else if ((c === 43 || c === 45) && (n - pos === 6 || n - pos === 5)) {
      const oh = d2(s, pos + 1), om = d2(s, n - 2);
      if (oh < 0 || om < 0 || oh > 18 || om > 59 || (n - pos === 6 && s.charCodeAt(pos + 3) !== 58)) return undefined;
      offsetMin = (c === 45 ? -1 : 1) * (oh * 60 + om);
      pos = n;
    } else return undefined;
  }
  const us = micros(daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offsetMin * 60, frac);
  return isTimestampInRange(us) ? us : undefined;
}

const ZONE = '(Z|UTC|GMT|UT|(?:UTC|GMT|UT)?[+-]\\d{1,2}(?::?\\d{2})?)';
// Spark's cast: yyyy[-[m]m[-[d]d[( |T)[h]h:[m]m[:[s]s[.fraction]][zone]]]], and a bare date for a timestamp.
const LENIENT = new RegExp(`^(\\d{4})(?:-(\\d{1,2})(?:-(\\d{1,2})(?:[ T](?:(\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(?:[.,](\\d{0,9}))?)?\\s*${ZONE}?)?)?)?)?$`, 'i');
// The strict ISO-8601 forms that schema inference takes for a timestamp: a date, a time, maybe a zone.
const STRICT = new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2})[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?\\s?${ZONE}?$`, 'i');

/** Minutes east of UTC for Z, UTC, GMT, +hh, +hh:mm, +hhmm, UTC+hh...; null when not understood. */
export function zoneOffsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone === '') return 0;
  const z = zone.toUpperCase().replace(/^(UTC|GMT|UT)(?=[+-])/, '');
  if (z === 'Z' || z === 'UTC' || z === 'GMT' || z === 'UT') return 0;
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(z);
  if (m === null) return null;
  const hours = Number(m[2]), minutes = Number(m[3] ?? 0);
  if (hours > 18 || minutes > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** A timestamp from calendar fields, or undefined when a field is out of range (Feb 30, hour 24,
 * year 0 or 10000, or a zone that moves the instant out of years 0001-9999). */
export function timestampFromFields(y: number, mo: number, d: number, h: number, mi: number, s: number, fracUs: number, offsetMinutes: number): bigint | undefined {
  if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const us = micros(daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offsetMinutes * 60, fracUs);
  return isTimestampInRange(us) ? us : undefined;
}

function fromMatch(m: RegExpExecArray): bigint | undefined {
  const [, y = '', mo = '1', d = '1', h = '0', mi = '0', se = '0', frac = '', zone] = m;
  const offset = zoneOffsetMinutes(zone);
  if (offset === null) return undefined;
  return timestampFromFields(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(se), Number(frac.padEnd(6, '0').slice(0, 6)), offset);
}

/** Microseconds of a timestamp written as text, as Spark's CAST reads it (`2024`, `2024-3-1`,
 * `2024-03-01 10:00`, `2024-03-01T10:00:00.123456+02:00`, ... ; leading and trailing blanks allowed).
 * Undefined when it is not a timestamp or lies outside years 0001-9999. */
export function parseTimestamp(s: string): bigint | undefined {
  const fast = parseIsoFast(s);
  if (fast !== undefined) return fast;
  const m = LENIENT.exec(s.trim());
  return m === null ? undefined : fromMatch(m);
}

/** Only the full ISO-8601 date-time forms, which schema inference takes as a timestamp (a bare date
 * or a year is no timestamp to inference). */
export function parseStrictTimestamp(s: string): bigint | undefined {
  const fast = parseIsoFast(s);
  if (fast !== undefined) return fast;
  const m = STRICT.exec(s);
  return m === null ? undefined : fromMatch(m);
}

const DATE_STRICT = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_LENIENT = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[ T].*)?)?)?$/;

function dateFromFields(y: number, m: number, d: number): number | undefined {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return daysFromCivil(y, m, d);
}

/** Days of a `YYYY-MM-DD` date, the one form inference takes as a date. */
export function parseStrictDate(s: string): number | undefined {
  if (s.length !== 10) return undefined;
  const m = DATE_STRICT.exec(s);
  return m === null ? undefined : dateFromFields(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Days of a date written as text, as Spark's CAST reads it (`2024`, `2024-3`, `2024-03-01`, and a
 * date followed by a time, which is ignored). */
export function parseDate(s: string): number | undefined {
  const t = s.trim();
  const m = DATE_LENIENT.exec(t);
  return m === null ? undefined : dateFromFields(Number(m[1]), Number(m[2] ?? 1), Number(m[3] ?? 1));
}

/** Splits microseconds into whole days and microseconds of the day (0 <= us < one day). */
export function splitDays(us: bigint): { days: number; usOfDay: number } {
  const n = Number(us);
  if (Number.isSafeInteger(n)) {
    const days = Math.floor(n / US_PER_DAY);
    return { days, usOfDay: n - days * US_PER_DAY };
  }
  let days = us / US_PER_DAY_N;
  let rem = us % US_PER_DAY_N;
  if (rem < 0n) {
    rem += US_PER_DAY_N;
    days -= 1n;
  }
  return { days: Number(days), usOfDay: Number(rem) };
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** `YYYY-MM-DD` of a day number. */
export function formatDate(days: number): string {
  const { y, m, d } = civilFromDays(days);
  return `${y < 0 ? '-' : ''}${pad(Math.abs(y), 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

export interface TimestampFormat {
  /** Between date and time: 'T' for ISO-8601 (JSON), ' ' for Spark's string form. */
  readonly sep: 'T' | ' ';
  /** Fraction digits: 'trim' drops trailing zeros (Spark's string form), 'iso' writes three digits,
   * or six when the value has microseconds (the form JavaScript's toISOString extends); 'micros'
   * always writes six. */
  readonly fraction: 'trim' | 'iso' | 'micros';
  /** Appended zone designator ('Z' for an instant in ISO-8601, '' for Spark's form and for NTZ). */
  readonly zone: '' | 'Z';
}

export const ISO_INSTANT: TimestampFormat = { sep: 'T', fraction: 'iso', zone: 'Z' };
export const ISO_LOCAL: TimestampFormat = { sep: 'T', fraction: 'iso', zone: '' };
export const SPARK_STRING: TimestampFormat = { sep: ' ', fraction: 'trim', zone: '' };

/** A timestamp as text; ISO_INSTANT by default (`2024-03-01T10:00:00.123456Z`). */
export function formatTimestamp(us: bigint, f: TimestampFormat = ISO_INSTANT): string {
  const { days, usOfDay } = splitDays(us);
  const secOfDay = Math.floor(usOfDay / US_PER_SECOND);
  const frac = usOfDay - secOfDay * US_PER_SECOND;
  const hh = Math.floor(secOfDay / 3600), mm = Math.floor((secOfDay % 3600) / 60), ss = secOfDay % 60;
  let fraction: string;
  if (f.fraction === 'trim') fraction = frac === 0 ? '' : `.${pad(frac, 6).replace(/0+$/, '')}`;
  else if (f.fraction === 'micros' || frac % 1000 !== 0) fraction = `.${pad(frac, 6)}`;
  else fraction = `.${pad(frac / 1000, 3)}`;
  return `${formatDate(days)}${f.sep}${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}${fraction}${f.zone}`;
}

/** Calendar and clock fields of a timestamp (UTC), for date functions and formatting patterns. */
export interface TimestampFields {
  readonly y: number; readonly m: number; readonly d: number;
  readonly hour: number; readonly minute: number; readonly second: number; readonly micros: number;
  /** Day of the week, 0 = Sunday. */
  readonly weekday: number;
  readonly days: number;
}

export function timestampFields(us: bigint): TimestampFields {
  const { days, usOfDay } = splitDays(us);
  const { y, m, d } = civilFromDays(days);
  const sec = Math.floor(usOfDay / US_PER_SECOND);
  return {
    y, m, d, days,
    hour: Math.floor(sec / 3600), minute: Math.floor((sec % 3600) / 60), second: sec % 60,
    micros: usOfDay - sec * US_PER_SECOND,
    weekday: (((days + 4) % 7) + 7) % 7,
  };
}

/** The timestamp at midnight (UTC) of a day. */
export function timestampOfDay(days: number): bigint {
  return BigInt(days) * US_PER_DAY_N;
}

/** The day a timestamp falls on (UTC). */
export function dayOfTimestamp(us: bigint): number {
  return splitDays(us).days;
}

/** Interop with JavaScript: a Date's instant in microseconds (its milliseconds, exactly). */
export function timestampFromDate(d: Date): bigint | undefined {
  const ms = d.getTime();
  if (Number.isNaN(ms)) return undefined;
  const us = BigInt(ms) * 1000n;
  return isTimestampInRange(us) ? us : undefined;
}

/** A JavaScript Date for a timestamp (microseconds below the millisecond are dropped, toward the past). */
export function timestampToDate(us: bigint): Date {
  const ms = us >= 0n ? us / 1000n : -((-us + 999n) / 1000n);
  return new Date(Number(ms));
}

/** Milliseconds since the epoch (floored), e.g. for watermarks and progress reports. */
export function timestampToEpochMs(us: bigint): number {
  return Number(us >= 0n ? us / 1000n : -((-us + 999n) / 1000n));
}
