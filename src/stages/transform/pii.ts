// PII steps: hash (salted hex digest, for joins on pseudonyms) and mask (characters hidden, ends optionally kept).
import { createHash } from 'node:crypto';
import { ownGetter } from '../../core/own.ts';
import type { Row } from '../../core/record.ts';
import type { StructType } from '../../core/schema.ts';
import type { ExprType } from '../../expr/index.ts';
import { valueToString } from '../../schema/values/index.ts';
import { requireColumn, resolveName, withField, type CompiledStep, type StepEnv } from './step.ts';

function stringColumns(env: StepEnv, schema: StructType | null, names: readonly string[], render: (text: string) => string): CompiledStep {
  const columns: string[] = [];
  const values: ((row: Row) => unknown)[] = [];
  let out = schema;
  for (const name of names) {
    const col = resolveName(env, schema, name);
    const type: ExprType = schema === null ? 'unknown' : requireColumn(env, schema, col).type;
    columns.push(col);
    const get = ownGetter(col);
    values.push((row) => {
      const v = get(row);
      if (v === null || v === undefined) return null;
      const s = valueToString(v, type);
      return s === null ? null : render(s);
    });
    if (out !== null) out = withField(out, col, 'string');
  }
  return { op: { kind: 'set', columns, values }, schema: out };
}

export interface HashOptions {
  readonly columns: readonly string[];
  readonly algorithm: 'sha256' | 'sha512' | 'sha1' | 'md5';
  readonly salt: string;
}

export function hashStep(env: StepEnv, schema: StructType | null, o: HashOptions): CompiledStep {
  return stringColumns(env, schema, o.columns, (s) => createHash(o.algorithm).update(o.salt).update(s).digest('hex'));
}

export interface MaskOptions {
  readonly columns: readonly string[];
  readonly keep_first: number;
  readonly keep_last: number;
  readonly char: string;
}

/** Masks by code point, so a surrogate pair counts as one character. A value no longer than the
 * visible ends is masked whole: showing all of a short value would defeat the mask. */
export function maskText(s: string, o: Omit<MaskOptions, 'columns'>): string {
  const chars = [...s];
  const n = chars.length;
  if (o.keep_first + o.keep_last >= n) return o.char.repeat(n);
  return chars.slice(0, o.keep_first).join('') + o.char.repeat(n - o.keep_first - o.keep_last) + chars.slice(n - o.keep_last).join('');
}

export function maskStep(env: StepEnv, schema: StructType | null, o: MaskOptions): CompiledStep {
  return stringColumns(env, schema, o.columns, (s) => maskText(s, o));
}
