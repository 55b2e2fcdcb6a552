// In-process source and sink, like Spark's MemoryStream and memory sink: for tests of user
// transforms and for embedding. Their data lives in the process, so they survive a query restart
// inside one process but not a process restart.
import { z } from 'zod';
import { defineSink, defineSource, type Offset, type PreparedWrite, type Sink, type Source } from '../../core/component.ts';
import type { Batch, Row } from '../../core/record.ts';
import type { StructType } from '../../core/schema.ts';

/** Rows added with `addData`; offsets are row counts. */
export class MemoryStream {
  private static readonly streams = new Map<string, MemoryStream>();
  readonly rows: Row[] = [];
  constructor(
    readonly name: string,
    readonly schema: StructType | null = null,
  ) {
    MemoryStream.streams.set(name, this);
  }
  addData(...rows: Row[]): number {
    this.rows.push(...rows);
    return this.rows.length;
  }
  static get(name: string): MemoryStream | undefined {
    return MemoryStream.streams.get(name);
  }
}

/** The batches a memory sink received, by sink name. */
export class MemorySinkTable {
  private static readonly tables = new Map<string, MemorySinkTable>();
  readonly batches = new Map<number, Row[]>();
  static named(name: string): MemorySinkTable {
    let t = MemorySinkTable.tables.get(name);
    if (t === undefined) MemorySinkTable.tables.set(name, (t = new MemorySinkTable()));
    return t;
  }
  get rows(): Row[] {
    return [...this.batches.keys()].sort((a, b) => a - b).flatMap((k) => this.batches.get(k) ?? []);
  }
}

const MemorySourceConfig = z
  .object({
    name: z.string().meta({ description: 'Name of a MemoryStream created in this process.' }),
    maxRowsPerTrigger: z.number().int().positive().optional().meta({ description: 'Upper bound of rows per micro-batch.' }),
  })
  .strict();

export const memorySource = defineSource({
  type: 'memory',
  summary: 'Rows added in-process with `MemoryStream.addData` (tests and embedding; not durable across process restarts).',
  config: MemorySourceConfig,
  create(cfg, ctx): Source {
    const max = cfg.maxRowsPerTrigger ?? ctx.defaults.maxOffsetsPerTrigger;
    const stream = (): MemoryStream => {
      const s = MemoryStream.get(cfg.name);
      if (s === undefined) throw new Error(`no MemoryStream named ${cfg.name} in this process`);
      return s;
    };
    const pos = (o: Offset | null): number => (typeof o === 'number' ? o : 0);
    return {
      description: `MemoryStream[${cfg.name}]`,
      readAhead: true,
      identity: () => ({ type: 'memory', name: cfg.name }),
      open: () => Promise.resolve(void stream()),
      latestOffset(start, limit) {
        const from = pos(start);
        const avail = stream().rows.length;
        const end = limit.respectLimits && max !== undefined ? Math.min(avail, from + max) : avail;
        return Promise.resolve(end === from ? start : end);
      },
      read(start, end) {
        const s = stream();
        return Promise.resolve({ rows: s.rows.slice(pos(start), pos(end)).map((r) => ({ ...r })), rejected: [], schema: s.schema });
      },
      commit: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
  },
});

const MemorySinkConfig = z
  .object({ name: z.string().meta({ description: 'Name under which the received batches are kept (`MemorySinkTable.named`).' }) })
  .strict();

export const memorySink = defineSink({
  type: 'memory',
  summary: 'Keeps each batch in-process (tests and embedding); a batch id it already holds is skipped.',
  config: MemorySinkConfig,
  capabilities: { progressMarkers: false, idempotentCommit: true, delivery: 'exactly-once', outputModes: ['append'] },
  create(cfg): Sink<PreparedWrite & { readonly rows: Row[] }> {
    const table = MemorySinkTable.named(cfg.name);
    return {
      description: `MemorySink[${cfg.name}]`,
      identity: () => ({ type: 'memory', name: cfg.name }),
      open: () => Promise.resolve(),
      prepare(batch: Batch) {
        return Promise.resolve({ rows: batch.rows, rejected: [], skipped: table.batches.has(batch.batchId) });
      },
      commit(prepared, batch) {
        if (table.batches.has(batch.batchId)) return Promise.resolve({ numOutputRows: 0, skipped: true });
        table.batches.set(batch.batchId, prepared.rows);
        return Promise.resolve({ numOutputRows: prepared.rows.length, skipped: false });
      },
      close: () => Promise.resolve(),
    };
  },
});
