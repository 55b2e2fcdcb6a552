// Timestamp steps: parse_timestamp (text or epoch seconds to timestamp) and format_timestamp (timestamp to
// text). Timestamps are the value model's microseconds since the epoch (bigint, UTC).
import { ownGetter } from '../../core/own.ts';
import type { Row } from '../../core/record.ts';
import type { StructType } from '../../core/schema.ts';
import { compileFormatter, compileParser, type ExprType } from '../../expr/index.ts';
import { castFunction } from '../../expr/cast.ts';
import { parseTimestamp } from '../../schema/values/index.ts';
import { configProblem, requireColumn, resolveName, withField, type CompiledStep, type StepEnv } from './step.ts';

function pattern<T>(env: StepEnv, text: string, compile: (p: string) => T): T {
  try {
    return compile(text);
  } catch (err) {
    throw configProblem(env, err instanceof Error ? err.message : String(err), text, 'a Spark datetime pattern such as yyyy-MM-dd HH:mm:ss');
  }
}

/** A column value as a timestamp: text through `parse`, anything else as Spark's CAST reads it
 * (numbers are seconds since the epoch, a date its midnight, a timestamp itself). */
function instant(type: ExprType, parse: (s: string) => bigint | null): (v: unknown) => bigint | null {
  const cast = castFunction('timestamp', type);
  return (v) => {
    if (typeof v === 'bigint' && (type === 'timestamp' || type === 'timestamp_ntz')) return v;
    if (typeof v === 'string') return parse(v.trim());
    return cast(v) as bigint | null;
  };
}

const parseText = (s: string): bigint | null => parseTimestamp(s) ?? null;

function columnType(env: StepEnv, schema: StructType | null, col: string): ExprType {
  return schema === null ? 'unknown' : requireColumn(env, schema, col).type;
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
  const toInstant = instant(columnType(env, schema, col), o.format === undefined ? parseText : pattern(env, o.format, compileParser));
  const strict = o.on_invalid === 'dlq';
  const get = ownGetter(col);
  const value = (row: Row): unknown => {
    const v = get(row);
    if (v === null || v === undefined) return null;
    const us = toInstant(v);
    if (us === null && strict) throw new Error(`cannot parse ${typeof v === 'string' ? JSON.stringify(v) : typeof v} as a timestamp${o.format === undefined ? '' : ` with pattern ${JSON.stringify(o.format)}`}`);
    return us;
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
  const toInstant = instant(columnType(env, schema, col), parseText);
  const target = o.as ?? col;
  const format = pattern(env, o.format, compileFormatter);
  const get = ownGetter(col);
  const value = (row: Row): unknown => {
    const v = get(row);
    const us = v === null || v === undefined ? null : toInstant(v);
    return us === null ? null : format(us);
  };
  return { op: { kind: 'set', columns: [target], values: [value] }, schema: schema === null ? null : withField(schema, target, 'string') };
}
