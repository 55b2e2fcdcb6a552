// The configuration reference (docs/configuration.md), rendered from the same schemas that validate.
import { registry } from './index.ts';
import { describeKeys, keyTable } from '../config/docs.ts';
import { PipelineFileSchema } from '../plan/pipeline.ts';

const INTRO = `# Configuration reference

This file is generated from the configuration schemas by \`npm run docs\`; the same schemas validate
every pipeline file, so what is written here is exactly what \`sluice validate\` accepts.

A pipeline file is YAML with one top-level key, \`streaming\`:

\`\`\`yaml
streaming:
  source:
    type: file            # or kafka, rate
    config: { ... }       # the source's keys, below
  processing:
    batch.interval: 5 seconds
    watermark.delay: 10 minutes
    max.offsets.per.trigger: 10000
  sink:
    type: delta           # or console, kafka
    config:
      path: /data/tables/events
      checkpoint.location: /data/checkpoints/events
\`\`\`

Keys with dots (\`batch.interval\`) are single keys, written as they are, as in Spark's options.

**Values.**
- \`\${NAME}\` in any string is replaced by the environment variable NAME; \`\${NAME:-default}\` uses the
  default when NAME is unset or empty; \`$$\` is a literal \`$\`. An unset variable without a default is an error.
- Durations are Spark-style: \`"5 seconds"\`, \`"500ms"\`, \`"10 minutes"\`, \`"1 hour 30 minutes"\`; a bare number is milliseconds.
- Sizes: \`"128 MB"\`, \`"1g"\`, or a number of bytes.
- Numbers and booleans may also be written as strings (\`"10000"\`, \`"true"\`), as Spark options often are.
- Relative paths are resolved against the working directory, as in Spark.

**Errors.** Unknown keys, wrong types and missing required keys are all reported at once, each with
its key path, its line in the file, the value found and what was expected. \`sluice validate <file>\`
checks a file without running it (exit code 2 when invalid).

**The checkpoint.** \`streaming.sink.config.checkpoint.location\` (also \`checkpointLocation\`) is the
query's checkpoint folder; it is required for every sink but \`console\`, which without one uses a new
temporary folder each run, as Spark does. One checkpoint belongs to one
query: a different source or sink under an existing checkpoint is refused.
`;

export function renderConfigurationDoc(): string {
  const parts = [INTRO, '## `streaming`\n', keyTable(describeKeys(PipelineFileSchema).filter((k) => k.key !== 'streaming').map((k) => ({ ...k, key: k.key }))), ''];
  parts.push('## Sources\n');
  for (const [type, def] of registry.sources) {
    parts.push(`### \`type: ${type}\`\n`, def.summary, '', keyTable(describeKeys(def.config)), '');
  }
  parts.push('## Sinks\n');
  for (const [type, def] of registry.sinks) {
    parts.push(`### \`type: ${type}\`\n`, def.summary, '', keyTable(describeKeys(def.config)), '');
  }
  parts.push('## Stages\n', 'Entries of `streaming.processing.stages`, applied in order; see [stages.md](stages.md).\n');
  for (const [type, def] of registry.stages) {
    parts.push(`### \`type: ${type}\`\n`, def.summary, '', keyTable(describeKeys(def.config)), '');
  }
  return parts.join('\n');
}
