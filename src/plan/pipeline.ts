// The pipeline file's shape (`streaming.source / processing / sink / error_handling`): the single
// source of truth for its validation, its TypeScript types and docs/configuration.md.
import { z } from 'zod';
import { MonitoringSchema } from './monitoring.ts';
import { bool, byteSize, duration, positiveInt, positiveNumber } from '../config/fields.ts';
import { DeadLetterSchema } from './dead-letter.ts';

export const TRIGGERS = ['processingTime', 'once', 'availableNow'] as const;
export type TriggerKind = (typeof TRIGGERS)[number];

export const ComponentRefSchema = z
  .object({
    type: z.string().meta({ description: 'The component type, e.g. `file`, `kafka`, `delta`, `console`.' }),
    config: z.record(z.string(), z.unknown()).default({}).meta({ description: 'The component\'s own options (see its section).' }),
  })
  .strict();

export const RetrySchema = z
  .object({
    max_attempts: positiveInt().default(5).meta({ description: 'Attempts in all (the first try included) for a retryable source read or sink write.' }),
    initial_backoff: duration().default(500).meta({ description: 'Wait before the first retry.' }),
    max_backoff: duration().default(30_000).meta({ description: 'Upper bound of any single wait.' }),
    multiplier: positiveNumber().default(2).meta({ description: 'Each wait is the previous one times this.' }),
    jitter: z.preprocess((v) => (typeof v === 'string' ? Number(v) : v), z.number().min(0).max(1)).default(0.2).meta({ description: 'Random spread of each wait, as a fraction (0 to 1).' }),
  })
  .strict();
export type RetryConfig = z.output<typeof RetrySchema>;

export const StageRefSchema = z
  .object({
    type: z.string().meta({ description: 'The stage type, e.g. `parse`, `validate`, `transform`, `quality`.' }),
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/).optional().meta({ description: 'Name in progress, metrics and errors (default: `<type>` or `<type>_<index>`).' }),
    config: z.record(z.string(), z.unknown()).default({}).meta({ description: "The stage's own options (see its section)." }),
  })
  .strict();

export const ProcessingSchema = z
  .object({
    'batch.interval': duration().optional().meta({ description: 'Processing-time trigger: start a micro-batch every interval. Unset or 0: as fast as possible.' }),
    trigger: z.enum(TRIGGERS).optional().meta({ description: 'Trigger kind; `once` and `availableNow` process what is there and stop (the CLI flags `--once` / `--available-now` override).' }),
    'watermark.delay': duration().optional().meta({ description: 'How late event time may arrive; the watermark is max(event time) minus this delay.' }),
    'watermark.column': z.string().optional().meta({ description: 'The event-time column the watermark tracks (a timestamp column).' }),
    'max.offsets.per.trigger': positiveInt().optional().meta({ description: 'Default upper bound of records per micro-batch for sources that count offsets (Kafka, rate).' }),
    'max.batch.bytes': byteSize().optional().meta({ description: 'Memory bound of one batch, estimated from its rows: a batch above it runs through the stages in slices and is written to the sink in several data files within the same batch id, instead of exhausting memory.' }),
    stages: z.array(StageRefSchema).default([]).meta({ description: 'Processing stages, applied in order to every batch between source and sink.' }),
  })
  .strict();

export const ErrorHandlingSchema = z
  .object({
    retry: RetrySchema.prefault({}).meta({ description: 'Retry policy for retryable source and sink errors (exponential backoff).' }),
    dead_letter: DeadLetterSchema.prefault({}).meta({ description: 'The dead-letter queue for records a source or stage rejects (written as part of each batch, never duplicated by a replay).' }),
    fail_on_rejected: bool().default(false).meta({ description: 'Stop the pipeline when a record is rejected, instead of keeping it in the rejected-records log.' }),
  })
  .strict();

export const PipelineFileSchema = z
  .object({
    streaming: z
      .object({
        name: z.string().regex(/^[A-Za-z0-9_.-]+$/).optional().meta({ description: 'Pipeline name for logs and metrics (default: the config file name).' }),
        source: ComponentRefSchema.meta({ description: 'Where records come from.' }),
        processing: ProcessingSchema.prefault({}).meta({ description: 'Trigger, watermark and per-batch limits.' }),
        sink: ComponentRefSchema.meta({ description: 'Where records go. `config.checkpoint.location` holds the checkpoint folder.' }),
        error_handling: ErrorHandlingSchema.prefault({}).meta({ description: 'Retries and what to do with rejected records.' }),
        monitoring: MonitoringSchema.prefault({}).meta({ description: 'Metrics, health checks, alerts and the dashboard (see docs/monitoring.md).' }),
      })
      .strict(),
  })
  .strict();

export type PipelineFile = z.output<typeof PipelineFileSchema>;
export type ProcessingConfig = z.output<typeof ProcessingSchema>;
export type ErrorHandlingConfig = z.output<typeof ErrorHandlingSchema>;
