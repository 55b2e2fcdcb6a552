// The schema of rows a user function returned, and their values brought to it.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { field, struct } from '../../core/schema.ts';
import { conformOutput, deriveOutputSchema } from './function.ts';

describe('the schema after a user function', () => {
  const base = struct([field('id', 'long', false), field('name', 'string')]);

  it('stays the same object when the rows keep the columns', () => {
    assert.equal(deriveOutputSchema([{ id: 1, name: 'a' }, { id: 2, name: null }], base), base);
  });

  it('drops columns no row carries and takes new ones from their values', () => {
    const s = deriveOutputSchema([{ id: 1, score: 1 }, { id: 2, score: 2.5, when: new Date(0) }], base);
    assert.deepEqual(s, struct([field('id', 'long', false), field('score', 'double'), field('when', 'timestamp')]));
  });

  it('keeps the schema for an empty batch and infers one when there was none', () => {
    assert.equal(deriveOutputSchema([], base), base);
    assert.deepEqual(deriveOutputSchema([{ a: 'x' }], null), struct([field('a', 'string')]));
  });

  it('brings a Date to microseconds and sends a value that does not fit its column to the dead-letter queue', () => {
    const schema = struct([field('id', 'long', false), field('when', 'timestamp')]);
    const r = conformOutput({ stage: 'enrich', path: 'transform' }, { rows: [{ id: 1, when: new Date(1) }, { id: null, when: null }], rejected: [], schema });
    assert.deepEqual(r.rows, [{ id: 1, when: 1000n }]);
    assert.deepEqual(r.rejected.map((x) => [x.errorType, x.rule, x.message]), [['SCHEMA_VALIDATION', 'transform', 'transform returned a value that does not fit its column: id: expected a non-null bigint, found null']]);
  });
});
