/**
 * `npm run bench:profile -- [--dir DIR] [--target gateway|gateway-anthropic] [--telemetry default|off|traced] [--seconds S] [--stream] [--bare]`:
 * where one build's gateway (its translated route with `--target gateway-anthropic`; with --bare, the bench's bare proxy) spends its CPU. The gateway runs alone on core 0 under `node --cpu-prof`, loaded at
 * c=16 (`--concurrency N`) from core 1 against the bench's fast upstream; the profile it writes at exit is summed by self
 * time per function and per file (our `dist/` files by name, packages by name, node's own internals
 * as `node:`), and the top of each list is printed. `--keep FILE` keeps the .cpuprofile for Chrome's
 * DevTools, `--heap-snapshot DIR` writes a heap snapshot there mid-load. `--yaml 'SECTION: {...}'` adds to the config; `--node-flags=--trace-gc` go to its node (its stdout is then shown). `--syscalls` runs it under `strace -f -c` instead and prints system calls per request.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startUpstream } from './upstream.js';
import { buildChildren } from './build-children.js';
import { gatewayNodeFlags } from './gateway-node-flags.js';
import { freePort, GATEWAY_PROVIDERS, gatewayConfig, gatewayTargetOf, hasExited, startCollector, waitReady, withYaml, type TelemetryVariant } from './targets.js';
import { exitWithUsage } from './usage.js';


const { values } = parseArgs({
  options: {
    help: { type: 'boolean', default: false },
    dir: { type: 'string', default: '.' },
    telemetry: { type: 'string', default: 'default' },
    seconds: { type: 'string', default: '8' },
    stream: { type: 'boolean', default: false },
    top: { type: 'string', default: '40' },
    keep: { type: 'string' },
    bare: { type: 'boolean', default: false },
    syscalls: { type: 'boolean', default: false },
    yaml: { type: 'string', default: '' },
    'node-flags': { type: 'string', default: '' },
    'heap-snapshot': { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    target: { type: 'string', default: 'gateway' },
  },
});
if (values.help) exitWithUsage(import.meta.url);
const target = gatewayTargetOf(values.target) ?? exitWithUsage(import.meta.url, 2);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const CONCURRENCY = Number(values.concurrency);
const root = path.resolve(values.dir);
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-profile-'));
const upstream = await startUpstream({});
const port = await freePort();
const config = path.join(workDir, 'gateway.yaml');
if (!['default', 'off', 'traced'].includes(values.telemetry)) throw new Error(`--telemetry wants default, off or traced, got ${values.telemetry}`);
const variant = values.telemetry as TelemetryVariant;
// traced: every request sampled, exported to the bench's stand-in collector (as the gateway-traced target).
const collector = variant === 'traced' ? await startCollector() : undefined;
const telemetry = { variant, requestLogPath: path.join(workDir, 'log.db'), collectorUrl: collector?.url };
// --yaml merges config sections in (e.g. 'idempotency: { derive_key: false }').
fs.writeFileSync(config, withYaml(gatewayConfig(port, upstream.port, GATEWAY_PROVIDERS[target], telemetry), values.yaml));
const entry = values.bare
  ? [path.join(buildChildren(path.join(root, 'bench'), path.join(root, 'bench', 'results', 'children')), 'bare-proxy.js')]
  : [...gatewayNodeFlags(root), path.join(root, 'bin', 'switchyard.js'), 'start', '--config', config];
const straceOut = path.join(workDir, 'strace.txt');
const nodeFlags = values['node-flags'].split(' ').filter(Boolean);
if (values['heap-snapshot']) nodeFlags.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${values['heap-snapshot']}`);
const command = values.syscalls ? ['strace', '-I', '4', '-f', '-c', '-o', straceOut, process.execPath, ...nodeFlags, ...entry] : [process.execPath, ...nodeFlags, '--cpu-prof', `--cpu-prof-dir=${workDir}`, ...entry];
const child = spawn('taskset', ['-c', '0', ...command], {
  stdio: ['ignore', values['node-flags'] ? 'inherit' : 'ignore', 'inherit'],
  // Its own process group, so SIGTERM reaches node under strace (which ignores it, -I 4, and then writes its summary).
  detached: true,
  env: { ...process.env, PORT: String(port), UPSTREAM_URL: `http://127.0.0.1:${upstream.port}/v1` },
});
const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
let sequence = 0;
let answered = 0;
let peakRssMb: number | undefined;

/** VmHWM of `pid` or, under strace, of its node child, in MB. */
function peakRss(pid: number): number | undefined {
  for (const candidate of [pid, ...childrenOf(pid)]) {
    try {
      const status = fs.readFileSync(`/proc/${candidate}/status`, 'utf8');
      if (!/^Name:\s*node/m.test(status)) continue;
      const kb = /^VmHWM:\s*(\d+) kB/m.exec(status)?.[1];
      if (kb) return Number(kb) / 1000;
    } catch {
      // gone already
    }
  }
  return undefined;
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
try {
  const why = await waitReady(`http://127.0.0.1:${port}`, child);
  if (why !== undefined) throw new Error(`the ${values.bare ? 'bare proxy' : 'gateway'} ${why}`);
  const until = Date.now() + Number(values.seconds) * 1000;
  // --heap-snapshot DIR: one snapshot mid-load (node writes it on SIGUSR2, --heapsnapshot-signal).
  if (values['heap-snapshot']) setTimeout(() => process.kill(-(child.pid as number), 'SIGUSR2'), (Number(values.seconds) * 1000) / 2);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        const body = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: `Say hello (request ${++sequence})` }], max_tokens: 64, ...(values.stream ? { stream: true } : {}) });
        const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`gateway answered ${res.statusCode}`);
        answered++;
      }
    }),
  );
} finally {
  // Peak resident memory of the gateway's node process (taskset and strace exec into it or fork it).
  peakRssMb = peakRss(child.pid as number);
  // A child that exited already (it could not start) has no process group left to signal.
  if (!hasExited(child)) process.kill(-(child.pid as number), 'SIGTERM');
  await new Promise((resolve) => (hasExited(child) ? resolve(undefined) : child.once('exit', resolve)));
  await pool.close();
  await upstream.close();
  await collector?.close();
}

if (values.syscalls) {
  // strace -c: "% time  seconds  usecs/call  calls  errors  syscall"; print calls per request.
  console.log(`${answered} requests answered under strace (slowed); system calls per request:`);
  for (const line of fs.readFileSync(straceOut, 'utf8').split('\n')) {
    const fields = line.trim().split(/\s+/);
    const calls = Number(fields[3]);
    if (fields.length >= 5 && Number.isFinite(calls) && calls / answered >= 0.005) console.log(`${(calls / answered).toFixed(2).padStart(8)}  ${fields[fields.length - 1]}`);
  }
  fs.rmSync(workDir, { recursive: true, force: true });
  process.exit(0);
}
const file = fs.readdirSync(workDir).find((name) => name.endsWith('.cpuprofile'));
if (file === undefined) throw new Error('the gateway wrote no .cpuprofile (did it exit cleanly?)');
const profile = JSON.parse(fs.readFileSync(path.join(workDir, file), 'utf8')) as Profile;
if (values.keep) fs.copyFileSync(path.join(workDir, file), values.keep);
fs.rmSync(workDir, { recursive: true, force: true });

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
let total = 0;
for (const us of selfUs.values()) total += us;

function fileOf(url: string): string {
  if (url === '') return '(native / VM)';
  if (url.startsWith('node:')) return url;
  const inModules = url.lastIndexOf('node_modules/');
  if (inModules >= 0) {
    const rest = url.slice(inModules + 'node_modules/'.length).split('/');
    return `pkg:${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + 1) : url;
}

const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (node === undefined) continue;
  const where = fileOf(node.callFrame.url);
  const name = `${node.callFrame.functionName || '(anonymous)'}  ${where}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  byFile.set(where, (byFile.get(where) ?? 0) + us);
}

const top = Number(values.top);
const idle = [...selfUs].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((sum, [, us]) => sum + us, 0);
const busy = total - idle;
console.log(`peak RSS ${peakRssMb === undefined ? 'unknown' : `${peakRssMb.toFixed(1)} MB`}`);
console.log(`${answered} requests answered; busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled: ${(busy / answered).toFixed(1)} µs busy per request\n`);
for (const [title, table] of [
  ['self time by file', byFile],
  ['self time by function', byFunction],
] as const) {
  console.log(`${title} (% of busy, µs per request):`);
  for (const [name, us] of [...table].filter(([name]) => !name.startsWith('(idle)')).sort((x, y) => y[1] - x[1]).slice(0, top)) {
    console.log(`${((100 * us) / busy).toFixed(1).padStart(5)}%  ${(us / answered).toFixed(2).padStart(6)}  ${name}`);
  }
  console.log('');
}
