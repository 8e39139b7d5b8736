/**
 * Azure OpenAI's errors: OpenAI's body shape (mapOpenAIError reads them, content filtering included:
 * a 400 with code `content_filter` is guardrail_block), plus Azure's own quota answer, a 403 that
 * says the resource is out of call volume. A 403 would otherwise read as a rejected key.
 */
import { GatewayError } from '../../errors.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { scrubSecrets } from '../http/scrub-secrets.js';
import { mapOpenAIError, type UpstreamErrorInput } from '../openai/map-openai-error.js';
import { openaiErrorSchema } from '../openai/openai-api.js';

const OUT_OF_QUOTA = /out of call volume quota|quota (?:has been )?exceeded/i;

export function mapAzureError(input: UpstreamErrorInput): GatewayError {
  if (input.status === 403) {
    const message = errorMessage(input.bodyText);
    if (message !== undefined && OUT_OF_QUOTA.test(message)) {
      return new GatewayError(scrubSecrets(message, input.secrets), {
        status: 429,
        code: 'quota_exceeded',
        shape: 'quota_exhausted',
        retryAfterMs: parseRetryAfter(input.headers),
        upstreamStatus: input.status,
      });
    }
  }
  return mapOpenAIError(input);
}

function errorMessage(bodyText: string): string | undefined {
  try {
    const parsed = openaiErrorSchema.safeParse(JSON.parse(bodyText));
    return parsed.success ? (parsed.data.error.message ?? undefined) : undefined;
  } catch {
    return undefined;
  }
}
