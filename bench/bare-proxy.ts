/**
 * The yardstick: about the least a Node proxy can do. node:http in, JSON body parsed and the model
 * rewritten (as any gateway must), one undici Pool out, the response streamed back as it arrives.
 * Env: UPSTREAM_URL (base URL with /v1), PORT.
 */
import http from 'node:http';
import { Pool } from 'undici';

const upstream = new URL(process.env.UPSTREAM_URL ?? 'http://127.0.0.1:8081/v1');
const basePath = upstream.pathname.replace(/\/+$/, '');
const pool = new Pool(upstream.origin, { connections: 256, pipelining: 1 });
const upstreamHeaders = { 'content-type': 'application/json', authorization: 'Bearer bench-key' };

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health/ready') return void res.end('ok');
  const parts: Buffer[] = [];
  req.on('data', (part: Buffer) => parts.push(part));
  req.on('end', () => void forward(Buffer.concat(parts).toString('utf8'), res));
});

async function forward(raw: string, res: http.ServerResponse): Promise<void> {
  try {
    const body = JSON.parse(raw) as Record<string, unknown>;
    body.model = 'gpt-4o-mini';
    const up = await pool.request({ path: `${basePath}/chat/completions`, method: 'POST', headers: upstreamHeaders, body: JSON.stringify(body) });
    const headers: http.OutgoingHttpHeaders = { 'content-type': String(up.headers['content-type'] ?? 'application/json') };
    if (up.headers['content-length']) headers['content-length'] = String(up.headers['content-length']);
    res.writeHead(up.statusCode, headers);
    for await (const chunk of up.body) res.write(chunk);
    res.end();
  } catch {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"bad gateway","type":"api_error"}}');
  }
}

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}` }));
});

// A clean exit on SIGTERM, so `node --cpu-prof` (bench/profile.ts --bare) writes its profile.
process.on('SIGTERM', () => process.exit(0));
