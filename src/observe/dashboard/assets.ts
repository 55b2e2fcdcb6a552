// The dashboard's files, assembled once at server start: the page, its script and the charting
// library (uPlot) read from the installed package, so nothing is fetched from a CDN at run time.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dashboardScript } from './client.ts';
import { dashboardPage } from './page.ts';

export interface DashboardAssets {
  readonly html: string;
  readonly dashboardJs: string;
  readonly uplotJs: string;
  readonly uplotCss: string;
}

let cached: Promise<DashboardAssets> | undefined;

export function dashboardAssets(): Promise<DashboardAssets> {
  cached ??= load();
  return cached;
}

async function load(): Promise<DashboardAssets> {
  const require = createRequire(import.meta.url);
  let uplotJs: string;
  let uplotCss: string;
  try {
    const js = require.resolve('uplot/dist/uPlot.iife.min.js');
    uplotJs = await readFile(js, 'utf8');
    uplotCss = await readFile(js.replace(/uPlot\.iife\.min\.js$/, 'uPlot.min.css'), 'utf8');
  } catch {
    // Without the library the page still shows every panel; charts say why they are empty.
    uplotJs = 'window.uPlot = undefined;';
    uplotCss = '';
  }
  return { html: dashboardPage(), dashboardJs: dashboardScript(), uplotJs, uplotCss };
}
