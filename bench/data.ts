// Generated benchmark input: JSON lines of about 185 bytes, written as files of a fixed row count.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'NL', 'ES', 'IT', 'PL'];
const KINDS = ['view', 'click', 'purchase', 'signup'];

/** One event; with `bigIds` its user_id is a 64-bit integer beyond 2^53, so that every line holds a
 * number a double cannot: the exact JSON reader's worst case. */
export function eventLine(i: number, bigIds = false): string {
  const line = JSON.stringify({
    event_id: `evt-${String(i).padStart(9, '0')}`,
    ts: new Date(Date.UTC(2026, 0, 1) + i * 37).toISOString(),
    user_id: (i * 7919) % 1_000_003,
    kind: KINDS[i % KINDS.length],
    amount: Math.round(((i * 104729) % 5_000_000) / 7) / 100,
    country: COUNTRIES[(i * 13) % COUNTRIES.length],
    session: `s-${(i * 31) % 99991}`,
    active: i % 3 !== 0,
  });
  return bigIds ? line.replace(/"user_id":(\d+)/, (_m, id: string) => `"user_id":${9007199254740993n + BigInt(id)}`) : line;
}

export { EVENT_SCHEMA } from './data-schema.mjs';

/** Writes `rows` events into files of `rowsPerFile`; returns the total bytes. */
export function writeEventFiles(dir: string, rows: number, rowsPerFile: number, bigIds = false): number {
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  for (let f = 0, i = 0; i < rows; f++) {
    const lines: string[] = [];
    for (let k = 0; k < rowsPerFile && i < rows; k++, i++) lines.push(eventLine(i, bigIds));
    const text = lines.join('\n') + '\n';
    bytes += Buffer.byteLength(text);
    writeFileSync(join(dir, `events-${String(f).padStart(5, '0')}.json`), text);
  }
  return bytes;
}
