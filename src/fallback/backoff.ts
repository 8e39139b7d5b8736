/**
 * The wait before retry number `retry` (0-based): the schedule's value (its last one repeats),
 * spread by ±jitter so that many clients retrying together do not arrive together.
 */
export function backoffMs(retry: number, schedule: readonly number[], jitter: number, random: () => number = Math.random): number {
  const base = schedule[Math.min(retry, schedule.length - 1)] ?? 0;
  return Math.max(0, Math.round(base * (1 - jitter + 2 * jitter * random())));
}
