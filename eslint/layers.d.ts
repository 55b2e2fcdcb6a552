// Types of the layering rule (eslint/layers.js), for the test that exercises it.
import type { ESLint } from 'eslint';

/** Each folder of src/ and the folders it may import. */
export declare const LAYERS: Readonly<Record<string, readonly string[]>>;
declare const plugin: ESLint.Plugin;
export default plugin;
