/** Field types shared by config schemas: values that may arrive as strings from `${ENV}` substitution. */
import { z } from 'zod';

/** An integer that may also arrive as a numeric string (e.g. from `${PORT}`). */
export const int = () => z.preprocess((v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v), z.int());
/** A boolean that may also arrive as `"true"` / `"false"`. */
export const bool = () => z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
