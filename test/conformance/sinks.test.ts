// Every sink passes the same contract: Delta (read back with DuckDB), jsonl, memory, console and Kafka
// (read back with kcat).
import { describe } from 'node:test';
import { sinkConformance } from './harness.ts';
import { sinkFixtures } from './sink-fixtures.ts';

for (const [type, make] of Object.entries(sinkFixtures)) {
  describe(`sink conformance: ${type}`, () => sinkConformance(make));
}
