import type { FailureShape } from '../errors.js';

/**
 * Thrown by a step that chose not to run: a cache with no entry, a rule set with no match, a
 * deployment whose context window cannot hold the prompt. Recorded as a hop not taken, with its
 * reason; it spends no hop budget.
 */
export class StepSkipped extends Error {
  constructor(
    message: string,
    /** The shape this skip stands for, when it is one (a too-small context window: `context_overflow`). */
    readonly shape?: FailureShape,
    /** An open circuit: when the step will be tried again (epoch ms). */
    readonly circuitRetryAt?: number,
    /** An open circuit: how long its outage took to route around (first failure to open circuit). */
    readonly mttrMs?: number,
  ) {
    super(message);
    this.name = 'StepSkipped';
  }
}
