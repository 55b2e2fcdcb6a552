// The `streaming.error_handling.dead_letter` options and the sink they name: the dead-letter queue is
// any registered sink, given the rejected records as rows of envelopes (src/engine/dlq). `folder`,
// `delta` and `kafka` are the short forms of the jsonl, delta and kafka sinks.
import { join } from 'node:path';
import { z } from 'zod';
import type { SinkDefinition } from '../core/component.ts';
import type { ConfigProblem } from '../core/errors.ts';
import { closest, validate } from '../config/problems.ts';
import type { ComponentRegistry } from './plan.ts';

export const DeadLetterSchema = z
  .object({
    type: z.string().min(1).default('folder').meta({ description: 'Where rejected records go: `folder` (a `jsonl` sink: JSON lines, one file per batch), `delta` (a Delta table), `kafka` (a topic), or any other sink type with its `config`.' }),
    path: z.string().min(1).optional().meta({ description: 'folder: the folder (default `<checkpoint>/rejected`); delta: the table path (required).' }),
    kafka: z.record(z.string(), z.unknown()).optional().meta({ description: 'kafka: the Kafka sink options (`kafka.bootstrap.servers`, `topic` ...); `config` works as well.' }),
    config: z.record(z.string(), z.unknown()).optional().meta({ description: "The sink's own options, as it takes them in `streaming.sink.config`." }),
  })
  .strict();

export type DeadLetterConfig = z.output<typeof DeadLetterSchema>;

/** The sink the dead-letter queue writes to, resolved and validated when the plan is built. */
export interface DeadLetterPlan {
  readonly type: string;
  readonly def: SinkDefinition<unknown>;
  readonly config: unknown;
}

/** Resolves the dead-letter options to a sink definition and its validated config; `at` is the key
 * path of the options for problems (`streaming.error_handling.dead_letter`). */
export function resolveDeadLetter(c: DeadLetterConfig, registry: ComponentRegistry, checkpointLocation: string, at: string): { plan?: DeadLetterPlan; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const own = c.config ?? {};
  let type: string;
  let options: Record<string, unknown>;
  let optionsAt = `${at}.config`;
  switch (c.type) {
    case 'folder':
      type = 'jsonl';
      options = { path: c.path ?? join(checkpointLocation, 'rejected'), ...own };
      break;
    case 'delta':
      type = 'delta';
      // The envelope gains columns over time (payloadEncoding): an older DLQ table takes them.
      options = { mergeSchema: true, ...(c.path === undefined ? {} : { path: c.path }), ...own };
      if (options.path === undefined) problems.push({ path: `${at}.path`, message: 'a delta dead-letter queue needs the table path', expected: 'a folder path' });
      break;
    case 'kafka':
      type = 'kafka';
      options = { ...(c.kafka ?? own) };
      if (c.kafka !== undefined) optionsAt = `${at}.kafka`;
      if (c.kafka === undefined && c.config === undefined) {
        problems.push({ path: `${at}.kafka`, message: 'a kafka dead-letter queue needs the Kafka sink options (at least kafka.bootstrap.servers and topic)' });
      } else if (options.topic === undefined) {
        problems.push({ path: `${optionsAt}.topic`, message: 'the dead-letter topic is required', expected: 'a topic name' });
      }
      break;
    default:
      type = c.type;
      options = own;
  }
  if (problems.length > 0) return { problems };
  const def = registry.sinks.get(type);
  if (def === undefined) {
    const known = ['folder', ...registry.sinks.keys()];
    const guess = closest(c.type, known);
    problems.push({ path: `${at}.type`, message: `unknown dead-letter sink${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`, expected: `one of ${known.map((k) => `"${k}"`).join(', ')}`, found: c.type });
    return { problems };
  }
  const r = validate(def.config, options, optionsAt);
  if (!r.ok) problems.push(...r.problems);
  if (problems.length > 0 || !r.ok) return { problems };
  return { plan: { type, def, config: r.value }, problems };
}
