// Exactly-once under crashes: `sluice run` is killed with SIGKILL again and again, at random moments
// and at named points (during Parquet writing, between the Delta commit and the checkpoint commit),
// restarted each time, and the table must end up with every input row exactly once.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { spawnCli, runCli } from '../support/cli.ts';
import { readTableWithDuckDB } from '../support/table-check.ts';

const FILES = 2500;
const ROWS_PER_FILE = 4;
const KILLS = 12;
const POINTS = ['engine.after-wal', 'delta.data-file-written', 'delta.after-commit', 'engine.before-commit', 'engine.after-commit'] as const;

const root = mkdtempSync(join(tmpdir(), 'sluice-crash-'));
after(() => rmSync(root, { recursive: true, force: true }));

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('exactly once under SIGKILL', () => {
  it('leaves every input row in the table exactly once after repeated kills and restarts', async (t) => {
    const seed = Number(process.env.SLUICE_CRASH_SEED ?? Date.now() % 100_000);
    const random = rng(seed);
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

    let kills = 0;
    const log: string[] = [];
    for (let attempt = 0; kills < KILLS && attempt < KILLS * 3; attempt++) {
      const usePoint = attempt % 3 !== 2;
      const point = POINTS[Math.floor(random() * POINTS.length)] ?? POINTS[0];
      const env: Record<string, string> = usePoint ? { SLUICE_FAULT_INJECT: `${point}:${1 + Math.floor(random() * 3)}` } : {};
      const run = spawnCli(['run', config, '--available-now', '--progress', 'json'], env);
      if (!usePoint) {
        // A kill at a random moment: wait for the process to get going, then pull the plug.
        await delay(700 + Math.floor(random() * 1500));
        run.child.kill('SIGKILL');
      }
      const r = await run.done;
      log.push(`${usePoint ? env.SLUICE_FAULT_INJECT : 'random'} -> ${r.signal ?? r.code}`);
      if (r.signal === 'SIGKILL') kills++;
      else assert.equal(r.code, 0, `run ended with ${r.code}: ${r.stderr}`);
    }
    t.diagnostic(`seed ${seed}; ${kills} kills: ${log.join(', ')}`);
    assert.ok(kills >= 10, `only ${kills} kills happened (seed ${seed}): ${log.join(', ')}`);

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
