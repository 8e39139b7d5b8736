import { ConfigError, loadConfigFile } from '../config/load-config.js';
import { formatPath } from '../config/format-config-issues.js';
import { describeUnpriced, unpricedDeployments } from '../cost/create-pricer.js';
import type { Config } from '../config/schema.js';
import { proxyFor, throughProxy, type EgressProxy } from '../providers/http/egress-proxy.js';
import { PROVIDER_DEFINITIONS } from '../providers/registry.js';
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
    for (const line of egressNotes(config, process.env)) process.stdout.write(`note: ${line}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/**
 * Where calls would leave through a proxy with this machine's environment (HTTPS_PROXY, NO_PROXY...),
 * and any proxy variable `switchyard start` would refuse here: what the start log says, before a deploy.
 */
function egressNotes(config: Config, env: NodeJS.ProcessEnv): string[] {
  const notes: string[] = [];
  const note = (what: string, path: string, setting: string, target: string) => {
    const url = new URL(target);
    let proxy: EgressProxy | undefined;
    try {
      proxy = proxyFor(setting, url, env);
    } catch (err) {
      notes.push(`${path}: ${(err as Error).message} (switchyard start would refuse it on this machine)`);
      return;
    }
    if (proxy) notes.push(`${what} (${url.origin}) go${throughProxy(proxy)}`);
  };
  for (const [name, provider] of Object.entries(config.providers)) {
    const upstream = (PROVIDER_DEFINITIONS[provider.type] as { upstream?: (options: unknown) => string } | undefined)?.upstream?.(provider);
    const proxy = (provider as { proxy?: string }).proxy;
    if (upstream !== undefined && proxy !== undefined) note(`calls to ${name}`, `providers.${name}.proxy`, proxy, upstream);
  }
  for (const [name, handler] of Object.entries(config.manual)) {
    if (handler.type === 'handoff') note(`handoff ${name}'s webhook calls`, `manual.${name}.proxy`, handler.proxy, handler.webhook);
  }
  const traces = config.telemetry.traces;
  if (traces.enabled) note('trace exports', 'telemetry.traces.proxy', traces.proxy, traces.endpoint);
  return notes;
}
