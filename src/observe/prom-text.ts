// A strict reader of the Prometheus text exposition format (0.0.4), for tests and tools that check
// what /metrics serves: any malformed line, unknown type or inconsistent histogram is an error.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const seen = new Set<string>();
  const helps = new Map<string, string>();
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') throw new Error('exposition must end with a newline');
  lines.forEach((line, i) => {
    const fail = (why: string): never => {
      throw new Error(`line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (m === null) return; // other comments are allowed
      const [, kind, name = '', rest = ''] = m;
      if (!NAME.test(name)) fail('invalid metric name');
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) fail('unknown metric type');
        if (families.has(name)) fail('TYPE given twice or after samples');
        families.set(name, { name, type: rest as MetricFamily['type'], help: helps.get(name) ?? '', samples: [] });
      } else {
        if (helps.has(name)) fail('HELP given twice');
        const help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
        helps.set(name, help);
        const f = families.get(name);
        if (f !== undefined) f.help = help;
      }
      return;
    }
    const sample = parseSample(line, fail);
    const family = familyOf(sample.name, families) ?? fail('sample without a TYPE line');
    const key = sample.name + JSON.stringify(Object.entries(sample.labels).sort());
    if (seen.has(key)) fail('duplicate series');
    seen.add(key);
    family.samples.push(sample);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? ([^ ]+)( -?\d+)?$/.exec(line) ?? fail('malformed sample');
  const name = m[1] ?? '';
  const labels: Record<string, string> = {};
  const body = m[2];
  if (body !== undefined) {
    let rest = body.slice(1, -1);
    while (rest !== '') {
      const lm = /^([^=]+)="((?:[^"\\]|\\.)*)"(,|$)/.exec(rest) ?? fail('malformed labels');
      const lname = lm[1] ?? '';
      if (!LABEL.test(lname)) fail(`invalid label name ${lname}`);
      if (lname in labels) fail(`label ${lname} given twice`);
      const raw = lm[2] ?? '';
      if (/\\[^\\"n]/.test(raw.replace(/\\\\/g, ''))) fail('invalid escape in a label value');
      labels[lname] = raw.replace(/\\(["\\n])/g, (_s, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(lm[0].length);
      if (lm[3] === ',' && rest === '') break;
    }
  }
  const v = m[3] ?? '';
  // Prometheus parses values as Go floats: NaN and Inf in any letter case (prom-client writes `Nan`).
  const lower = v.toLowerCase();
  const value =
    lower === '+inf' || lower === 'inf' ? Infinity : lower === '-inf' ? -Infinity : lower === 'nan' ? NaN : /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v) ? Number(v) : fail('invalid value');
  return { name, labels, value };
}

function familyOf(sample: string, families: Map<string, MetricFamily>): MetricFamily | undefined {
  const direct = families.get(sample);
  if (direct !== undefined) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sample.endsWith(suffix)) continue;
    const f = families.get(sample.slice(0, -suffix.length));
    if (f !== undefined && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f;
  }
  return undefined;
}

function checkHistogram(f: MetricFamily): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${f.name}: bucket without le`);
      g.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
    } else if (s.name.endsWith('_count')) g.count = s.value;
  }
  for (const g of groups.values()) {
    const sorted = [...g.buckets].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++) if ((sorted[i]?.[1] ?? 0) < (sorted[i - 1]?.[1] ?? 0)) throw new Error(`${f.name}: buckets are not cumulative`);
    const inf = sorted[sorted.length - 1];
    if (inf === undefined || inf[0] !== Infinity) throw new Error(`${f.name}: no +Inf bucket`);
    if (g.count !== inf[1]) throw new Error(`${f.name}: +Inf bucket ${inf[1]} differs from _count ${String(g.count)}`);
  }
}

/** The value of the one series of `name` whose labels include `labels`; throws when not exactly one. */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number {
  const all = [...families.values()].flatMap((f) => f.samples).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (all.length !== 1) throw new Error(`expected one series ${name}${JSON.stringify(labels)}, found ${all.length}`);
  return all[0]?.value ?? NaN;
}
