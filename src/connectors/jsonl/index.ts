// The `jsonl` sink: each batch as one JSON-lines file, `<path>/batch-<id>.jsonl`, written whole with an
// atomic rename, so a replayed batch replaces its file instead of adding to it. Rows are written in
// their column's JSON form (ISO-8601 timestamps with microseconds, exact 64-bit integers and decimals)
// and, as Spark's JSON writer does, without their null fields. The default dead-letter queue is this
// sink in the checkpoint's `rejected/` folder.
//
//   prepare(batch) -> one JSON text per row (nothing written)
//   commit         -> <path>/.tmp-<uuid> -> fsync -> rename to batch-<id>.jsonl (replaces a replay's file)
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { defineSink, type PreparedWrite, type Sink, type SinkResult } from '../../core/component.ts';
import { writeFileAtomic } from '../../core/fs.ts';
import { rowToJson } from '../../schema/values/format.ts';

export const jsonlConfig = z
  .object({
    path: z.string().min(1).meta({ description: 'The folder the files go to, one `batch-<id>.jsonl` per batch (created when missing).' }),
  })
  .strict()
  .meta({ description: 'Writes each batch as one JSON-lines file (nulls left out, as Spark writes JSON); a replayed batch replaces its file.' });

export type JsonlConfig = z.output<typeof jsonlConfig>;

/** The file of a batch in a jsonl sink's folder (ten digits, so that names sort by batch). */
export function batchFile(dir: string, batchId: number): string {
  return join(dir, `batch-${String(batchId).padStart(10, '0')}.jsonl`);
}

interface Lines extends PreparedWrite {
  readonly text: string;
  readonly numRows: number;
}

export function createJsonlSink(config: JsonlConfig): Sink<Lines> {
  const dir = resolve(config.path);
  return {
    description: `JsonlSink[${dir}]`,
    identity: () => ({ type: 'jsonl', path: dir }),
    open: () => Promise.resolve(),
    prepare(batch) {
      const lines = batch.rows.map((row) => rowToJson(row, batch.schema, { omitNulls: true }));
      return Promise.resolve({ text: lines.length === 0 ? '' : `${lines.join('\n')}\n`, numRows: lines.length, rejected: [] });
    },
    async commit(prepared, batch): Promise<SinkResult> {
      if (prepared.numRows === 0) return { numOutputRows: 0, skipped: false };
      await mkdir(dir, { recursive: true });
      const file = batchFile(dir, batch.batchId);
      await writeFileAtomic(file, prepared.text);
      return { numOutputRows: prepared.numRows, skipped: false, details: { location: file } };
    },
    close: () => Promise.resolve(),
  };
}

export const jsonlSink = defineSink<JsonlConfig>({
  type: 'jsonl',
  summary: 'Writes each batch as one JSON-lines file in a folder; the default dead-letter queue.',
  config: jsonlConfig,
  // A replay writes the same batch's file again, replacing it: nothing is duplicated.
  capabilities: { progressMarkers: false, idempotentCommit: true, delivery: 'exactly-once', outputModes: ['append'] },
  resources: (config) => ({ paths: [config.path] }),
  create: (config) => createJsonlSink(config),
});
