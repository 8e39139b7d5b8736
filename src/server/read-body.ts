/** Reads and parses a JSON request body within the size limit, with the client's mistakes as 4xx errors. */
import type { IncomingMessage } from 'node:http';
import { GatewayError, invalidRequest } from '../errors.js';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export interface JsonBody {
  value: unknown;
  bytes: number;
}

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<JsonBody> {
  const type = req.headers['content-type'];
  // No content type at all is taken as JSON: many scripts omit it. A different one is refused.
  if (type !== undefined && !JSON_TYPE.test(type)) {
    const hint = /x-www-form-urlencoded/i.test(type) ? " (curl -d sends a form: add -H 'content-type: application/json')" : '';
    throw new GatewayError(`Send the body as JSON with 'content-type: application/json', not '${type}'${hint}.`, { status: 415, code: 'unsupported_media_type', shape: 'client_error' });
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);

  // Listeners, not `for await`: the async iterator costs a promise per chunk on the hot path.
  const { chunks, size } = await new Promise<{ chunks: Buffer[]; size: number }>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ chunks, size });
    };
    const onError = (err: Error) => {
      cleanup();
      reject(invalidRequest(`The request body could not be read: ${err.message}`, null, 'body_read_error'));
    };
    const onAborted = () => {
      cleanup();
      reject(new GatewayError('The client closed the request.', { status: 499, code: 'client_closed' }));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
  if (size === 0) throw invalidRequest('The request body is empty; send a JSON object.', null, 'invalid_body');
  const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
  try {
    return { value: JSON.parse(text) as unknown, bytes: size };
  } catch (err) {
    throw invalidRequest(`We could not parse the JSON body of your request: ${(err as Error).message}`, null, 'invalid_json');
  }
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError(`The request body is larger than this gateway's limit of ${maxBytes} bytes.`, { status: 413, code: 'request_too_large', shape: 'client_error', headers: { connection: 'close' } });
}
