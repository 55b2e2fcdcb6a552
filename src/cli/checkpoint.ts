// `sluice checkpoint show <dir>`: what a stopped or running query has committed and planned.
import type { Command } from 'commander';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { CheckpointStore } from '../engine/checkpoint.ts';
import { inspectLock, type LockReport } from '../engine/lock.ts';
import { RejectedLog } from '../engine/rejected.ts';

export interface CheckpointSummary {
  readonly checkpoint: string;
  readonly queryId: string | null;
  readonly lastCommittedBatch: number | null;
  readonly committedOffsets: unknown;
  readonly pendingBatch: number | null;
  readonly pendingOffsets: unknown;
  readonly watermarkMs: number;
  readonly rejectedFiles: number;
  /** Who holds the checkpoint and whether that process still exists; null when nobody does. */
  readonly lock: LockReport | null;
}

export async function summarizeCheckpoint(dir: string): Promise<CheckpointSummary> {
  await fsp.access(join(dir, 'metadata')).catch(() => {
    throw new Error(`${dir} is not a checkpoint folder (no metadata file)`);
  });
  const cp = new CheckpointStore(dir);
  const meta = await cp.prepare();
  const lastCommit = (await cp.latestBatchId('commits')) ?? null;
  const lastOffsets = (await cp.latestBatchId('offsets')) ?? null;
  const committed = lastCommit === null ? undefined : await cp.readOffsets(lastCommit);
  const pending = lastOffsets !== null && lastOffsets !== lastCommit ? await cp.readOffsets(lastOffsets) : undefined;
  const commit = lastCommit === null ? undefined : await cp.readCommit(lastCommit);
  const rejected = await fsp.readdir(new RejectedLog(dir).dir).catch(() => [] as string[]);
  const lock = await inspectLock(dir);
  return {
    checkpoint: dir,
    queryId: meta?.id ?? null,
    lastCommittedBatch: lastCommit,
    committedOffsets: committed?.offsets[0] ?? null,
    pendingBatch: pending === undefined ? null : pending.batchId,
    pendingOffsets: pending?.offsets[0] ?? null,
    watermarkMs: commit?.nextBatchWatermarkMs ?? 0,
    rejectedFiles: rejected.filter((n) => n.endsWith('.jsonl')).length,
    lock,
  };
}

export function checkpointCommands(program: Command): void {
  const cmd = program.command('checkpoint').description('inspect a query checkpoint');
  cmd
    .command('show')
    .description('print the last committed batch, its offsets and any batch planned but not committed')
    .argument('<dir>', 'checkpoint folder')
    .option('--json', 'print JSON')
    .action(async (dir: string, o: { json?: boolean }) => {
      const s = await summarizeCheckpoint(dir);
      if (o.json === true) {
        process.stdout.write(JSON.stringify(s, null, 2) + '\n');
        return;
      }
      const lines = [
        `checkpoint       ${s.checkpoint}`,
        `query id         ${s.queryId ?? '-'}`,
        `last committed   ${s.lastCommittedBatch ?? 'none'}`,
        `offsets          ${JSON.stringify(s.committedOffsets)}`,
        `pending batch    ${s.pendingBatch === null ? 'none' : `${s.pendingBatch} (will be re-run with ${JSON.stringify(s.pendingOffsets)})`}`,
        `watermark        ${s.watermarkMs === 0 ? 'none' : new Date(s.watermarkMs).toISOString()}`,
        `rejected files   ${s.rejectedFiles}`,
        `lock             ${s.lock === null ? 'none' : s.lock.description}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
