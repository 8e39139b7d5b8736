/** The request log a config names: SQLite (the default), PostgreSQL, or none when `store: off`. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { RequestLogConfig } from './request-log-config.js';
import type { RequestLog } from './request-log.js';
import { openSqliteRequestLog } from './sqlite-request-log.js';
import { openSqliteInlineRequestLog } from './sqlite-inline-request-log.js';
import { openSqliteWorkerRequestLog } from './sqlite-worker-request-log.js';

export interface OpenOptions {
  /** A reader (`switchyard log`, replay): a SQLite file must already exist. */
  mustExist?: boolean;
  onError?: (err: Error) => void;
}

export async function openRequestLog(config: RequestLogConfig, options: OpenOptions = {}): Promise<RequestLog | undefined> {
  switch (config.store) {
    case 'off':
      return undefined;
    case 'sqlite':
      // A reader (the CLI) reads the file directly; the gateway writes through its writer.
      if (options.mustExist) return openSqliteRequestLog({ path: config.path, mustExist: true });
      return sqliteWriter(config) === 'thread' ? openSqliteWorkerRequestLog(config.path) : openSqliteInlineRequestLog(config.path, { commitEvery: config.batch_size, onError: options.onError });
    case 'postgres': {
      // The schema refuses `postgres` without a url. The pg client loads only for a postgres log.
      const { openPostgresRequestLog } = await import('./postgres-request-log.js');
      return openPostgresRequestLog({ url: config.url as string, schema: config.schema, onError: options.onError });
    }
  }
}

/** Names one log across gateways in a process: the same file, or the same database and schema. */
export function requestLogKey(config: RequestLogConfig): string | undefined {
  if (config.store === 'off') return undefined;
  return config.store === 'sqlite' ? `sqlite:${resolve(config.path)}` : `postgres:${config.url}#${config.schema}`;
}

/** `auto`: a writer thread only when there is a second CPU to run it on (os.availableParallelism follows the process's CPU affinity). */
export function sqliteWriter(config: RequestLogConfig): 'thread' | 'inline' {
  if (config.writer !== 'auto') return config.writer;
  return availableParallelism() > 1 ? 'thread' : 'inline';
}
