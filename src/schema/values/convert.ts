// How a value read from input becomes the value model's form of a column type: the one definition
// used when rows are conformed to a schema, by sources, stages and sinks alike.
//
// Three kinds of input, because a number means different things in each:
//   'json'   what a JSON reader produced (numbers, bigints, NumberText, strings, booleans, arrays,
//            objects): an integer in a TIMESTAMP column is seconds since the epoch, as Spark reads
//            it; a string in a BINARY column is base64.
//   'text'   CSV cells: every value a string, read as Spark's CSV reader reads it.
//   'typed'  values already in the value model (or JavaScript's own: Date, Uint8Array): a bigint in
//            a TIMESTAMP column is microseconds, a number in a DATE column is days.
// Strings are read the same way in all three. A value that does not fit (a long beyond 64 bits, a
// date beyond 9999, a decimal needing rounding) is refused, never wrapped, rounded or clamped.
import { isDecimal, type DataType } from '../../core/schema.ts';
import { decimalFromDouble, decimalParams, longValue, NumberText, parseDecimalText, parseDoubleText } from './numbers.ts';
import { isDateInRange, isTimestampInRange, parseDate, parseTimestamp, timestampFromDate, dayOfTimestamp, US_PER_SECOND } from './temporal.ts';
import { bytesToBase64, doubleToString } from './format.ts';

export type InputKind = 'json' | 'text' | 'typed';

/** The two choices an input kind makes: what a number in a temporal column means, and whether
 * strings are read as CSV cells (any number, boolean and date form) or only as JSON allows. */
export interface InputRules {
  readonly numbers: 'json' | 'typed';
  readonly strings: 'strict' | 'text';
}

export function inputRules(kind: InputKind, coerceStrings = false): InputRules {
  return { numbers: kind === 'json' ? 'json' : 'typed', strings: kind === 'text' || coerceStrings ? 'text' : 'strict' };
}

/** Converts one non-null value; undefined when it does not fit the type. */
export type ScalarConvert = (v: unknown) => unknown;

const INT_TEXT = /^[+-]?\d+$/;

function integral(min: bigint, max: bigint): ScalarConvert {
  const lo = Number(min), hi = Number(max);
  const isLong = max > 2n ** 53n;
  return (v) => {
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) return undefined;
      if (isLong) return Number.isSafeInteger(v) ? v : undefined;
      return v >= lo && v <= hi ? v : undefined;
    }
    let b: bigint | undefined;
    if (typeof v === 'bigint') b = v;
    else if (typeof v === 'string') b = INT_TEXT.test(v) ? BigInt(v) : undefined;
    else if (v instanceof NumberText) b = INT_TEXT.test(v.text) ? BigInt(v.text) : undefined;
    if (b === undefined || b < min || b > max) return undefined;
    return isLong ? longValue(b) : Number(b);
  };
}

function floating(single: boolean, r: InputRules): ScalarConvert {
  const fit = (x: number): number | undefined => {
    if (!single) return x;
    const f = Math.fround(x);
    // A finite double beyond FLOAT's range does not fit; NaN and the infinities do.
    return Number.isFinite(x) && !Number.isFinite(f) ? undefined : f;
  };
  return (v) => {
    if (typeof v === 'number') return fit(v);
    if (typeof v === 'bigint') return fit(Number(v));
    if (v instanceof NumberText) return fit(Number(v.text));
    if (typeof v === 'string') {
      // JSON holds numbers as numbers; only the non-numbers Spark's JSON reader allows come as text.
      if (r.strings === 'strict') return v === 'NaN' || v === 'Infinity' || v === '+Infinity' || v === '-Infinity' || v === '+INF' || v === '-INF' ? fit(parseDoubleText(v.replace('INF', 'Inf')) ?? NaN) : undefined;
      const x = parseDoubleText(v);
      return x === undefined ? undefined : fit(x);
    }
    return undefined;
  };
}

function decimal(t: string): ScalarConvert {
  const { precision, scale } = decimalParams(t);
  return (v) => {
    if (typeof v === 'string') return parseDecimalText(v, precision, scale);
    if (typeof v === 'number') return decimalFromDouble(v, precision, scale);
    if (typeof v === 'bigint') return parseDecimalText(v.toString(), precision, scale);
    if (v instanceof NumberText) return parseDecimalText(v.text, precision, scale);
    return undefined;
  };
}

/** Spark's CAST(string AS BOOLEAN), the rule SQL expressions use wherever text meets a boolean:
 * t, true, y, yes, 1 and f, false, n, no, 0, case-insensitive, surrounding blanks ignored; null for
 * anything else. Reading input is stricter: a CSV cell is a boolean only as `true` or `false`. */
export function castStringToBoolean(s: string): boolean | null {
  const t = s.trim().toLowerCase();
  switch (t) {
    case 't': case 'true': case 'y': case 'yes': case '1': return true;
    case 'f': case 'false': case 'n': case 'no': case '0': return false;
    default: return null;
  }
}

function boolean(r: InputRules): ScalarConvert {
  return (v) => {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && r.strings === 'text') {
      const l = v.toLowerCase();
      if (l === 'true') return true;
      if (l === 'false') return false;
    }
    return undefined;
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function binary(r: InputRules): ScalarConvert {
  return (v) => {
    if (v instanceof Uint8Array) return v;
    if (typeof v !== 'string') return undefined;
    if (r.strings === 'strict') return BASE64.test(v) ? new Uint8Array(Buffer.from(v, 'base64')) : undefined;
    return new Uint8Array(Buffer.from(v, 'utf8'));
  };
}

function date(r: InputRules): ScalarConvert {
  return (v) => {
    if (typeof v === 'string') return parseDate(v);
    if (typeof v === 'number' && r.numbers === 'typed') return isDateInRange(v) ? v : undefined;
    if (v instanceof Date) {
      const us = timestampFromDate(v);
      return us === undefined ? undefined : dayOfTimestamp(us);
    }
    return undefined;
  };
}

function timestamp(r: InputRules): ScalarConvert {
  return (v) => {
    if (typeof v === 'string') return parseTimestamp(v);
    if (typeof v === 'bigint') {
      const us = r.numbers === 'json' ? v * BigInt(US_PER_SECOND) : v;
      return isTimestampInRange(us) ? us : undefined;
    }
    if (typeof v === 'number' && r.numbers === 'json' && Number.isSafeInteger(v)) {
      const us = BigInt(v) * BigInt(US_PER_SECOND);
      return isTimestampInRange(us) ? us : undefined;
    }
    if (v instanceof Date) return timestampFromDate(v);
    return undefined;
  };
}

/** A string column takes text as it is, and the text of anything else read from JSON (a nested
 * value keeps its JSON text, as Spark's JSON reader does). */
function string(): ScalarConvert {
  return (v) => {
    switch (typeof v) {
      case 'string': return v;
      case 'number': return String(v);
      case 'bigint': return v.toString();
      case 'boolean': return String(v);
      case 'object':
        if (v === null) return undefined;
        if (v instanceof NumberText) return v.text;
        if (v instanceof Uint8Array) return undefined;
        if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
        return jsonText(v);
      default: return undefined;
    }
  };
}

/** JSON text of a nested value read from JSON, keeping big integers and long numbers exact. */
function jsonText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : `"${doubleToString(v)}"`;
  if (typeof v !== 'object') return JSON.stringify(v);
  if (v instanceof NumberText) return v.text;
  if (v instanceof Uint8Array) return `"${bytesToBase64(v)}"`;
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).map((k) => `${JSON.stringify(k)}:${jsonText(o[k])}`).join(',')}}`;
}

/** The converter of a primitive type for one kind of input. */
export function scalarConverter(t: Exclude<DataType, object>, r: InputRules): ScalarConvert {
  if (isDecimal(t)) return decimal(t);
  switch (t) {
    case 'string': return string();
    case 'long': return integral(-(2n ** 63n), 2n ** 63n - 1n);
    case 'integer': return integral(-2147483648n, 2147483647n);
    case 'short': return integral(-32768n, 32767n);
    case 'byte': return integral(-128n, 127n);
    case 'double': return floating(false, r);
    case 'float': return floating(true, r);
    case 'boolean': return boolean(r);
    case 'binary': return binary(r);
    case 'date': return date(r);
    case 'timestamp':
    case 'timestamp_ntz': return timestamp(r);
    default: return () => undefined;
  }
}

/** What a column of type `t` accepts, for error messages: `bigint (-2^63 to 2^63-1)`, `date (YYYY-MM-DD, years 0001-9999)`. */
export function expectedOf(t: Exclude<DataType, object>): string {
  if (isDecimal(t)) {
    const { precision, scale } = decimalParams(t);
    return `decimal(${precision},${scale}) (at most ${precision - scale} integer and ${scale} fraction digits)`;
  }
  switch (t) {
    case 'long': return 'bigint (-9223372036854775808 to 9223372036854775807)';
    case 'integer': return 'int (-2147483648 to 2147483647)';
    case 'short': return 'smallint (-32768 to 32767)';
    case 'byte': return 'tinyint (-128 to 127)';
    case 'float': return 'float (within ±3.4028235E38)';
    case 'date': return 'date (YYYY-MM-DD, years 0001-9999)';
    case 'timestamp': return 'timestamp (ISO-8601, years 0001-9999)';
    case 'timestamp_ntz': return 'timestamp_ntz (ISO-8601, years 0001-9999)';
    case 'binary': return 'binary (base64 text in JSON)';
    default: return t;
  }
}
