/**
 * `npm run bench:instructions -- [--dir DIR] [--target gateway|gateway-anthropic] [--telemetry default|off] [--yaml '...'] [--stream] [--bare]
 * [--warmup N] [--requests N] [--concurrency N] [--keep DIR]`: how many machine instructions one
 * build's gateway (its translated route with `--target gateway-anthropic`; with --bare, the bench's bare proxy) executes per request, counted by
 * valgrind's callgrind. A count, not a time: on a day when one build's timed CPU per request more
 * than doubled from one run to the next, the same build and config counted within about 2% of each
 * other. Most runs do; not all. On 2026-12-06, seven runs of the defaults came within 1.3% (372.2k to
 * 377.0k); but runs of four other builds or configs split into two groups 7-9% apart (298k and 321k,
 * for one), and two with `--warmup 8000` gave 440k and 361k: a window may catch a full GC, or JIT
 * code compiled differently. So compare the median of three runs each, and run more when they
 * disagree. It
 * says nothing of what a request waits for (system calls, cache misses, the other core): `bench:ab`
 * and `npm run bench` measure time.
 *
 * The gateway runs pinned to core 0 under callgrind (so `writer: auto` picks the inline request
 * log, as in the bench), with instrumentation off while it starts and takes `--warmup` requests
 * (JIT warm-up), on for `--requests` requests at `--concurrency`, then off. The figure is the
 * serving (main) thread's instructions per request; the other threads' (V8's compiler and GC
 * helpers) are printed too but vary with when the compiler runs. Callgrind slows node about
 * fiftyfold, so the circuit breakers' stall detection, which compares calls with their recent p99,
 * is turned off (`health.stall_calls: 0`); nothing else in the config changes.
 * `--keep DIR` keeps the callgrind files there for `callgrind_annotate` (native functions by name;
 * JIT-compiled JavaScript shows as addresses: `bench:profile` names those).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { buildChildren } from './build-children.js';
import { gatewayNodeFlags } from './gateway-node-flags.js';
import { freePort, GATEWAY_PROVIDERS, gatewayConfig, gatewayTargetOf, hasExited, waitReady, withYaml, type TelemetryVariant } from './targets.js';
import { startUpstream } from './upstream.js';
import { exitWithUsage } from './usage.js';

const { values } = parseArgs({
  options: {
    help: { type: 'boolean', default: false },
    dir: { type: 'string', default: '.' },
    telemetry: { type: 'string', default: 'default' },
    yaml: { type: 'string', default: '' },
    stream: { type: 'boolean', default: false },
    bare: { type: 'boolean', default: false },
    warmup: { type: 'string', default: '3000' },
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    keep: { type: 'string' },
    target: { type: 'string', default: 'gateway' },
  },
});
if (values.help) exitWithUsage(import.meta.url);
const target = gatewayTargetOf(values.target) ?? exitWithUsage(import.meta.url, 2);

for (const tool of ['valgrind', 'callgrind_control']) {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(`bench:instructions needs ${tool} (Debian's valgrind package), which was not found.`);
  }
}
if (!['default', 'off'].includes(values.telemetry)) throw new Error(`--telemetry wants default or off, got ${values.telemetry}`);
const WARMUP = Number(values.warmup);
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const root = path.resolve(values.dir);
const workDir = values.keep ? path.resolve(values.keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-instructions-'));
fs.mkdirSync(workDir, { recursive: true });

// Streams come back to back (no gap between events): a gap is time, and only instructions are counted here.
const upstream = await startUpstream({ chunkDelayMs: 0 });
const port = await freePort();
const config = path.join(workDir, 'gateway.yaml');
const telemetry = { variant: values.telemetry as TelemetryVariant, requestLogPath: path.join(workDir, 'log.db'), collectorUrl: undefined };
fs.writeFileSync(config, withYaml(withYaml(gatewayConfig(port, upstream.port, GATEWAY_PROVIDERS[target], telemetry), 'health: { stall_calls: 0 }'), values.yaml));
const entry = values.bare
  ? [path.join(buildChildren(path.join(root, 'bench'), path.join(root, 'bench', 'results', 'children')), 'bare-proxy.js')]
  : [...gatewayNodeFlags(root), path.join(root, 'bin', 'switchyard.js'), 'start', '--config', config];
const outFile = path.join(workDir, 'callgrind.out');
const child = spawn(
  'taskset',
  ['-c', '0', 'valgrind', '-q', '--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--callgrind-out-file=${outFile}`, process.execPath, ...entry],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PORT: String(port), UPSTREAM_URL: `http://127.0.0.1:${upstream.port}/v1` } },
);
const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
let sequence = 0;

/** `count` requests, `CONCURRENCY` at a time, each body unique (a derived idempotency key would replay a repeat). */
async function load(count: number): Promise<void> {
  let left = count;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) {
        const body = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: `Say hello (request ${++sequence})` }], max_tokens: 64, ...(values.stream ? { stream: true } : {}) });
        const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`the target answered ${res.statusCode}: ${text.slice(0, 300)}`);
      }
    }),
  );
}

const VALGRIND_READY_TIMEOUT_MS = 60_000;
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
try {
  // Callgrind slows node's start about fiftyfold too: 10 s was not always enough on a loaded machine.
  const why = await waitReady(`http://127.0.0.1:${port}`, child, VALGRIND_READY_TIMEOUT_MS);
  if (why !== undefined) throw new Error(`the ${values.bare ? 'bare proxy' : 'gateway'} ${why}`);
  await load(WARMUP);
  await settle(500);
  execFileSync('callgrind_control', ['--instr=on', String(child.pid)], { stdio: 'ignore' });
  await load(REQUESTS);
  // What a request leaves for after its answer (the request log's end-of-turn insert) is counted too.
  await settle(300);
  execFileSync('callgrind_control', ['--instr=off', String(child.pid)], { stdio: 'ignore' });
  execFileSync('callgrind_control', ['--dump', String(child.pid)], { stdio: 'ignore' });
} finally {
  if (!hasExited(child)) child.kill('SIGTERM');
  await new Promise((resolve) => (hasExited(child) ? resolve(undefined) : child.once('exit', resolve)));
  await pool.close();
  await upstream.close();
}

// One file per thread and dump; the measured window is the dump's (`Trigger: dump`), thread 1 the serving thread.
let serving = 0;
let all = 0;
for (const file of fs.readdirSync(workDir).filter((name) => name.startsWith('callgrind.out'))) {
  const text = fs.readFileSync(path.join(workDir, file), 'utf8');
  const total = /^totals: (\d+)$/m.exec(text)?.[1];
  if (total === undefined || !/^desc: Trigger: dump/m.test(text)) continue;
  all += Number(total);
  if (/^thread: 1$/m.test(text)) serving += Number(total);
}
if (serving === 0) throw new Error(`callgrind wrote no dump of the serving thread in ${workDir}`);
const per = (instructions: number) => Math.round(instructions / REQUESTS).toLocaleString('en-US');
console.log(`${values.bare ? 'bare proxy' : 'gateway'} (${root}), ${values.stream ? 'streaming' : 'non-streaming'}, c=${CONCURRENCY}, ${REQUESTS} requests after ${WARMUP}:`);
console.log(`  serving thread: ${per(serving)} instructions per request`);
console.log(`  all threads:    ${per(all)} (V8's compiler and GC helpers vary from run to run)`);
if (values.keep) console.log(`  callgrind files kept in ${workDir}`);
else fs.rmSync(workDir, { recursive: true, force: true });
