// Configuration of the `detect` stage: real-time schema inference and its evolution mode (Auto Loader's).
import { z } from 'zod';
import { bool } from '../../config/fields.ts';
import { errorMessage } from '../../core/errors.ts';
import { parseSchema } from '../../schema/ddl.ts';

export const MODES = ['addNewColumns', 'rescue', 'failOnNewColumns', 'none'] as const;
export type EvolutionMode = (typeof MODES)[number];

export const detectConfig = z
  .object({
    mode: z.enum(MODES).default('addNewColumns').meta({ description: 'Schema evolution: `addNewColumns` (new columns join the schema; the Delta sink needs mergeSchema), `rescue` (schema fixed, unknown or mismatched fields go into the rescued-data column), `failOnNewColumns` (stop naming the new columns; declare them in `schema` to continue), `none` (schema fixed, new columns ignored).' }),
    schema: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .optional()
      .meta({ description: 'A declared schema (DDL or StructType JSON) that seeds detection; columns it names keep its types. Adding columns here and restarting evolves the schema.' }),
    widen_types: bool()
      .default(false)
      .meta({ description: 'addNewColumns: let known columns widen across batches too (long to double, conflicting types to string), as a new schema version. A Delta table refuses changed types, so leave it off for Delta sinks; without it such values go to the dead-letter queue.' }),
    rescued_column: z.string().min(1).default('_rescued_data').meta({ description: 'rescue mode: the string column receiving unknown or mismatched fields as a JSON object.' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.schema === undefined) return;
    try {
      parseSchema(c.schema);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['schema'], message: errorMessage(err) });
    }
  });

export type DetectConfig = z.output<typeof detectConfig>;
