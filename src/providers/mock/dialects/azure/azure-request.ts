/** Reading an Azure request's URL: the deployment (path) and the `api-version` (query) each form needs. */
import type { MockExchange } from '../../mock-exchange.js';
import type { JsonObject } from '../../../types.js';

/** A dated version (`2024-10-21`, `2025-04-01-preview`); the v1 form takes none, or `preview`/`latest`. */
const DATED_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;
const V1_VERSIONS = new Set(['preview', 'latest']);

export type AzureForm = 'deployments' | 'v1';

/** The body the shared request parsers take, or undefined when the api-version does not fit the form. */
export function azureBody(exchange: MockExchange, form: AzureForm): JsonObject | undefined {
  const version = new URL(exchange.req.url ?? '/', 'http://mock.invalid').searchParams.get('api-version');
  if (form === 'v1') return version === null || V1_VERSIONS.has(version) ? exchange.body : undefined;
  if (version === null || !DATED_VERSION.test(version)) return undefined;
  // The deployment in the path names the model; a body's `model` (often left out) is ignored.
  return { ...exchange.body, model: exchange.params[0] ?? '' };
}
