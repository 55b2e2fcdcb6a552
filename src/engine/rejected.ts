// Reads the default dead-letter queue: the JSON-lines files the jsonl sink writes in the checkpoint's
// `rejected/` folder, one per batch, for `sluice checkpoint show` and for tests.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { DlqEnvelope } from './dlq/envelope.ts';

export type RejectedEnvelope = DlqEnvelope;

export class RejectedLog {
  readonly dir: string;
  /** `dir` overrides the default folder `<checkpoint>/rejected`. */
  constructor(checkpointDir: string, dir?: string) {
    this.dir = dir ?? join(checkpointDir, 'rejected');
  }

  /** Every entry, in batch order; a field the file leaves out (a null) is read as absent, and a
   * missing payload as null. */
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
      for (const line of text.split('\n')) {
        if (line === '') continue;
        const e = JSON.parse(line) as RejectedEnvelope;
        out.push({ ...e, payload: e.payload ?? null });
      }
    }
    return out;
  }
}
