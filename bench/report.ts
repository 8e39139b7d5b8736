/** Renders a bench run (BenchData) as docs/benchmarks.md and as the summary printed at the end. */
import { fileURLToPath } from 'node:url';
import { gatewayNodeFlags } from './gateway-node-flags.js';
import type { BenchData, Cell, RunRecord, Verdict } from './aggregate.js';
import {
  addedOver,
  bottleneckOf,
  cellOf,
  memoryOf,
  verdictsOf,
  DIRECT_MIN_RPS_RATIO,
  LOAD_CORE_MAX_BUSY_PERCENT,
  OTHER_CPU_WARN_PERCENT,
  STREAM_MIN_READS_RATIO,
  STREAM_MIN_SPAN_RATIO,
} from './aggregate.js';
import type { Spread } from './stats.js';
import type { Scenario } from './protocol.js';
import { TARGET_LABELS, TARGET_NAMES, VARIANT_NOTES } from './targets.js';
import type { TargetName } from './targets.js';
import { ANTHROPIC_MODEL } from './upstream.js';

const fmtMs = (v: number): string => (Number.isNaN(v) ? '–' : Math.abs(v) < 10 ? v.toFixed(3) : v.toFixed(1));
const fmtInt = (v: number): string => (Number.isNaN(v) ? '–' : Math.round(v).toLocaleString('en-US'));
const fmtPct = (v: number): string => (Number.isNaN(v) ? '–' : `${Math.round(v)}%`);
const signed = (v: number): string => (Number.isNaN(v) ? '–' : `${v >= 0 ? '+' : '−'}${fmtMs(Math.abs(v))}`);

/** `median (min–max)`, or just the median when there was one run. */
function withSpread(s: Spread | undefined, fmt: (v: number) => string): string {
  if (!s || Number.isNaN(s.median)) return '–';
  const present = s.values.filter((v) => !Number.isNaN(v)).length;
  return present > 1 ? `${fmt(s.median)} <sub>${fmt(s.min)}–${fmt(s.max)}</sub>` : fmt(s.median);
}

function scenarioLabel(s: Scenario): string {
  return s.kind === 'rate' ? `${fmtInt(s.rate ?? 0)} req/s fixed` : `c=${s.concurrency}`;
}

/** A fixed-rate run below this share of its rate did not keep up: its latencies measure a queue. */
const RATE_KEPT_UP = 0.97;

function loadLabel(c: Cell): string {
  const label = scenarioLabel(c.scenario);
  if (c.scenario.kind !== 'rate' || !c.scenario.rate) return label;
  const behind = c.runs.filter((r) => r.result.rps < RATE_KEPT_UP * (c.scenario.rate ?? 0)).length;
  return behind ? `${label} (**could not keep up** in ${behind} of ${c.runs.length} runs)` : label;
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function cells(data: BenchData, mode: 'nonstream' | 'stream'): Cell[] {
  const scenarioIds = [...new Set(data.records.filter((r) => r.scenario.mode === mode).map((r) => r.scenario.id))];
  const out: Cell[] = [];
  for (const target of data.options.targets) {
    for (const id of scenarioIds) {
      const cell = cellOf(data, target, id);
      if (cell) out.push(cell);
    }
  }
  return out;
}

function errorsText(cell: Cell): string {
  const total = cell.errors + cell.warmupErrors;
  if (total === 0) return '0';
  const samples = [...new Set(cell.runs.flatMap((r) => r.result.errorSamples))].slice(0, 2).join('; ');
  return `**${cell.errors}** (+${cell.warmupErrors} in warm-up): ${samples}`;
}

export function nonStreamTable(data: BenchData): string {
  const rows = cells(data, 'nonstream').map((c) => [
    TARGET_LABELS[c.target],
    loadLabel(c),
    withSpread(c.rps, fmtInt),
    withSpread(c.p50, fmtMs),
    withSpread(c.p90, fmtMs),
    withSpread(c.p99, fmtMs),
    c.target === 'direct' ? '' : withSpread(c.addedP50, signed),
    c.target === 'direct' ? '' : withSpread(c.addedP99, signed),
    errorsText(c),
  ]);
  return table(['target', 'load', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'added p50 ms', 'added p99 ms', 'errors'], rows);
}

export function streamTable(data: BenchData): string {
  const rows = cells(data, 'stream').map((c) => [
    TARGET_LABELS[c.target],
    scenarioLabel(c.scenario),
    withSpread(c.rps, fmtInt),
    withSpread(c.ttfbP50, fmtMs),
    withSpread(c.ttfbP99, fmtMs),
    c.target === 'direct' ? '' : withSpread(c.addedTtfbP50, signed),
    withSpread(c.ttftP50, fmtMs),
    c.target === 'direct' ? '' : withSpread(c.addedTtftP50, signed),
    withSpread(c.p50, fmtMs),
    withSpread(c.p99, fmtMs),
    c.target === 'direct' ? '' : withSpread(c.addedP50, signed),
    withSpread(c.spanP50, fmtMs),
    withSpread(c.readsPerStream, (v) => String(v)),
    errorsText(c),
  ]);
  return table(
    ['target', 'load', 'streams/s', 'TTFB p50 ms', 'TTFB p99 ms', 'added TTFB p50', 'TTFT p50 ms', 'added TTFT p50', 'total p50 ms', 'total p99 ms', 'added total p50', 'first→last chunk p50 ms', 'reads/stream', 'errors'],
    rows,
  );
}

/** The Method's bullets for the gateway's config variants that ran. */
function variantTargetsNote(targets: readonly TargetName[]): string {
  return targets
    .filter((t) => VARIANT_NOTES[t] !== undefined)
    .map((t) => `\n- *${TARGET_LABELS[t]}*: the gateway's config ${VARIANT_NOTES[t]}.`)
    .join('');
}

/** Each translating gateway target and the pass-through gateway it is shown beside. */
const TRANSLATED_PAIRS: ReadonlyArray<{ translated: TargetName; passThrough: TargetName }> = [{ translated: 'gateway-anthropic', passThrough: 'gateway' }];

function translatedPairs(data: BenchData): Array<{ translated: TargetName; passThrough: TargetName }> {
  return TRANSLATED_PAIRS.filter((p) => data.options.targets.includes(p.translated));
}

/**
 * A translated target beside the pass-through gateway, load by load: the same figures as the main
 * tables, plus what translating adds (translated minus pass-through, paired by round).
 */
function translatedTable(data: BenchData, mode: 'nonstream' | 'stream', pair: { translated: TargetName; passThrough: TargetName }): string {
  const scenarioIds = [...new Set(data.records.filter((r) => r.scenario.mode === mode).map((r) => r.scenario.id))];
  const rows: string[][] = [];
  for (const id of scenarioIds) {
    for (const target of [pair.passThrough, pair.translated]) {
      const c = cellOf(data, target, id);
      if (!c) continue;
      const over = (f: (r: RunRecord) => number | undefined): string =>
        target === pair.translated ? withSpread(addedOver(data, pair.translated, pair.passThrough, id, f), signed) : '';
      rows.push(
        mode === 'nonstream'
          ? [
              loadLabel(c),
              TARGET_LABELS[target],
              withSpread(c.rps, fmtInt),
              withSpread(c.p50, fmtMs),
              withSpread(c.p90, fmtMs),
              withSpread(c.p99, fmtMs),
              withSpread(c.addedP50, signed),
              withSpread(c.addedP99, signed),
              over((r) => r.result.latency.p50),
              over((r) => r.result.latency.p99),
              errorsText(c),
            ]
          : [
              scenarioLabel(c.scenario),
              TARGET_LABELS[target],
              withSpread(c.rps, fmtInt),
              withSpread(c.ttftP50, fmtMs),
              withSpread(c.p50, fmtMs),
              withSpread(c.p90, fmtMs),
              withSpread(c.p99, fmtMs),
              withSpread(c.addedTtftP50, signed),
              withSpread(c.addedP50, signed),
              over((r) => r.result.ttft?.p50),
              over((r) => r.result.latency.p50),
              errorsText(c),
            ],
      );
    }
  }
  if (rows.length === 0) return '_Not run._';
  return mode === 'nonstream'
    ? table(['load', 'target', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'added p50 ms', 'added p99 ms', 'translation adds p50 ms', 'translation adds p99 ms', 'errors'], rows)
    : table(
        ['load', 'target', 'streams/s', 'TTFT p50 ms', 'total p50 ms', 'total p90 ms', 'total p99 ms', 'added TTFT p50', 'added total p50', 'translation adds TTFT p50', 'translation adds total p50', 'errors'],
        rows,
      );
}

/** The translated route's section: both tables for each translated target that ran. */
function translatedSection(data: BenchData, heading: string): string {
  return translatedPairs(data)
    .map((pair) => {
      const runs = data.options.runs > 1 ? `median of ${data.options.runs} runs, min–max below` : 'one run';
      return (
        `${heading} ${TARGET_LABELS[pair.translated]} beside the ${TARGET_LABELS[pair.passThrough]} (${runs})\n\n` +
        `Non-streaming:\n\n${translatedTable(data, 'nonstream', pair)}\n\nStreaming:\n\n${translatedTable(data, 'stream', pair)}`
      );
    })
    .join('\n\n');
}

function cpuTable(data: BenchData): string {
  const targetCore = data.pinning.targetCore ?? 0;
  const loadCore = data.pinning.loadCore ?? 1;
  const rows = [...cells(data, 'nonstream'), ...cells(data, 'stream')].map((c) => [
    TARGET_LABELS[c.target],
    `${c.scenario.mode === 'stream' ? 'stream' : 'non-stream'} ${scenarioLabel(c.scenario)}`,
    withSpread(c.coreBusy[targetCore], fmtPct),
    withSpread(c.coreBusy[loadCore], fmtPct) + (c.scenario.kind === 'rate' ? ' ¹' : ''),
    c.target === 'direct' ? '' : withSpread(c.targetCpu, fmtPct),
    withSpread(c.loadCpu, fmtPct),
    c.target === 'direct' ? '' : withSpread(c.targetCpuPerRequestUs, fmtInt),
    withSpread(c.otherCpu, fmtPct),
  ]);
  return table(
    ['target', 'scenario', `core ${targetCore} busy (target)`, `core ${loadCore} busy (load side)`, 'target process CPU', 'load process CPU', 'target CPU µs/request', 'other processes CPU'],
    rows,
  );
}

function memoryTable(data: BenchData): string {
  const rows: string[][] = [];
  for (const target of data.options.targets) {
    const m = memoryOf(data, target);
    if (!m) continue;
    const fmt = (v: number): string => (Number.isNaN(v) ? '–' : v.toFixed(1));
    rows.push([TARGET_LABELS[target], withSpread(m.readyMb, fmt), withSpread(m.loadMaxMb, fmt), withSpread(m.hwmMb, fmt)]);
  }
  return rows.length ? table(['target', 'RSS when ready (MB)', 'max RSS under load (MB)', 'peak RSS, VmHWM (MB)'], rows) : '_No proxy target was measured._';
}

function verdictTable(verdicts: Verdict[]): string {
  return table(
    ['criterion', 'goal', 'measured', 'result'],
    verdicts.map((v) => [v.criterion, v.goal, v.measured, v.outcome === 'FAIL' ? '**FAIL**' : v.outcome]),
  );
}

function proxyTargets(data: BenchData): TargetName[] {
  return data.options.targets.filter((t) => t !== 'direct');
}

function bottleneckLines(data: BenchData): string[] {
  const lines: string[] = [];
  for (const target of proxyTargets(data)) {
    const b = bottleneckOf(data, target);
    if (!b) continue;
    lines.push(
      `- **${TARGET_LABELS[target]}**: direct reached ${fmtInt(b.directBestRps)} req/s, ${TARGET_LABELS[target]} ${fmtInt(b.targetBestRps)} req/s ` +
        `(direct ${Number.isNaN(b.ratio) ? '–' : b.ratio.toFixed(2)}× the ${TARGET_LABELS[target]}, want ≥ ${DIRECT_MIN_RPS_RATIO}×). ` +
        `In its closed-loop runs at c ≥ 16 the target core was ${fmtPct(b.targetCoreBusy.median)} busy (median) while the load core was ` +
        `${fmtPct(b.loadCoreBusy.median)} (median, max ${fmtPct(b.loadCoreBusy.max)}; want a median < ${LOAD_CORE_MAX_BUSY_PERCENT}%) and the load processes ` +
        `used ${fmtPct(b.loadProcessCpu.median)} of a core (max ${fmtPct(b.loadProcessCpu.max)}; want < ${LOAD_CORE_MAX_BUSY_PERCENT}%)` +
        (b.otherCpu.median >= OTHER_CPU_WARN_PERCENT ? `, with other processes using ${fmtPct(b.otherCpu.median)} of a core meanwhile (median). ` : '. ') +
        `→ ${b.ok ? 'the load side was **not** the bottleneck' : '**the load side may have limited this target: treat its throughput as a lower bound**'}.`,
    );
  }
  return lines;
}

/** Runs during which other processes used the machine noticeably. */
function interference(data: BenchData): string {
  const hit = data.records.filter((r) => r.otherCpu >= OTHER_CPU_WARN_PERCENT);
  if (hit.length === 0) {
    return `No other process used ≥ ${OTHER_CPU_WARN_PERCENT}% of a core during any measured window.`;
  }
  const worst = [...hit].sort((a, b) => b.otherCpu - a.otherCpu).slice(0, 8);
  return [
    `**The machine was not quiet**: in ${hit.length} of ${data.records.length} measured windows other processes used ≥ ${OTHER_CPU_WARN_PERCENT}% of a core; those figures are pessimistic. Worst:`,
    '',
    ...worst.map((r) => `- ${TARGET_LABELS[r.target]} ${r.scenario.id} round ${r.round}: ${Math.round(r.otherCpu)}% (${r.otherTop.join(', ')})`),
  ].join('\n');
}

/** The round trips the pinning itself costs, and the floor they put under the added latency at c=1. */
function machineFloor(data: BenchData): string {
  const { sameCore, crossCore } = data.calibration;
  const same = `${fmtMs(sameCore.p50)} ms (p99 ${fmtMs(sameCore.p99)})`;
  if (!crossCore) return `A one-byte TCP round trip between two processes takes ${same} (unpinned).`;
  const direct = cellOf(data, 'direct', 'nonstream-c1')?.p50.median;
  const floor = direct === undefined ? undefined : 2 * crossCore.p50 - direct;
  return (
    `A one-byte TCP round trip from the load core to a process on the target core takes ${fmtMs(crossCore.p50)} ms (p99 ${fmtMs(crossCore.p99)}), ` +
    `against ${same} between two processes on the load core. A proxy on the target core puts two such crossings in every request ` +
    `(client → proxy → upstream and back), where direct makes one round trip ${data.options.split ? 'between two processes on the load core' : 'inside one process'}` +
    (floor === undefined
      ? '.'
      : `: 2 × ${fmtMs(crossCore.p50)} − direct's ${fmtMs(direct ?? NaN)} ≈ **${fmtMs(floor)} ms of the added p50 at c=1 is the machine's, before any proxy code runs**.`)
  );
}

function failures(data: BenchData): string[] {
  return data.targetRounds.filter((t) => t.error).map((t) => `- ${TARGET_LABELS[t.target]}, round ${t.round}: ${t.error?.split('\n')[0]}`);
}

/** The part worth printing to the terminal: verdicts and the result tables. */
export function renderSummary(data: BenchData): string {
  const parts: string[] = [];
  for (const target of proxyTargets(data)) {
    const verdicts = verdictsOf(data, target);
    parts.push(`### ${TARGET_LABELS[target]}: ${verdicts.filter((v) => v.outcome === 'PASS').length}/${verdicts.filter((v) => v.outcome !== 'n/a').length} targets met\n\n${verdictTable(verdicts)}`);
  }
  const failed = failures(data);
  if (failed.length) parts.push(`### Targets that could not be measured\n\n${failed.join('\n')}`);
  parts.push(`### What the pinning itself costs\n\n${machineFloor(data)}`);
  parts.push(`### Is the load side the bottleneck?\n\n${bottleneckLines(data).join('\n') || '_No proxy target ran at c ≥ 16._'}\n\n${interference(data)}`);
  const runs = data.options.runs > 1 ? `median of ${data.options.runs} runs, min–max below` : 'one run';
  parts.push(`### Non-streaming (${runs})\n\n${nonStreamTable(data)}`);
  parts.push(`### Streaming\n\n${streamTable(data)}`);
  const translated = translatedSection(data, '###');
  if (translated) parts.push(translated);
  parts.push(`### Memory of the proxy process\n\n${memoryTable(data)}`);
  return parts.join('\n\n');
}

export function renderMarkdown(data: BenchData, rawFile: string): string {
  const o = data.options;
  const m = data.machine;
  const pin = data.pinning;
  const total = data.records.length;
  const quick = o.quick ? '\n> **Quick smoke run** (`--quick`): windows too short for the figures to mean much.\n' : '';
  const verdicts = proxyTargets(data)
    .map((target) => {
      const v = verdictsOf(data, target);
      const passed = v.filter((x) => x.outcome === 'PASS').length;
      const judged = v.filter((x) => x.outcome !== 'n/a').length;
      return `### ${TARGET_LABELS[target]}: ${passed}/${judged} targets met\n\n${verdictTable(v)}`;
    })
    .join('\n\n');
  const failed = failures(data);
  const translating = translatedPairs(data).length > 0;
  const anthropic = data.upstream.anthropic;

  return `# Benchmarks: the gateway's overhead

How much a request pays for going through Switchyard rather than straight to the provider. The same
fast fake upstream is measured three ways, under the same load: **direct** (load generator → upstream),
a **bare proxy** (the least a Node proxy can do, for scale) and the **gateway**.${
    translating
      ? `
The gateway is also measured on a **translated route**, "${TARGET_LABELS['gateway-anthropic']}": the
client still sends OpenAI Chat Completions, the gateway calls the same upstream through its \`anthropic\`
provider (Anthropic's Messages API) and translates the answer back; "added" is still over direct.`
      : ''
  }

Generated by \`npm run bench\` on ${data.startedAt} (commit ${data.gitCommit}); ${total} measured runs, ${Math.round(data.elapsedS)} s in all.
Raw results: \`${rawFile}\` (not committed).
${quick}
## Verdict

${verdicts || '_No proxy target was measured._'}
${failed.length ? `\nTargets that could not be measured:\n\n${failed.join('\n')}\n` : ''}
### What the pinning itself costs

${machineFloor(data)}

### Is the load side the bottleneck?

${bottleneckLines(data).join('\n') || '_No proxy target ran at c ≥ 16._'}

${interference(data)}

## Non-streaming

Median of ${o.runs} run${o.runs > 1 ? 's' : ''} per row, min–max across runs in small print. Latency in
milliseconds, from send to the last byte of the response (fixed rate: from the *scheduled* send time).
"Added" is the target's figure minus direct's in the same round, the median over rounds: at fixed rate
the load is identical; in the closed loop the concurrency is.

${nonStreamTable(data)}

## Streaming

${o.streamChunks} \`chat.completion.chunk\` events per stream, ${o.chunkDelayMs} ms apart at the upstream, then
\`data: [DONE]\`; the first event carries only the role (\`"content":""\`), the text starts with the second.
TTFB is the time to the first body bytes, TTFT to the first bytes carrying text; "first→last chunk" the
time between the first and the last body read at the client: if a proxy buffered the stream, it would collapse towards 0
and reads/stream towards 1 (direct shows the unbuffered values).${
    translating
      ? `
For the translated route the upstream sends Anthropic's events instead, in the same ${o.streamChunks} writes at
the same gaps (see Method); the client still receives \`chat.completion.chunk\` events.`
      : ''
  }

${streamTable(data)}
${
    translating
      ? `
## Translated route: OpenAI in, Anthropic out

The translated gateway beside the pass-through one, load by load (the same figures as the tables
above). "Added" is over direct, as above; "translation adds" is the translated route's figure minus
the pass-through gateway's in the same round, the median over rounds: what speaking Anthropic to the
upstream costs on top of the gateway's own work.

${translatedSection(data, '###')}
`
      : ''
  }
## Memory

Resident set of the proxy process from \`/proc/PID/status\`: VmRSS right after it was ready, the largest
VmRSS sampled every 250 ms under load, and VmHWM (the kernel's peak) after the last scenario. One
process per round; spread across rounds. MB = 10^6 bytes. A round's load lasts seconds per scenario,
and V8 may not have run its first full GC by its end: \`npm run bench:soak\` measures the memory
of minutes of load.

${memoryTable(data)}

## CPU per core

Busy share of each core over each measured window, from \`/proc/stat\` (the whole machine, so anything
else running shows up here), and the CPU time of the target and load processes from
\`/proc/PID/stat\` (100% = one core). "Other processes" sums every other user-space process over the
window (a process that starts and ends inside a window is missed); network softirq work done on
behalf of the bench counts in the core figures but in no process.

${cpuTable(data)}

${
    data.records.some((r) => r.scenario.kind === 'rate')
      ? '¹ During fixed-rate runs the load generator polls the clock (see Method), so its core reads busy\nwhatever the load: those rows say nothing about headroom.\n'
      : ''
  }
## Method

**Machine.** ${m.nproc} CPUs (\`nproc --all\`), ${m.cpuModel} at ${m.cpuMhz} MHz${m.virtualised ? ' (virtualised: the hypervisor flag is set)' : ''},
${m.memoryGiB} GiB, ${m.kernel}, Node ${m.node}. Load average at start: ${m.loadAverage.join(', ')}.
Processes with ≥ 1% CPU (\`ps\` %CPU, lifetime average) at start: ${m.busyProcesses.length ? m.busyProcesses.map((p) => `\`${p}\``).join(', ') : 'none'}.

**Pinning.** ${pin.note}

**Processes.**
- *Upstream*: a raw \`node:net\` server (bench/upstream.ts) with a minimal HTTP/1.1 keep-alive parser and
  prebuilt responses: a ${data.upstream.completionBytes}-byte \`chat.completion\` with Content-Length, or for
  \`"stream": true\` a chunked \`text/event-stream\` of ${data.upstream.streamBytes} bytes. Checked with undici
  and the \`openai\` client before every target is measured.${
    anthropic
      ? `
  For the translated route it also answers Anthropic's \`POST /v1/messages\` (and 400s a request without an
  API key, \`anthropic-version\` or \`max_tokens\`): a ${anthropic.messageBytes}-byte \`message\`, or a stream of
  ${anthropic.streamBytes} bytes in the same ${o.streamChunks} writes at the same gaps as the OpenAI stream
  (\`message_start\` and \`content_block_start\`; ${o.streamChunks - 2} \`text_delta\` events; \`content_block_stop\`,
  \`message_delta\` with \`end_turn\` and usage, and \`message_stop\`). Checked with the \`@anthropic-ai/sdk\`
  client: ${anthropic.validation}.`
      : ''
  }
- *Load generator* (bench/loadgen.ts): undici \`Client.dispatch\` with a raw handler (no body streams or
  promises per request); closed loop = \`c\` workers, each with its own keep-alive connection, sending
  back to back; fixed rate = an open loop over a Pool of up to ${o.rateConnections} connections, each
  latency counted from the request's scheduled send time so a stalled target cannot hide its queue
  (no coordinated omission). Node's timers tick in 1 ms steps, which would send a fixed rate in bursts,
  so near a send the loop polls the clock with \`setImmediate\` (I/O is still served every turn).
  Every response is checked: status 200, and for streams a final \`data: [DONE]\`.
- ${
    o.split
      ? '*Upstream and load generator run as two processes*, both on the load core (`--split`).'
      : '*Upstream and load generator share one process* (bench/driver.ts) on the load core: one event loop serves both, so neither waits for the scheduler to hand the core from one process to the other (two busy processes on one core add context switches and time-slice waits to every measured latency); `--split` runs them as two processes for comparison.'
  }
- *Bare proxy* (bench/bare-proxy.ts): node:http server, body parsed with \`JSON.parse\`, model rewritten,
  forwarded with an undici Pool, response written back chunk by chunk as it arrives.
- *Gateway*: \`node ${gatewayNodeFlags(fileURLToPath(new URL('..', import.meta.url))).join(' ')} bin/switchyard.js start --config <file>\` (compiled, from dist/; the node flags of the command's #! line), log level warn,
  one openai-compatible provider with a bare \`base_url\`, one deployment, one route (the config is in bench/targets.ts). The price data does not price a
  bare \`base_url\`'s model, so this gateway never loads it (about 5 MB of RSS that a config with OpenAI's or Anthropic's models holds).${
    translating
      ? `
- *${TARGET_LABELS['gateway-anthropic']}*: the same gateway and config, but the provider is \`type: anthropic\`
  (\`base_url\` the upstream's \`/v1\`): each OpenAI request is translated to a Messages request, each
  answer (whole or streamed) back to a \`chat.completion\`; its validation checks the answers carry the
  Anthropic message's id and model, so they did come through the translation. Its model (\`${ANTHROPIC_MODEL}\`) is priced, so it loads the price data.`
      : ''
  }${variantTargetsNote(o.targets)}
- The bench's own child processes run as plain JavaScript (types stripped by bench/build-children.ts),
  not under tsx; the orchestrator (bench/run.ts) runs under tsx on the load core and only samples /proc
  (4 times a second) between IPC messages.

**Validation.** Before its runs each target answered the \`openai\` client: ${
    Object.entries(data.validations)
      .map(([t, v]) => `${TARGET_LABELS[t as TargetName]} ${v}`)
      .join('; ') || 'no target validated'
  }.

**Calibration.** Before the targets, the load process times one-byte TCP round trips to an echo
process on its own core and on the target core ("What the pinning itself costs" above).

**Requests.** \`POST /v1/chat/completions\` with \`${data.requestBody}\` (plus \`"stream":true\` for streams),
the zeros replaced by a sequence number in every request: no two bodies are equal, so a gateway that
replays identical requests (Switchyard does with \`idempotency.derive_key: true\`) or caches
them still forwards each one. The upstream counts what reaches it; the verdict "every request forwarded"
compares that with what was sent.

**Schedule.** ${o.runs} round${o.runs > 1 ? 's' : ''}; in each, every target in turn (${o.targets.map((t) => TARGET_LABELS[t]).join(', ')}) is started
fresh, validated, warmed for ${o.targetWarmupS} s, then runs every scenario once: ${o.warmupS} s warm-up (not counted)
then a ${o.durationS} s measured window. Rounds interleave the targets, so slow drift of the machine
spreads over all of them instead of biasing one. A response counts in the window it completes in.

**Statistics.** Every latency is kept (\`process.hrtime.bigint()\`, ns) and percentiles are exact
(nearest rank over the sorted samples). Each table cell is the median over runs, with min–max.

**Bottleneck check.** (a) Direct must reach at least ${DIRECT_MIN_RPS_RATIO}× the proxy's best req/s (direct
puts the whole load side's work on one core, with nothing in between); (b) while the proxy is
saturated (closed loop, c ≥ 16), the load core must stay below ${LOAD_CORE_MAX_BUSY_PERCENT}% busy (median over those
runs: other processes on the machine land there too) and the load processes themselves below
${LOAD_CORE_MAX_BUSY_PERCENT}% of a core in every run. The stream
verdicts (c=1) need the added TTFB and TTFT each within half a chunk gap of the added non-streaming
latency (a proxy holding a chunk until the next one would add a whole gap), and the first→last chunk
span and the reads per stream at ≥ ${STREAM_MIN_SPAN_RATIO * 100}% and ≥ ${STREAM_MIN_READS_RATIO * 100}% of direct's (buffering collapses both).

**Reproduce.** \`npm run bench\` (all targets, ~10 minutes), \`npm run bench -- --quick\` (smoke check,
under a minute), options: \`--duration S --warmup S --runs N --targets ${TARGET_NAMES.join(',')} --rate N
--chunks N --chunk-delay MS --split --no-pin --out FILE\`.
`;
}
