// A component context for driving Kafka sources and sinks directly in tests, with a temporary checkpoint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComponentContext } from '../../../src/core/component.ts';
import { silentLogger, type Logger } from '../../../src/core/logger.ts';

export interface TestContext extends ComponentContext {
  cleanup(): void;
}

export function testContext(opts: { dir?: string; maxOffsetsPerTrigger?: number; logger?: Logger } = {}): TestContext {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'sluice-kafka-'));
  return {
    queryId: 'test-query',
    pipelineName: 'kafka-test',
    checkpointDir: dir,
    stateDir: join(dir, 'sources', '0'),
    logger: opts.logger ?? silentLogger,
    signal: new AbortController().signal,
    defaults: opts.maxOffsetsPerTrigger === undefined ? {} : { maxOffsetsPerTrigger: opts.maxOffsetsPerTrigger },
    sinkVersions: () => Promise.resolve(new Map<string, number>()),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A logger that keeps what it is told, for asserting on warnings. */
export function recordingLogger(): Logger & { readonly lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const make = (): Logger => ({
    debug: (msg, fields) => void lines.push({ level: 'debug', msg, ...(fields === undefined ? {} : { fields }) }),
    info: (msg, fields) => void lines.push({ level: 'info', msg, ...(fields === undefined ? {} : { fields }) }),
    warn: (msg, fields) => void lines.push({ level: 'warn', msg, ...(fields === undefined ? {} : { fields }) }),
    error: (msg, fields) => void lines.push({ level: 'error', msg, ...(fields === undefined ? {} : { fields }) }),
    child: () => make(),
  });
  return Object.assign(make(), { lines });
}
