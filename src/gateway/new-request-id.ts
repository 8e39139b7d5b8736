/**
 * A request id the gateway makes when the client sent none: a UUIDv7 (RFC 9562), so ids sort by
 * time. The request log is keyed by it: time-ordered keys land at the end of its indexes, where a
 * random UUID would touch a random page per insert (measured: 15 against 60 to 120 µs per logged
 * request, growing with the table).
 *
 * The uuid package lays out and formats the id; its random bytes come from a pool of 4 KB here
 * (256 ids a fill) rather than its own of 256 bytes (16 ids a fill): each fill is a call into
 * OpenSSL with a getpid system call (its fork check), and at one fill per 16 requests those were
 * about 1% of a request's CPU (`npm run bench:profile`). Within a millisecond, ids count up from a
 * random start, as the package's own state does, so they still sort in the order they were made.
 */
import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

const POOL_BYTES = 4096;
const ID_BYTES = 16;
const pool = new Uint8Array(POOL_BYTES);
let next = POOL_BYTES;
/** The millisecond of the last id and its 32-bit counter (RFC 9562 §6.2, method 1; the uuid package's layout). */
let lastMs = -Infinity;
let seq = 0;

export function newRequestId(): string {
  if (next > POOL_BYTES - ID_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  const random = pool.subarray(next, (next += ID_BYTES));
  const now = Date.now();
  if (now > lastMs) {
    // A fresh counter, its top bit clear so it has room to count up.
    seq = ((random[6] as number) << 23) | ((random[7] as number) << 16) | ((random[8] as number) << 8) | (random[9] as number);
    lastMs = now;
  } else {
    seq = (seq + 1) | 0;
    // The counter ran out within this millisecond: borrow the next one.
    if (seq === 0) lastMs++;
  }
  return v7({ random, msecs: lastMs, seq });
}
