/**
 * The config file's schema. Keys are snake_case, as in the YAML a user writes. Every default is a
 * named constant here, next to the option it fills.
 */
import { z } from 'zod';
import { bool, byteSize, int } from './fields.js';
import { telemetrySchema } from './telemetry-config.js';
import { FAILURE_SHAPES, type FailureShape } from '../errors.js';
import { DEFAULT_BREAKER_OPTIONS } from '../health/circuit-breaker.js';
import { proxyOption } from '../providers/provider-options.js';
import { PROVIDER_DEFINITIONS } from '../providers/registry.js';
import { rulePatternProblem } from '../manual/rule-pattern.js';

/** Default listen address: loopback, so a fresh install is not open to the network. */
export const DEFAULT_HOST = '127.0.0.1';
/**
 * Default number of finished requests kept in memory for `GET /admin/requests` and the library's
 * `recentRequest`: enough for an operator following the latest, few enough that under load each
 * record dies young instead of being copied into V8's old generation (older requests are read from
 * the request log when it is on).
 */
export const DEFAULT_RECENT_REQUESTS = 100;
/** Default listen port. */
export const DEFAULT_PORT = 8080;
/** Longest path a Unix socket address holds on Linux (108 bytes of sun_path, with its NUL). */
export const MAX_SOCKET_PATH_BYTES = 107;
/** Default request body limit: room for a few base64 images. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/**
 * Default: a stream with no content after 15 s gets its response head and an SSE comment, and a
 * comment every 15 s after, so that a load balancer's idle timeout (60 s on common ones, 30 s on
 * some) does not cut a slow first token.
 */
export const DEFAULT_STREAM_KEEPALIVE_MS = 15_000;
/** What requests in flight get to finish on shutdown (server.shutdown_timeout_ms). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;
/** Default time from sending a hop to its response headers (for a non-streaming call, the whole generation). */
export const DEFAULT_FIRST_BYTE_MS = 120_000;
/** Default longest silence between two chunks of an upstream body. */
export const DEFAULT_IDLE_MS = 30_000;
/** Default ceiling on one hop, start to finish. */
export const DEFAULT_HOP_TOTAL_MS = 600_000;
/** Default ceiling on a whole request, every hop included. */
export const DEFAULT_DEADLINE_MS = 900_000;
/** Default hop budget of a request (calls, retries and hedges included). */
export const DEFAULT_MAX_HOPS = 8;
/** Default time a handoff webhook has to answer. */
export const DEFAULT_HANDOFF_TIMEOUT_MS = 5_000;

/** Route, deployment and provider names: what clients type in `model`, so no spaces or control characters. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/;
const name = z.string().regex(NAME, 'use letters, digits and . _ : / @ + - (starting with a letter or digit)');


const timeoutsSchema = z.strictObject({
  first_byte_ms: int().pipe(z.int().positive()).optional(),
  /** Streaming only: from sending the request to the first content chunk. */
  first_token_ms: int().pipe(z.int().positive()).optional(),
  idle_ms: int().pipe(z.int().positive()).optional(),
  total_ms: int().pipe(z.int().positive()).optional(),
});

/** `https://app.example.com`, `http://localhost:5173`: what a browser sends as Origin. */
const ORIGIN = /^(?:\*|https?:\/\/[^/\s?#]+)$/;
/** How long a browser may keep a preflight's answer (10 minutes). */
const DEFAULT_CORS_MAX_AGE_S = 600;

const serverSchema = z
  .strictObject({
    host: z.string().min(1).default(DEFAULT_HOST),
    port: int().pipe(z.int().min(0).max(65535)).default(DEFAULT_PORT),
    max_body_bytes: byteSize.default(DEFAULT_MAX_BODY_BYTES),
    /**
     * When a stream's response head goes out (/v1/chat/completions and /v1/messages).
     * `first_chunk`: with the upstream's first chunk (the role-only one, or message_start), as it
     * arrives; the head names the deployment streaming then, and a fallback before the first
     * content is told in an SSE comment.
     * `first_content`: held until the first content, so the head names what served in the end.
     * Either way a failure before the first content falls back.
     */
    stream_head: z.enum(['first_chunk', 'first_content']).default('first_chunk'),
    /**
     * A stream's response head that is still held (no chunk yet, or `first_content`) goes out after
     * this wait without the served headers, with an SSE comment, and a comment again at each
     * interval; 0: never.
     */
    stream_keepalive_ms: int().pipe(z.int().nonnegative()).default(DEFAULT_STREAM_KEEPALIVE_MS),
    /**
     * On shutdown (SIGTERM, SIGINT, `close()`), how long requests in flight get to finish before
     * their connections are cut. Under Kubernetes' default grace period of 30 s, so the gateway
     * ends them itself instead of being killed.
     */
    shutdown_timeout_ms: int().pipe(z.int().nonnegative()).default(DEFAULT_SHUTDOWN_TIMEOUT_MS),
    /**
     * How many finished requests are kept in memory, with their attempt logs, for `GET
     * /admin/requests` (older ones come from the request log when it is on); 0: none.
     */
    recent_requests: int().pipe(z.int().min(0).max(100_000)).default(DEFAULT_RECENT_REQUESTS),
    /**
     * How many model requests (chat completions, responses, messages, embeddings) are held at
     * once; past it a request is refused at once with a 503 and `retry-after: 1` (src/server/admission.ts).
     * 0: no limit.
     */
    max_in_flight: int().pipe(z.int().min(0)).default(0),
    /** Bearer token for /admin endpoints. Without it, the admin API is off. */
    admin_token: z.string().min(12, 'make the admin token at least 12 characters').optional(),
    /** Serve HTTPS with this certificate chain and key (PEM files), read again on SIGHUP; without it, plain HTTP. */
    tls: z
      .strictObject({
        cert_file: z.string().min(1),
        key_file: z.string().min(1),
        /**
         * Require a client certificate issued by one of these CAs (PEM bundle) on every connection
         * (mTLS); a client without one fails the handshake. Read again on SIGHUP (a rotated CA);
         * turning it on or off takes a restart.
         */
        client_ca_file: z.string().min(1).optional(),
        /**
         * Offer HTTP/2 in the TLS handshake (ALPN `h2`, then `http/1.1`): clients that speak it get
         * HTTP/2 on the same port, the others HTTP/1.1. Turning it on or off takes a restart.
         */
        http2: z.boolean().default(false),
      })
      .optional(),
    /**
     * Also serve on a Unix domain socket (src/server/unix-socket.ts), plain HTTP, beside `host` and
     * `port`: for an app beside the gateway that reaches it through a file they share. `mode`: its
     * permission bits (octal); connecting takes write permission, so `600` admits only the
     * gateway's own user, `660` its group too. Changing it takes a restart.
     */
    socket: z
      .strictObject({
        path: z.string().min(1).refine((path) => Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES, `a Unix socket path is at most ${MAX_SOCKET_PATH_BYTES} bytes`),
        // YAML reads an unquoted 660 as a number: its digits are the octal bits all the same.
        mode: z
          .preprocess((value) => (typeof value === 'number' ? String(value) : value), z.string().regex(/^0?[0-7]{3}$/, 'permission bits in octal, like 660'))
          .default('600'),
      })
      .optional(),
    /** Requests from web pages on other origins (src/server/cors.ts); off while `allow_origins` is empty. */
    cors: z
      .strictObject({
        allow_origins: z.array(z.string().regex(ORIGIN, 'an origin: scheme, host and port, no path (https://app.example.com), or * for any')).default([]),
        max_age_s: int().pipe(z.int().min(0).max(86_400)).default(DEFAULT_CORS_MAX_AGE_S),
      })
      .prefault({}),
  })
  .prefault({});

const logSchema = z
  .strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** One log line per request (off by default: it costs on the hot path). */
    requests: bool().default(false),
  })
  .prefault({});

const providerDefinitions = Object.values(PROVIDER_DEFINITIONS);
type ProviderOptionsSchema = (typeof providerDefinitions)[number]['options'];
const providerSchema = z.discriminatedUnion(
  'type',
  providerDefinitions.map((definition) => definition.options) as unknown as [ProviderOptionsSchema, ...ProviderOptionsSchema[]],
);

const deploymentSchema = z.strictObject({
  /** A provider's name from `providers`. */
  provider: name,
  /** The model name the provider knows. */
  model: z.string().min(1),
  /**
   * The public model name `model` stands for, when it does not say (a Bedrock application inference
   * profile ARN, an alias, a fine-tune): the adapters read from it which form of a request the model
   * takes (adaptive thinking or a budget, Gemini's thinking levels, whether a model reasons).
   */
  model_family: z.string().min(1).optional(),
  /** The model's context window in tokens, when known (the fallback engine skips a deployment too small for a prompt). */
  context_window: int().pipe(z.int().positive()).optional(),
  timeouts: timeoutsSchema.optional(),
});

/** Default retry schedule: waits before the 1st, 2nd, 3rd retry of a hop (then the last value repeats). */
export const DEFAULT_RETRY_SCHEDULE_MS = [100, 500, 2000];
/** Default jitter: each wait is drawn from ±20% of the schedule's value. */
export const DEFAULT_RETRY_JITTER = 0.2;
/** Default cap on honouring an upstream's retry-after: a longer wait moves on instead. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 5_000;

/** A chain step: a deployment by name, the route's response cache, or a manual handler. */
const stepSchema = z.union([
  name,
  z.strictObject({ deployment: name }),
  z.strictObject({ cache: z.literal('exact') }),
  z.strictObject({ manual: name }),
]);

const nextOrStop = z.enum(['next', 'stop']);
const downgrade = z.strictObject({ downgrade: name });
/** What to do for one failure shape. */
const actionSchema = z.union([
  nextOrStop,
  downgrade,
  z.strictObject({
    /** Retries of the same hop (with backoff) before `then`. */
    retry: int().pipe(z.int().min(0).max(10)),
    then: z.union([nextOrStop, downgrade]).default('next'),
  }),
]);

/** The shapes a route's policy may act on. The client's own errors are always returned, never retried. */
export const POLICY_SHAPES = FAILURE_SHAPES.filter((shape): shape is Exclude<FailureShape, 'client_error'> => shape !== 'client_error');

const policySchema = z.strictObject(Object.fromEntries(POLICY_SHAPES.map((shape) => [shape, actionSchema.optional()])) as Record<Exclude<FailureShape, 'client_error'>, z.ZodOptional<typeof actionSchema>>);

const retrySchema = z
  .strictObject({
    schedule_ms: z.array(int().pipe(z.int().min(0))).min(1).default(DEFAULT_RETRY_SCHEDULE_MS),
    jitter: z.number().min(0).max(1).default(DEFAULT_RETRY_JITTER),
    max_retry_after_ms: int().pipe(z.int().min(0)).default(DEFAULT_MAX_RETRY_AFTER_MS),
  })
  .prefault({});

const routeSchema = z.strictObject({
  /** Steps tried in order: the first serves, the rest are the fallback chain. */
  chain: z.array(stepSchema).min(1, 'list at least one deployment'),
  /** What to do per failure shape; shapes left out get the defaults. */
  policy: policySchema.prefault({}),
  retry: retrySchema,
  /** Start the next deployment in parallel when the first has not answered after this long. */
  hedge_after_ms: int().pipe(z.int().positive()).optional(),
  /** Per-hop time limits for this route (a deployment's own `timeouts` win). */
  timeouts: timeoutsSchema.optional(),
  /** Ceiling on the whole request, every hop included. */
  deadline_ms: int().pipe(z.int().positive()).default(DEFAULT_DEADLINE_MS),
  /** Most calls one request may make, retries and hedges included. */
  max_hops: int().pipe(z.int().positive()).default(DEFAULT_MAX_HOPS),
  /** `health`: a degraded deployment moves behind the healthy deployments after it; `fixed`: the chain's order always. */
  order: z.enum(['health', 'fixed']).default('health'),
});

const manualSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('static'), answer: z.string().min(1) }),
  z.strictObject({
    type: z.literal('rules'),
    /** Tried in order against the last user message; `match` is a case-insensitive regular expression in RE2's syntax (manual/rule-pattern.ts). */
    rules: z
      .array(
        z.strictObject({
          match: z
            .string()
            .min(1)
            .superRefine((value, ctx) => {
              const problem = rulePatternProblem(value);
              if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `is not a regular expression the gateway can match in linear time (RE2 syntax: no lookarounds or backreferences): ${problem}` });
            }),
          answer: z.string().min(1),
        }),
      )
      .min(1),
    /** The answer when no rule matches; without it, the chain goes on. */
    default: z.string().min(1).optional(),
  }),
  z.strictObject({
    type: z.literal('handoff'),
    /** Receives the request as JSON (POST) and may answer `{"ticket": "..."}`. */
    webhook: z.url({ protocol: /^https?$/ }),
    headers: z.record(z.string(), z.string()).optional(),
    /** The proxy (HTTP or SOCKS) the webhook is called through: `env` (the default), `none` or a proxy's URL. */
    proxy: proxyOption,
    /** The answer the client gets; `{ticket}` is replaced by the ticket reference. */
    answer: z.string().min(1).default('A member of our team will follow up on this request. Your reference is {ticket}.'),
    timeout_ms: int().pipe(z.int().positive()).default(DEFAULT_HANDOFF_TIMEOUT_MS),
  }),
]);

/** Default lifetime of a cached response served on failure. */
export const DEFAULT_CACHE_TTL_MS = 24 * 3_600_000;
/** Default cap on cached responses. */
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;
/** Default cap on the bytes the response cache holds. */
export const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;

const cacheSchema = z
  .strictObject({
    ttl_ms: int().pipe(z.int().positive()).default(DEFAULT_CACHE_TTL_MS),
    max_entries: int().pipe(z.int().positive()).default(DEFAULT_CACHE_MAX_ENTRIES),
    max_bytes: byteSize.default(DEFAULT_CACHE_MAX_BYTES),
  })
  .prefault({});

/** Default time a completed response is replayed for the same idempotency key. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 60_000;
/** Default cap on the answers kept for replay (count). */
export const DEFAULT_IDEMPOTENCY_MAX_ENTRIES = 5_000;
/** Default cap on the answers kept for replay (size: each answer's bytes, served record and body hash). */
export const DEFAULT_IDEMPOTENCY_MAX_BYTES = 16 * 1024 * 1024;

/** Default pause between probes of a failed or recovering deployment. */
export const DEFAULT_PROBE_INTERVAL_MS = 1_000;
/** Default pause between probes of a healthy deployment, when `probes.all` is on. */
export const DEFAULT_PROBE_ALL_INTERVAL_MS = 30_000;
/** Default time limit of one probe. */
export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;
/** Default cap on probes started per second, gateway-wide. */
export const DEFAULT_PROBE_MAX_PER_SECOND = 10;

const probeSchema = z.strictObject({
  /** Probe failed and recovering deployments, so recovery is seen without spending user requests on it. */
  enabled: bool().default(true),
  /** What a probe sends: a 1-token completion, or a models listing (OpenAI-family providers; others fall back to a completion). */
  kind: z.enum(['completion', 'models']).default('completion'),
  interval_ms: int().pipe(z.int().positive()).default(DEFAULT_PROBE_INTERVAL_MS),
  /** Also probe healthy and degraded deployments (catches a silent degradation on a quiet route). */
  all: bool().default(false),
  all_interval_ms: int().pipe(z.int().positive()).default(DEFAULT_PROBE_ALL_INTERVAL_MS),
  timeout_ms: int().pipe(z.int().positive()).default(DEFAULT_PROBE_TIMEOUT_MS),
});

/** Breaker limits; each may be set gateway-wide, per provider, and per deployment (most specific wins). */
const breakerFields = {
  window_ms: int().pipe(z.int().positive()),
  min_calls: int().pipe(z.int().positive()),
  fail_rate: z.number().gt(0).max(1),
  degrade_rate: z.number().gt(0).max(1),
  consecutive_failures: int().pipe(z.int().positive()),
  cooldown_ms: int().pipe(z.int().positive()),
  max_cooldown_ms: int().pipe(z.int().positive()),
  long_cooldown_ms: int().pipe(z.int().positive()),
  recovery_successes: int().pipe(z.int().positive()),
  /** A success slower than this counts as slow; enough slow calls mark a deployment degraded. 0: off. */
  slow_call_ms: int().pipe(z.int().nonnegative()),
  /** Stall detection: calls in flight longer than stall_factor × recent p99 (at least stall_min_ms)... */
  stall_factor: z.number().min(1),
  stall_min_ms: int().pipe(z.int().positive()),
  /** ...this many at once, with no success meanwhile, open the circuit. 0: off. */
  stall_calls: int().pipe(z.int().nonnegative()),
};

const breakerOverrideSchema = z.strictObject({
  ...Object.fromEntries(Object.entries(breakerFields).map(([key, schema]) => [key, schema.optional()])),
  probes: probeSchema.partial().optional(),
} as { [K in keyof typeof breakerFields]: z.ZodOptional<(typeof breakerFields)[K]> } & { probes: z.ZodOptional<ReturnType<typeof probeSchema.partial>> });

const D = DEFAULT_BREAKER_OPTIONS;
const healthSchema = z
  .strictObject({
    /** Circuit breakers on deployments and provider keys, fed by real traffic and active probes. */
    enabled: bool().default(true),
    window_ms: breakerFields.window_ms.default(D.windowMs),
    min_calls: breakerFields.min_calls.default(D.minCalls),
    fail_rate: breakerFields.fail_rate.default(D.failRate),
    degrade_rate: breakerFields.degrade_rate.default(D.degradeRate),
    consecutive_failures: breakerFields.consecutive_failures.default(D.consecutiveFailures),
    cooldown_ms: breakerFields.cooldown_ms.default(D.cooldownMs),
    max_cooldown_ms: breakerFields.max_cooldown_ms.default(D.maxCooldownMs),
    long_cooldown_ms: breakerFields.long_cooldown_ms.default(D.longCooldownMs),
    recovery_successes: breakerFields.recovery_successes.default(D.recoverySuccesses),
    slow_call_ms: breakerFields.slow_call_ms.default(D.slowCallMs),
    stall_factor: breakerFields.stall_factor.default(D.stallFactor),
    stall_min_ms: breakerFields.stall_min_ms.default(D.stallMinMs),
    stall_calls: breakerFields.stall_calls.default(D.stallCalls),
    probes: probeSchema
      .extend({
        /** Gateway-wide cap on probes started per second. */
        max_per_second: int().pipe(z.int().positive()).default(DEFAULT_PROBE_MAX_PER_SECOND),
      })
      .prefault({}),
    /** Overrides per provider (its deployments and its key breaker). */
    providers: z.record(name, breakerOverrideSchema).default({}),
    /** Overrides per deployment (win over its provider's). */
    deployments: z.record(name, breakerOverrideSchema).default({}),
  })
  .prefault({});

const idempotencySchema = z
  .strictObject({
    enabled: bool().default(true),
    /**
     * Without an Idempotency-Key header, key the request by its canonical body and tenant: identical
     * requests within the TTL then share one answer. Off by default: a caller that sends the same
     * prompt twice is usually sampling on purpose (evals, retries after a bad answer, "regenerate").
     */
    derive_key: bool().default(false),
    ttl_ms: int().pipe(z.int().positive()).default(DEFAULT_IDEMPOTENCY_TTL_MS),
    max_entries: int().pipe(z.int().positive()).default(DEFAULT_IDEMPOTENCY_MAX_ENTRIES),
    max_bytes: byteSize.default(DEFAULT_IDEMPOTENCY_MAX_BYTES),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    server: serverSchema,
    log: logSchema,
    providers: z.record(name, providerSchema),
    deployments: z.record(name, deploymentSchema),
    routes: z.record(name, routeSchema),
    manual: z.record(name, manualSchema).default({}),
    cache: cacheSchema,
    idempotency: idempotencySchema,
    health: healthSchema,
    telemetry: telemetrySchema,
  })
  .superRefine((config, ctx) => {
    for (const [deploymentName, deployment] of Object.entries(config.deployments)) {
      if (!(deployment.provider in config.providers)) {
        ctx.addIssue({
          code: 'custom',
          path: ['deployments', deploymentName, 'provider'],
          message: `names provider '${deployment.provider}', which is not under providers (have: ${Object.keys(config.providers).join(', ') || 'none'})`,
        });
      }
    }
    const deploymentNames = Object.keys(config.deployments).join(', ') || 'none';
    const missingDeployment = (target: string, path: (string | number)[]) =>
      ctx.addIssue({ code: 'custom', path, message: `names deployment '${target}', which is not under deployments (have: ${deploymentNames})` });
    for (const [providerName] of Object.entries(config.health.providers)) {
      if (!(providerName in config.providers)) {
        ctx.addIssue({ code: 'custom', path: ['health', 'providers', providerName], message: `names provider '${providerName}', which is not under providers` });
      }
    }
    for (const [deploymentName] of Object.entries(config.health.deployments)) {
      if (!(deploymentName in config.deployments)) missingDeployment(deploymentName, ['health', 'deployments', deploymentName]);
    }
    for (const [routeName, route] of Object.entries(config.routes)) {
      route.chain.forEach((step, index) => {
        const path = ['routes', routeName, 'chain', index];
        if (typeof step === 'string' && !(step in config.deployments)) missingDeployment(step, path);
        if (typeof step === 'object' && 'deployment' in step && !(step.deployment in config.deployments)) missingDeployment(step.deployment, [...path, 'deployment']);
        if (typeof step === 'object' && 'manual' in step && !(step.manual in config.manual)) {
          ctx.addIssue({ code: 'custom', path: [...path, 'manual'], message: `names manual handler '${step.manual}', which is not under manual (have: ${Object.keys(config.manual).join(', ') || 'none'})` });
        }
      });
      for (const [shape, action] of Object.entries(route.policy)) {
        const target = typeof action === 'object' ? ('downgrade' in action ? action.downgrade : typeof action.then === 'object' ? action.then.downgrade : undefined) : undefined;
        if (target !== undefined && !(target in config.deployments)) {
          missingDeployment(target, ['routes', routeName, 'policy', shape, ...('downgrade' in (action as object) ? ['downgrade'] : ['then', 'downgrade'])]);
        }
      }
    }
  });

/** The config as the file says it, before defaults (what `createGateway` accepts). */
export type ConfigInput = z.input<typeof configSchema>;
/** The config after validation and defaults. */
export type Config = z.output<typeof configSchema>;
export type ProviderConfig = Config['providers'][string];
export type DeploymentConfig = Config['deployments'][string];
export type RouteConfig = Config['routes'][string];
export type TimeoutsConfig = z.output<typeof timeoutsSchema>;
export type StepConfig = RouteConfig['chain'][number];
export type ActionConfig = z.output<typeof actionSchema>;
export type HealthConfig = Config['health'];
export type BreakerOverrideConfig = HealthConfig['deployments'][string];
export type RetryConfig = RouteConfig['retry'];
export type ManualConfig = Config['manual'][string];
