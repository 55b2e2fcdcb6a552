// Which Delta protocol versions and table features sluice can read (log level) and write (blind appends).

import { DeltaError, DeltaErrorCodes } from '../errors.ts';
import { isArray, isMap, isStruct, type DataType, type StructType } from '../../../core/schema.ts';
import type { MetadataAction, ProtocolAction } from './actions.ts';

/** Reader features whose log-level meaning we understand (deletion vectors are reported, not applied). */
const READABLE = new Set(['columnMapping', 'deletionVectors', 'timestampNtz', 'v2Checkpoint', 'vacuumProtocolCheck', 'typeWidening', 'typeWidening-preview']);

/** Writer features compatible with blind appends; some only while unused (checked below). */
const WRITABLE = new Set([
  'appendOnly', 'invariants', 'checkConstraints', 'changeDataFeed', 'generatedColumns', 'columnMapping',
  'identityColumns', 'timestampNtz', 'domainMetadata', 'vacuumProtocolCheck', 'deletionVectors', 'typeWidening', 'typeWidening-preview',
]);

const LEGACY_WRITER_FEATURES: Record<number, readonly string[]> = {
  2: ['appendOnly', 'invariants'],
  3: ['checkConstraints'],
  4: ['changeDataFeed', 'generatedColumns'],
  5: ['columnMapping'],
  6: ['identityColumns'],
};

/** Reader features implied by a legacy reader version (2 brought column mapping). */
const LEGACY_READER_FEATURES: Record<number, readonly string[]> = { 2: ['columnMapping'] };

function unsupported(msg: string, features: readonly string[], path: string): DeltaError {
  return new DeltaError(DeltaErrorCodes.PROTOCOL_UNSUPPORTED, `${msg}: ${features.join(', ')} (table ${path})`, { details: { features, path } });
}

/** Refuses tables whose reader protocol we do not understand. */
export function checkReadable(p: ProtocolAction, path: string): void {
  if (p.minReaderVersion > 3) throw unsupported('unsupported Delta reader version', [`minReaderVersion=${p.minReaderVersion}`], path);
  if (p.minReaderVersion === 3) {
    const bad = (p.readerFeatures ?? []).filter((f) => !READABLE.has(f));
    if (bad.length > 0) throw unsupported('unsupported Delta reader features', bad, path);
  }
}

/** The writer features a protocol enables, legacy versions expanded to their implied features. */
export function writerFeatures(p: ProtocolAction): string[] {
  if (p.minWriterVersion >= 7) return [...(p.writerFeatures ?? [])];
  const out: string[] = [];
  for (let v = 2; v <= p.minWriterVersion; v++) out.push(...(LEGACY_WRITER_FEATURES[v] ?? []));
  return out;
}

/** Refuses to append to tables that need writer behaviour we do not implement. */
export function checkWritable(p: ProtocolAction, m: MetadataAction, path: string): void {
  checkReadable(p, path);
  if (p.minWriterVersion > 7) throw unsupported('unsupported Delta writer version', [`minWriterVersion=${p.minWriterVersion}`], path);
  const features = writerFeatures(p);
  const bad = features.filter((f) => !WRITABLE.has(f) || inUse(f, m));
  if (bad.length > 0) throw unsupported('cannot append to a Delta table using writer features', bad, path);
}

/** Whether a feature that is harmless when dormant is actually used by this table. */
function inUse(feature: string, m: MetadataAction): boolean {
  const conf = m.configuration;
  switch (feature) {
    case 'invariants': return m.schemaString.includes('"delta.invariants"');
    case 'checkConstraints': return Object.keys(conf).some((k) => k.startsWith('delta.constraints.'));
    case 'generatedColumns': return m.schemaString.includes('"delta.generationExpression"');
    case 'identityColumns': return m.schemaString.includes('"delta.identity.start"');
    case 'columnMapping': return (conf['delta.columnMapping.mode'] ?? 'none') !== 'none';
    default: return false;
  }
}

/** The reader features a protocol enables, legacy versions expanded to their implied features. */
export function readerFeatures(p: ProtocolAction): string[] {
  if (p.minReaderVersion >= 3) return [...(p.readerFeatures ?? [])];
  const out: string[] = [];
  for (let v = 2; v <= p.minReaderVersion; v++) out.push(...(LEGACY_READER_FEATURES[v] ?? []));
  return out;
}

function usesType(t: DataType, name: string): boolean {
  if (typeof t === 'string') return t === name;
  if (isStruct(t)) return t.fields.some((f) => usesType(f.type, name));
  if (isArray(t)) return usesType(t.elementType, name);
  if (isMap(t)) return usesType(t.keyType, name) || usesType(t.valueType, name);
  return false;
}

/** The reader-writer features a schema needs (TIMESTAMP_NTZ at any level needs `timestampNtz`). */
export function featuresFor(schema: StructType): string[] {
  return usesType(schema, 'timestamp_ntz') ? ['timestampNtz'] : [];
}

/** The protocol of a new table holding `schema`: (1, 2) unless the schema needs a feature. */
export function protocolFor(schema: StructType): ProtocolAction {
  return withFeatures({ minReaderVersion: 1, minWriterVersion: 2 }, featuresFor(schema)) ?? { minReaderVersion: 1, minWriterVersion: 2 };
}

/**
 * `p` upgraded to support the reader-writer `features` too, or null when it already does. Going to
 * table features (reader 3 / writer 7) lists the features the legacy versions implied, since the
 * protocol says to assume every one of them was used; features are only ever added.
 */
export function withFeatures(p: ProtocolAction, features: readonly string[]): ProtocolAction | null {
  const readers = readerFeatures(p);
  const writers = writerFeatures(p);
  const missing = features.filter((f) => !readers.includes(f) || !writers.includes(f));
  if (missing.length === 0) return null;
  // Listed as Spark lists them: the new features first for writers, after the known ones for readers.
  const writerList = [...missing.filter((f) => !writers.includes(f)), ...writers];
  // Every reader feature is a writer feature too (legacy column mapping already is one).
  for (const f of readers) if (!writerList.includes(f)) writerList.push(f);
  return {
    minReaderVersion: Math.max(3, p.minReaderVersion),
    minWriterVersion: Math.max(7, p.minWriterVersion),
    readerFeatures: [...readers, ...missing.filter((f) => !readers.includes(f))],
    writerFeatures: writerList,
  };
}
