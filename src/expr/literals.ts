// Literal values as Spark's parser reads them: numbers with their suffixes and types, X'..' bytes, and
// typed literals (DATE '2024-01-31'), which are checked when the expression is compiled, not per row.
import { decimalFromUnscaled } from '../schema/values/index.ts';
import type { LiteralKind, Node } from './ast.ts';
import { castFunction } from './cast.ts';
import { literalDecType, parseDec } from './decimal.ts';
import type { Fail } from './lexer.ts';

interface Range { readonly min: bigint; readonly max: bigint; readonly kind: LiteralKind; readonly type: string }
const LONG: Range = { min: -9223372036854775808n, max: 9223372036854775807n, kind: 'long', type: 'BIGINT' };
const RANGES: Readonly<Record<string, Range>> = {
  Y: { min: -128n, max: 127n, kind: 'byte', type: 'TINYINT' },
  S: { min: -32768n, max: 32767n, kind: 'short', type: 'SMALLINT' },
  L: LONG,
};
const exact = (big: bigint): number | bigint => (Number.isSafeInteger(Number(big)) ? Number(big) : big);

/**
 * A number as written (`12`, `12L`, `1.5`, `1.5e3`, `2D`, `1.5BD`), negated when a minus sign stands
 * right before it, as Spark folds the sign into the literal (so `-2147483648` is an INT).
 */
export function numberLiteral(text: string, pos: number, negative: boolean, fail: Fail): Node {
  const suffix = /(BD|[LDFSY])$/i.exec(text)?.[0]?.toUpperCase();
  const body = suffix === undefined ? text : text.slice(0, -suffix.length);
  const signed = negative ? `-${body}` : body;
  const fractional = /[.eE]/.test(body);
  const lit = (value: unknown, literal: LiteralKind): Node => ({ kind: 'literal', value, literal, pos });
  if (suffix === 'D' || suffix === 'F') return lit(Number(signed), 'double');
  if (suffix === 'BD' || (suffix === undefined && fractional && !/[eE]/.test(body))) {
    const d = parseDec(signed);
    const t = d === undefined ? null : literalDecType(d);
    // Past 38 digits no DECIMAL holds the literal: it is a double.
    if (d === undefined || t === null) return lit(Number(signed), 'double');
    return lit(decimalFromUnscaled(d.unscaled, t.s), `decimal(${t.p},${t.s})`);
  }
  if (fractional && suffix === undefined) return lit(Number(signed), 'double');
  if (fractional) return fail(pos, `malformed number ${JSON.stringify(text)}`, `an integer before the ${suffix ?? ''} suffix`);
  const big = BigInt(signed);
  const range = suffix === undefined ? undefined : RANGES[suffix];
  if (range !== undefined) {
    if (big < range.min || big > range.max) return fail(pos, `number ${negative ? '-' : ''}${text} is out of the ${range.type} range`, `a value from ${range.min} to ${range.max}`);
    return lit(exact(big), range.kind);
  }
  if (big >= -2147483648n && big <= 2147483647n) return lit(Number(big), 'integer');
  if (big >= LONG.min && big <= LONG.max) return lit(exact(big), 'long');
  // Beyond BIGINT an integer is a DECIMAL of its digits, as in Spark, up to 38 digits.
  const d = parseDec(signed);
  const t = d === undefined ? null : literalDecType(d);
  if (d === undefined || t === null) return fail(pos, `number ${negative ? '-' : ''}${text} has more than 38 digits`, 'a number a DECIMAL(38,0) holds, or a double such as 1e40');
  return lit(decimalFromUnscaled(d.unscaled, 0), `decimal(${t.p},0)`);
}

/** X'0AFF' as bytes; `hex` has an even number of digits (the lexer pads it). */
export function binaryLiteral(hex: string, pos: number): Node {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return { kind: 'literal', value: bytes, literal: 'binary', pos };
}

/** The type a keyword before a string makes of it: DATE '2024-01-31', TIMESTAMP '...', TIMESTAMP_NTZ '...'. */
export const TYPED_LITERALS: Readonly<Record<string, 'date' | 'timestamp' | 'timestamp_ntz'>> = {
  DATE: 'date', TIMESTAMP: 'timestamp', TIMESTAMP_LTZ: 'timestamp', TIMESTAMP_NTZ: 'timestamp_ntz',
};

/** A typed literal as a cast of its text, refused here when the text is no such value (Spark's parser refuses it too). */
export function typedLiteral(keyword: string, text: string, pos: number, fail: Fail): Node {
  const to = TYPED_LITERALS[keyword] ?? 'timestamp';
  if (castFunction(to, 'string')(text) === null) {
    const example = to === 'date' ? "DATE '2024-01-31'" : `${keyword} '2024-01-31 10:00:00'`;
    fail(pos, `invalid ${keyword} literal ${JSON.stringify(text)}`, `a ${to === 'date' ? 'date' : 'timestamp'} such as ${example}, in years 0001-9999`);
  }
  return { kind: 'cast', arg: { kind: 'literal', value: text, literal: 'string', pos }, to, pos };
}
