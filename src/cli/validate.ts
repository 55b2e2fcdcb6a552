// `sluice validate <config>`: every problem at once, exit code 2 when there is any.
import { checkPipelineFile } from '../plan/load.ts';
import { describeTrigger, type ComponentRegistry } from '../plan/plan.ts';
import { SluiceError } from '../core/errors.ts';

export async function validateCommand(file: string, registry: ComponentRegistry, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  try {
    const plan = await checkPipelineFile(file, registry);
    out(`${file}: valid\n`);
    out(`  pipeline    ${plan.name}\n`);
    out(`  source      ${plan.source.type}\n`);
    out(`  sink        ${plan.sink.type}\n`);
    out(`  trigger     ${describeTrigger(plan.trigger)}\n`);
    out(`  checkpoint  ${plan.checkpointLocation}\n`);
    if (plan.processing['watermark.delay'] !== undefined && plan.processing['watermark.column'] === undefined) {
      out(`  note        watermark.delay has no effect without watermark.column (the event-time column)\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof SluiceError) {
      process.stderr.write(`error [${err.code}]: ${err.message}\n`);
      return err.code === 'SLUICE_CONFIG_INVALID' || err.code === 'SLUICE_CONFIG_NOT_FOUND' ? 2 : 1;
    }
    throw err;
  }
}
