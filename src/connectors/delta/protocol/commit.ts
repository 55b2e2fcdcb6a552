// Put-if-absent commits of Delta log entries, with conflict checks and bounded retries on lost races.
//
//   writer                           _delta_log/
//   ──────                           ───────────
//   write .tmp-<uuid>.json, fsync ─►  .tmp-<uuid>.json
//   link(tmp, N.json) ────────────►  N.json        (atomic; EEXIST: another writer owns N)
//   unlink tmp, fsync dir
//   on EEXIST: read N..latest ─► winner changed protocol/metaData? -> conflict error
//                               winner holds our txn appId >= our version? -> skipped
//                               winner advanced a txn we continue? -> PROGRESS_MOVED
//                               else retry at latest+1 (bounded)
import { randomUUID } from 'node:crypto';
import { DeltaError, DeltaErrorCodes } from '../errors.ts';
import { constants } from 'node:fs';
import { copyFile, link, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, SinkError } from '../../../core/errors.ts';
import { commitFileName, serializeActions, type Action, type MetadataAction } from './actions.ts';
import { listLog, logDir, readCommit } from './log.ts';
import { checkNotMoved } from './txn-guard.ts';

export interface CommitOutcome {
  /** The version our actions landed at, or the version already holding our transaction. */
  readonly version: number;
  /** True when a concurrent writer had already committed our transaction: nothing was written. */
  readonly skipped: boolean;
  /** Commits by other writers we had to skip past. */
  readonly conflictsResolved: number;
}

export interface CommitRequest {
  readonly tablePath: string;
  /** The table version our actions were prepared against (-1 when creating the table). */
  readVersion: number;
  readonly actions: readonly Action[];
  /** Our idempotent transaction, used to detect that a winner already holds our batch. */
  readonly txn?: { readonly appId: string; readonly version: number };
  /** The table metadata the actions were validated against (new or existing). */
  readonly metadata?: MetadataAction;
  /** Progress markers the actions continue (appId -> the version they start from): a winner that
   * advanced one of them makes our commit invalid. */
  readonly guards?: ReadonlyMap<string, number>;
  readonly maxAttempts?: number;
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Writes one log entry at exactly `version`; returns false when that version already exists. */
export async function tryCommit(tablePath: string, version: number, actions: readonly Action[]): Promise<boolean> {
  const dir = logDir(tablePath);
  const tmp = join(dir, `.tmp-${randomUUID()}.json`);
  const fh = await open(tmp, 'wx');
  try {
    await fh.writeFile(serializeActions(actions), 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  const target = join(dir, commitFileName(version));
  try {
    try {
      await link(tmp, target);
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (!NO_HARD_LINKS.has(code)) throw err;
      // File systems without hard links: an exclusive copy is still put-if-absent, though a reader
      // may briefly see a partly written entry.
      await copyFile(tmp, target, constants.COPYFILE_EXCL);
    }
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
    await fsyncDir(dir);
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Directory fsync is not supported everywhere (e.g. some network file systems); the link itself is atomic.
  }
}

/** Commits `actions` at the next free version, resolving lost races as the module comment describes. */
export async function commit(req: CommitRequest): Promise<CommitOutcome> {
  const max = req.maxAttempts ?? 20;
  let version = req.readVersion + 1;
  let resolved = 0;
  for (let attempt = 0; attempt < max; attempt++) {
    let ok: boolean;
    try {
      ok = await tryCommit(req.tablePath, version, req.actions);
    } catch (err) {
      throw new SinkError(ErrorCodes.SINK_WRITE, `cannot write Delta commit ${version} in ${req.tablePath}: ${String((err as Error).message)}`, {
        cause: err,
        retryable: true,
        details: { path: req.tablePath, version },
      });
    }
    if (ok) return { version, skipped: false, conflictsResolved: resolved };
    const listing = await listLog(req.tablePath);
    const latest = listing === null ? version : Math.max(version, ...listing.commits.keys());
    for (let v = version; v <= latest; v++) {
      const file = listing?.commits.get(v);
      if (file === undefined) continue;
      const winner = await readCommit(req.tablePath, file);
      const verdict = judge(winner, req, v);
      if (verdict === 'ours') return { version: v, skipped: true, conflictsResolved: resolved };
    }
    resolved += latest - version + 1;
    version = latest + 1;
  }
  throw new DeltaError(DeltaErrorCodes.COMMIT_CONFLICT, `gave up committing to ${req.tablePath} after ${max} lost races`, {
    retryable: true,
    details: { path: req.tablePath, lastTriedVersion: version },
  });
}

/** Decides whether a winning commit conflicts with our blind append. */
function judge(winner: readonly Action[], req: CommitRequest, v: number): 'ours' | 'compatible' {
  for (const a of winner) {
    if (a.kind === 'txn' && req.txn !== undefined && a.txn.appId === req.txn.appId && a.txn.version >= req.txn.version) return 'ours';
  }
  if (req.guards !== undefined && req.guards.size > 0) {
    const held = new Map<string, number>();
    for (const a of winner) if (a.kind === 'txn') held.set(a.txn.appId, a.txn.version);
    checkNotMoved(held, req.guards, req.tablePath, `concurrent commit ${v}`);
  }
  for (const a of winner) {
    if (a.kind === 'protocol' || a.kind === 'metaData') {
      // Re-preparing re-checks schema and features, so a retry is safe unless the table's shape moved.
      const m = req.metadata;
      const same = a.kind === 'protocol' || (m !== undefined &&
        a.metaData.schemaString === m.schemaString && a.metaData.partitionColumns.join('\u0000') === m.partitionColumns.join('\u0000'));
      throw new DeltaError(DeltaErrorCodes.COMMIT_CONFLICT, `concurrent commit ${v} in ${req.tablePath} changed the table's ${a.kind}; the batch must be prepared again`, {
        retryable: same,
        details: { path: req.tablePath, version: v, changed: a.kind },
      });
    }
  }
  return 'compatible';
}
