// Crash points for the exactly-once tests: with SLUICE_FAULT_INJECT=<point>:<n> the process kills
// itself with SIGKILL the n-th time it reaches <point>, exactly as a power cut would stop it there.
// Unset (always, outside those tests), a point costs one comparison.

const spec = process.env.SLUICE_FAULT_INJECT;
const [target, countText] = spec === undefined ? [undefined, undefined] : spec.split(':');
let remaining = Number(countText ?? '1');

/** A point in the code named `<component>.<moment>` (e.g. `engine.after-wal`, or a connector's own). */
export type FaultPoint = `${string}.${string}`;

export function faultPoint(point: FaultPoint): void {
  if (target !== point) return;
  remaining--;
  if (remaining <= 0) process.kill(process.pid, 'SIGKILL');
}
