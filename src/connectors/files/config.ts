// Configuration of the file-stream source (Spark's file source options), validated with zod.
import { isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { bool, byteSize, duration, positiveInt } from '../../config/fields.ts';
import { checkSchemaOption } from '../../schema/option.ts';

const singleChar = (what: string) =>
  z.string().length(1, `${what} must be one character`);

export const fileSourceConfig = z
  .object({
    path: z.string().min(1).meta({ description: 'The folder to watch for new files.' }),
    format: z.enum(['json', 'csv', 'parquet', 'text']).default('json').meta({ description: 'File format: JSON lines, CSV, Parquet, or `text` (each line, blank ones too, as a string column `value`, for a parse stage to read).' }),
    pattern: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'A glob matched against each file path relative to `path` (e.g. `*.json`, `2024-*/*.csv`, `**/*.json.gz`); sub-folders are searched only as deep as the glob reaches, and without limit when it contains `**`. Default: every file directly in `path`.' }),
    schema: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .optional()
      .meta({ description: 'The schema as a DDL string (`id STRING NOT NULL, amount DOUBLE`) or a StructType JSON object. Without it the schema is inferred from the first batch and kept in the checkpoint.' }),
    maxFilesPerTrigger: positiveInt().optional().meta({ description: 'At most this many new files per batch.' }),
    maxBytesPerTrigger: byteSize().optional().meta({ description: 'At most about this many bytes of new files per batch (always at least one file).' }),
    latestFirst: bool().default(false).meta({ description: 'Take the newest files first (useful with a backlog and maxFilesPerTrigger).' }),
    maxFileAge: duration()
      .default(7 * 86_400_000)
      .meta({ description: "Files older than this, relative to the newest file seen (not the clock), are ignored after the first batch. Ignored when latestFirst is true and maxFilesPerTrigger is set, as in Spark." }),
    cleanSource: z
      .enum(['off', 'delete', 'archive'])
      .default('off')
      .meta({ description: 'What to do with a file once its batch is committed: keep it, delete it, or move it to sourceArchiveDir.' }),
    sourceArchiveDir: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Where archived files go (their path relative to `path` is kept); required when cleanSource is archive; must not be inside `path`.' }),
    header: bool().default(false).meta({ description: 'CSV: the first line of each file holds the column names.' }),
    sep: singleChar('sep').optional().meta({ description: 'CSV: the field separator (default `,`).' }),
    delimiter: singleChar('delimiter').optional().meta({ description: 'CSV: another name for sep.' }),
    quote: singleChar('quote').default('"').meta({ description: 'CSV: the quote character.' }),
    escape: singleChar('escape').default('\\').meta({ description: 'CSV: the character that escapes a quote inside a quoted value (Spark default `\\`).' }),
    inferSchema: bool().default(false).meta({ description: 'CSV: infer column types from the first batch instead of reading every column as a string.' }),
    encoding: z.enum(['utf-8', 'UTF-8', 'utf8']).default('utf-8').meta({ description: 'Text encoding of JSON, CSV and text files (UTF-8 only).' }),
    invalidUtf8: z
      .enum(['dlq', 'replace'])
      .default('dlq')
      .meta({ description: 'JSON, CSV and text: what to do with a line (or CSV record) holding bytes that are not valid UTF-8. `dlq`: it goes to the dead-letter queue with its file, line and exact bytes (base64, `payloadEncoding: base64`) and the rest of the file is read; `replace`: it is read with each bad sequence replaced by U+FFFD, as Spark does.' }),
    multiLine: bool()
      .default(false)
      .meta({ description: "Default false. JSON: each file is one JSON document, an object (one row) or an array of objects (one row each), as with Spark's multiLine option; a file that does not parse goes to the dead-letter queue whole. Without it, a file that holds one multi-line document instead of JSON lines goes to the dead-letter queue whole, saying so. CSV: accepted; quoted values may always span lines." }),
    ignoreCorruptFiles: bool()
      .default(true)
      .meta({ description: 'Default true: a file that cannot be read or decoded (truncated gzip, broken Parquet, no read permission) goes to the dead-letter queue as one entry (path, size, error) and the rest of the batch is written. `false`: the query stops with an error naming the file, as Spark does by default (a restart fails the same way until the file is fixed).' }),
    ignoreMissingFiles: bool()
      .default(true)
      .meta({ description: 'Default true: a file recorded for a batch but gone when it is read (say, moved away before a batch was re-run) goes to the dead-letter queue as one entry and the rest of the batch is written. `false`: the query stops with an error naming the file, as Spark does by default.' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    checkSchemaOption(c.schema, ctx);
    if (c.cleanSource === 'archive') {
      if (c.sourceArchiveDir === undefined) {
        ctx.addIssue({ code: 'custom', path: ['sourceArchiveDir'], message: 'sourceArchiveDir is required when cleanSource is archive' });
      } else {
        const rel = relative(resolve(c.path), resolve(c.sourceArchiveDir));
        if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
          ctx.addIssue({ code: 'custom', path: ['sourceArchiveDir'], message: 'sourceArchiveDir must not be inside the source path, or archived files would be read again' });
        }
      }
    }
    if (c.multiLine && (c.format === 'parquet' || c.format === 'text')) {
      ctx.addIssue({ code: 'custom', path: ['multiLine'], message: `multiLine applies to the json and csv formats, not ${c.format}` });
    }
    if (c.sep !== undefined && c.delimiter !== undefined && c.sep !== c.delimiter) {
      ctx.addIssue({ code: 'custom', path: ['delimiter'], message: 'sep and delimiter are the same option; give one' });
    }
  })
  .meta({ description: 'Reads new files from a folder as they arrive (JSON lines, CSV, Parquet; gzip allowed), like Spark\'s file stream source.' });

export type FileSourceConfig = z.output<typeof fileSourceConfig>;
