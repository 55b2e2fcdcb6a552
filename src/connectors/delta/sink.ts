// The `delta` sink: exactly-once micro-batch appends keyed by (queryId, batchId) through the table's txn action.
import { randomUUID } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { defineSink, type ComponentContext, type ComponentHealth, type PlannedSchema, type Sink, type SinkResult } from '../../core/component.ts';
import type { Batch } from '../../core/record.ts';
import { DeltaSinkConfig } from './config.ts';
import { loadSnapshot, refreshSnapshot } from './protocol/snapshot.ts';
import { releaseEncoder, warmEncoder } from './parquet/encode-pool.ts';
import { appendBatch, type AppendOptions } from './table.ts';
import type { PreparedBatch } from './prepare.ts';
import { partRowsOf } from '../../engine/dlq/resources.ts';

export interface DeltaSinkMetrics {
  commits: number;
  skippedBatches: number;
  files: number;
  bytes: number;
  lastVersion: number | null;
}

export function createDeltaSink(config: DeltaSinkConfig, ctx: ComponentContext): Sink {
  const path = resolve(config.path);
  const m: DeltaSinkMetrics = { commits: 0, skippedBatches: 0, files: 0, bytes: 0, lastVersion: null };
  const base: Omit<AppendOptions, 'batchId'> = {
    cache: { snapshot: null },
    appId: ctx.queryId,
    queryId: ctx.queryId,
    partitionBy: config.partitionBy,
    compression: config.compression,
    logger: ctx.logger,
    mergeSchema: config.mergeSchema,
    ...(config.targetFileRows === undefined ? {} : { targetFileRows: config.targetFileRows }),
    ...(config.userMetadata === undefined ? {} : { userMetadata: config.userMetadata }),
    ...(config.checkpointInterval === undefined ? {} : { checkpointInterval: config.checkpointInterval }),
  };
  const prepared: { current: PreparedBatch | null } = { current: null };
  return {
    description: `DeltaSink[${path}]`,
    identity: () => ({ type: 'delta', path }),
    open: () => {
      warmEncoder();
      return Promise.resolve();
    },
    async addBatch(batch: Batch): Promise<SinkResult> {
      // An oversized batch (max.batch.bytes) asks for smaller data files, bounding the Arrow/Parquet memory.
      const partRows = partRowsOf(batch);
      const targetFileRows = partRows === undefined ? base.targetFileRows : Math.min(partRows, base.targetFileRows ?? Infinity);
      const r = await appendBatch(path, batch, batch.schema, {
        ...base,
        batchId: batch.batchId,
        prepared,
        // The rows are in Arrow form now, several times smaller: let them go while the engine reads
        // the next batch. A retry of this batch finds the Arrow data in `prepared`.
        release: () => {
          batch.rows = [];
        },
        ...(targetFileRows === undefined ? {} : { targetFileRows }),
        ...(batch.txns === undefined ? {} : { txns: batch.txns }),
      });
      if (r.skipped) {
        m.skippedBatches++;
        return { numOutputRows: 0, skipped: true, details: { version: r.version, numFiles: 0, numBytes: 0 } };
      }
      if (r.version !== null) {
        m.commits++;
        m.lastVersion = r.version;
      }
      m.files += r.numFiles;
      m.bytes += r.numBytes;
      return { numOutputRows: r.numOutputRows, skipped: false, details: { version: r.version, numFiles: r.numFiles, numBytes: r.numBytes } };
    },
    async committedVersions(prefix: string): Promise<ReadonlyMap<string, number>> {
      const snap = await refreshSnapshot(base.cache?.snapshot ?? null, path);
      if (base.cache !== undefined) base.cache.snapshot = snap;
      const out = new Map<string, number>();
      for (const [appId, v] of snap?.txns ?? []) if (appId.startsWith(prefix)) out.set(appId, v);
      return out;
    },
    metrics: () => ({
      commits: String(m.commits),
      skippedBatches: String(m.skippedBatches),
      numFiles: String(m.files),
      numBytes: String(m.bytes),
      tableVersion: m.lastVersion === null ? '' : String(m.lastVersion),
    }),
    health: () => tableHealth(path),
    close: () => releaseEncoder(),
  };
}

export const deltaSink = defineSink<DeltaSinkConfig>({
  type: 'delta',
  summary: 'Appends each batch to a Delta Lake table exactly once (idempotent txn per query and batch id).',
  config: DeltaSinkConfig,
  // Markers and batch ids are txn actions in the same commit as the rows.
  capabilities: { progressMarkers: true, idempotentCommit: true, delivery: 'exactly-once', outputModes: ['append'] },
  existingSchema: tableSchema,
  create: createDeltaSink,
});

/** Without mergeSchema, rows must fit the existing table's schema (extra columns are refused). A log
 * that cannot be read is left to the first batch to report, with the sink's own error. */
async function tableSchema(config: DeltaSinkConfig): Promise<PlannedSchema | null> {
  if (config.mergeSchema) return null;
  const path = resolve(config.path);
  try {
    const snap = await loadSnapshot(path);
    return snap === null ? null : { schema: snap.schema, from: `the schema of Delta table ${path}` };
  } catch {
    return null;
  }
}

/** The last batch id committed to the table by `queryId`, or null when none (or no table). */
export async function committedBatchId(tablePath: string, queryId: string): Promise<number | null> {
  const snap = await loadSnapshot(resolve(tablePath));
  return snap?.txns.get(queryId) ?? null;
}

/** Healthy when the table folder (or its nearest existing parent) accepts a new file. */
export async function tableHealth(tablePath: string): Promise<ComponentHealth> {
  let dir = resolve(tablePath);
  try {
    await mkdir(dir, { recursive: true });
  } catch {
    dir = dirname(dir);
  }
  const probe = join(dir, `.sluice-health-${randomUUID()}`);
  try {
    await writeFile(probe, '');
    await unlink(probe);
    return { healthy: true, detail: `Delta table folder ${tablePath} is writable` };
  } catch (err) {
    return { healthy: false, detail: `Delta table folder ${tablePath} is not writable: ${err instanceof Error ? err.message : String(err)}` };
  }
}
