/**
 * Cancellation on the request path without an AbortController per request and per hop: on this
 * VM each one (an EventTarget with its own listener map) cost several microseconds, and most
 * requests are never cancelled. A `Cancel` is read by the gateway's own code (`aborted`, `reason`,
 * `onAbort`/`offAbort`); an AbortSignal is made only when an API outside takes one (undici's
 * streaming request, a timer, a manual handler), from `.signal`.
 */

export interface Cancel {
  readonly aborted: boolean;
  /** Why it was cancelled; undefined until then. */
  readonly reason: unknown;
  /** Calls `listener` once, when cancelled (never if it already was: check `aborted` first). */
  onAbort(listener: AbortListener): void;
  offAbort(listener: AbortListener): void;
  /** An AbortSignal that aborts with this one, made on first use. */
  readonly signal: AbortSignal;
}

export type AbortListener = (reason: unknown) => void;

/** A Cancel that is cancelled by calling `abort`, or with its parent. */
export class CancelSource implements Cancel {
  aborted = false;
  reason: unknown = undefined;
  private listeners: AbortListener[] | undefined;
  private controller: AbortController | undefined;
  private readonly parent: Cancel | undefined;
  private readonly onParentAbort: AbortListener | undefined;

  /** With a parent, this one aborts when the parent does, until `dispose()`. */
  constructor(parent?: Cancel) {
    if (parent === undefined) return;
    if (parent.aborted) {
      this.aborted = true;
      this.reason = parent.reason;
      return;
    }
    this.parent = parent;
    this.onParentAbort = (reason) => this.abort(reason);
    parent.onAbort(this.onParentAbort);
  }

  abort(reason: unknown = new Error('aborted')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.dispose();
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener(reason);
  }

  onAbort(listener: AbortListener): void {
    if (this.aborted) return;
    if (this.listeners === undefined) this.listeners = [listener];
    else this.listeners.push(listener);
  }

  offAbort(listener: AbortListener): void {
    const listeners = this.listeners;
    if (listeners === undefined) return;
    const at = listeners.lastIndexOf(listener);
    if (at !== -1) listeners.splice(at, 1);
  }

  /** Stops following the parent (a hop that finished): its listener list does not grow with every hop. */
  dispose(): void {
    if (this.onParentAbort) this.parent?.offAbort(this.onParentAbort);
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }
}

/** A Cancel over an AbortSignal from outside (a library caller's). */
export function cancelOf(signal: AbortSignal): Cancel {
  const listeners = new Map<AbortListener, () => void>();
  return {
    get aborted() {
      return signal.aborted;
    },
    get reason() {
      return signal.reason as unknown;
    },
    onAbort(listener) {
      if (signal.aborted || listeners.has(listener)) return;
      const wrapped = () => {
        listeners.delete(listener);
        listener(signal.reason);
      };
      listeners.set(listener, wrapped);
      signal.addEventListener('abort', wrapped, { once: true });
    },
    offAbort(listener) {
      const wrapped = listeners.get(listener);
      if (wrapped === undefined) return;
      listeners.delete(listener);
      signal.removeEventListener('abort', wrapped);
    },
    signal,
  };
}

const NEVER_SIGNAL = new AbortController().signal;

/** Never cancelled: its listeners are not even kept. */
export const NEVER_CANCELLED: Cancel = Object.freeze({
  aborted: false,
  reason: undefined,
  onAbort() {},
  offAbort() {},
  signal: NEVER_SIGNAL,
});
