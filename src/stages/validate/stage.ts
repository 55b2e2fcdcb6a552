// The `validate` stage: conforms records to a declared schema and checks rules; failing records go
// to the dead-letter queue, are dropped or stop the pipeline, per rule or per stage.
import { defineStage, type PlannedSchema, type Stage, type StagePlan } from '../../core/component.ts';
import { ConfigError, ErrorCodes, SluiceError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { describeOrigin, originOf, type Batch, type Rejected, type Row } from '../../core/record.ts';
import type { StructType } from '../../core/schema.ts';
import { parseSchema } from '../../schema/ddl.ts';
import { conformerFor, inputKindOf } from '../../schema/conform.ts';
import { checkRules, resolveColumn, ruleColumns } from './check.ts';
import { ruleName, ruleSchema, validateConfig, type Policy, type RuleConfig, type ValidateConfig } from './config.ts';
import { payloadOf } from './payload.ts';
import { compileRule, type CompiledRule } from './rules.ts';

export interface RuleStats {
  passed: number;
  failed: number;
}

/** Per-batch figures, in progress under `stages.<name>` ("schema validation statistics"). */
export interface ValidateMetrics {
  batchId: number;
  rowsIn: number;
  rowsPassed: number;
  rowsToDlq: number;
  rowsDropped: number;
  schema: RuleStats | null;
  rules: Record<string, RuleStats>;
}

export const SCHEMA_RULE = 'schema';

export class ValidateStage implements Stage {
  private readonly declared: StructType | null;
  private rules: CompiledRule[] | null = null;
  private rulesFor: StructType | null = null;
  private m: ValidateMetrics;
  /** Rules already warned about for naming a column the data lacks (once each per process). */
  private readonly warned = new Set<string>();

  constructor(
    readonly name: string,
    private readonly cfg: ValidateConfig,
    private readonly logger?: Logger,
  ) {
    this.declared = cfg.schema === undefined ? null : parseSchema(cfg.schema);
    // With a declared schema, rules are checked against it at once (a pipeline file has had this
    // check when it was loaded; a stage built in code gets it here).
    if (this.declared !== null) {
      const problems = checkRules(cfg.rules, { schema: this.declared, from: `the declared schema of stage ${name}` }, name);
      if (problems.length > 0) throw new ConfigError(problems.map((p) => ({ ...p, path: `stage ${name}: ${p.path}` })), `stage ${name}`);
      this.compileRules(this.declared);
    }
    this.m = emptyMetrics(-1, cfg, this.declared !== null);
  }

  process(batch: Batch): Batch {
    const rules = this.rules !== null && (this.declared !== null || this.rulesFor === batch.schema) ? this.rules : this.compileRules(batch.schema);
    // Per batch, not per call: a batch above max.batch.bytes arrives in slices, and unique spans them.
    if (batch.batchId !== this.m.batchId) {
      this.m = emptyMetrics(batch.batchId, this.cfg, this.declared !== null);
      for (const r of rules) r.reset();
    }
    const m = this.m;
    const out: Row[] = [];
    const rejected: Rejected[] = batch.rejected;
    m.rowsIn += batch.rows.length;
    // Rows of a batch without a schema hold values as JSON gave them; with one, the value model's.
    const conform = this.declared === null ? null : conformerFor(this.declared, { input: inputKindOf(batch.schema), coerceStrings: this.cfg.coerce_strings });
    for (const input of batch.rows) {
      let row = input;
      if (conform !== null) {
        const c = conform(input);
        const s = m.schema as RuleStats;
        if (!c.ok) {
          s.failed++;
          this.dispose(input, SCHEMA_RULE, this.cfg.policy, c.message, rejected, 'SCHEMA_VALIDATION');
          continue;
        }
        s.passed++;
        row = c.row;
      }
      let worst: { rule: CompiledRule; message: string } | null = null;
      const messages: string[] = [];
      for (const r of rules) {
        const msg = r.check(row);
        const st = m.rules[r.name] as RuleStats;
        if (msg === null) {
          st.passed++;
          continue;
        }
        st.failed++;
        messages.push(`${r.name}: ${msg}`);
        if (worst === null || rank(r.policy) > rank(worst.rule.policy)) worst = { rule: r, message: msg };
      }
      if (worst === null) {
        out.push(row);
        m.rowsPassed++;
        continue;
      }
      this.dispose(input, worst.rule.name, worst.rule.policy, messages.join('; '), rejected, 'SCHEMA_VALIDATION');
    }
    return { ...batch, rows: out, rejected, schema: this.declared ?? batch.schema };
  }

  outputSchema(input: StructType | null): StructType | null {
    return this.declared ?? input;
  }

  metrics(): Record<string, unknown> {
    return { ...this.m };
  }

  /** The current batch's figures, typed. */
  get stats(): Readonly<ValidateMetrics> {
    return this.m;
  }

  private dispose(row: Row, rule: string, policy: Policy, message: string, rejected: Rejected[], errorType: Rejected['errorType']): void {
    if (policy === 'fail') {
      throw new SluiceError(ErrorCodes.RECORD_INVALID, `stage ${this.name}: record at ${describeOrigin(originOf(row))} failed ${rule === SCHEMA_RULE ? 'the declared schema: ' : ''}${message} (policy fail)`, {
        details: { stage: this.name, rule, payload: payloadOf(row) },
      });
    }
    if (policy === 'drop') {
      this.m.rowsDropped++;
      return;
    }
    this.m.rowsToDlq++;
    rejected.push({ errorType, stage: this.name, rule, message, payload: payloadOf(row), origin: originOf(row) ?? {} });
  }

  private compileRules(schema: StructType | null): CompiledRule[] {
    if (this.declared === null && schema !== null) this.warnAboutColumns(schema);
    this.rules = this.cfg.rules.map((r) => compileRule(r, this.cfg.policy, schema, this.name));
    this.rulesFor = schema;
    return this.rules;
  }

  /** Without a schema before the run, a misspelt column shows only in the data: say so once, since
   * such a rule passes every row (or, for not_null, fails every row). */
  private warnAboutColumns(schema: StructType): void {
    if (this.logger === undefined) return;
    for (const r of this.cfg.rules) {
      const name = ruleName(r);
      if (this.warned.has(name)) continue;
      const missing = ruleColumns(r)
        .map(([, column]) => ({ column, found: resolveColumn(schema, column, "the batch's schema") }))
        .find((c) => !c.found.ok);
      if (missing === undefined || missing.found.ok) continue;
      this.warned.add(name);
      this.logger.warn(`stage ${this.name}: rule ${name} names ${JSON.stringify(missing.column)}, which the data does not have: ${missing.found.message}; the rule ${r.rule === 'not_null' ? 'fails' : 'passes'} every row without it`, {
        stage: this.name,
        rule: name,
      });
    }
  }
}

function rank(p: Policy): number {
  return p === 'fail' ? 2 : p === 'dlq' ? 1 : 0;
}

function emptyMetrics(batchId: number, cfg: ValidateConfig, declared: boolean): ValidateMetrics {
  const rules: Record<string, RuleStats> = {};
  for (const r of cfg.rules) rules[ruleName(r)] = { passed: 0, failed: 0 };
  return { batchId, rowsIn: 0, rowsPassed: 0, rowsToDlq: 0, rowsDropped: 0, schema: declared ? { passed: 0, failed: 0 } : null, rules };
}

/** Before the run: rules against the stage's own schema, or else the schema flowing in when known. */
export function planValidate(cfg: ValidateConfig, input: PlannedSchema | null, stageName: string): StagePlan {
  const declared: PlannedSchema | null = cfg.schema === undefined ? null : { schema: parseSchema(cfg.schema), from: `the declared schema of stage ${stageName}` };
  const against = declared ?? input;
  return { output: against, problems: against === null ? [] : checkRules(cfg.rules, against, stageName) };
}

/** The same for a config that failed validation: the rules that are valid on their own, against the
 * stage's schema if that one is valid, else the schema flowing in. */
export function planInvalidValidate(raw: unknown, input: PlannedSchema | null, stageName: string): StagePlan {
  const c = raw !== null && typeof raw === 'object' ? (raw as { schema?: unknown; rules?: unknown }) : {};
  let against = input;
  if (c.schema !== undefined) {
    try {
      against = { schema: parseSchema(c.schema as string | Record<string, unknown>), from: `the declared schema of stage ${stageName}` };
    } catch {
      return { output: null, problems: [] }; // the schema's own problem is reported; rules checked against another would mislead
    }
  }
  if (against === null || !Array.isArray(c.rules)) return { output: against, problems: [] };
  const rules: RuleConfig[] = [];
  const indexes: number[] = [];
  c.rules.forEach((r: unknown, i) => {
    const p = ruleSchema.safeParse(r);
    // A rule invalid in itself still has its columns checked (as a not_null or unique rule: names only).
    const o = r !== null && typeof r === 'object' ? (r as { column?: unknown; columns?: unknown }) : {};
    const names = Array.isArray(o.columns) && o.columns.every((x) => typeof x === 'string' && x !== '') ? (o.columns as string[]) : undefined;
    const only: RuleConfig | undefined =
      names !== undefined ? { rule: 'unique', columns: names } : typeof o.column === 'string' && o.column !== '' ? { rule: 'not_null', column: o.column } : undefined;
    const checked = p.success ? p.data : only;
    if (checked !== undefined) {
      rules.push(checked);
      indexes.push(i);
    }
  });
  return { output: against, problems: checkRules(rules, against, stageName, indexes) };
}

export const validateStage = defineStage<ValidateConfig>({
  type: 'validate',
  summary: 'Checks records against a declared schema (lossless coercion, NOT NULL) and rules; failures go to the dead-letter queue, are dropped or stop the pipeline.',
  config: validateConfig,
  plan: planValidate,
  planInvalid: planInvalidValidate,
  create: (cfg, ctx) => new ValidateStage(ctx.stageName, cfg, ctx.logger),
});
