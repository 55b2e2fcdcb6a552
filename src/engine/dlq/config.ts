// The `streaming.error_handling.dead_letter` options: where rejected records go (folder, Delta table, Kafka topic).
import { z } from 'zod';
import { kafkaSinkSchema } from '../../connectors/kafka/sink-config.ts';

export const DLQ_TYPES = ['folder', 'delta', 'kafka'] as const;

export const DeadLetterSchema = z
  .object({
    type: z.enum(DLQ_TYPES).default('folder').meta({ description: 'Target of the dead-letter queue: `folder` (JSON lines, one file per batch), `delta` (a Delta table) or `kafka` (a topic).' }),
    path: z.string().min(1).optional().meta({ description: 'folder: the folder (default `<checkpoint>/rejected`); delta: the table path (required).' }),
    kafka: z.record(z.string(), z.unknown()).optional().meta({ description: 'kafka: the Kafka sink options (`kafka.bootstrap.servers`, `topic` ...); required for type kafka.' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.type === 'delta' && c.path === undefined) ctx.addIssue({ code: 'custom', path: ['path'], message: 'a delta dead-letter queue needs the table path' });
    if (c.type === 'kafka') {
      if (c.kafka === undefined) {
        ctx.addIssue({ code: 'custom', path: ['kafka'], message: 'a kafka dead-letter queue needs the Kafka sink options (at least kafka.bootstrap.servers and topic)' });
        return;
      }
      const r = kafkaSinkSchema.safeParse(c.kafka);
      if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', path: ['kafka', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: issue.message });
      else if (r.data.topic === undefined) ctx.addIssue({ code: 'custom', path: ['kafka', 'topic'], message: 'the dead-letter topic is required' });
    }
  });

export type DeadLetterConfig = z.output<typeof DeadLetterSchema>;
