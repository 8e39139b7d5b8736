/**
 * The load generator: a closed loop of `concurrency` workers (one keep-alive connection each,
 * issuing requests back to back) or an open loop at a fixed rate whose latency counts from each
 * request's scheduled send time, so a slow target cannot hide its queueing (no coordinated omission).
 *
 * It drives undici's `dispatch` with a raw handler rather than `request()`: no body stream, promise or
 * header object per request, which is what lets one core generate tens of thousands of requests/s.
 * It uses undici's older handler callbacks because the Client calls those natively; the newer ones go
 * through an adapter that parses every header block into an object.
 */
import net from 'node:net';
import { Client, Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { LoadResult, LoadSpec, Summary } from './protocol.js';
import { Samples, summarizeNs, median } from './stats.js';

/** How long in-flight requests may take to finish once the window closed before they are cut. */
const DRAIN_TIMEOUT_MS = 10_000;
/** Pause before a worker retries after a transport error, so a dead target is not spun on. */
const ERROR_BACKOFF_MS = 5;
/** Fixed-rate mode: scheduled-but-unfinished requests beyond this count are failed, not queued. */
const MAX_OUTSTANDING = 50_000;
/** How many distinct error descriptions a result carries. */
const MAX_ERROR_SAMPLES = 5;
/** Fixed-rate mode: closer than this to the next send, the loop polls instead of sleeping on a timer. */
const POLL_WITHIN_NS = 2_000_000n;
/** Fixed-rate mode: connections opened, and requests sent on each, before the schedule starts. */
const PRIME_CONNECTIONS = 8;
const PRIME_REQUESTS_PER_CONNECTION = 25;
const DONE_MARK = 'data: [DONE]';
/** A chunk carrying text: the upstream's first event has only the role and `"content":""`. */
const CONTENT_DELTA = /"content"\s*:\s*"[^"]/;
const NEVER = BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n;

const now = process.hrtime.bigint;

type Done = (handler: RequestHandler, err: Error | null) => void;

/** One request's progress; `origin` is when its latency starts (send time, or scheduled time). */
class RequestHandler implements Dispatcher.DispatchHandler {
  status = 0;
  bytes = 0;
  reads = 0;
  firstData = 0n;
  firstContent = 0n;
  lastData = 0n;
  tail = '';
  settled = false;

  constructor(
    readonly origin: bigint,
    readonly sentAt: bigint,
    readonly stream: boolean,
    readonly worker: number,
    private readonly done: Done,
  ) {}

  onConnect(): void {}

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    this.reads++;
    if (this.stream) {
      const t = now();
      if (this.firstData === 0n) this.firstData = t;
      if (this.firstContent === 0n && CONTENT_DELTA.test(chunk.toString('latin1'))) this.firstContent = t;
      this.lastData = t;
      // Keep only enough of the tail to see `data: [DONE]` even when it straddles two reads.
      this.tail = (this.tail + chunk.toString('latin1', Math.max(0, chunk.length - 32))).slice(-48);
    }
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    this.settled = true;
    this.done(this, null);
  }

  onError(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.done(this, err);
  }
}

export interface LoadHooks {
  /** Called when the measured window opens (after warm-up) and when it closes. */
  onWindow(phase: 'start' | 'end'): void;
}

/** Runs one scenario against `spec.origin` and summarises the measured window. */
export async function runLoad(spec: LoadSpec, hooks: LoadHooks): Promise<LoadResult> {
  const stream = spec.scenario.mode === 'stream';
  const nextBody = bodyMaker(spec.body, spec.sequenceMarker);
  let dispatched = 0;
  const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };
  // Options objects are per request: each carries its own body.
  const dispatchOptions = (): Dispatcher.DispatchOptions => {
    dispatched++;
    return { path: spec.path, method: 'POST', headers, body: nextBody() };
  };

  let windowStart = NEVER;
  let windowEnd = NEVER;
  let stopped = false;
  let requests = 0;
  let errors = 0;
  let warmupErrors = 0;
  let okBytes = 0;
  const errorSamples = new Set<string>();
  const latency = new Samples();
  const sendLag = new Samples();
  const ttfb = new Samples();
  const ttft = new Samples();
  const span = new Samples();
  const reads: number[] = [];

  // Failures after the window (while in-flight requests drain) count too: a run with errors must say so.
  const fail = (description: string, end: bigint): void => {
    if (end >= windowStart) errors++;
    else warmupErrors++;
    if (errorSamples.size < MAX_ERROR_SAMPLES) errorSamples.add(description);
  };

  /** Records one finished request; true when it succeeded. */
  const record = (h: RequestHandler, err: Error | null): boolean => {
    const end = now();
    if (err) {
      fail(`${err.name}: ${err.message}`, end);
      return false;
    }
    if (h.status !== 200) {
      fail(`HTTP ${h.status}`, end);
      return false;
    }
    if (stream && !h.tail.includes(DONE_MARK)) {
      fail('stream ended without data: [DONE]', end);
      return false;
    }
    if (end < windowStart || end > windowEnd) return true;
    requests++;
    okBytes += h.bytes;
    latency.push(Number(end - h.origin));
    if (h.origin !== h.sentAt) sendLag.push(Number(h.sentAt - h.origin));
    if (stream) {
      ttfb.push(Number(h.firstData - h.origin));
      if (h.firstContent !== 0n) ttft.push(Number(h.firstContent - h.origin));
      span.push(Number(h.lastData - h.firstData));
      reads.push(h.reads);
    }
    return true;
  };

  let drained!: () => void;
  const allDone = new Promise<void>((resolve) => (drained = resolve));
  const dispatchers: Dispatcher[] = [];

  if (spec.scenario.kind === 'closed') {
    const clients: Client[] = [];
    for (let i = 0; i < spec.scenario.concurrency; i++) {
      clients.push(new Client(spec.origin, { pipelining: 1, keepAliveTimeout: 60_000 }));
    }
    dispatchers.push(...clients);
    let active = clients.length;
    const issue = (worker: number): void => {
      if (stopped) {
        if (--active === 0) drained();
        return;
      }
      const t = now();
      (clients[worker] as Client).dispatch(dispatchOptions(), new RequestHandler(t, t, stream, worker, onDone));
    };
    const onDone: Done = (h, err) => {
      if (record(h, err)) issue(h.worker);
      else setTimeout(() => issue(h.worker), ERROR_BACKOFF_MS);
    };
    for (let i = 0; i < clients.length; i++) issue(i);
  } else {
    const rate = spec.scenario.rate ?? 1000;
    const pool = new Pool(spec.origin, { connections: spec.rateConnections, pipelining: 1, keepAliveTimeout: 60_000 });
    dispatchers.push(pool);
    const intervalNs = BigInt(Math.round(1e9 / rate));
    // A cold pool opening connections while the schedule already runs can fall behind and queue for
    // seconds; open some connections and warm the path first.
    await primePool(pool, dispatchOptions, Math.min(PRIME_CONNECTIONS, spec.rateConnections));
    let next = now();
    let outstanding = 0;
    const onDone: Done = (h, err) => {
      outstanding--;
      record(h, err);
      if (stopped) {
        if (outstanding === 0) drained();
        return;
      }
      pump();
    };
    // Sends every request whose scheduled time has come; runs on each tick and after each response.
    const pump = (): void => {
      const t = now();
      while (!stopped && next <= t) {
        if (outstanding >= MAX_OUTSTANDING) fail('loadgen backlog full (target far below the rate)', t);
        else {
          outstanding++;
          pool.dispatch(dispatchOptions(), new RequestHandler(next, t, stream, 0, onDone));
        }
        next += intervalNs;
      }
    };
    // Node's timers have 1 ms granularity: sleeping on them would send a fixed rate in 1 ms bursts and
    // add up to 1 ms of loadgen lag to every latency. So near a send the loop polls with setImmediate
    // (I/O is still served every turn), which keeps the send lag in the tens of microseconds at the
    // price of a load core that reads ~100% busy during fixed-rate runs.
    const tick = (): void => {
      pump();
      if (stopped) {
        if (outstanding === 0) drained();
        return;
      }
      if (next - now() < POLL_WITHIN_NS) setImmediate(tick);
      else setTimeout(tick, 1);
    };
    tick();
  }

  await sleep(spec.warmupMs);
  windowStart = now();
  hooks.onWindow('start');
  await sleep(spec.durationMs);
  windowEnd = now();
  stopped = true;
  hooks.onWindow('end');

  const cut = setTimeout(() => {
    for (const d of dispatchers) void d.destroy(new Error('bench drain timeout')).catch(() => {});
    drained();
  }, DRAIN_TIMEOUT_MS);
  await allDone;
  clearTimeout(cut);
  await Promise.all(dispatchers.map((d) => d.close().catch(() => {})));

  const windowMs = Number(windowEnd - windowStart) / 1e6;
  const result: LoadResult = {
    scenarioId: spec.scenario.id,
    requests,
    windowMs,
    rps: requests / (windowMs / 1000),
    errors,
    warmupErrors,
    errorSamples: [...errorSamples],
    latency: summarizeNs(latency),
    dispatched,
    bytesPerResponse: requests ? okBytes / requests : 0,
  };
  if (spec.scenario.kind === 'rate') result.sendLag = summarizeNs(sendLag);
  if (stream) {
    result.ttfb = summarizeNs(ttfb);
    result.ttft = summarizeNs(ttft);
    result.span = summarizeNs(span);
    result.readsPerStream = median(reads);
  }
  return result;
}

/** Runs a few back-to-back requests on `connections` parallel chains and waits for them. */
function primePool(pool: Pool, options: () => Dispatcher.DispatchOptions, connections: number): Promise<void> {
  const chain = (left: number): Promise<void> =>
    left === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const t = now();
          pool.dispatch(options(), new RequestHandler(t, t, false, 0, () => resolve()));
        }).then(() => chain(left - 1));
  return Promise.all(Array.from({ length: connections }, () => chain(PRIME_REQUESTS_PER_CONNECTION))).then(() => {});
}

/** Request numbers, unique across every run of this process. */
let sequence = 0;

/** Returns a function giving `body` with `marker` replaced by the next sequence number (same length). */
function bodyMaker(body: string, marker: string | undefined): () => Buffer {
  const template = Buffer.from(body);
  const offset = marker ? template.indexOf(marker) : -1;
  if (!marker || offset < 0) return () => template;
  const width = Buffer.byteLength(marker);
  return () => {
    const out = Buffer.allocUnsafe(template.length);
    template.copy(out);
    let n = ++sequence;
    for (let i = offset + width - 1; i >= offset; i--) {
      out[i] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
    return out;
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Round trips of one byte over a fresh TCP connection to an echo server, one at a time: the floor
 * under every request's latency that the kernel and the (virtual) CPUs set before any HTTP is spoken.
 */
export async function pingPong(port: number, count: number): Promise<Summary> {
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const samples = new Samples();
  const byte = Buffer.from('x');
  await new Promise<void>((resolve, reject) => {
    let sent = now();
    let left = count;
    socket.on('data', () => {
      samples.push(Number(now() - sent));
      if (--left === 0) return resolve();
      sent = now();
      socket.write(byte);
    });
    socket.once('error', reject);
    socket.write(byte);
  });
  socket.destroy();
  return summarizeNs(samples);
}
