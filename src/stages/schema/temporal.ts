// Strict ISO-8601 date and date-time parsing shared by inference and conformance (UTC when no zone is given).

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
  const fast = parseCanonicalUtc(s);
  if (fast !== undefined) return fast;
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

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** The common machine-written form `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, parsed without a regex or a
 * Date, since timestamps in JSON events are on the hot path; anything else returns undefined and
 * takes the general route. */
function parseCanonicalUtc(s: string): number | undefined {
  const n = s.length;
  if (n < 20 || s.charCodeAt(n - 1) !== 90 /* Z */ || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return undefined;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return undefined;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (DAYS_IN_MONTH[mo - 1] ?? 31) + (leap ? 1 : 0)) return undefined;
  let ms = 0;
  if (n > 20) {
    const fracLen = n - 21;
    if (s.charCodeAt(19) !== 46 || fracLen < 1 || fracLen > 9) return undefined;
    const frac = digits(s, 20, Math.min(fracLen, 3));
    if (frac < 0 || (fracLen > 3 && digits(s, 23, fracLen - 3) < 0)) return undefined;
    ms = fracLen === 1 ? frac * 100 : fracLen === 2 ? frac * 10 : frac;
  } else if (n !== 20) return undefined;
  // Days from the civil date (proleptic Gregorian), as in Howard Hinnant's algorithm.
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return ((days * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms;
}
