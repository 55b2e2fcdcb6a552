// The `file` source definition: Spark's file stream source over a local folder.
import { defineSource } from '../../core/component.ts';
import { field, struct } from '../../core/schema.ts';
import { parseSchema } from '../../schema/ddl.ts';
import { fileSourceConfig, type FileSourceConfig } from './config.ts';
import { FileStreamSource } from './source.ts';

export const fileSource = defineSource<FileSourceConfig>({
  type: 'file',
  summary: 'Reads new JSON-lines (or multi-line JSON), CSV, Parquet or text files from a folder, each exactly once (Spark file stream source); bad lines, bad bytes and unreadable files go to the dead-letter queue.',
  config: fileSourceConfig,
  // Rows are conformed to a declared schema; text lines are always one `value` column.
  declaredSchema: (config) => (config.schema !== undefined ? parseSchema(config.schema) : config.format === 'text' ? struct([field('value', 'string', false)]) : null),
  resources: (config) => ({ paths: [config.path, ...(config.sourceArchiveDir === undefined ? [] : [config.sourceArchiveDir])] }),
  create: (config, ctx) => new FileStreamSource(config, ctx),
});

export { FileStreamSource } from './source.ts';
export { fileSourceConfig, type FileSourceConfig } from './config.ts';
