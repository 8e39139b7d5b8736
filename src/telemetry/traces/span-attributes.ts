/**
 * Attribute names on Switchyard's spans. The first group are OpenTelemetry semantic-convention
 * names (GenAI spans, v1.41, still "development" status; and the general `server.*`, `error.type`,
 * `http.*`); they are written out here rather than imported because the semconv package marks the
 * GenAI constants deprecated (moved to their own repository) while the names stay the same. The
 * second group are Switchyard's own: not (yet) OpenTelemetry names. docs/telemetry.md lists both.
 */

// OpenTelemetry semantic conventions: GenAI.
export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
export const GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
export const GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
export const GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
export const GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
export const GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
export const GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
export const GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';

// OpenTelemetry semantic conventions: general (stable).
export const SERVER_ADDRESS = 'server.address';
export const SERVER_PORT = 'server.port';
export const ERROR_TYPE = 'error.type';
export const HTTP_REQUEST_RESEND_COUNT = 'http.request.resend_count';
export const HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
// OpenTelemetry semantic conventions: TLS (development).
export const TLS_CLIENT_SUBJECT = 'tls.client.subject';

// Switchyard's own: the fallback decision, in the gen_ai namespace the issue asks for (not OpenTelemetry names).
export const GEN_AI_FALLBACK_REASON = 'gen_ai.fallback.reason';
export const GEN_AI_FALLBACK_HOP = 'gen_ai.fallback.hop';
export const GEN_AI_FALLBACK_ROUTE = 'gen_ai.fallback.route';
/** The route's rolling quality score: set only when one exists (none does yet). */
export const GEN_AI_FALLBACK_SCORE = 'gen_ai.fallback.score';
export const GEN_AI_FALLBACK_MTTR_MS = 'gen_ai.fallback.mttr_ms';
export const GEN_AI_RETRY_ATTEMPT = 'gen_ai.retry.attempt';
export const GEN_AI_RETRY_BACKOFF_MS = 'gen_ai.retry.backoff_ms';

// Switchyard's own: the request and the hop as the attempt log names them.
export const SWITCHYARD_REQUEST_ID = 'switchyard.request_id';
export const SWITCHYARD_ROUTE = 'switchyard.route';
export const SWITCHYARD_TENANT = 'switchyard.tenant';
export const SWITCHYARD_DEPLOYMENT = 'switchyard.deployment';
export const SWITCHYARD_STEP = 'switchyard.step';
export const SWITCHYARD_OUTCOME = 'switchyard.outcome';
export const SWITCHYARD_ERROR_CODE = 'switchyard.error.code';
export const SWITCHYARD_HEDGE = 'switchyard.hedge';
export const SWITCHYARD_HOPS = 'switchyard.hops';
export const SWITCHYARD_CACHE_AGE_MS = 'switchyard.cache.age_ms';
export const SWITCHYARD_MANUAL = 'switchyard.manual';
export const SWITCHYARD_REPLAY_OF = 'switchyard.replay_of';
export const SWITCHYARD_COST_USD = 'switchyard.cost.usd';
/** The call's token counts are an estimate (a failed call billed at least its prompt). */
export const SWITCHYARD_USAGE_ESTIMATED = 'switchyard.usage.estimated';
