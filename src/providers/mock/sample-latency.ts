/**
 * Latency as drills describe it: a fixed number of ms, or two percentiles of a real upstream's
 * distribution. Real latencies are long-tailed, so the percentiles are fitted with a log-normal
 * rather than drawn uniformly between them.
 */
import { z } from 'zod';

/** The standard normal's 99th percentile: p99 = p50 * exp(Z99 * sigma) for a log-normal. */
const Z99 = 2.3263478740408408;
/** A draw never exceeds this multiple of p99, so one unlucky draw cannot stall a drill. */
const MAX_P99_MULTIPLE = 10;

export const latencySchema = z.union([
  z.number().nonnegative(),
  z
    .strictObject({ p50: z.number().nonnegative(), p99: z.number().nonnegative() })
    .refine((value) => value.p99 >= value.p50, { message: 'p99 must be at least p50' }),
], { error: 'expected a number of ms, or { p50, p99 }' });

export type LatencySpec = z.infer<typeof latencySchema>;

/** Draws one latency in ms. `random` returns uniform values in [0, 1), like Math.random. */
export function sampleLatency(spec: LatencySpec | undefined, random: () => number = Math.random): number {
  if (spec === undefined) return 0;
  if (typeof spec === 'number') return spec;
  if (spec.p50 <= 0 || spec.p99 <= spec.p50) return spec.p50;
  const mu = Math.log(spec.p50);
  const sigma = (Math.log(spec.p99) - mu) / Z99;
  const value = Math.exp(mu + sigma * standardNormal(random));
  return Math.min(value, spec.p99 * MAX_P99_MULTIPLE);
}

/** Box-Muller; `1 - random()` keeps the logarithm's argument in (0, 1]. */
function standardNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
