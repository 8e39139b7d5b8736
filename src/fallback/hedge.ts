/**
 * Hedging: when a call has not answered after `hedgeAfterMs`, the next deployment is called in
 * parallel; the first answer wins and the other call is aborted. Both are recorded (both may bill).
 */
import { CancelSource, type Cancel } from '../cancel.js';
import type { PendingRecord } from './run-chain.js';

export type Contender = 'primary' | 'hedge';

export interface HedgeOptions {
  hedgeAfterMs: number;
  cancel: Cancel;
  /** Whether the budget still allows a second call. */
  canHedge(): boolean;
  start(which: Contender, cancel: Cancel): { record: PendingRecord; promise: Promise<unknown> };
  /** Records how a contender ended; throws for an error that is not an upstream failure (it ends the race). */
  onSettled(record: PendingRecord, outcome: 'served' | 'failed' | 'aborted', err?: unknown): void;
}

export interface HedgeResult {
  winner: Contender | undefined;
  value: unknown;
}

export function raceWithHedge(options: HedgeOptions): Promise<HedgeResult> {
  return new Promise<HedgeResult>((resolve, reject) => {
    const running = new Map<Contender, { record: PendingRecord; cancel: CancelSource }>();
    let decided = false;
    let failures = 0;
    let timer: NodeJS.Timeout | undefined;

    const finish = (result: HedgeResult | Error) => {
      if (decided) return;
      decided = true;
      clearTimeout(timer);
      for (const { cancel } of running.values()) cancel.dispose();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const launch = (which: Contender) => {
      // Aborted with the request, or alone when it loses.
      const cancel = new CancelSource(options.cancel);
      const { record, promise } = options.start(which, cancel);
      running.set(which, { record, cancel });
      promise.then(
        (value) => {
          if (decided) {
            options.onSettled(record, 'aborted');
            return;
          }
          options.onSettled(record, 'served');
          for (const [other, entry] of running) if (other !== which) entry.cancel.abort(new Error('hedge lost'));
          finish({ winner: which, value });
        },
        (err: unknown) => {
          if (decided || (cancel.aborted && !options.cancel.aborted)) {
            options.onSettled(record, 'aborted');
            return;
          }
          try {
            options.onSettled(record, 'failed', err);
          } catch (fatal) {
            for (const entry of running.values()) entry.cancel.abort(fatal);
            finish(fatal instanceof Error ? fatal : new Error(String(fatal)));
            return;
          }
          failures++;
          // The primary failed before the hedge was due: no race; the chain goes on as usual.
          if (which === 'primary' && !running.has('hedge')) finish({ winner: undefined, value: undefined });
          else if (failures === running.size) finish({ winner: undefined, value: undefined });
        },
      );
    };

    launch('primary');
    timer = setTimeout(() => {
      if (!decided && options.canHedge()) launch('hedge');
    }, options.hedgeAfterMs);
  });
}
