/** Writes what a drill leaves behind: the JSON report, and one SVG chart per shape run. */
import { access, constants, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { renderSvg } from './render-svg.js';
import type { DrillReport } from './run-drill.js';

/** Throws when the report could not be written later, so a long drill does not end in a write error. */
export async function checkWritable(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await access(dirname(path), constants.W_OK);
}

export async function writeReport(path: string, report: DrillReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 1)}\n`);
}

/** Returns the paths written, in run order. */
export async function writeCharts(dir: string, report: DrillReport): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const run of report.runs) {
    const path = join(dir, chartFileName(run.shape, run.mode, report.runs));
    await writeFile(path, renderSvg(run, run.summary));
    written.push(path);
  }
  return written;
}

/** `timeout.svg`, or `timeout-stream.svg` when the drill ran more than one mode. */
export function chartFileName(shape: string, mode: string, runs: readonly { mode: string }[]): string {
  const modes = new Set(runs.map((run) => run.mode));
  return modes.size > 1 ? `${shape}-${mode}.svg` : `${shape}.svg`;
}
