/**
 * `switchyard drill`: the outage drill. Breaks a route's primary in each failure shape while steady
 * load flows, and reports how the fallback chain took it. Exit code 0 when every shape held, 1 when
 * one broke the chain, 2 for bad arguments or a drill that could not start.
 */
import { join } from 'node:path';
import { DRILL_USAGE, DrillUsageError, parseDrillArgs } from './drill-options.js';
import { DrillSetupError } from './fault-switch.js';
import { brokeLine, formatRate, renderTable } from './render-table.js';
import { executeDrill } from './run-drill.js';
import { checkWritable, writeCharts, writeReport } from './write-outputs.js';

export { executeDrill, type DrillReport, type ReportRun } from './run-drill.js';
export { parseDrillArgs, type DrillOptions } from './drill-options.js';
export { SHAPES, SHAPE_NAMES, type ShapeName } from './shapes.js';

/** Exit status of a drill stopped by Ctrl-C (128 + SIGINT). */
const INTERRUPTED = 130;

export async function runDrill(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseDrillArgs(args);
  } catch (err) {
    if (!(err instanceof DrillUsageError)) throw err;
    process.stderr.write(`switchyard drill: ${err.message}\nRun 'switchyard drill --help' for the options.\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(DRILL_USAGE);
    return 0;
  }
  const { options } = parsed;
  try {
    await checkWritable(options.report);
    if (options.chartDir !== undefined) await checkWritable(join(options.chartDir, 'chart.svg'));
  } catch (err) {
    process.stderr.write(`switchyard drill: cannot write the output: ${(err as Error).message}\n`);
    return 2;
  }

  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(INTERRUPTED);
    process.stderr.write('\nInterrupted: finishing requests in flight and restoring the primary (Ctrl-C again to quit now).\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  let report;
  try {
    report = await executeDrill(options, { progress: (line) => process.stderr.write(`${line}\n`), signal: controller.signal });
  } catch (err) {
    if (!(err instanceof DrillSetupError)) throw err;
    process.stderr.write(`switchyard drill: ${err.message}\n`);
    return 2;
  } finally {
    process.off('SIGINT', onSigint);
  }

  await writeReport(options.report, report);
  const charts = options.chartDir === undefined ? [] : await writeCharts(options.chartDir, report);
  const summaries = report.runs.map((run) => run.summary);
  const seconds = (report.durationMs / 1000).toFixed(1);
  process.stdout.write(`\nOutage drill: route '${report.route}', primary '${report.primary}', ${options.rps} rps, phases ${options.baselineMs / 1000}/${options.outageMs / 1000}/${options.recoveryMs / 1000} s (b/o/r), ${seconds} s in all\n\n`);
  process.stdout.write(renderTable(summaries));
  process.stdout.write(`\nReport: ${options.report}${charts.length > 0 ? `\nCharts: ${charts.join(', ')}` : ''}\n`);
  if (report.interrupted) {
    process.stdout.write('The drill was interrupted: the figures cover the shapes that ran.\n');
    return INTERRUPTED;
  }
  if (!report.passed) {
    process.stdout.write('\n');
    for (const summary of summaries.filter((s) => s.brokeChain)) process.stdout.write(`${brokeLine(summary, options.minSuccess)}\n`);
    return 1;
  }
  process.stdout.write(`\nEvery shape held: outage success rate at least ${formatRate(options.minSuccess)} throughout.\n`);
  return 0;
}
