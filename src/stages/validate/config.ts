// Configuration of the `validate` stage: a declared schema, rules and what to do with failing records.
import { z } from 'zod';
import { bool } from '../../config/fields.ts';
import { errorMessage } from '../../core/errors.ts';
import { compileExpression } from '../../expr/index.ts';
import { checkSchemaOption } from '../../schema/option.ts';
import { isoKind, instantOfIso } from './temporal.ts';

export const POLICIES = ['dlq', 'drop', 'fail'] as const;
export type Policy = (typeof POLICIES)[number];

const policy = z.enum(POLICIES).optional().meta({ description: 'What happens to a record failing this rule: `dlq`, `drop` or `fail` (default: the stage policy).' });
const name = z.string().min(1).optional().meta({ description: 'Name of the rule in statistics and DLQ entries (default `<rule>(<column>)`).' });
const column = z.string().min(1).meta({ description: 'The column (dotted path for nested fields: `device.os`).' });
const bound = z.union([z.number(), z.string()]);

export const BOUND_EXPECTED = 'a number, or an ISO date ("2024-01-31") or timestamp ("2024-01-31T12:00:00Z") for date and timestamp columns';
const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** What a range bound is: a number (also as text, for exact long and decimal bounds), an ISO date
 * or an ISO timestamp; undefined for anything else. */
export function boundKind(b: number | string): 'number' | 'date' | 'timestamp' | undefined {
  if (typeof b === 'number') return Number.isFinite(b) ? 'number' : undefined;
  if (NUMBER_TEXT.test(b.trim())) return 'number';
  return isoKind(b.trim());
}

/** A bound as a number on the scale of its kind (epoch milliseconds for dates and timestamps). */
function boundOrder(b: number | string): number | undefined {
  if (typeof b === 'number') return b;
  return NUMBER_TEXT.test(b.trim()) ? Number(b) : instantOfIso(b.trim());
}

function checkBounds(r: { min?: number | string | undefined; max?: number | string | undefined }, ctx: z.RefinementCtx): void {
  const kinds: Partial<Record<'min' | 'max', string>> = {};
  for (const key of ['min', 'max'] as const) {
    const b = r[key];
    if (b === undefined) continue;
    const k = boundKind(b);
    if (k === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'not a range bound', params: { expected: BOUND_EXPECTED } });
    else kinds[key] = k === 'number' ? 'number' : 'temporal';
  }
  if (r.min === undefined || r.max === undefined || kinds.min === undefined || kinds.max === undefined) return;
  if (kinds.min !== kinds.max) {
    ctx.addIssue({ code: 'custom', path: ['max'], message: 'min and max must be of the same kind', params: { expected: 'two numbers, or two ISO dates or timestamps' } });
    return;
  }
  const lo = boundOrder(r.min);
  const hi = boundOrder(r.max);
  if (lo !== undefined && hi !== undefined && lo > hi) {
    ctx.addIssue({ code: 'custom', path: ['max'], message: `max is below min (${String(r.min)}): no value can pass`, params: { expected: `a value at or above ${String(r.min)}` } });
  }
}

export const ruleSchema = z.discriminatedUnion('rule', [
  z.object({ rule: z.literal('not_null'), column, name, policy }).strict(),
  z
    .object({
      rule: z.literal('range'),
      column,
      min: bound.optional().meta({ description: 'Lower bound: a number (written as text for exact long and decimal bounds), or an ISO date (`2024-01-31`) or timestamp (`2024-01-31T12:00:00Z`) for date and timestamp columns.' }),
      max: bound.optional().meta({ description: 'Upper bound, of the same kind as `min`.' }),
      min_exclusive: bool().default(false).meta({ description: 'The lower bound itself fails.' }),
      max_exclusive: bool().default(false).meta({ description: 'The upper bound itself fails.' }),
      name,
      policy,
    })
    .strict()
    .refine((r) => r.min !== undefined || r.max !== undefined, { message: 'a range rule needs min, max or both' })
    .superRefine((r, ctx) => checkBounds(r, ctx)),
  z
    .object({ rule: z.literal('regex'), column, pattern: z.string().meta({ description: 'A JavaScript regular expression the whole value must match (anchor it with ^...$ to match all of it).' }), name, policy })
    .strict()
    .superRefine((r, ctx) => {
      try {
        new RegExp(r.pattern, 'u');
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['pattern'], message: `invalid regular expression: ${errorMessage(err)}` });
      }
    }),
  z
    .object({
      rule: z.literal('in'),
      column,
      values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).meta({ description: 'The allowed values: strings, numbers or booleans as the column holds them (ISO dates or timestamps for date and timestamp columns).' }),
      name,
      policy,
    })
    .strict(),
  z
    .object({
      rule: z.literal('length'),
      column,
      min: z.number().int().nonnegative().optional().meta({ description: 'Fewest characters (or array elements).' }),
      max: z.number().int().nonnegative().optional().meta({ description: 'Most characters (or array elements).' }),
      name,
      policy,
    })
    .strict()
    .refine((r) => r.min !== undefined || r.max !== undefined, { message: 'a length rule needs min, max or both' })
    .superRefine((r, ctx) => {
      if (r.min !== undefined && r.max !== undefined && r.min > r.max) {
        ctx.addIssue({ code: 'custom', path: ['max'], message: `max is below min (${r.min}): no value can pass`, params: { expected: `a length of at least ${r.min}` } });
      }
    }),
  z
    .object({ rule: z.literal('unique'), column: column.optional(), columns: z.array(z.string().min(1)).min(1).optional().meta({ description: 'A composite key.' }), name, policy })
    .strict()
    .refine((r) => (r.column === undefined) !== (r.columns === undefined), { message: 'a unique rule needs exactly one of column or columns' }),
  z
    .object({ rule: z.literal('expression'), expression: z.string().min(1).meta({ description: 'A Spark SQL condition every record must satisfy (NULL counts as failing).' }), name, policy })
    .strict()
    .superRefine((r, ctx) => {
      try {
        compileExpression(r.expression, { name: 'expression' });
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['expression'], message: errorMessage(err) });
      }
    }),
]);

export type RuleConfig = z.output<typeof ruleSchema>;

export const validateConfig = z
  .object({
    schema: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .optional()
      .meta({ description: 'Declared schema: a Spark DDL string (`id STRING NOT NULL, amount DOUBLE`) or StructType JSON. Values are coerced where lossless ("12" to 12), NOT NULL is enforced, unknown columns are dropped.' }),
    coerce_strings: bool().default(true).meta({ description: 'Accept numbers, booleans, dates and timestamps written as strings when the schema asks for them.' }),
    policy: z.enum(POLICIES).default('dlq').meta({ description: 'Default for failing records: `dlq` (dead-letter queue), `drop` (count and discard) or `fail` (stop the pipeline).' }),
    rules: z.array(ruleSchema).default([]).meta({ description: 'Rules every record must pass: not_null, range, regex, in, length, unique (within the batch), expression.' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    checkSchemaOption(c.schema, ctx);
    const seen = new Set<string>();
    c.rules.forEach((r, i) => {
      const n = ruleName(r);
      if (seen.has(n)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `two rules are named ${JSON.stringify(n)}; give one a distinct name` });
      seen.add(n);
    });
  });

export type ValidateConfig = z.output<typeof validateConfig>;

export function ruleName(r: RuleConfig): string {
  if (r.name !== undefined) return r.name;
  if (r.rule === 'expression') return `expression(${r.expression})`;
  if (r.rule === 'unique') return `unique(${(r.columns ?? [r.column ?? '']).join(',')})`;
  return `${r.rule}(${r.column})`;
}
