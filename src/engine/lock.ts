// The checkpoint's `.lock`: who holds it (pid, host, process start, query and run), whether that
// process still exists, and taking over a lock whose holder died (kill -9, a crash, a reboot).
//
//   acquire:  link a complete lock file into place (put-if-absent) -> held
//             exists -> holder alive here, or on another host -> refuse, naming the holder
//                    -> holder gone -> under `.lock.takeover`, remove it only if it is still the
//                       very lock judged stale (a newer holder is never removed), then retry
//   alive:    same host; kill(pid, 0) finds the pid (EPERM counts as found); the pid's start time
//             in /proc/<pid>/stat still matches (a reused pid is another process); same boot
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, ErrorCodes } from '../core/errors.ts';
import { readTextIfExists, writeFileIfAbsent } from '../core/fs.ts';

export const LOCK_FILE = '.lock';
const TAKEOVER_FILE = '.lock.takeover';

/** What the lock file records. `procStart` and `bootId` are absent where /proc is not available. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** When the holder took the lock (ISO). */
  readonly since: string;
  readonly token: string;
  readonly queryId?: string;
  readonly runId?: string;
  /** The holder's start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
  readonly procStart?: string;
  readonly bootId?: string;
}

export type HolderState =
  | { readonly state: 'running' }
  | { readonly state: 'stale'; readonly why: string }
  /** Held from another host: its processes cannot be seen from here. */
  | { readonly state: 'elsewhere' };

/** What `sluice status` and `checkpoint show` report of a lock. */
export type LockReport = LockHolder & HolderState & { readonly description: string };

const UNKNOWN_HOLDER: LockHolder = { pid: 0, host: 'unknown', since: 'unknown', token: '' };

/** Lock tokens held by queries of this process. */
const LIVE_LOCKS = new Set<string>();

function procStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that holds the lock still exists, as far as this host can tell. */
export function holderState(h: LockHolder): HolderState {
  if (h.host !== hostname()) return { state: 'elsewhere' };
  // Our own pid: a query of this process, or an earlier process that had the same pid (pid 1 in a
  // restarted container, say).
  if (h.pid === process.pid) return LIVE_LOCKS.has(h.token) ? { state: 'running' } : { state: 'stale', why: 'the process no longer exists' };
  const boot = bootId();
  if (h.bootId !== undefined && boot !== undefined && h.bootId !== boot) return { state: 'stale', why: 'the process no longer exists (the host has restarted since)' };
  if (!pidExists(h.pid)) return { state: 'stale', why: 'the process no longer exists' };
  const start = h.procStart === undefined ? undefined : procStartOf(h.pid);
  if (start !== undefined && start !== h.procStart) return { state: 'stale', why: `the process no longer exists (pid ${h.pid} now belongs to another process)` };
  return { state: 'running' };
}

export function describeHolder(h: LockHolder, s: HolderState): string {
  if (s.state === 'running') return `running (pid ${h.pid} on host ${h.host} since ${h.since})`;
  if (s.state === 'stale') return `stale lock: left by pid ${h.pid} on host ${h.host} (locked since ${h.since}); ${s.why}`;
  return `held by host ${h.host} (pid ${h.pid} since ${h.since}); cannot check from here`;
}

export function parseLock(text: string | undefined): LockHolder | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v.pid !== 'number' || typeof v.host !== 'string') return undefined;
    const opt = (k: string): Record<string, string> => (typeof v[k] === 'string' ? { [k]: v[k] } : {});
    return { pid: v.pid, host: v.host, since: String(v.since), token: String(v.token), ...opt('queryId'), ...opt('runId'), ...opt('procStart'), ...opt('bootId') };
  } catch {
    return undefined;
  }
}

/** The lock of a checkpoint folder and what is known of its holder; null when nobody holds it. */
export async function inspectLock(dir: string): Promise<LockReport | null> {
  const text = await readTextIfExists(join(dir, LOCK_FILE));
  if (text === undefined) return null;
  const parsed = parseLock(text);
  const h = parsed ?? UNKNOWN_HOLDER;
  const s: HolderState = parsed === undefined ? { state: 'stale', why: 'the lock file is unreadable' } : holderState(parsed);
  return { ...h, ...s, description: describeHolder(h, s) };
}

export interface HeldLock {
  readonly release: () => Promise<void>;
  /** The holder whose stale lock this one replaced, if any (for a log line). */
  readonly replaced: (LockHolder & { readonly why: string }) | undefined;
}

/** Takes the checkpoint for a query; a live holder, here or on another host, is an error. */
export async function acquireLock(dir: string, owner: { readonly queryId: string; readonly runId: string }): Promise<HeldLock> {
  const path = join(dir, LOCK_FILE);
  const token = randomUUID();
  const start = procStartOf(process.pid);
  const boot = bootId();
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    token,
    queryId: owner.queryId,
    runId: owner.runId,
    ...(start === undefined ? {} : { procStart: start }),
    ...(boot === undefined ? {} : { bootId: boot }),
  };
  const mine = JSON.stringify(me);
  let replaced: HeldLock['replaced'];
  // Live before the file appears: another query of this process reading it meanwhile must not take
  // a lock with our pid for one left by an earlier process.
  LIVE_LOCKS.add(token);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      // Linked into place complete: a reader never sees a half-written lock and takes it for stale.
      if (await writeFileIfAbsent(path, mine)) {
        const release = async (): Promise<void> => {
          LIVE_LOCKS.delete(token);
          if ((await readTextIfExists(path)) === mine) await fsp.rm(path, { force: true });
        };
        return { release, replaced };
      }
      replaced = (await judgeHolder(dir, path)) ?? replaced;
    }
  } catch (err) {
    LIVE_LOCKS.delete(token);
    throw err;
  }
  LIVE_LOCKS.delete(token);
  throw new CheckpointError(ErrorCodes.CHECKPOINT_MISMATCH, `could not lock checkpoint ${dir}: other processes keep taking it`, { retryable: true });
}

/** Refuses a live holder; removes a stale one (unless another process is removing it at the same
 * time) and returns it. */
async function judgeHolder(dir: string, path: string): Promise<HeldLock['replaced']> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  const holder = parseLock(text);
  const state: HolderState = holder === undefined ? { state: 'stale', why: 'the lock file is unreadable' } : holderState(holder);
  if (holder !== undefined && state.state === 'elsewhere') {
    throw new CheckpointError(
      ErrorCodes.CHECKPOINT_MISMATCH,
      `checkpoint ${dir} is locked by process ${holder.pid} on host ${holder.host} since ${holder.since}; this host cannot tell whether it still runs: if it is gone, remove ${path}`,
      { details: { holder } },
    );
  }
  if (holder !== undefined && state.state === 'running') {
    throw new CheckpointError(ErrorCodes.CHECKPOINT_MISMATCH, `checkpoint ${dir} is in use by process ${holder.pid} on this host since ${holder.since}`, { details: { holder } });
  }
  if (state.state !== 'stale') return undefined;
  await removeIfUnchanged(dir, text);
  return { ...(holder ?? UNKNOWN_HOLDER), why: state.why };
}

/** Removes the lock if it still holds `stale`, under a short-lived takeover lock, so that two
 * processes judging the same lock stale never remove the one the faster of them has just taken. */
async function removeIfUnchanged(dir: string, stale: string): Promise<boolean> {
  const guard = join(dir, TAKEOVER_FILE);
  const mark = JSON.stringify({ pid: process.pid, host: hostname(), token: randomUUID() });
  if (!(await writeFileIfAbsent(guard, mark))) {
    // Another process is taking over; a guard whose process died mid-takeover is cleared.
    const other = parseLock(await readTextIfExists(guard));
    if (other === undefined || (other.host === hostname() && !pidExists(other.pid))) await fsp.rm(guard, { force: true });
    await new Promise((r) => setTimeout(r, 20));
    return false;
  }
  try {
    if ((await readTextIfExists(join(dir, LOCK_FILE))) !== stale) return false;
    await fsp.rm(join(dir, LOCK_FILE), { force: true });
    return true;
  } finally {
    await fsp.rm(guard, { force: true });
  }
}
