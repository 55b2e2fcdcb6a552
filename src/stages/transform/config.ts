// The `transform` stage's YAML shape: an ordered list of steps, each a mapping with exactly one step key.
import { z } from 'zod';
import { bool, nonNegativeInt } from '../../config/fields.ts';
import { compileExpression, compilePredicate, ExpressionError } from '../../expr/index.ts';

/**
 * A Spark SQL expression, checked for syntax, functions and types when the configuration is loaded,
 * so `sluice validate` reports the position; columns are checked against the schema once it is known.
 */
export function sqlExpression(kind: 'value' | 'condition') {
  return z
    .string()
    .min(1)
    .superRefine((text, ctx) => {
      try {
        if (kind === 'condition') compilePredicate(text);
        else compileExpression(text);
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
        const p = err.problems[0];
        // The excerpt shows the expression with a caret under the place, in `sluice validate` too.
        ctx.addIssue({ code: 'custom', message: `${p?.message ?? err.message}\n${err.excerpt}`, ...(p?.expected === undefined ? {} : { params: { expected: p.expected } }) });
      }
    });
}

const column = () => z.string().min(1);
const columns = () => z.array(column()).min(1);

const WithColumn = z
  .object({
    name: column().meta({ description: 'The column to add or replace.' }),
    expr: sqlExpression('value').meta({ description: 'A Spark SQL expression computing its value, e.g. `amount * 1.19`.' }),
  })
  .strict();

const Flatten = z
  .object({
    separator: z.string().default('_').meta({ description: 'Joins parent and child names (`device_os`).' }),
    columns: columns().optional().meta({ description: 'Only flatten these struct columns (default: all).' }),
  })
  .strict();

const Explode = z
  .object({
    column: column().meta({ description: 'The array column; each element becomes a row.' }),
    as: column().optional().meta({ description: 'Name of the element column (default: the array column\'s name, which it replaces).' }),
    outer: bool().default(false).meta({ description: 'Keep rows whose array is NULL or empty, with a NULL element (Spark explode_outer).' }),
    position: column().optional().meta({ description: 'Also add the element\'s 0-based position under this name (Spark posexplode).' }),
  })
  .strict();

const Hash = z
  .object({
    columns: columns().meta({ description: 'Columns replaced by a hex digest of their string form; NULL stays NULL.' }),
    algorithm: z.enum(['sha256', 'sha512', 'sha1', 'md5']).default('sha256').meta({ description: 'Digest algorithm.' }),
    salt: z.string().default('').meta({ description: 'Text prepended before hashing (use `${ENV_VAR}` to keep it out of the file).' }),
  })
  .strict();

const Mask = z
  .object({
    columns: columns().meta({ description: 'Columns whose characters are replaced by `char`; NULL stays NULL.' }),
    keep_first: nonNegativeInt().default(0).meta({ description: 'Characters left visible at the start.' }),
    keep_last: nonNegativeInt().default(0).meta({ description: 'Characters left visible at the end (e.g. 4 for card numbers).' }),
    char: z.string().length(1).default('*').meta({ description: 'The masking character.' }),
  })
  .strict();

const ParseTimestamp = z
  .object({
    column: column().meta({ description: 'The string (or epoch seconds) column to parse.' }),
    format: z.string().optional().meta({ description: 'Spark datetime pattern, e.g. `dd/MM/yyyy HH:mm`; default: ISO 8601 and `yyyy-MM-dd HH:mm:ss`.' }),
    as: column().optional().meta({ description: 'Write the timestamp to this column instead of replacing `column`.' }),
    on_invalid: z.enum(['null', 'dlq']).default('null').meta({ description: '`null`: unparsable text becomes NULL (Spark); `dlq`: the record goes to the dead-letter queue.' }),
  })
  .strict();

const FormatTimestamp = z
  .object({
    column: column().meta({ description: 'The timestamp column to render.' }),
    format: z.string().min(1).meta({ description: 'Spark datetime pattern, e.g. `yyyy-MM-dd`.' }),
    as: column().optional().meta({ description: 'Write the text to this column instead of replacing `column`.' }),
  })
  .strict();

const FunctionStep = z
  .object({
    module: z.string().min(1).meta({ description: 'Path of a JavaScript or TypeScript module, relative to the working directory.' }),
    export: z.string().min(1).default('default').meta({ description: 'The exported function: `(batch) => batch | rows`, async allowed.' }),
  })
  .strict();

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const StepSchema = z
  .object({
    select: columns().optional().meta({ description: 'Keep only these columns, in this order.' }),
    rename: z.record(z.string(), column()).optional().meta({ description: 'Mapping of old name to new name.' }),
    drop: columns().optional().meta({ description: 'Remove these columns (missing ones are ignored, as in Spark).' }),
    cast: z.record(z.string(), z.string()).optional().meta({ description: 'Mapping of column to Spark type (`int`, `decimal(10,2)`, `timestamp` ...); invalid values become NULL.' }),
    filter: sqlExpression('condition').optional().meta({ description: 'Keep rows for which this Spark SQL condition is TRUE.' }),
    with_column: WithColumn.optional().meta({ description: 'Add or replace a column computed by an expression.' }),
    flatten: z.preprocess((v) => (v === true || v === null ? {} : v), Flatten).optional().meta({ description: 'Nested struct columns become top-level `parent_child` columns.' }),
    explode: Explode.optional().meta({ description: 'One row per element of an array column.' }),
    fill_null: z.record(z.string(), scalar).optional().meta({ description: 'Mapping of column to the default that replaces NULL (converted to the column type).' }),
    hash: Hash.optional().meta({ description: 'Pseudonymise PII columns with a digest.' }),
    mask: Mask.optional().meta({ description: 'Mask PII columns character by character.' }),
    parse_timestamp: ParseTimestamp.optional().meta({ description: 'Text to timestamp.' }),
    format_timestamp: FormatTimestamp.optional().meta({ description: 'Timestamp to text.' }),
    function: FunctionStep.optional().meta({ description: 'A user function over the whole batch.' }),
  })
  .strict()
  .superRefine((step, ctx) => {
    const keys = Object.keys(step).filter((k) => (step as Record<string, unknown>)[k] !== undefined);
    if (keys.length !== 1) {
      ctx.addIssue({ code: 'custom', message: keys.length === 0 ? 'a step needs one step key' : `a step has exactly one step key, found ${keys.join(', ')}`, params: { expected: `one of ${STEP_KINDS.join(', ')}` } });
    }
  });

export const STEP_KINDS = ['select', 'rename', 'drop', 'cast', 'filter', 'with_column', 'flatten', 'explode', 'fill_null', 'hash', 'mask', 'parse_timestamp', 'format_timestamp', 'function'] as const;

export const TransformConfigSchema = z
  .object({
    steps: z.array(StepSchema).min(1).meta({ description: 'Steps applied in order; each is a mapping with one key: ' + STEP_KINDS.map((k) => `\`${k}\``).join(', ') + '.' }),
  })
  .strict();

export type StepConfig = z.output<typeof StepSchema>;
export type TransformConfig = z.output<typeof TransformConfigSchema>;
export type StepKind = (typeof STEP_KINDS)[number];

/** The one step key a validated step carries. */
export function stepKind(step: StepConfig): StepKind {
  for (const k of STEP_KINDS) if (step[k] !== undefined) return k;
  throw new Error('step without a step key');
}
