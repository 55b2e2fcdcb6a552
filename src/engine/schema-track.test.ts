import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { field, struct } from '../core/schema.ts';
import { deriveSchema } from './schema-track.ts';

describe('the schema after a transform', () => {
  const base = struct([field('id', 'long', false), field('name', 'string')]);

  it('stays the same object when the rows keep the columns', () => {
    assert.equal(deriveSchema([{ id: 1, name: 'a' }, { id: 2, name: null }], base), base);
  });

  it('drops columns no row carries and infers new ones', () => {
    const s = deriveSchema([{ id: 1, score: 1 }, { id: 2, score: 2.5, when: new Date(0) }], base);
    assert.deepEqual(s, struct([field('id', 'long', false), field('score', 'double'), field('when', 'timestamp')]));
  });

  it('keeps the schema for an empty batch and infers one when there was none', () => {
    assert.equal(deriveSchema([], base), base);
    assert.deepEqual(deriveSchema([{ a: 'x' }], null), struct([field('a', 'string')]));
  });
});
