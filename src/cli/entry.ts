// The `sluice` command's entry module (bin/sluice.js loads its built form; tests run it from source).
import { fileURLToPath } from 'node:url';
import { launch } from './launch.ts';

await launch(fileURLToPath(import.meta.url));
