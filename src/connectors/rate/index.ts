// The rate source: sequential values at a steady rate with a ramp-up, like Spark's `rate` format.
//
//   open:         <stateDir>/rate-start.json holds the start time (written once, put-if-absent)
//   latestOffset: seconds elapsed since the start time (a plain number, Spark's LongOffset)
//   read(s, e]:   values valueAtSecond(s) .. valueAtSecond(e)-1, timestamps spread evenly over the
//                 seconds s..e, so the same range always yields the same rows
import { join } from 'node:path';
import { promises as fsp } from 'node:fs';
import { z } from 'zod';
import { defineSource, type ComponentContext, type Offset, type Source } from '../../core/component.ts';
import { CheckpointError, ErrorCodes, SourceError } from '../../core/errors.ts';
import type { Row, SourceData } from '../../core/record.ts';
import type { StructType } from '../../core/schema.ts';
import { readTextIfExists, writeFileIfAbsent } from '../../core/fs.ts';
import { duration, positiveInt } from '../../config/fields.ts';

export const rateConfig = z
  .object({
    rowsPerSecond: positiveInt().default(1).meta({ description: 'How many rows to generate per second.' }),
    rampUpTime: duration()
      .default(0)
      .meta({ description: 'How long to ramp up before reaching rowsPerSecond (whole seconds are used, as Spark does).' }),
    numPartitions: positiveInt()
      .default(1)
      .meta({ description: 'Partitions of each batch; rows come partition by partition (value modulo numPartitions).' }),
  })
  .strict()
  .meta({ description: 'Generates rows {timestamp, value} at a fixed rate, for testing and load generation.' });

export type RateConfig = z.output<typeof rateConfig>;

export const RATE_SCHEMA: StructType = {
  type: 'struct',
  fields: [
    { name: 'timestamp', type: 'timestamp', nullable: true, metadata: {} },
    { name: 'value', type: 'long', nullable: true, metadata: {} },
  ],
};

/** The number of values generated in the first `seconds` seconds: during ramp-up the rate grows by
 * rowsPerSecond / (rampUpSeconds + 1) each second (integer division), then stays at rowsPerSecond. */
export function valueAtSecond(seconds: number, rowsPerSecond: number, rampUpSeconds: number): number {
  const speedDeltaPerSecond = Math.floor(rowsPerSecond / (rampUpSeconds + 1));
  if (seconds <= rampUpSeconds) {
    // The arithmetic series 0, d, 2d, ... summed over `seconds` terms after the first.
    return seconds % 2 === 1
      ? ((seconds + 1) / 2) * speedDeltaPerSecond * seconds
      : (seconds / 2) * speedDeltaPerSecond * (seconds + 1);
  }
  return valueAtSecond(rampUpSeconds, rowsPerSecond, rampUpSeconds) + (seconds - rampUpSeconds) * rowsPerSecond;
}

/** Creates the source; `clock` returns epoch milliseconds and exists so tests control time. */
export function createRateSource(config: RateConfig, ctx: ComponentContext, clock: () => number = Date.now): Source {
  const rampUpSeconds = Math.floor(config.rampUpTime / 1000);
  const startFile = join(ctx.stateDir, 'rate-start.json');
  let startTimeMs: number | undefined;

  const seconds = (o: Offset | null, what: string): number => {
    if (o === null) return 0;
    if (typeof o === 'number' && Number.isSafeInteger(o) && o >= 0) return o;
    throw new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `rate source: ${what} offset ${JSON.stringify(o)} is not a number of seconds`);
  };
  const start = (): number => {
    if (startTimeMs === undefined) throw new SourceError(ErrorCodes.INTERNAL, 'rate source used before open()');
    return startTimeMs;
  };

  return {
    description: `RateStreamV2[rowsPerSecond=${config.rowsPerSecond}, rampUpTimeSeconds=${rampUpSeconds}, numPartitions=${config.numPartitions}]`,
    readAhead: true,
    identity: () => ({ type: 'rate' }),
    async open() {
      await fsp.mkdir(ctx.stateDir, { recursive: true });
      // Put-if-absent: a restarted query keeps the first start time, so offsets keep their meaning.
      await writeFileIfAbsent(startFile, JSON.stringify({ startTimeMs: clock() }) + '\n');
      const text = await readTextIfExists(startFile);
      const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
      const t = (parsed as { startTimeMs?: unknown } | undefined)?.startTimeMs;
      if (typeof t !== 'number') throw new CheckpointError(ErrorCodes.CHECKPOINT_CORRUPT, `rate source: ${startFile} has no start time`);
      startTimeMs = t;
    },
    latestOffset(from) {
      const elapsed = Math.max(0, Math.floor((clock() - start()) / 1000));
      const prev = seconds(from, 'start');
      return Promise.resolve(elapsed <= prev ? from : elapsed);
    },
    read(from, to): Promise<SourceData> {
      const s = seconds(from, 'start');
      const e = seconds(to, 'end');
      const rangeStart = valueAtSecond(s, config.rowsPerSecond, rampUpSeconds);
      const rangeEnd = valueAtSecond(e, config.rowsPerSecond, rampUpSeconds);
      const rows: Row[] = [];
      if (rangeEnd > rangeStart) {
        const localStartMs = start() + s * 1000;
        const msPerValue = ((e - s) * 1000) / (rangeEnd - rangeStart);
        for (let p = 0; p < config.numPartitions; p++) {
          for (let v = rangeStart + p; v < rangeEnd; v += config.numPartitions) {
            rows.push({ timestamp: BigInt(localStartMs + Math.round((v - rangeStart) * msPerValue)) * 1000n, value: v });
          }
        }
      }
      return Promise.resolve({ rows, rejected: [], schema: RATE_SCHEMA, bytes: 0 });
    },
    commit: () => Promise.resolve(),
    health: () => Promise.resolve({ healthy: true, detail: 'generating' }),
    close: () => Promise.resolve(),
  };
}

export const rateSource = defineSource<RateConfig>({
  type: 'rate',
  summary: 'Generates {timestamp, value} rows at a fixed rate (Spark rate source).',
  config: rateConfig,
  create: (config, ctx) => createRateSource(config, ctx),
});
