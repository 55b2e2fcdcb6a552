// Configuration of the `parse` stage: which column holds the raw payload and how to read it.
import { z } from 'zod';
import { byteSize, positiveInt } from '../../config/fields.ts';

const singleChar = (what: string) => z.string().length(1, `${what} must be one character`);

export const parseConfig = z
  .object({
    format: z.enum(['json', 'csv', 'text', 'binary']).default('json').meta({ description: '`json` (one object per payload), `csv` (one record per payload, named by `columns`), `text` (the payload as a string) or `binary` (the payload as bytes).' }),
    column: z.string().min(1).default('value').meta({ description: 'The column holding the raw payload (a string or bytes), e.g. a Kafka `value`.' }),
    target: z.string().min(1).default('value').meta({ description: 'text/binary: the output column of the payload.' }),
    keep: z.array(z.string().min(1)).default([]).meta({ description: 'Input columns copied next to the parsed fields (e.g. `key`, `topic`, `partition`, `offset`, `timestamp`).' }),
    columns: z.array(z.string().min(1)).optional().meta({ description: 'csv: the column names, in order (required for csv).' }),
    sep: singleChar('sep').default(',').meta({ description: 'csv: the field separator.' }),
    quote: singleChar('quote').default('"').meta({ description: 'csv: the quote character.' }),
    max_depth: positiveInt().default(64).meta({ description: 'json: records nested deeper than this go to the dead-letter queue (protects later stages from hostile input).' }),
    max_bytes: byteSize().default(16 * 1024 * 1024).meta({ description: 'Payloads larger than this go to the dead-letter queue as RESOURCE errors.' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.format === 'csv' && c.columns === undefined) ctx.addIssue({ code: 'custom', path: ['columns'], message: 'csv parsing needs the column names' });
  });

export type ParseConfig = z.output<typeof parseConfig>;
