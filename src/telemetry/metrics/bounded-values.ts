/**
 * Keeps a label fed by values from outside the config (an upstream's response model) to a bounded
 * set: the first `limit` distinct values pass, later ones become `_OTHER`, so a provider that
 * returns a new string per request cannot grow the metrics without end.
 */

/** Distinct upstream-supplied values kept per label before the rest fold into `_OTHER`. */
export const DEFAULT_BOUNDED_LABEL_VALUES = 100;

export const OTHER_VALUE = '_OTHER';

export function boundedValues(limit = DEFAULT_BOUNDED_LABEL_VALUES): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= limit) return OTHER_VALUE;
    seen.add(value);
    return value;
  };
}
