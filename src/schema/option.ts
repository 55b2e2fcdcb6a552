// Checks a declared-schema option while its config is validated, so a bad DDL string is reported
// as a config problem at the `schema` key rather than when the pipeline starts.
import type { z } from 'zod';
import { errorMessage } from '../core/errors.ts';
import { parseSchema } from './ddl.ts';

export function checkSchemaOption(schema: string | Readonly<Record<string, unknown>> | undefined, ctx: z.RefinementCtx): void {
  if (schema === undefined) return;
  try {
    parseSchema(schema);
  } catch (err) {
    ctx.addIssue({ code: 'custom', path: ['schema'], message: errorMessage(err) });
  }
}
