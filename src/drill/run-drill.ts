/**
 * The whole drill: open the target, warm it up, run every shape in every mode one after another,
 * put the primary's faults back as they were, and assemble the report.
 */
import { Agent } from 'undici';
import type { DrillOptions } from './drill-options.js';
import { openTarget, type DrillTarget } from './open-target.js';
import { formatRate } from './render-table.js';
import { runShape } from './run-shape.js';
import { chatBody, sendChat } from './send-chat.js';
import { SHAPES } from './shapes.js';
import { pooledBaseline, summarizeRun, type ShapeSummary } from './summarize.js';
import type { RequestMode, RunMarks, Sample } from './types.js';
import type { FaultSpec } from '../providers/mock/index.js';

/** Requests sent (and not recorded) before the first shape, so connection setup and JIT warm-up stay out of its baseline. */
const WARMUP_REQUESTS = 20;

export interface DrillReport {
  tool: 'switchyard drill';
  reportVersion: 1;
  startedAt: string;
  durationMs: number;
  target: DrillTarget['description'];
  route: string;
  primary: string;
  chain: string[] | undefined;
  settings: {
    rps: number;
    baselineMs: number;
    outageMs: number;
    recoveryMs: number;
    minSuccess: number;
    clientTimeoutMs: number;
  };
  notes: string[];
  /** Every shape run held: its outage success rate reached the floor. */
  passed: boolean;
  /** `shape/mode` of each run that broke the chain. */
  broke: string[];
  /** True when the drill was stopped before it finished (Ctrl-C). */
  interrupted: boolean;
  runs: ReportRun[];
}

export interface ReportRun {
  shape: string;
  mode: RequestMode;
  description: string;
  primary: string;
  fault: FaultSpec;
  /** ms since drill start. */
  marks: RunMarks;
  summary: ShapeSummary;
  samples: Sample[];
}

export interface DrillHooks {
  /** Progress lines (stderr in the CLI). */
  progress(line: string): void;
  signal: AbortSignal;
}

export async function executeDrill(options: DrillOptions, hooks: DrillHooks): Promise<DrillReport> {
  const dispatcher = new Agent({ keepAliveTimeout: 10_000, headersTimeout: 0, bodyTimeout: 0 });
  const startedAt = new Date();
  const drillStart = performance.now();
  const drillId = crypto.randomUUID().slice(0, 8);
  let target: DrillTarget;
  try {
    target = await openTarget(options, dispatcher);
  } catch (err) {
    await dispatcher.close();
    throw err;
  }
  const runs: ReportRun[] = [];
  try {
    hooks.progress(`Drilling route '${target.route}' on ${target.description.kind === 'in-process' ? `${target.origin} (in process, ${target.description.config})` : target.origin}; breaking provider '${target.primary}'.`);
    for (const note of target.notes) hooks.progress(`Note: ${note}`);
    await warmUp(dispatcher, target, options, drillId);
    for (const shape of options.shapes) {
      for (const mode of options.modes) {
        if (hooks.signal.aborted) break;
        const fault = SHAPES[shape].fault;
        hooks.progress(`\n${shape} (${mode}): ${SHAPES[shape].description}; fault ${JSON.stringify(fault)}`);
        const context = {
          dispatcher,
          origin: target.origin,
          route: target.route,
          primary: target.primary,
          faults: target.faults,
          rps: options.rps,
          baselineMs: options.baselineMs,
          outageMs: options.outageMs,
          recoveryMs: options.recoveryMs,
          clientTimeoutMs: options.clientTimeoutMs,
          drillId,
          drillStart,
          progress: hooks.progress,
          signal: hooks.signal,
        };
        const shapeStartedAt = Date.now();
        const run = await runShape(context, shape, mode);
        const outages = await target.outagesSince?.(shapeStartedAt);
        if (outages) run.outages = outages;
        const summary = summarizeRun(run, { minSuccess: options.minSuccess });
        hooks.progress(`  => outage success ${formatRate(summary.phases.outage.successRate)}, ${summary.brokeChain ? 'BROKE the chain' : 'chain held'}`);
        runs.push({ ...run, description: SHAPES[shape].description, summary });
      }
    }
  } finally {
    await target.faults.restore().catch((err: unknown) => hooks.progress(`Warning: could not restore ${target.primary}'s faults: ${(err as Error).message}`));
    await target.close();
    await dispatcher.close();
  }

  // The p99 threshold is judged against every baseline of the same mode, not one short, noisy one.
  for (const run of runs) run.summary = summarizeRun(run, { minSuccess: options.minSuccess, baseline: pooledBaseline(runs, run.mode) });

  const broke = runs.filter((run) => run.summary.brokeChain).map((run) => `${run.shape}/${run.mode}`);
  return {
    tool: 'switchyard drill',
    reportVersion: 1,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - drillStart),
    target: target.description,
    route: target.route,
    primary: target.primary,
    chain: target.chain,
    settings: {
      rps: options.rps,
      baselineMs: options.baselineMs,
      outageMs: options.outageMs,
      recoveryMs: options.recoveryMs,
      minSuccess: options.minSuccess,
      clientTimeoutMs: options.clientTimeoutMs,
    },
    notes: target.notes,
    passed: broke.length === 0 && !hooks.signal.aborted,
    broke,
    interrupted: hooks.signal.aborted,
    runs,
  };
}

async function warmUp(dispatcher: Agent, target: DrillTarget, options: DrillOptions, drillId: string): Promise<void> {
  const chat = { dispatcher, origin: target.origin, route: target.route, timeoutMs: options.clientTimeoutMs };
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < WARMUP_REQUESTS; i++) {
    const mode = options.modes[i % options.modes.length] as RequestMode;
    sends.push(sendChat({ ...chat, mode }, chatBody(target.route, mode, `${drillId}-warmup-${i}`), performance.now()));
  }
  await Promise.all(sends);
}
