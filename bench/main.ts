// `npm run bench`: every benchmark, each beside the baseline it is judged against, in one run.
import { benchFileToDelta } from './file-delta.ts';
import { formatTable, type BenchResult } from './report.ts';

const only = process.argv[2];
const results: BenchResult[] = [];
const started = Date.now();

if (only === undefined || only === 'file-delta') {
  console.error('file -> Delta: generating 1M rows ...');
  results.push(...benchFileToDelta());
}

console.log(formatTable(results));
console.log(JSON.stringify({ results, machine: { node: process.version, cpus: (await import('node:os')).cpus().length }, seconds: (Date.now() - started) / 1000 }));
