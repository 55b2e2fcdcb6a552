// Timestamp steps: parse_timestamp (text or epoch seconds to timestamp) and format_timestamp (timestamp to text).
import { ownGetter } from '../../core/own.ts';
import type { Row } from '../../core/record.ts';
import type { StructType } from '../../core/schema.ts';
import { compileFormatter, compileParser } from '../../expr/index.ts';
import { parseTimestampText } from '../../expr/timestamps.ts';
import { configProblem, requireColumn, resolveName, withField, type CompiledStep, type StepEnv } from './step.ts';

function pattern<T>(env: StepEnv, text: string, compile: (p: string) => T): T {
  try {
    return compile(text);
  } catch (err) {
    throw configProblem(env, err instanceof Error ? err.message : String(err), text, 'a Spark datetime pattern such as yyyy-MM-dd HH:mm:ss');
  }
}

function toInstant(v: unknown, parse: (s: string) => Date | null): Date | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v === 'string') return parse(v.trim());
  // Numbers are seconds since the epoch, as Spark's cast of a number to TIMESTAMP reads them.
  if (typeof v === 'number') return Number.isFinite(v) ? new Date(Math.round(v * 1000)) : null;
  if (typeof v === 'bigint') return new Date(Number(v) * 1000);
  return null;
}

export interface ParseTimestampOptions {
  readonly column: string;
  readonly format?: string | undefined;
  readonly as?: string | undefined;
  readonly on_invalid: 'null' | 'dlq';
}

export function parseTimestampStep(env: StepEnv, schema: StructType | null, o: ParseTimestampOptions): CompiledStep {
  const col = resolveName(env, schema, o.column);
  const target = o.as ?? col;
  const parse = o.format === undefined ? parseTimestampText : pattern(env, o.format, compileParser);
  const strict = o.on_invalid === 'dlq';
  const get = ownGetter(col);
  const value = (row: Row): unknown => {
    const v = get(row);
    if (v === null || v === undefined) return null;
    const d = toInstant(v, parse);
    if (d === null && strict) throw new Error(`cannot parse ${typeof v === 'string' ? JSON.stringify(v) : typeof v} as a timestamp${o.format === undefined ? '' : ` with pattern ${JSON.stringify(o.format)}`}`);
    return d;
  };
  return { op: { kind: 'set', columns: [target], values: [value] }, schema: schema === null ? null : withField(schema, target, 'timestamp') };
}

export interface FormatTimestampOptions {
  readonly column: string;
  readonly format: string;
  readonly as?: string | undefined;
}

export function formatTimestampStep(env: StepEnv, schema: StructType | null, o: FormatTimestampOptions): CompiledStep {
  const col = resolveName(env, schema, o.column);
  if (schema !== null) requireColumn(env, schema, col);
  const target = o.as ?? col;
  const format = pattern(env, o.format, compileFormatter);
  const get = ownGetter(col);
  const value = (row: Row): unknown => {
    const d = toInstant(get(row), parseTimestampText);
    return d === null ? null : format(d);
  };
  return { op: { kind: 'set', columns: [target], values: [value] }, schema: schema === null ? null : withField(schema, target, 'string') };
}
