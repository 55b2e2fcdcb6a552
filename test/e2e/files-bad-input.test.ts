// Bad bytes, bad files and rows the table cannot hold, through the CLI into Delta: under repeated
// SIGKILLs the table and the dead-letter queue together hold every input record exactly once, and a corrupt file
// never wedges the pipeline (with ignoreCorruptFiles false, the error says truly what a restart does).
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { appendRows } from '../../src/connectors/delta/table.ts';
import { parseDdl } from '../../src/schema/ddl.ts';
import { runCli } from '../support/cli.ts';
import { crashLoop, crashSeed } from '../support/crash-loop.ts';
import { readTableWithDuckDB } from '../support/table-check.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-files-bad-'));
after(() => rmSync(root, { recursive: true, force: true }));

const ROWS_PER_FILE = 4;
const BAD = Buffer.from([0xff, 0xe2, 0x82]);

type Kind = 'good' | 'bad bytes' | 'truncated gzip' | 'pretty document' | 'poison row';

/** The id of the one odd record of file f. */
const id0 = (f: number): number => f * ROWS_PER_FILE + (f % ROWS_PER_FILE);

/** Writes `files` files of ROWS_PER_FILE records each; returns the kind and ids of each file by name. */
function landing(dir: string, files: number): Map<string, { kind: Kind; ids: number[] }> {
  mkdirSync(dir, { recursive: true });
  const out = new Map<string, { kind: Kind; ids: number[] }>();
  for (let f = 0; f < files; f++) {
    const ids = Array.from({ length: ROWS_PER_FILE }, (_, r) => f * ROWS_PER_FILE + r);
    const kind: Kind = f % 23 === 5 ? 'truncated gzip' : f % 31 === 7 ? 'pretty document' : f % 6 === 1 ? 'bad bytes' : f % 13 === 3 ? 'poison row' : 'good';
    const odd = id0(f);
    const line = (id: number): Buffer =>
      kind === 'bad bytes' && id === odd
        ? Buffer.concat([Buffer.from(`{"id":${id},"file":${f},"s":"`), BAD, Buffer.from('"}')])
        // The table's `s` is NOT NULL: the sink sets this row aside, and writes the rest of the batch.
        : kind === 'poison row' && id === odd ? Buffer.from(JSON.stringify({ id, file: f, s: null }))
          : Buffer.from(JSON.stringify({ id, file: f, s: `row ${id} é` }));
    const body = kind === 'pretty document'
      ? Buffer.from(JSON.stringify(ids.map((id) => ({ id, file: f })), null, 2))
      : Buffer.concat(ids.flatMap((id) => [line(id), Buffer.from('\n')]));
    const name = `part-${String(f).padStart(4, '0')}.json${kind === 'truncated gzip' ? '.gz' : ''}`;
    writeFileSync(join(dir, name), kind === 'truncated gzip' ? gzipSync(body).subarray(0, 25) : body);
    out.set(name, { kind, ids });
  }
  return out;
}

function pipeline(name: string, input: string, extra: string[] = [], dlq: string[] = []): { config: string; table: string; checkpoint: string } {
  const dir = join(root, name);
  const table = join(dir, 'table');
  const checkpoint = join(dir, 'checkpoint');
  const config = join(dir, 'pipeline.yaml');
  mkdirSync(dir, { recursive: true });
  writeFileSync(config, [
    'streaming:',
    `  name: ${name}`,
    '  source:',
    '    type: file',
    '    config:',
    `      path: ${input}`,
    '      pattern: "*.json*"',
    '      schema: "id BIGINT NOT NULL, file BIGINT, s STRING"',
    ...extra.map((l) => `      ${l}`),
    '  sink:',
    '    type: delta',
    '    config:',
    `      path: ${table}`,
    `      checkpoint.location: ${checkpoint}`,
    ...(dlq.length === 0 ? [] : ['  error_handling:', '    dead_letter:', ...dlq.map((l) => `      ${l}`)]),
  ].join('\n') + '\n');
  return { config, table, checkpoint };
}

interface Entry {
  readonly errorType: string;
  readonly rule: string | null;
  readonly message: string;
  readonly payload: string | null;
  readonly payloadEncoding: string | null;
  readonly origin: { file: string | null; line: number | null };
}

function folderEntries(checkpoint: string): Entry[] {
  const dir = join(checkpoint, 'rejected');
  return readdirSync(dir).flatMap((n) => readFileSync(join(dir, n), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Entry));
}

const basename = (p: string | null): string => (p ?? '').split('/').pop() ?? '';

describe('bad bytes and bad files in the file source', () => {
  it('leaves every input record exactly once in the table or the dead-letter queue after repeated SIGKILLs', async (t) => {
    const seed = crashSeed();
    const input = join(root, 'crash-in');
    const files = landing(input, 600);
    const p = pipeline('crash', input, ['maxFilesPerTrigger: 15'], ['type: delta', `path: ${join(root, 'crash', 'dlq')}`]);
    // The table exists already, with a NOT NULL column the source's schema leaves nullable.
    await appendRows(p.table, [], parseDdl('id BIGINT NOT NULL, file BIGINT, s STRING NOT NULL'), { appId: 'setup', batchId: 0 });
    const { kills, log } = await crashLoop({ config: p.config, seed });
    t.diagnostic(`seed ${seed}; ${kills} kills: ${log.join(', ')}`);
    const final = await runCli(['run', p.config, '--available-now', '--progress', 'json']);
    assert.equal(final.code, 0, final.stderr);

    const seen = new Map<number, string>();
    const count = (id: number, where: string): void => {
      assert.equal(seen.get(id), undefined, `seed ${seed}: record ${id} is both in ${seen.get(id)} and in ${where}`);
      seen.set(id, where);
    };
    for (const r of (await readTableWithDuckDB(p.table)).rows) count(Number(r.id), 'the table');
    const dlq = (await readTableWithDuckDB(join(root, 'crash', 'dlq'))).rows as unknown as Entry[];
    for (const e of dlq) {
      const file = files.get(basename(e.origin.file));
      assert.ok(file !== undefined, JSON.stringify(e));
      if (e.errorType === 'SINK_WRITE') {
        assert.equal(file.kind, 'poison row');
        assert.match(e.message, /s: expected a non-null string, found null/);
        count(Number(/"id":(\d+)/.exec(e.payload ?? '')?.[1]), `DLQ row of ${basename(e.origin.file)}`);
      } else if (e.rule === 'invalidUtf8') {
        assert.equal(file.kind, 'bad bytes');
        assert.equal(e.payloadEncoding, 'base64');
        const raw = Buffer.from(e.payload ?? '', 'base64');
        assert.ok(raw.includes(BAD), 'the payload holds the exact bad bytes');
        count(Number(/"id":(\d+)/.exec(raw.toString('latin1'))?.[1]), `DLQ line ${e.origin.line ?? '?'}`);
      } else {
        assert.equal(file.kind, e.rule === 'ignoreCorruptFiles' ? 'truncated gzip' : 'pretty document', JSON.stringify(e));
        assert.equal(e.origin.line, null);
        for (const id of file.ids) count(id, `the DLQ entry of ${basename(e.origin.file)}`);
      }
    }
    const total = files.size * ROWS_PER_FILE;
    assert.equal(seen.size, total, `seed ${seed}: ${total - seen.size} records are neither in the table nor in the DLQ`);
    const kinds = [...files.values()].map((f) => f.kind);
    assert.equal(dlq.length, kinds.filter((k) => k !== 'good').length, 'one entry per bad line and per bad file');
  });

  it('with ignoreCorruptFiles false fails truthfully on every restart, and runs on once the bad file is moved away', async () => {
    const input = join(root, 'strict-in');
    landing(input, 24);
    const p = pipeline('strict', input, ['ignoreCorruptFiles: false']);
    for (let run = 0; run < 2; run++) {
      const r = await runCli(['run', p.config, '--available-now', '--progress', 'json']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /error \[SLUICE_SOURCE_READ\]: file source: cannot decode \S+part-0005\.json\.gz \(25 bytes\) as json: unexpected end of file \(ignoreCorruptFiles is false\)/);
      assert.match(r.stderr, /a restart re-runs this batch and fails the same way until the file is fixed or removed, or ignoreCorruptFiles is set to true/);
      assert.doesNotMatch(r.stderr, /a restart resumes/);
    }
    renameSync(join(input, 'part-0005.json.gz'), join(root, 'part-0005.json.gz'));
    const r = await runCli(['run', p.config, '--available-now', '--progress', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const entries = folderEntries(p.checkpoint);
    const whole = entries.filter((e) => e.origin.line === undefined);
    assert.deepEqual(whole.map((e) => [basename(e.origin.file), e.rule]), [['part-0005.json.gz', 'ignoreMissingFiles'], ['part-0007.json', 'multiLine']]);
    const rows = (await readTableWithDuckDB(p.table)).rows;
    assert.equal(rows.length + entries.filter((e) => e.rule === 'invalidUtf8').length, 22 * ROWS_PER_FILE);
  });

  it('gives a bad file one entry when it vanished between a killed attempt and the re-run of its batch', async () => {
    const input = join(root, 'vanish-in');
    landing(input, 8);
    const p = pipeline('vanish', input);
    // Killed after the dead letters were written and before the table commit: the batch is re-run.
    const killed = await runCli(['run', p.config, '--available-now', '--progress', 'json'], { SLUICE_FAULT_INJECT: 'delta.data-file-written:1' });
    assert.equal(killed.signal, 'SIGKILL');
    const first = folderEntries(p.checkpoint).filter((e) => basename(e.origin.file) === 'part-0005.json.gz');
    assert.deepEqual(first.map((e) => e.rule), ['ignoreCorruptFiles']);
    rmSync(join(input, 'part-0005.json.gz'));
    const r = await runCli(['run', p.config, '--available-now', '--progress', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const again = folderEntries(p.checkpoint).filter((e) => basename(e.origin.file) === 'part-0005.json.gz');
    assert.deepEqual(again.map((e) => e.rule), ['ignoreMissingFiles']);
    assert.equal((await readTableWithDuckDB(p.table)).rows.length, 6 * ROWS_PER_FILE - 1);
  });

  it('keeps the dead letters of a batch the table already holds when a file vanished before its re-run', async () => {
    const input = join(root, 'vanish-after-in');
    landing(input, 8);
    const p = pipeline('vanish-after', input);
    // Killed after the table commit and before the checkpoint's: the re-run finds the batch in the table.
    const killed = await runCli(['run', p.config, '--available-now', '--progress', 'json'], { SLUICE_FAULT_INJECT: 'delta.after-commit:1' });
    assert.equal(killed.signal, 'SIGKILL');
    const before = folderEntries(p.checkpoint);
    rmSync(join(input, 'part-0000.json'));
    rmSync(join(input, 'part-0005.json.gz'));
    const r = await runCli(['run', p.config, '--available-now', '--progress', 'json']);
    assert.equal(r.code, 0, r.stderr);
    // No entry says a file whose rows are in the table is gone, and the bad file keeps its one entry.
    assert.deepEqual(folderEntries(p.checkpoint), before);
    const rows = (await readTableWithDuckDB(p.table)).rows;
    assert.equal(rows.filter((x) => Number(x.file) === 0).length, ROWS_PER_FILE);
    assert.equal(rows.length, 6 * ROWS_PER_FILE - 1);
  });
});
