/**
 * `switchyard log [--config FILE] [--route R] [--reason SHAPE] [--since 15m|ISO] [--status 503|5xx]
 * [--limit N] [--json]`: recent requests from the request log the config names, newest first.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load-config.js';
import { LogQueryError, parseLogQuery } from '../store/parse-log-query.js';
import { readRequestLog } from '../store/read-request-log.js';
import { renderLogTable } from '../store/render-log-table.js';
import { RequestLogUnavailable } from '../store/request-log.js';
import { loadCliConfig } from './load-cli-config.js';

const USAGE = 'Usage: switchyard log [--config FILE] [--route ROUTE] [--reason SHAPE|circuit_open] [--since 15m|ISO-TIME] [--status 503|5xx] [--limit N] [--json]\n';

export async function showLog(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: 'string', short: 'c' },
        route: { type: 'string' },
        reason: { type: 'string' },
        since: { type: 'string' },
        status: { type: 'string' },
        limit: { type: 'string', short: 'n' },
        json: { type: 'boolean' },
      },
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`switchyard log: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    const query = parseLogQuery(values);
    const { config } = await loadCliConfig(values.config);
    const requests = await readRequestLog(config.telemetry.request_log, (log) => log.query(query));
    process.stdout.write(values.json ? `${JSON.stringify({ data: requests }, null, 2)}\n` : renderLogTable(requests));
    return 0;
  } catch (err) {
    if (err instanceof LogQueryError) {
      process.stderr.write(`switchyard log: --${err.param}: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof RequestLogUnavailable) {
      process.stderr.write(`switchyard log: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
