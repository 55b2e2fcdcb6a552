// The checkpoint folder, laid out like Spark's so its users find their way around it:
//
//   <checkpoint>/metadata            {"id": <query id>, "sluice": {source, sink identities}}
//   <checkpoint>/offsets/<batchId>   write-ahead log: planned end offsets, written before a batch runs
//   <checkpoint>/commits/<batchId>   written after the sink holds the batch
//   <checkpoint>/sources/<n>/...     each source's own state (seen-files log, initial offsets)
//   <checkpoint>/rejected/<batchId>.jsonl  records the batch could not process, with reasons
//
// Every file is written atomically; offsets and commits are put-if-absent, so a second process
// on the same checkpoint is detected instead of silently interleaving.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { JsonValue, Offset } from '../core/component.ts';
import { CheckpointError, ErrorCodes } from '../core/errors.ts';
import { readTextIfExists, writeFileAtomic, writeFileIfAbsent } from '../core/fs.ts';
import { acquireLock, type HeldLock } from './lock.ts';

export interface CheckpointMetadata {
  readonly id: string;
  readonly sluice?: { readonly source?: Record<string, JsonValue>; readonly sink?: Record<string, JsonValue>; readonly createdAt?: string };
}

export interface OffsetEntry {
  readonly batchId: number;
  readonly batchWatermarkMs: number;
  readonly batchTimestampMs: number;
  readonly offsets: readonly (Offset | null)[];
}

export interface CommitEntry {
  readonly batchId: number;
  readonly nextBatchWatermarkMs: number;
}

const VERSION_LINE = 'v1';
/** Like Spark's spark.sql.streaming.minBatchesToRetain. */
export const MIN_BATCHES_TO_RETAIN = 100;

export class CheckpointStore {
  readonly dir: string;
  private readonly offsetsDir: string;
  private readonly commitsDir: string;

  constructor(dir: string) {
    this.dir = dir;
    this.offsetsDir = join(dir, 'offsets');
    this.commitsDir = join(dir, 'commits');
  }

  sourceDir(index: number): string {
    return join(this.dir, 'sources', String(index));
  }

  /** Creates the folder layout and returns the existing metadata, if any. */
  async prepare(): Promise<CheckpointMetadata | undefined> {
    try {
      await fsp.mkdir(this.offsetsDir, { recursive: true });
      await fsp.mkdir(this.commitsDir, { recursive: true });
      await fsp.mkdir(this.sourceDir(0), { recursive: true });
    } catch (err) {
      throw new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `cannot create checkpoint folder ${this.dir}: ${(err as Error).message}`, {
        cause: err,
        details: { checkpoint: this.dir },
      });
    }
    const path = join(this.dir, 'metadata');
    const text = await readTextIfExists(path);
    if (text === undefined) return undefined;
    try {
      const meta = JSON.parse(text) as CheckpointMetadata;
      if (typeof meta.id !== 'string') throw new Error('no "id" field');
      return meta;
    } catch (err) {
      throw new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `checkpoint metadata ${path} is unreadable: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Records a new query's metadata, or checks that an existing checkpoint belongs to this query. */
  async bind(
    existing: CheckpointMetadata | undefined,
    id: string,
    identity: { source: Record<string, JsonValue>; sink: Record<string, JsonValue> },
  ): Promise<CheckpointMetadata> {
    if (existing === undefined) {
      const meta: CheckpointMetadata = { id, sluice: { ...identity, createdAt: new Date().toISOString() } };
      if (!(await writeFileIfAbsent(join(this.dir, 'metadata'), JSON.stringify(meta) + '\n'))) {
        throw new CheckpointError(ErrorCodes.CHECKPOINT_MISMATCH, `another query created checkpoint ${this.dir} at the same time`);
      }
      return meta;
    }
    for (const role of ['source', 'sink'] as const) {
      const before = existing.sluice?.[role];
      const now = identity[role];
      if (before !== undefined && stableJson(before) !== stableJson(now)) {
        throw new CheckpointError(
          ErrorCodes.CHECKPOINT_MISMATCH,
          `checkpoint ${this.dir} belongs to query ${existing.id} with a different ${role}: it was ${stableJson(before)}, now ${stableJson(now)}. ` +
            `Use a new checkpoint.location for a changed ${role}, or restore the original ${role} settings.`,
          { details: { checkpoint: this.dir, role, before, now } },
        );
      }
    }
    return existing;
  }

  /** Takes the checkpoint for this query (see lock.ts); a live query holding it, here or in another
   * process, is an error, and a lock left by a process that no longer exists is taken over. */
  lock(owner: { readonly queryId: string; readonly runId: string }): Promise<HeldLock> {
    return acquireLock(this.dir, owner);
  }

  async latestBatchId(kind: 'offsets' | 'commits'): Promise<number | undefined> {
    const ids = await this.batchIds(kind);
    return ids.length === 0 ? undefined : ids[ids.length - 1];
  }

  private async batchIds(kind: 'offsets' | 'commits'): Promise<number[]> {
    const names = await fsp.readdir(kind === 'offsets' ? this.offsetsDir : this.commitsDir);
    return names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  }

  async readOffsets(batchId: number): Promise<OffsetEntry | undefined> {
    const path = join(this.offsetsDir, String(batchId));
    const text = await readTextIfExists(path);
    if (text === undefined) return undefined;
    const lines = text.split('\n').filter((l) => l !== '');
    if (lines[0] !== VERSION_LINE || lines.length < 2) throw corrupt(path, 'expected "v1", a metadata line and one line per source');
    try {
      const meta = JSON.parse(lines[1] ?? '{}') as { batchWatermarkMs?: number; batchTimestampMs?: number };
      const offsets = lines.slice(2).map((l) => (l === '-' ? null : (JSON.parse(l) as Offset)));
      return { batchId, batchWatermarkMs: meta.batchWatermarkMs ?? 0, batchTimestampMs: meta.batchTimestampMs ?? 0, offsets };
    } catch (err) {
      throw corrupt(path, (err as Error).message);
    }
  }

  /** The write-ahead log entry of a batch. Returns false when it already exists. */
  async writeOffsets(e: OffsetEntry): Promise<boolean> {
    const meta = { batchWatermarkMs: e.batchWatermarkMs, batchTimestampMs: e.batchTimestampMs, conf: { 'sluice.engine': 'microbatch' } };
    const body = [VERSION_LINE, JSON.stringify(meta), ...e.offsets.map((o) => (o === null ? '-' : JSON.stringify(o)))].join('\n');
    return writeFileIfAbsent(join(this.offsetsDir, String(e.batchId)), body);
  }

  async readCommit(batchId: number): Promise<CommitEntry | undefined> {
    const path = join(this.commitsDir, String(batchId));
    const text = await readTextIfExists(path);
    if (text === undefined) return undefined;
    const lines = text.split('\n');
    if (lines[0] !== VERSION_LINE) throw corrupt(path, 'expected "v1" on the first line');
    try {
      const meta = JSON.parse(lines[1] ?? '{}') as { nextBatchWatermarkMs?: number };
      return { batchId, nextBatchWatermarkMs: meta.nextBatchWatermarkMs ?? 0 };
    } catch (err) {
      throw corrupt(path, (err as Error).message);
    }
  }

  async writeCommit(c: CommitEntry): Promise<void> {
    const ok = await writeFileIfAbsent(join(this.commitsDir, String(c.batchId)), `${VERSION_LINE}\n${JSON.stringify({ nextBatchWatermarkMs: c.nextBatchWatermarkMs })}`);
    if (!ok) {
      throw new CheckpointError(ErrorCodes.CHECKPOINT_MISMATCH, `batch ${c.batchId} was committed by another process in ${this.dir}; two queries must not share a checkpoint`);
    }
  }

  /** Drops offsets and commits older than the retention, as Spark does. */
  async purge(latestBatchId: number, retain = MIN_BATCHES_TO_RETAIN): Promise<void> {
    const threshold = latestBatchId - retain;
    if (threshold <= 0) return;
    for (const kind of ['offsets', 'commits'] as const) {
      const dir = kind === 'offsets' ? this.offsetsDir : this.commitsDir;
      for (const id of await this.batchIds(kind)) {
        if (id >= threshold) break;
        await fsp.rm(join(dir, String(id)), { force: true });
      }
    }
  }

  async writeMetadataFile(name: string, content: string): Promise<void> {
    await writeFileAtomic(join(this.dir, name), content);
  }
}

function corrupt(path: string, why: string): CheckpointError {
  return new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `checkpoint file ${path} is corrupt: ${why}`);
}

export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
