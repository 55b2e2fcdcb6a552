// A running pipeline announces its monitoring server in its checkpoint (`.monitoring.json`), so
// that `sluice status --checkpoint <dir>` can find it; the file goes when the server stops.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { readTextIfExists, writeFileAtomic } from '../core/fs.ts';

const FILE = '.monitoring.json';

export interface MonitoringEndpoint {
  readonly url: string;
  readonly pid: number;
  readonly since: string;
}

export async function announceEndpoint(checkpointDir: string, url: string): Promise<() => Promise<void>> {
  const path = join(checkpointDir, FILE);
  await writeFileAtomic(path, JSON.stringify({ url, pid: process.pid, since: new Date().toISOString() } satisfies MonitoringEndpoint));
  return () => fsp.rm(path, { force: true });
}

/** The endpoint of a live process, or undefined (none announced, or its process is gone). */
export async function readMonitoringEndpoint(checkpointDir: string): Promise<MonitoringEndpoint | undefined> {
  const text = await readTextIfExists(join(checkpointDir, FILE));
  if (text === undefined) return undefined;
  let e: Partial<MonitoringEndpoint>;
  try {
    e = JSON.parse(text) as Partial<MonitoringEndpoint>;
  } catch {
    return undefined;
  }
  if (typeof e.url !== 'string' || typeof e.pid !== 'number') return undefined;
  try {
    process.kill(e.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
  }
  return { url: e.url, pid: e.pid, since: String(e.since) };
}
