/**
 * `npm run bench:soak -- [--seconds S] [--every S] [--concurrency N] [--stream] [--dir DIR]
 * [--target gateway|gateway-anthropic] [--node-flags=...] [--env 'NAME=VALUE ...'] [--yaml 'SECTION: {...}']`: the gateway's memory and
 * latency under minutes of steady load, where `npm run bench` measures windows of seconds. V8 lets
 * the old generation grow until its first full GC, and that can take longer than a bench window:
 * the peak RSS of a long run is not the bench's.
 *
 * One build's gateway (the defaults, as the bench's `gateway` target, or its translated route with
 * `--target gateway-anthropic`; with the node flags of its
 * `#!` line plus `--node-flags`, and `--env` in its environment) runs alone on core 0, loaded from
 * core 1 at `--concurrency` (16; closed loop, unique bodies, non-streaming unless `--stream`) for
 * `--seconds` (90) against the bench's fast upstream. Every `--every` seconds (10) it prints the
 * interval's requests per second, p50 and p99, the gateway's CPU per request (/proc), its RSS and
 * VmHWM, and its V8 heap, old space and full GCs (from its own /metrics); then the whole run's.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Pool, request } from 'undici';
import { startUpstream } from './upstream.js';
import { gatewayNodeFlags } from './gateway-node-flags.js';
import { parseEnvPairs } from './env-pairs.js';
import { readProcessCpuSeconds, readProcessMemory } from './proc.js';
import { Samples, summarizeNs } from './stats.js';
import { freePort, GATEWAY_PROVIDERS, gatewayConfig, gatewayTargetOf, hasExited, stopChild, waitReady, withYaml } from './targets.js';
import { exitWithUsage } from './usage.js';

const { values } = parseArgs({
  options: {
    help: { type: 'boolean', default: false },
    dir: { type: 'string', default: '.' },
    seconds: { type: 'string', default: '90' },
    every: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
    stream: { type: 'boolean', default: false },
    'node-flags': { type: 'string', default: '' },
    env: { type: 'string', default: '' },
    yaml: { type: 'string', default: '' },
    target: { type: 'string', default: 'gateway' },
  },
});
if (values.help) exitWithUsage(import.meta.url);
const seconds = Number(values.seconds);
const every = Number(values.every);
const concurrency = Number(values.concurrency);
const target = gatewayTargetOf(values.target);
if (!(seconds > 0) || !(every > 0) || !(concurrency > 0) || target === undefined) exitWithUsage(import.meta.url, 2);

const env = parseEnvPairs(values.env, '--env');
const root = path.resolve(values.dir);
const cli = path.join(root, 'bin', 'switchyard.js');
if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error(`${root} has no dist/: build it first (npm run build)`);
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-soak-'));
const upstream = await startUpstream({});
const port = await freePort();
const config = path.join(workDir, 'gateway.yaml');
const telemetry = { variant: 'default' as const, requestLogPath: path.join(workDir, 'requests.db'), collectorUrl: undefined };
fs.writeFileSync(config, withYaml(gatewayConfig(port, upstream.port, GATEWAY_PROVIDERS[target], telemetry), values.yaml));
const flags = [...gatewayNodeFlags(root), ...values['node-flags'].split(' ').filter(Boolean)];
// taskset execs node, so the child's pid is the gateway's.
const child = spawn('taskset', ['-c', '0', process.execPath, ...flags, cli, 'start', '--config', config], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, ...env },
});
const origin = `http://127.0.0.1:${port}`;
const pid = child.pid as number;

/** The gateway's V8 heap from its /metrics, in MB, and its full GCs so far. */
async function heapOf(): Promise<{ heapMb: number; oldMb: number; majorGcs: number; majorGcSeconds: number }> {
  const res = await request(`${origin}/metrics`);
  const text = await res.body.text();
  const value = (pattern: string): number => Number(new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    heapMb: value('nodejs_heap_size_total_bytes') / 1e6,
    oldMb: value('nodejs_heap_space_size_total_bytes\\{space="old"\\}') / 1e6,
    majorGcs: value('nodejs_gc_duration_seconds_count\\{kind="major"\\}') || 0,
    majorGcSeconds: value('nodejs_gc_duration_seconds_sum\\{kind="major"\\}') || 0,
  };
}

try {
  const why = await waitReady(origin, child);
  if (why !== undefined) throw new Error(`the gateway ${why}`);
  console.log(
    `${target} ${root}: node ${flags.join(' ')}${values.env ? `, env ${values.env}` : ''}; ${values.stream ? 'streaming' : 'non-streaming'} at c=${concurrency} for ${seconds} s`,
  );
  console.log('  time   req/s   p50 ms   p99 ms  CPU µs/req   RSS MB  VmHWM MB  heap MB  old MB  full GCs (ms)');
  const pool = new Pool(origin, { connections: concurrency });
  const all = new Samples();
  let interval = new Samples();
  let sequence = 0;
  const started = Date.now();
  const until = started + seconds * 1000;
  let lastCpu = readProcessCpuSeconds(pid);
  let lastAnswered = 0;
  let answered = 0;
  let lastAt = started;
  const line = async (): Promise<void> => {
    // The interval's figures are taken before the /metrics read, which lets more requests finish.
    const now = Date.now();
    const cpu = readProcessCpuSeconds(pid);
    const memory = readProcessMemory(pid);
    const count = answered - lastAnswered;
    const summary = summarizeNs(interval);
    interval = new Samples();
    const heap = await heapOf();
    console.log(
      [
        `${Math.round((now - started) / 1000)} s`.padStart(6),
        Math.round((count * 1000) / (now - lastAt)).toLocaleString('en-US').padStart(7),
        summary.p50.toFixed(2).padStart(8),
        summary.p99.toFixed(2).padStart(8),
        (count > 0 ? ((cpu - lastCpu) * 1e6) / count : Number.NaN).toFixed(0).padStart(11),
        ((memory?.rssKb ?? Number.NaN) / 1000).toFixed(1).padStart(8),
        ((memory?.hwmKb ?? Number.NaN) / 1000).toFixed(1).padStart(9),
        heap.heapMb.toFixed(1).padStart(8),
        heap.oldMb.toFixed(1).padStart(7),
        `${heap.majorGcs} (${(heap.majorGcSeconds * 1000).toFixed(0)})`.padStart(14),
      ].join(' '),
    );
    lastCpu = cpu;
    lastAnswered += count;
    lastAt = now;
  };
  const firstCpu = lastCpu;
  let reporting = Promise.resolve();
  const timer = setInterval(() => {
    reporting = reporting.then(line);
  }, every * 1000);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const body = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: `Say hello (request ${++sequence})` }], max_tokens: 64, ...(values.stream ? { stream: true } : {}) });
        const sent = process.hrtime.bigint();
        const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`gateway answered ${res.statusCode}`);
        const ns = Number(process.hrtime.bigint() - sent);
        all.push(ns);
        interval.push(ns);
        answered++;
      }
    }),
  );
  const ended = Date.now();
  clearInterval(timer);
  await reporting;
  const cpu = readProcessCpuSeconds(pid);
  const memory = readProcessMemory(pid);
  const heap = await heapOf();
  const summary = summarizeNs(all);
  console.log(
    `whole run: ${Math.round((answered * 1000) / (ended - started)).toLocaleString('en-US')} req/s, p50 ${summary.p50.toFixed(2)} ms, p99 ${summary.p99.toFixed(2)} ms, ` +
      `${(((cpu - firstCpu) * 1e6) / answered).toFixed(0)} µs CPU per request, peak RSS (VmHWM) ${((memory?.hwmKb ?? Number.NaN) / 1000).toFixed(1)} MB, ` +
      `RSS at the end ${((memory?.rssKb ?? Number.NaN) / 1000).toFixed(1)} MB, ${heap.majorGcs} full GCs (${(heap.majorGcSeconds * 1000).toFixed(0)} ms in all)`,
  );
  await pool.close();
} finally {
  if (!hasExited(child)) await stopChild(child);
  await upstream.close();
  fs.rmSync(workDir, { recursive: true, force: true });
}
