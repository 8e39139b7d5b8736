/**
 * The config a drill serves when given none: the built-in demo, with the primary's standing fault
 * (a random 25% of 503s) removed so the baseline is clean and every failure seen is the drill's.
 */
import { DEMO_CONFIG_YAML } from '../config/demo-config.js';
import { parseConfigText } from '../config/load-config.js';
import type { Config } from '../config/schema.js';

/** Names the default target in output and reports. */
export const DRILL_DEMO_SOURCE = 'built-in demo config (primary fault removed)';

/** The provider whose standing fault is removed: the demo's primary. */
const DEMO_PRIMARY = 'mock-primary';

export function drillDemoConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = parseConfigText(DEMO_CONFIG_YAML, 'built-in demo config', { env });
  const primary = config.providers[DEMO_PRIMARY];
  if (primary?.type !== 'mock') return config;
  return {
    ...config,
    providers: { ...config.providers, [DEMO_PRIMARY]: { ...primary, faults: [] } },
    // A drill's thousands of synthetic requests would crowd the demo's request log: not logged.
    telemetry: { ...config.telemetry, request_log: { ...config.telemetry.request_log, store: 'off' } },
  };
}
