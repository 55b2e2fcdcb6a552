// Writes docs/configuration.md from the config schemas (`npm run docs`); a test checks it is current.
import { writeFileSync } from 'node:fs';
import { renderConfigurationDoc } from '../src/builtins/reference.ts';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigurationDoc());
console.log('docs/configuration.md written');
