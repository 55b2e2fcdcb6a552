// The ComponentContext a component gets from the engine, built by hand for tests of one component.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ComponentContext } from '../../src/core/component.ts';
import { silentLogger } from '../../src/core/logger.ts';

/** A context over checkpoint folder `dir` (its `sources/0` is the state folder, created here unless
 * `makeDirs` is false: for components that keep nothing in the checkpoint). */
export function componentContext(dir: string, overrides: Partial<ComponentContext> = {}, { makeDirs = true } = {}): ComponentContext {
  if (makeDirs) mkdirSync(overrides.stateDir ?? join(dir, 'sources', '0'), { recursive: true });
  return {
    queryId: 'test-query',
    pipelineName: 'test',
    checkpointDir: dir,
    stateDir: join(dir, 'sources', '0'),
    logger: silentLogger,
    signal: new AbortController().signal,
    defaults: {},
    sinkVersions: () => Promise.resolve(new Map<string, number>()),
    ...overrides,
  };
}
