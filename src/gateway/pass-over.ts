/** When a deployment is passed over rather than failed: its provider refused to translate the request. */
import { GatewayError } from '../errors.js';
import { StepCannotServe } from '../fallback/step-skipped.js';
import { UNTRANSLATABLE } from '../providers/canonical/request-parts.js';
import type { Provider } from '../providers/types.js';

/**
 * A provider's refusal to translate the request (`cannotTranslate`: a parameter its API has no way
 * to ask) as the step passed over, so the chain goes on to a deployment that may take it; any other
 * error as it is.
 */
export function passedOverIfUntranslatable(err: unknown, deployment: string, provider: Provider): unknown {
  if (!(err instanceof GatewayError) || err.code !== UNTRANSLATABLE) return err;
  return new StepCannotServe(`${deployment} (${provider.type}) cannot take the request: ${err.message}`, err.param ?? undefined);
}
