/** The orchestrator's side of a driver process (bench/driver.ts): spawn it pinned, send it orders. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { FromDriver, LoadResult, LoadSpec, Summary, ToDriver } from './protocol.js';

/** How long a run may take beyond its own warm-up + window before the driver is declared stuck. */
const RUN_GRACE_MS = 30_000;

interface Pending {
  resolve(value: LoadResult | Summary | number): void;
  reject(err: Error): void;
  onWindow?(phase: 'start' | 'end'): void;
}

export class Driver {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private upstreamWaiter: { resolve(port: number): void; reject(err: Error): void } | undefined;
  private exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (message: FromDriver) => this.onMessage(message));
    child.once('exit', (code, signal) => {
      const err = new Error(`bench driver exited (${signal ?? `code ${code}`})`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.upstreamWaiter?.reject(err);
    });
  }

  /** Starts bench/driver.js, pinned to `core` with taskset unless core is null. */
  static async start(script: string, core: number | null): Promise<Driver> {
    const command = core === null ? process.execPath : 'taskset';
    const args = core === null ? [script] : ['-c', String(core), process.execPath, script];
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    return new Driver(child);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  startUpstream(streamChunks: number, chunkDelayMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.upstreamWaiter = { resolve, reject };
      this.send({ type: 'start-upstream', streamChunks, chunkDelayMs });
    });
  }

  run(spec: LoadSpec, onWindow: (phase: 'start' | 'end') => void): Promise<LoadResult> {
    const limit = spec.warmupMs + spec.durationMs + RUN_GRACE_MS;
    return this.ask((id) => ({ type: 'run', id, spec }), limit, spec.scenario.id, onWindow) as Promise<LoadResult>;
  }

  /** Round-trip times to a TCP echo server on `port`. */
  ping(port: number, count: number): Promise<Summary> {
    return this.ask((id) => ({ type: 'ping', id, port, count }), RUN_GRACE_MS, 'ping') as Promise<Summary>;
  }

  /** Requests the upstream in this driver has answered so far. */
  upstreamRequests(): Promise<number> {
    return this.ask((id) => ({ type: 'upstream-stats', id }), RUN_GRACE_MS, 'upstream stats') as Promise<number>;
  }

  private ask(message: (id: number) => ToDriver, limitMs: number, what: string, onWindow?: Pending['onWindow']): Promise<LoadResult | Summary | number> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`bench driver gave no answer for ${what} within ${limitMs} ms`));
      }, limitMs);
      const settle =
        <T>(fn: (v: T) => void) =>
        (v: T): void => {
          clearTimeout(timer);
          this.pending.delete(id);
          fn(v);
        };
      this.pending.set(id, { resolve: settle(resolve), reject: settle(reject), onWindow });
      this.send(message(id));
    });
  }

  async exit(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.send({ type: 'exit' });
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 3_000);
    await this.exited;
    clearTimeout(kill);
  }

  private send(message: ToDriver): void {
    this.child.send(message);
  }

  private onMessage(message: FromDriver): void {
    switch (message.type) {
      case 'upstream':
        this.upstreamWaiter?.resolve(message.port);
        this.upstreamWaiter = undefined;
        return;
      case 'window':
        this.pending.get(message.id)?.onWindow?.(message.phase);
        return;
      case 'result':
        this.pending.get(message.id)?.resolve(message.result);
        return;
      case 'pong':
        this.pending.get(message.id)?.resolve(message.rtt);
        return;
      case 'upstream-stats':
        this.pending.get(message.id)?.resolve(message.requests);
        return;
      case 'error': {
        const err = new Error(`bench driver: ${message.message}`);
        if (message.id === undefined) {
          this.upstreamWaiter?.reject(err);
          this.upstreamWaiter = undefined;
        } else this.pending.get(message.id)?.reject(err);
        return;
      }
    }
  }
}
