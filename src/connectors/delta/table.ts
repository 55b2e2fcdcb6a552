// Blind idempotent appends to a Delta table: data files first, then one put-if-absent commit, then maybe a checkpoint.
//
//   prepareAppend (reads the log, writes nothing; the caller may drop the rows after it)
//     load snapshot ─► txn[appId] >= batchId? ─► skipped
//          │ (none: new table -> protocol + metaData join the commit)
//          ▼
//     check features + schema (mergeSchema: new columns -> metaData with the merged schema)
//          ─► rows -> table schema: values a column cannot hold -> SINK_WRITE dead letters
//          ─► split by partition, chunk, Arrow + stats                    = AppendPlan
//   commitAppend (retried with the same plan)
//     refresh snapshot ─► txn[appId] >= batchId? ─► skipped (a lost answer, or a re-run)
//          ─► encode + write part-*.parquet (unique names; bytes kept in the plan for a retry)
//          ─► commit [protocol, metaData]? + add* + txn + commitInfo ─► version % interval == 0 ? checkpoint
import { faultPoint } from '../../core/faults.ts';
import { DeltaError } from './errors.ts';
import { randomUUID } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, SinkError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Rejected, Row, ProgressMarker } from '../../core/record.ts';
import type { StructType } from '../../core/schema.ts';
import { engineInfo } from './engine-info.ts';
import type { Table as ArrowTable } from 'apache-arrow';
import { encodeParquet } from '../../formats/parquet/encode-pool.ts';
import { nanColumns } from '../../formats/parquet/nan.ts';
import { codecSuffix, type ParquetCompression } from '../../formats/parquet/writer.ts';
import { toAddPath } from './partition.ts';
import { prepareFiles, type FileLayout, type PreparedFile } from './prepare.ts';
import type { Action, AddAction, MetadataAction, ProtocolAction } from './protocol/actions.ts';
import { checkpointDue, checkpointInterval, writeCheckpoint } from './protocol/checkpoint.ts';
import { commit } from './protocol/commit.ts';
import { checkWritable, featuresFor, protocolFor, withFeatures } from './protocol/features.ts';
import { logDir } from './protocol/log.ts';
import { checkNotMoved, continuedFrom } from './protocol/txn-guard.ts';
import { schemaToJson } from './protocol/schema-json.ts';
import { loadSnapshot, refreshSnapshot, resolveDataPath, type Snapshot } from './protocol/snapshot.ts';
import { inferSchema } from '../../schema/infer.ts';
import { addedPaths, checkCaseMatches, checkColumnNames } from './names.ts';
import { assertAppendable, mergeNewColumns } from './schema-check.ts';
import { checkPartitioning, rebasePlan } from './rebase.ts';

export { checkPartitioning };

export interface AppendOptions {
  /** The idempotency key: the query id. */
  readonly appId: string;
  /** The batch id; a table already holding txn(appId) >= batchId skips the batch. */
  readonly batchId: number;
  readonly partitionBy?: readonly string[];
  readonly compression?: ParquetCompression;
  /** Split a partition's rows into files of at most this many rows. */
  readonly targetFileRows?: number;
  readonly userMetadata?: string;
  readonly checkpointInterval?: number;
  readonly queryId?: string;
  readonly logger?: Logger;
  /** Delta's mergeSchema: columns the batch adds to an existing table are appended to its schema by a
   * metaData action in the same commit (new columns only; changed types are still refused). */
  readonly mergeSchema?: boolean;
  /** A long-lived holder of the last snapshot, so each batch replays only the new commits. */
  readonly cache?: { snapshot: Snapshot | null };
  /** More progress markers committed with the rows (e.g. one per Kafka partition); one carrying
   * `from` must not have moved past it in the table (see protocol/txn-guard.ts). */
  readonly txns?: readonly ProgressMarker[];
}

export interface AppendResult {
  readonly version: number | null;
  readonly skipped: boolean;
  readonly numOutputRows: number;
  readonly numFiles: number;
  readonly numBytes: number;
  readonly checkpointVersion: number | null;
}

/** A batch made ready for its commit: its data files in Arrow form with their statistics, the
 * actions that create or evolve the table, and the rows the table cannot take. Nothing is written
 * yet, and the rows are no longer needed. */
export interface AppendPlan {
  readonly batchId: number;
  /** The table already holds this batch of this query: the commit does nothing. */
  readonly skipped: boolean;
  /** The version the plan was made against (-1: no table yet). */
  readonly readVersion: number;
  readonly created: { readonly protocol: ProtocolAction; readonly metadata: MetadataAction } | null;
  readonly evolved: MetadataAction | null;
  /** A protocol action bringing the table features the schema needs (timestampNtz), or null. */
  readonly upgraded: ProtocolAction | null;
  readonly partitionBy: readonly string[];
  /** The table schema the files were prepared for (a new table's, or the table's with merged columns). */
  readonly schema: StructType;
  readonly files: readonly PreparedFile[];
  /** Rows in the files. */
  readonly numRows: number;
  /** Rows whose values the table's columns cannot hold, as SINK_WRITE dead letters. */
  readonly rejected: readonly Rejected[];
  /** Nothing to write and no table to create: the commit does nothing. */
  readonly empty: boolean;
}

function notWritable(path: string, err: unknown): SinkError {
  return new SinkError(ErrorCodes.SINK_NOT_WRITABLE, `Delta table path ${path} is not writable: ${err instanceof Error ? err.message : String(err)}`, {
    cause: err,
    details: { path },
  });
}

/** Appends `rows` as one idempotent Delta commit: prepare, then commit. Rows the table cannot take
 * are left out and returned. */
export async function appendRows(tablePath: string, rows: readonly Row[], schema: StructType | null, opts: AppendOptions): Promise<AppendResult & { rejected: readonly Rejected[] }> {
  const plan = await prepareAppend(tablePath, rows, schema, opts);
  return { ...(await commitAppend(tablePath, plan, opts)), rejected: plan.rejected };
}

async function currentSnapshot(tablePath: string, opts: AppendOptions): Promise<Snapshot | null> {
  const snapshot = await (opts.cache === undefined ? loadSnapshot(tablePath) : refreshSnapshot(opts.cache.snapshot, tablePath)).catch((err: unknown) => {
    const code = ((err as { cause?: { code?: string } }).cause ?? {}).code;
    throw code === 'EACCES' || code === 'EPERM' ? notWritable(tablePath, err) : err;
  });
  if (opts.cache !== undefined) opts.cache.snapshot = snapshot;
  return snapshot;
}

/** Phase one: settles the table schema the rows are written with (the table's, merged with new
 * columns under mergeSchema, or the batch's for a new table), converts the rows to Arrow with their
 * statistics, and sets aside the rows that schema cannot hold. Reads the log; writes nothing. */
export async function prepareAppend(tablePath: string, rows: readonly Row[], schema: StructType | null, opts: AppendOptions): Promise<AppendPlan> {
  const snapshot = await currentSnapshot(tablePath, opts);
  const base = { batchId: opts.batchId, readVersion: snapshot?.version ?? -1, created: null, evolved: null, upgraded: null, partitionBy: [], schema: { type: 'struct' as const, fields: [] }, files: [], numRows: 0, rejected: [] };
  if (snapshot !== null) {
    const done = snapshot.txns.get(opts.appId);
    if (done !== undefined && done >= opts.batchId) return { ...base, skipped: true, empty: true };
  }
  let evolved: MetadataAction | null = null;
  let upgraded: ProtocolAction | null = null;
  let tableSchema: StructType;
  if (snapshot !== null) {
    checkWritable(snapshot.protocol, snapshot.metadata, tablePath);
    if (schema !== null) checkCaseMatches(snapshot.schema, schema, tablePath);
    const merged = opts.mergeSchema === true && schema !== null ? mergeNewColumns(snapshot.schema, schema) : null;
    if (merged !== null) {
      checkColumnNames(merged, tablePath, addedPaths(snapshot.schema, merged));
      evolved = { ...snapshot.metadata, schemaString: schemaToJson(merged) };
    }
    if (schema !== null && (rows.length > 0 || schema.fields.length > 0)) assertAppendable(merged ?? snapshot.schema, schema, tablePath);
    checkPartitioning(snapshot, opts.partitionBy, tablePath);
    // A column that needs a table feature brings it in the same commit (also repairing a table whose
    // schema already has such a column without the feature).
    upgraded = withFeatures(snapshot.protocol, featuresFor(merged ?? snapshot.schema));
    tableSchema = merged ?? snapshot.schema;
  } else {
    // Nothing to write and nothing to create a table from.
    if (schema === null && rows.length === 0) return { ...base, skipped: false, empty: true };
    // A source without a declared schema: the new table takes the schema the rows imply.
    tableSchema = schema ?? inferSchema(rows);
  }
  const partitionBy = snapshot?.partitionColumns ?? resolvePartitionColumns(tableSchema, opts.partitionBy ?? [], tablePath);
  const created = snapshot === null ? newTable(tableSchema, partitionBy, Date.now(), tablePath) : null;
  const config = created?.metadata.configuration ?? snapshot?.metadata.configuration ?? {};
  const indexed = Number(config['delta.dataSkippingNumIndexedCols'] ?? '32');
  const layout: FileLayout = {
    schema: tableSchema,
    partitionBy,
    chunk: opts.targetFileRows !== undefined && opts.targetFileRows > 0 ? opts.targetFileRows : Infinity,
    numIndexedCols: Number.isFinite(indexed) ? indexed : 32,
  };
  const { files, numRows, rejected } = prepareFiles(rows, layout, schema);
  return { ...base, skipped: false, empty: false, created, evolved, upgraded, partitionBy, schema: tableSchema, files, numRows, rejected };
}

/** Phase two: writes the plan's data files and commits them with the txn markers, put-if-absent;
 * idempotent (a table already holding the batch skips it) and safe to call again after a failure. */
export async function commitAppend(tablePath: string, prepared: AppendPlan, opts: AppendOptions): Promise<AppendResult> {
  const none: AppendResult = { version: prepared.readVersion < 0 ? null : prepared.readVersion, skipped: prepared.skipped, numOutputRows: 0, numFiles: 0, numBytes: 0, checkpointVersion: null };
  if (prepared.skipped || prepared.empty) return none;
  const snapshot = await currentSnapshot(tablePath, opts);
  const guards = continuedFrom(opts.txns);
  if (snapshot !== null) {
    const done = snapshot.txns.get(opts.appId);
    // A retry after a commit whose answer was lost, or a batch another instance already wrote.
    if (done !== undefined && done >= opts.batchId) return { ...none, version: snapshot.version, skipped: true };
    checkNotMoved(snapshot.txns, guards, tablePath, 'an earlier commit');
  }
  // Other writers may have created or changed the table since the batch was prepared (see rebase.ts).
  const plan = rebasePlan(prepared, snapshot, opts.mergeSchema === true, tablePath);
  const now = Date.now();
  try {
    await mkdir(logDir(tablePath), { recursive: true });
  } catch (err) {
    throw notWritable(tablePath, err);
  }
  const adds = await writeDataFiles(tablePath, plan.files, opts.compression ?? 'snappy', now);
  const actions: Action[] = [];
  actions.push({ kind: 'commitInfo', commitInfo: commitInfo(opts, now, plan.readVersion, adds, plan.numRows, plan.partitionBy) });
  if (plan.created !== null) {
    actions.push({ kind: 'protocol', protocol: plan.created.protocol });
    actions.push({ kind: 'metaData', metaData: plan.created.metadata });
  }
  if (plan.upgraded !== null) actions.push({ kind: 'protocol', protocol: plan.upgraded });
  if (plan.evolved !== null) actions.push({ kind: 'metaData', metaData: plan.evolved });
  for (const a of adds) actions.push({ kind: 'add', add: a });
  actions.push({ kind: 'txn', txn: { appId: opts.appId, version: opts.batchId, lastUpdated: now } });
  for (const t of opts.txns ?? []) if (t.appId !== opts.appId) actions.push({ kind: 'txn', txn: { appId: t.appId, version: t.version, lastUpdated: now } });
  // Commits by other writers since the plan was made are checked for conflicts by `commit` itself.
  const outcome = await commit({
    tablePath,
    readVersion: plan.readVersion,
    actions,
    txn: { appId: opts.appId, version: opts.batchId },
    metadata: plan.created?.metadata ?? plan.evolved ?? (snapshot as Snapshot).metadata,
    guards,
  }).catch(async (err: unknown) => {
    // A marker moved under us: no commit will ever reference these files, and the batch is read again.
    if ((err as { code?: unknown }).code === ErrorCodes.PROGRESS_MOVED) {
      await Promise.all(adds.map((a) => unlink(resolveDataPath(tablePath, a.path)).catch(() => undefined)));
    }
    throw err;
  });
  faultPoint('delta.after-commit');
  const numBytes = adds.reduce((s, a) => s + a.size, 0);
  if (outcome.skipped) {
    // Another writer already committed this batch: our files are referenced by no commit.
    await Promise.all(adds.map((a) => unlink(resolveDataPath(tablePath, a.path)).catch(() => undefined)));
    return { version: outcome.version, skipped: true, numOutputRows: 0, numFiles: 0, numBytes: 0, checkpointVersion: null };
  }
  const cp = await maybeCheckpoint(tablePath, outcome.version, opts);
  return { version: outcome.version, skipped: false, numOutputRows: plan.numRows, numFiles: adds.length, numBytes, checkpointVersion: cp };
}

/** The partition columns of a new table, spelled as in its schema (names match regardless of case,
 * as in Spark). Each must be a primitive column, named once, and at least one column must remain
 * for the data files. */
export function resolvePartitionColumns(schema: StructType, partitionBy: readonly string[], path: string): string[] {
  const out: string[] = [];
  for (const c of partitionBy) {
    const f = schema.fields.find((x) => x.name === c) ?? schema.fields.find((x) => x.name.toLowerCase() === c.toLowerCase());
    if (f === undefined || typeof f.type !== 'string') {
      throw new DeltaError(ErrorCodes.CONFIG_INVALID, `partition column ${c} ${f === undefined ? `is not in the batch schema (columns: ${schema.fields.map((x) => x.name).join(', ')})` : 'must have a primitive type'}`, { details: { path, column: c } });
    }
    if (out.includes(f.name)) throw new DeltaError(ErrorCodes.CONFIG_INVALID, `partitionBy names column ${f.name} twice`, { details: { path, column: f.name } });
    out.push(f.name);
  }
  if (out.length > 0 && out.length >= schema.fields.length) {
    throw new DeltaError(ErrorCodes.CONFIG_INVALID, `partitionBy [${out.join(', ')}] names every column of Delta table ${path}; a data file must hold at least one column that is not a partition column (Spark refuses such a table too)`, {
      details: { path, partitionBy: out },
    });
  }
  return out;
}

function newTable(schema: StructType, partitionBy: readonly string[], now: number, path: string): { protocol: ProtocolAction; metadata: MetadataAction } {
  checkColumnNames(schema, path);
  const protocol = protocolFor(schema);
  const metadata: MetadataAction = {
    id: randomUUID(),
    format: { provider: 'parquet', options: {} },
    schemaString: schemaToJson(schema),
    partitionColumns: [...partitionBy],
    configuration: {},
    createdTime: now,
  };
  return { protocol, metadata };
}

async function writeDataFiles(tablePath: string, files: readonly PreparedFile[], compression: ParquetCompression, now: number): Promise<AddAction[]> {
  const adds: AddAction[] = [];
  let part = 0;
  for (const f of files) {
    if (f.dir !== '') {
      try {
        await mkdir(join(tablePath, f.dir), { recursive: true });
      } catch (err) {
        throw notWritable(tablePath, err);
      }
    }
    const bytes = f.parquet ?? (await encodeParquet(f.table as ArrowTable, { compression, createdBy: engineInfo(), dictionaryColumns: f.dictionaryColumns, nanColumns: nanColumns(f.table as ArrowTable) }));
    f.parquet = bytes;
    f.table = null;
    const name = `part-${String(part++).padStart(5, '0')}-${randomUUID()}-c000${codecSuffix(compression)}.parquet`;
    const rel = f.dir === '' ? name : `${f.dir}/${name}`;
    try {
      await writeFile(join(tablePath, rel), bytes, { flag: 'wx', flush: true });
    } catch (err) {
      throw notWritable(tablePath, err);
    }
    adds.push({ path: toAddPath(rel), partitionValues: f.values, size: bytes.byteLength, modificationTime: now, dataChange: true, stats: f.stats });
    faultPoint('delta.data-file-written');
  }
  return adds;
}

function commitInfo(opts: AppendOptions, now: number, readVersion: number, adds: readonly AddAction[], numRows: number, partitionBy: readonly string[]): Record<string, unknown> {
  const info: Record<string, unknown> = {
    timestamp: now,
    operation: 'STREAMING UPDATE',
    operationParameters: { outputMode: 'Append', queryId: opts.queryId ?? opts.appId, epochId: String(opts.batchId) },
    ...(readVersion >= 0 ? { readVersion } : {}),
    isolationLevel: 'Serializable',
    isBlindAppend: true,
    operationMetrics: {
      numFiles: String(adds.length),
      numOutputRows: String(numRows),
      numOutputBytes: String(adds.reduce((s, a) => s + a.size, 0)),
      ...(partitionBy.length > 0 ? { numPartitions: String(new Set(adds.map((a) => JSON.stringify(a.partitionValues))).size) } : {}),
    },
    engineInfo: engineInfo(),
    txnId: randomUUID(),
  };
  if (opts.userMetadata !== undefined) info.userMetadata = opts.userMetadata;
  return info;
}

async function maybeCheckpoint(tablePath: string, version: number, opts: AppendOptions): Promise<number | null> {
  try {
    const snap = await loadSnapshot(tablePath, version);
    if (snap === null || !checkpointDue(version, checkpointInterval(snap, opts.checkpointInterval))) return null;
    await writeCheckpoint(snap);
    return version;
  } catch (err) {
    // The commit is durable; a missing checkpoint only makes the next replay longer.
    opts.logger?.warn('delta checkpoint failed', { path: tablePath, version, error: err instanceof Error ? err.message : String(err) });
    return null;
  }
}
