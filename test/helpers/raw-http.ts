/** One HTTP request with full control over method, path, headers and body bytes, for tests of what the server does with them. */
import { request as rawRequest } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function send(url: string, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // A body always goes with its length: Node's client sends a DELETE body unframed (no
    // content-length, no chunking), which leaves its bytes on the keep-alive connection for the
    // server to read as the start of the next request (a 400 for that one, correctly).
    const unframed = body !== undefined && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined;
    const framed = unframed ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers;
    const req = rawRequest(`${url}${path}`, { method, headers: framed }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}
