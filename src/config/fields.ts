/** Field types shared by config schemas: values that may arrive as strings from `${ENV}` substitution. */
import { z } from 'zod';

/** An integer that may also arrive as a numeric string (e.g. from `${PORT}`). */
export const int = () => z.preprocess((v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v), z.int());
/** A boolean that may also arrive as `"true"` / `"false"`. */
export const bool = () => z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());

/** A byte size: a number of bytes, or a string such as `16mb`, `512kb`. */
export const byteSize = z.union([z.int().positive(), z.string().regex(/^\s*\d+(\.\d+)?\s*(b|kb|mb|gb)?\s*$/i, 'write a size like 16mb, 512kb or 1048576')]).transform(parseByteSize);

function parseByteSize(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value) as RegExpExecArray;
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit === 'gb' ? 1024 ** 3 : unit === 'mb' ? 1024 ** 2 : unit === 'kb' ? 1024 : 1;
  return Math.round(Number(match[1]) * factor);
}
