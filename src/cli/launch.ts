// Starts the CLI. `sluice run` gets a process with a bounded V8 heap, as a JVM engine gets -Xmx:
// with Node's default limit on a machine with much memory, V8 lets the old generation grow to about
// four times the live data between full collections; under 2 GB the factor is about 1.3-2.
//
//   sluice run ... (heap limit not chosen, default above the target)
//     └─ supervisor: spawns the same command with --max-old-space-size, in its own process group
//          ├─ SIGINT / SIGTERM / SIGHUP ──forwarded once──► pipeline process (graceful stop, as before)
//          ├─ pipeline exits with code c / signal s ──► supervisor exits with c / s
//          └─ supervisor dies (even SIGKILL) ──IPC channel closes──► pipeline process exits at once
import { spawn } from 'node:child_process';
import v8 from 'node:v8';

/** The heap limit `sluice run` gives its pipeline process unless told otherwise (SLUICE_HEAP_MB). */
export const DEFAULT_HEAP_MB = 1536;

const CHILD_MARK = 'SLUICE_SUPERVISED';
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The heap limit (MB) to run `argv`'s command with, or undefined to run it in this process as it is. */
export function heapLimitFor(argv: readonly string[], execArgv: readonly string[], env: NodeJS.ProcessEnv, currentLimitMb: number): number | undefined {
  if (argv[2] !== 'run' || env[CHILD_MARK] === '1') return undefined;
  // A limit the user chose, on the command line or in NODE_OPTIONS, stands.
  const chosen = /--max[-_]old[-_]space[-_]size/;
  if (execArgv.some((a) => chosen.test(a)) || chosen.test(env.NODE_OPTIONS ?? '')) return undefined;
  const wanted = env.SLUICE_HEAP_MB === undefined || env.SLUICE_HEAP_MB === '' ? DEFAULT_HEAP_MB : Number(env.SLUICE_HEAP_MB);
  if (!Number.isInteger(wanted) || wanted <= 0) return undefined; // SLUICE_HEAP_MB=0 (or junk): Node's default
  return currentLimitMb > wanted ? wanted : undefined;
}

/** Runs the CLI whose entry module is `entry` (this file's caller), under a supervisor when needed. */
export async function launch(entry: string): Promise<void> {
  const limit = heapLimitFor(process.argv, process.execArgv, process.env, v8.getHeapStatistics().heap_size_limit / 1048576);
  if (process.env[CHILD_MARK] === '1' && process.channel !== undefined) {
    // The supervisor is gone (killed, even with SIGKILL): go too, as the one process would have.
    process.channel.unref();
    process.on('disconnect', () => process.exit(1));
  }
  if (limit === undefined) {
    await import('./main.ts');
    return;
  }
  supervise(entry, limit);
}

function supervise(entry: string, limitMb: number): void {
  const child = spawn(process.execPath, [...process.execArgv, `--max-old-space-size=${limitMb}`, entry, ...process.argv.slice(2)], {
    // Its own process group: a Ctrl-C reaches it once, through the forwarding below, never twice.
    detached: true,
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [CHILD_MARK]: '1' },
  });
  const forward = (sig: NodeJS.Signals): void => {
    child.kill(sig);
  };
  for (const s of SIGNALS) process.on(s, forward);
  child.on('error', (err) => {
    process.stderr.write(`error: cannot start the pipeline process: ${err.message}\n`);
    process.exitCode = 1;
  });
  child.on('exit', (code, signal) => {
    for (const s of SIGNALS) process.off(s, forward);
    if (signal !== null) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
}
