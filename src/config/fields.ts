// Reusable zod field schemas for component configs: durations, byte sizes, booleans and numbers
// written as strings (YAML and Spark options are often strings), each with an expectation text.
import { z } from 'zod';
import { parseByteSize, parseDuration } from './units.ts';

/** A duration: "5 seconds", "500ms", "10 minutes", or a number of milliseconds. Parsed to ms. */
export function duration() {
  return z
    .union([z.string(), z.number()])
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: 'not a duration', params: { expected: 'a duration such as "5 seconds", "500ms" or "10 minutes"' } });
        return z.NEVER;
      }
      return ms;
    })
    .meta({ description: 'duration', format: 'duration' });
}

/** A byte size: "128 MB", "1g", or a number of bytes. Parsed to bytes. */
export function byteSize() {
  return z
    .union([z.string(), z.number()])
    .transform((v, ctx) => {
      const b = parseByteSize(v);
      if (b === undefined) {
        ctx.addIssue({ code: 'custom', message: 'not a byte size', params: { expected: 'a size such as "128 MB", "1g" or 4096' } });
        return z.NEVER;
      }
      return b;
    })
    .meta({ format: 'byte-size' });
}

/** A positive whole number, also accepted as a numeric string ("10000"), as Spark options are. */
export function positiveInt() {
  return z.preprocess(numericString, z.number().int().positive());
}

export function nonNegativeInt() {
  return z.preprocess(numericString, z.number().int().nonnegative());
}

export function positiveNumber() {
  return z.preprocess(numericString, z.number().positive());
}

/** A boolean, also accepted as "true"/"false" strings. */
export function bool() {
  return z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
}

function numericString(v: unknown): unknown {
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v.trim());
  return v;
}
