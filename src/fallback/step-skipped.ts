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
    /** The request parameter the skip is about, for the client's error when no step is left (a context overflow: the prompt's). */
    readonly param?: string,
  ) {
    super(message);
    this.name = 'StepSkipped';
  }
}

/**
 * A step whose provider has no way to ask what the request asks: a parameter with no equivalent
 * there (a fill-in `suffix` for a chat-only provider, `n: 2` for one that answers one choice).
 * When every step is passed over for that reason, the request is the client's to change: a 400
 * naming `param`, not a gateway failure.
 */
export class StepCannotServe extends StepSkipped {
  constructor(message: string, param: string | undefined) {
    super(message, undefined, undefined, undefined, param);
    this.name = 'StepCannotServe';
  }
}
