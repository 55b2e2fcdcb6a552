// Every component in the built-in list has a conformance fixture, so no source or sink escapes the suite.
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { registry } from '../../src/builtins/index.ts';
import { sinkFixtures } from './sink-fixtures.ts';
import { sourceFixtures } from './source-fixtures.ts';

it('has a conformance fixture for every registered source and sink, and none for a type that is not registered', () => {
  assert.deepEqual(Object.keys(sourceFixtures).sort(), [...registry.sources.keys()].sort());
  assert.deepEqual(Object.keys(sinkFixtures).sort(), [...registry.sinks.keys()].sort());
});
