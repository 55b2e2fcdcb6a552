// `sluice delta describe|history <path>`: a table's snapshot and commit history from its log.
import type { Command } from 'commander';
import { DeltaError, DeltaErrorCodes } from '../connectors/delta/errors.ts';
import { schemaToString } from '../core/schema.ts';
import { loadSnapshot } from '../connectors/delta/protocol/snapshot.ts';

async function snapshotOrFail(path: string) {
  const snap = await loadSnapshot(path);
  if (snap === null) throw new DeltaError(DeltaErrorCodes.TABLE_NOT_FOUND, `no Delta table at ${path} (no _delta_log)`);
  return snap;
}

export function deltaCommands(program: Command): void {
  const cmd = program.command('delta').description('inspect Delta tables');
  cmd
    .command('describe')
    .description('version, schema, partition columns, files and streaming txn versions')
    .argument('<path>', 'table folder')
    .option('--json', 'print JSON')
    .action(async (path: string, o: { json?: boolean }) => {
      const s = await snapshotOrFail(path);
      let rows = 0;
      let bytes = 0;
      for (const f of s.files.values()) {
        bytes += f.size;
        const n = typeof f.stats === 'string' ? ((JSON.parse(f.stats) as { numRecords?: number }).numRecords ?? 0) : 0;
        rows += n;
      }
      const info = {
        path,
        version: s.version,
        protocol: s.protocol,
        schema: schemaToString(s.schema),
        partitionColumns: s.partitionColumns,
        numFiles: s.files.size,
        numBytes: bytes,
        numRecords: rows,
        txns: Object.fromEntries(s.txns),
      };
      if (o.json === true) {
        process.stdout.write(JSON.stringify(info, null, 2) + '\n');
        return;
      }
      process.stdout.write(
        [
          `table       ${path}`,
          `version     ${s.version}`,
          `protocol    reader ${s.protocol.minReaderVersion}, writer ${s.protocol.minWriterVersion}`,
          `schema      ${info.schema}`,
          `partitions  ${s.partitionColumns.length === 0 ? 'none' : s.partitionColumns.join(', ')}`,
          `files       ${s.files.size} (${bytes} bytes, ${rows} records)`,
          ...[...s.txns].map(([app, v]) => `txn         ${app} @ ${v}`),
        ].join('\n') + '\n',
      );
    });
  cmd
    .command('history')
    .description('the commits replayed since the last checkpoint, newest first')
    .argument('<path>', 'table folder')
    .action(async (path: string) => {
      const s = await snapshotOrFail(path);
      for (const c of [...s.commitInfos].reverse()) {
        const ci = c.commitInfo ?? {};
        const ts = typeof ci.timestamp === 'number' ? new Date(ci.timestamp).toISOString() : '-';
        process.stdout.write(`${String(c.version).padStart(6)}  ${ts}  ${typeof ci.operation === 'string' ? ci.operation : '-'}  ${JSON.stringify(ci.operationParameters ?? {})}\n`);
      }
    });
}
