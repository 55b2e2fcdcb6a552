// Fast ISO-8601 timestamp parsing to epoch microseconds, for the hot loops that meet timestamps as
// text: conforming JSON values to a schema and building Arrow columns.

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two decimal digits at `at`, or -1. */
function d2(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48, b = s.charCodeAt(at + 1) - 48;
  // Unsigned compares catch both sides of '0'..'9' (and NaN past the end) in one test each.
  return a >>> 0 > 9 || b >>> 0 > 9 ? -1 : a * 10 + b;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** A hand-rolled parser for `YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]][Z|±HH:MM]` (the common case: no
 * regex, no Date, microseconds kept); anything else returns undefined and takes the slow path. */
export function parseIsoMicros(s: string): number | undefined {
  const n = s.length;
  if (n < 16 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58) return undefined;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 32) return undefined;
  const yh = d2(s, 0), yl = d2(s, 2), mo = d2(s, 5), d = d2(s, 8), h = d2(s, 11), mi = d2(s, 14);
  const y = yh * 100 + yl;
  if (yh < 0 || yl < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59) return undefined;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (DAYS_IN_MONTH[mo - 1] ?? 31) + (leap ? 1 : 0)) return undefined;
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
      // One to nine fraction digits, as ISO-8601 profiles allow; beyond the microseconds they are dropped.
      if (pos === start || pos - start > 9) return undefined;
    }
  }
  let offsetMin = 0;
  if (pos < n) {
    const c = s.charCodeAt(pos);
    if (c === 90 && pos === n - 1) pos++;
    else if ((c === 43 || c === 45) && (n - pos === 6 || n - pos === 5)) {
      const oh = d2(s, pos + 1), om = d2(s, n - 2);
      if (oh < 0 || om < 0) return undefined;
      offsetMin = (c === 45 ? -1 : 1) * (oh * 60 + om);
      pos = n;
    } else return undefined;
  }
  const secs = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offsetMin * 60;
  return secs * 1_000_000 + frac;
}
