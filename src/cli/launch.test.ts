// `sluice run` runs its pipeline with a bounded heap unless a limit was chosen; the supervisor passes
// signals through once, returns the pipeline's exit, and takes the pipeline down when it dies itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from '../../test/support/cli.ts';
import { DEFAULT_HEAP_MB, heapLimitFor } from './launch.ts';

const runArgv = ['node', 'sluice', 'run', 'p.yaml'];

void test('only `sluice run` gets the default heap limit, and only where Node would allow more', () => {
  assert.equal(heapLimitFor(runArgv, [], {}, 4144), DEFAULT_HEAP_MB);
  assert.equal(heapLimitFor(['node', 'sluice', 'validate', 'p.yaml'], [], {}, 4144), undefined);
  assert.equal(heapLimitFor(runArgv, [], {}, 1000), undefined, 'a smaller machine keeps its smaller default');
});

void test('a heap limit chosen by the user, or SLUICE_HEAP_MB, decides instead', () => {
  assert.equal(heapLimitFor(runArgv, ['--max-old-space-size=8192'], {}, 8192), undefined);
  assert.equal(heapLimitFor(runArgv, [], { NODE_OPTIONS: '--max_old_space_size=4096' }, 4096), undefined);
  assert.equal(heapLimitFor(runArgv, [], { SLUICE_HEAP_MB: '3000' }, 4144), 3000);
  assert.equal(heapLimitFor(runArgv, [], { SLUICE_HEAP_MB: '0' }, 4144), undefined);
  assert.equal(heapLimitFor(runArgv, [], { SLUICE_SUPERVISED: '1' }, 4144), undefined, 'the supervised process runs the pipeline itself');
});

/** Whether a process still runs (a zombie waiting for its new parent to reap it has ended). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The pipeline process the command started (other children, such as a TypeScript loader's, aside). */
function pipelineOf(pid: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after its ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('entry.ts')) return Number(name);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}

async function until<T>(what: string, f: () => T | undefined, ms = 30_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    const v = f();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs a never-ending pipeline through the launcher, with a small heap limit (a limit above this
 * machine's default would not apply), until its first batch is committed; then hands it to `f`. */
async function withRunningPipeline(f: (run: ReturnType<typeof spawnCli>, pipeline: number) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-launch-'));
  try {
    const config = join(dir, 'p.yaml');
    writeFileSync(config, `streaming:
  source: { type: rate, config: { rowsPerSecond: 100 } }
  processing: { batch.interval: 100ms }
  sink: { type: delta, config: { path: ${join(dir, 'table')}, checkpoint.location: ${join(dir, 'cp')} } }
`);
    const run = spawnCli(['run', config, '--progress', 'json'], { SLUICE_HEAP_MB: '256' }, { launcher: true });
    let stdout = '';
    run.child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    const pipeline = await until('the pipeline process', () => pipelineOf(run.child.pid ?? 0));
    await until('a committed batch', () => (stdout.includes('"batchId"') ? true : undefined));
    await f(run, pipeline);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void test('the pipeline runs under the limit in a process of its own, and SIGTERM to the command stops it after its batch', async () => {
  await withRunningPipeline(async (run, pipeline) => {
    assert.match(readFileSync(`/proc/${pipeline}/cmdline`, 'utf8'), /--max-old-space-size=256/);
    run.child.kill('SIGTERM');
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /SIGTERM: finishing the current batch/);
    assert.equal(running(pipeline), false);
  });
});

void test('when the command is killed outright, its pipeline process goes too', async () => {
  await withRunningPipeline(async (run, pipeline) => {
    run.child.kill('SIGKILL');
    await run.done;
    await until('the pipeline process to exit', () => (running(pipeline) ? undefined : true), 10_000);
  });
});
