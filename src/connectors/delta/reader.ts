// Reads a Delta table's live rows (partition values restored) and summarizes its log for tools and tests.

import { DeltaError, DeltaErrorCodes } from './errors.ts';
import type { Row } from '../../core/record.ts';
import { parsePartitionValue } from './partition.ts';
import { readParquetFile, tableRows } from '../../formats/parquet/read.ts';
import { getOwn, setOwn } from '../../core/own.ts';
import { loadSnapshot, resolveDataPath, statsNumRecords, type Snapshot } from './protocol/snapshot.ts';

export async function requireSnapshot(tablePath: string, version?: number): Promise<Snapshot> {
  const s = await loadSnapshot(tablePath, version);
  if (s === null) throw new DeltaError(DeltaErrorCodes.TABLE_NOT_FOUND, `no Delta table at ${tablePath} (no _delta_log)`, { details: { path: tablePath } });
  return s;
}

/** Every live row of the table at `version` (default latest), files in log order. */
export async function readTableRows(tablePath: string, version?: number): Promise<Row[]> {
  const snap = await requireSnapshot(tablePath, version);
  if ((snap.metadata.configuration['delta.columnMapping.mode'] ?? 'none') !== 'none') {
    throw new DeltaError(DeltaErrorCodes.PROTOCOL_UNSUPPORTED, `reading rows of ${tablePath} needs columnMapping, which is not supported`, { details: { features: ['columnMapping'] } });
  }
  const types = new Map(snap.schema.fields.map((f) => [f.name, f.type]));
  const out: Row[] = [];
  for (const add of snap.files.values()) {
    if (add.deletionVector !== null && add.deletionVector !== undefined) {
      throw new DeltaError(DeltaErrorCodes.PROTOCOL_UNSUPPORTED, `reading rows of ${tablePath} needs deletionVectors, which is not supported`, { details: { features: ['deletionVectors'] } });
    }
    const rows = tableRows(await readParquetFile(resolveDataPath(tablePath, add.path)));
    for (const r of rows) {
      for (const c of snap.partitionColumns) setOwn(r, c, parsePartitionValue((getOwn(add.partitionValues, c) as string | null | undefined) ?? null, types.get(c) ?? 'string'));
      out.push(r);
    }
  }
  return out;
}

export interface TableDescription {
  readonly path: string;
  readonly version: number;
  readonly protocol: Snapshot['protocol'];
  readonly schema: Snapshot['schema'];
  readonly partitionColumns: readonly string[];
  readonly numFiles: number;
  readonly numBytes: number;
  /** Sum of numRecords over files with stats; null when some file has none. */
  readonly numRecords: number | null;
  readonly txns: Record<string, number>;
  readonly checkpointVersion: number | null;
}

export async function describeTable(tablePath: string): Promise<TableDescription> {
  const s = await requireSnapshot(tablePath);
  let bytes = 0;
  let records: number | null = 0;
  for (const f of s.files.values()) {
    bytes += f.size;
    const n = statsNumRecords(f);
    records = records === null || n === null ? null : records + n;
  }
  return {
    path: tablePath, version: s.version, protocol: s.protocol, schema: s.schema, partitionColumns: s.partitionColumns,
    numFiles: s.files.size, numBytes: bytes, numRecords: records, txns: Object.fromEntries(s.txns), checkpointVersion: s.checkpointVersion,
  };
}

/** commitInfo of every commit since the last checkpoint (older history is folded into the checkpoint), newest first. */
export async function tableHistory(tablePath: string): Promise<{ version: number; commitInfo: Record<string, unknown> | null }[]> {
  const s = await requireSnapshot(tablePath);
  return [...s.commitInfos].reverse().map((c) => ({ version: c.version, commitInfo: c.commitInfo === null ? null : { ...c.commitInfo } }));
}
