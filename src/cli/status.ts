// `sluice status --checkpoint <dir>`: the last committed batch, its offsets and, when the pipeline
// is running with its monitoring server, its live status and last progress.
import { Command, InvalidArgumentError } from 'commander';
import { readMonitoringEndpoint } from '../observe/endpoint.ts';
import { summarizeCheckpoint, type CheckpointSummary } from './checkpoint.ts';

export function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return n;
}

interface LiveStatus {
  readonly url: string;
  readonly status: Record<string, unknown> | null;
  readonly lastProgress: Record<string, unknown> | null;
  readonly error: string | null;
}

export async function pipelineStatus(dir: string): Promise<{ checkpoint: CheckpointSummary; live: LiveStatus | null }> {
  const checkpoint = await summarizeCheckpoint(dir);
  // The endpoint file of a process that died is a leftover, and its port may be another program's now.
  const endpoint = checkpoint.lock?.state === 'stale' ? undefined : await readMonitoringEndpoint(dir);
  if (endpoint === undefined) return { checkpoint, live: null };
  try {
    const get = async (path: string): Promise<unknown> => {
      const res = await fetch(endpoint.url + path, { signal: AbortSignal.timeout(5000) });
      return res.json();
    };
    const status = (await get('/api/status')) as Record<string, unknown>;
    const progress = (await get('/api/progress')) as Record<string, unknown>[];
    return { checkpoint, live: { url: endpoint.url, status, lastProgress: progress[progress.length - 1] ?? null, error: null } };
  } catch (err) {
    return { checkpoint, live: { url: endpoint.url, status: null, lastProgress: null, error: err instanceof Error ? err.message : String(err) } };
  }
}

export function formatStatus(s: Awaited<ReturnType<typeof pipelineStatus>>): string {
  const c = s.checkpoint;
  const lines = [
    `checkpoint       ${c.checkpoint}`,
    `query id         ${c.queryId ?? '-'}`,
    `state            ${stateLine(s)}`,
    `last committed   ${c.lastCommittedBatch ?? 'none'}`,
    `offsets          ${JSON.stringify(c.committedOffsets)}`,
    `pending batch    ${c.pendingBatch === null ? 'none' : `${c.pendingBatch} (will be re-run with ${JSON.stringify(c.pendingOffsets)})`}`,
    `watermark        ${c.watermarkMs === 0 ? 'none' : new Date(c.watermarkMs).toISOString()}`,
    `rejected files   ${c.rejectedFiles}`,
  ];
  if (s.live !== null) {
    lines.push(`monitoring       ${s.live.url}${s.live.error === null ? '' : ` (unreachable: ${s.live.error})`}`);
    const st = s.live.status;
    const totals = st?.totals as { batches?: number; rowsIn?: number; rowsOut?: number; rejected?: number } | undefined;
    if (totals !== undefined) lines.push(`this run         ${totals.batches ?? 0} batches, ${totals.rowsIn ?? 0} rows in, ${totals.rowsOut ?? 0} written, ${totals.rejected ?? 0} rejected`);
    const alerts = (st?.alerts as { name: string; state: string }[] | undefined)?.filter((a) => a.state === 'firing') ?? [];
    if (st !== null) lines.push(`alerts firing    ${alerts.length === 0 ? 'none' : alerts.map((a) => a.name).join(', ')}`);
    const p = s.live.lastProgress;
    if (p !== null) lines.push(`last progress    batch ${String(p.batchId)} at ${String(p.timestamp)}: ${String(p.numInputRows)} rows, ${String(p.processedRowsPerSecond)} rows/s, ${String(p.batchDuration)} ms`);
  }
  return lines.join('\n');
}

/** The live state when the monitoring server answers, with who runs it; else what the lock tells:
 * running, stale (the process is gone), held from another host, or stopped. */
function stateLine(s: Awaited<ReturnType<typeof pipelineStatus>>): string {
  const lock = s.checkpoint.lock;
  const live = s.live?.status;
  if (lock === null) return live !== null && live !== undefined ? String(live.state) : 'stopped';
  if (live !== null && live !== undefined && lock.state !== 'stale') return `${String(live.state)} (pid ${lock.pid} on host ${lock.host} since ${lock.since})`;
  return lock.description;
}

export function statusCommand(program: Command): void {
  program
    .command('status')
    .description('print the last committed batch, offsets and progress of a stopped or running pipeline')
    .requiredOption('--checkpoint <dir>', 'checkpoint folder of the pipeline')
    .option('--json', 'print JSON')
    .action(async (o: { checkpoint: string; json?: boolean }) => {
      const s = await pipelineStatus(o.checkpoint);
      process.stdout.write((o.json === true ? JSON.stringify(s, null, 2) : formatStatus(s)) + '\n');
    });
}
