// The Delta sink's configuration schema (docs are generated from these descriptions).
import { z } from 'zod';
import { bool, positiveInt } from '../../config/fields.ts';

export const DeltaSinkConfig = z
  .object({
    path: z.string().min(1).meta({ description: 'Folder of the Delta table (created on the first batch when missing).' }),
    compression: z
      .enum(['snappy', 'zstd', 'gzip', 'none'])
      .default('snappy')
      .meta({ description: 'Parquet compression codec of the data files.' }),
    partitionBy: z
      .array(z.string().min(1))
      .default([])
      .superRefine((cols, ctx) => {
        const seen = new Map<string, string>();
        for (const c of cols) {
          const prev = seen.get(c.toLowerCase());
          if (prev !== undefined) ctx.addIssue({ code: 'custom', message: `names column ${JSON.stringify(c)} twice (${JSON.stringify(prev)} and ${JSON.stringify(c)} are one column: Delta column names are case-insensitive)`, params: { expected: 'distinct column names' } });
          seen.set(c.toLowerCase(), c);
        }
      })
      .meta({ description: 'Partition columns: rows go to hive-style folders (col=value) and add.partitionValues. Names match the schema regardless of case; at least one column must stay out of the partitioning. Must match an existing table.' }),
    targetFileRows: positiveInt()
      .optional()
      .meta({ description: 'Split a batch into data files of at most this many rows per partition (default: one file per partition per batch).' }),
    mergeSchema: bool()
      .default(false)
      .meta({ description: 'Evolve the table schema when a batch brings new columns (Delta mergeSchema): one metaData action with the merged schema in that batch\'s commit. Changed types are still refused.' }),
    userMetadata: z.string().optional().meta({ description: 'Free text recorded as commitInfo.userMetadata in every commit.' }),
    checkpointInterval: positiveInt()
      .optional()
      .meta({ description: 'Write a checkpoint every this many commits, overriding the table property delta.checkpointInterval (default 10).' }),
  })
  .strict();

export type DeltaSinkConfig = z.output<typeof DeltaSinkConfig>;
