// Tests of the checkpoint lock: what it records, how a holder is judged running, stale or on another
// host, and taking over a stale lock, against real processes.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CheckpointError } from '../core/errors.ts';
import { acquireLock, inspectLock, LOCK_FILE } from './lock.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-lock-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});
let n = 0;
const folder = (): string => mkdtempSync(join(root, `cp${++n}-`));
const hasProc = existsSync('/proc/self/stat');

/** A process that sleeps until killed. */
async function sleeper(): Promise<ChildProcess & { pid: number }> {
  const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(c);
  await new Promise((r) => c.once('spawn', r));
  return c as ChildProcess & { pid: number };
}

/** The pid of a process that has exited. */
async function goneProcess(): Promise<number> {
  const c = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => c.once('exit', r));
  return c.pid as number;
}

function procStart(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

function writeLock(dir: string, holder: Record<string, unknown>): void {
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ host: hostname(), since: '2024-05-01T10:00:00.000Z', token: 't', queryId: 'q-1', runId: 'r-1', ...holder }));
}

describe('the checkpoint lock', () => {
  it('records pid, host, start time, query id and run id, and reports its own holder as running', async () => {
    const dir = folder();
    const held = await acquireLock(dir, { queryId: 'q', runId: 'r' });
    const lock = await inspectLock(dir);
    assert.equal(lock?.state, 'running');
    assert.equal(lock?.pid, process.pid);
    assert.equal(lock?.host, hostname());
    assert.equal(lock?.queryId, 'q');
    assert.equal(lock?.runId, 'r');
    if (hasProc) assert.equal(lock?.procStart, procStart(process.pid));
    assert.match(lock?.description ?? '', new RegExp(`^running \\(pid ${process.pid} on host ${hostname()} since \\d{4}-`));
    await held.release();
    assert.equal(await inspectLock(dir), null);
  });

  it('reports a lock whose process no longer exists as stale, naming who left it and when', async () => {
    const dir = folder();
    const pid = await goneProcess();
    writeLock(dir, { pid });
    const lock = await inspectLock(dir);
    assert.equal(lock?.state, 'stale');
    assert.equal(lock?.description, `stale lock: left by pid ${pid} on host ${hostname()} (locked since 2024-05-01T10:00:00.000Z); the process no longer exists`);
  });

  it('reports a live process with the recorded start time as running, and one whose pid was reused as stale', { skip: !hasProc && 'no /proc here' }, async () => {
    const live = await sleeper();
    const dir = folder();
    writeLock(dir, { pid: live.pid, procStart: procStart(live.pid) });
    assert.equal((await inspectLock(dir))?.state, 'running');
    writeLock(dir, { pid: live.pid, procStart: '1' });
    const reused = await inspectLock(dir);
    assert.equal(reused?.state, 'stale');
    assert.match(reused?.description ?? '', new RegExp(`the process no longer exists \\(pid ${live.pid} now belongs to another process\\)$`));
  });

  it('reports a lock taken before the host restarted as stale', { skip: !hasProc && 'no /proc here' }, async () => {
    const live = await sleeper();
    const dir = folder();
    writeLock(dir, { pid: live.pid, bootId: 'an-earlier-boot' });
    assert.match((await inspectLock(dir))?.description ?? '', /stale lock: .*the host has restarted since/);
  });

  it('cannot judge a lock held from another host, and does not take it', async () => {
    const dir = folder();
    writeLock(dir, { pid: 4242, host: 'other-host' });
    const lock = await inspectLock(dir);
    assert.equal(lock?.state, 'elsewhere');
    assert.equal(lock?.description, 'held by host other-host (pid 4242 since 2024-05-01T10:00:00.000Z); cannot check from here');
    await assert.rejects(acquireLock(dir, { queryId: 'q', runId: 'r' }), (e: unknown) => e instanceof CheckpointError && /locked by process 4242 on host other-host/.test(e.message));
    assert.equal((JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { host: string }).host, 'other-host');
  });

  it('refuses a lock held by a live process of this host', async () => {
    const live = await sleeper();
    const dir = folder();
    writeLock(dir, { pid: live.pid, ...(hasProc ? { procStart: procStart(live.pid) } : {}) });
    await assert.rejects(acquireLock(dir, { queryId: 'q', runId: 'r' }), new RegExp(`in use by process ${live.pid} on this host`));
  });

  it('takes over a stale lock, says whose it was, and leaves exactly one holder when two take it over at once', async () => {
    const dir = folder();
    const pid = await goneProcess();
    writeLock(dir, { pid });
    const results = await Promise.allSettled([acquireLock(dir, { queryId: 'q', runId: 'a' }), acquireLock(dir, { queryId: 'q', runId: 'b' })]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    assert.match(String(lost[0]?.reason), /in use by process/);
    const held = won[0]?.value;
    assert.equal(held?.replaced?.pid, pid);
    assert.equal(held?.replaced?.why, 'the process no longer exists');
    const lock = await inspectLock(dir);
    assert.equal(lock?.state, 'running');
    assert.equal(lock?.pid, process.pid);
    assert.equal(existsSync(join(dir, '.lock.takeover')), false);
    await held?.release();
  });

  it('treats an unreadable lock file as stale and takes it over', async () => {
    const dir = folder();
    writeFileSync(join(dir, LOCK_FILE), '{"pid": ');
    assert.match((await inspectLock(dir))?.description ?? '', /stale lock: .*the lock file is unreadable/);
    const held = await acquireLock(dir, { queryId: 'q', runId: 'r' });
    assert.equal(held.replaced?.why, 'the lock file is unreadable');
    await held.release();
  });
});
