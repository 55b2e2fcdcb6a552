// Lists a table's _delta_log and picks the log segment to replay: newest usable checkpoint plus later commits.
//
//   _delta_log/ listing ──► checkpoints (classic single, multi-part, v2 uuid) + commits N.json
//        │                      │ newest complete checkpoint <= target (_last_checkpoint is only a hint;
//        │                      │ a stale or missing hint is corrected by the listing)
//        ▼                      ▼
//   segment = { checkpoint?: version+files, commits: (cp.version, target] contiguous }
import { readdir, readFile } from 'node:fs/promises';
import { DeltaError, DeltaErrorCodes } from '../errors.ts';
import { join } from 'node:path';

import { parseCommit, type Action } from './actions.ts';
import { readParquetFile, tableRows } from '../../../formats/parquet/read.ts';
import { parseAction } from './actions.ts';

export interface CheckpointRef {
  readonly version: number;
  readonly kind: 'classic' | 'multipart' | 'v2';
  /** File names inside _delta_log, all parts in order. */
  readonly files: readonly string[];
}

export interface LogListing {
  readonly commits: ReadonlyMap<number, string>;
  readonly checkpoints: readonly CheckpointRef[];
  readonly hasLastCheckpoint: boolean;
}

export interface LogSegment {
  readonly version: number;
  readonly checkpoint: CheckpointRef | null;
  readonly commits: readonly { readonly version: number; readonly file: string }[];
}

const COMMIT_RE = /^(\d{20})\.json$/;
const CLASSIC_RE = /^(\d{20})\.checkpoint\.parquet$/;
const MULTI_RE = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/;
const V2_RE = /^(\d{20})\.checkpoint\.[0-9a-fA-F-]{36}\.(json|parquet)$/;

export function logDir(tablePath: string): string {
  return join(tablePath, '_delta_log');
}

export async function listLog(tablePath: string): Promise<LogListing | null> {
  let names: string[];
  try {
    names = await readdir(logDir(tablePath));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new DeltaError(DeltaErrorCodes.LOG_CORRUPT, `cannot list Delta log of ${tablePath}`, { cause: err, retryable: true });
  }
  const commits = new Map<number, string>();
  const parts = new Map<string, Map<number, string>>();
  const checkpoints: CheckpointRef[] = [];
  for (const n of names) {
    let m = COMMIT_RE.exec(n);
    if (m !== null) { commits.set(Number(m[1]), n); continue; }
    m = CLASSIC_RE.exec(n);
    if (m !== null) { checkpoints.push({ version: Number(m[1]), kind: 'classic', files: [n] }); continue; }
    m = V2_RE.exec(n);
    if (m !== null) { checkpoints.push({ version: Number(m[1]), kind: 'v2', files: [n] }); continue; }
    m = MULTI_RE.exec(n);
    if (m !== null) {
      const key = `${m[1]}/${Number(m[3])}`;
      const set = parts.get(key) ?? new Map<number, string>();
      set.set(Number(m[2]), n);
      parts.set(key, set);
    }
  }
  for (const [key, set] of parts) {
    const [v, total] = key.split('/').map(Number) as [number, number];
    if (set.size !== total) continue; // an incomplete multi-part checkpoint is unusable
    const files = [...set.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    checkpoints.push({ version: v, kind: 'multipart', files });
  }
  checkpoints.sort((a, b) => b.version - a.version);
  return { commits, checkpoints, hasLastCheckpoint: names.includes('_last_checkpoint') };
}

/** Chooses what to replay for `target` (default: latest). Throws when the log has gaps. */
export function segmentFor(listing: LogListing, tablePath: string, target?: number): LogSegment {
  const commitVersions = [...listing.commits.keys()];
  const maxCommit = commitVersions.length === 0 ? -1 : Math.max(...commitVersions);
  const maxCp = listing.checkpoints[0]?.version ?? -1;
  const latest = Math.max(maxCommit, maxCp);
  const version = target ?? latest;
  if (version < 0) throw new DeltaError(DeltaErrorCodes.TABLE_NOT_FOUND, `no Delta table at ${tablePath}: _delta_log holds no commits`, { details: { path: tablePath } });
  if (version > latest) throw new DeltaError(DeltaErrorCodes.TABLE_NOT_FOUND, `Delta table ${tablePath} has no version ${version} (latest is ${latest})`);
  const checkpoint = listing.checkpoints.find((c) => c.version <= version) ?? null;
  const start = checkpoint === null ? 0 : checkpoint.version + 1;
  const commits: { version: number; file: string }[] = [];
  for (let v = start; v <= version; v++) {
    const file = listing.commits.get(v);
    if (file === undefined) {
      throw new DeltaError(DeltaErrorCodes.LOG_CORRUPT, `Delta log of ${tablePath} is missing commit ${v} (needed to reach version ${version})`, {
        details: { path: tablePath, missingVersion: v },
      });
    }
    commits.push({ version: v, file });
  }
  return { version, checkpoint, commits };
}

export async function readCommit(tablePath: string, file: string): Promise<Action[]> {
  const text = await readFile(join(logDir(tablePath), file), 'utf8');
  return parseCommit(text, file);
}

const CHECKPOINT_COLUMNS = ['protocol', 'metaData', 'add', 'remove', 'txn', 'domainMetadata', 'checkpointMetadata', 'sidecar'];

/** Reads every action of a checkpoint, following v2 sidecars. */
export async function readCheckpoint(tablePath: string, cp: CheckpointRef): Promise<Action[]> {
  const out: Action[] = [];
  for (const f of cp.files) {
    const full = join(logDir(tablePath), f);
    const actions = f.endsWith('.json') ? await readCommit(tablePath, f) : await readParquetActions(full);
    for (const a of actions) {
      if (a.kind === 'sidecar') out.push(...(await readParquetActions(join(logDir(tablePath), '_sidecars', a.sidecar.path))));
      else out.push(a);
    }
  }
  return out;
}

async function readParquetActions(file: string): Promise<Action[]> {
  let rows;
  try {
    const table = await readParquetFile(file);
    const present = new Set(table.schema.fields.map((f) => f.name));
    const keep = CHECKPOINT_COLUMNS.filter((c) => present.has(c));
    rows = tableRows(table.select(keep));
  } catch (err) {
    throw new DeltaError(DeltaErrorCodes.LOG_CORRUPT, `cannot read Delta checkpoint ${file}`, { cause: err, details: { file } });
  }
  const out: Action[] = [];
  for (const r of rows) {
    statsFromParsed(r);
    const a = parseAction(r, file);
    if (a.kind !== 'unknown') out.push(a);
  }
  return out;
}

/** Checkpoints written with only `stats_parsed` (writeStatsAsJson=false) get an equivalent JSON `stats`. */
function statsFromParsed(row: Record<string, unknown>): void {
  const add = row.add as Record<string, unknown> | null | undefined;
  if (add === null || add === undefined || typeof add.stats === 'string') return;
  const parsed = add.stats_parsed;
  if (typeof parsed !== 'object' || parsed === null) return;
  add.stats = JSON.stringify(parsed, (_k, v: unknown) => {
    if (typeof v === 'bigint') return Number(v);
    if (v instanceof Date) return v.toISOString();
    return v;
  });
}

export interface LastCheckpoint {
  readonly version: number;
  readonly size: number;
  readonly parts?: number;
  readonly sizeInBytes?: number;
  readonly numOfAddFiles?: number;
}

export async function readLastCheckpoint(tablePath: string): Promise<LastCheckpoint | null> {
  try {
    const raw = JSON.parse(await readFile(join(logDir(tablePath), '_last_checkpoint'), 'utf8')) as unknown;
    if (typeof raw === 'object' && raw !== null && typeof (raw as { version?: unknown }).version === 'number') return raw as LastCheckpoint;
    return null;
  } catch {
    return null; // a missing or torn hint is ignored: the listing is authoritative
  }
}
