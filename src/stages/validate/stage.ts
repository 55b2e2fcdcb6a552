// The `validate` stage: conforms records to a declared schema and checks rules; failing records go
// to the dead-letter queue, are dropped or stop the pipeline, per rule or per stage.
import { defineStage, type Stage } from '../../core/component.ts';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';
import { describeOrigin, originOf, type Batch, type Rejected, type Row } from '../../core/record.ts';
import type { StructType } from '../../core/schema.ts';
import { parseSchema } from '../../schema/ddl.ts';
import { conformerFor, inputKindOf } from '../../schema/conform.ts';
import { ruleName, validateConfig, type Policy, type ValidateConfig } from './config.ts';
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

  constructor(readonly name: string, private readonly cfg: ValidateConfig) {
    this.declared = cfg.schema === undefined ? null : parseSchema(cfg.schema);
    // With a declared schema, expression rules are checked against it at once (a config error early).
    if (this.declared !== null) this.compileRules(this.declared);
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
    this.rules = this.cfg.rules.map((r) => compileRule(r, this.cfg.policy, schema, this.name));
    this.rulesFor = schema;
    return this.rules;
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

export const validateStage = defineStage<ValidateConfig>({
  type: 'validate',
  summary: 'Checks records against a declared schema (lossless coercion, NOT NULL) and rules; failures go to the dead-letter queue, are dropped or stop the pipeline.',
  config: validateConfig,
  create: (cfg, ctx) => new ValidateStage(ctx.stageName, cfg),
});
