// One broker per test file, with the sources and contexts a file creates closed and removed at its end.
import { after, before } from 'node:test';
import type { Source } from '../../../src/core/component.ts';
import { startBroker, type TestBroker } from './broker.ts';
import type { TestContext } from './context.ts';

export interface KafkaFixture {
  readonly contexts: TestContext[];
  readonly sources: Source[];
}

/** Registers the file's before/after hooks; `onBroker` receives the broker once it answers. */
export function kafkaFixture(onBroker: (broker: TestBroker) => void): KafkaFixture {
  let broker: TestBroker | undefined;
  const contexts: TestContext[] = [];
  const sources: Source[] = [];
  before(async () => {
    broker = await startBroker();
    onBroker(broker);
  });
  after(async () => {
    for (const s of sources) await s.close();
    for (const c of contexts) c.cleanup();
    await broker?.stop();
  });
  return { contexts, sources };
}
