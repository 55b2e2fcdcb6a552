// Compiles a run of row steps into one closure chain, so each row passes every step in a single pass,
// and runs it with per-row isolation: a row whose step throws goes to the dead-letter queue, alone.
import { ownSetter } from '../../core/own.ts';
import type { Row } from '../../core/record.ts';
import { struct, type StructType } from '../../core/schema.ts';
import { castStep, dropStep, fillNullStep, filterStep, renameStep, selectStep, withColumnStep } from './columns.ts';
import { stepKind, type StepConfig } from './config.ts';
import { explodeStep, flattenStep } from './nested.ts';
import { hashStep, maskStep } from './pii.ts';
import { StepFailure, valueModelType, type CompiledStep, type StepEnv } from './step.ts';
import { formatTimestampStep, parseTimestampStep } from './time.ts';

export function compileStep(env: StepEnv, schema: StructType | null, step: StepConfig): CompiledStep {
  const s = step;
  if (s.select !== undefined) return selectStep(env, schema, s.select);
  if (s.rename !== undefined) return renameStep(env, schema, s.rename);
  if (s.drop !== undefined) return dropStep(schema, s.drop);
  if (s.cast !== undefined) return castStep(env, schema, s.cast);
  if (s.filter !== undefined) return filterStep(env, schema, s.filter);
  if (s.with_column !== undefined) return withColumnStep(env, schema, s.with_column.name, s.with_column.expr);
  if (s.flatten !== undefined) return flattenStep(env, schema, s.flatten.separator, s.flatten.columns);
  if (s.explode !== undefined) return explodeStep(env, schema, s.explode);
  if (s.fill_null !== undefined) return fillNullStep(env, schema, s.fill_null);
  if (s.hash !== undefined) return hashStep(env, schema, s.hash);
  if (s.mask !== undefined) return maskStep(env, schema, s.mask);
  if (s.parse_timestamp !== undefined) return parseTimestampStep(env, schema, s.parse_timestamp);
  if (s.format_timestamp !== undefined) return formatTimestampStep(env, schema, s.format_timestamp);
  throw new Error(`${env.path}: ${stepKind(step)} is not a row step`);
}

export interface ChainStep {
  readonly index: number;
  readonly config: StepConfig;
}

export interface ChainRun {
  readonly rows: Row[];
  readonly filtered: number;
  readonly schema: StructType | null;
}

export interface CompiledChain {
  /** The output schema as far as compiling can tell (untyped columns still as string). */
  readonly schema: StructType | null;
  run(rows: readonly Row[], reject: (row: Row, err: unknown) => void): ChainRun;
}

interface State {
  out: Row[];
  filtered: number;
}

export function compileChain(stage: string, steps: readonly ChainStep[], input: StructType | null): CompiledChain {
  const compiled: { step: CompiledStep; label: string }[] = [];
  let schema = input;
  let untyped = new Set<string>();
  for (const s of steps) {
    const label = `steps[${s.index}].${stepKind(s.config)}`;
    const c = compileStep({ stage, path: label }, schema, s.config);
    if (c.op.kind === 'set') for (const col of c.op.columns) untyped.delete(col);
    if (c.op.kind === 'reshape' && c.schema !== null) untyped = new Set(c.schema.fields.filter((f) => untyped.has(f.name)).map((f) => f.name));
    for (const col of c.untyped ?? []) untyped.add(col);
    compiled.push({ step: c, label });
    schema = c.schema;
  }
  const state: State = { out: [], filtered: 0 };
  let next = (row: Row): void => {
    state.out.push(row);
  };
  for (let k = compiled.length - 1; k >= 0; k--) {
    const c = compiled[k];
    if (c === undefined) continue;
    next = link(c.step, c.label, next, state);
  }
  const head = next;
  const final = schema;
  const typedLater = [...untyped];
  return {
    schema: final,
    run(rows, reject) {
      state.out = [];
      state.filtered = 0;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i] as Row;
        const mark = state.out.length;
        const filtered = state.filtered;
        try {
          head(row);
        } catch (err) {
          // All or nothing per input row: rows an explode already passed on are taken back.
          state.out.length = mark;
          state.filtered = filtered;
          reject(row, err);
        }
      }
      const out = state.out;
      state.out = [];
      return { rows: out, filtered: state.filtered, schema: final === null || typedLater.length === 0 ? final : typeFromData(final, typedLater, out) };
    },
  };
}

/** Computed columns are written into the rows themselves: a batch owns its rows (sources read fresh
 * ones for every batch, replays included), and adding properties to a copy costs more than parsing
 * the JSON the row came from. */
function link(step: CompiledStep, label: string, inner: (row: Row) => void, state: State): (row: Row) => void {
  const op = step.op;
  switch (op.kind) {
    case 'filter': {
      const test = op.test;
      return (row) => {
        let keep: boolean;
        try {
          keep = test(row);
        } catch (err) {
          throw new StepFailure(label, err);
        }
        if (keep) inner(row);
        else state.filtered++;
      };
    }
    case 'set': {
      const cols = op.columns;
      const fns = op.values;
      if (cols.length === 1) {
        const set = ownSetter(cols[0] as string);
        const f = fns[0] as (row: Row) => unknown;
        return (row) => {
          try {
            set(row, f(row));
          } catch (err) {
            throw new StepFailure(label, err);
          }
          inner(row);
        };
      }
      const setters = cols.map(ownSetter);
      return (row) => {
        try {
          for (let i = 0; i < cols.length; i++) (setters[i] as (o: Row, v: unknown) => void)(row, (fns[i] as (row: Row) => unknown)(row));
        } catch (err) {
          throw new StepFailure(label, err);
        }
        inner(row);
      };
    }
    case 'reshape': {
      const build = op.build;
      return (row) => {
        let r: Row;
        try {
          r = build(row);
        } catch (err) {
          throw new StepFailure(label, err);
        }
        inner(r);
      };
    }
    case 'explode': {
      const explode = op.explode;
      return (row) => {
        let rs: Row[];
        try {
          rs = explode(row);
        } catch (err) {
          throw new StepFailure(label, err);
        }
        for (const r of rs) inner(r);
      };
    }
  }
}

/** Types columns whose expression type was unknown from the first non-null value; string when all are null. */
function typeFromData(schema: StructType, columns: readonly string[], rows: readonly Row[]): StructType {
  const want = new Set(columns);
  return struct(
    schema.fields.map((f) => {
      if (!want.has(f.name)) return f;
      for (const r of rows) {
        const t = valueModelType(r[f.name]);
        if (t !== null) return { ...f, type: t };
      }
      return f;
    }),
  );
}
