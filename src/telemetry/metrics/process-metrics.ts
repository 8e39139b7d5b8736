/**
 * The process's own metrics, prom-client's defaults: CPU time, resident memory, the V8 heap by
 * space, external memory, event-loop lag, GC pauses by kind, open file descriptors, active handles.
 * They are where a gateway's peak memory and its latency tail show in production, and they cost
 * the request path nothing: all but two are read at scrape; the event-loop monitor is a libuv
 * timer, and GC pauses come from a performance observer, a callback per collection.
 *
 * One registry per process, made by the first metrics sink and shared by every later one: the
 * figures describe the process, not a gateway, and prom-client never removes the observer and the
 * monitor it installs, so a process that makes many gateways (tests, a library host, reloads)
 * installs them once.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

export function processMetrics(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
