// Follows the schema known before the run through the stages and collects each stage's problems
// against it, so a rule on a column that does not exist is a config error instead of a run that
// passes or rejects every row.
//
//   forward:   source's declared schema -> stage.plan(input) -> output -> next stage ...
//   backward:  a schema the sink fixes (an existing Delta table) reaches back through the stages
//              that keep the schema as it is (quality, validate without its own schema), checking
//              those whose input the forward walk could not know
import type { PlannedSchema, SourceDefinition, StageDefinition, StagePlan } from '../core/component.ts';
import type { ConfigProblem } from '../core/errors.ts';

export interface StageToPlan {
  readonly def: StageDefinition<unknown>;
  /** False when the config failed validation: `config` is then the config as written. */
  readonly valid: boolean;
  readonly config: unknown;
  readonly name: string;
  /** The key path of the stage's `config`, e.g. `streaming.processing.stages[1].config`. */
  readonly configPath: string;
}

type SourceToPlan = { readonly type: string; readonly def: SourceDefinition<unknown>; readonly config: unknown };

function at(s: StageToPlan, path: string): string {
  return path === '' ? s.configPath : path.startsWith('[') ? `${s.configPath}${path}` : `${s.configPath}.${path}`;
}

function planOf(s: StageToPlan, input: PlannedSchema | null): StagePlan | undefined {
  return s.valid ? s.def.plan?.(s.config, input, s.name) : s.def.planInvalid?.(s.config, input, s.name);
}

/** The forward walk: every stage's problems against its input, and the inputs known (null: unknown).
 * An unknown stage type (undefined) ends the walk, since nothing after it can be known. */
export function planStages(source: SourceToPlan, stages: readonly (StageToPlan | undefined)[]): { problems: ConfigProblem[]; inputs: (PlannedSchema | null)[] } {
  const declared = source.def.declaredSchema?.(source.config) ?? null;
  let current: PlannedSchema | null = declared === null ? null : { schema: declared, from: `the schema of source ${source.type}` };
  const problems: ConfigProblem[] = [];
  const inputs: (PlannedSchema | null)[] = [];
  for (const s of stages) {
    if (s === undefined) break;
    inputs.push(current);
    // A stage that cannot tell its output before the run leaves the next ones unchecked, never wrongly refused.
    const r = planOf(s, current);
    for (const p of r?.problems ?? []) problems.push({ ...p, path: at(s, p.path) });
    current = r?.output ?? null;
  }
  return { problems, inputs };
}

/** The stages, last first, whose input is the sink's schema: they and every stage after them keep
 * the schema as it is (their plan hands the very input back). */
function reachedFromSink(stages: readonly (StageToPlan | undefined)[], probe: PlannedSchema): StageToPlan[] {
  const out: StageToPlan[] = [];
  for (let i = stages.length - 1; i >= 0; i--) {
    const s = stages[i];
    if (s === undefined || planOf(s, probe)?.output !== probe) break;
    out.push(s);
  }
  return out;
}

/** True when some stage would be checked against a schema the sink fixes, so that reading it (a
 * Delta log) is worth its cost. */
export function wantsSinkSchema(stages: readonly (StageToPlan | undefined)[], inputs: readonly (PlannedSchema | null)[]): boolean {
  const probe: PlannedSchema = { schema: { type: 'struct', fields: [] }, from: 'probe' };
  return reachedFromSink(stages, probe).some((s) => (inputs[stages.indexOf(s)] ?? null) === null);
}

/** The backward walk: stages whose input was unknown, checked against the sink's schema. */
export function sinkSchemaProblems(sinkSchema: PlannedSchema, stages: readonly (StageToPlan | undefined)[], inputs: readonly (PlannedSchema | null)[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const s of reachedFromSink(stages, sinkSchema).reverse()) {
    if ((inputs[stages.indexOf(s)] ?? null) !== null) continue; // checked forward already
    for (const p of planOf(s, sinkSchema)?.problems ?? []) problems.push({ ...p, path: at(s, p.path) });
  }
  return problems;
}
