/** Config fields every HTTP provider accepts. A provider's own schema extends these. */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { z } from 'zod';
import { byteSize } from '../config/fields.js';
import { unreadable } from '../config/format-config-issues.js';
import { proxyUrlProblem } from './http/egress-proxy.js';
import { DEFAULT_MAX_ANSWER_BYTES, MAX_ANSWER_BYTES_CEILING, type Transport, type UpstreamTls } from './http/upstream-client.js';
import { SettingError } from '../config/setting-error.js';
import type { ProviderContext } from './types.js';

/** Default time to open a connection to an upstream. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * The proxy (HTTP or SOCKS) outgoing calls go through: `env` (the default) for the one the environment names
 * (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY), `none`, or a proxy's URL (`http://user:pass@proxy:3128`,
 * `socks5h://user:pass@bastion:1080`).
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

/**
 * TLS to the upstream beyond node's defaults: a CA bundle trusted besides the public ones (an
 * internal server's private CA), and a client certificate for upstreams that ask for one (mTLS).
 * PEM files, read when the config is applied (start, SIGHUP). Also the trace exporter's `tls`.
 */
export const upstreamTlsOption = z
  .strictObject({
    ca_file: z.string().min(1).optional(),
    cert_file: z.string().min(1).optional(),
    key_file: z.string().min(1).optional(),
  })
  .superRefine((value, ctx) => {
    if ((value.cert_file === undefined) !== (value.key_file === undefined)) {
      ctx.addIssue({ code: 'custom', path: [value.cert_file === undefined ? 'cert_file' : 'key_file'], message: 'a client certificate takes both cert_file and key_file' });
    }
  })
  .optional();

/** How a provider's calls reach its upstream: what `transportOf` reads. */
export const transportOptions = {
  connect_timeout_ms: z.int().positive().default(DEFAULT_CONNECT_TIMEOUT_MS),
  max_connections: z.int().positive().optional(),
  /** The largest whole answer read from the upstream (`16mb`, `268435456`); a longer one fails the hop with a 502. Streams are not held whole and have no such cap. */
  max_answer_bytes: byteSize
    .pipe(z.number().max(MAX_ANSWER_BYTES_CEILING))
    .default(DEFAULT_MAX_ANSWER_BYTES),
  proxy: proxyOption,
  tls: upstreamTlsOption,
};

/**
 * `stream_usage`, for OpenAI's wire format: ask the upstream for a stream's usage
 * (`stream_options.include_usage`) when the client did not, so the gateway has the provider's own
 * count; the usage chunk the client did not ask for is kept from it. An upstream that refuses the
 * field (400 or 422) is asked again without it, and not asked with it again (openai-provider.ts);
 * `false` skips that. Without the upstream's count, the gateway counts such a stream itself when
 * its model has a price. Undefined: the provider type's default.
 */
export const streamUsageOption = z.boolean().optional();

export const httpProviderOptions = {
  /** The provider's API key. Write `${ENV_VAR}` rather than the key itself. */
  api_key: z.string().min(1).optional(),
  /** Base URL including the API's path prefix, e.g. `https://api.openai.com/v1`. */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  /** Extra headers sent on every request to this provider. */
  headers: z.record(z.string(), z.string()).optional(),
  ...transportOptions,
};

export type UpstreamTlsFiles = NonNullable<z.output<typeof upstreamTlsOption>>;
type TransportConfig = { connect_timeout_ms: number; max_connections?: number | undefined; max_answer_bytes: number; proxy: string; tls?: UpstreamTlsFiles | undefined };

/** A provider config's transport fields, with the environment a `proxy: env` is read from, and its TLS files read. */
export function transportOf(config: TransportConfig, context: ProviderContext): Transport {
  return {
    connectTimeoutMs: config.connect_timeout_ms,
    maxConnections: config.max_connections,
    maxAnswerBytes: config.max_answer_bytes,
    proxy: config.proxy,
    env: context.env,
    tls: config.tls && readUpstreamTls(config.tls),
  };
}

/** Reads a `tls` setting's files; one that cannot be read is a SettingError at `tls.<field>`. */
export function readUpstreamTls(files: UpstreamTlsFiles): UpstreamTls {
  const read = (field: 'ca_file' | 'cert_file' | 'key_file'): Buffer | undefined => {
    const file = files[field];
    if (file === undefined) return undefined;
    try {
      // Once per config applied (start, SIGHUP), never per call.
      return readFileSync(file);
    } catch (err) {
      throw new SettingError(['tls', field], unreadable(file, err));
    }
  };
  const ca = read('ca_file');
  // Trusted besides node's own CAs, not instead: `ca` alone would replace them.
  return { ca: ca && [...rootCertificates, ca.toString('utf8')], cert: read('cert_file'), key: read('key_file') };
}
