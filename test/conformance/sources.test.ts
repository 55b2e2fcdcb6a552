// Every source passes the same contract: file, rate, memory and Kafka (against the test broker).
import { describe } from 'node:test';
import { sourceConformance } from './harness.ts';
import { sourceFixtures } from './source-fixtures.ts';

for (const [type, make] of Object.entries(sourceFixtures)) {
  describe(`source conformance: ${type}`, () => sourceConformance(make));
}
