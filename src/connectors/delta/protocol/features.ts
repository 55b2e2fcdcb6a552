// Which Delta protocol versions and table features sluice can read (log level) and write (blind appends).
import { DeltaError, ErrorCodes } from '../../../core/errors.ts';
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

function unsupported(msg: string, features: readonly string[], path: string): DeltaError {
  return new DeltaError(ErrorCodes.DELTA_PROTOCOL_UNSUPPORTED, `${msg}: ${features.join(', ')} (table ${path})`, { details: { features, path } });
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
