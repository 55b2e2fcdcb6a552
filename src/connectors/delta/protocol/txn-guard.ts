// Progress markers a batch continues (one per Kafka partition in consumer-group mode): a marker whose
// version in the table moved past where the batch started was advanced by another writer, so
// committing would write some records twice.
//
//   batch txn {appId, version: end, from: start}
//   prepare: table txn[appId] > from ? -> PROGRESS_MOVED (re-read the source, which skips what is there)
//   commit race: winner holds txn appId with version > from ? -> PROGRESS_MOVED
import { ErrorCodes } from '../../../core/errors.ts';
import { DeltaError } from '../errors.ts';
import type { ProgressMarker } from '../../../core/record.ts';

/** appId -> the version the batch starts from, for the txns that say (`from`, a number). */
export function continuedFrom(txns: readonly ProgressMarker[] | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of txns ?? []) if (t.from !== undefined) out.set(t.appId, t.from);
  return out;
}

/** Throws when the table holds a version past a batch's start for one of its continued markers. */
export function checkNotMoved(held: ReadonlyMap<string, number>, guards: ReadonlyMap<string, number>, tablePath: string, where: string): void {
  const moved: string[] = [];
  for (const [appId, from] of guards) {
    const v = held.get(appId);
    if (v !== undefined && v > from) moved.push(`${appId} is at ${v}, the batch starts at ${from}`);
  }
  if (moved.length === 0) return;
  throw new DeltaError(ErrorCodes.PROGRESS_MOVED, `${where} in ${tablePath} advanced progress markers this batch continues (${moved.join('; ')}); another writer owns them now`, {
    details: { path: tablePath, moved },
  });
}
