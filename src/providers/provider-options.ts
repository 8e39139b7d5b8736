/** Config fields every HTTP provider accepts. A provider's own schema extends these. */
import { z } from 'zod';
import { proxyUrlProblem } from './http/egress-proxy.js';
import type { Transport } from './http/upstream-client.js';
import type { ProviderContext } from './types.js';

/** Default time to open a connection to an upstream. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * The HTTP proxy outgoing calls go through: `env` (the default) for the one the environment names
 * (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), `none`, or a proxy's URL (`http://user:pass@proxy:3128`).
 */
export const proxyOption = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    if (value === 'env' || value === 'none') return;
    const problem = proxyUrlProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `${problem} (or write env, or none)` });
  })
  .default('env');

/** How a provider's calls reach its upstream: what `transportOf` reads. */
export const transportOptions = {
  connect_timeout_ms: z.int().positive().default(DEFAULT_CONNECT_TIMEOUT_MS),
  max_connections: z.int().positive().optional(),
  proxy: proxyOption,
};

export const httpProviderOptions = {
  /** The provider's API key. Write `${ENV_VAR}` rather than the key itself. */
  api_key: z.string().min(1).optional(),
  /** Base URL including the API's path prefix, e.g. `https://api.openai.com/v1`. */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  /** Extra headers sent on every request to this provider. */
  headers: z.record(z.string(), z.string()).optional(),
  ...transportOptions,
};

/** A provider config's transport fields, with the environment a `proxy: env` is read from. */
export function transportOf(config: { connect_timeout_ms: number; max_connections?: number | undefined; proxy: string }, context: ProviderContext): Transport {
  return { connectTimeoutMs: config.connect_timeout_ms, maxConnections: config.max_connections, proxy: config.proxy, env: context.env };
}
