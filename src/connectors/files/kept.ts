// The files of each source-log batch that went to the dead-letter queue whole (corrupt, unreadable, a
// document that does not parse): with cleanSource delete they are the only copy of their records, so
// they stay in place. Recorded in the source's checkpoint folder, because cleanup after a restart
// walks the log from its start again.
//
//   <stateDir>/kept/<log batch id>.json   ["/abs/path", ...]   written when the batch is read
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { readTextIfExists, writeFileAtomic } from '../../core/fs.ts';

export class KeptFiles {
  private readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'kept');
  }

  private fileFor(logBatchId: number): string {
    return join(this.dir, `${logBatchId}.json`);
  }

  /** Records the batch's files to keep (none: forgets an earlier list, as when a re-read found the
   * file fixed); a re-read of the batch writes the same list again. */
  async record(logBatchId: number, paths: readonly string[]): Promise<void> {
    if (paths.length === 0) {
      await fsp.rm(this.fileFor(logBatchId), { force: true });
      return;
    }
    await fsp.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.fileFor(logBatchId), JSON.stringify([...paths].sort()) + '\n');
  }

  async of(logBatchId: number): Promise<Set<string>> {
    const text = await readTextIfExists(this.fileFor(logBatchId));
    if (text === undefined) return new Set();
    const list = JSON.parse(text) as unknown;
    return new Set(Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : []);
  }
}
