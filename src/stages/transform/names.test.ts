// The transform stage's steps over columns named like object members (`__proto__`, `constructor`,
// `toString`): ordinary columns that every step keeps, reads and writes as it would any other.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Batch, Row } from '../../core/record.ts';
import type { StructType } from '../../core/schema.ts';
import { TransformConfigSchema } from './config.ts';
import { TransformStage } from './index.ts';

async function run(steps: unknown[], rows: Row[], schema: StructType | null = null): Promise<Batch> {
  const stage = await TransformStage.create('t', TransformConfigSchema.parse({ steps }));
  return stage.process({ batchId: 1, rows, rejected: [], schema });
}

const parsed = (json: string): Row => JSON.parse(json) as Row;
/** Own entries only: what a sink sees of a row. */
const own = (r: Row | undefined): [string, unknown][] => Object.entries(r ?? {});

describe('transform steps over columns named like object members', () => {
  it('select, rename and drop keep __proto__ as a column and read a missing constructor as null', async () => {
    const out = await run(
      [{ rename: { constructor: 'valueOf' } }, { drop: ['id'] }, { select: ['__proto__', 'valueOf', 'toString'] }],
      [parsed('{"id":1,"__proto__":"p","constructor":"c","toString":"t"}'), parsed('{"id":2,"__proto__":"q"}')],
    );
    assert.deepEqual(out.rows.map(own), [
      [['__proto__', 'p'], ['valueOf', 'c'], ['toString', 't']],
      [['__proto__', 'q'], ['valueOf', null], ['toString', null]],
    ]);
  });

  it('rename to __proto__ and fill_null, cast and mask on inherited names act on the row\'s own values', async () => {
    const out = await run(
      [{ rename: { name: '__proto__' } }, { fill_null: { constructor: 'none' } }, { cast: { toString: 'int' } }, { mask: { columns: ['hasOwnProperty'] } }],
      [parsed('{"name":"n","toString":"12","hasOwnProperty":"secret"}')],
    );
    const row = out.rows[0] ?? {};
    assert.deepEqual([Object.getPrototypeOf(row) === Object.prototype, own(row)], [true, [['__proto__', 'n'], ['toString', 12], ['hasOwnProperty', '******'], ['constructor', 'none']]]);
  });

  it('flatten and explode keep nested and exploded __proto__ values', async () => {
    const flat = await run([{ flatten: {} }], [parsed('{"id":1,"meta":{"__proto__":"m","constructor":"c"}}')]);
    assert.deepEqual(own(flat.rows[0]), [['id', 1], ['meta___proto__', 'm'], ['meta_constructor', 'c']]);
    const exploded = await run([{ explode: { column: '__proto__', position: 'constructor' } }], [parsed('{"id":1,"__proto__":["a","b"]}')]);
    assert.deepEqual(exploded.rows.map(own), [
      [['id', 1], ['constructor', 0], ['__proto__', 'a']],
      [['id', 1], ['constructor', 1], ['__proto__', 'b']],
    ]);
  });
});
