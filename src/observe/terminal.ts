// The terminal progress bar of an available-now run: work done of the estimated total (files or
// offsets), rows/s and ETA, redrawn in place on a TTY under the per-batch lines.
import type { StreamingQueryProgress } from '../engine/progress.ts';

export interface BarState {
  readonly fraction: number;
  readonly unit: 'files' | 'records' | 'batches';
  readonly done: number;
  readonly left: number;
  readonly rowsPerSecond: number;
  readonly etaSeconds: number | undefined;
}

/** Estimates how far an available-now run is from its fixed end, batch after batch. */
export class RunEstimate {
  private readonly started: number;
  private rows = 0;
  private batches = 0;
  private filesPerBatch = 1;
  private lastOutstanding: number | undefined;

  constructor(nowMs = Date.now()) {
    this.started = nowMs;
  }

  update(p: StreamingQueryProgress, nowMs = Date.now()): BarState {
    this.rows += p.numInputRows;
    this.batches++;
    const m = p.sources[0]?.metrics ?? {};
    const elapsed = Math.max(0.001, (nowMs - this.started) / 1000);
    const rowsPerSecond = this.rows / elapsed;
    const files = m.numFilesOutstanding === undefined ? NaN : Number(m.numFilesOutstanding);
    const behind = m.maxOffsetsBehindLatest === undefined ? NaN : Number(m.maxOffsetsBehindLatest);
    let unit: BarState['unit'] = 'batches';
    let done = p.batchId + 1;
    let left = 0;
    if (Number.isFinite(files)) {
      // The run's end is fixed, so outstanding files only shrink; how many files a batch takes
      // shows from the second batch on (one until then).
      if (this.lastOutstanding !== undefined) this.filesPerBatch = Math.max(this.filesPerBatch, this.lastOutstanding - files);
      this.lastOutstanding = files;
      unit = 'files';
      done = this.batches * this.filesPerBatch;
      left = files;
    } else if (Number.isFinite(behind)) {
      unit = 'records';
      done = this.rows;
      left = behind;
    }
    const fraction = done + left === 0 ? 1 : done / (done + left);
    const etaSeconds = fraction <= 0 ? undefined : fraction >= 1 ? 0 : (elapsed / fraction) * (1 - fraction);
    return { fraction, unit, done, left, rowsPerSecond, etaSeconds };
  }
}

export function renderBar(s: BarState, width = 28): string {
  const filled = Math.round(Math.min(1, Math.max(0, s.fraction)) * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const pct = `${(s.fraction * 100).toFixed(0).padStart(3)}%`;
  const what = s.unit === 'batches' ? `${s.done} batches` : `${s.done} of ~${s.done + s.left} ${s.unit}`;
  const eta = s.etaSeconds === undefined ? 'ETA -' : `ETA ${formatEta(s.etaSeconds)}`;
  return `[${bar}] ${pct}  ${what}  ${Math.round(s.rowsPerSecond).toLocaleString('en-US')} rows/s  ${eta}`;
}

function formatEta(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Draws the bar on a TTY stream; everything else printed goes above it via `above`. */
export class TerminalBar {
  private readonly estimate = new RunEstimate();
  private line = '';
  constructor(private readonly out: NodeJS.WriteStream) {}

  /** Clears the bar, lets `print` write its line, then draws the bar for `p` below it. */
  update(p: StreamingQueryProgress, print: () => void): void {
    this.clear();
    print();
    this.line = renderBar(this.estimate.update(p)).slice(0, Math.max(20, (this.out.columns || 100) - 1));
    this.out.write(this.line);
  }

  clear(): void {
    if (this.line !== '') this.out.write('\r\x1b[2K');
    this.line = '';
  }
}
