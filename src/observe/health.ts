// Liveness (the loop is not wedged) and readiness (source, sink, pipeline status and resources all
// healthy), each with reasons a person or a probe can act on.
import { promises as fsp } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { StreamingQuery } from '../engine/query.ts';
import type { MonitoringConfig } from '../plan/monitoring.ts';

export const PIPELINE_STATES = ['starting', 'running', 'idle', 'backing_off', 'failed', 'stopped'] as const;
export type PipelineState = (typeof PIPELINE_STATES)[number];

export interface ComponentCheck {
  readonly healthy: boolean;
  readonly detail: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly components: Record<'source' | 'sink' | 'pipeline' | 'resources', ComponentCheck>;
  /** The details of the unhealthy components. */
  readonly reasons: string[];
}

/** The pipeline's state for probes, metrics and the dashboard, from the query's typed state. */
export function pipelineState(q: StreamingQuery): { state: PipelineState; detail: string } {
  const s = q.status;
  switch (s.state) {
    case 'failed':
      return { state: 'failed', detail: `failed: [${s.code}] ${s.error}` };
    case 'stopped':
      return { state: 'stopped', detail: 'stopped' };
    case 'initializing':
      return { state: 'starting', detail: 'starting' };
    case 'backing-off':
      return { state: 'backing_off', detail: `backing off: ${s.retry.what} failed (attempt ${s.retry.attempt}): ${s.retry.error}` };
    case 'planning':
    case 'processing':
      return { state: 'running', detail: s.message };
    case 'waiting':
      return { state: 'idle', detail: s.message };
  }
}

/** Samples the event-loop delay; `p99Seconds` reports the window since the last call. */
export class LoopDelay {
  private readonly h: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private last = 0;
  private lastAt = 0;
  constructor() {
    this.h.enable();
  }
  p99Seconds(): number {
    // Windows shorter than a second would be mostly empty: keep the previous figure.
    if (Date.now() - this.lastAt < 1000 && this.lastAt !== 0) return this.last;
    const v = this.h.count === 0 ? 0 : this.h.percentile(99) / 1e9;
    this.h.reset();
    this.last = v;
    this.lastAt = Date.now();
    return v;
  }
  close(): void {
    this.h.disable();
  }
}

export function livenessBoundMs(cfg: MonitoringConfig, intervalMs: number): number {
  return cfg.limits.liveness_timeout ?? Math.max(300_000, 10 * intervalMs);
}

export function liveness(q: StreamingQuery, boundMs: number, nowMs = Date.now()): { alive: boolean; detail: string } {
  const { state, detail } = pipelineState(q);
  if (state === 'failed') return { alive: false, detail };
  const since = nowMs - q.lastActivityMs;
  if (state !== 'stopped' && since > boundMs) return { alive: false, detail: `no trigger for ${Math.round(since / 1000)} s (bound ${Math.round(boundMs / 1000)} s): the loop looks wedged` };
  return { alive: true, detail: `${state}; last trigger ${Math.round(since / 1000)} s ago` };
}

export async function readiness(q: StreamingQuery, cfg: MonitoringConfig, diskPaths: readonly string[], loop: LoopDelay): Promise<Readiness> {
  const comps = await q.componentHealth();
  const source = comps.source ?? { healthy: true, detail: 'no connectivity check for this source' };
  const sink = comps.sink ?? { healthy: true, detail: 'no availability check for this sink' };
  const st = pipelineState(q);
  const pipeline = { healthy: st.state === 'running' || st.state === 'idle', detail: st.detail };
  const resources = await resourceCheck(cfg, diskPaths, loop);
  const components = { source, sink, pipeline, resources };
  const reasons = Object.entries(components)
    .filter(([, c]) => !c.healthy)
    .map(([name, c]) => `${name}: ${c.detail}`);
  return { ready: reasons.length === 0, components, reasons };
}

async function resourceCheck(cfg: MonitoringConfig, diskPaths: readonly string[], loop: LoopDelay): Promise<ComponentCheck> {
  const problems: string[] = [];
  const facts: string[] = [];
  const rss = process.memoryUsage.rss();
  facts.push(`RSS ${mb(rss)}${cfg.limits.max_rss === undefined ? '' : ` of ${mb(cfg.limits.max_rss)}`}`);
  if (cfg.limits.max_rss !== undefined && rss > cfg.limits.max_rss) problems.push(`RSS ${mb(rss)} above the limit ${mb(cfg.limits.max_rss)}`);
  const lag = loop.p99Seconds();
  facts.push(`event-loop delay p99 ${(lag * 1000).toFixed(0)} ms`);
  if (lag * 1000 > cfg.limits.max_event_loop_lag) problems.push(`event-loop delay p99 ${(lag * 1000).toFixed(0)} ms above ${cfg.limits.max_event_loop_lag} ms`);
  for (const p of diskPaths) {
    const free = await diskFree(p);
    if (free === undefined) continue;
    facts.push(`${mb(free)} free at ${p}`);
    if (free < cfg.limits.min_disk_free) problems.push(`only ${mb(free)} free at ${p} (minimum ${mb(cfg.limits.min_disk_free)})`);
  }
  return problems.length === 0 ? { healthy: true, detail: facts.join('; ') } : { healthy: false, detail: problems.join('; ') };
}

/** Free bytes on the file system of `path` or of its nearest existing parent. */
export async function diskFree(path: string): Promise<number | undefined> {
  let p = resolve(path);
  for (;;) {
    try {
      const s = await fsp.statfs(p);
      return s.bavail * s.bsize;
    } catch (err) {
      const parent = dirname(p);
      if (parent === p || (err as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
      p = parent;
    }
  }
}

function mb(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

