/**
 * A SOCKS proxy on a real socket, for tests of calls that leave through one: SOCKS5 (RFC 1928,
 * with RFC 1929's user name and password when asked for) and SOCKS4 / 4a, CONNECT only, as a
 * bastion or an SSH `-D` tunnel serves them. It records what each client asked for (a name or an
 * address, so a test can tell which side resolved the upstream), can refuse every CONNECT with a
 * reply code, and can take connections and never answer.
 */
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export interface SeenBySocksProxy {
  version: 4 | 5;
  /** The destination as the client sent it: a name (`upstream.test`) or an address (`127.0.0.1`). */
  host: string;
  port: number;
  /** SOCKS5's user name and password (`user:password`), or SOCKS4's user id. */
  credentials: string | undefined;
  /** Whether the proxy connected it (credentials right, not refused). */
  carried: boolean;
}

export interface TestSocksProxyOptions {
  /** `user:password` a SOCKS5 client must give; without it, the proxy asks for none. */
  credentials?: string;
  /** Names (and addresses) only the proxy resolves: `upstream.test:80` to `127.0.0.1:41234`. */
  hosts?: Record<string, string>;
  /** Answer every CONNECT with this reply code (SOCKS5: 2 is "not allowed by the rule set"). */
  refuse?: number;
  /** Take connections and never answer them. */
  silent?: boolean;
}

export interface TestSocksProxy {
  /** `socks5h://127.0.0.1:PORT`, without credentials. */
  url: string;
  port: number;
  seen: SeenBySocksProxy[];
  close(): Promise<void>;
}

export async function startSocksProxy(options: TestSocksProxyOptions = {}): Promise<TestSocksProxy> {
  const seen: SeenBySocksProxy[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (options.silent) return;
    serve(client, options, seen).catch(() => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `socks5h://127.0.0.1:${port}`,
    port,
    seen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serve(client: Socket, options: TestSocksProxyOptions, seen: SeenBySocksProxy[]): Promise<void> {
  const read = reader(client);
  const version = (await read.bytes(1))[0];
  if (version === 5) await serveSocks5(client, read, options, seen);
  else if (version === 4) await serveSocks4(client, read, options, seen);
  else client.destroy();
}

async function serveSocks5(client: Socket, read: Reader, options: TestSocksProxyOptions, seen: SeenBySocksProxy[]): Promise<void> {
  const methods = [...(await read.bytes((await read.bytes(1))[0]!))];
  const wanted = options.credentials === undefined ? 0x00 : 0x02;
  if (!methods.includes(wanted)) {
    client.end(Buffer.from([5, 0xff]));
    return;
  }
  client.write(Buffer.from([5, wanted]));
  let credentials: string | undefined;
  if (wanted === 0x02) {
    await read.bytes(1); // the sub-negotiation's version, 1
    const user = (await read.bytes((await read.bytes(1))[0]!)).toString();
    const password = (await read.bytes((await read.bytes(1))[0]!)).toString();
    credentials = `${user}:${password}`;
    if (credentials !== options.credentials) {
      client.end(Buffer.from([1, 1]));
      return;
    }
    client.write(Buffer.from([1, 0]));
  }
  const [, command, , type] = await read.bytes(4);
  let host: string;
  if (type === 1) host = [...(await read.bytes(4))].join('.');
  else if (type === 3) host = (await read.bytes((await read.bytes(1))[0]!)).toString();
  else if (type === 4) host = ipv6Text(await read.bytes(16));
  else throw new Error('unknown address type');
  const port = (await read.bytes(2)).readUInt16BE(0);
  const refused = command !== 1 ? 7 : options.refuse;
  seen.push({ version: 5, host, port, credentials, carried: refused === undefined });
  const reply = (code: number) => Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);
  if (refused !== undefined) {
    client.end(reply(refused));
    return;
  }
  tunnel(client, read, options, host, port, () => reply(0), () => reply(5));
}

async function serveSocks4(client: Socket, read: Reader, options: TestSocksProxyOptions, seen: SeenBySocksProxy[]): Promise<void> {
  const head = await read.bytes(7);
  const port = head.readUInt16BE(1);
  const address = [...head.subarray(3, 7)];
  const userId = (await read.untilNull()).toString();
  // SOCKS4a: an address of 0.0.0.x (x ≠ 0) says a name follows the user id.
  const named = address[0] === 0 && address[1] === 0 && address[2] === 0 && address[3] !== 0;
  const host = named ? (await read.untilNull()).toString() : address.join('.');
  const carried = options.refuse === undefined && (options.credentials === undefined || options.credentials === userId);
  seen.push({ version: 4, host, port, credentials: userId === '' ? undefined : userId, carried });
  const reply = (code: number) => Buffer.from([0, code, 0, 0, 0, 0, 0, 0]);
  if (!carried) {
    client.end(reply(0x5b));
    return;
  }
  tunnel(client, read, options, host, port, () => reply(0x5a), () => reply(0x5b));
}

/** Connects to `host:port` as the proxy resolves it, answers, and pipes both ways. */
function tunnel(client: Socket, read: Reader, options: TestSocksProxyOptions, host: string, port: number, granted: () => Buffer, failed: () => Buffer): void {
  const mapped = options.hosts?.[`${host}:${port}`] ?? `${host}:${port}`;
  const at = mapped.lastIndexOf(':');
  const target = connect(Number(mapped.slice(at + 1)), mapped.slice(0, at).replace(/^\[(.*)\]$/, '$1'));
  target.once('error', () => (client.writable ? client.end(failed()) : client.destroy()));
  target.once('connect', () => {
    target.removeAllListeners('error');
    target.on('error', () => client.destroy());
    client.on('close', () => target.destroy());
    target.on('close', () => client.destroy());
    client.write(granted());
    const rest = read.detach();
    if (rest.length > 0) target.write(rest);
    client.pipe(target).pipe(client);
  });
}

interface Reader {
  bytes(n: number): Promise<Buffer>;
  untilNull(): Promise<Buffer>;
  /** Stops reading; returns what was read and not taken. */
  detach(): Buffer;
}

function reader(socket: Socket): Reader {
  let buffered = Buffer.alloc(0);
  let ended = false;
  let wake: (() => void) | undefined;
  const onData = (data: Buffer): void => {
    buffered = Buffer.concat([buffered, data]);
    wake?.();
  };
  const onEnd = (): void => {
    ended = true;
    wake?.();
  };
  socket.on('data', onData);
  socket.on('close', onEnd);
  const until = async (ready: () => number): Promise<Buffer> => {
    let n = ready();
    while (n < 0) {
      if (ended) throw new Error('the client closed the connection mid-handshake');
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      n = ready();
    }
    const taken = buffered.subarray(0, n);
    buffered = buffered.subarray(n);
    return taken;
  };
  return {
    bytes: (n) => until(() => (buffered.length >= n ? n : -1)),
    untilNull: async () => {
      const withNull = await until(() => {
        const at = buffered.indexOf(0);
        return at < 0 ? -1 : at + 1;
      });
      return withNull.subarray(0, -1);
    },
    detach: () => {
      socket.removeListener('data', onData);
      socket.removeListener('close', onEnd);
      socket.pause();
      return buffered;
    },
  };
}

/** An IPv6 address in its short form (`::1`), as a lookup gives it. */
function ipv6Text(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}
