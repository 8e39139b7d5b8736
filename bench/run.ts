/**
 * `npm run bench`: measures the gateway's overhead against the same upstream called directly, with a
 * bare Node proxy for scale. Starts the load side (upstream + load generator) pinned to core 1, each
 * target pinned to core 0, runs every scenario for a few rounds, samples /proc while it runs, prints a
 * summary and writes docs/benchmarks.md plus the raw JSON under bench/results/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { request } from 'undici';
import { OTHER_CPU_WARN_PERCENT } from './aggregate.js';
import type { BenchData, BenchOptions, RunRecord, TargetRound } from './aggregate.js';
import { buildChildren } from './build-children.js';
import { Driver } from './driver-handle.js';
import type { LoadResult, LoadSpec, Scenario, Summary } from './protocol.js';
import {
  coreBusyPercent,
  hasTaskset,
  otherProcessesPercent,
  readAllowedCpus,
  readCoreTimes,
  readMachineInfo,
  readOtherProcessesCpu,
  readProcessCpuSeconds,
  readProcessMemory,
} from './proc.js';
import type { CoreTimes } from './proc.js';
import { renderMarkdown, renderSummary } from './report.js';
import { DEFAULT_TARGETS, startEcho, startTarget, TARGET_LABELS, TARGET_NAMES, TARGET_UPSTREAM_API } from './targets.js';
import type { RunningTarget, TargetName } from './targets.js';
import { ANTHROPIC_MODEL } from './upstream.js';
import { validateAnthropicUpstream, validateTarget } from './validate-target.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.dirname(BENCH_DIR);
const RESULTS_DIR = path.join(BENCH_DIR, 'results');

/** Cores: the target (gateway, bare proxy) alone on one, everything else on the other. */
const TARGET_CORE = 0;
const LOAD_CORE = 1;
/** Default measured window per run, seconds. */
const DEFAULT_DURATION_S = 5;
/** Default unmeasured lead-in of every run, seconds. */
const DEFAULT_WARMUP_S = 1;
/** Default load a freshly started target gets before its first scenario, seconds. */
const DEFAULT_TARGET_WARMUP_S = 2;
/** Default rounds (every target × scenario once per round). */
const DEFAULT_RUNS = 3;
/**
 * Default fixed-rate load, requests/s: a steady load every target must sustain without queueing, so
 * its latencies compare like for like. On the 2-vCPU dev VM the gateway saturates near 4,000 req/s;
 * a higher rate only measures its queue. Raise it with --rate on faster machines.
 */
const DEFAULT_RATE = 2000;
/** Default connections the fixed-rate mode may open. */
const DEFAULT_RATE_CONNECTIONS = 64;
/** Default upstream stream shape: events per stream and the gap between them (ms). */
const DEFAULT_CHUNKS = 20;
const DEFAULT_CHUNK_DELAY_MS = 1;
/** How often the target's RSS is sampled during a run. */
const RSS_SAMPLE_MS = 250;

/** Overwritten per request with a sequence number (see LoadSpec.sequenceMarker). */
const SEQUENCE_MARKER = '000000000000';
const REQUEST = { model: 'chat', messages: [{ role: 'user', content: `Say hello (request ${SEQUENCE_MARKER})` }], max_tokens: 64 };
const BODY = JSON.stringify(REQUEST);
const STREAM_BODY = JSON.stringify({ ...REQUEST, stream: true });
/** What the translated route sends the upstream, to size the upstream's Anthropic answers. */
const MESSAGES_REQUEST = { model: ANTHROPIC_MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Say hello' }] };
const ANTHROPIC_HEADERS = { 'x-api-key': 'bench-key', 'anthropic-version': '2023-06-01' };

const USAGE = `Usage: npm run bench -- [options]
  --duration S        measured window per run (default ${DEFAULT_DURATION_S}; --quick: 1)
  --warmup S          unmeasured lead-in per run (default ${DEFAULT_WARMUP_S}; --quick: 0.3)
  --runs N            rounds, each running every target × scenario once (default ${DEFAULT_RUNS}; --quick: 1)
  --targets LIST      any of ${TARGET_NAMES.join(',')} (default ${DEFAULT_TARGETS.join(',')})
  --scenarios LIST    only these scenario ids (e.g. nonstream-c1,stream-c1)
  --rate N            fixed-rate load in req/s (default ${DEFAULT_RATE})
  --chunks N          events per upstream stream (default ${DEFAULT_CHUNKS})
  --chunk-delay MS    gap between upstream stream events (default ${DEFAULT_CHUNK_DELAY_MS})
  --split             run the upstream and the load generator as two processes
  --no-pin            do not pin processes to cores
  --quick             a short smoke run (writes bench/results/benchmarks-quick.md unless --out)
  --out FILE          where to write the markdown report (default docs/benchmarks.md)
  --report FILE.json  measure nothing: render the report again from a raw results file`;

function scenarios(rate: number): Scenario[] {
  return [
    { id: 'nonstream-c1', mode: 'nonstream', kind: 'closed', concurrency: 1 },
    { id: 'nonstream-c16', mode: 'nonstream', kind: 'closed', concurrency: 16 },
    { id: 'nonstream-c64', mode: 'nonstream', kind: 'closed', concurrency: 64 },
    { id: 'nonstream-rate', mode: 'nonstream', kind: 'rate', concurrency: 0, rate },
    { id: 'stream-c1', mode: 'stream', kind: 'closed', concurrency: 1 },
    { id: 'stream-c16', mode: 'stream', kind: 'closed', concurrency: 16 },
    { id: 'stream-c64', mode: 'stream', kind: 'closed', concurrency: 64 },
  ];
}

interface Cli {
  options: BenchOptions;
  /** Re-render this raw results file instead of measuring. */
  report: string | undefined;
  scenarioFilter: string[] | undefined;
  out: string;
  pin: boolean;
}

function parseCli(argv: string[]): Cli {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      runs: { type: 'string' },
      targets: { type: 'string' },
      scenarios: { type: 'string' },
      rate: { type: 'string' },
      chunks: { type: 'string' },
      'chunk-delay': { type: 'string' },
      split: { type: 'boolean', default: false },
      'no-pin': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      report: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const num = (raw: string | undefined, fallback: number, name: string): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} wants a number ≥ 0, got ${raw}`);
    return n;
  };
  const targets = (values.targets ?? DEFAULT_TARGETS.join(',')).split(',').map((t) => t.trim());
  for (const t of targets) {
    if (!TARGET_NAMES.includes(t as TargetName)) throw new Error(`--targets: unknown target ${t} (known: ${TARGET_NAMES.join(', ')})`);
  }
  const options: BenchOptions = {
    durationS: num(values.duration, quick ? 1 : DEFAULT_DURATION_S, 'duration'),
    warmupS: num(values.warmup, quick ? 0.3 : DEFAULT_WARMUP_S, 'warmup'),
    targetWarmupS: quick ? 0.5 : DEFAULT_TARGET_WARMUP_S,
    runs: Math.max(1, Math.round(num(values.runs, quick ? 1 : DEFAULT_RUNS, 'runs'))),
    rate: num(values.rate, DEFAULT_RATE, 'rate'),
    rateConnections: DEFAULT_RATE_CONNECTIONS,
    streamChunks: Math.max(2, Math.round(num(values.chunks, DEFAULT_CHUNKS, 'chunks'))),
    chunkDelayMs: num(values['chunk-delay'], DEFAULT_CHUNK_DELAY_MS, 'chunk-delay'),
    // Direct first: the proxies' added latency is paired with direct's run of the same round.
    targets: TARGET_NAMES.filter((t) => targets.includes(t)),
    quick,
    split: values.split ?? false,
  };
  const out = values.out ?? (quick ? path.join(RESULTS_DIR, 'benchmarks-quick.md') : path.join(REPO_ROOT, 'docs', 'benchmarks.md'));
  return { options, report: values.report, scenarioFilter: values.scenarios?.split(',').map((s) => s.trim()), out: path.resolve(out), pin: !values['no-pin'] };
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe' }).trim();
    return dirty ? `${sha}, with uncommitted changes` : sha;
  } catch {
    return 'none yet';
  }
}

async function bodyBytes(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const bytes = (await res.body.arrayBuffer()).byteLength;
  if (res.statusCode !== 200) throw new Error(`upstream answered ${res.statusCode} on ${url}`);
  return bytes;
}

/** Room for the longest target label in the progress lines. */
const LABEL_WIDTH = Math.max(...Object.values(TARGET_LABELS).map((label) => label.length));

const fmt = (v: number, digits = 3): string => (Number.isNaN(v) ? '–' : v.toFixed(digits));

function progressLine(prefix: string, record: RunRecord, pinned: boolean): string {
  const r = record.result;
  const s = record.scenario;
  const load = s.kind === 'rate' ? `rate ${s.rate}/s` : `c=${s.concurrency}`;
  const parts = [
    `${prefix} ${TARGET_LABELS[record.target].padEnd(LABEL_WIDTH)} ${s.mode.padEnd(9)} ${load.padEnd(11)}`,
    `${Math.round(r.rps).toLocaleString('en-US').padStart(7)} req/s`,
    `p50 ${fmt(r.latency.p50)} p90 ${fmt(r.latency.p90)} p99 ${fmt(r.latency.p99)} ms`,
  ];
  if (r.ttfb) parts.push(`ttfb p50 ${fmt(r.ttfb.p50)} ttft p50 ${fmt(r.ttft?.p50 ?? Number.NaN)}`);
  parts.push(`err ${r.errors}${r.warmupErrors ? `+${r.warmupErrors}` : ''}`);
  const cores = record.coreBusy.map((b, i) => `cpu${i} ${Math.round(b)}%`).join(' ');
  parts.push(pinned ? cores : `${cores} (unpinned)`);
  if (record.upstreamRequests !== r.dispatched) parts.push(`UPSTREAM SAW ${record.upstreamRequests} OF ${r.dispatched} REQUESTS`);
  if (record.otherCpu >= OTHER_CPU_WARN_PERCENT) parts.push(`OTHER PROCESSES ${Math.round(record.otherCpu)}%: ${record.otherTop.join(', ')}`);
  if (record.rssMaxKb !== null) parts.push(`rss ${((record.rssMaxKb * 1024) / 1e6).toFixed(1)} MB`);
  return parts.join('  ');
}

/** Renders docs/benchmarks.md (or --out) again from a raw results file. */
function rerender(rawFile: string, out: string): void {
  // NaN (a figure a run lacks) was written as null; the cores stay null when unpinned.
  const data = JSON.parse(fs.readFileSync(rawFile, 'utf8'), (key, value: unknown) =>
    value === null && key !== 'targetCore' && key !== 'loadCore' ? Number.NaN : value,
  ) as BenchData;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, renderMarkdown(data, path.relative(REPO_ROOT, path.resolve(rawFile))));
  console.log(`${renderSummary(data)}\n\nwrote ${path.relative(process.cwd(), out)}`);
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  if (cli.report) return rerender(cli.report, cli.out);
  const { options } = cli;
  const machine = readMachineInfo();
  const canPin = cli.pin && hasTaskset() && os.cpus().length >= 2;
  const pinNote = canPin
    ? `Targets (gateway, bare proxy) alone on core ${TARGET_CORE} (\`taskset -c ${TARGET_CORE}\`); upstream, load generator and orchestrator on core ${LOAD_CORE} (\`taskset -c ${LOAD_CORE}\`; the orchestrator's allowed CPUs: ${readAllowedCpus('self')}). Kernel threads and other processes on the machine are not excluded from either core.`
    : `**Unpinned**: ${!cli.pin ? '--no-pin was given' : !hasTaskset() ? '`taskset` is not installed' : 'fewer than 2 CPUs'}; every process shares all CPUs, so the per-core figures and the bottleneck check are indicative only.`;
  const allScenarios = scenarios(options.rate).filter((s) => !cli.scenarioFilter || cli.scenarioFilter.includes(s.id));
  if (allScenarios.length === 0) throw new Error(`--scenarios matched nothing (ids: ${scenarios(options.rate).map((s) => s.id).join(', ')})`);

  const perRun = options.warmupS + options.durationS + 0.3;
  const estimate = options.runs * options.targets.length * (1 + options.targetWarmupS + allScenarios.length * perRun);
  console.log(
    `bench: ${options.targets.join(', ')} × ${allScenarios.length} scenarios × ${options.runs} round(s), ${options.warmupS}+${options.durationS} s each; about ${Math.ceil(estimate / 60)} min. ${canPin ? `Pinned: targets on core ${TARGET_CORE}, load on core ${LOAD_CORE}.` : 'UNPINNED.'}`,
  );
  console.log(`machine: ${machine.nproc} CPUs (nproc --all), ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage.join(' ')}`);

  const startedAt = new Date();
  const started = process.hrtime.bigint();
  // The tree as it was built (npm run bench builds first): edits made while the runs go are not in them.
  const commit = gitCommit();
  const workDir = path.join(RESULTS_DIR, 'work');
  fs.mkdirSync(workDir, { recursive: true });
  const buildDir = buildChildren(BENCH_DIR, path.join(RESULTS_DIR, '.build'));
  const loadCore = canPin ? LOAD_CORE : null;
  const upstreamDriver = await Driver.start(path.join(buildDir, 'driver.js'), loadCore);
  const loadDriver = options.split ? await Driver.start(path.join(buildDir, 'driver.js'), loadCore) : upstreamDriver;
  const loadPids = [...new Set([upstreamDriver.pid, loadDriver.pid])];

  const records: RunRecord[] = [];
  const targetRounds: TargetRound[] = [];
  const validations: BenchData['validations'] = {};
  let data: BenchData | undefined;
  try {
    const upstreamPort = await upstreamDriver.startUpstream(options.streamChunks, options.chunkDelayMs);
    const upstreamOrigin = `http://127.0.0.1:${upstreamPort}`;
    const upstream: BenchData['upstream'] = {
      completionBytes: await bodyBytes(`${upstreamOrigin}/v1/chat/completions`, BODY),
      streamBytes: await bodyBytes(`${upstreamOrigin}/v1/chat/completions`, STREAM_BODY),
    };
    if (options.targets.some((t) => TARGET_UPSTREAM_API[t] === 'anthropic')) {
      const messagesUrl = `${upstreamOrigin}/v1/messages`;
      upstream.anthropic = {
        messageBytes: await bodyBytes(messagesUrl, JSON.stringify(MESSAGES_REQUEST), ANTHROPIC_HEADERS),
        streamBytes: await bodyBytes(messagesUrl, JSON.stringify({ ...MESSAGES_REQUEST, stream: true }), ANTHROPIC_HEADERS),
        validation: await validateAnthropicUpstream(upstreamOrigin, options.streamChunks - 2),
      };
    }
    const spec = (scenario: Scenario, origin: string, warmupS: number, durationS: number): LoadSpec => ({
      scenario,
      origin,
      path: '/v1/chat/completions',
      body: scenario.mode === 'stream' ? STREAM_BODY : BODY,
      sequenceMarker: SEQUENCE_MARKER,
      warmupMs: Math.round(warmupS * 1000),
      durationMs: Math.round(durationS * 1000),
      rateConnections: options.rateConnections,
    });
    const warm = async (origin: string, seconds: number): Promise<LoadResult[]> => [
      await loadDriver.run(spec({ id: 'warm', mode: 'nonstream', kind: 'closed', concurrency: 16 }, origin, seconds * 0.7, 0.05), () => {}),
      await loadDriver.run(spec({ id: 'warm-stream', mode: 'stream', kind: 'closed', concurrency: 16 }, origin, seconds * 0.3, 0.05), () => {}),
    ];
    // The load side's own JIT warm-up, so the first measured direct run is not its cold start.
    await warm(upstreamOrigin, Math.max(1, options.targetWarmupS));
    const calibration = await calibrate(loadDriver, canPin);
    console.log(
      `TCP round trip, one byte, p50/p99: within the load core ${fmt(calibration.sameCore.p50)}/${fmt(calibration.sameCore.p99)} ms` +
        (calibration.crossCore ? `, load core ↔ target core ${fmt(calibration.crossCore.p50)}/${fmt(calibration.crossCore.p99)} ms` : ''),
    );

    const skip = new Set<TargetName>();
    for (let round = 1; round <= options.runs; round++) {
      for (const name of options.targets) {
        const prefix = `[${round}/${options.runs}]`;
        if (skip.has(name)) continue;
        let target: RunningTarget | undefined;
        try {
          target = await startTarget(name, { repoRoot: REPO_ROOT, buildDir, workDir, upstreamPort, core: canPin ? TARGET_CORE : null, round });
          running.add(target);
          const checked = await validateTarget(target.origin, { expectedChunks: options.streamChunks, answerFrom: target.answerFrom });
          validations[name] = `ok: "${checked.content.slice(0, 40)}…", ${checked.streamChunks} stream chunks`;
        } catch (err) {
          if (target) await stopTarget(target);
          const message = err instanceof Error ? err.message : String(err);
          console.error(`${prefix} ${TARGET_LABELS[name]}: cannot be measured: ${message}`);
          targetRounds.push({ target: name, round, error: message });
          validations[name] ??= `failed: ${message.split('\n')[0]}`;
          // A target that fails to start will fail the same way next round; do not wait for it again.
          skip.add(name);
          continue;
        }
        const tr: TargetRound = { target: name, round };
        targetRounds.push(tr);
        try {
          if (target.pid) tr.rssReadyKb = readProcessMemory(target.pid)?.rssKb;
          const warmed = await warm(target.origin, options.targetWarmupS);
          const warmErrors = warmed.reduce((n, r) => n + r.errors + r.warmupErrors, 0);
          if (warmErrors) console.warn(`${prefix} ${TARGET_LABELS[name]}: ${warmErrors} errors during warm-up: ${warmed.flatMap((r) => r.errorSamples).join('; ')}`);
          for (const scenario of allScenarios) {
            const before = await upstreamDriver.upstreamRequests();
            const record = await measure(loadDriver, spec(scenario, target.origin, options.warmupS, options.durationS), name, round, target.pid, loadPids);
            record.upstreamRequests = (await upstreamDriver.upstreamRequests()) - before;
            records.push(record);
            console.log(progressLine(prefix, record, canPin));
            if (record.result.errors) console.log(`        errors: ${record.result.errorSamples.join('; ')}`);
          }
          if (target.pid) tr.hwmKb = readProcessMemory(target.pid)?.hwmKb;
        } finally {
          await stopTarget(target);
        }
      }
    }
    data = {
      startedAt: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
      elapsedS: Number(process.hrtime.bigint() - started) / 1e9,
      machine,
      options,
      pinning: { pinned: canPin, targetCore: canPin ? TARGET_CORE : null, loadCore, orchestratorCpus: readAllowedCpus('self'), note: pinNote },
      requestBody: BODY,
      upstream,
      calibration,
      validations,
      records,
      targetRounds,
      gitCommit: commit,
    };
  } finally {
    await loadDriver.exit();
    if (upstreamDriver !== loadDriver) await upstreamDriver.exit();
  }

  const stamp = data.startedAt.replace(/[:]/g, '-');
  const rawFile = path.join(RESULTS_DIR, `bench-${stamp}${options.quick ? '-quick' : ''}.json`);
  fs.writeFileSync(rawFile, JSON.stringify(data, null, 1));
  fs.mkdirSync(path.dirname(cli.out), { recursive: true });
  fs.writeFileSync(cli.out, renderMarkdown(data, path.relative(REPO_ROOT, rawFile)));
  console.log(`\n${renderSummary(data)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), cli.out)} and ${path.relative(process.cwd(), rawFile)} (${Math.round(data.elapsedS)} s)`);
}

/** Targets started and not yet stopped, so an interrupted run leaves no proxy behind. */
const running = new Set<RunningTarget>();

async function stopTarget(target: RunningTarget): Promise<void> {
  running.delete(target);
  await target.stop();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal}, stopping`);
    // The drivers exit by themselves when their IPC channel closes.
    void Promise.all([...running].map((t) => t.stop())).finally(() => process.exit(130));
  });
}

/** Ping-pong counts for the round-trip calibration: the first are thrown away (connection, JIT). */
const PING_WARM = 500;
const PING_COUNT = 3000;

/** TCP round trips to an echo server on the load core and (pinned) on the target core. */
async function calibrate(driver: Driver, pinned: boolean): Promise<BenchData['calibration']> {
  const rtt = async (core: number | null): Promise<Summary> => {
    const echo = await startEcho(core);
    try {
      await driver.ping(echo.port, PING_WARM);
      return await driver.ping(echo.port, PING_COUNT);
    } finally {
      await echo.stop();
    }
  };
  if (!pinned) return { sameCore: await rtt(null) };
  return { sameCore: await rtt(LOAD_CORE), crossCore: await rtt(TARGET_CORE) };
}

/** One scenario run with /proc sampled at the window's edges and RSS every {@link RSS_SAMPLE_MS}. */
async function measure(driver: Driver, spec: LoadSpec, target: TargetName, round: number, targetPid: number | undefined, loadPids: number[]): Promise<RunRecord> {
  let cores: CoreTimes[] = [];
  let coreBusy: number[] = [];
  let t0 = 0n;
  let windowS = Number.NaN;
  let targetCpu0 = Number.NaN;
  let targetCpu = Number.NaN;
  let loadCpu0 = 0;
  let loadCpu = Number.NaN;
  let rssMaxKb: number | null = null;
  const ours = new Set([process.pid, ...loadPids, ...(targetPid === undefined ? [] : [targetPid])]);
  let others0 = new Map<number, { seconds: number; name: string }>();
  let others = { percent: Number.NaN, top: [] as string[] };
  const loadSeconds = (): number => loadPids.reduce((sum, pid) => sum + readProcessCpuSeconds(pid), 0);
  const sample = (): void => {
    if (targetPid === undefined) return;
    const rss = readProcessMemory(targetPid)?.rssKb;
    if (rss !== undefined && !Number.isNaN(rss)) rssMaxKb = Math.max(rssMaxKb ?? 0, rss);
  };
  const sampler = setInterval(sample, RSS_SAMPLE_MS);
  try {
    const result = await driver.run(spec, (phase) => {
      if (phase === 'start') {
        cores = readCoreTimes();
        t0 = process.hrtime.bigint();
        if (targetPid !== undefined) targetCpu0 = readProcessCpuSeconds(targetPid);
        loadCpu0 = loadSeconds();
        others0 = readOtherProcessesCpu(ours);
        return;
      }
      coreBusy = coreBusyPercent(cores, readCoreTimes());
      windowS = Number(process.hrtime.bigint() - t0) / 1e9;
      if (targetPid !== undefined) targetCpu = (100 * (readProcessCpuSeconds(targetPid) - targetCpu0)) / windowS;
      loadCpu = (100 * (loadSeconds() - loadCpu0)) / windowS;
      others = otherProcessesPercent(others0, readOtherProcessesCpu(ours), windowS);
      sample();
    });
    return { target, round, scenario: spec.scenario, result, upstreamRequests: Number.NaN, coreBusy, targetCpu, loadCpu, otherCpu: others.percent, otherTop: others.top, rssMaxKb };
  } finally {
    clearInterval(sampler);
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
