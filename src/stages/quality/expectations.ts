// Expectations compiled once per input schema, and the per-batch check that counts, drops or fails records.
import { ErrorCodes, SluiceError, errorMessage } from '../../core/errors.ts';
import { describeOrigin, originOf, type Rejected, type Row } from '../../core/record.ts';
import type { StructType } from '../../core/schema.ts';
import { compilePredicate } from '../../expr/index.ts';
import { toBoolean } from '../../expr/values.ts';
import { rowPayload } from '../transform/step.ts';
import type { ExpectationAction, QualityConfig } from './config.ts';

export interface Expectation {
  readonly name: string;
  readonly action: ExpectationAction;
  readonly expression: string;
  readonly evaluate: (row: Row) => unknown;
}

/** An `expect_or_fail` expectation a record did not meet: the pipeline stops before the batch is written. */
export class ExpectationFailedError extends SluiceError {
  constructor(stage: string, e: Expectation, row: Row, batchId: number, schema: StructType | null = null) {
    const origin = originOf(row);
    super(
      ErrorCodes.STAGE_FAILED,
      `stage ${stage}: expectation ${JSON.stringify(e.name)} (${e.expression}) failed on the record at ${describeOrigin(origin)} in batch ${batchId}; expect_or_fail stops the pipeline, nothing of the batch was written`,
      { details: { reason: 'EXPECTATION_FAILED', stage, expectation: e.name, expression: e.expression, batchId, origin: origin ?? null, payload: rowPayload(row, schema) } },
    );
  }
}

export function expectationList(config: QualityConfig): { name: string; action: ExpectationAction; expression: string }[] {
  const out: { name: string; action: ExpectationAction; expression: string }[] = [];
  // Fail first: a record that stops the pipeline need not be counted against the others.
  for (const [name, expression] of Object.entries(config.expect_or_fail ?? {})) out.push({ name, action: 'fail', expression });
  for (const [name, expression] of Object.entries(config.expect_or_drop ?? {})) out.push({ name, action: 'drop', expression });
  for (const [name, expression] of Object.entries(config.expect ?? {})) out.push({ name, action: 'warn', expression });
  return out;
}

export function compileExpectations(stage: string, list: readonly { name: string; action: ExpectationAction; expression: string }[], schema: StructType | null): Expectation[] {
  const key = { warn: 'expect', drop: 'expect_or_drop', fail: 'expect_or_fail' } as const;
  return list.map((e) => ({ ...e, evaluate: compilePredicate(e.expression, { schema, name: `stage ${stage}: ${key[e.action]}.${e.name}` }).evaluate }));
}

/** As in Delta Live Tables, a record fails an expectation when the condition is FALSE; NULL passes, as in a CHECK constraint. */
function fails(v: unknown): boolean {
  if (v === false) return true;
  if (v === true || v === null || v === undefined) return false;
  return toBoolean(v) === false;
}

export interface CheckResult {
  readonly rows: Row[];
  readonly rejected: Rejected[];
  readonly passed: number[];
  readonly failed: number[];
  readonly dropped: number;
  readonly errors: number;
}

export function checkExpectations(stage: string, exps: readonly Expectation[], rows: readonly Row[], batchId: number, toDlq: boolean, schema: StructType | null = null): CheckResult {
  const n = exps.length;
  const passed = new Array<number>(n).fill(0);
  const failed = new Array<number>(n).fill(0);
  const out: Row[] = [];
  const rejected: Rejected[] = [];
  let dropped = 0;
  let errors = 0;
  for (const row of rows) {
    let dropBy: Expectation[] | undefined;
    try {
      for (let i = 0; i < n; i++) {
        const e = exps[i] as Expectation;
        if (!fails(e.evaluate(row))) {
          passed[i] = (passed[i] ?? 0) + 1;
          continue;
        }
        failed[i] = (failed[i] ?? 0) + 1;
        if (e.action === 'fail') throw new ExpectationFailedError(stage, e, row, batchId, schema);
        if (e.action === 'drop') (dropBy ??= []).push(e);
      }
    } catch (err) {
      if (err instanceof ExpectationFailedError) throw err;
      // A condition that cannot be evaluated for this record (a row-supplied pattern, say).
      errors++;
      rejected.push({ errorType: 'PROCESSING', stage, message: errorMessage(err), payload: rowPayload(row, schema), origin: originOf(row) ?? {} });
      continue;
    }
    if (dropBy === undefined) {
      out.push(row);
      continue;
    }
    dropped++;
    if (toDlq) {
      const first = dropBy[0] as Expectation;
      const message = `failed expectation${dropBy.length > 1 ? 's' : ''} ${dropBy.map((e) => `${e.name} (${e.expression})`).join(', ')}`;
      rejected.push({ errorType: 'SCHEMA_VALIDATION', stage, rule: first.name, message, payload: rowPayload(row, schema), origin: originOf(row) ?? {} });
    }
  }
  return { rows: out, rejected, passed, failed, dropped, errors };
}
