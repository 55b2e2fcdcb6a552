// The console sink: prints each batch as a table, the way Spark's console sink and Dataset.show do.
import { z } from 'zod';
import { defineSink, type PreparedWrite, type Sink, type SinkResult } from '../../core/component.ts';
import type { Batch, Row } from '../../core/record.ts';
import type { DataType, StructType } from '../../core/schema.ts';
import { bool, nonNegativeInt } from '../../config/fields.ts';
import { valueToString } from '../../schema/values/format.ts';

export const consoleConfig = z
  .object({
    numRows: nonNegativeInt().default(20).meta({ description: 'How many rows of each batch to print (Spark default 20).' }),
    truncate: z
      .union([bool(), nonNegativeInt()])
      .default(true)
      .meta({ description: 'Cut cells longer than 20 characters (true), print them whole (false), or cut them at this many characters.' }),
  })
  .strict()
  .meta({ description: 'Prints every batch to standard output; for development and debugging.' });

export type ConsoleConfig = z.output<typeof consoleConfig>;

export interface ConsoleSinkOptions {
  /** Where the text goes; standard output by default. */
  readonly write?: (text: string) => void;
}

const RULE = '-------------------------------------------';

/** A batch as the table text it prints. */
interface ConsoleText extends PreparedWrite {
  readonly text: string;
  readonly numRows: number;
}

export function createConsoleSink(config: ConsoleConfig, options: ConsoleSinkOptions = {}): Sink<ConsoleText> {
  const write = options.write ?? ((s: string) => void process.stdout.write(s));
  const truncate = config.truncate === true ? 20 : config.truncate === false ? 0 : config.truncate;
  return {
    description: 'ConsoleSink',
    identity: () => ({ type: 'console' }),
    open: () => Promise.resolve(),
    prepare(batch: Batch): Promise<ConsoleText> {
      const text = `${RULE}\nBatch: ${batch.batchId}\n${RULE}\n${showString(batch.rows, batch.schema, config.numRows, truncate)}\n`;
      return Promise.resolve({ text, numRows: batch.rows.length, rejected: [] });
    },
    commit(prepared: ConsoleText): Promise<SinkResult> {
      write(prepared.text);
      return Promise.resolve({ numOutputRows: prepared.numRows, skipped: false });
    },
    close: () => Promise.resolve(),
  };
}

export const consoleSink = defineSink<ConsoleConfig>({
  type: 'console',
  summary: 'Prints each batch as a table (Spark console sink).',
  config: consoleConfig,
  capabilities: { progressMarkers: false, idempotentCommit: false, delivery: 'at-least-once', outputModes: ['append'] },
  create: (config) => createConsoleSink(config),
});

/** Renders rows as Spark's Dataset.show does: `+---+` borders, right-aligned cells when truncating,
 * `null` for nulls, and a note when rows were left out. */
export function showString(rows: readonly Row[], schema: StructType | null, numRows: number, truncate: number): string {
  const columns = schema !== null ? schema.fields.map((f) => ({ name: f.name, type: f.type })) : columnsOf(rows);
  const shown = rows.slice(0, numRows);
  const cut = (s: string): string => {
    if (truncate <= 0 || s.length <= truncate) return s;
    return truncate < 4 ? s.slice(0, truncate) : `${s.slice(0, truncate - 3)}...`;
  };
  const table: string[][] = [
    columns.map((c) => cut(c.name)),
    ...shown.map((r) => columns.map((c) => cut(formatCell(r[c.name], c.type)))),
  ];
  const widths = columns.map((_, i) => Math.max(3, ...table.map((line) => (line[i] ?? '').length)));
  const sep = `+${widths.map((w) => '-'.repeat(w)).join('+')}+\n`;
  const pad = (s: string, w: number): string => (truncate > 0 ? s.padStart(w) : s.padEnd(w));
  const line = (cells: string[]): string => `|${cells.map((c, i) => pad(c, widths[i] ?? 3)).join('|')}|\n`;
  let out = sep;
  const [header, ...body] = table;
  out += line(header ?? []);
  out += sep;
  for (const cells of body) out += line(cells);
  out += sep;
  if (rows.length > numRows) out += `only showing top ${numRows} row${numRows === 1 ? '' : 's'}\n`;
  return out;
}

function columnsOf(rows: readonly Row[]): { name: string; type: DataType | undefined }[] {
  const names = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) names.add(k);
  return [...names].map((name) => ({ name, type: undefined }));
}

/** Spark's cell rendering (the value's string form, src/schema/values/format.ts), except binary,
 * which Dataset.show prints as hex bytes. */
export function formatCell(v: unknown, type?: DataType): string {
  if (v instanceof Uint8Array) return `[${Array.from(v, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ')}]`;
  return valueToString(v, type ?? 'unknown') ?? 'null';
}
