// Numbers of the value model: exact 64-bit integers, exact decimals, and number literals kept as text.
//
//   TINYINT, SMALLINT, INT   number   an integer in the type's range
//   BIGINT                   number   when |v| <= 2^53 - 1 (exact, fast: nearly every value),
//                            bigint   otherwise, within -2^63 .. 2^63 - 1
//   FLOAT, DOUBLE            number   (FLOAT rounded to 32 bits by the Parquet writer, as Spark does)
//   DECIMAL(p, s)            string   canonical decimal text: `-12.30` for decimal(10,2); exact at any precision

export const LONG_MIN = -9223372036854775808n;
export const LONG_MAX = 9223372036854775807n;

/** A JSON number literal that no double holds exactly (an integer beyond 2^53, or more significant
 * digits than a double keeps), carried as its text from the JSON reader to the column that gives it
 * a type: exact as a BIGINT or DECIMAL, rounded once as a DOUBLE. It never reaches a sink. */
export class NumberText {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text;
  }
  toString(): string {
    return this.text;
  }
}

/** A BIGINT in its row form: a number when it is a safe integer, else the bigint. */
export function longValue(b: bigint): number | bigint {
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}

export function isLongInRange(b: bigint): boolean {
  return b >= LONG_MIN && b <= LONG_MAX;
}

const INT_TEXT = /^[+-]?\d+$/;

/** An integer written as text (`-42`, `+9223372036854775807`, surrounding blanks allowed), exactly;
 * undefined when the text is not an integer. Range checks are the caller's. */
export function parseIntegerText(s: string): bigint | undefined {
  const t = s.trim();
  if (!INT_TEXT.test(t)) return undefined;
  return BigInt(t);
}

/** A decimal's precision and scale from its type name `decimal(p,s)`. */
export function decimalParams(t: string): { precision: number; scale: number } {
  const m = /^decimal\((\d+),\s*(\d+)\)$/.exec(t);
  return m === null ? { precision: 10, scale: 0 } : { precision: Number(m[1]), scale: Number(m[2]) };
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** The canonical text of a decimal(p,s) value written as decimal text (`12.3`, `-0.5`, `1.2e3`,
 * `.5`), or undefined when it is no number, needs more than `s` fraction digits (the value would be
 * rounded) or more than `p - s` integer digits (it would overflow). Never rounds. */
export function parseDecimalText(s: string, precision: number, scale: number): string | undefined {
  const m = DECIMAL_TEXT.exec(s.trim());
  if (m === null) return undefined;
  let intDigits = m[2] ?? '';
  let fracDigits = m[3] ?? '';
  if (intDigits === '' && fracDigits === '') return undefined;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 10_000) return undefined;
  // Move the point by the exponent on the digit strings: no binary floating point anywhere.
  if (exp > 0) {
    const moved = fracDigits.slice(0, exp).padEnd(exp, '0');
    intDigits += moved;
    fracDigits = fracDigits.slice(exp);
  } else if (exp < 0) {
    const k = -exp;
    const padded = intDigits.padStart(k, '0');
    fracDigits = padded.slice(padded.length - k) + fracDigits;
    intDigits = padded.slice(0, padded.length - k);
  }
  intDigits = intDigits.replace(/^0+/, '');
  fracDigits = fracDigits.replace(/0+$/, '');
  if (fracDigits.length > scale || intDigits.length > precision - scale) return undefined;
  const zero = intDigits === '' && fracDigits === '';
  const sign = m[1] === '-' && !zero ? '-' : '';
  const whole = intDigits === '' ? '0' : intDigits;
  return scale === 0 ? `${sign}${whole}` : `${sign}${whole}.${fracDigits.padEnd(scale, '0')}`;
}

/** The canonical decimal(p,s) text of a double, from its shortest round-trip form (`0.1`, not the
 * binary expansion 0.1000000000000000055...), which is the literal a JSON writer most likely wrote. */
export function decimalFromDouble(x: number, precision: number, scale: number): string | undefined {
  if (!Number.isFinite(x)) return undefined;
  return parseDecimalText(String(x), precision, scale);
}

/** The unscaled integer of a canonical decimal text (`-12.30` with scale 2 -> -1230n). */
export function unscaledDecimal(text: string): bigint {
  const neg = text.startsWith('-');
  const digits = (neg ? text.slice(1) : text).replace('.', '');
  const b = BigInt(digits);
  return neg ? -b : b;
}

/** Canonical decimal text from an unscaled integer and a scale (inverse of unscaledDecimal). */
export function decimalFromUnscaled(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return neg ? `-${body}` : body;
}

const DOUBLE_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A double written as text as Spark reads it in CSV (and Java's parseDouble): decimal or exponent
 * notation, or NaN / Infinity / -Infinity (and +Infinity, Inf, -Inf). Undefined otherwise. */
export function parseDoubleText(s: string): number | undefined {
  if (DOUBLE_TEXT.test(s)) return Number(s);
  switch (s) {
    case 'NaN': return NaN;
    case 'Infinity':
    case '+Infinity':
    case 'Inf':
    case '+Inf': return Infinity;
    case '-Infinity':
    case '-Inf': return -Infinity;
    default: return undefined;
  }
}

/** The nearest float32 of a double, as a FLOAT column stores it. */
export function toFloat32(x: number): number {
  return Math.fround(x);
}
