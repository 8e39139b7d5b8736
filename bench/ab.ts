/**
 * `npm run bench:ab -- --a DIR --b DIR`: which of two builds spends less CPU per request. Both
 * gateways run at the same time on core 0, each under its own closed-loop load (c=16 unless `--concurrency N`, non-streaming,
 * unique bodies) from core 1, against one fast upstream; each round reads the CPU time each process
 * used from /proc and divides by the requests it answered. Running them side by side cancels the
 * drift of a shared machine, which can swing one target's throughput by 2x between two runs a
 * minute apart; throughput here is not the measure (the two split one core). Each round also prints each
 * side's p50 and p99 latency (send to last byte), and the run their medians: comparable between the
 * sides, not with the bench's (each side waits for the other's work too).
 *
 * DIR is a checkout with a built `dist/` (e.g. `git worktree add /tmp/base main && cd /tmp/base &&
 * npm ci && npm run build`). Options: --telemetry default|off (both), --telemetry-a / --telemetry-b,
 * --node-flags-a=... / --node-flags-b=... (V8 or node flags for one side, e.g. --node-flags-b=--max-semi-space-size=8),
 * --yaml-a / --yaml-b 'SECTION: {...}' (config sections added to one side, e.g. --yaml-b 'idempotency: {enabled: false}'),
 * --env-a / --env-b 'NAME=VALUE ...' (environment variables for one side's process, e.g. --env-b 'MALLOC_MMAP_THRESHOLD_=131072'),
 * --rounds N (default 5), --seconds S per round (default 3), --concurrency N per side (default 16),
 * --target gateway|gateway-anthropic (both sides; the translated route with gateway-anthropic).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startUpstream } from './upstream.js';
import { gatewayNodeFlags } from './gateway-node-flags.js';
import { parseEnvPairs } from './env-pairs.js';
import { freePort, GATEWAY_PROVIDERS, gatewayConfig, gatewayTargetOf, stopChild, waitReady, withYaml } from './targets.js';
import { median, Samples, summarizeNs } from './stats.js';
import { exitWithUsage } from './usage.js';

type Telemetry = 'default' | 'off';

interface Side {
  label: 'A' | 'B';
  child: ChildProcess;
  pool: Pool;
  answered: number;
  /** Each counted request's latency this round, send to last byte, in ns. */
  latencies: Samples;
}

const { values } = parseArgs({
  options: {
    help: { type: 'boolean', default: false },
    a: { type: 'string' },
    b: { type: 'string' },
    telemetry: { type: 'string', default: 'default' },
    'telemetry-a': { type: 'string' },
    'telemetry-b': { type: 'string' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '16' },
    stream: { type: 'boolean', default: false },
    'node-flags-a': { type: 'string', default: '' },
    'node-flags-b': { type: 'string', default: '' },
    'yaml-a': { type: 'string', default: '' },
    'yaml-b': { type: 'string', default: '' },
    'env-a': { type: 'string', default: '' },
    'env-b': { type: 'string', default: '' },
    target: { type: 'string', default: 'gateway' },
  },
});
if (values.help) exitWithUsage(import.meta.url);
if (!values.a || !values.b) exitWithUsage(import.meta.url, 2);
const target = gatewayTargetOf(values.target) ?? exitWithUsage(import.meta.url, 2);
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-ab-'));
const upstream = await startUpstream({});

async function start(label: 'A' | 'B', root: string, telemetry: Telemetry): Promise<Side> {
  const cli = path.join(path.resolve(root), 'bin', 'switchyard.js');
  if (!fs.existsSync(path.join(path.resolve(root), 'dist', 'cli', 'main.js'))) throw new Error(`${root} has no dist/: build it first (npm run build)`);
  // Bound and released by the OS: a random pick could land on a port a client connection holds (the ephemeral range).
  const port = await freePort();
  const config = path.join(workDir, `${label}.yaml`);
  const extra = label === 'A' ? values['yaml-a'] : values['yaml-b'];
  const sections = { variant: telemetry, requestLogPath: path.join(workDir, `${label}.db`), collectorUrl: undefined };
  fs.writeFileSync(config, withYaml(gatewayConfig(port, upstream.port, GATEWAY_PROVIDERS[target], sections), extra));
  const flags = (label === 'A' ? values['node-flags-a'] : values['node-flags-b']).split(' ').filter(Boolean);
  const env = { ...process.env, ...parseEnvPairs(label === 'A' ? values['env-a'] : values['env-b'], `--env-${label.toLowerCase()}`) };
  const child = spawn('taskset', ['-c', '0', process.execPath, ...gatewayNodeFlags(path.resolve(root)), ...flags, cli, 'start', '--config', config], { stdio: ['ignore', 'inherit', 'inherit'], env });
  const why = await waitReady(`http://127.0.0.1:${port}`, child);
  if (why !== undefined) {
    await stopChild(child);
    throw new Error(`gateway ${label} (${root}) ${why}`);
  }
  return { label, child, pool: new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY }), answered: 0, latencies: new Samples() };
}

async function stopSide(side: Side): Promise<void> {
  await stopChild(side.child);
  await side.pool.close();
}

/** User plus system CPU time of a process so far, in ms. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
}

let sequence = 0;
/** A body no earlier request had: a derived idempotency key must never replay. */
function body(): string {
  return JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: `Say hello (request ${++sequence})` }], max_tokens: 64, ...(values.stream ? { stream: true } : {}) });
}

async function load(side: Side, until: number, count: boolean): Promise<void> {
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        const sent = process.hrtime.bigint();
        const res = await side.pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, body: body() });
        const text = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`gateway ${side.label} answered ${res.statusCode}`);
        if (values.stream && !text.endsWith('data: [DONE]\n\n')) throw new Error(`gateway ${side.label} sent a stream without [DONE]`);
        if (!count) continue;
        side.answered++;
        side.latencies.push(Number(process.hrtime.bigint() - sent));
      }
    }),
  );
}

const a = await start('A', values.a, (values['telemetry-a'] ?? values.telemetry) as Telemetry);
const b = await start('B', values.b, (values['telemetry-b'] ?? values.telemetry) as Telemetry).catch(async (err: unknown) => {
  // B did not come up: A must not outlive this process.
  await stopSide(a);
  await upstream.close();
  throw err;
});
try {
  const warmUntil = Date.now() + 1500;
  await Promise.all([load(a, warmUntil, false), load(b, warmUntil, false)]);
  const ratios: number[] = [];
  const p99s: [number, number][] = [];
  for (let round = 1; round <= rounds; round++) {
    a.answered = 0;
    b.answered = 0;
    a.latencies = new Samples();
    b.latencies = new Samples();
    const before = [cpuMs(a.child.pid as number), cpuMs(b.child.pid as number)];
    const until = Date.now() + seconds * 1000;
    await Promise.all([load(a, until, true), load(b, until, true)]);
    const usA = ((cpuMs(a.child.pid as number) - (before[0] as number)) * 1000) / a.answered;
    const usB = ((cpuMs(b.child.pid as number) - (before[1] as number)) * 1000) / b.answered;
    ratios.push(usB / usA);
    const [latA, latB] = [summarizeNs(a.latencies), summarizeNs(b.latencies)];
    p99s.push([latA.p99, latB.p99]);
    console.log(
      `round ${round}: A ${usA.toFixed(0)} µs/request (${a.answered} answered, p50 ${latA.p50.toFixed(2)} p99 ${latA.p99.toFixed(2)} ms), ` +
        `B ${usB.toFixed(0)} µs/request (${b.answered}, p50 ${latB.p50.toFixed(2)} p99 ${latB.p99.toFixed(2)} ms): B/A ${(usB / usA).toFixed(3)}`,
    );
  }
  const ratio = median(ratios);
  console.log(`median B/A CPU per request: ${ratio.toFixed(3)} (B ${ratio < 1 ? `${((1 - ratio) * 100).toFixed(1)}% cheaper` : `${((ratio - 1) * 100).toFixed(1)}% dearer`}); an A/A run differs by about 3%`);
  // The two share one core: a side's latency includes waits for the other's work, so only the comparison means something.
  console.log(`median p99 latency: A ${median(p99s.map(([pa]) => pa)).toFixed(2)} ms, B ${median(p99s.map(([, pb]) => pb)).toFixed(2)} ms (the two share one core)`);
} finally {
  await Promise.all([stopSide(a), stopSide(b)]);
  await upstream.close();
  fs.rmSync(workDir, { recursive: true, force: true });
}
