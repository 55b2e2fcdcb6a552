// The file-stream source: plans batches of new files through its metadata log and reads them exactly once.
//
//   latestOffset(start):  entry start+1 already in the log? -> reuse it (crash before the engine's WAL)
//                         else list -> drop seen/too old -> order -> apply limits
//                              -> write log entry N (atomic) -> {logOffset: N}
//   read(start, end):     files of log entries (start, end] -> parse -> schema -> conform
//                         (a bad or vanished file: one dead-letter entry, see read-file.ts)
//   commit(end):          cleanSource (delete / archive) for files of entries <= end
import { promises as fsp, constants as fsConstants } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { ComponentContext, ComponentHealth, Offset, ReadLimit, Source } from '../../core/component.ts';
import { CheckpointError, ErrorCodes, SourceError, errorMessage } from '../../core/errors.ts';
import type { Rejected, Row, SourceData } from '../../core/record.ts';
import type { StructType } from '../../core/schema.ts';
import { readTextIfExists, writeFileAtomic } from '../../core/fs.ts';
import { parseSchema, parseSchemaJson } from '../../schema/ddl.ts';
import type { FileSourceConfig } from './config.ts';
import { FileSourceLog, SeenFiles, type LogEntry } from './log.ts';
import { fileMatcher, listFiles, type FileMatcher, type ListedFile } from './listing.ts';
import { decodeBatch, type RawBatch } from './decode.ts';
import { KeptFiles } from './kept.ts';
import { readOneFile } from './read-file.ts';

const SCHEMA_FILE = 'schema.json';

export function logOffsetOf(o: Offset | null, what: string): number {
  if (o === null) return -1;
  const n = typeof o === 'object' && !Array.isArray(o) ? o.logOffset : undefined;
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return n;
  throw new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `file source: ${what} offset ${JSON.stringify(o)} is not {"logOffset": N}`);
}

export class FileStreamSource implements Source {
  readonly description: string;
  // Planning only lists the folder and records files in the source log, never asks the sink.
  readonly readAhead = true;
  private readonly root: string;
  private readonly matcher: FileMatcher;
  private readonly log: FileSourceLog;
  private readonly seen: SeenFiles;
  private readonly declared: StructType | null;
  private schema: StructType | null;
  private availableNow: Set<string> | null = null;
  private cleanedThrough = -1;
  private readonly kept: KeptFiles;
  private outstanding = { files: 0, bytes: 0 };

  constructor(
    private readonly config: FileSourceConfig,
    private readonly ctx: ComponentContext,
  ) {
    this.root = resolve(config.path);
    this.description = `FileStreamSource[${this.root}]`;
    this.matcher = fileMatcher(config.pattern);
    this.log = new FileSourceLog(ctx.stateDir);
    this.kept = new KeptFiles(ctx.stateDir);
    // Spark: with latestFirst and maxFilesPerTrigger, old files would be dropped before their turn.
    const ignoreAge = config.latestFirst && config.maxFilesPerTrigger !== undefined;
    this.seen = new SeenFiles(ignoreAge ? Number.POSITIVE_INFINITY : config.maxFileAge);
    this.declared = config.schema === undefined ? null : parseSchema(config.schema);
    this.schema = this.declared;
  }

  identity(): Record<string, string> {
    return { type: 'file', path: this.root, format: this.config.format };
  }

  async open(): Promise<void> {
    try {
      const st = await fsp.stat(this.root);
      if (!st.isDirectory()) throw new Error('not a directory');
    } catch (err) {
      throw new SourceError(ErrorCodes.SOURCE_NOT_FOUND, `file source: the folder ${this.root} does not exist or is not a folder`, {
        cause: err,
        details: { path: this.root },
      });
    }
    await this.log.load();
    for (const e of this.log.entries()) this.seen.add(e.path, e.timestamp);
    this.seen.purge();
    if (this.declared === null) {
      const text = await readTextIfExists(join(this.ctx.stateDir, SCHEMA_FILE));
      if (text !== undefined) this.schema = parseSchemaJson(JSON.parse(text));
    }
  }

  async prepareForAvailableNow(): Promise<void> {
    const files = await this.list();
    this.availableNow = new Set(files.map((f) => f.path));
  }

  async latestOffset(start: Offset | null, limit: ReadLimit): Promise<Offset | null> {
    const startId = logOffsetOf(start, 'start');
    const nextId = startId + 1;
    if (nextId <= this.log.latestBatchId) return { logOffset: nextId };
    if (nextId > this.log.latestBatchId + 1) {
      throw new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `file source: offset ${startId} is beyond the source log (last batch ${this.log.latestBatchId})`);
    }
    let files = await this.list();
    const only = this.availableNow;
    if (only !== null) files = files.filter((f) => only.has(f.path));
    const fresh = files.filter((f) => this.seen.isNew(f.path, f.mtimeMs));
    const dir = this.config.latestFirst ? -1 : 1;
    fresh.sort((a, b) => dir * (a.mtimeMs - b.mtimeMs) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const chosen = limit.respectLimits ? this.takeWithinLimits(fresh) : fresh;
    this.outstanding = {
      files: fresh.length - chosen.length,
      bytes: fresh.slice(chosen.length).reduce((s, f) => s + f.size, 0),
    };
    if (chosen.length === 0) return start;
    await this.log.add(nextId, chosen.map((f) => ({ path: f.path, timestamp: f.mtimeMs })));
    for (const f of chosen) this.seen.add(f.path, f.mtimeMs);
    this.seen.purge();
    this.ctx.logger.debug('file source planned batch', { logOffset: nextId, files: chosen.length });
    return { logOffset: nextId };
  }

  private takeWithinLimits(files: ListedFile[]): ListedFile[] {
    const maxFiles = this.config.maxFilesPerTrigger ?? Number.POSITIVE_INFINITY;
    const maxBytes = this.config.maxBytesPerTrigger ?? Number.POSITIVE_INFINITY;
    let bytes = 0;
    let n = 0;
    while (n < files.length && n < maxFiles) {
      const size = files[n]?.size ?? 0;
      // At least one file per batch, even one larger than the byte limit.
      if (n > 0 && bytes + size > maxBytes) break;
      bytes += size;
      n++;
    }
    return files.slice(0, n);
  }

  private async list(): Promise<ListedFile[]> {
    try {
      return await listFiles(this.root, this.matcher);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new SourceError(code === 'ENOENT' ? ErrorCodes.SOURCE_NOT_FOUND : ErrorCodes.SOURCE_READ, `file source: cannot list ${this.root}: ${errorMessage(err)}`, {
        cause: err,
        retryable: code !== 'ENOENT',
        details: { path: this.root },
      });
    }
  }

  private entriesBetween(startId: number, endId: number): LogEntry[] {
    const out: LogEntry[] = [];
    for (let id = startId + 1; id <= endId; id++) {
      const list = this.log.get(id);
      if (list === undefined) {
        throw new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `file source: batch ${id} is not in the source log ${this.ctx.stateDir}`);
      }
      out.push(...list);
    }
    return out;
  }

  async read(start: Offset | null, end: Offset): Promise<SourceData> {
    const entries = this.entriesBetween(logOffsetOf(start, 'start'), logOffsetOf(end, 'end'));
    let raw: RawBatch = emptyRaw();
    let bytes = 0;
    const known = this.schema;
    const rows: Row[] = [];
    const rejected: Rejected[] = [];
    const unknownFields = new Set<string>();
    const keep = new Map<number, string[]>();
    for (const e of entries) {
      const file = readOneFile(e.path, this.config, raw);
      bytes += file.bytes;
      if (file.wholeFileRejected) keep.set(e.batchId, [...(keep.get(e.batchId) ?? []), e.path]);
      if (known === null) continue;
      // With the schema settled, each file is conformed as soon as it is parsed: the values it
      // replaces (timestamp text, say) die young instead of being carried through the whole batch.
      const one = decodeBatch(raw, this.config, known);
      for (const r of one.rows) rows.push(r);
      for (const r of one.rejected) rejected.push(r);
      for (const f of one.unknownFields) if (unknownFields.size < 100) unknownFields.add(f);
      raw = emptyRaw();
    }
    // Recorded whatever cleanSource is now: a restart may turn delete on, and cleans the old batches too.
    for (const id of new Set(entries.map((e) => e.batchId))) await this.kept.record(id, keep.get(id) ?? []);
    const decoded = known === null ? decodeBatch(raw, this.config, null) : { schema: known, rows, rejected, unknownFields: [...unknownFields] };
    if (this.schema === null && decoded.schema !== null) {
      // Persisted before rows are handed on, so a replay of this batch uses the very same schema.
      await fsp.mkdir(this.ctx.stateDir, { recursive: true });
      await writeFileAtomic(join(this.ctx.stateDir, SCHEMA_FILE), JSON.stringify(decoded.schema) + '\n');
      this.schema = decoded.schema;
    }
    if (decoded.unknownFields.length > 0) {
      this.ctx.logger.warn('file source dropped fields that are not in the schema', { fields: decoded.unknownFields.slice(0, 20) });
    }
    return { rows: decoded.rows, rejected: inFileOrder(decoded.rejected, entries), schema: this.schema, bytes };
  }

  async commit(end: Offset): Promise<void> {
    const endId = logOffsetOf(end, 'end');
    if (this.config.cleanSource === 'off' || endId <= this.cleanedThrough) {
      this.cleanedThrough = Math.max(this.cleanedThrough, endId);
      return;
    }
    for (let id = this.cleanedThrough + 1; id <= endId; id++) {
      const entries = this.log.get(id) ?? [];
      // Files sent whole to the dead-letter queue are the only copy of their records: never deleted.
      const kept = this.config.cleanSource === 'delete' && entries.length > 0 ? await this.kept.of(id) : new Set<string>();
      for (const e of entries) {
        if (kept.has(e.path)) this.ctx.logger.info('file source keeps a file that went to the dead-letter queue whole', { file: e.path });
        else await this.clean(e.path);
      }
    }
    this.cleanedThrough = endId;
  }

  private async clean(path: string): Promise<void> {
    try {
      if (this.config.cleanSource === 'delete') {
        await fsp.rm(path, { force: true });
        return;
      }
      const archiveDir = resolve(this.config.sourceArchiveDir ?? '');
      const target = join(archiveDir, relative(this.root, path));
      await fsp.mkdir(dirname(target), { recursive: true });
      try {
        await fsp.rename(path, target);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return;
        if (code !== 'EXDEV') throw err;
        await fsp.copyFile(path, target);
        await fsp.rm(path, { force: true });
      }
    } catch (err) {
      // Cleaning is best effort, as in Spark: the data is committed, a leftover file is harmless.
      this.ctx.logger.warn('file source could not clean up a committed file', { file: path, error: errorMessage(err) });
    }
  }

  metrics(): Record<string, string> {
    return {
      numFilesOutstanding: String(this.outstanding.files),
      numBytesOutstanding: String(this.outstanding.bytes),
    };
  }

  async health(): Promise<ComponentHealth> {
    try {
      await fsp.access(this.root, fsConstants.R_OK);
      return { healthy: true, detail: `${this.root} is readable` };
    } catch (err) {
      return { healthy: false, detail: `${this.root} is not readable: ${errorMessage(err)}` };
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Parse and schema rejections are found in separate passes; report them in file and line order. */
function inFileOrder(rejected: Rejected[], entries: readonly LogEntry[]): Rejected[] {
  if (rejected.length < 2) return rejected;
  const rank = new Map(entries.map((e, i) => [e.path, i]));
  return rejected
    .map((r, i) => ({ r, i }))
    .sort((a, b) =>
      (rank.get(a.r.origin.file ?? '') ?? 0) - (rank.get(b.r.origin.file ?? '') ?? 0) ||
      (a.r.origin.line ?? 0) - (b.r.origin.line ?? 0) ||
      a.i - b.i)
    .map((x) => x.r);
}

function emptyRaw(): RawBatch {
  return { jsonRows: [], csvFiles: [], parquet: [], rejected: [] };
}
