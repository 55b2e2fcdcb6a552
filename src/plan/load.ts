// Loads a pipeline file: YAML with positions, ${ENV} interpolation, the pipeline schema, then each
// component's own schema; every problem is collected and reported at once.
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type * as Yaml from 'yaml';
import type { LineCounter } from 'yaml';
import { lazyModule } from '../core/lazy.ts';
import { ConfigError, ErrorCodes, SluiceError, type ConfigProblem } from '../core/errors.ts';
import { buildPlan, type KeyNames } from './build.ts';
import { interpolate } from '../config/interpolate.ts';
import { PipelineFileSchema, type PipelineFile } from './pipeline.ts';
import { triggerFrom, type ComponentRegistry, type PipelinePlan, type StageFactory, type Trigger } from './plan.ts';
import { closest, validate } from '../config/problems.ts';
import { planStages, sinkSchemaProblems, wantsSinkSchema, type StageToPlan } from './schema-plan.ts';

// YAML is needed only where a pipeline file is read (the CLI), not by pipelines built in code.
const yaml = lazyModule<typeof Yaml>('yaml');

export interface LoadOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Overrides the trigger of the file (the CLI's --once / --available-now). */
  readonly trigger?: Trigger;
}

type TextOptions = LoadOptions & { readonly name?: string; readonly source?: string };

/** A pipeline file checked as far as it can be without I/O; `preflight` makes the checks that need it. */
interface Analysis {
  readonly where: string;
  readonly problems: readonly ConfigProblem[];
  /** Undefined when there are problems. */
  readonly plan: PipelinePlan | undefined;
  readonly preflight: (() => Promise<ConfigProblem[]>) | undefined;
}

function readConfig(file: string, opts: LoadOptions): { text: string; opts: TextOptions } {
  try {
    const text = readFileSync(file, 'utf8');
    return { text, opts: { ...opts, name: basename(file, extname(file)).replace(/[^A-Za-z0-9_.-]/g, '_'), source: file } };
  } catch (err) {
    throw new SluiceError(ErrorCodes.CONFIG_NOT_FOUND, `cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

export function loadPipelineFile(file: string, registry: ComponentRegistry, opts: LoadOptions = {}): PipelinePlan {
  const c = readConfig(file, opts);
  return parsePipelineText(c.text, registry, c.opts);
}

/** As loadPipelineFile, adding the checks that need I/O (an existing Delta table's schema), with
 * every problem of both kinds listed at once: `sluice validate`. */
export async function checkPipelineFile(file: string, registry: ComponentRegistry, opts: LoadOptions = {}): Promise<PipelinePlan> {
  const c = readConfig(file, opts);
  const a = analyse(c.text, registry, c.opts);
  const late = (await a.preflight?.()) ?? [];
  if (a.plan === undefined || late.length > 0) throw new ConfigError([...a.problems, ...late], a.where);
  return a.plan;
}

export function parsePipelineText(text: string, registry: ComponentRegistry, opts: TextOptions = {}): PipelinePlan {
  const a = analyse(text, registry, opts);
  if (a.plan === undefined) throw new ConfigError(a.problems, a.where);
  return a.plan;
}

function analyse(text: string, registry: ComponentRegistry, opts: TextOptions): Analysis {
  const where = opts.source ?? 'configuration';
  const lines = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return { path: pos === undefined ? '' : `line ${pos.line}, column ${pos.col}`, message: `YAML syntax: ${e.message.split('\n')[0] ?? e.message}` };
      }),
      where,
    );
  }
  const problems: ConfigProblem[] = [];
  const raw = interpolate(doc.toJS() as unknown, opts.env ?? process.env, problems);
  const withLines = (p: ConfigProblem): ConfigProblem => {
    const line = lineOf(doc, lines, p.path);
    return line === undefined ? p : { ...p, path: `${p.path} (line ${line})` };
  };

  const top = validate(PipelineFileSchema, raw, '');
  if (!top.ok) problems.push(...top.problems);
  const s = (raw as { streaming?: { source?: unknown; sink?: unknown } } | null)?.streaming;
  const stageRefs = (raw as { streaming?: { processing?: { stages?: unknown } } } | null)?.streaming?.processing?.stages;
  const stages = Array.isArray(stageRefs) ? stageRefs.map((ref, i) => checkStage(ref, i, registry, problems)) : [];
  const factories = stages.flatMap((x) => (x?.factory === undefined ? [] : [x.factory]));
  const f: PipelineFile | undefined = top.ok ? top.value : undefined;
  const name = f?.streaming.name ?? opts.name ?? 'pipeline';
  const built = buildPlan({
    name,
    source: componentRef(s?.source),
    sink: componentRef(s?.sink),
    stages: factories,
    trigger: opts.trigger ?? (f === undefined ? { kind: 'processingTime', intervalMs: 0 } : triggerFrom(f.streaming.processing)),
    processing: f?.streaming.processing,
    errorHandling: f?.streaming.error_handling,
    monitoring: f?.streaming.monitoring,
    keys: YAML_KEYS,
  }, registry);
  problems.push(...built.problems);
  const { source, sink } = built;
  const walk = source === undefined ? undefined : planStages(source, stages);
  if (walk !== undefined) problems.push(...walk.problems);
  const preflight =
    sink?.def.existingSchema === undefined || walk === undefined || !wantsSinkSchema(stages, walk.inputs)
      ? undefined
      : async (): Promise<ConfigProblem[]> => {
          const schema = (await sink.def.existingSchema?.(sink.config)) ?? null;
          return schema === null ? [] : sinkSchemaProblems(schema, stages, walk.inputs).map(withLines);
        };
  if (problems.length > 0 || built.plan === undefined || factories.length !== stages.length) {
    return { where, problems: problems.map(withLines), plan: undefined, preflight };
  }
  const plan: PipelinePlan = { ...built.plan, ...(preflight === undefined ? {} : { preflight }) };
  return { where, problems: [], plan, preflight };
}

/** How a pipeline file names its keys, for problems. */
const YAML_KEYS: KeyNames = {
  sourceType: 'streaming.source.type',
  sinkType: 'streaming.sink.type',
  sourceOption: (k) => (k === '' ? 'streaming.source.config' : `streaming.source.config.${k}`),
  sinkOption: (k) => (k === '' ? 'streaming.sink.config' : `streaming.sink.config.${k}`),
  checkpoint: 'streaming.sink.config.checkpoint.location',
  outputMode: 'streaming.sink.type',
  deadLetter: 'streaming.error_handling.dead_letter',
};

/** A `{ type, config }` mapping of the file, when it has the shape of one. */
function componentRef(ref: unknown): { type: string; config: Record<string, unknown> } | undefined {
  if (ref === null || typeof ref !== 'object') return undefined;
  const { type, config } = ref as { type?: unknown; config?: unknown };
  if (typeof type !== 'string') return undefined;
  return { type, config: config !== null && typeof config === 'object' ? (config as Record<string, unknown>) : {} };
}

/** The stage, also when its config is invalid (then without a factory), so that its schema checks
 * still run; undefined for an unknown type. */
function checkStage(ref: unknown, index: number, registry: ComponentRegistry, problems: ConfigProblem[]): (StageToPlan & { readonly factory?: StageFactory }) | undefined {
  if (ref === null || typeof ref !== 'object') return undefined;
  const { type, name, config } = ref as { type?: unknown; name?: unknown; config?: unknown };
  if (typeof type !== 'string') return undefined;
  const def = registry.stages.get(type);
  const path = `streaming.processing.stages[${index}]`;
  if (def === undefined) {
    const known = [...registry.stages.keys()];
    const guess = closest(type, known);
    problems.push({
      path: `${path}.type`,
      message: `unknown stage type${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`,
      expected: known.length === 0 ? 'no stage types are registered' : `one of ${known.map((k) => `"${k}"`).join(', ')}`,
      found: type,
    });
    return undefined;
  }
  const stageName = typeof name === 'string' ? name : `${type}_${index}`;
  const r = validate(def.config, config ?? {}, `${path}.config`);
  if (!r.ok) {
    problems.push(...r.problems);
    return { def, valid: false, config, name: stageName, configPath: `${path}.config` };
  }
  return { def, valid: true, config: r.value, name: stageName, configPath: `${path}.config`, factory: (ctx) => def.create(r.value, { ...ctx, stageName }) };
}

/** The YAML line of a dotted key path, so that problems point into the file. Keys may contain dots
 * themselves (`batch.interval`), so each step tries the longest key that exists; `[n]` steps into
 * the n-th item of a list (a rule of a stage, say). */
function lineOf(doc: ReturnType<typeof Yaml.parseDocument>, lines: LineCounter, path: string): number | undefined {
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let node: unknown = doc.contents;
  let i = 0;
  let offset: number | undefined;
  while (i < parts.length && (yaml().isMap(node) || yaml().isSeq(node))) {
    if (yaml().isSeq(node)) {
      const item: unknown = /^\d+$/.test(parts[i] ?? '') ? node.items[Number(parts[i])] : undefined;
      if (!yaml().isNode(item)) break;
      offset = item.range?.[0] ?? offset;
      node = item;
      i++;
      continue;
    }
    let matched = false;
    for (let j = parts.length; j > i; j--) {
      const key = parts.slice(i, j).join('.');
      const pair = node.items.find((it) => yaml().isScalar(it.key) && String(it.key.value) === key);
      if (pair !== undefined) {
        offset = yaml().isScalar(pair.key) ? pair.key.range?.[0] : undefined;
        node = pair.value;
        i = j;
        matched = true;
        break;
      }
    }
    if (!matched) break;
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}
