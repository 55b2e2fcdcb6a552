// String, regex and hash functions: lower, upper, trim, substring, concat, length, regexp_*, split, md5, sha2.
import { createHash } from 'node:crypto';
import type { Row } from '../core/record.ts';
import { LocalError, atRuntime } from './errors.ts';
import { type FnDef, fixed, strict1, strict2, strict3, onString, asStr, asInt } from './fn-helpers.ts';
import { type Eval, type Part, constString } from './part.ts';
import { compileRegex, groupCount, javaReplacement, javaSplit } from './regex.ts';
import { valueToString } from '../schema/values/index.ts';

const WIDE = /[\uD800-\uDFFF]/;

/** Spark's substring on characters (code points): 1-based, 0 acts as 1, negative counts from the end. */
export function substringSql(s: string, pos: number, len: number): string {
  const chars = WIDE.test(s) ? [...s] : null;
  const n = chars === null ? s.length : chars.length;
  let start = pos > 0 ? pos - 1 : pos < 0 ? n + pos : 0;
  let end = start + len;
  start = Math.max(start, 0);
  if (start >= end) return '';
  end = Math.min(end, n);
  return chars === null ? s.slice(start, end) : chars.slice(start, end).join('');
}

const charLength = (s: string): number => (WIDE.test(s) ? [...s].length : s.length);

/** A regex argument: compiled once when it is a literal, otherwise cached by its last value. */
function regexArg(p: Part, argIndex: number, global: boolean): (row: Row) => RegExp | null {
  if (p.konst) {
    const src = constString(p, 'pattern', argIndex);
    if (src === null) return () => null;
    try {
      const rx = compileRegex(src, global);
      return () => rx;
    } catch (err) {
      if (err instanceof LocalError) throw new LocalError(err.message, { argIndex, ...(err.expected === undefined ? {} : { expected: err.expected }) });
      throw err;
    }
  }
  const f = p.fn;
  let last: string | null = null;
  let rx: RegExp | null = null;
  return (row) => {
    const v = f(row);
    if (v === null || v === undefined) return null;
    const s = asStr(v, p.type);
    if (s !== last) {
      rx = atRuntime('pattern', () => compileRegex(s, global));
      last = s;
    }
    return rx;
  };
}

function bytesOf(v: unknown, t: Part['type']): Uint8Array | string {
  return v instanceof Uint8Array ? v : asStr(v, t);
}

const SHA2: Record<number, string> = { 0: 'sha256', 224: 'sha224', 256: 'sha256', 384: 'sha384', 512: 'sha512' };

function concatBuild(args: readonly Part[]): Eval {
  const fns = args.map((a) => a.fn);
  const types = args.map((a) => a.type);
  const arrays = args.length > 0 && args.every((a) => typeof a.type === 'object' && a.type.type === 'array');
  const [f0, f1] = fns;
  if (!arrays && fns.length === 2 && f0 !== undefined && f1 !== undefined) {
    const [t0 = 'unknown', t1 = 'unknown'] = types;
    return (row) => {
      const a = f0(row);
      if (a === null || a === undefined) return null;
      const b = f1(row);
      if (b === null || b === undefined) return null;
      if (Array.isArray(a) && Array.isArray(b)) return [...(a as unknown[]), ...(b as unknown[])];
      return (typeof a === 'string' ? a : asStr(a, t0)) + (typeof b === 'string' ? b : asStr(b, t1));
    };
  }
  return (row) => {
    let s = '';
    const out: unknown[] = [];
    for (let i = 0; i < fns.length; i++) {
      const v = (fns[i] as Eval)(row);
      if (v === null || v === undefined) return null;
      if (arrays && Array.isArray(v)) out.push(...(v as unknown[]));
      else s += typeof v === 'string' ? v : asStr(v, types[i] ?? 'unknown');
    }
    return arrays ? out : s;
  };
}

function concatWsBuild(args: readonly Part[]): Eval {
  const [sep, ...rest] = args;
  const sf = sep?.fn ?? (() => null);
  const fns = rest.map((a) => a.fn);
  const types = rest.map((a) => a.type);
  return (row) => {
    const sv = sf(row);
    if (sv === null || sv === undefined) return null;
    const s = asStr(sv, sep?.type ?? 'unknown');
    let out = '';
    let first = true;
    const add = (v: unknown, t: Part['type']): void => {
      if (v === null || v === undefined) return;
      out += (first ? '' : s) + asStr(v, t);
      first = false;
    };
    for (let i = 0; i < fns.length; i++) {
      const v = (fns[i] as Eval)(row);
      if (Array.isArray(v)) for (const x of v as unknown[]) add(x, 'unknown');
      else add(v, types[i] ?? 'unknown');
    }
    return out;
  };
}

const trimSpaces = (s: string, left: boolean, right: boolean): string => {
  let a = 0;
  let b = s.length;
  if (left) while (a < b && s.charCodeAt(a) === 32) a++;
  if (right) while (b > a && s.charCodeAt(b - 1) === 32) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
};

const str1 = (f: (s: string) => unknown): FnDef => ({ min: 1, max: 1, returns: fixed('string'), build: ([a]) => onString(a as Part, f) });

function substringDef(): FnDef {
  return {
    min: 2, max: 3, returns: fixed('string'),
    build: ([s, p, l]) => {
      const sp = s as Part;
      const pp = p as Part;
      if (l === undefined) return strict2(sp, pp, (x, y) => { const pos = asInt(y); return pos === null ? null : substringSql(asStr(x, sp.type), pos, Infinity); });
      return strict3(sp, pp, l, (x, y, z) => {
        const pos = asInt(y);
        const len = asInt(z);
        return pos === null || len === null ? null : substringSql(asStr(x, sp.type), pos, len);
      });
    },
  };
}

export const STRING_FUNCTIONS: [string, FnDef][] = [
  ['lower', str1((s) => s.toLowerCase())],
  ['lcase', str1((s) => s.toLowerCase())],
  ['upper', str1((s) => s.toUpperCase())],
  ['ucase', str1((s) => s.toUpperCase())],
  ['trim', str1((s) => trimSpaces(s, true, true))],
  ['ltrim', str1((s) => trimSpaces(s, true, false))],
  ['rtrim', str1((s) => trimSpaces(s, false, true))],
  ['substring', substringDef()],
  ['substr', substringDef()],
  ['length', { min: 1, max: 1, returns: fixed('integer'), build: ([a]) => strict1(a as Part, (v) => (v instanceof Uint8Array ? v.length : charLength(asStr(v, (a as Part).type)))) }],
  ['char_length', { min: 1, max: 1, returns: fixed('integer'), build: ([a]) => onString(a as Part, charLength) }],
  ['character_length', { min: 1, max: 1, returns: fixed('integer'), build: ([a]) => onString(a as Part, charLength) }],
  ['concat', {
    min: 0, max: Infinity, build: concatBuild,
    returns: (args) => (args.length > 0 && args.every((a) => typeof a.type === 'object' && a.type.type === 'array') ? (args[0] as Part).type : 'string'),
  }],
  ['concat_ws', { min: 1, max: Infinity, returns: fixed('string'), build: concatWsBuild }],
  ['regexp_extract', {
    min: 2, max: 3, returns: fixed('string'),
    build: ([s, r, i]) => {
      const rx = regexArg(r as Part, 1, false);
      const idx = i === undefined ? 1 : i.konst ? asInt(i.value) : null;
      if (i !== undefined && !i.konst) throw new LocalError('the group index must be a literal', { argIndex: 2, expected: 'an integer literal' });
      if (idx !== null && (r as Part).konst) {
        const sample = rx({});
        if (sample !== null && (idx < 0 || idx > groupCount(sample))) throw new LocalError(`group ${idx} does not exist in the pattern`, { argIndex: 2, expected: `a group index from 0 to ${groupCount(sample)}` });
      }
      const sf = (s as Part).fn;
      return (row) => {
        const v = sf(row);
        const re = rx(row);
        if (v === null || v === undefined || re === null || idx === null) return null;
        const m = re.exec(asStr(v, (s as Part).type));
        if (idx > groupCount(re)) atRuntime('regexp_extract', () => { throw new LocalError(`group ${idx} does not exist in ${re.source}`); });
        return m === null ? '' : (m[idx] ?? '');
      };
    },
  }],
  ['regexp_replace', {
    min: 3, max: 4, returns: fixed('string'),
    build: ([s, r, rep, p]) => {
      const rx = regexArg(r as Part, 1, true);
      const repPart = rep as Part;
      const fixedRep = repPart.konst ? (() => { try { return javaReplacement(constString(repPart, 'replacement', 2) ?? ''); } catch (e) { throw e instanceof LocalError ? new LocalError(e.message, { argIndex: 2 }) : e; } })() : null;
      const sf = (s as Part).fn;
      const rf = repPart.fn;
      const pf = p?.fn;
      return (row) => {
        const v = sf(row);
        const re = rx(row);
        const rv = rf(row);
        if (v === null || v === undefined || re === null || rv === null || rv === undefined) return null;
        const text = asStr(v, (s as Part).type);
        const from = pf === undefined ? 1 : asInt(pf(row));
        if (from === null || from < 1) return null;
        const replacement = fixedRep ?? atRuntime('regexp_replace', () => javaReplacement(asStr(rv, repPart.type)));
        re.lastIndex = 0;
        return from === 1 ? text.replace(re, replacement) : text.slice(0, from - 1) + text.slice(from - 1).replace(re, replacement);
      };
    },
  }],
  ['split', {
    min: 2, max: 3, returns: fixed({ type: 'array', elementType: 'string', containsNull: false }),
    build: ([s, r, l]) => {
      const rx = regexArg(r as Part, 1, true);
      const sf = (s as Part).fn;
      const lf = l?.fn;
      return (row) => {
        const v = sf(row);
        const re = rx(row);
        const limit = lf === undefined ? -1 : asInt(lf(row));
        if (v === null || v === undefined || re === null || limit === null) return null;
        return javaSplit(asStr(v, (s as Part).type), re, limit);
      };
    },
  }],
  ['md5', { min: 1, max: 1, returns: fixed('string'), build: ([a]) => strict1(a as Part, (v) => createHash('md5').update(bytesOf(v, (a as Part).type)).digest('hex')) }],
  ['sha1', { min: 1, max: 1, returns: fixed('string'), build: ([a]) => strict1(a as Part, (v) => createHash('sha1').update(bytesOf(v, (a as Part).type)).digest('hex')) }],
  ['sha', { min: 1, max: 1, returns: fixed('string'), build: ([a]) => strict1(a as Part, (v) => createHash('sha1').update(bytesOf(v, (a as Part).type)).digest('hex')) }],
  ['sha2', {
    min: 2, max: 2, returns: fixed('string'),
    build: ([a, b]) => strict2(a as Part, b as Part, (v, bits) => {
      // Spark returns NULL for an unsupported bit length.
      const alg = SHA2[asInt(bits) ?? -1];
      return alg === undefined ? null : createHash(alg).update(bytesOf(v, (a as Part).type)).digest('hex');
    }),
  }],
  ['string', { min: 1, max: 1, returns: fixed('string'), build: ([a]) => strict1(a as Part, (v) => valueToString(v, (a as Part).type)) }],
];
