/** Config fields every HTTP provider accepts. A provider's own schema extends these. */
import { z } from 'zod';

/** Default time to open a connection to an upstream. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

export const httpProviderOptions = {
  /** The provider's API key. Write `${ENV_VAR}` rather than the key itself. */
  api_key: z.string().min(1).optional(),
  /** Base URL including the API's path prefix, e.g. `https://api.openai.com/v1`. */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  /** Extra headers sent on every request to this provider. */
  headers: z.record(z.string(), z.string()).optional(),
  connect_timeout_ms: z.int().positive().default(DEFAULT_CONNECT_TIMEOUT_MS),
  max_connections: z.int().positive().optional(),
};
