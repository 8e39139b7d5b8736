/**
 * The HTTP agent trace exports go out on. Like a provider's calls (providers/http/egress-proxy.ts),
 * exports take `telemetry.traces.proxy`: `env` (the default) for the proxy HTTPS_PROXY / HTTP_PROXY
 * name unless NO_PROXY lists the collector, `none`, or a proxy's URL. An https collector is
 * reached through a CONNECT tunnel, an http one with requests forwarded to the proxy; through a
 * SOCKS proxy (`socks5h://`...), both through a SOCKS tunnel made as a provider's are
 * (socks-connect.ts). The exporter (OpenTelemetry's) sends over node's http module, so the proxy
 * agents here are http.Agent's (https-proxy-agent, http-proxy-agent, and one of our own for SOCKS)
 * rather than undici dispatchers.
 * `telemetry.traces.tls` (a CA bundle, a client certificate) applies to the collector, inside the tunnel.
 */
import { Agent as HttpAgent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import type { Duplex } from 'node:stream';
import { isSocksProxy, proxyFor, type EgressProxy, type Env, type ProxySetting } from '../../providers/http/egress-proxy.js';
import { socksConnector } from '../../providers/http/socks-connect.js';
import type { UpstreamTls } from '../../providers/http/upstream-client.js';

export interface ExportAgent {
  agent: HttpAgent;
  /** The proxy exports go through, when they do. */
  proxy: EgressProxy | undefined;
}

/** Throws a SettingError at `proxy` for a proxy variable that is not a URL. */
export function exportAgent(collector: URL, proxySetting: ProxySetting, tls: UpstreamTls | undefined, env: Env): ExportAgent {
  const proxy = proxyFor(proxySetting, collector, env);
  const https = collector.protocol === 'https:';
  if (proxy === undefined) return { agent: https ? new HttpsAgent({ ...KEEP_ALIVE, ...tls }) : new HttpAgent(KEEP_ALIVE), proxy };
  if (isSocksProxy(proxy)) return { agent: socksAgent(proxy, https, tls), proxy };
  return { agent: https ? new TunnelAgent(proxy.url, tls ?? {}) : new HttpProxyAgent(proxy.url, KEEP_ALIVE), proxy };
}

/** Exports come every couple of seconds: one kept-alive connection, not a handshake per batch. */
const KEEP_ALIVE = { keepAlive: true };

/**
 * A CONNECT tunnel whose TLS handshake with the collector takes `tls`. https-proxy-agent applies
 * the options it is made with to the connection to the proxy only, and the exporter's request
 * options (where node would look for `ca`) are not ours to set.
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    private readonly tls: UpstreamTls,
  ) {
    super(proxy, KEEP_ALIVE);
  }

  override connect(req: ClientRequest, opts: Parameters<HttpsProxyAgent<string>['connect']>[1]) {
    return super.connect(req, { ...opts, ...this.tls });
  }
}

/**
 * Through a SOCKS proxy: each connection the agent keeps is a tunnel opened by the providers' SOCKS
 * connector, with the collector's TLS (and `tls`) inside it for an https collector.
 */
function socksAgent(proxy: EgressProxy, https: boolean, tls: UpstreamTls | undefined): HttpAgent {
  const connect = socksConnector(proxy, { tls });
  const agent = https ? new HttpsAgent(KEEP_ALIVE) : new HttpAgent(KEEP_ALIVE);
  // node's Agent takes a socket made later, through the callback, when this returns nothing.
  agent.createConnection = ((options: { host?: string | null; port?: number | string | null; servername?: string }, callback: (err: Error | null, socket: Duplex) => void) => {
    const host = options.host ?? 'localhost';
    connect({ hostname: host, host, port: String(options.port ?? ''), protocol: https ? 'https:' : 'http:', servername: options.servername }, (err, socket) => callback(err, socket as Duplex));
    return undefined;
  }) as unknown as HttpAgent['createConnection'];
  return agent;
}
