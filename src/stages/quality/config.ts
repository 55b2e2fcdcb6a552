// The `quality` stage's YAML shape: DLT-style expectations, a column profile and a freshness check.
import { z } from 'zod';
import { duration } from '../../config/fields.ts';
import { sqlExpression } from '../transform/config.ts';

const expectations = (what: string) =>
  z
    .record(z.string().regex(/^[A-Za-z0-9_.\- ]+$/), sqlExpression('condition'))
    .optional()
    .meta({ description: `Mapping of expectation name to a Spark SQL condition. ${what}` });

const Profile = z
  .object({
    columns: z.array(z.string().min(1)).min(1).meta({ description: 'Columns to profile per batch: count, nulls, null rate, approximate distinct count, min, max, mean.' }),
    precision: z.number().int().min(4).max(16).default(12).meta({ description: 'HyperLogLog precision p for distinct counts (2^p registers; standard error about 1.04/sqrt(2^p), 1.6% at 12).' }),
  })
  .strict();

const Freshness = z
  .object({
    column: z.string().min(1).meta({ description: 'The event-time column (timestamp, ISO text or epoch milliseconds).' }),
    warn_after: duration().optional().meta({ description: 'Log a warning and mark the batch stale when now minus the newest event time exceeds this.' }),
  })
  .strict();

export const QualityConfigSchema = z
  .object({
    expect: expectations('A record failing one is kept and counted (warn).'),
    expect_or_drop: expectations('A record failing one is dropped and counted.'),
    expect_or_fail: expectations('A record failing one stops the pipeline before the batch is written.'),
    dropped_records: z.enum(['dlq', 'discard']).default('dlq').meta({ description: 'Where records dropped by `expect_or_drop` go: the dead-letter queue, or nowhere (counted only).' }),
    profile: z
      .preprocess((v) => (Array.isArray(v) ? { columns: v } : v), Profile)
      .optional()
      .meta({ description: 'Column profile; a list of column names is short for `{ columns: [...] }`.' }),
    freshness: Freshness.optional().meta({ description: 'Freshness: now minus the newest event time of the batch.' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = [...Object.keys(c.expect ?? {}), ...Object.keys(c.expect_or_drop ?? {}), ...Object.keys(c.expect_or_fail ?? {})];
    if (names.length === 0 && c.profile === undefined && c.freshness === undefined) {
      ctx.addIssue({ code: 'custom', message: 'the quality stage checks nothing', params: { expected: 'expect, expect_or_drop, expect_or_fail, profile or freshness' } });
    }
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) ctx.addIssue({ code: 'custom', message: `expectation name ${JSON.stringify(dup)} is used twice`, params: { expected: 'unique expectation names' } });
  });

export type QualityConfig = z.output<typeof QualityConfigSchema>;
export type ExpectationAction = 'warn' | 'drop' | 'fail';
