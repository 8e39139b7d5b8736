/**
 * The effort an Anthropic Messages request's `thinking` asked for (../canonical/reasoning.ts:
 * THINKING_EFFORT, a symbol key JSON never writes), given to an OpenAI-format reasoning model as
 * `reasoning_effort`.
 *
 * Only to a model whose name says it reasons: OpenAI's o3 and o4 models, the GPT-5 family but its
 * chat models, and gpt-oss. Every other model of OpenAI's format (gpt-4o, gpt-4.1, most
 * OpenAI-compatible servers) answers `reasoning_effort` with a 400, and Anthropic's clients ask for
 * thinking on most requests: there it stays out, as before. A name that says nothing (an Azure
 * deployment name, an alias) is read through the deployment's `model_family`.
 *
 * The efforts are the ones every such model takes (`low`, `medium`, `high`): `minimal` is `low`
 * and `xhigh` `high`, since only some GPT-5 models take those. A request that names its own
 * `reasoning_effort` keeps it.
 */
import { THINKING_EFFORT, type ActiveEffort, type ReasoningBody } from '../canonical/reasoning.js';
import type { JsonObject } from '../types.js';

const REASONING_MODEL = /^(?:o[3-9]|gpt-5(?!(?:\.\d+)?-chat)|gpt-oss)/;

const OPENAI_EFFORTS: Readonly<Record<ActiveEffort, string>> = { minimal: 'low', low: 'low', medium: 'medium', high: 'high', xhigh: 'high' };

/** The body with the asked effort as `reasoning_effort` where the model reasons; the same object otherwise. */
export function withAskedEffort(body: JsonObject, model: string): JsonObject {
  const effort = (body as ReasoningBody)[THINKING_EFFORT];
  if (effort === undefined || effort === 'none' || body.reasoning_effort !== undefined) return body;
  // A provider-qualified name (`openai/gpt-5`, as routers write it) is read by its last part.
  if (!REASONING_MODEL.test(model.slice(model.lastIndexOf('/') + 1).toLowerCase())) return body;
  return { ...body, reasoning_effort: OPENAI_EFFORTS[effort] };
}
