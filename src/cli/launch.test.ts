// `sluice run` runs its pipeline with a bounded heap unless a limit was chosen; the supervisor passes
// signals through once, returns the pipeline's exit, and takes the pipeline down when it dies itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_HEAP_MB, heapLimitFor } from './launch.ts';

const ENTRY = fileURLToPath(new URL('./entry.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = ['node', 'sluice', 'run', 'p.yaml'];

void test('only `sluice run` gets the default heap limit, and only where Node would allow more', () => {
  assert.equal(heapLimitFor(run, [], {}, 4144), DEFAULT_HEAP_MB);
  assert.equal(heapLimitFor(['node', 'sluice', 'validate', 'p.yaml'], [], {}, 4144), undefined);
  assert.equal(heapLimitFor(run, [], {}, 1000), undefined, 'a smaller machine keeps its smaller default');
});

void test('a heap limit chosen by the user, or SLUICE_HEAP_MB, decides instead', () => {
  assert.equal(heapLimitFor(run, ['--max-old-space-size=8192'], {}, 8192), undefined);
  assert.equal(heapLimitFor(run, [], { NODE_OPTIONS: '--max_old_space_size=4096' }, 4096), undefined);
  assert.equal(heapLimitFor(run, [], { SLUICE_HEAP_MB: '3000' }, 4144), 3000);
  assert.equal(heapLimitFor(run, [], { SLUICE_HEAP_MB: '0' }, 4144), undefined);
  assert.equal(heapLimitFor(run, [], { SLUICE_SUPERVISED: '1' }, 4144), undefined, 'the supervised process runs the pipeline itself');
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

function startPipeline(dir: string) {
  const config = join(dir, 'p.yaml');
  writeFileSync(config, `streaming:
  source: { type: rate, config: { rowsPerSecond: 100 } }
  processing: { batch.interval: 100ms }
  sink: { type: delta, config: { path: ${join(dir, 'table')}, checkpoint.location: ${join(dir, 'cp')} } }
`);
  // A limit above this machine's default would not apply; the test asks for a small one.
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'run', config, '--progress', 'json'], {
    cwd: REPO,
    env: { ...process.env, SLUICE_HEAP_MB: '256', SLUICE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, done, out: () => stdout, err: () => stderr };
}

void test('the pipeline runs under the limit in a process of its own, and SIGTERM to the command stops it after its batch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-launch-'));
  try {
    const p = startPipeline(dir);
    const pid = p.child.pid ?? 0;
    const worker = await until('the pipeline process', () => pipelineOf(pid));
    assert.match(readFileSync(`/proc/${worker}/cmdline`, 'utf8'), /--max-old-space-size=256/);
    await until('a committed batch', () => (p.out().includes('"batchId"') ? true : undefined));
    p.child.kill('SIGTERM');
    const r = await p.done;
    assert.equal(r.code, 0, p.err());
    assert.match(p.err(), /SIGTERM: finishing the current batch/);
    assert.equal(running(worker), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('when the command is killed outright, its pipeline process goes too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-launch-'));
  try {
    const p = startPipeline(dir);
    const pid = p.child.pid ?? 0;
    const worker = await until('the pipeline process', () => pipelineOf(pid));
    await until('a committed batch', () => (p.out().includes('"batchId"') ? true : undefined));
    p.child.kill('SIGKILL');
    await p.done;
    await until('the pipeline process to exit', () => (running(worker) ? undefined : true), 10_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
