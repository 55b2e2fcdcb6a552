// After `kill -9`, `sluice status` and `sluice checkpoint show` tell that the lock is stale (who left
// it and when), and the next `sluice run` takes the checkpoint over and finishes the work.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { runCli, spawnCli } from '../support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-stale-lock-'));
after(() => rmSync(root, { recursive: true, force: true }));

function land(dir: string, name: string, from: number, count: number): void {
  const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ id: from + i, name: `n${from + i}` }));
  writeFileSync(join(dir, name), lines.join('\n') + '\n');
}

describe('the checkpoint lock after kill -9', () => {
  it('is shown as stale by status and checkpoint show, and a new run takes it over', async () => {
    const landing = join(root, 'landing');
    mkdirSync(landing);
    land(landing, 'a.jsonl', 0, 10);
    const cp = join(root, 'cp');
    const config = join(root, 'pipeline.yaml');
    writeFileSync(
      config,
      [
        'streaming:',
        '  name: stale-lock',
        '  source:',
        '    type: file',
        '    config:',
        `      path: ${landing}`,
        '      schema: "id BIGINT NOT NULL, name STRING"',
        '  processing:',
        '    batch.interval: 100ms',
        '  sink:',
        '    type: delta',
        '    config:',
        `      path: ${join(root, 'table')}`,
        `      checkpoint.location: ${cp}`,
      ].join('\n'),
    );

    const run = spawnCli(['run', config, '--progress', 'json']);
    const pid = run.child.pid as number;
    let stdout = '';
    run.child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    while (!stdout.includes('"batchId":0')) {
      assert.equal(run.child.exitCode, null, 'the pipeline stopped early');
      await delay(50);
    }
    const running = await runCli(['status', '--checkpoint', cp]);
    assert.equal(running.code, 0, running.stderr);
    assert.match(running.stdout, new RegExp(`^state\\s+running \\(pid ${pid} on host ${hostname()} since \\d{4}-\\d\\d-\\d\\dT`, 'm'));
    const queryId = (JSON.parse(readFileSync(join(cp, 'metadata'), 'utf8')) as { id: string }).id;

    run.child.kill('SIGKILL');
    const killed = await run.done;
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(existsSync(join(cp, '.lock')), true, 'a killed process leaves its lock behind');

    const stale = await runCli(['status', '--checkpoint', cp]);
    assert.equal(stale.code, 0, stale.stderr);
    assert.match(stale.stdout, new RegExp(`^state\\s+stale lock: left by pid ${pid} on host ${hostname()} \\(locked since \\d{4}-[^)]+\\); the process no longer exists$`, 'm'));
    const shown = await runCli(['checkpoint', 'show', cp]);
    assert.match(shown.stdout, new RegExp(`^lock\\s+stale lock: left by pid ${pid} on host`, 'm'));
    const json = JSON.parse((await runCli(['status', '--checkpoint', cp, '--json'])).stdout) as { checkpoint: { lock: Record<string, unknown> } };
    assert.equal(json.checkpoint.lock.state, 'stale');
    assert.equal(json.checkpoint.lock.pid, pid);
    assert.equal(json.checkpoint.lock.queryId, queryId);
    assert.equal(typeof json.checkpoint.lock.runId, 'string');

    land(landing, 'b.jsonl', 10, 5);
    const again = await runCli(['run', config, '--available-now', '--progress', 'json']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`took over the checkpoint lock left by a process that no longer exists.*pid=${pid}`));
    assert.equal(existsSync(join(cp, '.lock')), false);
    const stopped = await runCli(['status', '--checkpoint', cp]);
    assert.match(stopped.stdout, /^state\s+stopped$/m);
    assert.match((await runCli(['checkpoint', 'show', cp])).stdout, /^lock\s+none$/m);
  });
});
