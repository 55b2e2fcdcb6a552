// `npm run bench`: every benchmark, each beside the baseline it is judged against, in one run.
import { benchFileToDelta } from './file-delta.ts';
import { benchKafkaToDelta } from './kafka.ts';
import { benchStages } from './stages.ts';
import { benchMonitoring } from './monitoring.ts';
import { formatTable, type BenchResult } from './report.ts';

const only = process.argv[2];
const results: BenchResult[] = [];
const started = Date.now();

if (only === undefined || only === 'file-delta') {
  console.error('file -> Delta: generating 1M rows ...');
  results.push(...benchFileToDelta());
}

if (only === undefined || only === 'monitoring') {
  console.error('monitoring overhead: file -> Delta with the server off and scraped every second ...');
  results.push(...(await benchMonitoring()));
}

if (only === undefined || only === 'stages') {
  console.error('stages: filter + with_column over 1M rows ...');
  results.push(...(await benchStages()));
}

if (only === undefined || only === 'kafka') {
  console.error('Kafka -> Delta: 1M messages through the test broker ...');
  results.push(...(await benchKafkaToDelta()));
}

console.log(formatTable(results));
console.log(JSON.stringify({ results, machine: { node: process.version, cpus: (await import('node:os')).cpus().length }, seconds: (Date.now() - started) / 1000 }));
