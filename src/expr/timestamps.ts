// Timestamp text as Spark's cast reads it, calendar checks and UTC day truncation (the session time zone is UTC).

const ZONE = '(Z|UTC|GMT|(?:UTC|GMT)?[+-]\\d{1,2}(?::?\\d{2})?)';
// yyyy[-[m]m[-[d]d[( |T)[h]h:[m]m[:[s]s[.fraction]][zone]]]]
const TS_TEXT = new RegExp(`^([+-]?\\d{4,6})(?:-(\\d{1,2})(?:-(\\d{1,2})(?:[ T](?:(\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(?:\\.(\\d{0,9}))?)?\\s*${ZONE}?)?)?)?)?$`, 'i');

/** Parses the timestamp strings Spark's cast accepts; the session time zone is UTC. */
export function parseTimestampText(s: string): Date | null {
  const m = TS_TEXT.exec(s.trim());
  if (m === null) return null;
  const [, y = '', mo = '1', d = '1', h = '0', mi = '0', se = '0', frac = '', zone] = m;
  return makeUtc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(se), Number((frac + '000').slice(0, 3)), zoneOffsetMinutes(zone));
}

/** A UTC instant from calendar fields, or null when a field is out of range (Feb 30, hour 24, ...). */
export function makeUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMinutes: number | null): Date | null {
  if (offsetMinutes === null || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const out = new Date(0);
  out.setUTCFullYear(y, mo - 1, d); // unlike Date.UTC, keeps years below 100 as they are
  if (out.getUTCDate() !== d) return null;
  out.setUTCHours(h, mi, s, ms);
  return new Date(out.getTime() - offsetMinutes * 60000);
}

/** Minutes east of UTC for Z, UTC, GMT, +hh, +hh:mm, +hhmm, UTC+hh...; null when not understood. */
export function zoneOffsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone === '') return 0;
  const z = zone.toUpperCase().replace(/^(UTC|GMT)(?=[+-])/, '');
  if (z === 'Z' || z === 'UTC' || z === 'GMT') return 0;
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(z);
  if (m === null) return null;
  const mins = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (Number(m[2]) > 18 || Number(m[3] ?? 0) > 59) return null;
  return m[1] === '-' ? -mins : mins;
}

export function truncateToDay(d: Date): Date {
  const t = d.getTime();
  return new Date(t - (((t % 86400000) + 86400000) % 86400000));
}
