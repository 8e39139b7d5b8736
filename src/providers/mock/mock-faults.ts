/**
 * The mock's fault list: what a drill, a test or the demo config may ask the mock to do wrong.
 * Validated with zod at every door (config, `setFaults`, `PUT /_mock/faults`) so a typo in a drill
 * fails loudly instead of silently serving happy answers.
 */
import { z } from 'zod';
import { GatewayError } from '../../errors.js';
import { latencySchema } from './sample-latency.js';

/** Default status of an `error` fault. */
export const DEFAULT_ERROR_STATUS = 503;
/** Default `retry-after` of a `rate_limit` fault, in seconds. */
export const DEFAULT_RETRY_AFTER_S = 1;
/** Default chunks a `stream_cut` fault lets through before it cuts. */
export const DEFAULT_CUT_AFTER_CHUNKS = 2;
/** Default chunks a `stream_error` fault lets through before its in-band error. */
export const DEFAULT_STREAM_ERROR_AFTER_CHUNKS = 0;
/** Default context window a `context_overflow` fault reports. */
export const DEFAULT_MAX_CONTEXT_TOKENS = 8192;

/** Which requests a fault may apply to, and when. Shared by every kind. */
const when = {
  /** Probability (0..1) that the fault fires on a request it matches. */
  rate: z.number().min(0).max(1).default(1),
  /** Active from this many ms after the fault list was set. */
  after_ms: z.number().nonnegative().optional(),
  /** Active for this many ms (from `after_ms`); forever when absent. */
  for_ms: z.number().positive().optional(),
  /** Fires at most this many times, then is spent. */
  count: z.int().positive().optional(),
  /** true: streaming requests only; false: non-streaming only; absent: both. */
  stream: z.boolean().optional(),
  /** Only requests for this model name. */
  model: z.string().min(1).optional(),
  /** Only this endpoint (`completions`: legacy text completions); absent: every endpoint. */
  endpoint: z.enum(['chat', 'completions', 'embeddings']).optional(),
};

const message = z.string().min(1).optional();

const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('error'), ...when, status: z.int().min(500).max(599).default(DEFAULT_ERROR_STATUS), message }),
  z.strictObject({
    kind: z.literal('rate_limit'),
    ...when,
    retry_after_s: z.number().nonnegative().default(DEFAULT_RETRY_AFTER_S),
    /** Sent as `retry-after-ms` instead of `retry-after`. */
    retry_after_ms: z.int().nonnegative().optional(),
    /** Sends `retry-after` as an HTTP date (`retry_after_s` from now). */
    retry_after_date: z.boolean().default(false),
  }),
  z.strictObject({ kind: z.literal('quota'), ...when }),
  z.strictObject({ kind: z.literal('auth'), ...when }),
  z.strictObject({
    kind: z.literal('hang'),
    ...when,
    /** Stall mid-answer instead: this many stream chunks (non-streaming: headers and half the body) first. */
    after_chunks: z.int().nonnegative().optional(),
  }),
  z.strictObject({ kind: z.literal('slow'), ...when, latency_ms: latencySchema }),
  z.strictObject({ kind: z.literal('reset'), ...when }),
  z.strictObject({ kind: z.literal('stream_cut'), ...when, after_chunks: z.int().nonnegative().default(DEFAULT_CUT_AFTER_CHUNKS) }),
  z.strictObject({
    kind: z.literal('stream_error'),
    ...when,
    after_chunks: z.int().nonnegative().default(DEFAULT_STREAM_ERROR_AFTER_CHUNKS),
    message,
  }),
  z.strictObject({
    kind: z.literal('context_overflow'),
    ...when,
    max_context_tokens: z.int().positive().default(DEFAULT_MAX_CONTEXT_TOKENS),
  }),
  z.strictObject({ kind: z.literal('content_filter'), ...when, mode: z.enum(['finish_reason', 'error']).default('finish_reason') }),
]);

export const faultListSchema = z.array(faultSchema);

/** A fault as written in config or sent to the control API (defaults not yet filled). */
export type FaultSpec = z.input<typeof faultSchema>;
/** A validated fault, defaults filled. */
export type Fault = z.output<typeof faultSchema>;
export type FaultKind = Fault['kind'];

export const FAULT_KINDS: readonly FaultKind[] = faultSchema.options.map((option) => option.shape.kind.value);

/**
 * Validates a fault list. Accepts the list itself or `{ faults: [...] }` (the control API's body).
 * Throws a 400 GatewayError `invalid_faults` naming the first bad paths.
 */
export function parseFaults(input: unknown): Fault[] {
  const list = isWrapped(input) ? input.faults : input;
  const parsed = faultListSchema.safeParse(list);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.slice(0, 5).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  return fail(`Invalid mock faults: ${details.join('; ')}.`);
}

function fail(message: string): never {
  throw new GatewayError(message, { status: 400, code: 'invalid_faults', param: 'faults', shape: 'client_error' });
}

function isWrapped(input: unknown): input is { faults: unknown } {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && 'faults' in input;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = 'faults';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}
