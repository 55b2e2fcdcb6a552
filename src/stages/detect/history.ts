// The versioned schema history of a detect stage, kept in the checkpoint like Auto Loader's _schemas:
// one file per version, written atomically before the batch that needs it reaches the sink.
//
//   <checkpoint>/stages/<n>/schemas/0000000000.json   {version, batchId, schema, added, reason}
//   <checkpoint>/stages/<n>/schemas/0000000001.json   ...
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, ErrorCodes, errorMessage } from '../../core/errors.ts';
import { writeFileAtomic } from '../../core/fs.ts';
import type { StructType } from '../../core/schema.ts';
import { parseSchemaJson } from '../../schema/ddl.ts';

export interface SchemaVersion {
  readonly version: number;
  /** The batch that first used this version. */
  readonly batchId: number;
  readonly schema: StructType;
  /** Dotted paths of the columns this version added. */
  readonly added: readonly string[];
  readonly reason: 'inferred' | 'declared' | 'evolved' | 'widened';
  /** Columns whose type this version widened (widen_types), as `name: old -> new`. */
  readonly widened?: readonly string[];
}

export class SchemaHistory {
  readonly dir: string;
  constructor(stateDir: string) {
    this.dir = join(stateDir, 'schemas');
  }

  async all(): Promise<SchemaVersion[]> {
    let names: string[];
    try {
      names = (await fsp.readdir(this.dir)).filter((n) => /^\d{10}\.json$/.test(n)).sort();
    } catch {
      return [];
    }
    const out: SchemaVersion[] = [];
    for (const n of names) {
      const path = join(this.dir, n);
      try {
        const v = JSON.parse(await fsp.readFile(path, 'utf8')) as SchemaVersion;
        out.push({ ...v, schema: parseSchemaJson(v.schema) });
      } catch (err) {
        throw new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `schema history file ${path} is unreadable: ${errorMessage(err)}`, { cause: err });
      }
    }
    return out;
  }

  async latest(): Promise<SchemaVersion | undefined> {
    const all = await this.all();
    return all[all.length - 1];
  }

  async append(v: SchemaVersion): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(join(this.dir, `${String(v.version).padStart(10, '0')}.json`), JSON.stringify(v, null, 1) + '\n');
  }
}
