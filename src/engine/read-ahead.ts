// Read-ahead: while the sink writes one batch, the next batch's offsets are planned and its rows
// read, so that reading overlaps with writing. Nothing is recorded here: the next batch still logs
// its offsets before its rows go anywhere, and a read-ahead that fails or no longer fits is dropped.
import type { Offset, Source } from '../core/component.ts';
import { errorMessage } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { SourceData } from '../core/record.ts';
import type { Trigger } from '../plan/plan.ts';
import { stableJson } from './checkpoint.ts';

/** Rows read ahead, and how long reading them took. */
export type AheadData = Promise<{ data: SourceData; getBatchMs: number }>;

/** The next batch as planned ahead: its end offset is known before its rows are read, so that its
 * write-ahead log entry can be written while they arrive. */
export interface Ahead {
  readonly end: Offset;
  readonly latestOffsetMs: number;
  readonly data: AheadData;
}

export class ReadAhead {
  private pending: { readonly from: Offset | null; readonly plan: Promise<Ahead | undefined> } | undefined;
  private readonly enabled: boolean;

  constructor(
    private readonly source: Source,
    trigger: Trigger,
    private readonly logger: Logger,
  ) {
    // Only when the trigger would start the next batch at once: otherwise the rows would wait in memory.
    const immediate = trigger.kind === 'availableNow' || (trigger.kind === 'processingTime' && trigger.intervalMs === 0);
    this.enabled = source.readAhead === true && immediate;
  }

  /** Plans and reads the batch after `from` in the background. */
  start(from: Offset): void {
    if (!this.enabled) return;
    const started = Date.now();
    // A failed read-ahead is simply dropped: the next batch then plans or reads as usual, with retries.
    const dropped = (e: unknown): undefined => {
      this.logger.debug('read-ahead failed; the next batch reads again', { error: errorMessage(e) });
      return undefined;
    };
    const plan = this.source.latestOffset(from, { respectLimits: true }).then((end) => {
      if (end === null || stableJson(end) === stableJson(from)) return undefined;
      const latestOffsetMs = Date.now() - started;
      const readStart = Date.now();
      const data: AheadData = this.source.read(from, end).then((d) => ({ data: d, getBatchMs: Date.now() - readStart }));
      data.catch(dropped);
      return { end, latestOffsetMs, data };
    }).catch(dropped);
    this.pending = { from, plan };
  }

  /** What was read ahead, if it starts at `committed`; either way nothing stays pending. */
  take(committed: Offset | null): Promise<Ahead | undefined> | undefined {
    const ahead = this.pending;
    this.pending = undefined;
    if (ahead === undefined || stableJson(ahead.from) !== stableJson(committed)) return undefined;
    return ahead.plan;
  }
}
