// What a compiled transform step is (a per-row operation plus its output schema) and the helpers steps share.
import { ConfigError, SluiceError, ErrorCodes, errorMessage } from '../../core/errors.ts';
import type { Row } from '../../core/record.ts';
import { field, struct, type DataType, type StructField, type StructType } from '../../core/schema.ts';
import { inferValueType, mergeTypes } from '../../schema/infer.ts';
import { rowToJson, toJsonText } from '../../schema/values/index.ts';

/**
 * A row-level operation. `set` writes computed columns into the row itself; `reshape` builds a new row;
 * `explode` turns one row into several; `filter` keeps or drops.
 */
export type RowOp =
  | { readonly kind: 'filter'; readonly test: (row: Row) => boolean }
  | { readonly kind: 'set'; readonly columns: readonly string[]; readonly values: readonly ((row: Row) => unknown)[] }
  | { readonly kind: 'reshape'; readonly build: (row: Row) => Row }
  | { readonly kind: 'explode'; readonly explode: (row: Row) => Row[] };

export interface CompiledStep {
  readonly op: RowOp;
  /** The schema after this step; null when the input schema was unknown. */
  readonly schema: StructType | null;
  /** Output columns whose type only the data can tell (an expression of unknown type). */
  readonly untyped?: readonly string[];
}

export interface StepEnv {
  /** The stage name, for messages. */
  readonly stage: string;
  /** The step's path inside the stage config, e.g. `steps[2].filter`. */
  readonly path: string;
}

/** Thrown by a row operation; carries the step so the dead-letter entry names it. */
export class StepFailure extends SluiceError {
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(ErrorCodes.RECORD_INVALID, `${step}: ${errorMessage(cause)}`, { cause });
  }
}

export function configProblem(env: StepEnv, message: string, found?: unknown, expected?: string): ConfigError {
  const path = `stage ${env.stage}: ${env.path}`;
  const problem = { path, message, ...(found === undefined ? {} : { found }), ...(expected === undefined ? {} : { expected }) };
  return new ConfigError([problem], `stage ${env.stage}`);
}

/** Finds a column as Spark does: exact name first, else a unique case-insensitive match. */
export function findColumn(schema: StructType, name: string): StructField | undefined {
  const exact = schema.fields.find((f) => f.name === name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  const hits = schema.fields.filter((f) => f.name.toLowerCase() === lower);
  return hits.length === 1 ? hits[0] : undefined;
}

/** The schema's field for `name`, or a config error listing the columns there are. */
export function requireColumn(env: StepEnv, schema: StructType, name: string): StructField {
  const f = findColumn(schema, name);
  if (f !== undefined) return f;
  const names = schema.fields.map((x) => x.name);
  throw configProblem(env, `unknown column ${JSON.stringify(name)}`, undefined, names.length === 0 ? 'no columns: the schema is empty' : `one of ${names.slice(0, 30).join(', ')}`);
}

/** Replaces (or appends) a field, keeping the position of a replaced one. */
export function withField(schema: StructType, name: string, type: DataType, nullable = true): StructType {
  const i = schema.fields.findIndex((f) => f.name === name);
  const next = field(name, type, nullable);
  if (i < 0) return struct([...schema.fields, next]);
  return struct(schema.fields.map((f, j) => (j === i ? next : f)));
}

/** The column's name as the schema spells it, or as written when the schema is unknown. */
export function resolveName(env: StepEnv, schema: StructType | null, name: string): string {
  return schema === null ? name : requireColumn(env, schema, name).name;
}

/** A row's JSON text for the dead-letter queue, in the value model's JSON forms: columns the schema
 * types as it says (timestamps ISO-8601, dates `YYYY-MM-DD`, decimals and 64-bit integers exact),
 * any others as their values are. */
export function rowPayload(row: Row, schema: StructType | null = null): string {
  try {
    if (schema === null) return rowToJson(row, null);
    const types = new Map(schema.fields.map((f) => [f.name, f.type]));
    const parts: string[] = [];
    for (const k of Object.keys(row)) {
      const v = row[k];
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${toJsonText(v, types.get(k) ?? null)}`);
    }
    return `{${parts.join(',')}}`;
  } catch {
    // a cycle or a throwing getter: keep at least the column names
    return JSON.stringify({ unserializable: Object.keys(row) });
  }
}

/** The type of a value already in the value model's forms (what an expression or a user function
 * produced), or null for NULL: unlike inference from JSON, text is a STRING whatever it looks like,
 * since a date or a timestamp would already be a number or a bigint. A JavaScript Date is a timestamp. */
export function valueModelType(v: unknown): DataType | null {
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) {
    let el: DataType | null = null;
    for (const x of v) {
      const t = valueModelType(x);
      el = el === null ? t : t === null ? el : mergeTypes(el, t);
    }
    return { type: 'array', elementType: el ?? 'string', containsNull: true };
  }
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>;
    return struct(Object.keys(o).map((k) => field(k, valueModelType(o[k]) ?? 'string')));
  }
  return inferValueType(v);
}
