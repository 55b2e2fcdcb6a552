// Exactly-once under crashes: `sluice run` is killed with SIGKILL again and again, at random moments
// and at named points (during Parquet writing, between the Delta commit and the checkpoint commit),
// restarted each time, and the table must end up with every input row exactly once.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { crashLoop, crashSeed } from '../support/crash-loop.ts';
import { readTableWithDuckDB } from '../support/table-check.ts';

const FILES = 2500;
const ROWS_PER_FILE = 4;

const root = mkdtempSync(join(tmpdir(), 'sluice-crash-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('exactly once under SIGKILL', () => {
  it('leaves every input row in the table exactly once after repeated kills and restarts', async (t) => {
    const seed = crashSeed();
    const landing = join(root, 'landing');
    mkdirSync(landing);
    for (let f = 0; f < FILES; f++) {
      const lines: string[] = [];
      for (let r = 0; r < ROWS_PER_FILE; r++) {
        const id = f * ROWS_PER_FILE + r;
        lines.push(JSON.stringify({ id, file: f, ts: new Date(1_700_000_000_000 + id * 1000).toISOString(), payload: `row-${id}-${'x'.repeat(id % 40)}` }));
      }
      writeFileSync(join(landing, `part-${String(f).padStart(5, '0')}.json`), lines.join('\n') + '\n');
    }
    const table = join(root, 'table');
    const config = join(root, 'pipeline.yaml');
    writeFileSync(
      config,
      [
        'streaming:',
        '  name: crash',
        '  source:',
        '    type: file',
        '    config:',
        `      path: ${landing}`,
        '      maxFilesPerTrigger: 50',
        '      schema: "id BIGINT NOT NULL, file BIGINT, ts TIMESTAMP, payload STRING"',
        '  sink:',
        '    type: delta',
        '    config:',
        `      path: ${table}`,
        '      targetFileRows: 60',
        `      checkpoint.location: ${join(root, 'checkpoint')}`,
      ].join('\n'),
    );

    const { kills, log } = await crashLoop({ config, seed });
    t.diagnostic(`seed ${seed}; ${kills} kills: ${log.join(', ')}`);

    const final = await runCli(['run', config, '--available-now', '--progress', 'json']);
    assert.equal(final.code, 0, final.stderr);

    const contents = await readTableWithDuckDB(table, 'id');
    const ids = contents.rows.map((r) => Number(r.id));
    const expected = FILES * ROWS_PER_FILE;
    assert.equal(ids.length, expected, `seed ${seed}: ${ids.length} rows instead of ${expected} (${log.join(', ')})`);
    assert.equal(new Set(ids).size, expected, `seed ${seed}: duplicate rows`);
    assert.deepEqual(ids, Array.from({ length: expected }, (_, i) => i));
    assert.equal(contents.columnTypes.ts, 'TIMESTAMP WITH TIME ZONE');
    const committed = readdirSync(join(root, 'checkpoint', 'commits')).map(Number).sort((a, b) => a - b);
    assert.deepEqual([...contents.txns.values()], [committed[committed.length - 1]]);
  });
});
