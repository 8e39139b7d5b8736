/**
 * `switchyard replay REQUEST_ID [--config FILE] [--against FILE] [--json]`: re-runs the fallback
 * decision of a logged request against a config (by default the one that names the log), hop by
 * hop, then and now.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile } from '../config/load-config.js';
import { renderReplay } from '../replay/render-replay.js';
import { replayDecision } from '../replay/replay-decision.js';
import { readRequestLog } from '../store/read-request-log.js';
import { RequestLogUnavailable } from '../store/request-log.js';
import { loadCliConfig } from './load-cli-config.js';

const USAGE = 'Usage: switchyard replay REQUEST_ID [--config FILE (where the log is, and the policy)] [--against FILE (another config\'s policy)] [--json]\n';

export async function replay(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, against: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: true });
  } catch (err) {
    process.stderr.write(`switchyard replay: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const requestId = positionals[0];
  if (requestId === undefined || positionals.length > 1) {
    process.stderr.write(`switchyard replay: give one request id.\n${USAGE}`);
    return 2;
  }
  try {
    const { config, label } = await loadCliConfig(values.config);
    const against = values.against ? { config: await loadConfigFile(values.against), label: values.against } : { config, label };
    const logged = await readRequestLog(config.telemetry.request_log, (log) => log.get(requestId));
    if (!logged) {
      process.stderr.write(`switchyard replay: no request '${requestId}' in the request log (it may be older than the log's retention).\n`);
      return 1;
    }
    const report = await replayDecision(logged, against.config);
    process.stdout.write(values.json ? `${JSON.stringify({ ...report, config: against.label }, null, 2)}\n` : renderReplay(report, against.label));
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof RequestLogUnavailable) {
      process.stderr.write(`switchyard replay: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
