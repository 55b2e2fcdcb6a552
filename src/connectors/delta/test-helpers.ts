// Shared fixtures for the Delta tests: temp folders, a deterministic row generator and a DuckDB handle.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Row } from '../../core/record.ts';
import { field, struct, type StructType } from '../../core/schema.ts';

export function tempDir(prefix: string): { path: string; [Symbol.dispose](): void } {
  const path = mkdtempSync(join(tmpdir(), `sluice-delta-${prefix}-`));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Duck {
  readonly conn: DuckDBConnection;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

export async function openDuck(): Promise<Duck> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  await conn.run("SET TimeZone='UTC'");
  return {
    conn,
    rows: async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJson(),
    close: () => {
      conn.closeSync();
      inst.closeSync();
    },
  };
}

export const WIDE_SCHEMA: StructType = struct([
  field('id', 'long', false),
  field('name', 'string'),
  field('ts', 'timestamp'),
  field('local', 'timestamp_ntz'),
  field('day', 'date'),
  field('qty', 'integer'),
  field('small', 'short'),
  field('tiny', 'byte'),
  field('price', 'double'),
  field('ratio', 'float'),
  field('ok', 'boolean'),
  field('blob', 'binary'),
  field('amount', 'decimal(12,3)'),
  field('address', struct([field('city', 'string'), field('zip', 'integer'), field('geo', struct([field('lat', 'double'), field('lon', 'double')]))])),
  field('tags', { type: 'array', elementType: 'string', containsNull: true }),
  field('attrs', { type: 'map', keyType: 'string', valueType: 'long', valueContainsNull: true }),
]);

/** Deterministic rows covering nulls, negatives, big longs, pre-1970 times, long and non-ASCII strings. */
export function wideRows(n: number, seed = 1): Row[] {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const words = ['alpha', 'Ärger', 'zeta', '東京', 'x'.repeat(45), 'y'.repeat(31) + 'é' + 'tail', '', 'mañana 🙂 emoji string that is long enough to cut'];
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const nul = (p: number): boolean => rnd() < p;
    rows.push({
      id: i === 1 ? 9007199254740993n : Math.floor((rnd() - 0.5) * 1e12),
      name: nul(0.1) ? null : words[Math.floor(rnd() * words.length)],
      ts: nul(0.1) ? null : new Date(Math.floor((rnd() - 0.3) * 4e12)),
      local: nul(0.1) ? null : new Date(Math.floor(rnd() * 2e12)),
      day: nul(0.1) ? null : new Date(Math.floor((rnd() - 0.2) * 3e12)),
      qty: nul(0.1) ? null : Math.floor((rnd() - 0.5) * 2e9),
      small: nul(0.1) ? null : Math.floor((rnd() - 0.5) * 60000),
      tiny: nul(0.1) ? null : Math.floor((rnd() - 0.5) * 250),
      price: nul(0.1) ? null : (rnd() - 0.5) * 1e6,
      ratio: nul(0.1) ? null : Math.fround(rnd() * 100),
      ok: nul(0.1) ? null : rnd() < 0.5,
      blob: nul(0.1) ? null : new Uint8Array([i & 255, 7, 9]),
      amount: nul(0.1) ? null : ((rnd() - 0.5) * 1e6).toFixed(3),
      address: nul(0.15) ? null : { city: nul(0.2) ? null : words[Math.floor(rnd() * 4)], zip: Math.floor(rnd() * 99999), geo: nul(0.3) ? null : { lat: rnd() * 90, lon: -rnd() * 180 } },
      tags: nul(0.1) ? null : Array.from({ length: Math.floor(rnd() * 4) }, (_, j) => (j === 1 ? null : `t${j}`)),
      attrs: nul(0.1) ? null : { a: i, b: nul(0.5) ? null : -i },
    });
  }
  return rows;
}
