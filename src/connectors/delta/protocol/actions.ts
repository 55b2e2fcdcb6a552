// Typed Delta log actions and their parsing from commit JSON lines and checkpoint rows.

import { DeltaError, DeltaErrorCodes } from '../errors.ts';
import { setOwn } from '../../../core/own.ts';

export interface ProtocolAction {
  readonly minReaderVersion: number;
  readonly minWriterVersion: number;
  readonly readerFeatures?: readonly string[];
  readonly writerFeatures?: readonly string[];
}

export interface MetadataAction {
  readonly id: string;
  readonly name?: string | null;
  readonly description?: string | null;
  readonly format: { readonly provider: string; readonly options: Readonly<Record<string, string>> };
  readonly schemaString: string;
  readonly partitionColumns: readonly string[];
  readonly configuration: Readonly<Record<string, string>>;
  readonly createdTime?: number | null;
}

export interface DeletionVectorDescriptor {
  readonly storageType: string;
  readonly pathOrInlineDv: string;
  readonly offset?: number | null;
  readonly sizeInBytes: number;
  readonly cardinality: number;
}

export interface AddAction {
  readonly path: string;
  readonly partitionValues: Readonly<Record<string, string | null>>;
  readonly size: number;
  readonly modificationTime: number;
  readonly dataChange: boolean;
  readonly stats?: string | null;
  readonly tags?: Readonly<Record<string, string | null>> | null;
  readonly deletionVector?: DeletionVectorDescriptor | null;
  readonly baseRowId?: number | null;
  readonly defaultRowCommitVersion?: number | null;
  readonly clusteringProvider?: string | null;
}

export interface RemoveAction {
  readonly path: string;
  readonly deletionTimestamp?: number | null;
  readonly dataChange: boolean;
  readonly extendedFileMetadata?: boolean | null;
  readonly partitionValues?: Readonly<Record<string, string | null>> | null;
  readonly size?: number | null;
  readonly deletionVector?: DeletionVectorDescriptor | null;
}

export interface TxnAction {
  readonly appId: string;
  readonly version: number;
  readonly lastUpdated?: number | null;
}

export interface CdcAction {
  readonly path: string;
  readonly partitionValues: Readonly<Record<string, string | null>>;
  readonly size: number;
  readonly dataChange: boolean;
}

export interface DomainMetadataAction {
  readonly domain: string;
  readonly configuration: string;
  readonly removed: boolean;
}

export interface CheckpointMetadataAction {
  readonly version: number;
  readonly tags?: Readonly<Record<string, string>> | null;
}

export interface SidecarAction {
  readonly path: string;
  readonly sizeInBytes: number;
  readonly modificationTime: number;
}

export type CommitInfo = Readonly<Record<string, unknown>>;

/** One log entry line (or checkpoint row) holds exactly one of these. */
export type Action =
  | { readonly kind: 'protocol'; readonly protocol: ProtocolAction }
  | { readonly kind: 'metaData'; readonly metaData: MetadataAction }
  | { readonly kind: 'add'; readonly add: AddAction }
  | { readonly kind: 'remove'; readonly remove: RemoveAction }
  | { readonly kind: 'txn'; readonly txn: TxnAction }
  | { readonly kind: 'commitInfo'; readonly commitInfo: CommitInfo }
  | { readonly kind: 'cdc'; readonly cdc: CdcAction }
  | { readonly kind: 'domainMetadata'; readonly domainMetadata: DomainMetadataAction }
  | { readonly kind: 'checkpointMetadata'; readonly checkpointMetadata: CheckpointMetadataAction }
  | { readonly kind: 'sidecar'; readonly sidecar: SidecarAction }
  | { readonly kind: 'unknown'; readonly name: string };

const KINDS = ['protocol', 'metaData', 'add', 'remove', 'txn', 'commitInfo', 'cdc', 'domainMetadata', 'checkpointMetadata', 'sidecar'] as const;

function corrupt(where: string, msg: string): DeltaError {
  return new DeltaError(DeltaErrorCodes.LOG_CORRUPT, `corrupt Delta log entry ${where}: ${msg}`, { details: { file: where } });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Numbers may come as JS numbers (JSON) or bigints (Parquet int64); both become numbers. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function needStr(o: Record<string, unknown>, k: string, where: string): string {
  const v = o[k];
  if (typeof v !== 'string') throw corrupt(where, `field ${k} must be a string`);
  return v;
}

function needNum(o: Record<string, unknown>, k: string, where: string): number {
  const v = num(o[k]);
  if (v === undefined) throw corrupt(where, `field ${k} must be a number`);
  return v;
}

function scalarText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function strMap(v: unknown): Record<string, string | null> {
  if (v instanceof Map) {
    const out: Record<string, string | null> = {};
    for (const [k, val] of v as Map<unknown, unknown>) setOwn(out, String(k), scalarText(val));
    return out;
  }
  if (!isObj(v)) return {};
  const out: Record<string, string | null> = {};
  for (const [k, val] of Object.entries(v)) setOwn(out, k, scalarText(val));
  return out;
}

function strList(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.map(String);
  return undefined;
}

function dv(v: unknown): DeletionVectorDescriptor | null {
  if (!isObj(v) || typeof v.storageType !== 'string') return null;
  return {
    storageType: v.storageType,
    pathOrInlineDv: String(v.pathOrInlineDv),
    offset: num(v.offset) ?? null,
    sizeInBytes: num(v.sizeInBytes) ?? 0,
    cardinality: num(v.cardinality) ?? 0,
  };
}

/** Converts one `{ "<kind>": {...} }` object into a typed action. */
export function parseAction(raw: unknown, where: string): Action {
  if (!isObj(raw)) throw corrupt(where, 'a line is not a JSON object');
  for (const kind of KINDS) {
    const body = raw[kind];
    if (body === undefined || body === null) continue;
    if (!isObj(body)) throw corrupt(where, `${kind} is not an object`);
    return build(kind, body, where);
  }
  const name = Object.keys(raw)[0] ?? '';
  return { kind: 'unknown', name };
}

function build(kind: (typeof KINDS)[number], b: Record<string, unknown>, where: string): Action {
  switch (kind) {
    case 'protocol': {
      const rf = strList(b.readerFeatures);
      const wf = strList(b.writerFeatures);
      return {
        kind,
        protocol: {
          minReaderVersion: needNum(b, 'minReaderVersion', where),
          minWriterVersion: needNum(b, 'minWriterVersion', where),
          ...(rf === undefined ? {} : { readerFeatures: rf }),
          ...(wf === undefined ? {} : { writerFeatures: wf }),
        },
      };
    }
    case 'metaData': {
      const fmt = isObj(b.format) ? b.format : {};
      return {
        kind,
        metaData: {
          id: needStr(b, 'id', where),
          name: typeof b.name === 'string' ? b.name : null,
          description: typeof b.description === 'string' ? b.description : null,
          format: { provider: typeof fmt.provider === 'string' ? fmt.provider : 'parquet', options: strMap(fmt.options) as Record<string, string> },
          // Some engines write an initial metaData without a schema; a later one must supply it.
          schemaString: typeof b.schemaString === 'string' ? b.schemaString : '',
          partitionColumns: strList(b.partitionColumns) ?? [],
          configuration: strMap(b.configuration) as Record<string, string>,
          createdTime: num(b.createdTime) ?? null,
        },
      };
    }
    case 'add':
      return {
        kind,
        add: {
          path: needStr(b, 'path', where),
          partitionValues: strMap(b.partitionValues),
          size: num(b.size) ?? 0,
          modificationTime: num(b.modificationTime) ?? 0,
          dataChange: b.dataChange === true,
          stats: typeof b.stats === 'string' ? b.stats : null,
          tags: b.tags === undefined || b.tags === null ? null : strMap(b.tags),
          deletionVector: dv(b.deletionVector),
          baseRowId: num(b.baseRowId) ?? null,
          defaultRowCommitVersion: num(b.defaultRowCommitVersion) ?? null,
          clusteringProvider: typeof b.clusteringProvider === 'string' ? b.clusteringProvider : null,
        },
      };
    case 'remove':
      return {
        kind,
        remove: {
          path: needStr(b, 'path', where),
          deletionTimestamp: num(b.deletionTimestamp) ?? null,
          dataChange: b.dataChange === true,
          extendedFileMetadata: typeof b.extendedFileMetadata === 'boolean' ? b.extendedFileMetadata : null,
          partitionValues: b.partitionValues === undefined || b.partitionValues === null ? null : strMap(b.partitionValues),
          size: num(b.size) ?? null,
          deletionVector: dv(b.deletionVector),
        },
      };
    case 'txn':
      return { kind, txn: { appId: needStr(b, 'appId', where), version: needNum(b, 'version', where), lastUpdated: num(b.lastUpdated) ?? null } };
    case 'commitInfo':
      return { kind, commitInfo: b };
    case 'cdc':
      return {
        kind,
        cdc: { path: needStr(b, 'path', where), partitionValues: strMap(b.partitionValues), size: num(b.size) ?? 0, dataChange: b.dataChange === true },
      };
    case 'domainMetadata':
      return {
        kind,
        domainMetadata: { domain: needStr(b, 'domain', where), configuration: typeof b.configuration === 'string' ? b.configuration : '', removed: b.removed === true },
      };
    case 'checkpointMetadata':
      return { kind, checkpointMetadata: { version: needNum(b, 'version', where), tags: b.tags === undefined || b.tags === null ? null : (strMap(b.tags) as Record<string, string>) } };
    case 'sidecar':
      return {
        kind,
        sidecar: { path: needStr(b, 'path', where), sizeInBytes: num(b.sizeInBytes) ?? 0, modificationTime: num(b.modificationTime) ?? 0 },
      };
  }
}

/** Parses a newline-delimited JSON commit file. */
export function parseCommit(text: string, where: string): Action[] {
  const out: Action[] = [];
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (s === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(s);
    } catch (err) {
      throw new DeltaError(DeltaErrorCodes.LOG_CORRUPT, `corrupt Delta log entry ${where}: invalid JSON`, { cause: err, details: { file: where } });
    }
    out.push(parseAction(raw, where));
  }
  return out;
}

/** Serialises actions as a commit file: one JSON object per line, in the given order. */
export function serializeActions(actions: readonly Action[]): string {
  return actions.map((a) => JSON.stringify(toJson(a))).join('\n') + '\n';
}

function toJson(a: Action): Record<string, unknown> {
  switch (a.kind) {
    case 'protocol': return { protocol: a.protocol };
    case 'metaData': return { metaData: a.metaData };
    case 'add': return { add: a.add };
    case 'remove': return { remove: a.remove };
    case 'txn': return { txn: a.txn };
    case 'commitInfo': return { commitInfo: a.commitInfo };
    case 'cdc': return { cdc: a.cdc };
    case 'domainMetadata': return { domainMetadata: a.domainMetadata };
    case 'checkpointMetadata': return { checkpointMetadata: a.checkpointMetadata };
    case 'sidecar': return { sidecar: a.sidecar };
    case 'unknown': return {};
  }
}

/** The log file name of a commit version: 20 zero-padded digits. */
export function commitFileName(version: number): string {
  return `${String(version).padStart(20, '0')}.json`;
}
