// Fast ISO-8601 timestamp parsing to epoch microseconds, for the hot loops that meet timestamps as
// text: conforming JSON values to a schema and building Arrow columns.

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, at: number, n: number): number {
  let x = 0;
  for (let k = at; k < at + n; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    x = x * 10 + d;
  }
  return x;
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
  const y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2), h = digits(s, 11, 2), mi = digits(s, 14, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59) return undefined;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (DAYS_IN_MONTH[mo - 1] ?? 31) + (leap ? 1 : 0)) return undefined;
  let pos = 16, sec = 0, frac = 0;
  if (pos < n && s.charCodeAt(pos) === 58) {
    sec = digits(s, pos + 1, 2);
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
      const oh = digits(s, pos + 1, 2), om = digits(s, n - 2, 2);
      if (oh < 0 || om < 0) return undefined;
      offsetMin = (c === 45 ? -1 : 1) * (oh * 60 + om);
      pos = n;
    } else return undefined;
  }
  const secs = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offsetMin * 60;
  return secs * 1_000_000 + frac;
}
