// The function registry: every SQL function an expression may call, by lower-case name.
import type { FnDef } from './fn-helpers.ts';
import { STRING_FUNCTIONS } from './fn-string.ts';
import { OTHER_FUNCTIONS } from './fn-other.ts';
import { DATETIME_FUNCTIONS } from './fn-datetime.ts';

export type { FnDef } from './fn-helpers.ts';

export const FUNCTIONS: ReadonlyMap<string, FnDef> = new Map<string, FnDef>([...STRING_FUNCTIONS, ...OTHER_FUNCTIONS, ...DATETIME_FUNCTIONS]);
