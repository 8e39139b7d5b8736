/**
 * What the request log holds in memory and what it has lost, for `/metrics`. The gateway owns the
 * counts and hands them to every request-log sink it makes (a reload may replace the sink; the
 * counts carry on); the sinks keep them, and the metrics read them at scrape.
 */
export interface RequestLogCounts {
  /**
   * Finished requests held in memory and not yet in the database: queued, or handed to a store that
   * has not taken them yet (a write under way, or rows waiting behind a checkpoint). It should stay
   * near one batch; one that climbs means the store cannot keep up, or has stopped writing.
   */
  pending: number;
  /** Requests never logged because the queue was full (the oldest ones go). */
  queueFull: number;
  /** Requests never logged because their write failed. */
  writeFailed: number;
}

export function requestLogCounts(): RequestLogCounts {
  return { pending: 0, queueFull: 0, writeFailed: 0 };
}
