/**
 * Connections through a SOCKS proxy (`socks5h://`, `socks5://`, `socks4a://`, `socks4://`), as an
 * undici connector: the connection pools to each upstream stay undici's, with the provider's
 * settings, and only how a socket is opened changes. The SOCKS handshake is the `socks` package's.
 *
 * Which side resolves the upstream's name follows curl: the proxy for `socks5h` and `socks4a`
 * (the name is sent; the only way to reach a host that only the proxy's network knows), the
 * gateway for `socks5` and `socks4` (an address is sent; SOCKS4 carries IPv4 addresses only).
 *
 * One deadline, the provider's `connect_timeout_ms`, covers all of it: the name lookup, the TCP
 * connection to the proxy, the SOCKS handshake and, for an https upstream, the TLS handshake
 * inside the tunnel. A failure leaves as a {@link SocksProxyError} whose message says which step failed.
 *
 * The `socks` package is loaded at the first connection through a SOCKS proxy: a gateway that
 * uses none does not carry it.
 */
import { lookup } from 'node:dns';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { SocksProxy } from 'socks';
import type { buildConnector } from 'undici';
import type { EgressProxy } from './egress-proxy.js';
import type { UpstreamTls } from './upstream-client.js';

/** The port a SOCKS proxy listens on when its URL names none. */
const DEFAULT_SOCKS_PORT = 1080;
/** The deadline for callers that set none (a handoff webhook): undici's own connect timeout. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * A connection through a SOCKS proxy failed; the message says at which step. A timeout is told
 * apart (it is a hop's `timeout`, the rest the proxy's error). The message never holds the
 * proxy's credentials.
 */
export class SocksProxyError extends Error {
  override name = 'SocksProxyError';
  constructor(
    message: string,
    readonly timedOut = false,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** What an undici Pool's `connect` option takes. */
type Connector = buildConnector.connector;

/** A connector that opens each connection to an upstream through the SOCKS proxy `proxy`. */
export function socksConnector(proxy: EgressProxy, settings: { connectTimeoutMs?: number | undefined; tls?: UpstreamTls | undefined }): Connector {
  const url = new URL(proxy.url);
  const version = url.protocol.startsWith('socks4') ? 4 : 5;
  const remoteNames = url.protocol === 'socks5h:' || url.protocol === 'socks4a:';
  const socksProxy: SocksProxy & { host: string } = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? DEFAULT_SOCKS_PORT : Number(url.port),
    type: version,
    ...(url.username === '' ? {} : { userId: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
  };
  const timeoutMs = settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return (options, callback) => {
    loadSocks().then(
      ({ SocksClient }) => new SocksConnection(SocksClient, socksProxy, remoteNames, timeoutMs, settings.tls, callback).open(options),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
    );
  };
}

type ConnectOptions = Parameters<Connector>[0];
type ConnectCallback = Parameters<Connector>[1];

/** One connection being opened: its steps, its one deadline, and the socket of the step it is on. */
class SocksConnection {
  private socket: Socket | undefined;
  private done = false;
  private readonly deadline: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly socksClient: SocksClientClass,
    private readonly proxy: SocksProxy & { host: string },
    private readonly remoteNames: boolean,
    private readonly timeoutMs: number,
    private readonly tls: UpstreamTls | undefined,
    private readonly callback: ConnectCallback,
  ) {
    this.deadline = Date.now() + timeoutMs;
    this.timer = setTimeout(() => this.fail(timedOut(timeoutMs)), timeoutMs);
  }

  open(options: ConnectOptions): void {
    const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = options.port === '' ? (options.protocol === 'https:' ? 443 : 80) : Number(options.port);
    const servername = options.servername ?? (isIP(host) === 0 ? host : undefined);
    const https = options.protocol === 'https:';
    if (this.remoteNames || isIP(host) !== 0) {
      this.connectProxy(host, port, https, servername);
      return;
    }
    // SOCKS4 carries an IPv4 address; SOCKS5 either family.
    lookup(host, { family: this.proxy.type === 4 ? 4 : 0 }, (err, address) => {
      if (this.done) return;
      if (err) {
        this.fail(err);
        return;
      }
      this.connectProxy(address, port, https, servername);
    });
  }

  private connectProxy(host: string, port: number, https: boolean, servername: string | undefined): void {
    const socket = netConnect({ host: this.proxy.host, port: this.proxy.port });
    this.socket = socket;
    const onError = (err: NodeJS.ErrnoException): void => {
      this.fail(new SocksProxyError(`could not be reached (${err.code ?? err.message})`, false, { cause: err }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.removeListener('error', onError);
      this.handshake(socket, host, port, https, servername);
    });
  }

  private handshake(socket: Socket, host: string, port: number, https: boolean, servername: string | undefined): void {
    // The connection's own deadline stops the handshake; the package's timer, a little later, is a backstop.
    const remaining = Math.max(1, this.deadline - Date.now()) + 1_000;
    this.socksClient.createConnection({ proxy: this.proxy, command: 'connect', destination: { host, port }, existing_socket: socket, timeout: remaining }, (err, info) => {
      if (this.done) return;
      if (err || info === undefined) {
        this.fail(handshakeError(err, `${host}:${port}`, this.timeoutMs));
        return;
      }
      const tunnel = info.socket as Socket;
      tunnel.setNoDelay(true);
      tunnel.setKeepAlive(true, 60_000);
      if (https) this.startTls(tunnel, servername);
      else this.succeed(tunnel);
    });
  }

  private startTls(tunnel: Socket, servername: string | undefined): void {
    const secure: TLSSocket = tlsConnect({ ...this.tls, socket: tunnel, ALPNProtocols: ['http/1.1'], ...(servername === undefined ? {} : { servername }) });
    this.socket = secure;
    // Errors from the handshake go to mapTransportError as they are: an untrusted certificate is the upstream's, not the proxy's.
    const onError = (err: Error): void => this.fail(err);
    secure.once('error', onError);
    secure.once('secureConnect', () => {
      secure.removeListener('error', onError);
      this.succeed(secure);
    });
  }

  private succeed(socket: Socket): void {
    if (this.done) {
      socket.destroy();
      return;
    }
    this.done = true;
    clearTimeout(this.timer);
    this.callback(null, socket);
  }

  private fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.socket?.destroy();
    this.callback(err, null);
  }
}

type SocksClientClass = (typeof import('socks'))['SocksClient'];

let socksModule: Promise<typeof import('socks')> | undefined;
const loadSocks = (): Promise<typeof import('socks')> => (socksModule ??= import('socks'));

/** The `socks` package's error for a handshake, in a sentence about the proxy. */
function handshakeError(err: Error | null, destination: string, timeoutMs: number): SocksProxyError {
  const message = err?.message ?? 'Socket closed';
  if (/Authentication failed|no accepted authentication type|unknown authentication type/i.test(message)) {
    return new SocksProxyError('did not accept the credentials it was given (or asks for some and was given none)', false, { cause: err });
  }
  if (/rejected connection/i.test(message)) {
    // "Socks5 proxy rejected connection - HostUnreachable": the reply's name, as RFC 1928 gives it.
    const reply = /- (\w+)$/.exec(message)?.[1];
    return new SocksProxyError(`would not connect to ${destination}${reply ? ` (${reply})` : ''}`, false, { cause: err });
  }
  if (/timed out/i.test(message)) return timedOut(timeoutMs);
  return new SocksProxyError(`broke off the SOCKS handshake (${message})`, false, { cause: err });
}

function timedOut(timeoutMs: number): SocksProxyError {
  return new SocksProxyError(`did not connect within ${timeoutMs} ms (connect_timeout_ms)`, true);
}
