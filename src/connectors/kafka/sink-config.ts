// The Kafka sink's options: routing columns as in Spark's Kafka sink, producer settings in Kafka's names.
import { z } from 'zod';
import { bool, nonNegativeInt } from '../../config/fields.ts';
import { checkClientSettings, clientShape, type ClientSettings } from './settings.ts';

const d = (description: string) => ({ description });

/** gzip is built into kafkajs; the other codecs need packages that are not part of sluice. */
export const AVAILABLE_CODECS = ['none', 'gzip'] as const;
const UNAVAILABLE_CODECS = ['snappy', 'lz4', 'zstd'];

const sinkShape = {
  ...clientShape,
  topic: z.string().min(1).optional().meta(d('Topic to write to. Without it, each row\'s `topic` column names its topic.')),
  keyColumn: z.string().min(1).optional().meta(d('Column holding the record key (string or bytes); defaults to `key` when the rows have it, else no key.')),
  valueColumn: z.string().min(1).optional().meta(d('Column holding the record value (string or bytes); defaults to `value` when the rows have it, else the JSON of the row.')),
  headersColumn: z.string().min(1).optional().meta(d('Column of headers, a list of {key, value}; defaults to `headers` when present.')),
  partitionColumn: z.string().min(1).optional().meta(d('Column with the target partition number; defaults to `partition` when present, else the key decides (murmur2, as Kafka\'s Java client).')),
  compression: z.string().optional().meta(d('Record batch compression: none (default) or gzip.')),
  'kafka.compression.type': z.string().optional().meta(d('Alias of `compression`.')),
  'kafka.acks': z.enum(['all', '-1', '1', '0']).default('all').meta(d('Acknowledgements to wait for: all (default, required by idempotence), 1 or 0.')),
  'kafka.enable.idempotence': bool().default(true).meta(d('Idempotent producer (default true): broker-side de-duplication of retried sends.')),
  'kafka.retries': nonNegativeInt().default(5).meta(d('Immediate re-sends by the producer of what a broker did not acknowledge (after refreshing metadata); then the write fails and streaming.error_handling.retry takes over with its backoff. The idempotent producer re-sends at least once.')),
};

export interface KafkaSinkConfig {
  readonly client: Partial<ClientSettings>;
  readonly topic?: string;
  readonly keyColumn?: string;
  readonly valueColumn?: string;
  readonly headersColumn?: string;
  readonly partitionColumn?: string;
  readonly compression: 'none' | 'gzip';
  readonly acks: -1 | 0 | 1;
  readonly idempotent: boolean;
  readonly retries: number;
}

/** The options as documented (before normalisation), for generated docs. */
export const kafkaSinkOptions = z.strictObject(sinkShape);

export const kafkaSinkSchema = kafkaSinkOptions
  .superRefine((c, ctx) => {
    checkClientSettings(c, ctx);
    for (const key of ['compression', 'kafka.compression.type'] as const) {
      const v = c[key]?.toLowerCase();
      if (v === undefined || (AVAILABLE_CODECS as readonly string[]).includes(v)) continue;
      const why = UNAVAILABLE_CODECS.includes(v) ? `${v} needs a codec package that is not installed` : `unknown codec ${JSON.stringify(c[key])}`;
      ctx.addIssue({ code: 'custom', path: [key], message: `${why}; available: ${AVAILABLE_CODECS.join(', ')}` });
    }
    if (c['kafka.enable.idempotence'] && c['kafka.acks'] !== 'all' && c['kafka.acks'] !== '-1') {
      ctx.addIssue({ code: 'custom', path: ['kafka.acks'], message: 'the idempotent producer needs kafka.acks all; set kafka.enable.idempotence to false for acks 0 or 1' });
    }
  })
  .transform((c): KafkaSinkConfig => {
    const client: Partial<ClientSettings> = {};
    for (const k of Object.keys(clientShape) as (keyof ClientSettings)[]) {
      if (c[k] !== undefined) (client as Record<string, unknown>)[k] = c[k];
    }
    const acks = c['kafka.acks'];
    return {
      client,
      ...(c.topic === undefined ? {} : { topic: c.topic }),
      ...(c.keyColumn === undefined ? {} : { keyColumn: c.keyColumn }),
      ...(c.valueColumn === undefined ? {} : { valueColumn: c.valueColumn }),
      ...(c.headersColumn === undefined ? {} : { headersColumn: c.headersColumn }),
      ...(c.partitionColumn === undefined ? {} : { partitionColumn: c.partitionColumn }),
      compression: (c.compression ?? c['kafka.compression.type'] ?? 'none').toLowerCase() === 'gzip' ? 'gzip' : 'none',
      acks: acks === 'all' || acks === '-1' ? -1 : acks === '1' ? 1 : 0,
      idempotent: c['kafka.enable.idempotence'],
      retries: c['kafka.retries'],
    };
  });
