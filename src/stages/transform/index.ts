// The `transform` stage: declarative steps and user functions applied in order to every batch.
//
//   steps ──► segments: [row steps ...] | function | [row steps ...] ...
//   row segment: compiled once per input schema into one closure chain (one pass per row)
//   function:    called with the batch; its output schema is derived from the rows it returns
import { defineStage, type Stage } from '../../core/component.ts';
import { validate } from '../../config/problems.ts';
import { ConfigError, errorMessage } from '../../core/errors.ts';
import { originOf, type Batch, type Rejected, type Row } from '../../core/record.ts';
import type { StructType } from '../../core/schema.ts';
import { compileChain, type ChainStep, type CompiledChain } from './chain.ts';
import { TransformConfigSchema, type TransformConfig } from './config.ts';
import { loadUserFunction, runUserFunction, type UserFunction } from './function.ts';
import { StepFailure, rowPayload } from './step.ts';

type Segment =
  | { readonly kind: 'rows'; readonly steps: readonly ChainStep[]; readonly cache: Map<string, CompiledChain> }
  | { readonly kind: 'function'; readonly index: number; readonly fn: UserFunction; readonly label: string };

export type TransformMetrics = {
  rows_in: number;
  rows_out: number;
  rows_filtered: number;
  rows_rejected: number;
};

const CACHE_LIMIT = 32;

export class TransformStage implements Stage {
  private last: TransformMetrics = { rows_in: 0, rows_out: 0, rows_filtered: 0, rows_rejected: 0 };
  private lastBatchId: number | undefined;

  private constructor(
    readonly name: string,
    private readonly segments: readonly Segment[],
  ) {}

  /** Loads user modules and compiles every step without a schema, so syntax errors, unknown
   * functions, bad types and patterns surface before the first batch. */
  static async create(name: string, config: TransformConfig, cwd = process.cwd()): Promise<TransformStage> {
    const segments: Segment[] = [];
    let run: ChainStep[] = [];
    const flush = (): void => {
      if (run.length > 0) segments.push({ kind: 'rows', steps: run, cache: new Map() });
      run = [];
    };
    for (const [index, step] of config.steps.entries()) {
      if (step.function === undefined) {
        run.push({ index, config: step });
        continue;
      }
      flush();
      const label = `steps[${index}].function`;
      const fn = await loadUserFunction({ stage: name, path: label }, step.function.module, step.function.export, cwd);
      segments.push({ kind: 'function', index, fn, label });
    }
    flush();
    const stage = new TransformStage(name, segments);
    for (const s of segments) if (s.kind === 'rows') stage.chain(s, null);
    return stage;
  }

  /** A stage of declarative steps only, built synchronously (for the TypeScript API). */
  static fromSteps(name: string, config: TransformConfig): TransformStage {
    const steps: ChainStep[] = config.steps.map((step, index) => ({ index, config: step }));
    const fn = steps.find((s) => s.config.function !== undefined);
    if (fn !== undefined) {
      throw new ConfigError([{ path: `stage ${name}: steps[${fn.index}].function`, message: 'function steps are not available here', expected: 'stream.transform(fn) for a function' }], `stage ${name}`);
    }
    const stage = new TransformStage(name, [{ kind: 'rows', steps, cache: new Map() }]);
    for (const s of stage.segments) if (s.kind === 'rows') stage.chain(s, null);
    return stage;
  }

  private chain(seg: Extract<Segment, { kind: 'rows' }>, schema: StructType | null): CompiledChain {
    const key = schema === null ? 'null' : JSON.stringify(schema);
    let c = seg.cache.get(key);
    if (c === undefined) {
      c = compileChain(this.name, seg.steps, schema);
      if (seg.cache.size >= CACHE_LIMIT) seg.cache.clear();
      seg.cache.set(key, c);
    }
    return c;
  }

  outputSchema(input: StructType | null): StructType | null {
    let schema = input;
    for (const s of this.segments) {
      if (s.kind === 'function') return null;
      schema = this.chain(s, schema).schema;
    }
    return schema;
  }

  async process(batch: Batch): Promise<Batch> {
    const rejected: Rejected[] = [...batch.rejected];
    const metrics: TransformMetrics = { rows_in: batch.rows.length, rows_out: 0, rows_filtered: 0, rows_rejected: 0 };
    const reject = (row: Row, err: unknown): void => {
      metrics.rows_rejected++;
      rejected.push({
        errorType: 'PROCESSING',
        stage: this.name,
        ...(err instanceof StepFailure ? { rule: err.step } : {}),
        message: err instanceof StepFailure ? errorMessage(err.cause) : errorMessage(err),
        payload: rowPayload(row, schema),
        origin: originOf(row) ?? {},
      });
    };
    let rows = batch.rows;
    let schema = batch.schema;
    for (const seg of this.segments) {
      if (seg.kind === 'rows') {
        const r = this.chain(seg, schema).run(rows, reject);
        rows = r.rows;
        schema = r.schema;
        metrics.rows_filtered += r.filtered;
      } else {
        const label = seg.label;
        const r = await runUserFunction({ stage: this.name, path: label }, seg.fn, batch.batchId, rows, schema, (row, err) => reject(row, new StepFailure(label, err)));
        rows = r.rows;
        schema = r.schema;
        for (const x of r.rejected) rejected.push(x);
      }
    }
    metrics.rows_out = rows.length;
    // The engine may run a large batch through the stages in slices: the figures are the batch's.
    if (this.lastBatchId === batch.batchId) {
      for (const k of Object.keys(metrics) as (keyof TransformMetrics)[]) metrics[k] += this.last[k];
    }
    this.lastBatchId = batch.batchId;
    this.last = metrics;
    return { ...batch, rows, rejected, schema };
  }

  metrics(): TransformMetrics {
    return { ...this.last };
  }
}

/**
 * Declarative steps as a batch function for the TypeScript API (`stream.filter(...)`): validated and
 * compiled here, so a bad step or expression throws where it is written, not at the first batch.
 */
export function declarativeTransform(name: string, steps: readonly unknown[]): (batch: Batch) => Promise<Batch> {
  const r = validate(TransformConfigSchema, { steps }, `stage ${name}`);
  if (!r.ok) throw new ConfigError(r.problems, `stage ${name}`);
  const stage = TransformStage.fromSteps(name, r.value);
  return async (batch) => stage.process(batch);
}

export const transformStage = defineStage({
  type: 'transform',
  summary: 'Declarative steps (select, rename, drop, cast, filter, with_column, flatten, explode, fill_null, hash, mask, parse/format_timestamp) and user functions.',
  config: TransformConfigSchema,
  create: (config, ctx) => TransformStage.create(ctx.stageName, config),
});

export { TransformConfigSchema, type TransformConfig, type StepConfig } from './config.ts';
export type { UserFunction } from './function.ts';
