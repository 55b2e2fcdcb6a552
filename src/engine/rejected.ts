// The rejected-records log: one JSON-lines file per batch inside the checkpoint, written before the
// batch commits and replaced whole on a replay, so a re-run batch never duplicates entries.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Rejected } from '../core/record.ts';
import { writeFileAtomic } from '../core/fs.ts';
import { toEnvelope, type DlqEnvelope } from './dlq/envelope.ts';

export type RejectedEnvelope = DlqEnvelope;

export class RejectedLog {
  readonly dir: string;
  /** `dir` overrides the default folder `<checkpoint>/rejected`. */
  constructor(checkpointDir: string, dir?: string) {
    this.dir = dir ?? join(checkpointDir, 'rejected');
  }

  fileFor(batchId: number): string {
    return join(this.dir, `batch-${String(batchId).padStart(10, '0')}.jsonl`);
  }

  /** Writes the batch's rejected records; returns the file path, or undefined when there were none. */
  async write(batchId: number, rejected: readonly Rejected[], batchTimestampMs: number): Promise<string | undefined> {
    if (rejected.length === 0) return undefined;
    await fsp.mkdir(this.dir, { recursive: true });
    const timestamp = new Date(batchTimestampMs).toISOString();
    const lines = rejected.map((r) => JSON.stringify(toEnvelope(r, batchId, timestamp)));
    const path = this.fileFor(batchId);
    await writeFileAtomic(path, lines.join('\n') + '\n');
    return path;
  }

  async readAll(): Promise<RejectedEnvelope[]> {
    let names: string[];
    try {
      names = (await fsp.readdir(this.dir)).filter((n) => n.endsWith('.jsonl')).sort();
    } catch {
      return [];
    }
    const out: RejectedEnvelope[] = [];
    for (const n of names) {
      const text = await fsp.readFile(join(this.dir, n), 'utf8');
      for (const line of text.split('\n')) if (line !== '') out.push(JSON.parse(line) as RejectedEnvelope);
    }
    return out;
  }
}
