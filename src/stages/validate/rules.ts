// Validation rules compiled once into row checks that return why a row fails, or null when it passes.
import type { Row } from '../../core/record.ts';
import type { DataType, StructType } from '../../core/schema.ts';
import { describeValue } from '../../core/errors.ts';
import { compilePredicate, ExpressionEvalError } from '../../expr/index.ts';
import { boundComparator } from '../../expr/coerce.ts';
import { ruleName, type Policy, type RuleConfig } from './config.ts';
import { resolveColumn } from './check.ts';
import { columnGetter } from './payload.ts';
import { instantOf, instantOfIso, temporalKind } from './temporal.ts';
import { formatDate, formatTimestamp, ISO_INSTANT, ISO_LOCAL } from '../../schema/values/temporal.ts';

export interface CompiledRule {
  readonly name: string;
  readonly rule: RuleConfig['rule'];
  readonly policy: Policy;
  /** The failure message, or null when the row passes. */
  check(row: Row): string | null;
  /** Forgets per-batch state (the keys a unique rule has seen). */
  reset(): void;
}

const nothing = (): void => undefined;

export function compileRule(r: RuleConfig, stagePolicy: Policy, schema: StructType | null, stageName: string): CompiledRule {
  const name = ruleName(r);
  const base = { name, rule: r.rule, policy: r.policy ?? stagePolicy, reset: nothing };
  switch (r.rule) {
    case 'not_null': {
      const get = columnGetter(r.column);
      return { ...base, check: (row) => (isNull(get(row)) ? `${r.column} is null` : null) };
    }
    case 'range': {
      const get = columnGetter(r.column);
      const type = columnType(schema, r.column);
      const lo = r.min === undefined ? undefined : boundValue(r.min);
      const hi = r.max === undefined ? undefined : boundValue(r.max);
      const text = `${r.min_exclusive ? '(' : '['}${r.min ?? '-inf'}, ${r.max ?? '+inf'}${r.max_exclusive ? ')' : ']'}`;
      const typed = typedRange(r, schema);
      return {
        ...base,
        check(row) {
          const v = get(row);
          if (isNull(v)) return null; // absence is not_null's business, as in SQL CHECK constraints
          const x = comparable(v, type);
          const ok = typed !== null ? typed(v) : x !== null && !Number.isNaN(x) &&
            (lo === undefined || (r.min_exclusive ? x > lo : x >= lo)) &&
            (hi === undefined || (r.max_exclusive ? x < hi : x <= hi));
          return ok ? null : `${r.column} = ${show(v, type)} is outside ${text}`;
        },
      };
    }
    case 'regex': {
      const get = columnGetter(r.column);
      const rx = new RegExp(r.pattern, 'u');
      return {
        ...base,
        check(row) {
          const v = get(row);
          if (isNull(v)) return null;
          const s = typeof v === 'string' ? v : String(v instanceof Date ? v.toISOString() : v);
          return rx.test(s) ? null : `${r.column} = ${show(v)} does not match /${r.pattern}/`;
        },
      };
    }
    case 'in': {
      const get = columnGetter(r.column);
      const type = columnType(schema, r.column);
      const allowed = new Set<unknown>(r.values);
      const asText = new Set(r.values.map(String));
      // Dates and timestamps are matched as instants: "2024-01-31" is the same day however it is held.
      const instants = temporalKind(type) === undefined ? undefined : new Set(r.values.flatMap((x) => (typeof x === 'string' ? (instantOfIso(x) ?? []) : [])));
      return {
        ...base,
        check(row) {
          const v = get(row);
          if (isNull(v)) return null;
          const instant = instants === undefined ? null : instantOf(v, type);
          const ok = instants !== undefined ? instant !== null && instants.has(instant) : allowed.has(v) || (typeof v === 'bigint' && asText.has(v.toString()));
          return ok ? null : `${r.column} = ${show(v, type)} is not one of ${r.values.map((x) => JSON.stringify(x)).join(', ')}`;
        },
      };
    }
    case 'length': {
      const get = columnGetter(r.column);
      return {
        ...base,
        check(row) {
          const v = get(row);
          if (isNull(v)) return null;
          // Characters as code points, as Spark's length(); bytes of binary, as Spark's; arrays by their elements.
          const n = typeof v === 'string' ? codePoints(v) : Array.isArray(v) ? v.length : v instanceof Uint8Array ? v.byteLength : codePoints(String(v));
          if (r.min !== undefined && n < r.min) return `${r.column} has length ${n}, below ${r.min}`;
          if (r.max !== undefined && n > r.max) return `${r.column} has length ${n}, above ${r.max}`;
          return null;
        },
      };
    }
    case 'unique': {
      const cols = r.columns ?? [r.column ?? ''];
      const getters = cols.map(columnGetter);
      let seen = new Set<string>();
      return {
        ...base,
        reset: () => (seen = new Set()),
        check(row) {
          const values = getters.map((g) => g(row));
          if (values.some(isNull)) return null; // NULLs are distinct, as in SQL UNIQUE
          const key = values.length === 1 ? keyOf(values[0]) : values.map(keyOf).join('\u0000');
          if (seen.has(key)) return `duplicate ${cols.join(', ')} = ${values.map((x) => show(x)).join(', ')} within the batch`;
          seen.add(key);
          return null;
        },
      };
    }
    case 'expression': {
      const p = compilePredicate(r.expression, { schema, name: `stage ${stageName} rule ${name}` });
      return {
        ...base,
        check(row) {
          try {
            return p(row) ? null : `expression ${r.expression} is not true`;
          } catch (err) {
            if (err instanceof ExpressionEvalError) return `expression ${r.expression} failed: ${err.message}`;
            throw err;
          }
        },
      };
    }
  }
}

function isNull(v: unknown): boolean {
  return v === null || v === undefined;
}

/** The column's type when the schema is known and names it; undefined otherwise. */
function columnType(schema: StructType | null, column: string): DataType | undefined {
  if (schema === null) return undefined;
  const c = resolveColumn(schema, column, 'the schema');
  return c.ok ? c.type : undefined;
}

/** A range bound on the scale `comparable` uses: a number, or an ISO date/timestamp as an instant. */
function boundValue(b: number | string): number {
  if (typeof b === 'number') return b;
  const n = Number(b);
  if (b.trim() !== '' && !Number.isNaN(n)) return n;
  return instantOfIso(b.trim()) ?? NaN;
}

/** The range test of a timestamp, date or decimal column: values in their own order (microseconds,
 * days, exact decimals) against bounds read as that type; null for any other column. */
function typedRange(r: Extract<RuleConfig, { rule: 'range' }>, schema: StructType | null): ((v: unknown) => boolean) | null {
  const t = schema?.fields.find((f) => f.name === r.column)?.type;
  if (t === undefined) return null;
  const lo = r.min === undefined ? undefined : boundComparator(t, r.min);
  const hi = r.max === undefined ? undefined : boundComparator(t, r.max);
  if (lo === null || hi === null) return null;
  return (v) => {
    const a = lo === undefined ? 1 : lo(v);
    const b = hi === undefined ? -1 : hi(v);
    return a !== null && b !== null && (r.min_exclusive ? a > 0 : a >= 0) && (r.max_exclusive ? b < 0 : b <= 0);
  };
}

/** A value as a range rule compares it: numbers as they are, dates and timestamps as instants. */
function comparable(v: unknown, type: DataType | undefined): number | null {
  if (temporalKind(type) !== undefined || v instanceof Date) return instantOf(v, type);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
    return instantOf(v, type);
  }
  return null;
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= s.length) n++;
    else {
      n++;
      i++;
    }
  }
  return n;
}

function keyOf(v: unknown): string {
  if (v instanceof Date) return `d${v.getTime()}`;
  if (typeof v === 'bigint' || typeof v === 'number') return `n${String(v)}`;
  if (typeof v === 'string') return `s${v}`;
  try {
    return `j${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))}`;
  } catch {
    return `o${String(v)}`;
  }
}

/** A value in a rule's message: dates and timestamps as ISO-8601 text, as the rules write them. */
function show(v: unknown, type?: DataType): string {
  const kind = temporalKind(type);
  if (kind === 'timestamp' && typeof v === 'bigint') return formatTimestamp(v, type === 'timestamp_ntz' ? ISO_LOCAL : ISO_INSTANT);
  if (kind === 'date' && typeof v === 'number') return formatDate(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (typeof v === 'bigint') return v.toString();
  return describeValue(v);
}
