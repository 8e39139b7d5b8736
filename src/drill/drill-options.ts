/**
 * `switchyard drill` arguments: parsed with node:util parseArgs and checked in one place, so a bad
 * argument is refused (exit 2) before anything starts.
 */
import { parseArgs } from 'node:util';
import { SHAPE_NAMES, isShapeName, type ShapeName } from './shapes.js';
import type { RequestMode } from './types.js';

/** Default request rate: steady enough for per-second figures, light enough for a laptop. */
export const DEFAULT_RPS = 50;
/** Default phase lengths in seconds: the whole default drill (11 shapes, one of them paying the demo's 10 s hop timeout) runs about two minutes. */
export const DEFAULT_BASELINE_S = 3;
export const DEFAULT_OUTAGE_S = 5;
export const DEFAULT_RECOVERY_S = 2;
/** Default report path (in the working directory). */
export const DEFAULT_REPORT = 'drill-report.json';
/** Default floor on a shape's outage success rate: every request must succeed. */
export const DEFAULT_MIN_SUCCESS = 1;
/** Default client-side limit on one request, so a gateway that never answers cannot stall the drill. */
export const DEFAULT_CLIENT_TIMEOUT_S = 60;
/** Highest rate accepted: one process drives the load, and on a small machine the gateway too. */
const MAX_RPS = 2000;

export interface DrillOptions {
  /** A config file to serve in process; absent (and no `url`): the drill's demo config. */
  config?: string;
  /** A running gateway to drill instead of an in-process one. */
  url?: string;
  adminToken?: string;
  /** Absent: the first route. */
  route?: string;
  /** Absent: the provider of the route's first deployment. */
  primary?: string;
  shapes: ShapeName[];
  modes: RequestMode[];
  rps: number;
  baselineMs: number;
  outageMs: number;
  recoveryMs: number;
  report: string;
  /** Absent: no charts. */
  chartDir?: string;
  minSuccess: number;
  clientTimeoutMs: number;
}

export type ParsedDrillArgs = { help: true } | { help: false; options: DrillOptions };

/** A bad argument: the message says which and why. */
export class DrillUsageError extends Error {
  override readonly name = 'DrillUsageError';
}

export const DRILL_USAGE = `Usage: switchyard drill [options]

Breaks the primary of a route in each failure shape while steady load flows, and reports how the
fallback chain took it: success rates, latency before/during/after, hops, time to absorb.

Target (one of):
  --config FILE          serve this config in process (default: the built-in demo, clean primary)
  --url URL              drill a running gateway; faults go through its admin API
  --admin-token TOKEN    the gateway's server.admin_token (or SWITCHYARD_ADMIN_TOKEN)

What to break:
  --route NAME           the route to load (default: the first route)
  --primary NAME         the mock provider to break (default: the provider of the route's first deployment)
  --shapes a,b,...       failure shapes (default: all): ${SHAPE_NAMES.join(', ')}

Load:
  --rps N                fixed-rate open-loop requests per second (default ${DEFAULT_RPS})
  --stream               streaming requests (same as --mode stream)
  --mode M               json | stream | both (default json: non-streaming)
  --baseline-s S         seconds before the fault (default ${DEFAULT_BASELINE_S})
  --outage-s S           seconds with the fault set (default ${DEFAULT_OUTAGE_S})
  --recovery-s S         seconds after the fault is cleared (default ${DEFAULT_RECOVERY_S})
  --timeout-s S          client-side limit per request (default ${DEFAULT_CLIENT_TIMEOUT_S})

Output:
  --report FILE          JSON report with every request (default ${DEFAULT_REPORT})
  --chart DIR            one SVG per shape: latency over time, by hop, outage shaded
  --min-success F        outage success rate (0..1) below which a shape broke the chain (default ${DEFAULT_MIN_SUCCESS})

Exit code: 0 every shape held, 1 a shape broke the chain, 2 bad arguments or the drill could not start.
`;

export function parseDrillArgs(args: string[], env: NodeJS.ProcessEnv = process.env): ParsedDrillArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        url: { type: 'string' },
        'admin-token': { type: 'string' },
        route: { type: 'string' },
        primary: { type: 'string' },
        shapes: { type: 'string' },
        rps: { type: 'string' },
        stream: { type: 'boolean' },
        mode: { type: 'string' },
        'baseline-s': { type: 'string' },
        'outage-s': { type: 'string' },
        'recovery-s': { type: 'string' },
        'timeout-s': { type: 'string' },
        report: { type: 'string' },
        chart: { type: 'string' },
        'min-success': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new DrillUsageError((err as Error).message);
  }
  if (values.help) return { help: true };

  if (values.config !== undefined && values.url !== undefined) throw new DrillUsageError('--config and --url exclude each other: drill a config in process, or a running gateway.');
  const adminToken = values['admin-token'] ?? env.SWITCHYARD_ADMIN_TOKEN;
  if (values.url !== undefined) {
    checkUrl(values.url);
    if (!adminToken) throw new DrillUsageError('--url needs --admin-token (or SWITCHYARD_ADMIN_TOKEN): faults are set through the admin API.');
  } else if (values['admin-token'] !== undefined) {
    throw new DrillUsageError('--admin-token applies only with --url (in process, faults are set directly).');
  }

  return {
    help: false,
    options: {
      config: values.config,
      url: values.url?.replace(/\/+$/, ''),
      adminToken: values.url === undefined ? undefined : adminToken,
      route: nonEmpty('--route', values.route),
      primary: nonEmpty('--primary', values.primary),
      shapes: parseShapes(values.shapes),
      modes: parseModes(values.mode, values.stream === true),
      rps: number('--rps', values.rps, DEFAULT_RPS, { min: 0, max: MAX_RPS }),
      baselineMs: seconds('--baseline-s', values['baseline-s'], DEFAULT_BASELINE_S),
      outageMs: seconds('--outage-s', values['outage-s'], DEFAULT_OUTAGE_S),
      recoveryMs: seconds('--recovery-s', values['recovery-s'], DEFAULT_RECOVERY_S),
      clientTimeoutMs: seconds('--timeout-s', values['timeout-s'], DEFAULT_CLIENT_TIMEOUT_S),
      report: nonEmpty('--report', values.report) ?? DEFAULT_REPORT,
      chartDir: nonEmpty('--chart', values.chart),
      minSuccess: number('--min-success', values['min-success'], DEFAULT_MIN_SUCCESS, { min: 0, max: 1, inclusiveMin: true }),
    },
  };
}

function parseShapes(text: string | undefined): ShapeName[] {
  if (text === undefined) return [...SHAPE_NAMES];
  const names = text.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
  if (names.length === 0) throw new DrillUsageError('--shapes lists no shape.');
  const unknown = names.filter((name) => !isShapeName(name));
  if (unknown.length > 0) throw new DrillUsageError(`--shapes: unknown shape ${unknown.map((name) => `'${name}'`).join(', ')}; known: ${SHAPE_NAMES.join(', ')}.`);
  return [...new Set(names as ShapeName[])];
}

function parseModes(mode: string | undefined, stream: boolean): RequestMode[] {
  if (mode === undefined) return stream ? ['stream'] : ['json'];
  const modes: Record<string, RequestMode[]> = { json: ['json'], stream: ['stream'], both: ['json', 'stream'] };
  const chosen = modes[mode];
  if (!chosen) throw new DrillUsageError(`--mode must be json, stream or both (got '${mode}').`);
  if (stream && mode === 'json') throw new DrillUsageError('--stream contradicts --mode json.');
  return chosen;
}

interface Bounds {
  min: number;
  max?: number;
  /** Accept `min` itself (default: strictly above it). */
  inclusiveMin?: boolean;
}

function number(flag: string, text: string | undefined, fallback: number, bounds: Bounds): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  const aboveMin = bounds.inclusiveMin ? value >= bounds.min : value > bounds.min;
  if (text.trim() === '' || !Number.isFinite(value) || !aboveMin || (bounds.max !== undefined && value > bounds.max)) {
    const range = `${bounds.inclusiveMin ? 'at least' : 'above'} ${bounds.min}${bounds.max === undefined ? '' : ` and at most ${bounds.max}`}`;
    throw new DrillUsageError(`${flag} must be a number ${range} (got '${text}').`);
  }
  return value;
}

function seconds(flag: string, text: string | undefined, fallback: number): number {
  return Math.round(number(flag, text, fallback, { min: 0, max: 3600 }) * 1000);
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new DrillUsageError(`${flag} is empty.`);
  return value;
}

function checkUrl(text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DrillUsageError(`--url is not a URL: '${text}'.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DrillUsageError(`--url must be http(s) (got '${url.protocol}').`);
  if (url.pathname !== '/' && url.pathname !== '') throw new DrillUsageError(`--url is the gateway's origin, without a path (got '${text}'); the drill calls /v1/chat/completions itself.`);
}
