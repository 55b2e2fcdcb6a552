// The file source's metadata log, in Spark's FileStreamSourceLog format, and the map of seen files.
//
//   <stateDir>/0, 1, 2 ...   one file per log batch:  v1\n{"path":"file:///abs","timestamp":ms,"batchId":N}\n...
//   <stateDir>/9.compact     every 10th batch: all entries of batches 0..9 (then 19.compact ...)
//
//   add(N):  write N (or N.compact) to a temp file, fsync, rename  -> the batch's files are fixed
//   load():  newest K.compact, then every plain batch file after K, in order
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CheckpointError, ErrorCodes } from '../../core/errors.ts';
import { writeFileAtomic } from '../../core/fs.ts';

export interface LogEntry {
  /** Absolute local path. */
  readonly path: string;
  /** Modification time in epoch milliseconds when the file was taken. */
  readonly timestamp: number;
  readonly batchId: number;
}

const VERSION = 'v1';
export const COMPACT_INTERVAL = 10;

function isCompactBatch(id: number): boolean {
  return (id + 1) % COMPACT_INTERVAL === 0;
}

export class FileSourceLog {
  private readonly batches = new Map<number, LogEntry[]>();
  private latest = -1;

  constructor(private readonly dir: string) {}

  get latestBatchId(): number {
    return this.latest;
  }

  get(batchId: number): readonly LogEntry[] | undefined {
    return this.batches.get(batchId);
  }

  *entries(): Iterable<LogEntry> {
    for (const list of this.batches.values()) yield* list;
  }

  async load(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    const names = await fsp.readdir(this.dir);
    const plain: number[] = [];
    let compact = -1;
    for (const n of names) {
      const m = /^(\d+)(\.compact)?$/.exec(n);
      if (m === null) continue;
      const id = Number(m[1]);
      if (m[2] !== undefined) compact = Math.max(compact, id);
      else plain.push(id);
    }
    this.batches.clear();
    this.latest = -1;
    if (compact >= 0) {
      for (const e of await this.readFile(`${compact}.compact`)) this.push(e);
      this.latest = compact;
    }
    for (const id of plain.filter((i) => i > compact).sort((a, b) => a - b)) {
      if (id !== this.latest + 1) {
        throw new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `file source log ${this.dir} is missing batch ${this.latest + 1} (found ${id})`);
      }
      const list = await this.readFile(String(id));
      this.batches.set(id, []);
      for (const e of list) this.push({ ...e, batchId: id });
      this.latest = id;
    }
  }

  /** Writes the entry of batch `batchId` (the next one) durably, compacting every 10th batch. */
  async add(batchId: number, files: readonly { path: string; timestamp: number }[]): Promise<void> {
    if (batchId !== this.latest + 1) {
      throw new CheckpointError(ErrorCodes.INTERNAL, `file source log: batch ${batchId} written after ${this.latest}`);
    }
    const entries = files.map((f) => ({ path: f.path, timestamp: f.timestamp, batchId }));
    let text: string;
    let name: string;
    if (isCompactBatch(batchId)) {
      name = `${batchId}.compact`;
      text = serialize([...this.entries(), ...entries]);
    } else {
      name = String(batchId);
      text = serialize(entries);
    }
    await writeFileAtomic(join(this.dir, name), text);
    this.batches.set(batchId, []);
    for (const e of entries) this.push(e);
    this.latest = batchId;
  }

  private push(e: LogEntry): void {
    let list = this.batches.get(e.batchId);
    if (list === undefined) {
      list = [];
      this.batches.set(e.batchId, list);
    }
    list.push(e);
  }

  private async readFile(name: string): Promise<LogEntry[]> {
    const file = join(this.dir, name);
    const text = await fsp.readFile(file, 'utf8');
    const lines = text.split('\n');
    const corrupt = (why: string): CheckpointError =>
      new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `file source log ${file} is corrupt: ${why}`);
    if (lines[0] !== VERSION) throw corrupt(`expected version line "${VERSION}", found ${JSON.stringify(lines[0])}`);
    const out: LogEntry[] = [];
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (line === '') continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw corrupt(`line ${i + 1} is not JSON`);
      }
      const o = v as { path?: unknown; timestamp?: unknown; batchId?: unknown };
      if (typeof o.path !== 'string' || typeof o.timestamp !== 'number' || typeof o.batchId !== 'number') {
        throw corrupt(`line ${i + 1} lacks path, timestamp or batchId`);
      }
      out.push({ path: o.path.startsWith('file:') ? fileURLToPath(o.path) : o.path, timestamp: o.timestamp, batchId: o.batchId });
    }
    return out;
  }
}

function serialize(entries: readonly LogEntry[]): string {
  let s = VERSION + '\n';
  for (const e of entries) s += JSON.stringify({ path: pathToFileURL(e.path).href, timestamp: e.timestamp, batchId: e.batchId }) + '\n';
  return s;
}

/** Spark's SeenFilesMap: files already taken, and the age limit below which files are ignored. */
export class SeenFiles {
  private readonly map = new Map<string, number>();
  private latestTimestamp = 0;
  private lastPurgeTimestamp = Number.NEGATIVE_INFINITY;

  constructor(private readonly maxAgeMs: number) {}

  add(path: string, timestamp: number): void {
    this.map.set(path, timestamp);
    if (timestamp > this.latestTimestamp) this.latestTimestamp = timestamp;
  }

  isNew(path: string, timestamp: number): boolean {
    return timestamp >= this.lastPurgeTimestamp && !this.map.has(path);
  }

  /** Forgets files older than the newest seen minus the age limit; older files are ignored from now on. */
  purge(): void {
    if (!Number.isFinite(this.maxAgeMs)) return;
    this.lastPurgeTimestamp = this.latestTimestamp - this.maxAgeMs;
    for (const [p, t] of this.map) if (t < this.lastPurgeTimestamp) this.map.delete(p);
  }

  get size(): number {
    return this.map.size;
  }
}
