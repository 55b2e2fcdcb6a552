// Java-flavoured regular expressions on JavaScript's engine: inline flags, $n replacements and String.split rules.
import { LocalError } from './errors.ts';

/** Compiles a Java regex; a leading inline flag group such as (?i) or (?is) becomes JavaScript flags. */
export function compileRegex(pattern: string, global: boolean): RegExp {
  let body = pattern;
  let flags = global ? 'g' : '';
  const m = /^\(\?([imsx]+)\)/.exec(body);
  if (m !== null) {
    body = body.slice(m[0].length);
    for (const f of m[1] ?? '') if (f !== 'x' && !flags.includes(f)) flags += f;
  }
  try {
    return new RegExp(body, flags);
  } catch (err) {
    throw new LocalError(`invalid regular expression ${JSON.stringify(pattern)}: ${err instanceof Error ? err.message : String(err)}`, { expected: 'a valid regular expression' });
  }
}

/** Number of capture groups in a regex. */
export function groupCount(rx: RegExp): number {
  return (new RegExp(`${rx.source}|`, rx.flags.replace('g', '')).exec('')?.length ?? 1) - 1;
}

/** Turns a Java replacement string ($1, ${name}, \$ for a literal dollar) into a JavaScript one. */
export function javaReplacement(rep: string): string {
  let out = '';
  for (let i = 0; i < rep.length; i++) {
    const c = rep.charAt(i);
    if (c === '\\' && i + 1 < rep.length) {
      const n = rep.charAt(++i);
      out += n === '$' ? '$$' : n;
    } else if (c === '$') {
      const named = /^\$\{(\w+)\}/.exec(rep.slice(i));
      const num = /^\$(\d)/.exec(rep.slice(i));
      if (named !== null) {
        out += `$<${named[1] ?? ''}>`;
        i += named[0].length - 1;
      } else if (num !== null) {
        out += num[0];
        i += 1;
      } else {
        throw new LocalError(`illegal group reference in replacement ${JSON.stringify(rep)}`, { expected: '$n, ${name} or \\$ for a dollar sign' });
      }
    } else {
      out += c;
    }
  }
  return out;
}

/** Java's String.split(regex, limit) as Spark calls it: limit > 0 caps the parts; otherwise trailing empties stay. */
export function javaSplit(s: string, rx: RegExp, limit: number): string[] {
  if (rx.source === '(?:)') return s === '' ? [''] : limit > 0 && limit < [...s].length ? [...[...s].slice(0, limit - 1), [...s].slice(limit - 1).join('')] : [...s];
  const out: string[] = [];
  let last = 0;
  rx.lastIndex = 0;
  while (limit <= 0 || out.length < limit - 1) {
    const m = rx.exec(s);
    if (m === null) break;
    if (m[0].length === 0) {
      if (m.index >= s.length) break;
      rx.lastIndex++;
      if (m.index === 0) continue; // a zero-width match at the start yields no leading empty part
    }
    out.push(s.slice(last, m.index));
    last = m.index + m[0].length;
  }
  out.push(s.slice(last));
  return out;
}
