/**
 * The things the load is pointed at: the upstream itself (direct), the bare proxy, the gateway
 * passing OpenAI through, and the gateway translating OpenAI to Anthropic (gateway-anthropic). Each
 * proxy runs as its own process pinned to the target core and is ready when `GET /health/ready`
 * answers 200.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { request } from 'undici';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { gatewayNodeFlags } from './gateway-node-flags.js';
import { ANTHROPIC_ID, ANTHROPIC_MODEL } from './upstream.js';

export type TargetName = 'direct' | 'bare' | 'gateway' | 'gateway-anthropic' | 'gateway-lean' | 'gateway-core' | 'gateway-traced';
export const TARGET_NAMES: readonly TargetName[] = ['direct', 'bare', 'gateway', 'gateway-anthropic', 'gateway-lean', 'gateway-core', 'gateway-traced'];
/** What a run measures unless `--targets` says otherwise; the telemetry variants are asked for by name. */
export const DEFAULT_TARGETS: readonly TargetName[] = ['direct', 'bare', 'gateway', 'gateway-anthropic'];
export const TARGET_LABELS: Record<TargetName, string> = {
  direct: 'direct',
  bare: 'bare proxy',
  gateway: 'gateway',
  'gateway-anthropic': 'gateway → anthropic (translated)',
  'gateway-lean': 'gateway, telemetry off',
  'gateway-core': 'gateway, request path only',
  'gateway-traced': 'gateway, tracing on',
};

/**
 * What each gateway target's config says under `telemetry:`: `gateway` runs the defaults (metrics,
 * prices and the request log on, tracing off); the variants are in VARIANT_NOTES.
 */
export type TelemetryVariant = 'default' | 'off' | 'traced';
const TELEMETRY_OF: Partial<Record<TargetName, TelemetryVariant>> = { 'gateway-lean': 'off', 'gateway-core': 'off', 'gateway-traced': 'traced' };
/** How each config variant differs from the `gateway` target's config (the report's Method says so). */
export const VARIANT_NOTES: Partial<Record<TargetName, string>> = {
  'gateway-lean': 'with the request log, metrics and pricing off (`telemetry.request_log.store: off`, `metrics.enabled: false`, `pricing.enabled: false`)',
  'gateway-core':
    "with telemetry off as above, and idempotency and the circuit breakers off too (`idempotency.enabled: false`, `health.enabled: false`): the request path alone (parse, route, the fallback engine, the upstream call, the answer), what the gateway's own design costs beside the bare proxy",
  'gateway-traced': 'with tracing on, every request sampled and exported over OTLP/HTTP to a stand-in collector on the load core',
};
/** Config sections a target adds besides its telemetry. */
const EXTRA_YAML: Partial<Record<TargetName, string>> = { 'gateway-core': 'idempotency: { enabled: false }\nhealth: { enabled: false }\n' };

/** The API each target's requests reach the upstream in (every client speaks OpenAI to the target). */
export const TARGET_UPSTREAM_API: Record<TargetName, 'openai' | 'anthropic'> = {
  direct: 'openai',
  bare: 'openai',
  gateway: 'openai',
  'gateway-anthropic': 'anthropic',
  'gateway-lean': 'openai',
  'gateway-core': 'openai',
  'gateway-traced': 'openai',
};

/** The id and model of the upstream answer a target's answers must carry. */
export interface AnswerFrom {
  id: string;
  model: string;
}

/** A gateway target's provider: its config `type` and the deployment's upstream model. */
export interface GatewayProvider {
  type: string;
  model: string;
  /**
   * The id and model the gateway's answers must carry: the upstream's Anthropic message's, which
   * only the translated route can have (the pass-through gateway is not checked this way).
   */
  answerFrom?: AnswerFrom;
}

/** The gateway targets: the same config but for the provider, which decides the API spoken upstream. */
export const GATEWAY_PROVIDERS: Record<'gateway' | 'gateway-anthropic', GatewayProvider> = {
  gateway: { type: 'openai-compatible', model: 'gpt-4o-mini' },
  'gateway-anthropic': { type: 'anthropic', model: ANTHROPIC_MODEL, answerFrom: { id: ANTHROPIC_ID, model: ANTHROPIC_MODEL } },
};

/** The `--target` of the one-gateway scripts (soak, profile, instructions): a name of GATEWAY_PROVIDERS, or undefined. */
export function gatewayTargetOf(value: string): keyof typeof GATEWAY_PROVIDERS | undefined {
  return value === 'gateway' || value === 'gateway-anthropic' ? value : undefined;
}

/** How long a proxy may take to answer /health/ready after it was spawned. */
export const READY_TIMEOUT_MS = 10_000;
const READY_POLL_MS = 50;
/** How long a proxy may take to exit after SIGTERM before it gets SIGKILL. */
const STOP_TIMEOUT_MS = 3_000;

export interface RunningTarget {
  name: TargetName;
  origin: string;
  /** The target's own process, when there is one (not for direct). */
  pid?: number;
  /** The upstream answer its answers must carry, when that proves the route (see {@link GatewayProvider.answerFrom}). */
  answerFrom?: AnswerFrom;
  stop(): Promise<void>;
}

export interface TargetContext {
  repoRoot: string;
  /** Directory with the transpiled child sources (bare-proxy.js). */
  buildDir: string;
  /** Directory for configs and logs. */
  workDir: string;
  upstreamPort: number;
  /** Core to pin the proxy to, or null to run unpinned. */
  core: number | null;
  /** Used in the log file name. */
  round: number;
}

export async function startTarget(name: TargetName, ctx: TargetContext): Promise<RunningTarget> {
  switch (name) {
    case 'direct':
      return { name, origin: `http://127.0.0.1:${ctx.upstreamPort}`, stop: async () => {} };
    case 'bare': {
      const port = await freePort();
      const child = spawnPinned(ctx, name, [path.join(ctx.buildDir, 'bare-proxy.js')], {
        UPSTREAM_URL: `http://127.0.0.1:${ctx.upstreamPort}/v1`,
        PORT: String(port),
      });
      return awaitReady(name, child, port, ctx);
    }
    case 'gateway':
    case 'gateway-anthropic':
      return startGateway(name, GATEWAY_PROVIDERS[name], ctx);
    case 'gateway-lean':
    case 'gateway-core':
    case 'gateway-traced':
      return startGateway(name, GATEWAY_PROVIDERS.gateway, ctx);
  }
}

async function startGateway(name: TargetName, provider: GatewayProvider, ctx: TargetContext): Promise<RunningTarget> {
  const cli = path.join(ctx.repoRoot, 'bin', 'switchyard.js');
  const compiled = path.join(ctx.repoRoot, 'dist', 'cli', 'main.js');
  if (!fs.existsSync(compiled)) {
    throw new Error(`${name}: ${path.relative(ctx.repoRoot, compiled)} is missing; build it with \`npm run build\` (\`npm run bench\` does).`);
  }
  const port = await freePort();
  const configFile = path.join(ctx.workDir, `${name}.yaml`);
  const variant = TELEMETRY_OF[name] ?? 'default';
  const collector = variant === 'traced' ? await startCollector() : undefined;
  const telemetry = { variant, requestLogPath: path.join(ctx.workDir, `${name}-requests.db`), collectorUrl: collector?.url };
  fs.writeFileSync(configFile, withYaml(gatewayConfig(port, ctx.upstreamPort, provider, telemetry), EXTRA_YAML[name] ?? ''));
  const child = spawnPinned(ctx, name, [...gatewayNodeFlags(ctx.repoRoot), cli, 'start', '--config', configFile], {});
  try {
    const started = await awaitReady(name, child, port, ctx);
    const target = collector === undefined ? started : { ...started, stop: () => started.stop().finally(() => collector.close()) };
    return provider.answerFrom === undefined ? target : { ...target, answerFrom: provider.answerFrom };
  } catch (err) {
    await collector?.close();
    throw new Error(`${(err as Error).message}\n${checkConfig(cli, configFile, ctx.repoRoot)}`);
  }
}

/** A stand-in OTLP/HTTP collector: reads each export and answers 200, as a collector does. */
export async function startCollector(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The gateway config the bench runs: one provider (openai-compatible by default; `anthropic` for the
 * translated route), one deployment, one route. Both point at the bench upstream's `/v1`.
 */
export function gatewayConfig(
  port: number,
  upstreamPort: number,
  provider: GatewayProvider = GATEWAY_PROVIDERS.gateway,
  telemetry?: { variant: TelemetryVariant; requestLogPath: string; collectorUrl: string | undefined },
): string {
  return `# Written by bench/run.ts for one benchmark run.
server:
  host: 127.0.0.1
  port: ${port}
log:
  level: warn
${telemetry === undefined ? '' : telemetryYaml(telemetry)}providers:
  bench:
    type: ${provider.type}
    base_url: http://127.0.0.1:${upstreamPort}/v1
    api_key: bench-key
deployments:
  bench-model:
    provider: bench
    model: ${provider.model}
routes:
  chat:
    chain: [bench-model]
`;
}

interface Spawned {
  child: ChildProcess;
  logFile: string;
}

function spawnPinned(ctx: TargetContext, name: TargetName, args: string[], env: Record<string, string>): Spawned {
  const logFile = path.join(ctx.workDir, `${name}-round${ctx.round}.log`);
  const log = fs.openSync(logFile, 'w');
  const command = ctx.core === null ? process.execPath : 'taskset';
  const argv = ctx.core === null ? args : ['-c', String(ctx.core), process.execPath, ...args];
  const child = spawn(command, argv, { cwd: ctx.repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  return { child, logFile };
}

async function awaitReady(name: TargetName, { child, logFile }: Spawned, port: number, ctx: TargetContext): Promise<RunningTarget> {
  const origin = `http://127.0.0.1:${port}`;
  const stop = (): Promise<void> => stopChild(child);
  const why = await waitReady(origin, child);
  if (why === undefined) return { name, origin, pid: child.pid as number, stop };
  await stop();
  throw new Error(`${TARGET_LABELS[name]} ${why}. Log (${path.relative(ctx.repoRoot, logFile)}):\n${tail(logFile)}`);
}

/**
 * Polls `GET origin/health/ready` until it answers 200 (then undefined), or says why it stopped
 * waiting: `child` exited, or `timeoutMs` (READY_TIMEOUT_MS unless given) went by.
 */
export async function waitReady(origin: string, child: ChildProcess, timeoutMs = READY_TIMEOUT_MS): Promise<string | undefined> {
  const exited = (): string | undefined => (hasExited(child) ? `exited with ${child.signalCode ?? `code ${child.exitCode}`}` : undefined);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && exited() === undefined) {
    try {
      const res = await request(`${origin}/health/ready`, { headersTimeout: 1000, bodyTimeout: 1000 });
      await res.body.dump();
      if (res.statusCode === 200) return undefined;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  return exited() ?? `did not answer 200 on GET ${origin}/health/ready within ${timeoutMs / 1000} s`;
}

/** Whether `child` has exited (by itself or by a signal). */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL if it is still there after STOP_TIMEOUT_MS; resolves once it has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** What `switchyard check-config` says about the bench's config, to explain a gateway that never got ready. */
function checkConfig(cli: string, configFile: string, cwd: string): string {
  try {
    const out = execFileSync(process.execPath, [cli, 'check-config', configFile], { cwd, encoding: 'utf8', timeout: 10_000, stdio: 'pipe' });
    return `switchyard check-config ${configFile}: ${out.trim() || 'ok'}`;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return `switchyard check-config ${configFile} failed: ${(e.stderr || e.stdout || e.message).trim()}`;
  }
}

function tail(file: string, lines = 20): string {
  try {
    const text = fs.readFileSync(file, 'utf8').trimEnd();
    return text ? text.split('\n').slice(-lines).join('\n') : '(empty)';
  } catch {
    return '(no log)';
  }
}

/** A port nothing listens on right now (bound then released; the target binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const ECHO_SOURCE = `
const net = require('node:net');
const server = net.createServer({ noDelay: true }, (s) => { s.on('data', (d) => s.write(d)); s.on('error', () => s.destroy()); });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/** A one-line TCP echo server on `core`, to time bare round trips between the cores. */
export async function startEcho(core: number | null): Promise<{ port: number; stop(): Promise<void> }> {
  const args = ['-e', ECHO_SOURCE];
  const child = core === null ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn('taskset', ['-c', String(core), process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`echo server exited with code ${code}`)));
  });
  return { port, stop: () => stopChild(child) };
}

/**
 * `base` with the sections of `extra` (YAML) merged in: maps merge key by key, anything else in
 * `extra` replaces. So `--yaml 'telemetry: {metrics: {enabled: false}}'` changes one setting of a
 * telemetry section the bench already wrote instead of repeating the key.
 */
export function withYaml(base: string, extra: string): string {
  if (extra.trim() === '') return base;
  return stringifyYaml(mergeYaml(parseYaml(base), parseYaml(extra)));
}

function mergeYaml(base: unknown, extra: unknown): unknown {
  if (!isMap(base) || !isMap(extra)) return extra;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) merged[key] = key in merged ? mergeYaml(merged[key], value) : value;
  return merged;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `telemetry:` block of a gateway target's config. */
export function telemetryYaml(telemetry: { variant: TelemetryVariant; requestLogPath: string; collectorUrl: string | undefined }): string {
  if (telemetry.variant === 'off') {
    return 'telemetry:\n  request_log: { store: "off" }\n  metrics: { enabled: false }\n  pricing: { enabled: false }\n';
  }
  // The request log stays on (its cost is part of what is measured), in the bench's own work directory.
  const log = `telemetry:\n  request_log:\n    path: ${JSON.stringify(telemetry.requestLogPath)}\n`;
  if (telemetry.variant !== 'traced') return log;
  return `${log}  traces:\n    enabled: true\n    sampling: 1\n    endpoint: ${JSON.stringify(telemetry.collectorUrl)}\n`;
}
