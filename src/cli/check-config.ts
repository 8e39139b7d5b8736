import { ConfigError, loadConfigFile } from '../config/load-config.js';
import { formatPath } from '../config/format-config-issues.js';
import { describeUnpriced, unpricedDeployments } from '../cost/create-pricer.js';
import { readTlsFiles, tlsFilesOf } from '../server/tls-files.js';

/** `switchyard check-config FILE`: exit 0 and a summary when valid; every problem, by path and line, when not. */
export async function checkConfig(args: string[]): Promise<number> {
  const file = args.find((arg) => !arg.startsWith('-'));
  if (!file) {
    process.stderr.write('Usage: switchyard check-config FILE\n');
    return 2;
  }
  try {
    const config = await loadConfigFile(file);
    const count = (record: object) => Object.keys(record).length;
    process.stdout.write(
      `${file} is valid: ${count(config.providers)} provider(s), ${count(config.deployments)} deployment(s), ${count(config.routes)} route(s): ${Object.keys(config.routes).join(', ')}\n`,
    );
    const unpriced = unpricedDeployments(config);
    if (unpriced.length > 0) process.stdout.write(`note: ${describeUnpriced(unpriced)}\n`);
    // A note, not a failure: a config is often checked where the certificate is not mounted.
    const tls = tlsFilesOf(config.server.tls);
    if (tls) {
      await readTlsFiles(tls).catch((err: unknown) => {
        const problems = err instanceof ConfigError ? err.problems : [];
        for (const problem of problems) process.stdout.write(`note: server.tls cannot be served from this machine: ${formatPath(problem.path)}: ${problem.message}\n`);
      });
    }
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
