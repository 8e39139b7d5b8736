/**
 * The config file's schema. Keys are snake_case, as in the YAML a user writes. Every default is a
 * named constant here, next to the option it fills.
 */
import { z } from 'zod';
import { PROVIDER_DEFINITIONS } from '../providers/registry.js';

/** Default listen address: loopback, so a fresh install is not open to the network. */
export const DEFAULT_HOST = '127.0.0.1';
/** Default listen port. */
export const DEFAULT_PORT = 8080;
/** Default request body limit: room for a few base64 images. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Default time from sending a hop to its response headers (for a non-streaming call, the whole generation). */
export const DEFAULT_FIRST_BYTE_MS = 120_000;
/** Default longest silence between two chunks of an upstream body. */
export const DEFAULT_IDLE_MS = 30_000;
/** Default ceiling on one hop, start to finish. */
export const DEFAULT_HOP_TOTAL_MS = 600_000;
/** Default ceiling on a whole request, every hop included. */
export const DEFAULT_DEADLINE_MS = 900_000;

/** Route, deployment and provider names: what clients type in `model`, so no spaces or control characters. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/;
const name = z.string().regex(NAME, 'use letters, digits and . _ : / @ + - (starting with a letter or digit)');

/** An integer that may also arrive as a numeric string (e.g. from `${PORT}`). */
const int = () => z.preprocess((v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v), z.int());
const bool = () => z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());

/** A byte size: a number of bytes, or a string such as `16mb`, `512kb`. */
const byteSize = z.union([z.int().positive(), z.string().regex(/^\s*\d+(\.\d+)?\s*(b|kb|mb|gb)?\s*$/i, 'write a size like 16mb, 512kb or 1048576')]).transform(parseByteSize);

function parseByteSize(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value) as RegExpExecArray;
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit === 'gb' ? 1024 ** 3 : unit === 'mb' ? 1024 ** 2 : unit === 'kb' ? 1024 : 1;
  return Math.round(Number(match[1]) * factor);
}

const timeoutsSchema = z.strictObject({
  first_byte_ms: int().pipe(z.int().positive()).optional(),
  idle_ms: int().pipe(z.int().positive()).optional(),
  total_ms: int().pipe(z.int().positive()).optional(),
});

const serverSchema = z
  .strictObject({
    host: z.string().min(1).default(DEFAULT_HOST),
    port: int().pipe(z.int().min(0).max(65535)).default(DEFAULT_PORT),
    max_body_bytes: byteSize.default(DEFAULT_MAX_BODY_BYTES),
    /** Bearer token for /admin endpoints. Without it, the admin API is off. */
    admin_token: z.string().min(12, 'make the admin token at least 12 characters').optional(),
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
  /** The model's context window in tokens, when known (the fallback engine skips a deployment too small for a prompt). */
  context_window: int().pipe(z.int().positive()).optional(),
  timeouts: timeoutsSchema.optional(),
});

const routeSchema = z.strictObject({
  /** Deployments tried in order: the first serves, the rest are the fallback chain. */
  chain: z.array(name).min(1, 'list at least one deployment'),
  /** Per-hop time limits for this route (a deployment's own `timeouts` win). */
  timeouts: timeoutsSchema.optional(),
  /** Ceiling on the whole request, every hop included. */
  deadline_ms: int().pipe(z.int().positive()).default(DEFAULT_DEADLINE_MS),
  /** Most hops one request may take; defaults to the chain's length. */
  max_hops: int().pipe(z.int().positive()).optional(),
});

export const configSchema = z
  .strictObject({
    server: serverSchema,
    log: logSchema,
    providers: z.record(name, providerSchema),
    deployments: z.record(name, deploymentSchema),
    routes: z.record(name, routeSchema),
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
    for (const [routeName, route] of Object.entries(config.routes)) {
      route.chain.forEach((step, index) => {
        if (!(step in config.deployments)) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', routeName, 'chain', index],
            message: `names deployment '${step}', which is not under deployments (have: ${Object.keys(config.deployments).join(', ') || 'none'})`,
          });
        }
      });
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
