// The SIGKILL loop of the exactly-once tests: `sluice run --available-now` is started again and again,
// killed at named fault points (core/faults.ts) and at random moments, until enough kills happened.
import { strict as assert } from 'node:assert';
import { setTimeout as delay } from 'node:timers/promises';
import type { FaultPoint } from '../../src/core/faults.ts';
import { spawnCli } from './cli.ts';

export const FAULT_POINTS: readonly FaultPoint[] = ['engine.after-wal', 'delta.data-file-written', 'delta.after-commit', 'engine.before-commit', 'engine.after-commit'];

/** A small seeded generator, so that a failing run can be repeated with SLUICE_CRASH_SEED. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** The seed of this run: SLUICE_CRASH_SEED, or one derived from the clock (reported on failure). */
export function crashSeed(): number {
  return Number(process.env.SLUICE_CRASH_SEED ?? Date.now() % 100_000);
}

export interface CrashLoopOptions {
  readonly config: string;
  readonly seed: number;
  /** Kills to reach (default 12); the loop gives up after three times as many runs. */
  readonly kills?: number;
  /** Fewest kills the test accepts (default 10). */
  readonly minKills?: number;
  /** A random kill waits this long (ms, default 700) plus up to `randomSpreadMs` (default 1500). */
  readonly randomDelayMs?: number;
  readonly randomSpreadMs?: number;
}

export interface CrashLoopResult {
  readonly kills: number;
  /** One line per run: the kill point or `random`, and how the run ended. */
  readonly log: readonly string[];
}

/** Two runs of three are killed at a fault point (its 1st to 3rd passage), the third at a random
 * moment; a run that is not killed must finish cleanly. */
export async function crashLoop(opts: CrashLoopOptions): Promise<CrashLoopResult> {
  const random = rng(opts.seed);
  const target = opts.kills ?? 12;
  let kills = 0;
  const log: string[] = [];
  for (let attempt = 0; kills < target && attempt < target * 3; attempt++) {
    const usePoint = attempt % 3 !== 2;
    const point = FAULT_POINTS[Math.floor(random() * FAULT_POINTS.length)] ?? 'engine.after-wal';
    const env: Record<string, string> = usePoint ? { SLUICE_FAULT_INJECT: `${point}:${1 + Math.floor(random() * 3)}` } : {};
    const run = spawnCli(['run', opts.config, '--available-now', '--progress', 'json'], env);
    if (!usePoint) {
      // A kill at a random moment: wait for the process to get going, then pull the plug.
      await delay((opts.randomDelayMs ?? 700) + Math.floor(random() * (opts.randomSpreadMs ?? 1500)));
      run.child.kill('SIGKILL');
    }
    const r = await run.done;
    log.push(`${usePoint ? env.SLUICE_FAULT_INJECT : 'random'} -> ${r.signal ?? r.code}`);
    if (r.signal === 'SIGKILL') kills++;
    else assert.equal(r.code, 0, `run ended with ${r.code} (seed ${opts.seed}): ${r.stderr}`);
  }
  assert.ok(kills >= (opts.minKills ?? 10), `only ${kills} kills happened (seed ${opts.seed}): ${log.join(', ')}`);
  return { kills, log };
}
