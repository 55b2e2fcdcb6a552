// `sluice run <config>`: starts the query, prints one progress line per batch, stops cleanly on
// Ctrl-C (the batch in flight finishes), and ends with a summary.
import { loadPipelineFile } from '../plan/load.ts';
import { describeTrigger, type ComponentRegistry, type Trigger } from '../plan/plan.ts';
import type { Logger } from '../core/logger.ts';
import { formatProgressLine } from '../engine/progress.ts';
import { StreamingQuery } from '../engine/query.ts';
import { stopAdvice } from '../engine/stop-advice.ts';
import { monitoringWanted, startMonitoring, type Monitoring } from '../observe/index.ts';
import { TerminalBar } from '../observe/terminal.ts';

export interface RunFlags {
  readonly availableNow?: boolean;
  readonly once?: boolean;
  readonly progress?: 'text' | 'json' | 'none';
  /** Serves metrics, health and the dashboard on this port (overrides streaming.monitoring.http.port). */
  readonly httpPort?: number;
}

export async function runCommand(file: string, flags: RunFlags, registry: ComponentRegistry, logger: Logger): Promise<number> {
  const trigger: Trigger | undefined = flags.once === true ? { kind: 'once' } : flags.availableNow === true ? { kind: 'availableNow' } : undefined;
  const plan = loadPipelineFile(file, registry, trigger === undefined ? {} : { trigger });
  const format = flags.progress ?? (process.stdout.isTTY ? 'text' : 'json');
  const monitoringConfig = plan.monitoring;
  const query = await StreamingQuery.start(plan, { logger });
  logger.info('query started', { id: query.id, runId: query.runId, trigger: describeTrigger(plan.trigger), checkpoint: plan.checkpointLocation });
  let monitoring: Monitoring | undefined;
  if (monitoringWanted(monitoringConfig, flags.httpPort)) {
    try {
      monitoring = await startMonitoring(query, plan, monitoringConfig, { logger, ...(flags.httpPort === undefined ? {} : { httpPort: flags.httpPort }) });
    } catch (err) {
      await query.stop();
      throw err;
    }
  }
  const bar = format === 'text' && plan.trigger.kind === 'availableNow' && process.stderr.isTTY ? new TerminalBar(process.stderr) : undefined;

  const totals = { batches: 0, rowsIn: 0, rowsOut: 0, rejected: 0, skipped: 0 };
  let lastSinkMetrics: Record<string, string> = {};
  let lastRejected = null as string | null;
  query.on('progress', (p) => {
    totals.batches++;
    totals.rowsIn += p.numInputRows;
    totals.rowsOut += p.sink.numOutputRows;
    totals.rejected += p.numRejectedRows;
    if (p.sinkSkipped) totals.skipped++;
    lastSinkMetrics = p.sink.metrics;
    if (p.rejectedPath !== null) lastRejected = p.rejectedPath;
    if (format === 'json') process.stdout.write(JSON.stringify(p) + '\n');
    else if (bar !== undefined) bar.update(p, () => process.stdout.write(formatProgressLine(p) + '\n'));
    else if (format === 'text') process.stdout.write(formatProgressLine(p) + '\n');
  });

  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts > 1) {
      process.stderr.write(`\n${sig} again: exiting without waiting for the batch in flight (it will be re-run on restart)\n`);
      process.exit(130);
    }
    process.stderr.write(`\n${sig}: finishing the current batch, then stopping (press Ctrl-C again to exit at once)\n`);
    void query.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await query.awaitTermination();
  } catch (err) {
    logger.error(stopAdvice(err), {});
    throw err;
  } finally {
    bar?.clear();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await monitoring?.close();
  }
  const sinkMetrics = { ...lastSinkMetrics, ...query.sinkMetrics() };
  const summary = {
    batches: totals.batches,
    rowsIn: totals.rowsIn,
    rowsWritten: totals.rowsOut,
    rowsRejected: totals.rejected,
    batchesAlreadyInSink: totals.skipped,
    sink: query.sinkDescription,
    tableVersion: sinkMetrics.tableVersion ?? sinkMetrics.version ?? null,
    rejectedLog: lastRejected,
  };
  if (format === 'json') {
    process.stdout.write(JSON.stringify({ summary }) + '\n');
  } else if (format === 'text') {
    const lines = [
      totals.batches === 0 ? 'nothing new to process' : `done: ${totals.batches} batch${totals.batches === 1 ? '' : 'es'}`,
      `  rows in       ${totals.rowsIn}`,
      `  rows written  ${totals.rowsOut}`,
      `  rejected      ${totals.rejected}${lastRejected === null ? '' : `  (see ${lastRejected})`}`,
      `  sink          ${query.sinkDescription}`,
    ];
    if (summary.tableVersion !== null) lines.push(`  table version ${summary.tableVersion}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return 0;
}
