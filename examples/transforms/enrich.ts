// A user transform for the `function` step of examples/transforms/pipeline.yaml: adds a sales region.
// It receives the batch and may return the batch or just its rows; it may also be async.
import type { Batch, Row } from '../../src/index.ts';

const REGIONS: Record<string, string> = { DE: 'DACH', FR: 'EU-West', NL: 'EU-West', ES: 'EU-South', IT: 'EU-South', PL: 'EU-East', GB: 'UK', US: 'NA' };

export function enrich(batch: Batch): Row[] {
  return batch.rows.map((row) => {
    row.region = REGIONS[String(row.country)] ?? 'other';
    return row;
  });
}
