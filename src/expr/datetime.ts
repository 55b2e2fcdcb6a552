// Spark datetime patterns (yyyy-MM-dd HH:mm:ss.SSSSSS, EEE, MMM, a, XXX, 'text' ...) compiled once to a
// formatter and a parser of timestamps as the value model holds them: microseconds since the epoch
// (UTC), years 0001-9999, no JavaScript Date in between.
import { civilFromDays, daysFromCivil, isLeapYear, timestampFields, timestampFromFields, type TimestampFields, zoneOffsetMinutes } from '../schema/values/index.ts';
import { LocalError } from './errors.ts';

type Piece = { readonly lit: string } | { readonly letter: string; readonly count: number };

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SUPPORTED = 'yMLdDHhkKmsSaEXxZzVuG';

function tokenize(pattern: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern.charAt(i);
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        out.push({ lit: "'" });
        i += 2;
        continue;
      }
      if (end < 0) throw new LocalError(`unterminated quote in datetime pattern ${JSON.stringify(pattern)}`);
      out.push({ lit: pattern.slice(i + 1, end) });
      i = end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let k = i;
      while (pattern.charAt(k) === c) k++;
      if (!SUPPORTED.includes(c)) throw new LocalError(`unsupported letter ${JSON.stringify(c)} in datetime pattern ${JSON.stringify(pattern)}`, { expected: 'letters among y M d H h m s S a E X x Z z' });
      out.push({ letter: c, count: k - i });
      i = k;
    } else {
      out.push({ lit: c });
      i++;
    }
  }
  return out;
}

const pad = (n: number, w: number): string => (n < 0 ? '-' + String(-n).padStart(w, '0') : String(n).padStart(w, '0'));

/** Compiles a pattern into a function rendering a timestamp (microseconds, UTC). */
export function compileFormatter(pattern: string): (us: bigint) => string {
  const parts = tokenize(pattern).map((p): ((f: TimestampFields) => string) => {
    if ('lit' in p) return () => p.lit;
    const n = p.count;
    switch (p.letter) {
      case 'y':
      case 'u':
        return n === 2 ? (f) => pad(f.y % 100, 2) : (f) => pad(f.y, n);
      case 'M':
      case 'L':
        if (n >= 4) return (f) => MONTHS[f.m - 1] ?? '';
        if (n === 3) return (f) => (MONTHS[f.m - 1] ?? '').slice(0, 3);
        return (f) => pad(f.m, n);
      case 'd':
        return (f) => pad(f.d, n);
      case 'D':
        return (f) => pad(f.days - daysFromCivil(f.y, 1, 1) + 1, n);
      case 'H':
        return (f) => pad(f.hour, n);
      case 'k':
        return (f) => pad(f.hour === 0 ? 24 : f.hour, n);
      case 'h':
        return (f) => pad(f.hour % 12 === 0 ? 12 : f.hour % 12, n);
      case 'K':
        return (f) => pad(f.hour % 12, n);
      case 'm':
        return (f) => pad(f.minute, n);
      case 's':
        return (f) => pad(f.second, n);
      case 'S':
        // Fraction of the second: the leading n digits of its nine (microseconds, then zeros).
        return (f) => (pad(f.micros, 6) + '000').slice(0, n).padEnd(n, '0');
      case 'a':
        return (f) => (f.hour < 12 ? 'AM' : 'PM');
      case 'E':
        return n >= 4 ? (f) => DAYS[f.weekday] ?? '' : (f) => (DAYS[f.weekday] ?? '').slice(0, 3);
      case 'G':
        return () => 'AD';
      case 'X':
        return () => 'Z';
      case 'x':
        return () => (n === 1 ? '+00' : n === 2 || n === 4 ? '+0000' : '+00:00');
      case 'Z':
        return () => (n >= 4 ? 'GMT' : '+0000');
      default: // z, V: the zone is always UTC
        return () => (n >= 4 && p.letter === 'z' ? 'Coordinated Universal Time' : 'UTC');
    }
  });
  return (us) => {
    const f = timestampFields(us);
    let s = '';
    for (const part of parts) s += part(f);
    return s;
  };
}

interface Fields {
  y: number; mo: number; d: number; doy: number; h: number; mi: number; s: number; us: number; pm: boolean | null; zone: string | undefined; h12: boolean;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compiles a pattern into a strict parser of timestamps (microseconds): the whole text must match,
 * and the fields must make a time in years 0001-9999; null when they do not. */
export function compileParser(pattern: string): (s: string) => bigint | null {
  const setters: ((f: Fields, v: string) => boolean)[] = [];
  let re = '^';
  const num = (lo: number, hi: number, set: (f: Fields, n: number) => boolean): void => {
    re += `(\\d{${lo},${hi}})`;
    setters.push((f, v) => set(f, Number(v)));
  };
  for (const p of tokenize(pattern)) {
    if ('lit' in p) {
      re += escapeRe(p.lit);
      continue;
    }
    const n = p.count;
    switch (p.letter) {
      case 'y':
      case 'u':
        // Two-digit years are 2000-2099, as Spark reads them; otherwise the year is as written.
        if (n === 2) num(2, 2, (f, v) => ((f.y = 2000 + v), true));
        else num(n, Math.max(n, 4), (f, v) => ((f.y = v), true));
        break;
      case 'M':
      case 'L':
        if (n >= 3) {
          const names = n === 3 ? MONTHS.map((m) => m.slice(0, 3)) : MONTHS;
          re += `(${names.join('|')})`;
          setters.push((f, v) => ((f.mo = names.findIndex((m) => m.toLowerCase() === v.toLowerCase()) + 1), f.mo > 0));
        } else num(n, 2, (f, v) => ((f.mo = v), true));
        break;
      case 'd':
        num(n, 2, (f, v) => ((f.d = v), true));
        break;
      case 'H':
      case 'k':
        num(n, 2, (f, v) => ((f.h = v === 24 && p.letter === 'k' ? 0 : v), true));
        break;
      case 'h':
      case 'K':
        num(n, 2, (f, v) => ((f.h = v % 12), (f.h12 = true), v <= 12));
        break;
      case 'm':
        num(n, 2, (f, v) => ((f.mi = v), true));
        break;
      case 's':
        num(n, 2, (f, v) => ((f.s = v), true));
        break;
      case 'S':
        // Up to n digits; those beyond the microsecond are dropped, as Spark keeps microseconds.
        re += `(\\d{1,${n}})`;
        setters.push((f, v) => ((f.us = Number(v.padEnd(6, '0').slice(0, 6))), true));
        break;
      case 'a':
        re += '(AM|PM)';
        setters.push((f, v) => ((f.pm = v.toUpperCase() === 'PM'), true));
        break;
      case 'E':
        re += `(${(n >= 4 ? DAYS : DAYS.map((x) => x.slice(0, 3))).join('|')})`;
        setters.push(() => true);
        break;
      case 'G':
        re += '(AD|BC)';
        setters.push(() => true);
        break;
      case 'D':
        num(n, 3, (f, v) => ((f.doy = v), v >= 1));
        break;
      default: // zones: X x Z z V
        re += '(Z|UTC|GMT|(?:UTC|GMT)?[+-]\\d{1,2}(?::?\\d{2})?)';
        setters.push((f, v) => ((f.zone = v), true));
    }
  }
  const rx = new RegExp(re + '$', 'i');
  return (text) => {
    const m = rx.exec(text);
    if (m === null) return null;
    const f: Fields = { y: 1970, mo: 1, d: 1, doy: 0, h: 0, mi: 0, s: 0, us: 0, pm: null, zone: undefined, h12: false };
    for (let k = 0; k < setters.length; k++) {
      const setter = setters[k];
      if (setter !== undefined && !setter(f, m[k + 1] ?? '')) return null;
    }
    if (f.pm === true && f.h < 12) f.h += 12;
    const offset = zoneOffsetMinutes(f.zone);
    if (offset === null) return null;
    if (f.doy > 0) {
      // Day of the year: the calendar date it falls on, within that year only.
      if (f.doy > (isLeapYear(f.y) ? 366 : 365) || f.y < 1 || f.y > 9999) return null;
      const c = civilFromDays(daysFromCivil(f.y, 1, 1) + f.doy - 1);
      f.mo = c.m;
      f.d = c.d;
    }
    return timestampFromFields(f.y, f.mo, f.d, f.h, f.mi, f.s, f.us, offset) ?? null;
  };
}
