// The available-now progress estimate and its bar line.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { StreamingQueryProgress } from '../engine/progress.ts';
import { RunEstimate, renderBar } from './terminal.ts';

function progress(batchId: number, rows: number, metrics: Record<string, string>): StreamingQueryProgress {
  return {
    id: 'q', runId: 'r', name: 'p', timestamp: new Date(0).toISOString(), batchId, batchDuration: 10, numInputRows: rows,
    inputRowsPerSecond: 0, processedRowsPerSecond: 0, durationMs: {}, eventTime: {}, stateOperators: [],
    sources: [{ description: 's', startOffset: null, endOffset: null, latestOffset: null, numInputRows: rows, inputRowsPerSecond: 0, processedRowsPerSecond: 0, metrics }],
    sink: { description: 'k', numOutputRows: rows, metrics: {} }, numRejectedRows: 0, rejectedPath: null, sinkSkipped: false, stages: {},
  };
}

describe('RunEstimate', () => {
  it('counts files done from the shrinking outstanding count and finishes at 100%', () => {
    const e = new RunEstimate(0);
    e.update(progress(0, 100, { numFilesOutstanding: '6' }), 1000);
    const second = e.update(progress(1, 100, { numFilesOutstanding: '4' }), 2000);
    assert.equal(second.unit, 'files');
    assert.equal(second.done, 4);
    assert.equal(second.left, 4);
    assert.equal(second.fraction, 0.5);
    assert.equal(second.etaSeconds, 2);
    assert.equal(second.rowsPerSecond, 100);
    const last = e.update(progress(2, 100, { numFilesOutstanding: '0' }), 3000);
    assert.equal(last.fraction, 1);
    assert.equal(last.etaSeconds, 0);
  });

  it('uses records behind the latest offset for offset-based sources', () => {
    const s = new RunEstimate(0).update(progress(0, 300, { maxOffsetsBehindLatest: '100' }), 1000);
    assert.equal(s.unit, 'records');
    assert.equal(s.fraction, 0.75);
  });

  it('draws the bar with percentage, counts, rate and ETA', () => {
    const line = renderBar({ fraction: 0.5, unit: 'files', done: 4, left: 4, rowsPerSecond: 1234.4, etaSeconds: 75 }, 10);
    assert.equal(line, '[#####-----]  50%  4 of ~8 files  1,234 rows/s  ETA 1m15s');
  });
});
