// Spark datetime patterns (yyyy-MM-dd HH:mm:ss.SSS, EEE, MMM, a, XXX, 'text' ...) compiled once to a formatter and a parser.
import { LocalError } from './errors.ts';
import { makeUtc, zoneOffsetMinutes } from './timestamps.ts';

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

/** Compiles a pattern into a function rendering a Date in UTC. */
export function compileFormatter(pattern: string): (d: Date) => string {
  const parts = tokenize(pattern).map((p): ((d: Date) => string) => {
    if ('lit' in p) return () => p.lit;
    const n = p.count;
    switch (p.letter) {
      case 'y':
      case 'u':
        return n === 2 ? (d) => pad(d.getUTCFullYear() % 100, 2) : (d) => pad(d.getUTCFullYear(), n);
      case 'M':
      case 'L':
        if (n >= 4) return (d) => MONTHS[d.getUTCMonth()] ?? '';
        if (n === 3) return (d) => (MONTHS[d.getUTCMonth()] ?? '').slice(0, 3);
        return (d) => pad(d.getUTCMonth() + 1, n);
      case 'd':
        return (d) => pad(d.getUTCDate(), n);
      case 'D':
        return (d) => pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1, n);
      case 'H':
        return (d) => pad(d.getUTCHours(), n);
      case 'k':
        return (d) => pad(d.getUTCHours() === 0 ? 24 : d.getUTCHours(), n);
      case 'h':
        return (d) => pad(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12, n);
      case 'K':
        return (d) => pad(d.getUTCHours() % 12, n);
      case 'm':
        return (d) => pad(d.getUTCMinutes(), n);
      case 's':
        return (d) => pad(d.getUTCSeconds(), n);
      case 'S':
        return (d) => pad(d.getUTCMilliseconds(), 3).padEnd(n, '0').slice(0, n);
      case 'a':
        return (d) => (d.getUTCHours() < 12 ? 'AM' : 'PM');
      case 'E':
        return n >= 4 ? (d) => DAYS[d.getUTCDay()] ?? '' : (d) => (DAYS[d.getUTCDay()] ?? '').slice(0, 3);
      case 'G':
        return (d) => (d.getUTCFullYear() > 0 ? 'AD' : 'BC');
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
  return (d) => {
    let s = '';
    for (const f of parts) s += f(d);
    return s;
  };
}

interface Fields {
  y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number; pm: boolean | null; zone: string | undefined; h12: boolean;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compiles a pattern into a strict parser: the whole text must match; null when it does not. */
export function compileParser(pattern: string): (s: string) => Date | null {
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
        if (n === 2) num(2, 2, (f, v) => ((f.y = 2000 + v), true));
        else num(Math.max(n, 1) === 1 ? 1 : n, Math.max(n, 6), (f, v) => ((f.y = v), true));
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
        re += `(\\d{1,${n}})`;
        setters.push((f, v) => ((f.ms = Number((v + '00').slice(0, 3))), true));
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
        num(n, 3, (f, v) => ((f.mo = 1), (f.d = v), true));
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
    const f: Fields = { y: 1970, mo: 1, d: 1, h: 0, mi: 0, s: 0, ms: 0, pm: null, zone: undefined, h12: false };
    for (let k = 0; k < setters.length; k++) {
      const setter = setters[k];
      if (setter !== undefined && !setter(f, m[k + 1] ?? '')) return null;
    }
    if (f.pm === true && f.h < 12) f.h += 12;
    if (f.d > 31 && f.mo === 1) {
      // day-of-year: let the calendar roll forward from January 1st
      const base = makeUtc(f.y, 1, 1, f.h, f.mi, f.s, f.ms, zoneOffsetMinutes(f.zone));
      return base === null ? null : new Date(base.getTime() + (f.d - 1) * 86400000);
    }
    return makeUtc(f.y, f.mo, f.d, f.h, f.mi, f.s, f.ms, zoneOffsetMinutes(f.zone));
  };
}
