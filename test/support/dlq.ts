// The dead-letter sink a plan would resolve for given `dead_letter` options, for tests of the queue.
import { registry } from '../../src/builtins/index.ts';
import { DeadLetterSchema, resolveDeadLetter, type DeadLetterPlan } from '../../src/plan/dead-letter.ts';

export function deadLetterPlan(options: Record<string, unknown>, checkpointDir: string): DeadLetterPlan {
  const r = resolveDeadLetter(DeadLetterSchema.parse(options), registry, checkpointDir, 'dead_letter');
  if (r.plan === undefined) throw new Error(`dead-letter options refused: ${JSON.stringify(r.problems)}`);
  return r.plan;
}
