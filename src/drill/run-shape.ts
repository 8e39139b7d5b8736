/**
 * One shape run: steady open-loop load through baseline, outage (the fault set on the primary at
 * rate 1) and recovery (the fault cleared), recording every request. The fault is cleared on the
 * way out whatever happens, so an interrupted drill never leaves the primary broken.
 */
import { sleep } from '../providers/mock/sleep.js';
import type { Dispatcher } from 'undici';
import type { FaultSwitch } from './fault-switch.js';
import { startProgress } from './progress.js';
import { runLoad } from './run-load.js';
import { chatBody, sendChat } from './send-chat.js';
import { faultFor, type ShapeName } from './shapes.js';
import type { Phase, RequestMode, RunMarks, Sample, ShapeRun } from './types.js';

export interface ShapeRunContext {
  dispatcher: Dispatcher;
  origin: string;
  route: string;
  primary: string;
  faults: FaultSwitch;
  rps: number;
  baselineMs: number;
  outageMs: number;
  recoveryMs: number;
  clientTimeoutMs: number;
  /** Unique per drill, so no request body repeats one of an earlier drill. */
  drillId: string;
  /** performance.now() at drill start: every `t` counts from here. */
  drillStart: number;
  progress(line: string): void;
  signal: AbortSignal;
}

export async function runShape(ctx: ShapeRunContext, shape: ShapeName, mode: RequestMode): Promise<ShapeRun> {
  const fault = faultFor(shape);
  const clock = () => performance.now() - ctx.drillStart;
  const samples: Sample[] = [];
  const marks: RunMarks = { startT: clock(), outageT: Number.NaN, recoveryT: Number.NaN, endT: Number.NaN };
  const meter = startProgress(`${shape} ${mode}`.padEnd(24), ctx.progress);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const target = { dispatcher: ctx.dispatcher, origin: ctx.origin, route: ctx.route, mode, timeoutMs: ctx.clientTimeoutMs };
  const tag = `${ctx.drillId}-${shape}-${mode}`;
  let phase: Phase = 'baseline';

  const start = performance.now();
  const load = runLoad({
    rps: ctx.rps,
    durationMs: ctx.baselineMs + ctx.outageMs + ctx.recoveryMs,
    signal: stop.signal,
    fire: async (scheduledAt, index) => {
      const sentIn = phase;
      meter.sent();
      const outcome = await sendChat(target, chatBody(ctx.route, mode, `${tag}-${index}`), scheduledAt);
      const sample: Sample = { t: round(scheduledAt - ctx.drillStart), sinceOutageMs: 0, phase: sentIn, ...outcome, latencyMs: round(outcome.latencyMs) };
      if (sample.headersMs !== undefined) sample.headersMs = round(sample.headersMs);
      samples.push(sample);
      meter.finished(sample);
    },
  });

  let faultOn = false;
  try {
    if (await waitUntil(start + ctx.baselineMs, stop.signal)) {
      await ctx.faults.set([fault]);
      faultOn = true;
      marks.outageT = clock();
      phase = 'outage';
      meter.enter('outage');
      if (await waitUntil(start + ctx.baselineMs + ctx.outageMs, stop.signal)) {
        await ctx.faults.clear();
        faultOn = false;
        marks.recoveryT = clock();
        phase = 'recovery';
        meter.enter('recovery');
      }
    }
    await waitUntil(start + ctx.baselineMs + ctx.outageMs + ctx.recoveryMs, stop.signal);
    meter.enter('drain');
  } catch (err) {
    stop.abort();
    throw err;
  } finally {
    if (faultOn) await ctx.faults.clear().catch(() => undefined);
    if (Number.isNaN(marks.outageT)) marks.outageT = clock();
    if (Number.isNaN(marks.recoveryT)) marks.recoveryT = clock();
    await load;
    marks.endT = clock();
    meter.stop();
    ctx.signal.removeEventListener('abort', onAbort);
  }

  samples.sort((a, b) => a.t - b.t);
  for (const sample of samples) sample.sinceOutageMs = round(sample.t - marks.outageT);
  return { shape, mode, primary: ctx.primary, fault, marks: roundMarks(marks), samples };
}

/** Waits until the performance.now() time `at`; false when aborted first. */
function waitUntil(at: number, signal: AbortSignal): Promise<boolean> {
  return sleep(at - performance.now(), signal);
}

function roundMarks(marks: RunMarks): RunMarks {
  return { startT: round(marks.startT), outageT: round(marks.outageT), recoveryT: round(marks.recoveryT), endT: round(marks.endT) };
}

/** Hundredths of a ms: finer than the clock's meaning, coarse enough to keep the report small. Never -0 (a sample a hair before a mark). */
function round(ms: number): number {
  return Math.round(ms * 100) / 100 || 0;
}
