// Follows the schema known before the run from the source through the stages (a declared `schema`,
// a stage's declared output) and collects each stage's problems against it, so a rule on a column
// that does not exist is a config error instead of a run that passes or rejects every row.
import type { PlannedSchema, SourceDefinition, StageDefinition } from '../core/component.ts';
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

/** `stages` in order; an unknown stage type (undefined) ends the walk, since nothing after it can be known. */
export function stageSchemaProblems(source: { readonly type: string; readonly def: SourceDefinition<unknown>; readonly config: unknown }, stages: readonly (StageToPlan | undefined)[]): ConfigProblem[] {
  const declared = source.def.declaredSchema?.(source.config) ?? null;
  let current: PlannedSchema | null = declared === null ? null : { schema: declared, from: `the schema of source ${source.type}` };
  const problems: ConfigProblem[] = [];
  const at = (s: StageToPlan, path: string): string => (path === '' ? s.configPath : path.startsWith('[') ? `${s.configPath}${path}` : `${s.configPath}.${path}`);
  for (const s of stages) {
    if (s === undefined) break;
    if (!s.valid) {
      for (const p of s.def.planInvalid?.(s.config, current, s.name) ?? []) problems.push({ ...p, path: at(s, p.path) });
      current = null;
      continue;
    }
    // A stage that cannot tell its output before the run leaves the next ones unchecked, never wrongly refused.
    if (s.def.plan === undefined) {
      current = null;
      continue;
    }
    const r = s.def.plan(s.config, current, s.name);
    for (const p of r.problems) problems.push({ ...p, path: at(s, p.path) });
    current = r.output;
  }
  return problems;
}
