// The `detect` stage: infers the schema of arriving records in real time, keeps a versioned history
// in the checkpoint and evolves it per Auto Loader's modes (addNewColumns, rescue, failOnNewColumns, none).
import { defineStage, type Stage } from '../../core/component.ts';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';
import { originOf, type Batch, type Rejected, type Row } from '../../core/record.ts';
import { field, struct, type StructType } from '../../core/schema.ts';
import { parseSchema } from '../../schema/ddl.ts';
import { conformerFor, inputKindOf } from '../../schema/conform.ts';
import { inferSchema } from '../../schema/infer.ts';
import { payloadOf } from '../validate/payload.ts';
import { detectConfig, type DetectConfig } from './config.ts';
import { foldRow, foldSchema, lowerPaths } from './case.ts';
import { addFields, rescueRow, widenFields } from './evolve.ts';
import { SchemaHistory, type SchemaVersion } from './history.ts';

export interface DetectMetrics {
  batchId: number;
  schemaVersion: number | null;
  /** Columns added by this batch (dotted paths for nested fields). */
  addedColumns: string[];
  /** Columns widened by this batch (widen_types), as `name: old -> new`. */
  widenedColumns: string[];
  rescuedRows: number;
  rejectedRows: number;
  columns: number;
}

export class DetectStage implements Stage {
  private current: SchemaVersion | undefined;
  /** The current schema's field paths in lower case, to spot a known field spelled otherwise. */
  private known: ReadonlySet<string> = new Set();
  private m: DetectMetrics = { batchId: -1, schemaVersion: null, addedColumns: [], widenedColumns: [], rescuedRows: 0, rejectedRows: 0, columns: 0 };

  private constructor(
    readonly name: string,
    private readonly cfg: DetectConfig,
    private readonly history: SchemaHistory,
    private readonly seed: StructType | null,
  ) {}

  /** Loads the history; a declared schema naming columns the history lacks evolves it (the way to
   * continue after failOnNewColumns stopped the stream). */
  static async open(name: string, cfg: DetectConfig, stateDir: string): Promise<DetectStage> {
    const seed = cfg.schema === undefined ? null : parseSchema(cfg.schema);
    const s = new DetectStage(name, cfg, new SchemaHistory(stateDir), seed);
    s.current = await s.history.latest();
    if (s.current !== undefined && seed !== null) {
      const r = addFields(s.current.schema, seed);
      if (r.added.length > 0) await s.record(r.schema, r.added, s.current.batchId, 'declared');
    }
    if (s.current !== undefined) s.use(s.current.schema);
    return s;
  }

  get schemaHistory(): SchemaHistory {
    return this.history;
  }

  async process(batch: Batch): Promise<Batch> {
    if (batch.batchId !== this.m.batchId) this.m = { batchId: batch.batchId, schemaVersion: this.current?.version ?? null, addedColumns: [], widenedColumns: [], rescuedRows: 0, rejectedRows: 0, columns: 0 };
    if (this.current === undefined) {
      if (batch.rows.length === 0) return batch;
      let schema = foldSchema(observed(batch, batch.rows));
      if (this.seed !== null) schema = seedTypes(this.seed, schema);
      const rescued = this.cfg.rescued_column.toLowerCase();
      if (this.cfg.mode === 'rescue' && !schema.fields.some((f) => f.name.toLowerCase() === rescued)) schema = struct([...schema.fields, field(this.cfg.rescued_column, 'string')]);
      await this.record(schema, schema.fields.map((f) => f.name), batch.batchId, this.seed === null ? 'inferred' : 'declared');
      this.m.addedColumns.push(...schema.fields.map((f) => f.name));
    }
    let pass = this.fit(batch);
    if (pass.unknown.size > 0 && this.cfg.mode === 'addNewColumns') {
      const cur = this.current as SchemaVersion;
      const r = addFields(cur.schema, foldSchema(observed(batch, pass.unknownRows)));
      if (r.added.length > 0) {
        await this.record(r.schema, r.added, batch.batchId, 'evolved');
        this.m.addedColumns.push(...r.added);
        pass = this.fit(batch);
      }
    }
    if (pass.misfits.length > 0 && this.cfg.mode === 'addNewColumns' && this.cfg.widen_types) {
      const cur = this.current as SchemaVersion;
      const r = widenFields(cur.schema, foldSchema(observed(batch, pass.misfits)));
      if (r.widened.length > 0) {
        await this.record(r.schema, [], batch.batchId, 'widened', r.widened);
        this.m.widenedColumns.push(...r.widened);
        pass = this.fit(batch);
      }
    }
    if (pass.unknown.size > 0 && this.cfg.mode === 'failOnNewColumns') {
      const names = [...pass.unknown].sort();
      throw new SluiceError(
        ErrorCodes.SCHEMA_CHANGED,
        `stage ${this.name}: batch ${batch.batchId} brings new column${names.length === 1 ? '' : 's'} ${names.join(', ')} (mode failOnNewColumns); add ${names.length === 1 ? 'it' : 'them'} to the stage's schema and restart to continue`,
        { details: { stage: this.name, batchId: batch.batchId, newColumns: names, schemaVersion: this.current?.version ?? null } },
      );
    }
    const cur = this.current as SchemaVersion;
    // Added, not set: a batch above max.batch.bytes reaches the stage in several slices.
    this.m.rescuedRows += pass.rescuedRows;
    this.m.rejectedRows += pass.rejected.length;
    this.m.schemaVersion = cur.version;
    this.m.columns = cur.schema.fields.length;
    return { ...batch, rows: pass.rows, rejected: [...batch.rejected, ...pass.rejected], schema: cur.schema };
  }

  outputSchema(input: StructType | null): StructType | null {
    return this.current?.schema ?? input;
  }

  metrics(): Record<string, unknown> {
    return { ...this.m, addedColumns: [...this.m.addedColumns], widenedColumns: [...this.m.widenedColumns] };
  }

  private fit(batch: Batch): { rows: Row[]; rejected: Rejected[]; unknown: Set<string>; unknownRows: Row[]; rescuedRows: number; misfits: Row[] } {
    const cur = this.current as SchemaVersion;
    const conform = conformerFor(cur.schema, { input: inputKindOf(batch.schema) });
    const rows: Row[] = [];
    const rejected: Rejected[] = [];
    const unknown = new Set<string>();
    const unknownRows: Row[] = [];
    const misfits: Row[] = [];
    const rescue = this.cfg.mode === 'rescue';
    let rescuedRows = 0;
    for (const original of batch.rows) {
      let input = original;
      let r = conform(input);
      // A known column spelled with another case is that column (see case.ts); rescue mode rescues it.
      if (!rescue && (!r.ok || r.unknownFields.some((p) => this.known.has(p.toLowerCase())))) {
        const f = foldRow(input, cur.schema);
        if ('clash' in f) {
          rejected.push({ errorType: 'SCHEMA_VALIDATION', stage: this.name, rule: 'schema', message: f.clash, payload: payloadOf(input), origin: originOf(input) ?? {} });
          continue;
        }
        if (f.changed) {
          input = f.row;
          r = conform(input);
        }
      }
      if (r.ok && (r.unknownFields.length === 0 || this.cfg.mode === 'none')) {
        rows.push(r.row);
        continue;
      }
      if (r.ok && !rescue) {
        for (const p of r.unknownFields) unknown.add(p);
        unknownRows.push(input);
        rows.push(r.row);
        continue;
      }
      if (rescue) {
        const x = rescueRow(input, cur.schema, conform, this.cfg.rescued_column);
        if (x !== null) {
          if (x.rescued) rescuedRows++;
          rows.push(x.row);
          continue;
        }
      }
      const message = r.ok ? 'record cannot be fitted to the schema' : `does not fit schema version ${cur.version}: ${r.message}`;
      misfits.push(input);
      rejected.push({ errorType: 'SCHEMA_VALIDATION', stage: this.name, rule: 'schema', message, payload: payloadOf(input), origin: originOf(input) ?? {} });
    }
    return { rows, rejected, unknown, unknownRows, rescuedRows, misfits };
  }

  private async record(schema: StructType, added: readonly string[], batchId: number, reason: SchemaVersion['reason'], widened?: readonly string[]): Promise<void> {
    const v: SchemaVersion = { version: this.current === undefined ? 0 : this.current.version + 1, batchId, schema, added: [...added], reason, ...(widened === undefined ? {} : { widened: [...widened] }) };
    await this.history.append(v);
    this.current = v;
    this.use(schema);
  }

  private use(schema: StructType): void {
    this.known = lowerPaths(schema);
  }
}

/** The schema of rows of a batch: the batch's own when a source or stage gave it one (its rows then
 * hold typed values, a timestamp as microseconds, which inference would take for a number), else
 * what the JSON values imply. */
function observed(batch: Batch, rows: readonly Row[]): StructType {
  return batch.schema ?? inferSchema(rows);
}

/** The inferred schema with the declared columns' types (hints), declared columns first. */
function seedTypes(seed: StructType, inferred: StructType): StructType {
  return addFields(seed, inferred).schema;
}

export const detectStage = defineStage<DetectConfig>({
  type: 'detect',
  summary: 'Infers the schema of arriving records in real time with a versioned history in the checkpoint; evolves it per mode (addNewColumns, rescue, failOnNewColumns, none).',
  config: detectConfig,
  create: (cfg, ctx) => DetectStage.open(ctx.stageName, cfg, ctx.stateDir),
});
