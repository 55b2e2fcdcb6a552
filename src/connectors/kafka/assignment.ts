// Which partitions the source reads: subscribe, subscribePattern or assign. The one place that decides
// partition ownership, so that a consumer-group mode can narrow it later without touching the source.
import type { JsonValue } from '../../core/component.ts';
import { ErrorCodes, SourceError } from '../../core/errors.ts';
import { tpKey, type KafkaClient, type TopicPartition } from './client.ts';

export type Assignment =
  | { readonly kind: 'subscribe'; readonly topics: readonly string[] }
  | { readonly kind: 'pattern'; readonly pattern: string }
  | { readonly kind: 'assign'; readonly partitions: readonly TopicPartition[] };

/** Spark's description, e.g. `Subscribe[a,b]`. */
export function describeAssignment(a: Assignment): string {
  switch (a.kind) {
    case 'subscribe':
      return `Subscribe[${a.topics.join(',')}]`;
    case 'pattern':
      return `SubscribePattern[${a.pattern}]`;
    case 'assign':
      return `Assign[${a.partitions.map((p) => `${p.topic}-${p.partition}`).join(', ')}]`;
  }
}

export function assignmentIdentity(a: Assignment): JsonValue {
  switch (a.kind) {
    case 'subscribe':
      return { subscribe: [...a.topics].sort() };
    case 'pattern':
      return { subscribePattern: a.pattern };
    case 'assign':
      return { assign: a.partitions.map((p) => tpKey(p.topic, p.partition)).sort() };
  }
}

/** Full-string match, as Java's Pattern.matches does for Spark's subscribePattern. */
export function patternMatcher(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/** The partitions currently assigned, sorted. A subscribed or assigned topic (or partition) that does not
 * exist fails by name; a pattern matching nothing yields no partitions. Internal topics never match. */
export async function assignedPartitions(client: KafkaClient, a: Assignment): Promise<TopicPartition[]> {
  const topics = await client.topics();
  const out: TopicPartition[] = [];
  if (a.kind === 'subscribe') {
    const missing = a.topics.filter((t) => !topics.has(t));
    if (missing.length > 0) throw notFound(missing, client.servers);
    for (const t of a.topics) for (const partition of topics.get(t) ?? []) out.push({ topic: t, partition });
  } else if (a.kind === 'pattern') {
    const re = patternMatcher(a.pattern);
    for (const [t, parts] of topics) {
      if (t.startsWith('__') || !re.test(t)) continue;
      for (const partition of parts) out.push({ topic: t, partition });
    }
  } else {
    const missing = a.partitions.filter((p) => !(topics.get(p.topic) ?? []).includes(p.partition));
    if (missing.length > 0) throw notFound(missing.map((p) => `${p.topic}-${p.partition}`), client.servers, 'topic partition');
    out.push(...a.partitions);
  }
  return out.sort((x, y) => (x.topic === y.topic ? x.partition - y.partition : x.topic < y.topic ? -1 : 1));
}

function notFound(names: string[], servers: string, what = 'topic'): SourceError {
  const plural = names.length === 1 ? what : `${what}s`;
  return new SourceError(ErrorCodes.SOURCE_NOT_FOUND, `Kafka ${plural} ${names.join(', ')} not found at ${servers}`, {
    details: { missing: names, servers },
  });
}
