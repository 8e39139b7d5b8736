/**
 * GET /v1/models and GET /v1/models/{id}: the route names a client may ask for. In OpenAI's shape,
 * or in Anthropic's for Anthropic's clients, told apart by the `anthropic-version` header that
 * `@anthropic-ai/sdk` sends on every request (Anthropic's list is paged: `limit`, `after_id`,
 * `before_id`).
 */
import type { IncomingMessage } from 'node:http';
import { GatewayError, invalidRequest } from '../../errors.js';
import type { ServedModel } from '../../gateway/runtime.js';
import type { Handler } from '../context.js';
import { sendJson } from '../render-error.js';
import { allowOnly, pathName } from '../request-line.js';

/** Anthropic's page size when `limit` is not given, and its largest. */
const ANTHROPIC_DEFAULT_LIMIT = 20;
const ANTHROPIC_MAX_LIMIT = 1000;

export function speaksAnthropic(req: IncomingMessage): boolean {
  return req.headers['anthropic-version'] !== undefined;
}

/** OpenAI's list, serialised once per config (the list is made once per config, and clients poll it). */
const openaiLists = new WeakMap<readonly ServedModel[], string>();

export const models: Handler = ({ req, res, gateway }) => {
  const all = gateway.models();
  if (speaksAnthropic(req)) {
    sendJson(res, 200, JSON.stringify(anthropicPage(all, new URL(req.url ?? '/', 'http://x').searchParams)));
    return;
  }
  let list = openaiLists.get(all);
  if (list === undefined) {
    list = JSON.stringify({ object: 'list', data: all.map(openaiModel) });
    openaiLists.set(all, list);
  }
  sendJson(res, 200, list);
};

/** GET /v1/models/{id} (a prefix route: `subpath` is `/{id}`, percent-encoded; a route name may hold a slash). */
export const model: Handler = ({ req, res, gateway, subpath }) => {
  allowOnly(req.method, ['GET'], '/v1/models/{model}');
  const id = pathName(subpath.slice(1), 'model');
  const found = gateway.models().find((served) => served.id === id);
  if (!found) {
    throw new GatewayError(`The model '${id}' does not exist. Ask GET /v1/models for the models this gateway serves.`, { status: 404, code: 'model_not_found', param: 'model', shape: 'client_error' });
  }
  sendJson(res, 200, JSON.stringify(speaksAnthropic(req) ? anthropicModel(found) : openaiModel(found)));
};

function openaiModel({ id, createdAt }: ServedModel) {
  return { id, object: 'model', created: Math.floor(createdAt / 1000), owned_by: 'switchyard' };
}

function anthropicModel({ id, createdAt }: ServedModel) {
  return { type: 'model', id, display_name: id, created_at: new Date(createdAt).toISOString() };
}

/** One page of Anthropic's list: up to `limit` models after `after_id`, or before `before_id`. */
function anthropicPage(all: readonly ServedModel[], query: URLSearchParams) {
  const limitText = query.get('limit');
  const limit = limitText === null ? ANTHROPIC_DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > ANTHROPIC_MAX_LIMIT) throw invalidRequest(`limit: must be a whole number from 1 to ${ANTHROPIC_MAX_LIMIT}, not '${limitText}'.`, 'limit');
  const afterId = query.get('after_id');
  const beforeId = query.get('before_id');
  if (afterId !== null && beforeId !== null) throw invalidRequest('Give after_id or before_id, not both.', 'after_id');
  const cursor = afterId ?? beforeId;
  const at = cursor === null ? -1 : all.findIndex((served) => served.id === cursor);
  if (cursor !== null && at < 0) throw invalidRequest(`${afterId !== null ? 'after_id' : 'before_id'}: no model '${cursor}' in this list.`, afterId !== null ? 'after_id' : 'before_id');
  // Before a cursor, the page is the `limit` models closest to it, and has_more says whether older ones are left.
  const from = beforeId !== null ? Math.max(0, at - limit) : at + 1;
  const to = beforeId !== null ? at : Math.min(all.length, from + limit);
  const page = all.slice(from, to);
  const hasMore = beforeId !== null ? from > 0 : to < all.length;
  return { data: page.map(anthropicModel), has_more: hasMore, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null };
}
