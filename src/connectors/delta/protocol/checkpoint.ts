// Writes classic single-file Parquet checkpoints and _last_checkpoint so replay stays short.
//
//   commit N lands, N % delta.checkpointInterval == 0
//     └─► replay snapshot N ─► rows: protocol, metaData, txn*, add*, remove* (unexpired), domainMetadata*
//          └─► write .tmp parquet ─► rename to N.checkpoint.parquet
//               └─► write .tmp json ─► rename to _last_checkpoint   (a reader trusts the listing, not this hint)
import { randomUUID } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Row } from '../../../core/record.ts';
import { field, struct, type DataType, type StructType } from '../../../core/schema.ts';
import { rowsToArrow } from '../../../formats/parquet/arrow.ts';
import { toParquet } from '../../../formats/parquet/writer.ts';
import { fsyncDir } from './commit.ts';
import { logDir } from './log.ts';
import type { Snapshot } from './snapshot.ts';

const strMap: DataType = { type: 'map', keyType: 'string', valueType: 'string', valueContainsNull: true };
const strList: DataType = { type: 'array', elementType: 'string', containsNull: true };
const dvType = struct([field('storageType', 'string'), field('pathOrInlineDv', 'string'), field('offset', 'integer'), field('sizeInBytes', 'integer'), field('cardinality', 'long')]);

/** The classic checkpoint schema (stats kept as a JSON string, partition values as map<string,string>). */
export const CHECKPOINT_SCHEMA: StructType = struct([
  field('txn', struct([field('appId', 'string'), field('version', 'long'), field('lastUpdated', 'long')])),
  field('add', struct([
    field('path', 'string'), field('partitionValues', strMap), field('size', 'long'), field('modificationTime', 'long'),
    field('dataChange', 'boolean'), field('stats', 'string'), field('tags', strMap), field('deletionVector', dvType),
    field('baseRowId', 'long'), field('defaultRowCommitVersion', 'long'), field('clusteringProvider', 'string'),
  ])),
  field('remove', struct([
    field('path', 'string'), field('deletionTimestamp', 'long'), field('dataChange', 'boolean'), field('extendedFileMetadata', 'boolean'),
    field('partitionValues', strMap), field('size', 'long'), field('deletionVector', dvType),
  ])),
  field('metaData', struct([
    field('id', 'string'), field('name', 'string'), field('description', 'string'),
    field('format', struct([field('provider', 'string'), field('options', strMap)])),
    field('schemaString', 'string'), field('partitionColumns', strList), field('configuration', strMap), field('createdTime', 'long'),
  ])),
  field('protocol', struct([field('minReaderVersion', 'integer'), field('minWriterVersion', 'integer'), field('readerFeatures', strList), field('writerFeatures', strList)])),
  field('domainMetadata', struct([field('domain', 'string'), field('configuration', 'string'), field('removed', 'boolean')])),
]);

const DEFAULT_INTERVAL = 10;
const DEFAULT_TOMBSTONE_RETENTION_MS = 7 * 86_400_000;

/** `delta.checkpointInterval` from the table properties unless overridden. */
export function checkpointInterval(snapshot: Pick<Snapshot, 'metadata'>, override?: number): number {
  if (override !== undefined && override > 0) return override;
  const v = Number(snapshot.metadata.configuration['delta.checkpointInterval']);
  return Number.isInteger(v) && v > 0 ? v : DEFAULT_INTERVAL;
}

export function checkpointDue(version: number, interval: number): boolean {
  return version > 0 && version % interval === 0;
}

export interface CheckpointWritten {
  readonly version: number;
  readonly file: string;
  readonly size: number;
  readonly sizeInBytes: number;
  readonly numOfAddFiles: number;
}

/** Writes the checkpoint of `snapshot` (state after its version) plus `_last_checkpoint`. */
export async function writeCheckpoint(snapshot: Snapshot, now = Date.now()): Promise<CheckpointWritten> {
  const rows: Row[] = [];
  rows.push({ protocol: { ...snapshot.protocol } });
  rows.push({ metaData: { ...snapshot.metadata, partitionColumns: [...snapshot.metadata.partitionColumns] } });
  for (const [appId, version] of snapshot.txns) rows.push({ txn: { appId, version, lastUpdated: null } });
  for (const d of snapshot.domains.values()) rows.push({ domainMetadata: { ...d } });
  for (const add of snapshot.files.values()) rows.push({ add: { ...add, dataChange: false } });
  const retention = retentionMs(snapshot);
  for (const r of snapshot.tombstones.values()) {
    if ((r.deletionTimestamp ?? now) < now - retention) continue; // expired tombstones may be forgotten
    rows.push({ remove: { ...r, dataChange: false } });
  }
  const bytes = toParquet(rowsToArrow(rows, CHECKPOINT_SCHEMA), { compression: 'snappy' });
  const dir = logDir(snapshot.tablePath);
  const name = `${String(snapshot.version).padStart(20, '0')}.checkpoint.parquet`;
  await atomicWrite(dir, name, bytes);
  const result: CheckpointWritten = { version: snapshot.version, file: name, size: rows.length, sizeInBytes: bytes.byteLength, numOfAddFiles: snapshot.files.size };
  await atomicWrite(dir, '_last_checkpoint', JSON.stringify({ version: result.version, size: result.size, sizeInBytes: result.sizeInBytes, numOfAddFiles: result.numOfAddFiles }));
  await fsyncDir(dir);
  return result;
}

function retentionMs(snapshot: Snapshot): number {
  const raw = snapshot.metadata.configuration['delta.deletedFileRetentionDuration'];
  const m = raw === undefined ? null : /^interval\s+(\d+)\s+(day|days|hour|hours|minute|minutes|week|weeks)$/i.exec(raw.trim());
  if (m === null) return DEFAULT_TOMBSTONE_RETENTION_MS;
  const unit = (m[2] ?? 'day').toLowerCase().replace(/s$/, '');
  const mult = unit === 'week' ? 7 * 86_400_000 : unit === 'day' ? 86_400_000 : unit === 'hour' ? 3_600_000 : 60_000;
  return Number(m[1]) * mult;
}

async function atomicWrite(dir: string, name: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dir, `.tmp-${randomUUID()}`);
  try {
    await writeFile(tmp, data, { flush: true });
    await rename(tmp, join(dir, name));
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
