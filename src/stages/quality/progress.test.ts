// The quality stage's figures in the batch progress: one `quality` object and a note in the human line.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { JsonValue } from '../../core/component.ts';
import { collectQuality, formatProgressLine, type StreamingQueryProgress } from '../../engine/progress.ts';
import { parseDdl } from '../../schema/ddl.ts';
import { QualityConfigSchema } from './config.ts';
import { QualityStage } from './index.ts';

function progress(stages: Record<string, JsonValue>): StreamingQueryProgress {
  const quality = collectQuality(stages);
  return {
    id: 'q', runId: 'r', name: 'n', timestamp: new Date(0).toISOString(), batchId: 3, batchDuration: 5, numInputRows: 3, inputRowsPerSecond: 1, processedRowsPerSecond: 1,
    durationMs: { triggerExecution: 5 }, eventTime: {}, stateOperators: [], sources: [], sink: { description: 's', numOutputRows: 2, metrics: {} },
    numRejectedRows: 1, rejectedPath: null, sinkSkipped: false, stages, ...(quality === undefined ? {} : { quality }),
  };
}

describe('quality in the batch progress', () => {
  it('collects the quality stages under one key, leaving other stages out', () => {
    const st = new QualityStage('dq', QualityConfigSchema.parse({ expect: { pos: 'amount > 0' }, expect_or_drop: { has_id: 'id IS NOT NULL' } }));
    st.process({ batchId: 3, rows: [{ id: 1, amount: 1 }, { id: null, amount: -1 }, { id: 3, amount: -2 }], rejected: [], schema: parseDdl('id BIGINT, amount DOUBLE') });
    const stages = { clean: { rows_in: 3 }, dq: JSON.parse(JSON.stringify(st.metrics())) as JsonValue };
    const p = progress(stages);
    assert.deepEqual(Object.keys(p.quality ?? {}), ['dq']);
    assert.match(formatProgressLine(p), /quality: 3 expectation failures, 1 dropped/);
  });

  it('adds nothing when no stage reports quality', () => {
    assert.equal(collectQuality({ clean: { rows_in: 1 } }), undefined);
    assert.doesNotMatch(formatProgressLine(progress({})), /quality/);
  });
});
