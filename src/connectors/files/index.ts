// The `file` source definition: Spark's file stream source over a local folder.
import { defineSource } from '../../core/component.ts';
import { fileSourceConfig, type FileSourceConfig } from './config.ts';
import { FileStreamSource } from './source.ts';

export const fileSource = defineSource<FileSourceConfig>({
  type: 'file',
  summary: 'Reads new JSON-lines, CSV or Parquet files from a folder, each exactly once (Spark file stream source).',
  config: fileSourceConfig,
  create: (config, ctx) => new FileStreamSource(config, ctx),
});

export { FileStreamSource } from './source.ts';
export { fileSourceConfig, type FileSourceConfig } from './config.ts';
