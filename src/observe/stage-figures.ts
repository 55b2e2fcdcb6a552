// Validation and quality figures from the stages' progress (`progress.stages[<name>]`): failures
// per rule not already counted from rejected records, and numeric quality measures.
import type { JsonValue } from '../core/component.ts';
import type { StreamingQueryProgress } from '../engine/progress.ts';
import type { BatchFacts, RejectionCount } from './signals.ts';

type Obj = Record<string, JsonValue>;

/** Reads, per stage:
 * - `rules: { <rule>: <failures> | { failed } }` and `schema: { failed }` (the validate stage);
 *   failures beyond the records the stage rejected under that rule (dropped ones) are added;
 * - `quality: { <measure>: <number> }`, any stage;
 * - the quality stage's figures (`kind: 'quality'`): row counts, expectation failures and run
 *   failure rates, freshness lag. */
export function stageFigures(p: StreamingQueryProgress, rejections: readonly RejectionCount[]): Pick<BatchFacts, 'stageRuleFailures' | 'quality'> {
  const stageRuleFailures: { stage: string; rule: string; count: number }[] = [];
  const quality: { stage: string; measure: string; value: number }[] = [];
  const measure = (stage: string, name: string, v: JsonValue | undefined): void => {
    if (typeof v === 'number' && Number.isFinite(v)) quality.push({ stage, measure: name, value: v });
    else if (typeof v === 'boolean') quality.push({ stage, measure: name, value: v ? 1 : 0 });
  };
  for (const [stage, m] of Object.entries(p.stages)) {
    if (!isObject(m)) continue;
    const rules: [string, JsonValue][] = isObject(m.rules) ? Object.entries(m.rules) : [];
    if (isObject(m.schema)) rules.push(['schema', m.schema]);
    for (const [rule, v] of rules) {
      const failed = typeof v === 'number' ? v : isObject(v) && typeof v.failed === 'number' ? v.failed : 0;
      const seen = rejections.filter((r) => r.stage === stage && r.rule === rule).reduce((s, r) => s + r.count, 0);
      if (failed > seen) stageRuleFailures.push({ stage, rule, count: failed - seen });
    }
    if (typeof m.rowsIn === 'number' && typeof m.rowsPassed === 'number' && m.rowsIn > 0) measure(stage, 'pass_rate', round(m.rowsPassed / m.rowsIn));
    if (isObject(m.quality)) for (const [name, v] of Object.entries(m.quality)) measure(stage, name, v);
    if (m.kind === 'quality') qualityStage(stage, m, measure);
  }
  return { stageRuleFailures, quality };
}

function qualityStage(stage: string, m: Obj, measure: (stage: string, name: string, v: JsonValue | undefined) => void): void {
  for (const k of ['rows_in', 'rows_out', 'rows_dropped', 'rows_errored']) measure(stage, k, m[k]);
  if (isObject(m.expectations)) {
    for (const [name, e] of Object.entries(m.expectations)) if (isObject(e)) measure(stage, `failed:${name}`, e.failed);
  }
  const run = isObject(m.run) && isObject(m.run.expectations) ? m.run.expectations : undefined;
  if (run !== undefined) {
    for (const [name, e] of Object.entries(run)) if (isObject(e)) measure(stage, `failure_rate:${name}`, e.failure_rate);
  }
  if (isObject(m.freshness)) {
    const lag = m.freshness.lag_ms;
    if (typeof lag === 'number') measure(stage, 'freshness_lag_seconds', lag / 1000);
    measure(stage, 'stale', m.freshness.stale);
  }
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
