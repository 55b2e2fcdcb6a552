// `function` steps: a user module's exported function over the whole batch, loaded once; TypeScript through tsx.
// The function sees rows in the value model's forms and what it returns is conformed to the output
// schema, so a JavaScript Date or ISO text in a timestamp column is a timestamp again, and a value
// that does not fit its column sends that row to the dead-letter queue.
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';
import { originOf, type Batch, type Rejected, type Row } from '../../core/record.ts';
import { field, struct, type DataType, type StructType } from '../../core/schema.ts';
import { compileConformer, type Conformer } from '../../schema/conform.ts';
import { mergeTypes } from '../../schema/infer.ts';
import { configProblem, rowPayload, valueModelType, type StepEnv } from './step.ts';

/** What a user module exports: receives a batch, returns the batch or just its rows. May be async. */
export type UserFunction = (batch: Batch) => Batch | Row[] | Promise<Batch | Row[]>;

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

/**
 * Imports the module. Under a TypeScript-aware loader (`node --import tsx`) a plain import works;
 * from compiled JavaScript a `.ts` module needs tsx's `tsImport`, which is only there when the
 * user has tsx installed.
 */
async function importModule(env: StepEnv, file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (!TS_EXTENSIONS.has(extname(file)) || code !== 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw configProblem(env, `cannot load module ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  let api: { tsImport: (specifier: string, parent: string) => Promise<unknown> };
  try {
    api = await import('tsx/esm/api');
  } catch {
    throw configProblem(env, `TypeScript module ${file} needs tsx to load`, undefined, 'tsx installed (npm install tsx), or the module compiled to .js');
  }
  try {
    return (await api.tsImport(url, import.meta.url)) as Record<string, unknown>;
  } catch (err) {
    throw configProblem(env, `cannot load module ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function loadUserFunction(env: StepEnv, modulePath: string, exportName: string, cwd = process.cwd()): Promise<UserFunction> {
  const file = resolve(cwd, modulePath);
  if (!existsSync(file)) throw configProblem(env, `module not found: ${file}`, modulePath, 'a path relative to the working directory');
  const mod = await importModule(env, file);
  const fn = mod[exportName];
  if (typeof fn !== 'function') {
    const names = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    throw configProblem(env, `module ${modulePath} has no exported function ${JSON.stringify(exportName)}`, undefined, names.length === 0 ? 'an exported function' : `one of ${names.join(', ')}`);
  }
  return fn as UserFunction;
}

export interface FunctionResult {
  readonly rows: Row[];
  readonly rejected: Rejected[];
  readonly schema: StructType | null;
}

/** The schema of the rows a function returned: the input's columns it kept keep their types, new
 * ones take the type of their values (text stays text; a Date is a timestamp). */
export function deriveOutputSchema(rows: readonly Row[], base: StructType | null): StructType | null {
  if (rows.length === 0) return base;
  const known = new Set(base?.fields.map((f) => f.name) ?? []);
  const seen = new Set<string>();
  const added = new Map<string, DataType | null>();
  for (const row of rows) {
    for (const k in row) {
      if (known.has(k)) {
        seen.add(k);
        continue;
      }
      const t = valueModelType(row[k]);
      const prev = added.get(k);
      added.set(k, prev === undefined || prev === null ? t : t === null ? prev : mergeTypes(prev, t));
    }
  }
  if (base !== null && added.size === 0 && seen.size === known.size) return base;
  const fields = (base?.fields ?? []).filter((f) => seen.has(f.name));
  for (const [name, t] of added) fields.push(field(name, t ?? 'string'));
  return struct(fields);
}

function normalize(env: StepEnv, out: unknown, input: StructType | null): FunctionResult {
  if (Array.isArray(out)) return { rows: out as Row[], rejected: [], schema: deriveOutputSchema(out as Row[], input) };
  const b = out as Partial<Batch> | null;
  if (b === null || typeof b !== 'object' || !Array.isArray(b.rows)) {
    throw new SluiceError(ErrorCodes.STAGE_FAILED, `stage ${env.stage}: ${env.path} returned ${b === null ? 'null' : typeof b}; expected a batch or an array of rows`);
  }
  const schema = b.schema === undefined ? deriveOutputSchema(b.rows, input) : b.schema;
  return { rows: b.rows, rejected: Array.isArray(b.rejected) ? b.rejected : [], schema };
}

/** Conformers of the schemas functions returned, by schema text (a function's output schema rarely changes). */
const conformers = new Map<string, Conformer>();

function conformerFor(schema: StructType): Conformer {
  const key = JSON.stringify(schema);
  let c = conformers.get(key);
  if (c === undefined) {
    c = compileConformer(schema, { input: 'typed' });
    if (conformers.size >= 64) conformers.clear();
    conformers.set(key, c);
  }
  return c;
}

/** Brings a function's rows to the value model's forms of its output schema (a Date or ISO text in
 * a timestamp column becomes microseconds, say); a row with a value that does not fit its column
 * is a SCHEMA_VALIDATION dead letter naming the column and the value. */
export function conformOutput(env: StepEnv, r: FunctionResult): FunctionResult {
  if (r.schema === null || r.rows.length === 0) return r;
  const conform = conformerFor(r.schema);
  const rows: Row[] = [];
  const rejected = [...r.rejected];
  for (const row of r.rows) {
    const c = conform(row);
    if (c.ok) {
      rows.push(c.row);
      continue;
    }
    rejected.push({
      errorType: 'SCHEMA_VALIDATION',
      stage: env.stage,
      rule: env.path,
      message: `${env.path} returned a value that does not fit its column: ${c.message}`,
      payload: rowPayload(row),
      origin: originOf(row) ?? {},
    });
  }
  return { rows, rejected, schema: r.schema };
}

/**
 * Runs the function over the batch. When it throws, it is run again one row at a time, so that
 * only the rows it fails on go to the dead-letter queue and the others go on.
 */
export async function runUserFunction(env: StepEnv, fn: UserFunction, batchId: number, rows: Row[], schema: StructType | null, reject: (row: Row, err: unknown) => void): Promise<FunctionResult> {
  try {
    return conformOutput(env, normalize(env, await fn({ batchId, rows, rejected: [], schema }), schema));
  } catch (err) {
    if (err instanceof SluiceError && err.code === ErrorCodes.STAGE_FAILED) throw err;
  }
  const outRows: Row[] = [];
  const rejected: Rejected[] = [];
  let outSchema: StructType | null = schema;
  for (const row of rows) {
    let r: FunctionResult;
    try {
      r = normalize(env, await fn({ batchId, rows: [row], rejected: [], schema }), schema);
    } catch (err) {
      if (err instanceof SluiceError && err.code === ErrorCodes.STAGE_FAILED) throw err;
      reject(row, err);
      continue;
    }
    for (const x of r.rows) outRows.push(x);
    for (const x of r.rejected) rejected.push(x);
    outSchema = r.schema;
  }
  return conformOutput(env, { rows: outRows, rejected, schema: outRows.length === 0 ? schema : deriveOutputSchema(outRows, outSchema) });
}
