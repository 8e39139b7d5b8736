/**
 * A forward HTTP proxy on a real socket, for tests of calls that leave through one: absolute-form
 * requests are forwarded, CONNECT is tunnelled, as a corporate proxy does. It can ask for Basic
 * credentials (407 otherwise), refuse tunnels with a status, and resolve names only it knows
 * (`hosts`), so a test can tell a call that went through it from one that did not.
 */
import { createServer, request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface SeenByProxy {
  /** `GET`/`POST` for a forwarded request, `CONNECT` for a tunnel. */
  method: string;
  /** The absolute URL of a forwarded request; `host:port` of a tunnel. */
  target: string;
  proxyAuthorization: string | undefined;
  /** Whether the proxy carried it (credentials right, tunnel not refused). */
  carried: boolean;
}

export interface TestProxyOptions {
  /** `user:password` the proxy asks for; without it, it asks for none. */
  credentials?: string;
  /** Names only the proxy resolves: `upstream.test:80` to `127.0.0.1:41234`. */
  hosts?: Record<string, string>;
  /** Answer every CONNECT with this status instead of a tunnel. */
  refuseTunnels?: number;
}

export interface TestProxy {
  /** `http://127.0.0.1:PORT`, without credentials. */
  url: string;
  port: number;
  seen: SeenByProxy[];
  close(): Promise<void>;
}

export async function startHttpProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const seen: SeenByProxy[] = [];
  const sockets = new Set<Socket>();
  const agent = new Agent({ keepAlive: true });
  const expected = options.credentials === undefined ? undefined : `Basic ${Buffer.from(options.credentials).toString('base64')}`;
  const allowed = (req: IncomingMessage): boolean => expected === undefined || req.headers['proxy-authorization'] === expected;
  /** `host:port` as the proxy resolves it. */
  const resolve = (hostPort: string): { host: string; port: number } => {
    const mapped = options.hosts?.[hostPort] ?? hostPort;
    const at = mapped.lastIndexOf(':');
    return { host: mapped.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(mapped.slice(at + 1)) };
  };

  const server = createServer((req, res) => {
    const carried = allowed(req);
    seen.push({ method: req.method ?? '', target: req.url ?? '', proxyAuthorization: req.headers['proxy-authorization'], carried });
    if (!carried) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"', 'content-length': 0 }).end();
      return;
    }
    const url = new URL(req.url ?? '');
    const { host, port } = resolve(`${url.hostname}:${url.port || 80}`);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest({ host, port, method: req.method, path: url.pathname + url.search, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.headersSent ? res.destroy() : res.writeHead(502, { 'content-length': 0 }).end());
    req.pipe(upstream);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const refused = !allowed(req) ? 407 : options.refuseTunnels;
    seen.push({ method: 'CONNECT', target: req.url ?? '', proxyAuthorization: req.headers['proxy-authorization'], carried: refused === undefined });
    if (refused !== undefined) {
      const extra = refused === 407 ? 'Proxy-Authenticate: Basic realm="test"\r\n' : '';
      client.end(`HTTP/1.1 ${refused} Refused\r\n${extra}Content-Length: 0\r\n\r\n`);
      return;
    }
    const { host, port } = resolve(req.url ?? '');
    const target = connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) target.write(head);
      target.pipe(client);
      client.pipe(target);
    });
    target.on('error', () => client.destroy());
    client.on('error', () => target.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    async close() {
      agent.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
