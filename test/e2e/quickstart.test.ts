// The quick start as a user runs it: the CLI on the shipped example, then again, then watching.
import { strict as assert } from 'node:assert';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NOBODY, parseProgress, runCli, spawnCli, REPO } from '../support/cli.ts';
import { readTableWithDuckDB } from '../support/table-check.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-quickstart-'));
after(() => rmSync(root, { recursive: true, force: true }));
const QUICKSTART = join(REPO, 'examples', 'quickstart.yaml');

describe('the quick start', () => {
  const out = join(root, 'out');

  it('writes the sample files to a Delta table, reports progress per batch and a summary', async () => {
    const r = await runCli(['run', QUICKSTART, '--available-now', '--progress', 'json'], { SLUICE_OUTPUT: out });
    assert.equal(r.code, 0, r.stderr);
    const { progress, summary } = parseProgress(r.stdout);
    assert.deepEqual(progress.map((p) => p.batchId), [0, 1]);
    for (const p of progress) {
      for (const k of ['numInputRows', 'inputRowsPerSecond', 'processedRowsPerSecond', 'durationMs', 'sources', 'sink']) assert.ok(k in p, k);
    }
    assert.deepEqual(summary && { in: summary.rowsIn, out: summary.rowsWritten, rejected: summary.rowsRejected, version: summary.tableVersion }, {
      in: 1006,
      out: 1000,
      rejected: 6,
      version: '1',
    });
    const table = await readTableWithDuckDB(join(out, 'events'), 'event_id');
    assert.equal(table.rows.length, 1000);
    assert.equal(new Set(table.rows.map((x) => x.event_id)).size, 1000);
    assert.equal(table.columnTypes.ts, 'TIMESTAMP WITH TIME ZONE');
    assert.equal(table.columnTypes.user_id, 'BIGINT');
    assert.equal(table.columnTypes.device, 'STRUCT(os VARCHAR, app_version VARCHAR)');
    assert.equal(table.columnTypes.tags, 'VARCHAR[]');
  });

  it('keeps the malformed sample lines with file, line and reason', () => {
    const dir = join(out, 'checkpoints', 'events', 'rejected');
    const entries = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
    const malformed = entries.filter((e) => e.stage === 'source');
    assert.deepEqual(malformed.map((e) => (e.origin as { line: number }).line).sort((a, b) => a - b), [18, 121]);
    for (const e of malformed) {
      assert.match(String((e.origin as { file: string }).file), /events-002\.jsonl$/);
      assert.match(String(e.message), /malformed JSON/);
      assert.equal(typeof e.payload, 'string');
    }
  });

  it('sends the records failing the validation rules to the DLQ and counts each rule in the progress', async () => {
    const dir = join(out, 'checkpoints', 'events', 'rejected');
    const entries = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
    const failed = entries.filter((e) => e.stage === 'checks').map((e) => [(e.origin as { line: number }).line, e.rule, e.batchId]);
    assert.deepEqual(failed, [[251, 'in(kind)', 1], [252, 'range(amount)', 1], [253, 'regex(country)', 1], [254, 'purchase_has_amount', 1]]);
    for (const e of entries.filter((x) => x.stage === 'checks')) assert.match(String((e.origin as { file: string }).file), /events-003\.jsonl$/);
    const fresh = join(root, 'stats-out');
    const r = await runCli(['run', QUICKSTART, '--available-now', '--progress', 'json'], { SLUICE_OUTPUT: fresh });
    assert.equal(r.code, 0, r.stderr);
    const checks = parseProgress(r.stdout).progress.map((p) => (p.stages as Record<string, { rowsIn: number; rowsToDlq: number; rules: Record<string, { passed: number; failed: number }> }>).checks);
    assert.deepEqual(checks.map((c) => [c?.rowsIn, c?.rowsToDlq]), [[500, 0], [504, 4]]);
    assert.deepEqual(checks[1]?.rules['range(amount)'], { passed: 503, failed: 1 });
    assert.deepEqual(checks[1]?.rules['unique(event_id)'], { passed: 504, failed: 0 });
  });

  it('writes nothing twice when run again', async () => {
    const r = await runCli(['run', QUICKSTART, '--available-now', '--progress', 'text'], { SLUICE_OUTPUT: out });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /nothing new to process/);
    const table = await readTableWithDuckDB(join(out, 'events'));
    assert.equal(table.version, 1);
    assert.equal(table.rows.length, 1000);
  });

  it('keeps watching the folder, picks up files moved into it and stops cleanly on Ctrl-C', async () => {
    const landing = join(root, 'watch-landing');
    const staging = join(root, 'watch-staging');
    mkdirSync(landing);
    mkdirSync(staging);
    const config = join(root, 'watch.yaml');
    writeFileSync(config, readFileSync(QUICKSTART, 'utf8').replace('path: examples/data/landing', `path: ${landing}`).replace('5 seconds', '200ms'));
    const run = spawnCli(['run', config, '--progress', 'json'], { SLUICE_OUTPUT: join(root, 'watch-out') });
    let seen = 0;
    const waitFor = async (n: number) => {
      for (let i = 0; i < 600 && seen < n; i++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = parseProgress(await Promise.resolve(currentStdout())).progress.length;
      }
    };
    let buf = '';
    run.child.stdout?.on('data', (d: Buffer) => (buf += d.toString()));
    const currentStdout = () => buf;
    for (const [i, name] of ['events-000.jsonl', 'events-001.jsonl'].entries()) {
      copyFileSync(join(REPO, 'examples/data/landing', name), join(staging, name));
      renameSync(join(staging, name), join(landing, name));
      await waitFor(i + 1);
    }
    assert.equal(seen, 2);
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    const { summary } = parseProgress(r.stdout);
    assert.equal(summary?.rowsWritten, 500);
  });

  it('runs the TypeScript API example', async () => {
    const out = join(root, 'api-out');
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'examples', 'api.ts')], { cwd: REPO, env: { ...process.env, SLUICE_OUTPUT: out, SLUICE_LOG_LEVEL: 'error' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /batch 1: \d+ rows in, \d+ purchases written/);
    const table = await readTableWithDuckDB(join(out, 'purchases'));
    assert.ok(table.rows.length > 0);
    assert.ok(table.rows.every((x) => x.kind === 'purchase'));
  });

  it('exits non-zero on a bad config and lists every problem', async () => {
    const bad = join(root, 'bad.yaml');
    writeFileSync(bad, 'streaming:\n  source:\n    type: file\n    config:\n      format: xml\n      maxFilesPerTriger: 3\n  sink:\n    type: delta\n    config: {}\n');
    const r = await runCli(['validate', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /SLUICE_CONFIG_INVALID/);
    assert.match(r.stderr, /streaming\.source\.config\.path.*required/);
    assert.match(r.stderr, /streaming\.source\.config\.format.*"xml"/);
    assert.match(r.stderr, /maxFilesPerTriger.*did you mean "maxFilesPerTrigger"/);
    assert.match(r.stderr, /streaming\.sink\.config\.path.*required/);
    assert.match(r.stderr, /checkpoint\.location.*required/);
    const run = await runCli(['run', bad]);
    assert.equal(run.code, 2);
  });

  it('names a missing source directory', async () => {
    const cfg = join(root, 'missing.yaml');
    writeFileSync(cfg, readFileSync(QUICKSTART, 'utf8').replace('path: examples/data/landing', `path: ${join(root, 'nope')}`));
    const r = await runCli(['run', cfg, '--available-now'], { SLUICE_OUTPUT: join(root, 'missing-out') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SLUICE_SOURCE_NOT_FOUND/);
    assert.ok(r.stderr.includes(join(root, 'nope')));
  });

  // Permission errors need a user the file modes apply to: as root, the CLI runs as nobody.
  const asUser = process.getuid?.() === 0 ? { uid: NOBODY } : {};
  const openDir = (name: string): string => {
    chmodSync(root, 0o755);
    const dir = join(root, name);
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    return dir;
  };

  it('names a table path that cannot be written', async () => {
    const ro = openDir('ro');
    const cfg = join(ro, 'ro.yaml');
    writeFileSync(cfg, readFileSync(QUICKSTART, 'utf8').replace('${SLUICE_OUTPUT:-examples/output}/events', `${ro}/locked/events`).replace('${SLUICE_OUTPUT:-examples/output}/checkpoints', `${ro}/checkpoints`));
    mkdirSync(join(ro, 'locked'), { mode: 0o555 });
    chmodSync(join(ro, 'locked'), 0o555);
    const r = await runCli(['run', cfg, '--available-now'], { TMPDIR: ro }, asUser);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /SLUICE_SINK_NOT_WRITABLE/);
    assert.ok(r.stderr.includes(`${ro}/locked/events`));
  });

  it('names a table path under a regular file, which no user can write', async () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    const cfg = join(root, 'ro-table.yaml');
    writeFileSync(cfg, readFileSync(QUICKSTART, 'utf8').replace('${SLUICE_OUTPUT:-examples/output}/events', `${file}/events`));
    const r = await runCli(['run', cfg, '--available-now'], { SLUICE_OUTPUT: join(root, 'ro-out') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SLUICE_SINK_NOT_WRITABLE/);
    assert.ok(r.stderr.includes(`${file}/events`));
  });

  it('sends an unreadable file to the DLQ naming the error, or with ignoreCorruptFiles false stops naming it', async () => {
    const dir = openDir('unreadable');
    const landing = join(dir, 'in');
    mkdirSync(landing, { mode: 0o777 });
    chmodSync(landing, 0o777);
    writeFileSync(join(landing, 'a.jsonl'), '{"event_id":"x"}\n');
    writeFileSync(join(landing, 'b.jsonl'), '{"event_id":"y","kind":"view"}\n');
    chmodSync(join(landing, 'a.jsonl'), 0o000);
    const cfg = join(dir, 'unreadable.yaml');
    const yaml = readFileSync(QUICKSTART, 'utf8').replace('path: examples/data/landing', `path: ${landing}`);
    writeFileSync(cfg, yaml);
    const r = await runCli(['run', cfg, '--available-now', '--progress', 'json'], { SLUICE_OUTPUT: join(dir, 'out'), TMPDIR: dir }, asUser);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(parseProgress(r.stdout).summary?.rowsWritten, 1);
    const rejected = join(dir, 'out', 'checkpoints', 'events', 'rejected');
    const entries = readdirSync(rejected).flatMap((f) => readFileSync(join(rejected, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
    assert.deepEqual(entries.map((e) => [e.errorType, e.rule, e.origin]), [['PROCESSING', 'ignoreCorruptFiles', { file: join(landing, 'a.jsonl') }]]);
    assert.match(String(entries[0]?.message), /^cannot read .*a\.jsonl \(17 bytes\): EACCES/);

    const strict = join(dir, 'strict.yaml');
    writeFileSync(strict, yaml.replace('format: json', 'format: json\n      ignoreCorruptFiles: false'));
    const s = await runCli(['run', strict, '--available-now'], { SLUICE_OUTPUT: join(dir, 'strict-out'), TMPDIR: dir }, asUser);
    assert.equal(s.code, 1, s.stderr);
    assert.match(s.stderr, /SLUICE_SOURCE_READ.*a\.jsonl.*EACCES/);
    assert.match(s.stderr, /a restart re-runs this batch and fails the same way until the file is fixed or removed/);
  });
});
