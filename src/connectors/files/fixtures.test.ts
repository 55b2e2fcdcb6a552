// Shared fixtures for the file source tests (no tests of its own): temp folders, files with chosen mtimes, a context.
import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ComponentContext, Offset } from '../../core/component.ts';
import { fileSourceConfig } from './config.ts';
import { FileStreamSource } from './source.ts';
import type { SourceData } from '../../core/record.ts';
import { componentContext } from '../../../test/support/context.ts';

export interface Fixture {
  readonly root: string;
  readonly input: string;
  readonly state: string;
  write(rel: string, content: string | Uint8Array, mtimeSec?: number): Promise<string>;
  source(config?: Record<string, unknown>): Promise<FileStreamSource>;
  cleanup(): Promise<void>;
}

export async function fixture(): Promise<Fixture> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-files-'));
  const input = join(root, 'in');
  const state = join(root, 'checkpoint', 'sources', '0');
  await mkdir(input, { recursive: true });
  let clock = 1_700_000_000;
  return {
    root,
    input,
    state,
    async write(rel, content, mtimeSec) {
      const p = join(input, rel);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, content);
      // Explicit, increasing modification times keep ordering tests independent of the clock.
      const t = mtimeSec ?? ++clock;
      await utimes(p, t, t);
      return p;
    },
    async source(config = {}) {
      const ctx: ComponentContext = componentContext(join(root, 'checkpoint'), { stateDir: state }, { makeDirs: false });
      const src = new FileStreamSource(fileSourceConfig.parse({ path: input, ...config }), ctx);
      await src.open();
      return src;
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export const LIMITS = { respectLimits: true } as const;

/** Plans the next batch from `start` and reads it; null when nothing is new. */
export async function nextBatch(src: FileStreamSource, start: Offset | null): Promise<{ end: Offset; data: SourceData } | null> {
  const end = await src.latestOffset(start, LIMITS);
  if (end === null || JSON.stringify(end) === JSON.stringify(start)) return null;
  return { end, data: await src.read(start, end) };
}

/** The columns of rows without their origin symbol, for deep comparisons. */
export function cols(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r)));
}
