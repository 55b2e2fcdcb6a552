// `function` steps: a user module's exported function over the whole batch, loaded once; TypeScript through tsx.
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';
import type { Batch, Rejected, Row } from '../../core/record.ts';
import type { StructType } from '../../core/schema.ts';
import { deriveSchema } from '../../engine/schema-track.ts';
import { configProblem, type StepEnv } from './step.ts';

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

function normalize(env: StepEnv, out: unknown, input: StructType | null): FunctionResult {
  if (Array.isArray(out)) return { rows: out as Row[], rejected: [], schema: deriveSchema(out as Row[], input) };
  const b = out as Partial<Batch> | null;
  if (b === null || typeof b !== 'object' || !Array.isArray(b.rows)) {
    throw new SluiceError(ErrorCodes.STAGE_FAILED, `stage ${env.stage}: ${env.path} returned ${b === null ? 'null' : typeof b}; expected a batch or an array of rows`);
  }
  const schema = b.schema === undefined ? deriveSchema(b.rows, input) : b.schema;
  return { rows: b.rows, rejected: Array.isArray(b.rejected) ? b.rejected : [], schema };
}

/**
 * Runs the function over the batch. When it throws, it is run again one row at a time, so that
 * only the rows it fails on go to the dead-letter queue and the others go on.
 */
export async function runUserFunction(env: StepEnv, fn: UserFunction, batchId: number, rows: Row[], schema: StructType | null, reject: (row: Row, err: unknown) => void): Promise<FunctionResult> {
  try {
    return normalize(env, await fn({ batchId, rows, rejected: [], schema }), schema);
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
  return { rows: outRows, rejected, schema: outRows.length === 0 ? schema : deriveSchema(outRows, outSchema) };
}
