// A prepared append made against an older version of the table, brought up to the current one before
// its commit: writers sharing a table (consumer-group instances, several pipelines) create it, evolve
// its schema and add its features concurrently, and the data files of a prepared batch stay valid as
// long as their columns still fit the table. Only the metadata actions are made again; the rows are gone.
//
//   prepared against v ─► table now at w > v (or created meanwhile)
//       our created table? ─► drop it: append to the table that exists
//       our columns fit w's schema (mergeSchema: new ones merged again) ─► metaData? + protocol?
//       partitioning unchanged ─► commit against w
//   anything else ─► DELTA_SCHEMA_MISMATCH: the restart prepares the batch again from its rows

import { DeltaError, DeltaErrorCodes } from './errors.ts';
import type { StructType } from '../../core/schema.ts';
import { checkCaseMatches, addedPaths, checkColumnNames } from './names.ts';
import type { MetadataAction } from './protocol/actions.ts';
import { checkWritable, featuresFor, withFeatures } from './protocol/features.ts';
import { schemaToJson } from './protocol/schema-json.ts';
import type { Snapshot } from './protocol/snapshot.ts';
import { assertAppendable, mergeNewColumns } from './schema-check.ts';
import type { AppendPlan } from './table.ts';

/** Refuses a partitionBy that differs from an existing table's partition columns. */
export function checkPartitioning(snapshot: Snapshot, partitionBy: readonly string[] | undefined, path: string): void {
  if (partitionBy === undefined || partitionBy.length === 0) return;
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((c, i) => c.toLowerCase() === b[i]?.toLowerCase());
  if (!same(partitionBy, snapshot.partitionColumns)) {
    throw new DeltaError(DeltaErrorCodes.SCHEMA_MISMATCH, `partitionBy [${partitionBy.join(', ')}] does not match Delta table ${path} partitioned by [${snapshot.partitionColumns.join(', ')}]`, {
      details: { path, partitionBy: [...partitionBy], tablePartitionColumns: [...snapshot.partitionColumns] },
    });
  }
}

/** The plan as if made against `snapshot` (the table now), or the plan itself when nothing changed. */
export function rebasePlan(plan: AppendPlan, snapshot: Snapshot | null, mergeSchema: boolean, tablePath: string): AppendPlan {
  if (snapshot === null || snapshot.version === plan.readVersion) {
    if (snapshot === null && plan.created === null) {
      throw new DeltaError(DeltaErrorCodes.TABLE_NOT_FOUND, `Delta table ${tablePath} disappeared after batch ${plan.batchId} was prepared; a restart writes the batch again`, { details: { path: tablePath } });
    }
    return plan;
  }
  const ours: StructType = plan.schema;
  checkWritable(snapshot.protocol, snapshot.metadata, tablePath);
  checkCaseMatches(snapshot.schema, ours, tablePath);
  const merged = mergeSchema ? mergeNewColumns(snapshot.schema, ours) : null;
  if (merged !== null) checkColumnNames(merged, tablePath, addedPaths(snapshot.schema, merged));
  assertAppendable(merged ?? snapshot.schema, ours, tablePath);
  // The files sit in the folders of the plan's partitioning: the table must have the same.
  if (plan.partitionBy.join('\u0000') !== snapshot.partitionColumns.join('\u0000')) {
    throw new DeltaError(DeltaErrorCodes.SCHEMA_MISMATCH, `Delta table ${tablePath} is now partitioned by [${snapshot.partitionColumns.join(', ')}], not [${plan.partitionBy.join(', ')}] as when batch ${plan.batchId} was prepared; a restart prepares the batch again`, {
      details: { path: tablePath, partitionBy: [...plan.partitionBy], tablePartitionColumns: [...snapshot.partitionColumns] },
    });
  }
  const evolved: MetadataAction | null = merged === null ? null : { ...snapshot.metadata, schemaString: schemaToJson(merged) };
  return { ...plan, readVersion: snapshot.version, created: null, evolved, upgraded: withFeatures(snapshot.protocol, featuresFor(merged ?? snapshot.schema)) };
}
