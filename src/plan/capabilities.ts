// Checks what the source needs against what the sink offers (SinkCapabilities), for every plan
// whether built from YAML or the TypeScript API, so a mismatch is refused before anything runs.
import type { OutputMode, SinkDefinition, SourceDefinition } from '../core/component.ts';
import type { ConfigProblem } from '../core/errors.ts';

export interface CapabilityCheck {
  readonly source: { readonly type: string; readonly def: SourceDefinition<unknown>; readonly config: unknown };
  readonly sink: { readonly type: string; readonly def: SinkDefinition<unknown> };
  /** The output mode asked for (the YAML has none: append). */
  readonly outputMode?: OutputMode;
  /** Where problems point: a source option's key path, the output mode. */
  readonly paths: { readonly sourceOption: (key: string) => string; readonly outputMode: string };
  /** Every sink that could be named instead (the registry's), for the hint; omitted when unknown. */
  readonly knownSinks?: Iterable<SinkDefinition<unknown>>;
}

export function capabilityProblems(c: CapabilityCheck): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const offers = c.sink.def.capabilities;
  const needs = c.source.def.needs?.(c.source.config) ?? {};
  const markers = needs.progressMarkers;
  if (markers !== undefined && !offers.progressMarkers) {
    const able = c.knownSinks === undefined ? undefined : [...c.knownSinks].filter((d) => d.capabilities.progressMarkers).map((d) => d.type);
    problems.push({
      path: c.paths.sourceOption(markers.key),
      message:
        `source ${c.source.type} (${markers.reason}) needs a sink that keeps per-partition progress markers atomically with its rows; ` +
        `sink ${c.sink.type} does not` +
        (able === undefined ? '' : able.length === 0 ? ' (no registered sink does)' : ` (sinks that do: ${able.join(', ')})`),
      expected: `a sink that keeps progress markers, or no ${markers.key}`,
    });
  }
  const mode = c.outputMode ?? 'append';
  if (!offers.outputModes.includes(mode)) {
    problems.push({
      path: c.paths.outputMode,
      message: `sink ${c.sink.type} does not support output mode ${mode}`,
      expected: offers.outputModes.map((m) => JSON.stringify(m)).join(' or '),
      found: mode,
    });
  }
  return problems;
}
