// Spark-style durations ("5 seconds", "10 minutes", "500ms", "1 hour 30 minutes") and byte sizes ("128 MB", "1g").

const DURATION_UNITS: Record<string, number> = {
  us: 0.001, microsecond: 0.001, microseconds: 0.001,
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

/** Parses a duration to milliseconds; a bare number is milliseconds. Returns undefined when invalid. */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  let s = input.trim().toLowerCase();
  if (s.startsWith('interval ')) s = s.slice('interval '.length).trim();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const unit = DURATION_UNITS[m[2] ?? ''];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    pos = re.lastIndex;
  }
  return pos === s.length && pos > 0 ? total : undefined;
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000} days`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000} minutes`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000} seconds`;
  return `${ms} ms`;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, byte: 1, bytes: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
  t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4,
};

/** Parses a byte size ("128 MB", "1g", 4096) to bytes. Returns undefined when invalid. */
export function parseByteSize(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.floor(input) : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(input.trim().toLowerCase());
  if (m === null) return undefined;
  const unit = SIZE_UNITS[m[2] ?? ''];
  return unit === undefined ? undefined : Math.floor(Number(m[1]) * unit);
}
