// Replays a log segment into a Snapshot: protocol, metadata, live files, app transactions, tombstones.
//
//   checkpoint actions (if any) ─► commits cp+1 .. N in order ─► reconcile:
//     protocol/metaData: last wins · add: live[path+dv] = add · remove: drop live, keep tombstone
//     (paths compared in one canonical spelling: `a%20b`, `/t/a b`, `file:/t/a%20b`, `file:///t/a%20b`
//     all name one file of table /t)
//     txn: txns[appId] = version · domainMetadata: last wins, removed drops it
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { DeltaError, DeltaErrorCodes } from '../errors.ts';
import { fileURLToPath } from 'node:url';

import type { StructType } from '../../../core/schema.ts';
import type { Action, AddAction, CommitInfo, DomainMetadataAction, MetadataAction, ProtocolAction, RemoveAction } from './actions.ts';
import { checkReadable } from './features.ts';
import { listLog, readCheckpoint, readCommit, segmentFor, type LogListing, type LogSegment } from './log.ts';
import { parseSchemaString } from './schema-json.ts';

export interface Snapshot {
  readonly tablePath: string;
  readonly version: number;
  readonly protocol: ProtocolAction;
  readonly metadata: MetadataAction;
  readonly schema: StructType;
  readonly partitionColumns: readonly string[];
  /** Live files keyed by canonical path (see `canonicalPath`, plus the deletion vector id when one
   * is attached); the actions keep the path as the log wrote it. */
  readonly files: ReadonlyMap<string, AddAction>;
  readonly txns: ReadonlyMap<string, number>;
  readonly tombstones: ReadonlyMap<string, RemoveAction>;
  readonly domains: ReadonlyMap<string, DomainMetadataAction>;
  /** Version of the checkpoint the replay started from, or null. */
  readonly checkpointVersion: number | null;
  /** Commits replayed since that checkpoint, with their commitInfo when present. */
  readonly commitInfos: readonly { readonly version: number; readonly commitInfo: CommitInfo | null }[];
}

/** A snapshot under construction: what the writer and the conflict checker also update in place. */
export class LogState {
  /** The table root, absolute; '' leaves relative paths relative. */
  private readonly root: string;
  protocol: ProtocolAction | null = null;
  metadata: MetadataAction | null = null;
  readonly files = new Map<string, AddAction>();
  readonly txns = new Map<string, number>();
  readonly tombstones = new Map<string, RemoveAction>();
  readonly domains = new Map<string, DomainMetadataAction>();

  constructor(tablePath = '') {
    this.root = tablePath === '' ? '' : resolve(tablePath);
  }

  apply(actions: readonly Action[]): void {
    for (const a of actions) {
      switch (a.kind) {
        case 'protocol': this.protocol = a.protocol; break;
        case 'metaData': this.metadata = a.metaData; break;
        case 'add': {
          const k = fileKey(canonicalPath(this.root, a.add.path), a.add.deletionVector);
          this.files.set(k, a.add);
          this.tombstones.delete(k);
          break;
        }
        case 'remove': {
          const k = fileKey(canonicalPath(this.root, a.remove.path), a.remove.deletionVector);
          this.files.delete(k);
          this.tombstones.set(k, a.remove);
          break;
        }
        case 'txn': this.txns.set(a.txn.appId, a.txn.version); break;
        case 'domainMetadata':
          if (a.domainMetadata.removed) this.domains.delete(a.domainMetadata.domain);
          else this.domains.set(a.domainMetadata.domain, a.domainMetadata);
          break;
        default: break;
      }
    }
  }
}

export function fileKey(path: string, dv: AddAction['deletionVector']): string {
  if (dv === null || dv === undefined) return path;
  return `${path}#${dv.storageType}${dv.pathOrInlineDv}@${dv.offset ?? ''}`;
}

/** Loads the snapshot at `version` (default latest). Returns null when there is no _delta_log at all. */
export async function loadSnapshot(tablePath: string, version?: number): Promise<Snapshot | null> {
  const listing = await listLog(tablePath);
  if (listing === null || (listing.commits.size === 0 && listing.checkpoints.length === 0)) return null;
  return replay(tablePath, listing, version);
}

/** The latest snapshot, reusing `prev` and replaying only the commits after it when the log
 * continues it; falls back to a full load when the log was rewritten or cleaned up. */
export async function refreshSnapshot(prev: Snapshot | null, tablePath: string): Promise<Snapshot | null> {
  if (prev === null) return loadSnapshot(tablePath);
  const listing = await listLog(tablePath);
  if (listing === null || (listing.commits.size === 0 && listing.checkpoints.length === 0)) return null;
  const latest = Math.max(-1, ...listing.commits.keys());
  if (latest === prev.version && listing.commits.has(latest)) return prev;
  if (latest < prev.version) return replay(tablePath, listing, undefined);
  const state = new LogState(tablePath);
  state.protocol = prev.protocol;
  state.metadata = prev.metadata;
  for (const [k, v] of prev.files) state.files.set(k, v);
  for (const [k, v] of prev.txns) state.txns.set(k, v);
  for (const [k, v] of prev.tombstones) state.tombstones.set(k, v);
  for (const [k, v] of prev.domains) state.domains.set(k, v);
  const infos = [...prev.commitInfos];
  for (let v = prev.version + 1; v <= latest; v++) {
    const file = listing.commits.get(v);
    if (file === undefined) return replay(tablePath, listing, undefined);
    const actions = await readCommit(tablePath, file);
    state.apply(actions);
    const ci = actions.find((a) => a.kind === 'commitInfo');
    infos.push({ version: v, commitInfo: ci?.kind === 'commitInfo' ? ci.commitInfo : null });
  }
  // History is kept since the newest checkpoint only, so a long-running writer's cache stays small.
  const cp = listing.checkpoints.find((c) => c.version <= latest) ?? null;
  const cpVersion = cp?.version ?? prev.checkpointVersion;
  const kept = cpVersion === null ? infos : infos.filter((i) => i.version > cpVersion);
  return finish(tablePath, { version: latest, checkpoint: cp, commits: [] }, state, kept);
}

async function replay(tablePath: string, listing: LogListing, version: number | undefined): Promise<Snapshot> {
  const seg = segmentFor(listing, tablePath, version);
  const state = new LogState(tablePath);
  if (seg.checkpoint !== null) {
    try {
      state.apply(await readCheckpoint(tablePath, seg.checkpoint));
    } catch (err) {
      // A torn checkpoint must not make the table unreadable while older state is still replayable.
      const older: LogListing = { ...listing, checkpoints: listing.checkpoints.filter((c) => c.version < (seg.checkpoint?.version ?? 0)) };
      if (older.checkpoints.length === listing.checkpoints.length) throw err;
      try {
        return await replay(tablePath, older, seg.version);
      } catch {
        throw err;
      }
    }
  }
  const infos: { version: number; commitInfo: CommitInfo | null }[] = [];
  for (const c of seg.commits) {
    const actions = await readCommit(tablePath, c.file);
    state.apply(actions);
    const ci = actions.find((a) => a.kind === 'commitInfo');
    infos.push({ version: c.version, commitInfo: ci?.kind === 'commitInfo' ? ci.commitInfo : null });
  }
  return finish(tablePath, seg, state, infos);
}

function finish(tablePath: string, seg: LogSegment, state: LogState, infos: Snapshot['commitInfos']): Snapshot {
  const { protocol, metadata } = state;
  if (protocol === null || metadata === null) {
    throw new DeltaError(DeltaErrorCodes.LOG_CORRUPT, `Delta log of ${tablePath} has no ${protocol === null ? 'protocol' : 'metaData'} action at version ${seg.version}`);
  }
  checkReadable(protocol, tablePath);
  if (metadata.schemaString === '') throw new DeltaError(DeltaErrorCodes.LOG_CORRUPT, `Delta table ${tablePath} has no schema at version ${seg.version}`);
  const schema = parseSchemaString(metadata.schemaString);
  return {
    tablePath,
    version: seg.version,
    protocol,
    metadata,
    schema,
    partitionColumns: metadata.partitionColumns,
    files: state.files,
    txns: state.txns,
    tombstones: state.tombstones,
    domains: state.domains,
    checkpointVersion: seg.checkpoint?.version ?? null,
    commitInfos: infos,
  };
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
/** A relative path already in canonical form: no escape, no scheme, not absolute, no empty or dot
 * segment (conservatively: nothing starting with a dot). */
function plainRelative(p: string): boolean {
  return p !== '' && p[0] !== '/' && p[0] !== '.' && !p.endsWith('/') && !p.includes('%') && !p.includes(':') && !p.includes('\\') && !p.includes('//') && !p.includes('/.');
}

/** Percent-decoding as a URI reader does it; a malformed escape is kept as written. */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The decoded absolute form of a log path: a local path for relative ones (against `root`), for
 * `/x` and for every `file:` spelling (`file:/x`, `file:///x`, `file://localhost/x`); other URIs
 * decoded, their scheme in lower case. With root '' a relative path stays relative. */
function absolutePath(root: string, path: string): string {
  if (SCHEME.test(path)) {
    if (/^file:/i.test(path)) {
      try {
        return fileURLToPath(path);
      } catch {
        // A host other than localhost, or an encoded '/': no local file, but still one spelling.
        return `file:${decodePath(path.slice(5))}`;
      }
    }
    const colon = path.indexOf(':');
    return `${path.slice(0, colon).toLowerCase()}:${decodePath(path.slice(colon + 1))}`;
  }
  const p = decodePath(path);
  if (isAbsolute(p)) return normalize(p);
  return root === '' ? normalize(p) : join(root, p);
}

/**
 * One spelling per file for matching adds with removes, as PROTOCOL.md defines paths (RFC 2396 URIs,
 * relative ones against the table root): decoded, `.` and `..` resolved, relative to `root` when the
 * file is inside the table, absolute otherwise.
 */
export function canonicalPath(root: string, path: string): string {
  // The common case, a plain relative path (what Delta writers write), is its own canonical form.
  if (root !== '' && plainRelative(path)) return path;
  const abs = absolutePath(root, path);
  return root !== '' && abs.startsWith(root + sep) ? abs.slice(root.length + 1) : abs;
}

/** The local file a log path points at: relative paths are URI-encoded and relative to the table
 * root, absolute ones are URIs (`file:` ones, or a bare absolute path, are local). */
export function resolveDataPath(tablePath: string, path: string): string {
  const abs = absolutePath(resolve(tablePath), path);
  if (isAbsolute(abs)) return abs;
  throw new DeltaError(DeltaErrorCodes.PROTOCOL_UNSUPPORTED, `data file on a non-local store is not supported: ${path}`);
}

/** Rows recorded in an add's stats, or null when the file has no stats. */
export function statsNumRecords(add: AddAction): number | null {
  if (typeof add.stats !== 'string' || add.stats === '') return null;
  try {
    const s = JSON.parse(add.stats) as { numRecords?: unknown };
    return typeof s.numRecords === 'number' ? s.numRecords : null;
  } catch {
    return null;
  }
}
