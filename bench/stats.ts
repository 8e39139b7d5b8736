/** Exact percentiles from sorted samples, and the across-runs median with its spread. */
import type { Summary } from './protocol.js';

/** Growable store of float samples without per-sample allocation. */
export class Samples {
  private data = new Float64Array(1 << 14);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  /** Sorted copy of the samples (numeric order). */
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

/** Nearest-rank percentile of an ascending array; q in [0, 1]. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/** Summarises samples given in nanoseconds into milliseconds. */
export function summarizeNs(samples: Samples): Summary {
  const sorted = samples.sorted();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i] as number;
  const ms = (ns: number): number => ns / 1e6;
  return {
    count: sorted.length,
    min: ms(sorted.length ? (sorted[0] as number) : Number.NaN),
    mean: ms(sorted.length ? sum / sorted.length : Number.NaN),
    p50: ms(percentile(sorted, 0.5)),
    p90: ms(percentile(sorted, 0.9)),
    p99: ms(percentile(sorted, 0.99)),
    max: ms(sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN),
  };
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** The per-run values, in run order. */
  values: number[];
}

/** Median and min–max of per-run values; NaN values (a metric a run lacks) are left out. */
export function spread(values: number[]): Spread {
  const present = values.filter((v) => !Number.isNaN(v));
  const sorted = [...present].sort((a, b) => a - b);
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, values };
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, values };
}

/** Median of a plain array (NaN when empty). */
export function median(values: number[]): number {
  return spread(values).median;
}
