// Runs the `sluice` CLI from the sources as a child process, the way a user runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const ENTRY = fileURLToPath(new URL('../../src/cli/entry.ts', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SpawnOptions {
  /** Run as this user id (tests running as root use an unprivileged user to check permission errors). */
  readonly uid?: number;
  /** Start through the command's launcher (src/cli/entry.ts), as the `sluice` bin does, instead of
   * running the CLI in the spawned process itself. */
  readonly launcher?: boolean;
}

/** The unprivileged user (nobody) that permission tests run as when the tests themselves run as root. */
export const NOBODY = 65534;

/** Lets another user reach the checkout: a clone inside a private folder (mktemp's 0700, say) would
 * otherwise hide the sources from the unprivileged user. Adds only the search bit, never read. */
function letOthersTraverse(dir: string): void {
  for (let d = dir; ; d = dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) chmodSync(d, mode | 0o001);
    if (dirname(d) === d) break;
  }
}

export function spawnCli(args: readonly string[], env: Record<string, string> = {}, opts: SpawnOptions = {}): { child: ChildProcess; done: Promise<CliResult> } {
  if (opts.uid !== undefined) letOthersTraverse(REPO);
  const child = spawn(process.execPath, ['--import', 'tsx', opts.launcher === true ? ENTRY : MAIN, ...args], {
    cwd: REPO,
    ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid }),
    env: { ...process.env, SLUICE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function runCli(args: readonly string[], env: Record<string, string> = {}, opts: SpawnOptions = {}): Promise<CliResult> {
  return spawnCli(args, env, opts).done;
}

/** The JSON lines a `--progress json` run printed, split into progress objects and the summary. */
export function parseProgress(stdout: string): { progress: Record<string, unknown>[]; summary: Record<string, unknown> | undefined } {
  const progress: Record<string, unknown>[] = [];
  let summary: Record<string, unknown> | undefined;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const v = JSON.parse(line) as Record<string, unknown>;
    if ('summary' in v) summary = v.summary as Record<string, unknown>;
    else progress.push(v);
  }
  return { progress, summary };
}
