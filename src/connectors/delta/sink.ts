// The `delta` sink: exactly-once micro-batch appends keyed by (queryId, batchId) through the table's txn action.
import { randomUUID } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { defineSink, type CommitBatch, type ComponentContext, type ComponentHealth, type PlannedSchema, type Sink, type SinkResult } from '../../core/component.ts';
import type { Batch, ProgressMarker } from '../../core/record.ts';
import { DeltaSinkConfig } from './config.ts';
import { loadSnapshot, refreshSnapshot, type Snapshot } from './protocol/snapshot.ts';
import { releaseEncoder, warmEncoder } from '../../formats/parquet/encode-pool.ts';
import { checkPartitioning, commitAppend, prepareAppend, type AppendOptions, type AppendPlan } from './table.ts';

export interface DeltaSinkMetrics {
  commits: number;
  skippedBatches: number;
  files: number;
  bytes: number;
  lastVersion: number | null;
}

export function createDeltaSink(config: DeltaSinkConfig, ctx: ComponentContext): Sink<AppendPlan> {
  const path = resolve(config.path);
  const m: DeltaSinkMetrics = { commits: 0, skippedBatches: 0, files: 0, bytes: 0, lastVersion: null };
  const cache = { snapshot: null as Snapshot | null };
  const options = (batchId: number, txns?: readonly ProgressMarker[], targetFileRows?: number): AppendOptions => ({
    cache,
    appId: ctx.queryId,
    queryId: ctx.queryId,
    batchId,
    partitionBy: config.partitionBy,
    compression: config.compression,
    logger: ctx.logger,
    mergeSchema: config.mergeSchema,
    ...(targetFileRows === undefined ? {} : { targetFileRows }),
    ...(config.userMetadata === undefined ? {} : { userMetadata: config.userMetadata }),
    ...(config.checkpointInterval === undefined ? {} : { checkpointInterval: config.checkpointInterval }),
    ...(txns === undefined ? {} : { txns }),
  });
  return {
    description: `DeltaSink[${path}]`,
    identity: () => ({ type: 'delta', path }),
    open: async () => {
      // An existing table is checked before anything runs (a new one at its first batch, when its
      // schema is first known); an unreadable one fails at the first write with the full story.
      const snapshot = await loadSnapshot(path).catch(() => null);
      if (snapshot !== null) {
        checkPartitioning(snapshot, config.partitionBy, path);
        cache.snapshot = snapshot;
      }
      warmEncoder();
    },
    prepare(batch: Batch): Promise<AppendPlan> {
      // An oversized batch (max.batch.bytes) asks for smaller data files, bounding the Arrow/Parquet memory.
      const partRows = batch.partRows;
      const targetFileRows = partRows === undefined ? config.targetFileRows : Math.min(partRows, config.targetFileRows ?? Infinity);
      return prepareAppend(path, batch.rows, batch.schema, options(batch.batchId, batch.markers, targetFileRows));
    },
    async commit(plan: AppendPlan, batch: CommitBatch): Promise<SinkResult> {
      const r = await commitAppend(path, plan, options(batch.batchId, batch.markers));
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
      const snap = await refreshSnapshot(cache.snapshot, path);
      cache.snapshot = snap;
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
  resources: (config) => ({ paths: [config.path] }),
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
