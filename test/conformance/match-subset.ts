/**
 * Deep "contains" matching for fixtures: every key of the expected object must be present with a
 * matching value; arrays must have the same length and match element by element; a RegExp matches
 * a string. Returns the path of the first mismatch, or undefined.
 */
export function mismatch(actual: unknown, expected: unknown, path = '$'): string | undefined {
  if (expected instanceof RegExp) {
    return typeof actual === 'string' && expected.test(actual) ? undefined : `${path}: ${JSON.stringify(actual)} does not match ${expected}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    if (actual.length !== expected.length) return `${path}: expected ${expected.length} items, got ${actual.length}: ${JSON.stringify(actual)}`;
    for (let index = 0; index < expected.length; index++) {
      const found = mismatch(actual[index], expected[index], `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      if (value === undefined) {
        if (key in actual) return `${path}.${key}: expected absent, got ${JSON.stringify((actual as Record<string, unknown>)[key])}`;
        continue;
      }
      const found = mismatch((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return Object.is(actual, expected) ? undefined : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

/** Throws with the mismatch's path when `actual` does not contain `expected`. */
export function assertSubset(actual: unknown, expected: unknown, what: string): void {
  const found = mismatch(actual, expected);
  if (found) throw new Error(`${what}: ${found}`);
}
